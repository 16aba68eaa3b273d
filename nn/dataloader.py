"""PyTorch's ``DataLoader`` (``torch.utils.data.dataloader``) and its default
collate: minibatches of a dataset as Tensors.

``DataLoader(dataset, batch_size=1, shuffle=False, sampler=None,
batch_sampler=None, num_workers=0, collate_fn=None, pin_memory=False,
drop_last=False, timeout=0, worker_init_fn=None, generator=None, ...)`` in
PyTorch's positional order (``DataLoader(ds, 128)`` is batch size 128), with
the same samplers, the same batches and the same collate. Different on
purpose: ``num_workers > 0`` loads in the main process (glassgrad's batches
are numpy slices; the batches are the same, in the same order), and
``pin_memory`` does nothing (there is no GPU).

glassgrad's short form of arrays stays: ``DataLoader(X, y, batch_size=32,
shuffle=True, seed=epoch)`` gives ``(xb, yb)`` tuples of rows (``X`` as
float32 unless it is a float array); it is chosen when the second argument is
an array rather than a batch size.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Generator, Tensor, from_numpy
from nn.dataset import IterableDataset, TensorDataset
from nn.sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]

_COLLATE_ERROR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _stack(arrays: list[np.ndarray]) -> Tensor:
    return from_numpy(np.stack(arrays))


def _collate_leaf(batch: list) -> Any:
    """Tensors, arrays, numbers and strings, as torch's ``default_collate_fn_map``."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack([t.detach().numpy() for t in batch])
    if isinstance(elem, (np.ndarray, np.generic)):
        if elem.dtype.kind not in "biuf":
            raise TypeError(_COLLATE_ERROR.format(elem.dtype))
        return _stack([np.asarray(b) for b in batch])
    if isinstance(elem, bool):
        return from_numpy(np.array(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return from_numpy(np.array(batch, dtype=np.int64))
    if isinstance(elem, float):
        return from_numpy(np.array(batch, dtype=np.float64))  # torch's: Python floats collate to float64
    if isinstance(elem, (str, bytes)):
        return batch
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


def default_collate(batch: list) -> Any:
    """PyTorch's default collate: a list of samples becomes one batch. Tensors
    and arrays are stacked along a new first axis; Python ints become int64,
    floats float64, bools bool; strings stay a list; dicts collate key by key
    (same type), namedtuples field by field, and tuples and lists field by
    field into a list (a tuple sample gives a list, as in torch)."""
    elem = batch[0]
    if isinstance(elem, (Tensor, np.ndarray, np.generic, int, float, str, bytes)):
        return _collate_leaf(batch)
    if isinstance(elem, Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        return collated if type(elem) is dict else _same_type(elem, collated)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, Sequence):
        if any(len(b) != len(elem) for b in batch):
            raise RuntimeError("default_collate: each element in list of batch should be of equal size")
        fields = [default_collate(list(s)) for s in zip(*batch)]
        return fields if isinstance(elem, tuple) else _same_type(elem, fields)
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


def _same_type(elem: Any, collated: Any) -> Any:
    try:
        return type(elem)(collated)
    except TypeError:
        return collated


def default_convert(data: Any) -> Any:
    """PyTorch's conversion for ``batch_size=None``: arrays become Tensors,
    containers are converted inside (tuples into lists), the rest is unchanged."""
    if isinstance(data, (np.ndarray, np.generic)) and data.dtype.kind in "biuf":
        return from_numpy(np.asarray(data))
    if isinstance(data, Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (list, tuple)):
        return [default_convert(d) for d in data]
    return data


def get_worker_info() -> None:
    """None: glassgrad loads every batch in the main process."""
    return None


def _check_options(loader: DataLoader, shuffle: bool | None, sampler: Any, batch_sampler: Any,
                   batch_size: int | None, drop_last: bool) -> None:
    """PyTorch's checks on how the options combine, before anything is built."""
    if isinstance(loader.dataset, IterableDataset):
        if shuffle not in (None, False) or sampler is not None or batch_sampler is not None:
            raise ValueError("DataLoader: an IterableDataset gives its own order; shuffle, sampler and "
                             "batch_sampler must be left unset")
    if sampler is not None and shuffle:
        raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None and (batch_size != 1 or shuffle or sampler is not None or drop_last):
        raise ValueError("DataLoader: batch_sampler option is mutually exclusive with batch_size, shuffle, "
                         "sampler, and drop_last")
    if batch_size is None and drop_last:
        raise ValueError("DataLoader: batch_size=None option disables auto-batching and is mutually exclusive "
                         "with drop_last")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer))
                                   or batch_size < 1):
        raise ValueError(f"DataLoader: batch_size must be a positive integer or None, got {batch_size!r}")
    if loader.num_workers < 0:
        raise ValueError("DataLoader: num_workers option should be non-negative; use num_workers=0 to disable "
                         "multiprocessing")


def _arrays_dataset(X: Any, y: Any) -> TensorDataset:
    """glassgrad's short form: rows of ``X`` (float32 unless float) and of ``y``."""
    X = np.asarray(X)
    if X.dtype.kind != "f":
        X = X.astype(np.float32)
    if y is None:
        return TensorDataset(X)
    y = np.asarray(y)
    if len(y) != len(X):
        raise ValueError(f"DataLoader: X has {len(X)} samples but y has {len(y)}")
    return TensorDataset(X, y)


def _looks_like_labels(value: Any) -> bool:
    """True for ``y`` in ``DataLoader(X, y, ...)``: an array, never a batch size."""
    return value is not None and not isinstance(value, (int, np.integer)) and hasattr(value, "__len__")


class DataLoader:
    """Minibatches of a dataset, as PyTorch's ``DataLoader`` (see the module docstring).

    ``DataLoader(dataset, batch_size=1, shuffle=False, sampler=None,
    batch_sampler=None, num_workers=0, collate_fn=None, pin_memory=False,
    drop_last=False, timeout=0, worker_init_fn=None,
    multiprocessing_context=None, generator=None, *, prefetch_factor=None,
    persistent_workers=False, pin_memory_device="", in_order=True)``, plus
    glassgrad's ``seed=`` (a generator seeded with it) and its short form
    ``DataLoader(X, y, batch_size=..., shuffle=..., seed=...)``.
    """

    def __init__(self, dataset: Any, *args: Any, **kwargs: Any) -> None:
        if args and _looks_like_labels(args[0]):  # glassgrad's short form: DataLoader(X, y, ...)
            kwargs["y"], args = args[0], args[1:]
        self._setup(dataset, *args, **kwargs)

    def _setup(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None, sampler: Any = None,
               batch_sampler: Any = None, num_workers: int = 0, collate_fn: Callable[[list], Any] | None = None,
               pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
               worker_init_fn: Callable[[int], None] | None = None, multiprocessing_context: Any = None,
               generator: Generator | None = None, *, prefetch_factor: int | None = None,
               persistent_workers: bool = False, pin_memory_device: str = "", in_order: bool = True,
               y: Any = None, seed: int | None = None) -> None:
        self._short_form = y is not None
        self._labels = y is not None
        self.dataset = _arrays_dataset(dataset, y) if self._short_form else dataset
        self.num_workers = num_workers
        _check_options(self, shuffle, sampler, batch_sampler, batch_size, drop_last)
        if num_workers == 0 and (prefetch_factor is not None or persistent_workers):
            raise ValueError("DataLoader: prefetch_factor and persistent_workers need num_workers > 0")
        if generator is None and seed is not None:
            generator = Generator().manual_seed(seed)
        if sampler is None and not isinstance(self.dataset, IterableDataset):
            sampler = (RandomSampler(self.dataset, generator=generator) if shuffle
                       else SequentialSampler(self.dataset))
        if batch_size is not None and batch_sampler is None and sampler is not None:
            batch_sampler = BatchSampler(sampler, int(batch_size), drop_last)
        self.batch_size = None if batch_size is None else int(batch_size)
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.collate_fn = collate_fn or (default_collate if batch_size is not None or batch_sampler is not None
                                         else default_convert)
        self.pin_memory, self.pin_memory_device = pin_memory, pin_memory_device
        self.timeout, self.worker_init_fn, self.multiprocessing_context = timeout, worker_init_fn, \
            multiprocessing_context
        self.prefetch_factor, self.persistent_workers, self.in_order = prefetch_factor, persistent_workers, in_order

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

    def _fetch(self, indices: list[int]) -> Any:
        """One batch: the samples at ``indices``, collated."""
        if type(self.dataset) is TensorDataset and self.collate_fn is default_collate:
            rows = np.asarray(indices, dtype=np.int64)  # the same batch as stacking rows, without the loop
            batch = [from_numpy(t.detach().numpy()[rows]) for t in self.dataset.tensors]
            if self._short_form:
                return tuple(batch) if self._labels else batch[0]
            return batch
        getitems = getattr(self.dataset, "__getitems__", None)
        samples = getitems(indices) if getitems is not None else [self.dataset[i] for i in indices]
        return self.collate_fn(samples)

    def _stream(self) -> Iterator[Any]:
        """Batches of an ``IterableDataset``, in its own order."""
        if self.batch_size is None:
            for sample in self.dataset:
                yield self.collate_fn(sample)
            return
        batch: list = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self.dataset, IterableDataset):
            yield from self._stream()
        elif self.batch_sampler is None:  # batch_size=None: one sample at a time
            for index in self.sampler:
                yield self.collate_fn(self.dataset[index])
        else:
            for indices in self.batch_sampler:
                yield self._fetch(list(indices))




# help() and IDEs show torch's signature, not (dataset, *args, **kwargs)
_SETUP = inspect.signature(DataLoader._setup)
DataLoader.__signature__ = _SETUP.replace(parameters=list(_SETUP.parameters.values())[1:])  # type: ignore[attr-defined]
