"""torch's named arithmetic, out of place and in place (``add(y, alpha=)``,
``addcmul_``, ``clamp_``, ``uniform_`` ...), against PyTorch: values,
gradients, dtypes, and in-place recording on computed tensors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import glassgrad

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for torch's arithmetic names")

RNG = np.random.default_rng(3)
A, B, C = (RNG.uniform(0.5, 2.0, (3, 4)) for _ in range(3))

OUT_OF_PLACE = {
    "add alpha": lambda lib, a, b, c: a.add(b, alpha=2.5),
    "sub alpha": lambda lib, a, b, c: a.sub(b, alpha=-0.5),
    "subtract": lambda lib, a, b, c: a.subtract(b),
    "rsub": lambda lib, a, b, c: lib.rsub(a, b, alpha=2),
    "mul": lambda lib, a, b, c: a.mul(b) + lib.mul(a, 3.0),
    "multiply": lambda lib, a, b, c: a.multiply(b),
    "div": lambda lib, a, b, c: a.div(b) + lib.div(a, c),
    "divide/true_divide": lambda lib, a, b, c: a.divide(b) + a.true_divide(c),
    "neg": lambda lib, a, b, c: a.neg() + lib.neg(b) + a.negative(),
    "addcmul": lambda lib, a, b, c: a.addcmul(b, c, value=0.3) + lib.addcmul(a, b, c),
    "addcdiv": lambda lib, a, b, c: a.addcdiv(b, c, value=-2) + lib.addcdiv(a, b, c),
    "torch.add/sub alpha": lambda lib, a, b, c: lib.add(a, b, alpha=2) * lib.sub(a, c, alpha=3),
    "clamp_min/max": lambda lib, a, b, c: a.clamp_min(1.0) + lib.clamp_max(b, 1.2),
    "expand_as/reshape_as": lambda lib, a, b, c: a[:1].expand_as(b) * c.reshape(4, 3).reshape_as(a),
    "unbind": lambda lib, a, b, c: lib.stack([t * i for i, t in enumerate(a.unbind(1))]) + lib.unbind(b, 0)[2][:, None],
}


@pytest.mark.parametrize("name", list(OUT_OF_PLACE))
def test_out_of_place_arithmetic_matches_torch(name):
    program = OUT_OF_PLACE[name]
    ours = [ag.tensor(v, requires_grad=True) for v in (A, B, C)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (A, B, C)]
    got, want = program(glassgrad, *ours), program(torch, *theirs)
    np.testing.assert_allclose(got.numpy(), want.detach().numpy(), rtol=1e-12)
    got.sum().backward()
    want.sum().backward()
    for o, t in zip(ours, theirs):
        expected = np.zeros_like(o.numpy()) if t.grad is None else t.grad.numpy()
        np.testing.assert_allclose(np.zeros_like(o.numpy()) if o.grad is None else o.grad.numpy(), expected,
                                   rtol=1e-12)


def test_div_rounding_modes_match_torch_on_ints_and_floats():
    for a, b in ((np.array([7, -7, 5]), 2), (np.array([7.5, -7.5, 2.0]), np.array([2.0, 2.0, -0.5]))):
        for mode in (None, "trunc", "floor"):
            got = ag.tensor(a).div(ag.tensor(b) if isinstance(b, np.ndarray) else b, rounding_mode=mode)
            want = torch.tensor(a).div(torch.tensor(b) if isinstance(b, np.ndarray) else b, rounding_mode=mode)
            assert got.tolist() == want.tolist() and str(got.dtype) == str(want.dtype).removeprefix("torch.")
    with pytest.raises(ValueError, match="div: rounding_mode must be None, 'trunc' or 'floor', got 'up'"):
        ag.ones(2).div(2, rounding_mode="up")


IN_PLACE = {
    "addcmul_": lambda t, b, c: t.addcmul_(b, c, value=0.5),
    "addcdiv_": lambda t, b, c: t.addcdiv_(b, c, value=-1.5),
    "lerp_": lambda t, b, c: t.lerp_(b, 0.25),
    "clamp_": lambda t, b, c: t.clamp_(0.8, 1.5),
    "clip_": lambda t, b, c: t.clip_(max=1.1),
    "clamp_min_": lambda t, b, c: t.clamp_min_(1.0),
    "clamp_max_": lambda t, b, c: t.clamp_max_(1.0),
    "pow_": lambda t, b, c: t.pow_(2.5),
    "masked_fill_": lambda t, b, c: t.masked_fill_(b > 1.2, -1.0),
    "neg_": lambda t, b, c: t.neg_(),
    **{f"{n}_": (lambda method: lambda t, b, c: getattr(t, method)())(f"{n}_")
       for n in ("abs", "sqrt", "exp", "log", "tanh", "sigmoid", "relu", "square", "sin", "cos", "reciprocal",
                 "rsqrt")},
    "add_ alpha": lambda t, b, c: t.add_(b, alpha=-3),
    "sub_ alpha": lambda t, b, c: t.sub_(b, alpha=0.5),
}


@pytest.mark.parametrize("name", list(IN_PLACE))
def test_in_place_arithmetic_matches_torch_plain_and_recorded(name):
    update = IN_PLACE[name]
    plain_ours, plain_theirs = ag.tensor(A.copy()), torch.tensor(A.copy())
    assert update(plain_ours, ag.tensor(B), ag.tensor(C)) is plain_ours
    update(plain_theirs, torch.tensor(B), torch.tensor(C))
    np.testing.assert_allclose(plain_ours.numpy(), plain_theirs.numpy(), rtol=1e-12)

    results = []
    for lib in (ag, torch):
        a, b = lib.tensor(A, requires_grad=True), lib.tensor(B, requires_grad=True)
        h = a * 1.5  # a computed tensor: the update is recorded
        alias = h
        update(h, b, lib.tensor(C))
        (alias * lib.tensor(C)).sum().backward()
        grads = [np.zeros_like(A) if g is None else np.asarray(g.detach().numpy() if hasattr(g, "detach")
                                                                 else g.numpy()) for g in (a.grad, b.grad)]
        results.append((h.detach().numpy(), *grads))
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_in_place_on_a_leaf_that_requires_grad_is_refused_as_in_torch_and_allowed_under_no_grad():
    w = ag.tensor(A, requires_grad=True)
    with pytest.raises(RuntimeError, match="clamp_: in-place change of a leaf tensor that requires grad"):
        w.clamp_(0, 1)
    with pytest.raises(RuntimeError):
        torch.tensor(A, requires_grad=True).clamp_(0, 1)
    np.testing.assert_array_equal(w.numpy(), A)  # refused before any change
    with ag.no_grad():
        w.clamp_(0, 1)
    assert w.numpy().max() == 1.0 and w.grad_fn is None
    with pytest.raises(TypeError, match="sqrt_: a int64 tensor cannot hold the float.. result in place"):
        ag.tensor([4, 9]).sqrt_()


def test_uniform_and_normal_fill_in_place_from_the_seeded_generator():
    model = glassgrad.nn.Embedding(50, 40)  # PyTorch's word_language_model initialises like this
    weight = model.weight
    model.weight.data.uniform_(-0.1, 0.1)
    assert model.weight is weight and weight.dtype == np.float32 and weight.requires_grad
    assert -0.1 <= weight.numpy().min() < -0.09 and 0.09 < weight.numpy().max() < 0.1
    ag.manual_seed(4)
    first = ag.zeros(1000).normal_(2.0, 0.5).numpy().copy()
    ag.manual_seed(4)
    np.testing.assert_array_equal(ag.zeros(1000).normal_(2.0, 0.5).numpy(), first)
    assert abs(first.mean() - 2.0) < 0.1 and abs(first.std() - 0.5) < 0.05
    drawn = ag.zeros(4).uniform_(generator=ag.Generator().manual_seed(1))
    np.testing.assert_array_equal(drawn.numpy(), ag.zeros(4).uniform_(generator=ag.Generator().manual_seed(1)))
    with torch.no_grad():
        reference = torch.nn.Embedding(50, 40).weight.uniform_(-0.1, 0.1)
    assert reference.min() >= -0.1  # (the same spelling runs under torch)
