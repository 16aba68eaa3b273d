"""Checks for notebook 06 (optimizers): the learner's Adam step against nn.optim.Adam."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import autograd as ag
import nn


def check_adam_step(adam_step: Callable, steps: int = 5) -> None:
    """Run ``adam_step(p, g, m, v, t, lr, betas, eps) -> (p, m, v)`` for a few steps on
    random gradients and compare every new ``p`` with ``nn.optim.Adam``'s."""
    rng = np.random.default_rng(6)
    lr, betas, eps = 0.01, (0.8, 0.99), 1e-6  # not the defaults, so a hard-coded beta is caught
    start = rng.standard_normal(7)
    reference = ag.tensor(start.copy(), requires_grad=True)
    opt = nn.optim.Adam([reference], lr=lr, betas=betas, eps=eps)
    p, m, v = start.copy(), np.zeros(7), np.zeros(7)
    for t in range(1, steps + 1):
        g = rng.standard_normal(7) * 10.0 ** rng.integers(-3, 2)
        reference.grad = ag.tensor(g)
        opt.step()
        result = adam_step(p.copy(), g.copy(), m.copy(), v.copy(), t, lr=lr, betas=betas, eps=eps)
        assert isinstance(result, tuple) and len(result) == 3, "adam_step must return the tuple (p, m, v)"
        p_new, m_new, v_new = (np.asarray(a, dtype=np.float64) for a in result)
        m_expected = betas[0] * m + (1 - betas[0]) * g
        v_expected = betas[1] * v + (1 - betas[1]) * g * g
        assert np.allclose(m_new, m_expected), f"step {t}: m is wrong (m = beta1 * m + (1 - beta1) * g)"
        assert np.allclose(v_new, v_expected), f"step {t}: v is wrong (v = beta2 * v + (1 - beta2) * g**2)"
        assert np.allclose(p_new, reference.numpy(), rtol=1e-6, atol=1e-9), (
            f"step {t}: p differs from nn.optim.Adam by up to {np.abs(p_new - reference.numpy()).max():.3g}; "
            "did you correct both moments' bias with 1 - beta**t, and put eps outside the square root?")
        p, m, v = p_new, m_new, v_new
    print(f"correct: {steps} Adam steps agree with nn.optim.Adam")
