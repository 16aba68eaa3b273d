"""``Value``: a scalar that remembers how it was computed (micrograd-style).

Each operation stores its inputs (``_prev``) and the *local derivatives* of
its output with respect to each of them (``_local``), computed once in the
forward pass. Back-propagation is then the chain rule and nothing else::

    grad(input) += local_derivative * grad(out)

run over the graph in topological order (``graph.topological_order``, the
walk the Tensor engine uses too), outputs before inputs. There are no
closures, so a graph holds no reference cycles; the walk is iterative, so
graphs of millions of nodes are fine. Python numbers on either side of an
operator are constants: they get no node of their own.

Every function here is stable for any finite float: results that overflow
become ``inf`` (never ``OverflowError``), and out-of-domain inputs raise a
``ValueError`` that names the operation and the value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Union

from autograd.engine import fast_backward
from autograd.grad_mode import _mode
from autograd.graph import topological_order

__all__ = ["Value", "dot", "backprop", "value_grad"]

Number = Union[int, float]
_SQRT_2 = math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_new = object.__new__


def _exp(x: float) -> float:
    """math.exp that returns inf instead of raising OverflowError."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _pow(a: float, b: float, op: str) -> float:
    """a ** b for floats, with overflow -> inf and clear domain errors."""
    if a == 0.0 and b < 0:
        raise ZeroDivisionError(f"{op}: 0.0 cannot be raised to a negative power ({b!r})")
    if a < 0 and not float(b).is_integer():
        raise ValueError(f"{op}: negative base {a!r} with non-integer exponent {b!r} is not real")
    try:
        return float(a) ** b
    except OverflowError:
        odd = float(b).is_integer() and int(b) % 2 == 1
        return -math.inf if (a < 0 and odd) else math.inf


def _sigmoid(x: float) -> float:
    # two branches so exp never overflows: exp(-|x|) <= 1
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _as_float(x: object, op: str) -> float:
    if type(x) is float:
        return x
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"{op}: expected a Value or a Python number, got {type(x).__name__}")
    return float(x)


class Value:
    """A scalar in a computation graph: ``.data`` (float) and ``.grad`` (float).

    Supports ``+ - * / **`` with Python numbers on either side, ``Value ** Value``,
    and the functions ``exp log sqrt tanh sigmoid relu leaky_relu gelu silu
    softplus``. ``backward()`` fills ``.grad`` of every node in the graph with
    d(output)/d(node); gradients accumulate across calls until ``zero_grad``.
    """

    # A Value keeps its inputs and local derivatives in fixed slots rather
    # than tuples: one object per operation instead of three, so the garbage
    # collector runs three times less often while a graph is built
    # (docs/performance.md). ``_prev`` and ``_local`` give them as tuples.
    #   _a, _b    the inputs (at most two; ``dot`` keeps a tuple of them in _a)
    #   _da, _db  d(self)/d(_a), d(self)/d(_b) (a tuple in _da for ``dot``;
    #             None once backward freed them)
    #   _g, _n    scratch space of the fast pass (autograd/value_pass.py)
    #   _kept     _da as it was before backward freed it: the explorer still
    #             shows every product after backward() (as micrograd keeps them)
    __slots__ = ("data", "grad", "label", "_op", "_a", "_b", "_da", "_db", "_g", "_n", "_kept")
    requires_grad = True  # every Value is a graph node

    def __init__(self, data: Number, label: str = "") -> None:
        self.data = _as_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self._op = ""
        self._a = self._b = None
        self._da = self._db = 0.0
        self._n = 0

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The inputs this Value was computed from (micrograd's name)."""
        a = self._a
        if a is None:
            return ()
        if type(a) is tuple:
            return a
        b = self._b
        return (a,) if b is None else (a, b)

    @property
    def _local(self) -> tuple[float, ...] | None:
        """d(self)/d(input) for each input; None once backward() freed it."""
        if self._da is None:
            return None
        if self._a is None:
            return ()
        if type(self._a) is tuple:
            return self._da
        return (self._da,) if self._b is None else (self._da, self._db)

    @property
    def _kept_local(self) -> tuple[float, ...]:
        """d(self)/d(input) for each input, also after backward() freed them
        for the engine (a second backward still raises): for the pictures."""
        if self._da is not None or self._a is None:
            return self._local or ()
        da = self._kept
        if type(self._a) is tuple:
            return da
        return (da,) if self._b is None else (da, self._db)

    # -- arithmetic ----------------------------------------------------------
    def __add__(self, other: Value | Number) -> Value:
        """out = a + b;  d(out)/da = 1,  d(out)/db = 1"""
        if type(other) is not float:  # floats (the common constant) skip the checks
            if isinstance(other, Value):
                return _binary(self.data + other.data, self, other, 1.0, 1.0, "+")
            other = _as_float(other, "add")
        return _unary(self.data + other, self, 1.0, "+")

    __radd__ = __add__

    def __neg__(self) -> Value:
        """out = -a;  d(out)/da = -1"""
        return _unary(-self.data, self, -1.0, "neg")

    def __sub__(self, other: Value | Number) -> Value:
        """out = a - b;  d(out)/da = 1,  d(out)/db = -1"""
        if type(other) is not float:
            if isinstance(other, Value):
                return _binary(self.data - other.data, self, other, 1.0, -1.0, "-")
            other = _as_float(other, "sub")
        return _unary(self.data - other, self, 1.0, "-")

    def __rsub__(self, other: Number) -> Value:
        """out = c - a;  d(out)/da = -1"""
        return _unary(_as_float(other, "sub") - self.data, self, -1.0, "-")

    def __mul__(self, other: Value | Number) -> Value:
        """out = a * b;  d(out)/da = b,  d(out)/db = a"""
        if type(other) is not float:
            if isinstance(other, Value):
                return _binary(self.data * other.data, self, other, other.data, self.data, "*")
            other = _as_float(other, "mul")
        return _unary(self.data * other, self, other, "*")

    __rmul__ = __mul__

    def __truediv__(self, other: Value | Number) -> Value:
        """out = a / b;  d(out)/da = 1/b,  d(out)/db = -a/b**2"""
        b = other.data if isinstance(other, Value) else _as_float(other, "div")
        if b == 0.0:
            raise ZeroDivisionError(f"div: division of {self.data!r} by zero")
        if isinstance(other, Value):
            return _binary(self.data / b, self, other, 1.0 / b, -self.data / (b * b), "/")
        return _unary(self.data / b, self, 1.0 / b, "/")

    def __rtruediv__(self, other: Number) -> Value:
        """out = c / a;  d(out)/da = -c/a**2"""
        c = _as_float(other, "div")
        if self.data == 0.0:
            raise ZeroDivisionError(f"div: division of {c!r} by zero")
        return _unary(c / self.data, self, -c / (self.data * self.data), "/")

    def __pow__(self, other: Value | Number) -> Value:
        """out = a ** k;  d(out)/da = k * a**(k-1);  for a Value exponent also
        d(out)/dk = a**k * ln(a)  (needs a > 0, or a == 0 with k > 0)."""
        a = self.data
        if isinstance(other, Value):
            k = other.data
            if a < 0 or (a == 0 and k <= 0):
                raise ValueError(
                    f"pow: base {a!r} ** Value exponent {k!r}: the exponent's derivative "
                    "a**k * ln(a) needs a positive base"
                )
            out = _pow(a, k, "pow")
            da = k * _pow(a, k - 1, "pow") if a != 0 else (0.0 if k > 1 else (1.0 if k == 1 else math.inf))
            dk = out * math.log(a) if a > 0 else 0.0
            return _binary(out, self, other, da, dk, "**")
        k = _as_float(other, "pow")
        out = _pow(a, k, "pow")
        if k == 0:
            da = 0.0
        elif a == 0 and k < 1:
            da = math.inf  # e.g. sqrt at 0: the derivative is infinite
        else:
            da = k * _pow(a, k - 1, "pow")
        return _unary(out, self, da, f"**{k:g}")

    def __rpow__(self, other: Number) -> Value:
        """out = c ** a;  d(out)/da = c**a * ln(c)  (needs c > 0, or c == 0 with a > 0)"""
        c = _as_float(other, "pow")
        if c < 0 or (c == 0 and self.data <= 0):
            raise ValueError(f"pow: {c!r} ** Value {self.data!r}: the base must be positive")
        out = _pow(c, self.data, "pow")
        return _unary(out, self, out * math.log(c) if c > 0 else 0.0, "**")

    # -- functions -----------------------------------------------------------
    def exp(self) -> Value:
        """out = e**a;  d(out)/da = e**a  (overflow gives inf, as numpy does)"""
        out = _exp(self.data)
        return _unary(out, self, out, "exp")

    def log(self) -> Value:
        """out = ln(a);  d(out)/da = 1/a  (a must be > 0)"""
        if self.data <= 0:
            raise ValueError(f"log: input must be positive, got {self.data!r}")
        return _unary(math.log(self.data), self, 1.0 / self.data, "log")

    def sqrt(self) -> Value:
        """out = sqrt(a);  d(out)/da = 1 / (2 sqrt(a))  (a must be >= 0; inf at 0)"""
        if self.data < 0:
            raise ValueError(f"sqrt: input must be non-negative, got {self.data!r}")
        out = math.sqrt(self.data)
        return _unary(out, self, 0.5 / out if out > 0 else math.inf, "sqrt")

    def tanh(self) -> Value:
        """out = tanh(a);  d(out)/da = 1 - tanh(a)**2"""
        t = math.tanh(self.data)
        return _unary(t, self, 1.0 - t * t, "tanh")

    def sigmoid(self) -> Value:
        """out = 1 / (1 + e**-a);  d(out)/da = out * (1 - out)"""
        s = _sigmoid(self.data)
        return _unary(s, self, s * (1.0 - s), "sigmoid")

    def relu(self) -> Value:
        """out = max(0, a);  d(out)/da = 1 if a > 0 else 0"""
        a = self.data
        return _unary(a if a > 0 else 0.0, self, 1.0 if a > 0 else 0.0, "ReLU")

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """out = a if a > 0 else slope * a;  d(out)/da = 1 if a > 0 else slope"""
        a = self.data
        if a > 0:
            return _unary(a, self, 1.0, "LeakyReLU")
        return _unary(slope * a, self, float(slope), "LeakyReLU")

    def gelu(self) -> Value:
        """out = a * Phi(a) (exact, erf form);  d(out)/da = Phi(a) + a * phi(a),
        with Phi the standard normal CDF and phi its density."""
        a = self.data
        cdf = 0.5 * (1.0 + math.erf(a / _SQRT_2))
        pdf = _INV_SQRT_2PI * math.exp(-0.5 * a * a) if abs(a) < 60 else 0.0
        return _unary(a * cdf, self, cdf + a * pdf, "GELU")

    def silu(self) -> Value:
        """out = a * sigmoid(a);  d(out)/da = s + a * s * (1 - s),  s = sigmoid(a)"""
        a = self.data
        s = _sigmoid(a)
        return _unary(a * s, self, s + a * s * (1.0 - s), "SiLU")

    def softplus(self) -> Value:
        """out = ln(1 + e**a);  d(out)/da = sigmoid(a)  (computed as
        max(a, 0) + log1p(e**-|a|), so it never overflows)"""
        a = self.data
        out = max(a, 0.0) + math.log1p(math.exp(-abs(a)))
        return _unary(out, self, _sigmoid(a), "softplus")

    # -- backward and housekeeping ---------------------------------------------
    def _backward(self) -> None:
        """micrograd's per-node step, for the lecture's manual backprop: add
        this node's ``grad`` times each local derivative into its inputs'
        ``grad`` (call it on the nodes in reverse topological order)."""
        for p, local in zip(self._prev, _checked_local(self)):
            p.grad += local * self.grad

    def backward(self, retain_graph: bool = False) -> None:
        """Fill ``.grad`` of every node in this Value's graph with
        d(self)/d(node), adding to what is there; the root's own ``.grad``
        becomes 1, as micrograd's backward sets it. The graph's local
        derivatives are freed afterwards unless ``retain_graph=True``.

        ``backprop`` below is the pass; a faster one with the same result,
        registered in ``autograd.engine.fast_backward``, runs instead when
        there is one (``autograd/value_pass.py``)."""
        (fast_backward.get(Value) or backprop)(self, retain_graph)

    def zero_grad(self) -> None:
        """Set this Value's gradient back to 0."""
        self.grad = 0.0

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"

    def __float__(self) -> float:
        return self.data


def dot(weights: Sequence[Value | Number], inputs: Sequence[Value | Number],
        bias: Value | Number = 0.0) -> Value:
    """out = bias + sum_i weights[i] * inputs[i], as one node (a neuron's
    pre-activation);  d(out)/d(weights[i]) = inputs[i],
    d(out)/d(inputs[i]) = weights[i],  d(out)/d(bias) = 1.

    The same value and gradients as ``bias + w0*x0 + w1*x1 + ...`` written with
    ``*`` and ``+``, which makes 2n nodes: one node instead is several times
    faster and lighter for the garbage collector, at the price of a less
    detailed picture. Python numbers on either side are constants.
    """
    if len(weights) != len(inputs):
        raise ValueError(f"dot: {len(weights)} weights but {len(inputs)} inputs")
    parents: list[Value] = []
    local: list[float] = []
    if isinstance(bias, Value):  # summed in the order of bias + w0*x0 + ...: the same bits
        total = bias.data
        parents.append(bias)
        local.append(1.0)
    else:
        total = _as_float(bias, "dot")
    for w, x in zip(weights, inputs):
        wv = w.data if isinstance(w, Value) else _as_float(w, "dot")
        xv = x.data if isinstance(x, Value) else _as_float(x, "dot")
        total += wv * xv
        if isinstance(w, Value):
            parents.append(w)
            local.append(xv)
        if isinstance(x, Value):
            parents.append(x)
            local.append(wv)
    out = _new(Value)
    out.data = total
    out.grad = 0.0
    out.label = ""
    out._op = "dot"
    out._b = None
    out._db = 0.0
    out._n = 0
    if parents and _mode.enabled:
        out._a = tuple(parents)
        out._da = tuple(local)
    else:
        out._a = None
        out._da = 0.0
    return out


def backprop(root: Value, retain_graph: bool = False) -> None:
    """The backward pass, as micrograd's: the chain rule over the graph in
    topological order, outputs first, ``grad(input) += local * grad(node)``.
    (This pass's gradients are summed in a dict, so that a node's ``.grad``
    gets exactly this pass's share added, whatever it held before.)"""
    order = topological_order([root])  # each node before the nodes it was computed from
    for node in order:
        _checked_local(node)  # a freed graph raises before any gradient is written
    root.grad = 0.0
    grads = {root: 1.0}
    for node in order:
        g = grads.pop(node, 0.0)
        node.grad += g
        for p, local in zip(node._prev, node._local):
            grads[p] = grads.get(p, 0.0) + local * g
        if not retain_graph and node._a is not None:
            node._kept, node._da = node._da, None


def _checked_local(node: Value) -> tuple[float, ...]:
    """The node's local derivatives (raises if backward freed them)."""
    local = node._local
    if local is None:
        raise RuntimeError(
            f"backward: the graph through '{node._op}' (data={node.data:.6g}) was already "
            "freed by an earlier backward(); call backward(retain_graph=True) the first "
            "time if you need to backpropagate through it again"
        )
    return local


def _unary(data: float, a: Value, da: float, op: str) -> Value:
    """The output of a one-input operation (fast internal constructor)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = op
    out._b = None
    out._db = 0.0
    out._n = 0
    if _mode.enabled:
        out._a = a
        out._da = da
    else:  # no_grad: record nothing
        out._a = None
        out._da = 0.0
    return out


def _binary(data: float, a: Value, b: Value, da: float, db: float, op: str) -> Value:
    """The output of a two-input operation (fast internal constructor)."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = op
    out._n = 0
    if _mode.enabled:
        out._a = a
        out._b = b
        out._da = da
        out._db = db
    else:
        out._a = out._b = None
        out._da = out._db = 0.0
    return out


def value_grad(outputs: Value | Sequence[Value], inputs: Value | Sequence[Value], retain_graph: bool = False,
               allow_unused: bool = False) -> tuple[float | None, ...]:
    """``autograd.grad`` for Values: d(sum of outputs)/d(input) for each input,
    as floats; nothing is written to any ``.grad``. The local derivatives are
    freed afterwards unless ``retain_graph=True``."""
    outs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    ins = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    order = topological_order(outs)
    for node in order:
        _checked_local(node)
    grads: dict[Value, float] = {}
    for o in outs:
        grads[o] = grads.get(o, 0.0) + 1.0
    wanted = set(ins)
    captured: dict[Value, float] = {}
    for node in order:
        g = grads.pop(node, 0.0)
        if node in wanted:
            captured[node] = g
        for p, local in zip(node._prev, node._local):
            grads[p] = grads.get(p, 0.0) + local * g
    if not retain_graph:
        for node in order:
            if node._a is not None:
                node._kept, node._da = node._da, None
    result: list[float | None] = []
    for i, v in enumerate(ins):
        if v not in captured and not allow_unused:
            raise RuntimeError(f"grad: input {i} ({v!r}) was not used to compute the outputs; "
                               "pass allow_unused=True to get None for it")
        result.append(captured.get(v))
    return tuple(result)
