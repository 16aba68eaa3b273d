"""torch.serialization for glassgrad: ``load`` unpickles a whole saved model only
when its classes are listed (``safe_globals``), as PyTorch >= 2.6 does; the
``torch.nn.modules.<file>`` paths name glassgrad's classes; and ``save`` keeps
NaN and inf (an attention mask's -inf) as PyTorch does."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest

import glassgrad


def _saved(obj) -> io.BytesIO:
    buffer = io.BytesIO()
    glassgrad.save(obj, buffer)
    buffer.seek(0)
    return buffer


def test_load_unpickles_a_model_only_with_its_classes_listed():
    model = glassgrad.nn.Sequential(glassgrad.nn.Linear(3, 2), glassgrad.nn.ReLU())
    with pytest.raises(pickle.UnpicklingError, match="safe_globals"):
        glassgrad.load(_saved(model))
    with glassgrad.serialization.safe_globals([glassgrad.nn.Sequential, glassgrad.nn.Linear]):
        with pytest.raises(pickle.UnpicklingError, match="ReLU, which is not an allowed global"):
            glassgrad.load(_saved(model))
    nn_paths = glassgrad.nn.modules
    with glassgrad.serialization.safe_globals([nn_paths.container.Sequential, nn_paths.linear.Linear,
                                               nn_paths.activation.ReLU]):
        loaded = glassgrad.load(_saved(model))
    np.testing.assert_array_equal(loaded[0].weight.numpy(), model[0].weight.numpy())
    assert glassgrad.serialization.get_safe_globals() == []  # the block's list is gone after it


def test_an_lstm_loads_with_torchs_list_its_cells_included():
    lstm = glassgrad.nn.LSTM(3, 4, 2)
    with glassgrad.serialization.safe_globals([glassgrad.nn.modules.rnn.LSTM]):
        loaded = glassgrad.load(_saved(lstm))
    x = glassgrad.randn(5, 1, 3)
    np.testing.assert_array_equal(loaded(x)[0].detach().numpy(), lstm(x)[0].detach().numpy())


def test_torch_nn_modules_paths_are_the_same_classes_as_torchs():
    torch = pytest.importorskip("torch", reason="compares the module paths with PyTorch's")
    for file, names in glassgrad.nn.modules.FILES.items():
        ours, theirs = getattr(glassgrad.nn.modules, file), getattr(torch.nn.modules, file)
        for name in names:
            if hasattr(ours, name):
                assert hasattr(theirs, name), f"torch.nn.modules.{file} has no {name}"
                assert getattr(ours, name) is getattr(glassgrad.nn, name, getattr(ours, name))
    import glassgrad.nn.modules.rnn as rnn  # the import spelling works too

    assert rnn.LSTM is glassgrad.nn.LSTM


def test_save_keeps_nan_and_inf_as_torch_does():
    torch = pytest.importorskip("torch", reason="PyTorch is the oracle for what save keeps")
    mask = np.array([[0.0, -np.inf], [0.0, 0.0]], dtype=np.float32)
    values = {"mask": glassgrad.tensor(mask), "loss": glassgrad.tensor([np.nan])}
    loaded = glassgrad.load(_saved(values))
    buffer = io.BytesIO()
    torch.save({k: torch.tensor(v.numpy()) for k, v in values.items()}, buffer)
    buffer.seek(0)
    theirs = torch.load(buffer)
    for key in values:
        np.testing.assert_array_equal(loaded[key].numpy(), theirs[key].numpy())


def test_add_safe_globals_allows_for_the_process_until_cleared():
    model = glassgrad.nn.Linear(2, 2)
    glassgrad.serialization.add_safe_globals([glassgrad.nn.Linear])
    try:
        assert glassgrad.serialization.get_safe_globals() == [glassgrad.nn.Linear]
        assert isinstance(glassgrad.load(_saved(model)), glassgrad.nn.Linear)
    finally:
        glassgrad.serialization.clear_safe_globals()
    with pytest.raises(pickle.UnpicklingError):
        glassgrad.load(_saved(model))
