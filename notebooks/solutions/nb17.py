"""Reference solution for notebook 17's exercise (Swish as a Function and as a
Module); run from notebooks/: ``PYTHONPATH=.:<repo> python solutions/nb17.py``.
It checks the solution and that the check rejects a rule that forgets the
product-rule term and a beta gradient left unsummed."""

from __future__ import annotations

import numpy as np
from course_checks.nb17 import check_swish

import autograd as ag
import nn


class SwishFunction(ag.Function):
    """y = x sigmoid(beta x);  dy/dx = s + beta x s (1 - s),  dy/dbeta = x^2 s (1 - s)."""

    @staticmethod
    def forward(x, beta):
        return x / (1 + np.exp(-beta * x))

    @staticmethod
    def backward(ctx, g):
        x, beta = ctx.inputs
        s = (beta * x).sigmoid()
        slope = s * (1 - s)
        return g * (s + beta * x * slope), (g * x * x * slope).sum().reshape(beta.shape)


class Swish(nn.Module):
    """x sigmoid(beta x) with a learnable beta, starting at 1 (SiLU)."""

    def __init__(self) -> None:
        super().__init__()
        self.beta = nn.Parameter(np.ones(1, dtype=np.float32))

    def forward(self, x):
        return SwishFunction.apply(x, self.beta)


class NoProductRule(SwishFunction):
    @staticmethod
    def backward(ctx, g):
        x, beta = ctx.inputs
        s = (beta * x).sigmoid()
        return g * s, (g * x * x * s * (1 - s)).sum().reshape(beta.shape)


class UnsummedBeta(SwishFunction):
    @staticmethod
    def backward(ctx, g):
        x, beta = ctx.inputs
        s = (beta * x).sigmoid()
        return g * (s + beta * x * s * (1 - s)), g * x * x * s * (1 - s)


def main() -> None:
    check_swish(SwishFunction, Swish)
    for wrong in (NoProductRule, UnsummedBeta):
        try:
            check_swish(wrong, Swish)
        except (AssertionError, RuntimeError, ValueError) as error:
            print(f"{wrong.__name__} rejected as it should be: {str(error).splitlines()[0]}")
        else:
            raise SystemExit(f"the check accepted the wrong rule {wrong.__name__}")
    print("nb17: the solution passes and 2 wrong answers are rejected")


if __name__ == "__main__":
    main()
