"""torch's module-level named arithmetic: ``torch.add(x, y, alpha=2)`` is
``x.add(y, alpha=2)``, and so on for ``sub mul div neg addcmul addcdiv
rsub unbind clamp_min clamp_max`` and torch's long names (``subtract``,
``multiply``, ``divide``, ``true_divide``, ``negative``). A number as the
first argument becomes a tensor, as in torch."""

from __future__ import annotations

from autograd.torch_names import _method

__all__ = ["add", "sub", "subtract", "rsub", "mul", "multiply", "div", "divide", "true_divide", "neg", "negative",
           "addcmul", "addcdiv", "unbind", "clamp_min", "clamp_max"]

add, sub, subtract, rsub = (_method(n) for n in ("add", "sub", "subtract", "rsub"))
mul, multiply, div, divide, true_divide = (_method(n) for n in ("mul", "multiply", "div", "divide", "true_divide"))
neg, negative, addcmul, addcdiv = (_method(n) for n in ("neg", "negative", "addcmul", "addcdiv"))
unbind, clamp_min, clamp_max = (_method(n) for n in ("unbind", "clamp_min", "clamp_max"))
