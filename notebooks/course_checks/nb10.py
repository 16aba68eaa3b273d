"""Checks for notebook 10 (convolution): the output-size formula and a batched im2col convolution,
against nn.functional.conv2d."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd as ag
from nn import functional as F

CASES = [  # (N, C, H, W, O, k, stride, padding)
    (1, 1, 5, 5, 1, 3, 1, 0),
    (2, 3, 7, 6, 4, 3, 1, 1),
    (3, 2, 8, 8, 5, 3, 2, 1),
    (2, 2, 9, 7, 3, 2, 3, 0),
]


def check_conv_output_size(conv_output_size: Callable) -> None:
    """``conv_output_size(size, kernel, stride, padding)`` = floor((size + 2 padding - kernel) / stride) + 1."""
    for _, _, h, _, _, k, stride, padding in CASES + [(1, 1, 28, 28, 1, 5, 2, 2), (1, 1, 8, 8, 1, 2, 2, 0)]:
        x = ag.zeros(1, 1, h, h)
        expected = F.conv2d(x, ag.zeros(1, 1, k, k), stride=stride, padding=padding).shape[-1]
        got = conv_output_size(h, k, stride, padding)
        assert got == expected, (
            f"conv_output_size({h}, {k}, {stride}, {padding}) = {got}, but F.conv2d gives {expected}")
    print("correct: conv_output_size matches F.conv2d on 6 shapes")


def check_conv2d_im2col(conv2d_im2col: Callable) -> None:
    """``conv2d_im2col(x, w, b, stride, padding)`` against ``F.conv2d`` on batches."""
    rng = np.random.default_rng(10)
    for n, c, h, w_, o, k, stride, padding in CASES:
        x = rng.standard_normal((n, c, h, w_))
        w = rng.standard_normal((o, c, k, k))
        b = rng.standard_normal(o)
        expected = F.conv2d(ag.tensor(x), ag.tensor(w), ag.tensor(b), stride=stride, padding=padding).numpy()
        got = np.asarray(conv2d_im2col(x.copy(), w.copy(), b.copy(), stride=stride, padding=padding))
        where = f"x {x.shape}, w {w.shape}, stride {stride}, padding {padding}"
        assert got.shape == expected.shape, f"{where}: output shape {got.shape}, expected {expected.shape}"
        assert np.allclose(got, expected), (
            f"{where}: differs from F.conv2d by up to {np.abs(got - expected).max():.3g}; check the order of the "
            "axes when you reshape the windows (channel, then the k x k positions) and the output (N, O, H', W')")
    print(f"correct: conv2d_im2col matches F.conv2d on {len(CASES)} batches")
