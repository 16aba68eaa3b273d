"""Elementwise primitives. Inputs of a binary primitive always have the same
shape and dtype: the Tensor layer broadcasts and promotes them first (with the
``BroadcastTo`` and ``Cast`` primitives), so no rule here deals with it."""

from __future__ import annotations

import numpy as np

from autograd.function import Function, const
from autograd.ops._special import erf

_TWO_OVER_SQRT_PI = 2.0 / np.sqrt(np.pi)


class Add(Function):
    """y = a + b;  dy/da = 1,  dy/db = 1"""

    @staticmethod
    def forward(a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g

    @staticmethod
    def backward_numpy(g, out, inputs, needs, options):
        return g, g


class Neg(Function):
    """y = -x;  dy/dx = -1"""

    @staticmethod
    def forward(x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return (-g,)

    @staticmethod
    def backward_numpy(g, out, inputs, needs, options):
        return (-g,)


class Mul(Function):
    """y = a * b;  dy/da = b,  dy/db = a"""

    @staticmethod
    def forward(a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)

    @staticmethod
    def backward_numpy(g, out, inputs, needs, options):
        a, b = inputs
        return (g * b if needs[0] else None), (g * a if needs[1] else None)


class Div(Function):
    """y = a / b;  dy/da = 1/b,  dy/db = -a/b**2 = -y/b"""

    @staticmethod
    def forward(a, b):
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        ga = g / b if need_a else None
        gb = -(g * ctx.out) / b if need_b else None
        return ga, gb

    @staticmethod
    def backward_numpy(g, out, inputs, needs, options):
        a, b = inputs
        return (g / b if needs[0] else None), (-(g * out) / b if needs[1] else None)


class Pow(Function):
    """y = a ** b;  dy/da = b * a**(b-1),  dy/db = a**b * ln(a)  (taken as 0 where a <= 0)"""

    @staticmethod
    def forward(a, b):
        return np.power(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        ga = g * b * Pow.apply(a, b - 1.0) if need_a else None
        gb = None
        if need_b:
            positive = a.data > 0
            safe_a = Where.apply(a, const(np.ones_like(a.data)), cond=positive)
            gb = g * ctx.out * safe_a.log()
        return ga, gb


class AddScalar(Function):
    """y = x + c for a Python number c;  dy/dx = 1"""

    @staticmethod
    def forward(x, scalar):
        return x + scalar

    @staticmethod
    def backward(ctx, g):
        return (g,)

    @staticmethod
    def backward_numpy(g, out, inputs, needs, options):
        return (g,)


class MulScalar(Function):
    """y = c * x for a Python number c;  dy/dx = c"""

    @staticmethod
    def forward(x, scalar):
        return x * scalar

    @staticmethod
    def backward(ctx, g):
        return (MulScalar.apply(g, scalar=ctx.scalar),)

    @staticmethod
    def backward_numpy(g, out, inputs, needs, options):
        return (g * options["scalar"],)


class PowScalar(Function):
    """y = x ** c for a Python number c;  dy/dx = c * x**(c-1)"""

    @staticmethod
    def forward(x, scalar):
        return np.power(x, scalar)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.inputs
        c = ctx.scalar
        if c == 0:
            return (g * 0.0,)
        if c == 1:
            return (g,)
        return (g * (PowScalar.apply(x, scalar=c - 1) * c),)


class Exp(Function):
    """y = e**x;  dy/dx = e**x = y"""

    @staticmethod
    def forward(x):
        return np.exp(x)

    @staticmethod
    def backward(ctx, g):
        return (g * ctx.out,)

    @staticmethod
    def backward_numpy(g, out, inputs, needs, options):
        return (g * out,)


class Log(Function):
    """y = ln(x);  dy/dx = 1/x"""

    @staticmethod
    def forward(x):
        return np.log(x)

    @staticmethod
    def backward(ctx, g):
        return (g / ctx.inputs[0],)

    @staticmethod
    def backward_numpy(g, out, inputs, needs, options):
        return (g / inputs[0],)


class Sqrt(Function):
    """y = sqrt(x);  dy/dx = 1 / (2 sqrt(x)) = 0.5 / y"""

    @staticmethod
    def forward(x):
        return np.sqrt(x)

    @staticmethod
    def backward(ctx, g):
        return (g * 0.5 / ctx.out,)


class Abs(Function):
    """y = |x|;  dy/dx = sign(x)  (0 at x = 0, as PyTorch)"""

    @staticmethod
    def forward(x):
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        return (g * const(np.sign(ctx.inputs[0].data)),)


class Sign(Function):
    """y = sign(x);  dy/dx = 0 (almost everywhere)"""

    @staticmethod
    def forward(x):
        return np.sign(x)

    @staticmethod
    def backward(ctx, g):
        return (g * 0.0,)


class Clip(Function):
    """y = min(max(x, lo), hi);  dy/dx = 1 where lo <= x <= hi, else 0 (as torch.clamp)"""

    @staticmethod
    def forward(x, lo, hi):
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0].data
        inside = np.ones(x.shape, dtype=bool)
        if ctx.lo is not None:
            inside &= x >= ctx.lo
        if ctx.hi is not None:
            inside &= x <= ctx.hi
        return (g * const(inside.astype(x.dtype)),)


def _tie_weights(a: np.ndarray, b: np.ndarray, a_wins: np.ndarray) -> np.ndarray:
    """Share of the gradient that goes to ``a``: 1 where it wins, 1/2 on ties."""
    return np.where(a == b, 0.5, a_wins).astype(a.dtype)


class Maximum(Function):
    """y = max(a, b) elementwise;  dy/da = 1 where a > b, 1/2 where a == b (the
    gradient is split between ties, as PyTorch does), else 0"""

    @staticmethod
    def forward(a, b):
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        w = _tie_weights(a.data, b.data, a.data > b.data)
        return g * const(w), g * const(1 - w)


class Minimum(Function):
    """y = min(a, b) elementwise;  dy/da = 1 where a < b, 1/2 on ties, else 0"""

    @staticmethod
    def forward(a, b):
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        w = _tie_weights(a.data, b.data, a.data < b.data)
        return g * const(w), g * const(1 - w)


class Where(Function):
    """y = a where cond else b;  dy/da = cond,  dy/db = not cond  (cond: a bool array option)"""

    @staticmethod
    def forward(a, b, cond):
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        mask = ctx.cond.astype(g.dtype)
        return g * const(mask), g * const(1 - mask)


class Cast(Function):
    """y = x converted to another dtype;  dy/dx = 1 (the gradient is cast back)"""

    @staticmethod
    def forward(x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return (Cast.apply(g, dtype=ctx.inputs[0].dtype),)


class Erf(Function):
    """y = erf(x);  dy/dx = 2/sqrt(pi) * e**(-x**2)"""

    @staticmethod
    def forward(x):
        return erf(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return (g * (-(x * x)).exp() * _TWO_OVER_SQRT_PI,)
