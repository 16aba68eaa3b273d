"""NAdam and RAdam: Adam with Nesterov momentum, and Adam with its early
steps' variance rectified; PyTorch's rules (``torch.optim.NAdam``,
``torch.optim.RAdam``)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from .optimizer import Optimizer, _check, _require_numbers, _sqrt

__all__ = ["NAdam", "RAdam"]


def _decay(w: Any, g: Any, h: dict[str, Any]) -> tuple[Any, Any]:
    """(gradient, decoupled part of the step): weight decay as L2 on the
    gradient, or (decoupled_weight_decay) as AdamW's p * (1 - lr wd)."""
    wd = h["weight_decay"]
    if not wd:
        return g, 0.0
    if h["decoupled_weight_decay"]:
        return g, h["lr"] * wd * w
    return g + wd * w, 0.0


def _moments(g: Any, state: dict[str, Any], b1: float, b2: float) -> tuple[int, Any, Any]:
    """Adam's step count and moving averages of g and g**2, stored in state."""
    t = state.get("step", 0) + 1
    m = state.get("exp_avg", 0.0)
    m = m + (1 - b1) * (g - m)  # (torch's lerp)
    v = b2 * state.get("exp_avg_sq", 0.0) + (1 - b2) * g * g
    state.update(step=t, exp_avg=m, exp_avg_sq=v)
    return t, m, v


class NAdam(Optimizer):
    """NAdam (Dozat), PyTorch's rule, with momentum decay::

        mu_t = b1 (1 - 0.96 ** (t * momentum_decay) / 2);   mu_product = mu_1 ... mu_t
        m, v as Adam (weight decay as Adam's, or AdamW's with decoupled_weight_decay)
        denom = sqrt(v / (1 - b2**t)) + eps
        p = p - lr (1 - mu_t) / (1 - mu_product) g / denom
              - lr mu_{t+1} / (1 - mu_product mu_{t+1}) m / denom
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay))

    @classmethod
    def _check_options(cls, lr: float, betas: Any, eps: float, weight_decay: float, momentum_decay: float,
                       decoupled_weight_decay: bool) -> None:
        _check("NAdam", lr, eps, tuple(betas), weight_decay)
        _require_numbers("NAdam", momentum_decay=momentum_decay)
        if momentum_decay < 0:
            raise ValueError(f"NAdam: momentum_decay must be >= 0, got {momentum_decay}")

    def _update(self, w, g, state, h):
        b1, b2 = h["betas"]
        lr, psi = h["lr"], h["momentum_decay"]
        g, decay = _decay(w, g, h)
        t, m, v = _moments(g, state, b1, b2)
        mu = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_product = state.get("mu_product", 1.0) * mu
        state["mu_product"] = mu_product
        denom = _sqrt(v / (1 - b2**t)) + h["eps"]
        step = lr * (1.0 - mu) / (1.0 - mu_product) * g / denom
        return decay + step + lr * mu_next / (1.0 - mu_product * mu_next) * m / denom, state


class RAdam(Optimizer):
    """RAdam (Liu et al.), PyTorch's rule::

        m, v as Adam (weight decay as Adam's, or AdamW's with decoupled_weight_decay)
        rho_inf = 2 / (1 - b2) - 1;   rho_t = rho_inf - 2 t b2**t / (1 - b2**t)
        rho_t > 5:  p = p - lr m / (1 - b1**t) * r_t * sqrt(1 - b2**t) / (sqrt(v) + eps)
                    r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
        otherwise:  p = p - lr m / (1 - b1**t)        (momentum SGD while v is too noisy)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, decoupled_weight_decay: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay))

    @classmethod
    def _check_options(cls, lr: float, betas: Any, eps: float, weight_decay: float,
                       decoupled_weight_decay: bool) -> None:
        _check("RAdam", lr, eps, tuple(betas), weight_decay)

    def _update(self, w, g, state, h):
        b1, b2 = h["betas"]
        lr = h["lr"]
        g, decay = _decay(w, g, h)
        t, m, v = _moments(g, state, b1, b2)
        correction2 = 1 - b2**t
        step = lr * (m / (1 - b1**t))
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2**t / correction2
        if rho_t > 5.0:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            step = step * (math.sqrt(correction2) / (_sqrt(v) + h["eps"])) * rect
        return decay + step, state
