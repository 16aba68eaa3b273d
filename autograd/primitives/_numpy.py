"""Numpy helpers for the first-order backward rules, tuned for both ends of
the size range: on tiny arrays numpy's fixed cost per call dominates (``out=``,
Python-number operands, ``np.broadcast_to``), on big ones memory traffic does
(docs/performance.md, "Size-aware numpy"). Below ``SMALL`` elements the helpers
write plain expressions and materialise broadcasts; above it they work in
place and return broadcast views.
"""

from __future__ import annotations

import math

import numpy as np

SMALL = 4096  # elements: where the two costs cross over (docs/performance.md)


def expand_to(g: np.ndarray, shape: tuple) -> np.ndarray:
    """``g`` broadcast to ``shape``: a read-only view, or a small fresh array."""
    if math.prod(shape) <= SMALL:
        out = np.empty(shape, dtype=g.dtype)
        out[...] = g
        return out
    return np.broadcast_to(g, shape)


def tanh_grad(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    """g * (1 - y**2) for y = tanh(x)."""
    if y.size <= SMALL:
        return g - g * y * y
    out = np.multiply(y, y)
    np.multiply(out, g, out=out)
    np.subtract(g, out, out=out)
    return out


def sigmoid_grad(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    """g * y * (1 - y) for y = sigmoid(x)."""
    if y.size <= SMALL:
        gy = g * y
        return gy - gy * y
    out = np.multiply(g, y)
    gy_y = np.multiply(out, y)
    np.subtract(out, gy_y, out=out)
    return out


_CONSTANTS: dict[tuple[float, np.dtype], np.ndarray] = {}


def constant(value: float, dtype: np.dtype) -> np.ndarray:
    """``value`` as a 0-d array of ``dtype``, made once and cached.

    With numpy 2's promotion rules a Python number as a ufunc operand costs
    more than a 0-d array of the other operand's dtype, as much as the maths
    on a small layer (docs/performance.md). The result is shared, so it is
    made read-only. Meant for the few fixed
    values hot rules use (0, 1): every distinct value stays cached."""
    key = (value, dtype)
    array = _CONSTANTS.get(key)
    if array is None:
        array = _CONSTANTS[key] = np.full((), value, dtype=dtype)
        array.flags.writeable = False
    return array
