"""Optimizers' one-pass BLAS updates (nn/_blas.py) against numpy's."""

import glob
import os

import numpy as np
import pytest

import autograd as ag
import nn
from nn import _blas


@pytest.fixture(params=["native", "numpy"])
def blas(request, monkeypatch):
    """Run a test once with the BLAS routines (where found) and once with numpy's fallback."""
    if request.param == "numpy":
        monkeypatch.setattr(_blas, "_ROUTINES", None)
    return request.param


def test_numpys_bundled_openblas_is_found_when_numpy_ships_one():
    bundled = glob.glob(os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs", "*openblas*"))
    assert _blas.native() == bool(bundled)


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
