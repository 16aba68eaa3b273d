"""Optimizers against hand-computed references; all-or-nothing steps; in-place updates (BLAS or numpy)."""

from __future__ import annotations

import glob
import os
import subprocess
import sys

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Value
from nn import _blas
from nn.optim import SGD


def _quadratic_steps(opt_factory, steps=5):
    w = nn.Parameter(np.array([1.0, -2.0]))
    opt = opt_factory([w])
    for _ in range(steps):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    return w.data


def _adam_reference(w, lr, b1, b2, eps, wd, decoupled, steps=5):
    m = v = 0
    for t in range(1, steps + 1):
        g = 2 * w
        if wd and decoupled:
            w = w * (1 - lr * wd)
        elif wd:
            g = g + wd * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr / (1 - b1**t) * m / (np.sqrt(v) / np.sqrt(1 - b2**t) + eps)
    return w


def test_adam_and_adamw_follow_pytorchs_rules():
    w0 = np.array([1.0, -2.0])
    got = _quadratic_steps(lambda p: nn.optim.Adam(p, lr=0.1, weight_decay=0.1))
    np.testing.assert_allclose(got, _adam_reference(w0, 0.1, 0.9, 0.999, 1e-8, 0.1, False), rtol=1e-12)
    got = _quadratic_steps(lambda p: nn.optim.AdamW(p, lr=0.1))
    np.testing.assert_allclose(got, _adam_reference(w0, 0.1, 0.9, 0.999, 1e-8, 0.01, True), rtol=1e-12)


def test_rmsprop_follows_pytorchs_rule():
    w = np.array([1.0, -2.0])
    sq, buf = 0.0, 0.0
    for _ in range(5):
        g = 2 * w
        sq = 0.99 * sq + 0.01 * g * g
        buf = 0.5 * buf + g / (np.sqrt(sq) + 1e-8)
        w = w - 0.01 * buf
    got = _quadratic_steps(lambda p: nn.optim.RMSprop(p, lr=0.01, momentum=0.5))
    np.testing.assert_allclose(got, w, rtol=1e-12)


def test_optimizers_update_value_parameters_too():
    for make in (lambda p: nn.optim.Adam(p, lr=0.1), lambda p: nn.optim.RMSprop(p, lr=0.01)):
        v = ag.Value(1.0)
        opt = make([v])
        (v * v).backward()
        opt.step()
        assert v.data < 1.0


@pytest.mark.parametrize("make", [
    lambda p: nn.optim.SGD(p, lr=0.1),
    lambda p: nn.optim.SGD(p, lr=0.1, momentum=0.9),
    lambda p: nn.optim.Adam(p, lr=0.1),
])
def test_step_is_all_or_nothing(make):
    a = nn.Parameter(np.array([1.0]))
    b = nn.Parameter(np.array([2.0]))
    a.grad = ag.Tensor(np.array([1.0]))
    b.grad = ag.Tensor(np.array([1.0, 2.0]))  # wrong shape: the step must fail without touching a
    opt = make([a, b])
    with pytest.raises(ValueError, match=r"parameter 1 has shape \(1,\) but its gradient has shape \(2,\)"):
        opt.step()
    assert a.data[0] == 1.0 and b.data[0] == 2.0
    assert a._version[0] == 0  # not even marked as changed
    b.grad = ag.Tensor(np.array([1.0]))
    opt.step()
    assert a.data[0] < 1.0 and b.data[0] < 2.0 and a._version[0] == 1


def test_schedulers_and_clip_grad_norm():
    opt = nn.optim.SGD([nn.Parameter(np.zeros(1))], lr=1.0)
    step = nn.optim.StepLR(opt, step_size=2, gamma=0.5)
    lrs = []
    for _ in range(5):
        step.step()
        lrs.append(opt.lr)
    assert lrs == [1.0, 0.5, 0.5, 0.25, 0.25]
    opt2 = nn.optim.SGD([nn.Parameter(np.zeros(1))], lr=1.0)
    cos = nn.optim.CosineAnnealingLR(opt2, T_max=4)
    for _ in range(2):
        cos.step()
    assert opt2.lr == pytest.approx(0.5)
    p = nn.Parameter(np.zeros(2))
    p.grad = ag.Tensor(np.array([3.0, 4.0]))
    assert nn.optim.clip_grad_norm_([p], 1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(np.linalg.norm(p.grad.data), 1.0, rtol=1e-5)


def test_a_subclass_with_only_update_keeps_the_compute_all_then_commit_path():
    class SignSGD(nn.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        def _update(self, w, g, state, h):
            if state.get("calls", 0) and np.any(g > 5):  # raises on the second parameter, second step
                raise ArithmeticError("SignSGD: gradient too large")
            state["calls"] = state.get("calls", 0) + 1
            return h["lr"] * np.sign(g), state

    a, b = nn.Parameter(np.array([1.0])), nn.Parameter(np.array([1.0]))
    opt = SignSGD([a, b])
    a.grad, b.grad = ag.tensor([2.0]), ag.tensor([-3.0])
    opt.step()
    assert a.tolist() == pytest.approx([0.9]) and b.tolist() == pytest.approx([1.1])
    b.grad = ag.tensor([9.0])
    with pytest.raises(ArithmeticError):
        opt.step()
    assert a.tolist() == pytest.approx([0.9]) and b.tolist() == pytest.approx([1.1])  # nothing written


def test_in_place_sgd_and_adam_reuse_one_work_array_and_keep_parameter_identity():
    ps = [nn.Parameter(np.ones((3, 4), np.float32)) for _ in range(3)]
    views = [p.numpy() for p in ps]
    # SGD's momentum update is axpby then axpy: no temporary at all; Adam's one work array serves all three
    for make, work_arrays in ((lambda: nn.optim.SGD(ps, lr=0.1, momentum=0.9), 0),
                              (lambda: nn.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True), 1),
                              (lambda: nn.optim.Adam(ps, lr=0.1), 1)):
        opt = make()
        for _ in range(2):
            for p in ps:
                p.grad = ag.ones(3, 4)
            opt.step()
        assert len(opt._work) == work_arrays
        assert all(p._version[0] > 0 for p in ps)  # marked as changed, as an in-place op does
        assert all(p.numpy() is v for p, v in zip(ps, views))  # updated in place, not rebound


def test_sgd_matches_closed_form_for_values():
    # minimise (w - 3)^2 with lr 0.1: w_{t+1} = w_t - 0.2 (w_t - 3)
    w = Value(0.0)
    opt = SGD([w], lr=0.1)
    expected = 0.0
    for _ in range(5):
        opt.zero_grad()
        ((w - 3) ** 2).backward()
        opt.step()
        expected = expected - 0.2 * (expected - 3)
        assert abs(w.data - expected) < 1e-12


def test_sgd_momentum_nesterov_weight_decay_rules():
    w = Value(1.0)
    opt = SGD([w], lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True)
    buf = None
    ref = 1.0
    for _ in range(4):
        opt.zero_grad()
        (w * w).backward()
        opt.step()
        g = 2 * ref + 0.01 * ref
        buf = g if buf is None else 0.9 * buf + g
        ref = ref - 0.1 * (g + 0.9 * buf)
        assert abs(w.data - ref) < 1e-12


def test_sgd_rejects_bad_arguments():
    with pytest.raises(ValueError, match="lr"):
        SGD([Value(1.0)], lr=-1)
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="parameter 0 is a float"):
        SGD([1.0], lr=0.1)


@pytest.fixture(params=["native", "numpy"])
def blas(request, monkeypatch):
    """Run a test once with the BLAS routines (where found) and once with numpy's fallback."""
    if request.param == "numpy":
        monkeypatch.setattr(_blas, "_ROUTINES", None)
    return request.param


def test_numpys_bundled_openblas_is_found_when_numpy_ships_one_unless_switched_off():
    bundled = glob.glob(os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs", "*openblas*"))
    assert _blas.native() == bool(bundled)
    check = "from nn import _blas; print(_blas.native())"
    off = subprocess.run([sys.executable, "-c", check], env={**os.environ, "GLASSGRAD_NATIVE_BLAS": "0"},
                         capture_output=True, text=True, timeout=60)
    assert off.stdout.strip() == "False", off.stderr


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(0,), (7,), (300, 1001)])
def test_axpy_and_axpby_match_numpy(blas, dtype, shape):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(shape).astype(dtype), rng.standard_normal(shape).astype(dtype)
    tol = 1e-6 if dtype == np.float32 else 1e-14
    got = y.copy()
    _blas.axpy(-0.3, x, got)
    np.testing.assert_allclose(got, y - 0.3 * x, rtol=tol, atol=tol)
    got = y.copy()
    _blas.axpby(0.1, x, 0.9, got)
    np.testing.assert_allclose(got, 0.9 * y + 0.1 * x, rtol=tol, atol=tol)
    assert got.dtype == dtype


def test_axpy_falls_back_for_strided_mixed_or_overlapping_arrays():
    y = np.arange(12.0).reshape(3, 4)
    _blas.axpy(2.0, np.ones((4, 3)).T, y)  # x not contiguous
    np.testing.assert_array_equal(y, np.arange(12.0).reshape(3, 4) + 2)
    z = np.zeros(8, np.float32)
    _blas.axpy(1.0, np.ones(8), z)  # float64 into float32
    np.testing.assert_array_equal(z, np.ones(8))
    w = np.arange(10.0)
    _blas.axpy(1.0, w[:5], w[5:])  # x and y in one buffer: numpy's overlap rules, not BLAS's
    np.testing.assert_array_equal(w[5:], [5.0, 7, 9, 11, 13])


OPTIMIZERS = [
    ("sgd", lambda p: nn.optim.SGD(p, lr=0.1)),
    ("sgd_momentum", lambda p: nn.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.2)),
    ("sgd_nesterov_wd", lambda p: nn.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("adam_wd", lambda p: nn.optim.Adam(p, lr=0.01, weight_decay=0.1)),
    ("adamw_amsgrad", lambda p: nn.optim.AdamW(p, lr=0.01, amsgrad=True)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,make", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_in_place_steps_follow_the_out_of_place_rule(blas, name, make, dtype):
    """Three steps over a parameter of several blocks and a small one: the in-place
    path (BLAS or numpy) lands where ``_update``'s out-of-place rule does."""
    rng = np.random.default_rng(1)
    shapes = [(nn.optim.BLOCK * 2 + 5,), (3, 4)]
    start = [rng.standard_normal(s).astype(dtype) for s in shapes]
    grads = [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(3)]
    ps = [nn.Parameter(w.copy()) for w in start]
    opt = make(ps)
    reference, states = [w.astype(np.float64) for w in start], [{}, {}]
    for step in grads:
        for p, g in zip(ps, step):
            p.grad = ag.Tensor(g)
        opt.step()
        for i, g in enumerate(step):
            delta, states[i] = opt._update(reference[i], g.astype(np.float64), states[i], opt.param_groups[0])
            reference[i] = reference[i] - delta
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for p, want in zip(ps, reference):
        assert p.numpy().dtype == dtype
        np.testing.assert_allclose(p.numpy(), want, rtol=tol, atol=tol)
