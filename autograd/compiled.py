"""Compiled kernels on every core: the one door to numba.

numpy runs its matrix products on every core but its elementwise loops,
copies and reductions on one, and a kernel of several numpy calls makes
several trips through memory. Where that costs most and a compiled loop pays
(the Adam step: about 2x faster at one thread, 3x at two), glassgrad has a
numba loop (``autograd/_numba_kernels.py``): one pass, spread over
``autograd.get_num_threads()`` threads, as PyTorch's kernels are.

- numba is imported the first time a kernel is wanted for a large enough
  array, never by ``import glassgrad`` (it takes ~0.3 s); compiled loops are
  cached on disk, so only the first run on a machine compiles them.
- Each kernel has a numpy path beside it, its definition, used when numba is
  missing, for small arrays (below ``MIN_SIZE`` elements, where a parallel
  launch costs more than numpy's calls), for other dtypes and layouts, and
  everywhere with ``GLASSGRAD_NUMBA=0``. The tests check the two agree.

A caller asks ``kernel("adam", w, g, m, v)`` and gets the compiled function,
or None for the numpy path; ``call`` runs it under a lock (numba's thread
pools must not be entered by two Python threads at once).

numba runs on OpenMP's threading layer where libgomp is found, else on its
own ``workqueue`` (``NUMBA_THREADING_LAYER`` chooses otherwise): workqueue
wakes its threads for every kernel, which costs more than a small kernel's
work. OpenMP's threads spin between kernels instead, by default long enough
to take the cores from OpenBLAS's, so glassgrad starts libgomp with a short
spin (``GOMP_SPINCOUNT``, unless it is set). GNU OpenMP does not survive
``fork``: a child forked (a DataLoader's worker, a ``multiprocessing`` pool)
from a process that has run a kernel takes the numpy paths. Figures in
docs/performance.md.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import threads

__all__ = ["MIN_SIZE", "PARALLEL_SIZE", "SPIN_COUNT", "available", "kernel", "call", "as_rows"]

MIN_SIZE = 1 << 14  # elements: below this a parallel launch costs more than numpy's calls
PARALLEL_SIZE = 1 << 17  # elements: below this, waking other threads costs more than they save
SPIN_COUNT = "1000"  # GOMP_SPINCOUNT: OpenMP threads wait this many spins for the next kernel, then sleep
_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
_lock = threading.Lock()
_module: Any = None  # autograd._numba_kernels once loaded; False when numba is missing or switched off
_omp_started = False  # this process has started GNU OpenMP's threads


def _load() -> Any:
    if os.environ.get("GLASSGRAD_NUMBA") == "0":
        return False
    try:
        module = importlib.import_module("autograd._numba_kernels")
    except ImportError:  # numba not installed (or not for this Python): the numpy paths
        return False
    numba = module.numba
    if "NUMBA_THREADING_LAYER" not in os.environ:
        numba.config.THREADING_LAYER_PRIORITY = ["omp", "workqueue", "tbb"]  # (it must list all three)
        numba.config.THREADING_LAYER = "default"  # the first of those that loads
    spin = "GOMP_SPINCOUNT" not in os.environ
    if spin:
        os.environ["GOMP_SPINCOUNT"] = SPIN_COUNT
    try:
        numba.get_num_threads()  # starts the threading layer: libgomp reads its settings now
    finally:
        if spin:  # (the setting is glassgrad's, not the environment's: a later torch reads its own)
            del os.environ["GOMP_SPINCOUNT"]
    global _omp_started
    _omp_started = _omp_started or numba.threading_layer() == "omp"
    return module


def _forked() -> None:
    """In a child forked after OpenMP started, numba would stop the process
    ("fork() called from a process already using GNU OpenMP"): the numpy paths."""
    global _module
    if _omp_started:
        _module = False


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forked)


def available() -> bool:
    """True when numba is installed and not switched off (this loads it)."""
    global _module
    if _module is None:
        _module = _load()
    return bool(_module)


def kernel(name: str, *arrays: np.ndarray) -> Callable[..., Any] | None:
    """The compiled ``name`` when every array is C-contiguous, float32 or
    float64 (one dtype) and the first has at least ``MIN_SIZE`` elements;
    else None (the caller's numpy path)."""
    first = arrays[0]
    if first.size < MIN_SIZE or first.dtype not in _DTYPES or not available():
        return None
    for a in arrays:
        if a.dtype != first.dtype or not a.flags.c_contiguous:
            return None
    return getattr(_module, name)


def call(fn: Callable[..., Any], *args: Any) -> Any:
    """Run a compiled kernel on ``autograd.get_num_threads()`` threads (set
    here, since numba keeps the count per Python thread), or on this one when
    its first array has fewer than ``PARALLEL_SIZE`` elements; one Python
    thread at a time."""
    numba = _module.numba
    count = min(threads.get_num_threads(), numba.config.NUMBA_NUM_THREADS) if args[0].size >= PARALLEL_SIZE else 1
    with _lock:
        numba.set_num_threads(count)
        return fn(*args)


def as_rows(a: np.ndarray) -> np.ndarray:
    """``a`` as rows of its last axis, (-1, D), a view: the layout of the
    kernels that work row by row (layer norm, softmax). A 1-d array stays."""
    return a if a.ndim == 1 else a.reshape(-1, a.shape[-1])
