"""PyTorch's spellings for a tensor's size, dtype, device and Python number
conversions: ``size()``, ``numel()``, ``dim()``, ``float()``/``long()``/...,
``to()``, ``cpu()``, ``device``, ``clone()``, ``contiguous()``, ``float(t)``,
``f"{t:.4f}"``. A mixin for ``Tensor``; it needs nothing from ``tensor.py``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import primitives as P

__all__ = ["TensorConversions", "Size", "check_device", "DTYPES"]

#: torch-style dtype names, also exported as ``autograd.float32`` etc.
DTYPES = {
    "float16": np.float16, "float32": np.float32, "float64": np.float64, "half": np.float16,
    "float": np.float32, "double": np.float64, "int8": np.int8, "int16": np.int16, "int32": np.int32,
    "int64": np.int64, "long": np.int64, "int": np.int32, "uint8": np.uint8, "bool": np.bool_,
}


class Size(int):
    """A tensor's ``size``: its number of elements as an int (numpy's
    ``a.size``), and callable as PyTorch's ``size()`` (the shape, a tuple)
    or ``size(dim)`` (one axis's length)."""

    shape: tuple

    def __new__(cls, shape: tuple) -> Size:
        size = int.__new__(cls, math.prod(shape))
        size.shape = tuple(shape)
        return size

    def __call__(self, dim: int | None = None) -> Any:
        if dim is None:
            return self.shape
        if not -len(self.shape) <= dim < len(self.shape) or not self.shape:
            raise IndexError(f"size: dim {dim} is out of range for a tensor of shape {self.shape}")
        return self.shape[dim]


def check_device(device: Any, op: str) -> None:
    """Accept the CPU (``"cpu"``, ``"cpu:0"``, ``torch.device("cpu")``-like);
    refuse anything else with a message that says what to write."""
    name = str(getattr(device, "type", device))
    if device is not None and name.split(":")[0] != "cpu":
        raise RuntimeError(
            f"{op}: glassgrad runs on the CPU only, got device {device!r}; "
            "drop the .to(device) call or pass device='cpu'"
        )


class TensorConversions:
    """Mixed into ``Tensor``."""

    __slots__ = ()

    @property
    def size(self) -> Size:
        """Number of elements (numpy's ``.size``); ``size()`` gives the shape, ``size(d)`` one length."""
        return Size(self._data.shape)

    def numel(self) -> int:
        """Number of elements."""
        return int(self._data.size)

    nelement = numel  # PyTorch's older name, used in makemore

    def dim(self) -> int:
        """Number of dimensions (PyTorch's name for ``ndim``)."""
        return self._data.ndim

    def element_size(self) -> int:
        """Bytes per element."""
        return self._data.itemsize

    @property
    def device(self) -> str:
        """Always ``"cpu"``."""
        return "cpu"

    @property
    def is_cuda(self) -> bool:
        return False

    def cpu(self) -> Any:
        """This tensor (it already is on the CPU)."""
        return self

    def to(self, *args: Any, dtype: Any = None, device: Any = None, **_: Any) -> Any:
        """``to(dtype)``, ``to("cpu")``, ``to(device, dtype)``, ``to(other)``:
        a tensor of that dtype (differentiable between float dtypes). Other
        devices are refused, naming what to write instead."""
        for a in args:
            if hasattr(a, "data") and hasattr(a, "dtype") and not isinstance(a, (str, np.dtype, type)):
                dtype = a.dtype  # to(other): other's dtype
            elif isinstance(a, (str, np.dtype, type)) and _is_dtype(a):
                dtype = a
            else:
                device = a
        check_device(device, "to")
        return self if dtype is None else self.astype(_dtype(dtype))

    def type_as(self, other: Any) -> Any:
        """This tensor in ``other``'s dtype."""
        return self.astype(other.dtype)

    def float(self) -> Any:
        """As float32."""
        return self.astype(np.float32)

    def double(self) -> Any:
        """As float64."""
        return self.astype(np.float64)

    def half(self) -> Any:
        """As float16."""
        return self.astype(np.float16)

    def long(self) -> Any:
        """As int64 (no gradient flows through integers)."""
        return self.astype(np.int64)

    def int(self) -> Any:
        """As int32."""
        return self.astype(np.int32)

    def bool(self) -> Any:
        """As bool."""
        return self.astype(np.bool_)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def clone(self) -> Any:
        """A copy with its own memory; differentiable (the gradient passes through)."""
        return P.Clone.apply(self)

    def contiguous(self) -> Any:
        """This tensor if its memory is C-contiguous, else a contiguous copy."""
        return self if self._data.flags.c_contiguous else P.Clone.apply(self)

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError(f"only integer tensors of a single element can be used as an index, "
                            f"got dtype {self._data.dtype} and shape {self._data.shape}")
        return int(self.item())

    def __format__(self, spec: str) -> str:
        """``f"{t}"`` of a 0-d tensor is its number, as in PyTorch; ``f"{t:.4f}"``
        formats a one-element tensor's number; other tensors format their repr."""
        if self._data.ndim == 0 or (self._data.size == 1 and spec):
            return format(self.item(), spec)
        return format(repr(self), spec)


def _is_dtype(x: Any) -> bool:
    if isinstance(x, str):
        return x in DTYPES or x in np.sctypeDict
    return True


def _dtype(x: Any) -> np.dtype:
    return np.dtype(DTYPES.get(x, x) if isinstance(x, str) else x)
