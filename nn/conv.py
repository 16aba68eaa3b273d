"""Convolution and pooling on (N, C, H, W) tensors, as PyTorch's functions:
the arguments are checked here (errors name the op and the shapes), and the
work is done by the primitives in ``autograd.primitives.conv``."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, enable_grad, from_numpy, grad, is_grad_enabled, pad, zeros
from autograd.primitives import AvgPool, Convolution, MaxPool, Windows
from autograd.primitives.conv import conv2d_composite

__all__ = ["conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "windows"]


def _pair(v: Any, name: str, op: str) -> tuple[int, int]:
    pair = (v, v) if isinstance(v, (int, np.integer)) else tuple(v)
    if len(pair) != 2 or any(int(p) != p or p < 0 for p in pair):
        raise ValueError(f"{op}: {name} must be a non-negative int or a pair of them, got {v!r}")
    return int(pair[0]), int(pair[1])


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


def max_pool2d(x: Tensor, kernel_size: Any, stride: Any = None, padding: int = 0) -> Tensor:
    """Maximum over each window (stride defaults to kernel_size). Ties inside a
    window share the gradient equally (PyTorch gives it all to one element); a
    window holding a NaN gives NaN, and NaN gradients. One fused primitive
    (``MaxPool``); 2 x 2 windows at stride 2 run compiled on every core."""
    if padding:
        x = pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)), constant_values=-np.inf)
    return _pool(MaxPool, x, kernel_size, stride, 0, "max_pool2d")


def avg_pool2d(x: Tensor, kernel_size: Any, stride: Any = None, padding: int = 0) -> Tensor:
    """Mean over each window (stride defaults to kernel_size); padding counts as
    zeros. One fused primitive (``AvgPool``)."""
    return _pool(AvgPool, x, kernel_size, stride, padding, "avg_pool2d")


def _pool(cls: Any, x: Tensor, kernel_size: Any, stride: Any, padding: Any, op: str) -> Tensor:
    x, kernel, stride = _window_args(x, kernel_size, stride, padding, op)
    out_hw = tuple((x.shape[2 + i] - kernel[i]) // stride[i] + 1 for i in range(2))
    return cls.apply(x, kernel=kernel, stride=stride, out_hw=out_hw)


