"""Checks for notebook 08 (batch normalisation): a training-mode forward pass by hand."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd as ag
import nn


def check_batchnorm_train(batchnorm_train: Callable) -> None:
    """``batchnorm_train(x, gamma, beta, running_mean, running_var, momentum, eps) -> (y, mean, var)``
    against ``nn.BatchNorm1d`` in training mode."""
    rng = np.random.default_rng(8)
    for trial in range(3):
        m, units = (16, 5, 7)[trial], 6
        momentum, eps = (0.1, 0.3, 0.05)[trial], (1e-5, 1e-3, 1e-5)[trial]
        x = rng.standard_normal((m, units)) * rng.uniform(0.1, 5, units) + rng.uniform(-3, 3, units)
        layer = nn.BatchNorm1d(units, eps=eps, momentum=momentum).double()
        gamma, beta = rng.uniform(0.5, 2, units), rng.standard_normal(units)
        running_mean, running_var = rng.standard_normal(units), rng.uniform(0.5, 2, units)
        layer.load_state_dict({"weight": gamma, "bias": beta, "running_mean": running_mean,
                               "running_var": running_var, "num_batches_tracked": np.array(0)})
        expected = layer(ag.tensor(x)).numpy()
        result = batchnorm_train(x.copy(), gamma.copy(), beta.copy(), running_mean.copy(), running_var.copy(),
                                 momentum=momentum, eps=eps)
        assert isinstance(result, tuple) and len(result) == 3, "return the tuple (y, new_running_mean, new_running_var)"
        y, new_mean, new_var = (np.asarray(r, dtype=np.float64) for r in result)
        where = f"(batch of {m}, momentum {momentum}, eps {eps})"
        assert y.shape == x.shape, f"y has shape {y.shape}, expected {x.shape}"
        assert np.allclose(y, expected, atol=1e-6), (
            f"y differs from nn.BatchNorm1d by up to {np.abs(y - expected).max():.3g} {where}: normalise with the "
            "batch mean and the 1/m (biased) variance, then y = gamma * xhat + beta")
        assert np.allclose(new_mean, layer.running_mean.numpy()), (
            f"the running mean is wrong {where}: (1 - momentum) * running_mean + momentum * batch mean")
        assert np.allclose(new_var, layer.running_var.numpy()), (
            f"the running variance is wrong {where}: it uses the unbiased batch variance, m / (m - 1) times the "
            "1/m one")
    print("correct: output and running statistics agree with nn.BatchNorm1d on 3 batches")
