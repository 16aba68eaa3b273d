"""Checks for notebook 09 (back-propagation by hand): cross-entropy's and batch norm's backward rules,
each compared with autograd on random problems."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd as ag
from nn import functional as F


def check_cross_entropy_backward(cross_entropy_backward: Callable) -> None:
    """``cross_entropy_backward(logits, targets)`` = d mean-cross-entropy / d logits."""
    rng = np.random.default_rng(9)
    for n, classes in ((4, 3), (16, 27), (1, 5)):
        logits = rng.standard_normal((n, classes)) * 3
        targets = rng.integers(0, classes, n)
        leaf = ag.tensor(logits, requires_grad=True)
        F.cross_entropy(leaf, ag.tensor(targets)).backward()
        got = np.asarray(cross_entropy_backward(logits.copy(), targets.copy()), dtype=np.float64)
        assert got.shape == logits.shape, f"the gradient must have the logits' shape {logits.shape}, got {got.shape}"
        assert np.allclose(got.sum(1), 0), "each row of the gradient should sum to 0 (softmax minus one-hot)"
        assert np.allclose(got, leaf.grad.numpy()), (
            f"batch of {n}: differs from autograd by up to {np.abs(got - leaf.grad.numpy()).max():.3g}; "
            "did you divide by the batch size (the loss is a mean)?")
    print("correct: cross_entropy_backward agrees with autograd on 3 batches")


def check_batchnorm_backward(batchnorm_backward: Callable) -> None:
    """``batchnorm_backward(dzhat, zhat, inv_std)`` = dL/dz for zhat = (z - mean) * inv_std."""
    rng = np.random.default_rng(90)
    for n, units in ((8, 3), (32, 10)):
        z = ag.tensor(rng.standard_normal((n, units)) * 2 + 1, requires_grad=True)
        centred = z - z.mean(0, keepdim=True)
        inv_std = ((centred**2).mean(0, keepdim=True) + 1e-5) ** -0.5
        zhat = centred * inv_std
        dzhat = rng.standard_normal((n, units))
        (zhat * ag.tensor(dzhat)).sum().backward()  # so that dL/dzhat = dzhat
        got = np.asarray(batchnorm_backward(dzhat.copy(), zhat.numpy().copy(), inv_std.numpy().copy()),
                         dtype=np.float64)
        assert got.shape == (n, units), f"dz must have shape {(n, units)}, got {got.shape}"
        assert np.allclose(got, z.grad.numpy()), (
            f"batch of {n}: differs from autograd by up to {np.abs(got - z.grad.numpy()).max():.3g}; "
            "remember the paths through the mean and the variance (the two sums over the batch)")
    print("correct: batchnorm_backward agrees with autograd on 2 batches")
