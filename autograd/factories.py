"""Tensor factories (``zeros ones full eye arange linspace rand randn
zeros_like ones_like from_numpy``) and the generator behind the random ones,
which ``manual_seed`` resets."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.function import make_tensor
from autograd.tensor import Tensor

__all__ = [
    "zeros", "ones", "full", "eye", "arange", "linspace", "rand", "randn",
    "zeros_like", "ones_like", "from_numpy", "manual_seed", "default_generator",
]

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Reset the generator behind ``rand``/``randn`` (and nn's initialisers)."""
    global _generator
    _generator = np.random.default_rng(seed)


def default_generator() -> np.random.Generator:
    """The numpy Generator that glassgrad's random functions draw from."""
    return _generator


def from_numpy(array: np.ndarray) -> Tensor:
    """A Tensor that shares ``array``'s memory (no copy), as ``torch.from_numpy``."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy array, got {type(array).__name__}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: tensor data must be numbers (bool, int or float), got dtype {array.dtype}")
    return make_tensor(array)


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


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
    """``arange(end)``, ``arange(start, end[, step])``: int64 for integer
    arguments, float32 otherwise (PyTorch's dtypes)."""
    values = np.arange(*args)
    if dtype is None and values.dtype.kind in "iu":
        dtype = np.int64
    return _factory(values, requires_grad, dtype)


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
