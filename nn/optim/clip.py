"""Gradient clipping by the joint norm of all gradients."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Value, from_numpy

from .optimizer import _grad_of

__all__ = ["clip_grad_norm_"]


def clip_grad_norm_(params: Iterable[Any], max_norm: float, norm_type: float = 2.0) -> float:
    """Scale all gradients together so their joint norm is at most ``max_norm``
    (coefficient max_norm / (norm + 1e-6), as PyTorch). Returns the norm before clipping."""
    params = [p for p in params if _grad_of(p) is not None]
    if not params:
        return 0.0
    grads = [np.asarray(_grad_of(p), dtype=np.float64) for p in params]
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(g))) for g in grads)
    else:
        total = float(sum(np.sum(np.abs(g) ** norm_type) for g in grads) ** (1.0 / norm_type))
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for p in params:
            if isinstance(p, Value):
                p.grad *= coef
            else:
                p.grad = from_numpy((p.grad.numpy() * coef).astype(p.grad.dtype))
    return total
