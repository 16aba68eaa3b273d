"""Ported programs of branch ports-c (PyTorch's nn_tutorial, a d2l chapter with
its helpers inlined...): each runs with only its import lines changed, on small
synthetic data, and prints the original's numbers: the original run live with
PyTorch when it is installed (import lines swapped back), else the numbers
recorded from that run in ``recorded_ports_c.json``.

Both engines get the same random draws: ``randn``/``randint`` and layer
initialisation as in test_programs.py, and the DataLoader's shuffle order
(``randperm``, which glassgrad's sampler and PyTorch's both call).
Record again with ``python -m tests.programs.test_ports_c --record``."""

from __future__ import annotations

import gzip
import importlib.util
import json
import pickle
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from tests.programs.test_programs import _numbers, _original, _output

PROGRAMS = Path(__file__).parent
RECORDED_FILE = PROGRAMS / "recorded_ports_c.json"
PORTS = ["pytorch_nn_tutorial"]
HAS_TORCH = importlib.util.find_spec("torch") is not None


def _write_mnist(workdir: Path, n_train: int = 256, n_valid: int = 192) -> None:
    """A small MNIST-shaped pickle where nn_tutorial looks for it: 784 pixels
    in [0, 1] per image, a blurred class prototype plus noise, labels 0-9."""
    rng = np.random.default_rng(7)
    prototypes = rng.uniform(0.0, 1.0, (10, 784)) * (rng.uniform(size=(10, 784)) < 0.3)

    def split(count: int) -> tuple[np.ndarray, np.ndarray]:
        labels = rng.integers(0, 10, count)
        images = np.clip(prototypes[labels] + rng.normal(0.0, 0.3, (count, 784)), 0.0, 1.0)
        return images.astype(np.float32), labels.astype(np.int64)

    folder = workdir / "data" / "mnist"
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(folder / "mnist.pkl.gz", "wb") as f:
        pickle.dump((split(n_train), split(n_valid), split(8)), f)


def _fixed_randperm(module):
    """randperm giving the same seeded permutations in either engine."""
    rng = np.random.default_rng(3)

    def randperm(n, *, generator=None, dtype=None, device=None, **_):
        return module.tensor(rng.permutation(int(n)))
    return randperm


def _stand_ins(engine: str, monkeypatch, workdir: Path) -> None:
    """What the programs reach outside the engine: the data file, a ``requests``
    that must not be called, a non-interactive matplotlib, the shuffle order."""
    _write_mnist(workdir)
    requests = types.ModuleType("requests")
    requests.get = lambda *a, **k: pytest.fail("the port must not download (the data file is there)")
    monkeypatch.setitem(sys.modules, "requests", requests)
    import matplotlib

    matplotlib.use("Agg")
    if engine == "torch":
        import torch

        monkeypatch.setattr(torch, "randperm", _fixed_randperm(torch))
    else:
        import glassgrad
        import nn.sampler

        randperm = _fixed_randperm(glassgrad)
        monkeypatch.setattr(glassgrad, "randperm", randperm)
        monkeypatch.setattr(nn.sampler, "randperm", randperm)


def _run(name: str, engine: str, monkeypatch, workdir: Path) -> list[float]:
    source = (PROGRAMS / f"{name}.py").read_text()
    if engine == "torch":
        source = _original(source)
    _stand_ins(engine, monkeypatch, workdir)
    try:
        return _numbers(_output(source, engine, monkeypatch, workdir))
    finally:
        import matplotlib.pyplot

        matplotlib.pyplot.close("all")


@pytest.mark.slow
@pytest.mark.parametrize("name", PORTS)
def test_port_prints_the_original_programs_numbers(name, monkeypatch, tmp_path):
    ours = _run(name, "glassgrad", monkeypatch, tmp_path / "glassgrad")
    if HAS_TORCH:
        theirs = _run(name, "torch", monkeypatch, tmp_path / "torch")
    else:
        theirs = json.loads(RECORDED_FILE.read_text())[name]
    assert len(ours) == len(theirs) > 0
    np.testing.assert_allclose(ours, theirs, rtol=2e-3, atol=2e-4)


def _record() -> None:
    """Run each original under PyTorch and keep its printed numbers."""
    import tempfile

    recorded = {}
    for name in PORTS:
        with pytest.MonkeyPatch.context() as monkeypatch, tempfile.TemporaryDirectory() as tmp:
            recorded[name] = _run(name, "torch", monkeypatch, Path(tmp))
    RECORDED_FILE.write_text("{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in recorded.items()) + "\n}\n")


if __name__ == "__main__" and "--record" in sys.argv:
    _record()
