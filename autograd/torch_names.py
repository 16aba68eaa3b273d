"""torch's module-level spellings of tensor methods: ``autograd.tanh(x)`` is
``x.tanh()``, ``autograd.sum(x, dim=1)`` is ``x.sum(dim=1)``, so that
``import autograd as torch`` runs PyTorch code. (Several names shadow Python
builtins here on purpose, as in torch: this module uses none of them.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd.tensor import Tensor

__all__ = [
    "abs", "exp", "log", "log10", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "erf", "sign",
    "softmax", "log_softmax", "logsumexp", "sum", "mean", "var", "std", "prod", "max", "min", "amax", "amin",
    "argmax", "argmin", "norm", "dot", "clamp", "clip", "pow", "reshape", "flatten", "transpose", "permute",
    "squeeze", "unsqueeze", "t", "numel", "clone", "detach", "mm", "bmm", "is_tensor",
]


def _method(name: str) -> Callable[..., Any]:
    def function(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002 (torch's argument name)
        tensor = input if isinstance(input, Tensor) else Tensor(input)
        return getattr(tensor, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``torch.{name}(input, ...)``: the same as ``input.{name}(...)``."
    return function


abs = _method("abs")  # noqa: A001 (torch's name)
exp, log, log10, sqrt, sin, cos = (_method(n) for n in ("exp", "log", "log10", "sqrt", "sin", "cos"))
tanh, sigmoid, relu, erf, sign = (_method(n) for n in ("tanh", "sigmoid", "relu", "erf", "sign"))
softmax, log_softmax, logsumexp = (_method(n) for n in ("softmax", "log_softmax", "logsumexp"))
sum, mean, var, std, prod = (_method(n) for n in ("sum", "mean", "var", "std", "prod"))  # noqa: A001
max, min, amax, amin = (_method(n) for n in ("max", "min", "amax", "amin"))  # noqa: A001
argmax, argmin, norm, dot = (_method(n) for n in ("argmax", "argmin", "norm", "dot"))
clamp, clip, pow = (_method(n) for n in ("clamp", "clip", "pow"))  # noqa: A001
reshape, flatten, transpose, permute, squeeze, unsqueeze, t = (
    _method(n) for n in ("reshape", "flatten", "transpose", "permute", "squeeze", "unsqueeze", "t"))
numel, clone, detach = (_method(n) for n in ("numel", "clone", "detach"))


def mm(a: Any, b: Any) -> Tensor:
    """The product of two matrices (``torch.mm``)."""
    return (a if isinstance(a, Tensor) else Tensor(a)).matmul(b)


bmm = mm  # batched: matmul's batch rules


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)
