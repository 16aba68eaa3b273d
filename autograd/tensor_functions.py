"""Functions of several tensors, under torch's and numpy's module-level names:
``matmul concatenate stack split where maximum minimum pad``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import primitives as P
from autograd.tensor import Tensor, _as_tensor, _promote, _sequence_of_tensors
from autograd.tensor_ops import normalize_axis

__all__ = ["matmul", "concatenate", "stack", "split", "where", "maximum", "minimum", "pad"]


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def matmul(a: Any, b: Any) -> Tensor:
    """``a @ b`` with numpy's rules (1-D operands, broadcast batch dimensions)."""
    return _t(a).matmul(b)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum; ties split the gradient equally between a and b."""
    return _t(a).maximum(b)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise minimum; ties split the gradient equally between a and b."""
    return _t(a).minimum(b)


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` holds, else ``b`` (all three broadcast together)."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype.kind not in "biuf":
        raise TypeError(f"where: the condition must be boolean (or numeric), got dtype {cond.dtype}")
    cond = cond.astype(bool)
    if not isinstance(a, Tensor):
        a = _as_tensor(a, b) if isinstance(b, Tensor) else Tensor(a)
    if not isinstance(b, Tensor):
        b = _as_tensor(b, a)
    a, b = _promote(a, b)
    try:
        shape = np.broadcast_shapes(cond.shape, a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"where: shapes {cond.shape} (condition), {a.shape} and {b.shape} cannot be broadcast together"
        ) from None
    return P.Where.apply(a.broadcast_to(shape), b.broadcast_to(shape), cond=np.broadcast_to(cond, shape))


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis."""
    ts = _sequence_of_tensors(tensors, "concatenate")
    first = ts[0]
    if any(t.ndim != first.ndim for t in ts) or first.ndim == 0:
        shapes = [t.shape for t in ts]
        raise ValueError(f"concatenate: tensors need the same number (>= 1) of dimensions, got shapes {shapes}")
    ax = normalize_axis(axis, first.ndim, "concatenate", first.shape)[0]
    for t in ts:
        if t.shape[:ax] + t.shape[ax + 1 :] != first.shape[:ax] + first.shape[ax + 1 :]:
            raise ValueError(f"concatenate: shapes {[t.shape for t in ts]} differ outside axis {ax}")
    dtype = np.result_type(*[t.data for t in ts])
    return P.Concatenate.apply(*[t.astype(dtype) for t in ts], axis=ax)


def stack(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """Join tensors of equal shape along a new axis."""
    ts = _sequence_of_tensors(tensors, "stack")
    if any(t.shape != ts[0].shape for t in ts):
        raise ValueError(f"stack: all tensors need the same shape, got {[t.shape for t in ts]}")
    nd = ts[0].ndim + 1
    if not -nd <= axis < nd:
        raise np.exceptions.AxisError(f"stack: axis {axis} is out of range for a result of {nd} dimensions")
    return concatenate([t.unsqueeze(axis) for t in ts], axis=axis % nd)


def split(x: Tensor, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[Tensor]:
    """numpy.split: into N equal parts, or at the given indices."""
    x = _t(x)
    ax = normalize_axis(axis, x.ndim, "split", x.shape)[0]
    n = x.shape[ax]
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if k <= 0 or n % k:
            raise ValueError(f"split: axis {ax} of size {n} does not divide into {k} equal parts")
        bounds = [i * (n // k) for i in range(k + 1)]
    else:
        bounds = [0, *[min(int(i), n) for i in indices_or_sections], n]
    lead = (slice(None),) * ax
    return [x[lead + (slice(lo, max(lo, hi)),)] for lo, hi in zip(bounds[:-1], bounds[1:])]


def pad(x: Tensor, pad_width: Any, constant_values: float = 0) -> Tensor:
    """numpy.pad with mode="constant"."""
    x = _t(x)
    try:
        widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.ndim, 2))
    except ValueError:
        raise ValueError(f"pad: pad_width {pad_width!r} does not fit a tensor of shape {x.shape}") from None
    if (widths < 0).any():
        raise ValueError(f"pad: pad_width must be non-negative, got {pad_width!r}")
    widths = tuple((int(lo), int(hi)) for lo, hi in widths)
    return P.Pad.apply(x, pad_width=widths, value=constant_values)
