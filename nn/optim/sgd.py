"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd.graph import increment_version
from nn._blas import axpby, axpy

from .optimizer import Optimizer, _require_numbers

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's rule::

        g = grad + weight_decay * p
        buf = g (first step), else momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf      (when momentum != 0)
        p = p - lr * g
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    @classmethod
    def _check_options(cls, lr: float, momentum: float, dampening: float, weight_decay: float,
                       nesterov: bool) -> None:
        _require_numbers("SGD", lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay)
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError(f"SGD: lr, momentum and weight_decay must be >= 0, got {lr}, {momentum}, {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov momentum needs momentum > 0 and dampening = 0")

    def _update(self, w, g, state, h):
        if h["weight_decay"]:
            g = g + h["weight_decay"] * w
        momentum = h["momentum"]
        if momentum:
            buf = state.get("momentum_buffer")
            buf = g if buf is None else momentum * buf + (1 - h["dampening"]) * g
            buf = buf.copy() if isinstance(buf, np.ndarray) else buf
            state["momentum_buffer"] = buf
            g = g + momentum * buf if h["nesterov"] else buf
        return h["lr"] * g, state

    def _update_in_place(self, p, w, g, state, h):
        lr, weight_decay, momentum = h["lr"], h["weight_decay"], h["momentum"]
        buf = state.get("momentum_buffer")
        first = momentum and buf is None
        if first:
            buf = state["momentum_buffer"] = np.empty_like(w)
        arrays = [w, g, buf if momentum else None]
        # (axpy and axpby make no temporaries, so without decay or nesterov there is nothing to keep in cache)
        blocks = self._blocks(arrays, w) if weight_decay or h["nesterov"] else ((*arrays, None),)
        for wb, gb, bb, work in blocks:
            if weight_decay:  # (the gradient itself is never written)
                gb = np.add(gb, np.multiply(wb, weight_decay, out=work), out=work)
            if momentum:
                if first:
                    np.copyto(bb, gb)
                else:
                    axpby(1 - h["dampening"], gb, momentum, bb)
                if h["nesterov"]:  # g + momentum * buf
                    if gb is not work:
                        np.copyto(work, gb)
                        gb = work
                    axpy(momentum, bb, gb)
                else:
                    gb = bb
            axpy(-lr, gb, wb)
        increment_version(p)
