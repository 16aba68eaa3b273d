"""Reference solutions for notebook 03 (activation functions); run from
notebooks/: ``PYTHONPATH=.:<repo> python solutions/nb03.py``. Checks the ELU
exercise and that the check rejects two wrong answers."""

from __future__ import annotations

import numpy as np
from course_checks.nb03 import check_elu

import autograd as ag


def my_elu(x: ag.Tensor, alpha: float = 1.0) -> ag.Tensor:
    """x where x > 0, alpha * (e**x - 1) elsewhere; the engine differentiates both branches."""
    return ag.where(x > 0, x, alpha * (x.exp() - 1))


def elu_slope(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """1 for x > 0; alpha * e**x (= ELU(x) + alpha) elsewhere."""
    return np.where(x > 0, 1.0, alpha * np.exp(x))


def expect_rejected(elu, slope, what: str) -> None:
    try:
        check_elu(elu, slope)
    except AssertionError as exc:
        print(f"rejected as it should be ({what}): {exc}")
        return
    raise SystemExit(f"the check accepted a wrong answer: {what}")


if __name__ == "__main__":
    check_elu(my_elu, elu_slope)
    expect_rejected(lambda x, alpha=1.0: ag.where(x > 0, x, x.exp() - 1), elu_slope, "alpha ignored")
    expect_rejected(my_elu, lambda x, alpha=1.0: np.where(x > 0, 1.0, np.exp(x)), "slope without alpha")
    print("nb03 solutions: all checks passed")
