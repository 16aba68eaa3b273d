"""Loss functions (``F.mse_loss`` ...) and their modules (``nn.MSELoss`` ...),
with PyTorch's argument order, defaults and ``reduction="mean"|"sum"|"none"``.

Which loss for which task (as in the course notes):
regression -- squared error (``mse_loss``) or, with outliers, ``huber_loss``;
binary classification -- ``binary_cross_entropy(_with_logits)`` or ``hinge_loss``;
multi-class -- ``cross_entropy`` (= ``nll_loss`` of ``log_softmax``) and ``kl_div``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, from_numpy, where
from autograd.primitives import BinaryCrossEntropy, CrossEntropy
from nn.module import Module

__all__ = [
    "mse_loss", "l1_loss", "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "hinge_loss", "cross_entropy", "nll_loss", "kl_div",
    "MSELoss", "L1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "HingeLoss",
    "CrossEntropyLoss", "NLLLoss", "KLDivLoss",
]

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Tensor, reduction: str, op: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _pair(input: Tensor, target: Any, op: str) -> tuple[Tensor, Tensor]:  # noqa: A002
    if not isinstance(target, Tensor):
        target = from_numpy(np.asarray(target, dtype=input.dtype))
    if target.shape != input.shape:
        raise ValueError(f"{op}: input shape {input.shape} and target shape {target.shape} differ")
    if target.dtype != input.dtype and target.dtype.kind in "biu":
        target = target.astype(input.dtype)
    return input, target


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Squared error (x - y)**2;  d/dx = 2 (x - y)."""
    x, y = _pair(input, target, "mse_loss")
    d = x - y
    return _reduce(d * d, reduction, "mse_loss")


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Absolute error |x - y|;  d/dx = sign(x - y)."""
    x, y = _pair(input, target, "l1_loss")
    return _reduce((x - y).abs(), reduction, "l1_loss")


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:  # noqa: A002
    """0.5 d**2 where |d| < delta, else delta (|d| - delta / 2), with d = x - y:
    squared near the target, linear far away, so outliers pull less."""
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    x, y = _pair(input, target, "huber_loss")
    d = x - y
    a = d.abs()
    loss = where(a.numpy() < delta, d * d * 0.5, (a - 0.5 * delta) * delta)
    return _reduce(loss, reduction, "huber_loss")


def binary_cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """Cross-entropy of probabilities p in [0, 1] against labels y in [0, 1]."""
    p, y = _pair(input, target, "binary_cross_entropy")
    if p.size and (p.numpy().min() < 0 or p.numpy().max() > 1):
        raise ValueError("binary_cross_entropy: input must be probabilities in [0, 1]; "
                         "for raw scores use binary_cross_entropy_with_logits")
    return _reduce(BinaryCrossEntropy.apply(p, y), reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """BCE of sigmoid(z), computed as softplus(z) - z y: stable for any logit;
    d/dz = sigmoid(z) - y."""
    z, y = _pair(input, target, "binary_cross_entropy_with_logits")
    return _reduce(z.softplus() - z * y, reduction, "binary_cross_entropy_with_logits")


def hinge_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """max(0, 1 - y s) for scores s and labels y in {-1, +1}: zero once the
    margin is at least 1 (the SVM loss)."""
    s, y = _pair(input, target, "hinge_loss")
    bad = ~np.isin(y.numpy(), (-1, 1))
    if bad.any():
        raise ValueError(f"hinge_loss: labels must be -1 or +1, got {y.numpy()[bad].ravel()[0].item():g}")
    return _reduce((1.0 - y * s).relu(), reduction, "hinge_loss")


def _class_last(x: Tensor) -> Tensor:
    """(N, C, d1, ...) -> (N * d1 * ..., C)."""
    if x.ndim <= 2:
        return x
    order = (0, *range(2, x.ndim), 1)
    return x.permute(*order).reshape(-1, x.shape[1])


def _pick(log_probs: Tensor, target: Any, op: str, ignore_index: int = -100) -> tuple[Tensor, np.ndarray]:
    """(-log_probs at the target classes, one value per sample, 0 where the
    target is ``ignore_index``; the class index of each sample, -1 where
    ignored), the targets checked first."""
    idx = np.asarray(target)
    if log_probs.ndim == 1:
        log_probs, idx = log_probs.unsqueeze(0), idx.reshape(1)
        sample_shape: tuple = ()
    else:
        sample_shape = (log_probs.shape[0], *log_probs.shape[2:])
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{op}: class-index targets must be integers, got dtype {idx.dtype}")
    if idx.shape != (sample_shape or (1,)):
        raise ValueError(f"{op}: target shape {idx.shape} does not match input {log_probs.shape}: "
                         f"expected {sample_shape or ()}")
    n_classes = log_probs.shape[1]
    flat_idx = idx.reshape(-1).astype(np.int64)
    kept = flat_idx != ignore_index
    bad = kept & ((flat_idx < 0) | (flat_idx >= n_classes))
    if bad.any():
        raise IndexError(f"{op}: target class {flat_idx[bad][0]} is out of range for {n_classes} classes "
                         f"(ignore_index is {ignore_index})")
    flat = _class_last(log_probs)
    classes = np.where(kept, flat_idx, 0)
    picked = -flat[np.arange(flat.shape[0]), classes]
    if not kept.all():
        picked = picked * from_numpy(kept.astype(picked.dtype))
    return picked.reshape(sample_shape), np.where(kept, flat_idx, -1).reshape(sample_shape or ())


def _sample_weights(classes: np.ndarray, weight: Any, dtype: Any) -> np.ndarray:
    """Each sample's class weight (1 without ``weight``), 0 where its target was ignored."""
    w = np.ones(classes.shape, dtype=dtype) if weight is None else \
        np.asarray(weight, dtype=dtype)[np.maximum(classes, 0)]
    return np.where(classes >= 0, w, 0).astype(dtype)


def _reduce_kept(values: Tensor, scale: np.ndarray | None, total: float, reduction: str, op: str) -> Tensor:
    """PyTorch's reduction of per-sample class losses: each scaled by ``scale``
    (None: as they are); "mean" divides the sum by ``total``, the samples'
    total weight, so it is the weighted average over the samples kept."""
    scaled = values if scale is None else values * from_numpy(scale)
    if reduction == "mean":
        return scaled.sum() * (1.0 / total if total else float("nan"))
    return _reduce(scaled, reduction, op)


def _weighted_reduce(losses: Tensor, classes: np.ndarray, weight: Any, reduction: str, op: str) -> Tensor:
    """The nll reduced as PyTorch does: scaled by the class weights, ignored samples counting for nothing."""
    if weight is None and (classes >= 0).all():
        return _reduce(losses, reduction, op)
    w = _sample_weights(classes, weight, losses.dtype)
    return _reduce_kept(losses, None if weight is None else w, float(w.sum()), reduction, op)


def _check_weight(weight: Any, n_classes: int, op: str) -> None:
    if weight is not None:
        shape = np.shape(weight)
        if shape != (n_classes,):
            raise ValueError(f"{op}: weight must have one value per class, shape ({n_classes},), got {shape}")


def _all_below(indices: np.ndarray, n: int) -> bool:
    """0 <= every index < n. Native signed integers take one reduction: seen
    as unsigned, a negative index is a huge one (half the cost of checking
    both ends); other dtypes (non-native byte order, say) check both ends."""
    unsigned = _UNSIGNED.get(indices.dtype)
    if unsigned is not None:
        return bool(np.maximum.reduce(indices.view(unsigned)) < n)
    return bool(np.minimum.reduce(indices) >= 0 and np.maximum.reduce(indices) < n)


_UNSIGNED = {np.dtype(f"i{size}"): np.dtype(f"u{size}") for size in (1, 2, 4, 8)}


def nll_loss(input: Tensor, target: Any, weight: Any = None, ignore_index: int = -100,  # noqa: A002
             reduction: str = "mean") -> Tensor:
    """-log_probs[target] per sample: the negative log-likelihood of the true
    class, scaled by ``weight[target]``; samples whose target is
    ``ignore_index`` count for nothing (PyTorch's "mean" is the weighted mean)."""
    if input.ndim == 0:
        raise ValueError("nll_loss: input must have a class axis")
    _check_weight(weight, input.shape[1 if input.ndim > 1 else 0], "nll_loss")
    picked, classes = _pick(input, target, "nll_loss", ignore_index)
    return _weighted_reduce(picked, classes, weight, reduction, "nll_loss")


def cross_entropy(input: Tensor, target: Any, weight: Any = None, ignore_index: int = -100,  # noqa: A002
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy of logits (N, C[, d...]) or (C,) against class
    indices, or against class probabilities of the logits' shape, PyTorch's
    arguments: ``weight`` per class, ``ignore_index`` (targets that count for
    nothing, -100 by default: padding), ``label_smoothing`` eps mixing the
    target with the uniform distribution: (1 - eps) * nll + eps * mean over
    classes of -log_softmax."""
    shape = input.numpy().shape
    if not shape:
        raise ValueError("cross_entropy: input must have a class axis")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    if not shape[1 if len(shape) > 1 else 0]:
        raise ValueError(f"cross_entropy: input of shape {shape} has no classes")
    target_array = target.numpy() if isinstance(target, Tensor) else np.asarray(target)
    kind = target_array.dtype.kind
    if kind in "iu" and len(shape) == 2 and target_array.shape == shape[:1] and not label_smoothing \
            and weight is None and reduction in _REDUCTIONS \
            and (not target_array.size or _all_below(target_array, shape[1])):
        # the usual case, (N, C) logits and N valid class indices: one fused primitive
        if kind == "u" and target_array.itemsize == 8:  # uint64 would make the flat positions floats
            target_array = target_array.astype(np.intp)
        return CrossEntropy.apply(input, target=target_array, reduction=reduction)
    axis = 0 if len(shape) == 1 else 1
    n_classes = shape[axis]
    _check_weight(weight, n_classes, "cross_entropy")
    class_shape = (n_classes,) + (1,) * (len(shape) - 2)
    w = None if weight is None else from_numpy(np.asarray(
        weight, dtype=input.dtype).reshape(class_shape))
    if kind == "f":  # class probabilities
        if target_array.shape != shape and target_array.shape == shape[:axis] + shape[axis + 1:]:
            raise TypeError(f"cross_entropy: a target of shape {target_array.shape} holds class indices, which "
                            f"must be integers, got dtype {target_array.dtype}: pass target.long()")
        _, t = _pair(input, target, "cross_entropy")
        if label_smoothing:
            t = t * (1.0 - label_smoothing) + label_smoothing / n_classes
        terms = t * input.log_softmax(axis)
        loss = -(terms if w is None else terms * w).sum(axis=axis)
        return _reduce(loss, reduction, "cross_entropy")
    log_probs = input.log_softmax(axis)
    picked, classes = _pick(log_probs, target, "cross_entropy", ignore_index)
    loss = _weighted_reduce(picked, classes, weight, reduction, "cross_entropy")
    if not label_smoothing:
        return loss
    # PyTorch's smoothing term: -sum over classes of w_c log p_c / C per kept sample, reduced as the nll
    smooth = -(log_probs if w is None else log_probs * w).sum(axis=axis) * (1.0 / n_classes)
    total = float(_sample_weights(classes, weight, smooth.dtype).sum())
    smooth_loss = _reduce_kept(smooth, (classes >= 0).astype(smooth.dtype), total, reduction, "cross_entropy")
    return loss * (1.0 - label_smoothing) + smooth_loss * label_smoothing


def kl_div(input: Tensor, target: Any, reduction: str = "mean", log_target: bool = False) -> Tensor:  # noqa: A002
    """KL(p || q) terms p (log p - log q), PyTorch's order: ``input`` is log q,
    ``target`` is p (or log p with ``log_target=True``); terms with p = 0 are 0.
    ``reduction="batchmean"`` divides the sum by the batch size (the true KL);
    "mean" averages over all elements, as PyTorch does."""
    log_q, p = _pair(input, target, "kl_div")
    if log_target:
        loss = p.exp() * (p - log_q)
    else:
        positive = p.numpy() > 0
        log_p = where(positive, p, 1.0).log()
        loss = where(positive, p * (log_p - log_q), 0.0)
    if reduction == "batchmean":
        return loss.sum() * (1.0 / (input.shape[0] if input.ndim else 1))
    return _reduce(loss, reduction, "kl_div")


class _Loss(Module):
    _fn: Any = None

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in _REDUCTIONS + (("batchmean",) if type(self) is KLDivLoss else ()):
            raise ValueError(f"{type(self).__name__}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
        self.reduction = reduction

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return type(self)._fn(input, target, reduction=self.reduction)

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error."""
    _fn = staticmethod(mse_loss)


class L1Loss(_Loss):
    """Mean absolute error."""
    _fn = staticmethod(l1_loss)


class BCELoss(_Loss):
    """Binary cross-entropy on probabilities."""
    _fn = staticmethod(binary_cross_entropy)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits (stable)."""
    _fn = staticmethod(binary_cross_entropy_with_logits)


class HingeLoss(_Loss):
    """max(0, 1 - y s), labels in {-1, +1}."""
    _fn = staticmethod(hinge_loss)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (``weight``, ``ignore_index`` as ``nll_loss``)."""

    def __init__(self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight, self.ignore_index = weight, ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class HuberLoss(_Loss):
    """Squared near the target, linear beyond ``delta``."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy on logits; class indices or probabilities."""

    def __init__(self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(reduction)
        self.weight, self.ignore_index, self.label_smoothing = weight, ignore_index, label_smoothing

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return cross_entropy(input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing)


class KLDivLoss(_Loss):
    """KL divergence; input is log q, target is p. Use reduction="batchmean"."""

    def __init__(self, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
