"""glassgrad.save / glassgrad.load: torch's calls, glassgrad's safe format
(an .npz read with allow_pickle=False), every structure a checkpoint holds,
paths and file objects, and whole Modules only with weights_only=False."""

from __future__ import annotations

import io
import math
import pickle
from collections import OrderedDict

import numpy as np
import pytest

import autograd as ag
import glassgrad
import nn


def _model():
    ag.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.BatchNorm1d(4), nn.Linear(4, 2))


def _torch_shaped_optimizer_state():
    """The shape of torch.optim.AdamW(...).state_dict(): int keys, tensors, tuples."""
    return {
        "state": {0: {"step": ag.tensor(3.0), "exp_avg": ag.randn(4, 3), "exp_avg_sq": ag.rand(4, 3)},
                  1: {"step": ag.tensor(3.0), "exp_avg": ag.randn(4), "exp_avg_sq": ag.rand(4)}},
        "param_groups": [{"lr": 3e-4, "betas": (0.9, 0.95), "eps": 1e-8, "weight_decay": 0.1, "amsgrad": False,
                          "foreach": None, "maximize": False, "params": [0, 1]}],
    }


def _assert_same(a, b, where="obj"):
    """Equal values and the same types all the way down."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, ag.Tensor):
        assert a.dtype == b.dtype and a.requires_grad == b.requires_grad, where
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype, where
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            _assert_same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    else:
        assert a == b, where


@pytest.fixture(params=["path", "str", "file object"])
def target(request, tmp_path):
    """Where to save and how to load back: a Path, a str path, or a BytesIO."""
    if request.param == "file object":
        buffer = io.BytesIO()

        def reopen():
            buffer.seek(0)
            return buffer
        return buffer, reopen
    path = tmp_path / "ckpt.pt"
    where = path if request.param == "path" else str(path)
    return where, lambda: where


def test_a_checkpoint_round_trips_with_its_types(target):
    model = _model()
    checkpoint = {
        "model": model.state_dict(), "optimizer": _torch_shaped_optimizer_state(), "iter_num": 1000,
        "best_val_loss": ag.tensor(1.25), "config": {"n_layer": 2, "dropout": 0.0, "dataset": "shakespeare",
                                                     "compile": False, "wandb": None},
        "losses": [2.5, float("nan"), float("inf")], "shape": (3, 4), 7: "an int key", (1, 2): "a tuple key",
        "ordered": OrderedDict([("b", 1), ("a", 2)]), "weight": nn.Parameter(ag.randn(2, 2)),
        "frozen": ag.randn(2, requires_grad=True), "mask": np.array([True, False]), "half": np.float16(0.5),
        "count": np.int64(7), "raw": b"\x00\xffbytes",
    }
    where, reopen = target
    glassgrad.save(checkpoint, where)
    loaded = glassgrad.load(reopen(), map_location="cpu")
    _assert_same(checkpoint, loaded)
    fresh = _model()
    fresh.load_state_dict(loaded["model"])
    x = ag.randn(5, 3)
    fresh.eval(), model.eval()
    np.testing.assert_array_equal(fresh(x).numpy(), model(x).numpy())


def test_a_tensor_saved_twice_is_one_tensor_again(tmp_path):
    shared = ag.randn(3)
    glassgrad.save({"a": shared, "b": [shared]}, tmp_path / "s.pt")
    loaded = glassgrad.load(tmp_path / "s.pt")
    assert loaded["a"] is loaded["b"][0]


@pytest.mark.parametrize("map_location", ["cpu", glassgrad.device("cpu"), {"cuda:0": "cpu"},
                                          lambda storage, location: storage])
def test_map_location_loads_onto_the_cpu(tmp_path, map_location):
    glassgrad.save({"w": ag.ones(2)}, tmp_path / "m.pt")
    assert glassgrad.load(tmp_path / "m.pt", map_location=map_location)["w"].tolist() == [1.0, 1.0]


def test_map_location_to_a_gpu_is_refused(tmp_path):
    glassgrad.save({"w": ag.ones(2)}, tmp_path / "m.pt")
    with pytest.raises(RuntimeError, match="CPU only"):
        glassgrad.load(tmp_path / "m.pt", map_location="cuda")


def test_a_whole_module_loads_only_with_weights_only_false(tmp_path):
    model = _model()
    x = ag.randn(5, 3)
    model(x).sum().backward()  # a model with gradients and a graph behind it still saves
    glassgrad.save(model, tmp_path / "model.pt")
    with pytest.raises(pickle.UnpicklingError, match="pickled nn.layers.Sequential.*weights_only=False.*"
                                                     r"model.load_state_dict\(glassgrad.load\(f\)\)"):
        glassgrad.load(tmp_path / "model.pt")
    with pytest.raises(pickle.UnpicklingError):
        glassgrad.load(tmp_path / "model.pt", weights_only=True)
    again = glassgrad.load(tmp_path / "model.pt", weights_only=False, encoding="latin1")  # torch.load passes it on
    assert type(again) is nn.Sequential and isinstance(again[0].weight, nn.Parameter)
    assert again[0].weight.requires_grad and again[0].weight.grad is None
    model.eval(), again.eval()
    np.testing.assert_array_equal(again(x).numpy(), model(x).numpy())
    _assert_same(model.state_dict(), again.state_dict())


def test_what_cannot_be_saved_is_refused_before_writing(tmp_path):
    path = tmp_path / "bad.pt"
    with pytest.raises(TypeError, match=r"obj\['names'\] is an array of dtype <U3"):
        glassgrad.save({"names": np.array(["ann", "bob"])}, path)
    with pytest.raises(TypeError, match=r"obj\['f'\] is a builtins.function, which cannot be saved"):
        glassgrad.save({"f": lambda: 1}, path)
    assert not path.exists()


def test_files_written_by_nn_save_load_as_state_dicts(tmp_path):
    model = _model()
    nn.save(model.state_dict(), tmp_path / "plain.npz")
    _assert_same(model.state_dict(), glassgrad.load(tmp_path / "plain.npz"))


def test_a_pytorch_checkpoint_is_refused_saying_how_to_convert_it(tmp_path):
    torch = pytest.importorskip("torch")
    torch.save({"w": torch.ones(2)}, tmp_path / "torch.pt")
    with pytest.raises(nn.CheckpointError, match=r"a PyTorch checkpoint.*torch.load\(path, weights_only=True\)"):
        glassgrad.load(tmp_path / "torch.pt")
    with open(tmp_path / "torch.pt", "rb") as f, pytest.raises(nn.CheckpointError, match="a PyTorch checkpoint"):
        glassgrad.load(f)


def test_state_dicts_move_to_torch_through_a_saved_file(tmp_path):
    torch = pytest.importorskip("torch")
    model = _model()
    glassgrad.save(model.state_dict(), tmp_path / "sd.pt")
    theirs = nn.to_torch(_model())
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in glassgrad.load(tmp_path / "sd.pt").items()})
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    model.eval(), theirs.eval()
    np.testing.assert_allclose(theirs(torch.from_numpy(x)).detach().numpy(), model(ag.tensor(x)).numpy(),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("tree", [{"tensor": "a9"}, {"dict": [["k"]]}, {"mystery": 1}, {"list": 5}], ids=str)
def test_a_malformed_structure_is_refused_naming_the_file(tmp_path, tree):
    path = tmp_path / "odd.pt"
    nn.save({"a0": np.zeros(2)}, path, metadata={"glassgrad.save": {"version": 1, "tree": tree}})
    with pytest.raises(nn.CheckpointError, match=f"load: {path} holds (a malformed structure|an entry of unknown)"):
        glassgrad.load(path)
