"""The in-place methods of ``Tensor`` (``add_``, ``fill_``, ``x[i] = v``,
``x += y``...): each checks that no recorded graph depends on the change,
writes the array, and bumps the version counter, so that a backward through
a graph that saved the tensor raises instead of using changed values."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import graph
from autograd import primitives as P
from autograd.coerce import _index
from autograd.grad_mode import _mode, is_grad_enabled


class TensorInPlace:
    """Mixed into ``Tensor``."""

    __slots__ = ()

    def zero_(self) -> Any:
        """Set every element to 0 in place (allowed only where nothing records it)."""
        return self.fill_(0)

    def fill_(self, value: float) -> Any:
        """Set every element to ``value`` in place (recorded on a computed
        tensor, with a zero gradient to its old values, as in PyTorch)."""
        if self._records_in_place():
            return self._update_("fill_", lambda t: t.masked_fill(np.ones(self.shape, bool), value))
        self._check_inplace("fill_")
        self._data[...] = value
        self._version[0] += 1
        return self

    def copy_(self, src: Any) -> Any:
        """Copy ``src``'s values in (broadcast to this shape, cast to this dtype);
        recorded where a gradient needs it: ``src`` gets the gradient, as in PyTorch."""
        T = graph.tensor_class
        if self._records_in_place() or (_mode.enabled and isinstance(src, T) and src.requires_grad):
            try:
                fits = np.broadcast_shapes(np.shape(src), self.shape) == self.shape
            except ValueError:
                fits = False
            if not fits:
                raise ValueError(f"copy_: cannot copy shape {np.shape(src)} into {self.shape}")
            return self._update_("copy_", lambda t: t.where(np.zeros(self.shape, bool), src), src)
        self._check_inplace("copy_")
        src = src._data if isinstance(src, T) else np.asarray(src)
        try:
            np.copyto(self._data, np.broadcast_to(src, self.shape), casting="same_kind")
        except ValueError as e:
            raise ValueError(f"copy_: cannot copy shape {np.shape(src)} into {self.shape}: {e}") from None
        self._version[0] += 1
        return self

    def _records_in_place(self) -> bool:
        """A computed tensor while gradients are recorded (a leaf that requires grad is refused below)."""
        return self.grad_fn is not None and _mode.enabled

    def _check_inplace(self, op: str) -> None:
        if self.requires_grad and is_grad_enabled():
            raise RuntimeError(
                f"{op}: in-place change of a tensor that requires grad while gradients are being "
                "recorded; write it out of place (x = x + y), or do it inside `with no_grad():`"
            )
        if not self._data.flags.writeable:
            raise RuntimeError(f"{op}: this tensor's data is a read-only view (e.g. from broadcast_to)")

    def __setitem__(self, index: Any, value: Any) -> None:
        """``x[index] = value``. Where gradients are recorded and either side
        needs one, it is recorded as PyTorch records it (``SetItem``, its
        CopySlices): ``x`` keeps its identity and storage and gets the new
        node; a graph that saved the old ``x`` then refuses to backward."""
        T = graph.tensor_class
        if _mode.enabled and (self.requires_grad or (isinstance(value, T) and value.requires_grad)):
            v = value if isinstance(value, T) else T(np.asarray(value, dtype=self.dtype))
            self._refuse_a_leaf("__setitem__")
            try:
                result = P.SetItem.apply(self, v.astype(self.dtype), index=_index(index))
            except (IndexError, ValueError) as e:
                raise type(e)(f"__setitem__: tensor of shape {self.shape}: {e}") from None
            self._adopt(result)
            return
        self._check_inplace("__setitem__")
        value = value._data if isinstance(value, T) else value
        try:
            self._data[_index(index)] = value
        except (IndexError, ValueError) as e:
            raise type(e)(f"__setitem__: tensor of shape {self.shape}: {e}") from None
        self._version[0] += 1

    def _inplace(self, other: Any, op: str, fn: Callable) -> Any:
        """``fn(self._data, other)`` in place (``fn``: an in-place operator such
        as ``operator.isub``), with numpy's same-kind casting; marks the
        tensor as changed, so that backward notices if it was saved. Where
        gradients are recorded and either side needs one, the operation is
        recorded and this tensor takes its result in place, as in PyTorch."""
        T = graph.tensor_class
        if _mode.enabled and (self.requires_grad or (isinstance(other, T) and other.requires_grad)):
            return self._record_in_place(op, lambda before: _OUT_OF_PLACE[fn](before, other))
        if isinstance(other, T):
            other = other._data
        try:
            fn(self._data, other)
        except (ValueError, TypeError) as e:
            if not self._data.flags.writeable:
                raise RuntimeError(f"{op}: this tensor's data is a read-only view (e.g. from broadcast_to)") from None
            raise ValueError(
                f"{op}: cannot update shape {self.shape} in place with shape {np.shape(other)}: {e}"
            ) from None
        self._version[0] += 1
        return self

    def _record_in_place(self, op: str, compute: Callable[[Any], Any]) -> Any:
        """The recorded form of an in-place op: ``compute`` runs on a copy of the
        old values (which it may save; this tensor's own storage is about to
        change), and this tensor adopts the result. A leaf is refused."""
        self._refuse_a_leaf(op)
        before = graph.make_tensor(self._data.copy(), self.grad_fn)
        return self._adopt(compute(before))

    def _refuse_a_leaf(self, op: str) -> None:
        if self.requires_grad and self.grad_fn is None:
            raise RuntimeError(
                f"{op}: in-place change of a leaf tensor that requires grad (shape {self.shape}) while "
                "gradients are being recorded; do it inside `with no_grad():` (an update), or compute "
                "a new tensor (x = x + y)"
            )

    def _adopt(self, result: Any) -> Any:
        """Take a recorded result in place: the same storage (views see it),
        the result's node, and a new version (a graph that saved the old
        values refuses to backward through them)."""
        if result.shape != self.shape:
            raise ValueError(f"in-place: the result's shape {result.shape} is not the tensor's {self.shape}")
        if result.dtype != self.dtype:  # the tensor keeps its dtype, as in PyTorch: a recorded cast
            result = result.to(self.dtype)
        np.copyto(self._data, result._data, casting="same_kind")
        self.grad_fn, self.requires_grad = result.grad_fn, True
        self._version[0] += 1
        return self

    def add_(self, other: Any, alpha: float = 1) -> Any:
        """self += alpha * other, in place (PyTorch's name and ``alpha``)."""
        return self._inplace(other if alpha == 1 else other * alpha, "add_", operator.iadd)

    def sub_(self, other: Any, alpha: float = 1) -> Any:
        """self -= alpha * other, in place."""
        return self._inplace(other if alpha == 1 else other * alpha, "sub_", operator.isub)

    def mul_(self, other: Any) -> Any:
        """self *= other, in place."""
        return self._inplace(other, "mul_", operator.imul)

    def div_(self, other: Any) -> Any:
        """self /= other, in place."""
        return self._inplace(other, "div_", operator.itruediv)

    # ``x += y``: in place, as in PyTorch; on a computed tensor while gradients
    # are recorded, recorded as ``add_`` is (so ``loss += criterion(...)``
    # works, and another name for ``x`` sees the change); a leaf that requires
    # grad is refused, as in PyTorch.
    def __iadd__(self, other: Any) -> Any:
        return self._inplace(other, "+=", operator.iadd)

    def __isub__(self, other: Any) -> Any:
        return self._inplace(other, "-=", operator.isub)

    def __imul__(self, other: Any) -> Any:
        return self._inplace(other, "*=", operator.imul)

    def __itruediv__(self, other: Any) -> Any:
        return self._inplace(other, "/=", operator.itruediv)


# the out-of-place form of each in-place operator (a recorded in-place update runs it)
_OUT_OF_PLACE = {operator.iadd: operator.add, operator.isub: operator.sub, operator.imul: operator.mul,
                 operator.itruediv: operator.truediv}
