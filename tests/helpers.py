"""One helper for testing an op: forward against numpy, gradients against
finite differences (gradcheck, float64), second derivatives (gradgradcheck),
and float32 in giving float32 out."""

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


def t64(a, requires_grad=False):
    """A float64 tensor of ``a`` (the precision finite differences need)."""
    return ag.Tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def away_from_kinks(x: np.ndarray, kinks=(0.0,), margin: float = 0.1) -> np.ndarray:
    """Move values within ``margin`` of a kink to ``margin`` from it, so that
    non-smooth ops are differentiable at every input."""
    for k in kinks:
        x = np.where(np.abs(x - k) < margin, np.where(x >= k, k + margin, k - margin), x)
    return x


def check_op(ag_fn, np_fn, arrays, smooth=True, atol=1e-5, rtol=1e-3, grad_argnums=None, float32=True):
    """The op table's helper: ``ag_fn`` on Tensors must equal ``np_fn`` on
    arrays, and its gradients (and, if ``smooth``, second derivatives) must
    match central differences, in float64. Then, unless ``float32=False`` (an
    op whose expression brings float64 constants of its own), the same op on
    float32 inputs must give a float32 output and float32 gradients, within
    float32's error of the float64 ones."""
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
    if float32:
        assert_float32_in_float32_out(ag_fn, arrays, tensors)


def assert_float32_in_float32_out(ag_fn, arrays, tensors64):
    """float32 inputs give a float32 output and float32 gradients, close to the float64 ones."""
    tensors = [ag.Tensor(a.astype(np.float32), requires_grad=t.requires_grad) for a, t in zip(arrays, tensors64)]
    out, out64 = ag_fn(*tensors), ag_fn(*tensors64)
    assert out.dtype == np.float32, f"float32 in, {out.dtype} out"
    np.testing.assert_allclose(out.numpy(), out64.numpy(), rtol=2e-4, atol=2e-5)
    weights = np.random.default_rng(1).uniform(0.5, 1.5, out.shape)
    leaves = [t for t in tensors if t.requires_grad]
    grads = ag.grad(out, leaves, ag.Tensor(weights.astype(np.float32)), allow_unused=True)
    grads64 = ag.grad(out64, [t for t in tensors64 if t.requires_grad], ag.Tensor(weights), allow_unused=True)
    for g, g64 in zip(grads, grads64):
        if g is not None:
            assert g.dtype == np.float32, f"float32 in, {g.dtype} gradient out"
            np.testing.assert_allclose(g.numpy(), g64.numpy(), rtol=2e-3, atol=2e-4)


def assert_first_order_paths_agree(out, inputs):
    """The engine has two ways to take a first derivative: the ops' fast
    kernels (``autograd.engine.fast_backward``, used when ``create_graph=False``)
    and their definitions (``backward``, used when the pass is recorded). They
    must agree. And ``backward()`` must give ``autograd.grad``'s gradients to the bit."""
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


def pair_models():
    """The same small CNN in glassgrad and (float64) PyTorch, for the oracle tests."""
    import torch.nn as tnn

    import nn

    ours = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 3 * 3, 8), nn.LayerNorm(8), nn.GELU(), nn.Linear(8, 3))
    theirs = tnn.Sequential(tnn.Conv2d(1, 4, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
                            tnn.Linear(4 * 3 * 3, 8), tnn.LayerNorm(8), tnn.GELU(), tnn.Linear(8, 3)).double()
    return ours, theirs
