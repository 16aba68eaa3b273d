"""Bad input gets a clear exception naming the op and the shapes or values, raised before anything changes."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from nn import functional as F

A = ag.ones(3, 4, requires_grad=True)


@pytest.mark.parametrize("make,exc,pattern", [
    (lambda: A @ ag.ones(5, 2), ValueError, r"matmul: \(3, 4\) @ \(5, 2\): inner dimensions 4 and 5 differ"),
    (lambda: A @ ag.tensor(2.0), ValueError, r"matmul: operands must have at least 1 dimension"),
    (lambda: ag.ones(2, 3, 4) @ ag.ones(3, 4, 2), ValueError, r"matmul: .*batch dimensions cannot be broadcast"),
    (lambda: A + ag.ones(2, 4), ValueError, r"add: shapes \(3, 4\) and \(2, 4\) cannot be broadcast together"),
    (lambda: A * ag.ones(5), ValueError, r"mul: shapes \(3, 4\) and \(5,\) cannot be broadcast together"),
    (lambda: A.sum(axis=2), np.exceptions.AxisError, r"sum: axis 2 is out of range for a tensor of shape \(3, 4\)"),
    (lambda: A.max(axis=(0, 0)), ValueError, r"max: repeated axis"),
    (lambda: A.mean(axis="x"), TypeError, r"mean: axis must be an int or a tuple of ints"),
    (lambda: A.reshape(5, 2), ValueError, r"reshape: cannot reshape a tensor of shape \(3, 4\) into \(5, 2\)"),
    (lambda: A.reshape(-1, -1), ValueError, r"reshape: .*only one dimension can be -1"),
    (lambda: A.permute(0, 0), ValueError, r"permute: \(0, 0\) is not a permutation"),
    (lambda: A.squeeze(0), ValueError, r"squeeze: axis 0 of shape \(3, 4\) has size 3, not 1"),
    (lambda: A.broadcast_to((2, 4)), ValueError, r"broadcast_to: cannot broadcast shape \(3, 4\) to \(2, 4\)"),
    (lambda: A[5], IndexError, r"getitem: index 5 is invalid for a tensor of shape \(3, 4\)"),
    (lambda: A[:, [0, 9]], IndexError, r"getitem: .*shape \(3, 4\)"),
    (lambda: ag.concatenate([A, ag.ones(3, 5)], axis=0), ValueError, r"cat: shapes .* differ outside dim 0"),
    (lambda: ag.stack([A, ag.ones(4, 3)]), ValueError, r"stack: all tensors need the same shape"),
    (lambda: ag.split(A, [1, 2], dim=1), ValueError, r"split: sizes \[1, 2\] do not add up to 4, the size of dim 1"),
    (lambda: ag.where(np.ones((2, 1), bool), A, 0.0), ValueError, r"where: shapes \(2, 1\) \(condition\), \(3, 4\)"),
    (lambda: ag.pad(A, ((1, 1),) * 3), ValueError, r"pad: pad_width .* does not fit a tensor of shape \(3, 4\)"),
    (lambda: A.clip(), ValueError, r"clip: give at least one of min and max"),
    (lambda: A.gelu("fast"), ValueError, r"gelu: approximate must be 'none' or 'tanh'"),
    (lambda: A.log_softmax(axis=(0, 1)), ValueError, r"log_softmax: dim must be a single int"),
    (lambda: ag.tensor(["a"]), TypeError, r"Tensor: tensor data must be numbers"),
    (lambda: A.backward(gradient=ag.ones(2)), ValueError,
     r"backward: gradient has shape \(2,\) but the output has shape \(3, 4\)"),
    (lambda: bool(A), ValueError, r"the truth value of a tensor of shape \(3, 4\) is ambiguous"),
])
def test_error_message(make, exc, pattern):
    with pytest.raises(exc, match=pattern):
        make()


def test_errors_are_raised_before_anything_is_recorded():
    x = ag.ones(2, 2, requires_grad=True)
    with pytest.raises(ValueError):
        x @ ag.ones(3, 3)
    assert x.grad is None and x.is_leaf


# -- nothing silently wrong ----------------------------------------------------------------------
def test_check_finite_names_the_bad_values():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    x = ag.Tensor(np.array([[np.nan, 1.0]], np.float32))
    loss = model(x).sum()
    loss.backward()
    with pytest.raises(FloatingPointError, match=r"check_finite: non-finite values in loss \(1 nan\); 0.weight.grad"):
        nn.utils.check_finite(model, loss)
    fine = nn.Linear(2, 1)
    fine(ag.ones(1, 2)).sum().backward()
    assert nn.utils.check_finite(fine) == []


# -- the audit: one message per mistake -------------------------------------------------------------
@pytest.mark.parametrize("make,exc,pattern", [
    (lambda: ag.ones(2).sum(axis=1.5), TypeError, r"sum: axis must be an int or a tuple of ints, got 1.5"),
    (lambda: ag.ones(2) + "x", TypeError, r"add: tensor data must be numbers"),
    (lambda: ag.ones(2) * object(), TypeError, r"mul: tensor data must be numbers"),
    (lambda: ag.grad(1.0, ag.ones(1, requires_grad=True)), TypeError, r"grad: expected a Tensor"),
    (lambda: nn.optim.SGD([nn.Parameter(np.ones(2))], lr="a"), TypeError, r"SGD: lr must be a number"),
    (lambda: nn.optim.Adam([nn.Parameter(np.ones(2))], betas=(0.9, 1.5)), ValueError, r"Adam: betas"),
    (lambda: ag.where("x", ag.ones(1), 0.0), TypeError, r"where: the condition must be boolean"),
    (lambda: nn.Linear(4, 2)(ag.ones(3, 5)), ValueError,
     r"linear: input of shape \(3, 5\) has 5 features, but the weight \(2, 4\) expects 4"),
    (lambda: nn.Conv2d(3, 2, 3)(ag.ones(1, 2, 5, 5)), ValueError, r"conv2d: input of shape \(1, 2, 5, 5\)"),
    (lambda: nn.Conv2d(1, 2, 7)(ag.ones(1, 1, 5, 5)), ValueError, r"conv2d: kernel \(7, 7\) is larger"),
    (lambda: F.max_pool2d(ag.ones(1, 1, 4, 4), 0), ValueError, r"max_pool2d: kernel_size and stride must be"),
    (lambda: nn.Embedding(3, 2)(np.array([0.5])), TypeError, r"embedding: indices must be integers"),
    (lambda: nn.BatchNorm1d(5)(ag.ones(3, 4)), ValueError, r"BatchNorm1d: expected \(N, 5\)"),
    (lambda: ag.Tensor(np.arange(3)).requires_grad_(), TypeError, r"requires_grad_: only floating-point"),
    (lambda: ag.Tensor([[1, 2], [3]]), TypeError, r"Tensor: cannot make a tensor from list"),
    (lambda: ag.ones(2, requires_grad=True).sum().backward(gradient=ag.ones(3)), ValueError,
     r"backward: gradient has shape \(3,\) but the output has shape \(\)"),
    (lambda: F.nll_loss(ag.ones(2, 4), np.array([0, 4])), IndexError,
     r"nll_loss: target class 4 is out of range for 4 classes"),
])
def test_audited_error_messages(make, exc, pattern):
    with pytest.raises(exc, match=pattern):
        make()


def test_sequential_index_error_names_the_container():
    with pytest.raises(IndexError, match=r"Sequential: index 5 is out of range for 2 modules"):
        nn.Sequential(nn.Linear(2, 2), nn.ReLU())[5]
