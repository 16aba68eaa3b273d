"""Adaptive average pooling, PyTorch's ``F.adaptive_avg_pool2d`` and
``nn.AdaptiveAvgPool2d``: any (H, W) in, the ``output_size`` asked for out.

Output cell i along an axis of length n averages inputs floor(i n / m) to
ceil((i + 1) n / m) - 1 (m outputs), PyTorch's windows, which may overlap.
Averaging over those windows is a matrix with rows summing to 1, so the pool
is two matrix products, ``A_h @ x @ A_w^T``, and autograd gives the backward.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, from_numpy
from nn.module import Module

__all__ = ["adaptive_avg_pool2d", "AdaptiveAvgPool2d"]


def _averaging_matrix(n_out: int, n_in: int, dtype: Any) -> np.ndarray:
    """(n_out, n_in): row i averages input window i (see the module docstring)."""
    matrix = np.zeros((n_out, n_in), dtype=dtype)
    for i in range(n_out):
        start, stop = (i * n_in) // n_out, -((-(i + 1) * n_in) // n_out)
        matrix[i, start:stop] = 1.0 / (stop - start)
    return matrix


def _output_size(output_size: Any, height: int, width: int) -> tuple[int, int]:
    size = (output_size, output_size) if output_size is None or isinstance(output_size, int) else tuple(output_size)
    if len(size) != 2:
        raise ValueError(f"adaptive_avg_pool2d: output_size must be an int or a pair, got {output_size!r}")
    out = (height if size[0] is None else size[0], width if size[1] is None else size[1])
    if any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1 for s in out):
        raise ValueError(f"adaptive_avg_pool2d: output_size must hold positive ints (or None), got {output_size!r}")
    return out


def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple[int | None, int | None]) -> Tensor:  # noqa: A002
    """Average-pool (N, C, H, W) or (C, H, W) to ``output_size`` (None keeps
    that axis); ``output_size=1`` is the global average pool."""
    if input.ndim not in (3, 4):
        raise ValueError(f"adaptive_avg_pool2d: expected (N, C, H, W) or (C, H, W), got shape {input.shape}")
    height, width = input.shape[-2:]
    if height == 0 or width == 0:
        raise ValueError(f"adaptive_avg_pool2d: the input's height and width must be > 0, got shape {input.shape}")
    out_h, out_w = _output_size(output_size, height, width)
    dtype = input.dtype if input.dtype.kind == "f" else np.float32
    rows = from_numpy(_averaging_matrix(out_h, height, dtype))
    columns = from_numpy(_averaging_matrix(out_w, width, dtype).T.copy())
    return rows @ input @ columns


class AdaptiveAvgPool2d(Module):
    """Average pooling to a fixed ``output_size`` (an int, or (h, w) with None keeping an axis)."""

    def __init__(self, output_size: int | tuple[int | None, int | None]) -> None:
        super().__init__()
        _output_size(output_size, 1, 1)  # (checks it now)
        self.output_size = output_size

    def forward(self, x: Tensor) -> Tensor:
        return adaptive_avg_pool2d(x, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size!r}"
