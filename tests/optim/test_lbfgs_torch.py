"""LBFGS against PyTorch's, step for step in float64: both line-search
choices, a short history, the state it keeps and a state-dict round trip."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(5)
W0, B0 = RNG.standard_normal((4, 3)), RNG.standard_normal(4)
X, Y = RNG.standard_normal((16, 3)), RNG.standard_normal((16, 4))

CASES = [
    dict(),
    dict(lr=0.5, max_iter=7, history_size=3),
    dict(line_search_fn="strong_wolfe"),
    dict(line_search_fn="strong_wolfe", max_iter=9, max_eval=11, history_size=2, tolerance_change=1e-12),
]


def _problem(engine):
    params = [engine.tensor(W0.copy(), requires_grad=True), engine.tensor(B0.copy(), requires_grad=True)]

    def loss_fn():
        w, b = params
        out = engine.tanh(engine.tensor(X) @ w.t() + b)
        return ((out - engine.tensor(Y)) ** 2).mean() + 0.01 * (w**4).sum()

    return params, loss_fn


def _closure(opt, loss_fn):
    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss
    return closure


def _numbers(value):
    if isinstance(value, list):
        return [_numbers(v) for v in value]
    return np.asarray(value.detach() if torch.is_tensor(value) else value, dtype=np.float64)


def _assert_same_lbfgs_state(ours, theirs):
    assert list(ours["state"]) == list(theirs["state"]) == [0]
    mine, ref = ours["state"][0], theirs["state"][0]
    assert (mine["func_evals"], mine["n_iter"]) == (ref["func_evals"], ref["n_iter"])
    for key in ("d", "t", "H_diag", "prev_flat_grad", "prev_loss", "old_dirs", "old_stps", "ro"):
        a, b = _numbers(mine[key]), _numbers(ref[key])
        assert np.shape(a) == np.shape(b), key
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12, err_msg=key)


@pytest.mark.parametrize("options", CASES, ids=[str(c) for c in CASES])
def test_lbfgs_matches_torch_step_for_step(options):
    ours, loss_fn = _problem(ag)
    theirs, ref_loss_fn = _problem(torch)
    opt, ref = nn.optim.LBFGS(ours, **options), torch.optim.LBFGS(theirs, **options)
    for step in range(4):
        loss = opt.step(_closure(opt, loss_fn))
        ref_loss = ref.step(_closure(ref, ref_loss_fn))
        assert float(loss) == pytest.approx(float(ref_loss.detach()), rel=1e-10)
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-9, atol=1e-12)
        if step == 0:  # (later, near the minimum, y = g - g_prev cancels and the history is only ~1e-7 alike)
            _assert_same_lbfgs_state(opt.state_dict(), ref.state_dict())
    assert float(loss_fn()) < 0.5 * float(_problem(ag)[1]())  # it did minimise


@pytest.mark.parametrize("options", CASES[1::2], ids=[str(c) for c in CASES[1::2]])
def test_lbfgs_continues_from_torchs_state_dict(options):
    theirs, ref_loss_fn = _problem(torch)
    ref = torch.optim.LBFGS(theirs, **options)
    for _ in range(2):
        ref.step(_closure(ref, ref_loss_fn))
    ours, loss_fn = _problem(ag)
    for a, b in zip(ours, theirs):
        a.numpy()[...] = b.detach().numpy()
    opt = nn.optim.LBFGS(ours, **options)
    opt.load_state_dict(ref.state_dict())
    _assert_same_lbfgs_state(opt.state_dict(), ref.state_dict())
    for _ in range(2):
        opt.step(_closure(opt, loss_fn))
        ref.step(_closure(ref, ref_loss_fn))
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_lbfgs_finds_rosenbrocks_minimum_as_torch_does():
    points = {}
    for engine, make in ((ag, nn.optim.LBFGS), (torch, torch.optim.LBFGS)):
        xy = engine.tensor(np.array([-1.5, 2.0]), requires_grad=True)
        opt = make([xy], line_search_fn="strong_wolfe", max_iter=100)

        def closure(xy=xy, opt=opt):
            opt.zero_grad()
            loss = (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2
            loss.backward()
            return loss
        opt.step(closure)
        points[engine.__name__] = np.array(xy.detach().numpy())
    np.testing.assert_allclose(points["autograd"], [1.0, 1.0], atol=1e-5)
    np.testing.assert_allclose(points["autograd"], points["torch"], rtol=1e-9)


def test_lbfgs_refuses_what_it_cannot_do():
    p = nn.Parameter(np.zeros(3))
    with pytest.raises(ValueError, match="line_search_fn must be None or 'strong_wolfe', got 'backtracking'"):
        nn.optim.LBFGS([p], line_search_fn="backtracking")
    with pytest.raises(ValueError, match="LBFGS: takes one parameter group"):
        nn.optim.LBFGS([{"params": [p]}, {"params": [nn.Parameter(np.zeros(1))]}])
    with pytest.raises(TypeError, match="LBFGS: parameter 0 is a scalar Value"):
        nn.optim.LBFGS([ag.Value(1.0)])
    with pytest.raises(TypeError, match="LBFGS.step: needs a closure"):
        nn.optim.LBFGS([p]).step()


def test_every_optimizer_takes_a_closure_as_torch_does():
    ours, loss_fn = _problem(ag)
    theirs, ref_loss_fn = _problem(torch)
    opt, ref = nn.optim.Adam(ours, lr=0.1), torch.optim.Adam(theirs, lr=0.1)
    for _ in range(3):
        loss, ref_loss = opt.step(_closure(opt, loss_fn)), ref.step(_closure(ref, ref_loss_fn))
        assert float(loss) == pytest.approx(float(ref_loss.detach()), rel=1e-10)
    np.testing.assert_allclose(ours[0].numpy(), theirs[0].detach().numpy(), rtol=1e-10)
    assert opt.step() is None
