"""The backward driver (autograd/backward.py): its first-order pass (arrays,
numpy rules) against its recorded pass (Tensors, Tensor rules), nothing
written when it fails, and who owns a gradient array."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
from tests.helpers import Cube  # no numpy rule: the pass runs its Tensor rule


def _random_graph(ops: list[int], n: int):
    """A graph over two (n, 3) leaves and a (3,) leaf built from ``ops``:
    nodes are reused, so some have several consumers; every op kind the
    pass treats differently appears (numpy rules, a Tensor-only rule,
    broadcasting, a branch that needs no gradient)."""
    rng = np.random.default_rng(n)
    a = ag.Tensor(rng.uniform(0.5, 1.5, (n, 3)), requires_grad=True)
    b = ag.Tensor(rng.uniform(0.5, 1.5, (n, 3)), requires_grad=True)
    c = ag.Tensor(rng.uniform(0.5, 1.5, 3), requires_grad=True)
    const = ag.Tensor(rng.uniform(0.5, 1.5, (n, 3)))
    nodes = [a, b, c]
    for i, op in enumerate(ops):
        x, y = nodes[-1 - i % len(nodes)], nodes[i % len(nodes)]
        kind = op % 7
        if kind == 0:
            z = x * y
        elif kind == 1:
            z = x + y
        elif kind == 2:
            z = (x * 0.5).tanh()
        elif kind == 3:
            z = Cube.apply(x * 0.5)
        elif kind == 4:
            z = x * const
        elif kind == 5:
            z = (x - y).sigmoid()
        else:
            z = x.sum(axis=0) * y if x.ndim == 2 else x * y
        nodes.append(z)
    return (a, b, c), sum(node.sum() for node in nodes[3:]) if len(nodes) > 3 else a.sum()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=1, max_size=12), st.integers(1, 4))
def test_first_order_and_recorded_passes_agree_on_random_graphs(ops, n):
    leaves, root = _random_graph(ops, n)
    root.backward()
    fast = [None if t.grad is None else t.grad.data for t in leaves]
    leaves2, root2 = _random_graph(ops, n)
    root2.backward(create_graph=True)  # the same driver, running the Tensor rules
    for f, t in zip(fast, leaves2):
        assert (f is None) == (t.grad is None)
        if f is not None:
            np.testing.assert_allclose(f, t.grad.data, rtol=1e-12, atol=1e-14)


def test_a_failing_backward_leaves_every_grad_as_it_was():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    b = ag.tensor([3.0, 4.0], requires_grad=True)
    c = ag.tensor([5.0, 6.0])
    p = b * c
    loss = (p * a).sum()
    loss.backward(retain_graph=True)
    assert a.grad.tolist() == [15.0, 24.0] and b.grad.tolist() == [5.0, 12.0]

    # a's gradient is complete before the pass reaches p's node, which fails
    c.data[0] = 0.0
    c._version[0] += 1  # an in-place change, as the Tensor's in-place ops record it
    with pytest.raises(RuntimeError, match="Mul backward: input 1"):
        loss.backward()
    assert a.grad.tolist() == [15.0, 24.0] and b.grad.tolist() == [5.0, 12.0]

    # a hook that raises half-way: nothing written, and with retain_graph the graph is still there
    q = b * 2.0
    loss = (q * a).sum()

    def refuse(g):
        raise ValueError("no")

    remove = q.register_hook(refuse)
    a.grad = b.grad = None
    with pytest.raises(ValueError, match="no"):
        loss.backward(retain_graph=True)
    assert a.grad is None and b.grad is None
    remove()
    remove = a.register_hook(refuse)  # a leaf's hook, which runs after every rule
    with pytest.raises(ValueError, match="no"):
        loss.backward(retain_graph=True)
    assert a.grad is None and b.grad is None
    remove()
    loss.backward()
    assert a.grad.tolist() == [6.0, 8.0] and b.grad.tolist() == [2.0, 4.0]


def test_a_hooks_result_is_copied_into_grad_even_when_big():
    for n in (2, 40_000):  # below and above the size where new arrays are kept without a copy
        x = ag.Tensor(np.ones(n, dtype=np.float32), requires_grad=True)
        returned = []

        def double(g, returned=returned):
            returned.append(g * 2.0)
            return returned[-1]

        x.register_hook(double)
        (x * 3.0).sum().backward()
        returned[-1].data[:] = -1.0  # the hook's tensor is the user's: changing it leaves .grad alone
        assert np.all(x.grad.data == 6.0)


def test_retained_non_leaf_grads_hooks_and_unreached_leaves():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    unused = ag.tensor([1.0], requires_grad=True)
    h = x * x
    h.retain_grad()
    seen = []
    h.register_hook(lambda g: seen.append(g.tolist()))
    (h * 3.0).sum().backward()
    assert h.grad.tolist() == [3.0, 3.0] and seen == [[3.0, 3.0]]
    assert x.grad.tolist() == [6.0, 12.0]
    assert unused.grad is None
    # a leaf that is its own root
    x.grad = None
    x.backward(gradient=ag.tensor([1.0, -1.0]))
    assert x.grad.tolist() == [1.0, -1.0]


def test_without_retain_graph_a_failed_backward_frees_what_it_ran_and_writes_nothing():
    a = ag.tensor([1.0, 2.0], requires_grad=True)
    q = a * 2.0
    loss = (q * a).sum()
    remove = q.register_hook(lambda g: (_ for _ in ()).throw(ValueError("no")))
    with pytest.raises(ValueError, match="no"):
        loss.backward()
    assert a.grad is None
    remove()
    # the nodes that ran before the hook (sum, product) freed their saved tensors
    assert loss.grad_fn.next_functions[0][0].is_freed and not q.grad_fn.is_freed
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        loss.backward()
    assert a.grad is None


@pytest.mark.parametrize("failure", ["in_place", "hook"])
def test_the_failure_guarantee_holds_under_detect_anomaly_and_create_graph(failure):
    for mode in ("anomaly", "create_graph"):
        a = ag.tensor([1.0, 2.0], requires_grad=True)
        b = ag.tensor([3.0, 4.0], requires_grad=True)
        c = ag.tensor([5.0, 6.0])
        p = b * c
        loss = (p * a).sum()
        a.grad = ag.tensor([0.5, 0.5])
        if failure == "in_place":
            with ag.no_grad():
                c += 1.0
            expected = "Mul backward: input 1"
        else:
            p.register_hook(lambda g: (_ for _ in ()).throw(ValueError("hook says no")))
            expected = "hook says no"
        with pytest.raises((RuntimeError, ValueError), match=expected):
            if mode == "anomaly":
                with ag.detect_anomaly():
                    loss.backward()
            else:
                loss.backward(create_graph=True)
        assert a.grad.tolist() == [0.5, 0.5] and b.grad is None, mode


def test_backward_with_create_graph_or_anomaly_gives_the_same_result():
    x = ag.tensor([0.3, -0.7], requires_grad=True, dtype=np.float64)
    (x.tanh() * x).sum().backward()
    plain = x.grad.numpy().copy()
    x.grad = None
    with ag.detect_anomaly():
        (x.tanh() * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, plain)
    x.grad = None
    (x.tanh() * x).sum().backward(create_graph=True)
    np.testing.assert_allclose(x.grad.data, plain, rtol=1e-15)
    assert x.grad.requires_grad  # recorded: differentiable again


# -- who owns a gradient array --------------------------------------------------------
def test_no_two_grads_share_memory_with_each_other_or_with_what_the_pass_was_given():
    """Add hands g itself to both inputs, Reshape a view of g, a hook and
    retain_grad() see the same arrays: every ``.grad`` must still be its own
    memory, apart from the seed, the saved arrays and the other gradients."""
    rng = np.random.default_rng(6)
    a = ag.Tensor(rng.normal(size=(3, 4)), requires_grad=True)
    b = ag.Tensor(rng.normal(size=(3, 4)), requires_grad=True)
    c = ag.Tensor(rng.normal(size=(12,)), requires_grad=True)
    s = a + b
    s.retain_grad()
    out = s + c.reshape(3, 4)
    seed = ag.Tensor(rng.normal(size=(3, 4)))
    out.backward(seed, retain_graph=True)
    grads = [a.grad.numpy(), b.grad.numpy(), c.grad.numpy(), s.grad.numpy()]
    for i, g in enumerate(grads):
        assert not np.shares_memory(g, seed.numpy()), i
        for j in range(i):
            assert not np.shares_memory(g, grads[j]), (i, j)
    a.grad.numpy()[...] = 0  # writing one gradient changes no other
    np.testing.assert_array_equal(b.grad.numpy(), seed.numpy())


def test_a_gradient_array_nothing_else_holds_becomes_the_leafs_grad_without_a_copy():
    """PyTorch's AccumulateGrad rule: a first gradient that no one else refers
    to is taken as it is (a copy of every weight's gradient would cost a
    pass through memory per parameter per step)."""
    import weakref

    from autograd.engine import fast_backward

    made = []

    class Double(ag.Function):
        saves = ()

        @staticmethod
        def forward(x):
            return 2 * x

        @staticmethod
        def backward(ctx, g):
            return (g * 2.0,)

    def kernel(ctx, g):
        result = g * 2.0
        made.append(weakref.ref(result))
        return (result,)

    fast_backward[Double] = kernel
    try:
        x = ag.Tensor(np.ones((5, 5)), requires_grad=True)
        Double.apply(x).sum().backward()
        assert made and x.grad.numpy() is made[0]()
        np.testing.assert_array_equal(x.grad.numpy(), np.full((5, 5), 2.0))
    finally:
        del fast_backward[Double]


def test_a_leaf_used_twice_gets_the_sum_and_the_upstream_arrays_are_untouched():
    """A leaf used twice: the first contribution (allocated by Linear's rule)
    is kept without a copy, the second is summed into it; the result is the
    sum, and the upstream arrays are untouched."""
    from nn import functional as F

    rng = np.random.default_rng(7)
    x = ag.Tensor(rng.normal(size=(4, 3)))
    w = ag.Tensor(rng.normal(size=(2, 3)), requires_grad=True)
    b = ag.Tensor(rng.normal(size=2), requires_grad=True)
    out = (F.linear(x, w, b).relu() + F.linear(x, w, b)).sum()
    saved = w.numpy().copy()
    out.backward()
    mask = (x.data @ w.data.T + b.data) > 0
    np.testing.assert_allclose(w.grad.data, (mask.astype(float) + 1).T @ x.data, rtol=1e-12)
    np.testing.assert_allclose(b.grad.data, (mask.astype(float) + 1).sum(0), rtol=1e-12)
    np.testing.assert_array_equal(w.data, saved)
    assert not np.shares_memory(w.grad.data, b.grad.data)


def test_anomaly_error_carries_the_node_whose_backward_made_the_nan():
    x = ag.tensor(np.array([1.0, 0.0]), requires_grad=True)
    w = ag.tensor(np.array([2.0, 3.0]), requires_grad=True)
    root = (x * w).sqrt()
    loss = root.sum() + (w * w).sum()
    with ag.detect_anomaly(), np.errstate(divide="ignore"), pytest.raises(ag.AnomalyError) as caught:
        loss.backward()
    assert caught.value.node is root.grad_fn and caught.value.node.name() == "SqrtBackward"
    assert isinstance(caught.value, RuntimeError) and x.grad is None and w.grad is None
    with ag.detect_anomaly(), np.errstate(invalid="ignore"), pytest.raises(ag.AnomalyError) as forward:
        (x - 1.0).sqrt()  # a forward: the output has no node yet
    assert forward.value.node is None and "Sqrt forward produced nan" in str(forward.value)
