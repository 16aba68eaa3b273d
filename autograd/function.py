"""``Function``: the base of every primitive operation, built-in or user-written.

``Function.apply(*tensors, **options)`` runs ``forward`` on the arrays and,
when gradients are being recorded, gives the output a node (``grad_fn``)
that keeps, in a ``SavedRecord``, what ``saves`` declares. The backward
driver (``autograd.engine``) runs the op's ``backward`` rule later.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

import numpy as np

from autograd import graph
from autograd.grad_mode import AnomalyError, _anomaly, _mode
from autograd.grad_mode import no_grad as _no_grad
from autograd.graph import AccumulateGrad, BackwardNode, SavedRecord, make_tensor

__all__ = ["Function", "Context", "const", "once_differentiable", "check_finite"]

_new = object.__new__
_new_record = tuple.__new__  # (SavedRecord without its Python-level __new__: once per op)

#: ``ctx`` in a backward rule is the op's graph node.
Context = BackwardNode


def const(array: Any) -> Any:
    """A numpy array as a Tensor that needs no gradient (for backward rules)."""
    return make_tensor(np.asarray(array))


class Function:
    """Base class of primitives: define static ``forward`` and ``backward``.

    A primitive is one small class::

        class Exp(Function):
            '''y = e**x;  dy/dx = e**x'''
            saves = ("out",)               # what backward reads
            @staticmethod
            def forward(x):                # numpy arrays (and keyword options) in
                return np.exp(x)
            @staticmethod
            def backward(ctx, g):          # Tensors in, one gradient per input out
                return (g * ctx.out,)

    ``backward`` is the op's one definition of its derivative: the first-order
    pass runs it, a ``create_graph=True`` pass records it (higher order). An
    op may also register a fast first-order kernel on arrays in
    ``autograd.engine.fast_backward``; the op registry's tests check that
    kernel against this definition.

    The class attributes a primitive may set follow; each says what it
    promises to the engine.
    """

    #: What ``backward`` reads, kept in the node until its rule has run:
    #: ``"out"`` and input positions (``0``, ``1``, ...). A dict maps each input
    #: to what *its* gradient reads (``{0: (1,), 1: (0,)}`` for a product), so
    #: that nothing is kept for an input that needs no gradient. ``None``
    #: (the default, for user-written ops) keeps every input and the output.
    saves: Any = None

    #: The backward rule in the op's own words, one line per input, written
    #: with ``forward``'s argument names and ``out`` (``MatMul``:
    #: ``("grad(a) += grad(out) @ bᵀ", "grad(b) += aᵀ @ grad(out)")``; one line
    #: with ``xs[i]`` for an op of any number of inputs). The explorer and
    #: ``backward_steps`` show it with each step's names and shapes
    #: (``autograd/pictures/rules.py``); every primitive has one.
    rule: tuple[str, ...] = ()

    #: True when ``forward`` may return a view of its first input's array;
    #: the output then shares that input's version counter when it does.
    returns_view = False

    #: True when ``forward`` returns ``(output, extras)``: a dict of arrays
    #: computed on the way that a fast kernel reads (softmax probabilities,
    #: say), kept in ``ctx.saved.extras`` and freed with the node.
    saves_extras = False

    _node_class: Any = BackwardNode
    _save_plans: dict = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # each op gets its own node class, named as PyTorch names them
        cls._node_class = type(f"{cls.__name__}Backward", (BackwardNode,), {"__slots__": (), "fn": cls})
        cls._save_plans = {}  # needs_input_grad -> what to save (see _save_plan)
        if _takes_ctx(cls.forward):  # PyTorch's form: forward(ctx, *args) on Tensors
            cls.apply = classmethod(_apply_with_ctx)

    @staticmethod
    def forward(*arrays: np.ndarray, **options: Any) -> np.ndarray:
        """Override: compute the output from the inputs.

        Gets the inputs' numpy arrays, in order, and the keyword options given
        to ``apply``; returns one array (or ``(array, extras)`` when
        ``saves_extras``). It must not write to its inputs. Example::

            @staticmethod
            def forward(x, slope=0.01):
                return np.where(x > 0, x, slope * x)

        PyTorch's form is accepted too: ``forward(ctx, *tensors)`` on Tensors,
        saving with ``ctx.save_for_backward(...)`` (see docs/extending.md).
        """
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        """Override: the derivative, as the chain rule's one step.

        Gets ``ctx``, the op's node (``ctx.inputs``: what ``saves`` kept, in
        input order; ``ctx.out``; ``ctx.options``; ``ctx.needs_input_grad``), and
        ``g``, the gradient of the loss with respect to the output. Returns one
        gradient per input (a tuple; None for an input that needs none), each
        of its input's shape and dtype; the engine checks this and names the
        op when it is wrong. Written with Tensor operations, it is recorded
        when ``create_graph=True``, which gives higher derivatives. Example::

            @staticmethod
            def backward(ctx, g):           # y = x**3: dy/dx = 3 x**2
                (x,) = ctx.inputs
                return (g * 3 * x * x,)
        """
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Any, **options: Any) -> Any:
        """Run ``forward`` on the inputs' arrays; record a node if needed."""
        T = graph.tensor_class
        arrays = []
        record = False
        for t in inputs:  # one pass: the arrays for forward, and whether to record
            if type(t) is not T and not isinstance(t, T):  # numbers and arrays become constants
                return cls.apply(*[t if isinstance(t, T) else T(t) for t in inputs], **options)
            arrays.append(t._data)
            if t.requires_grad:
                record = True
        data = cls.forward(*arrays, **options)
        if cls.saves_extras:
            data, extras = data
        else:
            extras = None
        if type(data) is not np.ndarray:
            data = np.asarray(data)
        # the hot path: build the output inline (this runs once per operation)
        out = _new(T)
        out._data = data
        out.grad = None
        out.name = ""
        out._acc = None
        if cls.returns_view and np.may_share_memory(data, arrays[0]):
            out._version = inputs[0]._version
        else:
            out._version = [0]
        if record and _mode.enabled:  # the output's node: its cost is the engine's per-op cost
            out.requires_grad = True
            node = out.grad_fn = _new(cls._node_class)
            if len(inputs) == 1:
                t = inputs[0]  # it requires grad, or nothing would be recorded
                node._prev = (t.grad_fn or t._acc or _accumulator(t),)
                node.needs_input_grad = needs = _ONE_NEEDS
            else:
                needs = _edges(node, inputs, arrays)
            node.options, node.shape, node.dtype = options, data.shape, data.dtype
            keep, keep_out = cls._save_plans.get(needs) or _save_plan(cls, needs)
            node.saved = _saved_record(inputs, arrays, keep, keep_out, data, extras, out._version) \
                if keep or keep_out or extras is not None else None
        else:
            out.requires_grad = False
            out.grad_fn = None
        if _anomaly.enabled:
            check_finite(cls.__name__, "forward", data, [a.shape for a in arrays])
        return out


def _saved_record(inputs: tuple, arrays: list, keep: tuple, keep_out: bool, data: np.ndarray, extras: Any,
                  version: list) -> SavedRecord:
    """What one recorded op keeps: the inputs at positions ``keep``, the
    output if ``keep_out``, the forward's ``extras``, and their versions."""
    if not keep:  # the output only (tanh, exp, ...): the common case, made directly
        return _new_record(SavedRecord, (None, None, data if keep_out else None, extras, (),
                                         version if keep_out else None, version[0]))
    tensors, arrays_kept = [None] * len(inputs), [None] * len(inputs)
    versions = []
    for i in keep:
        t = inputs[i]
        tensors[i], arrays_kept[i] = t, arrays[i]
        versions.append((t._version, t._version[0]))
    return _new_record(SavedRecord, (tuple(tensors), tuple(arrays_kept), data if keep_out else None,
                                     extras, tuple(versions), version, version[0]))


def _takes_ctx(forward: Any) -> bool:
    try:
        params = list(inspect.signature(forward).parameters)
    except (TypeError, ValueError):
        return False
    return bool(params) and params[0] == "ctx"


def _apply_with_ctx(cls: Any, *args: Any) -> Any:
    """``apply`` for a Function written in PyTorch's form::

        class Exp(Function):
            @staticmethod
            def forward(ctx, x):             # Tensors (and any other arguments) in
                y = x.exp()
                ctx.save_for_backward(y)
                return y
            @staticmethod
            def backward(ctx, grad_output):  # one gradient per forward argument
                (y,) = ctx.saved_tensors
                return grad_output * y

    ``forward`` runs on the Tensors without recording; the output gets the
    node (``ctx``) as its ``grad_fn``. ``backward`` returns one gradient per
    argument of ``forward`` (None for the non-Tensor ones)."""
    T = graph.tensor_class
    positions = [i for i, a in enumerate(args) if isinstance(a, T)]
    tensors = tuple(args[i] for i in positions)
    record = _mode.enabled and any(t.requires_grad for t in tensors)
    node = _new(cls._node_class)
    node.saved = None
    node.options = {}
    node._positions = positions
    node._n_args = len(args)
    _edges(node, tensors, [t._data for t in tensors])
    node.needs_input_grad = tuple(  # PyTorch's: one per argument of forward
        isinstance(a, T) and a.requires_grad for a in args)
    with _no_grad():
        out = cls.forward(node, *args)
    if not isinstance(out, T):
        raise TypeError(f"{cls.__name__}.forward must return a Tensor, got {type(out).__name__}")
    node.shape, node.dtype = out._data.shape, out._data.dtype
    return make_tensor(out._data, node if record else None, out._version)


def _edges(node: Any, inputs: tuple, arrays: list) -> tuple:
    """Set the edges of a node (``apply`` writes out the one-input case);
    return its ``needs_input_grad``. An input's shape and dtype are its next node's; only
    inputs that need no gradient keep theirs, in ``_const_meta``."""
    if len(inputs) == 2 and inputs[0].requires_grad and inputs[1].requires_grad:  # the usual case
        a, b = inputs
        node._prev = (a.grad_fn or a._acc or _accumulator(a), b.grad_fn or b._acc or _accumulator(b))
        node.needs_input_grad = _TWO_NEEDS
        return _TWO_NEEDS
    node._prev = nexts = tuple([(t.grad_fn or t._acc or _accumulator(t)) if t.requires_grad else None
                                for t in inputs])
    node.needs_input_grad = needs = tuple([n is not None for n in nexts])
    if not all(needs):
        node._const_meta = _const_meta(nexts, arrays)
    return needs


def _const_meta(nexts: tuple, arrays: list) -> tuple:
    """(shape, dtype) of each input that needs no gradient (None for the others)."""
    return tuple([(a.shape, a.dtype) if n is None else None for n, a in zip(nexts, arrays)])


_ONE_NEEDS = (True,)
_TWO_NEEDS = (True, True)


def _save_plan(cls: Any, needs: tuple) -> tuple:
    """(the input positions to save, whether to save the output) for an op
    whose inputs need gradients as ``needs`` says; cached per class."""
    spec = cls.saves
    if spec is None:  # a user op that declared nothing: keep everything
        spec = (*range(len(needs)), "out")
    elif type(spec) is dict:  # what each input's gradient reads, for the inputs that need one
        spec = {r for i, reads in spec.items() if needs[i] for r in reads}
    plan = tuple(sorted(i for i in spec if i != "out")), "out" in spec
    cls._save_plans[needs] = plan
    return plan


def _accumulator(t: Any) -> Any:
    t._acc = AccumulateGrad(t)
    return t._acc


def check_finite(op: str, stage: str, data: np.ndarray, shapes: Any, node: Any = None) -> None:
    if data.dtype.kind in "fc" and not np.all(np.isfinite(data)):
        bad = "nan" if np.isnan(data).any() else "inf"
        shapes = ", ".join(str(s) for s in shapes)
        outer = _anomaly.in_backward_of
        if outer is not None and stage == "forward":  # an op inside a backward rule
            raise AnomalyError(
                f"detect_anomaly: {outer} backward produced {bad} (in its {op} step; "
                f"output shape {data.shape}; input shapes {shapes})"
            )
        raise AnomalyError(
            f"detect_anomaly: {op} {stage} produced {bad} "
            f"(output shape {data.shape}; input shapes {shapes})", node
        )


def once_differentiable(backward: Any) -> Any:
    """PyTorch's decorator for a ``backward`` that is not itself
    differentiable (it leaves the graph, say through numpy): it runs without
    recording, so a second derivative through it is zero, not wrong silently:
    a ``create_graph`` pass through it raises, naming the op."""

    @functools.wraps(backward)
    def wrapper(ctx: Any, *grads: Any) -> Any:
        if _mode.enabled:  # a recorded pass (create_graph=True)
            raise RuntimeError(f"{type(ctx).__name__}: its backward is once_differentiable; "
                               "it cannot be differentiated again (create_graph=True)")
        return backward(ctx, *grads)

    return wrapper
