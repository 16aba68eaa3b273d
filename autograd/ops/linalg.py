"""Matrix product. Operands reach the primitive with at least two dimensions
and equal batch dimensions: the Tensor layer handles 1-D operands and batch
broadcasting around it."""

from __future__ import annotations

import numpy as np

from autograd.function import Function


class MatMul(Function):
    """Y = A @ B;  dL/dA = G @ B^T,  dL/dB = A^T @ G  (per batch)"""

    @staticmethod
    def forward(a, b):
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        ga = g @ b.swapaxes(-1, -2) if need_a else None
        gb = a.swapaxes(-1, -2) @ g if need_b else None
        return ga, gb
