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
from numba import prange

__all__ = ["numba", "adam", "gelu", "gelu_grad"]

_jit = numba.njit(parallel=True, cache=True, nogil=True)


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
    """out = g (Phi(x) + x phi(x)) over flat arrays."""
    for i in prange(x.size):
        xi = x[i]
        out[i] = g[i] * (_normal_cdf(xi, half, inv_sqrt_2, limit, p, q) + xi * math.exp(-half * xi * xi) * inv_sqrt_2pi)
