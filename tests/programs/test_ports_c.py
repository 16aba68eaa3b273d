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

import builtins
import gzip
import importlib.util
import json
import pickle
import random
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from tests.programs.test_programs import _numbers, _original, _output

PROGRAMS = Path(__file__).parent
RECORDED_FILE = PROGRAMS / "recorded_ports_c.json"
PORTS = ["pytorch_nn_tutorial", "d2l_linear_regression_concise", "pytorch_dynamic_net"]
# a hard-coded training loop -> the steps the test runs (both engines alike)
CAPPED_LOOPS = {"pytorch_dynamic_net": (30000, 2000)}
HAS_TORCH = importlib.util.find_spec("torch") is not None
# d2l's losses sit at the noise floor (~1e-4, printed with 6 decimals): the
# usual atol of 2e-4 would accept any of them. Elsewhere test_programs.py's.
ATOL = {"d2l_linear_regression_concise": 1e-6}


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


def _fixed_normal(module, write):
    """``normal(mean, std, size)`` and ``Tensor.normal_(mean, std)`` giving the
    same seeded draws in either engine."""
    rng = np.random.default_rng(4)

    def normal(mean, std=1.0, size=None, *, generator=None, **_):
        return module.tensor(rng.normal(mean, std, tuple(size)).astype(np.float32))

    def normal_(self, mean=0.0, std=1.0, *, generator=None):
        return write(self, rng.normal(mean, std, tuple(self.shape)).astype(np.float32))
    return normal, normal_


def _stand_ins(engine: str, monkeypatch, workdir: Path) -> None:
    """What the programs reach outside the engine: the data file, a ``requests``
    that must not be called, a non-interactive matplotlib, and the same random
    draws in both engines for what test_programs.py does not fix (the shuffle
    order, ``normal``, ``normal_``)."""
    _write_mnist(workdir)
    requests = types.ModuleType("requests")
    requests.get = lambda *a, **k: pytest.fail("the port must not download (the data file is there)")
    monkeypatch.setitem(sys.modules, "requests", requests)
    import matplotlib

    matplotlib.use("Agg")
    if engine == "torch":
        import torch

        def write(t, values):
            with torch.no_grad():
                t.copy_(torch.from_numpy(values))
            return t
        monkeypatch.setattr(torch, "randperm", _fixed_randperm(torch))
    else:
        import glassgrad as torch
        import nn.sampler

        def write(t, values):
            t.data[...] = values
            return t
        monkeypatch.setattr(nn.sampler, "randperm", _fixed_randperm(torch))
        monkeypatch.setattr(torch, "randperm", nn.sampler.randperm)
    normal, normal_ = _fixed_normal(torch, write)
    monkeypatch.setattr(torch, "normal", normal)
    monkeypatch.setattr(torch.Tensor, "normal_", normal_)


def _d2l_module(monkeypatch) -> dict:
    """The namespace of a d2l program with its helpers inlined: the module
    ``d2l.torch`` itself, so that d2l's ``d2l = sys.modules[__name__]`` and the
    chapter's ``from d2l import torch as d2l`` both name the running program."""
    package, module = types.ModuleType("d2l"), types.ModuleType("d2l.torch")
    package.__path__, package.torch = [], module
    monkeypatch.setitem(sys.modules, "d2l", package)
    monkeypatch.setitem(sys.modules, "d2l.torch", module)
    return module.__dict__


def _run(name: str, engine: str, monkeypatch, workdir: Path) -> list[float]:
    source = (PROGRAMS / f"{name}.py").read_text()
    if engine == "torch":
        source = _original(source)
    _stand_ins(engine, monkeypatch, workdir)
    random_state = random.getstate()
    random.seed(0)  # dynamic_net draws each forward pass's depth from Python's random
    try:
        return _numbers(_output(source, engine, monkeypatch, workdir, _namespace(name, monkeypatch)))
    finally:
        random.setstate(random_state)
        import matplotlib.pyplot

        matplotlib.pyplot.close("all")


def _namespace(name: str, monkeypatch) -> dict:
    """Where a program runs: d2l's as the module ``d2l.torch``; a program with
    a capped loop with a ``range`` that shortens that one loop."""
    if name.startswith("d2l_"):
        return _d2l_module(monkeypatch)
    namespace = {"__name__": "__main__"}
    if name in CAPPED_LOOPS:
        steps, capped = CAPPED_LOOPS[name]
        namespace["range"] = lambda *args: builtins.range(capped) if args == (steps,) else builtins.range(*args)
    return namespace


@pytest.mark.slow
@pytest.mark.parametrize("name", PORTS)
def test_port_prints_the_original_programs_numbers(name, monkeypatch, tmp_path):
    ours = _run(name, "glassgrad", monkeypatch, tmp_path / "glassgrad")
    if HAS_TORCH:
        theirs = _run(name, "torch", monkeypatch, tmp_path / "torch")
    else:
        theirs = json.loads(RECORDED_FILE.read_text())[name]
    assert len(ours) == len(theirs) > 0
    np.testing.assert_allclose(ours, theirs, rtol=2e-3, atol=ATOL.get(name, 2e-4))


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
