"""Every fast first-order kernel (``autograd.engine.fast_backward``) against
its op's definition (the op's ``backward``, which a ``create_graph=True``
pass runs), in float64 and float32: for every op of the registry, and for the
fused layer ops the registry does not hold. And every kernel the primitives
register is reached by one of these cases, so none can drift unchecked."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import primitives
from autograd.engine import fast_backward
from autograd.graph import topological_order
from nn import functional as F
from tests.helpers import away_from_kinks
from tests.ops.registry import BINARY, REDUCTIONS, UNARY

RNG = np.random.default_rng(11)
TOLERANCE = {np.float64: (1e-12, 1e-12), np.float32: (2e-5, 2e-6)}


def _inside(domain, shape):
    lo, hi = domain
    return RNG.uniform(lo, hi, size=shape)


def _registry_cases():
    for op in UNARY:
        x = _inside(op.domain[0], (3, 4) if op.min_dims < 2 else (3, 4))
        yield op.name, op.fn, [away_from_kinks(x, op.kinks) if not op.smooth else x]
    for op in BINARY:
        a, b = _inside(op.domain[0], (3, 1)), _inside(op.domain[1], (1, 4))  # broadcast both ways
        if not op.smooth:
            a = a + 0.05 * np.arange(3).reshape(3, 1)  # no ties between a and b
        yield op.name, op.fn, [a, b]
    for op in REDUCTIONS:
        x = _inside((0.5, 1.5), (3, 4)) * np.array([1, -1, 1, -1])
        for axis, keepdims in ((None, False), ((1,), False), ((0,), True)):
            yield f"{op.name}{axis}{keepdims}", (lambda t, op=op, a=axis, k=keepdims: op.fn(t, a, k)), [x]


def _layer_cases():
    """The fused ops the registry's Tensor methods do not reach."""
    yield "linear", lambda x, w, b: F.linear(x, w, b), [RNG.normal(size=s) for s in ((2, 3, 5), (4, 5), (4,))]
    yield "matmul_batched", lambda a, b: a @ b, [RNG.normal(size=s) for s in ((2, 3, 5), (2, 5, 4))]
    yield "conv2d", lambda x, w, b: F.conv2d(x, w, b, stride=1, padding=1), \
        [RNG.normal(size=s) for s in ((2, 3, 5, 5), (4, 3, 3, 3), (4,))]
    yield "max_pool2d", lambda x: F.max_pool2d(x, 2), [RNG.normal(size=(2, 3, 4, 4))]
    yield "avg_pool2d", lambda x: F.avg_pool2d(x, 3, stride=1), [RNG.normal(size=(2, 3, 5, 5))]
    yield "windows", _windows, [RNG.normal(size=(1, 2, 4, 4))]
    yield "layer_norm", lambda x, w, b: F.layer_norm(x, (5,), w, b), [RNG.normal(size=s) for s in ((3, 5), (5,), (5,))]
    labels = np.array([0, 2, 1])
    for reduction in ("mean", "sum", "none"):
        yield f"cross_entropy_{reduction}", lambda z, r=reduction: F.cross_entropy(z, labels, reduction=r), \
            [RNG.normal(size=(3, 4))]
    yield "binary_cross_entropy", lambda p: F.binary_cross_entropy(p, ag.Tensor(np.array([0.0, 1.0, 1.0], p.dtype))), \
        [RNG.uniform(0.1, 0.9, size=3)]
    yield "einsum", lambda a, b: ag.einsum("ij,jk->ik", a, b), [RNG.normal(size=s) for s in ((3, 4), (4, 2))]
    yield "getitem_rows", lambda w: w[np.array([0, 2, 2, 1])], [RNG.normal(size=(4, 3))]
    yield "getitem_slice", lambda w: w[1:, ::2], [RNG.normal(size=(4, 3))]
    yield "cat", lambda a, b: ag.cat([a, b], 1), [RNG.normal(size=s) for s in ((2, 3), (2, 2))]
    yield "pad", lambda x: ag.pad(x, ((1, 0), (0, 2))), [RNG.normal(size=(2, 3))]
    yield "cumsum", lambda x: x.cumsum(1), [RNG.normal(size=(2, 3))]
    yield "permute", lambda x: x.permute(2, 0, 1), [RNG.normal(size=(2, 3, 4))]
    yield "cast", lambda x: x.astype(np.float32 if x.dtype == np.float64 else np.float64), [RNG.normal(size=(2, 3))]
    yield "clone", lambda x: x.clone(), [RNG.normal(size=(2, 3))]
    yield "sqrt_of_variance", lambda x: x.std(1), [RNG.normal(size=(2, 3))]
    yield "reshape", lambda x: x.reshape(3, 2), [RNG.normal(size=(2, 3))]
    yield "sum_to", lambda x: x.sum_to((1, 3)), [RNG.normal(size=(2, 3))]
    yield "set_item", _set_item, [RNG.normal(size=s) for s in ((3, 4), (2,))]
    yield "index_add", lambda g: primitives.IndexAdd.apply(g, shape=(4, 3), index=np.array([0, 2, 2])), \
        [RNG.normal(size=(3, 3))]


def _set_item(x, v):
    h = x * 1.0  # (a computed tensor: item assignment into it is recorded)
    h[1:, 2] = v
    return h


def _windows(x):
    return primitives.Windows.apply(x, kernel=(2, 2), stride=(1, 1))


CASES = list(_registry_cases()) + list(_layer_cases())


def _kernel_and_definition_gradients(fn, arrays, dtype):
    tensors = [ag.Tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    out = fn(*tensors)
    v = ag.Tensor(RNG.uniform(0.5, 1.5, out.shape).astype(out.dtype))
    fast = ag.grad(out, tensors, v, retain_graph=True, allow_unused=True)  # first order: the kernels
    defined = ag.grad(out, tensors, v, create_graph=True, allow_unused=True)  # recorded: the definitions
    return out, fast, defined


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_fast_kernel_equals_the_ops_definition(name, fn, arrays, dtype):
    _, fast, defined = _kernel_and_definition_gradients(fn, arrays, dtype)
    rtol, atol = TOLERANCE[dtype]
    for f, d in zip(fast, defined):
        assert (f is None) == (d is None), name
        if f is not None:
            assert f.dtype == d.dtype and f.shape == d.shape, name
            np.testing.assert_allclose(f.numpy(), d.numpy(), rtol=rtol, atol=atol, err_msg=name)


def test_every_kernel_the_primitives_register_is_checked_above():
    reached = set()
    for _, fn, arrays in CASES:
        out = fn(*[ag.Tensor(a, requires_grad=True) for a in arrays])
        reached.update(type(node).fn for node in topological_order([out.grad_fn]) if hasattr(node, "fn"))
    registered = {op for op in fast_backward if op.__module__.startswith("autograd.primitives")}
    assert registered - reached == set(), sorted(op.__name__ for op in registered - reached)


@pytest.mark.parametrize("shape", [(64, 200), (256, 200)], ids=["plain-expressions", "in-place"])
def test_tanh_kernel_rounds_as_its_definition_and_pytorchs_formula(shape):
    """g * (1 - y*y), not g - g*y*y: a lecture's hand-derived gradient
    (makemore part 4) must compare exactly equal, as it does in PyTorch; on
    small arrays and on large ones (written in place)."""
    rng = np.random.default_rng(4)
    x = ag.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
    g = rng.standard_normal(shape).astype(np.float32)
    y = x.tanh()
    y.backward(ag.tensor(g))
    yn = y.detach().numpy()
    np.testing.assert_array_equal(x.grad.numpy(), g * (np.float32(1.0) - yn * yn))
