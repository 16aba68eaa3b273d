"""``Tensor.backward``'s first-order pass: the engine's driver specialised to
Tensors whose gradients are plain numpy arrays.

Same algorithm as ``engine.run_backward`` (Kahn's algorithm on the reversed
graph, gradients in a dict popped as soon as they are used, the graph released
only when the pass has finished), with what a ``backward()`` call never needs
taken out: no captured gradients, no Tensor gradients, no ``create_graph``.
What is left is one loop that hands each node's array gradient straight to
its ``backward_numpy`` rule (``function.run_numpy_rule``: the version check
and the check of the rule's result, shared with the generic driver), sums
the leaves' contributions without counting them, and writes ``.grad`` once at
the end. This loop runs once per node on every training step, and the generic
driver's per-node calls had cost as much as the numpy work of a small layer.
Ops without a ``backward_numpy`` rule go through ``function.run_rule``.

One thing this pass does better than the generic driver: the leaves' ``.grad``
(and those of non-leaves with ``retain_grad()``) are written only after every
rule has run, so an error half-way (an input modified in place, a rule
returning the wrong shape, a freed graph) leaves every ``.grad`` as it was.
Hooks on non-leaf tensors run when their gradient is complete, as in
PyTorch; hooks on leaves run once the rules are done, just before the writes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.engine import _mode, add_contribution, consumer_counts
from autograd.function import FREED, run_numpy_rule, run_rule


def backward_first_order(root: Any, seed: np.ndarray, retain_graph: bool) -> None:
    """Accumulate d(root)/d(leaf) into ``.grad`` of every leaf reached from
    ``root``, starting from the array ``seed`` (``root``'s own gradient)."""
    if root._fn is None:  # a leaf is its own gradient
        _write_grads([], {id(root): root}, {id(root): seed}, set())
        return
    counts = consumer_counts((root,), leaves=False)  # a leaf's contributions are just summed
    grads: dict[int, Any] = {id(root): seed}
    leaves: dict[int, Any] = {}  # the leaves that received a gradient, by id
    ready = [root]
    processed: list[Any] = []  # nodes to release when the pass is complete
    retained: list[tuple[Any, Any, bool]] = []  # (non-leaf with retain_grad, its gradient, owned)
    owned: set[int] = set()  # nodes whose gradient array the pass allocated itself
    pop_grad, push_ready = grads.pop, ready.append
    prev_mode = _mode.enabled
    _mode.enabled = False  # a rule without backward_numpy runs its Tensor ops unrecorded
    try:
        while ready:
            node = ready.pop()
            k = id(node)
            g = pop_grad(k, None)  # freed as soon as it is used
            parents = node._parents
            if g is None:  # every consumer sent None: pass the news on
                parent_grads: Any = (None,) * len(parents)
                allocated = False
            else:
                if node._hooks:
                    g = node._run_hooks(g)
                if node._retains_grad:  # a hook's result is not ours to keep
                    retained.append((node, g, k in owned and not node._hooks))
                fn = node._fn
                rule = fn.backward_numpy
                if rule is None or parents is FREED:
                    parent_grads = run_rule(node, g)  # the Tensor rule, or the freed-graph error
                    allocated = False
                else:
                    parent_grads = run_numpy_rule(node, rule, g)
                    allocated = fn.backward_numpy_allocates  # then no copy of them is needed
                processed.append(node)
            for p, pg in zip(parents, parent_grads):
                if not p.requires_grad:
                    continue
                pk = id(p)
                if pg is not None:
                    add_contribution(grads, owned, pk, pg, g, node, parent_grads, True, allocated)
                if p._fn is None:
                    if pg is not None:
                        leaves[pk] = p  # its sum is complete when the loop ends
                else:
                    left = counts[pk] - 1
                    counts[pk] = left
                    if not left:
                        push_ready(p)
    finally:
        _mode.enabled = prev_mode
    _write_grads(retained, leaves, grads, owned)
    if not retain_graph:
        for node in processed:
            node._release()


def _write_grads(retained: list, leaves: dict[int, Any], grads: dict[int, Any], owned: set[int]) -> None:
    """Every rule has run: the leaves' hooks run on their complete gradients,
    then every ``.grad`` is written (none if a hook raises)."""
    writes = retained
    for k, leaf in leaves.items():
        g, is_owned = grads[k], k in owned
        if leaf._hooks:
            g, is_owned = leaf._run_hooks(g), False  # a hook's result is not ours to keep
        writes.append((leaf, g, is_owned))
    for tensor, g, is_owned in writes:
        tensor._accumulate_grad(g, is_owned)
