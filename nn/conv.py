"""Convolution and pooling on (N, C, H, W) tensors, built from one windowing
primitive: ``Windows`` gathers every kh x kw patch (a strided view, no copy),
and its backward ``WindowsAdd`` adds patch gradients back (a loop over the
kernel's kh * kw offsets, never over pixels). conv2d is then a matmul over
patches, and pooling a max or mean over them, so all of it stays
differentiable to any order."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Function, Tensor, pad

__all__ = ["conv2d", "max_pool2d", "avg_pool2d", "windows"]


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
        sh, sw = stride
        for a in range(kh):
            for b in range(kw):
                out[:, :, a : a + sh * oh : sh, b : b + sw * ow : sw] += g[:, :, :, :, a, b]
        return out

    @staticmethod
    def backward(ctx, g):
        kernel = ctx.input_shapes[0][4:]
        return (Windows.apply(g, kernel=tuple(kernel), stride=ctx.stride),)


def windows(x: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0, op: str = "windows") -> Tensor:
    """All kh x kw patches of a (N, C, H, W) tensor: shape (N, C, OH, OW, kh, kw)."""
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
    return Windows.apply(x, kernel=kernel, stride=stride)


def conv2d(x: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1, padding: Any = 0) -> Tensor:
    """2-d cross-correlation, PyTorch's conv2d: x (N, C, H, W), weight (O, C, kh, kw),
    bias (O,) -> (N, O, OH, OW)."""
    if weight.ndim != 4:
        raise ValueError(f"conv2d: weight must be (out, in, kh, kw), got shape {weight.shape}")
    if x.ndim != 4 or x.shape[1] != weight.shape[1]:
        raise ValueError(
            f"conv2d: input of shape {x.shape} does not match weight {weight.shape}: "
            f"expected (N, {weight.shape[1]}, H, W)"
        )
    out_c, in_c, kh, kw = weight.shape
    patches = windows(x, (kh, kw), stride, padding, op="conv2d")  # (N, C, OH, OW, kh, kw)
    n, _, oh, ow = patches.shape[:4]
    cols = patches.permute(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, in_c * kh * kw)
    out = cols @ weight.reshape(out_c, -1).T  # (N*OH*OW, O)
    if bias is not None:
        out = out + bias
    return out.reshape(n, oh, ow, out_c).permute(0, 3, 1, 2)


def max_pool2d(x: Tensor, kernel_size: Any, stride: Any = None, padding: int = 0) -> Tensor:
    """Maximum over each window (stride defaults to kernel_size). Ties inside a
    window share the gradient equally (PyTorch gives it all to one element)."""
    if padding:
        x = pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=-np.inf)
    return windows(x, kernel_size, stride, 0, op="max_pool2d").max(axis=(4, 5))


def avg_pool2d(x: Tensor, kernel_size: Any, stride: Any = None, padding: int = 0) -> Tensor:
    """Mean over each window (stride defaults to kernel_size); padding counts as zeros."""
    return windows(x, kernel_size, stride, padding, op="avg_pool2d").mean(axis=(4, 5))
