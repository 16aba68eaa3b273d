"""One helper for testing an op: forward against numpy, gradients against
finite differences (gradcheck, float64), second derivatives (gradgradcheck)."""

from __future__ import annotations

import numpy as np

import autograd as ag


class Cube(ag.Function):
    """y = x**3;  dy/dx = 3 x**2  (a user-written Function with a Tensor rule only)"""

    @staticmethod
    def forward(x):
        return x**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.inputs
        return (g * 3 * x * x,)


def away_from_kinks(x: np.ndarray, margin: float = 0.1) -> np.ndarray:
    """Move values off 0 so that non-smooth ops are differentiable there."""
    return np.where(x >= 0, x + margin, x - margin)


def check_op(ag_fn, np_fn, arrays, smooth=True, atol=1e-5, rtol=1e-3, grad_argnums=None):
    """The op table's helper: ``ag_fn`` on Tensors must equal ``np_fn`` on
    arrays, and its gradients (and, if ``smooth``, second derivatives) must
    match central differences."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    grad_argnums = range(len(arrays)) if grad_argnums is None else grad_argnums
    tensors = [ag.Tensor(a, requires_grad=i in grad_argnums) for i, a in enumerate(arrays)]
    out = ag_fn(*tensors)
    expected = np_fn(*arrays)
    assert out.shape == np.shape(expected), (out.shape, np.shape(expected))
    assert out.dtype == np.float64
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-12)
    assert ag.gradcheck(ag_fn, tensors, atol=atol, rtol=rtol)
    if smooth:
        assert ag.gradgradcheck(ag_fn, tensors, atol=atol, rtol=rtol)
    assert_first_order_paths_agree(out, [t for t in tensors if t.requires_grad])


def assert_first_order_paths_agree(out, inputs):
    """The engine has two ways to take a first derivative: the ops' numpy rules
    (``backward_numpy``, used when ``create_graph=False``) and their Tensor
    rules (``backward``, used when the pass is recorded). They must agree.
    And ``backward()``'s own first-order pass (autograd/backprop.py) must give
    the generic driver's (``autograd.grad``'s) gradients to the bit."""
    v = np.random.default_rng(0).uniform(0.5, 1.5, out.shape).astype(out.dtype)
    fast = ag.grad(out, inputs, ag.Tensor(v), retain_graph=True, allow_unused=True)
    recorded = ag.grad(out, inputs, ag.Tensor(v), create_graph=True, allow_unused=True)
    for f, r in zip(fast, recorded):
        assert (f is None) == (r is None)
        if f is not None:
            assert f.dtype == r.dtype and f.shape == r.shape
            np.testing.assert_allclose(f.data, r.data, rtol=1e-12, atol=1e-12)
    saved = [t.grad for t in inputs]
    for t in inputs:
        t.grad = None
    try:
        out.backward(gradient=ag.Tensor(v), retain_graph=True)
        for t, f in zip(inputs, fast):
            assert (t.grad is None) == (f is None)
            if f is not None:
                assert t.grad.dtype == f.dtype
                np.testing.assert_array_equal(t.grad.data, f.data)
    finally:
        for t, g in zip(inputs, saved):
            t.grad = g
