"""PyTorch as the oracle for Adagrad, Adadelta, NAdam and RAdam, step for step in float64."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(11)

CASES = [
    ("Adagrad", {}),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.5, eps=1e-6)),
    ("Adadelta", {}),
    ("Adadelta", dict(lr=0.3, rho=0.5, eps=1e-3, weight_decay=0.2)),
    ("NAdam", {}),
    ("NAdam", dict(lr=0.05, betas=(0.8, 0.95), weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", {}),
    ("RAdam", dict(lr=0.05, betas=(0.8, 0.9), weight_decay=0.1)),  # rectified from step 3 on
    ("RAdam", dict(lr=0.05, betas=(0.5, 0.8), eps=1e-4, weight_decay=0.1, decoupled_weight_decay=True)),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]


@pytest.fixture(autouse=True)
def _torch_float64_scalars():
    """torch keeps scalar state (NAdam's mu_product) in the default dtype: float64 to compare at 1e-10."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


@pytest.mark.parametrize("name,options", CASES, ids=IDS)
def test_steps_match_torch_step_for_step(name, options):
    w0 = RNG.standard_normal((3, 2))
    p, tp = nn.Parameter(w0.copy()), torch.tensor(w0.copy(), requires_grad=True)
    opt, ref = getattr(nn.optim, name)([p], **options), getattr(torch.optim, name)([tp], **options)
    for _ in range(12):
        for engine, param, o in ((ag, p, opt), (torch, tp, ref)):
            o.zero_grad()
            ((param * param * param).sum() + engine.exp(param).sum()).backward()
            o.step()
        np.testing.assert_allclose(p.numpy(), tp.detach().numpy(), rtol=1e-10, atol=1e-12, err_msg=name)
    assert opt.state[id(p)]["step"] == 12


@pytest.mark.parametrize("name,options", CASES[::2], ids=IDS[::2])
def test_a_scalar_value_follows_the_same_rule(name, options):
    v, tv = ag.Value(0.7), torch.tensor(0.7, requires_grad=True)
    opt, ref = getattr(nn.optim, name)([v], **options), getattr(torch.optim, name)([tv], **options)
    for _ in range(8):
        opt.zero_grad()
        (v * v * v + v.exp()).backward()
        opt.step()
        ref.zero_grad()
        (tv**3 + tv.exp()).backward()
        ref.step()
        assert v.data == pytest.approx(tv.item(), rel=1e-10)


@pytest.mark.parametrize("make,message", [
    (lambda p: nn.optim.Adagrad(p, lr_decay=-1.0), "Adagrad: lr_decay and initial_accumulator_value must be >= 0"),
    (lambda p: nn.optim.Adagrad(p, lr=-0.1), "Adagrad: lr, eps and weight_decay must be >= 0"),
    (lambda p: nn.optim.Adadelta(p, rho=1.5), "Adadelta: rho must be in \\[0, 1\\]"),
    (lambda p: nn.optim.NAdam(p, betas=(0.9, 1.0)), "NAdam: betas must be in \\[0, 1\\)"),
    (lambda p: nn.optim.NAdam(p, momentum_decay=-1.0), "NAdam: momentum_decay must be >= 0"),
    (lambda p: nn.optim.RAdam(p, eps="1e-8"), "RAdam: eps must be a number"),
])
def test_bad_options_are_refused(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make([nn.Parameter(np.zeros(2))])
