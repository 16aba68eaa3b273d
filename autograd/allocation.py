"""Keep freed memory for the next step (glibc only).

A training step allocates the same large arrays every time. glibc's malloc
hands arrays above its mmap threshold straight back to the kernel when they
are freed, and trims the heap's free top, so every step faults every page of
every array in afresh (a third of a transformer step's time; see
docs/performance.md). PyTorch avoids this with its caching
allocator; numpy has no allocator of its own to configure from Python, so at
import glassgrad asks glibc (``mallopt``) to serve arrays up to 32 MB from the
heap and to keep up to 256 MB of freed memory at its top. Freed memory then
stays with the process (resident, and reused by the next step) instead of
going back to the system.

Set ``GLASSGRAD_KEEP_FREED_MEMORY=0`` to leave malloc alone; glassgrad also
leaves it alone when any ``MALLOC_*_`` tuning variable is set, which is the
user's own choice. Nothing happens on other C libraries.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

__all__ = ["keep_freed_memory"]

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 32 * 1024 * 1024  # glibc's largest (HEAP_MAX_SIZE / 2 on 64-bit)
TRIM_THRESHOLD = 256 * 1024 * 1024


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed arrays for reuse; True if it was done."""
    if os.environ.get("GLASSGRAD_KEEP_FREED_MEMORY", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    if any(k.startswith("MALLOC_") and k.endswith("_") for k in os.environ):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


KEPT = keep_freed_memory()
