"""Optimizers. One code path updates both kinds of parameter: a ``Tensor``
(``.data`` an array, ``.grad`` a Tensor or None) and a scalar ``Value``
(``.data`` and ``.grad`` floats).

Every step is all-or-nothing: the new values of all parameters are computed
first and only then written, so an error mid-way leaves the model unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Tensor, Value

__all__ = ["Optimizer", "SGD"]


def _grad_of(p: Any) -> Any:
    """The parameter's gradient as a float or array (None: no gradient yet)."""
    if isinstance(p, Value):
        return p.grad
    return None if p.grad is None else p.grad.data


def _write(p: Any, new: Any) -> None:
    if isinstance(p, Value):
        p.data = float(new)
    else:
        np.copyto(p.data, new, casting="same_kind")  # in place: views of p stay valid
        p._version[0] += 1


class Optimizer:
    """Base class: holds the parameter list, per-parameter state and ``zero_grad``."""

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, (Tensor, Value)):
                raise TypeError(f"{type(self).__name__}: parameter {i} is a {type(p).__name__}, not a Tensor or Value")
        self.defaults = defaults
        for k, v in defaults.items():
            setattr(self, k, v)
        self.state: dict[int, dict[str, Any]] = {}

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear gradients (Tensor grads become None; Value grads 0.0)."""
        for p in self.params:
            if isinstance(p, Value):
                p.grad = 0.0
            elif set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad = Tensor(np.zeros_like(p.data))

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient."""
        updates = []
        for p in self.params:
            g = _grad_of(p)
            if g is None:
                continue
            updates.append((p, *self._update(p, g, dict(self.state.get(id(p), {})))))
        for p, new_value, new_state in updates:  # commit only when all succeeded
            _write(p, new_value)
            self.state[id(p)] = new_state

    def _update(self, p: Any, g: Any, state: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's rule::

        g = grad + weight_decay * p
        buf = g (first step), else momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf      (when momentum != 0)
        p = p - lr * g
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False) -> None:
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError(f"SGD: lr, momentum and weight_decay must be >= 0, got {lr}, {momentum}, {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov momentum needs momentum > 0 and dampening = 0")
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def _update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p.data
        if self.momentum:
            buf = state.get("momentum_buffer")
            buf = g if buf is None else self.momentum * buf + (1 - self.dampening) * g
            buf = buf.copy() if isinstance(buf, np.ndarray) else buf
            state["momentum_buffer"] = buf
            g = g + self.momentum * buf if self.nesterov else buf
        return p.data - self.lr * g, state
