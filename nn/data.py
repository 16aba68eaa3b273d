"""Toy datasets (pure numpy, scikit-learn's names and signatures), and
PyTorch's data loading (``torch.utils.data``: this module is
``glassgrad.utils.data``): ``Dataset``, ``TensorDataset``, ``DataLoader``,
the samplers, ``random_split``, ``Subset``, ``default_collate``, defined in
``nn.dataset``, ``nn.sampler`` and ``nn.dataloader`` (torch's submodule names)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from nn import dataloader, dataset, sampler
from nn.dataloader import DataLoader, default_collate, default_convert, get_worker_info
from nn.dataset import ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from nn.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = ["make_moons", "make_circles", "make_blobs", "make_spirals", "load_digits", "load_names", "names_path",
           "load_sonnets", "train_test_split",
           "Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "random_split",
           "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler",
           "BatchSampler", "DataLoader", "default_collate", "default_convert", "get_worker_info",
           "dataloader", "dataset", "sampler"]


def _rng(random_state: Any) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    return np.random.default_rng(random_state)


def _two_groups(n_samples: int | tuple[int, int], op: str) -> tuple[int, int]:
    """scikit-learn's split of n_samples into (outer, inner), or a given pair."""
    if isinstance(n_samples, (tuple, list)):
        return int(n_samples[0]), int(n_samples[1])
    if int(n_samples) < 0:
        raise ValueError(f"{op}: n_samples must be >= 0, got {n_samples}")
    return int(n_samples) // 2, int(n_samples) - int(n_samples) // 2


def _finish(X: np.ndarray, y: np.ndarray, rng: np.random.Generator, shuffle: bool,
            noise: float | None) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle (optionally), then add Gaussian noise (optionally), as scikit-learn does."""
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y


def make_moons(n_samples: int | tuple[int, int] = 100, *, shuffle: bool = True,
               noise: float | None = 0.1, random_state: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: ``X`` of shape (n_samples, 2), labels ``y`` in {0, 1}.

    scikit-learn's signature; note glassgrad's default ``noise=0.1`` (the
    design's choice: a learnable but not trivial set) where scikit-learn's is None.
    ``n_samples`` may be a pair (outer, inner), as in scikit-learn.
    """
    n_out, n_in = _two_groups(n_samples, "make_moons")
    rng = _rng(random_state)
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.vstack([
        np.column_stack([np.cos(t_out), np.sin(t_out)]),
        np.column_stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5]),
    ])
    y = np.concatenate([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    return _finish(X, y, rng, shuffle, noise)


def make_circles(n_samples: int | tuple[int, int] = 100, *, shuffle: bool = True, noise: float | None = None,
                 random_state: Any = None, factor: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
    """A large circle (label 0) around a smaller one (label 1, radius ``factor``);
    scikit-learn's signature and defaults."""
    if not 0 <= factor < 1:
        raise ValueError(f"make_circles: factor must be in [0, 1), got {factor}")
    n_out, n_in = _two_groups(n_samples, "make_circles")
    rng = _rng(random_state)
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack([np.column_stack([np.cos(t_out), np.sin(t_out)]),
                   factor * np.column_stack([np.cos(t_in), np.sin(t_in)])])
    y = np.concatenate([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    return _finish(X, y, rng, shuffle, noise)


def make_blobs(n_samples: int = 100, n_features: int = 2, *, centers: Any = None, cluster_std: float = 1.0,
               center_box: tuple[float, float] = (-10.0, 10.0), shuffle: bool = True,
               random_state: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs around ``centers`` (default 3 random centres in
    ``center_box``); scikit-learn's signature and defaults."""
    rng = _rng(random_state)
    if centers is None:
        centers = 3
    if isinstance(centers, (int, np.integer)):
        centers = rng.uniform(center_box[0], center_box[1], size=(int(centers), n_features))
    centers = np.asarray(centers, dtype=np.float64)
    k = len(centers)
    counts = [n_samples // k + (1 if i < n_samples % k else 0) for i in range(k)]
    X = np.vstack([rng.normal(c, cluster_std, size=(n, centers.shape[1])) for c, n in zip(centers, counts)])
    y = np.concatenate([np.full(n, i, dtype=np.int64) for i, n in enumerate(counts)])
    return _finish(X, y, rng, shuffle, None)


def make_spirals(n_samples: int = 300, *, n_classes: int = 3, noise: float = 0.2, shuffle: bool = True,
                 random_state: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n toy set; not in
    scikit-learn, so its signature follows make_moons)."""
    rng = _rng(random_state)
    counts = [n_samples // n_classes + (1 if i < n_samples % n_classes else 0) for i in range(n_classes)]
    parts, labels = [], []
    for c, n in enumerate(counts):
        r = np.linspace(0.0, 1.0, n)
        t = np.linspace(c * 4.0, (c + 1) * 4.0, n) + rng.normal(scale=noise, size=n)
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        labels.append(np.full(n, c, dtype=np.int64))
    return _finish(np.vstack(parts), np.concatenate(labels), rng, shuffle, None)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 8x8 handwritten digits bundled with scikit-learn: X (1797, 64)
    with values 0..16, y (1797,) in 0..9. Needs scikit-learn (it ships the data;
    nothing is downloaded): ``pip install scikit-learn`` or ``pip install "glassgrad[data]"``."""
    try:
        from sklearn.datasets import load_digits as _sk_load_digits
    except ImportError:
        raise ImportError(
            "load_digits needs scikit-learn, which ships the 8x8 digits data: "
            'pip install scikit-learn (or pip install "glassgrad[data]")'
        ) from None
    X, y = _sk_load_digits(return_X_y=True)
    return X.astype(np.float64), y.astype(np.int64)


def names_path() -> Path:
    """The shipped names file: 5,163 first names, one per line, lower case
    (US Census 1990, public domain; nn/datasets/NAMES-LICENSE.md). makemore's
    ``open('names.txt')`` reads it when copied next to the notebook."""
    return Path(__file__).parent / "datasets" / "names.txt"


def load_names() -> list[str]:
    """The shipped first names as a list of strings (see ``names_path``)."""
    return names_path().read_text().splitlines()


def load_sonnets() -> str:
    """Eight of Shakespeare's sonnets as one string, about 5,000 characters
    (public domain; nn/datasets/SONNETS-LICENSE.md): a text for a tiny GPT."""
    return (Path(__file__).parent / "datasets" / "sonnets.txt").read_text()


def train_test_split(X: np.ndarray, y: np.ndarray, test_size: float = 0.25,
                     random_state: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle and split into (X_train, X_test, y_train, y_test), as scikit-learn."""
    if not 0 < test_size < 1:
        raise ValueError(f"train_test_split: test_size must be in (0, 1), got {test_size}")
    order = _rng(random_state).permutation(len(X))
    n_test = int(np.ceil(test_size * len(X)))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]
