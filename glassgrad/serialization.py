"""``torch.serialization``: ``save`` and ``load`` (``glassgrad.save`` /
``glassgrad.load``) and the allowlist of what ``load`` may unpickle:
``safe_globals``, ``add_safe_globals``, ``get_safe_globals``,
``clear_safe_globals`` (``nn.trusted_globals`` says how)."""

from nn.saving import load, save
from nn.trusted_globals import add_safe_globals, clear_safe_globals, get_safe_globals, safe_globals

__all__ = ["save", "load", "safe_globals", "add_safe_globals", "get_safe_globals", "clear_safe_globals"]
