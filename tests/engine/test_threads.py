"""The thread count follows OMP_NUM_THREADS and set_num_threads as PyTorch's
does, and set_num_threads reaches numpy's OpenBLAS (which runs the matrix
products)."""

from __future__ import annotations

import ctypes
import glob
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
from autograd.threads import SMALL_PRODUCT, small_products


def _openblas_threads() -> int | None:
    here = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in glob.glob(os.path.join(here, "*openblas*")):
        fn = getattr(ctypes.CDLL(path), "scipy_openblas_get_num_threads64_", None)
        if fn is not None:
            return fn()
    return None


def test_set_num_threads_sets_the_count_and_openblas_s():
    before = ag.get_num_threads()
    try:
        for n in (1, 3):
            ag.set_num_threads(n)
            assert ag.get_num_threads() == n
            blas = _openblas_threads()
            if blas is None:
                pytest.skip("numpy's bundled OpenBLAS is not found (another numpy build)")
            assert blas == n
    finally:
        ag.set_num_threads(before)


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


@pytest.mark.parametrize("threads,multiply_adds,inside", [
    (2, SMALL_PRODUCT - 1, 1),  # a small product runs on one BLAS thread
    (2, SMALL_PRODUCT, 2),  # a large one on every thread
    (1, 10, 1),  # and at one thread nothing changes
])
def test_small_products_run_on_one_blas_thread_and_the_count_comes_back(threads, multiply_adds, inside):
    before = ag.get_num_threads()
    try:
        ag.set_num_threads(threads)
        with small_products(multiply_adds):
            seen = _openblas_threads()
        assert (seen, _openblas_threads()) == (inside, threads)
        with pytest.raises(RuntimeError), small_products(multiply_adds):  # (and after an error too)
            raise RuntimeError("inside")
        assert _openblas_threads() == threads
    finally:
        ag.set_num_threads(before)
