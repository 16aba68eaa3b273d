"""Checks for notebook 07 (initialisation): Kaiming's standard deviation and the dead-unit fraction."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

import nn
from nn.diagnostics import activation_stats


def check_kaiming_std(kaiming_std: Callable) -> None:
    """``kaiming_std(fan_in, nonlinearity)`` = gain / sqrt(fan_in), against nn.init (and torch.nn.init)."""
    try:
        import torch
    except ImportError:
        torch = None
    for nonlinearity in ("linear", "tanh", "relu"):
        for fan_in in (1, 64, 300):
            expected = nn.init.calculate_gain(nonlinearity) / math.sqrt(fan_in)
            got = float(kaiming_std(fan_in, nonlinearity))
            assert math.isclose(got, expected, rel_tol=1e-6), (
                f"kaiming_std({fan_in}, {nonlinearity!r}) = {got:.6g}, expected gain / sqrt(fan_in) = {expected:.6g}")
            if torch is not None:
                assert math.isclose(got, torch.nn.init.calculate_gain(nonlinearity) / math.sqrt(fan_in), rel_tol=1e-6)
    print("correct: kaiming_std matches nn.init.calculate_gain" + (" and PyTorch's" if torch else
                                                                  " (PyTorch not installed: not compared with it)"))


def check_dead_fraction(dead_fraction: Callable) -> None:
    """``dead_fraction(h)``: the fraction of units (columns) of a ReLU output that are 0 in every row."""
    rng = np.random.default_rng(7)
    relu = nn.ReLU()
    for trial in range(5):
        h = np.maximum(rng.standard_normal((32, 20)) + rng.normal(-1.5, 1.5, 20), 0)
        expected = activation_stats(relu, h).dead
        got = float(dead_fraction(h))
        assert math.isclose(got, expected), (
            f"batch {trial}: dead_fraction = {got}, expected {expected}: a unit is dead when its column is 0 "
            "for every example; the answer is the fraction of such columns")
    assert float(dead_fraction(np.ones((4, 3)))) == 0.0, "no unit is dead when every output is positive"
    print("correct: dead_fraction agrees with nn.diagnostics on 5 random batches")
