"""Numpy helpers that several primitives share, each numerically delicate or
tuned, and so written once: the max shift that keeps ``exp`` from
overflowing, the blocked loop that keeps temporaries in cache, and cached
0-d constants (docs/performance.md, "Size-aware numpy")."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

BLOCK = 1 << 15  # elements per block of a blocked loop: its temporaries stay in cache
LONG_SUM = 4096  # float32 sums of at least this many elements per result accumulate in float64


def accurate_sum(x: np.ndarray, axis: int | tuple | None, keepdims: bool = False) -> np.ndarray:
    """``np.sum``, as accurate in float32 as PyTorch's cascade sum at any length.
    numpy sums a contiguous last axis pairwise, but any other axis one row
    after another, so its error grows with the length (5e-6 relative for the
    mean of 182,625 rows); a long float32 reduction therefore accumulates in
    float64 and rounds once at the end (docs/performance.md)."""
    if x.dtype == np.float32 and x.size >= LONG_SUM:
        count = x.size if axis is None else math.prod(x.shape[a] for a in axis)
        if count >= LONG_SUM:
            return np.sum(x, axis=axis, keepdims=keepdims, dtype=np.float64).astype(np.float32)
    return np.sum(x, axis=axis, keepdims=keepdims)


def max_shifted(x: np.ndarray, axis: int | tuple | None) -> tuple[np.ndarray, np.ndarray]:
    """``(x - m, m)`` with ``m = max(x, axis)`` (kept as a broadcastable axis),
    so that ``exp(x - m)`` never overflows; where the max is not finite (a row
    of -inf, say) ``m`` is 0 instead, so that the row stays -inf, not nan."""
    m = np.maximum.reduce(x, axis=axis, keepdims=True)  # (np.max without its Python wrapper)
    if not np.isfinite(m).all():  # (rare: checked first, as the fix costs more than the test on a small batch)
        m = np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)
    return x - m, m


def blockwise(fn: Callable[..., np.ndarray], x: np.ndarray, *more: np.ndarray) -> np.ndarray:
    """``fn`` applied to blocks of ``BLOCK`` elements of the flattened arrays
    (all of ``x``'s size), so that its temporaries stay small; ``x``'s shape out."""
    flat = [a.reshape(-1) for a in (x, *more)]
    if x.size <= BLOCK:
        return fn(*flat).reshape(x.shape)
    out = np.empty_like(flat[0])
    for start in range(0, x.size, BLOCK):
        out[start : start + BLOCK] = fn(*(a[start : start + BLOCK] for a in flat))
    return out.reshape(x.shape)


_CONSTANTS: dict[tuple[float, np.dtype], np.ndarray] = {}


def constant(value: float, dtype: np.dtype) -> np.ndarray:
    """``value`` as a 0-d array of ``dtype``, made once and cached.

    With numpy 2's promotion rules a Python number as a ufunc operand costs
    more than a 0-d array of the other operand's dtype, as much as the maths
    on a small layer (docs/performance.md). The result is shared, so it is
    made read-only. Meant for the few fixed values hot rules use (0, 1):
    every distinct value stays cached."""
    key = (value, dtype)
    array = _CONSTANTS.get(key)
    if array is None:
        array = _CONSTANTS[key] = np.full((), value, dtype=dtype)
        array.flags.writeable = False
    return array
