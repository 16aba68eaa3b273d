"""The backward driver: one pass for ``tensor.backward()`` and ``autograd.grad``,
at first order (gradients are numpy arrays) and with ``create_graph=True``
(gradients are Tensors, and the pass is itself recorded).

The pass is the chain rule over the graph in topological order
(``graph.topological_order``): when a node is reached, every node that uses
it has added its share, so its gradient is complete; the node's rule turns
it into one gradient per input, and those are summed into the inputs' nodes.
Leaves' ``.grad`` are written only when every rule has run, so a backward
that fails half-way writes no ``.grad`` at all.

Each op's ``backward`` (Tensor operations) is its definition. At first order
the driver may run a faster kernel on arrays instead, when the op registered
one in ``fast_backward``; the op registry's tests check every kernel against
its op's definition.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.function import check_finite
from autograd.grad_mode import _anomaly, _mode
from autograd.graph import FREED, AccumulateGrad, RetainGrad, make_tensor, topological_order

__all__ = ["fast_backward", "GradientSums", "run_backward", "node_gradients", "composite_backward"]

#: op (a Function subclass) -> ``kernel(ctx, g)``: its first-order backward on
#: arrays (``g`` and ``ctx.saved``'s arrays in, one array or None per input
#: out). The driver uses it when the pass is not recorded.
fast_backward: dict[type, Callable[[Any, np.ndarray], tuple]] = {}


class GradientSums(dict):
    """node -> the gradient summed for it so far in this pass.

    The one rule of ownership: the pass adds into an array in place only if
    the pass itself allocated that array as a sum. Any other array (an
    input's gradient a rule returned, which may be ``g`` itself, a view, or
    shared with another input) is only ever read; a leaf takes it as its
    ``.grad`` only when nothing else refers to it (``run_backward``)."""

    def __init__(self) -> None:
        super().__init__()
        self.own: set = set()  # the nodes whose sums this pass allocated

    def add(self, node: Any, g: Any) -> None:
        old = self.get(node)
        if old is None:
            self[node] = g
        elif node in self.own:
            old += g  # our own sum: in place, no temporary
            self[node] = old  # (a 0-d sum is a numpy scalar, which += replaces)
        else:
            total = old + g
            if type(g) is np.ndarray:  # (a recorded pass's sums are graph nodes, never written to)
                if type(total) is not np.ndarray:  # two 0-d arrays add up to a numpy scalar
                    total = np.asarray(total)
                self.own.add(node)
            self[node] = total


def run_backward(roots: list, seeds: list, retain_graph: bool = False, create_graph: bool = False,
                 targets: list | None = None) -> dict:
    """Propagate ``seeds`` (one per root node) back through the graph.

    ``targets=None`` is ``backward()``: leaf gradients are added to ``.grad``
    (and to non-leaves that called ``retain_grad()``). Otherwise it is
    ``autograd.grad``: nothing is written, only the nodes that lead to a
    target run, and ``{target node: gradient}`` is returned."""
    order = topological_order(roots)
    runs = None if targets is None else _leading_to(order, targets)
    sums = GradientSums()
    for root, seed in zip(roots, seeds):
        sums.add(root, seed)
    finished: list = []  # (tensor, its complete gradient) for leaves and retain_grad() tensors
    captured: dict = {}
    previous, _mode.enabled = _mode.enabled, create_graph  # a recorded pass records its rules
    try:
        for node in order:
            g = sums.pop(node, None)
            if g is None:
                continue
            if node._hooks:
                g = _run_hooks(node, g, finished)
            if runs is not None:  # autograd.grad: capture the targets, run only what leads to one
                if node in targets:
                    captured[node] = g
                if node not in runs:
                    continue
            if type(node) is AccumulateGrad:
                finished.append((node._variable(), g))
                continue
            for next_node, gi in zip(node._prev, node_gradients(node, g, create_graph)):
                if gi is not None and next_node is not None:
                    sums.add(next_node, gi)
            if not retain_graph and node.saved is not None:
                node.saved = FREED  # its rule has run: free what it saved
    finally:
        _mode.enabled = previous
    node = g = gi = None  # (the loop's own references, so that they do not count below)
    while finished and targets is None:  # every rule has run: write the .grad of each leaf
        tensor, g = finished.pop()
        if tensor is None:  # a leaf that no longer exists
            continue
        if tensor.grad is not None:  # gradients accumulate, into a new array
            old = tensor.grad
            tensor.grad = old + g if type(g) is not np.ndarray else make_tensor(np.asarray(old._data + g))
        elif type(g) is np.ndarray and (g.base is not None or sys.getrefcount(g) > 2):
            tensor.grad = make_tensor(g.copy())  # an array someone else holds too: copied
        else:  # an array only this pass holds is taken as it is, as PyTorch's AccumulateGrad does
            tensor.grad = g if type(g) is not np.ndarray else make_tensor(g)
    return captured


def node_gradients(node: Any, g: Any, recorded: bool) -> Any:
    """One gradient per input of ``node`` from its output's gradient ``g``:
    its op's fast kernel on arrays at first order, else its ``backward`` on
    Tensors. Checked: a saved tensor changed in place raises, and so does a
    result of the wrong count, shape, dtype or kind, naming the op."""
    saved = node.saved
    if saved is not None:
        if saved is FREED:
            node.raise_freed()
        for counter, version in saved.versions:
            if counter[0] != version:
                saved.check_versions(node)
        if saved.out is not None and saved.out_counter[0] != saved.out_version:
            saved.check_versions(node)
    kernel = None if recorded else fast_backward.get(node.fn)
    if kernel is None or _anomaly.enabled:
        return _run_definition(node, g, recorded, kernel)
    if type(g) is not np.ndarray:
        g = np.asarray(g)  # numpy turns 0-d results (a 0-d sum, say) into scalars
    grads = kernel(node, g)
    if len(grads) != len(node._prev):
        return _checked(node, grads, kernel, np.ndarray)
    for gi, n in zip(grads, node._prev):  # the usual well-formed result, checked inline
        if gi is not None and n is not None and (type(gi) is not np.ndarray or gi.shape != n.shape
                                                 or gi.dtype is not n.dtype):  # (numpy's dtypes are singletons)
            return _checked(node, grads, kernel, np.ndarray)
    return grads


def _run_definition(node: Any, g: Any, recorded: bool, kernel: Any) -> list:
    """The op's ``backward`` on Tensors (or, under ``detect_anomaly``, its
    fast kernel), with anomaly mode told which op's backward is running."""
    outer, _anomaly.in_backward_of = _anomaly.in_backward_of, node.fn.__name__
    try:
        if kernel is not None:
            return _checked(node, kernel(node, np.asarray(g)), kernel, np.ndarray)
        rule = node.fn.backward
        grads = rule(node, g if recorded else make_tensor(np.asarray(g)))
        if node._positions is not None:  # PyTorch's form: one gradient per argument of forward
            grads = (grads,) if grads is None or hasattr(grads, "grad_fn") else tuple(grads)
            if len(grads) != node._n_args:
                raise RuntimeError(f"{node.fn.__name__}.backward returned {len(grads)} gradient(s) for the "
                                   f"{node._n_args} argument(s) of forward")
            grads = tuple(grads[i] for i in node._positions)
        checked = _checked(node, grads, rule, None)
        return checked if recorded else [None if gi is None else gi._data for gi in checked]
    finally:
        _anomaly.in_backward_of = outer


def _checked(node: Any, grads: Any, rule: Any, kind: type | None) -> list:
    """A rule's result with every check: one gradient of type ``kind`` (an
    array, or a Tensor when None) or None per input, each of its input's
    shape and dtype."""
    name = f"{node.fn.__name__}.{getattr(rule, '__name__', 'backward')}"
    if isinstance(grads, (np.ndarray, np.generic)) or grads is None or hasattr(grads, "grad_fn"):
        grads = (grads,)
    if len(grads) != len(node._prev):
        raise RuntimeError(f"{name} returned {len(grads)} gradient(s) for {len(node._prev)} input(s)")
    out = []
    for i, gi in enumerate(grads):
        if gi is None or node._prev[i] is None:
            out.append(None)
            continue
        if isinstance(gi, np.generic):
            gi = np.asarray(gi)  # numpy turns 0-d results into scalars
        if not (isinstance(gi, kind) if kind is not None else hasattr(gi, "grad_fn")):
            raise TypeError(f"{name} must return {'arrays' if kind is np.ndarray else 'Tensors'} (or None), "
                            f"got {type(gi).__name__} for input {i}")
        shape, dtype = node.input_shapes[i], node.input_dtypes[i]
        if gi.shape != shape or gi.dtype != dtype:
            raise RuntimeError(
                f"{name} returned {type(gi).__name__} of shape {gi.shape} and dtype {gi.dtype} "
                f"for input {i}, which has shape {shape} and dtype {dtype}"
            )
        if _anomaly.enabled:
            check_finite(node.fn.__name__, "backward", np.asarray(gi), node.input_shapes, node)
        out.append(gi)
    return out


def _leading_to(order: list, targets: list) -> set:
    """The nodes whose rules ``autograd.grad`` must run: those with an input
    on a path to one of ``targets`` (``order`` lists users before inputs)."""
    needed, runs = set(targets), set()
    for node in reversed(order):  # inputs first: a node is needed if one of its inputs is
        if any(p in needed for p in node._prev if p is not None):
            needed.add(node)
            runs.add(node)
    return runs


def _run_hooks(node: Any, g: Any, finished: list) -> Any:
    """Call each hook on the node with the gradient as a Tensor; a Tensor it
    returns replaces it. ``retain_grad()``'s hook comes after the others: its
    tensor's ``.grad`` is written with the leaves' when every rule has run."""
    raw = type(g) is np.ndarray
    t = make_tensor(g) if raw else g
    retained = None
    for hook in node._hooks:
        if type(hook) is RetainGrad:
            retained = hook.tensor
            continue
        new = hook(t)
        if new is not None:
            if not hasattr(new, "grad_fn") or new.shape != t.shape:
                raise RuntimeError(
                    f"hook {getattr(hook, '__name__', hook)!r} must return None or a "
                    f"Tensor of shape {t.shape}, got {getattr(new, 'shape', type(new))}"
                )
            t = new
    g = t._data if raw else t
    if retained is not None:
        finished.append((retained(), g))
    return g


def composite_backward(ctx: Any, g: Any, composite: Callable[..., Any]) -> tuple:
    """The definition of a fused primitive's derivative: the vector-Jacobian
    product of its composite form, ``composite(*ctx.inputs)`` written with
    Tensor ops, recorded so that it can be differentiated again. (The fused
    op's fast kernel is the first-order path; the op registry checks that
    both agree.) Needs every input saved."""
    inputs, needs = ctx.inputs, ctx.needs_input_grad
    recorded = _mode.enabled
    _mode.enabled = True
    try:
        out = composite(*inputs)
    finally:
        _mode.enabled = recorded
    wanted = [t.grad_fn or t._acc for t, need in zip(inputs, needs) if need]
    got = run_backward([out.grad_fn], [g if recorded else g._data], retain_graph=True,
                       create_graph=recorded, targets=wanted)
    grads = iter(wanted)
    result = []
    for t, need in zip(inputs, needs):
        gi = got.get(next(grads)) if need else None
        if need and gi is None:  # connected, but the derivative is identically zero
            gi = np.zeros_like(t._data)
        result.append(make_tensor(gi) if type(gi) is np.ndarray else gi)
    return tuple(result)
