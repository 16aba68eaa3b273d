"""Nothing lost, nothing silently wrong (issue 24's engine part): ``np.array``
copies, models pickle and deep-copy after ``backward()``, float32 reductions
are as accurate as PyTorch's at any length, and second derivatives through a
linear op are zeros, not an error."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import autograd as ag
import nn
from nn import functional as F
from tests.ops.registry import REDUCTIONS


def test_np_array_of_a_tensor_is_a_copy_and_np_asarray_shares():
    t = ag.tensor([1.0, 2.0])
    snapshot = np.array(t)
    snapshot[0] = 100.0
    assert t.tolist() == [1.0, 2.0]
    np.asarray(t)[1] = 5.0  # numpy's meaning: asarray shares
    assert t.tolist() == [1.0, 5.0]
    assert np.array(t, dtype=np.float64).dtype == np.float64


def test_state_dict_is_a_snapshot_of_the_weights():
    model = nn.Linear(3, 2)
    best = model.state_dict()
    before = {k: np.array(v) for k, v in best.items()}
    opt = nn.optim.SGD(model.parameters(), lr=0.5)
    F.mse_loss(model(ag.randn(4, 3)), ag.randn(4, 2)).backward()
    opt.step()
    for k, v in best.items():
        np.testing.assert_array_equal(np.asarray(v), before[k])
    assert not np.allclose(model.weight.numpy(), before["weight"])


def _trained():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x = ag.randn(5, 3)
    loss = F.cross_entropy(model(x), np.array([0, 1, 1, 0, 1]))
    loss.backward()
    return model, x


@pytest.mark.parametrize("copier", [lambda m: pickle.loads(pickle.dumps(m)), copy.deepcopy], ids=["pickle", "deepcopy"])
def test_a_model_pickles_and_deep_copies_after_backward(copier):
    model, x = _trained()
    twin = copier(model)
    np.testing.assert_array_equal(twin(x).numpy(), model(x).numpy())
    for (name, p), q in zip(model.named_parameters(), twin.parameters()):
        assert p is not q and not np.shares_memory(p.numpy(), q.numpy()), name
        np.testing.assert_array_equal(q.grad.numpy(), p.grad.numpy())
        assert q.requires_grad and q.grad_fn is None
    F.mse_loss(twin(x), ag.zeros(5, 2)).backward()  # the copy trains on its own


def test_a_computed_tensor_is_refused_by_pickle_naming_what_to_copy():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"computed by MulScalarBackward.*t.detach\(\)"):
        pickle.dumps(x * 2.0)
    assert pickle.loads(pickle.dumps((x * 2.0).detach())).tolist() == [2.0, 4.0]


LONG = [((1_000_000,), (0,)), ((182_625, 64), (0,)), ((4096, 300), (0, 1))]


@pytest.mark.parametrize("shape,axis", LONG, ids=["1e6", "182625x64-axis0", "4096x300-all"])
@pytest.mark.parametrize("op", [*(o for o in REDUCTIONS if o.name in ("sum", "mean", "var", "std")), "norm"],
                         ids=lambda o: o if isinstance(o, str) else o.name)
def test_float32_reductions_are_as_accurate_as_pytorchs_at_any_length(op, shape, axis):
    """Against float64, relative to the result's size: PyTorch's cascade sums
    are within about 1e-7 here; numpy's row-by-row sums along axis 0 were off
    by 5e-6 (mean) and 6e-5 (var) on 182,625 rows."""
    x = np.random.default_rng(0).normal(1.0, 0.3, size=shape)
    fn = (lambda t: t.norm(dim=axis)) if op == "norm" else (lambda t: op.fn(t, axis, False))
    got = fn(ag.tensor(x.astype(np.float32))).numpy()
    exact = fn(ag.tensor(x.astype(np.float32).astype(np.float64))).numpy()
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, exact, rtol=3e-7, atol=0)


LOSSES = {
    "mse_loss": lambda a, b, y: F.mse_loss(a, b),
    "l1_loss": lambda a, b, y: F.l1_loss(a, b),
    "huber_loss": lambda a, b, y: F.huber_loss(a, b),
    "cross_entropy": lambda a, b, y: F.cross_entropy(a.reshape(-1, 4), y),
    "binary_cross_entropy": lambda a, b, y: F.binary_cross_entropy(a.sigmoid(), (b > 0).float()),
}


@pytest.mark.parametrize("loss", LOSSES)
def test_float32_losses_over_a_million_elements_are_as_accurate_as_float64(loss):
    """The losses' mean reductions go through the same accurate sums."""
    rng = np.random.default_rng(3)
    a, b = rng.normal(1.0, 0.3, 1_000_000), rng.normal(0.0, 0.3, 1_000_000)
    y = rng.integers(0, 4, 250_000)

    def run(dtype):
        return LOSSES[loss](*(ag.tensor(v.astype(np.float32).astype(dtype)) for v in (a, b)), ag.tensor(y)).item()
    np.testing.assert_allclose(run(np.float32), run(np.float64), rtol=3e-7, atol=0)


def test_second_derivative_through_avg_pool2d_is_zeros_as_in_pytorch():
    x = ag.tensor(np.random.default_rng(1).normal(size=(1, 1, 4, 4)), requires_grad=True)
    (gx,) = ag.grad(F.avg_pool2d(x, 2).pow(1).sum(), x, create_graph=True)
    (ggx,) = ag.grad(gx.sum(), x)
    np.testing.assert_array_equal(ggx.numpy(), np.zeros((1, 1, 4, 4)))


def test_var_with_no_degrees_of_freedom_left_has_pytorchs_infinite_gradient():
    """PyTorch's 2 g (x - mean) / (n - correction) with n - correction = 0:
    +-inf, not the nan an inf - inf through the mean would give."""
    x = ag.tensor(np.array([[1.0, 2.0], [3.0, 5.0]]), requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = x.var(dim=1, correction=2)
        v.backward(ag.tensor(np.array([1.0, -2.0])))
    assert v.tolist() == [np.inf, np.inf]
    np.testing.assert_array_equal(x.grad.numpy(), [[-np.inf, np.inf], [np.inf, -np.inf]])


def test_torch_style_tensor_of_sizes_is_a_float32_tensor_of_that_shape():
    import glassgrad as torch

    t = torch.Tensor(2, 3)
    assert t.shape == (2, 3) and t.dtype == np.float32 and not t.requires_grad
    assert torch.Tensor(2, 3, requires_grad=True).requires_grad
    assert torch.Tensor().shape == (0,)
    assert ag.Tensor(5).shape == ()  # one int alone is a value, as tensor(5)
    with pytest.raises(TypeError, match=r"Tensor\(\*sizes\) takes non-negative ints, got \(2, -1\)"):
        torch.Tensor(2, -1)
