"""PyTorch as an extra oracle (only when torch is installed): every registry op
with a PyTorch spelling (tests/ops/registry.py) gives PyTorch's values and
gradients, and its second derivatives; ties split as PyTorch splits them. The
finite-difference tests are the main check; these confirm the conventions."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from tests.helpers import away_from_kinks
from tests.ops.registry import BINARY, REDUCTIONS, UNARY

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
WITH_TORCH = [op for op in UNARY + BINARY if op.torch is not None]


def _inputs(op):
    arrays = [RNG.uniform(lo, hi, (3, 4)) for lo, hi in op.domain]
    return arrays if op.smooth else [away_from_kinks(a, op.kinks) for a in arrays]


def _compare(ours_fn, theirs_fn, arrays, second_order):
    ts = [ag.Tensor(a, requires_grad=True) for a in arrays]
    ps = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, tout = ours_fn(*ts), theirs_fn(*ps)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = RNG.standard_normal(out.shape)
    grads = ag.grad(out, ts, ag.Tensor(g), create_graph=second_order)
    tgrads = torch.autograd.grad(tout, ps, torch.tensor(g), create_graph=second_order)
    for a, b in zip(grads, tgrads):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-9, atol=1e-12)
    if second_order:  # d/dx of (grad . x): the Hessian-vector products agree
        second = ag.grad(sum((a * t).sum() for a, t in zip(grads, ts)), ts, allow_unused=True)
        tsecond = torch.autograd.grad(sum((a * t).sum() for a, t in zip(tgrads, ps)), ps, allow_unused=True)
        for a, b in zip(second, tsecond):
            if a is not None and b is not None:
                np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("op", WITH_TORCH, ids=repr)
def test_forward_gradient_and_second_order_match_pytorch(op):
    _compare(op.fn, op.torch, _inputs(op), second_order=op.smooth)


@pytest.mark.parametrize("op", [op for op in REDUCTIONS if op.torch is not None], ids=repr)
@pytest.mark.parametrize("axis,keepdim", [(0, False), (1, True), ((0, 1), False)])
def test_reductions_match_pytorch(op, axis, keepdim):
    _compare(lambda t: op.fn(t, axis, keepdim), lambda t: op.torch(t, axis, keepdim), [RNG.standard_normal((3, 4))],
             second_order=op.smooth)


def test_max_ties_and_advanced_indexing_match_pytorch():
    x = RNG.standard_normal((3, 4))
    _compare(lambda t: t.clip(-0.5, 0.5).max(axis=1), lambda t: t.clamp(-0.5, 0.5).amax(1), [x], False)
    _compare(lambda t: t[[0, 0, 2], 1:], lambda t: t[[0, 0, 2], 1:], [x], False)


def test_maximum_tie_convention_matches_pytorch():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, 0.0])
    ta, tb = ag.Tensor(a, requires_grad=True), ag.Tensor(b, requires_grad=True)
    ag.maximum(ta, tb).sum().backward()
    pa, pb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    torch.maximum(pa, pb).sum().backward()
    np.testing.assert_array_equal(ta.grad.data, pa.grad.numpy())


def test_second_derivatives_match_pytorch():
    x = RNG.standard_normal(5)
    t = ag.Tensor(x, requires_grad=True)
    (g,) = ag.grad((t.tanh() * t.sigmoid()).sum(), t, create_graph=True)
    (h,) = ag.grad(g.sum(), t)
    pt = torch.tensor(x, requires_grad=True)
    (pg,) = torch.autograd.grad((pt.tanh() * pt.sigmoid()).sum(), pt, create_graph=True)
    (ph,) = torch.autograd.grad(pg.sum(), pt)
    np.testing.assert_allclose(h.data, ph.numpy(), rtol=1e-10)
