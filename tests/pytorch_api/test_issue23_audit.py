"""Issue 23's items that had no PyTorch-oracle test of their own: the
torch-level selections and tests (histogram, sort, topk, all, any, allclose,
unique, comparisons), DataLoader's ``collate_fn``, a tensor hook's handle
``.remove()``, and a real model-and-optimizer checkpoint that resumes step
for step."""

from __future__ import annotations

import numpy as np
import pytest

import glassgrad

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for issue 23's audit")

RNG = np.random.default_rng(23)
X = RNG.integers(0, 5, (4, 6)).astype(np.float64) + RNG.uniform(0, 1e-3, (4, 6)) * (RNG.uniform(size=(4, 6)) > 0.5)

CALLS = {
    "histogram": lambda lib, x: lib.histogram(x.flatten(), bins=4).hist,
    "histogram range": lambda lib, x: lib.histogram(x.flatten(), bins=3, range=(0.0, 4.0))[1],
    "sort": lambda lib, x: lib.sort(x, dim=1).values,
    "sort descending indices": lambda lib, x: lib.sort(x, dim=0, descending=True, stable=True).indices,
    "Tensor.sort": lambda lib, x: x.sort()[1],
    "topk": lambda lib, x: lib.topk(x, 3, dim=1).values,
    "topk smallest": lambda lib, x: x.topk(2, dim=0, largest=False).values,
    "all": lambda lib, x: lib.all(x > 0.5),
    "all dim": lambda lib, x: lib.all(x > 0.5, dim=1),
    "any dim": lambda lib, x: (x > 3.5).any(dim=0),
    "any": lambda lib, x: lib.any(x > 9),
    "unique": lambda lib, x: lib.unique(x.round()),
    "unique inverse": lambda lib, x: lib.unique(x.round(), return_inverse=True)[1],
    "unique counts": lambda lib, x: x.round().unique(return_counts=True)[1],
    "roll": lambda lib, x: lib.roll(x, shifts=(1, -2), dims=(0, 1)),
    "roll flat": lambda lib, x: x.roll(5),
    "eq ne lt le gt ge": lambda lib, x: lib.stack([getattr(x, n)(x.round()) for n in ("eq", "ne", "lt", "le", "gt",
                                                                                        "ge")]),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_torch_level_selections_and_tests_match_torch(name):
    got = CALLS[name](glassgrad, glassgrad.tensor(X))
    want = CALLS[name](torch, torch.tensor(X))
    assert got.shape == tuple(want.shape) and str(got.dtype) == str(want.dtype).removeprefix("torch.")
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)


def test_allclose_matches_torch_with_its_tolerances():
    a = X + 1e-6
    for kwargs in ({}, {"rtol": 1e-9, "atol": 1e-9}, {"atol": 1e-5}):
        assert glassgrad.allclose(glassgrad.tensor(a), glassgrad.tensor(X), **kwargs) == \
            torch.allclose(torch.tensor(a), torch.tensor(X), **kwargs)
    nan = np.array([1.0, np.nan])
    for equal_nan in (False, True):
        assert glassgrad.tensor(nan).allclose(glassgrad.tensor(nan), equal_nan=equal_nan) == \
            torch.tensor(nan).allclose(torch.tensor(nan), equal_nan=equal_nan)


def test_a_collate_fn_of_your_own_gets_the_same_samples_as_torchs():
    def pad_and_stack(lib):
        def collate(samples):  # variable-length sequences, padded: what a collate_fn is usually for
            longest = max(len(s) for s, _ in samples)
            padded = [np.pad(np.asarray(s, dtype=np.float32), (0, longest - len(s))) for s, _ in samples]
            return lib.tensor(np.stack(padded)), lib.tensor([label for _, label in samples])
        return collate

    samples = [(list(range(1 + i % 4)), i % 2) for i in range(10)]
    order = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]
    ours = glassgrad.utils.data.DataLoader(samples, batch_size=3, sampler=order, collate_fn=pad_and_stack(glassgrad),
                                           drop_last=True)
    theirs = torch.utils.data.DataLoader(samples, batch_size=3, sampler=order, collate_fn=pad_and_stack(torch),
                                         drop_last=True)
    assert len(ours) == len(theirs) == 3
    for (xo, yo), (xt, yt) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(xo.numpy(), xt.numpy())
        assert yo.tolist() == yt.tolist()


def test_a_tensor_hooks_handle_removes_it_as_in_torch():
    grads = []
    for lib in (glassgrad, torch):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        h = a * a
        doubling, seen = h.register_hook(lambda g: g * 2), []
        watching = a.register_hook(seen.append)
        h.sum().backward()
        doubling.remove()
        watching.remove()
        a.grad = None
        (a * a).sum().backward()
        grads.append((seen, a.grad.tolist()))
    grads = [([g.tolist() for g in seen], final) for seen, final in grads]
    assert grads[0] == grads[1] == ([[4.0, 8.0, 12.0]], [2.0, 4.0, 6.0])


def test_a_model_and_optimizer_checkpoint_resumes_step_for_step(tmp_path):
    def model_and_optimizer():
        glassgrad.manual_seed(0)
        model = glassgrad.nn.Sequential(glassgrad.nn.Linear(3, 8), glassgrad.nn.Tanh(), glassgrad.nn.Linear(8, 1))
        return model, glassgrad.optim.AdamW(model.parameters(), lr=0.05)

    x, y = glassgrad.tensor(RNG.standard_normal((16, 3))), glassgrad.tensor(RNG.standard_normal((16, 1)))

    def train(model, optimizer, steps):
        for _ in range(steps):
            loss = glassgrad.nn.functional.mse_loss(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return loss.item()

    straight = model_and_optimizer()
    train(*straight, 3)
    glassgrad.save({"model": straight[0].state_dict(), "optimizer": straight[1].state_dict(), "iter_num": 3},
                   tmp_path / "ckpt.pt")
    expected = train(*straight, 4)
    resumed = model_and_optimizer()
    checkpoint = glassgrad.load(tmp_path / "ckpt.pt", map_location="cpu", weights_only=True)
    resumed[0].load_state_dict(checkpoint["model"])
    resumed[1].load_state_dict(checkpoint["optimizer"])
    assert checkpoint["iter_num"] == 3 and train(*resumed, 4) == expected
