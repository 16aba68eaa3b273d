"""Tensor engine behaviour: construction, graph semantics, hooks, grad modes,
the version counter, anomaly detection, memory release, custom Functions,
rule checking, and agreement with Value."""

from __future__ import annotations

import gc
import math
import threading
import weakref

import numpy as np
import pytest

import autograd as ag
from autograd import Function, Tensor, Value
from autograd.engine import fast_backward
from tests.helpers import Cube


# -- construction -------------------------------------------------------------------
def test_python_data_takes_pytorchs_dtypes_numpy_keeps_dtype():
    assert ag.tensor(3.0).dtype == np.float32 and ag.tensor([1.5, 2]).dtype == np.float32
    assert ag.tensor(3).dtype == np.int64 and ag.tensor([[1, 2], [3, 4]]).dtype == np.int64
    assert ag.tensor([True, False]).dtype == np.bool_
    assert ag.arange(3).dtype == np.int64 and ag.arange(0.0, 1.0, 0.5).dtype == np.float32
    # integer tensors work as indices and class targets; with floats they give float32, as in PyTorch
    idx = ag.tensor([0, 2])
    x = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert x[ag.tensor([1, 0])].tolist() == [[4.0, 5.0, 6.0], [1.0, 2.0, 3.0]]
    assert x[:, idx].tolist() == [[1.0, 3.0], [4.0, 6.0]]
    assert (idx * 0.5).dtype == np.float32 and (idx + 1).dtype == np.int64
    assert (idx / 2).dtype == np.float32 and (idx + ag.tensor([0.5, 0.5])).dtype == np.float32
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients"):
        ag.tensor([1, 2], requires_grad=True)
    assert Tensor(np.arange(3)).dtype == np.int64
    assert Tensor(np.ones(2, np.float64)).dtype == np.float64
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64


def test_numpy_data_is_copied():
    a = np.ones(3)
    t = Tensor(a)
    a[0] = 5
    assert t.data[0] == 1


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients, got dtype int64"):
        Tensor(np.arange(3), requires_grad=True)


@pytest.mark.parametrize("bad", ["abc", [1, "a"], {"a": 1}, object()])
def test_strings_and_objects_are_refused(bad):
    with pytest.raises(TypeError, match="Tensor:"):
        Tensor(bad)


def test_attributes_and_conversions():
    t = ag.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and len(t) == 2
    assert t.T.shape == (3, 2)
    assert np.array_equal(np.asarray(t), t.numpy())
    assert ag.tensor(2.5).item() == 2.5
    with pytest.raises(ValueError, match="item: only one-element tensors"):
        t.item()


def test_repr_shows_values_dtype_and_grad_fn():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], dtype=float32, requires_grad=True)"
    assert "grad_fn=<ExpBackward>" in repr(x.exp())


def test_factories_are_seedable():
    ag.manual_seed(7)
    a = ag.randn(3, 2)
    ag.manual_seed(7)
    b = ag.randn(3, 2)
    assert np.array_equal(a.data, b.data) and a.dtype == np.float32
    assert ag.zeros(2, 3).shape == (2, 3) and ag.ones((2,)).data.sum() == 2
    assert ag.full((2, 2), 7.0).data.sum() == 28 and ag.eye(3).numpy().trace() == 3
    assert ag.arange(5).shape == (5,) and ag.linspace(0, 1, 11).data[-1] == 1
    assert ag.rand(4, requires_grad=True).requires_grad
    assert ag.zeros_like(a).shape == a.shape and ag.ones_like(a).data.sum() == 6


# -- backward semantics ----------------------------------------------------------------
def test_leaf_grads_accumulate_across_backward_calls():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [4.0, 8.0])


def test_non_scalar_backward_needs_gradient():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"shape \(2,\); pass gradient="):
        (x * 2).backward()
    (x * 2).backward(gradient=ag.tensor([1.0, -1.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, -2.0])


def test_second_backward_raises_unless_retain_graph():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.data, 2 * (np.exp([1, 2]) * np.array([2, 3])), rtol=1e-6)
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_backward_on_tensor_without_grad_is_clear():
    with pytest.raises(RuntimeError, match="does not require grad"):
        ag.tensor(1.0).backward()


@pytest.mark.slow
def test_200k_op_chain_backprops_without_recursion():
    x = ag.tensor(np.ones(1, np.float64), requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.000001 + 0.0  # two ops per step
    y.sum().backward()
    np.testing.assert_allclose(x.grad.data, [1.000001**100_000], rtol=1e-9)


def test_shared_subexpressions_get_all_contributions():
    x = ag.tensor(2.0, requires_grad=True)
    a = x * x
    b = a * a + a  # a is used three times
    b.backward()
    assert x.grad.item() == pytest.approx(4 * 8 + 2 * 2)


# -- grad modes --------------------------------------------------------------------------
def test_no_grad_enable_grad_set_grad_enabled():
    x = ag.tensor(1.0, requires_grad=True)
    with ag.no_grad():
        assert not (x * 2).requires_grad
        with ag.enable_grad():
            assert (x * 2).requires_grad
    with ag.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad

    @ag.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad and ag.is_grad_enabled()


def test_grad_mode_is_thread_local():
    x = ag.tensor(1.0, requires_grad=True)
    seen = {}
    inside = threading.Event()
    done = threading.Event()

    def worker():
        with ag.no_grad():
            inside.set()
            done.wait(5)
            seen["worker"] = (x * 2).requires_grad

    t = threading.Thread(target=worker)
    t.start()
    inside.wait(5)
    seen["main"] = (x * 2).requires_grad  # the other thread is inside no_grad now
    done.set()
    t.join()
    assert seen == {"main": True, "worker": False}


def test_detach_and_requires_grad_():
    x = ag.tensor([1.0], requires_grad=True)
    d = (x * 3).detach()
    assert not d.requires_grad and d.is_leaf
    y = ag.tensor([2.0]).requires_grad_()
    (y * 2).sum().backward()
    assert y.grad.item() == 2.0


# -- hooks and retain_grad ----------------------------------------------------------------------
def test_register_hook_sees_and_replaces_gradient():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g.numpy().copy()))
    h = x * 3
    h.register_hook(lambda g: g * 10)  # replaces the gradient flowing into h
    h.sum().backward()
    np.testing.assert_array_equal(seen[0], [30.0, 30.0])
    np.testing.assert_array_equal(x.grad.data, [30.0, 30.0])


def test_hook_removal_and_bad_hook_result():
    x = ag.tensor([1.0], requires_grad=True)
    remove = x.register_hook(lambda g: g * 2)
    remove()
    (x * 1).sum().backward()
    assert x.grad.item() == 1.0
    x.register_hook(lambda g: ag.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="must return None or a Tensor of shape"):
        (x * 1).sum().backward()


def test_retain_grad_keeps_non_leaf_gradient():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    h.retain_grad()
    k = x * 2
    (h * 3 + k).sum().backward()
    np.testing.assert_array_equal(h.grad.data, [3.0, 3.0])
    assert k.grad is None


# -- in-place safety -------------------------------------------------------------------------
def test_in_place_change_after_save_raises_at_backward():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    a = x * 1  # non-leaf, does not need grad itself? it does; use a plain tensor instead
    w = ag.tensor([3.0, 4.0])
    y = (x * w).sum()
    with ag.no_grad():
        w += 1.0
    with pytest.raises(RuntimeError, match=r"Mul backward: input 1 .* modified in place .*version 0 -> 1"):
        y.backward()
    assert a.requires_grad


def test_in_place_on_view_bumps_the_shared_version():
    base = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    view = base.reshape(4)
    x = ag.tensor([1.0, 1.0, 1.0, 1.0], requires_grad=True)
    y = (x * view).sum()
    base.fill_(0.0)
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_advanced_indexing_copies_so_it_does_not_share_the_version_counter():
    x = ag.tensor([1.0, 2.0, 3.0])
    w = ag.tensor([1.0, 1.0], requires_grad=True)
    for index, is_view in (([0, 1], False), (np.array([True, True, False]), False), (slice(0, 2), True)):
        picked = x[index]
        assert (picked._version is x._version) == is_view
        y = (w * picked).sum()  # the product saves `picked` for w's gradient
        with ag.no_grad():
            x.add_(1.0)  # changes a copy's source: nothing saved is stale
        if is_view:
            with pytest.raises(RuntimeError, match="modified in place"):
                y.backward()
        else:
            y.backward()
            np.testing.assert_array_equal(w.grad.data, picked.data)
            w.grad = None


def test_in_place_on_tensor_requiring_grad_is_refused_while_recording():
    x = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"\+=: in-place change of a leaf tensor that requires grad"):
        x += 1
    with ag.no_grad():
        x += 1
    assert x.item() == 2.0


def test_in_place_updates_that_pytorch_records_are_recorded():
    """``dC[ix] += demb[k]`` with ``demb`` in the graph (makemore's backprop
    ninja), and item assignment into a computed tensor, as PyTorch's CopySlices:
    the tensor keeps its identity, gets the new node, and the gradients are
    the right ones; a graph that saved the old values refuses to backward."""
    C = ag.tensor(np.arange(15.0).reshape(5, 3) / 10, requires_grad=True)
    rows = [1, 1, 4]
    demb = C[np.array(rows)] * 2.0
    dC = ag.zeros_like(C)
    for k, ix in enumerate(rows):
        dC[ix] += demb[k]
    assert dC.requires_grad and dC.grad_fn.name() == "SetItemBackward"
    expected = np.zeros((5, 3))
    for ix in rows:
        expected[ix] += 2 * C.numpy()[ix]
    np.testing.assert_allclose(dC.numpy(), expected)
    dC.sum().backward()
    np.testing.assert_allclose(C.grad.numpy(), np.bincount(rows, minlength=5)[:, None] * 2.0 * np.ones((5, 3)))

    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 2.0
    view = h
    h[1] = x[0] * 5.0
    assert view is h and h.tolist() == [2.0, 5.0, 6.0]
    h.sum().backward()
    assert x.grad.tolist() == [7.0, 0.0, 2.0]

    y = x.tanh()  # tanh saves its output: changing it in place is the hazard the version counter catches
    y[0] = 0.0
    with pytest.raises(RuntimeError, match=r"Tanh backward: its output .* was modified in place"):
        y.sum().backward()


def test_setitem_outside_graph():
    t = ag.zeros(3)
    t[1] = 5.0
    assert t.data.tolist() == [0, 5, 0]
    with pytest.raises(IndexError, match=r"__setitem__: tensor of shape \(3,\)"):
        t[7] = 1.0


# -- anomaly detection ------------------------------------------------------------------------
def test_detect_anomaly_names_forward_op():
    x = ag.tensor([-1.0, 1.0], requires_grad=True)
    with ag.detect_anomaly():
        with pytest.raises(RuntimeError, match=r"detect_anomaly: Log forward produced nan .*input shapes \(2,\)"):
            with np.errstate(invalid="ignore"):
                x.log()


def test_detect_anomaly_names_backward_op():
    x = ag.tensor([0.0, 1.0], requires_grad=True)
    y = x.sqrt().sum()  # forward is finite; d sqrt / dx at 0 is inf
    with ag.detect_anomaly():
        with pytest.raises(RuntimeError, match=r"detect_anomaly: Sqrt backward produced inf"):
            with np.errstate(divide="ignore"):
                y.backward()


# -- memory ---------------------------------------------------------------------------------
def test_saved_activations_are_freed_after_backward_while_loss_is_kept():
    x = ag.randn(64, 64, requires_grad=True)
    h = (x @ x).tanh()
    ref = weakref.ref(h)
    loss = (h * h).sum()
    del h
    gc.collect()
    assert ref() is not None  # the graph holds the activation before backward
    loss.backward()
    gc.collect()
    assert ref() is None  # freed, although `loss` is still alive


# -- custom Functions and rule checks ------------------------------------------------------------
class BadCube(Cube):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.inputs
        return (g * 2 * x * x,)  # wrong: should be 3 x^2


def test_custom_function_works_to_second_order():
    x = ag.Tensor(np.array([0.5, -1.5]), requires_grad=True)
    assert ag.gradcheck(Cube.apply, [x])
    assert ag.gradgradcheck(Cube.apply, [x])


def test_gradcheck_catches_a_wrong_backward_with_a_readable_table():
    x = ag.Tensor(np.array([0.5, -1.5]), requires_grad=True)
    with pytest.raises(ag.GradcheckError) as info:
        ag.gradcheck(BadCube.apply, [x])
    text = str(info.value)
    assert "input" in text and "index" in text and "analytic" in text and "numeric" in text
    assert "(1,)" in text and "4.5" in text and "6.75" in text  # 2*1.5^2 vs 3*1.5^2
    assert ag.gradcheck(BadCube.apply, [x], raise_exception=False) is False


class WrongShape(Function):
    @staticmethod
    def forward(x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return (g.sum(),)


class WrongCount(Function):
    @staticmethod
    def forward(a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return (g,)


def test_engine_checks_every_rule():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"WrongShape.backward returned Tensor of shape \(\)"):
        WrongShape.apply(x).sum().backward()
    with pytest.raises(RuntimeError, match=r"WrongCount.backward returned 1 gradient\(s\) for 2 input\(s\)"):
        WrongCount.apply(x, x).sum().backward()


class WrongKernel(Function):
    """y = 2x;  dy/dx = 2 (its fast kernel below forgets to keep the shape)"""

    @staticmethod
    def forward(x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return (g * 2.0,)


def _forgets_the_shape(ctx, g):
    return ((g * 2.0).sum(),)


fast_backward[WrongKernel] = _forgets_the_shape


def test_engine_checks_fast_kernels_and_user_functions_need_none():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"WrongKernel._forgets_the_shape returned ndarray of shape \(\)"):
        WrongKernel.apply(x).sum().backward()
    # the recorded pass uses the definition, which is right
    (g,) = ag.grad(WrongKernel.apply(x).sum(), x, create_graph=True)
    assert g.tolist() == [2.0, 2.0]
    # a Function with only its definition works in a first-order pass too
    assert Cube not in fast_backward
    y = Cube.apply(x).sum()
    y.backward()
    assert x.grad.tolist() == [3.0, 12.0]


def test_every_primitive_documents_its_derivative():
    from autograd import primitives

    for name in primitives.__all__:
        if name == "constant":
            continue
        doc = getattr(primitives, name).__doc__ or ""
        assert ";" in doc and ("d" in doc), name


# -- agreement with Value --------------------------------------------------------------------------
PAIRS = [
    ("exp", lambda v: v.exp()), ("log", lambda v: v.log()), ("sqrt", lambda v: v.sqrt()),
    ("tanh", lambda v: v.tanh()), ("sigmoid", lambda v: v.sigmoid()), ("relu", lambda v: v.relu()),
    ("leaky_relu", lambda v: v.leaky_relu()), ("gelu", lambda v: v.gelu()), ("silu", lambda v: v.silu()),
    ("softplus", lambda v: v.softplus()), ("pow", lambda v: v**2.5), ("rpow", lambda v: 1.5**v),
    ("mix", lambda v: (v * 3 - 1) / (v + 2) + 4 - v),
]


@pytest.mark.parametrize("name,fn", PAIRS, ids=[p[0] for p in PAIRS])
@pytest.mark.parametrize("x", [0.3, 1.7, -0.8])
def test_value_and_0d_tensor_agree(name, fn, x):
    if name in ("log", "sqrt", "pow") and x < 0:
        x = -x
    v = Value(x)
    out_v = fn(v)
    out_v.backward()
    t = ag.Tensor(np.float64(x), requires_grad=True)
    out_t = fn(t)
    out_t.backward()
    assert out_t.shape == ()
    assert math.isclose(out_v.data, out_t.item(), rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(v.grad, t.grad.item(), rel_tol=1e-9, abs_tol=1e-12)


def test_float32_in_float32_grads_out():
    W = ag.randn(4, 3, requires_grad=True)
    x = ag.randn(5, 4)
    loss = (x @ W).gelu().log_softmax(-1).mean() + W.var() + (W**2).sum().sqrt()
    loss.backward()
    assert loss.dtype == np.float32 and W.grad.dtype == np.float32


def test_tanh_and_sigmoid_are_differentiable_to_third_order():
    x = ag.tensor(np.float64(0.3), requires_grad=True)
    for fn in (lambda t: t.tanh(), lambda t: t.sigmoid()):
        assert ag.gradgradcheck(lambda t, fn=fn: ag.grad(fn(t), t, create_graph=True)[0], [x])


def test_mode_switches_and_detect_anomaly_work_as_decorators():
    x = ag.tensor(1.0, requires_grad=True)

    @ag.set_grad_enabled(False)
    def off(t):
        return t * 2

    @ag.detect_anomaly()
    def log(t):
        return t.log()

    assert not off(x).requires_grad and ag.is_grad_enabled()
    with np.errstate(invalid="ignore"), pytest.raises(RuntimeError, match="detect_anomaly: Log forward produced nan"):
        log(ag.tensor(-1.0))
    assert log(ag.tensor(2.0)).item() == pytest.approx(np.log(2.0))


class GradIsInput(Function):
    """y = x * c for a constant array c given as the second input;
    dy/dx = c (the numpy rule hands back the input array c itself)"""

    @staticmethod
    def forward(x, c):
        return x * c

    @staticmethod
    def backward(ctx, g):
        return (g * ctx.inputs[1], None)


def _hands_back_the_input(ctx, g):
    return (ctx.saved.arrays[1], None)  # right only for g == 1, which is what the test feeds


fast_backward[GradIsInput] = _hands_back_the_input


class SumOfTwo(Function):
    """y = a + b;  dy/da = dy/db = 1 (the numpy rule gives both inputs one new array)"""

    @staticmethod
    def forward(a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


def _one_array_for_both(ctx, g):
    shared = g * 1.0
    return shared, shared


fast_backward[SumOfTwo] = _one_array_for_both


def test_first_order_gradients_never_alias_anything_outside_the_pass():
    # A gradient array nothing else refers to becomes .grad without a copy,
    # and sums the pass made are added into in place; anything that might be
    # shared must be left alone. Each case runs on a small and on a big tensor.
    for n in (2, 40_000):
        ones = np.ones(n, dtype=np.float32)
        a = ag.Tensor(ones, requires_grad=True)
        b = ag.Tensor(ones * 3, requires_grad=True)
        (a + b).sum().backward()  # Add hands the same array to both inputs
        assert not np.shares_memory(a.grad.data, b.grad.data)
        a.grad.data[0] = 100.0
        assert b.grad.data[0] == 1.0

        p, q = ag.Tensor(ones, requires_grad=True), ag.Tensor(ones, requires_grad=True)
        SumOfTwo.apply(p, q).sum().backward()  # one new array for both inputs
        assert not np.shares_memory(p.grad.data, q.grad.data)

        seed = np.ones(n, dtype=np.float32)
        x = ag.Tensor(ones, requires_grad=True)
        (x + 0.5).backward(gradient=seed)  # the seed passes straight through
        assert not np.shares_memory(x.grad.data, seed)

        c = ag.Tensor(ones * 2)
        w = ag.Tensor(ones, requires_grad=True)
        y = GradIsInput.apply(w, c) + GradIsInput.apply(w, c)
        y.backward(gradient=seed)
        assert np.all(w.grad.data == 4.0)
        assert np.all(c.data == 2.0)  # the input's array was not used as a sum buffer
        assert not np.shares_memory(w.grad.data, c.data)

        v = ag.Tensor(np.linspace(-1, 1, n, dtype=np.float32), requires_grad=True)
        ((v * 2.0) + (v * 3.0) + v.tanh()).sum().backward()  # three contributions, summed in place
        np.testing.assert_allclose(v.grad.data, 5.0 + (1 - np.tanh(v.data) ** 2), rtol=1e-6)
        v.grad = None
        loss = (v * 2.0).sum()
        loss.backward(retain_graph=True)
        first = v.grad.data
        loss.backward()  # accumulates into a new array: the first grad array is not changed
        assert np.all(first == 2.0) and np.all(v.grad.data == 4.0)
