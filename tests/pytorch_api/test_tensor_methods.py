"""The long tail of PyTorch's Tensor methods and torch functions that
teaching programs use (autograd/tensor_torch.py, autograd/torch_names.py):
values against numpy, and against PyTorch where it is installed; gradients
where they have one. (The elementwise ones with a gradient -- log1p, expm1,
rsqrt, reciprocal, square, lerp, flip, roll -- are lines of the op registry.)"""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import glassgrad as torch

RNG = np.random.default_rng(3)


def test_comparisons_tests_and_selections_match_numpy():
    a, b = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))
    x, y = torch.tensor(a), torch.tensor(b)
    for name, ref in [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
                      ("gt", np.greater), ("ge", np.greater_equal)]:
        np.testing.assert_array_equal(getattr(x, name)(y).numpy(), ref(a, b))
        np.testing.assert_array_equal(getattr(torch, name)(x, y).numpy(), ref(a, b))
    assert torch.allclose(x, x + 1e-9) and not torch.allclose(x, y) and torch.equal(x, x.clone())
    assert torch.isnan(torch.tensor([1.0, np.nan])).tolist() == [False, True]
    assert torch.nonzero(torch.tensor([0, 3, 0, 5])).tolist() == [[1], [3]]
    values, inverse, counts = torch.unique(torch.tensor([3, 1, 3, 2]), return_inverse=True, return_counts=True)
    assert values.tolist() == [1, 2, 3] and inverse.tolist() == [2, 0, 2, 1] and counts.tolist() == [1, 1, 2]
    hist, edges = torch.histogram(torch.tensor([1.0, 2.0, 1.0, 4.0]), bins=3)
    np.testing.assert_allclose(hist.numpy(), np.histogram([1.0, 2.0, 1.0, 4.0], bins=3)[0])
    assert x.narrow(1, 1, 2).shape == (3, 2) and x.mm(y.t()).shape == (3, 3) and x.mT.shape == (4, 3)
    assert x.type() == "torch.DoubleTensor" and x.type(torch.float32).dtype == np.float32
    assert x.new_zeros(2, 5).shape == (2, 5) and x.new_full((2,), 7.0).tolist() == [7.0, 7.0]
    assert x.new_ones((1, 2)).dtype == x.dtype and torch.empty(2, 3).shape == (2, 3)
    with pytest.raises(ValueError, match=r"mm: expects two matrices, got shapes \(3, 4\) and \(4,\)"):
        x.mm(torch.ones(4))
    with pytest.raises(IndexError, match="narrow: start 3 and length 2 do not fit dim 1 of size 4"):
        x.narrow(1, 3, 2)


def test_selections_carry_their_gradients():
    a = torch.tensor(RNG.permutation(12).reshape(3, 4).astype(float), requires_grad=True)
    values, order = a.sort(1, descending=True)
    np.testing.assert_array_equal(values.numpy(), -np.sort(-a.numpy(), 1))
    np.testing.assert_array_equal(order.numpy(), np.argsort(-a.numpy(), 1))
    weights = torch.tensor(RNG.normal(size=(3, 4)))
    (values * weights).sum().backward()
    np.testing.assert_allclose(np.take_along_axis(a.grad.numpy(), order.numpy(), 1), weights.numpy())
    for fn in (lambda t: t.gather(1, torch.tensor([[0, 0], [1, 3], [2, 2]])), lambda t: t.index_select(0, [2, 0]),
               lambda t: t.repeat(2, 1), lambda t: t.tile(2), lambda t: t.narrow(0, 1, 2),
               lambda t: torch.repeat_interleave(t, 2, dim=1), lambda t: t.outer(t[0])):
        assert ag.gradcheck(fn, [torch.tensor(RNG.normal(size=(3, 4)), requires_grad=True)])
    x = torch.tensor([1.5, -1.5, 2.5], requires_grad=True)
    (x.floor() + x.ceil() + x.round() + x.trunc()).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]  # piecewise constant, as in PyTorch


def test_add_with_alpha_and_the_rest_match_pytorch():
    torch_ = pytest.importorskip("torch")
    a, b = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 4))
    ours, theirs = torch.tensor(a), torch_.tensor(a)
    ours.add_(torch.tensor(b), alpha=-0.5)
    theirs.add_(torch_.tensor(b), alpha=-0.5)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())
    for fn in (lambda m, t: m.roll(t, 2, 1), lambda m, t: m.roll(t, (1, -1), (0, 1)), lambda m, t: m.flip(t, [0]),
               lambda m, t: t.remainder(0.7), lambda m, t: t.fmod(0.7), lambda m, t: t.repeat(2, 3),
               lambda m, t: m.topk(t, 2, 1).values, lambda m, t: m.argsort(t, 1), lambda m, t: t.frac()):
        np.testing.assert_allclose(fn(torch, torch.tensor(a)).numpy(), fn(torch_, torch_.tensor(a)).numpy(),
                                   rtol=1e-12, atol=1e-12)
