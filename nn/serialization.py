"""Checkpoints: ``save(state_dict, path)`` and ``load(path)``, as ``.npz``.

Never pickle: arrays are read with ``allow_pickle=False``, so loading a file
can never run code. Writes are atomic (a temporary file in the same folder,
then a rename), so a crash never leaves a half-written checkpoint. A file that
is not a glassgrad checkpoint is refused with a message naming it and why.
A state dict holding NaN or inf (a diverged run) is refused unless the caller
says ``allow_nonfinite=True``. Files are created as any other file the user
writes (mode 0666 less the umask) and an overwritten file keeps its mode.
"""

from __future__ import annotations

import json
import os
import secrets
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

__all__ = ["save", "load", "CheckpointError", "NonFiniteError", "nonfinite_entries", "write_atomically",
           "MAX_CHECKPOINT_BYTES"]

_MARKER = "__glassgrad__"
_FORMAT = 1
MAX_CHECKPOINT_BYTES = 4 * 1024**3  # declared uncompressed size beyond which a file is refused


class CheckpointError(ValueError):
    """The file is not a readable glassgrad checkpoint."""


class NonFiniteError(ValueError):
    """``save`` was given NaN or inf values (a diverged model) without ``allow_nonfinite=True``."""


def nonfinite_entries(state_dict: Mapping[str, Any]) -> dict[str, int]:
    """Names of the entries holding NaN or inf, with how many such values each."""
    counts = {}
    for name, value in state_dict.items():
        arr = np.asarray(getattr(value, "data", value))
        if arr.dtype.kind in "fc":
            bad = arr.size - int(np.count_nonzero(np.isfinite(arr)))
            if bad:
                counts[name] = bad
    return counts


def save(state_dict: Mapping[str, Any], path: str | os.PathLike, metadata: Mapping[str, Any] | None = None,
         allow_nonfinite: bool = False) -> None:
    """Write ``state_dict`` (names to arrays or Tensors) to ``path`` atomically.
    ``metadata``: optional JSON-serialisable values stored beside the arrays.
    Raises ``NonFiniteError`` (and writes nothing) when an array holds NaN or
    inf, unless ``allow_nonfinite=True``."""
    path = Path(path)
    arrays: dict[str, np.ndarray] = {}
    for name, value in state_dict.items():
        if not isinstance(name, str) or name.startswith("__"):
            raise ValueError(f"save: invalid parameter name {name!r}")
        arr = np.asarray(getattr(value, "data", value))
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"save: {name!r} has dtype {arr.dtype}; only numeric arrays are saved")
        arrays[name] = arr
    bad = {} if allow_nonfinite else nonfinite_entries(arrays)
    if bad:
        listed = ", ".join(f"{name!r} ({count} of {arrays[name].size})" for name, count in bad.items())
        raise NonFiniteError(f"save: not saving {path}: NaN or inf values in {listed}, as a diverged run "
                             "leaves them; pass allow_nonfinite=True to save them anyway")
    header = {"format": _FORMAT, "metadata": dict(metadata or {})}
    arrays[_MARKER] = np.array(json.dumps(header))
    write_atomically(path, lambda f: np.savez(f, **arrays))


def write_atomically(path: str | os.PathLike, write: Callable[[BinaryIO], Any]) -> None:
    """``write(f)`` into a temporary file beside ``path``, renamed over it once
    complete: an interrupted write leaves no file and the previous one intact.
    A new file gets mode 0666 less the umask; an overwritten one keeps its mode."""
    path = Path(path)
    folder = path.parent
    while True:
        tmp = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
        try:  # 0o666: the kernel applies the umask, as for any file the user writes
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as f:
            if path.exists():  # overwriting keeps the file's mode
                os.chmod(tmp, path.stat().st_mode & 0o7777)
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(path: str | os.PathLike, with_metadata: bool = False) -> Any:
    """Read a checkpoint written by ``save``: the state dict (names to numpy
    arrays), or ``(state_dict, metadata)`` with ``with_metadata=True``."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"load: no checkpoint at {path}")
    try:
        with zipfile.ZipFile(path) as zf:
            declared = sum(info.file_size for info in zf.infolist())
            if declared > MAX_CHECKPOINT_BYTES:
                raise CheckpointError(f"load: {path} declares {declared} bytes uncompressed, more than the "
                                      f"{MAX_CHECKPOINT_BYTES} allowed (a zip bomb?)")
            bad = zf.testzip()
            if bad is not None:
                raise CheckpointError(f"load: {path} is corrupt (member {bad} fails its checksum)")
    except zipfile.BadZipFile as e:
        raise CheckpointError(f"load: {path} is not a glassgrad checkpoint (not an .npz/zip file: {e})") from None
    try:
        with np.load(path, allow_pickle=False) as npz:
            if _MARKER not in npz.files:
                raise CheckpointError(f"load: {path} is an .npz file but not a glassgrad checkpoint "
                                      f"(no {_MARKER} entry)")
            header = json.loads(str(npz[_MARKER]))
            state = {name: npz[name] for name in npz.files if name != _MARKER}
    except CheckpointError:
        raise
    except ValueError as e:
        if "allow_pickle" in str(e) or "Object arrays" in str(e):
            raise CheckpointError(f"load: {path} contains pickled objects, which glassgrad never loads") from None
        raise CheckpointError(f"load: {path} could not be read: {e}") from None
    except (OSError, EOFError, zipfile.BadZipFile, json.JSONDecodeError) as e:
        raise CheckpointError(f"load: {path} could not be read: {e}") from None
    if not isinstance(header, dict) or header.get("format") != _FORMAT:
        raise CheckpointError(f"load: {path} has an unknown checkpoint format {header!r}")
    return (state, header.get("metadata", {})) if with_metadata else state
