"""The long tail of PyTorch's Tensor methods that teaching programs use
(``eq``, ``mm``, ``narrow``, ``new_zeros``, ``sort``, ``roll``, ``gather``,
``unique`` ...), each written with the differentiable operations glassgrad
already has, so that their gradients (where they have one) come for free.
Comparisons, ``unique``, ``isnan`` and the like give tensors that need no
gradient, as in PyTorch."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import graph
from autograd import primitives as P
from autograd.coerce import normalize_axis
from autograd.graph import make_tensor
from autograd.tensor_functions import where

_TYPE_NAMES = {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor", "float16": "torch.HalfTensor",
               "int64": "torch.LongTensor", "int32": "torch.IntTensor", "int16": "torch.ShortTensor",
               "int8": "torch.CharTensor", "uint8": "torch.ByteTensor", "bool": "torch.BoolTensor"}


def _array(x: Any) -> Any:
    return x._data if isinstance(x, graph.tensor_class) else x


def _sizes(size: Any) -> tuple:
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)


class TensorTorchMethods:
    """Mixed into ``Tensor``."""

    __slots__ = ()

    # -- comparisons and tests: bool tensors, no gradient ----------------------
    def eq(self, other: Any) -> Any:
        return self == other

    def ne(self, other: Any) -> Any:
        return self != other

    def lt(self, other: Any) -> Any:
        return self < other

    def le(self, other: Any) -> Any:
        return self <= other

    def gt(self, other: Any) -> Any:
        return self > other

    def ge(self, other: Any) -> Any:
        return self >= other

    def equal(self, other: Any) -> bool:
        """True when both have the same shape and elements (``torch.equal``)."""
        return bool(np.array_equal(self._data, _array(other)))

    def allclose(self, other: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
        """``torch.allclose``: |self - other| <= atol + rtol |other| everywhere."""
        return bool(np.allclose(self._data, _array(other), rtol=rtol, atol=atol, equal_nan=equal_nan))

    def isnan(self) -> Any:
        return make_tensor(np.isnan(self._data))

    def isinf(self) -> Any:
        return make_tensor(np.isinf(self._data))

    def isfinite(self) -> Any:
        return make_tensor(np.isfinite(self._data))

    def logical_and(self, other: Any) -> Any:
        return make_tensor(np.logical_and(self._data, _array(other)))

    def logical_or(self, other: Any) -> Any:
        return make_tensor(np.logical_or(self._data, _array(other)))

    def nonzero(self, as_tuple: bool = False) -> Any:
        """The indices of the nonzero elements: (n, ndim) int64, or a tuple per dim."""
        found = np.nonzero(self._data)
        if as_tuple:
            return tuple(make_tensor(i.astype(np.int64)) for i in found)
        return make_tensor(np.stack(found, axis=1).astype(np.int64))

    def count_nonzero(self, dim: Any = None) -> Any:
        return make_tensor(np.asarray(np.count_nonzero(self._data, axis=dim), dtype=np.int64))

    def unique(self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
               dim: Any = None) -> Any:
        """The distinct values, sorted (``torch.unique``); optionally the inverse
        indices and the counts."""
        values, inverse, counts = np.unique(self._data, return_inverse=True, return_counts=True, axis=dim)
        out = [make_tensor(values)]
        if return_inverse:
            out.append(make_tensor(inverse.reshape(self.shape if dim is None else -1).astype(np.int64)))
        if return_counts:
            out.append(make_tensor(counts.astype(np.int64)))
        return out[0] if len(out) == 1 else tuple(out)

    def histogram(self, bins: Any = 100, range: Any = None, weight: Any = None, density: bool = False) -> Any:  # noqa: A002
        """``torch.histogram``: (counts, bin_edges), both float tensors."""
        hist, edges = np.histogram(self._data, bins=_array(bins), range=range, weights=_array(weight), density=density)
        return HistogramResult(make_tensor(hist.astype(self.dtype)), make_tensor(edges.astype(self.dtype)))

    # -- shapes and selections: differentiable, built on indexing ---------------
    def mm(self, other: Any) -> Any:
        """The product of two matrices (``torch.mm``; 2-d only)."""
        if self.ndim != 2 or getattr(other, "ndim", 2) != 2:
            raise ValueError(f"mm: expects two matrices, got shapes {self.shape} and {getattr(other, 'shape', None)}; "
                             "use matmul (@) for other shapes")
        return self.matmul(other)

    def bmm(self, other: Any) -> Any:
        return self.matmul(other)

    def outer(self, other: Any) -> Any:
        return self.reshape(-1, 1) * other.reshape(1, -1)

    @property
    def mT(self) -> Any:  # noqa: N802 (torch's name)
        """The last two axes swapped (a batch of transposes)."""
        return self.transpose(-2, -1)

    def narrow(self, dim: int, start: int, length: int) -> Any:
        """``length`` elements of ``dim`` from ``start`` (a view, as ``x[..., start:start+length]``)."""
        ax = normalize_axis(dim, self.ndim, "narrow", self.shape)[0]
        if not (0 <= start <= self.shape[ax] and 0 <= length <= self.shape[ax] - start):
            raise IndexError(f"narrow: start {start} and length {length} do not fit dim {dim} of size {self.shape[ax]}")
        return self[(slice(None),) * ax + (slice(start, start + length),)]

    def index_select(self, dim: int, index: Any) -> Any:
        ax = normalize_axis(dim, self.ndim, "index_select", self.shape)[0]
        return self[(slice(None),) * ax + (np.asarray(_array(index)).astype(np.int64),)]

    def gather(self, dim: int, index: Any) -> Any:
        """out[i][j] = self[index[i][j]][j] along ``dim`` (``torch.gather``)."""
        ax = normalize_axis(dim, self.ndim, "gather", self.shape)[0]
        index = np.asarray(_array(index)).astype(np.int64)
        grid = list(np.indices(index.shape, sparse=True))
        grid[ax] = index
        return self[tuple(grid)]

    def flip(self, *dims: Any) -> Any:
        axes = normalize_axis(_sizes(dims), self.ndim, "flip", self.shape)
        return self[tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(self.ndim))]

    def roll(self, shifts: Any, dims: Any = None) -> Any:
        """Elements shifted along ``dims``, wrapping around (``torch.roll``)."""
        if dims is None:
            return self.reshape(-1).roll(shifts, 0).reshape(self.shape)
        shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
        dims = normalize_axis(dims if isinstance(dims, (tuple, list)) else (dims,), self.ndim, "roll", self.shape)
        out = self
        for shift, ax in zip(shifts, dims):
            order = np.roll(np.arange(self.shape[ax]), shift)
            out = out[(slice(None),) * ax + (order,)]
        return out

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """(values, indices) along ``dim``; the values' gradient goes back to where each came from."""
        ax = normalize_axis(dim, self.ndim, "sort", self.shape)[0] if self.ndim else 0
        return self.topk(self.shape[ax] if self.ndim else 1, dim, largest=descending)

    def argsort(self, dim: int = -1, descending: bool = False) -> Any:
        return self.sort(dim, descending)[1]

    def repeat(self, *sizes: Any) -> Any:
        """The tensor tiled ``sizes`` times along each dim (``torch.repeat``)."""
        sizes = _sizes(sizes)
        if len(sizes) < self.ndim:
            raise ValueError(f"repeat: {len(sizes)} sizes for a tensor of {self.ndim} dims")
        x = self.reshape((1,) * (len(sizes) - self.ndim) + self.shape)
        index = np.ix_(*[np.tile(np.arange(n), r) for n, r in zip(x.shape, sizes)])
        return x[index]

    def tile(self, *sizes: Any) -> Any:
        sizes = _sizes(sizes)
        return self.repeat((1,) * (self.ndim - len(sizes)) + sizes)

    def where(self, condition: Any, other: Any) -> Any:
        """``self`` where ``condition``, else ``other`` (``torch.where(condition, self, other)``)."""
        return where(condition, self, other)

    # -- elementwise: differentiable compositions ---------------------------------
    def log1p(self) -> Any:
        return (self + 1.0).log()

    def expm1(self) -> Any:
        return self.exp() - 1.0

    def rsqrt(self) -> Any:
        return 1.0 / self.sqrt()

    def reciprocal(self) -> Any:
        return 1.0 / self

    def square(self) -> Any:
        return self * self

    def lerp(self, end: Any, weight: Any) -> Any:
        return self + (end - self) * weight

    def floor(self) -> Any:
        """Rounded down; its gradient is 0 (almost everywhere), as PyTorch's."""
        return P.PiecewiseConstant.apply(self, f=np.floor)

    def ceil(self) -> Any:
        return P.PiecewiseConstant.apply(self, f=np.ceil)

    def round(self, decimals: int = 0) -> Any:
        return P.PiecewiseConstant.apply(self, f=lambda x: np.round(x, decimals))

    def trunc(self) -> Any:
        return P.PiecewiseConstant.apply(self, f=np.trunc)

    def frac(self) -> Any:
        return self - self.trunc()

    def remainder(self, other: Any) -> Any:
        """Python's ``%`` (the sign of the divisor): self - floor(self / other) * other."""
        return self - (self / other).floor() * other

    __mod__ = remainder

    def fmod(self, other: Any) -> Any:
        """C's remainder (the sign of the dividend): self - trunc(self / other) * other."""
        return self - (self / other).trunc() * other

    # -- new tensors like this one --------------------------------------------------
    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Any:
        return self._new_filled(_sizes(size), 0, dtype, requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Any:
        return self._new_filled(_sizes(size), 1, dtype, requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Any:
        return self._new_filled(tuple(size), fill_value, dtype, requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Any:
        """Like PyTorch's, but zeros (glassgrad never hands out uninitialised memory)."""
        return self._new_filled(_sizes(size), 0, dtype, requires_grad)

    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Any:
        return graph.tensor_class(data, dtype=self.dtype if dtype is None else dtype, requires_grad=requires_grad)

    def _new_filled(self, size: tuple, value: Any, dtype: Any, requires_grad: bool) -> Any:
        return graph.tensor_class(np.full(size, value, dtype=self.dtype if dtype is None else np.dtype(dtype)),
                                  requires_grad=requires_grad)

    def type(self, dtype: Any = None) -> Any:  # noqa: A003 (torch's name)
        """With no argument, PyTorch's type name (``'torch.FloatTensor'``);
        with a dtype (or such a name), this tensor cast to it."""
        if dtype is None:
            return _TYPE_NAMES.get(str(self.dtype), f"torch.{self.dtype}Tensor")
        if isinstance(dtype, str) and dtype.startswith("torch."):
            names = {v: k for k, v in _TYPE_NAMES.items()}
            if dtype not in names:
                raise TypeError(f"type: unknown tensor type {dtype!r}; use one of {sorted(names)}")
            dtype = names[dtype]
        return self.to(dtype)

    def byte(self) -> Any:
        return self.to(np.uint8)

    def char(self) -> Any:
        return self.to(np.int8)

    def short(self) -> Any:
        return self.to(np.int16)


class HistogramResult(tuple):
    """``(hist, bin_edges)``, as torch.histogram's named tuple."""

    def __new__(cls, hist: Any, bin_edges: Any) -> HistogramResult:
        return super().__new__(cls, (hist, bin_edges))

    @property
    def hist(self) -> Any:
        return self[0]

    @property
    def bin_edges(self) -> Any:
        return self[1]
