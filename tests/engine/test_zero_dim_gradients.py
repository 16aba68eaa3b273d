"""A 0-d tensor used more than once (the scalar parameters of PyTorch's
dynamic_net example, ``self.e * x ** 4 + self.e * x ** 5``) gets its summed
gradient as a 0-d Tensor, as in PyTorch: numpy adds two 0-d arrays into a
numpy scalar, which must not leak into ``.grad``."""

from __future__ import annotations

import numpy as np
import pytest

import glassgrad as torch


def _grads(t, reuse: int):
    e = t.tensor(0.5, requires_grad=True)
    x = t.linspace(-1.0, 1.0, 7)
    y = sum(e * x ** (k + 1) for k in range(reuse))
    (y * y).sum().backward()
    return e.grad


@pytest.mark.parametrize("reuse", [1, 2, 3])
def test_a_reused_zero_dim_leaf_gets_a_zero_dim_tensor_gradient(reuse):
    grad = _grads(torch, reuse)
    assert isinstance(grad, torch.Tensor) and grad.shape == () and grad.dtype == torch.float32
    real = pytest.importorskip("torch", reason="PyTorch is the oracle for the gradient's value")
    np.testing.assert_allclose(grad.item(), _grads(real, reuse).item(), rtol=1e-6)


def test_an_optimizer_steps_a_reused_zero_dim_parameter():
    e = torch.nn.Parameter(torch.tensor(0.5))
    x = torch.linspace(-1.0, 1.0, 7)
    optimizer = torch.optim.SGD([e], lr=0.1, momentum=0.9)
    for _ in range(2):
        optimizer.zero_grad()
        ((e * x + e * x ** 2) ** 2).sum().backward()
        optimizer.step()
    assert isinstance(e.grad, torch.Tensor) and e.shape == () and e.item() != 0.5
