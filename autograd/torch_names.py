"""torch's module-level spellings of tensor methods: ``autograd.tanh(x)`` is
``x.tanh()``, ``autograd.sum(x, dim=1)`` is ``x.sum(dim=1)``, so that
``import autograd as torch`` runs PyTorch code. (Several names shadow Python
builtins here on purpose, as in torch: this module uses none of them.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.graph import make_tensor
from autograd.tensor import Tensor

__all__ = [
    "abs", "exp", "log", "log10", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "erf", "sign",
    "softmax", "log_softmax", "logsumexp", "sum", "mean", "var", "std", "prod", "max", "min", "amax", "amin",
    "argmax", "argmin", "norm", "dot", "clamp", "clip", "pow", "reshape", "flatten", "transpose", "permute",
    "squeeze", "unsqueeze", "t", "numel", "clone", "detach", "mm", "bmm", "is_tensor",
    "eq", "ne", "lt", "le", "gt", "ge", "equal", "allclose", "isnan", "isinf", "isfinite", "logical_and",
    "logical_or", "logical_not", "nonzero", "count_nonzero", "unique", "histogram", "narrow", "index_select",
    "gather", "flip", "roll", "sort", "argsort", "topk", "all", "any", "cumsum", "masked_fill", "outer", "log1p",
    "expm1", "rsqrt", "reciprocal", "square", "floor", "ceil", "round", "trunc", "remainder", "fmod", "lerp",
    "repeat_interleave", "tile", "broadcast_to", "is_floating_point", "as_tensor", "empty", "empty_like",
    "get_default_dtype", "finfo", "iinfo",
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


eq, ne, lt, le, gt, ge, equal, allclose = (_method(n) for n in ("eq", "ne", "lt", "le", "gt", "ge", "equal",
                                                                 "allclose"))
isnan, isinf, isfinite, logical_and, logical_or, logical_not = (
    _method(n) for n in ("isnan", "isinf", "isfinite", "logical_and", "logical_or", "logical_not"))
nonzero, count_nonzero, unique, histogram = (_method(n) for n in ("nonzero", "count_nonzero", "unique", "histogram"))
narrow, index_select, gather, flip, roll = (_method(n) for n in ("narrow", "index_select", "gather", "flip", "roll"))
sort, argsort, topk, all, any, cumsum = (  # noqa: A001 (torch's names)
    _method(n) for n in ("sort", "argsort", "topk", "all", "any", "cumsum"))
masked_fill, outer, log1p, expm1, rsqrt, reciprocal, square = (
    _method(n) for n in ("masked_fill", "outer", "log1p", "expm1", "rsqrt", "reciprocal", "square"))
floor, ceil, round, trunc, remainder, fmod, lerp = (  # noqa: A001
    _method(n) for n in ("floor", "ceil", "round", "trunc", "remainder", "fmod", "lerp"))
tile, broadcast_to, is_floating_point = (_method(n) for n in ("tile", "broadcast_to", "is_floating_point"))


def repeat_interleave(input: Any, repeats: int, dim: int | None = None) -> Tensor:  # noqa: A002
    """Each element repeated ``repeats`` times along ``dim`` (flattened when None)."""
    t = input if isinstance(input, Tensor) else Tensor(input)
    if dim is None:
        t, dim = t.reshape(-1), 0
    return t.index_select(dim, np.repeat(np.arange(t.shape[dim]), repeats))


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a Tensor, sharing a numpy array's memory where it can (``torch.as_tensor``)."""
    if isinstance(data, Tensor) and (dtype is None or np.dtype(dtype) == data.dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or np.dtype(dtype) == data.dtype):
        return make_tensor(data)
    return Tensor(data, dtype=dtype, device=device)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, name: str = "", **_: Any) -> Tensor:
    """Zeros of that shape (PyTorch's are uninitialised; glassgrad hands out no uninitialised memory)."""
    size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    return Tensor(np.zeros(size, dtype=np.float32 if dtype is None else np.dtype(dtype)), requires_grad=requires_grad,
                  name=name)


def empty_like(input: Any, dtype: Any = None, requires_grad: bool = False, name: str = "",  # noqa: A002
               **_: Any) -> Tensor:
    return empty(*np.shape(input), dtype=input.dtype if dtype is None else dtype, requires_grad=requires_grad,
                 name=name)


def get_default_dtype() -> np.dtype:
    """float32: what Python floats become."""
    return np.dtype(np.float32)


def finfo(dtype: Any = np.float32) -> Any:
    """numpy's finfo (``eps``, ``max``, ``tiny``, ...) for a float dtype."""
    return np.finfo(np.dtype(dtype))


def iinfo(dtype: Any) -> Any:
    return np.iinfo(np.dtype(dtype))
