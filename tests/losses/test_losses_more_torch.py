"""PyTorch as the oracle for smooth_l1_loss, huber_loss, soft_margin_loss,
multi_margin_loss, hinge_embedding_loss, kl_div (log_target) and
binary_cross_entropy_with_logits (weight, pos_weight): values and gradients
for every reduction, gradcheck in float64, and the modules."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from nn import functional as F

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:reduction. .mean. divides:UserWarning")  # (torch on kl_div "mean")
TF = torch.nn.functional

RNG = np.random.default_rng(23)
X = RNG.standard_normal((5, 4)) * 2  # (wide enough to reach both sides of every kink)
Y = RNG.standard_normal((5, 4))
SIGNS = np.where(RNG.standard_normal((5, 4)) > 0, 1.0, -1.0)
CLASSES = np.array([0, 3, 1, 3, 2])
PROBS = np.exp(Y) / np.exp(Y).sum(1, keepdims=True)
WEIGHT = RNG.uniform(0.5, 2.0, (5, 4))
POS_WEIGHT = np.array([0.5, 1.0, 3.0, 2.0])
CLASS_WEIGHT = np.array([1.0, 0.2, 2.0, 0.7])

# name -> (ours(x, y), theirs(x, y), target, target is differentiable)
CASES = {
    "smooth_l1": (lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.7),
                  lambda x, y, r: TF.smooth_l1_loss(x, y, reduction=r, beta=0.7), Y, True),
    "smooth_l1_beta0": (lambda x, y, r: F.smooth_l1_loss(x, y, reduction=r, beta=0.0),
                        lambda x, y, r: TF.smooth_l1_loss(x, y, reduction=r, beta=0.0), Y, True),
    "huber": (lambda x, y, r: F.huber_loss(x, y, reduction=r, delta=0.7),
              lambda x, y, r: TF.huber_loss(x, y, reduction=r, delta=0.7), Y, True),
    "soft_margin": (lambda x, y, r: F.soft_margin_loss(x, y, reduction=r),
                    lambda x, y, r: TF.soft_margin_loss(x, y, reduction=r), SIGNS, False),
    "hinge_embedding": (lambda x, y, r: F.hinge_embedding_loss(x, y, margin=1.5, reduction=r),
                        lambda x, y, r: TF.hinge_embedding_loss(x, y, margin=1.5, reduction=r), SIGNS, False),
    "multi_margin": (lambda x, y, r: F.multi_margin_loss(x, y, reduction=r),
                     lambda x, y, r: TF.multi_margin_loss(x, y, reduction=r), CLASSES, False),
    "multi_margin_p2_weight": (
        lambda x, y, r: F.multi_margin_loss(x, y, p=2, margin=0.5, weight=CLASS_WEIGHT, reduction=r),
        lambda x, y, r: TF.multi_margin_loss(x, y, p=2, margin=0.5, weight=torch.tensor(CLASS_WEIGHT), reduction=r),
        CLASSES, False),
    "kl_div": (lambda x, y, r: F.kl_div(x.log_softmax(1), y, reduction=r),
               lambda x, y, r: TF.kl_div(x.log_softmax(1), y, reduction=r), PROBS, True),
    "kl_div_log_target": (lambda x, y, r: F.kl_div(x.log_softmax(1), y, reduction=r, log_target=True),
                          lambda x, y, r: TF.kl_div(x.log_softmax(1), y, reduction=r, log_target=True),
                          np.log(PROBS), True),
    "bce_logits": (lambda x, y, r: F.binary_cross_entropy_with_logits(x, y, reduction=r),
                   lambda x, y, r: TF.binary_cross_entropy_with_logits(x, y, reduction=r), PROBS, True),
    "bce_logits_weights": (
        lambda x, y, r: F.binary_cross_entropy_with_logits(x, y, WEIGHT, reduction=r, pos_weight=POS_WEIGHT),
        lambda x, y, r: TF.binary_cross_entropy_with_logits(x, y, torch.tensor(WEIGHT), reduction=r,
                                                            pos_weight=torch.tensor(POS_WEIGHT)), PROBS, True),
}
REDUCTIONS = {name: ("mean", "sum", "none") + (("batchmean",) if name.startswith("kl") else ()) for name in CASES}
RUNS = [(name, r) for name in CASES for r in REDUCTIONS[name]]


def _inputs(name, engine):
    ours, theirs, target, differentiable = CASES[name]
    grad = differentiable and engine is not None
    if engine is torch:
        t = torch.tensor(target) if target.dtype.kind == "f" else torch.tensor(target)
        return torch.tensor(X, requires_grad=True), t.requires_grad_(grad) if grad else t
    return ag.tensor(X, requires_grad=True), ag.tensor(target, requires_grad=grad) if grad else target


@pytest.mark.parametrize("name,reduction", RUNS, ids=[f"{n}-{r}" for n, r in RUNS])
def test_values_and_gradients_match_torch(name, reduction):
    ours, theirs, _, differentiable = CASES[name]
    x, y = _inputs(name, ag)
    tx, ty = _inputs(name, torch)
    out, ref = ours(x, y, reduction), theirs(tx, ty, reduction)
    assert out.shape == tuple(ref.shape)
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-12, atol=1e-14)
    seed = RNG.standard_normal(out.shape)  # (a non-uniform upstream gradient for "none")
    out.backward(ag.tensor(seed))
    ref.backward(torch.tensor(seed))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-13)
    if differentiable:
        np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy(), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck_in_float64(name):
    ours, _, target, differentiable = CASES[name]
    if differentiable:
        inputs = (ag.tensor(X, requires_grad=True), ag.tensor(target, requires_grad=True))
        assert ag.gradcheck(lambda x, y: ours(x, y, "sum"), inputs)
    else:
        assert ag.gradcheck(lambda x: ours(x, target, "sum"), (ag.tensor(X, requires_grad=True),))


MODULES = [
    (lambda: nn.SmoothL1Loss(beta=0.5), lambda: torch.nn.SmoothL1Loss(beta=0.5), Y),
    (lambda: nn.SoftMarginLoss(reduction="sum"), lambda: torch.nn.SoftMarginLoss(reduction="sum"), SIGNS),
    (lambda: nn.HingeEmbeddingLoss(margin=0.5), lambda: torch.nn.HingeEmbeddingLoss(margin=0.5), SIGNS),
    (lambda: nn.MultiMarginLoss(p=2, weight=CLASS_WEIGHT),
     lambda: torch.nn.MultiMarginLoss(p=2, weight=torch.tensor(CLASS_WEIGHT)), CLASSES),
    (lambda: nn.BCEWithLogitsLoss(pos_weight=POS_WEIGHT),
     lambda: torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(POS_WEIGHT)), PROBS),
    (lambda: nn.BCEWithLogitsLoss(weight=WEIGHT[0], reduction="sum"),
     lambda: torch.nn.BCEWithLogitsLoss(weight=torch.tensor(WEIGHT[0]), reduction="sum"), PROBS),
]


@pytest.mark.parametrize("ours,theirs,target", MODULES, ids=[str(i) for i in range(len(MODULES))])
def test_modules_match_torch(ours, theirs, target):
    x, tx = ag.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    out, ref = ours()(x, target), theirs()(tx, torch.tensor(target))
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-12)
    out.backward()
    ref.backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_unbatched_multi_margin_and_large_logits():
    x, tx = ag.tensor(X[1], requires_grad=True), torch.tensor(X[1], requires_grad=True)
    out, ref = F.multi_margin_loss(x, 2), TF.multi_margin_loss(tx, torch.tensor(2))
    assert out.shape == tuple(ref.shape) == ()
    np.testing.assert_allclose(out.numpy(), ref.detach().numpy(), rtol=1e-12)
    # softplus keeps every digit where torch's log1p(exp(800)) overflows and its BCE formula
    # ((1 - y) z + max(-z, 0) + log1p(exp(-|z|))) cancels at z = -30: numpy's logaddexp is the reference
    big = np.array([-800.0, -30.0, 30.0, 800.0])
    signs, labels = np.array([1.0, -1.0, 1.0, -1.0]), np.array([1.0, 0.0, 1.0, 0.0])
    soft = F.soft_margin_loss(ag.tensor(big, requires_grad=True), signs, reduction="none")
    bce = F.binary_cross_entropy_with_logits(ag.tensor(big, requires_grad=True), labels, reduction="none")
    exact = np.logaddexp(0.0, -signs * big)
    np.testing.assert_allclose(soft.numpy(), exact, rtol=1e-14)
    np.testing.assert_allclose(bce.numpy(), exact, rtol=1e-14)
    assert torch.isinf(TF.soft_margin_loss(torch.tensor(big), torch.tensor(signs), reduction="none")[0])


@pytest.mark.parametrize("call,error,message", [
    (lambda: F.smooth_l1_loss(ag.tensor(X), Y, beta=-1.0), ValueError, "smooth_l1_loss: beta must be >= 0"),
    (lambda: F.smooth_l1_loss(ag.tensor(X), Y[:2]), ValueError, "smooth_l1_loss: input shape \\(5, 4\\) and "
                                                                "target shape \\(2, 4\\) differ"),
    (lambda: F.multi_margin_loss(ag.tensor(X), CLASSES, p=3), ValueError, "p must be 1 or 2, got 3"),
    (lambda: F.multi_margin_loss(ag.tensor(X), CLASSES[:3]), ValueError, "got input \\(5, 4\\) and target \\(3,\\)"),
    (lambda: F.multi_margin_loss(ag.tensor(X), CLASSES + 2), ValueError, "target 5 is out of range for 4 classes"),
    (lambda: F.multi_margin_loss(ag.tensor(X), CLASSES * 1.0), TypeError, "target must hold class indices"),
    (lambda: F.multi_margin_loss(ag.tensor(X), CLASSES, weight=np.ones(3)), ValueError,
     "weight must have shape \\(4,\\), got \\(3,\\)"),
    (lambda: F.binary_cross_entropy_with_logits(ag.tensor(X), PROBS, "sum"), TypeError,
     "pass reduction by keyword: reduction='sum'"),
    (lambda: F.binary_cross_entropy_with_logits(ag.tensor(X), PROBS, pos_weight=np.ones(3)), ValueError,
     "pos_weight must have one value per class \\(the last dimension, 4\\), got shape \\(3,\\)"),
    (lambda: F.binary_cross_entropy_with_logits(ag.tensor(X), PROBS, np.ones(3)), ValueError,
     "weight of shape \\(3,\\) does not broadcast"),
    (lambda: F.soft_margin_loss(ag.tensor(X), SIGNS, reduction="avg"), ValueError, "reduction must be one of"),
    (lambda: nn.BCEWithLogitsLoss("sum"), TypeError, "write BCEWithLogitsLoss\\(reduction='sum'\\)"),
])
def test_bad_input_is_refused_with_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()
