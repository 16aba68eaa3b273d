"""``torch.normal`` and the in-place draws ``Tensor.normal_``/``uniform_``
(d2l's ``net[0].weight.data.normal_(0, 0.01)``, ``d2l.normal(0, 1, size)``):
the shapes, dtypes, gradients and refusals PyTorch gives, statistics of the
draws, and seeded reproducibility (glassgrad's stream, not PyTorch's)."""

from __future__ import annotations

import pytest

import glassgrad as torch


def _oracle():
    return pytest.importorskip("torch", reason="PyTorch is the oracle for shapes, dtypes and gradients")


@pytest.mark.parametrize("make", [
    lambda t: t.normal(0.0, 1.0, (2, 3)),
    lambda t: t.normal(0.0, 1.0, size=(4,)),
    lambda t: t.normal(t.zeros(2, 3), t.ones(3)),
    lambda t: t.normal(2.0, t.ones(3)),
    lambda t: t.normal(t.zeros(2, 1, dtype=t.float64), 1.0),
])
def test_normal_gives_pytorchs_shape_and_dtype(make):
    real = _oracle()
    ours, theirs = make(torch), make(real)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")


def test_normal_draws_have_the_asked_mean_and_spread_and_repeat_under_a_seed():
    torch.manual_seed(5)
    draws = torch.normal(3.0, 0.5, (20000,)).numpy()
    assert abs(draws.mean() - 3.0) < 0.02 and abs(draws.std() - 0.5) < 0.02
    again = [torch.normal(0.0, 1.0, (3,), generator=torch.Generator().manual_seed(7)).tolist() for _ in range(2)]
    assert again[0] == again[1]


def test_normal_records_the_draw_with_pytorchs_zero_gradients():
    """PyTorch records ``normal(mean, std)`` (a grad_fn) but gives mean and std
    zero gradients: the draw is not reparametrised."""
    real = _oracle()
    grads = []
    for t in (torch, real):
        mean = t.tensor([0.5, -1.0, 2.0], requires_grad=True)
        std = t.tensor([1.0, 2.0, 0.5], requires_grad=True)
        out = t.normal(mean, std)
        assert out.requires_grad and out.grad_fn is not None
        (out * 3).sum().backward()
        grads.append((mean.grad.tolist(), std.grad.tolist()))
    assert grads[0] == grads[1] == ([0.0] * 3, [0.0] * 3)


def test_normal_refuses_what_pytorch_refuses():
    with pytest.raises(ValueError, match="normal: std must be >= 0, got -1.0"):
        torch.normal(0.0, -1.0, (2,))
    with pytest.raises(TypeError, match=r"normal: call normal\(mean, std, size\) with numbers"):
        torch.normal(0.0, 1.0)
    real = _oracle()
    with pytest.raises(RuntimeError):
        real.normal(0.0, -1.0, (2,))
    with pytest.raises(TypeError):
        real.normal(0.0, 1.0)


def test_in_place_draws_fill_the_tensor_and_return_it():
    w = torch.zeros(200, 100)
    assert w.normal_(0, 0.01) is w and abs(float(w.std()) - 0.01) < 0.001 and w.shape == (200, 100)
    assert w.uniform_(-0.1, 0.1) is w and -0.1 <= float(w.min()) and float(w.max()) < 0.1
    assert w.dtype == torch.float32
    seeded = [torch.zeros(3).normal_(generator=torch.Generator().manual_seed(1)).tolist() for _ in range(2)]
    assert seeded[0] == seeded[1]


def test_in_place_draws_refuse_what_pytorch_refuses_before_changing_anything():
    w = torch.ones(3)
    with pytest.raises(ValueError, match="normal_: std must be >= 0, got -1"):
        w.normal_(0, -1)
    with pytest.raises(ValueError, match="uniform_: expects from <= to, got from=1 > to=0"):
        w.uniform_(1, 0)
    with pytest.raises(TypeError, match="normal_: needs a floating-point tensor, got dtype int64"):
        torch.zeros(2, dtype=torch.int64).normal_()
    p = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="normal_: in-place change of a leaf tensor that requires grad"):
        p.normal_()
    assert w.tolist() == [1.0, 1.0, 1.0] and p.tolist() == [1.0, 1.0, 1.0]
    with torch.no_grad():
        p.normal_()  # PyTorch's idiom for re-initialising a parameter
    real = _oracle()
    with pytest.raises(RuntimeError):
        real.ones(3).normal_(0, -1)
    with pytest.raises(RuntimeError):
        real.ones(3, requires_grad=True).normal_()
