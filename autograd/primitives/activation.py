"""Activation primitives, each numerically stable for any finite input."""

from __future__ import annotations

import math

import numpy as np

from autograd import compiled
from autograd.engine import composite_backward, fast_backward
from autograd.function import Function
from autograd.primitives._numpy import BLOCK, blockwise, constant, max_shifted
from autograd.primitives._special import _RATIONAL_P, _RATIONAL_Q, erf, normal_cdf32
from autograd.primitives.elementwise import piecewise

_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class Tanh(Function):
    """y = tanh(x);  dy/dx = 1 - y**2"""
    rule = ("grad(x) += grad(out) * (1 - out²)",)

    saves = ("out",)

    @staticmethod
    def forward(x):
        return np.tanh(x)

    @staticmethod
    def backward(ctx, g):
        y = ctx.out
        return (g * (1.0 - y * y),)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # exp(-|x|) never overflows; pick the matching algebraic form per sign
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)


class Sigmoid(Function):
    """y = 1 / (1 + e**-x);  dy/dx = y * (1 - y)"""
    rule = ("grad(x) += grad(out) * out * (1 - out)",)

    saves = ("out",)

    @staticmethod
    def forward(x):
        return _sigmoid(x)

    @staticmethod
    def backward(ctx, g):
        y = ctx.out
        return (g * y * (1.0 - y),)


def _positive(y: np.ndarray) -> np.ndarray:
    return y > 0


class ReLU(Function):
    """y = max(x, 0);  dy/dx = 1 where y > 0, else 0"""
    rule = ("grad(x) += grad(out) * (out > 0)",)

    saves = ("out",)

    @staticmethod
    def forward(x):
        return np.maximum(x, constant(0, x.dtype))

    @staticmethod
    def backward(ctx, g):
        return (g * piecewise(_positive, ctx.out),)


class LeakyReLU(Function):
    """y = x where x > 0, else slope * x;  dy/dx = 1 where x > 0, else slope"""
    rule = ("grad(x) += grad(out) * (1 where x > 0, else slope)",)

    saves = (0,)

    @staticmethod
    def forward(x, slope):
        return np.where(x > 0, x, x * slope)

    @staticmethod
    def backward(ctx, g):
        slope = ctx.options["slope"]
        return (g * piecewise(lambda x: np.where(x > 0, 1.0, slope), ctx.inputs[0]),)


class Softplus(Function):
    """y = ln(1 + e**x);  dy/dx = sigmoid(x)  (computed as logaddexp(0, x): no overflow)"""
    rule = ("grad(x) += grad(out) * sigmoid(x)",)

    saves = (0,)

    @staticmethod
    def forward(x):
        return np.logaddexp(0, x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return (g * ctx.inputs[0].sigmoid(),)


class ELU(Function):
    """y = x where x > 0, else alpha * (e**x - 1);  dy/dx = 1 where x > 0, else alpha * e**x.
    Keeps x, as PyTorch does, not y: the output may change in place."""
    rule = ("grad(x) += grad(out) * (1 where x > 0, else alpha * exp(x))",)

    saves = (0,)

    @staticmethod
    def forward(x, alpha):
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        positive = piecewise(_positive, x)
        negative = 1.0 - positive  # (exp(x * negative) is exp(min(x, 0)): no overflow where x > 0)
        return (g * (positive + ctx.options["alpha"] * (x * negative).exp() * negative),)


class LogSoftmax(Function):
    """y = x - logsumexp(x, axis);  dy/dx . g = g - softmax(x) * sum(g, axis)"""
    rule = ("grad(x) += grad(out) - softmax(x) * sum(grad(out), axis)",)

    saves = ("out",)

    @staticmethod
    def forward(x, axis):
        shifted, _ = max_shifted(x, axis)
        return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))

    @staticmethod
    def backward(ctx, g):
        return (g - ctx.out.exp() * g.sum(axis=ctx.options["axis"], keepdims=True),)


class GELU(Function):
    """y = x Phi(x), Phi the standard normal CDF (the exact, erf form);
    dy/dx = Phi(x) + x phi(x), phi the normal density.
    Fused: blocks of float32 work instead of five primitives, keeping only x."""
    rule = ("grad(x) += grad(out) * (Φ(x) + x φ(x))",)

    saves = (0,)

    @staticmethod
    def forward(x):
        fast = compiled.kernel("gelu", x) if x.dtype == np.float32 else None
        if fast is not None:  # one compiled pass on every core (autograd/compiled.py)
            out = np.empty_like(x)
            compiled.call(fast, x.reshape(-1), out.reshape(-1), *_CONSTANTS32[:3], *_RATIONAL32)
            return out
        return blockwise(_gelu, x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        cdf = ((x * _INV_SQRT_2).erf() + 1.0) * 0.5
        return (g * (cdf + x * (x * x * -0.5).exp() * _INV_SQRT_2PI),)


class GELUTanh(Function):
    """y = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3): GELU's tanh form;
    dy/dx = (1 + t)/2 + x/2 (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2), t = tanh(u).
    Fused: blocks of work instead of eight primitives, keeping only x; the
    recorded rule is the composite's."""
    rule = ("grad(x) += grad(out) * ((1 + t)/2 + x/2 (1 - t²) √(2/π) (1 + 0.134145 x²)), t = tanh(u)",)

    saves = (0,)

    @staticmethod
    def forward(x):
        return blockwise(_gelu_tanh, x)

    @staticmethod
    def backward(ctx, g):
        return composite_backward(ctx, g, gelu_tanh_composite)


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_CUBIC = 0.044715


def gelu_tanh_composite(x):
    """GELU's tanh form written with Tensor ops (the fused op's recorded rule)."""
    return x * (((x + x * x * x * _CUBIC) * _SQRT_2_OVER_PI).tanh() + 1.0) * 0.5


def _gelu_tanh_inner(x: np.ndarray, x2: np.ndarray) -> np.ndarray:
    f = x.dtype.type
    t = x2 * f(_CUBIC)
    t += f(1.0)
    t *= x
    t *= f(_SQRT_2_OVER_PI)
    return np.tanh(t, out=t)


def _gelu_tanh(x: np.ndarray) -> np.ndarray:
    f = x.dtype.type
    t = _gelu_tanh_inner(x, x * x)
    t += f(1.0)
    t *= x
    t *= f(0.5)
    return t


def _gelu_tanh_grad(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    f = x.dtype.type
    x2 = x * x
    t = _gelu_tanh_inner(x, x2)
    slope = x2 * f(3 * _CUBIC)  # du/dx / sqrt(2/pi)
    slope += f(1.0)
    slope *= x
    slope *= f(0.5 * _SQRT_2_OVER_PI)
    x2 = np.multiply(t, t, out=x2)
    np.subtract(f(1.0), x2, out=x2)  # 1 - t^2
    slope *= x2
    t += f(1.0)
    t *= f(0.5)
    slope += t
    slope *= g
    return slope


def _cdf(x: np.ndarray) -> np.ndarray:
    """Phi(x) as a new array: the fast float32 form, or from erf for float64."""
    if x.dtype == np.float32:
        return normal_cdf32(x)
    cdf = erf(x * x.dtype.type(_INV_SQRT_2))
    cdf += x.dtype.type(1.0)
    cdf *= x.dtype.type(0.5)
    return cdf


def _gelu(x: np.ndarray) -> np.ndarray:
    cdf = _cdf(x)
    cdf *= x
    return cdf


# the compiled float32 GELU's constants: 1/2, 1/sqrt(2), erf's clip at 4, 1/sqrt(2 pi), and normal_cdf32's rational form
_CONSTANTS32 = tuple(np.float32(v) for v in (0.5, _INV_SQRT_2, 4.0, _INV_SQRT_2PI))
_RATIONAL32 = tuple(tuple(np.float32(c) for c in coefficients) for coefficients in (_RATIONAL_P, _RATIONAL_Q))


def _gelu_backward(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    fast = compiled.kernel("gelu_grad", x, g) if x.dtype == np.float32 else None
    if fast is None:
        return blockwise(_gelu_grad, x, g)
    out = np.empty_like(x)
    compiled.call(fast, x.reshape(-1), g.reshape(-1), out.reshape(-1), *_CONSTANTS32, *_RATIONAL32)
    return out


def _gelu_grad(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    one = x.dtype.type
    pdf = x * x
    pdf *= one(-0.5)
    np.exp(pdf, out=pdf)
    pdf *= x
    pdf *= one(_INV_SQRT_2PI)  # x phi(x)
    pdf += _cdf(x)
    pdf *= g
    return pdf


class Softmax(Function):
    """y = e**x / sum(e**x, axis);  dy/dx . g = y * (g - sum(g * y, axis))"""
    rule = ("grad(x) += out * (grad(out) - sum(grad(out) * out, axis))",)

    saves = ("out",)

    @staticmethod
    def forward(x, axis):
        e = np.exp(max_shifted(x, axis)[0])
        e /= np.sum(e, axis=axis, keepdims=True)
        return e

    @staticmethod
    def backward(ctx, g):
        y = ctx.out
        gy = g * y
        return (gy - y * gy.sum(axis=ctx.options["axis"], keepdims=True),)


# -- fast first-order kernels on arrays (checked against the definitions above
# by the op registry's tests) -----------------------------------------------------

_ONE = {np.dtype(t): np.ones((), t) for t in (np.float32, np.float64)}  # (a 0-d array: cheaper than 1.0)


def _tanh_grad(ctx, g):
    y = ctx.saved.out  # g * (1 - y**2), rounded as PyTorch's
    one = _ONE.get(y.dtype, 1)
    if y.size < BLOCK:  # plain expressions: on small arrays out= costs more than the temporaries
        return (g * (one - y * y),)
    out = np.multiply(y, y, out=np.empty_like(y))  # one new array
    np.subtract(one, out, out=out)
    return (np.multiply(out, g, out=out),)


def _sigmoid_grad(ctx, g):
    y = ctx.saved.out
    out = np.multiply(g, y, out=np.empty_like(y))  # g * y * (1 - y) in one new array and one temporary
    return (np.subtract(out, out * y, out=out),)


def _relu_grad(ctx, g):
    y = ctx.saved.out
    # a float mask multiplied in place: a bool operand would send the product
    # through numpy's casting loop, twice the cost on a layer
    mask = np.greater(y, constant(0, y.dtype)).astype(y.dtype)
    mask *= g
    return (mask,)


def _leaky_relu_grad(ctx, g):
    x = ctx.saved.arrays[0]
    return (g * np.where(x > 0, 1.0, ctx.options["slope"]).astype(x.dtype, copy=False),)


def _log_softmax_grad(ctx, g):
    return (g - np.exp(ctx.saved.out) * g.sum(axis=ctx.options["axis"], keepdims=True),)


def _softmax_grad(ctx, g):
    y = ctx.saved.out
    fast = compiled.kernel("softmax_grad", y, g) if ctx.options["axis"] == y.ndim - 1 else None
    if fast is not None:  # one compiled pass on every core (autograd/compiled.py)
        gx = np.empty_like(y)
        compiled.call(fast, *map(compiled.as_rows, (y, g, gx)))
        return (gx,)
    gy = g * y
    return (gy - y * gy.sum(axis=ctx.options["axis"], keepdims=True),)


fast_backward.update({
    Tanh: _tanh_grad,
    Sigmoid: _sigmoid_grad,
    ReLU: _relu_grad,
    LeakyReLU: _leaky_relu_grad,
    LogSoftmax: _log_softmax_grad,
    Softmax: _softmax_grad,
    Softplus: lambda ctx, g: (g * _sigmoid(ctx.saved.arrays[0]),),
    GELU: lambda ctx, g: (_gelu_backward(ctx.saved.arrays[0], g),),
    GELUTanh: lambda ctx, g: (blockwise(_gelu_tanh_grad, ctx.saved.arrays[0], g),),
})
