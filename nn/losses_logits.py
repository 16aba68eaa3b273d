"""Binary cross-entropy on logits with PyTorch's full signature,
``F.binary_cross_entropy_with_logits(input, target, weight=None,
reduction="mean", pos_weight=None)`` and ``nn.BCEWithLogitsLoss``:
``weight`` rescales each element, ``pos_weight`` (one per class, the last
dimension) the positive term, to balance rare positives."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, from_numpy
from nn.losses import _Loss, _pair, _reduce

__all__ = ["binary_cross_entropy_with_logits", "BCEWithLogitsLoss"]

_OP = "binary_cross_entropy_with_logits"


def _factor(value: Any, name: str, like: Tensor) -> Tensor:
    """A weight as a Tensor of the input's dtype (a Tensor that requires grad is kept, so its gradient flows)."""
    if isinstance(value, str):
        raise TypeError(f"{_OP}: {name} must be a tensor, got {value!r}; PyTorch's order is (input, target, "
                        "weight, ...), so pass reduction by keyword: reduction=" + repr(value))
    if isinstance(value, Tensor):
        return value if value.dtype == like.dtype else value.astype(like.dtype)
    return from_numpy(np.asarray(value, dtype=like.dtype))


def binary_cross_entropy_with_logits(input: Tensor, target: Any, weight: Any = None,  # noqa: A002
                                     reduction: str = "mean", pos_weight: Any = None) -> Tensor:
    """BCE of sigmoid(z) against y, from the logits z, stable for any z:
    w (pw y softplus(-z) + (1 - y) softplus(z)),  with pw = pos_weight (1 when
    None) broadcast along the last dimension and w = weight (1 when None);
    d/dz = w ((1 - y) sigmoid(z) - pw y sigmoid(-z))  (= sigmoid(z) - y for pw = w = 1)."""
    z, y = _pair(input, target, _OP)
    positive = (-z).softplus() * y
    if pos_weight is not None:
        pw = _factor(pos_weight, "pos_weight", z)
        if pw.ndim > 1 or (pw.ndim == 1 and z.ndim and pw.shape[0] not in (1, z.shape[-1])):
            raise ValueError(f"{_OP}: pos_weight must have one value per class (the last dimension, "
                             f"{z.shape[-1] if z.ndim else 1}), got shape {pw.shape}")
        positive = positive * pw
    loss = positive + z.softplus() * (1.0 - y)
    if weight is not None:
        w = _factor(weight, "weight", z)
        try:
            np.broadcast_shapes(w.shape, z.shape)
        except ValueError:
            raise ValueError(f"{_OP}: weight of shape {w.shape} does not broadcast to the input's "
                             f"{z.shape}") from None
        loss = loss * w
    return _reduce(loss, reduction, _OP)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on logits (stable), with ``weight`` and ``pos_weight``."""

    def __init__(self, weight: Any = None, reduction: str = "mean", pos_weight: Any = None) -> None:
        if isinstance(weight, str):  # (glassgrad's old order put reduction first)
            raise TypeError(f"BCEWithLogitsLoss: weight must be a tensor, got {weight!r}; "
                            f"write BCEWithLogitsLoss(reduction={weight!r}) (PyTorch's order)")
        super().__init__(reduction)
        self.weight, self.pos_weight = weight, pos_weight

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return binary_cross_entropy_with_logits(input, target, self.weight, self.reduction, self.pos_weight)
