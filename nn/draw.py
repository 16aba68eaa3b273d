"""``draw_model(model, input_shape)``: a model's layers as a picture, each box
with the layer, its parameter count and its output shape (one forward pass on
zeros records them)."""

from __future__ import annotations

from collections.abc import Sequence

from autograd.viz import GraphPicture, escape_label
from nn.module import Module
from nn.summary import trace_layers

__all__ = ["draw_model"]


def draw_model(model: Module, input_shape: Sequence[int], rankdir: str = "TB") -> GraphPicture:
    """Draw the leaf layers in call order, from the input to the output."""
    calls = trace_layers(model, input_shape)
    dot = GraphPicture(format="svg", graph_attr={"rankdir": rankdir},
                       node_attr={"shape": "record", "fontname": "Helvetica", "fontsize": "11"})
    dot.node("input", label=f"input {tuple(input_shape)}", shape="plaintext")
    previous = "input"
    for i, (name, mod, shape, params) in enumerate(calls):
        parts = (f"{name}: {repr(mod).splitlines()[0]}", f"{shape}  ({params:,} params)")
        label = "{" + " | ".join(escape_label(p) for p in parts) + "}"
        dot.node(f"layer{i}", label=label, style="filled", fillcolor="#d6e9ff" if params else "white")
        dot.edge(previous, f"layer{i}")
        previous = f"layer{i}"
    return dot
