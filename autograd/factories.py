"""Tensor factories (``zeros ones full eye arange linspace rand randn normal
zeros_like ones_like from_numpy``); the random ones draw from
``autograd.generator`` (the default generator, which ``manual_seed`` resets,
or a ``Generator`` passed as ``generator=``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.function import Function
from autograd.generator import Generator, default_generator, manual_seed
from autograd.generator import rng_of as _rng
from autograd.graph import make_tensor
from autograd.tensor import Tensor
from autograd.tensor_conversions import _dtype, check_device

__all__ = [
    "zeros", "ones", "full", "eye", "arange", "linspace", "rand", "randn",
    "zeros_like", "ones_like", "full_like", "rand_like", "randn_like", "from_numpy", "manual_seed",
    "default_generator", "Generator", "randint", "randperm", "multinomial", "normal",
]


def from_numpy(array: np.ndarray, name: str = "") -> Tensor:
    """A Tensor that shares ``array``'s memory (no copy), as ``torch.from_numpy``."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy array, got {type(array).__name__}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: tensor data must be numbers (bool, int or float), got dtype {array.dtype}")
    t = make_tensor(array)
    t.name = name
    return t


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _factory(arr: np.ndarray, requires_grad: bool, dtype: Any, device: Any, op: str, name: str = "") -> Tensor:
    check_device(device, op)
    return Tensor(arr, requires_grad=requires_grad, dtype=np.float32 if dtype is None else _dtype(dtype), name=name)


# Every factory takes PyTorch's keywords: dtype (float32 by default), device
# ("cpu"; anything else is refused with a clear message) and requires_grad,
# and glassgrad's name= (the tensor's ``t.name``, shown by the pictures and the explorer).
def zeros(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None,
          requires_grad: bool = False, name: str = "") -> Tensor:
    return _factory(np.zeros(_shape(_sized(shape, size))), requires_grad, dtype, device, "zeros", name)


def ones(*shape: Any, size: Any = None, dtype: Any = None, device: Any = None, requires_grad: bool = False,
         name: str = "") -> Tensor:
    return _factory(np.ones(_shape(_sized(shape, size))), requires_grad, dtype, device, "ones", name)


def full(shape: Any, fill_value: float, dtype: Any = None, device: Any = None,
         requires_grad: bool = False, name: str = "") -> Tensor:
    return _factory(np.full(_shape((shape,)), fill_value), requires_grad, dtype, device, "full", name)


def eye(n: int, m: int | None = None, dtype: Any = None, device: Any = None, requires_grad: bool = False,
        name: str = "") -> Tensor:
    return _factory(np.eye(n, m), requires_grad, dtype, device, "eye", name)


def arange(*args: float, dtype: Any = None, device: Any = None, requires_grad: bool = False, name: str = "") -> Tensor:
    """``arange(end)``, ``arange(start, end[, step])``: int64 for integer
    arguments, float32 otherwise (PyTorch's dtypes)."""
    values = np.arange(*args)
    if dtype is None and values.dtype.kind in "iu":
        dtype = np.int64
    return _factory(values, requires_grad, dtype, device, "arange", name)


def linspace(start: float, stop: float, num: int = 50, dtype: Any = None, device: Any = None,
             requires_grad: bool = False, name: str = "") -> Tensor:
    return _factory(np.linspace(start, stop, num), requires_grad, dtype, device, "linspace", name)


def rand(*shape: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None,
         device: Any = None, requires_grad: bool = False, name: str = "") -> Tensor:
    """Uniform on [0, 1), from ``generator`` (or the seedable default one)."""
    return _factory(_rng(generator).random(_shape(_sized(shape, size))), requires_grad, dtype, device, "rand", name)


def randn(*shape: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None,
          device: Any = None, requires_grad: bool = False, name: str = "") -> Tensor:
    """Standard normal, from ``generator`` (or the seedable default one)."""
    return _factory(_rng(generator).standard_normal(_shape(_sized(shape, size))), requires_grad, dtype, device,
                    "randn", name)


class Normal(Function):
    """``normal(mean, std)``'s node. PyTorch records the draw but gives mean
    and std zero gradients (it is not reparametrised as ``mean + std * eps``;
    write that out to get a gradient), and so does glassgrad."""

    saves = ()

    @staticmethod
    def forward(mean: np.ndarray, std: np.ndarray, eps: np.ndarray) -> np.ndarray:
        return (mean + std * eps).astype(eps.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return tuple(Tensor(np.zeros(shape, dtype)) for shape, dtype in zip(ctx.input_shapes, ctx.input_dtypes))


def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Generator | None = None,
           dtype: Any = None, device: Any = None, requires_grad: bool = False, name: str = "") -> Tensor:
    """Draws from N(mean, std**2), as ``torch.normal``: ``normal(0.0, 1.0, (2, 3))``
    with numbers and a size, or ``normal(means, stds)`` with tensors (either may be
    a number), the shape theirs broadcast and the dtype the tensor's."""
    check_device(device, "normal")
    tensors = [x for x in (mean, std) if isinstance(x, Tensor)]
    if (size is None) == (not tensors):
        raise TypeError("normal: call normal(mean, std, size) with numbers, or normal(mean, std) where mean or "
                        f"std is a tensor; got mean={type(mean).__name__}, std={type(std).__name__}, size={size}")
    if (np.asarray(std._data if isinstance(std, Tensor) else std) < 0).any():
        raise ValueError(f"normal: std must be >= 0, got {std}")
    if not tensors:
        return _factory(_rng(generator).normal(mean, std, _shape((size,))), requires_grad, dtype, device, "normal",
                        name)
    kind = _dtype(dtype) if dtype is not None else next((t.dtype for t in tensors if t.dtype.kind == "f"), np.float32)
    mean, std = (x if isinstance(x, Tensor) else Tensor(x, dtype=kind) for x in (mean, std))
    eps = Tensor(_rng(generator).standard_normal(np.broadcast_shapes(mean.shape, std.shape)), dtype=kind)
    drawn = Normal.apply(mean, std, eps)
    drawn.name = name
    return drawn.requires_grad_() if requires_grad and drawn.is_leaf else drawn


def randint(*args: Any, size: Any = None, generator: Generator | None = None, dtype: Any = None,
            device: Any = None, name: str = "") -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: integers in [low, high), int64."""
    if size is None and args and isinstance(args[-1], (tuple, list)):
        *args, size = args
    if len(args) not in (1, 2) or size is None:
        raise TypeError("randint: call randint(high, size) or randint(low, high, size), size a tuple")
    low, high = (0, args[0]) if len(args) == 1 else args
    check_device(device, "randint")
    values = _rng(generator).integers(int(low), int(high), _shape((size,)))
    return Tensor(values, dtype=np.int64 if dtype is None else _dtype(dtype), name=name)


def randperm(n: int, generator: Generator | None = None, dtype: Any = None, device: Any = None,
             name: str = "") -> Tensor:
    """A random permutation of 0..n-1, int64."""
    check_device(device, "randperm")
    return Tensor(_rng(generator).permutation(int(n)), dtype=np.int64 if dtype is None else _dtype(dtype), name=name)


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


def _like(x: Any, make: Any, dtype: Any, device: Any, requires_grad: bool, op: str, name: str = "") -> Tensor:
    x = _t(x)
    check_device(device, op)
    dtype = x.dtype if dtype is None else _dtype(dtype)
    return Tensor(make(x.shape).astype(dtype), requires_grad=requires_grad, name=name)


def zeros_like(x: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, name: str = "") -> Tensor:
    return _like(x, np.zeros, dtype, device, requires_grad, "zeros_like", name)


def ones_like(x: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, name: str = "") -> Tensor:
    return _like(x, np.ones, dtype, device, requires_grad, "ones_like", name)


def full_like(x: Any, fill_value: float, dtype: Any = None, device: Any = None,
              requires_grad: bool = False, name: str = "") -> Tensor:
    return _like(x, lambda shape: np.full(shape, fill_value), dtype, device, requires_grad, "full_like", name)


def rand_like(x: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, name: str = "") -> Tensor:
    """Uniform on [0, 1) in ``x``'s shape (and dtype), from the seedable generator."""
    return _like(x, default_generator().random, dtype, device, requires_grad, "rand_like", name)


def randn_like(x: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False, name: str = "") -> Tensor:
    """Standard normal in ``x``'s shape (and dtype), from the seedable generator."""
    return _like(x, default_generator().standard_normal, dtype, device, requires_grad, "randn_like", name)


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
