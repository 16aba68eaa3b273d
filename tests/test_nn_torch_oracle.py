"""nn against PyTorch (only when torch is installed): state dicts move both
ways through numpy, and forward passes, gradients, losses and optimizer steps
agree. The numpy-reference tests are the main check; these confirm PyTorch's
conventions (names, shapes, update rules, reductions) are the ones we follow."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from nn import functional as F

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional

RNG = np.random.default_rng(3)


def _pair_models():
    ours = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(4 * 3 * 3, 8), nn.LayerNorm(8), nn.GELU(), nn.Linear(8, 3))
    theirs = tnn.Sequential(tnn.Conv2d(1, 4, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
                            tnn.Linear(4 * 3 * 3, 8), tnn.LayerNorm(8), tnn.GELU(), tnn.Linear(8, 3)).double()
    return ours, theirs


def test_state_dict_names_shapes_and_transfer_both_ways():
    ours, theirs = _pair_models()
    ours_sd, theirs_sd = ours.state_dict(), theirs.state_dict()
    assert list(ours_sd) == list(theirs_sd)
    assert all(ours_sd[k].shape == tuple(theirs_sd[k].shape) for k in ours_sd)
    ours.load_state_dict({k: v.numpy() for k, v in theirs_sd.items()})  # torch -> glassgrad (cast to float32)
    theirs.load_state_dict({k: torch.from_numpy(v.astype(np.float64)) for k, v in ours.state_dict().items()})
    for k in ours_sd:
        np.testing.assert_allclose(ours.state_dict()[k], theirs.state_dict()[k].numpy(), rtol=1e-6)


def test_forward_and_parameter_gradients_match():
    ours, theirs = _pair_models()
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


LOSSES = [
    ("mse", lambda x, y: F.mse_loss(x, y), lambda x, y: TF.mse_loss(x, y)),
    ("l1_sum", lambda x, y: F.l1_loss(x, y, reduction="sum"), lambda x, y: TF.l1_loss(x, y, reduction="sum")),
    ("huber", lambda x, y: F.huber_loss(x, y, delta=0.5), lambda x, y: TF.huber_loss(x, y, delta=0.5)),
    ("bce_logits", lambda x, y: F.binary_cross_entropy_with_logits(x, (y > 0).astype(np.float64)),
     lambda x, y: TF.binary_cross_entropy_with_logits(x, (y > 0).double())),
    ("bce", lambda x, y: F.binary_cross_entropy(x.sigmoid(), (y > 0).astype(np.float64)),
     lambda x, y: TF.binary_cross_entropy(x.sigmoid(), (y > 0).double())),
    ("kl_batchmean", lambda x, y: F.kl_div(x.log_softmax(1), np.exp(y) / np.exp(y).sum(1, keepdims=True),
                                           reduction="batchmean"),
     lambda x, y: TF.kl_div(x.log_softmax(1), y.softmax(1), reduction="batchmean")),
    ("ce_probs", lambda x, y: F.cross_entropy(x, np.exp(y) / np.exp(y).sum(1, keepdims=True)),
     lambda x, y: TF.cross_entropy(x, y.softmax(1))),
    ("nll_none", lambda x, y: F.nll_loss(x.log_softmax(1), np.array([0, 1, 2, 0]), reduction="none").sum(),
     lambda x, y: TF.nll_loss(x.log_softmax(1), torch.tensor([0, 1, 2, 0]), reduction="none").sum()),
]


@pytest.mark.parametrize("name,ours,theirs", LOSSES, ids=[c[0] for c in LOSSES])
def test_losses_match(name, ours, theirs):
    x, y = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    t = ag.Tensor(x, requires_grad=True)
    out = ours(t, y)
    out.backward()
    tt = torch.tensor(x, requires_grad=True)
    tout = theirs(tt, torch.tensor(y))
    tout.backward()
    assert out.item() == pytest.approx(tout.item(), rel=1e-9)
    np.testing.assert_allclose(t.grad.data, tt.grad.numpy(), rtol=1e-8, atol=1e-12)


OPTIMIZERS = [
    ("sgd_nesterov_wd", lambda p: nn.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("sgd_dampening", lambda p: nn.optim.SGD(p, lr=0.1, momentum=0.5, dampening=0.3),
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.5, dampening=0.3)),
    ("adam_amsgrad_wd", lambda p: nn.optim.Adam(p, lr=0.05, weight_decay=0.1, amsgrad=True),
     lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.1, amsgrad=True)),
    ("adamw", lambda p: nn.optim.AdamW(p, lr=0.05, betas=(0.8, 0.99)),
     lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.8, 0.99))),
    ("rmsprop_centered_momentum", lambda p: nn.optim.RMSprop(p, lr=0.01, momentum=0.9, centered=True,
                                                             weight_decay=0.1),
     lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
]


@pytest.mark.parametrize("name,ours,theirs", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_optimizer_steps_match_step_for_step(name, ours, theirs):
    w0 = RNG.standard_normal((3, 2))
    p = nn.Parameter(w0.copy())
    tp = torch.tensor(w0.copy(), requires_grad=True)
    opt, topt = ours([p]), theirs([tp])
    for _ in range(6):
        opt.zero_grad()
        ((p * p * p).sum() + (p.exp()).sum()).backward()
        opt.step()
        topt.zero_grad()
        ((tp * tp * tp).sum() + tp.exp().sum()).backward()
        topt.step()
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-10, atol=1e-12)
