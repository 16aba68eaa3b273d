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
from pathlib import Path
from typing import Any

import graphviz

from autograd.graph import AccumulateGrad
from autograd.pictures.walk import _collect, _inputs, _node_tensor, _num, _start, _summary, simulate_backward
from autograd.tensor import Tensor
from autograd.value import Value

__all__ = ["draw_graph", "backward_steps", "to_svg", "find_renderer", "GraphPicture", "escape_label", "RenderError"]

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


def _value_label(v: Value, grad: float | None = None, show_grad: bool = True) -> str:
    parts = []
    if v.label:
        parts.append(v.label)
    parts.append(f"data {_num(v.data)}")
    if show_grad:
        parts.append(f"grad {_num(v.grad if grad is None else grad)}")
    return "{ " + " | ".join(escape_label(p) for p in parts) + " }"


def _record(parts: list[str]) -> str:
    return "{" + " | ".join(escape_label(p) for p in parts) + "}"


def _tensor_node_label(node: Any, root: Tensor, grad: Any, show_grad: bool) -> str:
    """Shape and dtype, the value's summary where it is known (a leaf, the
    root, a retained or saved output) and the gradient's where it is known."""
    t = _node_tensor(node, root)
    leaf = isinstance(node, AccumulateGrad)
    title = (t.name if t is not None else "") or ("param" if leaf else "tensor")
    parts = [f"{title} {node.shape} {node.dtype}"]
    if t is not None:
        parts.append(_summary(t._data))
    elif not leaf and node.saved_output is not None:
        parts.append(_summary(node.saved_output))
    if show_grad:
        if grad is None and t is not None and t.grad is not None:
            grad = t.grad
        if grad is not None:
            parts.append("grad " + _summary(grad._data if isinstance(grad, Tensor) else grad))
    return _record(parts)


def draw_graph(root: Value | Tensor, rankdir: str = "LR", show_grad: bool = True, max_nodes: int = 80,
               highlight: Any = None, grads: dict[int, Any] | None = None, caption: str = "") -> GraphPicture:
    """Draw the graph that produced ``root`` (inputs on the left with rankdir="LR").

    Works before and after ``backward()``: the graph's structure outlives the
    pass (only the saved tensors are freed), so the picture has the same boxes
    and arrows, now with the leaves' gradients. ``max_nodes`` bounds the
    picture: beyond it, inputs are collapsed into one "... more" node, so a
    real network's graph stays readable and never hangs a notebook.
    ``highlight``/``grads``/``caption`` are used by ``backward_steps``.
    """
    if not isinstance(root, (Value, Tensor)):
        raise TypeError(f"draw_graph: expected a Value or Tensor, got {type(root).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_graph: rankdir must be LR, TB, RL or BT, got {rankdir!r}")
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
    for item in items:
        uid = str(id(item))
        g = None if grads is None else grads.get(id(item))
        style: dict[str, str] = {"shape": "record"}
        if isinstance(item, Value):
            label = _value_label(item, g if grads is not None else None, show_grad)
            op = item._op
            if not item._prev:
                style.update(style="filled", fillcolor=_LEAF_COLOUR)
        else:
            label = _tensor_node_label(item, root, g, show_grad)
            op = "" if isinstance(item, AccumulateGrad) else item.fn.__name__
            if isinstance(item, AccumulateGrad):
                style.update(style="filled", fillcolor=_LEAF_COLOUR)
        if highlight is not None and item is highlight:
            style.update(style="filled,bold", fillcolor=_HIGHLIGHT, penwidth="2")
        dot.node(uid, label=label, **style)
        if op:
            _draw_op(dot, item, uid, op, kept, len(items) if id(item) in cut else 0)
    return dot


def _draw_op(dot: GraphPicture, item: Any, uid: str, op: str, kept: set[int], shown_if_cut: int) -> None:
    """The op's ellipse and its edges from each input (a grey box for a constant
    input, a red ``sum_to`` label where broadcasting is undone, a "... more"
    stub where the picture was cut)."""
    dot.node(uid + "op", label=op, shape="ellipse", style="filled", fillcolor="white")
    dot.edge(uid + "op", uid)
    for i, p in enumerate(_inputs(item)):
        edge: dict[str, str] = {}
        if op == "BroadcastTo":
            shape = item.input_shapes[i]
            edge = {"label": f"sum_to {shape}", "color": "#c0392b", "fontcolor": "#c0392b"}
        if p is None:  # an input that needs no gradient: a constant
            cid = f"{uid}c{i}"
            const = _record([f"const {item.input_shapes[i]} {item.input_dtypes[i]}"])
            dot.node(cid, label=const, shape="record", style="filled", fillcolor=_CONST_COLOUR)
            dot.edge(cid, uid + "op", **edge)
        elif id(p) in kept:
            dot.edge(str(id(p)), uid + "op", **edge)
    if shown_if_cut:
        dot.node(uid + "more", label=f"... more ({shown_if_cut} of the graph shown)", shape="plaintext")
        dot.edge(uid + "more", uid + "op", style="dashed")


def backward_steps(root: Value | Tensor, rankdir: str = "LR") -> Iterator[GraphPicture]:
    """One picture per step of the backward pass, in the engine's order: the
    node being processed is highlighted and the caption shows the chain-rule
    products applied there, e.g. ``grad(w) += grad(out) * x = 1.0 * 2.0``.

    The pass is simulated (nothing is written to ``.grad``, nothing is freed);
    call it before ``backward()`` or after ``backward(retain_graph=True)``.
    """
    for node, lines, grads in simulate_backward(root):
        caption = "\\l".join(lines) + "\\l"  # \l: left-justified lines in Graphviz labels
        yield draw_graph(root, rankdir=rankdir, highlight=node, grads=grads, caption=caption)


