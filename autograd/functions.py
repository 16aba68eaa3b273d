"""Module-level operations (numpy signatures) and tensor factories.

``matmul concatenate stack split where maximum minimum pad`` take several
tensors; the factories (``zeros ones full eye arange linspace rand randn
zeros_like ones_like``) draw random numbers from one generator that
``manual_seed`` resets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import ops as P
from autograd.tensor import Tensor, _as_tensor, _promote, _sequence_of_tensors
from autograd.tensor_methods import normalize_axis

__all__ = [
    "matmul", "concatenate", "stack", "split", "where", "maximum", "minimum", "pad",
    "zeros", "ones", "full", "eye", "arange", "linspace", "rand", "randn",
    "zeros_like", "ones_like", "manual_seed", "default_generator",
]

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Reset the generator behind ``rand``/``randn`` (and nn's initialisers)."""
    global _generator
    _generator = np.random.default_rng(seed)


def default_generator() -> np.random.Generator:
    """The numpy Generator that glassgrad's random functions draw from."""
    return _generator


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


def _factory(arr: np.ndarray, requires_grad: bool, dtype: Any) -> Tensor:
    return Tensor(arr, requires_grad=requires_grad, dtype=dtype or np.float32)


def zeros(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _factory(np.zeros(_shape(shape)), requires_grad, dtype)


def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _factory(np.ones(_shape(shape)), requires_grad, dtype)


def full(shape: Any, fill_value: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _factory(np.full(_shape((shape,)), fill_value), requires_grad, dtype)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _factory(np.eye(n, m), requires_grad, dtype)


def arange(*args: float, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _factory(np.arange(*args), requires_grad, dtype)


def linspace(start: float, stop: float, num: int = 50, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return _factory(np.linspace(start, stop, num), requires_grad, dtype)


def rand(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1), from the seedable generator."""
    return _factory(_generator.random(_shape(shape)), requires_grad, dtype)


def randn(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal, from the seedable generator."""
    return _factory(_generator.standard_normal(_shape(shape)), requires_grad, dtype)


def zeros_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    x = _t(x)
    return Tensor(np.zeros_like(x.data, dtype=dtype), requires_grad=requires_grad)


def ones_like(x: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    x = _t(x)
    return Tensor(np.ones_like(x.data, dtype=dtype), requires_grad=requires_grad)


def _shape(shape: tuple) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(n) for n in shape)
