"""``summary(model, input_shape)``: a torchinfo-style table of layers, output
shapes and parameter counts, from one forward pass on zeros."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd import Tensor, no_grad
from nn.module import Module

__all__ = ["summary", "trace_layers"]


def trace_layers(model: Module, input_shape: Sequence[int], dtype: type = np.float32
                 ) -> list[tuple[str, Module, tuple | str, int]]:
    """Run one forward pass on zeros (eval mode, no graph) and return, for each
    leaf layer in call order, ``(name, module, output shape, parameter count)``.
    Shared by ``summary`` and ``draw_model``."""
    calls: list[tuple[str, Module, tuple | str, int]] = []
    removers = []
    names = {id(m): name for name, m in model.named_modules()}
    for _, module in model.named_modules():
        if next(module.children(), None) is not None:
            continue  # containers: their leaves are listed

        def hook(mod, inputs, out):
            shape = tuple(out.shape) if isinstance(out, Tensor) else "?"
            params = sum(_size(p) for p in mod._parameters.values() if p is not None)
            calls.append((names[id(mod)] or type(mod).__name__, mod, shape, params))

        removers.append(module.register_forward_hook(hook))
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            model(Tensor(np.zeros(tuple(input_shape), dtype=dtype)))
    finally:
        for remove in removers:
            remove()
        model.train(was_training)
    return calls


def _size(p: object) -> int:
    return int(np.prod(np.shape(p.data)))


def summary(model: Module, input_shape: Sequence[int], dtype: type = np.float32) -> str:
    """Return (and print) a table: each leaf layer in call order with its
    output shape and parameter count, then the totals."""
    rows = [(f"{name} ({type(mod).__name__})", str(shape), params)
            for name, mod, shape, params in trace_layers(model, input_shape, dtype)]
    total = sum(_size(p) for p in model.parameters())
    trainable = sum(_size(p) for p in model.parameters() if getattr(p, "requires_grad", True))
    width = max([len(r[0]) for r in rows] + [12])
    line = "-" * (width + 34)
    out = [line, f"{'Layer (type)':<{width}}  {'Output Shape':<20}  {'Param #':>10}", line]
    out += [f"{name:<{width}}  {shape:<20}  {n:>10,}" for name, shape, n in rows]
    out += [line, f"Total params: {total:,}", f"Trainable params: {trainable:,}",
            f"Input shape: {tuple(input_shape)}", line]
    text = "\n".join(out)
    print(text)
    return text
