"""``nn.LazyLinear`` and ``nn.LazyConv2d``: PyTorch's lazy layers, whose
input size is read from the first batch they see.

Until then the weight (and bias) are empty placeholders of the right kind;
the first ``forward`` gives them their shape and PyTorch's default
initialisation in place (the same Parameter objects, so an optimizer built
before still holds them) and the module becomes a plain ``Linear`` /
``Conv2d``, as in PyTorch. Run one batch before loading a state dict.
"""

from __future__ import annotations

import numpy as np

from autograd import Tensor
from nn.layers import Conv2d, Linear
from nn.module import Module, Parameter

__all__ = ["LazyLinear", "LazyConv2d"]


def _placeholder(*shape: int) -> Parameter:
    return Parameter(np.zeros(shape, dtype=np.float32))


def _check_size(op: str, name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{op}: {name} must be a positive int, got {value!r}")


def _materialize(lazy: Module, built: Module) -> None:
    """Give ``lazy``'s placeholders ``built``'s values in place, take its
    settings, and turn ``lazy`` into ``built``'s class."""
    for name in ("weight", "bias"):
        placeholder, value = getattr(lazy, name), getattr(built, name)
        if placeholder is not None:  # in the placeholder's dtype: lazy.double() before the first batch holds
            placeholder.data = value.data.to(placeholder.dtype)
    own = ("weight", "bias", "training")
    settings = {k: v for k, v in built.__dict__.items() if not k.startswith("_") and k not in own}
    lazy.__dict__.update(settings)
    lazy.__class__ = type(built)


class LazyLinear(Linear):
    """A ``Linear`` whose ``in_features`` is the last dimension of its first input."""

    def __init__(self, out_features: int, bias: bool = True) -> None:
        Module.__init__(self)
        _check_size("LazyLinear", "out_features", out_features)
        self.in_features, self.out_features = 0, out_features
        self.weight = _placeholder(out_features, 0)
        self.bias = _placeholder(out_features) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim < 1:
            raise ValueError(f"LazyLinear: expected an input with a feature dimension, got shape {x.shape}")
        _materialize(self, Linear(x.shape[-1], self.out_features, self.bias is not None))
        return self.forward(x)


class LazyConv2d(Conv2d):
    """A ``Conv2d`` whose ``in_channels`` is read from its first input ((N, C, H, W) or (C, H, W))."""

    def __init__(self, out_channels: int, kernel_size: int | tuple[int, int], stride: int = 1, padding: int = 0,
                 bias: bool = True) -> None:
        Module.__init__(self)
        _check_size("LazyConv2d", "out_channels", out_channels)
        kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
        self.in_channels, self.out_channels = 0, out_channels
        self.kernel_size, self.stride, self.padding = (kh, kw), stride, padding
        self.weight = _placeholder(out_channels, 0, kh, kw)
        self.bias = _placeholder(out_channels) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim not in (3, 4):
            raise ValueError(f"LazyConv2d: expected (N, C, H, W) or (C, H, W), got shape {x.shape}")
        _materialize(self, Conv2d(x.shape[-3], self.out_channels, self.kernel_size, self.stride, self.padding,
                                  self.bias is not None))
        return self.forward(x)
