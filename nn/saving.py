"""``torch.save(obj, f)`` and ``torch.load(f, map_location=..., weights_only=...)``
for glassgrad (``glassgrad.save`` / ``glassgrad.load``), in glassgrad's safe format.

What is saved: state dicts, optimizer state dicts, and any nesting of dicts
(with str, int, float, bool, None or tuple keys), lists and tuples of Tensors,
Parameters, numpy arrays and scalars, numbers, strings, bytes and None, such
as a checkpoint ``{"model": model.state_dict(), "optimizer":
opt.state_dict(), "iter_num": 1000, "config": {...}}``. Loading gives back
the same structure with the same types (a Tensor stays a Tensor with its
``requires_grad``, an array stays an array, an int key stays an int, a tuple
a tuple); a tensor that appears twice is one tensor again.

The file is ``nn.serialization``'s checkpoint (an ``.npz`` read with
``allow_pickle=False``, written atomically): each array is an entry, and the
structure is JSON in its metadata. Nothing is unpickled by default.

Anything else (a whole ``Module``, a user's class) is pickled into the file,
as torch does, with its tensors stored as arrays beside the pickle; loading
it runs code from the file, so ``load`` refuses it unless
``weights_only=False`` is passed (torch's default since 2.6 refuses it too),
naming what to write instead: save ``model.state_dict()``, and load it into
a new model. ``load`` also reads files written by ``nn.save``. A PyTorch
``.pt`` file is refused with a message saying how to convert it.
"""

from __future__ import annotations

import io
import os
import pickle
import tempfile
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from autograd import Tensor
from nn.module import Parameter
from nn.serialization import CheckpointError
from nn.serialization import load as _load_checkpoint
from nn.serialization import save as _save_checkpoint
from nn.trusted_globals import AllowlistUnpickler, allowed

__all__ = ["save", "load"]

_KEY = "glassgrad.save"  # the metadata entry that holds the structure
_VERSION = 1
_SCALARS = (type(None), bool, int, float, str)


class _Writer:
    """Turns an object into a JSON-able tree plus the arrays it names."""

    def __init__(self, protocol: int) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.tensor_keys: dict[int, str] = {}
        self.protocol = protocol

    def array(self, arr: np.ndarray) -> str:
        key = f"a{len(self.arrays)}"
        self.arrays[key] = arr if arr.flags.c_contiguous else arr.copy(order="C")  # (ascontiguousarray makes 0-d 1-d)
        return key

    def tensor(self, t: Tensor, where: str) -> dict[str, Any]:
        key = self.tensor_keys.get(id(t))
        if key is None:
            arr = t.detach().numpy()
            _check_numeric(arr, where)
            key = self.tensor_keys[id(t)] = self.array(arr)
        return {"tensor": key, "requires_grad": bool(t.requires_grad), "parameter": isinstance(t, Parameter)}

    def encode(self, obj: Any, where: str) -> Any:
        kind = type(obj)
        if kind in _SCALARS:
            return obj
        if isinstance(obj, Tensor):
            return self.tensor(obj, where)
        if kind is np.ndarray:
            _check_numeric(obj, where)
            return {"ndarray": self.array(obj)}
        if isinstance(obj, np.generic) and obj.dtype.kind in "biuf":
            return {"scalar": self.array(np.asarray(obj))}
        if kind is bytes:
            return {"bytes": self.array(np.frombuffer(obj, dtype=np.uint8))}
        if kind in (list, tuple):
            return {kind.__name__: [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
        if kind in (dict, OrderedDict):
            items = [[self.encode(k, f"{where} key {k!r}"), self.encode(v, f"{where}[{k!r}]")] for k, v in obj.items()]
            return {kind.__name__: items}
        return self.pickled(obj, where)

    def pickled(self, obj: Any, where: str) -> dict[str, Any]:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=self.protocol)
        pickler.persistent_id = lambda o: (  # tensors go beside the pickle, as arrays
            ("tensor", self.tensor(o, where)) if isinstance(o, Tensor) else None)
        try:
            pickler.dump(obj)
        except (pickle.PicklingError, TypeError, AttributeError) as e:
            raise TypeError(f"save: {where} is a {_type_name(obj)}, which cannot be saved ({e}); save its "
                            "state_dict() or plain dicts, lists, tensors and numbers instead") from None
        return {"pickle": self.array(np.frombuffer(buffer.getvalue(), dtype=np.uint8)), "type": _type_name(obj)}


def _type_name(obj: Any) -> str:
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def _check_numeric(arr: np.ndarray, where: str) -> None:
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"save: {where} is an array of dtype {arr.dtype}; only bool, int and float arrays are "
                        "saved (write a list of strings, or convert the array to numbers)")


def save(obj: Any, f: str | os.PathLike | Any, pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True) -> None:
    """``torch.save(obj, f)``: write ``obj`` to a path or a binary file object.
    Everything is checked before anything is written; a path is written atomically.
    NaN and inf are saved as they are, as torch does (an attention mask holds -inf;
    ``nn.save``, glassgrad's own checkpoint, is the one that refuses a diverged model).
    (``pickle_module`` and ``_use_new_zipfile_serialization`` are torch's, accepted and unused.)"""
    writer = _Writer(pickle_protocol)
    tree = writer.encode(obj, "obj")
    metadata = {_KEY: {"version": _VERSION, "tree": tree}}
    if isinstance(f, (str, os.PathLike)):
        _save_checkpoint(writer.arrays, f, metadata=metadata, allow_nonfinite=True)
        return
    if not hasattr(f, "write"):
        raise TypeError(f"save: f must be a path or a binary file object, got {type(f).__name__}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checkpoint.npz"
        _save_checkpoint(writer.arrays, path, metadata=metadata, allow_nonfinite=True)
        f.write(path.read_bytes())


class _Reader:
    """Turns a tree and its arrays back into the saved object."""

    def __init__(self, arrays: dict[str, np.ndarray], allow_pickle: bool, source: str,
                 pickle_options: dict[str, Any] | None = None) -> None:
        self.pickle_options = pickle_options or {}
        self.arrays = arrays
        self.allow_pickle = allow_pickle
        self.source = source
        self.tensors: dict[str, Tensor] = {}

    def tensor(self, node: dict[str, Any]) -> Tensor:
        key = node["tensor"]
        if key not in self.tensors:
            kind = Parameter if node.get("parameter") else Tensor
            self.tensors[key] = kind(self.arrays[key], requires_grad=bool(node.get("requires_grad")))
        return self.tensors[key]

    def decode(self, node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        (tag, value), *_ = node.items()
        if tag == "tensor":
            return self.tensor(node)
        if tag == "ndarray":
            return self.arrays[value]
        if tag == "scalar":
            return self.arrays[value][()]
        if tag == "bytes":
            return self.arrays[value].tobytes()
        if tag in ("list", "tuple"):
            items = [self.decode(v) for v in value]
            return items if tag == "list" else tuple(items)
        if tag in ("dict", "OrderedDict"):
            pairs = [(self.decode(k), self.decode(v)) for k, v in value]
            return dict(pairs) if tag == "dict" else OrderedDict(pairs)
        if tag == "pickle":
            return self.unpickled(node)
        raise CheckpointError(f"load: {self.source} holds an entry of unknown kind {tag!r}")

    def unpickled(self, node: dict[str, Any]) -> Any:
        data = io.BytesIO(self.arrays[node["pickle"]].tobytes())
        if self.allow_pickle:
            unpickler = pickle.Unpickler(data, **self.pickle_options)
        elif allowed():  # only the classes the caller listed (glassgrad.serialization.safe_globals)
            unpickler = AllowlistUnpickler(data, self.source, **self.pickle_options)
        else:
            raise pickle.UnpicklingError(
                f"load: {self.source} holds a pickled {node.get('type')} (a whole object, such as a model, saved "
                "with glassgrad.save); unpickling runs code from the file, so glassgrad does not by default: pass "
                "weights_only=False if you trust the file, list its classes with "
                "glassgrad.serialization.safe_globals([...]), or save model.state_dict() and load it with "
                "model.load_state_dict(glassgrad.load(f))")
        unpickler.persistent_load = lambda pid: self.tensor(pid[1])
        return unpickler.load()


def _check_map_location(map_location: Any) -> None:
    """Accept the CPU in any of torch's spellings; refuse another device, saying what to write."""
    if map_location is None or callable(map_location) and not isinstance(map_location, type):
        return  # a function of (storage, location): everything is on the CPU already
    targets = map_location.values() if isinstance(map_location, dict) else [map_location]
    for target in targets:
        if str(getattr(target, "type", target)).split(":")[0] != "cpu":
            raise RuntimeError(f"load: glassgrad runs on the CPU only, got map_location={map_location!r}; "
                               "write map_location='cpu' (or leave it out)")


def _read(f: Any) -> tuple[dict[str, np.ndarray], dict[str, Any], str]:
    if isinstance(f, (str, os.PathLike)):
        return (*_load_checkpoint(f, with_metadata=True), str(f))
    if not hasattr(f, "read"):
        raise TypeError(f"load: f must be a path or a binary file object, got {type(f).__name__}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checkpoint.npz"
        path.write_bytes(f.read())
        return (*_load_checkpoint(path, with_metadata=True), getattr(f, "name", "the file object"))


def _refuse_torch_file(f: Any, error: CheckpointError) -> NoReturn:
    """Say how to convert a PyTorch checkpoint, which glassgrad never unpickles."""
    try:
        if hasattr(f, "seek"):
            f.seek(0)
        with zipfile.ZipFile(f) as zf:
            is_torch = any(name.endswith("data.pkl") for name in zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        is_torch = False
    if is_torch:
        raise CheckpointError(
            "load: this is a PyTorch checkpoint (torch.save's pickle format), which glassgrad does not unpickle; "
            "convert it with PyTorch: sd = torch.load(path, weights_only=True), then "
            "glassgrad.save({k: v.numpy() for k, v in sd.items()}, new_path)") from None
    raise error


def load(f: str | os.PathLike | Any, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None, **pickle_load_args: Any) -> Any:
    """``torch.load(f, map_location=None, weights_only=None)``: what ``save`` wrote.

    ``map_location`` may be "cpu", a ``torch.device("cpu")``, a dict of
    locations to "cpu", or a function; everything loads onto the CPU, and
    another device is refused. ``weights_only`` None or True (the default, as
    torch >= 2.6) never unpickles, except the classes listed with
    ``glassgrad.serialization.safe_globals``; False unpickles whole objects saved with
    ``save`` (trusted files only), passing ``pickle_load_args`` (``encoding=``, ...)
    to the unpickler. ``mmap`` and ``pickle_module`` are accepted and unused.
    """
    _check_map_location(map_location)
    start = f.tell() if hasattr(f, "tell") and hasattr(f, "seek") else None
    try:
        arrays, metadata, source = _read(f)
    except CheckpointError as e:
        if start is not None:
            f.seek(start)
        _refuse_torch_file(f, e)
    structure = metadata.get(_KEY) if isinstance(metadata, dict) else None
    if structure is None:
        return arrays  # a state dict written by nn.save
    if structure.get("version") != _VERSION:
        raise CheckpointError(f"load: {source} was written by a newer glassgrad (format {structure.get('version')})")
    try:
        return _Reader(arrays, weights_only is False, source, pickle_load_args).decode(structure["tree"])
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as e:
        raise CheckpointError(f"load: {source} holds a malformed structure ({type(e).__name__}: {e})") from None
