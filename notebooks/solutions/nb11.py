"""Reference solutions of notebook 11's exercises; run from notebooks/: python solutions/nb11.py"""

from __future__ import annotations

from course_checks.nb11 import check_dropout_forward, check_sgd_weight_decay_step


def dropout_forward(x, p, rng):
    if p == 0:
        return x
    keep = rng.random(x.shape) >= p
    return x * keep / (1 - p)


def sgd_weight_decay_step(theta, grad, lr, weight_decay):
    return theta - lr * (grad + weight_decay * theta)


if __name__ == "__main__":
    check_dropout_forward(dropout_forward)
    check_sgd_weight_decay_step(sgd_weight_decay_step)
