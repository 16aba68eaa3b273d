"""Losses against numpy references and finite differences, their input checks and their stability."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from nn import functional as F
from tests.helpers import t64
from tests.ops.registry import log_softmax

RNG = np.random.default_rng(1)


X = RNG.standard_normal((4, 3))


Y = RNG.standard_normal((4, 3))


P = 1 / (1 + np.exp(-X))


LABELS = (RNG.random((4, 3)) > 0.5).astype(np.float64)


SIGNS = 2 * LABELS - 1


CLASSES = np.array([0, 2, 1, 2])


PROBS = np.exp(log_softmax(Y, 1))


LOSSES = [
    ("mse", lambda x: F.mse_loss(x, Y, reduction="none"), (X - Y) ** 2),
    ("l1", lambda x: F.l1_loss(x, Y, reduction="none"), np.abs(X - Y)),
    ("huber", lambda x: F.huber_loss(x, Y, reduction="none", delta=0.7),
     np.where(np.abs(X - Y) < 0.7, 0.5 * (X - Y) ** 2, 0.7 * (np.abs(X - Y) - 0.35))),
    ("bce", lambda x: F.binary_cross_entropy(x.sigmoid(), LABELS, reduction="none"),
     -(LABELS * np.log(P) + (1 - LABELS) * np.log(1 - P))),
    ("bce_logits", lambda x: F.binary_cross_entropy_with_logits(x, LABELS, reduction="none"),
     -(LABELS * np.log(P) + (1 - LABELS) * np.log(1 - P))),
    ("hinge", lambda x: F.hinge_loss(x, SIGNS, reduction="none"), np.maximum(0, 1 - SIGNS * X)),
    ("cross_entropy", lambda x: F.cross_entropy(x, CLASSES, reduction="none"),
     -log_softmax(X, 1)[np.arange(4), CLASSES]),
    ("cross_entropy_probs", lambda x: F.cross_entropy(x, PROBS, reduction="none"),
     -(PROBS * log_softmax(X, 1)).sum(1)),
    ("cross_entropy_smoothing", lambda x: F.cross_entropy(x, CLASSES, reduction="none", label_smoothing=0.2),
     0.8 * -log_softmax(X, 1)[np.arange(4), CLASSES] + 0.2 * -log_softmax(X, 1).mean(1)),
    ("nll", lambda x: F.nll_loss(x.log_softmax(1), CLASSES, reduction="none"),
     -log_softmax(X, 1)[np.arange(4), CLASSES]),
    ("kl_div", lambda x: F.kl_div(x.log_softmax(1), PROBS, reduction="none"),
     PROBS * (np.log(PROBS) - log_softmax(X, 1))),
]


@pytest.mark.parametrize("name,fn,ref", LOSSES, ids=[l[0] for l in LOSSES])
def test_loss_matches_numpy_and_gradchecks(name, fn, ref):
    x = t64(X, requires_grad=True)
    out = fn(x)
    np.testing.assert_allclose(out.data, ref, rtol=1e-9, atol=1e-12)
    assert ag.gradcheck(fn, [x])
    for reduction, reduce in (("mean", np.mean), ("sum", np.sum)):
        if name == "kl_div" and reduction == "mean":
            continue
        x2 = t64(X, requires_grad=True)
        loss_fn = {"mse": F.mse_loss, "l1": F.l1_loss, "hinge": F.hinge_loss}.get(name)
        if loss_fn is not None:
            target = {"mse": Y, "l1": Y, "hinge": SIGNS}[name]
            np.testing.assert_allclose(loss_fn(x2, target, reduction=reduction).item(), reduce(ref), rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint64])
def test_cross_entropy_fused_path_checks_targets_of_every_integer_dtype(dtype):
    """The fused path checks both ends of the class range with one reduction
    (negative indices read as unsigned); each dtype must still get the error."""
    logits = t64(X, requires_grad=True)
    good = np.array([0, 2, 1, 2], dtype)
    fast = F.cross_entropy(logits, good, reduction="none")
    assert fast.grad_fn.name() == "CrossEntropyBackward"
    slow = F.nll_loss(logits.log_softmax(1), good.astype(np.int64), reduction="none")
    np.testing.assert_allclose(fast.data, slow.data, rtol=1e-12)
    with pytest.raises(IndexError, match="target class 3 is out of range for 3 classes"):
        F.cross_entropy(logits, np.array([0, 3, 1, 2], dtype))
    if np.dtype(dtype).kind == "i":
        with pytest.raises(IndexError, match="target class -1 is out of range for 3 classes"):
            F.cross_entropy(logits, np.array([0, -1, 1, 2], dtype))


def test_cross_entropy_targets_in_non_native_byte_order():
    """The one-reduction range check reads the targets' bytes as unsigned;
    targets in the other byte order must be checked by value."""
    logits = t64(X, requires_grad=True)
    swapped = np.array([0, 2, 1, 2], dtype=np.dtype(np.int64).newbyteorder())
    np.testing.assert_allclose(F.cross_entropy(logits, swapped).item(),
                               F.cross_entropy(logits, np.array([0, 2, 1, 2])).item(), rtol=1e-12)
    for bad in ([0, 3, 1, 2], [0, -1, 1, 2], [0, 2**56, 1, 2]):
        with pytest.raises(IndexError, match="out of range for 3 classes"):
            F.cross_entropy(logits, np.array(bad, dtype=swapped.dtype))


def test_cross_entropy_fused_path_on_non_contiguous_logits():
    """The targets are picked by their flat position: logits that are a
    transposed or strided view must give the same loss and gradient."""
    base = np.random.default_rng(3).normal(size=(3, 5))
    target = np.array([0, 2, 1, 2, 0])
    for view in (base.T, np.asfortranarray(base.T), np.random.default_rng(4).normal(size=(5, 6))[:, ::2]):
        z = ag.Tensor(view, requires_grad=True)
        loss = F.cross_entropy(z, target)
        loss.backward()
        zc = ag.Tensor(np.ascontiguousarray(view), requires_grad=True)
        F.nll_loss(zc.log_softmax(1), target).backward()
        np.testing.assert_allclose(loss.item(), F.nll_loss(zc.log_softmax(1), target).item(), rtol=1e-12)
        np.testing.assert_allclose(z.grad.data, zc.grad.data, rtol=1e-12, atol=1e-15)


def test_cross_entropy_without_classes_is_an_error():
    for shape in [(3, 0), (0, 0), (0,)]:
        with pytest.raises(ValueError, match=rf"cross_entropy: input of shape \({shape[0]},( 0)?\) has no classes"):
            F.cross_entropy(ag.zeros(*shape), np.zeros(shape[0] if len(shape) > 1 else (), np.int64))


def test_kl_div_batchmean_and_zero_targets():
    p = np.array([[0.5, 0.5, 0.0]])
    logq = np.log(np.array([[0.25, 0.25, 0.5]]))
    out = F.kl_div(t64(logq, requires_grad=True), p, reduction="batchmean")
    assert out.item() == pytest.approx(np.log(2))
    assert np.isfinite(F.kl_div(t64(logq, requires_grad=True), p, reduction="sum").item())


def test_loss_input_errors():
    with pytest.raises(IndexError, match="cross_entropy: target class 3 is out of range for 3 classes"):
        F.cross_entropy(t64(X, requires_grad=True), np.array([0, 1, 2, 3]))
    with pytest.raises(ValueError, match=r"cross_entropy: target shape \(3,\) does not match input \(4, 3\)"):
        F.cross_entropy(t64(X, requires_grad=True), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"mse_loss: input shape \(4, 3\) and target shape \(3,\) differ"):
        F.mse_loss(t64(X, requires_grad=True), np.ones(3))
    with pytest.raises(ValueError, match="hinge_loss: labels must be -1 or \\+1, got 0"):
        F.hinge_loss(t64(X, requires_grad=True), LABELS)
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss(reduction="avg")


def test_bce_clamps_like_pytorch_at_exact_zero_and_one():
    p = t64([0.0, 1.0, 1.0, 0.0], requires_grad=True)
    y = np.array([1.0, 0.0, 1.0, 0.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = F.binary_cross_entropy(p, y, reduction="none")
        loss.sum().backward()
    np.testing.assert_allclose(loss.data, [100.0, 100.0, 0.0, 0.0])
    assert np.all(np.isfinite(p.grad.data))


def test_bce_with_logits_is_stable_for_huge_logits():
    z = t64([1e4, -1e4, 3e4], requires_grad=True)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = F.binary_cross_entropy_with_logits(z, np.array([0.0, 1.0, 1.0]), reduction="none")
        loss.sum().backward()
    np.testing.assert_allclose(loss.data, [1e4, 1e4, 0.0])
    np.testing.assert_allclose(z.grad.data, [1.0, -1.0, 0.0])


def test_cross_entropy_saved_softmax_survives_a_second_backward():
    # the fused loss keeps its softmax for the backward (Function.saves_extras);
    # the numpy rule must not change it, so a retained graph gives the same again
    logits = ag.Tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    loss = F.cross_entropy(logits, np.array([0, 2, 1, 2]))
    loss.backward(retain_graph=True)
    first = logits.grad.numpy().copy()
    loss.backward()
    np.testing.assert_allclose(logits.grad.data, 2 * first, rtol=1e-12)
    with ag.no_grad():  # nothing recorded, nothing saved
        assert F.cross_entropy(logits, np.array([0, 2, 1, 2])).grad_fn is None


def test_cross_entropy_ignore_index_closed_form():
    from nn import functional as F

    logits = ag.tensor([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    loss = F.cross_entropy(logits, ag.tensor([0, -100, 1]))
    expected = (np.log1p(np.exp(-2.0)) + np.log(2.0)) / 2  # the ignored row counts for nothing
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    with pytest.raises(IndexError, match="target class 2 is out of range for 2 classes"):
        F.cross_entropy(logits, ag.tensor([0, 2, 1]))
    with pytest.raises(ValueError, match="weight must have one value per class"):
        F.cross_entropy(logits, ag.tensor([0, 1, 1]), weight=ag.tensor([1.0, 2.0, 3.0]))


@pytest.mark.parametrize("target", [np.array([0.0, 1.0, 2.0, 1.0]), ag.tensor([0.0, 1.0, 2.0, 1.0])])
def test_cross_entropy_with_float_class_labels_says_they_must_be_integers(target):
    with pytest.raises(TypeError, match=r"cross_entropy: a target of shape \(4,\) holds class indices, which must "
                                        r"be integers, got dtype float\d\d: pass target.long\(\)"):
        F.cross_entropy(t64(X, requires_grad=True), target)
    with pytest.raises(ValueError, match=r"input shape \(4, 3\) and target shape \(4, 2\) differ"):
        F.cross_entropy(t64(X), np.zeros((4, 2)))  # probabilities of the wrong shape: still the shape message
