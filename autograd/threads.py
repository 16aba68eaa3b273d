"""How many threads glassgrad's numpy work may use, as PyTorch's
``torch.get_num_threads``/``set_num_threads``.

numpy runs its matrix products on every core (OpenBLAS); its elementwise
loops, copies and reductions run on one. The count follows the usual
settings, as PyTorch's does: ``OMP_NUM_THREADS`` when it is set, else every
CPU this process may run on. :func:`set_num_threads` changes it at run time,
and sets numpy's bundled OpenBLAS to it where that library is found.

glassgrad's compiled kernels (``autograd.compiled``, numba) run on the same
count.
"""

from __future__ import annotations

import ctypes
import glob
import os
from collections.abc import Callable

import numpy as np

__all__ = ["SMALL_PRODUCT", "get_num_threads", "set_num_threads", "small_products"]


def _default_threads() -> int:
    value = os.environ.get("OMP_NUM_THREADS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _openblas_function(*names: str) -> Callable[[int], int] | None:
    """The first of ``names`` (int -> int) in numpy's bundled OpenBLAS, if it is there."""
    here = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in sorted(glob.glob(os.path.join(here, "*openblas*"))):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in names:
            fn = getattr(lib, name, None)
            if fn is not None:
                fn.argtypes, fn.restype = [ctypes.c_int], ctypes.c_int
                return fn
    return None


def _openblas_setter() -> Callable[[int], int] | None:
    """numpy's bundled OpenBLAS's set_num_threads, if it is there."""
    return _openblas_function("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_",
                              "openblas_set_num_threads")


# OpenBLAS >= 0.3.27: sets its thread count and returns the previous one
_set_local_blas_threads = _openblas_function("openblas_set_num_threads_local")
SMALL_PRODUCT = 1 << 23  # multiply-adds: below this, a product runs on one thread (see small_products)


class small_products:  # noqa: N801 (used as a context manager, as numpy's errstate)
    """``with small_products(multiply_adds):`` numpy's OpenBLAS runs the
    matrix products inside on one thread when each has fewer than
    ``SMALL_PRODUCT`` multiply-adds and glassgrad has several threads (its
    count is set back on leaving). For such products OpenBLAS's other threads
    save little, and after each product they spin, holding the cores that
    glassgrad's compiled kernels need. Convolution runs the products of its
    blocks, whose size it chooses, inside one. Does nothing with an OpenBLAS
    older than 0.3.27."""

    def __init__(self, multiply_adds: int) -> None:
        self.one = multiply_adds < SMALL_PRODUCT and _threads > 1 and _set_local_blas_threads is not None
        self.before = 0

    def __enter__(self) -> None:
        if self.one:
            self.before = _set_local_blas_threads(1)

    def __exit__(self, *exc: object) -> None:
        if self.one:
            _set_local_blas_threads(self.before)


_threads = _default_threads()


def get_num_threads() -> int:
    """The number of threads glassgrad's numpy work may use."""
    return _threads


def set_num_threads(n: int) -> None:
    """Use ``n`` threads from now on (numpy's OpenBLAS too, where found), as
    ``torch.set_num_threads(n)``."""
    global _threads
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: expected a whole number >= 1, got {n!r}")
    setter = _openblas_setter()
    if setter is not None:
        setter(n)
    _threads = n
