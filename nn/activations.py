"""Activation modules, with PyTorch's names and arguments. Each forward is
its ``nn.functional`` function, or the primitive itself where that function
is a plain call of one (Sigmoid, Tanh, ReLU: one Python call less per layer)."""

from __future__ import annotations

import math

import numpy as np

from autograd import Tensor
from autograd import primitives as P
from nn import functional as F
from nn import init
from nn.module import Module, Parameter

__all__ = ["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "GELU", "SiLU", "Softplus", "ELU",
           "Softmax", "LogSoftmax", "SwiGLU"]


class Sigmoid(Module):
    """1 / (1 + e**-x)."""

    # Sigmoid, Tanh and ReLU call their primitive directly (x.sigmoid() would
    # be one more Python call per layer on every step; see the README's
    # Performance section)
    def forward(self, x: Tensor) -> Tensor:
        return P.Sigmoid.apply(x)


class Tanh(Module):
    """tanh(x)."""

    def forward(self, x: Tensor) -> Tensor:
        return P.Tanh.apply(x)


class ReLU(Module):
    """max(x, 0). ``inplace=True`` is accepted and computed out of place
    (the same result, and the graph stays correct), as for every activation."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return P.ReLU.apply(x)


class LeakyReLU(Module):
    """x where x > 0, else negative_slope * x (default 0.01)."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, x: Tensor) -> Tensor:
        return x.leaky_relu(self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class GELU(Module):
    """x * Phi(x); approximate="tanh" for the tanh form."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return x.gelu(self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """x * sigmoid(x)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, x: Tensor) -> Tensor:
        return x.silu()


class Softplus(Module):
    """log(1 + e**x)."""

    def forward(self, x: Tensor) -> Tensor:
        return x.softplus()


class ELU(Module):
    """x where x > 0, else alpha (e**x - 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, x: Tensor) -> Tensor:
        return x.elu(self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class Softmax(Module):
    """e**x / sum(e**x) along ``dim`` (default -1; numpy's ``axis`` also accepted)."""

    def __init__(self, dim: int = -1, *, axis: int | None = None) -> None:
        super().__init__()
        self.dim = dim if axis is None else axis

    def forward(self, x: Tensor) -> Tensor:
        return x.softmax(self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """x - logsumexp(x) along ``dim`` (default -1)."""

    def forward(self, x: Tensor) -> Tensor:
        return x.log_softmax(self.dim)


class SwiGLU(Module):
    """``W2(SiLU(x W) * (x V))`` (Shazeer, "GLU Variants Improve Transformer"):
    a gated feed-forward block. Parameters ``w`` and ``v`` (hidden, in) and
    ``w2`` (out, hidden), out defaulting to in; bias-free as in the paper and
    initialised like ``Linear`` weights."""

    def __init__(self, in_features: int, hidden_features: int, out_features: int | None = None) -> None:
        super().__init__()
        out_features = out_features or in_features
        self.in_features, self.hidden_features, self.out_features = in_features, hidden_features, out_features
        self.w = _linear_weight(hidden_features, in_features)
        self.v = _linear_weight(hidden_features, in_features)
        self.w2 = _linear_weight(out_features, hidden_features)

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(F.swiglu(x, self.w, self.v), self.w2)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, hidden_features={self.hidden_features}, "
                f"out_features={self.out_features}")


def _linear_weight(out_features: int, in_features: int) -> Parameter:
    w = Parameter(np.zeros((out_features, in_features), np.float32))
    return init.kaiming_uniform_(w, a=math.sqrt(5))
