"""The models learners build, as (forward, backward) pairs for the memory
workloads: the 200-op chain, the T2 MLP, the digits CNN and a transformer
block, each written once per engine from the same numpy weights.

``build_model(workload, engine)`` returns ``(forward, backward)``:
``forward()`` runs the forward pass and returns what backward needs (the
loss, or the hand-written numpy's saved arrays); ``backward(handle)`` runs
the backward pass. A memory worker measures what is alive after
``forward()`` and the peak over both.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

Forward = Callable[[], object]
Backward = Callable[[object], None]

# transformer block sizes (the issue's: B=16, T=64, C=128, 4 heads)
B, T, C, HEADS = 16, 64, 128, 4


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _uniform(rng: np.random.Generator, fan_in: int, shape: tuple) -> np.ndarray:
    bound = 1 / math.sqrt(fan_in)
    return rng.uniform(-bound, bound, shape).astype(np.float32)


# -- the 200-op chain (T3l) ----------------------------------------------------------------
def chain(engine: str, shape: tuple = (1000, 1000), n_ops: int = 200) -> tuple[Forward, Backward]:
    """h = h * 0.9, h + x, tanh(h), repeated; numpy keeps only what its
    backward reads: the tanh outputs (the products and sums need nothing)."""
    x0 = _rng(2).uniform(-1, 1, shape).astype(np.float32)
    kinds = ["mul", "add", "tanh"]
    if engine == "numpy":
        c = np.float32(0.9)

        def forward() -> object:
            saved, h = {}, x0
            for i in range(n_ops):
                kind = kinds[i % 3]
                h = h * c if kind == "mul" else (h + x0 if kind == "add" else np.tanh(h))
                if kind == "tanh":
                    saved[i] = h
            return h, saved

        def backward(handle: object) -> None:
            h, saved = handle
            g = np.ones_like(h)
            gx = np.zeros_like(x0)
            for i in range(n_ops - 1, -1, -1):
                kind = kinds[i % 3]
                if kind == "mul":
                    g = g * c
                elif kind == "add":
                    gx += g
                else:
                    y = saved.pop(i)  # freed as soon as it is used, as the engines free theirs
                    g = g * (1 - y * y)
            gx += g
        return forward, backward
    x = _tensor(engine, x0, requires_grad=True)

    def forward_t() -> object:
        h = x
        for i in range(n_ops):
            kind = kinds[i % 3]
            h = h * 0.9 if kind == "mul" else (h + x if kind == "add" else h.tanh())
        return h.sum()

    def backward_t(loss: object) -> None:
        x.grad = None
        loss.backward()
    return forward_t, backward_t


def _tensor(engine: str, array: np.ndarray, requires_grad: bool = False) -> object:
    if engine == "glassgrad":
        import autograd as ag

        return ag.Tensor(array, requires_grad=requires_grad)
    import torch

    return torch.tensor(array, requires_grad=requires_grad)


def _libs(engine: str) -> tuple[object, object]:
    """(nn, functional) of the engine: ``import nn`` or ``torch.nn``."""
    if engine == "glassgrad":
        import nn
        from nn import functional as F

        return nn, F
    import torch

    return torch.nn, torch.nn.functional


def _load(engine: str, module: object, weights: dict[str, np.ndarray]) -> None:
    """Copy numpy weights into a module's parameters, by state-dict name."""
    if engine == "glassgrad":
        module.load_state_dict(weights)
        return
    import torch

    module.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})


def _train_pair(engine: str, model: object, x: np.ndarray, y: np.ndarray) -> tuple[Forward, Backward]:
    nn, F = _libs(engine)
    xt, yt = _tensor(engine, x), _tensor(engine, y)
    params = list(model.parameters())

    def forward() -> object:
        return F.cross_entropy(model(xt), yt)
    return _with_backward(forward, params)


def _with_backward(forward: Forward, params: list) -> tuple[Forward, Backward]:
    """``forward`` and its backward (gradients cleared, then computed); the
    parameters ride on ``forward.params`` for the training-step workloads (speed.py)."""
    def backward(loss: object) -> None:
        for p in params:
            p.grad = None
        loss.backward()
    forward.params = params
    return forward, backward


# -- T2's MLP ---------------------------------------------------------------------------------
def mlp(engine: str) -> tuple[Forward, Backward]:
    """784-1024-1024-10, batch 256, ReLU, cross-entropy."""
    nn, _ = _libs(engine)
    rng = _rng(0)
    sizes = [784, 1024, 1024, 10]
    layers = []
    weights = {}
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(a, b))
        weights[f"{2 * i}.weight"] = _uniform(rng, a, (b, a))
        weights[f"{2 * i}.bias"] = _uniform(rng, a, (b,))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    _load(engine, model, weights)
    x = rng.standard_normal((256, 784)).astype(np.float32)
    return _train_pair(engine, model, x, rng.integers(0, 10, 256))


# -- the digits CNN (glassgrad train --model cnn), batch 256 ---------------------------------
def cnn(engine: str) -> tuple[Forward, Backward]:
    nn, _ = _libs(engine)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 2 * 2, 10),
    )
    rng = _rng(4)
    weights = {
        "0.weight": _uniform(rng, 9, (16, 1, 3, 3)), "0.bias": _uniform(rng, 9, (16,)),
        "3.weight": _uniform(rng, 144, (32, 16, 3, 3)), "3.bias": _uniform(rng, 144, (32,)),
        "7.weight": _uniform(rng, 128, (10, 128)), "7.bias": _uniform(rng, 128, (10,)),
    }
    _load(engine, model, weights)
    x = rng.uniform(0, 1, (256, 1, 8, 8)).astype(np.float32)
    return _train_pair(engine, model, x, rng.integers(0, 10, 256))


# -- a transformer block ------------------------------------------------------------------------
def transformer_weights(C: int = C) -> dict[str, np.ndarray]:  # noqa: N803 (the block's width, as in the paper)
    rng = _rng(5)
    return {
        "ln1.weight": np.ones(C, np.float32), "ln1.bias": np.zeros(C, np.float32),
        "attn.weight": _uniform(rng, C, (3 * C, C)), "attn.bias": _uniform(rng, C, (3 * C,)),
        "proj.weight": _uniform(rng, C, (C, C)), "proj.bias": _uniform(rng, C, (C,)),
        "ln2.weight": np.ones(C, np.float32), "ln2.bias": np.zeros(C, np.float32),
        "fc.weight": _uniform(rng, C, (4 * C, C)), "fc.bias": _uniform(rng, C, (4 * C,)),
        "out.weight": _uniform(rng, 4 * C, (C, 4 * C)), "out.bias": _uniform(rng, 4 * C, (C,)),
    }


def transformer(engine: str, C: int = C) -> tuple[Forward, Backward]:  # noqa: N803
    """A GPT block of width C: x + attn(ln1(x)), then + mlp(ln2(x)) with GELU;
    causal self-attention over 4 heads; loss = mean(out**2). The same code runs
    on both engines (torch's and glassgrad's spellings agree here)."""
    nn, F = _libs(engine)
    module = nn.Module
    weights = transformer_weights(C)

    class Block(module):
        def __init__(self) -> None:
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(C), nn.LayerNorm(C)
            self.attn, self.proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
            self.fc, self.out = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)

        def forward(self, x: object) -> object:
            d = C // HEADS
            qkv = self.attn(self.ln1(x))
            q, k, v = qkv[..., :C], qkv[..., C:2 * C], qkv[..., 2 * C:]
            q, k, v = (t.reshape(B, T, HEADS, d).swapaxes(1, 2) for t in (q, k, v))
            att = (q @ k.swapaxes(-1, -2)) * (1.0 / math.sqrt(d)) + mask
            y = F.softmax(att, -1) @ v
            x = x + self.proj(y.swapaxes(1, 2).reshape(B, T, C))
            return x + self.out(F.gelu(self.fc(self.ln2(x))))

    block = Block()
    _load(engine, block, weights)
    causal = np.triu(np.full((T, T), -np.inf, np.float32), 1)
    mask = _tensor(engine, causal)
    x = _tensor(engine, _rng(6).standard_normal((B, T, C)).astype(np.float32))
    params = list(block.parameters())

    def forward() -> object:
        out = block(x)
        return (out * out).mean()
    return _with_backward(forward, params)


MODELS = {"M3l": chain, "M2": mlp, "MC": cnn, "MT": transformer}


def build_model(workload: str, engine: str) -> tuple[Forward, Backward]:
    return MODELS[workload](engine)
