"""A leaf whose array is replaced (``model.double()``, ``.float()``,
``.to(dtype)``, ``p.data = ...``) after it took part in a recorded
backward: the next forward and backward use the new dtype and shape, as in
PyTorch; lazy layers follow ``.double()`` before and after their first batch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for the dtype-change tests")

RNG = np.random.default_rng(7)


def _pair(features: int = 3, out: int = 2) -> tuple[nn.Linear, torch.nn.Linear]:
    ours = nn.Linear(features, out)
    theirs = torch.nn.Linear(features, out)
    theirs.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("cast", ["double", "to"])
def test_double_after_a_recorded_backward_trains_in_float64_like_pytorch(cast):
    ours, theirs = _pair()
    x32 = RNG.standard_normal((4, 3)).astype(np.float32)
    ours(ag.tensor(x32)).sum().backward()
    theirs(torch.from_numpy(x32)).sum().backward()
    if cast == "double":
        ours.double(), theirs.double()
    else:
        ours.to(ag.float64), theirs.to(torch.float64)
    ours.zero_grad(), theirs.zero_grad()
    x64 = RNG.standard_normal((4, 3))
    out = ours(ag.tensor(x64))
    ref = theirs(torch.from_numpy(x64))
    assert out.dtype == np.float64
    (out * out).sum().backward()
    (ref * ref).sum().backward()
    for name, p in ours.named_parameters():
        assert p.dtype == np.float64 and p.grad.dtype == np.float64, name
        np.testing.assert_allclose(p.grad.numpy(), dict(theirs.named_parameters())[name].grad.numpy(),
                                   rtol=1e-12, atol=1e-12)


def test_float_after_double_and_back_again_each_backward_in_the_live_dtype():
    ours, theirs = _pair()
    for step, cast in enumerate(["double", "float", "double", "float"]):
        getattr(ours, cast)(), getattr(theirs, cast)()
        ours.zero_grad(), theirs.zero_grad()
        dtype = np.float64 if cast == "double" else np.float32
        x = RNG.standard_normal((5, 3)).astype(dtype)
        ours(ag.tensor(x)).tanh().sum().backward()
        theirs(torch.from_numpy(x)).tanh().sum().backward()
        assert ours.weight.grad.dtype == dtype, step
        np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_a_new_shape_through_data_then_backward_like_pytorch():
    w = ag.tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    tw = torch.tensor(w.numpy().copy(), requires_grad=True)
    (w * w).sum().backward()
    (tw * tw).sum().backward()
    new = RNG.standard_normal((4,))
    w.data, tw.data = ag.tensor(new), torch.from_numpy(new.copy())
    w.grad, tw.grad = None, None
    (w.exp() * 3).sum().backward()
    (tw.exp() * 3).sum().backward()
    assert w.grad.shape == (4,)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-12)


def test_a_graph_recorded_before_the_cast_still_runs_as_in_pytorch():
    ours, theirs = _pair()
    x = RNG.standard_normal((4, 3)).astype(np.float32)
    out, ref = ours(ag.tensor(x)).sum(), theirs(torch.from_numpy(x)).sum()
    ours.double(), theirs.double()
    out.backward()  # the old graph's gradient is the old graph's dtype, as PyTorch gives it
    ref.backward()
    assert ours.weight.grad.dtype == np.float32 and theirs.weight.grad.dtype == torch.float32
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-6)


def test_a_hook_registered_before_the_cast_still_fires_and_still_removes():
    ours, _ = _pair()
    seen: list = []
    handle = ours.weight.register_hook(lambda g: seen.append(g.dtype))
    ours(ag.tensor(np.ones((1, 3), dtype=np.float32))).sum().backward()
    ours.double()
    ours(ag.tensor(np.ones((1, 3)))).sum().backward()
    assert seen == [np.float32, np.float64]
    handle.remove()
    ours(ag.tensor(np.ones((1, 3)))).sum().backward()
    assert len(seen) == 2


def test_an_optimizer_made_before_the_cast_keeps_training_the_cast_parameters():
    ours, theirs = _pair()
    opt = nn.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
    topt = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    x = RNG.standard_normal((6, 3))
    for step in range(4):
        if step == 2:
            ours.double(), theirs.double()
        dtype = np.float64 if step >= 2 else np.float32
        opt.zero_grad(), topt.zero_grad()
        ours(ag.tensor(x.astype(dtype))).pow(2).mean().backward()
        theirs(torch.from_numpy(x.astype(dtype))).pow(2).mean().backward()
        opt.step(), topt.step()
        assert ours.weight.dtype == dtype
    np.testing.assert_allclose(ours.weight.numpy(), theirs.weight.detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("when", ["before the first batch", "after the first batch"])
@pytest.mark.parametrize("kind", ["LazyLinear", "LazyConv2d"])
def test_lazy_layers_follow_double(kind, when):
    make = (lambda m: m.LazyLinear(3)) if kind == "LazyLinear" else (lambda m: m.LazyConv2d(3, 2))
    shape = (2, 4) if kind == "LazyLinear" else (2, 2, 5, 5)
    ours, theirs = make(nn), make(torch.nn)
    x = RNG.standard_normal(shape)
    if when == "after the first batch":
        ours(ag.tensor(x.astype(np.float32))).sum().backward()
        theirs(torch.from_numpy(x.astype(np.float32)))
    ours.double(), theirs.double()
    out = ours(ag.tensor(x))
    ref = theirs(torch.from_numpy(x))
    assert ours.weight.dtype == np.float64 and ours.bias.dtype == np.float64
    assert out.dtype == np.float64 and ref.dtype == torch.float64
    out.sum().backward()
    assert ours.weight.grad.dtype == np.float64 and ours.weight.grad.shape == tuple(theirs.weight.shape)
    theirs.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in ours.state_dict().items()})
    np.testing.assert_allclose(out.detach().numpy(), theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-12)
