"""The walk the pictures share: which items a picture shows (a ``Value``'s
graph, or a Tensor's backward nodes), their names, and the backward pass
simulated step by step (``simulate_backward``) with the engine's own walk
(``graph.topological_order``) and its own rule runner
(``engine.node_gradients``), writing and freeing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from autograd.engine import node_gradients
from autograd.grad_mode import no_grad
from autograd.graph import AccumulateGrad, topological_order
from autograd.pictures.rules import public_op_name, rule_line
from autograd.pictures.values import constant_name
from autograd.tensor import Tensor
from autograd.value import Value

__all__ = ["simulate_backward", "input_names"]


def _num(x: float) -> str:
    return f"{x:.4f}" if abs(x) < 1e4 else f"{x:.3g}"


def _summary(values: Any) -> str:
    arr = np.asarray(values)
    if arr.size == 0:
        return "empty"
    if arr.size <= 4:
        return "[" + ", ".join(_num(float(v)) for v in arr.ravel()) + "]"
    return f"mean {_num(float(arr.mean()))}  min {_num(float(arr.min()))}  max {_num(float(arr.max()))}"


def _node_tensor(node: Any, root: Tensor) -> Tensor | None:
    """The live Tensor a node stands for, if there is one: the root, a leaf,
    or a non-leaf that called ``retain_grad()``."""
    if isinstance(node, AccumulateGrad):
        return node.variable
    if node is root.grad_fn:
        return root
    return node.retained_tensor


def _inputs(item: Any) -> list[Any]:
    """What an item of the picture was computed from: a Value's inputs, or a
    graph node's next nodes (None for an input that needs no gradient)."""
    return list(item._prev)


def _collect(start: Any, max_nodes: int) -> tuple[list[Any], set[int]]:
    """Items reachable from ``start``, breadth first, at most ``max_nodes``;
    also the ids of kept items whose inputs were cut off."""
    order, seen, cut = [start], {id(start)}, set()
    i = 0
    while i < len(order):
        item = order[i]
        i += 1
        for p in _inputs(item):
            if p is None or id(p) in seen:
                continue
            if len(order) >= max_nodes:
                cut.add(id(item))
                continue
            seen.add(id(p))
            order.append(p)
    return order, cut


def _start(root: Value | Tensor) -> Any:
    """The first item of a picture: the Value, or the root tensor's node."""
    if isinstance(root, Value):
        return root
    node = root.grad_fn or root._acc
    return node if node is not None else AccumulateGrad(root) if root.requires_grad else None


def simulate_backward(root: Value | Tensor, names: dict[int, str] | None = None
                      ) -> Iterator[tuple[Any, list[str], dict[int, Any]]]:
    """The backward pass, step by step, without writing or freeing anything:
    for each node in the engine's order, ``(node, lines, grads)``: the
    chain-rule lines applied there (for a Tensor op, its rule with this
    step's names and shapes, ``grad(W) += grad(out)ᵀ @ x  (5, 8)ᵀ @ (5, 4) ->
    (8, 4)``) and every gradient known so far (by the graph item's ``id``).
    Needs the saved tensors (before ``backward()``, or after
    ``backward(retain_graph=True)``). ``names`` maps an item's ``id`` to
    the name to show (the explorer's), by default ``_names``'."""
    if not root.requires_grad:
        raise ValueError("backward_steps: the root does not require grad (no graph to step through)")
    start = _start(root)
    order = topological_order([start])
    one = 1.0 if isinstance(root, Value) else np.ones_like(root._data)
    grads: dict[int, Any] = {id(start): one}
    names = {**_names(order), **(names or {})}  # (items a bounded picture left out keep their own names)
    with no_grad():
        for node in order:
            g = grads[id(node)]
            lines = [f"processing {names[id(node)]}: grad = {_fmt(g)}"]
            inputs = _inputs(node)
            if inputs:
                for j, (p, (factor, contribution)) in enumerate(zip(inputs, _local_products(node, g))):
                    if p is None or contribution is None:
                        continue
                    old = grads.get(id(p))
                    grads[id(p)] = contribution if old is None else old + contribution
                    lines.append(_chain_line(node, j, p, names, g, factor, contribution))
            yield node, lines, dict(grads)


def _chain_line(node: Any, j: int, p: Any, names: dict[int, str], g: Any, factor: str, contribution: Any) -> str:
    """A Value's product (``grad(x) += grad(out) * dout/dx = 0.5 * 2.0``), or
    a Tensor op's rule with names and shapes, then the contribution's summary."""
    a, out = names[id(p)], names[id(node)]
    if isinstance(node, Value):
        return f"grad({a}) += grad({out}) * d{out}/d{a} = {_fmt(g)} * {factor}"
    return f"{rule_line(node, j, input_names(node, names))}   = {_fmt(contribution)}"


def input_names(node: Any, names: dict[int, str]) -> list[str]:
    """The names of a Tensor node's inputs (a constant input: its own name
    if the node saved it, else ``const``)."""
    return [names.get(id(p), "const") if p is not None else constant_name(node, j) for j, p in enumerate(node._prev)]


def _fmt(g: Any) -> str:
    return _num(g) if isinstance(g, float) else _summary(np.asarray(g))


def _names(items: list[Any], params: dict[int, str] | None = None, root: Any = None) -> dict[int, str]:
    """A name for each item: its parameter name in ``params`` (a model's
    ``state_dict`` key, by the parameter's ``id``); else a Value's label or a
    tensor's ``name``; else the op and a number counted from the inputs
    (``MatMul#3``, ``leaf#0``)."""
    names = {}
    params = params or {}
    for i, n in enumerate(reversed(items)):
        if isinstance(n, Value):
            label = params.get(id(n)) or n.label or f"{n._op or 'leaf'}#{i}"
        elif isinstance(n, AccumulateGrad):
            var = n.variable
            label = (params.get(id(var)) or var.name if var is not None else "") or f"leaf#{i}"
        else:
            t = n.retained_tensor
            if t is None and root is not None and n is root.grad_fn:
                t = root
            label = (t.name if t is not None else "") or f"{public_op_name(n.fn)}#{i}"
        names[id(n)] = label
    return names


def _local_products(node: Any, g: Any) -> list[tuple[str, Any]]:
    """For each input: (the factor as text, the gradient contribution)."""
    if isinstance(node, Value):  # (a Value keeps its few local derivatives after backward(), for this)
        return [(_num(d), d * g) for d in node._kept_local]
    if node.is_freed:
        raise RuntimeError("backward_steps: this graph was freed by backward(); "
                           "draw it before, or use backward(retain_graph=True)")
    contributions = node_gradients(node, g, False)  # the vector-Jacobian product of this op
    return [("", c) for c in contributions]
