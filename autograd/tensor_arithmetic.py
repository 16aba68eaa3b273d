"""torch's named arithmetic on ``Tensor``: the out-of-place spellings
(``add(y, alpha=2)``, ``sub``, ``mul``, ``div(y, rounding_mode=)``,
``addcmul``, ``addcdiv``, ``neg``, ``clamp_min``...) and the in-place ones
(``addcmul_``, ``addcdiv_``, ``lerp_``, ``clamp_``, ``pow_``, ``exp_``,
``masked_fill_``, ``uniform_``, ``normal_``...).

Every in-place method follows one rule, ``add_``'s: where gradients are
recorded and the tensor or an argument needs one, the out-of-place op runs on
the old values and the tensor takes the result in place (PyTorch's
CopySlices: same identity and storage, the new node, a new version; a leaf
that requires grad is refused); elsewhere the array is overwritten in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import graph
from autograd.generator import Generator, rng_of
from autograd.grad_mode import _mode, no_grad


class TensorArithmetic:
    """Mixed into ``Tensor``."""

    __slots__ = ()

    # -- out of place ----------------------------------------------------------------
    def add(self, other: Any, *, alpha: float = 1) -> Any:
        """self + alpha * other."""
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other: Any, *, alpha: float = 1) -> Any:
        """self - alpha * other."""
        return self - (other if alpha == 1 else other * alpha)

    subtract = sub

    def rsub(self, other: Any, *, alpha: float = 1) -> Any:
        """other - alpha * self."""
        return other - (self if alpha == 1 else self * alpha)

    def mul(self, other: Any) -> Any:
        return self * other

    multiply = mul

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Any:
        """self / other; ``rounding_mode="trunc"`` or ``"floor"`` rounds the quotient (zero gradient, as torch)."""
        if rounding_mode not in (None, "trunc", "floor"):
            raise ValueError(f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}")
        quotient = self / other
        if rounding_mode is None:
            return quotient
        rounded = quotient.trunc() if rounding_mode == "trunc" else quotient.floor()
        both_ints = self.dtype.kind in "iu" and np.asarray(getattr(other, "_data", other)).dtype.kind in "iub"
        return rounded.to(np.result_type(self.dtype, np.asarray(getattr(other, "_data", other)))) if both_ints \
            else rounded

    divide = true_divide = div

    def neg(self) -> Any:
        return -self

    negative = neg

    def addcmul(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> Any:
        """self + value * tensor1 * tensor2."""
        return self + tensor1 * tensor2 * value

    def addcdiv(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> Any:
        """self + value * tensor1 / tensor2."""
        return self + tensor1 / tensor2 * value

    def clamp_min(self, min: float) -> Any:  # noqa: A002 (torch's name)
        return self.clamp(min=min)

    def clamp_max(self, max: float) -> Any:  # noqa: A002
        return self.clamp(max=max)

    def expand_as(self, other: Any) -> Any:
        return self.expand(*other.shape)

    def reshape_as(self, other: Any) -> Any:
        return self.reshape(other.shape)

    def unbind(self, dim: int = 0) -> tuple:
        """The slices along ``dim``, each without that axis (``tuple(x)`` for dim 0)."""
        axis = dim % self.ndim if self.ndim else dim
        lead = (slice(None),) * axis
        return tuple(self[(*lead, i)] for i in range(self.shape[axis]))

    # -- in place -------------------------------------------------------------------
    def _update_(self, op: str, compute: Callable[[Any], Any], *arguments: Any) -> Any:
        """Take ``compute(self)`` in place, recorded where a gradient needs it."""
        tensor = graph.tensor_class
        if _mode.enabled and (self.requires_grad or any(isinstance(a, tensor) and a.requires_grad
                                                        for a in arguments)):
            return self._record_in_place(op, compute)
        if not self._data.flags.writeable:
            raise RuntimeError(f"{op}: this tensor's data is a read-only view (e.g. from broadcast_to)")
        with no_grad():
            result = compute(graph.make_tensor(self._data))
        if result.shape != self.shape:
            raise ValueError(f"{op}: the result's shape {result.shape} is not the tensor's {self.shape}")
        try:
            np.copyto(self._data, result._data, casting="same_kind")
        except TypeError:
            raise TypeError(f"{op}: a {self.dtype} tensor cannot hold the {result.dtype} result in place") from None
        self._version[0] += 1
        return self

    def addcmul_(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> Any:
        return self._update_("addcmul_", lambda t: t.addcmul(tensor1, tensor2, value=value), tensor1, tensor2)

    def addcdiv_(self, tensor1: Any, tensor2: Any, *, value: float = 1) -> Any:
        return self._update_("addcdiv_", lambda t: t.addcdiv(tensor1, tensor2, value=value), tensor1, tensor2)

    def lerp_(self, end: Any, weight: Any) -> Any:
        return self._update_("lerp_", lambda t: t.lerp(end, weight), end, weight)

    def clamp_(self, min: Any = None, max: Any = None) -> Any:  # noqa: A002
        return self._update_("clamp_", lambda t: t.clamp(min, max))

    clip_ = clamp_

    def clamp_min_(self, min: float) -> Any:  # noqa: A002
        return self._update_("clamp_min_", lambda t: t.clamp(min=min))

    def clamp_max_(self, max: float) -> Any:  # noqa: A002
        return self._update_("clamp_max_", lambda t: t.clamp(max=max))

    def pow_(self, exponent: Any) -> Any:
        return self._update_("pow_", lambda t: t ** exponent, exponent)

    def masked_fill_(self, mask: Any, value: Any) -> Any:
        return self._update_("masked_fill_", lambda t: t.masked_fill(mask, value))

    def neg_(self) -> Any:
        return self._update_("neg_", lambda t: -t)

    def uniform_(self, from_: float = 0.0, to: float = 1.0, *, generator: Generator | None = None) -> Any:
        """Fill with U[from_, to) draws from ``generator`` or the seedable default
        one (glassgrad's stream, not PyTorch's). PyTorch's ``from``, a Python
        keyword, is ``from_`` here; positional calls are the same."""
        if from_ > to:
            raise ValueError(f"uniform_: expects from <= to, got from={from_} > to={to}")
        values = _drawn(self, "uniform_", lambda rng: rng.uniform(from_, to, size=self.shape), generator)
        return self._update_("uniform_", lambda t: _replaced(t, values))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Generator | None = None) -> Any:
        """Fill with N(mean, std²) draws from ``generator`` or the seedable default one."""
        if std < 0:
            raise ValueError(f"normal_: std must be >= 0, got {std}")
        values = _drawn(self, "normal_", lambda rng: rng.normal(mean, std, size=self.shape), generator)
        return self._update_("normal_", lambda t: _replaced(t, values))


def _drawn(t: Any, op: str, draw: Callable, generator: Generator | None) -> np.ndarray:
    """The draws for an in-place fill of ``t``, refused before any is drawn (the
    generator untouched) unless ``t`` is floating-point and may change in place."""
    if t.dtype.kind != "f":
        raise TypeError(f"{op}: needs a floating-point tensor, got dtype {t.dtype}; call .float() first")
    if _mode.enabled and t.requires_grad:
        t._refuse_a_leaf(op)
    return draw(rng_of(generator))


def _replaced(t: Any, values: np.ndarray) -> Any:
    """``values`` in ``t``'s dtype, still connected to ``t``'s node (with a zero gradient, as in PyTorch)."""
    constant = graph.make_tensor(values.astype(t.dtype))
    return constant if not t.requires_grad else t.where(np.zeros(t.shape, bool), constant)


def _elementwise_update(name: str) -> Callable[[Any], Any]:
    def method(self: Any) -> Any:
        return self._update_(f"{name}_", lambda t: getattr(t, name)())

    method.__name__ = method.__qualname__ = f"{name}_"
    method.__doc__ = f"``x.{name}()`` in place."
    return method


for _name in ("abs", "sqrt", "exp", "log", "tanh", "sigmoid", "relu", "square", "floor", "ceil", "round", "trunc",
              "sin", "cos", "reciprocal", "rsqrt", "sign"):
    setattr(TensorArithmetic, f"{_name}_", _elementwise_update(_name))
