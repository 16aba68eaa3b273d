"""The benchmark workloads, one builder per (workload, engine).

A builder returns ``(step, first_loss)``: ``step()`` runs one timed unit of
work (a training step, or a forward plus backward pass) and ``first_loss`` is
the loss of the first step, compared across engines to check that they all
compute the same maths. Weights and data come from one seeded numpy generator,
so every engine starts from the same numbers.

Engines: ``numpy`` (hand-written forward and backward: the baseline),
``glassgrad``, ``torch``, ``micrograd``, ``mygrad``.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

import numpy as np

from benchmarks import models, speed

Step = Callable[[], float]

SCALAR_ENGINES = ("glassgrad", "micrograd")
TENSOR_ENGINES = ("numpy", "glassgrad", "torch", "mygrad")

WORKLOADS = {
    "S1": ("scalar MLP 2-16-16-1 (each engine's MLP class), 64 points, MSE, one SGD step (float64)",
           SCALAR_ENGINES),
    "S1u": ("S1 with glassgrad's neurons unfused: micrograd's graph, a node per multiply and add",
            SCALAR_ENGINES),
    "S2": ("chain of 10^5 Value ops x = x*1.0001 + 0.0001, plus backward", SCALAR_ENGINES),
    "T1": ("MLP 784-128-10, batch 32, ReLU, softmax cross-entropy, backward, SGD step", TENSOR_ENGINES),
    "T2": ("MLP 784-1024-1024-10, batch 256, same", TENSOR_ENGINES),
    "T3s": ("200 elementwise ops (mul const, add, tanh) on shape (1,), forward + backward", TENSOR_ENGINES),
    "T3l": ("the same chain on shape (1000, 1000); numpy keeps only what its backward reads", TENSOR_ENGINES),
    "T4": ("peak memory (RSS) above the imported engine: parameters, data and 20 steps of T2",
           TENSOR_ENGINES),
    "D1": ("digits MLP 64-128-10 to 97% test accuracy, Adam lr 1e-3, batch 32", ("glassgrad", "torch")),
    "M3l": ("memory: T3l's chain, alive after forward / peak over forward + backward",
            ("numpy", "glassgrad", "torch")),
    "M2": ("memory: T2's MLP, batch 256, alive after forward / peak over forward + backward",
           ("glassgrad", "torch")),
    "MC": ("memory: the digits CNN (glassgrad train --model cnn), batch 256, after forward / peak",
           ("glassgrad", "torch")),
    "MT": ("memory: a transformer block (B=16, T=64, C=128, 4 heads, GELU MLP), after forward / peak",
           ("glassgrad", "torch")),
    **{name: (text, ("glassgrad", "torch")) for name, text in speed.WORKLOADS.items()},
}


def _init_mlp(sizes: list[int], dtype=np.float32) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / math.sqrt(fan_in)
        layers.append((rng.uniform(-bound, bound, (fan_out, fan_in)).astype(dtype),
                       rng.uniform(-bound, bound, fan_out).astype(dtype)))
    return layers


def _batch(n: int, d: int, classes: int, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    return rng.standard_normal((n, d)).astype(dtype), rng.integers(0, classes, n)


# -- T1 / T2 / T4: MLP training step --------------------------------------------------
def mlp_step(engine: str, sizes: list[int], batch: int, lr: float = 0.01) -> tuple[Step, float]:
    layers = _init_mlp(sizes)
    X, y = _batch(batch, sizes[0], sizes[-1])
    if engine == "numpy":
        params = [(W.copy(), b.copy()) for W, b in layers]

        def step() -> float:
            acts, h = [X], X
            for i, (W, b) in enumerate(params):
                h = h @ W.T + b
                if i < len(params) - 1:
                    h = np.maximum(h, 0)
                acts.append(h)
            z = h - h.max(1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(1, keepdims=True))
            loss = -logp[np.arange(batch), y].mean()
            g = np.exp(logp)
            g[np.arange(batch), y] -= 1
            g /= batch
            for i in range(len(params) - 1, -1, -1):
                W, b = params[i]
                gW, gb = g.T @ acts[i], g.sum(0)
                if i > 0:
                    g = (g @ W) * (acts[i] > 0)
                W -= lr * gW
                b -= lr * gb
            return float(loss)
        return step, step_first(step)
    if engine == "glassgrad":
        import autograd as ag
        import nn
        from nn import functional as F

        mods = []
        for i, (W, b) in enumerate(layers):
            lin = nn.Linear(W.shape[1], W.shape[0])
            lin.weight.numpy()[...] = W
            lin.bias.numpy()[...] = b
            mods.append(lin)
            if i < len(layers) - 1:
                mods.append(nn.ReLU())
        model = nn.Sequential(*mods)
        opt = nn.optim.SGD(model.parameters(), lr=lr)
        xt = ag.Tensor(X)

        def step() -> float:
            loss = F.cross_entropy(model(xt), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss.item()
        return step, step_first(step)
    if engine == "torch":
        import torch

        mods = []
        for i, (W, b) in enumerate(layers):
            lin = torch.nn.Linear(W.shape[1], W.shape[0])
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(W))
                lin.bias.copy_(torch.from_numpy(b))
            mods.append(lin)
            if i < len(layers) - 1:
                mods.append(torch.nn.ReLU())
        model = torch.nn.Sequential(*mods)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        xt, yt = torch.from_numpy(X), torch.from_numpy(y)

        def step() -> float:
            loss = torch.nn.functional.cross_entropy(model(xt), yt)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss.item()
        return step, step_first(step)
    if engine == "mygrad":
        import mygrad as mg

        params = [(mg.tensor(W.copy()), mg.tensor(b.copy())) for W, b in layers]
        onehot = np.eye(sizes[-1], dtype=np.float32)[y]

        def step() -> float:
            h = mg.tensor(X, constant=True)
            for i, (W, b) in enumerate(params):
                h = mg.matmul(h, W.T) + b
                if i < len(params) - 1:
                    h = mg.maximum(h, 0)
            z = h - mg.max(h, axis=1, keepdims=True).data
            logp = z - mg.log(mg.sum(mg.exp(z), axis=1, keepdims=True))
            loss = -mg.sum(logp * onehot) / batch
            loss.backward()
            for W, b in params:
                W.data -= lr * W.grad
                b.data -= lr * b.grad
            return float(loss.item())
        return step, step_first(step)
    raise KeyError(engine)


def step_first(step: Step) -> float:
    """Run the first step (also the warm-up) and return its loss."""
    return step()


# -- T3: a chain of elementwise ops --------------------------------------------------------
def chain_step(engine: str, shape: tuple[int, ...], n_ops: int = 200) -> tuple[Step, float]:
    x0 = np.random.default_rng(2).uniform(-1, 1, shape).astype(np.float32)
    c = np.float32(0.9)
    kinds = ["mul", "add", "tanh"]
    if engine == "numpy":  # keeps only what its backward reads, freeing each when used (models.chain)
        forward, backward = models.chain("numpy", shape, n_ops)

        def step() -> float:
            handle = forward()
            backward(handle)
            return float(handle[0].sum())
        return step, step_first(step)
    if engine in ("glassgrad", "torch"):  # the same PyTorch-shaped code runs on both
        if engine == "glassgrad":
            import autograd as ag

            x = ag.Tensor(x0, requires_grad=True)
        else:
            import torch

            x = torch.tensor(x0, requires_grad=True)
        fc = float(c)

        def step() -> float:
            h = x
            for i in range(n_ops):
                kind = kinds[i % 3]
                h = h * fc if kind == "mul" else (h + x if kind == "add" else h.tanh())
            s = h.sum()
            x.grad = None
            s.backward()
            return s.item()
        return step, step_first(step)
    if engine == "mygrad":
        import mygrad as mg

        x = mg.tensor(x0)
        fc = float(c)

        def step() -> float:
            h = x
            for i in range(n_ops):
                kind = kinds[i % 3]
                h = h * fc if kind == "mul" else (h + x if kind == "add" else mg.tanh(h))
            s = mg.sum(h)
            s.backward()
            return float(s.item())
        return step, step_first(step)
    raise KeyError(engine)


# -- S1 / S2: scalar engines ------------------------------------------------------------------
def _scalar_value_class(engine: str):
    if engine == "glassgrad":
        from autograd import Value
        return Value
    if engine == "micrograd":
        import gc

        from micrograd.engine import Value
        gc.disable()  # the target is stated against micrograd with its collector off
        sys.setrecursionlimit(10**7)
        return Value
    raise KeyError(engine)


def scalar_mlp_step(engine: str, fused: bool = True) -> tuple[Step, float]:
    """Each engine's own scalar MLP class, ``MLP(2, [16, 16, 1])``, loaded with
    the same weights: micrograd's ``micrograd.nn.MLP`` and glassgrad's
    ``nn.scalar.MLP`` (whose neurons are one ``dot`` node each unless
    ``fused=False``, which builds micrograd's graph: a node per multiply and add)."""
    Value = _scalar_value_class(engine)
    if engine == "micrograd":
        from micrograd.nn import MLP

        model = MLP(2, [16, 16, 1])
    else:
        from nn.scalar import MLP

        model = MLP(2, [16, 16, 1], fused=fused)
    for layer, (W, b) in zip(model.layers, _init_mlp([2, 16, 16, 1], dtype=np.float64)):
        for neuron, row, bias in zip(layer.neurons, W.tolist(), b.tolist()):
            for w, value in zip(neuron.w, row):
                w.data = value
            neuron.b.data = bias
    params = model.parameters()
    rng = np.random.default_rng(3)
    X = rng.standard_normal((64, 2)).tolist()
    Y = rng.standard_normal(64).tolist()

    def step() -> float:
        loss = sum(((model(x) - t) ** 2 for x, t in zip(X, Y)), Value(0.0)) * (1.0 / len(X))
        for p in params:
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= 0.01 * p.grad
        return loss.data
    return step, step_first(step)


def scalar_chain_step(engine: str, n: int = 100_000) -> tuple[Step, float]:
    Value = _scalar_value_class(engine)

    def step() -> float:
        x = Value(1.0)
        y = x
        for _ in range(n // 2):
            y = y * 1.0001 + 0.0001
        y.backward()
        return x.grad
    return step, step_first(step)


# -- D1: digits to 97% --------------------------------------------------------------------------
def digits_run(engine: str) -> tuple[Step, float]:
    """One ``step`` is a whole training run to 97% test accuracy (max 60 epochs)."""
    from nn.data import load_digits, train_test_split

    X, y = load_digits()
    X = (X / 16.0).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=1 / 3, random_state=0)
    layers = _init_mlp([64, 128, 10])

    def run() -> float:
        order_rng = np.random.default_rng(0)
        if engine == "glassgrad":
            import autograd as ag
            import nn
            from nn import functional as F

            model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
            for lin, (W, b) in zip((model[0], model[2]), layers):
                lin.weight.numpy()[...] = W
                lin.bias.numpy()[...] = b
            opt = nn.optim.Adam(model.parameters(), lr=1e-3)
            Xte_t = ag.Tensor(Xte)
            for epoch in range(60):
                order = order_rng.permutation(len(Xtr))
                for i in range(0, len(order), 32):
                    idx = order[i:i + 32]
                    loss = F.cross_entropy(model(ag.Tensor(Xtr[idx])), ytr[idx])
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                with ag.no_grad():
                    acc = float((model(Xte_t).numpy().argmax(1) == yte).mean())
                if acc >= 0.97:
                    return epoch + 1
            return 60
        import torch

        model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
        with torch.no_grad():
            for lin, (W, b) in zip((model[0], model[2]), layers):
                lin.weight.copy_(torch.from_numpy(W))
                lin.bias.copy_(torch.from_numpy(b))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        Xtr_t, ytr_t, Xte_t = torch.from_numpy(Xtr), torch.from_numpy(ytr), torch.from_numpy(Xte)
        for epoch in range(60):
            order = torch.from_numpy(order_rng.permutation(len(Xtr)))
            for i in range(0, len(order), 32):
                idx = order[i:i + 32]
                loss = torch.nn.functional.cross_entropy(model(Xtr_t[idx]), ytr_t[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
            with torch.no_grad():
                acc = float((model(Xte_t).argmax(1).numpy() == yte).mean())
            if acc >= 0.97:
                return epoch + 1
        return 60
    return run, float("nan")


def build(workload: str, engine: str, quick: bool = False) -> tuple[Step, float]:
    if workload in speed.WORKLOADS:
        return speed.build(workload, engine)
    if workload == "S1":
        return scalar_mlp_step(engine)
    if workload == "S1u":
        return scalar_mlp_step(engine, fused=False)
    if workload == "S2":
        return scalar_chain_step(engine)
    if workload == "T1":
        return mlp_step(engine, [784, 128, 10], 32)
    if workload in ("T2", "T4"):
        return mlp_step(engine, [784, 1024, 1024, 10], 256)
    if workload == "T3s":
        return chain_step(engine, (1,))
    if workload == "T3l":
        return chain_step(engine, (1000, 1000))
    if workload == "D1":
        return digits_run(engine)
    raise KeyError(workload)
