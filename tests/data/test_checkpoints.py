"""Checkpoints: round trips, refusals that change nothing, hostile files, interrupted saves."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

import nn

RNG = np.random.default_rng(1)


def _model():
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.BatchNorm1d(4), nn.Linear(4, 2))


def test_save_load_round_trip(tmp_path):
    model = _model()
    path = tmp_path / "model.npz"
    nn.save(model.state_dict(), path)
    other = _model()
    other.load_state_dict(nn.load(path))
    for (k, v), (k2, v2) in zip(model.state_dict().items(), other.state_dict().items()):
        assert k == k2 and np.array_equal(v, v2)


def test_load_state_dict_refuses_bad_keys_and_shapes_and_changes_nothing():
    model = _model()
    before = model.state_dict()
    bad = dict(before)
    bad["0.weight"] = np.zeros((5, 3))
    bad["extra"] = np.zeros(1)
    del bad["3.bias"]
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(bad)
    text = str(info.value)
    assert "0.weight: shape (5, 3) in the state dict, (4, 3) in the model" in text
    assert "missing keys: 3.bias" in text and "unexpected keys: extra" in text
    for k, v in model.state_dict().items():
        assert np.array_equal(v, before[k])
    cast = {k: v.astype(np.float64) for k, v in before.items()}
    model.load_state_dict(cast)
    assert model[0].weight.dtype == np.float32


def test_hostile_checkpoints_are_refused_naming_the_file(tmp_path):
    pickled = tmp_path / "pickled.npz"
    # pretends to be a checkpoint (has the marker) but carries a pickled object array
    np.savez(pickled, __glassgrad__=np.array('{"format": 1, "metadata": {}}'),
             evil=np.array([{"a": 1}], dtype=object))
    with pytest.raises(nn.CheckpointError, match="pickled.npz contains pickled objects"):
        nn.load(pickled)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(RNG.bytes(1000))
    with pytest.raises(nn.CheckpointError, match="junk.npz is not a glassgrad checkpoint"):
        nn.load(junk)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, w=np.zeros(3))
    with pytest.raises(nn.CheckpointError, match="foreign.npz is an .npz file but not a glassgrad checkpoint"):
        nn.load(foreign)
    good = tmp_path / "good.npz"
    nn.save(_model().state_dict(), good)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:200])
    with pytest.raises(nn.CheckpointError, match="truncated.npz"):
        nn.load(truncated)
    bomb = tmp_path / "bomb.npz"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("w.npy", b"\0" * (8 * 1024 * 1024))
    from nn import serialization

    old = serialization.MAX_CHECKPOINT_BYTES
    serialization.MAX_CHECKPOINT_BYTES = 1024 * 1024
    try:
        with pytest.raises(nn.CheckpointError, match="bomb.npz declares 8388608 bytes"):
            nn.load(bomb)
    finally:
        serialization.MAX_CHECKPOINT_BYTES = old


def test_interrupted_save_leaves_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    nn.save({"w": np.ones(3)}, path)

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(KeyboardInterrupt):
        nn.save({"w": np.zeros(3)}, path)
    monkeypatch.undo()
    assert np.array_equal(nn.load(path)["w"], np.ones(3))
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.npz"]


def test_a_model_holding_nan_or_inf_is_not_saved_unless_asked(tmp_path):
    from nn.serialization import NonFiniteError

    model = _model()
    state = model.state_dict()
    state["0.weight"][1, 2] = np.nan
    state["3.bias"][0] = -np.inf
    path = tmp_path / "diverged.npz"
    with pytest.raises(NonFiniteError) as info:
        nn.save(state, path)
    text = str(info.value)
    assert "'0.weight' (1 of 12)" in text and "'3.bias' (1 of 2)" in text and "allow_nonfinite=True" in text
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file either
    nn.save(state, path, allow_nonfinite=True)
    assert np.isnan(nn.load(path)["0.weight"][1, 2])


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_checkpoint_honours_the_umask(tmp_path, umask):
    import os

    old = os.umask(umask)
    try:
        nn.save({"w": np.ones(3)}, tmp_path / "new.npz")
    finally:
        os.umask(old)
    assert (tmp_path / "new.npz").stat().st_mode & 0o777 == 0o666 & ~umask


def test_overwriting_a_checkpoint_keeps_its_mode(tmp_path):
    import os

    path = tmp_path / "shared.npz"
    nn.save({"w": np.ones(3)}, path)
    os.chmod(path, 0o640)
    nn.save({"w": np.zeros(3)}, path)
    assert path.stat().st_mode & 0o777 == 0o640 and np.array_equal(nn.load(path)["w"], np.zeros(3))
    assert [p.name for p in tmp_path.iterdir()] == ["shared.npz"]
