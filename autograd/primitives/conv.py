"""Convolution and pooling primitives on (N, C, H, W) arrays. One windowing
primitive, ``Windows``, gathers every kh x kw patch (a strided view, no copy),
and its backward ``WindowsAdd`` adds patch gradients back (a loop over the
kernel's kh * kw offsets, never over pixels). conv2d is defined as a matmul
over patches (``conv2d_composite``) and runs as one fused primitive,
``Convolution`` (its array work in ``_im2col``), that keeps its input rather
than the patches; the pools are a max or mean over windows. Each fused op's
definition is its composite's, so all of it is differentiable to any order.
(``nn.functional`` checks the arguments and calls these.)"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import compiled
from autograd.engine import composite_backward, fast_backward
from autograd.function import Function
from autograd.grad_mode import _mode
from autograd.primitives._im2col import conv_backward, conv_forward, window_offsets
from autograd.primitives.elementwise import piecewise
from autograd.primitives.shape import Pad


class Windows(Function):
    """y[n, c, i, j, a, b] = x[n, c, i*s + a, j*s + b];  the gradient is added
    back to every position a window read (``WindowsAdd``)"""
    rule = ("grad(x) += each window of grad(out), added back where it was read",)

    saves = ()
    returns_view = True

    @staticmethod
    def forward(x, kernel, stride):
        view = np.lib.stride_tricks.sliding_window_view(x, kernel, axis=(2, 3))
        return view[:, :, :: stride[0], :: stride[1]]

    @staticmethod
    def backward(ctx, g):
        return (WindowsAdd.apply(g, shape=ctx.input_shapes[0], stride=ctx.options["stride"]),)


class WindowsAdd(Function):
    """y = zeros(shape) with each window's values added at its place;
    dy/dg: read the windows again (``Windows``)"""
    rule = ("grad(g) += the windows of grad(out), read again",)

    saves = ()

    @staticmethod
    def forward(g, shape, stride):
        out = np.zeros(shape, dtype=g.dtype)
        oh, ow, kh, kw = g.shape[2:]
        for a, b, rows, columns in window_offsets((kh, kw), stride, oh, ow):
            out[:, :, rows, columns] += g[:, :, :, :, a, b]
        return out

    @staticmethod
    def backward(ctx, g):
        kernel = ctx.input_shapes[0][4:]
        return (Windows.apply(g, kernel=tuple(kernel), stride=ctx.options["stride"]),)


def conv2d_composite(x: Any, weight: Any, bias: Any, stride: Any, padding: Any) -> Any:
    """y = conv2d(x, w) + b as its definition in Tensor ops: a matmul over every patch;
    dy/d(each input) follows from those ops."""
    out_c, in_c, kh, kw = weight.shape
    if padding[0] or padding[1]:
        x = Pad.apply(x, pad_width=((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2), value=0.0)
    patches = Windows.apply(x, kernel=(kh, kw), stride=stride)  # (N, C, OH, OW, kh, kw)
    n, _, oh, ow = patches.shape[:4]
    cols = patches.permute(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, in_c * kh * kw)
    out = cols @ weight.reshape(out_c, -1).T + bias  # (N*OH*OW, O)
    return out.reshape(n, oh, ow, out_c).permute(0, 3, 1, 2)


class Convolution(Function):
    """y = conv2d(x, w) + b: cols(x) @ w^T + b per output position;
    dL/dw = G^T cols(x),  dL/dx = the patches of G W added back (col2im),
    dL/db = sum of G. Keeps x, not its columns (which are kh*kw times larger):
    the backward makes them again."""
    rule = ("grad(x) += col2im(grad(out) @ w)",
            "grad(w) += grad(out)ᵀ @ cols(x)",
            "grad(b) += sum(grad(out), batch and positions)")

    saves = (0, 1, 2)

    @staticmethod
    def forward(x, w, b, stride, padding):
        return conv_forward(x, w, b, stride, padding)

    @staticmethod
    def backward(ctx, g):
        stride, padding = ctx.options["stride"], ctx.options["padding"]
        return composite_backward(ctx, g, lambda x, w, b: conv2d_composite(x, w, b, stride, padding))

def _window_slices(out_hw: tuple, kernel: tuple, stride: tuple) -> list[tuple]:
    """For each kernel offset, the index of the input elements it puts in the
    windows: x[..., a::sh, b::sw] cut to the output's size."""
    return [(Ellipsis, rows, columns) for _, _, rows, columns in window_offsets(kernel, stride, *out_hw)]


class MaxPool(Function):
    """y = the maximum of each kh x kw window; dL/dx = g / (maxima in the
    window) at each maximum, so tied maxima share the gradient equally. Runs
    over the kernel's offsets (kh * kw maxima of output-sized arrays), never
    over pixels or a 6-d window view; keeps x only, as PyTorch keeps its input
    (and indices), not y, which may change in place: the maxima are found
    again from x. The recorded rule is the windowed max's."""
    rule = ("grad(x) += grad(out) at each window's maximum (ties share it)",)

    saves = (0,)

    @staticmethod
    def forward(x, kernel, stride, out_hw):
        fast = compiled.kernel("max_pool_2x2", x) if kernel == stride == (2, 2) else None
        if fast is None:
            return _over_windows(np.maximum, x, kernel, stride, out_hw)
        out = np.empty(x.shape[:2] + out_hw, x.dtype)  # one compiled pass on every core (autograd/compiled.py)
        compiled.call(fast, _planes(x), _planes(out))
        return out

    @staticmethod
    def backward(ctx, g):
        return _windowed_rule(ctx, g, "max")

class AvgPool(Function):
    """y = the mean of each kh x kw window;  dL/dx = g / (kh kw) added back to
    every element of the window. A loop over the kernel's offsets, as MaxPool;
    the recorded rule is the windowed mean's."""
    rule = ("grad(x) += grad(out) / (kh kw), added back to every element of its window",)

    saves = (0,)  # (for the recorded rule; the first-order one reads nothing)

    @staticmethod
    def forward(x, kernel, stride, out_hw):
        out = _over_windows(np.add, x, kernel, stride, out_hw)
        out *= out.dtype.type(1.0 / (kernel[0] * kernel[1]))
        return out

    @staticmethod
    def backward(ctx, g):
        (gx,) = _windowed_rule(ctx, g, "mean")
        if _mode.enabled and not gx.requires_grad:  # a recorded pass: keep gx connected to x, as
            gx = gx + piecewise(np.zeros_like, ctx.inputs[0])  # PyTorch does (its second derivative: 0)
        return (gx,)


def _planes(a: np.ndarray) -> np.ndarray:
    """(N, C, H, W) as (N*C, H, W), a view: the compiled pools' layout."""
    return a.reshape((-1,) + a.shape[2:])


def _over_windows(ufunc: Any, x: np.ndarray, kernel: tuple, stride: tuple, out_hw: tuple) -> np.ndarray:
    """``ufunc`` (np.maximum, np.add) folded over each window: one pass per kernel offset."""
    out = None
    for index in _window_slices(out_hw, kernel, stride):
        out = x[index].copy() if out is None else ufunc(out, x[index], out=out)
    return out


def _windowed_rule(ctx: Any, g: Any, reduction: str) -> tuple:
    """A pool's recorded rule: the vector-Jacobian product of ``reduction`` over its windows."""
    kernel, stride = ctx.options["kernel"], ctx.options["stride"]
    return composite_backward(
        ctx, g, lambda x: getattr(Windows.apply(x, kernel=kernel, stride=stride), reduction)(axis=(4, 5)))


# -- fast first-order kernels on arrays (checked against the definitions above
# by the op registry's tests) -----------------------------------------------------

def _convolution_grad(ctx, g):
    x, w, _ = ctx.saved.arrays
    return conv_backward(x, w, g, ctx.options["stride"], ctx.options["padding"], ctx.needs_input_grad)


def _max_pool_grad(ctx, g):
    (x,), kernel, stride = ctx.saved.arrays, ctx.options["kernel"], ctx.options["stride"]
    fast = compiled.kernel("max_pool_2x2_grad", x) if kernel == stride == (2, 2) else None
    if fast is not None and g.dtype == x.dtype:  # one compiled pass on every core (autograd/compiled.py)
        gx = np.empty_like(x)
        counts = np.arange(5, dtype=x.dtype)  # (the shares are divided in x's dtype)
        compiled.call(fast, _planes(x), _planes(np.ascontiguousarray(g)), _planes(gx), counts)
        return (gx,)
    y = _over_windows(np.maximum, x, kernel, stride, g.shape[2:])  # the maxima again: y may have changed in place
    slices = _window_slices(y.shape[2:], kernel, stride)
    hits = [np.equal(x[index], y) for index in slices]
    count = hits[0].view(np.uint8).copy()  # maxima per window (bytes: a quarter of the traffic)
    for hit in hits[1:]:
        count += hit.view(np.uint8)
    share = g if count.min() == 1 == count.max() else g / count  # (ties are rare; a NaN window counts 0: NaN)
    tiled = stride == kernel and all(o * k == n for o, k, n in zip(y.shape[2:], kernel, x.shape[2:]))
    if tiled:  # every element in exactly one window: written once, no zeros first
        gx = np.empty_like(x)
        for index, hit in zip(slices, hits):
            np.multiply(share, hit, out=gx[index])
    else:
        gx = np.zeros_like(x)
        for index, hit in zip(slices, hits):
            gx[index] += share * hit  # (windows that overlap add up)
    return (gx,)


def _avg_pool_grad(ctx, g):
    shape, kernel = ctx.input_shapes[0], ctx.options["kernel"]
    share = g * g.dtype.type(1.0 / (kernel[0] * kernel[1]))
    gx = np.zeros(shape, dtype=g.dtype)
    for index in _window_slices(g.shape[2:], kernel, ctx.options["stride"]):
        gx[index] += share
    return (gx,)


fast_backward.update({
    Convolution: _convolution_grad,
    MaxPool: _max_pool_grad,
    AvgPool: _avg_pool_grad,
})
