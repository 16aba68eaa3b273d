"""``torch.distributed``: glassgrad trains in one process. ``is_available()``
and ``is_initialized()`` answer False (so ``if dist.is_initialized():``
branches are skipped); anything else raises, saying what to do instead:
convert the model with ``nn.to_torch(model)`` and train it with PyTorch's
``torch.distributed`` and ``DistributedDataParallel`` (docs/pytorch.md,
"Outgrowing glassgrad")."""

from __future__ import annotations

from typing import Any

__all__ = ["is_available", "is_initialized", "WAY_OUT"]

#: what to do instead, in every message
WAY_OUT = ("glassgrad trains in one process; for distributed training convert the model with "
           "nn.to_torch(model) and use PyTorch's torch.distributed and DistributedDataParallel "
           "(docs/pytorch.md, 'Outgrowing glassgrad')")


def is_available() -> bool:
    """False: glassgrad has no distributed backend."""
    return False


def is_initialized() -> bool:
    """False: no process group is ever started."""
    return False


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"glassgrad.distributed.{name}: {WAY_OUT}")
