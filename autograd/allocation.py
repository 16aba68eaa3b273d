"""Keep freed memory for the next step, at any size (glibc only).

A training step allocates the same large arrays every time. glibc's malloc
hands arrays above its mmap threshold straight back to the kernel when they
are freed, and trims the heap's free top, so every step faults every page of
every array in afresh (a third of a transformer step's time; see
docs/performance.md). PyTorch avoids this with its caching allocator; numpy
has no allocator of its own to configure from Python, so at import glassgrad
asks glibc (``mallopt``) to serve every array from the heap (no mmap) and
never to trim it: the heap grows to the largest step's peak and stays there,
and the next step reuses it. Fixed thresholds do not do this: whatever number
is chosen, a step whose arrays or live set are larger faults again (a 256 MB
trim threshold faulted 9,300 pages a step on a chain of 32 MB arrays).

The cost is PyTorch's caching allocator's: memory freed after a big peak
stays with the process. :func:`release_freed_memory` gives it back (as
``torch.cuda.empty_cache()`` does on a GPU). Set
``GLASSGRAD_KEEP_FREED_MEMORY=0`` to leave malloc alone; glassgrad also leaves
it alone when any ``MALLOC_*_`` tuning variable is set, which is the user's own
choice. Nothing happens on other C libraries.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

__all__ = ["KEPT", "keep_freed_memory", "release_freed_memory"]

_M_TRIM_THRESHOLD, _M_MMAP_MAX = -1, -4
NEVER = -1  # glibc's documented value for "never trim"
NO_MMAP = 0  # glibc's documented value for "serve every size from the heap"


def _libc_function(name: str):
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), name)
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return None


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed arrays for reuse; True if it was done."""
    if os.environ.get("GLASSGRAD_KEEP_FREED_MEMORY", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    if any(k.startswith("MALLOC_") and k.endswith("_") for k in os.environ):
        return False
    mallopt = _libc_function("mallopt")
    if mallopt is None:
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_MAX, NO_MMAP)) and bool(mallopt(_M_TRIM_THRESHOLD, NEVER))


def release_freed_memory() -> bool:
    """Give the freed memory glassgrad kept back to the system (``malloc_trim``);
    True if some was given back. Call it after a big computation that will not
    come again, before a long phase that needs less memory."""
    trim = _libc_function("malloc_trim")
    if trim is None:
        return False
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return bool(trim(0))


KEPT = keep_freed_memory()
