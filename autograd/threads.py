"""Every core: how many threads glassgrad's kernels use, and the one place
that splits work over them.

numpy runs its matrix products on every core (OpenBLAS), but its elementwise
loops, copies and reductions on one. glassgrad's heavy kernels already work
in blocks (a few samples of a convolution, 32K elements of GELU, a slice of
an optimizer's parameters), and numpy releases the GIL inside each block's
loops, so :func:`run_blocks` hands the blocks to a pool of threads: the same
numpy calls on the same blocks, so the same bits as one thread (a matrix
product may round differently when OpenBLAS splits it over more threads, as
PyTorch's do).

The count follows the usual settings, as PyTorch's does: ``OMP_NUM_THREADS``
when it is set, else every CPU this process may run on;
:func:`set_num_threads` changes it at run time (OpenBLAS's too, where numpy's
bundled OpenBLAS is found), as ``torch.set_num_threads`` does.
"""

from __future__ import annotations

import ctypes
import glob
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import numpy as np

__all__ = ["get_num_threads", "run_blocks", "set_num_threads", "spans"]

T = TypeVar("T")


def _default_threads() -> int:
    value = os.environ.get("OMP_NUM_THREADS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _openblas_setter() -> Callable[[int], None] | None:
    """numpy's bundled OpenBLAS's set_num_threads, if it is there."""
    here = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in sorted(glob.glob(os.path.join(here, "*openblas*"))):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_", "openblas_set_num_threads"):
            fn = getattr(lib, name, None)
            if fn is not None:
                fn.argtypes, fn.restype = [ctypes.c_int], None
                return fn
    return None


_threads = _default_threads()
_pool: ThreadPoolExecutor | None = None
_inside = threading.local()  # set in the pool's threads: a block never splits again


def get_num_threads() -> int:
    """The number of threads glassgrad's kernels split their work over."""
    return _threads


def set_num_threads(n: int) -> None:
    """Use ``n`` threads from now on (numpy's OpenBLAS too, where found), as
    ``torch.set_num_threads(n)``."""
    global _threads, _pool
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: expected a whole number >= 1, got {n!r}")
    setter = _openblas_setter()
    if setter is not None:
        setter(n)
    if n != _threads and _pool is not None:
        _pool.shutdown(wait=True)
        _pool = None
    _threads = n


def _run_inside(task: Callable[[], T]) -> T:
    _inside.active = True
    return task()


def run_blocks(tasks: Sequence[Callable[[], T]]) -> list[T]:
    """Each task's result, in order, the tasks run on up to
    :func:`get_num_threads` threads (in this thread when there is one, one
    task, or when called from inside a task). Tasks must write disjoint
    memory."""
    global _pool
    if _threads == 1 or len(tasks) < 2 or getattr(_inside, "active", False):
        return [task() for task in tasks]
    if _pool is None:
        _pool = ThreadPoolExecutor(_threads, thread_name_prefix="glassgrad")
    return list(_pool.map(_run_inside, tasks))


def spans(size: int, block: int) -> list[tuple[int, int]]:
    """[0, size) cut into one (start, stop) per thread, each a whole number of
    ``block``-sized blocks (the last may be short)."""
    blocks = -(-size // block)
    per_thread = -(-blocks // min(_threads, blocks)) * block
    return [(start, min(start + per_thread, size)) for start in range(0, size, per_thread)]
