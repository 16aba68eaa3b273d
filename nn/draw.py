"""``draw_model(model, input_shape)``: a model's layers as a picture, each box
with the layer, its parameter count and its output shape (one forward pass on
zeros records them)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd import Tensor, no_grad
from autograd.viz import GraphPicture
from nn.module import Module

__all__ = ["draw_model"]


def draw_model(model: Module, input_shape: Sequence[int], rankdir: str = "TB") -> GraphPicture:
    """Draw the leaf layers in call order, from the input to the output."""
    calls: list[tuple[str, str, str]] = []
    names = {id(m): name for name, m in model.named_modules()}
    removers = []
    for _, module in model.named_modules():
        if next(module.children(), None) is not None:
            continue

        def hook(mod, inputs, out):
            params = sum(int(np.prod(np.shape(p.data))) for p in mod._parameters.values() if p is not None)
            shape = tuple(out.shape) if isinstance(out, Tensor) else "?"
            name = names[id(mod)] or type(mod).__name__
            calls.append((name, repr(mod).split("\n")[0], f"{shape}  ({params:,} params)"))

        removers.append(module.register_forward_hook(hook))
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            model(Tensor(np.zeros(tuple(input_shape), dtype=np.float32)))
    finally:
        for remove in removers:
            remove()
        model.train(was_training)
    dot = GraphPicture(format="svg", graph_attr={"rankdir": rankdir},
                       node_attr={"shape": "record", "fontname": "Helvetica", "fontsize": "11"})
    dot.node("input", label=f"input {tuple(input_shape)}", shape="plaintext")
    previous = "input"
    for i, (name, text, out) in enumerate(calls):
        label = "{" + " | ".join(p.replace("{", "\\{").replace("}", "\\}").replace("<", "\\<").replace(">", "\\>")
                                  for p in (f"{name}: {text}", out)) + "}"
        dot.node(f"layer{i}", label=label, style="filled", fillcolor="#d6e9ff" if "0 params" not in out else "white")
        dot.edge(previous, f"layer{i}")
        previous = f"layer{i}"
    return dot
