"""glassgrad's neural-network library, built on ``autograd``."""

from nn import data, optim, scalar
from nn.module import Module, Parameter

__all__ = ["Module", "Parameter", "data", "optim", "scalar"]
