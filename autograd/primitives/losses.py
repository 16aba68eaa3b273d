"""The losses' fused primitives: cross-entropy over class indices (log-softmax
and the pick of the true class in one op) and binary cross-entropy on
probabilities, each stable for any input. (``nn.functional`` checks the
arguments and reduces; these do the arithmetic.)"""

from __future__ import annotations

import numpy as np

from autograd.engine import fast_backward
from autograd.function import Function
from autograd.graph import make_tensor
from autograd.primitives._numpy import constant, max_shifted


class BinaryCrossEntropy(Function):
    """L = -(y log p + (1 - y) log(1 - p)), logs clamped at -100 as PyTorch;
    dL/dp = (p - y) / max(p (1 - p), 1e-12),  dL/dy = log(1 - p) - log(p)"""
    rule = ("grad(p) += grad(out) * (p - y) / (p (1 - p))", "grad(y) += grad(out) * (ln(1 - p) - ln(p))")

    saves = (0, 1)

    @staticmethod
    def forward(p, y):
        with np.errstate(divide="ignore"):
            log_p = np.maximum(np.log(p), -100)
            log_q = np.maximum(np.log1p(-p), -100)
        return -(y * log_p + (1 - y) * log_q)

    @staticmethod
    def backward(ctx, g):
        p, y = ctx.inputs
        gp = g * (p - y) / (p * (1.0 - p)).maximum(1e-12) if ctx.needs_input_grad[0] else None
        gy = None
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore"):
                logit = np.maximum(np.log1p(-p.numpy()), -100) - np.maximum(np.log(p.numpy()), -100)
            gy = g * make_tensor(logit.astype(p.dtype))
        return gp, gy



class CrossEntropy(Function):
    """L_i = logsumexp(z_i) - z_i[t_i] per row of logits (N, C), then reduced;
    dL_i/dz_i = softmax(z_i) - onehot(t_i)  (fused for speed and stability)"""
    rule = ("grad(z) += grad(out) * (softmax(z) - onehot(target))",)

    saves = (0,)  # the logits, for the recorded rule; the first-order rule reads the kept softmax

    # the ufuncs' reduce directly (ndarray.sum's Python wrapper costs more than the maths on a small batch),
    # and the forward's softmax kept for the first-order backward: three numpy calls instead of eight
    saves_extras = True

    @staticmethod
    def forward(z, target, reduction):
        n, c = z.shape
        shifted, _ = max_shifted(z, 1)
        e = np.exp(shifted)
        total = np.add.reduce(e, axis=1, keepdims=True)
        # the targets' positions in the flattened logits: one flat index array
        # picks them (and marks them in the backward) at a third of the cost of
        # indexing with the pair (row, target)
        picks = np.arange(0, n * c, c) + target
        losses = np.log(total).reshape(-1) - shifted.reshape(-1)[picks]
        if reduction == "mean":
            loss = np.asarray(np.add.reduce(losses) / n, dtype=z.dtype)
        elif reduction == "sum":
            loss = np.asarray(np.add.reduce(losses), dtype=z.dtype)
        else:
            loss = losses
        return loss, {"probs": np.divide(e, total, out=e), "picks": picks}

    @staticmethod
    def backward(ctx, g):
        (z,) = ctx.inputs
        n, c = z.shape
        onehot = np.zeros((n, c), dtype=z.dtype)
        onehot[np.arange(n), ctx.options["target"]] = 1
        if ctx.options["reduction"] == "none":
            scale = g.reshape(n, 1)
        elif ctx.options["reduction"] == "mean":
            scale = g * (1.0 / n)
        else:
            scale = g
        return ((z.softmax(1) - make_tensor(onehot)) * scale,)


# -- fast first-order kernels on arrays (checked against the definitions above
# by the op registry's tests) -----------------------------------------------------

def _cross_entropy_grad(ctx, g):
    extras = ctx.saved.extras
    p = extras["probs"].copy()  # the saved softmax stays intact for a second backward
    n = len(p)
    p.reshape(-1)[extras["picks"]] -= constant(1, p.dtype)  # softmax - onehot
    reduction = ctx.options["reduction"]
    if reduction == "none":
        p *= g.reshape(n, 1)
    else:
        p *= g / n if reduction == "mean" else g
    return (p,)


fast_backward.update({
    CrossEntropy: _cross_entropy_grad,
})
