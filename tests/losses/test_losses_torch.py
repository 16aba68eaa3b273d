"""PyTorch as the oracle for losses: values and gradients, weights and ignore_index."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from nn import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


RNG = np.random.default_rng(3)


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


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_weight_and_ignore_index_against_torch(reduction, smoothing):
    torch = pytest.importorskip("torch")
    from nn import functional as F

    logits = RNG.standard_normal((6, 4))
    target = np.array([0, 3, -100, 1, 2, -100])
    weight = np.array([0.5, 2.0, 1.0, 3.0])
    for w in (None, weight):
        ours_in = ag.tensor(logits, requires_grad=True)
        ours = F.cross_entropy(ours_in, ag.tensor(target), weight=None if w is None else ag.tensor(w),
                               reduction=reduction, label_smoothing=smoothing)
        theirs_in = torch.tensor(logits, requires_grad=True)
        theirs = torch.nn.functional.cross_entropy(theirs_in, torch.tensor(target),
                                                   weight=None if w is None else torch.tensor(w),
                                                   reduction=reduction, label_smoothing=smoothing)
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
        ours.sum().backward()
        theirs.sum().backward()
        np.testing.assert_allclose(ours_in.grad.data, theirs_in.grad.numpy(), rtol=1e-10, atol=1e-12)
    nll = F.nll_loss(ag.tensor(logits).log_softmax(1), ag.tensor(target), weight=ag.tensor(weight), reduction=reduction)
    ref = torch.nn.functional.nll_loss(torch.tensor(logits).log_softmax(1), torch.tensor(target),
                                       weight=torch.tensor(weight), reduction=reduction)
    np.testing.assert_allclose(nll.data, ref.numpy(), rtol=1e-10)
