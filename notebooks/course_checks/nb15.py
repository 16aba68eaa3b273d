"""Checks for notebook 15 (a WaveNet-style hierarchy): the learner's builder of
a hierarchy of any depth, by shape, parameter count, layer order and the
positions its output depends on."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import autograd as ag
import nn


def _expected_layers(levels: int, flatten: type, norm: type) -> list[type]:
    return [nn.Embedding] + [flatten, nn.Linear, norm, nn.Tanh] * levels + [nn.Linear]


def _reaches_every_position(model: Any, block_size: int) -> list[int]:
    """Positions of the context whose embedding receives no gradient from the logits."""
    model.train()
    idx = ag.randint(1, 27, (4, block_size))
    embedded = model[0](idx)
    embedded.retain_grad()
    out = embedded
    for layer in list(model)[1:]:
        out = layer(out)
    out.pow(2).sum().backward()
    per_position = embedded.grad.abs().sum(dim=(0, 2)).numpy()
    return [t for t in range(block_size) if per_position[t] == 0]


def check_make_hierarchy(make_hierarchy: Callable[..., Any], FlattenConsecutive: type, SequenceBatchNorm: type) -> None:
    """Build ``make_hierarchy(block_size, 6, 12)`` for block sizes 2, 8, 16 and check it."""
    embed, hidden = 6, 12
    for block_size in (2, 8, 16):
        levels = int(math.log2(block_size))
        ag.manual_seed(15)
        model = make_hierarchy(block_size, embed, hidden)
        if not isinstance(model, nn.Sequential):
            raise AssertionError(f"make_hierarchy should return an nn.Sequential, got {type(model).__name__}")
        kinds = [type(layer) for layer in model]
        want = _expected_layers(levels, FlattenConsecutive, SequenceBatchNorm)
        if kinds != want:
            raise AssertionError(f"for block size {block_size} the layers are {[k.__name__ for k in kinds]}, "
                                 f"expected {[k.__name__ for k in want]}")
        out = model(ag.randint(0, 27, (5, block_size)))
        if tuple(out.shape) != (5, 27):
            raise AssertionError(f"for block size {block_size} the logits have shape {tuple(out.shape)}, "
                                 "expected (5, 27)")
        count = sum(p.numel() for p in model.parameters())
        formula = (27 * embed + 2 * embed * hidden + (levels - 1) * 2 * hidden ** 2
                   + 2 * hidden * levels + 27 * hidden + 27)
        if count != formula:
            raise AssertionError(f"for block size {block_size} the model has {count} parameters, the formula "
                                 f"gives {formula}: are the hidden Linear layers bias=False, and each level's "
                                 "fan-in 2 * embed (first) or 2 * hidden?")
        missing = _reaches_every_position(model, block_size)
        if missing:
            raise AssertionError(f"for block size {block_size} the logits do not depend on positions {missing}")
        print(f"block size {block_size:2d}: {levels} levels, {count} parameters, every position reaches the logits")
    print("correct")
