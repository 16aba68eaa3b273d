"""The one backward driver for Tensors: ``tensor.backward()`` and
``autograd.grad`` both run ``run_backward``, at first order (gradients are
numpy arrays) and with ``create_graph=True`` (gradients are Tensors and the
pass is itself recorded).

Kahn's algorithm on the graph of nodes, iterative (a million nodes, no
recursion): a node runs when every consumer has added its contribution, so
its gradient is complete; it is popped from the dict as it is used, and the
node frees what it saved right after its rule has run. Leaves' gradients are
simply summed (they are never "ready" before the end), and every ``.grad``
is written only once all rules have run: a backward that fails half-way
writes no ``.grad`` at all.

Who owns a gradient array (``add_contribution``): the pass may add into an
array in place, or hand it to a leaf as ``.grad`` without a copy, only when it
allocated that array itself: a sum it computed, or a rule's result that is
new and for one input alone. Everything else (``g`` passed through, a view,
an array a hook returned) is copied before anyone writes to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import function
from autograd.function import call_rule, make_tensor
from autograd.grad_mode import _mode
from autograd.graph import ARRAYS, FREED, OUT, AccumulateGrad, RetainGrad

__all__ = ["run_backward", "grad", "node_of"]


def node_of(t: Any, create: bool = False) -> Any:
    """The node a gradient for tensor ``t`` arrives at: its ``grad_fn``, or for
    a leaf its ``AccumulateGrad`` (made if ``create``; else None if unused)."""
    if t.grad_fn is not None:
        return t.grad_fn
    if t._acc is None and create:
        t._acc = AccumulateGrad(t)
    return t._acc


def run_backward(roots: Sequence[Any], seeds: Sequence[Any], *, retain_graph: bool = False,
                 create_graph: bool = False, targets: Sequence[Any] | None = None) -> dict[Any, Any]:
    """Propagate ``seeds`` (one per root node) back through the graph.

    ``targets=None`` is ``backward()``: leaf gradients are added to ``.grad``
    (and to non-leaves that called ``retain_grad()``). Otherwise it is
    ``autograd.grad``: nothing is written, only the nodes that lead to a
    target run, and ``{target node: gradient}`` is returned.
    """
    counts, needed = _dependencies(roots, targets)
    grads: dict[Any, Any] = {}
    leaves: dict[Any, None] = {}  # AccumulateGrad nodes that received a gradient
    ready = []
    for r, s in zip(roots, seeds):
        if r in grads:
            grads[r] = grads[r] + s
            continue
        grads[r] = s
        if type(r) is AccumulateGrad:
            leaves[r] = None
        elif not counts[r]:
            ready.append(r)
    want = set() if targets is None else set(targets)
    captured: dict[Any, Any] = {}
    retained: list[tuple[Any, Any, bool]] = []
    owned: set[Any] = set()  # nodes whose gradient array the pass allocated itself
    first_order = not create_graph
    pop_grad, push_ready = grads.pop, ready.append
    prev_mode = _mode.enabled
    _mode.enabled = create_graph  # a recorded pass records its rules' operations
    try:
        while ready:
            node = ready.pop()
            g = pop_grad(node, None)
            nexts = node._next
            if g is None or (needed is not None and node not in needed):
                pgs: Any = (None,) * len(nexts)
                allocated = False
            else:
                if node._hooks:
                    before = g
                    g, retain = _run_hooks(node._hooks, g)
                    if g is not before:
                        owned.discard(node)  # what a hook returns is not ours to keep
                    if retain is not None and targets is None:
                        retained.append((retain, g, node in owned))
                if want and node in want:
                    captured[node] = g
                pgs = call_rule(node, g, create_graph)
                allocated = first_order and node.first_order_allocates
            for n, pg in zip(nexts, pgs):
                if n is None:
                    continue
                if type(n) is AccumulateGrad:  # a leaf: summed, never counted
                    if pg is not None and (needed is None or n in needed):
                        add_contribution(grads, owned, n, pg, g, node, pgs, first_order, allocated)
                        leaves[n] = None
                    continue
                if pg is not None and (needed is None or n in needed):
                    add_contribution(grads, owned, n, pg, g, node, pgs, first_order, allocated)
                left = counts[n] - 1
                counts[n] = left
                if not left:
                    push_ready(n)
            if not retain_graph and g is not None:  # its rule has run: free what it saved
                node._saved = FREED
                node.options = None
    finally:
        _mode.enabled = prev_mode
    _finish(leaves, grads, owned, retained, want, captured, targets is None)
    return captured


def _dependencies(roots: Sequence[Any], targets: Sequence[Any] | None) -> tuple[dict, set | None]:
    """For each op node reachable from ``roots``: how many edges lead into it
    (leaves are summed, not counted). With ``targets``, also the set of nodes
    on a path to one of them (the only ones whose rules need to run)."""
    counts: dict[Any, int] = {}
    consumers: dict[Any, list] | None = None if targets is None else {}
    stack = []
    for r in roots:
        if r not in counts:
            counts[r] = 0
            stack.append(r)
    while stack:
        node = stack.pop()
        for n in node._next:
            if n is None:
                continue
            if consumers is not None:
                consumers.setdefault(n, []).append(node)
            if type(n) is AccumulateGrad:
                continue
            c = counts.get(n)
            if c is None:
                counts[n] = 1
                stack.append(n)
            else:
                counts[n] = c + 1
    if consumers is None:
        return counts, None
    needed = set(targets)
    stack = list(needed)
    while stack:
        for c in consumers.get(stack.pop(), ()):
            if c not in needed:
                needed.add(c)
                stack.append(c)
    return counts, needed


def _finish(leaves: dict, grads: dict, owned: set, retained: list, want: set, captured: dict,
            write: bool) -> None:
    """Every rule has run: leaf hooks run on their complete gradients, then
    every ``.grad`` is written (none if a hook raises), or the targets captured."""
    writes = []
    for acc in leaves:
        g, is_owned = grads[acc], acc in owned
        if acc._hooks:
            g, is_owned = _run_hooks(acc._hooks, g)[0], False
        if acc in want:
            captured[acc] = g
        if write:
            t = acc.variable
            if t is not None:
                writes.append((t, g, is_owned))
    for retain, g, is_owned in retained:
        t = retain.tensor()
        if t is not None:
            writes.append((t, g, is_owned))
    for t, g, is_owned in writes:
        t._accumulate_grad(g, is_owned)


def _run_hooks(hooks: list, g: Any) -> tuple[Any, Any]:
    """Call each hook with the gradient as a Tensor; a Tensor it returns
    replaces it. Returns (the gradient, the ``RetainGrad`` hook or None):
    ``retain_grad()`` is a hook that the pass runs after the others, when
    every rule has run."""
    raw = type(g) is np.ndarray
    t = make_tensor(g) if raw else g
    retain = None
    for hook in hooks:
        if type(hook) is RetainGrad:
            retain = hook
            continue
        new = hook(t)
        if new is not None:
            if not isinstance(new, function._Tensor) or new.shape != t.shape:
                raise RuntimeError(
                    f"hook {getattr(hook, '__name__', hook)!r} must return None or a "
                    f"Tensor of shape {t.shape}, got {getattr(new, 'shape', type(new))}"
                )
            t = new
    return (t._data if raw else t), retain


def add_contribution(grads: dict, owned: set, n: Any, pg: Any, g: Any, node: Any, pgs: Sequence[Any],
                     own_sums: bool, allocated: bool = False) -> None:
    """``grads[n] += pg``: one contribution to an input's gradient, summed in
    place where the pass owns the buffer.

    A first contribution becomes the pass's own when the rule says it
    allocated it for this input (``allocated``, see
    ``Function.first_order_allocates``) or when it is a new array of
    ``_OWN_MIN_BYTES`` or more given to this input alone; a sum the pass
    computed is its own when ``own_sums`` (first order: a recorded pass's
    sums are graph nodes, never written to)."""
    old = grads.get(n)
    if old is None:
        grads[n] = pg
        if allocated or getattr(pg, "nbytes", 0) >= _OWN_MIN_BYTES and _is_new(pg, g, node, pgs):
            owned.add(n)  # a new array only this input gets: ours to add into
    elif n in owned:
        old += pg  # our own sum buffer: accumulate in place, no temporary
        grads[n] = old  # (a 0-d sum is a numpy scalar, which += replaces)
    else:
        grads[n] = old + pg
        if own_sums:
            owned.add(n)


# Below this size a copy costs less than asking whether one is needed.
_OWN_MIN_BYTES = 1 << 16


def _is_new(pg: Any, g: Any, node: Any, pgs: Sequence[Any]) -> bool:
    """True when a first-order rule allocated ``pg`` for one input alone
    (not a view, not ``g`` passed through, not a saved array, not shared)."""
    if type(pg) is not np.ndarray or pg.base is not None or pg is g:
        return False
    saved = node._saved
    if saved is not None and (pg is saved[OUT] or any(pg is a for a in saved[ARRAYS] or ())):
        return False
    return sum(1 for other in pgs if other is pg) == 1


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None,
         materialize_grads: bool = False) -> tuple[Any, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, as a tuple (like
    ``torch.autograd.grad``); nothing is added to any ``.grad``.

    ``grad_outputs`` is the vector of the vector-Jacobian product, one per
    output (needed for non-scalar outputs). With ``create_graph=True`` the
    result is itself differentiable (higher-order derivatives). An input the
    outputs do not depend on raises, unless ``allow_unused=True`` (None for
    it) or ``materialize_grads=True`` (zeros for it).

    Works for ``Value`` graphs too (outputs and inputs all Values).
    """
    T = function._Tensor
    if _all_values(outputs) and _all_values(inputs):
        from autograd.value import value_grad

        return value_grad(outputs, inputs, retain_graph=bool(retain_graph), allow_unused=bool(allow_unused))
    outs = _as_tuple(outputs, "grad")
    ins = _as_tuple(inputs, "grad")
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and not allow_unused:
        raise ValueError("grad: materialize_grads=True needs allow_unused to be True or None")
    for i, t in enumerate(ins):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) does not require grad")
    if grad_outputs is None or isinstance(grad_outputs, T):
        grad_outputs = (grad_outputs,) * len(outs) if grad_outputs is None else (grad_outputs,)
    if len(grad_outputs) != len(outs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outs)} outputs")
    roots, seeds = [], []
    for i, (o, go) in enumerate(zip(outs, grad_outputs)):
        if not o.requires_grad:
            raise RuntimeError(f"grad: output {i} (shape {o.shape}) does not require grad and has no grad_fn")
        if go is None:
            if o.size != 1:
                raise RuntimeError(
                    f"grad: output {i} has shape {o.shape}; grad can be implicitly created only "
                    "for scalar outputs: pass grad_outputs"
                )
            go = make_tensor(np.ones_like(o._data))
        roots.append(node_of(o, create=True))
        seed = as_grad(go, o, "grad")
        seeds.append(seed if create_graph else seed._data)  # first order carries arrays
    if retain_graph is None:
        retain_graph = create_graph
    targets = [node_of(t) for t in ins]
    got = run_backward(roots, seeds, retain_graph=retain_graph, create_graph=create_graph,
                       targets=[n for n in targets if n is not None])
    result = []
    for i, (t, n) in enumerate(zip(ins, targets)):
        g = got.get(n) if n is not None else None
        if g is None:
            if materialize_grads:
                g = np.zeros_like(t._data)
            elif not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {t.shape}) was not used to compute the outputs; "
                    "pass allow_unused=True to get None for it"
                )
            else:
                result.append(None)
                continue
        if not isinstance(g, T):
            g = make_tensor(np.array(g))  # the caller's own array: nothing else holds it
        result.append(g)
    return tuple(result)


def _all_values(x: Any) -> bool:
    from autograd.value import Value

    items = x if isinstance(x, (list, tuple)) else (x,)
    return bool(items) and all(isinstance(v, Value) for v in items)


def _as_tuple(x: Any, op: str) -> tuple:
    T = function._Tensor
    if not isinstance(x, (T, list, tuple)):
        raise TypeError(f"{op}: expected a Tensor or a sequence of Tensors, got {type(x).__name__}")
    items = (x,) if isinstance(x, T) else tuple(x)
    for t in items:
        if not isinstance(t, T):
            raise TypeError(f"{op}: expected Tensors, got {type(t).__name__}")
    return items


def as_grad(gradient: Any, out: Any, op: str) -> Any:
    """``gradient`` as a Tensor of ``out``'s shape and dtype (a clear error otherwise)."""
    T = function._Tensor
    g = gradient if isinstance(gradient, T) else make_tensor(np.asarray(gradient, dtype=out.dtype))
    if g.shape != out.shape:
        raise ValueError(f"{op}: gradient has shape {g.shape} but the output has shape {out.shape}")
    if g.dtype != out.dtype:
        g = make_tensor(g._data.astype(out.dtype))
    return g
