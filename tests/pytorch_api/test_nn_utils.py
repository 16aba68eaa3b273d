"""glassgrad.nn.utils against torch.nn.utils: clip_grad_norm_,
clip_grad_value_, parameters_to_vector, vector_to_parameters."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import glassgrad
import nn

torch = pytest.importorskip("torch")


def _pair_with_grads(scale=1.0):
    ag.manual_seed(0)
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    theirs = nn.to_torch(ours)
    x = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32)
    (ours(ag.tensor(x)) * scale).pow(2).sum().backward()
    (theirs(torch.from_numpy(x)) * scale).pow(2).sum().backward()
    return ours, theirs


def _assert_grads_equal(ours, theirs):
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_equals_torchs(norm_type):
    ours, theirs = _pair_with_grads(scale=5.0)
    total = glassgrad.nn.utils.clip_grad_norm_(ours.parameters(), max_norm=0.5, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs.parameters(), max_norm=0.5, norm_type=norm_type)
    assert isinstance(total, ag.Tensor) and total.dtype == np.float32 and total.ndim == 0
    np.testing.assert_allclose(total.item(), expected.item(), rtol=1e-5)
    _assert_grads_equal(ours, theirs)


def test_clip_grad_norm_refuses_a_nonfinite_norm_changing_nothing():
    ours, _ = _pair_with_grads()
    ours[0].weight.grad = ours[0].weight.grad * float("nan")
    before = [p.grad.numpy().copy() for p in ours.parameters()]
    with pytest.raises(RuntimeError, match="non-finite, so it cannot be clipped"):
        nn.utils.clip_grad_norm_(ours.parameters(), 1.0, error_if_nonfinite=True)
    for b, p in zip(before, ours.parameters()):
        np.testing.assert_array_equal(b, p.grad.numpy())


def test_clip_grad_value_equals_torchs():
    ours, theirs = _pair_with_grads(scale=3.0)
    assert nn.utils.clip_grad_value_(ours.parameters(), 0.1) is None
    torch.nn.utils.clip_grad_value_(theirs.parameters(), 0.1)
    _assert_grads_equal(ours, theirs)


def test_parameters_to_vector_and_back_equal_torchs():
    ours, theirs = _pair_with_grads()
    vec = nn.utils.parameters_to_vector(ours.parameters())
    np.testing.assert_array_equal(vec.numpy(), torch.nn.utils.parameters_to_vector(theirs.parameters()).detach())
    vec.sum().backward()  # differentiable, as torch's
    new = np.arange(vec.numel(), dtype=np.float32)
    nn.utils.vector_to_parameters(ag.tensor(new), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.from_numpy(new), theirs.parameters())
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_array_equal(p.numpy(), q.detach().numpy())
    with pytest.raises(ValueError, match=r"vec has shape \(3,\), the parameters need \(26,\)"):
        nn.utils.vector_to_parameters(ag.zeros(3), ours.parameters())
