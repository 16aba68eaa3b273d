"""Reference solutions for notebook 05 (tensors and broadcasting); run from
notebooks/: ``PYTHONPATH=.:<repo> python solutions/nb05.py``. Checks both
exercises (sum_to, linear_backward) and that the checks reject two wrong answers."""

from __future__ import annotations

import numpy as np
from course_checks.nb05 import check_linear_backward, check_sum_to


def sum_to(grad: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum away the dimensions broadcasting added on the left, then the stretched size-1 ones."""
    grad = grad.sum(axis=tuple(range(grad.ndim - len(shape)))) if grad.ndim > len(shape) else grad
    stretched = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    return grad.sum(axis=stretched, keepdims=True) if stretched else grad


def linear_backward(X: np.ndarray, W: np.ndarray, G: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Y = X @ W.T + b:  dX = G @ W,  dW = G^T X and db = sum of G, over every leading dimension."""
    flat_x, flat_g = X.reshape(-1, X.shape[-1]), G.reshape(-1, G.shape[-1])
    return G @ W, flat_g.T @ flat_x, flat_g.sum(axis=0)


def expect_rejected(check, answer, what: str) -> None:
    try:
        check(answer)
    except AssertionError as exc:
        print(f"rejected as it should be ({what}): {str(exc).splitlines()[0]}")
        return
    raise SystemExit(f"the check accepted a wrong answer: {what}")


if __name__ == "__main__":
    check_sum_to(sum_to)
    check_linear_backward(linear_backward)
    expect_rejected(check_sum_to, lambda g, shape: sum_to(g, shape) * np.prod(shape) / g.size,
                    "averaging instead of summing")
    expect_rejected(check_linear_backward, lambda X, W, G: (G @ W, X.reshape(-1, X.shape[-1]).T
                    @ G.reshape(-1, G.shape[-1]), G.reshape(-1, G.shape[-1]).sum(0)), "dW transposed")
    print("nb05 solutions: all checks passed")
