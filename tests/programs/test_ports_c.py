"""Ported programs of branch ports-c (PyTorch's nn_tutorial and dynamic_net,
two d2l chapters with their d2l helpers inlined): each runs with only its
import lines changed, on small synthetic data, and prints the original's
numbers: the original run live with PyTorch when it is installed (import
lines swapped back), else the numbers recorded from that run in
``recorded_ports_c.json``.

Both engines get the same random draws: ``randn``/``randint`` and layer
initialisation as in test_programs.py; here also the DataLoader's shuffle
order (``randperm``, which glassgrad's sampler and PyTorch's both call),
``normal``/``normal_`` and Python's ``random``. What the programs reach
outside the engine is stood in for: the MNIST pickle nn_tutorial reads, a
``requests`` that must not be called, a tiny ``torchvision`` and d2l 0.17's
``IPython.display`` (whose ``display`` prints the plotted training curves).
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

from tests.programs.test_programs import _numbers, _original, _output, _writer

PROGRAMS = Path(__file__).parent
RECORDED_FILE = PROGRAMS / "recorded_ports_c.json"
PORTS = ["pytorch_nn_tutorial", "d2l_linear_regression_concise", "d2l_softmax_regression_scratch",
         "pytorch_dynamic_net", "pytorch_cifar10_tutorial"]
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

    def normal(mean, std=1.0, size=None, *, generator=None, requires_grad=False, **_):
        return module.tensor(rng.normal(mean, std, tuple(size)).astype(np.float32), requires_grad=requires_grad)

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

        monkeypatch.setattr(torch, "randperm", _fixed_randperm(torch))
    else:
        import glassgrad as torch
        import nn.sampler

        monkeypatch.setattr(nn.sampler, "randperm", _fixed_randperm(torch))
        monkeypatch.setattr(torch, "randperm", nn.sampler.randperm)
    write = _writer(torch)
    normal, normal_ = _fixed_normal(torch, write)
    monkeypatch.setattr(torch, "normal", normal)
    monkeypatch.setattr(torch.Tensor, "normal_", normal_)
    monkeypatch.setitem(sys.modules, "torchvision", _stand_in_torchvision(torch))
    for name in ("datasets", "transforms", "utils"):
        monkeypatch.setitem(sys.modules, f"torchvision.{name}", getattr(sys.modules["torchvision"], name))


def _synthetic_images(seed: int, count: int, shape: tuple, noise: float, solid: bool) -> tuple[np.ndarray, np.ndarray]:
    """``count`` uint8 images of ``shape``: one of 10 class prototypes (a
    sparse pattern, or a solid colour) plus noise."""
    pattern = (1, 1, shape[-1]) if solid else shape
    prototypes = np.random.default_rng(11).uniform(0, 255, (10, *pattern))
    if not solid:
        prototypes *= np.random.default_rng(12).uniform(size=(10, *pattern)) < 0.4
    rng = np.random.default_rng(seed)
    targets = rng.integers(0, 10, count)
    images = np.clip(prototypes[targets] + rng.normal(0, noise, (count, *shape)), 0, 255).astype(np.uint8)
    return images, targets


def _stand_in_torchvision(torch) -> types.ModuleType:
    """A tiny ``torchvision`` giving tensors of the engine under test:
    ``datasets.FashionMNIST`` (1,024 training and 512 test images of 28x28, for
    d2l) and ``datasets.CIFAR10`` (400 and 400 of 32x32x3, a solid colour per
    class, which the tutorial's 200 steps of SGD at lr 0.001 begin to learn:
    after thousands of steps float32 rounding alone flips predictions between
    the engines), synthetic; the ``transforms`` they use and ``utils.make_grid``."""
    torchvision = types.ModuleType("torchvision")
    for name in ("datasets", "transforms", "utils"):
        setattr(torchvision, name, types.ModuleType(name))

    class Synthetic:
        sizes, shape, noise, solid = (1024, 512), (28, 28), 200.0, False

        def __init__(self, root, train=True, transform=None, download=False):
            count = self.sizes[0] if train else self.sizes[1]
            self.data, self.targets = _synthetic_images(13 - train, count, self.shape, self.noise, self.solid)
            self.transform = transform

        def __len__(self):
            return len(self.targets)

        def __getitem__(self, i):
            image = self.data[i] if self.transform is None else self.transform(self.data[i])
            return image, int(self.targets[i])

    class CIFAR10(Synthetic):
        sizes, shape, noise, solid = (400, 400), (32, 32, 3), 120.0, True

    class ToTensor:
        def __call__(self, picture):
            array = np.asarray(picture, dtype=np.float32) / np.float32(255)
            return torch.tensor(array[None] if array.ndim == 2 else array.transpose(2, 0, 1))

    class Normalize:
        def __init__(self, mean, std):
            self.mean, self.std = (torch.tensor(v).reshape(-1, 1, 1) for v in (mean, std))

        def __call__(self, image):
            return (image - self.mean) / self.std

    class Compose:
        def __init__(self, transforms):
            self.transforms = transforms

        def __call__(self, x):
            for transform in self.transforms:
                x = transform(x)
            return x

    class Resize:
        def __init__(self, size):
            raise NotImplementedError("the stand-in torchvision does not resize")

    torchvision.datasets.FashionMNIST, torchvision.datasets.CIFAR10 = Synthetic, CIFAR10
    for transform in (ToTensor, Normalize, Compose, Resize):
        setattr(torchvision.transforms, transform.__name__, transform)
    torchvision.utils.make_grid = lambda images, **_: torch.cat(list(images), 2)  # side by side
    return torchvision


def _stand_in_ipython(monkeypatch) -> None:
    """``from IPython import display`` for d2l 0.17: ``set_matplotlib_formats``
    (gone from today's IPython) does nothing, and ``display(figure)`` prints
    the plotted curves' values, which is what a learner sees of training."""
    ipython, display = types.ModuleType("IPython"), types.ModuleType("IPython.display")
    ipython.display, ipython.get_ipython = display, lambda: None
    ipython.version_info = (9, 0, 0, "")  # (matplotlib reads it: a current IPython)
    display.set_matplotlib_formats = lambda *formats, **kwargs: None
    display.clear_output = lambda wait=False: None

    def show(*figures, **_):
        for figure in figures:
            for line in figure.axes[0].get_lines():
                print(" ".join(f"{float(v):.6g}" for v in line.get_ydata()))
    display.display = show
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display)


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
    threads = _one_thread(engine)
    try:
        return _numbers(_output(source, engine, monkeypatch, workdir, _namespace(name, monkeypatch)))
    finally:
        random.setstate(random_state)
        if threads:
            import torch

            torch.set_num_threads(threads)
        import matplotlib.pyplot

        matplotlib.pyplot.close("all")


def _one_thread(engine: str) -> int | None:
    """PyTorch on one thread for the oracle run (the CIFAR10 tutorial's batches
    of 4 ran 10 times slower on a shared test machine with its threads); the
    number it had, to restore."""
    if engine != "torch":
        return None
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    return threads


def _namespace(name: str, monkeypatch) -> dict:
    """Where a program runs: d2l's as the module ``d2l.torch``; a program with
    a capped loop with a ``range`` that shortens that one loop."""
    if name.startswith("d2l_"):
        _stand_in_ipython(monkeypatch)
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
