"""RMSprop: steps scaled by a running root mean square of the gradient."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .optimizer import Optimizer, _check, _sqrt

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, PyTorch's rule::

        g = grad + weight_decay * p
        s = alpha s + (1 - alpha) g**2
        (centered: a = alpha a + (1 - alpha) g;  s_hat = s - a**2, else s_hat = s)
        d = g / (sqrt(s_hat) + eps)
        buf = momentum buf + d;  p = p - lr buf      (p = p - lr d without momentum)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    @classmethod
    def _check_options(cls, lr: float, alpha: float, eps: float, weight_decay: float, momentum: float,
                       centered: bool) -> None:
        _check("RMSprop", lr, eps, None, weight_decay)
        if not 0.0 <= alpha <= 1.0 or momentum < 0:
            raise ValueError(f"RMSprop: alpha must be in [0, 1] and momentum >= 0, got {alpha}, {momentum}")

    def _update(self, w, g, state, h):
        a = h["alpha"]
        if h["weight_decay"]:
            g = g + h["weight_decay"] * w
        sq = a * state.get("square_avg", 0.0) + (1 - a) * g * g
        state.update(step=state.get("step", 0) + 1, square_avg=sq)  # (step: kept as torch keeps it)
        if h["centered"]:
            ga = a * state.get("grad_avg", 0.0) + (1 - a) * g
            state["grad_avg"] = ga
            sq = sq - ga * ga
        d = g / (_sqrt(sq) + h["eps"])
        if h["momentum"]:
            buf = h["momentum"] * state.get("momentum_buffer", 0.0) + d
            state["momentum_buffer"] = buf
            d = buf
        return h["lr"] * d, state
