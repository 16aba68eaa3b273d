"""The scalar Value: every op's value and derivative against central
differences over its domain, random expression trees, micrograd's reference
expressions, stability at extreme inputs and the engine's semantics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
from autograd import Value, no_grad
from autograd.value import backprop, dot
from tests.helpers import away_from_kinks
from tests.ops.registry import BINARY, BY_NAME, UNARY

H = 1e-6


def numeric_derivative(f, x: float) -> float:
    return (f(x + H) - f(x - H)) / (2 * H)


def close(a: float, b: float, tol: float = 1e-5) -> bool:
    return abs(a - b) <= tol * (1 + abs(b))


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


# the registry's ops that Value has too (tests/ops/registry.py), on Python floats
SCALAR_UNARY = [op for op in UNARY if op.scalar]
SCALAR_BINARY = [op for op in BINARY if op.scalar]


@pytest.mark.parametrize("op", SCALAR_UNARY, ids=repr)
@given(data=st.data())
def test_unary_value_and_derivative(op, data):
    ((lo, hi),) = op.domain
    x = data.draw(st.floats(lo, hi))
    if not op.smooth:
        x = float(away_from_kinks(np.array(x), op.kinks))
    ref = lambda t: float(op.ref(np.float64(t)))  # noqa: E731
    v = Value(x)
    out = op.fn(v)
    assert close(out.data, ref(x), 1e-9)
    out.backward()
    assert close(v.grad, numeric_derivative(ref, x)), (op.name, x, v.grad)


@pytest.mark.parametrize("op", SCALAR_BINARY, ids=repr)
@given(data=st.data())
def test_binary_value_and_derivatives(op, data):
    x, y = (data.draw(st.floats(lo, hi)) for lo, hi in op.domain)
    ref = lambda s, t: float(op.ref(np.float64(s), np.float64(t)))  # noqa: E731
    a, b = Value(x), Value(y)
    out = op.fn(a, b)
    assert close(out.data, ref(x, y), 1e-9)
    out.backward()
    assert close(a.grad, numeric_derivative(lambda t: ref(t, y), x))
    assert close(b.grad, numeric_derivative(lambda t: ref(x, t), y))


# -- random expression trees, with shared and reused sub-expressions -----------
# registry ops whose chains stay bounded, each input mapped into its op's domain (Op.guarded)
SAFE_UNARY = [BY_NAME[n] for n in ("tanh", "sigmoid", "div_scalar", "silu", "log", "softplus", "neg", "gelu")]
SAFE_BINARY = [BY_NAME[n] for n in ("add", "mul", "sub", "div")]


@st.composite
def programs(draw):
    """A list of instructions over a growing pool of nodes; later nodes reuse earlier ones."""
    n_leaves = draw(st.integers(1, 3))
    leaves = draw(st.lists(st.floats(-2, 2), min_size=n_leaves, max_size=n_leaves))
    steps = []
    pool = n_leaves
    for _ in range(draw(st.integers(1, 12))):
        if draw(st.booleans()):
            steps.append(("u", draw(st.integers(0, len(SAFE_UNARY) - 1)), draw(st.integers(0, pool - 1))))
        else:
            steps.append(("b", draw(st.integers(0, len(SAFE_BINARY) - 1)),
                          draw(st.integers(0, pool - 1)), draw(st.integers(0, pool - 1))))
        pool += 1
    return leaves, steps


def run_program(leaves, steps):
    nodes = list(leaves)
    for step in steps:
        if step[0] == "u":
            nodes.append(SAFE_UNARY[step[1]].guarded(nodes[step[2]]))
        else:
            nodes.append(SAFE_BINARY[step[1]].guarded(nodes[step[2]], nodes[step[3]]))
    out = nodes[-1]
    for extra in nodes[len(leaves):-1:2]:  # reuse non-leaf nodes in the output too
        out = out + extra * 0.1
    return out


@given(programs())
def test_random_expression_trees_match_finite_differences(program):
    leaves, steps = program
    values = [Value(x) for x in leaves]
    out = run_program(values, steps)
    out.backward()
    for i, x in enumerate(leaves):
        def f(t, i=i):
            xs = list(leaves)
            xs[i] = t
            with no_grad():
                return run_program([Value(v) for v in xs], steps).data
        assert close(values[i].grad, numeric_derivative(f, x), 1e-4), (i, steps)


@given(programs())
def test_value_backward_agrees_with_the_dict_based_pass(program):
    # Value.backward runs the fast pass (autograd/value_pass.py: counts and
    # gradients in the nodes' slots); autograd.grad on Values (value_grad) and
    # value.backprop are the readable passes over graph.topological_order.
    # Same graph, same gradients on every leaf, to the last bit.
    leaves, steps = program
    fast = [Value(x) for x in leaves]
    out_fast = run_program(fast, steps)
    out_fast.backward(retain_graph=True)
    out_fast.backward()  # a second pass adds the same again
    generic = [Value(x) for x in leaves]
    out_generic = run_program(generic, steps)
    once = ag.grad(out_generic, generic, allow_unused=True)
    assert [v.grad for v in fast if v is not out_fast] == [0.0 if g is None else 2 * g
                                                           for v, g in zip(fast, once) if v is not out_fast]
    assert out_fast.grad == 1.0  # the root is seeded with 1, as micrograd does
    assert all(v.grad == 0.0 for v in generic)  # grad writes nothing
    readable = [Value(x) for x in leaves]
    backprop(run_program(readable, steps))
    assert [v.grad for v in readable[:len(leaves)]] == [v.grad / 2 for v in fast[:len(leaves)]]


def test_failed_backward_changes_nothing_and_leaves_the_graph_usable():
    x = Value(2.0)
    shared = x * 3.0
    y = (shared * x).tanh()
    y.backward()  # frees y's graph
    before = (x.grad, shared.grad)
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()
    assert (x.grad, shared.grad) == before  # raised before writing any gradient
    x.zero_grad()
    z = shared.data * x  # a fresh graph through the same leaf
    z.backward()
    assert x.grad == shared.data


def test_interrupted_backward_resets_its_bookkeeping():
    # Interrupt the pass half-way (Ctrl-C inside a multiply): every node's
    # consumer count must be back to 0, so the next pass is right.
    class Interrupt(float):
        def __mul__(self, other):
            raise KeyboardInterrupt

    x = Value(1.5)
    inner = x * x + x
    y = inner.exp()
    saved = inner._da
    inner._da = Interrupt(saved)
    with pytest.raises(KeyboardInterrupt):
        y.backward(retain_graph=True)
    assert all(node._n == 0 for node in (x, inner, inner._a, y))
    inner._da = saved
    x.zero_grad()
    y.backward()
    assert close(x.grad, math.exp(1.5 * 1.5 + 1.5) * (2 * 1.5 + 1), 1e-12)


@pytest.mark.slow
def test_million_node_chain_backprops_without_recursion():
    x = Value(1.0)
    y = x
    for _ in range(500_000):
        y = y * 1.0000001 + 0.0  # two nodes per step: 10^6 nodes
    y.backward()
    assert close(x.grad, 1.0000001**500_000, 1e-9)


def test_leaf_gradients_accumulate_and_zero_grad_clears():
    x = Value(3.0)
    (x * x).backward()
    (x * x).backward()
    assert x.grad == 12.0
    x.zero_grad()
    assert x.grad == 0.0


def test_second_backward_through_freed_graph_names_retain_graph():
    x = Value(2.0)
    y = (x * x).tanh()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = Value(2.0)
    y = x * x * 3.0
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad == 2 * 12.0


def test_no_grad_records_nothing():
    x = Value(2.0)
    with no_grad():
        y = x * x
    assert y._prev == ()
    y.backward()
    assert x.grad == 0.0


@pytest.mark.parametrize("op,arg,limit,grad_limit", [
    ("sigmoid", -1000.0, 0.0, 0.0), ("sigmoid", 1000.0, 1.0, 0.0),
    ("tanh", 1000.0, 1.0, 0.0), ("tanh", -1000.0, -1.0, 0.0),
    ("exp", -1000.0, 0.0, 0.0), ("softplus", 1000.0, 1000.0, 1.0),
    ("softplus", -1000.0, 0.0, 0.0), ("silu", -1000.0, 0.0, 0.0), ("silu", 1000.0, 1000.0, 1.0),
    ("gelu", -1000.0, 0.0, 0.0), ("gelu", 1000.0, 1000.0, 1.0),
    ("relu", -1e300, 0.0, 0.0), ("leaky_relu", -1e300, -1e298, 0.01),
])
def test_stable_at_extreme_inputs(op, arg, limit, grad_limit):
    x = Value(arg)
    y = getattr(x, op)()
    y.backward()
    assert close(y.data, limit, 1e-12) or y.data == limit
    assert math.isfinite(x.grad) and close(x.grad, grad_limit, 1e-12)


def test_overflow_gives_inf_not_overflowerror():
    assert Value(1000.0).exp().data == math.inf
    assert Value(1e200).__pow__(2).data == math.inf
    assert (Value(-1e200) ** 3).data == -math.inf


@pytest.mark.parametrize("make,pattern,exc", [
    (lambda: Value(-1.0).log(), r"log: input must be positive, got -1\.0", ValueError),
    (lambda: Value(0.0).log(), r"log: input must be positive, got 0\.0", ValueError),
    (lambda: Value(-4.0).sqrt(), r"sqrt: input must be non-negative, got -4\.0", ValueError),
    (lambda: Value(-8.0) ** (1 / 3), r"pow: negative base -8\.0", ValueError),
    (lambda: Value(-2.0) ** Value(2.0), r"pow: base -2\.0", ValueError),
    (lambda: (-2.0) ** Value(0.5), r"pow: -2\.0 \*\* Value", ValueError),
    (lambda: Value(1.0) / 0, r"div: division of 1\.0 by zero", ZeroDivisionError),
    (lambda: 1.0 / Value(0.0), r"div: division of 1\.0 by zero", ZeroDivisionError),
    (lambda: Value("3"), r"Value: expected a Value or a Python number, got str", TypeError),
    (lambda: Value(1.0) * "x", r"mul: expected a Value or a Python number, got str", TypeError),
])
def test_out_of_domain_input_raises_clear_errors(make, pattern, exc):
    with pytest.raises(exc, match=pattern):
        make()


def test_value_pow_value_derivatives():
    a, b = Value(2.0), Value(3.0)
    (a**b).backward()
    assert close(a.grad, 12.0, 1e-12) and close(b.grad, 8 * math.log(2), 1e-12)


def test_repr_and_label():
    v = Value(1.5, label="w")
    assert repr(v) == "Value(data=1.5, grad=0, label='w')"
    assert "Value(data=2" in repr(v + 0.5)


def test_every_op_documents_its_derivative():
    for name in ["__add__", "__mul__", "__truediv__", "__pow__", "exp", "log", "sqrt", "tanh",
                 "sigmoid", "relu", "leaky_relu", "gelu", "silu", "softplus"]:
        doc = getattr(Value, name).__doc__ or ""
        assert "d(out)/d" in doc, name


@given(st.lists(st.tuples(st.floats(-3, 3), st.floats(-3, 3), st.booleans(), st.booleans()), min_size=1, max_size=6),
       st.floats(-3, 3), st.booleans())
def test_dot_matches_the_unfused_expression(terms, bias, bias_is_value):
    # dot(w, x, b) is one node with the value and gradients of b + w0*x0 + ...
    def build(fused):
        ws = [Value(w) if wv else w for w, _, wv, _ in terms]
        xs = [Value(x) if xv else x for _, x, _, xv in terms]
        b = Value(bias) if bias_is_value else bias
        if fused:
            out = dot(ws, xs, b)
        else:
            out = b
            for w, x in zip(ws, xs):
                out = out + w * x
            out = out if isinstance(out, Value) else Value(out)
        out = (out * out).tanh()  # something after it, so the gradient is not just 1
        return out, [v for v in ws + xs + [b] if isinstance(v, Value)]

    fused, fused_leaves = build(True)
    plain, plain_leaves = build(False)
    assert fused.data == plain.data  # summed in the same order: the same bits
    fused.backward(retain_graph=True)
    plain.backward()
    for f, p in zip(fused_leaves, plain_leaves):
        assert close(f.grad, p.grad, 1e-9)
    # and the dict-based pass (autograd.grad) agrees on the fused node
    if fused_leaves:
        for g, p in zip(ag.grad(fused, fused_leaves, allow_unused=True), plain_leaves):
            assert close(g or 0.0, p.grad, 1e-9)


def test_dot_repeated_inputs_errors_and_freed_graph():
    x = Value(3.0)
    y = dot([x, 2.0], [x, x], bias=1.0)  # x*x + 2x + 1
    assert y.data == 16.0 and y._op == "dot" and len(y._prev) == 3
    y.backward()
    assert x.grad == 2 * 3.0 + 2.0
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()
    with pytest.raises(ValueError, match="dot: 2 weights but 1 inputs"):
        dot([x, x], [x])
    with pytest.raises(TypeError, match="dot: expected a Value or a Python number, got str"):
        dot([x], ["a"])
    with no_grad():
        assert dot([x], [x])._prev == ()


def test_micrograd_sanity_check_without_torch():
    # micrograd's test_sanity_check with its torch reference values written in: the ported
    # program (tests/programs/micrograd_test_engine.py) needs torch; this one never does
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    assert y.data == -20.0
    assert x.grad == 46.0


def test_micrograd_lectures_manual_backprop_and_root_seed():
    # Zero to Hero, micrograd lecture: set o.grad = 1, then call each node's
    # _backward() in reverse topological order; and backward() seeds the root
    # with 1 whatever its .grad held.
    def neuron():
        x1, x2, w1, w2, b = Value(2.0), Value(0.0), Value(-3.0), Value(1.0), Value(6.8813735870195432)
        n = x1 * w1 + x2 * w2 + b
        return n.tanh(), (x1, x2, w1, w2, b)

    o, leaves = neuron()
    topo, seen = [], set()

    def build(v):
        if v not in seen:
            seen.add(v)
            for child in v._prev:
                build(child)
            topo.append(v)

    build(o)
    o.grad = 1.0
    for node in reversed(topo):
        node._backward()
    manual = [v.grad for v in leaves]
    o2, leaves2 = neuron()
    o2.grad = 1.0  # as in the lecture, before calling backward()
    o2.backward()
    assert o2.grad == 1.0
    assert [v.grad for v in leaves2] == pytest.approx(manual) and manual[2] == pytest.approx(1.0)
