"""The compiled kernels (autograd/compiled.py, numba) agree with their numpy
definitions, are used only where they should be, follow the thread count,
are safe from two Python threads, and are never imported by ``import glassgrad``."""

from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys
import threading
from pathlib import Path

import numba
import numpy as np
import pytest

import autograd as ag
import nn
from autograd import compiled

ROOT = Path(__file__).resolve().parents[2]
SIZE = compiled.MIN_SIZE * 2 + 3  # above the threshold, and not a multiple of any block

ADAMS = {
    "adam": lambda ps: nn.optim.Adam(ps, lr=1e-2),
    "adam_l2": lambda ps: nn.optim.Adam(ps, lr=1e-2, weight_decay=0.1),
    "adamw": lambda ps: nn.optim.AdamW(ps, lr=1e-2, weight_decay=0.1),
    "adam_amsgrad": lambda ps: nn.optim.Adam(ps, lr=1e-2, amsgrad=True, betas=(0.8, 0.9)),
}


def _adam_run(make, dtype, shape, monkeypatch, use_compiled: bool):
    monkeypatch.setattr(compiled, "_module", None if use_compiled else False)
    rng = np.random.default_rng(0)
    p = nn.Parameter(rng.standard_normal(shape).astype(dtype))
    opt = make([p])
    for _ in range(4):
        p.grad = ag.tensor(rng.standard_normal(shape).astype(dtype))
        opt.step()
    return p.numpy().copy(), {k: v.copy() for k, v in opt.state[id(p)].items() if isinstance(v, np.ndarray)}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(ADAMS))
def test_the_compiled_adam_step_matches_the_numpy_one(name, dtype, monkeypatch):
    shape = (SIZE,) if name != "adam" else (3, SIZE)  # (and a 2-d parameter, flattened)
    got, got_state = _adam_run(ADAMS[name], dtype, shape, monkeypatch, use_compiled=True)
    want, want_state = _adam_run(ADAMS[name], dtype, shape, monkeypatch, use_compiled=False)
    tol = 2e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    assert got.dtype == dtype and got_state.keys() == want_state.keys()
    for key in want_state:
        np.testing.assert_allclose(got_state[key], want_state[key], rtol=tol, atol=tol)


def test_the_compiled_adam_step_is_the_one_that_ran(monkeypatch):
    calls = []
    monkeypatch.setattr(compiled, "call", lambda fn, *args: calls.append(fn.__name__) or fn(*args))
    p = nn.Parameter(np.ones(SIZE, np.float32))
    p.grad = ag.ones(SIZE)
    before = p._version[0]
    nn.optim.Adam([p], lr=0.1).step()
    assert calls == ["adam"]
    assert p._version[0] == before + 1  # marked as changed in place
    np.testing.assert_allclose(p.numpy(), 0.9, rtol=1e-6)  # the first step moves every element by lr


@pytest.mark.parametrize("arrays,why", [
    ([np.ones(10, np.float32)], "too small"),
    ([np.ones(SIZE, np.int64)], "not float"),
    ([np.ones(SIZE, np.float32), np.ones(SIZE, np.float64)], "mixed dtypes"),
    ([np.ones((SIZE, 2), np.float32).T], "not contiguous"),
])
def test_kernels_are_used_only_on_large_contiguous_float_arrays_of_one_dtype(arrays, why):
    assert compiled.kernel("adam", *arrays) is None, why
    assert compiled.kernel("adam", np.ones(SIZE, np.float32)) is not None


@numba.njit
def _threads_inside(a) -> int:  # pragma: no cover (compiled): the count a kernel launched here would use
    return numba.get_num_threads()


def test_kernels_run_on_get_num_threads_threads_from_any_python_thread():
    assert compiled.available()
    before = ag.get_num_threads()
    large = np.zeros(compiled.PARALLEL_SIZE, np.float32)
    seen: list = []
    try:
        for n in (1, 2):
            ag.set_num_threads(n)
            seen.append(compiled.call(_threads_inside, large))
            worker = threading.Thread(target=lambda: seen.append(compiled.call(_threads_inside, large)))
            worker.start()
            worker.join()
            seen.append(compiled.call(_threads_inside, large[:-1]))  # a smaller kernel runs on this thread alone
    finally:
        ag.set_num_threads(before)
    two = min(2, numba.config.NUMBA_NUM_THREADS)
    assert seen == [1, 1, 1, two, two, 1]


def test_two_python_threads_can_step_at_once():
    rng = np.random.default_rng(1)
    start = [rng.standard_normal(SIZE).astype(np.float32) for _ in range(4)]
    grads = [rng.standard_normal(SIZE).astype(np.float32) for _ in range(4)]

    def train(i: int, out: dict) -> None:
        p = nn.Parameter(start[i].copy())
        opt = nn.optim.Adam([p], lr=1e-2)
        for _ in range(20):
            p.grad = ag.tensor(grads[i])
            opt.step()
        out[i] = p.numpy()

    alone: dict = {}
    for i in range(4):
        train(i, alone)
    together: dict = {}
    workers = [threading.Thread(target=train, args=(i, together)) for i in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for i in range(4):
        np.testing.assert_array_equal(together[i], alone[i])


def _run(program: str, **env: str) -> str:
    return subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, **env}, check=True).stdout.strip()


def test_importing_glassgrad_does_not_import_numba():
    assert _run("import sys, glassgrad; print('numba' in sys.modules)") == "False"


def test_glassgrad_numba_0_switches_the_compiled_kernels_off():
    program = ("from autograd import compiled; import numpy as np; "
               "print(compiled.available(), compiled.kernel('adam', np.ones(1 << 20, np.float32)))")
    assert _run(program, GLASSGRAD_NUMBA="0") == "False None"
    assert _run(program).startswith("True CPUDispatcher")


def test_numba_runs_on_openmp_with_a_short_spin_unless_told_otherwise():
    program = ("import os, numpy as np, numba, nn, autograd as ag; p = nn.Parameter(np.ones(1 << 20, np.float32)); "
               "p.grad = ag.ones(1 << 20); nn.optim.Adam([p]).step(); "
               "print(numba.threading_layer(), os.environ.get('GOMP_SPINCOUNT'))")
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_THREADING_LAYER", "GOMP_SPINCOUNT")}
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env=env, check=True).stdout.strip()
    layer = "omp" if ctypes.util.find_library("gomp") else "workqueue"  # (OpenMP's where libgomp is installed)
    assert out == f"{layer} None"  # (the spin count is set for libgomp's start only, not left in the environment)
    assert _run(program, NUMBA_THREADING_LAYER="workqueue").startswith("workqueue ")


def test_a_child_forked_after_a_kernel_takes_the_numpy_path():
    # numba stops a child that enters GNU OpenMP after a fork; the child must
    # take the numpy path instead, and get the same numbers (to float32 rounding)
    program = ("import os, numpy as np, nn, autograd as ag\n"
               "def step(seed):\n"
               "    p = nn.Parameter(np.full(1 << 20, seed, np.float32)); p.grad = ag.ones(1 << 20)\n"
               "    nn.optim.Adam([p], lr=0.5).step(); return p.numpy()\n"
               "parent = step(1.0)\n"
               "pid = os.fork()\n"
               "if pid == 0:\n"
               "    os._exit(0 if np.allclose(step(1.0), parent, rtol=1e-6, atol=0) else 3)\n"
               "print(os.waitpid(pid, 0)[1])")
    assert _run(program) == "0"


def _gelu_run(x: np.ndarray, g: np.ndarray, monkeypatch, use_compiled: bool, calls: list):
    monkeypatch.setattr(compiled, "_module", None if use_compiled else False)
    monkeypatch.setattr(compiled, "call", lambda fn, *args: calls.append(fn.__name__) or fn(*args))
    xt = ag.tensor(x, requires_grad=True)
    y = nn.functional.gelu(xt)
    y.backward(ag.tensor(g))
    return y.numpy(), xt.grad.numpy()


def test_the_compiled_float32_gelu_matches_the_numpy_one_forward_and_backward(monkeypatch):
    rng = np.random.default_rng(2)
    x = (rng.standard_normal((3, SIZE)) * 3).astype(np.float32)
    x[0, :6] = [0.0, -10.0, 10.0, np.float32(1e-30), np.nan, -np.inf]  # (the clipped tails, a tiny input, NaN, -inf)
    g = rng.standard_normal(x.shape).astype(np.float32)
    calls: list = []
    got = _gelu_run(x, g, monkeypatch, True, calls)
    assert calls == ["gelu", "gelu_grad"]
    want = _gelu_run(x, g, monkeypatch, False, calls)
    assert calls == ["gelu", "gelu_grad"]  # (the numpy run called nothing compiled)
    assert got[0].dtype == got[1].dtype == np.float32
    np.testing.assert_array_equal(got[0], want[0])  # the forward: the same operations, the same bits
    np.testing.assert_allclose(got[1], want[1], rtol=0, atol=2e-6)  # (exp: a polynomial against numpy's)


@numba.njit
def _exp32_over(t):  # pragma: no cover (compiled)
    out = np.empty_like(t)
    for i in range(t.size):
        out[i] = compiled._module._exp32(t[i])
    return out


def test_the_compiled_float32_exp_is_within_2_ulp_of_numpys():
    assert compiled.available()
    t = np.concatenate([np.linspace(-90, 0, 200_001), -np.logspace(-30, 1.9, 2_000), [0.0, -87.0, -np.inf, np.nan]])
    t = t.astype(np.float32)
    got, want = _exp32_over(t), np.exp(t)
    assert got.dtype == np.float32
    normal = t > -87
    ulps = np.abs(got[normal].astype(np.float64) - want[normal]) / np.spacing(want[normal])
    assert ulps.max() <= 2
    assert got[-4] == 1.0 and np.isnan(got[-1])
    assert not got[~normal][:-1].any()  # 0 where float32 holds only subnormals, and at -inf


def test_float64_gelu_keeps_its_accurate_numpy_path(monkeypatch):
    calls: list = []
    x = np.linspace(-5, 5, SIZE)
    y, grad = _gelu_run(x, np.ones_like(x), monkeypatch, True, calls)
    assert calls == []
    assert y.dtype == np.float64 and np.isfinite(grad).all()


def _max_pool_run(x: np.ndarray, g: np.ndarray, monkeypatch, use_compiled: bool, calls: list, **options):
    monkeypatch.setattr(compiled, "_module", None if use_compiled else False)
    monkeypatch.setattr(compiled, "call", lambda fn, *args: calls.append(fn.__name__) or fn(*args))
    xt = ag.tensor(x, requires_grad=True)
    y = nn.functional.max_pool2d(xt, 2, **options)
    y.backward(ag.tensor(g))
    return y.numpy(), xt.grad.numpy()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hw", [(8, 8), (9, 11)])  # (an odd last row and column, read by no window)
def test_the_compiled_2x2_max_pool_matches_the_numpy_one(dtype, hw):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((64, 40, *hw)).astype(dtype)
    x[0, 0, :2, :2] = [[1.5, 1.5], [1.5, -1]]  # a tie of three shares the gradient
    x[0, 1, 0, 0] = np.nan  # a NaN window: NaN out, NaN gradients (0 / 0 shares, as the definition's)
    x[0, 2, :2, :2] = [[np.inf, -np.inf], [0, 1]]  # inf - inf is no NaN
    x[0, 3, :2, :2] = np.inf  # four tied infinities
    g = rng.standard_normal((64, 40, hw[0] // 2, hw[1] // 2)).astype(dtype)
    calls: list = []
    with pytest.MonkeyPatch.context() as mp, np.errstate(divide="ignore", invalid="ignore"):
        got = _max_pool_run(x, g, mp, True, calls)
        assert calls == ["max_pool_2x2", "max_pool_2x2_grad"]
        want = _max_pool_run(x, g, mp, False, calls)
    assert calls == ["max_pool_2x2", "max_pool_2x2_grad"]  # (the numpy run called nothing compiled)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])  # the same divisions in the same dtype: the same bits
    assert got[1].dtype == dtype
    np.testing.assert_array_equal(got[1][0, 0, :2, :2], [[g[0, 0, 0, 0] / dtype(3)] * 2, [g[0, 0, 0, 0] / dtype(3), 0]])
    assert np.isnan(got[0][0, 1, 0, 0]) and np.isnan(got[1][0, 1, :2, :2]).all()
    assert np.isfinite(got[1][0, 2]).all()
    if hw == (9, 11):
        assert not got[1][:, :, 8].any() and not got[1][:, :, :, 10].any()


def test_other_pools_and_a_strided_gradient_take_the_right_path(monkeypatch):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((64, 40, 8, 8)).astype(np.float32)
    calls: list = []
    _max_pool_run(x, np.ones((64, 40, 2, 2), np.float32), monkeypatch, True, calls, stride=4)
    assert calls == []  # only 2 x 2 windows at stride 2 are compiled
    g = rng.standard_normal((64, 40, 8, 4)).astype(np.float32)[:, :, ::2]  # an upstream gradient that is a view
    got = _max_pool_run(x, g, monkeypatch, True, calls)
    want = _max_pool_run(x, g, monkeypatch, False, calls)
    assert calls == ["max_pool_2x2", "max_pool_2x2_grad"]
    np.testing.assert_array_equal(got[1], want[1])


def _layer_norm_run(x, g, monkeypatch, use_compiled: bool, calls: list, x_grad: bool = True, shape=None):
    monkeypatch.setattr(compiled, "_module", None if use_compiled else False)
    monkeypatch.setattr(compiled, "call", lambda fn, *args: calls.append(fn.__name__) or fn(*args))
    shape = shape or x.shape[-1:]
    rng = np.random.default_rng(1)
    w = nn.Parameter(rng.standard_normal(shape).astype(x.dtype))
    b = nn.Parameter(rng.standard_normal(shape).astype(x.dtype))
    xt = ag.tensor(x, requires_grad=x_grad)
    y = nn.functional.layer_norm(xt, shape, w, b)
    y.backward(ag.tensor(g))
    return y.numpy(), xt.grad.numpy() if x_grad else None, w.grad.numpy(), b.grad.numpy()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("x_grad", [True, False])
def test_the_compiled_layer_norm_matches_the_numpy_one(dtype, x_grad, monkeypatch):
    rng = np.random.default_rng(5)
    x = (rng.standard_normal((16, 70, 130)) * 3 + 1).astype(dtype)  # (rows of an odd width)
    x[0, 0] = 2.5  # a constant row: xhat 0, rstd 1/sqrt(eps)
    g = rng.standard_normal(x.shape).astype(dtype)
    calls: list = []
    got = _layer_norm_run(x, g, monkeypatch, True, calls, x_grad)
    assert calls == ["layer_norm", "layer_norm_grad"]
    want = _layer_norm_run(x, g, monkeypatch, False, calls, x_grad)
    assert calls == ["layer_norm", "layer_norm_grad"]
    tol = 2e-5 if dtype == np.float32 else 1e-12  # (sums in another order than numpy's)
    for a, b in zip(got, want):
        if b is not None:
            assert a.dtype == dtype
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol * np.abs(b).max())


def test_the_compiled_layer_norm_of_width_one_stays_inside_its_rows(monkeypatch):
    # (a row's sums pass through its first slot: with one slot a row, nothing may reach the next row)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((SIZE, 1)).astype(np.float32)
    g = rng.standard_normal(x.shape).astype(np.float32)
    calls: list = []
    got = _layer_norm_run(x, g, monkeypatch, True, calls)
    want = _layer_norm_run(x, g, monkeypatch, False, calls)
    assert calls == ["layer_norm", "layer_norm_grad"]
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5 * max(1.0, np.abs(b).max()))


def test_a_layer_norm_over_several_axes_takes_the_numpy_path(monkeypatch):
    rng = np.random.default_rng(6)
    x = rng.standard_normal((64, 20, 30)).astype(np.float32)
    calls: list = []
    _layer_norm_run(x, np.ones_like(x), monkeypatch, True, calls, shape=(20, 30))
    assert calls == []


def test_the_compiled_softmax_gradient_matches_the_numpy_one(monkeypatch):
    rng = np.random.default_rng(7)
    x = (rng.standard_normal((16, 4, 64, 64)) * 3).astype(np.float32)
    x[..., 40:] = -np.inf  # (a mask: exact zeros in the softmax)
    g = rng.standard_normal(x.shape).astype(np.float32)
    results, calls = [], []
    for use in (True, False):
        monkeypatch.setattr(compiled, "_module", None if use else False)
        monkeypatch.setattr(compiled, "call", lambda fn, *args: calls.append(fn.__name__) or fn(*args))
        xt = ag.tensor(x, requires_grad=True)
        xt.softmax(-1).backward(ag.tensor(g))
        results.append(xt.grad.numpy())
    assert calls == ["softmax_grad"]
    np.testing.assert_allclose(results[0], results[1], rtol=1e-5, atol=1e-6)
    assert not results[0][..., 40:].any()
