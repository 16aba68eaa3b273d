"""Adam and AdamW (decoupled weight decay), updated in place."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import compiled
from autograd.graph import increment_version
from nn._blas import axpby, axpy

from .optimizer import Optimizer, _check, _sqrt

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam, PyTorch's rule (weight decay added to the gradient, "L2")::

        g = grad + weight_decay * p
        m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g**2      (v_max = max(v_max, v) with amsgrad)
        p = p - lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)
    """

    decoupled = False

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad))

    @classmethod
    def _check_options(cls, lr: float, betas: Any, eps: float, weight_decay: float, amsgrad: bool) -> None:
        _check(cls.__name__, lr, eps, tuple(betas), weight_decay)

    def _update(self, w, g, state, h):
        b1, b2 = h["betas"]
        lr, weight_decay = h["lr"], h["weight_decay"]
        decay = 0.0
        if weight_decay:
            if self.decoupled:
                decay = lr * weight_decay * w  # p * (1 - lr wd) = p - lr wd p
            else:
                g = g + weight_decay * w
        t = state.get("step", 0) + 1
        m = b1 * state.get("exp_avg", 0.0) + (1 - b1) * g
        v = b2 * state.get("exp_avg_sq", 0.0) + (1 - b2) * g * g
        state.update(step=t, exp_avg=m, exp_avg_sq=v)
        if h["amsgrad"]:
            v = np.maximum(state.get("max_exp_avg_sq", 0.0), v)
            state["max_exp_avg_sq"] = v
        denom = _sqrt(v) / math.sqrt(1 - b2**t) + h["eps"]
        return decay + (lr / (1 - b1**t)) * m / denom, state

    def _update_in_place(self, p, w, g, state, h):
        b1, b2 = h["betas"]
        lr, weight_decay, eps = h["lr"], h["weight_decay"], h["eps"]
        if "exp_avg" not in state:
            state.update(step=0, exp_avg=np.zeros_like(w), exp_avg_sq=np.zeros_like(w))
            if h["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(w)
        t = state["step"] = state["step"] + 1
        # lr/(1-b1^t) m / (sqrt(v)/sqrt(1-b2^t) + eps) = step_size m / (sqrt(v) + eps sqrt(1-b2^t)): one pass less
        root = math.sqrt(1 - b2**t)
        step_size, eps = lr / (1 - b1**t) * root, eps * root
        keep = 1 - lr * weight_decay if weight_decay and self.decoupled else None
        arrays = [w, g, state["exp_avg"], state["exp_avg_sq"], state.get("max_exp_avg_sq")]
        fast = compiled.kernel("adam", *[a for a in arrays if a is not None])
        if fast is not None:  # one compiled pass on every core (autograd/compiled.py)
            flat, dt = [(a if a is not None else arrays[3]).reshape(-1) for a in arrays], w.dtype.type
            decay = 0.0 if self.decoupled else weight_decay
            compiled.call(fast, *flat, dt(b1), dt(1 - b1), dt(b2), dt(1 - b2), dt(step_size), dt(eps),
                          dt(decay), dt(1.0 if keep is None else keep), bool(h["amsgrad"]))
            increment_version(p)
            return
        for wb, gb, m, v, v_max, work in self._blocks(arrays, w):
            if weight_decay and not self.decoupled:
                gb = gb + weight_decay * wb
            axpby(1 - b1, gb, b1, m)
            axpby(1 - b2, np.multiply(gb, gb, out=work), b2, v)
            if v_max is not None:
                v = np.maximum(v_max, v, out=v_max)
            denom = np.sqrt(v, out=work)
            denom += eps
            if keep is not None:  # AdamW: p * (1 - lr wd), then the Adam step
                wb *= keep
            axpy(-step_size, np.divide(m, denom, out=work), wb)
        increment_version(p)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), PyTorch's rule:
    p = p * (1 - lr * weight_decay), then the Adam step without decay. Default
    weight_decay=0.01."""

    decoupled = True

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.01, amsgrad: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
