"""Functions of several tensors, under torch's names (and numpy's where they
do not conflict): ``matmul cat/concatenate stack split chunk where maximum
minimum pad``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd import graph
from autograd import primitives as P
from autograd.coerce import _as_tensor, _promote, _sequence_of_tensors, normalize_axis

if TYPE_CHECKING:  # (annotations only: at run time the class is graph.tensor_class)
    from autograd.tensor import Tensor

__all__ = ["matmul", "cat", "concatenate", "stack", "split", "chunk", "where", "maximum", "minimum", "pad",
           "einsum", "tril", "triu"]


def _t(x: Any) -> Tensor:
    return x if isinstance(x, graph.tensor_class) else graph.tensor_class(x)


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
    cond = condition._data if isinstance(condition, graph.tensor_class) else np.asarray(condition)
    if cond.dtype.kind not in "biuf":
        raise TypeError(f"where: the condition must be boolean (or numeric), got dtype {cond.dtype}")
    cond = cond.astype(bool)
    if not isinstance(a, graph.tensor_class):
        a = _as_tensor(a, b) if isinstance(b, graph.tensor_class) else graph.tensor_class(a)
    if not isinstance(b, graph.tensor_class):
        b = _as_tensor(b, a)
    a, b = _promote(a, b)
    try:
        shape = np.broadcast_shapes(cond.shape, a.shape, b.shape)
    except ValueError:
        raise ValueError(
            f"where: shapes {cond.shape} (condition), {a.shape} and {b.shape} cannot be broadcast together"
        ) from None
    return P.Where.apply(a.broadcast_to(shape), b.broadcast_to(shape), cond=np.broadcast_to(cond, shape))


def cat(tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing axis (``torch.cat``; numpy's name is ``concatenate``)."""
    dim = dim if axis is None else axis
    ts = _sequence_of_tensors(tensors, "cat")
    first = ts[0]
    if any(t.ndim != first.ndim for t in ts) or first.ndim == 0:
        shapes = [t.shape for t in ts]
        raise ValueError(f"cat: tensors need the same number (>= 1) of dimensions, got shapes {shapes}")
    ax = normalize_axis(dim, first.ndim, "cat", first.shape)[0]
    for t in ts:
        if t.shape[:ax] + t.shape[ax + 1 :] != first.shape[:ax] + first.shape[ax + 1 :]:
            raise ValueError(f"cat: shapes {[t.shape for t in ts]} differ outside dim {ax}")
    dtype = np.result_type(*[t._data for t in ts])
    return P.Concatenate.apply(*[t.astype(dtype) for t in ts], axis=ax)


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """numpy's name for ``cat``."""
    return cat(tensors, axis)


def stack(tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors of equal shape along a new axis."""
    dim = dim if axis is None else axis
    ts = _sequence_of_tensors(tensors, "stack")
    if any(t.shape != ts[0].shape for t in ts):
        raise ValueError(f"stack: all tensors need the same shape, got {[t.shape for t in ts]}")
    nd = ts[0].ndim + 1
    if not -nd <= dim < nd:
        raise np.exceptions.AxisError(f"stack: dim {dim} is out of range for a result of {nd} dimensions")
    return cat([t.unsqueeze(dim) for t in ts], dim % nd)


def split(x: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple[Tensor, ...]:
    """``torch.split``: chunks of ``split_size`` along ``dim`` (the last may be
    smaller), or chunks of the listed sizes. (numpy's ``split(x, n)`` into n
    equal parts is ``chunk``.)"""
    x = _t(x)
    ax = normalize_axis(dim, x.ndim, "split", x.shape)[0]
    n = x.shape[ax]
    if isinstance(split_size_or_sections, (int, np.integer)):
        size = int(split_size_or_sections)
        if size <= 0:
            raise ValueError(f"split: split_size must be positive, got {size}")
        sizes = [min(size, n - start) for start in range(0, n, size)] or [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(f"split: sizes {sizes} do not add up to {n}, the size of dim {ax}")
    lead = (slice(None),) * ax
    starts = np.cumsum([0, *sizes])
    return tuple(x[lead + (slice(int(lo), int(hi)),)] for lo, hi in zip(starts[:-1], starts[1:]))


def chunk(x: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """``torch.chunk``: ``chunks`` pieces along ``dim``, each ceil(n / chunks)
    long but the last."""
    x = _t(x)
    if int(chunks) <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    n = x.shape[normalize_axis(dim, x.ndim, "chunk", x.shape)[0]]
    return split(x, max(1, -(-n // int(chunks))), dim)


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


def einsum(subscripts: str, *operands: Any) -> Tensor:
    """``torch.einsum("ij,jk->ik", a, b)``: an explicit ``->`` output, no
    ellipsis, no letter twice in one operand (each refused with a message)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ts = [_t(x) for x in operands]
    spec = subscripts.replace(" ", "")
    if "->" not in spec or "." in spec:
        raise ValueError(f"einsum: write the output explicitly and without '...', got {subscripts!r} "
                         "(e.g. 'ij,jk->ik')")
    subs = spec.split("->")[0].split(",")
    if len(subs) != len(ts):
        raise ValueError(f"einsum: {subscripts!r} names {len(subs)} operand(s), got {len(ts)}")
    for s, t in zip(subs, ts):
        if len(set(s)) != len(s):
            raise ValueError(f"einsum: a letter repeated in one operand ({s!r}, a diagonal) is not supported; "
                             "take the diagonal with indexing first")
        if len(s) != t.ndim:
            raise ValueError(f"einsum: subscripts {s!r} do not match an operand of shape {t.shape}")
    try:
        np.einsum(spec, *[np.empty(t.shape, dtype=t.dtype) for t in ts])
    except ValueError as e:
        raise ValueError(f"einsum: {subscripts!r} with shapes {[t.shape for t in ts]}: {e}") from None
    dtype = np.result_type(*[t._data for t in ts])
    return P.Einsum.apply(*[t.astype(dtype) for t in ts], subscripts=spec)


def tril(x: Any, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two axes (the rest zeroed), as ``torch.tril``."""
    x = _t(x)
    return where(np.tril(np.ones(x.shape[-2:], dtype=bool), diagonal), x, 0.0)


def triu(x: Any, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two axes (the rest zeroed), as ``torch.triu``."""
    x = _t(x)
    return where(np.triu(np.ones(x.shape[-2:], dtype=bool), diagonal), x, 0.0)
