"""The backward graph: its nodes, what they save, and the one walk over them.

A Tensor computed by a recorded op points at its node, ``t.grad_fn``. A node
holds its op's options, the edges to its inputs' nodes (``_prev``, shown as
PyTorch's ``next_functions``; a leaf that requires grad gets its gradient
through its own ``AccumulateGrad`` node), its output's shape and dtype, and a
``SavedRecord`` of only what its op declared its backward reads. It never
holds its output Tensor, so the tensors of a forward pass go away as soon as
the program drops them; what backward needs stays in the nodes.

When backward has run a node's rule it frees the record (unless
``retain_graph=True``); the structure stays, so the graph can still be drawn
and walked, and a second backward through it raises a clear error.

``topological_order`` is the one walk over a graph, for Tensor nodes and
``Value`` alike (both list their inputs in ``_prev``).
"""

from __future__ import annotations

import operator
import weakref
from collections import namedtuple
from typing import Any

import numpy as np

__all__ = ["Node", "BackwardNode", "AccumulateGrad", "RetainGrad", "SavedRecord", "topological_order",
           "increment_version", "make_tensor", "register_tensor_class"]

_new = object.__new__
#: The Tensor class, registered by ``autograd.tensor`` when it is imported
#: (so that the engine's modules never import it).
tensor_class: Any = None


def register_tensor_class(cls: type) -> None:
    """Called once by ``autograd.tensor``: the class ``make_tensor`` builds."""
    global tensor_class
    tensor_class = cls


def make_tensor(data: np.ndarray, grad_fn: Any = None, version: Any = None) -> Any:
    """A Tensor around ``data`` (no copy, no checks), with ``grad_fn`` if given
    and the version counter ``version`` (a one-item list) if given."""
    t = _new(tensor_class)
    t._data = data
    t.grad = None
    t.name = ""
    t._acc = None
    t._version = [0] if version is None else version
    t.grad_fn = grad_fn
    t.requires_grad = grad_fn is not None
    return t


def topological_order(roots: Any) -> list:
    """Every node reachable from ``roots`` through ``_prev``, each listed after
    all the nodes that use it (Kahn's algorithm: count each node's consumers,
    then emit a node once its last consumer has been emitted). Iterative, so
    a graph of a million nodes is fine. Serves Tensor nodes and Values alike."""
    consumers: dict = {}
    stack = []
    for root in roots:
        if root not in consumers:
            consumers[root] = 0
            stack.append(root)
    push, count_of = stack.append, consumers.get
    while stack:  # count, for each node, the edges that lead into it
        for p in stack.pop()._prev:
            if p is not None:
                count = count_of(p)
                if count is None:
                    consumers[p] = 1
                    push(p)
                else:
                    consumers[p] = count + 1
    ready = []
    for root in roots:  # (a root another root uses waits for it)
        if consumers[root] == 0 and root not in ready:
            ready.append(root)
    order = []
    emit, push = order.append, ready.append
    while ready:  # emit a node once every node that uses it has been emitted
        node = ready.pop()
        emit(node)
        for p in node._prev:
            if p is not None:
                left = consumers[p] - 1
                consumers[p] = left
                if not left:
                    push(p)
    return order


_shape_of, _dtype_of = operator.attrgetter("shape"), operator.attrgetter("dtype")


class _Freed:
    """Stands in a node's ``saved`` once backward has used and freed it."""

    def __repr__(self) -> str:
        return "<freed>"


FREED: Any = _Freed()


class SavedRecord(namedtuple("SavedRecord", "tensors arrays out extras versions out_counter out_version")):
    """What a node keeps for its backward, and nothing else.

    - ``tensors``: the saved input Tensors, one entry per input (None: not saved);
    - ``arrays``: their arrays (what fast first-order kernels read);
    - ``out``: the output array, or None;
    - ``extras``: arrays the forward computed for the backward (softmax
      probabilities, say), or None;
    - ``versions``: ``(counter, version when saved)`` for each saved input,
      and ``out_counter``, ``out_version`` for the output (None when it is not
      saved), so that backward can refuse a tensor changed in place since.

    (A named tuple: made once per recorded op, it must cost no more than one.)
    """

    __slots__ = ()

    def check_versions(self, node: Any) -> None:
        """Raise if a saved tensor was changed in place after it was saved."""
        names = [f"input {j} (shape {t.shape})" for j, t in enumerate(self.tensors or ()) if t is not None]
        what = list(zip(names, self.versions))
        if self.out is not None:
            what.append((f"its output (shape {node.shape})", (self.out_counter, self.out_version)))
        for name, (counter, version) in what:
            if counter[0] != version:
                raise RuntimeError(
                    f"{node.fn.__name__} backward: {name} was modified in place after it was saved "
                    f"for backward (version {version} -> {counter[0]}); "
                    "compute a new tensor instead of changing it in place"
                )


class Node:
    """A node of the backward graph: ``name()`` and ``next_functions``."""

    __slots__ = ("_prev", "__dict__")
    _hooks: Any = None  # hooks on the gradient arriving here (set per node by register_hook)
    shape: Any = None
    dtype: Any = None

    def name(self) -> str:
        """The node's class name, PyTorch style: ``"TanhBackward"``."""
        return type(self).__name__

    @property
    def next_functions(self) -> tuple[tuple[Node | None, int], ...]:
        """``((node, 0), ...)``, one pair per input: the node its gradient goes
        to next (None for an input that needs no gradient), as in PyTorch."""
        return tuple((n, 0) for n in self._prev)

    def register_hook(self, hook: Any) -> RemovableHandle:
        """``hook(grad)`` is called with this node's output gradient before its
        rule runs; a returned Tensor replaces it. Returns a handle whose
        ``remove()`` takes the hook away again."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return RemovableHandle(self._hooks, hook)

    def __repr__(self) -> str:
        return f"<{self.name()}>"


class RemovableHandle:
    """What ``register_hook`` returns, as in PyTorch: ``handle.remove()``
    (calling the handle does the same)."""

    def __init__(self, hooks: list, hook: Any) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)

    __call__ = remove


class AccumulateGrad(Node):
    """Where a leaf's gradient ends: backward adds it into ``variable.grad``.

    It holds its leaf weakly (the leaf holds it), so a graph never keeps a
    dropped leaf alive; ``variable`` is None once the leaf is gone."""

    def __init__(self, variable: Any) -> None:
        self._prev = ()
        self._variable = weakref.ref(variable)
        self.shape = variable._data.shape
        self.dtype = variable._data.dtype

    @property
    def variable(self) -> Any:
        """The leaf Tensor (None if it no longer exists)."""
        return self._variable()

    def renewed(self) -> AccumulateGrad:
        """The node for the leaf's new array, after ``t.data = ...`` (``model.double()``)
        changed its shape or dtype: graphs recorded before keep this one, whose
        metadata their rules were checked against; the leaf's hooks are shared."""
        fresh = AccumulateGrad(self._variable())
        if self._hooks is None:
            self._hooks = []
        fresh._hooks = self._hooks
        return fresh

    def __getstate__(self) -> dict:
        return {"shape": self.shape, "dtype": self.dtype}  # a weak reference does not pickle

    def __setstate__(self, state: dict) -> None:
        self._prev, self._variable = (), lambda: None
        self.__dict__.update(state)


class RetainGrad:
    """The hook ``retain_grad()`` adds: backward writes the gradient that
    reaches the node (after the other hooks) into the tensor's ``.grad``."""

    __slots__ = ("tensor",)

    def __init__(self, tensor: Any) -> None:
        self.tensor = weakref.ref(tensor)


class BackwardNode(Node):
    """One recorded op. Each ``Function`` subclass gets its own node class,
    named after it (``Tanh`` -> ``TanhBackward``), whose ``fn`` is the op.

    It is also the ``ctx`` a backward rule receives:

    - ``ctx.inputs``: the saved input Tensors, one per input (None where the
      op did not save that input); ``ctx.out``: the saved output Tensor;
    - ``ctx.options``: the keyword options given to ``apply`` (a dict);
    - ``ctx.needs_input_grad``: a bool per input;
    - ``ctx.input_shapes``, ``ctx.input_dtypes``, ``ctx.shape``, ``ctx.dtype``;
    - ``ctx.saved``: the ``SavedRecord`` itself, whose arrays the fast
      first-order kernels read.
    """

    # the attributes every node sets are slots; the rare ones live in the __dict__
    __slots__ = ("options", "needs_input_grad", "shape", "dtype", "saved")
    fn: Any = None  # the Function subclass (set on each per-op node class)
    _const_meta: Any = None  # (shape, dtype) per input that needs no gradient; None when all do
    _positions: Any = None  # PyTorch-form Functions: which arguments of forward are the inputs

    @property
    def inputs(self) -> tuple:
        saved = self._live_record()
        if saved is None or saved.tensors is None:  # the op saved no input
            return (None,) * len(self._prev)
        return saved.tensors

    @property
    def out(self) -> Any:
        """The saved output, as a Tensor whose ``grad_fn`` is this node (so a
        recorded rule that reads it is differentiable again)."""
        saved = self._live_record()
        if saved is None or saved.out is None:
            return None
        return make_tensor(saved.out, self, saved.out_counter)

    def _live_record(self) -> SavedRecord | None:
        if self.saved is FREED:
            self.raise_freed()
        return self.saved

    def raise_freed(self) -> None:
        """The error of a second backward through a freed node."""
        raise RuntimeError(
            f"backward: trying to backward through the graph a second time: the saved tensors of "
            f"{self.name()} (output shape {self.shape}) were freed by the first backward(); "
            "pass retain_graph=True to the first call to keep them"
        )

    @property
    def input_shapes(self) -> tuple:
        """Each input's shape (an input that needs a gradient has its next node's)."""
        if self._const_meta is None:  # every input needs a gradient
            return tuple(map(_shape_of, self._prev))
        return tuple(m[0] if n is None else n.shape for n, m in zip(self._prev, self._const_meta))

    @property
    def input_dtypes(self) -> tuple:
        """Each input's dtype."""
        if self._const_meta is None:
            return tuple(map(_dtype_of, self._prev))
        return tuple(m[1] if n is None else n.dtype for n, m in zip(self._prev, self._const_meta))

    @property
    def saved_tensors(self) -> tuple:
        """The saved tensors, as PyTorch's ``ctx.saved_tensors``: what
        ``save_for_backward`` kept, or the saved inputs, then the output."""
        saved = tuple(t for t in self.inputs if t is not None)
        out = self.out
        return saved if out is None else (*saved, out)

    def save_for_backward(self, *tensors: Any) -> None:
        """PyTorch's form (in a ``forward(ctx, ...)``): keep these tensors for
        ``backward``, where ``ctx.saved_tensors`` gives them back; backward
        raises if one was changed in place meanwhile."""
        kept = tuple(tensors)
        arrays = tuple(None if t is None else t._data for t in kept)
        versions = tuple((t._version, t._version[0]) for t in kept if t is not None)
        self.saved = SavedRecord(kept, arrays, None, None, versions, None, None)

    @property
    def is_freed(self) -> bool:
        """True once backward freed what this node saved."""
        return self.saved is FREED

    @property
    def saved_output(self) -> np.ndarray | None:
        """The output array, if the op saved it and backward has not freed it."""
        saved = self.saved
        return None if saved is None or saved is FREED else saved.out

    @property
    def retained_tensor(self) -> Any:
        """The output Tensor, if it called ``retain_grad()`` and still exists."""
        for hook in self._hooks or ():
            if type(hook) is RetainGrad:
                return hook.tensor()
        return None


def increment_version(tensor: Any) -> None:
    """Mark ``tensor`` as changed in place, as its in-place methods do (PyTorch's
    ``torch.autograd.graph.increment_version``): for code that writes a
    tensor's array directly (``t.numpy()[...] = ...``, an optimizer's blocked
    update), so that a backward through a graph that saved it still raises."""
    tensor._version[0] += 1
