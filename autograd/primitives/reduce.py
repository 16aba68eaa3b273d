"""Reductions. ``axis`` is always a normalised tuple of non-negative axes (or
None for all) by the time it reaches a primitive; the Tensor layer checks it."""

from __future__ import annotations

import numpy as np

from autograd.engine import fast_backward
from autograd.function import Function
from autograd.graph import make_tensor
from autograd.primitives._numpy import accurate_sum, max_shifted
from autograd.primitives.elementwise import piecewise


def keepdims_shape(shape: tuple, axis: tuple | None) -> tuple:
    """The shape of a reduction's output with ``keepdims=True``."""
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else n for i, n in enumerate(shape))


def _expand_back(g, in_shape: tuple, axis, keepdims: bool):
    """Broadcast a reduction's upstream gradient (a Tensor) back over the reduced axes."""
    if not keepdims:
        g = g.reshape(keepdims_shape(in_shape, axis))
    return g.broadcast_to(in_shape)


class Sum(Function):
    """y = sum of x over axis;  dy/dx = 1 (the gradient is broadcast back)"""
    rule = ("grad(x) += grad(out) broadcast back over the summed axes",)

    saves = ()

    @staticmethod
    def forward(x, axis, keepdims):
        return accurate_sum(x, axis, keepdims)

    @staticmethod
    def backward(ctx, g):
        return (_expand_back(g, ctx.input_shapes[0], ctx.options["axis"], ctx.options["keepdims"]),)


class SumTo(Function):
    """y = x summed down to ``shape`` (undoes broadcasting);  dy/dx = 1 (broadcast back)"""
    rule = ("grad(x) += grad(out) broadcast back to x.shape",)

    saves = ()

    @staticmethod
    def forward(x, shape):
        lead = x.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(shape) if n == 1 and x.shape[lead + i] != 1
        )
        out = accurate_sum(x, axes, keepdims=True) if axes else x
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return (g.broadcast_to(ctx.input_shapes[0]),)


class Max(Function):
    """y = max of x over axis;  dy/dx = 1/k at each of the k elements equal to
    the maximum (ties share the gradient equally), 0 elsewhere"""
    rule = ("grad(x) += grad(out) at the maxima of x (ties share it)",)

    saves = (0, "out")
    reduce = staticmethod(np.max)

    @classmethod
    def forward(cls, x, axis, keepdims):
        if x.size == 0:
            raise ValueError(f"{cls.__name__.lower()}: cannot reduce an empty tensor of shape {x.shape}")
        return cls.reduce(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        x, axis = ctx.inputs[0], ctx.options["axis"]

        def share(x, best):
            hit = (x == best.reshape(keepdims_shape(x.shape, axis))).astype(x.dtype)
            return hit / np.sum(hit, axis=axis, keepdims=True)

        return (_expand_back(g, x.shape, axis, ctx.options["keepdims"]) * piecewise(share, x, ctx.out),)


class Min(Max):
    """y = min of x over axis;  dy/dx = 1/k at each of the k minimal elements, else 0"""
    rule = ("grad(x) += grad(out) at the minima of x (ties share it)",)

    reduce = staticmethod(np.min)


class Prod(Function):
    """y = product of x over axis;  dy/dx_i = product of the other elements
    (= y / x_i where x_i != 0; computed exactly where there are zeros)"""
    rule = ("grad(x) += grad(out) * (the product of the other elements)",)

    saves = (0, "out")

    @staticmethod
    def forward(x, axis, keepdims):
        return np.prod(x, axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        gb = _expand_back(g, x.shape, ctx.options["axis"], ctx.options["keepdims"])
        out_b = _expand_back(ctx.out, x.shape, ctx.options["axis"], ctx.options["keepdims"])
        if np.all(x._data != 0):
            return (gb * out_b / x,)
        # zeros present: product of the others, without dividing (first order exact)
        return (gb * make_tensor(_prod_of_others(x._data, ctx.options["axis"])),)


def _prod_of_others(x: np.ndarray, axis: tuple | None) -> np.ndarray:
    axes = tuple(range(x.ndim)) if axis is None else axis
    rest = tuple(i for i in range(x.ndim) if i not in axes)
    moved = np.transpose(x, rest + axes)
    flat = moved.reshape(moved.shape[: len(rest)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,), dtype=x.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    others = (left * right).reshape(moved.shape)
    return np.transpose(others, np.argsort(rest + axes))


class LogSumExp(Function):
    """y = log(sum(e**x, axis)), computed stably as m + log(sum(e**(x - m)));
    dy/dx = e**(x - y) = softmax(x)"""
    rule = ("grad(x) += grad(out) * e^(x - out)",)

    saves = (0, "out")

    @staticmethod
    def forward(x, axis, keepdims):
        if x.size == 0:  # log(0): -inf, as PyTorch
            return np.full(np.sum(x, axis=axis, keepdims=keepdims).shape, -np.inf, dtype=x.dtype)
        shifted, m = max_shifted(x, axis)
        out = np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True)) + m
        return out if keepdims else out.reshape(np.sum(x, axis=axis).shape)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        out_b = _expand_back(ctx.out, x.shape, ctx.options["axis"], ctx.options["keepdims"])
        return (_expand_back(g, x.shape, ctx.options["axis"], ctx.options["keepdims"]) * (x - out_b).exp(),)


class Cumsum(Function):
    """y_i = x_0 + ... + x_i along ``axis``;  dL/dx_i = g_i + ... + g_n (a cumulative
    sum of g taken from the other end)"""
    rule = ("grad(x) += cumsum of grad(out) taken from the other end of the axis",)

    saves = ()

    @staticmethod
    def forward(x, axis):
        return np.cumsum(x, axis=axis)

    @staticmethod
    def backward(ctx, g):
        flip = (slice(None),) * ctx.options["axis"] + (slice(None, None, -1),)
        return (Cumsum.apply(g[flip], axis=ctx.options["axis"])[flip],)


# -- fast first-order kernels on arrays (checked against the definitions above
# by the op registry's tests) -----------------------------------------------------

def _sum_grad(ctx, g):
    options = ctx.options
    if not options["keepdims"] and options["axis"] is not None:
        g = np.expand_dims(g, options["axis"])
    return (np.broadcast_to(g, ctx.input_shapes[0]),)


def _sum_to_grad(ctx, g):
    return (np.broadcast_to(g, ctx.input_shapes[0]),)


def _cumsum_grad(ctx, g):
    flip = (slice(None),) * ctx.options["axis"] + (slice(None, None, -1),)
    return (np.ascontiguousarray(np.cumsum(g[flip], axis=ctx.options["axis"])[flip]),)


fast_backward.update({
    Sum: _sum_grad,
    SumTo: _sum_to_grad,
    Cumsum: _cumsum_grad,
})
