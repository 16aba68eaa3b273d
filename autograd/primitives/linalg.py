"""Matrix product. Operands reach the primitive with at least two dimensions
and equal batch dimensions: the Tensor layer handles 1-D operands and batch
broadcasting around it."""

from __future__ import annotations

import numpy as np

from autograd.engine import fast_backward
from autograd.function import Function


class MatMul(Function):
    """Y = A @ B;  dL/dA = G @ B^T,  dL/dB = A^T @ G  (per batch)"""
    rule = ("grad(a) += grad(out) @ bᵀ", "grad(b) += aᵀ @ grad(out)")

    saves = {0: (1,), 1: (0,)}

    @staticmethod
    def forward(a, b):
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return (g @ b.swapaxes(-1, -2) if need_a else None), (a.swapaxes(-1, -2) @ g if need_b else None)


class Linear(Function):
    """Y = X W^T + b, fused (one matmul, the bias added in place) for speed;
    dL/dX = G W,  dL/dW = G^T X,  dL/db = sum of G over the batch
    (X of shape (..., in), W (out, in), b (out,)). Leading dimensions are
    folded into one, so that each product is one large matrix product rather
    than a batch of small ones."""
    rule = ("grad(x) += grad(out) @ w", "grad(w) += grad(out)ᵀ @ x", "grad(b) += sum(grad(out), batch axes)")

    saves = {0: (1,), 1: (0,), 2: ()}

    @staticmethod
    def forward(x, w, b):
        out = np.matmul(x.reshape(-1, x.shape[-1]) if x.ndim > 2 else x, w.T)
        out.shape = (*x.shape[:-1], w.shape[0])  # (set in place: the result owns its memory, not a view)
        out += b
        return out

    @staticmethod
    def backward(ctx, g):
        x, w, b = ctx.inputs
        need_x, need_w, need_b = ctx.needs_input_grad
        g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
        gx = g @ w if need_x else None
        gw = g2.T @ (x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x) if need_w else None
        gb = g2.sum(axis=0) if need_b else None
        return gx, gw, gb


class Einsum(Function):
    """y = einsum(subscripts, *operands);  dL/d(operand i) = einsum of g with
    the other operands into operand i's subscripts (broadcast over the letters
    that only operand i has, which the forward summed away)"""
    rule = ("grad(operands[i]) += einsum of grad(out) with the other operands",)

    saves = None  # every operand's gradient reads the others

    @staticmethod
    def forward(*operands, subscripts):
        return np.asarray(np.einsum(subscripts, *operands))

    @staticmethod
    def backward(ctx, g):
        return _einsum_grads(ctx, g, lambda subs, *xs: Einsum.apply(*xs, subscripts=subs))

def _einsum_grads(ctx, g, einsum):
    inputs_subs, out_subs = ctx.options["subscripts"].replace(" ", "").split("->")
    subs = inputs_subs.split(",")
    operands = ctx.inputs if einsum is not _numpy_einsum else ctx.saved.arrays
    grads = []
    for i, (sub, need) in enumerate(zip(subs, ctx.needs_input_grad)):
        if not need:
            grads.append(None)
            continue
        others = [(s, x) for j, (s, x) in enumerate(zip(subs, operands)) if j != i]
        known = set(out_subs) | {c for s, _ in others for c in s}
        kept = "".join(c for c in sub if c in known)  # letters only this operand has were summed away
        grad = einsum(",".join([out_subs] + [s for s, _ in others]) + "->" + kept, g, *[x for _, x in others])
        if kept != sub:  # broadcast back over those letters
            shape = tuple(n if c in known else 1 for c, n in zip(sub, ctx.input_shapes[i]))
            grad = grad.reshape(shape)
            grad = grad.broadcast_to(ctx.input_shapes[i]) if not isinstance(grad, np.ndarray) \
                else np.broadcast_to(grad, ctx.input_shapes[i])
        grads.append(grad)
    return tuple(grads)


# -- fast first-order kernels on arrays (checked against the definitions above
# by the op registry's tests) -----------------------------------------------------

def _matmul_grad(ctx, g):
    a, b = ctx.saved.arrays
    need_a, need_b = ctx.needs_input_grad
    return (g @ b.swapaxes(-1, -2) if need_a else None), (a.swapaxes(-1, -2) @ g if need_b else None)


def _linear_grad(ctx, g):
    x, w, _ = ctx.saved.arrays
    needs = ctx.needs_input_grad
    if g.ndim == 2:
        g2d, x2d = g, x
    else:  # fold the batch dimensions into one
        g2d = g.reshape(-1, g.shape[-1])
        x2d = None if x is None else x.reshape(-1, x.shape[-1])
    gx = None
    if needs[0]:
        gx = g2d @ w
        gx.shape = (*g.shape[:-1], w.shape[1])
    # (np.add.reduce is what ndarray.sum calls, without its Python wrapper)
    return (gx,
            g2d.T @ x2d if needs[1] else None,
            np.add.reduce(g2d, axis=0) if needs[2] else None)


def _numpy_einsum(subscripts, *operands):
    return np.asarray(np.einsum(subscripts, *operands))


def _einsum_grad(ctx, g):
    return _einsum_grads(ctx, g, _numpy_einsum)


fast_backward.update({
    MatMul: _matmul_grad,
    Linear: _linear_grad,
    Einsum: _einsum_grad,
})
