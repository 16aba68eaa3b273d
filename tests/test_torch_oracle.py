"""PyTorch as an extra oracle (only when torch is installed). The finite-difference
tests elsewhere are the main check; these confirm conventions match PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)

CASES = [
    ("gelu", lambda t: t.gelu(), lambda t: torch.nn.functional.gelu(t)),
    ("gelu_tanh", lambda t: t.gelu("tanh"), lambda t: torch.nn.functional.gelu(t, approximate="tanh")),
    ("silu", lambda t: t.silu(), torch.nn.functional.silu),
    ("softplus", lambda t: t.softplus(), torch.nn.functional.softplus),
    ("elu", lambda t: t.elu(), torch.nn.functional.elu),
    ("leaky_relu", lambda t: t.leaky_relu(), torch.nn.functional.leaky_relu),
    ("log_softmax", lambda t: t.log_softmax(-1), lambda t: torch.log_softmax(t, -1)),
    ("logsumexp", lambda t: t.logsumexp(axis=1), lambda t: torch.logsumexp(t, 1)),
    ("var", lambda t: t.var(axis=0, ddof=0), lambda t: t.var(0, unbiased=False)),
    ("var_default_unbiased", lambda t: t.var(0), lambda t: t.var(0)),
    ("std_dim_keepdim", lambda t: t.std(dim=1, keepdim=True), lambda t: t.std(dim=1, keepdim=True)),
    ("std_ddof1", lambda t: t.std(axis=1, ddof=1), lambda t: t.std(1, unbiased=True)),
    ("max_ties", lambda t: t.clip(-0.5, 0.5).max(axis=1), lambda t: t.clamp(-0.5, 0.5).amax(1)),
    ("prod", lambda t: t.prod(axis=0), lambda t: t.prod(0)),
    ("abs", lambda t: t.abs(), torch.abs),
    ("index", lambda t: t[[0, 0, 2], 1:], lambda t: t[[0, 0, 2], 1:]),
]


@pytest.mark.parametrize("name,ours,theirs", CASES, ids=[c[0] for c in CASES])
def test_forward_and_gradient_match_pytorch(name, ours, theirs):
    x = RNG.standard_normal((3, 4))
    t = ag.Tensor(x, requires_grad=True)
    out = ours(t)
    g = RNG.standard_normal(out.shape)
    out.backward(gradient=ag.Tensor(g))
    tt = torch.tensor(x, requires_grad=True)
    tout = theirs(tt)
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(t.grad.data, tt.grad.numpy(), rtol=1e-9, atol=1e-12)


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
