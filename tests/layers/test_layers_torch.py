"""PyTorch as the oracle for layers: state dicts both ways, forward passes and parameter gradients."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from nn import functional as F
from tests.helpers import pair_models

torch = pytest.importorskip("torch")


tnn = torch.nn


TF = torch.nn.functional


RNG = np.random.default_rng(3)


def test_state_dict_names_shapes_and_transfer_both_ways():
    ours, theirs = pair_models()
    ours_sd, theirs_sd = ours.state_dict(), theirs.state_dict()
    assert list(ours_sd) == list(theirs_sd)
    assert all(ours_sd[k].shape == tuple(theirs_sd[k].shape) for k in ours_sd)
    ours.load_state_dict({k: v.numpy() for k, v in theirs_sd.items()})  # torch -> glassgrad (cast to float32)
    theirs.load_state_dict({k: torch.from_numpy(v.astype(np.float64)) for k, v in ours.state_dict().items()})
    for k in ours_sd:
        np.testing.assert_allclose(ours.state_dict()[k], theirs.state_dict()[k].numpy(), rtol=1e-6)


def test_forward_and_parameter_gradients_match():
    ours, theirs = pair_models()
    sd = {k: v.numpy() for k, v in theirs.state_dict().items()}
    for name, p in ours.named_parameters():
        p.data = sd[name].copy()  # float64 copies, to compare at double precision
    x = RNG.standard_normal((5, 1, 6, 6))
    target = np.array([0, 2, 1, 1, 0])
    loss = F.cross_entropy(ours(ag.Tensor(x)), target, label_smoothing=0.1)
    loss.backward()
    tloss = TF.cross_entropy(theirs(torch.tensor(x)), torch.tensor(target), label_smoothing=0.1)
    tloss.backward()
    assert loss.item() == pytest.approx(tloss.item(), rel=1e-10)
    tgrads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, tgrads[name].grad.numpy(), rtol=1e-7, atol=1e-10)


def test_batchnorm_matches_including_running_stats():
    ours, theirs = nn.BatchNorm1d(3), tnn.BatchNorm1d(3).double()
    for _ in range(3):
        x = RNG.standard_normal((6, 3, 2))
        out = ours(ag.Tensor(x))
        tout = theirs(torch.tensor(x))
        np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    for k, v in ours.state_dict().items():
        np.testing.assert_allclose(v, theirs.state_dict()[k].numpy(), rtol=1e-5)
