"""Checks for notebook 13 (residual connections): the learner's pre-norm
residual block against the formula computed from its own children."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
import nn
from nn import functional as F


def _children(block: Any, dim: int, hidden: int) -> None:
    expected = {"norm": (nn.LayerNorm, "weight", (dim,)), "fc1": (nn.Linear, "weight", (hidden, dim)),
                "fc2": (nn.Linear, "weight", (dim, hidden))}
    for name, (kind, param, shape) in expected.items():
        child = getattr(block, name, None)
        if not isinstance(child, kind):
            raise AssertionError(f"block.{name} should be an nn.{kind.__name__}, got {type(child).__name__}")
        if tuple(getattr(child, param).shape) != shape:
            raise AssertionError(f"block.{name}.{param} has shape {tuple(getattr(child, param).shape)}, "
                                 f"expected {shape}")
    names = sorted(name for name, _ in block.named_parameters())
    want = sorted(f"{c}.{p}" for c in ("norm", "fc1", "fc2") for p in ("weight", "bias"))
    if names != want:
        raise AssertionError(f"the block's parameters are {names}, expected {want}")


def _formula(block: Any, x: Any) -> Any:
    n = F.layer_norm(x, (x.shape[-1],), block.norm.weight, block.norm.bias, block.norm.eps)
    return x + F.linear(ag.tanh(F.linear(n, block.fc1.weight, block.fc1.bias)), block.fc2.weight, block.fc2.bias)


def _grads(block: Any, forward: Any, data: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, list]:
    x = ag.tensor(data, requires_grad=True)
    block.zero_grad()
    out = forward(x)
    if tuple(out.shape) != data.shape:
        raise AssertionError(f"the block's output has shape {tuple(out.shape)}, expected its input's {data.shape}")
    (out * ag.tensor(weights)).sum().backward()
    return out.detach().numpy(), [x.grad.numpy().copy()] + [p.grad.numpy().copy() for p in block.parameters()]


def check_residual_block(ResidualBlock: type) -> None:
    """Build ``ResidualBlock(6, 10)``; compare its output and gradients with
    x + fc2(tanh(fc1(LN(x)))); then, with fc2 zeroed, check it is the identity."""
    ag.manual_seed(13)
    block = ResidualBlock(6, 10)
    _children(block, 6, 10)
    rng = np.random.default_rng(0)
    data, weights = rng.normal(size=(4, 6)).astype(np.float32), rng.normal(size=(4, 6)).astype(np.float32)
    with ag.no_grad():  # a non-trivial LayerNorm affine, so a missing norm is caught
        block.norm.weight.copy_(ag.tensor(rng.uniform(0.5, 1.5, 6).astype(np.float32)))
    out, grads = _grads(block, block, data, weights)
    ref, ref_grads = _grads(block, lambda x: _formula(block, x), data, weights)
    if not np.allclose(out, ref, atol=1e-5):
        raise AssertionError("the output differs from x + fc2(tanh(fc1(norm(x)))) "
                             f"by up to {np.abs(out - ref).max():.3g}")
    names = ["x"] + [name for name, _ in block.named_parameters()]
    for name, mine, want in zip(names, grads, ref_grads):
        if not np.allclose(mine, want, atol=1e-5):
            raise AssertionError(f"the gradient of {name} differs from the formula's "
                                 f"by {np.abs(mine - want).max():.3g}")
    with ag.no_grad():
        block.fc2.weight.zero_()
        block.fc2.bias.zero_()
    out, grads = _grads(block, block, data, np.ones_like(data))
    if not np.allclose(out, data, atol=1e-6) or not np.allclose(grads[0], 1.0):
        raise AssertionError("with fc2 set to zero the block should be the identity (output x, gradient 1): "
                             "is the skip x + ... there?")
    print("correct: output and gradients match the formula, and a zeroed branch leaves the identity")
