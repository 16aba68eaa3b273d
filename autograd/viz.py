"""Pictures of computation graphs: ``draw_graph`` and ``backward_steps`` return
``graphviz.Digraph`` objects (Jupyter shows them inline); ``to_svg`` renders one.

Rendering uses the system ``dot`` when there is one, and otherwise the
``graphviz-pure`` renderer that ``pip install glassgrad`` brings, so pictures
work on a machine with no Graphviz installed.

Scalars (``Value``) are drawn micrograd-style: a record per value with its
label, data and grad, and a small node per operation. Tensors show shape,
dtype, a value summary and (after backward) the gradient's summary; leaves that
require grad are blue, constants grey, and an edge into a ``BroadcastTo`` is
marked with the ``sum_to`` its gradient goes through.
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
import numpy as np

from autograd.engine import consumer_counts, no_grad
from autograd.tensor import Tensor
from autograd.value import Value

__all__ = ["draw_graph", "backward_steps", "to_svg", "find_renderer", "GraphPicture", "escape_label"]

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
def _num(x: float) -> str:
    return f"{x:.4f}" if abs(x) < 1e4 else f"{x:.3g}"


def _summary(arr: np.ndarray) -> str:
    if arr.size == 0:
        return "empty"
    if arr.size <= 4:
        return "[" + ", ".join(_num(float(v)) for v in arr.ravel()) + "]"
    return f"mean {_num(float(arr.mean()))}  min {_num(float(arr.min()))}  max {_num(float(arr.max()))}"


def escape_label(text: str) -> str:
    """Escape the characters that Graphviz record labels treat as structure."""
    return text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}").replace("|", "\\|") \
        .replace("<", "\\<").replace(">", "\\>").replace('"', '\\"')


def _tensor_label(t: Tensor, grad: Any = None) -> str:
    title = t.name or ("param" if t.is_leaf and t.requires_grad else ("const" if t.is_leaf else "tensor"))
    parts = [f"{title} {t.shape} {t.dtype}", _summary(t.data)]
    g = grad if grad is not None else t.grad
    if g is not None:
        parts.append("grad " + _summary(g.data if isinstance(g, Tensor) else np.asarray(g)))
    return "{" + " | ".join(escape_label(p) for p in parts) + "}"


def _value_label(v: Value, grad: float | None = None, show_grad: bool = True) -> str:
    parts = []
    if v.label:
        parts.append(v.label)
    parts.append(f"data {_num(v.data)}")
    if show_grad:
        parts.append(f"grad {_num(v.grad if grad is None else grad)}")
    return "{ " + " | ".join(escape_label(p) for p in parts) + " }"


def _op_name(node: Any) -> str:
    if isinstance(node, Value):
        return node._op
    return node._fn.__name__ if node._fn is not None else ""


def _parents(node: Any) -> list[Any]:
    return [p for p in node._parents if isinstance(p, (Value, Tensor))]


def _collect(root: Any, max_nodes: int) -> tuple[list[Any], set[int]]:
    """Nodes reachable from ``root``, breadth first, at most ``max_nodes``;
    also the ids of kept nodes whose inputs were cut off."""
    order, seen, cut = [root], {id(root)}, set()
    i = 0
    while i < len(order):
        node = order[i]
        i += 1
        for p in _parents(node):
            if id(p) in seen:
                continue
            if len(order) >= max_nodes:
                cut.add(id(node))
                continue
            seen.add(id(p))
            order.append(p)
    return order, cut


def draw_graph(root: Value | Tensor, rankdir: str = "LR", show_grad: bool = True, max_nodes: int = 80,
               highlight: Any = None, grads: dict[int, Any] | None = None, caption: str = "") -> GraphPicture:
    """Draw the graph that produced ``root`` (inputs on the left with rankdir="LR").

    ``max_nodes`` bounds the picture: beyond it, inputs are collapsed into one
    "... more" node, so a real network's graph stays readable and never hangs
    a notebook. ``highlight``/``grads``/``caption`` are used by ``backward_steps``.
    """
    if not isinstance(root, (Value, Tensor)):
        raise TypeError(f"draw_graph: expected a Value or Tensor, got {type(root).__name__}")
    if rankdir not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"draw_graph: rankdir must be LR, TB, RL or BT, got {rankdir!r}")
    nodes, cut = _collect(root, max(1, int(max_nodes)))
    dot = GraphPicture(format="svg", graph_attr={"rankdir": rankdir, "fontname": "Helvetica"},
                       node_attr={"fontname": "Helvetica", "fontsize": "11"},
                       edge_attr={"fontname": "Helvetica", "fontsize": "9"})
    if caption:
        dot.attr(label=caption, labelloc="t", fontsize="12")
    for node in nodes:
        uid = str(id(node))
        g = None if grads is None else grads.get(id(node))
        style: dict[str, str] = {"shape": "record"}
        if isinstance(node, Value):
            label = _value_label(node, g if grads is not None else None, show_grad)
            if not node._parents:
                style.update(style="filled", fillcolor=_LEAF_COLOUR)
        else:
            label = _tensor_label(node, g if grads is not None else None) if show_grad else _tensor_label(node)
            if node.is_leaf:
                style.update(style="filled", fillcolor=_LEAF_COLOUR if node.requires_grad else _CONST_COLOUR)
        if highlight is not None and node is highlight:
            style.update(style="filled,bold", fillcolor=_HIGHLIGHT, penwidth="2")
        dot.node(uid, label=label, **style)
        op = _op_name(node)
        parents = _parents(node)
        if op and (parents or id(node) in cut):
            dot.node(uid + "op", label=op, shape="ellipse", style="filled", fillcolor="white")
            dot.edge(uid + "op", uid)
            for p in parents:
                if id(p) not in {id(n) for n in nodes}:
                    continue
                edge: dict[str, str] = {}
                if isinstance(node, Tensor) and op == "BroadcastTo":
                    edge = {"label": f"sum_to {p.shape}", "color": "#c0392b", "fontcolor": "#c0392b"}
                dot.edge(str(id(p)), uid + "op", **edge)
        if id(node) in cut:
            dot.node(uid + "more", label=f"... more ({len(nodes)} of the graph shown)", shape="plaintext")
            dot.edge(uid + "more", uid + "op" if op else uid, style="dashed")
        if isinstance(node, Tensor) and node._fn is not None and not parents:
            dot.node(uid + "freed", label="graph freed by backward()", shape="plaintext", fontcolor="gray40")
            dot.edge(uid + "freed", uid + "op" if op else uid, style="dotted")
    return dot


def backward_steps(root: Value | Tensor, rankdir: str = "LR") -> Iterator[GraphPicture]:
    """One picture per step of the backward pass, in the engine's order: the
    node being processed is highlighted and the caption shows the chain-rule
    products applied there, e.g. ``grad(w) += grad(out) * x = 1.0 * 2.0``.

    The pass is simulated (nothing is written to ``.grad``, nothing is freed);
    call it before ``backward()`` or after ``backward(retain_graph=True)``.
    """
    if not root.requires_grad:
        raise ValueError("backward_steps: the root does not require grad (no graph to step through)")
    counts = consumer_counts([root])
    one = 1.0 if isinstance(root, Value) else Tensor._wrap(np.ones_like(root.data))
    grads: dict[int, Any] = {id(root): one}
    names = _names(root)
    ready = [root]
    with no_grad():
        while ready:
            node = ready.pop()
            g = grads[id(node)]
            lines = [f"processing {names[id(node)]}: grad = {_fmt(g)}"]
            if isinstance(node, Tensor) and node._fn is not None and not _parents(node):
                raise RuntimeError("backward_steps: this graph was freed by backward(); "
                                   "draw it before, or use backward(retain_graph=True)")
            if _parents(node):
                for p, (factor, contribution) in zip(node._parents, _local_products(node, g)):
                    if not p.requires_grad or contribution is None:
                        continue
                    old = grads.get(id(p))
                    grads[id(p)] = contribution if old is None else old + contribution
                    a, out = names[id(p)], names[id(node)]
                    lines.append(f"grad({a}) += grad({out}) * d{out}/d{a} = {_fmt(g)} * {factor}")
                for p in node._parents:
                    if p.requires_grad:
                        counts[id(p)] -= 1
                        if counts[id(p)] == 0:
                            ready.append(p)
            caption = "\\l".join(lines) + "\\l"  # \l: left-justified lines in Graphviz labels
            yield draw_graph(root, rankdir=rankdir, highlight=node, grads=dict(grads), caption=caption)


def _fmt(g: Any) -> str:
    return _num(g) if isinstance(g, float) else _summary(g.data)


def _names(root: Any) -> dict[int, str]:
    nodes, _ = _collect(root, 10**9)
    names = {}
    for i, n in enumerate(reversed(nodes)):
        label = n.label if isinstance(n, Value) else n.name
        names[id(n)] = label or f"{_op_name(n) or 'leaf'}#{i}"
    return names


def _local_products(node: Any, g: Any) -> list[tuple[str, Any]]:
    """For each parent: (the factor as text, the gradient contribution)."""
    if isinstance(node, Value):
        if node._local is None:
            raise RuntimeError("backward_steps: this graph was freed by backward(); use backward(retain_graph=True)")
        return [(_num(d), d * g) for d in node._local]
    from autograd.function import run_rule

    contributions = run_rule(node, g)  # the vector-Jacobian product of this op
    return [(f"(J^T of {node._fn.__name__}) -> {_fmt(c) if c is not None else 'none'}", c) for c in contributions]
