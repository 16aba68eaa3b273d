"""PyTorch's datasets (``torch.utils.data.dataset``): ``Dataset``,
``IterableDataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset`` and
``random_split``, with torch's names, arguments and behaviour."""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from autograd import Generator, Tensor, from_numpy, randperm

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "random_split"]


class Dataset:
    """PyTorch's map-style dataset: define ``__len__`` and ``__getitem__(i)``
    (returning a sample: a Tensor, an array, a number, or a tuple or dict of them).
    ``a + b`` concatenates two datasets."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """PyTorch's iterable-style dataset: define ``__iter__`` (a stream of samples)."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


def _as_tensor(t: Any) -> Tensor:
    return t if isinstance(t, Tensor) else from_numpy(np.asarray(t))


class TensorDataset(Dataset):
    """Sample ``i`` is ``(t[i] for t in tensors)``, as a tuple; arrays are
    taken as Tensors (sharing memory). ``.tensors`` holds them."""

    def __init__(self, *tensors: Any) -> None:
        tensors = tuple(_as_tensor(t) for t in tensors)
        if not tensors or any(t.ndim == 0 or len(t) != len(tensors[0]) for t in tensors):
            raise ValueError(f"TensorDataset: tensors need the same first dimension, got "
                             f"{[tuple(t.shape) for t in tensors]}")
        self.tensors = tensors

    @property
    def arrays(self) -> list[np.ndarray]:
        """The tensors' numpy arrays (glassgrad's older name)."""
        return [t.numpy() for t in self.tensors]

    def __getitem__(self, index: Any) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return len(self.tensors[0])


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several map-style datasets one after the other."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]).tolist())

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        if idx < 0:
            if -idx > len(self):
                raise ValueError(f"ConcatDataset: index {idx} is out of range for {len(self)} samples")
            idx += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][idx - start]


def _lengths_from_fractions(fractions: Sequence[float], n: int) -> list[int]:
    """torch's rule: floor(f * n) each, then the remainder one by one from the first."""
    lengths = []
    for i, frac in enumerate(fractions):
        if not 0 <= frac <= 1:
            raise ValueError(f"random_split: fraction at index {i} is {frac}, not between 0 and 1")
        lengths.append(math.floor(n * frac))
    for i in range(n - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(f"random_split: length of split at index {i} is 0", UserWarning, stacklevel=3)
    return lengths


def random_split(dataset: Any, lengths: Sequence[int | float], generator: Generator | None = None) -> list[Subset]:
    """Split ``dataset`` at random into ``Subset``s of the given lengths, or of
    the given fractions (summing to 1), as ``torch.utils.data.random_split``.
    The order comes from ``randperm(len(dataset), generator=generator)``
    (glassgrad's generator: the same seed gives the same split every run, not PyTorch's split)."""
    n = len(dataset)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        lengths = _lengths_from_fractions(lengths, n)
    if any(int(k) != k or k < 0 for k in lengths):
        raise ValueError(f"random_split: lengths must be non-negative whole numbers or fractions summing to 1, "
                         f"got {list(lengths)}")
    if sum(lengths) != n:
        raise ValueError(f"random_split: the lengths {list(lengths)} sum to {sum(lengths)}, but the dataset has "
                         f"{n} samples")
    order = randperm(n, generator=generator).tolist()
    bounds = np.cumsum([0, *[int(k) for k in lengths]]).tolist()
    return [Subset(dataset, order[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
