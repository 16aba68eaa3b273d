"""Toy datasets (pure numpy, scikit-learn's names and signatures) and a
minibatch ``DataLoader``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["make_moons", "DataLoader"]


def _rng(random_state: Any) -> np.random.Generator:
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    return np.random.default_rng(random_state)


def make_moons(n_samples: int | tuple[int, int] = 100, *, shuffle: bool = True,
               noise: float | None = 0.1, random_state: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: ``X`` of shape (n_samples, 2), labels ``y`` in {0, 1}.

    scikit-learn's signature; note glassgrad's default ``noise=0.1`` (the
    design's choice: a learnable but not trivial set) where scikit-learn's is None.
    ``n_samples`` may be a pair (outer, inner), as in scikit-learn.
    """
    if isinstance(n_samples, (tuple, list)):
        n_out, n_in = (int(n) for n in n_samples)
    else:
        if int(n_samples) < 0:
            raise ValueError(f"make_moons: n_samples must be >= 0, got {n_samples}")
        n_out = int(n_samples) // 2
        n_in = int(n_samples) - n_out
    rng = _rng(random_state)
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.vstack([
        np.column_stack([np.cos(t_out), np.sin(t_out)]),
        np.column_stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5]),
    ])
    y = np.concatenate([np.zeros(n_out, dtype=np.int64), np.ones(n_in, dtype=np.int64)])
    if shuffle:
        order = rng.permutation(len(y))
        X, y = X[order], y[order]
    if noise:
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y


class DataLoader:
    """Minibatches of ``(X, y)`` as Tensors: ``for xb, yb in DataLoader(X, y, 32): ...``.

    ``shuffle=True`` draws a new order every epoch from a generator seeded by
    ``seed``; ``drop_last`` skips a final short batch. ``X`` becomes float32
    unless it is already a float array; ``y`` keeps its dtype.
    """

    def __init__(self, X: Any, y: Any = None, batch_size: int = 32, shuffle: bool = True,
                 seed: int | None = None, drop_last: bool = False) -> None:
        X = np.asarray(X)
        if X.dtype.kind != "f":
            X = X.astype(np.float32)
        if y is not None:
            y = np.asarray(y)
            if len(y) != len(X):
                raise ValueError(f"DataLoader: X has {len(X)} samples but y has {len(y)}")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be >= 1, got {batch_size}")
        self.X, self.y = X, y
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self._rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        n = len(self.X)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        from autograd import Tensor

        n = len(self.X)
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        for b in range(len(self)):
            idx = order[b * self.batch_size : (b + 1) * self.batch_size]
            xb = Tensor._wrap(self.X[idx])
            if self.y is None:
                yield xb
            else:
                yield xb, Tensor._wrap(self.y[idx])
