"""Every core: the kernels that split their blocks over threads give the same
bits at any thread count (three threads: uneven spans), up to the rounding of
matrix products that OpenBLAS itself splits differently over more threads;
and the count follows OMP_NUM_THREADS and set_num_threads as PyTorch's does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
import nn
from nn import functional as F


@pytest.fixture
def threads():
    """Run a computation at one thread and at three; restore the count after."""
    before = ag.get_num_threads()

    def at(n, compute):
        ag.set_num_threads(n)
        return compute()
    yield at
    ag.set_num_threads(before)


def _conv(x, w, stride, padding):
    def compute():
        xt, wt = ag.tensor(x, requires_grad=True), ag.tensor(w, requires_grad=True)
        bt = ag.zeros(w.shape[0], requires_grad=True, dtype=x.dtype)
        out = F.conv2d(xt, wt, bt, stride=stride, padding=padding)
        (out * out).sum().backward()
        return [out.numpy(), xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()]
    return compute


# (x shape, w shape, stride, padding): channels last and per sample, the gathered input gradient, stride 2
CONVS = [((64, 3, 32, 32), (16, 3, 3, 3), 1, 1), ((40, 16, 12, 12), (32, 16, 3, 3), 1, 1),
         ((40, 16, 12, 12), (8, 16, 3, 3), 2, 0), ((200, 1, 8, 8), (8, 1, 3, 3), 1, 1)]


@pytest.mark.parametrize("x_shape,w_shape,stride,padding", CONVS)
def test_conv2d_is_the_same_at_any_thread_count(threads, x_shape, w_shape, stride, padding):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(x_shape).astype(np.float32), rng.standard_normal(w_shape).astype(np.float32)
    one, three = (threads(n, _conv(x, w, stride, padding)) for n in (1, 3))
    for a, b in zip(one, three):  # (OpenBLAS's products round differently over 3 threads: ~1e-6)
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5 * np.abs(a).max())


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_is_the_same_at_any_thread_count(threads, approximate):
    x = np.random.default_rng(1).standard_normal((7, 40_001)).astype(np.float32)  # 9 blocks, a short last one

    def compute():
        t = ag.tensor(x, requires_grad=True)
        y = F.gelu(t, approximate=approximate)
        y.backward(ag.ones_like(y))
        return y.numpy(), t.grad.numpy()
    for a, b in zip(threads(1, compute), threads(3, compute)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("optimizer", ["Adam", "AdamW"])
def test_an_optimizer_step_is_the_same_at_any_thread_count(threads, optimizer):
    rng = np.random.default_rng(2)
    w0, grads = rng.standard_normal((1000, 700)).astype(np.float32), rng.standard_normal((3, 1000, 700))

    def compute():
        p = nn.Parameter(ag.tensor(w0.copy()))
        opt = getattr(nn.optim, optimizer)([p], lr=1e-2, weight_decay=0.1)
        for g in grads:
            p.grad = ag.tensor(g.astype(np.float32))
            opt.step()
        return p.numpy().copy()
    np.testing.assert_array_equal(threads(1, compute), threads(3, compute))


def test_set_num_threads_refuses_what_is_not_a_count():
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match=r"set_num_threads: expected a whole number >= 1"):
            ag.set_num_threads(bad)


ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("value,expected", [("3", 3), (None, None)])
def test_the_thread_count_follows_omp_num_threads_else_every_cpu(value, expected):
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    if value is not None:
        env["OMP_NUM_THREADS"] = value
    program = "import glassgrad as torch; print(torch.get_num_threads())"
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=120, check=True).stdout
    assert int(out) == (expected or len(os.sched_getaffinity(0)))
