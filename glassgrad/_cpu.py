"""torch's top-level names that have no meaning on glassgrad's CPU engine:
``compile`` (the model, unchanged), ``bfloat16`` (exists for dtype choices,
refuses to be used), and the float32 matmul precision switch (TF32 is a GPU
format: the setting is kept and changes nothing, as on a CPU-only PyTorch)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["compile", "bfloat16", "UnsupportedDtype", "set_float32_matmul_precision",
           "get_float32_matmul_precision"]


def compile(model: Any = None, **options: Any) -> Any:  # noqa: A001 (torch's name)
    """``torch.compile(model)``: glassgrad runs the model as it is, so this returns
    ``model`` unchanged (also as ``@torch.compile`` and ``torch.compile(mode=...)(f)``);
    ``options`` (``mode``, ``fullgraph``, ``backend``, ...) are accepted and unused."""
    if model is None:
        def unchanged(fn: Callable[..., Any]) -> Callable[..., Any]:
            return fn
        return unchanged
    return model


class UnsupportedDtype:
    """A torch dtype name that glassgrad has no arrays for (``bfloat16``): it can
    be named, compared and put in a dict, so a program's dtype choice
    (``{"float32": torch.float32, "bfloat16": torch.bfloat16}``) runs, and using
    it as a tensor's dtype raises a ``TypeError`` saying to use float32."""

    is_floating_point = True

    def __init__(self, name: str, itemsize: int) -> None:
        self.name = name
        self.itemsize = itemsize

    def _refuse(self) -> TypeError:
        return TypeError(f"glassgrad.{self.name}: glassgrad computes in float32 and float64 on the CPU and has "
                         f"no {self.name} arrays; write dtype=torch.float32 (or choose float32 where the program "
                         "picks its dtype)")

    @property
    def dtype(self) -> Any:  # what numpy's np.dtype(x) reads
        raise self._refuse()

    @property
    def type(self) -> Any:  # noqa: A003 (what a device check reads)
        raise self._refuse()

    def __repr__(self) -> str:
        return f"glassgrad.{self.name}"


bfloat16 = UnsupportedDtype("bfloat16", 2)

_PRECISIONS = ("highest", "high", "medium")
_matmul_precision = "highest"


def set_float32_matmul_precision(precision: str) -> None:
    """Accepted as on a CPU-only PyTorch: "highest", "high" or "medium" (they
    choose GPU formats such as TF32; glassgrad's float32 matmul is always full float32)."""
    global _matmul_precision
    if precision not in _PRECISIONS:
        raise ValueError(f"set_float32_matmul_precision: expected one of {_PRECISIONS}, got {precision!r}")
    _matmul_precision = precision


def get_float32_matmul_precision() -> str:
    """What ``set_float32_matmul_precision`` was last given ("highest" at first)."""
    return _matmul_precision
