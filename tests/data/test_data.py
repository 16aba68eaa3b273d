"""Datasets and loaders: shapes, determinism, PyTorch's Dataset and DataLoader."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from nn.data import make_moons


def test_make_moons_shapes_labels_and_determinism():
    X, y = make_moons(101, noise=0.1, random_state=3)
    assert X.shape == (101, 2) and y.shape == (101,)
    assert set(np.unique(y)) == {0, 1} and (y == 0).sum() == 50
    X2, y2 = make_moons(101, noise=0.1, random_state=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    Xc, yc = make_moons(100, shuffle=False, noise=None)
    # noiseless moons lie exactly on the two unit half circles
    outer = Xc[yc == 0]
    inner = Xc[yc == 1] - np.array([1.0, 0.5])  # centre of the inner moon
    assert np.allclose(np.hypot(*outer.T), 1.0) and np.allclose(np.hypot(*inner.T), 1.0)
    assert (outer[:, 1] >= -1e-12).all() and (inner[:, 1] <= 1e-12).all()


def test_load_digits_without_scikit_learn_says_how_to_get_it(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    from nn.data import load_digits

    with pytest.raises(ImportError, match="pip install scikit-learn"):
        load_digits()


def test_toy_datasets_have_sklearn_shapes():
    from nn.data import make_blobs, make_circles, make_spirals

    X, y = make_circles(101, noise=0.0, factor=0.5, random_state=0)
    r = np.hypot(*X.T)
    assert X.shape == (101, 2) and np.allclose(r[y == 0], 1.0) and np.allclose(r[y == 1], 0.5)
    X, y = make_blobs(90, n_features=3, centers=4, random_state=0)
    assert X.shape == (90, 3) and set(np.unique(y)) == {0, 1, 2, 3}
    X, y = make_spirals(99, n_classes=3, random_state=0)
    assert X.shape == (99, 2) and np.bincount(y).tolist() == [33, 33, 33]


def test_dataset_tensordataset_and_dataloader_the_pytorch_way():
    from nn.data import DataLoader, Dataset, TensorDataset

    X = ag.tensor(np.arange(20.0).reshape(10, 2))
    y = ag.tensor(np.arange(10))
    loader = DataLoader(TensorDataset(X, y), batch_size=4)  # PyTorch's defaults: no shuffle
    batches = list(loader)
    assert len(loader) == 3 and [xb.shape for xb, _ in batches] == [(4, 2), (4, 2), (2, 2)]
    assert batches[0][1].tolist() == [0, 1, 2, 3] and batches[0][1].dtype == np.int64
    g1, g2 = ag.Generator().manual_seed(3), ag.Generator().manual_seed(3)
    first = [yb.tolist() for _, yb in DataLoader(TensorDataset(X, y), 5, shuffle=True, generator=g1)]
    again = [yb.tolist() for _, yb in DataLoader(TensorDataset(X, y), 5, shuffle=True, generator=g2)]
    assert first == again and sorted(sum(first, [])) == list(range(10)) and first != [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]

    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": float(i), "y": i * i}

    (batch,) = list(DataLoader(Squares(), batch_size=5))
    assert batch["x"].dtype == np.float64 and batch["y"].tolist() == [0, 1, 4, 9, 16]  # torch: floats give float64
    assert len(list(DataLoader(X.data, y.data, batch_size=4, drop_last=True))) == 2  # glassgrad's short form


def test_random_sampler_with_replacement_draws_lazily_like_an_infinite_loader():
    """makemore's InfiniteDataLoader samples ``num_samples=int(1e10)`` with
    replacement: the indices come a block at a time (as PyTorch draws them),
    never all at once, and a seeded generator repeats them."""
    from itertools import islice

    from nn.data import DataLoader, RandomSampler

    def first(count, seed):
        sampler = RandomSampler(range(7), replacement=True, num_samples=int(1e10),
                                generator=ag.Generator().manual_seed(seed))
        return list(islice(iter(sampler), count))

    drawn = first(100, 5)
    assert len(drawn) == 100 and set(drawn) <= set(range(7)) and len(set(drawn)) > 1
    assert drawn == first(100, 5)
    assert len(list(RandomSampler(range(7), replacement=True, num_samples=70))) == 70  # not a multiple of 32
    loader = DataLoader(list(range(7)), batch_size=4,
                        sampler=RandomSampler(range(7), replacement=True, num_samples=int(1e10)))
    assert [len(batch) for batch in islice(iter(loader), 3)] == [4, 4, 4]
