"""The backward graph: its nodes live apart from the tensors, as in PyTorch.

A Tensor computed by a recorded op points at its node, ``t.grad_fn``. A node
holds its op's options, the edges to its inputs' nodes (``next_functions``;
a leaf that requires grad gets its gradient through its own
``AccumulateGrad`` node), the inputs' and output's shapes and dtypes, and
only what its op declared its backward reads (``Function.saves``). It never
holds its output Tensor, so the tensors of a forward pass go away as soon as
the program drops them; what backward needs stays in the nodes.

When backward runs a node's rule it frees what the node saved (unless
``retain_graph=True``); the structure stays, so the graph can still be drawn
and walked, and a second backward through it raises a clear error.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

__all__ = ["Node", "BackwardNode", "AccumulateGrad", "RetainGrad", "increment_version"]


class _Freed:
    """Marks the saved tensors of a node whose rule has run (retain_graph=False)."""

    def __repr__(self) -> str:
        return "<freed>"


FREED: Any = _Freed()


class Node:
    """A node of the backward graph: ``name()`` and ``next_functions``."""

    __slots__ = ("_next",)
    _hooks: Any = None  # hooks on the gradient arriving here (set per node by register_hook)

    def name(self) -> str:
        """The node's class name, PyTorch style: ``"TanhBackward"``."""
        return type(self).__name__

    @property
    def next_functions(self) -> tuple[tuple[Node | None, int], ...]:
        """``((node, 0), ...)``, one pair per input: the node its gradient goes
        to next (None for an input that needs no gradient), as in PyTorch."""
        return tuple((n, 0) for n in self._next)

    def register_hook(self, hook: Any) -> Any:
        """``hook(grad)`` is called with this node's output gradient before its
        rule runs; a returned array or Tensor replaces it."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        hooks = self._hooks
        return lambda: hooks.remove(hook) if hook in hooks else None

    def __repr__(self) -> str:
        return f"<{self.name()}>"


class AccumulateGrad(Node):
    """Where a leaf's gradient ends: backward adds it into ``variable.grad``.

    It holds its leaf weakly (the leaf holds it), so a graph never keeps a
    dropped leaf alive; ``variable`` is None once the leaf is gone."""

    __slots__ = ("_variable", "shape", "dtype", "__dict__")

    def __init__(self, variable: Any) -> None:
        self._next = ()
        self._variable = weakref.ref(variable)
        self.shape = variable._data.shape
        self.dtype = variable._data.dtype

    @property
    def variable(self) -> Any:
        """The leaf Tensor (None if it no longer exists)."""
        return self._variable()


# What a node keeps for its backward, in ``node._saved`` (None when nothing):
# a plain tuple (the cheapest record to make, once per op) of
#   TENSORS  the saved input Tensors, one entry per input (None: not saved); None if none
#   ARRAYS   their arrays, likewise
#   CHECKS   (version counter, version when saved) per saved input; None if none
#   OUT      the output array, or None
#   OUT_COUNTER, OUT_VERSION  the output's version counter and its version when saved
TENSORS, ARRAYS, CHECKS, OUT, OUT_COUNTER, OUT_VERSION = range(6)


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

    - ``ctx.inputs``: the saved inputs, one entry per input (None where the op
      did not save that input). Numpy arrays when the rule runs on arrays (a
      first-order pass), Tensors when the pass is recorded or the op's rule
      is written for Tensors only.
    - ``ctx.out``: the saved output, likewise (None if not saved).
    - ``ctx.needs_input_grad``: a bool per input.
    - ``ctx.input_shapes``, ``ctx.input_dtypes``, ``ctx.shape``, ``ctx.dtype``.
    - the keyword options given to ``apply``, as attributes (``ctx.axis``), or
      all of them as the dict ``ctx.options``.
    """

    # The attributes every node sets are slots; the rarely set ones live in a
    # __dict__ made only when needed, with their defaults on the class.
    __slots__ = ("options", "needs_input_grad", "shape", "dtype", "_saved", "__dict__")
    _const_meta: Any = None  # (shape, dtype) per input that needs no gradient; None when all do
    _tensors = False  # whether the rule running now reads Tensors (else arrays)
    _positions: Any = None  # PyTorch-form Functions: which arguments of forward are the inputs
    fn: Any = None  # the Function subclass (set on each per-op node class)
    _array_rule: Any = None  # the rule a first-order pass runs on arrays (set per op)
    first_order_allocates = False  # (copied from the op)

    def __getattr__(self, name: str) -> Any:
        options = self.options
        if options is not None and name in options:
            return options[name]
        if options is None and not name.startswith("_"):
            raise RuntimeError(f"{self.name()}: option {name!r} was freed by backward(); "
                               "pass retain_graph=True to keep it")
        raise AttributeError(f"{self.name()} has no attribute or option {name!r}")

    # -- what the rule reads -----------------------------------------------------
    @property
    def inputs(self) -> tuple:
        saved = self._saved
        if saved is FREED:
            self._check_not_freed()
        if saved is None or saved[TENSORS] is None:  # the op saved no input
            return (None,) * len(self._next)
        return saved[TENSORS] if self._tensors else saved[ARRAYS]

    @property
    def out(self) -> Any:
        saved = self._saved
        if saved is None:
            return None
        if saved is FREED:
            self._check_not_freed()
        if saved[OUT] is None or not self._tensors:
            return saved[OUT]
        from autograd.function import make_tensor  # (function imports this module)

        return make_tensor(saved[OUT], self, saved[OUT_COUNTER])

    @property
    def input_shapes(self) -> tuple:
        """Each input's shape (an input that needs a gradient has its next node's)."""
        return self._input_meta(0)

    @property
    def input_dtypes(self) -> tuple:
        """Each input's dtype."""
        return self._input_meta(1)

    def _input_meta(self, which: int) -> tuple:
        meta = self._const_meta or (None,) * len(self._next)
        name = ("shape", "dtype")[which]
        return tuple([m[which] if n is None else getattr(n, name) for n, m in zip(self._next, meta)])

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
        checks = tuple((t._version, t._version[0]) for t in kept if t is not None)
        self._saved = (kept, arrays, checks, None, None, None)

    @property
    def is_freed(self) -> bool:
        """True once backward freed what this node saved."""
        return self._saved is FREED

    def _check_not_freed(self) -> None:
        if self._saved is FREED:
            raise RuntimeError(
                f"backward: trying to backward through the graph a second time: the saved tensors of "
                f"{self.name()} (output shape {self.shape}) were freed by the first backward(); "
                "pass retain_graph=True to the first call to keep them"
            )

    def check_versions(self) -> None:
        """Raise if a saved tensor was changed in place after it was saved."""
        saved = self._saved
        if saved is None or saved is FREED:
            return
        names = [f"input {i} (shape {t.shape})" for i, t in enumerate(saved[TENSORS] or ()) if t is not None]
        what = [(name, counter, version) for name, (counter, version) in zip(names, saved[CHECKS] or ())]
        if saved[OUT] is not None:
            what.append((f"its output (shape {self.shape})", saved[OUT_COUNTER], saved[OUT_VERSION]))
        for name, counter, version in what:
            if counter[0] != version:
                raise RuntimeError(
                    f"{self.fn.__name__} backward: {name} was modified in place after it was saved "
                    f"for backward (version {version} -> {counter[0]}); "
                    "compute a new tensor instead of changing it in place"
                )

    @property
    def saved_output(self) -> np.ndarray | None:
        """The output array, if the op saved it and backward has not freed it."""
        saved = self._saved
        return None if saved is None or saved is FREED else saved[OUT]

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
