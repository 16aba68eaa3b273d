"""Learning-rate schedules against torch.optim.lr_scheduler: every group's rate
(and OneCycleLR's momentum) epoch by epoch, and a state-dict resume."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from nn.optim import lr_scheduler

torch = pytest.importorskip("torch")

SCHEDULES = [
    ("StepLR", dict(step_size=3, gamma=0.3)),
    ("MultiStepLR", dict(milestones=[7, 2, 5], gamma=0.5)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=6, eta_min=0.001)),
    ("LambdaLR", dict(lr_lambda=lambda epoch: 1.0 / (1 + epoch))),
    ("LambdaLR", dict(lr_lambda=[lambda epoch: 0.9**epoch, lambda epoch: min(1.0, (epoch + 1) / 4)])),
    ("LinearLR", dict(start_factor=0.25, total_iters=4)),
    ("OneCycleLR", dict(max_lr=[0.5, 0.2], total_steps=15)),
    ("OneCycleLR", dict(max_lr=0.5, epochs=3, steps_per_epoch=4, anneal_strategy="linear", three_phase=True)),
]
# OneCycleLR also cycles SGD's momentum or Adam's beta1
RUNS = [(name, options, "SGD") for name, options in SCHEDULES] + [
    (name, options, "Adam") for name, options in SCHEDULES if name == "OneCycleLR"]
IDS = [f"{name}-{kind}-{i}" for i, (name, _, kind) in enumerate(RUNS)]


def _optimizers(kind="SGD"):
    ours = [nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros(1))]
    theirs = [torch.zeros(2, requires_grad=True), torch.zeros(1, requires_grad=True)]
    extra = {"momentum": 0.9} if kind == "SGD" else {}
    make = [getattr(nn.optim, kind), getattr(torch.optim, kind)]
    return [m([{"params": [p[0]]}, {"params": [p[1]], "lr": 0.05}], lr=0.1, **extra)
            for m, p in zip(make, (ours, theirs))]


def _assert_same_groups(opt, ref, epoch):
    for mine, group in zip(opt.param_groups, ref.param_groups):
        for key in ("lr", "initial_lr", "momentum", "betas", "max_lr", "min_lr"):
            if key in group:
                assert np.allclose(mine[key], group[key], rtol=1e-12, atol=0), (epoch, key, mine[key], group[key])


@pytest.mark.parametrize("name,options,kind", RUNS, ids=IDS)
def test_schedules_match_torch_epoch_by_epoch(name, options, kind):
    opt, ref = _optimizers(kind)
    sched, ref_sched = getattr(lr_scheduler, name)(opt, **options), getattr(torch.optim.lr_scheduler, name)(
        ref, **options)
    _assert_same_groups(opt, ref, 0)
    steps = sched.total_steps if name == "OneCycleLR" else 12  # (OneCycleLR: to its very end)
    for epoch in range(1, steps + 1):
        opt.step()
        ref.step()
        sched.step()
        ref_sched.step()
        _assert_same_groups(opt, ref, epoch)
        np.testing.assert_allclose(sched.get_last_lr(), ref_sched.get_last_lr(), rtol=1e-12)
    assert sched.last_epoch == ref_sched.last_epoch == steps


def test_reduce_lr_on_plateau_matches_torch():
    losses = [1.0, 0.9, 0.95, 0.9, 0.91, 0.92, 0.5, 0.6, 0.7, 0.8, 0.9, 0.49995, 0.6, 0.7, 0.8, 0.9, 1.0]
    for options in (dict(patience=2), dict(mode="max", factor=0.5, patience=1, cooldown=2, min_lr=[0.02, 0.04]),
                    dict(threshold_mode="abs", threshold=0.05, patience=0, min_lr=0.01)):
        opt, ref = _optimizers()
        sched = lr_scheduler.ReduceLROnPlateau(opt, **options)
        ref_sched = torch.optim.lr_scheduler.ReduceLROnPlateau(ref, **options)
        for epoch, loss in enumerate(losses):
            sched.step(loss)
            ref_sched.step(loss)
            _assert_same_groups(opt, ref, epoch)
            assert sched.get_last_lr() == ref_sched.get_last_lr()
            assert (sched.num_bad_epochs, sched.best) == (ref_sched.num_bad_epochs, ref_sched.best)


def test_a_scheduler_resumes_from_its_state_dict_and_the_optimizers():
    opt, _ = _optimizers()
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=10)
    for _ in range(4):
        sched.step()
    saved, saved_opt = sched.state_dict(), opt.state_dict()
    assert saved["last_epoch"] == 4 and "optimizer" not in saved
    resumed, _ = _optimizers()
    resumed.load_state_dict(saved_opt)  # (brings "initial_lr", which resuming needs)
    again = lr_scheduler.CosineAnnealingLR(resumed, T_max=10, last_epoch=3)
    again.load_state_dict(saved)
    for _ in range(3):
        sched.step()
        again.step()
        assert again.get_last_lr() == sched.get_last_lr()
    assert sched.get_last_lr()[0] == pytest.approx(0.1 * (1 + math.cos(math.pi * 7 / 10)) / 2)


def test_schedulers_refuse_bad_arguments():
    opt, _ = _optimizers()
    with pytest.raises(ValueError, match="StepLR: step_size must be >= 1, got 0"):
        lr_scheduler.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="LambdaLR: expected 2 values for lr_lambda"):
        lr_scheduler.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(ValueError, match="OneCycleLR: give total_steps, or epochs and steps_per_epoch"):
        lr_scheduler.OneCycleLR(opt, max_lr=0.1)
    with pytest.raises(ValueError, match="OneCycleLR: Adagrad has no momentum or betas"):
        lr_scheduler.OneCycleLR(nn.optim.Adagrad([nn.Parameter(np.zeros(1))]), max_lr=0.1, total_steps=5)
    with pytest.raises(KeyError, match="needs 'initial_lr' in every parameter group"):
        lr_scheduler.ExponentialLR(_optimizers()[0], gamma=0.9, last_epoch=3)
    sched = lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=2)
    sched.step()
    sched.step()
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 3 times; total_steps is 2"):
        sched.step()
    with pytest.raises(TypeError, match="expected an Optimizer, got list"):
        lr_scheduler.StepLR([], 2)
