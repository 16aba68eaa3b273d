"""PyTorch as the oracle for optimizers: steps and parameter groups, step for step."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch")


RNG = np.random.default_rng(3)


OPTIMIZERS = [
    ("sgd_nesterov_wd", lambda p: nn.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("sgd_dampening", lambda p: nn.optim.SGD(p, lr=0.1, momentum=0.5, dampening=0.3),
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.5, dampening=0.3)),
    ("adam_amsgrad_wd", lambda p: nn.optim.Adam(p, lr=0.05, weight_decay=0.1, amsgrad=True),
     lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.1, amsgrad=True)),
    ("adamw", lambda p: nn.optim.AdamW(p, lr=0.05, betas=(0.8, 0.99)),
     lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.8, 0.99))),
    ("rmsprop_centered_momentum", lambda p: nn.optim.RMSprop(p, lr=0.01, momentum=0.9, centered=True,
                                                             weight_decay=0.1),
     lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
]


@pytest.mark.parametrize("name,ours,theirs", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_optimizer_steps_match_step_for_step(name, ours, theirs):
    w0 = RNG.standard_normal((3, 2))
    p = nn.Parameter(w0.copy())
    tp = torch.tensor(w0.copy(), requires_grad=True)
    opt, topt = ours([p]), theirs([tp])
    for _ in range(6):
        opt.zero_grad()
        ((p * p * p).sum() + (p.exp()).sum()).backward()
        opt.step()
        topt.zero_grad()
        ((tp * tp * tp).sum() + tp.exp().sum()).backward()
        topt.step()
        np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_optimizer_parameter_groups_against_torch():
    import nn

    torch = pytest.importorskip("torch")
    w0, b0 = RNG.standard_normal((3, 2)), RNG.standard_normal(3)
    x = RNG.standard_normal((5, 2))
    for name, extra in (("SGD", {"momentum": 0.9}), ("Adam", {}), ("AdamW", {"weight_decay": 0.1}),
                        ("RMSprop", {"momentum": 0.5})):
        ours = [ag.tensor(w0, requires_grad=True), ag.tensor(b0, requires_grad=True)]
        theirs = [torch.tensor(w0, requires_grad=True), torch.tensor(b0, requires_grad=True)]
        opt = getattr(nn.optim, name)([{"params": [ours[0]]}, {"params": ours[1], "lr": 0.05}], lr=0.01, **extra)
        ref = getattr(torch.optim, name)([{"params": [theirs[0]]}, {"params": theirs[1], "lr": 0.05}],
                                         lr=0.01, **extra)
        sched, ref_sched = nn.optim.StepLR(opt, 2, 0.5), torch.optim.lr_scheduler.StepLR(ref, 2, 0.5)
        for _ in range(4):
            for params, engine, o, s in ((ours, ag, opt, sched), (theirs, torch, ref, ref_sched)):
                loss = (engine.tanh(engine.tensor(x) @ params[0].t() + params[1]) ** 2).sum()
                o.zero_grad()
                loss.backward()
                o.step()
                s.step()
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-9, err_msg=name)
        assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in ref.param_groups]
    with pytest.raises(ValueError, match="SGD: lr, momentum and weight_decay must be >= 0"):
        nn.optim.SGD([{"params": [ours[0]], "lr": -1.0}], lr=0.1)
    with pytest.raises(ValueError, match="parameter group 0 has unknown options \\['betas'\\]"):
        nn.optim.SGD([{"params": [ours[0]], "betas": (0.9, 0.9)}])
    opt = nn.optim.SGD([{"params": [ours[0]]}, {"params": [ours[1]], "lr": 0.5}], lr=0.1)
    assert opt.lr == 0.1
    opt.lr = 0.2  # the old spelling: every group
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.2]
