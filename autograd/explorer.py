"""The backprop explorer: one self-contained HTML page (inline SVG, script and
style, nothing fetched) in which a learner steps through the forward pass and
then the backward pass of a graph, and points at any node to see its value
and gradient.

The layout is ``draw_graph``'s (Graphviz, through ``to_svg``), with names
(``t.name``, a model's ``state_dict`` keys), every forward value that can be
found (``pictures/values.py``), module groups, and a gradient field in every
box that the page fills in as the backward pass reaches it. The steps are
computed in Python (``pictures/steps.py``) and travel as JSON: each forward
step names the node computed and its value; each backward step the node
processed, its rule with this step's names and shapes
(``grad(0.weight) += grad(out)ᵀ @ x   (5, 8)ᵀ @ (5, 4) -> (8, 4)   = ...``)
and the gradients it changed. The page only shows them, so what it shows is
the engine's own numbers.

A Value graph shows every product before and after ``backward()``. A Tensor
graph after a plain ``backward()`` has had its saved tensors freed: the page
keeps the order, the rules with their shapes, the leaves' values and
gradients, and says why the rest is not there and how to keep it.

The page: step with the buttons, the arrow keys (as soon as it is shown) or
the slider; pan by dragging, zoom with the wheel or the + and - buttons; find
a node by name with the search box; click a module's box to open it. The
controls and the step text stay in place; the current node is brought into
view; tooltips stay inside the window.
"""

from __future__ import annotations

import html
import json
import uuid
from pathlib import Path
from typing import Any

from autograd.pictures.dot import draw_view, to_svg
from autograd.pictures.steps import page_data
from autograd.tensor import Tensor
from autograd.value import Value

__all__ = ["Explorer", "explore", "DEFAULT_MAX_NODES"]

DEFAULT_MAX_NODES = 1500  # every node of a course's graphs; beyond it, inputs collapse into "... more"


def explore(root: Value | Tensor, rankdir: str = "LR", max_nodes: int = DEFAULT_MAX_NODES,
            model: Any = None) -> Explorer:
    """An interactive page for the graph that produced ``root``: step
    controls (buttons, arrow keys, a slider) walk the forward pass, then the
    backward pass with the node being processed highlighted, its rule
    written out with this step's shapes and numbers, and the gradients drawn
    into the boxes; hovering or clicking a node shows its value and gradient
    (and, for a tensor of up to 4096 numbers, heatmaps of both).

    ``model``: anything with ``named_parameters()`` (an ``nn.Module``): its
    parameters are shown under their ``state_dict`` keys and each module that
    owns parameters is a box that opens into its ops. ``max_nodes`` bounds
    the page (beyond it, inputs collapse into "... more").
    ``Explorer.save(path)`` writes the page; in Jupyter it displays inline."""
    if not isinstance(root, (Value, Tensor)):
        raise TypeError(f"explore: expected a Value or Tensor, got {type(root).__name__}")
    if not root.requires_grad:
        raise ValueError("explore: the root does not require grad (no graph to step through)")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"explore: max_nodes must be a positive int, got {max_nodes!r}")
    return Explorer(root, rankdir, max_nodes, model)


class Explorer:
    """A built explorer page: ``.html`` (the whole page), ``save(path)``,
    ``nodes`` and ``steps`` (the data the page shows), ``groups`` (module
    boxes) and ``_repr_html_`` for Jupyter (an isolated frame, so several
    explorers in one notebook never interfere)."""

    def __init__(self, root: Value | Tensor, rankdir: str = "LR", max_nodes: int = DEFAULT_MAX_NODES,
                 model: Any = None) -> None:
        view, data = page_data(root, max_nodes, model)
        self.nodes, self.steps, self.groups = data["nodes"], data["steps"], data["groups"]
        svg = to_svg(draw_view(root, rankdir, False, max_nodes, view))
        self.html = _page(svg, data)

    def gradients(self, step: int) -> dict[str, str]:
        """Every gradient known after ``steps[step]`` (each step holds only the
        ones it changed), by node uid, as the page's gradient table shows them."""
        known: dict[str, str] = {}
        for s in self.steps[: step + 1 if step >= 0 else len(self.steps) + step + 1]:
            known.update(s["grads"])
        return known

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.html, encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
                'style="width: 100%; height: 640px; border: 1px solid #ddd"></iframe>')


def _page(svg: str, data: dict) -> str:
    svg = svg[svg.index("<svg"):]  # drop the XML prologue: the SVG sits inline in the page
    text = json.dumps(data).replace("</", "<\\/")
    page_id = "gg" + uuid.uuid4().hex[:8]  # (the page's styles and script find their own elements by it)
    template = (Path(__file__).parent / "explorer_page.html").read_text(encoding="utf-8")
    return template.replace("__ID__", page_id).replace("__SVG__", svg).replace("__DATA__", text)
