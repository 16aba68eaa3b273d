"""Random graphs of the registry's ops (tests/ops/registry.py) on random
broadcastable shapes, with reused nodes and a random upstream gradient,
checked against finite differences: first order over every op, second order
over the smooth ones. ``pytest -m fuzz`` runs thousands of fresh ones."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import autograd as ag
from tests.ops.registry import BINARY, REDUCTIONS, UNARY, Op

RAISE = dict(over="raise", invalid="raise", divide="raise")


def _apply(op: Op, inputs: list):
    """The op on the pool's nodes. Ops that need dimensions leave a 0-d node as
    it is; reductions keep their axis, so any two nodes still broadcast."""
    if op in REDUCTIONS:
        (t,) = inputs
        return op.fn(t, -1, True) if t.ndim else t
    if any(t.ndim < op.min_dims or min(t.shape, default=op.min_side) < op.min_side for t in inputs):
        return inputs[0]
    return op.guarded(*inputs)


# (an op that drops a leading axis leaves a suffix of a shape that broadcasts, which still does)
OPS = {op.name: op for op in UNARY + BINARY + REDUCTIONS}
SMOOTH = sorted(name for name, op in OPS.items() if op.smooth)
ALL = sorted(OPS)


@st.composite
def graphs(draw, names):
    shapes = draw(mutually_broadcastable_shapes(num_shapes=draw(st.integers(1, 3)), min_dims=0, max_dims=3,
                                                max_side=3)).input_shapes
    steps = draw(st.lists(st.tuples(st.sampled_from(names), st.integers(0, 63), st.integers(0, 63)),
                          min_size=1, max_size=7))
    reuse = draw(st.lists(st.integers(0, 63), max_size=3))
    seed = draw(st.integers(0, 2**31 - 1))
    return shapes, steps, reuse, seed


def run_graph(inputs, steps, reuse, upstream):
    pool = list(inputs)
    for name, i, j in steps:
        op = OPS[name]
        pool.append(_apply(op, [pool[i % len(pool)], pool[j % len(pool)]][: op.arity]))
    out = pool[-1]
    for k in reuse:  # non-leaf nodes used again, so gradients meet from several paths
        out = out + pool[k % len(pool)] * 0.5
    return (out * upstream(out.shape)).sum()  # a random upstream gradient


def _check_graph(graph, second_order):
    shapes, steps, reuse, seed = graph
    rng = np.random.default_rng(seed)
    values = [rng.uniform(-1.5, 1.5, s) for s in shapes]  # random floats: no ties, no kinks hit
    weights = {}

    def upstream(shape):
        if shape not in weights:
            weights[shape] = ag.Tensor(np.random.default_rng(seed + 1).standard_normal(shape))
        return weights[shape]

    inputs = [ag.Tensor(v, requires_grad=True) for v in values]
    fn = lambda *xs: run_graph(xs, steps, reuse, upstream)  # noqa: E731
    with np.errstate(**RAISE):
        assert ag.gradcheck(fn, inputs, atol=1e-5, rtol=1e-3)
        if second_order:
            assert ag.gradgradcheck(fn, inputs, atol=1e-4, rtol=1e-3)


@settings(max_examples=60)
@given(graphs(ALL))
def test_fuzz_random_graphs_first_order(graph):
    _check_graph(graph, second_order=False)


@settings(max_examples=40)
@given(graphs(SMOOTH))
def test_fuzz_random_smooth_graphs_second_order(graph):
    _check_graph(graph, second_order=True)


@pytest.mark.fuzz
@pytest.mark.slow
@settings(max_examples=5000, derandomize=False)
@given(graphs(ALL))
def test_fuzz_long_first_order(graph):
    _check_graph(graph, second_order=False)


@pytest.mark.fuzz
@pytest.mark.slow
@settings(max_examples=2000, derandomize=False)
@given(graphs(SMOOTH))
def test_fuzz_long_second_order(graph):
    _check_graph(graph, second_order=True)
