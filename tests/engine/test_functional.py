"""grad, jacobian, hessian, vjp, jvp, hvp and higher-order gradients, against closed forms."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import autograd.functional as AF
from tests.helpers import t64

RNG = np.random.default_rng(0)


def test_grad_returns_tuple_and_leaves_dot_grad_alone():
    x = t64([1.0, 2.0], True)
    y = t64([3.0, 4.0], True)
    gx, gy = ag.grad((x * y).sum(), [x, y])
    np.testing.assert_array_equal(gx.data, [3.0, 4.0])
    np.testing.assert_array_equal(gy.data, [1.0, 2.0])
    assert x.grad is None and y.grad is None


def test_grad_allow_unused_and_errors():
    x, z = t64([1.0], True), t64([1.0], True)
    with pytest.raises(RuntimeError, match="input 1 .* was not used .* allow_unused=True"):
        ag.grad((x * 2).sum(), [x, z])
    gx, gz = ag.grad((x * 2).sum(), [x, z], allow_unused=True)
    assert gz is None and gx.item() == 2.0
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        ag.grad(x * t64([2.0, 3.0]), x)


def test_third_derivative_through_create_graph():
    x = t64(0.7, True)
    y = x.tanh()
    (d1,) = ag.grad(y, x, create_graph=True)
    (d2,) = ag.grad(d1, x, create_graph=True)
    (d3,) = ag.grad(d2, x)
    t = np.tanh(0.7)
    assert d1.item() == pytest.approx(1 - t**2)
    assert d2.item() == pytest.approx(-2 * t * (1 - t**2))
    assert d3.item() == pytest.approx(-2 * (1 - t**2) ** 2 + 4 * t**2 * (1 - t**2))


def test_backward_create_graph_gives_differentiable_leaf_grad():
    x = t64([1.0, 2.0], True)
    (x**3).sum().backward(create_graph=True)
    g = x.grad  # 3 x^2, still in the graph
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad.data, [6.0, 12.0])


def test_hessian_of_sum_tanh_Wx_matches_closed_form():
    W = RNG.standard_normal((3, 4))
    x0 = RNG.standard_normal(4)
    H = AF.hessian(lambda x: (t64(W) @ x).tanh().sum(), t64(x0))
    t = np.tanh(W @ x0)
    expected = W.T @ np.diag(-2 * t * (1 - t**2)) @ W
    np.testing.assert_allclose(H.data, expected, rtol=1e-10, atol=1e-12)


def test_jacobian_of_matvec_and_of_elementwise():
    A = RNG.standard_normal((3, 2))
    J = AF.jacobian(lambda x: t64(A) @ x, t64(RNG.standard_normal(2)))
    np.testing.assert_allclose(J.data, A)
    x0 = RNG.standard_normal((2, 2))
    J2 = AF.jacobian(lambda x: x.exp(), t64(x0))
    assert J2.shape == (2, 2, 2, 2)
    np.testing.assert_allclose(J2.data.reshape(4, 4), np.diag(np.exp(x0).ravel()))


def test_jacobian_with_two_inputs():
    a0, b0 = RNG.standard_normal(3), RNG.standard_normal(3)
    Ja, Jb = AF.jacobian(lambda a, b: a * b, (t64(a0), t64(b0)))
    np.testing.assert_allclose(Ja.data, np.diag(b0))
    np.testing.assert_allclose(Jb.data, np.diag(a0))


def test_vjp_jvp_hvp_against_explicit_matrices():
    A = RNG.standard_normal((3, 4))
    x0 = RNG.standard_normal(4)
    v_out = RNG.standard_normal(3)
    v_in = RNG.standard_normal(4)

    def f(x):
        return (t64(A) @ x).tanh()

    J = AF.jacobian(f, t64(x0)).data
    out, vj = AF.vjp(f, t64(x0), t64(v_out))
    np.testing.assert_allclose(vj.data, v_out @ J, rtol=1e-10)
    out2, jv = AF.jvp(f, t64(x0), t64(v_in))
    np.testing.assert_allclose(jv.data, J @ v_in, rtol=1e-10)
    np.testing.assert_allclose(out.data, out2.data)

    def g(x):
        return (x * x * x).sum() + (x[0] * x[1])

    _, hv = AF.hvp(g, t64(x0), t64(v_in))
    H = np.diag(6 * x0)
    H[0, 1] += 1
    H[1, 0] += 1
    np.testing.assert_allclose(hv.data, H @ v_in, rtol=1e-10)
    np.testing.assert_allclose(AF.hessian(g, t64(x0)).data, H, rtol=1e-10)


def test_second_order_of_broadcasting_and_reductions():
    a = t64(RNG.standard_normal((2, 3)), True)
    b = t64(RNG.standard_normal(3), True)
    assert ag.gradgradcheck(lambda a, b: ((a * b).tanh() + a.logsumexp(axis=0)).var(axis=1), [a, b])
    assert ag.gradgradcheck(lambda a, b: (a @ b).softmax(0) * (a.max(axis=0) * b).sum(), [a, b])


def test_backward_gradient_that_requires_grad_stays_in_the_graph():
    # with create_graph=True the vector of the vector-Jacobian product is itself
    # differentiable: d/dv of sum(x.grad) = d/dv of sum(2 x v) = 2 x
    x = t64([1.0, -2.0], True)
    v = t64([0.5, 3.0], True)
    (x * x).backward(gradient=v, create_graph=True)
    (dv,) = ag.grad(x.grad.sum(), v)
    np.testing.assert_allclose(dv.data, [2.0, -4.0])
