"""Checks for notebook 16 (attention and a tiny GPT): the learner's causal
self-attention against a float64 numpy reference (and PyTorch's
scaled_dot_product_attention when torch is installed), gradients included,
and that no output reads a later position."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd as ag


def reference(q: np.ndarray, k: np.ndarray, v: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, ...]:
    """Causal attention and the gradients of sum(out * g) by q, k and v, by hand in numpy."""
    d, T = q.shape[-1], q.shape[-2]
    scores = q @ k.swapaxes(-1, -2) / np.sqrt(d)
    scores = np.where(np.tril(np.ones((T, T), bool)), scores, -np.inf)
    p = np.exp(scores - scores.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    out = p @ v
    dp = g @ v.swapaxes(-1, -2)
    ds = p * (dp - (dp * p).sum(-1, keepdims=True)) / np.sqrt(d)   # the softmax Jacobian, then the scale
    return out, ds @ k, ds.swapaxes(-1, -2) @ q, p.swapaxes(-1, -2) @ g


def _torch_out(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray | None:
    try:
        import torch
    except ImportError:
        return None
    t = [torch.from_numpy(a) for a in (q, k, v)]
    return torch.nn.functional.scaled_dot_product_attention(*t, is_causal=True).numpy()


def check_causal_attention(causal_attention: Callable[[Any, Any, Any], Any]) -> None:
    """Check that changing the last position's value moves only the last output
    of ``causal_attention(q, k, v)`` on (2, 3, 6, 4) float64 tensors, then
    compare its output and gradients with the references."""
    rng = np.random.default_rng(16)
    arrays = [rng.normal(size=(2, 3, 6, 4)) for _ in range(4)]
    q, k, v = (ag.tensor(a, requires_grad=True) for a in arrays[:3])
    out = causal_attention(q, k, v)
    if tuple(out.shape) != (2, 3, 6, 4):
        raise AssertionError(f"the output has shape {tuple(out.shape)}, expected (2, 3, 6, 4)")
    changed = arrays[2].copy()
    changed[..., -1, :] += 10.0
    moved = causal_attention(ag.tensor(arrays[0]), ag.tensor(arrays[1]), ag.tensor(changed)).numpy()
    if not np.allclose(moved[..., :-1, :], out.detach().numpy()[..., :-1, :]):
        raise AssertionError("changing the last position's value changed earlier outputs: the mask is missing")
    (out * ag.tensor(arrays[3])).sum().backward()
    want = reference(*arrays)
    for name, mine, ref in zip(("output", "q.grad", "k.grad", "v.grad"),
                               (out.detach().numpy(), q.grad, k.grad, v.grad), want):
        mine = np.asarray(mine.numpy() if hasattr(mine, "numpy") else mine)
        if not np.allclose(mine, ref, atol=1e-8):
            hint = " (are the scores scaled by 1/sqrt(d), d the last dimension?)" if name == "output" else ""
            raise AssertionError(f"{name} differs from the reference by up to {np.abs(mine - ref).max():.3g}{hint}")
    torch_out = _torch_out(*arrays[:3])
    if torch_out is None:
        print("PyTorch is not installed: compared with the numpy reference only")
    elif not np.allclose(out.detach().numpy(), torch_out, atol=1e-8):
        raise AssertionError("the output differs from torch's scaled_dot_product_attention(is_causal=True)")
    else:
        print("matches PyTorch's scaled_dot_product_attention(is_causal=True)")
    print("correct: output and the gradients of q, k and v match, and no position reads the future")
