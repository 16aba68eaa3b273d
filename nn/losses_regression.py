"""Smooth L1, PyTorch's ``F.smooth_l1_loss`` and ``nn.SmoothL1Loss``: squared
near the target, absolute beyond ``beta`` (Huber divided by ``beta``)."""

from __future__ import annotations

from typing import Any

from autograd import Tensor, where
from nn.losses import _Loss, _pair, _reduce

__all__ = ["smooth_l1_loss", "SmoothL1Loss"]


def smooth_l1_loss(input: Tensor, target: Any, reduction: str = "mean", beta: float = 1.0) -> Tensor:  # noqa: A002
    """0.5 d**2 / beta where |d| < beta, else |d| - beta / 2, with d = x - y;
    d/dx = d / beta near the target, sign(d) beyond. ``beta=0`` is the L1 loss.
    (``huber_loss(delta=b)`` is ``b * smooth_l1_loss(beta=b)``.)"""
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    x, y = _pair(input, target, "smooth_l1_loss")
    d = x - y
    a = d.abs()
    if beta == 0:
        return _reduce(a, reduction, "smooth_l1_loss")
    loss = where(a.numpy() < beta, d * d * (0.5 / beta), a - 0.5 * beta)
    return _reduce(loss, reduction, "smooth_l1_loss")


class SmoothL1Loss(_Loss):
    """Squared within ``beta`` of the target, absolute beyond."""

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        if beta < 0:
            raise ValueError(f"SmoothL1Loss: beta must be >= 0, got {beta}")
        self.beta = beta

    def forward(self, input: Tensor, target: Any) -> Tensor:  # noqa: A002
        return smooth_l1_loss(input, target, self.reduction, self.beta)
