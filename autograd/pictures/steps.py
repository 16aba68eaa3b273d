"""What the explorer's page shows, computed in Python from the engine's own
numbers: a description of every node (name, op, shape, value, gradient,
heatmaps, its module group) and the steps of the forward and backward passes.

- Forward steps run from the inputs, each op right after what it reads
  (a depth-first walk from the root, inputs in order).
- Backward steps are ``simulate_backward``'s (the engine's order and rules);
  each carries only the gradients it changed, so a page of a few hundred
  nodes stays small. A Tensor graph whose saved tensors ``backward()`` freed
  keeps the order, the rules with their shapes and the leaves' gradients,
  and says why the other numbers are gone and how to keep them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.graph import AccumulateGrad, topological_order
from autograd.pictures.dot import View
from autograd.pictures.groups import module_groups, parameter_names, repeated_blocks
from autograd.pictures.rules import public_op_name, rule_line
from autograd.pictures.values import constant_name, constant_value, missing_reason, recover_values
from autograd.pictures.walk import (
    _collect,
    _fmt,
    _names,
    _node_tensor,
    _start,
    _summary,
    input_names,
    simulate_backward,
)
from autograd.tensor import Tensor
from autograd.value import Value

__all__ = ["page_data", "HEATMAP_LIMIT"]

HEATMAP_LIMIT = 4096  # tensors up to this many elements get a heatmap of values and gradients
COLLAPSE_FROM = 120  # a bigger graph without a model shows its repeated blocks collapsed (the first of each kind open)


def _op_name(item: Any) -> str:
    if isinstance(item, Value):
        return item._op or "input"
    return "input" if isinstance(item, AccumulateGrad) else public_op_name(item.fn)


def page_data(root: Value | Tensor, max_nodes: int, model: Any = None) -> tuple[View, dict]:
    """The picture's ``View`` and the page's data: ``nodes`` (by uid),
    ``steps`` and ``groups``."""
    start = _start(root)
    items, _ = _collect(start, max(1, int(max_nodes)))
    params = parameter_names(model)
    names = _names(items, params, root)
    forward = forward_order(start, {id(i) for i in items})
    values: dict[int, Any] = {}
    if isinstance(root, Tensor):
        live = {id(n): t for n in items if (t := _node_tensor(n, root)) is not None}
        values = recover_values(forward, live)
    groups = module_groups(model, items) if isinstance(root, Tensor) else {}
    blocks = repeated_blocks(forward, _op_name) if not groups and len(items) > COLLAPSE_FROM else []
    collapsed = {id(b["top"]): b for b in blocks if not b["first"]}
    view = View(names=names, params=params, values=values, groups=groups, grad_slot=True, collapsed=collapsed)
    nodes = {str(id(item)): _describe(item, root, names, values) for item in items}
    for b in collapsed.values():  # a collapsed block's nodes are shown as (and found through) its box
        top = str(id(b["top"]))
        nodes[top]["block"] = {"label": b["label"], "members": [str(id(m)) for m in b["members"]]}
        for m in b["members"]:
            if m is not b["top"]:
                nodes[str(id(m))]["shownAs"] = top
    nodes.update(_constants(items))
    steps = [{"phase": "forward", "node": str(id(item)), "text": _forward_text(item, names, values),
              "grads": {}} for item in forward]
    steps += _backward_steps(root, items, names, nodes)
    group_list = []
    for i, g in enumerate(groups.values()):
        members = [str(m) for m in g["members"]]
        group_list.append({"id": f"group{i}", "label": g["label"], "members": members,
                           "output": next((str(id(it)) for it in forward[::-1] if str(id(it)) in members), None)})
        for m in members:
            nodes[m]["group"] = f"group{i}"
    return view, {"nodes": nodes, "steps": steps, "groups": group_list}


def forward_order(start: Any, kept: set[int]) -> list:
    """The kept items, each right after the inputs it reads (depth first from
    the root, inputs in order): x, W1, b1, the first layer, ..., the loss."""
    order, done = [], set()
    stack: list[tuple[Any, bool]] = [(start, False)]
    while stack:
        item, expanded = stack.pop()
        if id(item) in done:
            continue
        if expanded:
            done.add(id(item))
            order.append(item)
            continue
        stack.append((item, True))
        for p in reversed(list(item._prev)):
            if p is not None and id(p) in kept and id(p) not in done:
                stack.append((p, False))
    return order


def _forward_text(item: Any, names: dict, values: dict) -> str:
    name = names[id(item)]
    if isinstance(item, Value):
        if not item._op:
            return f"{name} = {item.data:.4f} (an input)"
        inputs = [names.get(id(p), "const") for p in item._prev]
        return f"{name} = {item._op}({', '.join(inputs)}) = {item.data:.4f}"
    shape = "(" + ", ".join(map(str, item.shape)) + ("," if len(item.shape) == 1 else "") + ")"
    if isinstance(item, AccumulateGrad):
        return f"{name}: an input that needs a gradient (a parameter), shape {shape}"
    value = values.get(id(item))
    shown = _summary(value) if value is not None else f"value {missing_reason(item)}"
    return f"{name} = {public_op_name(item.fn)}({', '.join(input_names(item, names))}): shape {shape}, {shown}"


def _describe(item: Any, root: Any, names: dict, values: dict) -> dict:
    if isinstance(item, Value):
        known = root.grad != 0.0  # after backward(); before it every grad is 0, not yet known
        return {"name": names[id(item)], "kind": "value", "op": item._op or "input", "data": f"{item.data:.6g}",
                "grad": f"{item.grad:.6g}" if known else None, "heat": None, "missing": None, "group": None}
    t = _node_tensor(item, root)
    leaf = isinstance(item, AccumulateGrad)
    value = values.get(id(item))
    grad = None if t is None or t.grad is None else t.grad.numpy()
    info = {"name": names[id(item)], "kind": "tensor", "op": "input" if leaf else public_op_name(item.fn),
            "shape": list(item.shape), "dtype": str(item.dtype), "data": None, "grad": None, "heat": None,
            "missing": None if value is not None else missing_reason(item), "group": None}
    if value is not None:
        info["data"] = _summary(value)
    if grad is not None:
        info["grad"] = _summary(grad)
    if value is not None and np.size(value) <= HEATMAP_LIMIT:
        info["heat"] = {"values": _grid(value), "grad": None if grad is None else _grid(grad)}
    return info


def _constants(items: list) -> dict:
    """The constant inputs' boxes (``<uid>c<i>``): shown, never stepped on."""
    out = {}
    for item in items:
        for j, p in enumerate(getattr(item, "_prev", ())):
            if p is None and not isinstance(item, Value):
                value = constant_value(item, j)
                out[f"{id(item)}c{j}"] = {
                    "name": constant_name(item, j), "kind": "const", "op": "constant",
                    "shape": list(item.input_shapes[j]),
                    "dtype": str(item.input_dtypes[j]), "grad": None, "group": None,
                    "data": None if value is None else _summary(value),
                    "missing": None if value is not None else "not kept: its op's backward does not read it",
                    "heat": {"values": _grid(value), "grad": None} if value is not None
                    and value.size <= HEATMAP_LIMIT else None}
    return out


def _backward_steps(root: Any, items: list, names: dict, nodes: dict) -> list:
    kept = {id(i) for i in items}
    try:
        simulated = list(simulate_backward(root, names))
    except RuntimeError:  # backward() freed the saved tensors: the order, the rules, what is kept
        return _freed_steps(root, kept, names, nodes)
    steps, final = [], {}
    for node, lines, grads in simulated:
        if id(node) not in kept:
            continue
        changed = {str(id(p)) for p in node._prev if p is not None and id(p) in kept}
        if not steps:  # the root: its gradient, the seed, is known from the first step
            changed.add(str(id(node)))
        steps.append({"phase": "backward", "node": str(id(node)), "text": "\n".join(lines),
                      "grads": {uid: _fmt(grads[int(uid)]) for uid in changed if int(uid) in grads}})
        final = grads
    for key, g in final.items():  # each small tensor's whole gradient as a heatmap, once it is complete
        heat = nodes.get(str(key), {}).get("heat")
        if heat is not None and heat["grad"] is None:
            heat["grad"] = _grid(g)
    return steps


def _freed_steps(root: Any, kept: set, names: dict, nodes: dict) -> list:
    steps = []
    for node in topological_order([_start(root)]):
        if id(node) not in kept:
            continue
        uid, name = str(id(node)), names[id(node)]
        lines = [f"processing {name}: {nodes[uid]['grad'] or 'its gradient'} -- the numbers of this step were "
                 "freed by backward(); explore before backward(), or after backward(retain_graph=True), to "
                 "see them (the rule and its shapes are kept)"]
        if not isinstance(node, AccumulateGrad):
            in_names = input_names(node, names)
            lines += [rule_line(node, j, in_names) for j, p in enumerate(node._prev) if p is not None]
        known = {uid: nodes[uid]["grad"]} if nodes[uid]["grad"] is not None else {}
        steps.append({"phase": "backward", "node": uid, "text": "\n".join(lines), "grads": known})
    return steps


def _grid(a: Any) -> list:
    """A 2-d list of floats for a heatmap (rows: every axis but the last)."""
    a = np.asarray(a, dtype=np.float64)
    a = a.reshape(1, -1) if a.ndim < 2 else a.reshape(-1, a.shape[-1])
    return np.where(np.isfinite(a), a, 0.0).round(6).tolist()
