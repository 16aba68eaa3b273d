"""erf for numpy arrays (numpy has none; scipy is not a dependency).

float64: piecewise Chebyshev interpolants of ``math.erf`` on [k, k+1] for
k = 0..5 (fitted once at import), accurate to ~1e-15; erf is odd and |erf(x)|
rounds to 1 beyond 6.

float32 (and smaller): computed in float32 with no masks: the Maclaurin series
near 0 (relative accuracy where erf is small) and Numerical Recipes' erfc
approximation elsewhere (error below 1.2e-7), picked per element. Within a
few float32 ulps of ``math.erf``, at float32 speed and memory.

``normal_cdf32``, for GELU: 0.5 (1 + erf(x / sqrt 2)) in float32 from one
rational function, erf(z) ~ z P(z^2) / Q(z^2) on [-4, 4] (the approximation
Eigen and XLA use), faster than Phi from ``erf`` (docs/performance.md). Its absolute
error (GELU within 1.5e-6 of exact, as PyTorch's float32 GELU is) suits
x Phi(x); erf itself keeps the slower form, which is within 2 float32 ulps.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.polynomial import chebyshev as C

from autograd.primitives._numpy import blockwise

_DEGREE = 24
_PIECES = 6
_COEFFS = [
    C.chebinterpolate(lambda t, k=k: np.array([math.erf(k + 0.5 * (v + 1.0)) for v in t]), _DEGREE)
    for k in range(_PIECES)
]
# erfc(z) ~ t exp(-z^2 + P(t)), t = 1 / (1 + z/2)  (Numerical Recipes, 6.2)
_ERFC = (-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398,
         1.48851587, -0.82215223, 0.17087277)
# erf(x) = 2/sqrt(pi) (x - x^3/3 + x^5/10 - x^7/42 + x^9/216 - x^11/1320), for |x| < 0.5
_SERIES = tuple(2 / math.sqrt(math.pi) * c for c in (1.0, -1 / 3, 1 / 10, -1 / 42, 1 / 216, -1 / 1320))


# erf(z) ~ z P(z^2) / Q(z^2) for |z| <= 4 (beyond, erf rounds to +-1 in float32)
_RATIONAL_P = (-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06, -5.69250639462346e-05,
               -7.34990630326855e-04, -2.95459980854025e-03, -1.60960333262415e-02)
_RATIONAL_Q = (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03, -7.37332916720468e-03,
               -1.42647390514189e-02)


def normal_cdf32(x: np.ndarray) -> np.ndarray:
    """Phi(x) = 0.5 (1 + erf(x / sqrt 2)) for a float32 block, as a new array."""
    f = x.dtype.type
    z = np.multiply(x, f(1 / math.sqrt(2.0)))
    np.clip(z, f(-4.0), f(4.0), out=z)
    z2 = z * z
    p = np.full_like(z, _RATIONAL_P[0])
    for c in _RATIONAL_P[1:]:  # Horner, in place
        p *= z2
        p += f(c)
    q = np.full_like(z, _RATIONAL_Q[0])
    for c in _RATIONAL_Q[1:]:
        q *= z2
        q += f(c)
    p *= z
    p /= q  # erf(z)
    p *= f(0.5)
    p += f(0.5)
    return p


def erf(x: np.ndarray) -> np.ndarray:
    """Elementwise error function, returned in x's float dtype."""
    x = np.asarray(x)
    if x.dtype.kind == "f" and x.dtype.itemsize <= 4:
        return _erf32(x)
    a = np.abs(x.astype(np.float64))
    out = np.ones_like(a)
    piece = np.floor(a).astype(np.intp)
    for k in range(_PIECES):
        sel = piece == k
        if sel.any():
            out[sel] = C.chebval(2.0 * (a[sel] - k) - 1.0, _COEFFS[k])
    out[np.isnan(a)] = np.nan
    out = np.copysign(out, x)
    return out.astype(x.dtype if x.dtype.kind == "f" else np.float64, copy=False)


def _erf32(x: np.ndarray) -> np.ndarray:
    return blockwise(_erf32_block, x)


def _erf32_block(x: np.ndarray) -> np.ndarray:
    dtype = x.dtype
    z = np.abs(x)
    t = z * dtype.type(0.5)
    t += dtype.type(1.0)
    np.reciprocal(t, out=t)
    p = np.full_like(t, _ERFC[-1])
    for c in _ERFC[-2::-1]:  # Horner, in place
        p *= t
        p += dtype.type(c)
    q = np.minimum(z, dtype.type(10.0))  # erfc(10) is 0 in float32; no overflow in the square
    q *= q
    np.subtract(p, q, out=p)
    np.exp(p, out=p)
    p *= t  # erfc(|x|)
    far = np.subtract(dtype.type(1.0), p, out=p)  # erf(|x|) away from 0
    far = np.copysign(far, x, out=far)
    np.minimum(q, dtype.type(0.25), out=q)  # the series is used only below |x| = 0.5
    near = np.full_like(x, _SERIES[-1])
    for c in _SERIES[-2::-1]:
        near *= q
        near += dtype.type(c)
    near *= x
    return np.where(z < dtype.type(0.5), near, far)
