"""Checks for notebook 02 (a neuron, an MLP, a training loop): your MLP
against ``nn.scalar.MLP`` with the same weights, and your training step
against a reference step on an identical model."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd import Value
from nn.scalar import MLP as LibraryMLP

XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]


def _close(a: float, b: float, tol: float = 1e-9) -> bool:
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def check_mlp(mlp_class: type) -> None:
    """``mlp_class(3, [4, 4, 1])`` (tanh hidden layers, linear output, parameters()
    in the order w..., b per neuron) gives the same outputs and gradients as
    nn.scalar.MLP with its weights copied in."""
    mine = mlp_class(3, [4, 4, 1])
    library = LibraryMLP(3, [4, 4, 1], activation="tanh")
    mine_params, lib_params = mine.parameters(), library.parameters()
    assert len(mine_params) == len(lib_params) == 41, (
        f"MLP(3, [4, 4, 1]) should have 4*(3+1) + 4*(4+1) + 1*(4+1) = 41 parameters, yours has {len(mine_params)}")
    for p, q in zip(mine_params, lib_params):
        q.data = p.data
    for x in XS:
        out_mine, out_lib = mine(x), library(x)
        assert _close(out_mine.data, out_lib.data), (
            f"MLP output for input {x}: yours {out_mine.data}, nn.scalar.MLP {out_lib.data} "
            "(tanh on hidden layers, no activation on the last?)")
    loss_mine = sum((mine(x) - y) ** 2 for x, y in zip(XS, YS))
    loss_lib = sum((library(x) - y) ** 2 for x, y in zip(XS, YS))
    loss_mine.backward()
    loss_lib.backward()
    for i, (p, q) in enumerate(zip(mine_params, lib_params)):
        assert _close(p.grad, q.grad), f"parameter {i}: gradient {p.grad}, nn.scalar.MLP says {q.grad}"
    print("correct: your MLP computes what nn.scalar.MLP computes, outputs and gradients")


def _reference_step(model: Any, xs: list, ys: list, lr: float, zero: bool = True) -> float:
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys)) * (1.0 / len(xs))
    if zero:
        for p in model.parameters():
            p.grad = 0.0
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data


def check_train_step(train_step: Callable[[Any, list, list, float], float]) -> None:
    """``train_step(model, xs, ys, lr)`` takes one step of gradient descent on
    the mean squared error and returns the loss (a float) before the step;
    three steps on a fresh model must match a reference, parameter for parameter."""
    mine = LibraryMLP(3, [4, 4, 1], activation="tanh", seed=7)
    reference = LibraryMLP(3, [4, 4, 1], activation="tanh", seed=7)
    forgetful = LibraryMLP(3, [4, 4, 1], activation="tanh", seed=7)
    for step in range(3):
        loss = train_step(mine, XS, YS, 0.05)
        expected = _reference_step(reference, XS, YS, 0.05)
        _reference_step(forgetful, XS, YS, 0.05, zero=False)
        assert isinstance(loss, float) or isinstance(loss, Value), (
            f"train_step should return the loss as a float (loss.data), got {type(loss).__name__}")
        loss = loss.data if isinstance(loss, Value) else loss
        assert _close(loss, expected), (
            f"step {step}: your loss {loss}, expected {expected} (the mean of (prediction - y)**2 over the examples, "
            "computed before the update)")
        mine_data = [p.data for p in mine.parameters()]
        if step > 0 and all(_close(a, b.data) for a, b in zip(mine_data, forgetful.parameters())):
            raise AssertionError(f"step {step}: your parameters are what you get without zeroing the gradients "
                                 "first: set every p.grad = 0.0 before loss.backward()")
        for i, (a, b) in enumerate(zip(mine_data, reference.parameters())):
            assert _close(a, b.data), (
                f"step {step}: parameter {i} is {a}, expected {b.data} (p.data -= lr * p.grad, after backward)")
    print("correct: three training steps match the reference, parameter for parameter")
