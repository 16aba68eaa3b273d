"""Margin losses, PyTorch's ``F.soft_margin_loss``, ``F.multi_margin_loss``
and ``F.hinge_embedding_loss`` with their modules: a score is penalised until
it clears a margin on the right side. Written with Tensor operations, so their
gradients (of any order) come from autograd."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, from_numpy, where
from nn.losses import _Loss, _pair, _reduce

__all__ = ["soft_margin_loss", "multi_margin_loss", "hinge_embedding_loss", "SoftMarginLoss", "MultiMarginLoss",
           "HingeEmbeddingLoss"]


def soft_margin_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:  # noqa: A002
    """log(1 + exp(-y x)) for labels y in {-1, +1} (a smooth hinge), as
    softplus(-y x) so that large margins neither overflow nor round to 0;
    d/dx = -y sigmoid(-y x)."""
    x, y = _pair(input, target, "soft_margin_loss")
    return _reduce((-(y * x)).softplus(), reduction, "soft_margin_loss")


def hinge_embedding_loss(input: Tensor, target: Any, margin: float = 1.0,  # noqa: A002
                         reduction: str = "mean") -> Tensor:
    """x where y = 1, max(0, margin - x) where y = -1: for distances x between
    pairs labelled similar (1) or not (-1). PyTorch's formula, which adds both
    terms for a label that is neither."""
    x, y = _pair(input, target, "hinge_embedding_loss")
    labels = y.numpy()
    loss = where(labels != 1, (margin - x).relu(), 0.0) + where(labels != -1, x, 0.0)
    return _reduce(loss, reduction, "hinge_embedding_loss")


def _class_targets(x: Tensor, target: Any, op: str) -> np.ndarray:
    """Class indices, one per row of ``x`` ((N, C) or (C,)), checked."""
    labels = np.asarray(target.numpy() if isinstance(target, Tensor) else target)
    if x.ndim not in (1, 2) or labels.shape != x.shape[:-1]:
        raise ValueError(f"{op}: expected input (N, C) with target (N,), or (C,) with a single class index; "
                         f"got input {x.shape} and target {labels.shape}")
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{op}: target must hold class indices (integers), got dtype {labels.dtype}")
    n_classes = x.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"{op}: target {labels.ravel()[(labels < 0) | (labels >= n_classes)][0]} is out of range "
                         f"for {n_classes} classes")
    return labels


def multi_margin_loss(input: Tensor, target: Any, p: int = 1, margin: float = 1.0,  # noqa: A002
                      weight: Any = None, reduction: str = "mean") -> Tensor:
    """The multi-class hinge (Weston & Watkins): for scores x and class y,
    sum over i != y of w[y] max(0, margin - x[y] + x[i])**p / C. ``p`` is 1
    or 2; ``weight`` (C,) weighs each sample by its class (after the power, as
    PyTorch computes it); "mean" averages over samples."""
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: p must be 1 or 2, got {p!r}")
    labels = _class_targets(input, target, "multi_margin_loss")
    x = input if input.ndim == 2 else input.unsqueeze(0)
    rows, columns = np.arange(x.shape[0]), labels.reshape(-1)
    n_classes = x.shape[1]
    hinge = (margin - x[rows, columns].unsqueeze(1) + x).relu()
    hinge = hinge if p == 1 else hinge * hinge
    others = np.ones(x.shape, dtype=bool)
    others[rows, columns] = False  # (the true class's own term, always margin**p, is left out)
    if weight is not None:
        w = np.asarray(weight.numpy() if isinstance(weight, Tensor) else weight, dtype=x.dtype)
        if w.shape != (n_classes,):
            raise ValueError(f"multi_margin_loss: weight must have shape ({n_classes},), got {w.shape}")
        hinge = hinge * from_numpy(w[columns][:, None])
    per_sample = where(others, hinge, 0.0).sum(axis=1) * (1.0 / n_classes)
    return _reduce(per_sample if input.ndim == 2 else per_sample.reshape(()), reduction, "multi_margin_loss")


class SoftMarginLoss(_Loss):
    """log(1 + exp(-y x)), labels in {-1, +1}."""
    _fn = staticmethod(soft_margin_loss)


class HingeEmbeddingLoss(_Loss):
    """x for similar pairs (y = 1), max(0, margin - x) for dissimilar (y = -1)."""

    def __init__(self, margin: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return hinge_embedding_loss(input, target, self.margin, self.reduction)


class MultiMarginLoss(_Loss):
    """The multi-class hinge loss; ``p`` 1 or 2, per-class ``weight``."""

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: p must be 1 or 2, got {p!r}")
        self.p, self.margin, self.weight = p, margin, weight

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return multi_margin_loss(input, target, self.p, self.margin, self.weight, self.reduction)
