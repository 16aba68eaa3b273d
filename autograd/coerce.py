"""Numbers, lists and arrays into Tensors, and two Tensors into one dtype and
shape: the coercions every Tensor operation and free function shares. (It
builds Tensors through ``graph.make_tensor`` and the registered class, so it
imports neither ``tensor`` nor the free functions.)"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd import graph
from autograd import primitives as P
from autograd.graph import make_tensor

if TYPE_CHECKING:  # (annotations only: at run time the class is graph.tensor_class)
    from autograd.tensor import Tensor


def _to_array(data: Any, dtype: Any, op: str = "Tensor") -> np.ndarray:
    if isinstance(data, graph.tensor_class):
        arr = np.array(data._data, dtype=dtype)
    elif isinstance(data, np.ndarray) or isinstance(data, np.generic):
        arr = np.array(data, dtype=dtype)
    else:
        try:
            arr = np.array(data, dtype=dtype)
        except (ValueError, TypeError) as e:
            raise TypeError(f"{op}: cannot make a tensor from {type(data).__name__}: {e}") from None
        if dtype is None and arr.dtype.kind == "f":
            arr = arr.astype(np.float32)  # Python floats become float32, ints int64, as in PyTorch
        elif dtype is None and arr.dtype.kind in "iu":
            arr = arr.astype(np.int64)
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{op}: tensor data must be numbers (bool, int or float), got dtype {arr.dtype}"
            f" from {type(data).__name__}"
        )
    return arr


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _scalar(x: int | float) -> int | float:
    """A plain Python number: numpy scalars (np.float64 is a float subclass)
    would otherwise upcast float32 tensors, since numpy treats them as strong."""
    return x.item() if isinstance(x, np.generic) else x


def _as_tensor(x: Any, like: Any, op: str = "Tensor") -> Any:
    """Operands that are not Tensors become constants; Python numbers take
    ``like``'s dtype (numpy's rule for Python scalars)."""
    if isinstance(x, graph.tensor_class):
        return x
    if _is_number(x):
        return make_tensor(np.asarray(x, dtype=like.dtype if like.dtype.kind == "f" else None))
    return make_tensor(_to_array(x, None, op))


def _promote(a: Any, b: Any) -> tuple[Any, Tensor]:
    """Cast two tensors to a common dtype (a recorded, differentiable Cast):
    PyTorch's rule, a float with an integer or bool is that float's dtype
    (numpy would widen int64 + float32 to float64); otherwise numpy's."""
    if a.dtype == b.dtype:
        return a, b
    fa, fb = a.dtype.kind == "f", b.dtype.kind == "f"
    dtype = a.dtype if fa and not fb else b.dtype if fb and not fa else np.result_type(a._data, b._data)
    return a.astype(dtype), b.astype(dtype)


def _binary(fn: type, a: Any, b: Any) -> Any:
    """Apply an elementwise binary primitive after promoting and broadcasting."""
    T = graph.tensor_class
    if type(a) is T and type(b) is T:
        da, db = a._data, b._data
        if da.dtype is db.dtype and da.shape == db.shape:  # the common case: nothing to do
            return fn.apply(a, b)
    if not isinstance(a, T):
        a = _as_tensor(a, b, fn.__name__.lower())
    if not isinstance(b, T):
        b = _as_tensor(b, a, fn.__name__.lower())
    a, b = _promote(a, b)
    if a.shape != b.shape:
        try:
            shape = np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise ValueError(
                f"{fn.__name__.lower()}: shapes {a.shape} and {b.shape} cannot be broadcast together"
            ) from None
        if a.shape != shape:
            a = P.BroadcastTo.apply(a, shape=shape)
        if b.shape != shape:
            b = P.BroadcastTo.apply(b, shape=shape)
    return fn.apply(a, b)


def _sequence_of_tensors(xs: Sequence[Any], op: str) -> list[Any]:
    if isinstance(xs, graph.tensor_class) or not isinstance(xs, (list, tuple)) or not xs:
        raise TypeError(f"{op}: expected a non-empty list or tuple of tensors")
    return [x if isinstance(x, graph.tensor_class) else graph.tensor_class(x) for x in xs]


# numpy's binary ufuncs as Tensor operators, for ``array op tensor`` (reflected) and ``np.add(t, x)``
def _arrays(x: Any) -> Any:
    """``x`` with every Tensor in it (through lists, tuples and dicts) replaced by its array."""
    if isinstance(x, graph.tensor_class):
        return x._data
    if isinstance(x, (list, tuple)):
        return type(x)(_arrays(v) for v in x)
    if isinstance(x, dict):
        return {k: _arrays(v) for k, v in x.items()}
    return x


def normalize_axis(axis: Any, ndim: int, op: str, shape: tuple = ()) -> tuple[int, ...] | None:
    """``axis`` (None, an int or a sequence of ints) as a sorted tuple of
    non-negative axes, or None for all; raises AxisError naming the op."""
    if axis is None:
        return None
    if isinstance(axis, (int, np.integer)):
        items: tuple = (axis,)
    elif isinstance(axis, (tuple, list)):
        items = tuple(axis)
    else:
        raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
    out = []
    for a in items:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -max(ndim, 1) <= a < max(ndim, 1) or (ndim == 0 and a not in (0, -1)):
            raise np.exceptions.AxisError(
                f"{op}: axis {a} is out of range for a tensor of shape {shape} ({ndim} dimensions)"
            )
        out.append(int(a) % ndim if ndim else 0)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis!r}")
    return tuple(sorted(out)) if ndim else None


def _index(index: Any) -> Any:
    """Tensors inside an index become their arrays; lists become arrays."""
    if isinstance(index, graph.tensor_class):
        return index._data
    if isinstance(index, tuple):
        return tuple(i._data if isinstance(i, graph.tensor_class) else i for i in index)
    if isinstance(index, list):
        return np.asarray(index)
    return index
