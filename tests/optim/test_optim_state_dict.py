"""Optimizer.state_dict() / load_state_dict() against PyTorch: the same layout
and numbers, a round trip that continues exactly as PyTorch's, and state dicts
crossing between the two."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
W0, B0, X = RNG.standard_normal((3, 2)), RNG.standard_normal(3), RNG.standard_normal((5, 2))

CASES = [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.1)),
    ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.05, betas=(0.8, 0.99))),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.01)),
    ("RAdam", dict(lr=0.01, decoupled_weight_decay=True, weight_decay=0.1)),
]
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]


@pytest.fixture(autouse=True)
def _torch_float64_scalars():
    """torch keeps scalar state (NAdam's mu_product) in the default dtype: float64 to compare at 1e-10."""
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(old)


def _params(engine):
    return [engine.tensor(W0.copy(), requires_grad=True), engine.tensor(B0.copy(), requires_grad=True)]


def _groups(params):
    return [{"params": [params[0]]}, {"params": [params[1]], "lr": 0.02}]


def _train(engine, opt, params, steps):
    for _ in range(steps):
        w, b = params
        loss = (engine.tanh(engine.tensor(X) @ w.t() + b) ** 2).sum() + 0.1 * (w**4).sum()
        opt.zero_grad()
        loss.backward()
        opt.step()


def _to_numpy(value):
    if isinstance(value, (list, tuple)):
        return [_to_numpy(v) for v in value]
    return np.asarray(value.detach() if torch.is_tensor(value) else value, dtype=np.float64)


def _to_torch_state(state_dict):
    """Our state dict with its arrays as torch tensors (torch's load_state_dict casts tensors only)."""
    def convert(v):
        return torch.from_numpy(np.array(v)) if isinstance(v, np.ndarray) else v
    state = {i: {k: convert(v) for k, v in entry.items()} for i, entry in state_dict["state"].items()}
    return {"state": state, "param_groups": state_dict["param_groups"]}


def _assert_same_state(ours, theirs, name):
    assert set(ours["state"]) == set(theirs["state"]), name
    for i, entry in theirs["state"].items():
        mine = ours["state"][i]
        keys = {k for k, v in entry.items() if v is not None}
        assert keys <= set(mine), (name, i, keys, set(mine))
        for k in keys:
            np.testing.assert_allclose(_to_numpy(mine[k]), _to_numpy(entry[k]), rtol=1e-10, atol=1e-14,
                                       err_msg=f"{name} state {i} {k}")
    for mine, group in zip(ours["param_groups"], theirs["param_groups"]):
        shared = set(mine) & set(group)
        assert shared >= set(mine) - {"maximize"}, (name, set(mine) - set(group))
        assert {k: mine[k] for k in shared} == {k: group[k] for k in shared}, name


def _assert_same_params(ours, theirs, name):
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-10, atol=1e-13, err_msg=name)


def _copies(params, engine):
    return [engine.tensor(np.array(p.detach().numpy() if engine is ag else p.numpy()), requires_grad=True)
            for p in params]


@pytest.mark.parametrize("name,options", CASES, ids=IDS)
def test_state_dict_matches_torch_and_a_round_trip_continues_step_for_step(name, options):
    ours, theirs = _params(ag), _params(torch)
    opt = getattr(nn.optim, name)(_groups(ours), **options)
    ref = getattr(torch.optim, name)(_groups(theirs), **options)
    _train(ag, opt, ours, 3)
    _train(torch, ref, theirs, 3)
    saved, ref_saved = opt.state_dict(), copy.deepcopy(ref.state_dict())
    _assert_same_state(saved, ref_saved, name)
    # fresh optimizers from here: glassgrad's from torch's state dict and from its own, torch's from glassgrad's
    crossed, again, ref_crossed = _copies(ours, ag), _copies(ours, ag), _copies(ours, torch)
    opt_crossed = getattr(nn.optim, name)(_groups(crossed), lr=123.0)
    opt_crossed.load_state_dict(ref_saved)
    opt_again = getattr(nn.optim, name)(_groups(again), lr=123.0)
    opt_again.load_state_dict(saved)
    ref_opt_crossed = getattr(torch.optim, name)(_groups(ref_crossed), lr=123.0)
    ref_opt_crossed.load_state_dict(_to_torch_state(saved))
    for _ in range(4):
        for engine, o, ps in ((ag, opt, ours), (torch, ref, theirs), (ag, opt_crossed, crossed),
                              (ag, opt_again, again), (torch, ref_opt_crossed, ref_crossed)):
            _train(engine, o, ps, 1)
        for ps in (ours, crossed, again):
            _assert_same_params(ps, theirs, name)
        _assert_same_params(ours, ref_crossed, name)
    _assert_same_state(saved, ref_saved, name)  # a snapshot: training on did not move it
    _assert_same_state(opt_crossed.state_dict(), ref_opt_crossed.state_dict(), name)


def test_load_state_dict_refuses_a_mismatch_and_changes_nothing():
    ours = _params(ag)
    opt = nn.optim.Adam(_groups(ours), lr=0.05)
    _train(ag, opt, ours, 2)
    before = opt.state_dict()
    other = nn.optim.Adam([ours[0]], lr=0.05)
    with pytest.raises(ValueError, match="the state dict has 1 parameter groups, this optimizer has 2"):
        opt.load_state_dict(other.state_dict())
    bad = opt.state_dict()
    bad["state"][1]["exp_avg"] = np.zeros(4)
    bad["param_groups"][0]["lr"] = 0.5
    with pytest.raises(ValueError, match="state 'exp_avg' of parameter 1 has shape \\(4,\\), the parameter has "
                                         "shape \\(3,\\)"):
        opt.load_state_dict(bad)
    bad = opt.state_dict()
    bad["param_groups"][1]["betas"] = (0.9, 1.5)
    with pytest.raises(ValueError, match="betas must be in \\[0, 1\\)"):
        opt.load_state_dict(bad)
    with pytest.raises(ValueError, match="expected a dict with 'state' and 'param_groups'"):
        opt.load_state_dict({"exp_avg": 1})
    _assert_same_state(opt.state_dict(), before, "unchanged")
    assert opt.param_groups[0]["lr"] == 0.05


def test_torch_only_options_are_refused_with_what_to_write():
    theirs = _params(torch)
    ours = _params(ag)
    ref = torch.optim.Adam(_groups(theirs), lr=0.05, maximize=True)
    with pytest.raises(ValueError, match="maximize=True.*minimise the negated objective"):
        nn.optim.Adam(_groups(ours)).load_state_dict(ref.state_dict())
    ref = torch.optim.AdamW(_groups(theirs))
    with pytest.raises(ValueError, match="decoupled_weight_decay=True; load it into nn.optim.AdamW"):
        nn.optim.Adam(_groups(ours)).load_state_dict(ref.state_dict())
    nn.optim.AdamW(_groups(ours)).load_state_dict(ref.state_dict())


def test_value_parameters_round_trip():
    a, b = ag.Value(1.5), ag.Value(-0.5)
    opt = nn.optim.Adam([a, b], lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        (a * a * b + b * b).backward()
        opt.step()
    saved = opt.state_dict()
    assert saved["state"][0]["step"] == 3 and isinstance(saved["state"][0]["exp_avg"], float)
    again = nn.optim.Adam([a, b], lr=0.1)
    again.load_state_dict(saved)
    assert again.state_dict() == saved


def test_add_param_group_as_torch():
    ours, theirs = _params(ag), _params(torch)
    opt, ref = nn.optim.Adam([ours[0]], lr=0.05), torch.optim.Adam([theirs[0]], lr=0.05)
    _train(ag, opt, ours, 2)
    _train(torch, ref, theirs, 2)
    opt.add_param_group({"params": ours[1], "lr": 0.01, "betas": (0.8, 0.9)})
    ref.add_param_group({"params": theirs[1], "lr": 0.01, "betas": (0.8, 0.9)})
    _train(ag, opt, ours, 3)
    _train(torch, ref, theirs, 3)
    _assert_same_params(ours, theirs, "add_param_group")
    _assert_same_state(opt.state_dict(), ref.state_dict(), "add_param_group")
    with pytest.raises(ValueError, match="a parameter may be in one group only"):
        opt.add_param_group({"params": [ours[0]]})
    with pytest.raises(ValueError, match="betas must be in \\[0, 1\\)"):
        opt.add_param_group({"params": [ag.tensor([1.0], requires_grad=True)], "betas": (0.9, 2.0)})
    with pytest.raises(ValueError, match="LBFGS: takes one parameter group"):
        nn.optim.LBFGS([ours[0]]).add_param_group({"params": [ours[1]]})
    assert len(opt.param_groups) == 2 and len(opt.params) == 2  # (the refused groups left nothing behind)
