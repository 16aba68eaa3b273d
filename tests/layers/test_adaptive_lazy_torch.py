"""AdaptiveAvgPool2d, LazyLinear, LazyConv2d and RNN.flatten_parameters
against PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from nn import functional as F

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(41)

POOLS = [((2, 3, 7, 5), (3, 2)), ((2, 3, 7, 5), 1), ((3, 6, 6), (4, None)), ((1, 2, 5, 5), 7),
         ((2, 1, 9, 4), (None, 3))]


@pytest.mark.parametrize("shape,size", POOLS, ids=[f"{s}->{o}" for s, o in POOLS])
@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-12), (np.float32, 1e-6)])
def test_adaptive_avg_pool2d_matches_torch(shape, size, dtype, rtol):
    x = RNG.standard_normal(shape).astype(dtype)
    ours, theirs = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, ref = nn.AdaptiveAvgPool2d(size)(ours), torch.nn.AdaptiveAvgPool2d(size)(theirs)
    assert out.shape == tuple(ref.shape) and out.dtype == dtype
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=rtol, atol=rtol)
    seed = RNG.standard_normal(out.shape).astype(dtype)
    out.backward(ag.tensor(seed))
    ref.backward(torch.tensor(seed))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=rtol, atol=rtol)


def test_adaptive_avg_pool2d_gradcheck_and_errors():
    assert ag.gradcheck(lambda x: F.adaptive_avg_pool2d(x, (2, 3)), (ag.tensor(RNG.standard_normal((1, 2, 5, 4)),
                                                                                requires_grad=True),))
    with pytest.raises(ValueError, match="expected \\(N, C, H, W\\) or \\(C, H, W\\), got shape \\(4, 4\\)"):
        F.adaptive_avg_pool2d(ag.tensor(np.zeros((4, 4))), 2)
    with pytest.raises(ValueError, match="output_size must hold positive ints \\(or None\\), got \\(0, 2\\)"):
        nn.AdaptiveAvgPool2d((0, 2))


def test_lazy_linear_takes_its_size_from_the_first_batch():
    ag.manual_seed(0)
    layer = nn.LazyLinear(4)
    weight, bias = layer.weight, layer.bias
    opt = nn.optim.SGD(layer.parameters(), lr=0.1)  # (made before the first batch, as a PyTorch program may)
    assert weight.shape == (4, 0)
    x = RNG.standard_normal((5, 3)).astype(np.float32)
    out = layer(ag.tensor(x))
    assert type(layer) is nn.Linear and layer.in_features == 3 and weight.shape == (4, 3)
    assert layer.weight is weight and layer.bias is bias
    assert np.abs(weight.numpy()).max() <= 1 / np.sqrt(3) and weight.numpy().std() > 0.1  # Linear's U(-1/sqrt(3), ..)
    theirs = torch.nn.LazyLinear(4)
    theirs(torch.tensor(x))
    assert set(layer.state_dict()) == set(theirs.state_dict())
    theirs.load_state_dict({k: torch.tensor(v) for k, v in layer.state_dict().items()})
    np.testing.assert_allclose(out.numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6)
    out.sum().backward()
    opt.step()
    assert not np.allclose(weight.numpy(), theirs.weight.detach().numpy())  # the optimizer moved the real weight


def test_lazy_conv2d_takes_its_channels_from_the_first_batch():
    layer = nn.LazyConv2d(4, 3, stride=2, padding=1)
    weight = layer.weight
    x = RNG.standard_normal((2, 3, 7, 7)).astype(np.float32)
    out = layer(ag.tensor(x))
    assert type(layer) is nn.Conv2d and layer.in_channels == 3 and layer.weight is weight
    assert weight.shape == (4, 3, 3, 3)
    theirs = torch.nn.LazyConv2d(4, 3, stride=2, padding=1)
    theirs(torch.tensor(x))
    theirs.load_state_dict({k: torch.tensor(v) for k, v in layer.state_dict().items()})
    np.testing.assert_allclose(out.numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    layer.eval()
    layer(ag.tensor(x))
    assert not layer.training  # (a second batch keeps the module as it is)
    with pytest.raises(ValueError, match="LazyLinear: out_features must be a positive int, got 0"):
        nn.LazyLinear(0)
    with pytest.raises(ValueError, match="LazyConv2d: expected \\(N, C, H, W\\) or \\(C, H, W\\), got shape \\(7,\\)"):
        nn.LazyConv2d(2, 3)(ag.tensor(np.zeros(7)))


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_flatten_parameters_is_there_and_changes_nothing(kind):
    ours, theirs = getattr(nn, kind)(3, 4), getattr(torch.nn, kind)(3, 4)
    before = {k: v.copy() for k, v in ours.state_dict().items()}
    assert ours.flatten_parameters() is None and theirs.flatten_parameters() is None
    assert all(np.array_equal(before[k], v) for k, v in ours.state_dict().items())
    assert ours(ag.tensor(np.ones((2, 1, 3), np.float32)))[0].shape == (2, 1, 4)
