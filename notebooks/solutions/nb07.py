"""Reference solutions of notebook 07's exercises; run from notebooks/: python solutions/nb07.py"""

from __future__ import annotations

import math

import numpy as np
from course_checks.nb07 import check_dead_fraction, check_kaiming_std

GAINS = {"linear": 1.0, "tanh": 5 / 3, "relu": math.sqrt(2)}


def kaiming_std(fan_in, nonlinearity):
    return GAINS[nonlinearity] / math.sqrt(fan_in)


def dead_fraction(h):
    return float(np.all(h == 0, axis=0).mean())


if __name__ == "__main__":
    check_kaiming_std(kaiming_std)
    check_dead_fraction(dead_fraction)
