"""The loops numba compiles for ``autograd.compiled``: each one pass over
memory, spread over every core with ``prange``. Only ``autograd.compiled``
imports this module (which imports numba), and only when a kernel is first
wanted; each loop has a numpy path beside it that is its definition, and the
tests check the two agree.

Scalars arrive in the arrays' dtype, so that float32 stays float32 (numba, as
C, would widen ``1 - b1`` with a Python int to float64)."""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import prange

__all__ = ["numba", "adam", "gelu", "gelu_grad", "max_pool_2x2", "max_pool_2x2_grad",
           "layer_norm", "layer_norm_grad",
           "softmax_grad"]

_jit = numba.njit(parallel=True, cache=True, nogil=True)
# sums that LLVM may reorder (so that it vectorises them): not the bits of numpy's pairwise sums either way
_jit_sums = numba.njit(parallel=True, cache=True, nogil=True, fastmath={"reassoc"})


@_jit
def adam(w, g, m, v, v_max, b1, one_minus_b1, b2, one_minus_b2, step_size, eps, weight_decay, keep,
         amsgrad):  # pragma: no cover (compiled)
    """Adam over flat arrays in place: PyTorch's rule, written as in
    ``Adam._update_in_place`` (eps and the step size already corrected)."""
    for i in prange(w.size):
        gi = g[i]
        if weight_decay != 0:
            gi = gi + weight_decay * w[i]
        mi = b1 * m[i] + one_minus_b1 * gi
        vi = b2 * v[i] + one_minus_b2 * (gi * gi)
        m[i] = mi
        v[i] = vi
        if amsgrad:
            vi = max(v_max[i], vi)
            v_max[i] = vi
        w[i] = w[i] * keep - step_size * (mi / (math.sqrt(vi) + eps))


@numba.njit(cache=True, nogil=True, inline="always")
def _normal_cdf(x, half, inv_sqrt_2, limit, p, q):  # pragma: no cover (compiled)
    """Phi(x) = 1/2 + erf(x / sqrt 2) / 2, erf(z) ~ z P(z^2) / Q(z^2) on [-4, 4]
    (p and q: the coefficients of ``autograd.primitives._special``'s
    rational form, in x's dtype; erf rounds to +-1 beyond)."""
    z = min(max(x * inv_sqrt_2, -limit), limit)  # (limit: 4 in x's dtype, so that float32 stays float32)
    z2 = z * z
    num = p[0]
    for k in range(1, len(p)):
        num = num * z2 + p[k]
    den = q[0]
    for k in range(1, len(q)):
        den = den * z2 + q[k]
    return half + half * (z * num / den)


@_jit
def gelu(x, out, half, inv_sqrt_2, limit, p, q):  # pragma: no cover (compiled)
    """out = x Phi(x) over flat arrays."""
    for i in prange(x.size):
        out[i] = x[i] * _normal_cdf(x[i], half, inv_sqrt_2, limit, p, q)


@_jit
def gelu_grad(x, g, out, half, inv_sqrt_2, limit, inv_sqrt_2pi, p, q):  # pragma: no cover (compiled)
    """out = g (Phi(x) + x phi(x)) over flat float32 arrays."""
    for i in prange(x.size):
        xi = x[i]
        out[i] = g[i] * (_normal_cdf(xi, half, inv_sqrt_2, limit, p, q) + xi * _exp32(-half * xi * xi) * inv_sqrt_2pi)


# e^t in float32 as Cephes' expf writes it: e^t = 2^n e^r, |r| <= ln 2 / 2, e^r by a polynomial
_F32 = np.float32
_EXP_LOWEST = _F32(-87.0)  # below it float32 holds only subnormals: e^t is 0 there
_LOG2E, _LN2_HIGH, _LN2_LOW = _F32(1.44269504088896341), _F32(0.693359375), _F32(-2.12194440e-4)
_EXP_POLY = tuple(_F32(c) for c in (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2,
                                    1.6666665459e-1, 5.0000001201e-1))
_POW2_NEG = (2.0 ** -np.arange(128)).astype(np.float32)  # 2^-k: 2^n by a lookup, which vectorises


@numba.njit(cache=True, nogil=True, inline="always")
def _exp32(t):  # pragma: no cover (compiled)
    """e^t for float32 t <= 0, which LLVM vectorises (math.exp is a libm call
    per element): within 2 ulp of numpy's float32 exp, 0 below -87, NaN for NaN."""
    u = min(t, _F32(0.0)) if t > _EXP_LOWEST else _EXP_LOWEST  # (NaN and -inf too: the table index stays in range)
    n = math.floor(u * _LOG2E + _F32(0.5))
    r = (u - n * _LN2_HIGH) - n * _LN2_LOW
    y = _EXP_POLY[0]
    for k in range(1, len(_EXP_POLY)):
        y = y * r + _EXP_POLY[k]
    y = y * (r * r) + r + _F32(1.0)
    if t > _EXP_LOWEST:
        return y * _POW2_NEG[int(-n)]
    return t if t != t else _F32(0.0)


@numba.njit(cache=True, nogil=True, inline="always")
def _max4(a, b, c, d):  # pragma: no cover (compiled)
    """The largest of a, b, c, d; NaN if one is NaN (as np.maximum: numba's max
    keeps the first argument when the other is NaN). The sum is NaN then, and
    rarely otherwise (inf - inf), hence the second check."""
    m = max(max(a, b), max(c, d))
    s = a + b + c + d
    if s != s and (a != a or b != b or c != c or d != d):
        return s
    return m


@_jit
def max_pool_2x2(x, out):  # pragma: no cover (compiled)
    """out[p, i, j] = the maximum of x[p, 2i:2i+2, 2j:2j+2], x (P, H, W)."""
    for p in prange(out.shape[0]):
        for i in range(out.shape[1]):
            for j in range(out.shape[2]):
                out[p, i, j] = _max4(x[p, 2 * i, 2 * j], x[p, 2 * i, 2 * j + 1],
                                     x[p, 2 * i + 1, 2 * j], x[p, 2 * i + 1, 2 * j + 1])


@_jit
def max_pool_2x2_grad(x, g, gx, counts):  # pragma: no cover (compiled)
    """gx = g / (maxima in the window) at each maximum of each 2 x 2 window,
    0 elsewhere (rows and columns no window reads too); a window holding a NaN
    gets NaN (0 / 0 shares, as the definition's). counts = [0, 1, 2, 3, 4] in
    x's dtype, so that the share is divided in that dtype, as numpy's path is."""
    rows, cols = gx.shape[1], gx.shape[2]
    for p in prange(g.shape[0]):
        for i in range(g.shape[1]):
            for j in range(g.shape[2]):
                a, b = x[p, 2 * i, 2 * j], x[p, 2 * i, 2 * j + 1]
                c, d = x[p, 2 * i + 1, 2 * j], x[p, 2 * i + 1, 2 * j + 1]
                m = _max4(a, b, c, d)
                hit_a, hit_b, hit_c, hit_d = a == m, b == m, c == m, d == m
                share = g[p, i, j] / counts[hit_a + hit_b + hit_c + hit_d]
                gx[p, 2 * i, 2 * j], gx[p, 2 * i, 2 * j + 1] = share * hit_a, share * hit_b
                gx[p, 2 * i + 1, 2 * j], gx[p, 2 * i + 1, 2 * j + 1] = share * hit_c, share * hit_d
        for r in range(rows):  # an odd last row or column: read by no window
            for q in range(2 * g.shape[2], cols):
                gx[p, r, q] = 0
        for r in range(2 * g.shape[1], rows):
            for q in range(cols):
                gx[p, r, q] = 0


@_jit_sums
def layer_norm(x, w, b, out, mean, rstd, eps):  # pragma: no cover (compiled)
    """Each row of x (R, D): out = (x - mean) rstd w + b, rstd = 1 / sqrt(var + eps);
    each row's mean and rstd kept (R, 1). Sums in float64, the rest in x's dtype."""
    d = x.shape[1]
    for r in prange(x.shape[0]):
        total = 0.0
        for j in range(d):
            total += x[r, j]
        mean[r, 0] = total / d
        m = mean[r, 0]  # (read back: in x's dtype)
        squares = 0.0
        for j in range(d):
            squares += (x[r, j] - m) * (x[r, j] - m)
        rstd[r, 0] = 1.0 / math.sqrt(squares / d + eps)
        s = rstd[r, 0]
        for j in range(d):
            out[r, j] = (x[r, j] - m) * s * w[j] + b[j]


@_jit_sums
def layer_norm_grad(x, g, w, mean, rstd, gx, g_xhat, need_x, need_w):  # pragma: no cover (compiled)
    """With gh = g w and xhat = (x - mean) rstd, per row of x (R, D):
    gx = rstd (gh - mean(gh) - xhat mean(gh xhat)), and g_xhat = g xhat (which
    the caller sums over the rows for dL/dw)."""
    d = x.shape[1]
    for r in prange(x.shape[0]):
        m, s = mean[r, 0], rstd[r, 0]
        if need_w:
            for j in range(d):
                g_xhat[r, j] = g[r, j] * ((x[r, j] - m) * s)
        if need_x:
            total, projected = 0.0, 0.0
            for j in range(d):
                gh = g[r, j] * w[j]
                total += gh
                projected += gh * ((x[r, j] - m) * s)
            gx[r, 0] = total / d  # (read back in x's dtype, through the row's first slot, which may be its only one:
            total = gx[r, 0]  # the loop below stays in that dtype)
            gx[r, 0] = projected / d
            projected = gx[r, 0]
            for j in range(d):
                gx[r, j] = s * (g[r, j] * w[j] - total - (x[r, j] - m) * s * projected)


@_jit_sums
def softmax_grad(y, g, gx):  # pragma: no cover (compiled)
    """Each row of (R, D): gx = y (g - sum(g y))."""
    d = y.shape[1]
    for r in prange(y.shape[0]):
        total = 0.0
        for j in range(d):
            total += g[r, j] * y[r, j]
        gx[r, 0] = total  # (read back in y's dtype: the loop below stays in it)
        total = gx[r, 0]
        for j in range(d):
            gx[r, j] = y[r, j] * (g[r, j] - total)
