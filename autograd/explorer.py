"""The backprop explorer: one self-contained HTML page (inline SVG, script and
style, nothing fetched) in which a learner steps through the forward pass and
then the backward pass of a graph, and points at any node to see its value
and gradient.

The layout is ``draw_graph``'s (Graphviz, through ``to_svg``). The steps are
computed here, in Python, and travel as JSON: each forward step names the
node computed; each backward step names the node processed, its chain-rule
lines (``grad(x) += grad(out) * dout/dx = ...``) and every gradient known so
far. The page's script only shows them, so what it shows is the engine's own
numbers. Before ``backward()`` (or after ``backward(retain_graph=True)``)
every step has its numbers; after a plain ``backward()`` the saved tensors are
freed, so the steps keep their order and the leaves' gradients, and say so.
"""

from __future__ import annotations

import html
import json
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from autograd.graph import AccumulateGrad, topological_order
from autograd.pictures.dot import draw_graph, to_svg
from autograd.pictures.walk import _collect, _fmt, _inputs, _names, _node_tensor, _start, _summary, simulate_backward
from autograd.tensor import Tensor
from autograd.value import Value

__all__ = ["Explorer", "explore"]

HEATMAP_LIMIT = 4096  # tensors up to this many elements get a heatmap of values and gradients


def explore(root: Value | Tensor, rankdir: str = "LR", max_nodes: int = 80) -> Explorer:
    """An interactive page for the graph that produced ``root``: step
    controls (buttons, arrow keys, a slider) walk the forward pass, then the
    backward pass with the node being processed highlighted and its
    chain-rule product written out; hovering or clicking a node shows its
    value and gradient (and, for a small tensor, heatmaps of both).
    ``Explorer.save(path)`` writes the page; in Jupyter it displays inline."""
    if not isinstance(root, (Value, Tensor)):
        raise TypeError(f"explore: expected a Value or Tensor, got {type(root).__name__}")
    if not root.requires_grad:
        raise ValueError("explore: the root does not require grad (no graph to step through)")
    return Explorer(root, rankdir, max_nodes)


class Explorer:
    """A built explorer page: ``.html`` (the whole page), ``save(path)``,
    ``steps`` (the data the page shows) and ``_repr_html_`` for Jupyter (an
    isolated frame, so several explorers in one notebook never interfere)."""

    def __init__(self, root: Value | Tensor, rankdir: str = "LR", max_nodes: int = 80) -> None:
        svg = to_svg(draw_graph(root, rankdir=rankdir, show_grad=False, max_nodes=max_nodes))
        self.nodes, self.steps = _graph_data(root, max_nodes)
        self.html = _page(svg, self.nodes, self.steps)

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.html, encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
                'style="width: 100%; height: 640px; border: 1px solid #ddd"></iframe>')


def _graph_data(root: Value | Tensor, max_nodes: int) -> tuple[dict, list]:
    start = _start(root)
    items, _ = _collect(start, max(1, int(max_nodes)))
    names = _names(items)
    nodes = {str(id(item)): _describe(item, root, names) for item in items}
    order = _forward_order(start, {id(i) for i in items})
    steps = [{"phase": "forward", "node": str(id(item)),
              "text": _forward_text(item, names), "grads": {}} for item in order]
    try:
        simulated = list(simulate_backward(root))
    except RuntimeError:  # backward() already freed the saved tensors: the order, and what is kept
        known = {uid: info["grad"] for uid, info in nodes.items() if info["grad"] is not None}
        for item in reversed(order):
            steps.append({"phase": "backward", "node": str(id(item)), "grads": known,
                          "text": f"processing {names[id(item)]}: its local derivatives were freed by "
                                  "backward(); explore before backward(), or after backward(retain_graph=True), "
                                  "to see every product"})
        return nodes, steps
    grads: dict = {}
    for node, lines, grads in simulated:
        if str(id(node)) in nodes:
            steps.append({"phase": "backward", "node": str(id(node)), "text": "\n".join(lines),
                          "grads": {str(k): _fmt(v) for k, v in grads.items() if str(k) in nodes}})
    for key, g in grads.items():  # each small tensor's gradient as a heatmap (shown once it is known)
        heat = nodes.get(str(key), {}).get("heat")
        if heat is not None and heat["grad"] is None:
            heat["grad"] = _grid(g)
    return nodes, steps


def _forward_order(start: Any, kept: set[int]) -> list:
    """Inputs before the nodes computed from them: the backward walk reversed."""
    return [item for item in reversed(topological_order([start])) if id(item) in kept]


def _forward_text(item: Any, names: dict) -> str:
    inputs = [names.get(id(p), "const") if p is not None else "const" for p in _inputs(item)]
    name = names[id(item)]
    if isinstance(item, Value):
        if not item._op:
            return f"{name} = {item.data:.4f} (an input)"
        return f"{name} = {item._op}({', '.join(inputs)}) = {item.data:.4f}"
    if isinstance(item, AccumulateGrad):
        return f"{name}: an input of shape {item.shape}"
    return f"{name} = {item.fn.__name__}({', '.join(inputs)}): shape {item.shape}"


def _describe(item: Any, root: Any, names: dict) -> dict:
    if isinstance(item, Value):
        known = root.grad != 0.0  # after backward(); before it every grad is 0, not yet known
        return {"name": names[id(item)], "kind": "value", "op": item._op or "input",
                "data": f"{item.data:.6g}", "grad": f"{item.grad:.6g}" if known else None, "heat": None}
    t = _node_tensor(item, root)
    leaf = isinstance(item, AccumulateGrad)
    info = {"name": names[id(item)], "kind": "tensor", "op": "input" if leaf else item.fn.__name__,
            "shape": list(item.shape), "dtype": str(item.dtype), "data": None, "grad": None, "heat": None}
    values = None if t is None else t.numpy()
    grad = None if t is None or t.grad is None else t.grad.numpy()
    if values is None and not leaf and item.saved_output is not None:
        values = np.asarray(item.saved_output)
    if values is not None:
        info["data"] = _summary(values)
    if grad is not None:
        info["grad"] = _summary(grad)
    if values is not None and values.size <= HEATMAP_LIMIT:
        info["heat"] = {"values": _grid(values), "grad": None if grad is None else _grid(grad)}
    return info


def _grid(a: np.ndarray) -> list:
    """A 2-d list of floats for a heatmap (rows: every axis but the last)."""
    a = np.asarray(a, dtype=np.float64)
    a = a.reshape(1, -1) if a.ndim < 2 else a.reshape(-1, a.shape[-1])
    return np.where(np.isfinite(a), a, 0.0).round(6).tolist()


def _page(svg: str, nodes: dict, steps: list) -> str:
    svg = svg[svg.index("<svg"):]  # drop the XML prologue: the SVG sits inline in the page
    data = json.dumps({"nodes": nodes, "steps": steps}).replace("</", "<\\/")
    page_id = "gg" + uuid.uuid4().hex[:8]  # (the page's styles and script find their own elements by it)
    template = (Path(__file__).parent / "explorer_page.html").read_text(encoding="utf-8")
    return template.replace("__ID__", page_id).replace("__SVG__", svg).replace("__DATA__", data)
