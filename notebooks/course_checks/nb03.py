"""Checks for notebook 03 (activation functions): the ELU exercise, your
Tensor expression and your closed-form slope against ``nn.functional.elu``
and the engine's gradient."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd as ag
from nn import functional as F

POINTS = np.array([-6.0, -2.5, -1.0, -0.3, -1e-3, 1e-3, 0.4, 1.0, 3.0])


def check_elu(my_elu: Callable[[ag.Tensor, float], ag.Tensor],
              elu_slope: Callable[[np.ndarray, float], np.ndarray]) -> None:
    """``my_elu(x, alpha)`` (Tensor operations, differentiable) matches F.elu in
    value and gradient; ``elu_slope(x, alpha)`` (numpy, your derivation) matches
    the engine's derivative; for alpha = 1.0 and 0.5, at points on both sides of 0."""
    for alpha in (1.0, 0.5):
        x_mine = ag.tensor(POINTS, requires_grad=True)
        x_ref = ag.tensor(POINTS, requires_grad=True)
        y_mine, y_ref = my_elu(x_mine, alpha), F.elu(x_ref, alpha)
        assert isinstance(y_mine, ag.Tensor), f"my_elu should return a Tensor, got {type(y_mine).__name__}"
        assert y_mine.shape == y_ref.shape, f"my_elu: shape {y_mine.shape}, expected {y_ref.shape}"
        bad = ~np.isclose(y_mine.numpy(), y_ref.numpy(), rtol=1e-9, atol=1e-12)
        assert not bad.any(), (f"my_elu(x, alpha={alpha}) at x = {POINTS[bad]}: {y_mine.numpy()[bad]}, "
                               f"expected {y_ref.numpy()[bad]}")
        assert y_mine.requires_grad, "my_elu's output is not connected to x: use Tensor operations (x.exp(), ag.where)"
        y_mine.sum().backward()
        y_ref.sum().backward()
        bad = ~np.isclose(x_mine.grad.numpy(), x_ref.grad.numpy(), rtol=1e-9, atol=1e-12)
        assert not bad.any(), (f"the gradient of my_elu(x, alpha={alpha}) at x = {POINTS[bad]}: "
                               f"{x_mine.grad.numpy()[bad]}, expected {x_ref.grad.numpy()[bad]}")
        slope = np.asarray(elu_slope(POINTS.copy(), alpha), dtype=np.float64)
        bad = ~np.isclose(slope, x_ref.grad.numpy(), rtol=1e-9, atol=1e-12)
        assert not bad.any(), (f"elu_slope(x, alpha={alpha}) at x = {POINTS[bad]}: {slope[bad]}, "
                               f"the engine's derivative is {x_ref.grad.numpy()[bad]}")
    print("correct: my_elu matches F.elu (values and gradients) and elu_slope matches the engine's derivative")
