"""Training-loop helpers."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, Value
from nn.module import Module

__all__ = ["check_finite"]


def _bad(values: Any) -> str | None:
    arr = values.numpy() if isinstance(values, Tensor) else np.asarray(values, dtype=np.float64)
    if arr.dtype.kind not in "fc":
        return None
    finite = np.isfinite(arr)
    if finite.all():
        return None
    n_nan = int(np.isnan(arr).sum())
    n_inf = int((~finite).sum()) - n_nan
    parts = [f"{n_nan} nan" if n_nan else "", f"{n_inf} inf" if n_inf else ""]
    return ", ".join(p for p in parts if p)


def check_finite(model: Module, loss: Tensor | Value | float | None = None, raise_error: bool = True) -> list[str]:
    """Find NaN or inf in a training step: the loss, every parameter and every
    gradient. Returns the problems found (empty when all is finite); with
    ``raise_error=True`` (the default) raises a ``FloatingPointError`` naming
    them instead, e.g. ``check_finite: loss (1 nan); 0.weight.grad (12 nan)``.
    Call it after ``loss.backward()`` and before ``opt.step()`` so a bad step
    never reaches the weights; ``autograd.detect_anomaly`` then finds the op."""
    problems = []
    if loss is not None:
        value = loss.data if isinstance(loss, (Tensor, Value)) else loss
        bad = _bad(value)
        if bad:
            problems.append(f"loss ({bad})")
    for name, p in model.named_parameters():
        bad = _bad(p.data)
        if bad:
            problems.append(f"{name} ({bad})")
        if isinstance(p, Value):
            grad = p.grad
        else:
            grad = p.grad
        bad = None if grad is None else _bad(grad)
        if bad:
            problems.append(f"{name}.grad ({bad})")
    if problems and raise_error:
        raise FloatingPointError("check_finite: non-finite values in " + "; ".join(problems)
                                 + " (find the op with autograd.detect_anomaly())")
    return problems
