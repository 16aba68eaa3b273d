"""Bad input gets a clear exception naming the op and the shapes, raised
before anything is recorded."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

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
