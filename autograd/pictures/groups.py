"""Parameter names and module groups for the pictures and the explorer.

``explore(loss, model=model)`` and ``draw_graph(loss, model=model)`` take any
object with ``named_parameters()`` (an ``nn.Module``; autograd never imports
nn): each parameter is shown under its ``state_dict`` key (``0.weight``),
for Tensors and for Values (``nn.scalar``'s ``layers.0.neurons.1.w.0``, whose
own labels say only ``w0``). The parameters are named when
the graph is explored, not when they are made, so a model's tensors carry no
names they would have to keep in step with the model.

A module that holds parameters becomes a group (``named_modules()`` gives its
type): its parameters, the ops on them alone (a transpose of the weight, the
bias broadcast) and the ops that read those directly, so a ``Linear`` is one
box that opens into its ``Linear`` op (or ``MatMul`` and ``Add``) and its
parameters.
"""

from __future__ import annotations

from typing import Any

from autograd.graph import AccumulateGrad

__all__ = ["parameter_names", "module_groups"]


def parameter_names(model: Any) -> dict[int, str]:
    """``{id(parameter): "0.weight", ...}`` from ``model.named_parameters()``."""
    if model is None:
        return {}
    named = getattr(model, "named_parameters", None)
    if not callable(named):
        raise TypeError(f"model: expected an object with named_parameters() (an nn.Module), "
                        f"got {type(model).__name__}")
    return {id(p): name for name, p in named()}


def _module_types(model: Any) -> dict[str, str]:
    named = getattr(model, "named_modules", None)
    return {name: type(m).__name__ for name, m in named()} if callable(named) else {}


def module_groups(model: Any, items: list[Any]) -> dict[str, dict]:
    """``{prefix: {"label": "0: Linear", "members": [item ids]}}``: for each
    module that owns parameters in the graph, its parameters' leaves and the
    ops that read them."""
    if model is None:
        return {}
    names, types = parameter_names(model), _module_types(model)
    owner: dict[int, str] = {}
    for item in items:
        if isinstance(item, AccumulateGrad) and item.variable is not None and id(item.variable) in names:
            owner[id(item)] = names[id(item.variable)].rpartition(".")[0]
    core = dict(owner)  # the parameters, and ops on them alone (a weight's transpose)
    for item in reversed(items):  # (items run from the root down: reversed, inputs come first)
        prev = list(getattr(item, "_prev", ()))  # (a constant input, None, keeps an op out of the core)
        prefixes = {None if p is None else core.get(id(p)) for p in prev}
        if prev and len(prefixes) == 1 and None not in prefixes:
            core[id(item)] = owner[id(item)] = prefixes.pop()
    for item in items:  # the ops that read them: a Linear op, or a MatMul and an Add
        if id(item) not in owner:
            prefix = next((core[id(p)] for p in getattr(item, "_prev", ()) if p is not None and id(p) in core), None)
            if prefix is not None:
                owner[id(item)] = prefix
    groups: dict[str, dict] = {}
    for item in items:
        if id(item) in owner:
            prefix = owner[id(item)]
            label = f"{prefix}: {types[prefix]}" if prefix in types and prefix else prefix or types.get("", "model")
            groups.setdefault(prefix, {"label": label, "members": []})["members"].append(id(item))
    return groups


def repeated_blocks(forward: list[Any], op_of: Any, least: int = 3, smallest: int = 3) -> list[dict]:
    """Repeated structure: each subgraph that occurs ``least`` times or more
    (the same ops on the same shapes, of ``smallest`` nodes or more, used only
    through its top) is a block, ``{"top": item, "members": [items], "label":
    "tanh block 2 of 50"}``, numbered in forward order. ``forward``: the
    items, inputs first; ``op_of(item)``: an item's op name."""
    consumers: dict[int, int] = {}
    for item in forward:
        for p in getattr(item, "_prev", ()):
            if p is not None:
                consumers[id(p)] = consumers.get(id(p), 0) + 1
    signature: dict[int, int] = {}
    inside: dict[int, list[Any]] = {}
    for item in forward:  # inputs first: a node's signature and block come from its inputs'
        prev = [p for p in getattr(item, "_prev", ()) if p is not None and id(p) in inside]  # (not cut off)
        signature[id(item)] = hash((op_of(item), getattr(item, "shape", None), len(item._prev),
                                    tuple(signature[id(p)] for p in prev)))
        inside[id(item)] = [m for p in prev if consumers.get(id(p)) == 1 for m in inside[id(p)]] + [item]
    counts: dict[int, int] = {}
    for item in forward:
        counts[signature[id(item)]] = counts.get(signature[id(item)], 0) + 1
    blocks, taken = [], set()
    for item in reversed(forward):  # the largest blocks first
        members = inside[id(item)]
        if counts[signature[id(item)]] >= least and len(members) >= smallest \
                and not any(id(m) in taken for m in members):
            taken.update(id(m) for m in members)
            blocks.append({"top": item, "members": members, "sig": signature[id(item)]})
    order = {id(item): i for i, item in enumerate(forward)}
    blocks.sort(key=lambda b: order[id(b["top"])])
    seen: dict[int, int] = {}
    for b in blocks:
        seen[b["sig"]] = seen.get(b["sig"], 0) + 1
        b["label"] = f"{op_of(b['top'])} block {seen[b['sig']]} of {sum(c['sig'] == b['sig'] for c in blocks)}"
        b["first"] = seen[b["sig"]] == 1
    return blocks
