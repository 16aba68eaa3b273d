"""Reference solution of notebook 08's exercise; run from notebooks/: python solutions/nb08.py"""

from __future__ import annotations

import numpy as np
from course_checks.nb08 import check_batchnorm_train


def batchnorm_train(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5):
    m = x.shape[0]
    mean = x.mean(axis=0)
    var = ((x - mean) ** 2).mean(axis=0)
    y = gamma * (x - mean) / np.sqrt(var + eps) + beta
    new_mean = (1 - momentum) * running_mean + momentum * mean
    new_var = (1 - momentum) * running_var + momentum * var * m / (m - 1)
    return y, new_mean, new_var


if __name__ == "__main__":
    check_batchnorm_train(batchnorm_train)
