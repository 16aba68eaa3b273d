"""Elementwise primitives. Inputs of a binary primitive always have the same
shape and dtype: the Tensor layer broadcasts and promotes them first (with the
``BroadcastTo`` and ``Cast`` primitives), so no rule here deals with it.

Each ``backward`` is the op's definition, on Tensors. The fast first-order
kernels on arrays follow at the end of the file, registered in
``fast_backward``."""

from __future__ import annotations

import numpy as np

from autograd.engine import fast_backward
from autograd.function import Function
from autograd.graph import make_tensor
from autograd.primitives._special import erf

_TWO_OVER_SQRT_PI = 2.0 / np.sqrt(np.pi)


def _as_float_for(x: np.ndarray, scalar: float) -> np.ndarray:
    """An integer or bool array meets a Python float: float32, PyTorch's
    default dtype (numpy would make float64)."""
    if type(scalar) is float and x.dtype.kind != "f":
        return x.astype(np.float32)
    return x


class Add(Function):
    """y = a + b;  dy/da = 1,  dy/db = 1"""
    rule = ("grad(a) += grad(out)", "grad(b) += grad(out)")

    saves = ()

    @staticmethod
    def forward(a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Neg(Function):
    """y = -x;  dy/dx = -1"""
    rule = ("grad(x) += -grad(out)",)

    saves = ()

    @staticmethod
    def forward(x):
        return -x

    @staticmethod
    def backward(ctx, g):
        return (-g,)


class Mul(Function):
    """y = a * b;  dy/da = b,  dy/db = a"""
    rule = ("grad(a) += grad(out) * b", "grad(b) += grad(out) * a")

    saves = {0: (1,), 1: (0,)}  # a product with a constant keeps only the constant

    @staticmethod
    def forward(a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)


class Div(Function):
    """y = a / b;  dy/da = 1/b,  dy/db = -a/b**2, computed as -(a/b)/b (PyTorch's
    rounding). Keeps a and b, as PyTorch does, not y: the output may change in place."""
    rule = ("grad(a) += grad(out) / b", "grad(b) += -grad(out) * (a / b) / b")

    saves = {0: (1,), 1: (0, 1)}

    @staticmethod
    def forward(a, b):
        if a.dtype.kind != "f":  # integers divide into the default float dtype, as in PyTorch
            return np.true_divide(a, b, dtype=np.float32)
        return a / b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.inputs
        need_a, need_b = ctx.needs_input_grad
        return (g / b if need_a else None), (-(g * (a / b / b)) if need_b else None)


class Pow(Function):
    """y = a ** b;  dy/da = b * a**(b-1),  dy/db = a**b * ln(a)  (taken as 0 where a <= 0)"""
    rule = ("grad(a) += grad(out) * b * a^(b - 1)", "grad(b) += grad(out) * out * ln(a)")

    saves = {0: (0, 1), 1: (0, "out")}

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
            positive = a._data > 0
            safe_a = Where.apply(a, make_tensor(np.ones_like(a._data)), cond=positive)
            gb = g * ctx.out * safe_a.log()
        return ga, gb


class AddScalar(Function):
    """y = x + c for a Python number c;  dy/dx = 1"""
    rule = ("grad(x) += grad(out)",)

    saves = ()

    @staticmethod
    def forward(x, scalar):
        return _as_float_for(x, scalar) + scalar

    @staticmethod
    def backward(ctx, g):
        return (g,)


class MulScalar(Function):
    """y = c * x for a Python number c;  dy/dx = c  (reads none of the tensor)"""
    rule = ("grad(x) += grad(out) * scalar",)

    saves = ()

    @staticmethod
    def forward(x, scalar):
        return _as_float_for(x, scalar) * scalar

    @staticmethod
    def backward(ctx, g):
        return (g * ctx.options["scalar"],)


class PowScalar(Function):
    """y = x ** c for a Python number c;  dy/dx = c * x**(c-1)"""
    rule = ("grad(x) += grad(out) * scalar * x^(scalar - 1)",)

    saves = (0,)

    @staticmethod
    def forward(x, scalar):
        return np.power(_as_float_for(x, scalar), scalar)

    @staticmethod
    def backward(ctx, g):
        c = ctx.options["scalar"]
        if c == 0:
            return (g * 0.0,)
        if c == 1:
            return (g,)
        return (g * (ctx.inputs[0] ** (c - 1) * c),)


class Exp(Function):
    """y = e**x;  dy/dx = e**x = y"""
    rule = ("grad(x) += grad(out) * out",)

    saves = ("out",)

    @staticmethod
    def forward(x):
        return np.exp(x)

    @staticmethod
    def backward(ctx, g):
        return (g * ctx.out,)


class Sin(Function):
    """y = sin(x);  dy/dx = cos(x)"""
    rule = ("grad(x) += grad(out) * cos(x)",)

    saves = (0,)

    @staticmethod
    def forward(x):
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        return (g * ctx.inputs[0].cos(),)


class Cos(Function):
    """y = cos(x);  dy/dx = -sin(x)"""
    rule = ("grad(x) += grad(out) * -sin(x)",)

    saves = (0,)

    @staticmethod
    def forward(x):
        return np.cos(x)

    @staticmethod
    def backward(ctx, g):
        return (-(g * ctx.inputs[0].sin()),)


class Log(Function):
    """y = ln(x);  dy/dx = 1/x"""
    rule = ("grad(x) += grad(out) / x",)

    saves = (0,)

    @staticmethod
    def forward(x):
        return np.log(x)

    @staticmethod
    def backward(ctx, g):
        return (g / ctx.inputs[0],)


class Sqrt(Function):
    """y = sqrt(x);  dy/dx = 1 / (2 sqrt(x)) = 0.5 / y"""
    rule = ("grad(x) += grad(out) * 0.5 / out",)

    saves = ("out",)

    @staticmethod
    def forward(x):
        return np.sqrt(x)

    @staticmethod
    def backward(ctx, g):
        return (g * 0.5 / ctx.out,)


class SqrtOfVariance(Function):
    """y = sqrt(v) for a variance v >= 0;  dy/dv = 1 / (2 y), taken as 0 where
    y = 0 (a constant row), as PyTorch's std"""
    rule = ("grad(v) += grad(out) / (2 * out)",)

    saves = ("out",)

    @staticmethod
    def forward(v):
        return np.sqrt(v)

    @staticmethod
    def backward(ctx, g):
        y = ctx.out
        positive = y._data > 0
        safe = Where.apply(y, make_tensor(np.ones_like(y._data)), cond=positive)
        return (g * 0.5 / safe * make_tensor(positive.astype(y.dtype)),)


class PiecewiseConstant(Function):
    """y = f(x, ...) for a function f that is constant almost everywhere (a
    sign, a mask, a tie share);  dy/dx = 0.

    Rules use it (through ``piecewise``) for the masks they multiply by, so a
    recorded backward stays connected to its inputs: a second derivative
    through relu or abs is then zeros, as in PyTorch, not "unused"."""
    rule = ("grad(xs[i]) += 0 (the function is constant almost everywhere)",)

    saves = ()

    @staticmethod
    def forward(*xs, f):
        return np.asarray(f(*xs)).astype(xs[0].dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return tuple(make_tensor(np.zeros(s, d)) if need else None
                     for s, d, need in zip(ctx.input_shapes, ctx.input_dtypes, ctx.needs_input_grad))


def piecewise(f, *xs):
    """``f(*xs)`` in the first input's dtype, as a recorded zero-derivative op
    on Tensors (see ``PiecewiseConstant``)."""
    return PiecewiseConstant.apply(*xs, f=f)


class Abs(Function):
    """y = |x|;  dy/dx = sign(x)  (0 at x = 0, as PyTorch)"""
    rule = ("grad(x) += grad(out) * sign(x)",)

    saves = (0,)

    @staticmethod
    def forward(x):
        return np.abs(x)

    @staticmethod
    def backward(ctx, g):
        return (g * piecewise(np.sign, ctx.inputs[0]),)


class Sign(Function):
    """y = sign(x);  dy/dx = 0 (almost everywhere)"""
    rule = ("grad(x) += 0 (sign is flat almost everywhere)",)

    saves = ()

    @staticmethod
    def forward(x):
        return np.sign(x)

    @staticmethod
    def backward(ctx, g):
        return (g * 0.0,)


class Clip(Function):
    """y = min(max(x, lo), hi);  dy/dx = 1 where lo <= x <= hi, else 0 (as torch.clamp)"""
    rule = ("grad(x) += grad(out) * (lo <= x <= hi)",)

    saves = (0,)

    @staticmethod
    def forward(x, lo, hi):
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, g):
        lo, hi = ctx.options["lo"], ctx.options["hi"]

        def inside(x):
            keep = np.ones(x.shape, dtype=bool)
            if lo is not None:
                keep &= x >= lo
            if hi is not None:
                keep &= x <= hi
            return keep

        return (g * piecewise(inside, ctx.inputs[0]),)


def _a_share(a: np.ndarray, b: np.ndarray, a_wins: np.ndarray) -> np.ndarray:
    """Share of the gradient that goes to ``a``: 1 where it wins, 1/2 on ties."""
    return np.where(a == b, 0.5, a_wins)


class Maximum(Function):
    """y = max(a, b) elementwise;  dy/da = 1 where a > b, 1/2 where a == b (the
    gradient is split between ties, as PyTorch does), else 0"""
    rule = ("grad(a) += grad(out) * (1 where a > b, 1/2 where a == b)",
            "grad(b) += grad(out) * (1 where b > a, 1/2 where a == b)")

    saves = (0, 1)

    @staticmethod
    def forward(a, b):
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        w = piecewise(lambda a, b: _a_share(a, b, a > b), *ctx.inputs)
        return g * w, g - g * w


class Minimum(Function):
    """y = min(a, b) elementwise;  dy/da = 1 where a < b, 1/2 on ties, else 0"""
    rule = ("grad(a) += grad(out) * (1 where a < b, 1/2 where a == b)",
            "grad(b) += grad(out) * (1 where b < a, 1/2 where a == b)")

    saves = (0, 1)

    @staticmethod
    def forward(a, b):
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        w = piecewise(lambda a, b: _a_share(a, b, a < b), *ctx.inputs)
        return g * w, g - g * w


class Where(Function):
    """y = a where cond else b;  dy/da = cond,  dy/db = not cond  (cond: a bool array option)"""
    rule = ("grad(a) += grad(out) * cond", "grad(b) += grad(out) * (not cond)")

    saves = ()

    @staticmethod
    def forward(a, b, cond):
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        mask = ctx.options["cond"].astype(ctx.dtype)
        return g * mask, g * (1 - mask)


class Clone(Function):
    """y = a copy of x with its own memory;  dy/dx = 1"""
    rule = ("grad(x) += grad(out)",)

    saves = ()

    @staticmethod
    def forward(x):
        return np.array(x, copy=True, order="C")

    @staticmethod
    def backward(ctx, g):
        return (g,)


class Cast(Function):
    """y = x converted to another dtype;  dy/dx = 1 (the gradient is cast back)"""
    rule = ("grad(x) += grad(out), cast back to the dtype of x",)

    saves = ()

    @staticmethod
    def forward(x, dtype):
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return (g.astype(ctx.input_dtypes[0]),)


class Erf(Function):
    """y = erf(x);  dy/dx = 2/sqrt(pi) * e**(-x**2)"""
    rule = ("grad(x) += grad(out) * 2/√π * e^(-x²)",)

    saves = (0,)

    @staticmethod
    def forward(x):
        return erf(x)

    @staticmethod
    def backward(ctx, g):
        x = ctx.inputs[0]
        return (g * (-(x * x)).exp() * _TWO_OVER_SQRT_PI,)


# -- fast first-order kernels on arrays (checked against the definitions above
# by the op registry's tests) -----------------------------------------------------

# These definitions read only g and the options, so on arrays they are already
# their own fast kernels.
fast_backward.update({op: op.backward for op in (Add, Neg, AddScalar, MulScalar, Sign, Where, Clone, Cast)})


def _mul_grad(ctx, g):
    a, b = ctx.saved.arrays
    need_a, need_b = ctx.needs_input_grad
    return (g * b if need_a else None), (g * a if need_b else None)


def _div_grad(ctx, g):
    a, b = ctx.saved.arrays
    need_a, need_b = ctx.needs_input_grad
    return (g / b if need_a else None), (-(g * (a / b / b)) if need_b else None)


def _pow_scalar_grad(ctx, g):
    c, x = ctx.options["scalar"], ctx.saved.arrays[0]
    if c == 0:
        return (g * x.dtype.type(0),)
    return (g if c == 1 else g * (x ** (c - 1) * c),)


def _erf_grad(ctx, g):
    x = ctx.saved.arrays[0]
    return (g * np.exp(-(x * x)) * x.dtype.type(_TWO_OVER_SQRT_PI),)


def _sqrt_of_variance_grad(ctx, g):
    y = ctx.saved.out
    positive = y > 0
    return (g * 0.5 / np.where(positive, y, 1) * positive,)


fast_backward.update({
    Mul: _mul_grad,
    Div: _div_grad,
    PowScalar: _pow_scalar_grad,
    Exp: lambda ctx, g: (g * ctx.saved.out,),
    Log: lambda ctx, g: (g / ctx.saved.arrays[0],),
    Sqrt: lambda ctx, g: (g * 0.5 / ctx.saved.out,),
    SqrtOfVariance: _sqrt_of_variance_grad,
    Erf: _erf_grad,
})
