"""Pictures of computation graphs: ``draw_graph`` and ``backward_steps`` return
``graphviz.Digraph`` objects (Jupyter shows them inline); ``to_svg`` renders one.

Rendering uses the system ``dot`` when there is one, and otherwise the
``graphviz-pure`` renderer that ``pip install glassgrad`` brings, so pictures
work on a machine with no Graphviz installed.

Scalars (``Value``) are drawn micrograd-style: a record per value with its
label, data and grad, and a small node per operation. A Tensor graph is drawn
from its nodes (``grad_fn``): each op's output with its shape and dtype, its
value's summary where it is known (leaves, the root, retained or saved
outputs) and, after backward, the gradients of the leaves and of tensors that
called ``retain_grad()``. Leaves that require grad are blue, constants grey,
and an edge into a ``BroadcastTo`` is marked with the ``sum_to`` its gradient
goes through.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import graphviz

from autograd.graph import AccumulateGrad, topological_order
from autograd.pictures.groups import module_groups, parameter_names
from autograd.pictures.rules import public_op_name
from autograd.pictures.values import constant_name, constant_value
from autograd.pictures.walk import _collect, _inputs, _names, _node_tensor, _num, _start, _summary, simulate_backward
from autograd.tensor import Tensor
from autograd.value import Value

__all__ = ["draw_graph", "backward_steps", "to_svg", "find_renderer", "GraphPicture", "escape_label", "RenderError",
           "View", "draw_view"]

_LEAF_COLOUR = "#d6e9ff"
_CONST_COLOUR = "#eeeeee"
_HIGHLIGHT = "#ffe08a"


class RenderError(RuntimeError):
    """No Graphviz renderer could be found or run."""


def find_renderer() -> str | None:
    """Path of a ``dot``-compatible program: the system ``dot`` first, then the
    ``graphviz-pure`` binary installed with glassgrad (found next to this
    Python even when it is not on PATH)."""
    system = shutil.which("dot")
    if system:
        return system
    candidates = [Path(sysconfig.get_path("scripts")) / "graphviz-pure"]
    candidates += [Path(p) / "graphviz-pure" for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    return None


def _render(source: str, fmt: str = "svg") -> bytes:
    program = find_renderer()
    if program is None:
        raise RenderError(
            "to_svg: no Graphviz renderer found. glassgrad depends on 'graphviz-pure', which ships one: "
            "reinstall with `pip install glassgrad` (or `pip install graphviz-pure`), or install Graphviz "
            "(`apt-get install graphviz`)"
        )
    done = subprocess.run([program, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=60)
    if done.returncode != 0:
        raise RenderError(f"to_svg: {program} failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


class GraphPicture(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders through ``find_renderer()``, so that
    Jupyter's inline display and ``pipe()`` work without a system Graphviz."""

    def pipe(self, format: str | None = None, renderer: Any = None, formatter: Any = None,  # noqa: A002
             neato_no_op: Any = None, quiet: bool = False, *, engine: Any = None,
             encoding: str | None = None) -> Any:
        data = _render(self.source, format or self.format or "svg")
        return data.decode(encoding) if encoding else data

    def _repr_image_svg_xml(self) -> str:
        return to_svg(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None, **_: Any) -> dict[str, str]:
        return {"image/svg+xml": to_svg(self)}


def to_svg(graph: graphviz.Digraph | str) -> str:
    """The SVG text of a graph (a Digraph or DOT source)."""
    source = graph if isinstance(graph, str) else graph.source
    return _render(source, "svg").decode("utf-8")


# -- labels ---------------------------------------------------------------------------
def escape_label(text: str) -> str:
    """Escape the characters that Graphviz record labels treat as structure."""
    return text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("|", "\\|") \
        .replace("<", "\\<").replace(">", "\\>").replace('"', '\\"')


@dataclass
class View:
    """What a picture shows beyond the graph itself (the explorer fills it in):
    ``names`` by item id, recovered forward ``values`` by node id, module
    ``groups`` (``groups.module_groups``), and ``grad_slot``: a gradient field
    in every box, for the page to fill in as the backward pass reaches it."""

    names: dict[int, str] = field(default_factory=dict)
    params: dict[int, str] = field(default_factory=dict)
    values: dict[int, Any] = field(default_factory=dict)
    groups: dict[str, dict] = field(default_factory=dict)
    grad_slot: bool = False
    collapsed: dict[int, dict] = field(default_factory=dict)  # a block's top id -> {"label", "members"}


GRAD_SLOT = "grad: not reached yet by the backward pass"  # (the page replaces this text as the pass reaches the box)


def _value_label(v: Value, grad: float | None, show_grad: bool, view: View) -> str:
    parts = [view.names.get(id(v), "") if view.names else view.params.get(id(v)) or v.label]
    parts.append(f"data {_num(v.data)}")
    if view.grad_slot:
        parts.append(GRAD_SLOT)
    elif show_grad:
        parts.append(f"grad {_num(v.grad if grad is None else grad)}")
    return "{ " + " | ".join(escape_label(p) for p in parts if p) + " }"


def _record(parts: list[str]) -> str:
    return "{" + " | ".join(escape_label(p) for p in parts) + "}"


def _tensor_node_label(node: Any, root: Tensor, grad: Any, show_grad: bool, view: View) -> str:
    """Name, shape and dtype, the value's summary where it is known (a leaf,
    the root, a retained, saved or recovered output) and the gradient's."""
    t = _node_tensor(node, root)
    leaf = isinstance(node, AccumulateGrad)
    title = view.names.get(id(node)) or (view.params.get(id(t)) or t.name if t is not None else "") or \
        ("param" if leaf else "tensor")
    parts = [f"{title} {node.shape} {node.dtype}"]
    value = t._data if t is not None else view.values.get(id(node))
    if value is None and not leaf:
        value = node.saved_output
    if value is not None:
        parts.append(_summary(value))
    elif view.grad_slot:
        parts.append("value: not kept")
    if view.grad_slot:
        parts.append(GRAD_SLOT)
    elif show_grad:
        if grad is None and t is not None and t.grad is not None:
            grad = t.grad
        if grad is not None:
            parts.append("grad " + _summary(grad._data if isinstance(grad, Tensor) else grad))
    return _record(parts)


def draw_graph(root: Value | Tensor, rankdir: str = "LR", show_grad: bool = True, max_nodes: int = 80,
               highlight: Any = None, grads: dict[int, Any] | None = None, caption: str = "",
               model: Any = None) -> GraphPicture:
    """Draw the graph that produced ``root`` (inputs on the left with rankdir="LR").

    Works before and after ``backward()``: the graph's structure outlives the
    pass (only the saved tensors are freed), so the picture has the same boxes
    and arrows, now with the leaves' gradients. ``max_nodes`` bounds the
    picture: beyond it, inputs are collapsed into one "... more" node, so a
    real network's graph stays readable and never hangs a notebook.
    ``model`` (anything with ``named_parameters()``, an ``nn.Module``) names
    its parameters with their ``state_dict`` keys and draws each module that
    owns parameters as a labelled group. ``highlight``/``grads``/``caption``
    are used by ``backward_steps``.
    """
    if not isinstance(root, (Value, Tensor)):
        raise TypeError(f"draw_graph: expected a Value or Tensor, got {type(root).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_graph: rankdir must be LR, TB, RL or BT, got {rankdir!r}")
    view = View(params=parameter_names(model))
    start = _start(root)
    if start is not None and model is not None and isinstance(root, Tensor):
        view.groups = module_groups(model, _collect(start, max(1, int(max_nodes)))[0])
    return draw_view(root, rankdir, show_grad, max_nodes, view, highlight, grads, caption)


def draw_view(root: Value | Tensor, rankdir: str, show_grad: bool, max_nodes: int, view: View,
              highlight: Any = None, grads: dict[int, Any] | None = None, caption: str = "") -> GraphPicture:
    """``draw_graph`` with a ``View`` (names, values, groups, a gradient slot)."""
    dot = GraphPicture(format="svg", graph_attr={"rankdir": rankdir, "fontname": "Helvetica"},
                       node_attr={"fontname": "Helvetica", "fontsize": "11"},
                       edge_attr={"fontname": "Helvetica", "fontsize": "9"})
    if caption:
        dot.attr(label=caption, labelloc="t", fontsize="12")
    start = _start(root)
    if start is None:  # a constant tensor: no graph, one box
        dot.node(str(id(root)), label=_record([f"const {root.shape} {root.dtype}", _summary(root._data)]),
                 shape="record", style="filled", fillcolor=_CONST_COLOUR)
        return dot
    items, cut = _collect(start, max(1, int(max_nodes)))
    kept = {id(n) for n in items}
    group_of = {m: key for key, g in view.groups.items() for m in g["members"]}
    clusters = {key: graphviz.Digraph(name=f"cluster_{i}", graph_attr={
        "label": g["label"], "style": "rounded,filled", "fillcolor": "#f3f6fb", "color": "#8aa4c8",
        "id": f"group{i}"}) for i, (key, g) in enumerate(view.groups.items())}
    hidden = {id(m) for b in view.collapsed.values() for m in b["members"] if m is not b["top"]}
    for item in items:
        if id(item) in hidden:  # inside a collapsed block: drawn as the block
            continue
        if id(item) in view.collapsed:
            _draw_block(dot, view.collapsed[id(item)], kept, hidden, view)
            continue
        target = clusters.get(group_of.get(id(item)), dot)
        _draw_item(target, item, root, view, show_grad, highlight, grads)
        op = item._op if isinstance(item, Value) else "" if isinstance(item, AccumulateGrad) \
            else public_op_name(item.fn)
        if op:
            _draw_op(target, dot, item, str(id(item)), op, kept, len(items) if id(item) in cut else 0, view)
    for cluster in clusters.values():
        dot.subgraph(cluster)
    return dot


def _draw_block(dot: GraphPicture, block: dict, kept: set[int], hidden: set[int], view: View) -> None:
    """A repeated block, collapsed into one box (its top's value, its label),
    with an edge from each input it reads from outside."""
    top, uid = block["top"], str(id(block["top"]))
    value = f"data {_num(top.data)}" if isinstance(top, Value) else \
        _summary(view.values[id(top)]) if id(top) in view.values else "value: not kept"
    dot.node(uid, label=_record([f"{block['label']} ({len(block['members'])} nodes)", value, GRAD_SLOT]),
             shape="record", style="filled,dashed", fillcolor="#eef2fa")
    inside = {id(m) for m in block["members"]}
    for m in block["members"]:
        for p in getattr(m, "_prev", ()):
            if p is not None and id(p) not in inside and id(p) in kept and id(p) not in hidden:
                dot.edge(str(id(p)), uid)


def _draw_item(dot: Any, item: Any, root: Any, view: View, show_grad: bool, highlight: Any,
               grads: dict[int, Any] | None) -> None:
    g = None if grads is None else grads.get(id(item))
    style: dict[str, str] = {"shape": "record"}
    if isinstance(item, Value):
        label = _value_label(item, g if grads is not None else None, show_grad, view)
        if not item._prev:
            style.update(style="filled", fillcolor=_LEAF_COLOUR)
    else:
        label = _tensor_node_label(item, root, g, show_grad, view)
        if isinstance(item, AccumulateGrad):
            style.update(style="filled", fillcolor=_LEAF_COLOUR)
    if highlight is not None and item is highlight:
        style.update(style="filled,bold", fillcolor=_HIGHLIGHT, penwidth="2")
    dot.node(str(id(item)), label=label, **style)


def _draw_op(box: Any, dot: GraphPicture, item: Any, uid: str, op: str, kept: set[int], shown_if_cut: int,
             view: View) -> None:
    """The op's ellipse and its edges from each input (a grey box for a constant
    input, a red ``sum_to`` label where broadcasting is undone, a "... more"
    stub where the picture was cut)."""
    box.node(uid + "op", label=op, shape="ellipse", style="filled", fillcolor="white")
    dot.edge(uid + "op", uid)
    for i, p in enumerate(_inputs(item)):
        edge: dict[str, str] = {}
        if op == "BroadcastTo":
            shape = item.input_shapes[i]
            edge = {"label": f"sum_to {shape}", "color": "#c0392b", "fontcolor": "#c0392b"}
        if p is None:  # an input that needs no gradient: a constant
            cid = f"{uid}c{i}"
            value = constant_value(item, i)
            name = constant_name(item, i)
            parts = [f"{name if name != 'const' else ''} const {item.input_shapes[i]} {item.input_dtypes[i]}".strip()]
            if value is not None and view.grad_slot:
                parts.append(_summary(value))
            box.node(cid, label=_record(parts), shape="record", style="filled", fillcolor=_CONST_COLOUR)
            dot.edge(cid, uid + "op", **edge)
        elif id(p) in kept:
            dot.edge(str(id(p)), uid + "op", **edge)
    if shown_if_cut:
        dot.node(uid + "more", label=f"... more ({shown_if_cut} of the graph shown)", shape="plaintext")
        dot.edge(uid + "more", uid + "op", style="dashed")


def backward_steps(root: Value | Tensor, rankdir: str = "LR", model: Any = None) -> Iterator[GraphPicture]:
    """One picture per step of the backward pass, in the engine's order: the
    node being processed is highlighted and the caption shows the chain-rule
    products applied there, e.g. ``grad(w) += grad(out) * x = 1.0 * 2.0``.

    The pass is simulated (nothing is written to ``.grad``, nothing is freed);
    call it before ``backward()`` or after ``backward(retain_graph=True)``
    (a Value graph: at any time). ``model`` names parameters as in
    ``draw_graph``.
    """
    start = _start(root)
    names = None if model is None or start is None else _names(topological_order([start]), parameter_names(model))
    for node, lines, grads in simulate_backward(root, names):
        caption = "\\l".join(lines) + "\\l"  # \l: left-justified lines in Graphviz labels
        yield draw_graph(root, rankdir=rankdir, highlight=node, grads=grads, caption=caption, model=model)


