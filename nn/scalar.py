"""A multilayer perceptron made of scalar ``Value``s: the micrograd walkthrough.

Every weight is its own ``Value``. ``MLP(nin, nouts)`` has micrograd's
signature and behaviour (ReLU hidden layers, a linear output); ``activation=``
picks another non-linearity.

A neuron's weighted sum ``b + w0*x0 + w1*x1 + ...`` is one ``dot`` node by
default (``fused=True``): the same numbers, bit for bit, but one node instead
of 2n, which makes training several times faster. ``fused=False`` builds
micrograd's graph with a node per multiply and add, so that ``draw_graph``
shows each one and a learner can follow the chain rule by hand.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from autograd import Value
from autograd.value import dot
from nn.module import Module

__all__ = ["Neuron", "Layer", "MLP"]

_ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "gelu", "silu", "softplus", "linear")


class Neuron(Module):
    """out = act(w . x + b): one weight per input ("how important is that input")
    and a bias (it shifts the activation left or right)."""

    def __init__(self, nin: int, nonlin: bool = True, activation: str = "relu",
                 rng: random.Random | None = None, fused: bool = True) -> None:
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(f"Neuron: unknown activation {activation!r}; choose from {_ACTIVATIONS}")
        rng = rng or random
        self.w = [Value(rng.uniform(-1, 1), label=f"w{i}") for i in range(nin)]
        self.b = Value(0.0, label="b")
        self.nonlin = nonlin
        self.activation = activation if nonlin else "linear"
        self.fused = fused

    def forward(self, x: Sequence[Value | float]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"Neuron: expected {len(self.w)} inputs, got {len(x)}")
        if self.fused:
            act = dot(self.w, x, self.b)
        else:
            act = self.b
            for wi, xi in zip(self.w, x):
                act = act + wi * xi
        return act if self.activation == "linear" else getattr(act, self.activation)()

    def __repr__(self) -> str:
        kind = {"relu": "ReLU", "leaky_relu": "LeakyReLU", "gelu": "GELU", "silu": "SiLU"}.get(
            self.activation, self.activation.capitalize())
        return f"{kind}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons that all read the same inputs."""

    def __init__(self, nin: int, nout: int, **kwargs) -> None:
        super().__init__()
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def forward(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """``MLP(nin, nouts)``: layers of sizes ``nouts``; all but the last use
    ``activation`` (ReLU, as micrograd), the last is linear. ``seed`` makes the
    initial weights reproducible; ``fused=False`` builds a node per multiply
    and add (see the module docstring)."""

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu",
                 seed: int | None = None, fused: bool = True) -> None:
        super().__init__()
        rng = random.Random(seed) if seed is not None else None
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1, activation=activation, rng=rng,
                  fused=fused)
            for i in range(len(nouts))
        ]

    def forward(self, x: Sequence[Value | float]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
