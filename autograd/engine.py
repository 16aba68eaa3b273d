"""The graph core shared by ``Value`` and ``Tensor``.

A graph node is any object with this small protocol:

``_parents``
    tuple of the nodes it was computed from (empty for a leaf).
``requires_grad``
    whether gradients flow into it at all (parents without it are skipped).
``_receive_grad(g, accumulate, owned)``
    called once per backward pass with the node's *total* gradient; runs hooks,
    stores ``.grad`` where the node keeps one, and returns the (possibly
    replaced) gradient that flows on to the parents. ``owned`` says that no one
    else holds ``g``, so it may be kept as ``.grad`` without a copy.
``_vjp(g)``
    the local chain rule: a sequence of gradients, one per parent (``None``: none).
``_release()``
    drops what the node saved for backward (``retain_graph=False``), so that a
    later pass through it raises. The driver releases all nodes together once
    the pass has finished: an error half-way leaves the graph intact, and the
    activations go back to the allocator at once (as a hand-written backward
    would free them) instead of one by one while new gradients are allocated,
    which made glibc return and re-fault the memory on every step.

The backward driver (``run_backward``) is iterative (Kahn's algorithm on the
reversed graph): a node is processed only when every consumer has added its
contribution, so each gradient is complete when used and is popped from the
dict at that moment, HIPS-autograd style. No recursion: a million-node chain
is fine. ``Tensor.backward()`` runs a copy of this driver specialised to
first-order passes on numpy gradients (``autograd/backprop.py``), and
``Value.backward()`` one specialised to Values; ``autograd.grad`` and
``create_graph=True`` use this one.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

__all__ = [
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "run_backward",
    "consumer_counts",
]

F = TypeVar("F", bound=Callable[..., Any])


# ----------------------------------------------------------------------------
# Grad mode: thread-local, so ``no_grad`` in one thread never affects another.
# ----------------------------------------------------------------------------
class _GradMode(threading.local):
    enabled: bool = True


_mode = _GradMode()


def run_inside(make_context: Callable[[], Any], fn: F) -> F:
    """Decorator body shared by the mode switches: run ``fn`` inside a fresh
    ``make_context()`` on every call."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with make_context():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward (the default)."""
    return _mode.enabled


class set_grad_enabled:
    """Turn graph recording on or off; a context manager and a decorator.

    ``with set_grad_enabled(False): ...`` records nothing inside the block. As in
    PyTorch, calling it outside ``with`` sets the mode at once.
    """

    __slots__ = ("mode", "prev")

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev = _mode.enabled
        _mode.enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self.prev

    def __call__(self, fn: F) -> F:
        # used as a decorator: restore the mode we just set, switch per call
        _mode.enabled = self.prev
        mode = self.mode
        return run_inside(lambda: set_grad_enabled(mode), fn)


class _ModeSwitch:
    """Base of ``no_grad``/``enable_grad``: context manager and decorator."""

    _mode_value = True

    def __init__(self) -> None:
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(_mode.enabled)
        _mode.enabled = self._mode_value

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self._prev.pop()

    def __call__(self, fn: F) -> F:
        mode = self._mode_value
        return run_inside(lambda: set_grad_enabled(mode), fn)


class no_grad(_ModeSwitch):
    """Record nothing: ``with no_grad(): ...`` or ``@no_grad()``."""

    _mode_value = False


class enable_grad(_ModeSwitch):
    """Record again inside a ``no_grad`` block: ``with enable_grad(): ...``."""

    _mode_value = True


# ----------------------------------------------------------------------------
# Topological bookkeeping and the backward driver
# ----------------------------------------------------------------------------
def consumer_counts(roots: Iterable[Any], leaves: bool = True) -> dict[int, int]:
    """For every node reachable from ``roots`` that requires grad, how many
    edges lead into it from other reachable nodes (its fan-out in the graph).
    ``leaves=False`` leaves out the nodes without parents (a pass that simply
    sums a leaf's contributions does not need to count them).

    Iterative depth-first walk; each node is pushed once.
    """
    counts: dict[int, int] = {}
    stack = []
    for r in roots:
        if id(r) not in counts:
            counts[id(r)] = 0
            stack.append(r)
    while stack:
        node = stack.pop()
        for p in node._parents:
            if not p.requires_grad or not (leaves or p._parents):
                continue
            k = id(p)
            c = counts.get(k)
            if c is None:
                counts[k] = 1
                stack.append(p)
            else:
                counts[k] = c + 1
    return counts


def run_backward(
    roots: Sequence[Any],
    root_grads: Sequence[Any],
    *,
    retain_graph: bool = False,
    create_graph: bool = False,
    accumulate: bool = True,
    capture: Sequence[Any] = (),
) -> dict[int, Any]:
    """Propagate ``root_grads`` from ``roots`` back through the graph.

    ``accumulate=True`` is ``backward()``: gradients are added to ``.grad``.
    ``accumulate=False`` is ``autograd.grad``: nothing is stored; the gradients
    reaching the nodes in ``capture`` are returned as ``{id(node): grad}``.
    With ``create_graph=False`` the backward rules run under ``no_grad``.
    """
    counts = consumer_counts(roots)
    grads: dict[int, Any] = {}
    for r, g in zip(roots, root_grads):
        k = id(r)
        grads[k] = g if k not in grads else grads[k] + g
    want = {id(n) for n in capture}
    captured: dict[int, Any] = {}
    seen_roots: set[int] = set()
    ready = []
    for r in roots:
        if counts[id(r)] == 0 and id(r) not in seen_roots:
            seen_roots.add(id(r))
            ready.append(r)

    free = not retain_graph
    processed: list[Any] = []  # nodes to release when the pass is complete
    owned: set[int] = set()  # nodes whose grad buffer the driver allocated itself
    prev_mode = _mode.enabled
    _mode.enabled = create_graph
    pop_grad, push_ready = grads.pop, ready.append
    try:
        while ready:
            node = ready.pop()
            k = id(node)
            g = pop_grad(k, None)  # freed as soon as it is used
            if g is not None:
                g = node._receive_grad(g, accumulate, k in owned)
                if k in want:
                    captured[k] = g
            parents = node._parents
            if not parents:
                continue
            if g is not None:
                parent_grads = node._vjp(g)
                if free:
                    processed.append(node)
            else:
                parent_grads = (None,) * len(parents)
            for p, pg in zip(parents, parent_grads):
                if not p.requires_grad:
                    continue
                pk = id(p)
                if pg is not None:
                    add_contribution(grads, owned, pk, pg, g, node, parent_grads, not create_graph)
                left = counts[pk] - 1
                counts[pk] = left
                if not left:
                    push_ready(p)
    finally:
        _mode.enabled = prev_mode
    for node in processed:
        node._release()
    return captured


def add_contribution(grads: dict[int, Any], owned: set[int], pk: int, pg: Any, g: Any, node: Any,
                     parent_grads: Sequence[Any], own_sums: bool, allocated: bool = False) -> None:
    """``grads[pk] += pg``: one contribution to an input's gradient, summed
    in place where the pass owns the buffer (both drivers use this).

    A first contribution becomes the pass's own when the rule says it
    allocated it for this input (``allocated``, see
    ``Function.backward_numpy_allocates``) or when it is a new array of
    ``_OWN_MIN_BYTES`` or more given to this input alone; a sum the pass
    computed is its own when ``own_sums`` (first order: a recorded pass's
    sums are graph nodes, never written to)."""
    old = grads.get(pk)
    if old is None:
        grads[pk] = pg
        if allocated or getattr(pg, "nbytes", 0) >= _OWN_MIN_BYTES and _is_new(pg, g, node, parent_grads):
            owned.add(pk)  # a new array only this input gets: ours to add into
    elif pk in owned:
        old += pg  # our own sum buffer: accumulate in place, no temporary
        grads[pk] = old  # (a 0-d sum is a numpy scalar, which += replaces)
    else:
        grads[pk] = old + pg
        if own_sums:
            owned.add(pk)


# Below this size a copy costs less than asking whether one is needed.
_OWN_MIN_BYTES = 1 << 16


def _is_new(pg: Any, g: Any, node: Any, parent_grads: Sequence[Any]) -> bool:
    """True when a first-order rule allocated ``pg`` for one input alone.

    The driver may then keep it as a sum buffer (adding later contributions
    into it in place) and hand it to a leaf as its ``.grad`` without a copy.
    Anything else -- a view, the incoming gradient passed through, an array
    given to two inputs, an input's or the output's own data -- may be shared
    and is never written to.
    """
    if pg.base is not None or pg is g or pg is node.data:
        return False
    if any(pg is p.data for p in node._parents):
        return False
    return sum(1 for other in parent_grads if other is pg) == 1
