"""Checks for notebook 11 (regularisation): inverted dropout and an SGD step with weight decay."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd as ag
import nn


def check_dropout_forward(dropout_forward: Callable) -> None:
    """``dropout_forward(x, p, rng)``: zero where ``rng.random(x.shape) < p``, survivors divided by 1 - p."""
    x = np.random.default_rng(11).standard_normal((200, 300)) + 2.0
    for p in (0.1, 0.5, 0.8):
        y = np.asarray(dropout_forward(x.copy(), p, np.random.default_rng(5)), dtype=np.float64)
        assert y.shape == x.shape, f"p={p}: output shape {y.shape}, expected {x.shape}"
        dropped = y == 0
        assert abs(dropped.mean() - p) < 0.01, (
            f"p={p}: {dropped.mean():.3f} of the units were zeroed, expected about {p}")
        assert np.allclose(y[~dropped], x[~dropped] / (1 - p)), f"p={p}: the survivors must be scaled by 1 / (1 - p)"
        assert abs(y.mean() - x.mean()) < 0.05 * abs(x.mean()) + 0.02, f"p={p}: dropout should keep the mean"
        expected_mask = np.random.default_rng(5).random(x.shape) >= p
        assert np.array_equal(~dropped, expected_mask), (
            f"p={p}: draw the mask with rng.random(x.shape) once, keeping a unit when its draw is >= p")
    assert np.array_equal(dropout_forward(x.copy(), 0.0, np.random.default_rng(0)), x), "p = 0 must return x unchanged"
    print("correct: dropout_forward drops the right fraction, scales the survivors and keeps the mean")


def check_sgd_weight_decay_step(sgd_weight_decay_step: Callable) -> None:
    """``sgd_weight_decay_step(theta, grad, lr, weight_decay)`` against ``nn.optim.SGD(weight_decay=...)``."""
    rng = np.random.default_rng(111)
    for lr, weight_decay in ((0.1, 0.01), (0.5, 0.2), (0.01, 0.0)):
        theta, grad = rng.standard_normal(6), rng.standard_normal(6)
        reference = ag.tensor(theta.copy(), requires_grad=True)
        reference.grad = ag.tensor(grad.copy())
        nn.optim.SGD([reference], lr=lr, weight_decay=weight_decay).step()
        got = np.asarray(sgd_weight_decay_step(theta.copy(), grad.copy(), lr, weight_decay), dtype=np.float64)
        assert np.allclose(got, reference.numpy()), (
            f"lr={lr}, weight_decay={weight_decay}: differs from nn.optim.SGD by up to "
            f"{np.abs(got - reference.numpy()).max():.3g}; the step is theta - lr * (grad + weight_decay * theta)")
    print("correct: sgd_weight_decay_step matches nn.optim.SGD(weight_decay=...) on 3 cases")
