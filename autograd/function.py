"""``Function``: the base of every primitive operation, built-in or user-written.

``Function.apply(*tensors, **options)`` runs ``forward`` on the arrays and,
when gradients are being recorded, gives the output a node (``grad_fn``)
that keeps what ``saves`` declares. ``call_rule`` runs a node's backward
rule and checks what it returns (count, shape, dtype), naming the op.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from autograd.grad_mode import AnomalyError, _anomaly, _mode
from autograd.grad_mode import no_grad as _no_grad
from autograd.graph import CHECKS, FREED, OUT, OUT_COUNTER, OUT_VERSION, AccumulateGrad, BackwardNode

__all__ = ["Function", "Context", "make_tensor", "const", "call_rule", "composite_backward", "once_differentiable"]

# The Tensor class registers itself here when autograd.tensor is imported, so
# that this module (and the primitives built on it) never import tensor.py.
_Tensor: Any = None
_new = object.__new__

#: ``ctx`` in a backward rule is the op's graph node.
Context = BackwardNode


def make_tensor(data: np.ndarray, grad_fn: Any = None, version: Any = None) -> Any:
    """A Tensor around ``data`` (no copy, no checks), with ``grad_fn`` if given
    and the version counter ``version`` (a one-item list) if given."""
    t = _new(_Tensor)
    t._data = data
    t.grad = None
    t.name = ""
    t._acc = None
    t._version = [0] if version is None else version
    t.grad_fn = grad_fn
    t.requires_grad = grad_fn is not None
    return t


def const(array: Any) -> Any:
    """A numpy array as a Tensor that needs no gradient (for backward rules)."""
    return make_tensor(np.asarray(array))


class Function:
    """Base class of primitives: define static ``forward`` and ``backward``.

    A primitive is one small class::

        class Exp(Function):
            '''y = e**x;  dy/dx = e**x'''
            saves = ("out",)               # what backward reads
            backward_on_arrays = True      # the rule below works on arrays too
            @staticmethod
            def forward(x):                # numpy arrays (and keyword options) in
                return np.exp(x)
            @staticmethod
            def backward(ctx, g):          # one gradient per input out
                return (g * ctx.out,)

    The class attributes a primitive may set follow; each says what it
    promises to the engine.
    """

    #: What ``backward`` reads, kept in the node until its rule has run:
    #: ``"out"`` and input positions (``0``, ``1``, ...). A dict maps each input
    #: to what *its* gradient reads (``{0: (1,), 1: (0,)}`` for a product), so
    #: that nothing is kept for an input that needs no gradient. ``None``
    #: (the default, for user-written ops) keeps every input and the output.
    saves: Any = None

    #: True when ``backward`` uses only operations that numpy arrays and
    #: Tensors share (``* + - / @``, ``reshape``, ``swapaxes``, ``astype``): a
    #: first-order pass then runs it on arrays, a recorded pass on Tensors.
    #: One rule serves both, and higher order stays free.
    backward_on_arrays = False

    #: Optional array-only first-order rule, for ops whose fast array form
    #: must differ from the Tensor rule (a fused numpy kernel, say):
    #: ``backward_numpy(ctx, g)`` gets arrays (``ctx.inputs``, ``ctx.out``, ``g``)
    #: and returns one array or None per input. ``backward`` stays the
    #: definition and runs for higher order; the op table checks they agree.
    backward_numpy: Any = None

    #: True when every array the first-order rule returns was allocated by
    #: the rule for that one input: never a view, never ``g`` passed through,
    #: never one array for two inputs. The pass then keeps it as the input's
    #: gradient without a copy. The test suite checks every op that says so.
    first_order_allocates = False

    #: True when ``forward`` may return a view of its first input's array;
    #: the output then shares that input's version counter when it does.
    returns_view = False

    #: True when ``forward`` returns ``(output, extras)``: a dict of arrays
    #: computed on the way that the backward reads (softmax probabilities,
    #: say). They are kept with the options (``ctx.name``), read-only, and
    #: freed with the node.
    saves_extras = False

    _node_class: Any = BackwardNode
    _save_plans: dict = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # each op gets its own node class, named as PyTorch names them
        # the rule a first-order pass calls on arrays (None: the Tensor rule, on wrapped arrays)
        rule = cls.backward_numpy if cls.backward_numpy is not None else (
            cls.backward if cls.backward_on_arrays else None)
        cls._node_class = type(f"{cls.__name__}Backward", (BackwardNode,), {
            "__slots__": (), "fn": cls, "_array_rule": None if rule is None else staticmethod(rule),
            "first_order_allocates": cls.first_order_allocates})
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
        T = _Tensor
        arrays = []
        record = False
        for t in inputs:  # one pass: the arrays for forward, and whether to record
            if type(t) is not T and not isinstance(t, T):
                return cls.apply(*[t if isinstance(t, T) else T(t) for t in inputs], **options)
            arrays.append(t._data)
            if t.requires_grad:
                record = True
        data = cls.forward(*arrays, **options)
        if record:
            record = _mode.enabled
        if cls.saves_extras:
            data, extras = data
            if record:
                options = {**options, **extras}
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
        if record:  # the output's node (one per recorded op: its cost is the engine's per-op cost)
            out.requires_grad = True
            node = out.grad_fn = _new(cls._node_class)
            if len(inputs) == 1:
                t = inputs[0]  # it requires grad, or nothing would be recorded
                node._next = (t.grad_fn or t._acc or _accumulator(t),)
                node.needs_input_grad = needs = _ONE_NEEDS
            else:
                needs = _edges(node, inputs, arrays)
            node.options = options
            node.shape = data.shape
            node.dtype = data.dtype
            keep, keep_out = cls._save_plans.get(needs) or _save_plan(cls, needs)
            if keep:
                node._saved = _saved_inputs(inputs, arrays, keep, keep_out, data, out._version)
            elif keep_out:
                version = out._version
                node._saved = (None, None, None, data, version, version[0])
            else:
                node._saved = None
        else:
            out.requires_grad = False
            out.grad_fn = None
        if _anomaly.enabled:
            _check_finite(cls.__name__, "forward", data, [a.shape for a in arrays])
        return out


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
    T = _Tensor
    positions = [i for i, a in enumerate(args) if isinstance(a, T)]
    tensors = tuple(args[i] for i in positions)
    record = _mode.enabled and any(t.requires_grad for t in tensors)
    node = _new(cls._node_class)
    node._saved = None
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
        node._next = (a.grad_fn or a._acc or _accumulator(a), b.grad_fn or b._acc or _accumulator(b))
        node.needs_input_grad = _TWO_NEEDS
        return _TWO_NEEDS
    node._next = nexts = tuple([(t.grad_fn or t._acc or _accumulator(t)) if t.requires_grad else None
                                for t in inputs])
    node.needs_input_grad = needs = tuple([n is not None for n in nexts])
    if not all(needs):
        node._const_meta = _const_meta(nexts, arrays)
    return needs


def _saved_inputs(inputs: tuple, arrays: list, keep: tuple, keep_out: bool, data: np.ndarray,
                  version: list) -> tuple:
    """The saved record (see ``autograd.graph``) of the inputs at positions
    ``keep``, and of the output if ``keep_out``."""
    saved, saved_arrays = [None] * len(inputs), [None] * len(inputs)
    checks = []
    for i in keep:
        t = inputs[i]
        saved[i], saved_arrays[i] = t, arrays[i]
        checks.append((t._version, t._version[0]))
    return tuple(saved), tuple(saved_arrays), tuple(checks), data if keep_out else None, version, version[0]


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


def _check_finite(op: str, stage: str, data: np.ndarray, shapes: Any, node: Any = None) -> None:
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


def call_rule(node: Any, g: Any, recorded: bool) -> Any:
    """Run ``node``'s backward rule on the output gradient ``g`` and check what
    it returns. ``recorded``: ``g`` is a Tensor and the rule runs on Tensors
    (``create_graph=True``). Otherwise ``g`` is an array and arrays come back:
    from ``backward_numpy``, from ``backward`` run on arrays when it can be,
    or from ``backward`` run on Tensors and unwrapped."""
    saved = node._saved
    if saved is not None:
        if saved is FREED:
            node._check_not_freed()
        if saved[CHECKS] is not None:
            for counter, version in saved[CHECKS]:
                if counter[0] != version:
                    node.check_versions()  # raises, naming the tensor
        if saved[OUT] is not None and saved[OUT_COUNTER][0] != saved[OUT_VERSION]:
            node.check_versions()
    if recorded:
        return _call_tensor_rule(node, node.fn, g)
    if type(g) is not np.ndarray:
        g = np.asarray(g)  # numpy turns 0-d results (a 0-d sum, say) into scalars
    rule = node._array_rule
    if rule is None:
        grads = _call_tensor_rule(node, node.fn, make_tensor(g))
        return [None if gi is None else gi._data for gi in grads]
    if node._tensors:  # (it ran a Tensor rule before: a recorded pass with retain_graph)
        node._tensors = False
    if _anomaly.enabled:
        return _checked(node, _call_naming_the_op(node, rule, g), rule, np.ndarray)
    grads = rule(node, g)
    if type(grads) is not tuple or len(grads) != len(node._next):
        return _checked(node, grads, rule, np.ndarray)
    for a, n in zip(grads, node._next):  # the usual well-formed result, checked inline
        if a is not None and n is not None and (type(a) is not np.ndarray or a.shape != n.shape
                                                or a.dtype is not n.dtype):
            return _checked(node, grads, rule, np.ndarray)
    return grads


def _call_naming_the_op(node: Any, rule: Any, g: Any) -> Any:
    """``rule(node, g)`` with anomaly mode told which op's backward is running."""
    outer, _anomaly.in_backward_of = _anomaly.in_backward_of, node.fn.__name__
    try:
        return rule(node, g)
    finally:
        _anomaly.in_backward_of = outer


def _call_tensor_rule(node: Any, fn: Any, g: Any) -> Any:
    node._tensors = True
    if _anomaly.enabled:
        grads = _call_naming_the_op(node, fn.backward, g)
    else:
        grads = fn.backward(node, g)
    if node._positions is not None:  # PyTorch's form: one gradient per argument of forward
        grads = (grads,) if grads is None or isinstance(grads, _Tensor) else tuple(grads)
        if len(grads) != node._n_args:
            raise RuntimeError(f"{fn.__name__}.backward returned {len(grads)} gradient(s) for the "
                               f"{node._n_args} argument(s) of forward")
        grads = tuple(grads[i] for i in node._positions)
    return _checked(node, grads, fn.backward, _Tensor)


def _checked(node: Any, grads: Any, rule: Any, kind: type) -> list:
    """A rule's result with every check: one gradient of type ``kind`` (an
    array or a Tensor) or None per input, each of its input's shape and dtype."""
    name = f"{node.fn.__name__}.{rule.__name__}"
    T = _Tensor
    if isinstance(grads, (T, np.ndarray, np.generic)) or grads is None:
        grads = (grads,)
    if len(grads) != len(node._next):
        raise RuntimeError(f"{name} returned {len(grads)} gradient(s) for {len(node._next)} input(s)")
    out = []
    for i, gi in enumerate(grads):
        if gi is None or node._next[i] is None:
            out.append(None)
            continue
        if isinstance(gi, np.generic):
            gi = np.asarray(gi)  # numpy turns 0-d results into scalars
        if not isinstance(gi, kind):
            raise TypeError(f"{name} must return {'arrays' if kind is np.ndarray else 'Tensors'} (or None), "
                            f"got {type(gi).__name__} for input {i}")
        shape, dtype = node.input_shapes[i], node.input_dtypes[i]
        if gi.shape != shape or gi.dtype != dtype:
            raise RuntimeError(
                f"{name} returned {type(gi).__name__} of shape {gi.shape} and dtype {gi.dtype} "
                f"for input {i}, which has shape {shape} and dtype {dtype}"
            )
        if _anomaly.enabled:
            _check_finite(node.fn.__name__, "backward", gi._data if isinstance(gi, T) else gi, node.input_shapes, node)
        out.append(gi)
    return out


def once_differentiable(backward: Any) -> Any:
    """PyTorch's decorator for a ``backward`` that is not itself
    differentiable (it leaves the graph, say through numpy): it runs without
    recording, so a second derivative through it is zero, not wrong silently:
    a ``create_graph`` pass through it raises, naming the op."""
    import functools

    @functools.wraps(backward)
    def wrapper(ctx: Any, *grads: Any) -> Any:
        if _mode.enabled:  # a recorded pass (create_graph=True)
            raise RuntimeError(f"{type(ctx).__name__}: its backward is once_differentiable; "
                               "it cannot be differentiated again (create_graph=True)")
        return backward(ctx, *grads)

    return wrapper


def composite_backward(ctx: Any, g: Any, composite: Any) -> tuple:
    """The recorded rule of a fused primitive: the vector-Jacobian product of
    its composite definition, ``composite(*ctx.inputs, **options)`` written
    with Tensor ops, recorded so that it can be differentiated again. (The
    fused op's own rules stay the fast first-order path; the op table checks
    that both agree.) Needs every input saved."""
    from autograd.backward import grad  # (backward imports this module)

    inputs, needs = ctx.inputs, ctx.needs_input_grad
    out = composite(*inputs)
    wanted = [t for t, need in zip(inputs, needs) if need]
    grads = iter(grad(out, wanted, g, create_graph=True, materialize_grads=True))
    return tuple(next(grads) if need else None for need in needs)
