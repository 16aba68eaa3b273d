"""torch.serialization's allowlist for ``load``: what a pickled object in a
checkpoint may name, when the caller trusts those names and not the file.

``load`` (``weights_only`` None or True, the default) never unpickles, unless
the objects a pickle names are ones the caller has allowed, as in torch >= 2.6:

    with torch.serialization.safe_globals([RNNModel, torch.nn.modules.rnn.LSTM, ...]):
        model = torch.load(f)

``safe_globals(list)`` allows them inside a ``with`` block (this thread);
``add_safe_globals(list)`` for the rest of the process; ``get_safe_globals()``
and ``clear_safe_globals()`` read and empty the process-wide list. Allowed
without listing, as in torch: ``set``, ``frozenset``, ``OrderedDict``, tensors
(stored beside the pickle, never pickled), and the parts glassgrad builds an
allowed class from that PyTorch's class has no counterpart for (an ``LSTM``'s
``LSTMCell`` per layer). A name outside the list is refused before any object
is made, with a message naming it.
"""

from __future__ import annotations

import pickle
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

__all__ = ["safe_globals", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "AllowlistUnpickler"]

_BASELINE = (set, frozenset, OrderedDict)
_ADDED: list[Any] = []
_SCOPED = threading.local()


def _key(obj: Any) -> tuple[str, str]:
    return getattr(obj, "__module__", ""), getattr(obj, "__qualname__", getattr(obj, "__name__", ""))


def _parts(obj: Any) -> list[Any]:
    """What glassgrad builds an allowed class from (a recurrent layer's cell class)."""
    cell = getattr(obj, "cell", None)
    return [cell] if isinstance(obj, type) and isinstance(cell, type) else []


def add_safe_globals(safe: Iterable[Any]) -> None:
    """Allow these classes and functions in every later ``load`` of this process."""
    _ADDED.extend(safe)


def get_safe_globals() -> list[Any]:
    """The process-wide list ``add_safe_globals`` built."""
    return list(_ADDED)


def clear_safe_globals() -> None:
    """Empty the process-wide list."""
    _ADDED.clear()


class safe_globals:  # noqa: N801 (torch's name: a context manager used as a function)
    """``with safe_globals([...]):`` allows these classes and functions in ``load`` inside the block."""

    def __init__(self, safe: Iterable[Any]) -> None:
        self.safe = list(safe)

    def __enter__(self) -> safe_globals:
        _SCOPED.__dict__.setdefault("stack", []).append(self.safe)
        return self

    def __exit__(self, *exc: Any) -> None:
        _SCOPED.stack.pop()


def allowed() -> dict[tuple[str, str], Any]:
    """Every object a pickle may name now, by (module, qualified name); empty if nothing is allowed."""
    listed = [*_ADDED, *(obj for scope in getattr(_SCOPED, "stack", []) for obj in scope)]
    if not listed:
        return {}
    objects = [*_BASELINE, *listed, *(part for obj in listed for part in _parts(obj))]
    return {_key(obj): obj for obj in objects}


class AllowlistUnpickler(pickle.Unpickler):
    """An unpickler that resolves only allowed names, and imports nothing to do so."""

    def __init__(self, file: Any, source: str, **options: Any) -> None:
        super().__init__(file, **options)
        self.source, self.allowed = source, allowed()

    def find_class(self, module: str, name: str) -> Any:
        module = "builtins" if module == "__builtin__" else module  # (protocol 2's spelling)
        if (module, name) in self.allowed:
            return self.allowed[module, name]
        raise pickle.UnpicklingError(
            f"load: {self.source} names {module}.{name}, which is not an allowed global; if you trust it, add it "
            f"with glassgrad.serialization.safe_globals([{name}, ...]) (or add_safe_globals), or pass "
            "weights_only=False if you trust the whole file")
