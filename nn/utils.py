"""Training-loop helpers: glassgrad's ``check_finite``, and torch.nn.utils's
``clip_grad_norm_``, ``clip_grad_value_``, ``parameters_to_vector`` and
``vector_to_parameters`` (this module is ``glassgrad.nn.utils``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Tensor, Value, cat, from_numpy, no_grad, tensor
from nn import optim as _optim
from nn.module import Module

__all__ = ["check_finite", "clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters"]


def _tensors(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                     error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """torch.nn.utils.clip_grad_norm_: scale all gradients together so that
    their joint ``norm_type`` norm is at most ``max_norm``; returns that norm
    before clipping, as a 0-d Tensor (``nn.optim.clip_grad_norm_`` does the
    work and returns a float). ``error_if_nonfinite=True`` raises, changing
    no gradient, when a gradient holds NaN or inf. ``foreach`` is accepted and unused."""
    params = _tensors(parameters)
    grads = [p.grad for p in params if getattr(p, "grad", None) is not None]
    if error_if_nonfinite and not all(np.isfinite(np.asarray(g)).all() for g in grads):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {float(norm_type)} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped; find the op with "
                           "autograd.detect_anomaly(), or pass error_if_nonfinite=False")
    total = _optim.clip_grad_norm_(params, max_norm, norm_type)
    dtype = grads[0].dtype if grads and isinstance(grads[0], Tensor) else np.float32
    return tensor(total, dtype=dtype)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None) -> None:
    """torch.nn.utils.clip_grad_value_: clamp every gradient, in place, to
    ``[-clip_value, clip_value]``. ``foreach`` is accepted and unused."""
    limit = float(clip_value)
    for p in _tensors(parameters):
        if isinstance(p, Value):
            p.grad = min(max(p.grad, -limit), limit)
        elif p.grad is not None:
            p.grad = from_numpy(np.clip(p.grad.numpy(), -limit, limit).astype(p.grad.dtype))


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened into one 1-d Tensor, in order (differentiable)."""
    params = _tensors(parameters)
    if not params:
        raise ValueError("parameters_to_vector: no parameters given")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-d ``vec`` into the parameters' data
    (the inverse of ``parameters_to_vector``); their gradients are untouched."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, but got {type(vec).__name__}")
    params = _tensors(parameters)
    sizes = [p.numel() for p in params]
    if vec.ndim != 1 or vec.numel() != sum(sizes):
        raise ValueError(f"vector_to_parameters: vec has shape {tuple(vec.shape)}, the parameters need "
                         f"({sum(sizes)},)")
    start = 0
    with no_grad():
        for p, size in zip(params, sizes):
            p.data = vec.detach()[start:start + size].reshape(p.shape).to(p.dtype)
            start += size


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
