"""The op registry: one line per Tensor op, read by every test that sweeps ops.

- the op table (``test_op_table.py``): forward against ``ref`` on numpy, gradients
  against finite differences in float64 (and second order when ``smooth``), and
  float32 in gives float32 out, on shapes drawn by hypothesis;
- the fuzzer (``test_fuzz.py``): random graphs of these ops;
- the extreme-input checks (``test_extremes.py``): the ops marked ``extreme``;
- the PyTorch oracle (``test_ops_torch.py``): the ops with a ``torch`` spelling;
- the scalar engine (``engine/test_value.py``): the ops marked ``scalar``, on Values.

Testing a new op is one line here (docs/design.md, "Where an op lives").
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import autograd as ag

REAL = (-3.0, 3.0)


@dataclass(frozen=True)
class Op:
    name: str
    fn: Callable[..., Any]  # the op on Tensors (and on Values when ``scalar``)
    ref: Callable[..., Any]  # the same on numpy arrays
    domain: tuple = (REAL,)  # (lo, hi) of each input
    smooth: bool = True  # checked to second order; False: kinks, kept away from
    scalar: bool = False  # Value has the op with the same spelling
    torch: Callable[..., Any] | None = None  # PyTorch's spelling, on torch tensors
    extreme: bool = False  # finite values and gradients at +-3e4, float32 and float64
    guard: Callable[..., Any] | None = None  # fuzzer: maps any real input into the domain
    min_dims: int = 0  # fewest dimensions it takes (softmax: 1)
    min_side: int = 1  # fewest elements along each axis (an unbiased variance: 2)
    kinks: tuple = (0.0,)  # where a non-smooth op is not differentiable: inputs are kept away

    @property
    def arity(self) -> int:
        return len(self.domain)

    def guarded(self, *inputs):
        """The op on any real inputs (Tensors or Values), each first mapped into
        its domain: the op's own guard, or t * t + 1 for positive numbers."""
        guards = self.guard if isinstance(self.guard, tuple) else (self.guard,) * self.arity
        mapped = []
        for t, guard, (lo, _) in zip(inputs, guards, self.domain):
            guard = guard or (positive(1.0) if lo > 0 else None)
            mapped.append(guard(t) if guard else t)
        return self.fn(*mapped)

    def __repr__(self) -> str:  # pytest ids
        return self.name


def unary(name, fn, ref, domain=REAL, **kw) -> Op:
    return Op(name, fn, ref, (domain,), **kw)


def binary(name, fn, ref, da=REAL, db=REAL, **kw) -> Op:
    return Op(name, fn, ref, (da, db), **kw)


def erf(x):
    return np.vectorize(math.erf, otypes=[float])(x)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def log_softmax(x, axis):
    """The numpy reference, max subtracted first (the losses' tests use it too)."""
    z = x - x.max(axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis, keepdims=True))


def positive(lo):
    """A fuzzer guard: any real t into (lo, inf)."""
    return lambda t: t * t + lo


def shrink(t):
    """A fuzzer guard for fast-growing ops, so that chains of them stay finite."""
    return t * 0.5


def _torch():
    import torch
    return torch


def _torch_prod(t, axes, keepdim):
    """torch.prod takes one dim: reduce the axes one at a time, the last first."""
    for axis in sorted(axes if isinstance(axes, tuple) else (axes,), reverse=True):
        t = t.prod(axis, keepdim=keepdim)
    return t


UNARY = [
    unary("neg", lambda x: -x, np.negative, scalar=True, torch=lambda t: -t),
    unary("exp", lambda x: x.exp(), np.exp, scalar=True, torch=lambda t: t.exp(), guard=shrink),
    unary("log", lambda x: x.log(), np.log, (0.2, 4), scalar=True, torch=lambda t: t.log(), guard=positive(1.0)),
    unary("log10", lambda x: x.log10(), np.log10, (0.2, 4), torch=lambda t: t.log10(), guard=positive(1.0)),
    unary("sqrt", lambda x: x.sqrt(), np.sqrt, (0.2, 4), scalar=True, torch=lambda t: t.sqrt(), guard=positive(1.0)),
    unary("sin", lambda x: x.sin(), np.sin, torch=lambda t: t.sin()),
    unary("cos", lambda x: x.cos(), np.cos, torch=lambda t: t.cos()),
    unary("abs", lambda x: x.abs(), np.abs, smooth=False, torch=lambda t: t.abs()),
    unary("sign", lambda x: x.sign(), np.sign, smooth=False, torch=lambda t: t.sign()),
    unary("erf", lambda x: x.erf(), erf, torch=lambda t: t.erf()),
    unary("tanh", lambda x: x.tanh(), np.tanh, scalar=True, torch=lambda t: t.tanh(), extreme=True),
    unary("sigmoid", lambda x: x.sigmoid(), sigmoid, (-4, 4), scalar=True, torch=lambda t: t.sigmoid(), extreme=True),
    unary("relu", lambda x: x.relu(), lambda x: np.maximum(x, 0), smooth=False, scalar=True,
          torch=lambda t: t.relu()),
    unary("leaky_relu", lambda x: x.leaky_relu(), lambda x: np.where(x > 0, x, 0.01 * x), smooth=False, scalar=True,
          torch=lambda t: _torch().nn.functional.leaky_relu(t)),
    unary("leaky_relu_0.2", lambda x: x.leaky_relu(0.2), lambda x: np.where(x > 0, x, 0.2 * x), smooth=False,
          scalar=True, torch=lambda t: _torch().nn.functional.leaky_relu(t, 0.2)),
    unary("gelu", lambda x: x.gelu(), lambda x: x * 0.5 * (1 + erf(x / np.sqrt(2))), scalar=True, extreme=True,
          torch=lambda t: _torch().nn.functional.gelu(t)),
    unary("gelu_tanh", lambda x: x.gelu("tanh"),
          lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3))), extreme=True,
          torch=lambda t: _torch().nn.functional.gelu(t, approximate="tanh")),
    unary("silu", lambda x: x.silu(), lambda x: x * sigmoid(x), (-4, 4), scalar=True, extreme=True,
          torch=lambda t: _torch().nn.functional.silu(t)),
    unary("softplus", lambda x: x.softplus(), lambda x: np.log1p(np.exp(x)), (-4, 4), scalar=True, extreme=True,
          torch=lambda t: _torch().nn.functional.softplus(t)),
    unary("elu", lambda x: x.elu(), lambda x: np.where(x > 0, x, np.expm1(x)), smooth=False,
          torch=lambda t: _torch().nn.functional.elu(t)),
    unary("elu_0.5", lambda x: x.elu(0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(x)), smooth=False),
    unary("clip", lambda x: x.clip(-1.0, 1.5), lambda x: np.clip(x, -1.0, 1.5), smooth=False, kinks=(-1.0, 1.5),
          torch=lambda t: t.clamp(-1.0, 1.5)),
    unary("clip_lo", lambda x: x.clip(min=0.5), lambda x: np.clip(x, 0.5, None), smooth=False, kinks=(0.5,)),
    unary("add_scalar", lambda x: x + 2.5, lambda x: x + 2.5, scalar=True),
    unary("log1p", lambda x: x.log1p(), np.log1p, (-0.5, 3), torch=lambda t: t.log1p(), guard=positive(0.0)),
    unary("expm1", lambda x: x.expm1(), np.expm1, torch=lambda t: t.expm1(), guard=shrink),
    unary("rsqrt", lambda x: x.rsqrt(), lambda x: 1 / np.sqrt(x), (0.2, 4), torch=lambda t: t.rsqrt(),
          guard=positive(1.0)),
    unary("reciprocal", lambda x: x.reciprocal(), np.reciprocal, (0.5, 3), torch=lambda t: t.reciprocal(),
          guard=positive(1.0)),
    unary("square_method", lambda x: x.square(), np.square, torch=lambda t: t.square()),
    unary("flip_dim0", lambda x: x.flip(0), lambda x: np.flip(x, 0), min_dims=1, torch=lambda t: t.flip(0)),
    unary("roll", lambda x: x.roll(1, 0), lambda x: np.roll(x, 1, 0), min_dims=1, torch=lambda t: t.roll(1, 0)),
    unary("lerp", lambda x: x.lerp(x * 0.5 + 1.0, 0.25), lambda x: x + (x * 0.5 + 1.0 - x) * 0.25,
          torch=lambda t: t.lerp(t * 0.5 + 1.0, 0.25)),
    unary("rsub_scalar", lambda x: 2.5 - x, lambda x: 2.5 - x, scalar=True),
    unary("mul_scalar", lambda x: 3.0 * x, lambda x: 3.0 * x, scalar=True),
    unary("div_scalar", lambda x: x / 3.0, lambda x: x / 3.0, scalar=True),
    unary("rdiv_scalar", lambda x: 3.0 / x, lambda x: 3.0 / x, (0.3, 3), scalar=True, guard=positive(0.5)),
    unary("square", lambda x: x**2, lambda x: x**2, scalar=True),
    unary("cube", lambda x: x**3, lambda x: x**3, (-2, 2), scalar=True, torch=lambda t: t**3),
    unary("pow_half", lambda x: x**0.5, lambda x: x**0.5, (0.2, 3), scalar=True, guard=positive(0.5)),
    unary("pow_-1.5", lambda x: x**-1.5, lambda x: x**-1.5, (0.2, 3), scalar=True, guard=positive(0.5)),
    unary("rpow_scalar", lambda x: 2.0**x, lambda x: 2.0**x, (-2, 2), scalar=True, guard=shrink),
    unary("softmax", lambda x: x.softmax(-1), lambda x: np.exp(log_softmax(x, -1)), min_dims=1, extreme=True,
          torch=lambda t: t.softmax(-1)),
    unary("log_softmax", lambda x: x.log_softmax(0), lambda x: log_softmax(x, 0), min_dims=1,
          torch=lambda t: t.log_softmax(0)),
    unary("log_softmax_last", lambda x: x.log_softmax(-1), lambda x: log_softmax(x, -1), min_dims=1, extreme=True),
    unary("flip", lambda x: x[..., ::-1], lambda x: x[..., ::-1], min_dims=1, torch=lambda t: t.flip(-1)),
    # PyTorch's spellings of reductions that numpy spells otherwise
    unary("var_unbiased", lambda x: x.var(0), lambda x: np.var(x, 0, ddof=1), min_dims=1, min_side=2,
          torch=lambda t: t.var(0)),
    unary("std_dim_keepdim", lambda x: x.std(dim=-1, keepdim=True), lambda x: np.std(x, -1, ddof=1, keepdims=True),
          min_dims=1, min_side=2, torch=lambda t: t.std(dim=-1, keepdim=True)),
    # norms on positive inputs: at the zero vector the gradient is PyTorch's 0 (tested apart), not smooth
    unary("norm", lambda x: x.norm(), lambda x: np.sqrt((x * x).sum()), (0.2, 3), torch=lambda t: t.norm()),
    unary("norm_dim", lambda x: x.norm(dim=-1, keepdim=True), lambda x: np.linalg.norm(x, axis=-1, keepdims=True),
          (0.2, 3), min_dims=1, torch=lambda t: t.norm(dim=-1, keepdim=True)),
    unary("norm_1", lambda x: x.norm(1, dim=0), lambda x: np.abs(x).sum(0), (0.2, 3), min_dims=1,
          torch=lambda t: t.norm(1, dim=0)),
    unary("norm_3", lambda x: x.norm(3), lambda x: (np.abs(x) ** 3).sum() ** (1 / 3), (0.2, 3),
          torch=lambda t: t.norm(3)),
    unary("clone", lambda x: x.clone() * x, lambda x: x * x),
    unary("contiguous", lambda x: x.transpose().contiguous() * 2.0, lambda x: x.T * 2.0),
]

BINARY = [
    binary("add", lambda a, b: a + b, np.add, scalar=True, torch=lambda a, b: a + b),
    binary("sub", lambda a, b: a - b, np.subtract, scalar=True, torch=lambda a, b: a - b),
    binary("mul", lambda a, b: a * b, np.multiply, scalar=True, torch=lambda a, b: a * b),
    binary("div", lambda a, b: a / b, np.divide, REAL, (0.5, 3), scalar=True, torch=lambda a, b: a / b,
           guard=(None, positive(1.0))),
    binary("pow", lambda a, b: a**b, np.power, (0.5, 2), (-2, 2), scalar=True, torch=lambda a, b: a**b,
           guard=(positive(0.5), shrink)),
    binary("maximum", ag.maximum, np.maximum, smooth=False, torch=lambda a, b: _torch().maximum(a, b)),
    binary("minimum", ag.minimum, np.minimum, smooth=False, torch=lambda a, b: _torch().minimum(a, b)),
    binary("where", lambda a, b: ag.where(a.numpy() > b.numpy(), a * 2.0, b), lambda a, b: np.where(a > b, a * 2, b),
           smooth=False),
]

# reductions: fn(x, axis, keepdims); checked over every axis combination
REDUCTIONS = [
    Op("sum", lambda x, ax, k: x.sum(axis=ax, keepdims=k), lambda x, ax, k: np.sum(x, axis=ax, keepdims=k)),
    Op("mean", lambda x, ax, k: x.mean(axis=ax, keepdims=k), lambda x, ax, k: np.mean(x, axis=ax, keepdims=k)),
    Op("var", lambda x, ax, k: x.var(axis=ax, keepdims=k, ddof=0), lambda x, ax, k: np.var(x, axis=ax, keepdims=k),
       torch=lambda t, ax, k: t.var(ax, unbiased=False, keepdim=k)),
    Op("std", lambda x, ax, k: x.std(axis=ax, keepdims=k, ddof=0), lambda x, ax, k: np.std(x, axis=ax, keepdims=k),
       torch=lambda t, ax, k: t.std(ax, unbiased=False, keepdim=k)),
    Op("max", lambda x, ax, k: x.max(axis=ax, keepdims=k), lambda x, ax, k: np.max(x, axis=ax, keepdims=k),
       smooth=False, torch=lambda t, ax, k: t.amax(ax, keepdim=k)),
    Op("min", lambda x, ax, k: x.min(axis=ax, keepdims=k), lambda x, ax, k: np.min(x, axis=ax, keepdims=k),
       smooth=False, torch=lambda t, ax, k: t.amin(ax, keepdim=k)),
    Op("prod", lambda x, ax, k: x.prod(axis=ax, keepdims=k), lambda x, ax, k: np.prod(x, axis=ax, keepdims=k),
       torch=lambda t, ax, k: _torch_prod(t, ax, k)),
    Op("logsumexp", lambda x, ax, k: x.logsumexp(axis=ax, keepdims=k),
       lambda x, ax, k: np.log(np.sum(np.exp(x), axis=ax, keepdims=k)), extreme=True,
       torch=lambda t, ax, k: t.logsumexp(ax, keepdim=k)),
]

BY_NAME = {op.name: op for op in UNARY + BINARY + REDUCTIONS}
assert len(BY_NAME) == len(UNARY) + len(BINARY) + len(REDUCTIONS), "op names must be unique"
