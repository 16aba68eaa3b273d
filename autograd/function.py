"""``Function``: the base of every primitive operation, built-in or user-written.

A primitive is one small class::

    class Exp(Function):
        '''y = e**x;  dy/dx = e**x'''
        @staticmethod
        def forward(x):              # numpy arrays (and keyword options) in, array out
            return np.exp(x)
        @staticmethod
        def backward(ctx, g):        # Tensors in, Tensors out
            return (g * ctx.out,)

``Function.apply(*tensors, **options)`` runs ``forward`` on the arrays and, when
gradients are being recorded, makes the output a graph node. Backward rules are
written with Tensor operations only, so with ``create_graph=True`` they are
themselves recorded and higher derivatives come for free. The engine checks
every rule's output (count, shape, dtype) and names the op when it is wrong.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from autograd.engine import _mode, run_inside

__all__ = ["Function", "Context", "anomaly_enabled"]

# The Tensor class registers itself here when autograd.tensor is imported, so
# that this module (and the ops built on it) never import tensor.py: no cycle.
_Tensor: Any = None
_new_tensor = object.__new__


class _Freed:
    """Stands in for the inputs of a node whose graph was freed by backward()."""

    requires_grad = False
    _parents = ()


FREED = (_Freed(),)


class _AnomalyMode(threading.local):
    enabled: bool = False
    in_backward_of: str | None = None  # the rule running now (for messages)


_anomaly = _AnomalyMode()


def anomaly_enabled() -> bool:
    return _anomaly.enabled


class Context:
    """What a backward rule sees: ``inputs`` (the input Tensors), ``out`` (the
    output Tensor), ``needs_input_grad`` (a bool per input) and the keyword
    options given to ``apply``, also readable as attributes (``ctx.axis``)."""

    __slots__ = ("inputs", "out", "options", "needs_input_grad")

    def __init__(self, inputs: tuple, out: Any, options: dict) -> None:
        self.inputs = inputs
        self.out = out
        self.options = options
        self.needs_input_grad = tuple([t.requires_grad for t in inputs])

    def __getattr__(self, name: str) -> Any:
        try:
            return self.options[name]
        except KeyError:
            raise AttributeError(f"backward context has no option {name!r}") from None


class Function:
    """Base class of primitives: define static ``forward`` and ``backward``."""

    #: True when ``forward`` returns a view of its first input's array; the
    #: output then shares that input's version counter (in-place checks).
    returns_view = False

    #: True when ``forward`` returns ``(output, extras)``: ``extras`` is a dict
    #: of arrays computed on the way that the backward would otherwise compute
    #: again (softmax probabilities, say). They are kept with the node's options
    #: (``ctx.name`` in ``backward``, ``options["name"]`` in ``backward_numpy``),
    #: must be treated as read-only, and are freed with the graph.
    saves_extras = False

    @staticmethod
    def forward(*arrays: np.ndarray, **options: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, g: Any) -> tuple:
        raise NotImplementedError

    #: Optional first-order rule on arrays, for speed:
    #: ``backward_numpy(g, out, inputs, needs, options)`` gets the upstream
    #: gradient, the output and the inputs as numpy arrays, ``needs`` (a bool
    #: per input) and the forward's keyword options, and returns one array (or
    #: None) per input. The engine uses it when ``create_graph=False``, where no
    #: graph of the backward pass is wanted; ``backward`` stays the definition
    #: (and runs for higher order). The test suite checks the two agree.
    backward_numpy: Any = None

    #: True when every array ``backward_numpy`` returns was allocated by the
    #: rule for that one input: never a view, never ``g`` passed through,
    #: never one array for two inputs. The first-order pass then keeps it as
    #: the input's gradient without a copy (sums into it in place, hands it to
    #: a leaf as ``.grad``); otherwise it checks, or copies a small array.
    #: The test suite checks every op that says so.
    backward_numpy_allocates = False

    @classmethod
    def apply(cls, *inputs: Any, **options: Any) -> Any:
        """Run ``forward`` on the inputs' arrays; record the node if needed."""
        T = _Tensor
        arrays, versions = [], []
        record = False
        for t in inputs:  # one pass: arrays for forward, versions and whether to record
            if type(t) is not T and not isinstance(t, T):
                inputs = tuple(t if isinstance(t, T) else T(t) for t in inputs)
                return cls.apply(*inputs, **options)
            arrays.append(t.data)
            versions.append(t._version[0])
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
        out = _new_tensor(T)
        out.data = data
        out.grad = None
        out.name = ""
        out._hooks = None
        out._retains_grad = False
        out._version = inputs[0]._version if cls.returns_view else [0]
        if record:
            out.requires_grad = True
            out._fn = cls
            out._parents = inputs
            out._options = options
            out._saved_versions = tuple(versions)
        else:
            out.requires_grad = False
            out._fn = None
            out._parents = ()
            out._options = None
            out._saved_versions = ()
        if _anomaly.enabled:
            _check_finite(cls.__name__, "forward", data, inputs)
        return out


def _check_finite(op: str, stage: str, data: np.ndarray, inputs: tuple) -> None:
    if data.dtype.kind in "fc" and not np.all(np.isfinite(data)):
        bad = "nan" if np.isnan(data).any() else "inf"
        shapes = ", ".join(str(t.shape) for t in inputs)
        outer = _anomaly.in_backward_of
        if outer is not None and stage == "forward":  # an op inside a backward rule
            raise RuntimeError(
                f"detect_anomaly: {outer} backward produced {bad} (in its {op} step; "
                f"output shape {data.shape}; input shapes {shapes})"
            )
        raise RuntimeError(
            f"detect_anomaly: {op} {stage} produced {bad} "
            f"(output shape {data.shape}; input shapes {shapes})"
        )


def run_rule(node: Any, g: Any) -> tuple:
    """Call ``node``'s backward rule and check what it returns (engine hook).

    ``g`` is a Tensor when the pass records itself (``create_graph=True``): the
    Tensor rule runs and Tensors come back. In a first-order pass ``g`` is a
    numpy array and arrays come back: from the op's ``backward_numpy`` when it
    has one, else from its Tensor rule (run under ``no_grad``) unwrapped.
    """
    fn = node._fn
    inputs = node._parents
    if inputs is FREED:
        raise RuntimeError(
            f"backward: trying to backward through the graph a second time: the saved "
            f"tensors of {fn.__name__} (output shape {node.shape}) were freed by the "
            "first backward(); pass retain_graph=True to the first call to keep them"
        )
    first_order = type(g) is np.ndarray or not isinstance(g, _Tensor)
    if first_order and type(g) is not np.ndarray:
        g = np.asarray(g)  # numpy turns 0-d results (a 0-d sum, say) into scalars
    fast = fn.backward_numpy
    if first_order and fast is not None and not _anomaly.enabled:
        return run_numpy_rule(node, fast, g)
    name = fn.__name__
    for t, version in zip(inputs, node._saved_versions):
        if t._version[0] != version:
            _raise_modified(name, inputs, node._saved_versions)
    ctx = Context(inputs, node, node._options)
    if first_order:
        g = _Tensor._wrap(g)
    if _anomaly.enabled:
        outer, _anomaly.in_backward_of = _anomaly.in_backward_of, name
        try:
            grads = fn.backward(ctx, g)
        finally:
            _anomaly.in_backward_of = outer
    else:
        grads = fn.backward(ctx, g)
    if isinstance(grads, _Tensor) or grads is None:
        grads = (grads,)
    if len(grads) != len(inputs):
        raise RuntimeError(
            f"{name}.backward returned {len(grads)} gradient(s) for {len(inputs)} input(s)"
        )
    for i, (t, gi) in enumerate(zip(inputs, grads)):
        if gi is None or not t.requires_grad:
            continue
        if type(gi) is not _Tensor and not isinstance(gi, _Tensor):
            raise TypeError(
                f"{name}.backward must return Tensors (or None), got {type(gi).__name__} "
                f"for input {i}"
            )
        gd, td = gi.data, t.data
        if gd.shape != td.shape or gd.dtype != td.dtype:
            raise RuntimeError(
                f"{name}.backward returned a gradient of shape {gi.shape} and dtype {gi.dtype} "
                f"for input {i}, which has shape {t.shape} and dtype {t.dtype}"
            )
        if _anomaly.enabled:
            _check_finite(name, "backward", gi.data, inputs)
    if first_order:
        return [None if gi is None else gi.data for gi in grads]
    return grads


def run_numpy_rule(node: Any, rule: Any, g: np.ndarray) -> Any:
    """``node``'s ``backward_numpy`` rule on the upstream array ``g``, checked.

    The hot path of every first-order pass, written out: one loop checks the
    saved versions and gathers the arrays; the usual well-formed result (an
    array of its input's shape and dtype, or None, per input) is checked
    inline, anything else goes through ``_checked_arrays`` (which converts a
    numpy scalar or raises, naming the op)."""
    inputs, saved = node._parents, node._saved_versions
    arrays, needs = [], []
    for t, version in zip(inputs, saved):
        if t._version[0] != version:
            _raise_modified(node._fn.__name__, inputs, saved)
        arrays.append(t.data)
        needs.append(t.requires_grad)
    grads = rule(g, node.data, arrays, needs, node._options)
    if len(grads) == len(inputs):
        for a, x in zip(grads, arrays):
            if a is not None and (type(a) is not np.ndarray or a.shape != x.shape or a.dtype is not x.dtype):
                break
        else:
            return grads  # (the driver skips inputs that need no gradient)
    return _checked_arrays(node._fn.__name__, inputs, grads)


def _raise_modified(name: str, inputs: tuple, saved: tuple) -> None:
    for i, (t, version) in enumerate(zip(inputs, saved)):
        if t._version[0] != version:
            raise RuntimeError(
                f"{name} backward: input {i} (shape {t.shape}) was modified in place after "
                f"it was saved for backward (version {version} -> {t._version[0]}); "
                "compute a new tensor instead of changing it in place"
            )


def _checked_arrays(name: str, inputs: tuple, arrays: tuple) -> list:
    """A ``backward_numpy`` rule's arrays, with the checks ``backward`` gets."""
    if len(arrays) != len(inputs):
        raise RuntimeError(f"{name}.backward_numpy returned {len(arrays)} gradient(s) for {len(inputs)} input(s)")
    grads = []
    for i, (t, a) in enumerate(zip(inputs, arrays)):
        if a is None or not t.requires_grad:
            grads.append(None)
            continue
        td = t.data
        if type(a) is np.ndarray and a.shape == td.shape and a.dtype is td.dtype:  # the usual case
            grads.append(a)
            continue
        if type(a) is not np.ndarray and isinstance(a, np.generic):
            a = np.asarray(a)  # numpy turns 0-d results into scalars
        if type(a) is not np.ndarray or a.shape != td.shape or a.dtype != td.dtype:
            raise RuntimeError(
                f"{name}.backward_numpy returned {type(a).__name__} of shape {getattr(a, 'shape', '?')} and "
                f"dtype {getattr(a, 'dtype', '?')} for input {i}, which has shape {td.shape} and dtype {td.dtype}"
            )
        grads.append(a)
    return grads


class detect_anomaly:
    """``with detect_anomaly(): ...`` raises at the first op whose forward or
    backward produces a NaN or an inf, naming the op and its input shapes.
    Slower: every op's output is checked. Also usable as a decorator."""

    def __init__(self) -> None:
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(_anomaly.enabled)
        _anomaly.enabled = True

    def __exit__(self, *exc: object) -> None:
        _anomaly.enabled = self._prev.pop()

    def __call__(self, fn: Any) -> Any:
        return run_inside(detect_anomaly, fn)


def const(array: Any) -> Any:
    """Wrap a numpy array as a Tensor that needs no gradient (for backward rules)."""
    return _Tensor._wrap(np.asarray(array))
