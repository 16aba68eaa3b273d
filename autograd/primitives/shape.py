"""Shape primitives: they move elements around and never change a value, so
each backward is the inverse movement (or a scatter-add for indexing)."""

from __future__ import annotations

import numpy as np

from autograd.engine import fast_backward
from autograd.function import Function
from autograd.primitives.reduce import SumTo


class Reshape(Function):
    """y = x with a new shape;  the gradient is reshaped back"""
    rule = ("grad(x) += grad(out) reshaped to x.shape",)

    saves = ()
    returns_view = True

    @staticmethod
    def forward(x, shape):
        return np.reshape(x, shape)

    @staticmethod
    def backward(ctx, g):
        return (g.reshape(ctx.input_shapes[0]),)


class Permute(Function):
    """y = x with its axes reordered;  the gradient is permuted back (inverse order)"""
    rule = ("grad(x) += grad(out) with its axes put back",)

    saves = ()
    returns_view = True

    @staticmethod
    def forward(x, axes):
        return np.transpose(x, axes)

    @staticmethod
    def backward(ctx, g):
        return (g.permute(*np.argsort(ctx.options["axes"]).tolist()),)


class BroadcastTo(Function):
    """y = x repeated along broadcast axes;  dy/dx: the gradient is summed back
    over those axes (``sum_to``) -- the one place broadcasting is undone"""
    rule = ("grad(x) += sum_to(grad(out), x.shape)",)

    saves = ()
    returns_view = True

    @staticmethod
    def forward(x, shape):
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, g):
        return (g.sum_to(ctx.input_shapes[0]),)

def _is_basic(index) -> bool:
    """True when ``index`` can select no element twice (ints, slices, None,
    Ellipsis, boolean masks), so the backward may assign instead of add."""
    items = index if isinstance(index, tuple) else (index,)
    for item in items:
        if isinstance(item, np.ndarray):
            if item.dtype != bool:
                return False
        elif not (item is None or item is Ellipsis or isinstance(item, (int, np.integer, slice))):
            return False
    return True


class Getitem(Function):
    """y = x[index];  dy/dx: the gradient is scattered back to the selected
    positions and added (``IndexAdd``), so repeated indices accumulate"""
    rule = ("grad(x) += grad(out) placed back at index (repeated indices add up)",)

    saves = ()
    returns_view = True  # basic indexing gives a view; advanced indexing a copy (apply tells them apart)

    @staticmethod
    def forward(x, index):
        return x[index]

    @staticmethod
    def backward(ctx, g):
        return (IndexAdd.apply(g, shape=ctx.input_shapes[0], index=ctx.options["index"]),)


class IndexAdd(Function):
    """y = zeros(shape) with g added at ``index``;  dy/dg = g[index] (a gather)"""
    rule = ("grad(g) += grad(out)[index]",)

    saves = ()

    @staticmethod
    def forward(g, shape, index):
        out = np.zeros(shape, dtype=g.dtype)
        if _is_basic(index):
            out[index] = g
        elif isinstance(index, np.ndarray) and index.dtype.kind in "iu" and index.size and len(shape) > 1:
            _add_rows(out, index, g)  # an embedding's backward: whole rows picked by one integer array
        else:
            np.add.at(out, index, g)
        return out

    @staticmethod
    def backward(ctx, g):
        return (g[ctx.options["index"]],)


def _add_rows(out: np.ndarray, index: np.ndarray, g: np.ndarray) -> None:
    """out[index[k]] += g[k] for every k, repeated rows summed: sort the
    indices, then one segment sum per distinct row (np.add.reduceat), faster
    than np.add.at on rows (docs/performance.md)."""
    rows = np.where(index < 0, index + out.shape[0], index).reshape(-1)
    order = np.argsort(rows, kind="stable")
    rows = rows[order]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    sums = np.add.reduceat(g.reshape(rows.size, *out.shape[1:])[order], starts, axis=0)
    out[rows[starts]] += sums


class SetItem(Function):
    """y = x with y[index] = v (x unchanged elsewhere: PyTorch's CopySlices);
    dy/dx = 1 outside ``index`` and 0 inside,  dy/dv = 1 at ``index`` (summed
    back to v's shape where v was broadcast into the slot)"""
    rule = ("grad(x) += grad(out), zero at index", "grad(v) += grad(out)[index]")

    saves = ()

    @staticmethod
    def forward(x, v, index):
        out = x.copy()
        out[index] = v
        return out

    @staticmethod
    def backward(ctx, g):
        index = ctx.options["index"]
        need_x, need_v = ctx.needs_input_grad
        gx = gv = None
        if need_x:
            outside = np.ones(ctx.shape, dtype=ctx.dtype)
            outside[index] = 0
            gx = g * outside
        if need_v:
            gv = g[index].sum_to(ctx.input_shapes[1])
        return gx, gv


class Concatenate(Function):
    """y = the inputs joined along ``axis``;  each input's gradient is its slice of g"""
    rule = ("grad(xs[i]) += the slice of grad(out) where xs[i] sits along the axis",)

    saves = ()

    @staticmethod
    def forward(*xs, axis):
        return np.concatenate(xs, axis=axis)

    @staticmethod
    def backward(ctx, g):
        grads = []
        start = 0
        lead = (slice(None),) * ctx.options["axis"]
        for shape, need in zip(ctx.input_shapes, ctx.needs_input_grad):
            stop = start + shape[ctx.options["axis"]]
            grads.append(g[lead + (slice(start, stop),)] if need else None)
            start = stop
        return tuple(grads)


class Pad(Function):
    """y = x surrounded by a constant;  the gradient is the centre slice of g"""
    rule = ("grad(x) += the centre slice of grad(out)",)

    saves = ()

    @staticmethod
    def forward(x, pad_width, value):
        return np.pad(x, pad_width, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx, g):
        index = tuple(slice(lo, n - hi) for (lo, hi), n in zip(ctx.options["pad_width"], g.shape))
        return (g[index],)


# -- fast first-order kernels on arrays (checked against the definitions above
# by the op registry's tests) -----------------------------------------------------

# These definitions read only g and the options, so on arrays they are already
# their own fast kernels.
fast_backward.update({op: op.backward for op in (Reshape, IndexAdd, Concatenate, Pad,)})


def _permute_grad(ctx, g):
    return (np.transpose(g, np.argsort(ctx.options["axes"])),)


def _broadcast_to_grad(ctx, g):
    return (SumTo.forward(g, shape=ctx.input_shapes[0]),)


def _getitem_grad(ctx, g):
    return (IndexAdd.forward(g, shape=ctx.input_shapes[0], index=ctx.options["index"]),)


def _set_item_grad(ctx, g):
    index = ctx.options["index"]
    need_x, need_v = ctx.needs_input_grad
    gx = gv = None
    if need_x:
        gx = g.copy()
        gx[index] = 0
    if need_v:
        gv = SumTo.forward(np.asarray(g[index]), shape=ctx.input_shapes[1])
    return gx, gv


fast_backward.update({
    SetItem: _set_item_grad,
    Permute: _permute_grad,
    BroadcastTo: _broadcast_to_grad,
    Getitem: _getitem_grad,
})
