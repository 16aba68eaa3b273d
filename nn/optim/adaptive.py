"""Adagrad and Adadelta: per-coordinate step sizes from accumulated squared
gradients, PyTorch's rules (``torch.optim.Adagrad``, ``torch.optim.Adadelta``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, _check, _require_numbers, _sqrt

__all__ = ["Adagrad", "Adadelta"]


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.), PyTorch's rule::

        g = grad + weight_decay * p
        sum = sum + g**2                       (sum starts at initial_accumulator_value)
        p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(sum) + eps)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10) -> None:
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps))

    @classmethod
    def _check_options(cls, lr: float, lr_decay: float, weight_decay: float, initial_accumulator_value: float,
                       eps: float) -> None:
        _check("Adagrad", lr, eps, None, weight_decay)
        _require_numbers("Adagrad", lr_decay=lr_decay, initial_accumulator_value=initial_accumulator_value)
        if lr_decay < 0 or initial_accumulator_value < 0:
            raise ValueError(f"Adagrad: lr_decay and initial_accumulator_value must be >= 0, "
                             f"got {lr_decay}, {initial_accumulator_value}")

    def _update(self, w, g, state, h):
        if h["weight_decay"]:
            g = g + h["weight_decay"] * w
        t = state.get("step", 0) + 1
        start = h["initial_accumulator_value"]
        total = state.get("sum", np.full_like(w, start) if isinstance(w, np.ndarray) else float(start)) + g * g
        state.update(step=t, sum=total)
        lr = h["lr"] / (1 + (t - 1) * h["lr_decay"])
        return lr * g / (_sqrt(total) + h["eps"]), state


class Adadelta(Optimizer):
    """Adadelta (Zeiler), PyTorch's rule::

        g = grad + weight_decay * p
        v = rho v + (1 - rho) g**2
        d = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho u + (1 - rho) d**2
        p = p - lr d
    """

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay))

    @classmethod
    def _check_options(cls, lr: float, rho: float, eps: float, weight_decay: float) -> None:
        _check("Adadelta", lr, eps, None, weight_decay)
        _require_numbers("Adadelta", rho=rho)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Adadelta: rho must be in [0, 1], got {rho}")

    def _update(self, w, g, state, h):
        rho, eps = h["rho"], h["eps"]
        if h["weight_decay"]:
            g = g + h["weight_decay"] * w
        square_avg = rho * state.get("square_avg", 0.0) + (1 - rho) * g * g
        acc_delta = state.get("acc_delta", 0.0)
        delta = _sqrt(acc_delta + eps) / _sqrt(square_avg + eps) * g
        acc_delta = rho * acc_delta + (1 - rho) * delta * delta
        state.update(step=state.get("step", 0) + 1, square_avg=square_avg, acc_delta=acc_delta)
        return h["lr"] * delta, state
