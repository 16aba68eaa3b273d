"""The speed workloads on the models and layers learners build, each against
PyTorch in the same run: a transformer block's and the digits CNN's training
steps, a deep GELU MLP, ``max_pool2d`` and ``conv2d`` forward + backward, and
one SGD and one Adam step over 20 M parameters.

``build(workload, engine)`` returns ``(step, first_loss)`` like the other
workloads; the models come from ``models.py``, with the same numpy weights in
both engines.
"""

from __future__ import annotations

import numpy as np

from benchmarks import models
from benchmarks.models import _libs, _load, _rng, _tensor, _train_pair, _uniform

WORKLOADS = {
    "RT": "transformer block training step (B=16, T=64, C=128, 4 heads, GELU MLP), Adam",
    "RC": "digits CNN training step (glassgrad train --model cnn), batch 256, SGD",
    "RG": "MLP 20 x 1024, batch 256, exact GELU, training step, SGD",
    "RP": "max_pool2d 2x2 on (64, 16, 32, 32), forward + backward",
    "RV": "conv2d 3x3 forward + backward: (64, 3, 32, 32) -> 16 ch and (32, 16, 16, 16) -> 32 ch",
    "RO": "one SGD step over 20 M parameters (20 tensors of 1024 x 1024)",
    "RA": "one Adam step over the same 20 M parameters",
}
# the transformer block at other widths: how the ratio to PyTorch moves with size
SCALING = {f"RT{c}": c for c in (64, 256, 512)}
WORKLOADS.update({name: f"RT at C={c} (B=16, T=64, 4 heads): scaling, no target" for name, c in SCALING.items()})
TARGETS = {"RT": 1.3, "RC": 1.5, "RG": 1.1, "RP": 1.0, "RV": 1.5, "RO": 1.2, "RA": 1.0,
           **dict.fromkeys(SCALING)}
# with every core (PyTorch spreads its kernels over them; numpy only its matrix products)
ALL_CORES_TARGETS = {"RT": 1.2, "RC": 1.3, "RG": 1.1, "RV": 1.3, "RA": 1.0}


def _optim(engine: str):
    if engine == "glassgrad":
        import nn

        return nn.optim
    import torch

    return torch.optim


def _training_step(engine: str, model_pair, opt_name: str, **options):
    """A step of ``model_pair`` = (forward, backward) from models.py, then the
    optimizer's step over its parameters (``forward.params``)."""
    forward, backward = model_pair
    opt = getattr(_optim(engine), opt_name)(forward.params, **options)

    def step() -> float:
        loss = forward()
        backward(loss)
        opt.step()
        return float(loss.item())
    return step


def gelu_mlp(engine: str):
    nn, _ = _libs(engine)
    rng = _rng(7)
    width, depth = 1024, 20
    layers, weights = [], {}
    for i in range(depth):
        layers += [nn.Linear(width, width), nn.GELU()]
        weights[f"{2 * i}.weight"] = _uniform(rng, width, (width, width))
        weights[f"{2 * i}.bias"] = _uniform(rng, width, (width,))
    model = nn.Sequential(*layers[:-1])
    _load(engine, model, weights)
    x, y = rng.standard_normal((256, width)).astype(np.float32), rng.integers(0, width, 256)
    return _training_step(engine, _train_pair(engine, model, x, y), "SGD", lr=0.01)


def max_pool(engine: str):
    _, F = _libs(engine)
    x = _tensor(engine, _rng(8).standard_normal((64, 16, 32, 32)).astype(np.float32), requires_grad=True)

    def step() -> float:
        x.grad = None
        out = F.max_pool2d(x, 2)
        out.sum().backward()
        return float(out[0, 0, 0, 0].item())
    return step


def conv(engine: str):
    _, F = _libs(engine)
    rng = _rng(9)
    shapes = [((64, 3, 32, 32), (16, 3, 3, 3)), ((32, 16, 16, 16), (32, 16, 3, 3))]
    tensors = [[_tensor(engine, rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in pair]
               + [_tensor(engine, np.zeros(pair[1][0], np.float32), requires_grad=True)] for pair in shapes]

    def step() -> float:
        total = 0.0
        for x, w, b in tensors:
            x.grad = w.grad = b.grad = None
            out = F.conv2d(x, w, b, padding=1)
            out.sum().backward()
            total += float(out[0, 0, 0, 0].item())
        return total
    return step


def optimizer_step(engine: str, opt_name: str):
    rng = _rng(10)
    params = []
    for _ in range(20):
        p = _tensor(engine, _uniform(rng, 1024, (1024, 1024)), requires_grad=True)
        p.grad = _tensor(engine, rng.standard_normal((1024, 1024)).astype(np.float32))
        params.append(p)
    opt = getattr(_optim(engine), opt_name)(params, lr=1e-3)

    def step() -> float:
        opt.step()
        return float(params[0][0, 0].item())
    return step


def build(workload: str, engine: str):
    if workload == "RT":
        step = _training_step(engine, models.transformer(engine), "Adam", lr=1e-3)
    elif workload == "RC":
        step = _training_step(engine, models.cnn(engine), "SGD", lr=0.01)
    elif workload == "RG":
        step = gelu_mlp(engine)
    elif workload == "RP":
        step = max_pool(engine)
    elif workload == "RV":
        step = conv(engine)
    elif workload == "RO":
        step = optimizer_step(engine, "SGD")
    elif workload == "RA":
        step = optimizer_step(engine, "Adam")
    elif workload in SCALING:
        step = _training_step(engine, models.transformer(engine, SCALING[workload]), "Adam", lr=1e-3)
    else:
        raise KeyError(workload)
    return step, step()
