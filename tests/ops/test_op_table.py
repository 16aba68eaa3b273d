"""The op table: every op in the registry (tests/ops/registry.py) checked on
shapes drawn by hypothesis (broadcastable pairs, 0-d, size-1 axes): forward
against numpy, gradients against finite differences in float64 (and second
derivatives for smooth ops), float32 in giving float32 out; then what a table
cannot say: ties, zeros, reductions over every axis, shapes, indexing, matmul."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays, mutually_broadcastable_shapes

import autograd as ag
from tests.helpers import away_from_kinks, check_op
from tests.ops.registry import BINARY, REDUCTIONS, UNARY, sigmoid


def _draw_array(data, shape, lo, hi):
    return data.draw(arrays(np.float64, shape, elements=st.floats(lo, hi)))


def _spread(x, lo, hi):
    """Distinct values, so max/min/kinks have no ties: a deterministic jitter."""
    jitter = np.linspace(0, 1e-2, x.size).reshape(x.shape) if x.size else x
    return np.clip(x + jitter, lo, hi)


@pytest.mark.parametrize("op", UNARY, ids=repr)
@given(data=st.data())
def test_unary_op(op, data):
    ((lo, hi),) = op.domain
    shape = data.draw(array_shapes(min_dims=op.min_dims, max_dims=3, min_side=op.min_side, max_side=3))
    x = _spread(_draw_array(data, shape, lo, hi), lo, hi)
    if not op.smooth:
        x = away_from_kinks(x, op.kinks)
    check_op(op.fn, op.ref, [x], smooth=op.smooth)


@pytest.mark.parametrize("op", BINARY, ids=repr)
@given(data=st.data())
def test_binary_op_with_broadcasting(op, data):
    shapes = data.draw(mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
    a, b = (_draw_array(data, s, *d) for s, d in zip(shapes.input_shapes, op.domain))
    if not op.smooth:
        # ties are tested separately: a on the quarter points, b on the three-quarters
        a, b = np.round(a) + 0.25, np.round(b) + 0.75
    check_op(op.fn, op.ref, [a, b], smooth=op.smooth)


def test_scalar_on_either_side_keeps_float32():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    for y in (x + 1, 1 + x, x - 1, 1 - x, x * 2, 2 * x, x / 2, 2 / x, x**2, 2**x):
        assert y.dtype == np.float32
        y.sum().backward()
        assert x.grad.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32, np.int64])
def test_relu_keeps_the_dtype_and_its_gradient_is_the_mask(dtype):
    """ReLU compares against a cached 0-d zero of the input's dtype (numpy 2
    charges for a Python 0); values, dtype and the gradient mask must not change."""
    data = np.array([[-2, 0, 3], [5, -1, 0]], dtype)
    x = ag.Tensor(data, requires_grad=np.dtype(dtype).kind == "f")
    y = x.relu()
    assert y.dtype == dtype
    np.testing.assert_array_equal(y.data, np.maximum(data, 0))
    if x.requires_grad:
        g = np.arange(6, dtype=dtype).reshape(2, 3)
        y.backward(ag.Tensor(g))
        assert x.grad.dtype == dtype
        np.testing.assert_array_equal(x.grad.data, np.where(data > 0, g, 0))


def test_cached_constants_are_read_only_0d_arrays_of_the_dtype():
    from autograd.primitives._numpy import constant

    zero = constant(0, np.dtype(np.float32))
    assert zero.shape == () and zero.dtype == np.float32 and zero == 0
    assert constant(0, np.dtype(np.float32)) is zero and constant(0, np.dtype(np.float64)) is not zero
    with pytest.raises(ValueError, match="read-only"):
        zero[...] = 1


def test_mixed_dtypes_promote_and_grads_keep_each_inputs_dtype():
    a = ag.Tensor(np.ones(3, np.float32), requires_grad=True)
    b = ag.Tensor(np.ones(3, np.float64), requires_grad=True)
    out = a * b
    assert out.dtype == np.float64
    out.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


# -- maximum / minimum ties ----------------------------------------------------
def test_maximum_minimum_split_gradient_between_ties():
    a = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ag.tensor([1.0, 5.0, 0.0], requires_grad=True)
    ag.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad.data, [0.5, 1.0, 0.0])
    a.grad = b.grad = None
    ag.minimum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 1.0, 0.0])


# -- reductions: every axis combination, keepdims both ways --------------------------
def _all_axes(ndim):
    yield None
    for r in range(1, ndim + 1):
        yield from itertools.combinations(range(ndim), r)
    yield from range(-ndim, ndim)


@pytest.mark.parametrize("op", REDUCTIONS, ids=repr)
@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 1, 3)], ids=str)
def test_reduction_every_axis_combination(op, shape):
    rng = np.random.default_rng(len(shape))
    x = rng.uniform(0.5, 1.5, size=shape) * np.where(rng.random(shape) < 0.5, -1, 1)
    x = _spread(x, -2, 2)
    axes = list(_all_axes(len(shape))) if shape else [None, ()]
    for axis in axes:
        for keepdims in (False, True):
            if op.name in ("max", "min") and axis == ():
                continue
            check_op(lambda t, a=axis, k=keepdims: op.fn(t, a, k), lambda v, a=axis, k=keepdims: op.ref(v, a, k),
                     [x], smooth=op.smooth)


def test_max_splits_gradient_between_tied_maxima():
    x = ag.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.data, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])


def test_prod_gradient_with_zeros():
    x = ag.Tensor(np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 4.0]]), requires_grad=True)
    x.prod(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.data, [[6.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    assert ag.gradcheck(lambda t: t.prod(axis=1), [ag.Tensor(np.array([[0.0, 2.0, 3.0]]), requires_grad=True)])


def test_argmax_argmin_have_no_gradient_and_match_numpy():
    x = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    t = ag.Tensor(x, requires_grad=True)
    assert np.array_equal(t.argmax(axis=1).data, np.argmax(x, axis=1))
    assert np.array_equal(t.argmin().data, np.argmin(x))
    assert not t.argmax().requires_grad


# -- shapes -----------------------------------------------------------------------------
SHAPE_OPS = [
    ("reshape", lambda x: x.reshape(3, -1), lambda x: x.reshape(3, -1)),
    ("flatten", lambda x: x.flatten(), lambda x: x.reshape(-1)),
    ("flatten_1", lambda x: x.flatten(1), lambda x: x.reshape(x.shape[0], -1)),
    ("transpose", lambda x: x.transpose(), lambda x: x.transpose()),
    ("T", lambda x: x.T, lambda x: x.T),
    ("permute", lambda x: x.permute(1, 2, 0), lambda x: np.transpose(x, (1, 2, 0))),
    ("swapaxes", lambda x: x.swapaxes(0, -1), lambda x: np.swapaxes(x, 0, -1)),
    ("unsqueeze", lambda x: x.unsqueeze(1), lambda x: np.expand_dims(x, 1)),
    ("unsqueeze_neg", lambda x: x.unsqueeze(-1), lambda x: np.expand_dims(x, -1)),
    ("squeeze", lambda x: x.unsqueeze(0).squeeze(0), lambda x: x),
    ("broadcast_to", lambda x: x.broadcast_to((2,) + x.shape), lambda x: np.broadcast_to(x, (2,) + x.shape)),
    ("expand", lambda x: x[:, :1].expand(-1, 4, -1), lambda x: np.broadcast_to(x[:, :1], (3, 4, 2))),
    ("basic_index", lambda x: x[1, :, ::-1], lambda x: x[1, :, ::-1]),
    ("ellipsis_none", lambda x: x[..., None, 0], lambda x: x[..., None, 0]),
    ("advanced_repeats", lambda x: x[[0, 2, 0, 0]], lambda x: x[[0, 2, 0, 0]]),
    ("advanced_pairs", lambda x: x[[0, 1, 0], [1, 1, 1]], lambda x: x[[0, 1, 0], [1, 1, 1]]),
    ("mixed", lambda x: x[1:, [0, 0, 1], 1], lambda x: x[1:, [0, 0, 1], 1]),
    ("boolean", lambda x: x[ag.tensor(np.array([True, False, True]))], lambda x: x[np.array([True, False, True])]),
    ("boolean_elems", lambda x: x[x.data > 0], lambda x: x[x > 0]),
    ("tensor_index", lambda x: x[ag.tensor(np.array([2, 2, 1]))], lambda x: x[np.array([2, 2, 1])]),
    ("pad", lambda x: ag.pad(x, ((1, 0), (0, 2), (1, 1))), lambda x: np.pad(x, ((1, 0), (0, 2), (1, 1)))),
    ("split_sizes", lambda x: ag.split(x, [1, 1], dim=2)[1] * 2, lambda x: np.split(x, [1], axis=2)[1] * 2),
    ("split_size", lambda x: ag.split(x, 2, dim=1)[1], lambda x: x[:, 2:4]),
    ("split_uneven", lambda x: x.split(2)[1], lambda x: x[2:3]),
    ("chunk", lambda x: ag.chunk(x, 3)[2], lambda x: np.split(x, 3)[2]),
    ("cat_dim", lambda x: ag.cat([x, x * 2], dim=1), lambda x: np.concatenate([x, x * 2], axis=1)),
]


@pytest.mark.parametrize("name,fn,ref", SHAPE_OPS, ids=[s[0] for s in SHAPE_OPS])
def test_shape_op(name, fn, ref):
    x = np.random.default_rng(0).standard_normal((3, 4, 2))
    if name == "boolean_elems":
        check_op(lambda t: t[t.data > 0], ref, [x], smooth=True)
        return
    check_op(fn, ref, [x], smooth=True)


def test_repeated_index_accumulates_gradient():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 0.0, 1.0])


@given(data=st.data())
def test_concatenate_and_stack(data):
    n = data.draw(st.integers(1, 3))
    axis = data.draw(st.integers(0, 1))
    shapes = [(2, data.draw(st.integers(1, 3))) if axis == 1 else (data.draw(st.integers(1, 3)), 2)
              for _ in range(n)]
    arrs = [_draw_array(data, s, -2, 2) for s in shapes]
    check_op(lambda *ts: ag.concatenate(list(ts), axis=axis), lambda *xs: np.concatenate(xs, axis=axis), arrs)
    same = [_draw_array(data, (2, 3), -2, 2) for _ in range(n)]
    check_op(lambda *ts: ag.stack(list(ts), axis=-1), lambda *xs: np.stack(xs, axis=-1), same)


def test_where_broadcasts_condition_and_branches():
    rng = np.random.default_rng(1)
    cond = rng.random((3, 1)) > 0.5
    check_op(lambda a, b: ag.where(cond, a, b), lambda a, b: np.where(cond, a, b),
             [rng.standard_normal((1, 4)), rng.standard_normal((3, 4))])


# -- matmul --------------------------------------------------------------------------------
MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                 ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((2, 1, 2, 3), (4, 3, 2)), ((1, 3), (3, 1))]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES, ids=str)
def test_matmul_batched_and_1d(sa, sb):
    rng = np.random.default_rng(2)
    check_op(lambda a, b: a @ b, np.matmul, [rng.standard_normal(sa), rng.standard_normal(sb)])


@given(st.data())
def test_random_broadcast_chain_matches_numpy(data):
    """A composite of several ops on broadcastable operands: gradients of the whole."""
    shapes = data.draw(mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3))
    a, b, c = (_draw_array(data, s, -2, 2) for s in shapes.input_shapes)
    axis = -1 if shapes.result_shape else None
    check_op(lambda x, y, z: ((x * y).tanh() + z.sigmoid() * x - y / (z * z + 1)).sum(axis=axis),
             lambda x, y, z: (np.tanh(x * y) + sigmoid(z) * x - y / (z * z + 1)).sum(axis=axis),
             [a, b, c])


def test_float32_erf_is_within_two_ulps_of_math_erf_and_stays_float32():
    x = np.concatenate([np.linspace(-8, 8, 20001), [0.0, 1e-30, -1e-8, 3e4, -3e4]]).astype(np.float32)
    got = ag.Tensor(x).erf().data
    assert got.dtype == np.float32
    ref = np.array([math.erf(float(v)) for v in x])
    assert np.max(np.abs(got - ref)) < 2 * np.finfo(np.float32).eps
    small = np.abs(x) < 0.5  # where erf is small: relative accuracy
    assert np.max(np.abs(got[small] - ref[small]) / np.maximum(np.abs(ref[small]), 1e-38)) < 2e-7


def test_float32_gelu_and_its_slope_are_within_pytorchs_float32_error_of_the_exact_values():
    from nn import functional as F

    xs = np.linspace(-12, 12, 48001)
    exact = np.array([0.5 * v * math.erfc(-v / math.sqrt(2)) for v in xs])
    slope = np.array([0.5 * math.erfc(-v / math.sqrt(2)) + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi)
                      for v in xs])
    x = ag.tensor(xs.astype(np.float32), requires_grad=True)
    y = F.gelu(x)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == np.float32
    assert np.max(np.abs(y.numpy() - exact)) < 1.5e-6  # PyTorch 2.13's own float32 GELU: 1.2e-6
    assert np.max(np.abs(x.grad.numpy() - slope)) < 5e-7
    positive = xs > 0.5  # where x Phi(x) is not small: relative accuracy
    assert np.max(np.abs(y.numpy()[positive] - exact[positive]) / exact[positive]) < 3e-7


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fused_tanh_gelu_equals_its_composite_to_any_order(dtype):
    from autograd.primitives.activation import gelu_tanh_composite
    from nn import functional as F

    x = np.random.default_rng(4).standard_normal(70000).astype(dtype) * 4  # more than one block
    fused, ref = ag.tensor(x, requires_grad=True), ag.tensor(x, requires_grad=True)
    y, expected = F.gelu(fused, approximate="tanh"), gelu_tanh_composite(ref)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(y.numpy(), expected.numpy(), **tol)
    y.sum().backward()
    expected.sum().backward()
    assert y.dtype == fused.grad.dtype == dtype
    np.testing.assert_allclose(fused.grad.numpy(), ref.grad.numpy(), **tol)
    small = ag.tensor(x[:12].astype(np.float64), requires_grad=True)
    assert ag.gradcheck(lambda a: F.gelu(a, approximate="tanh"), [small])
    assert ag.gradgradcheck(lambda a: F.gelu(a, approximate="tanh"), [small])


def test_reductions_take_pytorchs_spellings_and_edge_cases():
    x = ag.Tensor(np.array([[1.0, 5.0, 3.0], [4.0, 4.0, 4.0]]), requires_grad=True)
    np.testing.assert_array_equal(x.sum(dim=1, keepdim=True).data, [[9.0], [12.0]])
    np.testing.assert_array_equal(x.sum(1).data, x.sum(axis=1).data)
    values, indices = x.max(1)  # PyTorch's (values, indices)
    assert values.tolist() == [5.0, 4.0] and indices.tolist() == [1, 0] and indices.dtype == np.int64
    assert x.max(dim=0).indices.tolist() == [1, 0, 1]
    assert x.max(axis=1).tolist() == [5.0, 4.0]  # numpy's spelling: the values
    assert x.amax((0, 1)).item() == 5.0 and x.min(1).values.tolist() == [1.0, 4.0]
    assert x.max(ag.Tensor(np.full((2, 3), 4.5))).tolist() == [[4.5, 5.0, 4.5], [4.5, 4.5, 4.5]]
    assert x.argmax(dim=1, keepdim=True).tolist() == [[1], [0]]
    # var is unbiased by default, as in PyTorch; ddof=0 / unbiased=False / correction=0 is numpy's
    np.testing.assert_allclose(x.var(1).data, np.var(x.data, axis=1, ddof=1))
    for kwargs in ({"ddof": 0}, {"unbiased": False}, {"correction": 0}):
        np.testing.assert_allclose(x.var(1, **kwargs).data, np.var(x.data, axis=1))
    # std of a constant row: 0, with gradient 0 (not nan), as PyTorch
    s = x.std(1)
    assert s.data[1] == 0.0
    s.sum().backward()
    assert np.all(np.isfinite(x.grad.data)) and np.all(x.grad.data[1] == 0.0)
    # no degrees of freedom left: inf (nan for a constant), an empty mean is nan, an empty logsumexp -inf
    with np.errstate(invalid="ignore"):
        assert ag.tensor([1.0, 2.0]).var(correction=2).item() == np.inf
        assert np.isnan(ag.tensor([3.0]).var().item())
    empty = ag.Tensor(np.zeros((2, 0)))
    assert np.all(np.isnan(empty.mean(1).data)) and empty.mean(1).shape == (2,)
    assert np.all(empty.logsumexp(1).data == -np.inf)
    with pytest.raises(TypeError, match="sum: give dim or axis, not both"):
        x.sum(0, axis=1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_gather_backward_sums_repeated_rows_like_add_at(dtype):
    """An embedding's backward (rows picked by one integer array) is a sorted
    segment sum; it must equal np.add.at, negative and repeated rows included."""
    rng = np.random.default_rng(3)
    w = ag.tensor(rng.standard_normal((11, 4, 2)).astype(dtype), requires_grad=True)
    index = rng.integers(-11, 11, (6, 5))
    g = rng.standard_normal((6, 5, 4, 2)).astype(dtype)
    w[index].backward(ag.tensor(g))
    expected = np.zeros((11, 4, 2), dtype)
    np.add.at(expected, index, g)
    assert w.grad.dtype == dtype
    np.testing.assert_allclose(w.grad.numpy(), expected, rtol=1e-6 if dtype == np.float32 else 1e-12)
