"""``Tensor``: a numpy array that records the operations applied to it.

The class holds the data, the gradient and the graph links; every operation is
a thin method that checks its arguments (so errors name the op and shapes
before anything is recorded) and calls one primitive from ``autograd.primitives``.
Broadcasting and dtype promotion happen in one place, ``_binary``: elementwise
primitives only ever see operands of the same shape and dtype.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import graph
from autograd import primitives as P
from autograd.coerce import (
    _arrays,
    _as_tensor,
    _binary,
    _is_number,
    _promote,
    _scalar,
    _to_array,
    normalize_axis,
)
from autograd.engine import run_backward
from autograd.gradients import as_grad, node_of
from autograd.graph import AccumulateGrad, RetainGrad, make_tensor
from autograd.tensor_arithmetic import TensorArithmetic
from autograd.tensor_conversions import TensorConversions, _dtype, check_device
from autograd.tensor_inplace import TensorInPlace
from autograd.tensor_ops import TensorOps
from autograd.tensor_torch import TensorTorchMethods

__all__ = ["Tensor", "tensor", "normalize_axis"]

_FLOAT_KINDS = "f"


class Tensor(TensorInPlace, TensorArithmetic, TensorOps, TensorTorchMethods, TensorConversions):
    """An n-dimensional array in a computation graph.

    ``Tensor(data, requires_grad=False, dtype=None)``, as ``torch.tensor``:
    Python floats become float32, ints int64 and bools bool; numpy arrays keep
    their dtype; the data is copied. ``Tensor(2, 3)`` (two or more sizes) and
    ``Tensor()`` are PyTorch's shape forms: float32 zeros of that shape (PyTorch
    leaves them uninitialised); one int alone is a 0-d tensor, as in ``tensor(2)``.
    Only floating-point tensors can require gradients. After ``backward()``, ``.grad`` of each leaf that requires grad
    holds d(output)/d(leaf) as a Tensor, accumulated across calls.

    A tensor computed by a recorded op has ``grad_fn``, its node in the
    backward graph (``autograd.graph``); a leaf has ``grad_fn = None``.
    ``t.numpy()`` is its array (shared); ``t.data`` the same storage as an
    untracked Tensor, as in PyTorch. ``t.name`` (glassgrad's; ``name=`` on
    ``Tensor``, ``tensor`` and every factory, or set at any time) is what
    ``draw_graph`` and ``explore`` call the tensor.
    """

    __slots__ = ("_data", "grad", "requires_grad", "grad_fn", "name", "_version", "_acc", "__weakref__")

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """numpy meets a Tensor. ``array * t`` is ``t.__rmul__(array)`` (a
        recorded Tensor op). Any other ufunc (``np.exp(t)``) runs on the arrays
        and returns an untracked Tensor, as with PyTorch, unless a tensor
        requires grad, which is refused naming the tracked op. Updating a numpy
        array in place with a Tensor (``arr += t``) is refused too."""
        if kwargs.get("out") is not None:
            raise TypeError(
                f"{ufunc.__name__}: a numpy array cannot be updated in place with a Tensor; update the "
                "tensor (`with autograd.no_grad(): p -= lr * p.grad`, or p.data -= lr * p.grad), or use "
                "arrays on both sides (t.numpy())"
            )
        if method == "__call__" and len(inputs) == 2 and not kwargs:
            a, b = inputs
            name = _REFLECTED.get(ufunc) if b is self else _FORWARD.get(ufunc) if a is self else None
            if name is not None:
                return getattr(self, name)(a if b is self else b)
        if any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
            raise TypeError(
                f"np.{ufunc.__name__}: numpy does not record a tensor that requires grad; use the Tensor "
                f"op (autograd.{ufunc.__name__}(t) or t.{ufunc.__name__}() where it exists), or "
                "t.detach().numpy() for the bare array"
            )
        arrays = [x._data if isinstance(x, Tensor) else x for x in inputs]
        result = getattr(ufunc, method)(*arrays, **kwargs)
        if isinstance(result, tuple):
            return tuple(make_tensor(np.asarray(r)) for r in result)
        return make_tensor(np.asarray(result))

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        """A numpy function (``np.allclose(t, x)``, ``np.mean(t)``) runs on the
        tensors' arrays and returns what numpy returns: numpy's meaning, not
        the Tensor method of the same name (``np.transpose(t)`` reverses axes)."""
        return func(*_arrays(args), **_arrays(kwargs))

    def __init__(self, data: Any = None, *sizes: int, requires_grad: bool = False, dtype: Any = None,
                 name: str = "", device: Any = None) -> None:
        check_device(device, "Tensor")
        if sizes or data is None:  # PyTorch's Tensor(2, 3): a float32 tensor of that shape (zeros here)
            shape = (() if data is None else (data,)) + sizes
            if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in shape):
                raise TypeError(f"Tensor: Tensor(*sizes) takes non-negative ints, got {shape}; "
                                "for values write autograd.tensor([...])")
            data = np.zeros(shape or (0,), dtype=np.float32 if dtype is None else _dtype(dtype))
        arr = _to_array(data, None if dtype is None else _dtype(dtype))
        if requires_grad and arr.dtype.kind not in _FLOAT_KINDS:
            raise TypeError(
                f"Tensor: only floating-point tensors can require gradients, got dtype {arr.dtype}"
            )
        self._data = arr
        self.grad: Tensor | None = None
        self.requires_grad = bool(requires_grad)
        self.grad_fn: Any = None
        self.name = name
        self._version = [0]
        self._acc: Any = None  # this leaf's AccumulateGrad node, made when first recorded

    # -- basic attributes -------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """The same storage as a Tensor with no history, as PyTorch's ``.data``:
        ``W.data += -lr * W.grad`` updates ``W`` in place, unrecorded and
        unchecked (prefer ``with no_grad():``, which the version counter
        guards). ``t.numpy()`` is the numpy array itself."""
        return make_tensor(self._data)

    @data.setter
    def data(self, value: Any) -> None:
        """``t.data = other``: ``t`` now holds ``other``'s storage (a Tensor,
        shared) or a copy of an array-like; shape and dtype may change."""
        if isinstance(value, Tensor):
            arr = value._data
        else:
            arr = np.array(value, dtype=value.dtype if isinstance(value, np.ndarray) else self._data.dtype)
        if self.requires_grad and arr.dtype.kind not in _FLOAT_KINDS:
            raise TypeError(f"data: a tensor that requires grad must stay floating-point, got dtype {arr.dtype}")
        renew = self._acc is not None and (arr.shape != self._data.shape or arr.dtype != self._data.dtype)
        self._data = arr
        if renew:  # its gradient node describes the old array; later graphs need one for this one
            self._acc = self._acc.renewed()

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by a recorded operation."""
        return self.grad_fn is None

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf that called ``retain_grad()``."""
        return self.grad_fn is not None and self.grad_fn.retained_tensor is self


    @property
    def T(self) -> Tensor:
        """The tensor with its axes reversed (numpy's ``.T``)."""
        return self.permute(*reversed(range(self.ndim)))

    def item(self) -> float | int | bool:
        if self._data.size != 1:
            raise ValueError(f"item: only one-element tensors convert to a number, shape is {self.shape}")
        return self._data.item()

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (shared, not copied)."""
        return self._data

    def tolist(self) -> Any:
        return self._data.tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """numpy's protocol, with numpy's meaning of ``copy``: ``np.array(t)``
        asks for a copy and gets one (a snapshot), ``np.asarray(t)`` shares."""
        if dtype is not None and np.dtype(dtype) != self._data.dtype:
            return self._data.astype(dtype)  # a new array in any case
        return self._data.copy() if copy else self._data

    def __getstate__(self) -> dict:
        """What ``pickle`` and ``copy.deepcopy`` keep: the values, ``.grad``,
        ``requires_grad`` and ``name``; never the graph. As in PyTorch, only a
        leaf can be copied this way: a computed tensor would lose its history."""
        if self.grad_fn is not None:
            raise RuntimeError(
                f"pickle/deepcopy: this tensor (shape {self.shape}) was computed by {self.grad_fn.name()}; "
                "only leaves can be copied with their gradient history cut: copy t.detach() instead"
            )
        return {"data": self._data, "grad": self.grad, "requires_grad": self.requires_grad, "name": self.name}

    def __setstate__(self, state: dict) -> None:
        self._data, self.grad = state["data"], state["grad"]
        self.requires_grad, self.name = state["requires_grad"], state["name"]
        self.grad_fn, self._acc, self._version = None, None, [0]

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; use .any() or .all()"
            )
        return bool(self._data)

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        body = np.array2string(self._data, separator=", ", prefix="tensor(", precision=4)
        extras = [f"dtype={self.dtype}"]
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return f"tensor({body}, {', '.join(extras)})"

    # -- graph control ------------------------------------------------------------
    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        A non-scalar tensor needs ``gradient`` (the vector in the vector-Jacobian
        product). Each node frees what it saved once its rule has run, unless
        ``retain_graph=True``; the graph's structure stays (``grad_fn``,
        ``next_functions``, ``draw_graph``). ``create_graph=True`` records the
        backward pass for higher derivatives. If a rule or hook raises, no
        ``.grad`` is written.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no grad_fn; "
                "did you create the inputs with requires_grad=True?"
            )
        data = self._data
        if gradient is None:
            if data.size != 1:
                raise RuntimeError(
                    f"backward: grad can be implicitly created only for scalar outputs, but this "
                    f"tensor has shape {self.shape}; pass gradient= (a tensor of that shape)"
                )
            seed: Any = np.array(1, dtype=data.dtype).reshape(data.shape)  # np.ones, at half the cost
            if create_graph:
                seed = make_tensor(seed)
        else:
            seed = as_grad(gradient, self, "backward")  # a Tensor: it may itself require grad
            if not create_graph:
                seed = seed._data  # first order: the pass carries plain arrays
        if retain_graph is None:
            retain_graph = create_graph
        root = self.grad_fn or self._acc or self._make_accumulator()
        run_backward([root], [seed], retain_graph=retain_graph, create_graph=create_graph)

    def _make_accumulator(self) -> AccumulateGrad:
        self._acc = AccumulateGrad(self)
        return self._acc

    def detach(self) -> Tensor:
        """The same data (shared) with no history: gradients stop here."""
        return make_tensor(self._data, None, self._version)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place on a leaf; returns self."""
        if requires_grad and self.dtype.kind not in _FLOAT_KINDS:
            raise TypeError(f"requires_grad_: only floating-point tensors can require gradients, got {self.dtype}")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad_(False): use detach() on a non-leaf tensor")
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always keep it)."""
        if not self.requires_grad:
            raise RuntimeError("retain_grad: the tensor does not require grad")
        if self.grad_fn is not None and not self.retains_grad:
            self.grad_fn.register_hook(RetainGrad(self))  # run by backward after the other hooks

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a Tensor it
        returns replaces the gradient. Returns a handle: ``handle.remove()``
        takes the hook away (as in PyTorch)."""
        if not self.requires_grad:
            raise RuntimeError("register_hook: cannot register a hook on a tensor that does not require grad")
        return node_of(self, create=True).register_hook(hook)

    # -- arithmetic -------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        if type(other) is float:  # the common constant: no checks needed
            return P.AddScalar.apply(self, scalar=other)
        if _is_number(other):
            return P.AddScalar.apply(self, scalar=_scalar(other))
        return _binary(P.Add, self, other)

    __radd__ = __add__

    def __neg__(self) -> Tensor:
        return P.Neg.apply(self)

    def __sub__(self, other: Any) -> Tensor:
        if _is_number(other):
            return P.AddScalar.apply(self, scalar=-_scalar(other))
        return _binary(P.Add, self, -_as_tensor(other, self, "sub"))

    def __rsub__(self, other: Any) -> Tensor:
        if _is_number(other):
            return P.AddScalar.apply(P.Neg.apply(self), scalar=_scalar(other))
        return _binary(P.Add, _as_tensor(other, self, "sub"), -self)

    def __mul__(self, other: Any) -> Tensor:
        if type(other) is float:  # the common constant: no checks needed
            return P.MulScalar.apply(self, scalar=other)
        if _is_number(other):
            return P.MulScalar.apply(self, scalar=_scalar(other))
        return _binary(P.Mul, self, other)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Tensor:
        return _binary(P.Div, self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _binary(P.Div, _as_tensor(other, self, "div"), self)

    def __pow__(self, other: Any) -> Tensor:
        if _is_number(other):
            return P.PowScalar.apply(self, scalar=_scalar(other))
        return _binary(P.Pow, self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return _binary(P.Pow, _as_tensor(other, self, "pow"), self)

    def __matmul__(self, other: Any) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _as_tensor(other, self, "matmul").matmul(self)

    def matmul(self, other: Any) -> Tensor:
        """Matrix product with numpy's rules: 1-D operands are promoted and the
        added axis removed again, batch dimensions broadcast."""
        a, b = self, other if isinstance(other, Tensor) else _as_tensor(other, self, "matmul")
        ad, bd = a._data, b._data
        if ad.ndim == 2 and bd.ndim == 2 and ad.shape[1] == bd.shape[0] and ad.dtype == bd.dtype:
            return P.MatMul.apply(a, b)  # the common case, without the general checks below
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: operands must have at least 1 dimension, got shapes {a.shape} and {b.shape}")
        k_a = a.shape[-1]
        k_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if k_a != k_b:
            raise ValueError(f"matmul: {a.shape} @ {b.shape}: inner dimensions {k_a} and {k_b} differ")
        a, b = _promote(a, b)
        squeeze_a, squeeze_b = a.ndim == 1, b.ndim == 1
        if squeeze_a:
            a = a.reshape((1,) + a.shape)
        if squeeze_b:
            b = b.reshape(b.shape + (1,))
        try:
            batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise ValueError(
                f"matmul: {self.shape} @ {other.shape}: batch dimensions cannot be broadcast together"
            ) from None
        if a.shape[:-2] != batch:
            a = P.BroadcastTo.apply(a, shape=batch + a.shape[-2:])
        if b.shape[:-2] != batch:
            b = P.BroadcastTo.apply(b, shape=batch + b.shape[-2:])
        out = P.MatMul.apply(a, b)
        if squeeze_a:
            out = out.squeeze(-2)
        if squeeze_b:
            out = out.squeeze(-1)
        return out

    def maximum(self, other: Any) -> Tensor:
        """Elementwise maximum; ties split the gradient equally."""
        return _binary(P.Maximum, self, other)

    def minimum(self, other: Any) -> Tensor:
        """Elementwise minimum; ties split the gradient equally."""
        return _binary(P.Minimum, self, other)

    def pow(self, exponent: Any) -> Tensor:
        return self ** exponent

    # comparisons: no gradient, bool tensors out
    def _compare(self, other: Any, fn: Callable, op: str) -> Tensor:
        other_data = other._data if isinstance(other, Tensor) else other
        try:
            return make_tensor(np.asarray(fn(self._data, other_data)))
        except TypeError:
            return NotImplemented  # an object numpy cannot compare (pytest.approx): let it answer
        except ValueError as e:
            raise ValueError(f"{op}: shapes {self.shape} and {np.shape(other_data)}: {e}") from None

    def __lt__(self, o: Any) -> Tensor:
        return self._compare(o, np.less, "<")

    def __le__(self, o: Any) -> Tensor:
        return self._compare(o, np.less_equal, "<=")

    def __gt__(self, o: Any) -> Tensor:
        return self._compare(o, np.greater, ">")

    def __ge__(self, o: Any) -> Tensor:
        return self._compare(o, np.greater_equal, ">=")

    def __eq__(self, o: Any) -> Tensor:  # type: ignore[override]
        return self._compare(o, np.equal, "==")

    def __ne__(self, o: Any) -> Tensor:  # type: ignore[override]
        return self._compare(o, np.not_equal, "!=")

    # logical and bitwise operators: bool (or integer) tensors, no gradient
    def _logical(self, other: Any, fn: Callable, op: str) -> Tensor:
        for arr in (self._data, other._data if isinstance(other, Tensor) else np.asarray(other)):
            if arr.dtype.kind not in "biu":
                raise TypeError(f"{op}: needs bool or integer tensors, got dtype {arr.dtype}; "
                                "compare first (x > 0) to make a bool tensor")
        return self._compare(other, fn, op)

    def __and__(self, o: Any) -> Tensor:
        return self._logical(o, np.bitwise_and, "&")

    def __or__(self, o: Any) -> Tensor:
        return self._logical(o, np.bitwise_or, "|")

    def __xor__(self, o: Any) -> Tensor:
        return self._logical(o, np.bitwise_xor, "^")

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self) -> Tensor:
        if self._data.dtype.kind not in "biu":
            raise TypeError(f"~: needs a bool or integer tensor, got dtype {self._data.dtype}; "
                            "for a float tensor write 1 - x or -x")
        return make_tensor(np.asarray(np.invert(self._data)))

    def logical_not(self) -> Tensor:
        return make_tensor(np.logical_not(self._data))

    def any(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        """True where any element along ``dim`` is nonzero (a bool tensor, no gradient)."""
        ax, keep = self._dims("any", dim, keepdim, axis, keepdims)
        return make_tensor(np.asarray(np.any(self._data, axis=ax, keepdims=keep)))

    def all(self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: Any = None) -> Tensor:
        """True where every element along ``dim`` is nonzero (a bool tensor, no gradient)."""
        ax, keep = self._dims("all", dim, keepdim, axis, keepdims)
        return make_tensor(np.asarray(np.all(self._data, axis=ax, keepdims=keep)))

    def astype(self, dtype: Any) -> Tensor:
        """A copy with another dtype; differentiable between float dtypes."""
        dtype = np.dtype(dtype)
        if dtype == self.dtype:
            return self
        if self.requires_grad and dtype.kind not in _FLOAT_KINDS:
            return make_tensor(self._data.astype(dtype))
        return P.Cast.apply(self, dtype=dtype)


_REFLECTED = {np.add: "__radd__", np.subtract: "__rsub__", np.multiply: "__rmul__", np.true_divide: "__rtruediv__",
              np.power: "__rpow__", np.matmul: "__rmatmul__", np.less: "__gt__", np.less_equal: "__ge__",
              np.greater: "__lt__", np.greater_equal: "__le__", np.equal: "__eq__", np.not_equal: "__ne__",
              np.bitwise_and: "__rand__", np.bitwise_or: "__ror__", np.bitwise_xor: "__rxor__"}
_FORWARD = {np.add: "__add__", np.subtract: "__sub__", np.multiply: "__mul__", np.true_divide: "__truediv__",
            np.power: "__pow__", np.matmul: "__matmul__", np.less: "__lt__", np.less_equal: "__le__",
            np.greater: "__gt__", np.greater_equal: "__ge__", np.equal: "__eq__", np.not_equal: "__ne__",
            np.maximum: "maximum", np.minimum: "minimum"}


def tensor(data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           name: str = "") -> Tensor:
    """Make a Tensor (``torch.tensor``'s signature): Python floats become float32,
    ints int64, bools bool; numpy arrays keep their dtype; the data is copied.
    ``name`` (glassgrad's) is the tensor's ``t.name``, which ``draw_graph`` and
    ``explore`` show instead of a made-up one."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, device=device, name=name)


graph.register_tensor_class(Tensor)
