"""Reference solution of notebook 06's exercise; run from notebooks/: python solutions/nb06.py"""

from __future__ import annotations

import numpy as np
from course_checks.nb06 import check_adam_step


def adam_step(p, g, m, v, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    beta1, beta2 = betas
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


if __name__ == "__main__":
    check_adam_step(adam_step)
