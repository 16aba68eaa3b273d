"""Layer normalisation as one fused primitive (about fourteen as a composite)."""

from __future__ import annotations

import numpy as np

from autograd import compiled
from autograd.engine import composite_backward, fast_backward
from autograd.function import Function


def layer_norm_composite(x, w, b, axes: tuple, eps: float):
    """The definition, in Tensor ops: (x - mean) / sqrt(var + eps) * w + b."""
    centred = x - x.mean(axis=axes, keepdims=True)
    var = (centred * centred).mean(axis=axes, keepdims=True)
    return centred / (var + eps).sqrt() * w + b


class LayerNorm(Function):
    """y = xhat * w + b with xhat = (x - mean) * rstd, rstd = 1/sqrt(var + eps),
    over the trailing ``axes``;  with gh = g * w:
    dL/dx = rstd * (gh - mean(gh) - xhat * mean(gh * xhat)),
    dL/dw = sum of g * xhat,  dL/db = sum of g  (over the leading axes).
    Keeps x and, from the forward, mean and rstd (one value per row)."""
    rule = ("grad(x) += rstd * (gh - mean(gh) - xhat * mean(gh * xhat)),  gh = grad(out) * w",
            "grad(w) += sum of grad(out) * xhat over the leading axes",
            "grad(b) += sum of grad(out) over the leading axes")

    saves = (0, 1, 2)
    saves_extras = True

    @staticmethod
    def forward(x, w, b, axes, eps):
        fast = _compiled("layer_norm", x, axes, w, b)
        if fast is not None:  # one compiled pass on every core (autograd/compiled.py)
            out, mean, rstd = np.empty_like(x), *(np.empty((*x.shape[:-1], 1), x.dtype) for _ in range(2))
            compiled.call(fast, *_rows(x, w, b, out, mean, rstd), x.dtype.type(eps))
            return out, {"mean": mean, "rstd": rstd}
        mean = np.mean(x, axis=axes, keepdims=True)
        xhat = x - mean
        var = np.mean(xhat * xhat, axis=axes, keepdims=True)
        rstd = 1.0 / np.sqrt(var + x.dtype.type(eps))
        xhat *= rstd
        xhat *= w
        xhat += b
        return xhat, {"mean": mean, "rstd": rstd}

    @staticmethod
    def backward(ctx, g):
        axes, eps = ctx.options["axes"], ctx.options["eps"]
        return composite_backward(ctx, g, lambda x, w, b: layer_norm_composite(x, w, b, axes, eps))


# -- fast first-order kernels on arrays (checked against the definitions above
# by the op registry's tests) -----------------------------------------------------

def _compiled(name: str, x: np.ndarray, axes: tuple, *more: np.ndarray) -> object:
    """The compiled kernel for a layer norm over x's last axis, or None."""
    return compiled.kernel(name, x, *more) if axes == (x.ndim - 1,) else None


def _rows(*arrays: np.ndarray) -> list:
    return [compiled.as_rows(a) for a in arrays]


def _layer_norm_grad(ctx, g):
    x, w, _ = ctx.saved.arrays
    axes, extras = ctx.options["axes"], ctx.saved.extras
    need_x, need_w, need_b = ctx.needs_input_grad
    fast = _compiled("layer_norm_grad", x, axes, w)
    if fast is not None and g.dtype == x.dtype:  # one compiled pass on every core (autograd/compiled.py)
        g = np.ascontiguousarray(g)
        gx = np.empty_like(x) if need_x else None
        g_xhat = np.empty_like(x) if need_w else None
        compiled.call(fast, *_rows(x, g, w, extras["mean"], extras["rstd"], x if gx is None else gx,
                                   x if g_xhat is None else g_xhat), need_x, need_w)  # (x: unwritten)
        rows = compiled.as_rows(g)  # (the sums over the rows: numpy's, vectorised along them)
        return (gx, np.add.reduce(g_xhat.reshape(rows.shape), axis=0) if need_w else None,
                np.add.reduce(rows, axis=0) if need_b else None)
    rstd = extras["rstd"]
    lead = tuple(range(x.ndim - len(axes)))
    xhat = x - extras["mean"]
    xhat *= rstd
    gw = np.sum(g * xhat, axis=lead) if need_w else None
    gb = np.sum(g, axis=lead) if need_b else None
    gx = None
    if need_x:
        gh = g * w
        proj = gh * xhat
        gx = gh
        gx -= np.mean(gh, axis=axes, keepdims=True)
        xhat *= np.mean(proj, axis=axes, keepdims=True)
        gx -= xhat
        gx *= rstd
    return gx, gw, gb


fast_backward[LayerNorm] = _layer_norm_grad
