"""Checks for notebook 04 (loss functions): the cross-entropy exercise, your
Tensor version against ``F.cross_entropy`` (values, gradients, and logits so
large that a naive softmax overflows) and your closed-form gradient."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd as ag
from nn import functional as F


def _cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(4)
    return [
        ("ordinary logits", rng.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])),
        ("one example, many classes", rng.standard_normal((1, 10)) * 3, np.array([7])),
        ("huge logits (a naive exp overflows)", np.array([[1000.0, 0.0, -1000.0], [-800.0, 800.0, 790.0]]),
         np.array([1, 2])),
    ]


def check_cross_entropy(my_cross_entropy: Callable[[ag.Tensor, np.ndarray], ag.Tensor],
                        cross_entropy_grad: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> None:
    """``my_cross_entropy(logits, targets)`` (Tensor operations, mean over the
    batch) matches F.cross_entropy in value and gradient, and stays finite for
    huge logits; ``cross_entropy_grad(logits, targets)`` (numpy) is its gradient."""
    for name, logits, targets in _cases():
        z_mine = ag.tensor(logits, requires_grad=True)
        z_ref = ag.tensor(logits, requires_grad=True)
        loss_mine, loss_ref = my_cross_entropy(z_mine, targets), F.cross_entropy(z_ref, targets)
        assert isinstance(loss_mine, ag.Tensor) and loss_mine.numel() == 1, (
            f"{name}: my_cross_entropy should return a one-element Tensor (the mean loss), got {loss_mine!r}")
        assert np.isfinite(loss_mine.item()), (
            f"{name}: your loss is {loss_mine.item()}: subtract each row's maximum before exp (log-sum-exp trick)")
        assert np.isclose(loss_mine.item(), loss_ref.item(), rtol=1e-9, atol=1e-12), (
            f"{name}: your loss {loss_mine.item()}, F.cross_entropy {loss_ref.item()} "
            "(the mean over the batch of -log softmax(z)[target])")
        loss_mine.backward()
        loss_ref.backward()
        assert np.allclose(z_mine.grad.numpy(), z_ref.grad.numpy(), rtol=1e-9, atol=1e-12), (
            f"{name}: the gradient of your loss differs from F.cross_entropy's:\n"
            f"{z_mine.grad.numpy()}\nexpected\n{z_ref.grad.numpy()}")
        closed = np.asarray(cross_entropy_grad(logits.copy(), targets), dtype=np.float64)
        assert closed.shape == logits.shape, (
            f"{name}: cross_entropy_grad has shape {closed.shape}, expected {logits.shape}")
        assert np.allclose(closed, z_ref.grad.numpy(), rtol=1e-9, atol=1e-12), (
            f"{name}: cross_entropy_grad gives\n{closed}\nthe engine's gradient is\n{z_ref.grad.numpy()}\n"
            "(softmax minus one-hot, divided by the batch size?)")
        print(f"  {name:38s} ok")
    print("correct: your cross-entropy and its gradient match F.cross_entropy, huge logits included")
