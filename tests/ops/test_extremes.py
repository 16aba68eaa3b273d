"""Numerical stability: the registry's ``extreme`` ops and the losses built on
them give finite values and gradients at +-1e4 and +-3e4, in float32 and
float64, with numpy's overflow, invalid and divide warnings turned into errors;
so do the scalar Value's."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
from autograd import Value
from nn import functional as F
from tests.ops.registry import REDUCTIONS, UNARY

RAISE = dict(over="raise", invalid="raise", divide="raise")
EXTREMES = np.array([-3e4, -1e4, -30.0, 0.0, 30.0, 1e4, 3e4])

CASES = {op.name: op.fn for op in UNARY if op.extreme}
CASES.update({op.name: (lambda t, fn=op.fn: fn(t, -1, False)) for op in REDUCTIONS if op.extreme})
CASES.update({
    "bce_with_logits": lambda t: F.binary_cross_entropy_with_logits(t, np.ones(t.shape, t.dtype)),
    "cross_entropy": lambda t: F.cross_entropy(t.reshape(1, -1), np.array([0])),
    "cross_entropy_probs": lambda t: F.cross_entropy(t.reshape(1, -1), np.full((1, t.size), 1 / t.size, t.dtype)),
    "cross_entropy_smoothing": lambda t: F.cross_entropy(t.reshape(1, -1), np.array([3]), label_smoothing=0.1),
})


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_finite_values_and_gradients_at_extreme_inputs(name, dtype):
    x = ag.Tensor(EXTREMES.astype(dtype), requires_grad=True)
    with np.errstate(**RAISE):
        out = CASES[name](x)
        out.sum().backward()
    assert np.all(np.isfinite(out.data)), out.data
    assert np.all(np.isfinite(x.grad.data)), x.grad.data
    assert x.grad.dtype == dtype


@pytest.mark.parametrize("op", [op for op in UNARY if op.extreme and op.scalar], ids=repr)
@pytest.mark.parametrize("x", [-3e4, -1e4, 1e4, 3e4])
def test_value_is_finite_at_extreme_inputs(op, x):
    v = Value(x)
    out = op.fn(v)
    out.backward()
    assert math.isfinite(out.data) and math.isfinite(v.grad)
