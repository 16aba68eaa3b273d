"""One-pass vector updates from the BLAS that numpy itself ships.

``y += a * x`` in numpy is two trips through memory (``a * x`` into a
temporary, then the add); BLAS's ``axpy`` is one, as PyTorch's
``add_(x, alpha=a)``. For an optimizer step over large parameters, memory
traffic is the whole cost (docs/performance.md, workload RO). numpy's Linux,
Windows and Intel-macOS wheels bundle an ILP64 OpenBLAS (``scipy-openblas``);
we call its ``cblas_?axpy`` / ``cblas_?axpby`` through ctypes. Where it is not
found (another build of numpy), or with ``GLASSGRAD_NATIVE_BLAS=0``, ``axpy``
and ``axpby`` fall back to numpy with the same results up to rounding; so do
arrays of at most ``SMALL_BYTES``, which numpy updates faster than a call
through ctypes costs.
"""

from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

__all__ = ["axpy", "axpby", "native"]

_INT = ctypes.c_int64  # the "64_" symbols take 64-bit integers (ILP64)


def _find_library() -> dict | None:
    here = os.path.dirname(np.__file__)
    candidates = [p for d in (os.path.join(here, os.pardir, "numpy.libs"), os.path.join(here, ".dylibs"))
                  for p in sorted(glob.glob(os.path.join(d, "*openblas*")))]
    for path in candidates:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_cblas_", "cblas_"):
            try:
                found = {(kind, t): getattr(lib, f"{prefix}{t}{kind}64_") for kind in ("axpy", "axpby") for t in "sd"}
            except AttributeError:
                continue
            for (kind, t), fn in found.items():
                scalar = ctypes.c_float if t == "s" else ctypes.c_double
                ptr = ctypes.c_void_p
                fn.restype = None
                fn.argtypes = ([_INT, scalar, ptr, _INT, ptr, _INT] if kind == "axpy"
                               else [_INT, scalar, ptr, _INT, scalar, ptr, _INT])
            return {(kind, np.dtype(np.float32 if t == "s" else np.float64)): fn for (kind, t), fn in found.items()}
    return None


_ROUTINES = None if os.environ.get("GLASSGRAD_NATIVE_BLAS") == "0" else _find_library()


def native() -> bool:
    """True when the one-pass BLAS routines were found (else numpy is used)."""
    return _ROUTINES is not None


# below this many bytes numpy's two passes stay in cache and beat the ~3 us of a ctypes call
SMALL_BYTES = 128 * 1024


def _routine(kind: str, x: np.ndarray, y: np.ndarray):
    if (_ROUTINES is None or y.nbytes <= SMALL_BYTES or x.dtype != y.dtype or x.shape != y.shape
            or not (x.flags.c_contiguous and y.flags.c_contiguous and y.flags.writeable)
            or np.may_share_memory(x, y)):  # BLAS assumes x and y apart
        return None
    return _ROUTINES.get((kind, y.dtype))


def axpy(a: float, x: np.ndarray, y: np.ndarray) -> None:
    """``y += a * x`` in place, in one pass where BLAS is available."""
    fn = _routine("axpy", x, y)
    if fn is None:
        y += a * x
    elif y.size:
        fn(y.size, a, x.ctypes.data, 1, y.ctypes.data, 1)


def axpby(a: float, x: np.ndarray, b: float, y: np.ndarray) -> None:
    """``y = a * x + b * y`` in place, in one pass where BLAS is available."""
    fn = _routine("axpby", x, y)
    if fn is None:
        y *= b
        y += a * x
    elif y.size:
        fn(y.size, a, x.ctypes.data, 1, b, y.ctypes.data, 1)
