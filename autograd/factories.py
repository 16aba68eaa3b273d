"""Tensor factories (``zeros ones full eye arange linspace rand randn
zeros_like ones_like from_numpy``) and the generator behind the random ones,
which ``manual_seed`` resets."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.graph import make_tensor
from autograd.random_state import Generator, _rng, default_generator, manual_seed
from autograd.tensor import Tensor
from autograd.tensor_conversions import _dtype, check_device

__all__ = [
    "zeros", "ones", "full", "eye", "arange", "linspace", "rand", "randn",
    "zeros_like", "ones_like", "full_like", "rand_like", "randn_like", "from_numpy", "manual_seed",
    "default_generator", "Generator", "randint", "randperm", "multinomial",
]

def from_numpy(array: np.ndarray) -> Tensor:
    """A Tensor that shares ``array``'s memory (no copy), as ``torch.from_numpy``."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy array, got {type(array).__name__}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: tensor data must be numbers (bool, int or float), got dtype {array.dtype}")
    return make_tensor(array)


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _factory(arr: np.ndarray, requires_grad: bool, dtype: Any, device: Any, op: str) -> Tensor:
    check_device(device, op)
    return Tensor(arr, requires_grad=requires_grad, dtype=np.float32 if dtype is None else _dtype(dtype))


# Every factory takes PyTorch's keywords: dtype (float32 by default), device
# ("cpu"; anything else is refused with a clear message) and requires_grad.
def zeros(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    return _factory(np.zeros(_shape(_sized(shape, size))), requires_grad, dtype, device, "zeros")


def ones(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _factory(np.ones(_shape(_sized(shape, size))), requires_grad, dtype, device, "ones")


def full(shape: Any, fill_value: float, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    return _factory(np.full(_shape((shape,)), fill_value), requires_grad, dtype, device, "full")


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _factory(np.eye(n, m), requires_grad, dtype, device, "eye")


def arange(*args: float, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """``arange(end)``, ``arange(start, end[, step])``: int64 for integer
    arguments, float32 otherwise (PyTorch's dtypes)."""
    values = np.arange(*args)
    if dtype is None and values.dtype.kind in "iu":
        dtype = np.int64
    return _factory(values, requires_grad, dtype, device, "arange")


def linspace(start: float, stop: float, num: int = 50, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    return _factory(np.linspace(start, stop, num), requires_grad, dtype, device, "linspace")


def rand(*shape: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1), from ``generator`` (or the seedable default one)."""
    return _factory(_rng(generator).random(_shape(_sized(shape, size))), requires_grad, dtype, device, "rand")


def randn(*shape: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None,
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal, from ``generator`` (or the seedable default one)."""
    return _factory(_rng(generator).standard_normal(_shape(_sized(shape, size))), requires_grad, dtype, device,
                    "randn")


def randint(*args: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None,
            device: Any = None) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high), int64."""
    if size is None and args and isinstance(args[-1], (tuple, list)):
        *args, size = args
    if len(args) not in (1, 2) or size is None:
        raise TypeError("randint: call randint(high, size) or randint(low, high, size), size a tuple")
    low, high = (0, args[0]) if len(args) == 1 else args
    check_device(device, "randint")
    values = _rng(generator).integers(int(low), int(high), _shape((size,)))
    return Tensor(values, dtype=np.int64 if dtype is None else _dtype(dtype))


def randperm(n: int, generator: Generator | None = None, dtype: Any = None, device: Any = None) -> Tensor:
    """A random permutation of 0..n-1, int64."""
    check_device(device, "randperm")
    return Tensor(_rng(generator).permutation(int(n)), dtype=np.int64 if dtype is None else _dtype(dtype))


def multinomial(input: Any, num_samples: int, replacement: bool = False,  # noqa: A002 (torch's name)
                generator: Generator | None = None) -> Tensor:
    """Draw ``num_samples`` category indices per row of ``input`` (weights,
    not necessarily normalised), int64, as ``torch.multinomial``."""
    weights = np.asarray(input._data if isinstance(input, Tensor) else input, dtype=np.float64)
    if weights.ndim not in (1, 2) or weights.shape[-1] == 0:
        raise ValueError(f"multinomial: input must be 1-d or 2-d with at least one category, got {weights.shape}")
    if (weights < 0).any() or not np.isfinite(weights).all():
        raise ValueError("multinomial: weights must be finite and non-negative")
    if not replacement and num_samples > weights.shape[-1]:
        raise ValueError(f"multinomial: cannot draw {num_samples} samples from {weights.shape[-1]} categories "
                         "without replacement; pass replacement=True")
    rng = _rng(generator)
    rows = weights.reshape(-1, weights.shape[-1])
    out = np.empty((len(rows), num_samples), dtype=np.int64)
    for i, w in enumerate(rows):
        total = w.sum()
        if total <= 0:
            raise ValueError(f"multinomial: row {i} of the weights sums to 0")
        out[i] = rng.choice(len(w), size=num_samples, replace=replacement, p=w / total)
    return Tensor(out.reshape(weights.shape[:-1] + (num_samples,)))


def _like(x: Any, make: Any, dtype: Any, device: Any, requires_grad: bool, op: str) -> Tensor:
    x = _t(x)
    check_device(device, op)
    dtype = x.dtype if dtype is None else _dtype(dtype)
    return Tensor(make(x.shape).astype(dtype), requires_grad=requires_grad)


def zeros_like(x: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _like(x, np.zeros, dtype, device, requires_grad, "zeros_like")


def ones_like(x: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    return _like(x, np.ones, dtype, device, requires_grad, "ones_like")


def full_like(x: Any, fill_value: float, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    return _like(x, lambda shape: np.full(shape, fill_value), dtype, device, requires_grad, "full_like")


def rand_like(x: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1) in ``x``'s shape (and dtype), from the seedable generator."""
    return _like(x, default_generator().random, dtype, device, requires_grad, "rand_like")


def randn_like(x: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal in ``x``'s shape (and dtype), from the seedable generator."""
    return _like(x, default_generator().standard_normal, dtype, device, requires_grad, "randn_like")


def _shape(shape: tuple) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(n) for n in shape)


def _sized(shape: tuple, size: Any) -> tuple:
    """``randn(2, 3)``, ``randn((2, 3))`` or PyTorch's ``randn(size=(2, 3))``."""
    if size is not None:
        if shape:
            raise TypeError("give the shape as arguments or as size=, not both")
        return (size,)
    return shape
