"""Reference solutions for notebook 04 (loss functions); run from notebooks/:
``PYTHONPATH=.:<repo> python solutions/nb04.py``. Checks the cross-entropy
exercise and that the check rejects a naive (overflowing) softmax and a
gradient that forgets the batch mean."""

from __future__ import annotations

import numpy as np
from course_checks.nb04 import check_cross_entropy

import autograd as ag


def my_cross_entropy(logits: ag.Tensor, targets: np.ndarray) -> ag.Tensor:
    """mean over the batch of logsumexp(z) - z[target], the max subtracted first."""
    shift = logits.amax(dim=1, keepdim=True).detach()  # a constant: softmax ignores it, so no gradient needed
    shifted = logits - shift
    log_normaliser = shifted.exp().sum(dim=1).log()
    picked = shifted[np.arange(len(targets)), targets]
    return (log_normaliser - picked).mean()


def cross_entropy_grad(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """(softmax(z) - onehot(t)) / N."""
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    q = e / e.sum(axis=1, keepdims=True)
    q[np.arange(len(targets)), targets] -= 1.0
    return q / len(targets)


def naive_cross_entropy(logits: ag.Tensor, targets: np.ndarray) -> ag.Tensor:
    """A wrong answer: softmax without the max shift (overflows for huge logits)."""
    q = logits.exp() / logits.exp().sum(dim=1, keepdim=True)
    return -q[np.arange(len(targets)), targets].log().mean()


def expect_rejected(ce, grad, what: str) -> None:
    try:
        with np.errstate(all="ignore"):
            check_cross_entropy(ce, grad)
    except AssertionError as exc:
        print(f"rejected as it should be ({what}): {str(exc).splitlines()[0]}")
        return
    raise SystemExit(f"the check accepted a wrong answer: {what}")


if __name__ == "__main__":
    check_cross_entropy(my_cross_entropy, cross_entropy_grad)
    expect_rejected(naive_cross_entropy, cross_entropy_grad, "no log-sum-exp trick")
    expect_rejected(my_cross_entropy, lambda z, t: cross_entropy_grad(z, t) * len(t),
                    "gradient of the sum, not the mean")
    print("nb04 solutions: all checks passed")
