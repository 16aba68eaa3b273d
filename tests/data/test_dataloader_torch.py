"""PyTorch's DataLoader, samplers, random_split, Subset and default collate,
checked batch by batch against torch's own given the same sampler order."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import autograd as ag
from nn.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    random_split,
)

torch = pytest.importorskip("torch")
from torch.utils import data as tdata  # noqa: E402

Pair = namedtuple("Pair", "a b")
ORDER = [7, 2, 9, 0, 4, 4, 1, 8, 3, 6, 5]  # a fixed sampler order (with a repeat) for both loaders


class Samples(Dataset):
    """One sample of every kind default_collate handles; ``tensor`` makes glassgrad's or torch's tensors."""

    def __init__(self, tensor):
        self.tensor = tensor

    def __len__(self):
        return 10

    def __getitem__(self, i):
        rng = np.random.default_rng(i)
        return {
            "x": self.tensor(rng.standard_normal(3).astype(np.float32)),
            "image": rng.standard_normal((2, 2)),  # a numpy float64 array
            "label": int(i % 3), "weight": float(i) / 2, "flag": bool(i % 2), "name": f"s{i}",
            "pair": (i, np.float32(i / 3)), "nested": [np.int32(i), {"k": float(i)}], "named": Pair(i, 1.5),
        }


def _plain(batch):
    """A batch as nested plain Python, with each tensor's dtype named, so both libraries' batches compare."""
    if isinstance(batch, (ag.Tensor, torch.Tensor)):
        array = batch.numpy()
        return ("tensor", str(array.dtype), array.shape, array.tolist())
    if isinstance(batch, dict):
        return {k: _plain(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return (type(batch).__name__, [_plain(v) for v in batch])
    return batch


@pytest.mark.parametrize("options", [dict(batch_size=4), dict(batch_size=4, drop_last=True), dict(batch_size=None),
                                     dict(batch_size=3, num_workers=2)], ids=str)
def test_batches_equal_torchs_for_the_same_sampler(options):
    ours = DataLoader(Samples(ag.from_numpy), sampler=ORDER, **options)
    theirs = tdata.DataLoader(Samples(torch.from_numpy), sampler=ORDER, **{**options, "num_workers": 0})
    assert len(ours) == len(theirs)
    assert [_plain(b) for b in ours] == [_plain(b) for b in theirs]


def test_tensordataset_batches_equal_torchs():
    X = np.random.default_rng(0).standard_normal((11, 2)).astype(np.float32)
    y = np.arange(11)
    ours = DataLoader(TensorDataset(ag.from_numpy(X), ag.from_numpy(y)), 4, sampler=ORDER)
    theirs = tdata.DataLoader(tdata.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), 4, sampler=ORDER)
    assert [_plain(b) for b in ours] == [_plain(b) for b in theirs]  # a list [xb, yb], as torch gives


def test_the_second_argument_is_the_batch_size():
    dataset = TensorDataset(ag.arange(300))
    loader = DataLoader(dataset, 128)
    assert loader.batch_size == 128 and [len(b[0]) for b in loader] == [128, 128, 44]


def test_batch_sampler_and_sequential_sampler_equal_torchs():
    for drop_last in (False, True):
        ours = list(BatchSampler(SequentialSampler(range(10)), 3, drop_last))
        assert ours == list(tdata.BatchSampler(tdata.SequentialSampler(range(10)), 3, drop_last))
        assert len(BatchSampler(range(10), 3, drop_last)) == len(tdata.BatchSampler(range(10), 3, drop_last))
    batches = [[1, 5], [0], [9, 2, 3]]
    ours = DataLoader(Samples(ag.from_numpy), batch_sampler=batches)
    theirs = tdata.DataLoader(Samples(torch.from_numpy), batch_sampler=batches)
    assert [_plain(b) for b in ours] == [_plain(b) for b in theirs]


def test_shuffle_draws_a_new_permutation_each_epoch_reproducibly():
    def epochs(seed):
        loader = DataLoader(TensorDataset(ag.arange(10)), batch_size=4, shuffle=True,
                            generator=ag.Generator().manual_seed(seed))
        return [[v for (b,) in loader for v in b.tolist()] for _ in range(2)]

    first, again = epochs(5), epochs(5)
    assert first == again and first[0] != first[1]
    assert all(sorted(e) == list(range(10)) for e in first)
    ag.manual_seed(3)
    one = [b[0].tolist() for b in DataLoader(TensorDataset(ag.arange(10)), 5, shuffle=True)]
    ag.manual_seed(3)
    assert one == [b[0].tolist() for b in DataLoader(TensorDataset(ag.arange(10)), 5, shuffle=True)]


def test_num_workers_gives_the_same_batches():
    dataset = TensorDataset(ag.arange(20))
    plain = [b[0].tolist() for b in DataLoader(dataset, 6, shuffle=True, generator=ag.Generator().manual_seed(1))]
    workers = [b[0].tolist() for b in DataLoader(dataset, 6, shuffle=True, num_workers=4, pin_memory=True,
                                                 persistent_workers=True, generator=ag.Generator().manual_seed(1))]
    assert plain == workers


@pytest.mark.parametrize("options, words", [
    (dict(sampler=[0, 1], shuffle=True), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
    (dict(batch_size=None, drop_last=True), "mutually exclusive with drop_last"),
    (dict(batch_size=0), "batch_size must be a positive integer"),
    (dict(num_workers=-1), "num_workers option should be non-negative"),
    (dict(prefetch_factor=2), "need num_workers > 0"),
])
def test_bad_option_combinations_are_refused_as_torch_refuses_them(options, words):
    with pytest.raises(ValueError, match=words):
        DataLoader(TensorDataset(ag.arange(4)), **options)
    with pytest.raises(ValueError):
        tdata.DataLoader(tdata.TensorDataset(torch.arange(4)), **options)


def test_random_split_sizes_equal_torchs_and_cover_the_dataset():
    for n, lengths in [(30, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]), (10, [0.34, 0.33, 0.33]), (12, [5, 7])]:
        ours = random_split(range(n), lengths, generator=ag.Generator().manual_seed(0))
        theirs = tdata.random_split(range(n), lengths, generator=torch.Generator().manual_seed(0))
        assert [len(s) for s in ours] == [len(s) for s in theirs]
        assert sorted(i for s in ours for i in s) == list(range(n)) and all(isinstance(s, Subset) for s in ours)
    again = random_split(range(12), [5, 7], generator=ag.Generator().manual_seed(0))
    assert [list(s) for s in again] == [list(s) for s in random_split(range(12), [5, 7],
                                                                      generator=ag.Generator().manual_seed(0))]
    with pytest.raises(ValueError, match="sum to 11, but the dataset has 12"):
        random_split(range(12), [5, 6])


def test_subset_and_concat_index_as_torchs():
    base = list(range(100, 110))
    assert [Subset(base, [3, 1, 4])[i] for i in range(3)] == [tdata.Subset(base, [3, 1, 4])[i] for i in range(3)]
    ours, theirs = ConcatDataset([base[:3], base[3:]]), tdata.ConcatDataset([base[:3], base[3:]])
    assert len(ours) == len(theirs) and [ours[i] for i in range(-10, 10)] == [theirs[i] for i in range(-10, 10)]


def test_an_iterable_dataset_batches_as_torchs():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(7))

    class TorchStream(tdata.IterableDataset):
        def __iter__(self):
            return iter(range(7))

    for drop_last in (False, True):
        ours = [b.tolist() for b in DataLoader(Stream(), batch_size=3, drop_last=drop_last)]
        assert ours == [b.tolist() for b in tdata.DataLoader(TorchStream(), batch_size=3, drop_last=drop_last)]
    with pytest.raises(ValueError, match="IterableDataset gives its own order"):
        DataLoader(Stream(), shuffle=True)


def test_samplers_draw_what_they_promise():
    g = ag.Generator().manual_seed(0)
    with_replacement = list(RandomSampler(range(5), replacement=True, num_samples=50, generator=g))
    assert len(with_replacement) == 50 and set(with_replacement) <= set(range(5))
    more = list(RandomSampler(range(5), num_samples=12, generator=g))
    assert sorted(more[:5]) == sorted(more[5:10]) == list(range(5)) and len(more) == 12
    weighted = list(WeightedRandomSampler([0.0, 1.0, 0.0], 20, generator=g))
    assert weighted == [1] * 20


def test_default_collate_refuses_what_torch_refuses():
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([object(), object()])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])


def test_glassgrads_short_form_of_arrays_stays():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    batches = list(DataLoader(X, y, batch_size=4, shuffle=True, seed=0))
    assert [type(b) for b in batches] == [tuple] * 3 and sorted(sum((b[1].tolist() for b in batches), [])) == \
        list(range(10))
    loader = DataLoader(X, y=y, batch_size=4)
    assert len(loader.dataset) == 10 and next(iter(loader))[0].tolist() == X[:4].tolist()


def test_the_signature_is_torchs():
    import inspect

    ours, theirs = inspect.signature(DataLoader).parameters, inspect.signature(tdata.DataLoader).parameters
    positional = [n for n, p in theirs.items() if p.kind is p.POSITIONAL_OR_KEYWORD and n != "self"]
    assert [n for n, p in ours.items() if p.kind is p.POSITIONAL_OR_KEYWORD] == positional
    assert set(theirs) - {"self"} <= set(ours)
    assert all(ours[n].default == theirs[n].default for n in positional)
