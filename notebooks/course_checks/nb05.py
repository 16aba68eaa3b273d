"""Checks for notebook 05 (tensors and broadcasting): your ``sum_to`` (the
backward of broadcasting) and your ``linear_backward`` (the gradients of
``X @ W.T + b``) against the engine's gradients."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd as ag
from nn import functional as F

SUM_TO_CASES = [((3, 4), (4,)), ((3, 4), (1, 4)), ((3, 4), (3, 1)), ((2, 3, 4), (3, 1)),
                ((2, 3, 4), ()), ((5,), (5,))]


def check_sum_to(sum_to: Callable[[np.ndarray, tuple], np.ndarray]) -> None:
    """``sum_to(grad, shape)`` turns the gradient of a broadcast result back into
    the gradient of the input of ``shape``: compared with the engine's gradient
    of ``(x broadcast to big_shape * weights).sum()``."""
    rng = np.random.default_rng(0)
    for big, small in SUM_TO_CASES:
        x = ag.tensor(rng.standard_normal(small), requires_grad=True)
        weights = rng.standard_normal(big)
        (x.expand(*big) * ag.tensor(weights)).sum().backward()  # dL/d(broadcast x) = weights
        mine = np.asarray(sum_to(weights.copy(), small))
        assert mine.shape == tuple(small), f"sum_to(grad of shape {big}, {small}) has shape {mine.shape}"
        assert np.allclose(mine, x.grad.numpy(), atol=1e-12), (
            f"sum_to(grad of shape {big}, {small}) gives\n{mine}\nthe engine's gradient is\n{x.grad.numpy()}")
        print(f"  sum_to {str(big):10s} -> {str(small):8s} ok")
    print("correct: sum_to undoes broadcasting as the engine does")


def check_linear_backward(linear_backward: Callable[[np.ndarray, np.ndarray, np.ndarray], tuple]) -> None:
    """``linear_backward(X, W, G)`` returns ``(dX, dW, db)`` for ``Y = X @ W.T + b``
    with ``G = dL/dY``; compared with the engine's gradients through F.linear,
    for a batch of 2-D inputs and for a (batch, time, features) input."""
    rng = np.random.default_rng(1)
    for x_shape, (out_features, in_features) in (((8, 3), (5, 3)), ((1, 4), (2, 4)), ((2, 6, 3), (4, 3))):
        X = ag.tensor(rng.standard_normal(x_shape), requires_grad=True)
        W = ag.tensor(rng.standard_normal((out_features, in_features)), requires_grad=True)
        b = ag.tensor(rng.standard_normal(out_features), requires_grad=True)
        Y = F.linear(X, W, b)
        G = rng.standard_normal(Y.shape)
        (Y * ag.tensor(G)).sum().backward()       # dL/dY = G exactly
        result = linear_backward(X.numpy().copy(), W.numpy().copy(), G.copy())
        assert isinstance(result, tuple) and len(result) == 3, "linear_backward should return (dX, dW, db)"
        for name, mine, ref in zip(("dX", "dW", "db"), result, (X.grad, W.grad, b.grad)):
            mine = np.asarray(mine)
            assert mine.shape == ref.shape, (
                f"X {x_shape}, W {(out_features, in_features)}: {name} has shape {mine.shape}, "
                f"expected {ref.shape} (a gradient has its parameter's shape)")
            assert np.allclose(mine, ref.numpy(), atol=1e-10), (
                f"X {x_shape}, W {(out_features, in_features)}: {name} differs from the engine's gradient")
        print(f"  X {str(x_shape):10s} W {str((out_features, in_features)):8s} ok")
    print("correct: dX, dW and db match the engine's gradients")
