"""Convolution and pooling on (N, C, H, W) tensors. One windowing primitive,
``Windows``, gathers every kh x kw patch (a strided view, no copy), and its
backward ``WindowsAdd`` adds patch gradients back (a loop over the kernel's
kh * kw offsets, never over pixels). Pooling is a max or mean over windows;
conv2d is defined as a matmul over patches (``conv2d_composite``) and runs as
one fused primitive, ``Convolution`` (its array work in ``nn.im2col``), that
keeps its input rather than the patches; its recorded rule is the
composite's, so all of it stays differentiable to any order."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Function, Tensor, composite_backward, enable_grad, from_numpy, grad, is_grad_enabled, pad, zeros
from nn.im2col import conv_backward, conv_forward, window_offsets

__all__ = ["conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "windows"]


def _pair(v: Any, name: str, op: str) -> tuple[int, int]:
    pair = (v, v) if isinstance(v, (int, np.integer)) else tuple(v)
    if len(pair) != 2 or any(int(p) != p or p < 0 for p in pair):
        raise ValueError(f"{op}: {name} must be a non-negative int or a pair of them, got {v!r}")
    return int(pair[0]), int(pair[1])


class Windows(Function):
    """y[n, c, i, j, a, b] = x[n, c, i*s + a, j*s + b];  the gradient is added
    back to every position a window read (``WindowsAdd``)"""

    saves = ()
    returns_view = True

    @staticmethod
    def forward(x, kernel, stride):
        view = np.lib.stride_tricks.sliding_window_view(x, kernel, axis=(2, 3))
        return view[:, :, :: stride[0], :: stride[1]]

    @staticmethod
    def backward(ctx, g):
        return (WindowsAdd.apply(g, shape=ctx.input_shapes[0], stride=ctx.stride),)


class WindowsAdd(Function):
    """y = zeros(shape) with each window's values added at its place;
    dy/dg: read the windows again (``Windows``)"""

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
        return (Windows.apply(g, kernel=tuple(kernel), stride=ctx.stride),)


def windows(x: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, op: str = "windows") -> Tensor:
    """All kh x kw patches of a (N, C, H, W) tensor: shape (N, C, OH, OW, kh, kw)."""
    x, kernel, stride = _window_args(x, kernel_size, stride, padding, op)
    return Windows.apply(x, kernel=kernel, stride=stride)


def _window_args(x: Tensor, kernel_size: Any, stride: Any, padding: Any, op: str) -> tuple[Tensor, tuple, tuple]:
    """(the padded input, kernel, stride), checked, naming ``op`` in errors."""
    if not isinstance(x, Tensor) or x.ndim != 4:
        raise ValueError(f"{op}: input must be a 4-d (N, C, H, W) tensor, got shape {getattr(x, 'shape', None)}")
    kernel = _pair(kernel_size, "kernel_size", op)
    stride = kernel if stride is None else _pair(stride, "stride", op)
    ph, pw = _pair(padding, "padding", op)
    if min(kernel) < 1 or min(stride) < 1:
        raise ValueError(f"{op}: kernel_size and stride must be at least 1, got {kernel} and {stride}")
    if ph or pw:
        x = pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    if x.shape[2] < kernel[0] or x.shape[3] < kernel[1]:
        raise ValueError(f"{op}: kernel {kernel} is larger than the (padded) input {x.shape[2:]}")
    return x, kernel, stride


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0) -> Tensor:
    """2-d cross-correlation, PyTorch's conv2d: x (N, C, H, W), weight (O, C, kh, kw),
    bias (O,) -> (N, O, OH, OW). One fused primitive (``Convolution``)."""
    if weight.ndim != 4:
        raise ValueError(f"conv2d: weight must be (out, in, kh, kw), got shape {weight.shape}")
    if x.ndim != 4 or x.shape[1] != weight.shape[1]:
        raise ValueError(
            f"conv2d: input of shape {x.shape} does not match weight {weight.shape}: "
            f"expected (N, {weight.shape[1]}, H, W)"
        )
    kernel = weight.shape[2:]
    stride, padding = _pair(stride, "stride", "conv2d"), _pair(padding, "padding", "conv2d")
    if min(stride) < 1:
        raise ValueError(f"conv2d: stride must be at least 1, got {stride}")
    if x.shape[2] + 2 * padding[0] < kernel[0] or x.shape[3] + 2 * padding[1] < kernel[1]:
        raise ValueError(f"conv2d: kernel {tuple(kernel)} is larger than the (padded) input {x.shape[2:]}")
    if bias is None:
        bias = from_numpy(np.zeros(weight.shape[0], weight.dtype))
    if x.dtype != weight.dtype or bias.dtype != weight.dtype or bias.shape != weight.shape[:1]:
        return conv2d_composite(x, weight, bias, stride, padding)
    return Convolution.apply(x, weight, bias, stride=stride, padding=padding)


def conv2d_composite(x: Tensor, weight: Tensor, bias: Tensor, stride: Any, padding: Any) -> Tensor:
    """The definition in differentiable ops: a matmul over every patch."""
    out_c, in_c, kh, kw = weight.shape
    patches = windows(x, (kh, kw), stride, padding, op="conv2d")  # (N, C, OH, OW, kh, kw)
    n, _, oh, ow = patches.shape[:4]
    cols = patches.permute(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, in_c * kh * kw)
    out = cols @ weight.reshape(out_c, -1).T + bias  # (N*OH*OW, O)
    return out.reshape(n, oh, ow, out_c).permute(0, 3, 1, 2)


class Convolution(Function):
    """y = conv2d(x, w) + b: cols(x) @ w^T + b per output position;
    dL/dw = G^T cols(x),  dL/dx = the patches of G W added back (col2im),
    dL/db = sum of G. Keeps x, not its columns (which are kh*kw times larger):
    the backward makes them again."""

    saves = (0, 1, 2)

    @staticmethod
    def forward(x, w, b, stride, padding):
        return conv_forward(x, w, b, stride, padding)

    @staticmethod
    def backward(ctx, g):
        stride, padding = ctx.stride, ctx.padding
        return composite_backward(ctx, g, lambda x, w, b: conv2d_composite(x, w, b, stride, padding))

    @staticmethod
    def backward_numpy(ctx, g):
        x, w, _ = ctx.inputs
        return conv_backward(x, w, g, ctx.stride, ctx.padding, ctx.needs_input_grad)


def conv_transpose2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0,
                     output_padding: Any = 0) -> Tensor:
    """PyTorch's conv_transpose2d, x (N, C_in, H, W), weight (C_in, C_out, kh, kw):
    the adjoint of conv2d, each input pixel spreading ``weight`` over a
    window of the output. Computed as what it is, the gradient of conv2d with
    respect to its input (recorded, so it is differentiable to any order)."""
    if weight.ndim != 4 or x.ndim != 4 or x.shape[1] != weight.shape[0]:
        raise ValueError(f"conv_transpose2d: input of shape {x.shape} does not match weight {weight.shape}: "
                         f"expected (N, {weight.shape[0] if weight.ndim else '?'}, H, W)")
    (sh, sw), (ph, pw) = _pair(stride, "stride", "conv_transpose2d"), _pair(padding, "padding", "conv_transpose2d")
    oph, opw = _pair(output_padding, "output_padding", "conv_transpose2d")
    if oph >= max(sh, ph + 1) or opw >= max(sw, pw + 1):
        raise ValueError(f"conv_transpose2d: output_padding {(oph, opw)} must be smaller than stride or padding")
    n, _, h, w = x.shape
    _, c_out, kh, kw = weight.shape
    oh, ow = (h - 1) * sh - 2 * ph + kh + oph, (w - 1) * sw - 2 * pw + kw + opw
    if oh < 1 or ow < 1:
        raise ValueError(f"conv_transpose2d: the output would be {oh} x {ow}")
    recording = is_grad_enabled()
    with enable_grad():
        z = zeros(n, c_out, oh, ow, dtype=x.dtype, requires_grad=True)
        (out,) = grad((conv2d(z, weight, None, (sh, sw), (ph, pw)) * x).sum(), z, create_graph=True)
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    return out if recording else out.detach()


def _window_slices(out_hw: tuple, kernel: tuple, stride: tuple) -> list[tuple]:
    """For each kernel offset, the index of the input elements it puts in the
    windows: x[..., a::sh, b::sw] cut to the output's size."""
    return [(Ellipsis, rows, columns) for _, _, rows, columns in window_offsets(kernel, stride, *out_hw)]


class MaxPool(Function):
    """y = the maximum of each kh x kw window; dL/dx = g / (maxima in the
    window) at each maximum, so tied maxima share the gradient equally. Runs
    over the kernel's offsets (kh * kw maxima of output-sized arrays), never
    over pixels or a 6-d window view; keeps x and y (the maxima are found again
    by comparison). The recorded rule is the windowed max's."""

    saves = (0, "out")

    @staticmethod
    def forward(x, kernel, stride, out_hw):
        return _over_windows(np.maximum, x, kernel, stride, out_hw)

    @staticmethod
    def backward(ctx, g):
        return _windowed_rule(ctx, g, "max")

    @staticmethod
    def backward_numpy(ctx, g):
        (x,), y, kernel, stride = ctx.inputs, ctx.out, ctx.kernel, ctx.stride
        slices = _window_slices(y.shape[2:], kernel, stride)
        hits = [np.equal(x[index], y) for index in slices]
        count = hits[0].view(np.uint8).copy()  # maxima per window (bytes: a quarter of the traffic)
        for hit in hits[1:]:
            count += hit.view(np.uint8)
        share = g if count.max() == 1 else g / count  # (ties are rare)
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


def max_pool2d(x: Tensor, kernel_size: Any, stride: Any = None, padding: int = 0) -> Tensor:
    """Maximum over each window (stride defaults to kernel_size). Ties inside a
    window share the gradient equally (PyTorch gives it all to one element).
    One fused primitive (``MaxPool``)."""
    if padding:
        x = pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=-np.inf)
    return _pool(MaxPool, x, kernel_size, stride, 0, "max_pool2d")


class AvgPool(Function):
    """y = the mean of each kh x kw window;  dL/dx = g / (kh kw) added back to
    every element of the window. A loop over the kernel's offsets, as MaxPool;
    the recorded rule is the windowed mean's."""

    saves = (0,)  # (for the recorded rule; the first-order one reads nothing)

    @staticmethod
    def forward(x, kernel, stride, out_hw):
        out = _over_windows(np.add, x, kernel, stride, out_hw)
        out *= out.dtype.type(1.0 / (kernel[0] * kernel[1]))
        return out

    @staticmethod
    def backward(ctx, g):
        return _windowed_rule(ctx, g, "mean")

    @staticmethod
    def backward_numpy(ctx, g):
        shape, kernel = ctx.input_shapes[0], ctx.kernel
        share = g * g.dtype.type(1.0 / (kernel[0] * kernel[1]))
        gx = np.zeros(shape, dtype=g.dtype)
        for index in _window_slices(g.shape[2:], kernel, ctx.stride):
            gx[index] += share
        return (gx,)


def avg_pool2d(x: Tensor, kernel_size: Any, stride: Any = None, padding: int = 0) -> Tensor:
    """Mean over each window (stride defaults to kernel_size); padding counts as
    zeros. One fused primitive (``AvgPool``)."""
    return _pool(AvgPool, x, kernel_size, stride, padding, "avg_pool2d")


def _pool(cls: Any, x: Tensor, kernel_size: Any, stride: Any, padding: Any, op: str) -> Tensor:
    x, kernel, stride = _window_args(x, kernel_size, stride, padding, op)
    out_hw = tuple((x.shape[2 + i] - kernel[i]) // stride[i] + 1 for i in range(2))
    return cls.apply(x, kernel=kernel, stride=stride, out_hw=out_hw)


def _over_windows(ufunc: Any, x: np.ndarray, kernel: tuple, stride: tuple, out_hw: tuple) -> np.ndarray:
    """``ufunc`` (np.maximum, np.add) folded over each window: one pass per kernel offset."""
    out = None
    for index in _window_slices(out_hw, kernel, stride):
        out = x[index].copy() if out is None else ufunc(out, x[index], out=out)
    return out


def _windowed_rule(ctx: Any, g: Any, reduction: str) -> tuple:
    """A pool's recorded rule: the vector-Jacobian product of ``reduction`` over its windows."""
    kernel, stride = ctx.kernel, ctx.stride
    return composite_backward(
        ctx, g, lambda x: getattr(Windows.apply(x, kernel=kernel, stride=stride), reduction)(axis=(4, 5)))
