"""The Tensor methods that map one-to-one onto unary primitives: reductions,
shape changes, indexing and activations. A mixin, so that ``tensor.py`` stays
short; it needs nothing from ``tensor.py`` (no import cycle)."""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from autograd import graph
from autograd import primitives as P
from autograd.coerce import _index, normalize_axis
from autograd.function import const
from autograd.tensor_functions import chunk, split, where

__all__ = ["TensorOps", "normalize_axis", "ValuesIndices"]


class ValuesIndices(NamedTuple):
    """What ``x.max(dim)`` / ``x.min(dim)`` return, as in PyTorch."""

    values: Any
    indices: Any


class TensorOps:
    """Mixed into ``Tensor``; every method records one primitive (or a few)."""

    __slots__ = ()

    # -- reductions ------------------------------------------------------------------
    # PyTorch's names come first (``dim``, ``keepdim``); numpy's ``axis`` and
    # ``keepdims`` are accepted as aliases, as PyTorch itself accepts them.
    def _axis(self, axis: Any, op: str) -> tuple[int, ...] | None:
        return normalize_axis(axis, self.ndim, op, self.shape)

    def _dims(self, op: str, dim: Any, keepdim: bool, axis: Any, keepdims: Any) -> tuple[Any, bool]:
        """(normalised axes, keepdim) from either spelling."""
        if axis is not None:
            if dim is not None:
                raise TypeError(f"{op}: give dim or axis, not both")
            dim = axis
        return self._axis(dim, op), bool(keepdim if keepdims is None else keepdims)

    def sum(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None):
        """Sum over ``dim`` (None: all; an int; a tuple)."""
        ax, keep = self._dims("sum", dim, keepdim, axis, keepdims)
        return P.Sum.apply(self, axis=ax, keepdims=keep)

    def _count(self, axis: tuple[int, ...] | None) -> int:
        return self._data.size if axis is None else math.prod(self.shape[a] for a in axis)

    def mean(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None):
        """Mean over ``dim``: sum / count (nan over an empty axis, as PyTorch)."""
        ax, keep = self._dims("mean", dim, keepdim, axis, keepdims)
        n = self._count(ax)
        return P.Sum.apply(self, axis=ax, keepdims=keep) * (1.0 / n if n else math.nan)

    def var(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: int | None = None, axis: Any = None, ddof: int | None = None, keepdims: Any = None):
        """Variance, PyTorch's: sum((x - mean)**2) / (n - correction), with
        ``correction=1`` (unbiased) by default; ``unbiased=False``,
        ``correction=0`` or numpy's ``ddof=0`` give the population variance.
        No degrees of freedom left gives inf (nan for a constant), as PyTorch."""
        ax, keep = self._dims("var", dim, keepdim, axis, keepdims)
        if ddof is None:
            ddof = correction if correction is not None else (1 if unbiased is None else int(bool(unbiased)))
        n = self._count(ax)
        mean = self.mean(axis=ax, keepdims=True) if n else 0.0
        if n <= ddof and n:  # no degrees of freedom: inf, and so is the gradient (PyTorch's 2 (x - mean) / 0);
            mean = mean.detach()  # through the mean it would add inf - inf = nan, though sum(x - mean) = 0
        centred = self - mean
        return (centred * centred).sum(axis=ax, keepdims=keep) * (1.0 / (n - ddof) if n > ddof else math.inf)

    def std(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *,
            correction: int | None = None, axis: Any = None, ddof: int | None = None, keepdims: Any = None):
        """Standard deviation: sqrt(var), with var's arguments; its gradient is 0
        where it is 0 (a constant row), as PyTorch's."""
        v = self.var(dim, unbiased, keepdim, correction=correction, axis=axis, ddof=ddof, keepdims=keepdims)
        return P.SqrtOfVariance.apply(v)

    def _extreme(self, op: str, fn: Any, dim: Any, keepdim: bool, axis: Any, keepdims: Any) -> Any:
        if isinstance(dim, graph.tensor_class):  # torch.max(a, b): elementwise
            return self.maximum(dim) if op == "max" else self.minimum(dim)
        ax, keep = self._dims(op, dim, keepdim, axis, keepdims)
        values = fn.apply(self, axis=ax, keepdims=keep)
        if isinstance(dim, (int, np.integer)) and axis is None:  # PyTorch's form: (values, indices)
            pick = np.argmax if op == "max" else np.argmin
            indices = const(np.asarray(pick(self._data, axis=ax[0] if ax else None, keepdims=keep)))
            return ValuesIndices(values, indices)
        return values

    def max(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None):
        """Maximum; tied maxima share the gradient equally. ``x.max()`` is one
        value; ``x.max(dim)`` is PyTorch's ``(values, indices)``; numpy's
        ``x.max(axis=...)`` the values; ``x.max(other)`` the elementwise maximum."""
        return self._extreme("max", P.Max, dim, keepdim, axis, keepdims)

    def min(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None):
        """Minimum, with ``max``'s forms; tied minima share the gradient equally."""
        return self._extreme("min", P.Min, dim, keepdim, axis, keepdims)

    def amax(self, dim: Any = None, keepdim: bool = False):
        """Maximum over ``dim`` (an int or a tuple): the values only."""
        ax, keep = self._dims("amax", dim, keepdim, None, None)
        return P.Max.apply(self, axis=ax, keepdims=keep)

    def amin(self, dim: Any = None, keepdim: bool = False):
        """Minimum over ``dim`` (an int or a tuple): the values only."""
        ax, keep = self._dims("amin", dim, keepdim, None, None)
        return P.Min.apply(self, axis=ax, keepdims=keep)

    def prod(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None):
        """Product over ``dim``."""
        ax, keep = self._dims("prod", dim, keepdim, axis, keepdims)
        return P.Prod.apply(self, axis=ax, keepdims=keep)

    def logsumexp(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None):
        """log(sum(exp(x))) over ``dim``, without overflow (-inf over an empty axis)."""
        ax, keep = self._dims("logsumexp", dim, keepdim, axis, keepdims)
        return P.LogSumExp.apply(self, axis=ax, keepdims=keep)

    def cumsum(self, dim: int, *, axis: Any = None):
        """Running sum along ``dim``."""
        ax, _ = self._dims("cumsum", dim if axis is None else None, False, axis, None)
        if ax is None or len(ax) != 1:
            raise ValueError(f"cumsum: dim must be a single int, got {dim!r}")
        return P.Cumsum.apply(self, axis=ax[0])

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
        """The k largest (or smallest) values along ``dim`` and their indices,
        as PyTorch's ``(values, indices)``; the gradient goes to the chosen elements."""
        ax = self._axis(dim, "topk")[0] if self.ndim else 0
        n = self.shape[ax] if self.ndim else 1
        if not 0 <= k <= n:
            raise ValueError(f"topk: k={k} is out of range for dim {dim} of size {n}")
        order = np.argsort(-self._data if largest else self._data, axis=ax, kind="stable")
        indices = np.take(order, np.arange(k), axis=ax)
        grid = list(np.indices(indices.shape, sparse=True))
        grid[ax] = indices
        return ValuesIndices(self[tuple(grid)], const(indices.astype(np.int64)))

    def masked_fill(self, mask: Any, value: float):
        """``value`` where ``mask`` is true (it broadcasts), this tensor elsewhere;
        the gradient flows where the mask is false."""
        mask = mask._data if isinstance(mask, graph.tensor_class) else np.asarray(mask)
        if mask.dtype != bool:
            raise TypeError(f"masked_fill: the mask must be a bool tensor, got dtype {mask.dtype}")
        return where(mask, float(value) if self._data.dtype.kind == "f" else value, self)

    def argmax(self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None):
        """Index of the maximum (an int64 tensor; no gradient)."""
        ax, keep = self._dims("argmax", dim, keepdim, axis, keepdims)
        return const(np.asarray(np.argmax(self._data, axis=None if ax is None else ax[0], keepdims=keep)))

    def argmin(self, dim: int | None = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None):
        """Index of the minimum (an int64 tensor; no gradient)."""
        ax, keep = self._dims("argmin", dim, keepdim, axis, keepdims)
        return const(np.asarray(np.argmin(self._data, axis=None if ax is None else ax[0], keepdims=keep)))

    # -- shape ---------------------------------------------------------------------------
    def reshape(self, *shape: Any):
        """Same elements, new shape (one entry may be -1)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        try:
            new_shape = _resolve_shape(self.shape, shape)
        except ValueError as e:
            raise ValueError(f"reshape: cannot reshape a tensor of shape {self.shape} into {shape}: {e}") from None
        if new_shape == self.shape:
            return self
        return P.Reshape.apply(self, shape=new_shape)

    def view(self, *shape: Any):
        """PyTorch's view: ``reshape`` (it shares memory whenever numpy can)."""
        return self.reshape(*shape)

    def view_as(self, other: Any):
        """This tensor in ``other``'s shape."""
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        """Merge axes ``start_dim..end_dim`` into one (all of them by default)."""
        if self.ndim == 0:
            return self.reshape(1)
        s, e = (a % self.ndim for a in (start_dim, end_dim))
        return self.reshape(self.shape[:s] + (-1,) + self.shape[e + 1 :])

    def permute(self, *axes: Any):
        """Reorder the axes: ``x.permute(2, 0, 1)``."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if axes == (1, 0) and self._data.ndim == 2:
            return P.Permute.apply(self, axes=axes)  # a matrix transpose: the hot case
        if sorted(a % max(self.ndim, 1) for a in axes) != list(range(self.ndim)) or len(axes) != self.ndim:
            raise ValueError(f"permute: {axes} is not a permutation of the {self.ndim} axes of shape {self.shape}")
        axes = tuple(int(a) % self.ndim for a in axes)
        if axes == tuple(range(self.ndim)):
            return self
        return P.Permute.apply(self, axes=axes)

    def transpose(self, *axes: Any):
        """PyTorch's ``transpose(dim0, dim1)``: exchange two axes. (numpy's forms
        that do not conflict still work: no argument reverses the axes, a full
        permutation of three or more axes reorders them.)"""
        if len(axes) == 2 and all(isinstance(a, (int, np.integer)) for a in axes):
            return self.swapaxes(*axes)
        if not axes or axes == (None,):
            return self.permute(*reversed(range(self.ndim)))
        return self.permute(*axes)

    def t(self):
        """The transpose of a matrix (a 0-d or 1-d tensor as it is), as ``torch.t``."""
        if self.ndim > 2:
            raise ValueError(f"t: expects a tensor of at most 2 dimensions, got shape {self.shape}; "
                             "use transpose(dim0, dim1) or permute")
        return self if self.ndim < 2 else self.permute(1, 0)

    def swapaxes(self, axis1: int, axis2: int):
        """Exchange two axes (numpy's name for ``transpose(dim0, dim1)``)."""
        order = list(range(self.ndim))
        if self.ndim == 0 and axis1 in (0, -1) and axis2 in (0, -1):
            return self
        a, b = (normalize_axis(x, self.ndim, "swapaxes", self.shape)[0] for x in (axis1, axis2))
        order[a], order[b] = order[b], order[a]
        return self.permute(*order)

    def squeeze(self, dim: Any = None, *, axis: Any = None):
        """Remove size-1 axes (all of them, or the ones named)."""
        ax, _ = self._dims("squeeze", dim, False, axis, None)
        if ax is None:
            ax = tuple(i for i, n in enumerate(self.shape) if n == 1)
        for a in ax:
            if self.shape[a] != 1:
                raise ValueError(f"squeeze: axis {a} of shape {self.shape} has size {self.shape[a]}, not 1")
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if i not in ax))

    def unsqueeze(self, dim: int):
        """Insert a size-1 axis at ``dim`` (negative counts from the end of the result)."""
        axis = dim
        nd = self.ndim + 1
        if not -nd <= axis < nd:
            raise np.exceptions.AxisError(f"unsqueeze: axis {axis} is out of range for a result of {nd} dimensions")
        a = axis % nd
        return self.reshape(self.shape[:a] + (1,) + self.shape[a:])

    def broadcast_to(self, shape: Any):
        """Repeat along size-1 (or new leading) axes to ``shape``, as numpy does."""
        shape = tuple(shape)
        if shape == self.shape:
            return self
        try:
            if np.broadcast_shapes(self.shape, shape) != shape:
                raise ValueError
        except ValueError:
            raise ValueError(f"broadcast_to: cannot broadcast shape {self.shape} to {shape}") from None
        return P.BroadcastTo.apply(self, shape=shape)

    def expand(self, *shape: Any):
        """PyTorch's expand: like broadcast_to; -1 keeps an axis as it is."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        lead = len(shape) - self.ndim
        full = tuple(self.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(shape))
        return self.broadcast_to(full)

    def sum_to(self, shape: Any):
        """Sum over broadcast axes down to ``shape`` (the inverse of broadcast_to)."""
        shape = tuple(shape)
        if shape == self.shape:
            return self
        try:
            if np.broadcast_shapes(shape, self.shape) != self.shape:
                raise ValueError
        except ValueError:
            raise ValueError(f"sum_to: shape {self.shape} cannot be summed down to {shape}") from None
        return P.SumTo.apply(self, shape=shape)

    def __getitem__(self, index: Any):
        """numpy indexing: basic (ints, slices, None, ...), advanced (integer
        arrays) and boolean masks. The backward adds into the selected places,
        so an index used twice gets both gradients."""
        idx = _index(index)
        try:
            self._data[idx]
        except (IndexError, ValueError, TypeError) as e:
            raise IndexError(f"getitem: index {index!r} is invalid for a tensor of shape {self.shape}: {e}") from None
        return P.Getitem.apply(self, index=idx)

    # -- elementwise functions ---------------------------------------------------------
    def exp(self):
        return P.Exp.apply(self)

    def log(self):
        return P.Log.apply(self)

    def log10(self):
        """log(x) / ln(10)."""
        return P.Log.apply(self) * (1.0 / math.log(10.0))

    def sin(self):
        return P.Sin.apply(self)

    def cos(self):
        return P.Cos.apply(self)

    def norm(self, p: Any = 2, dim: Any = None, keepdim: bool = False):
        """The p-norm over ``dim`` (all elements by default): sqrt(sum(x**2)) for
        p=2 (its gradient is 0 at 0, as PyTorch's), sum(|x|) for p=1, max(|x|) for inf."""
        if p in (2, "fro"):
            return P.SqrtOfVariance.apply((self * self).sum(dim, keepdim))
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p == math.inf:
            return self.abs().amax(dim, keepdim)
        if isinstance(p, (int, float)) and p > 0:
            return (self.abs() ** p).sum(dim, keepdim) ** (1.0 / p)
        raise ValueError(f"norm: p must be a positive number, inf or 'fro', got {p!r}")

    def dot(self, other: Any):
        """The inner product of two 1-d tensors."""
        if self.ndim != 1 or getattr(other, "ndim", None) != 1:
            raise ValueError(f"dot: expects two 1-d tensors, got shapes {self.shape} and "
                             f"{getattr(other, 'shape', None)}; use matmul (@) for matrices")
        return self.matmul(other)

    def split(self, split_size_or_sections: Any, dim: int = 0):
        """``torch.split``: chunks of that size along ``dim`` (see ``autograd.split``)."""
        return split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0):
        """``torch.chunk``: that many pieces along ``dim``."""
        return chunk(self, chunks, dim)

    def sqrt(self):
        return P.Sqrt.apply(self)

    def abs(self):
        return P.Abs.apply(self)

    def __abs__(self):
        return P.Abs.apply(self)

    def sign(self):
        return P.Sign.apply(self)

    def erf(self):
        return P.Erf.apply(self)

    def clip(self, min: float | None = None, max: float | None = None):  # noqa: A002
        """Clamp into [min, max] (either may be None); the gradient flows inside."""
        if min is None and max is None:
            raise ValueError("clip: give at least one of min and max")
        return P.Clip.apply(self, lo=min, hi=max)

    clamp = clip

    # -- activations ----------------------------------------------------------------
    def tanh(self):
        return P.Tanh.apply(self)

    def sigmoid(self):
        return P.Sigmoid.apply(self)

    def relu(self):
        return P.ReLU.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01):
        return P.LeakyReLU.apply(self, slope=negative_slope)

    def softplus(self):
        return P.Softplus.apply(self)

    def elu(self, alpha: float = 1.0):
        return P.ELU.apply(self, alpha=alpha)

    def silu(self):
        """x * sigmoid(x)."""
        return self * self.sigmoid()

    def gelu(self, approximate: str = "none"):
        """x * Phi(x) ("none", erf form) or its tanh approximation ("tanh"): one fused primitive each."""
        if approximate == "none":
            return P.GELU.apply(self)
        if approximate == "tanh":
            return P.GELUTanh.apply(self)
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")

    def log_softmax(self, dim: int = -1, *, axis: Any = None):
        """x - logsumexp(x, dim), computed in one stable primitive."""
        return self._along_one_dim(P.LogSoftmax, "log_softmax", dim if axis is None else axis)

    def softmax(self, dim: int = -1, *, axis: Any = None):
        """e**x / sum(e**x) along ``dim``: positive, sums to 1 (one fused primitive)."""
        return self._along_one_dim(P.Softmax, "softmax", dim if axis is None else axis)

    def _along_one_dim(self, primitive: Any, op: str, dim: Any):
        if self.ndim == 0:  # PyTorch treats a 0-d tensor as one element along dim 0 or -1
            self._axis(dim, op)
            return primitive.apply(self.reshape(1), axis=0).reshape(())
        ax = self._axis(dim, op)
        if ax is None or len(ax) != 1:
            raise ValueError(f"{op}: dim must be a single int, got {dim!r}")
        return primitive.apply(self, axis=ax[0])


def _resolve_shape(old: tuple, new: tuple) -> tuple:
    new = tuple(int(n) for n in new)
    size = math.prod(old)
    if new.count(-1) > 1:
        raise ValueError("only one dimension can be -1")
    known = math.prod(n for n in new if n != -1)
    if -1 in new:
        if known == 0 or size % known:
            raise ValueError(f"{size} elements do not divide into {new}")
        new = tuple(size // known if n == -1 else n for n in new)
    if math.prod(new) != size or any(n < 0 for n in new):
        raise ValueError(f"{size} elements do not fit {new}")
    return new
