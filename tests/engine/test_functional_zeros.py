"""autograd.functional as PyTorch has it: zeros (not errors) where a derivative
is identically zero but the graph is connected, tuple outputs, results that
stay connected to the caller's tensors with create_graph=True, and
materialize_grads. PyTorch, when installed, is the oracle for every entry of
the table; without it the closed forms below still check the same cases."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import autograd.functional as AF
from nn import functional as F
from tests.helpers import t64

RNG = np.random.default_rng(11)


# name -> (glassgrad function, torch function, input shapes); scalar-valued for hessian/hvp
SCALAR_FUNCTIONS = {
    "relu": (lambda x: x.relu().sum(), lambda x: x.relu().sum(), [(5,)]),
    "abs": (lambda x: x.abs().sum(), lambda x: x.abs().sum(), [(5,)]),
    "max": (lambda x: x.max(), lambda x: x.max(), [(5,)]),
    "max_pool2d": (lambda x: F.max_pool2d(x, 2).sum(),
                   lambda x: __import__("torch").nn.functional.max_pool2d(x, 2).sum(), [(1, 1, 4, 4)]),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 2).sum(),
                   lambda x: __import__("torch").nn.functional.avg_pool2d(x, 2).sum(), [(1, 1, 4, 4)]),
    "linear": (lambda x: (x * 3.0 + 1.0).sum(), lambda x: (x * 3.0 + 1.0).sum(), [(4,)]),
    "two_inputs": (lambda a, b: (a.relu() * b).sum(), lambda a, b: (a.relu() * b).sum(), [(3,), (3,)]),
    "smooth": (lambda x: (x.tanh() * x).sum(), lambda x: (x.tanh() * x).sum(), [(4,)]),
}


# vector-valued, and tuple-valued, for jacobian / jvp / vjp
VECTOR_FUNCTIONS = {
    "relu": (lambda x: x.relu(), lambda x: x.relu(), [(4,)]),
    "abs": (lambda x: x.abs() * 2.0, lambda x: x.abs() * 2.0, [(4,)]),
    "linear": (lambda x: x * 3.0 - 1.0, lambda x: x * 3.0 - 1.0, [(4,)]),
    "tuple_out": (lambda x: (x.tanh(), x.relu().sum()), lambda x: (x.tanh(), x.relu().sum()), [(3,)]),
    "tuple_both": (lambda a, b: (a * b, (a + b).exp()), lambda a, b: (a * b, (a + b).exp()), [(2,), (2,)]),
}


def _inputs(shapes):
    # away from relu's and abs's kinks, and no ties for max
    return [RNG.permutation(np.linspace(-2.0, 2.0, int(np.prod(s))) + 0.05).reshape(s) for s in shapes]


def _ours(arrays, requires_grad=False):
    ts = [t64(a, requires_grad) for a in arrays]
    return ts[0] if len(ts) == 1 else tuple(ts)


def _theirs(arrays):
    torch = pytest.importorskip("torch")
    ts = [torch.tensor(a) for a in arrays]
    return ts[0] if len(ts) == 1 else tuple(ts)


def _assert_same(ours, theirs):
    if isinstance(theirs, (tuple, list)):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _assert_same(o, t)
        return
    assert isinstance(ours, ag.Tensor)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", SCALAR_FUNCTIONS)
def test_hessian_and_hvp_match_torch(name):
    torch = pytest.importorskip("torch")
    ours_fn, torch_fn, shapes = SCALAR_FUNCTIONS[name]
    arrays = _inputs(shapes)
    _assert_same(AF.hessian(ours_fn, _ours(arrays)), torch.autograd.functional.hessian(torch_fn, _theirs(arrays)))
    vs = [RNG.standard_normal(s) for s in shapes]
    ours_out, ours_hv = AF.hvp(ours_fn, _ours(arrays), _ours(vs))
    theirs_out, theirs_hv = torch.autograd.functional.hvp(torch_fn, _theirs(arrays), _theirs(vs))
    _assert_same(ours_out, theirs_out)
    _assert_same(ours_hv, theirs_hv)


@pytest.mark.parametrize("name", VECTOR_FUNCTIONS)
def test_jacobian_jvp_and_vjp_match_torch(name):
    torch = pytest.importorskip("torch")
    ours_fn, torch_fn, shapes = VECTOR_FUNCTIONS[name]
    arrays = _inputs(shapes)
    TF = torch.autograd.functional
    _assert_same(AF.jacobian(ours_fn, _ours(arrays)), TF.jacobian(torch_fn, _theirs(arrays)))
    v_in = [RNG.standard_normal(s) for s in shapes]
    _assert_same(AF.jvp(ours_fn, _ours(arrays), _ours(v_in)), TF.jvp(torch_fn, _theirs(arrays), _theirs(v_in)))
    outs = torch_fn(*(_theirs(arrays) if len(shapes) > 1 else (_theirs(arrays),)))
    outs = outs if isinstance(outs, tuple) else (outs,)
    v_out = [RNG.standard_normal(tuple(o.shape)) for o in outs]
    _assert_same(AF.vjp(ours_fn, _ours(arrays), _ours(v_out)), TF.vjp(torch_fn, _theirs(arrays), _theirs(v_out)))


# -- the same cases against closed forms (no torch needed) -------------------------------------
def test_hessians_of_piecewise_linear_functions_are_zeros():
    for name in ("relu", "abs", "max", "max_pool2d", "avg_pool2d", "linear"):
        fn, _, shapes = SCALAR_FUNCTIONS[name]
        (x0,) = _inputs(shapes)
        H = AF.hessian(fn, t64(x0))
        assert H.shape == x0.shape + x0.shape, name
        assert np.all(H.data == 0.0), name
        _, hv = AF.hvp(fn, t64(x0), t64(np.ones_like(x0)))
        assert np.all(hv.data == 0.0), name


def test_jacobians_of_piecewise_linear_and_tuple_functions_against_closed_forms():
    x0 = np.array([-1.0, 0.5, 2.0])
    np.testing.assert_array_equal(AF.jacobian(lambda x: x.relu(), t64(x0)).data, np.diag(x0 > 0).astype(float))
    np.testing.assert_array_equal(AF.jacobian(lambda x: x * 3.0 - 1.0, t64(x0)).data, 3.0 * np.eye(3))
    J_tanh, J_sum = AF.jacobian(lambda x: (x.tanh(), x.relu().sum()), t64(x0))
    np.testing.assert_allclose(J_tanh.data, np.diag(1 - np.tanh(x0) ** 2))
    np.testing.assert_array_equal(J_sum.data, (x0 > 0).astype(float))
    out, jv = AF.jvp(lambda x: (x.tanh(), x.relu().sum()), t64(x0), t64([1.0, 1.0, 1.0]))
    assert isinstance(out, tuple) and isinstance(jv, tuple) and len(jv) == 2
    np.testing.assert_allclose(jv[0].data, 1 - np.tanh(x0) ** 2)
    assert jv[1].item() == 2.0
    # a constant output: zeros, not "does not require grad"
    J_const = AF.jacobian(lambda x: t64([1.0, 2.0]), t64(x0))
    assert J_const.shape == (2, 3) and np.all(J_const.data == 0)
    _, jv_const = AF.jvp(lambda x: t64([1.0, 2.0]), t64(x0), t64(x0))
    assert np.all(jv_const.data == 0)
    _, vj_const = AF.vjp(lambda x: t64([1.0, 2.0]), t64(x0), t64([1.0, 1.0]))
    assert vj_const.shape == (3,) and np.all(vj_const.data == 0)


def test_double_grad_through_relu_abs_and_max_is_zeros_not_an_error():
    for fn in (lambda x: x.relu(), lambda x: x.abs(), lambda x: x.max(axis=0, keepdims=True),
               lambda x: x.clip(-1.0, 1.0), lambda x: x.maximum(t64([0.0, 0.0, 0.0]))):
        x = t64([-1.5, 0.5, 2.0], True)
        (g,) = ag.grad(fn(x).sum(), x, create_graph=True)
        assert g.requires_grad  # connected to x through the saved input or output
        (gg,) = ag.grad(g.sum(), x)
        assert np.all(gg.data == 0.0)


def test_create_graph_results_stay_connected_to_the_callers_inputs():
    x = t64([0.3, -0.8], True)
    J = AF.jacobian(lambda v: v.tanh(), x, create_graph=True)
    (dJ,) = ag.grad(J.sum(), x)  # d/dx sum_i (1 - tanh(x_i)^2)
    np.testing.assert_allclose(dJ.data, -2 * np.tanh(x.data) * (1 - np.tanh(x.data) ** 2))
    _, vj = AF.vjp(lambda v: v ** 3, x, t64([1.0, 1.0]), create_graph=True)
    (d,) = ag.grad(vj.sum(), x)
    np.testing.assert_allclose(d.data, 6 * x.data)
    H = AF.hessian(lambda v: (v ** 3).sum(), x, create_graph=True)
    (dH,) = ag.grad(H.sum(), x)
    np.testing.assert_allclose(dH.data, [6.0, 6.0])
    # without create_graph the results are detached
    assert not AF.jacobian(lambda v: v.tanh(), x).requires_grad


def test_grad_materialize_grads_gives_zeros_for_unused_inputs():
    x, unused = t64([1.0, 2.0], True), t64([5.0], True)
    gx, gu = ag.grad((x * x).sum(), [x, unused], materialize_grads=True)
    np.testing.assert_array_equal(gx.data, [2.0, 4.0])
    assert gu.shape == (1,) and gu.item() == 0.0
    with pytest.raises(ValueError, match="materialize_grads=True needs allow_unused"):
        ag.grad((x * x).sum(), [x, unused], allow_unused=False, materialize_grads=True)


def test_grad_runs_only_the_nodes_that_lead_to_its_inputs():
    x = t64([1.0, 2.0], True)
    y = t64([3.0, 4.0], True)
    bad = y.tanh()
    with ag.no_grad():
        bad.add_(1.0)  # tanh's saved output is now stale: running its rule would raise
    (gx,) = ag.grad((x * 2.0 + bad).sum(), x)
    np.testing.assert_array_equal(gx.data, [2.0, 2.0])
    with pytest.raises(RuntimeError, match="modified in place"):
        ag.grad((x * 2.0 + bad).sum(), y)
