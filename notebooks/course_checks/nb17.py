"""Checks for notebook 17 (your own Module and Function): the learner's Swish
Function judged by gradcheck and gradgradcheck and compared with F.silu, the
formula composed from autograd's operations and PyTorch (when installed); the
Swish Module's parameter and one training step."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd as ag
import nn
from nn import functional as F


def _formula(x: Any, beta: Any) -> Any:
    return x * (beta * x).sigmoid()


def _compare(label: str, mine: Any, want: Any, atol: float = 1e-10) -> None:
    mine, want = np.asarray(mine), np.asarray(want)
    if mine.shape != want.shape or not np.allclose(mine, want, atol=atol):
        raise AssertionError(f"{label}: got {np.round(mine.ravel()[:4], 6)}..., expected "
                             f"{np.round(want.ravel()[:4], 6)}... (shapes {mine.shape}, {want.shape})")


def _check_function(SwishFunction: type) -> None:
    rng = np.random.default_rng(17)
    x = ag.tensor(rng.normal(size=(3, 4)) * 2, requires_grad=True)
    one = ag.tensor(np.array([1.0]), requires_grad=True)
    _compare("SwishFunction with beta = 1 against F.silu", SwishFunction.apply(x, one).detach().numpy(),
             F.silu(x).detach().numpy())
    beta = ag.tensor(np.array([1.7]), requires_grad=True)
    out = SwishFunction.apply(x, beta)
    weights = ag.tensor(rng.normal(size=(3, 4)))
    (out * weights).sum().backward()
    xr, br = ag.tensor(x.detach().numpy(), requires_grad=True), ag.tensor(np.array([1.7]), requires_grad=True)
    (_formula(xr, br) * weights).sum().backward()
    _compare("the output at beta = 1.7", out.detach().numpy(), _formula(xr, br).detach().numpy())
    _compare("the gradient of x", x.grad.numpy(), xr.grad.numpy())
    _compare("the gradient of beta (a sum over every element, shape (1,))", beta.grad.numpy(), br.grad.numpy())
    ag.gradcheck(SwishFunction.apply, [ag.tensor(x.detach().numpy(), requires_grad=True),
                                       ag.tensor(np.array([0.8]), requires_grad=True)])
    ag.gradgradcheck(SwishFunction.apply, [ag.tensor(x.detach().numpy()[:2, :2], requires_grad=True),
                                           ag.tensor(np.array([0.8]), requires_grad=True)])
    print("SwishFunction: matches F.silu and the formula; gradcheck and gradgradcheck pass")
    _against_torch(x.detach().numpy(), weights.numpy(), x.grad.numpy(), beta.grad.numpy())


def _against_torch(x: np.ndarray, weights: np.ndarray, dx: np.ndarray, dbeta: np.ndarray) -> None:
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: the comparison with PyTorch is skipped")
        return
    tx = torch.tensor(x, requires_grad=True)
    tb = torch.tensor([1.7], dtype=torch.float64, requires_grad=True)
    (tx * torch.sigmoid(tb * tx) * torch.from_numpy(weights)).sum().backward()
    _compare("the gradient of x against PyTorch", dx, tx.grad.numpy())
    _compare("the gradient of beta against PyTorch", dbeta, tb.grad.numpy())
    print("SwishFunction: gradients equal PyTorch's for x * sigmoid(beta * x)")


def _check_module(Swish: type) -> None:
    layer = Swish()
    params = dict(layer.named_parameters())
    if list(params) != ["beta"]:
        raise AssertionError(f"Swish should have one parameter named 'beta', found {list(params)}")
    if tuple(layer.beta.shape) != (1,) or float(layer.beta.detach().numpy()[0]) != 1.0:
        raise AssertionError(f"beta should have shape (1,) and start at 1.0, got {layer.beta}")
    x = ag.tensor(np.linspace(-3, 3, 8, dtype=np.float32))
    out = layer(x)
    _compare("Swish()(x) against F.silu(x)", out.detach().numpy(), F.silu(x).detach().numpy(), atol=1e-6)
    optimizer = nn.optim.SGD(layer.parameters(), lr=0.1)
    loss = (layer(x) - 2 * x).pow(2).mean()   # beta must change to fit this target
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if layer.beta.grad is None or float(layer.beta.detach().numpy()[0]) == 1.0:
        raise AssertionError("one SGD step did not change beta: does forward use SwishFunction.apply(x, self.beta)?")
    print("Swish: one parameter beta = 1 at the start, equals F.silu, and an SGD step moves it")


def check_swish(SwishFunction: type, Swish: type) -> None:
    """Check the Function (values, gradients, gradcheck, PyTorch), then the Module."""
    _check_function(SwishFunction)
    _check_module(Swish)
    print("correct")
