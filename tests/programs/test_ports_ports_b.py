"""Programs from pytorch/examples ported to glassgrad (tests/programs/pytorch_examples/,
originals in tests/programs/originals/pytorch_examples/): each port runs on
small synthetic data and prints the numbers the original prints under PyTorch
(run live when PyTorch is installed, else the numbers recorded from that run:
``python -m tests.programs.test_ports_ports_b --record``).

The harness around a program, identical for both engines: ``sys.argv`` for a
tiny run, a working folder with the small data files it reads, stand-in
modules for packages that fetch or draw (a ``torchvision`` of 64 + 32
synthetic 28x28 digits, a ``matplotlib`` that draws nothing), and the same
seeded draws for the initialisers and dropout masks (each engine's own
random streams differ). The program's text is never touched.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from tests.programs.test_programs import HAS_TORCH, _fixed_init, _fixed_randn, _numbers, _writer

PORTS = Path(__file__).parent / "pytorch_examples"
ORIGINALS = Path(__file__).parent / "originals" / "pytorch_examples"
RECORDED_FILE = Path(__file__).parent / "recorded_ports_b.json"

MNIST_ARGV = ["--batch-size", "16", "--test-batch-size", "16", "--epochs", "2", "--log-interval", "1",
              "--save-model"]
SINE_ARGV = ["--steps", "2", "--device", "cpu"]


def _engine_module(engine: str) -> Any:
    if engine == "torch":
        import torch

        return torch
    import glassgrad

    return glassgrad


def _fixed_dropout(module: Any):
    """dropout drawing the same seeded masks in either engine (inverted dropout, as both engines do)."""
    rng = np.random.default_rng(3)

    def dropout(x, p=0.5, training=True, inplace=False):
        if not training or p == 0.0:
            return x
        keep = rng.random(tuple(x.shape)) >= p
        return x * module.from_numpy((keep / (1.0 - p)).astype(np.float32))
    return dropout


def _same_draws(engine: str, monkeypatch) -> None:
    """Both engines draw their initial weights and dropout masks from the same seeded numpy streams."""
    module = _engine_module(engine)
    kaiming, uniform = _fixed_init(_writer(module))
    monkeypatch.setattr(module.nn.init, "kaiming_uniform_", kaiming)
    monkeypatch.setattr(module.nn.init, "uniform_", uniform)
    monkeypatch.setattr(module.nn.functional, "dropout", _fixed_dropout(module))


def _torchvision(module: Any) -> dict[str, ModuleType]:
    """A stand-in ``torchvision`` (datasets.MNIST, transforms, a utils.save_image that writes
    nothing) giving small deterministic digits: label k is a bright bar at rows 2k+2..2k+4 over
    seeded dim noise, so the network can learn it."""
    vision, datasets, transforms, utils = (ModuleType(n) for n in ("torchvision", "torchvision.datasets",
                                                                     "torchvision.transforms", "torchvision.utils"))
    vision.datasets, vision.transforms, vision.utils = datasets, transforms, utils
    utils.save_image = lambda *args, **kwargs: None

    class MNIST:
        def __init__(self, root, train=True, download=False, transform=None, target_transform=None):
            n = 64 if train else 32
            rng = np.random.default_rng(10 if train else 11)
            self.targets = [int(k) for k in rng.integers(0, 10, n)]
            self.data = rng.integers(0, 60, (n, 28, 28)).astype(np.uint8)
            for img, k in zip(self.data, self.targets):
                img[2 * k + 2:2 * k + 5, 4:24] = 255
            self.transform = transform

        def __len__(self):
            return len(self.targets)

        def __getitem__(self, i):
            return self.transform(self.data[i]), self.targets[i]

    class Compose:
        def __init__(self, steps):
            self.steps = steps

        def __call__(self, x):
            for step in self.steps:
                x = step(x)
            return x

    class ToTensor:
        def __call__(self, img):
            return module.from_numpy((img[None] / 255.0).astype(np.float32))

    class Normalize:
        def __init__(self, mean, std):
            self.mean, self.std = mean, std

        def __call__(self, t):
            mean = module.tensor(self.mean, dtype=module.float32).view(-1, 1, 1)
            return (t - mean) / module.tensor(self.std, dtype=module.float32).view(-1, 1, 1)

    datasets.MNIST = MNIST
    transforms.Compose, transforms.ToTensor, transforms.Normalize = Compose, ToTensor, Normalize
    return {m.__name__: m for m in (vision, datasets, transforms, utils)}


def _no_drawing() -> dict[str, ModuleType]:
    """A ``matplotlib`` whose pyplot calls do nothing (the plots are not what is compared)."""
    mpl, pyplot = ModuleType("matplotlib"), ModuleType("matplotlib.pyplot")
    mpl.use = lambda *a, **k: None
    mpl.pyplot = pyplot

    def anything(name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *args, **kwargs: None
    pyplot.__getattr__ = anything
    return {"matplotlib": mpl, "matplotlib.pyplot": pyplot}


def _exec(path: Path, argv: list[str], monkeypatch, workdir: Path) -> str:
    """Run a program file as ``__main__`` in ``workdir`` with ``argv``; return what it printed.
    Its own folder is importable (``import data``, ``import model``), fresh for each run."""
    monkeypatch.chdir(workdir)
    monkeypatch.setattr(sys, "argv", [path.name, *argv])
    monkeypatch.syspath_prepend(str(path.parent))
    own = [p.stem for p in path.parent.glob("*.py")]
    for name in own:
        sys.modules.pop(name, None)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(path.read_text(), str(path), "exec"), {"__name__": "__main__", "__file__": str(path)})
    finally:
        for name in own:
            sys.modules.pop(name, None)
    return out.getvalue()


def _program(engine: str, rel: str) -> Path:
    return (ORIGINALS if engine == "torch" else PORTS) / rel


def _run_mnist(engine: str, monkeypatch, workdir: Path) -> str:
    _same_draws(engine, monkeypatch)
    for name, stand_in in _torchvision(_engine_module(engine)).items():
        monkeypatch.setitem(sys.modules, name, stand_in)
    return _exec(_program(engine, "mnist/main.py"), MNIST_ARGV, monkeypatch, workdir)


def _run_vae(engine: str, monkeypatch, workdir: Path) -> str:
    """vae/main.py draws eps with randn_like, samples with randn and shuffles both loaders:
    both engines get the same seeded draws and orders."""
    module = _engine_module(engine)
    _same_draws(engine, monkeypatch)
    for name, stand_in in _torchvision(module).items():
        monkeypatch.setitem(sys.modules, name, stand_in)
    monkeypatch.setattr(module, "randn", _fixed_randn(module))
    rng = np.random.default_rng(4)
    monkeypatch.setattr(module, "randn_like", lambda t, **_: module.from_numpy(
        rng.standard_normal(tuple(t.shape)).astype(np.float32)))
    orders = np.random.default_rng(6)
    monkeypatch.setattr(module.utils.data.RandomSampler, "__iter__",
                        lambda sampler: iter(orders.permutation(len(sampler)).tolist()))
    argv = ["--batch-size", "16", "--epochs", "2", "--log-interval", "1"]
    return _exec(_program(engine, "vae/main.py"), argv, monkeypatch, workdir)


def _sine_data() -> np.ndarray:
    """generate_sine_wave.py's logic (seed 2, T = 20) for 8 waves of 40 points instead of 100 of 1,000."""
    np.random.seed(2)
    T, L, N = 20, 40, 8
    x = np.empty((N, L), "int64")
    x[:] = np.array(range(L)) + np.random.randint(-4 * T, 4 * T, N).reshape(N, 1)
    return np.sin(x / 1.0 / T).astype("float64")


def _run_sine_training(engine: str, monkeypatch, workdir: Path) -> str:
    module = _engine_module(engine)
    with open(workdir / "traindata.pt", "wb") as f:
        module.save(_sine_data(), f)
    _same_draws(engine, monkeypatch)
    for name, stub in _no_drawing().items():
        monkeypatch.setitem(sys.modules, name, stub)
    with _numpy_loads(engine):
        return _exec(_program(engine, "time_sequence_prediction/train.py"), SINE_ARGV, monkeypatch, workdir)


def _numpy_loads(engine: str) -> contextlib.AbstractContextManager:
    """PyTorch >= 2.6 loads with weights_only=True, which refuses the numpy array the
    program saved with torch.save (the example predates it): allow numpy's array globals."""
    if engine != "torch":
        return contextlib.nullcontext()
    import torch

    array_globals = [np._core.multiarray._reconstruct, np.ndarray, np.dtype, type(np.dtype("float64"))]
    return torch.serialization.safe_globals(array_globals)


def _keyed_init(write):
    """Initialisers whose draws depend only on (initialiser, shape, arguments), not on the order
    of the calls: torch's and glassgrad's Transformer build (and re-initialise) their layers
    in different orders. Parameters of one shape start equal, in both engines alike."""
    def draw(name, t, low, high):
        key = f"{name}{tuple(t.shape)}{low:.6g}{high:.6g}".encode()
        rng = np.random.default_rng(int.from_bytes(key[-8:], "little") ^ len(key) ^ sum(key))
        return write(t, rng.uniform(low, high, tuple(t.shape)))

    def fan_in_out(t):
        shape = tuple(t.shape)
        receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
        return shape[1] * receptive, shape[0] * receptive

    def kaiming_uniform_(t, a=0.0, **_):
        bound = np.sqrt(6.0 / ((1 + a * a) * fan_in_out(t)[0]))
        return draw("kaiming", t, -bound, bound)

    def xavier_uniform_(t, gain=1.0, **_):
        bound = gain * np.sqrt(6.0 / sum(fan_in_out(t)))
        return draw("xavier", t, -bound, bound)

    def uniform_(t, a=0.0, b=1.0, **_):
        return draw("uniform", t, a, b)
    return {"kaiming_uniform_": kaiming_uniform_, "xavier_uniform_": xavier_uniform_, "uniform_": uniform_}


def _corpus(workdir: Path) -> None:
    """train/valid/test.txt: lines of 6 to 11 words from a 30-word vocabulary, with a pattern
    (each word tends to be followed by the next) for the model to learn."""
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(30)]
    for name, lines in (("train", 60), ("valid", 16), ("test", 16)):
        text = []
        for _ in range(lines):
            start = int(rng.integers(0, 30))
            steps = np.where(rng.random(int(rng.integers(6, 12))) < 0.7, 1, rng.integers(2, 9))
            text.append(" ".join(words[(start + int(k)) % 30] for k in np.cumsum(steps)))
        (workdir / f"{name}.txt").write_text("\n".join(text) + "\n")


def _run_word_language_model(engine: str, monkeypatch, workdir: Path, kind: str = "LSTM", lr: str = "20",
                             layers: str = "2", dropout: str = "0", flags: tuple[str, ...] = ()) -> str:
    module = _engine_module(engine)
    for name, init in _keyed_init(_writer(module)).items():
        original = getattr(module.nn.init, name)
        monkeypatch.setattr(module.nn.init, name, init)
        for place in [m for n, m in sys.modules.items() if n.startswith(f"{module.__name__}.nn.modules.")]:
            if getattr(place, name, None) is original:  # torch's Transformer imported xavier_uniform_ by name
                monkeypatch.setattr(place, name, init)
    _corpus(workdir)
    monkeypatch.setattr(module.nn.functional, "dropout", _fixed_dropout(module))
    # dropout with 2 layers 0: PyTorch draws LSTM's inter-layer dropout masks in C++, out of the harness's reach
    argv = ["--data", ".", "--model", kind, "--emsize", "16", "--nhid", "16", "--nlayers", layers, "--nhead", "2",
            "--batch_size", "4", "--bptt", "10", "--dropout", dropout, "--epochs", "2", "--log-interval", "1",
            "--lr", lr, "--save", str(workdir / "model.pt"), *flags]
    return _exec(_program(engine, "word_language_model/main.py"), argv, monkeypatch, workdir)


def _run_transformer_language_model(engine: str, monkeypatch, workdir: Path) -> str:
    """TransformerModel does not pass --dropout on to nn.Transformer, whose layers keep their
    default 0.1, and PyTorch draws attention's masks in C++, out of the harness's reach: the
    harness makes nn.Transformer's default dropout 0 in both engines (the program's text is untouched)."""
    transformer = _engine_module(engine).nn.Transformer
    build = transformer.__init__

    def without_dropout(self, *args, **kwargs):
        build(self, *args, **{**kwargs, "dropout": 0.0})
    monkeypatch.setattr(transformer, "__init__", without_dropout)
    # lr 2, not 20: at 20 plain SGD sends this Transformer's loss past 40 (ppl 1e21), where float32 rounding decides
    return _run_word_language_model(engine, monkeypatch, workdir, "Transformer", lr="2")


def _run_dropout_language_model(engine: str, monkeypatch, workdir: Path) -> str:
    """One LSTM layer, so that --dropout 0.2 is only RNNModel's own nn.Dropout (masks the harness gives)."""
    return _run_word_language_model(engine, monkeypatch, workdir, layers="1", dropout="0.2")


def _run_regression(engine: str, monkeypatch, workdir: Path) -> str:
    module = _engine_module(engine)
    _same_draws(engine, monkeypatch)
    monkeypatch.setattr(module, "randn", _fixed_randn(module))
    return _exec(_program(engine, "regression/main.py"), [], monkeypatch, workdir)


def _run_tied_language_model(engine: str, monkeypatch, workdir: Path) -> str:
    """--tied (the decoder's weight is the embedding's) and --use-optimizer (AdamW)."""
    return _run_word_language_model(engine, monkeypatch, workdir, lr="0.005", flags=("--tied", "--use-optimizer"))


RUNS = {"mnist": _run_mnist, "regression": _run_regression, "vae": _run_vae, "time_sequence_prediction": _run_sine_training,
        "word_language_model_lstm": _run_word_language_model,
        "word_language_model_lstm_dropout": _run_dropout_language_model,
        "word_language_model_lstm_tied_adamw": _run_tied_language_model,
        "word_language_model_transformer": _run_transformer_language_model}


def _recorded() -> dict[str, list[float]]:
    return json.loads(RECORDED_FILE.read_text()) if RECORDED_FILE.exists() else {}


def _without_timings(text: str) -> str:
    """The printed text without wall-clock times (ms/batch, an epoch's seconds)."""
    return re.sub(r"(ms/batch|time:)\s*[\d.]+s?", "", text)


def _theirs(name: str, monkeypatch, tmp_path: Path) -> list[float]:
    if not HAS_TORCH:
        recorded = _recorded()
        if name not in recorded:
            pytest.skip(f"no PyTorch and no recorded numbers for {name}")
        return recorded[name]
    folder = tmp_path / "torch"
    folder.mkdir()
    with monkeypatch.context() as patch:
        return _numbers(_without_timings(RUNS[name]("torch", patch, folder)))


def _ours(name: str, monkeypatch, tmp_path: Path) -> tuple[list[float], str]:
    folder = tmp_path / "glassgrad"
    folder.mkdir()
    with monkeypatch.context() as patch:
        text = RUNS[name]("glassgrad", patch, folder)
    return _numbers(_without_timings(text)), text


@pytest.mark.slow
def test_mnist_cnn_trains_as_in_pytorch(monkeypatch, tmp_path):
    """mnist/main.py: Conv2d, max_pool2d, Dropout, Adadelta, StepLR over two epochs; every
    batch's loss, then the test loss and accuracy, as PyTorch prints them; the saved state dict
    loads back with PyTorch's parameter names."""
    ours, text = _ours("mnist", monkeypatch, tmp_path)
    theirs = _theirs("mnist", monkeypatch, tmp_path)
    assert text.count("Train Epoch") == 8 and text.count("Test set") == 2
    assert len(ours) == len(theirs) > 0
    np.testing.assert_allclose(ours, theirs, rtol=2e-3, atol=2e-4)
    import glassgrad

    saved = glassgrad.load(tmp_path / "glassgrad" / "mnist_cnn.pt")
    assert list(saved) == [f"{m}.{p}" for m in ("conv1", "conv2", "fc1", "fc2") for p in ("weight", "bias")]
    assert tuple(saved["fc1.weight"].shape) == (128, 9216)


@pytest.mark.slow
def test_mnist_dry_run_stops_after_the_first_logged_batch(monkeypatch, tmp_path):
    """--dry-run: one training line, then the test set, in both engines alike."""
    monkeypatch.setattr(sys.modules[__name__], "MNIST_ARGV", ["--batch-size", "16", "--test-batch-size", "32",
                                                              "--epochs", "1", "--dry-run"])
    ours, text = _ours("mnist", monkeypatch, tmp_path)
    assert text.count("Train Epoch") == 1 and text.count("Test set") == 1
    if HAS_TORCH:
        np.testing.assert_allclose(ours, _theirs("mnist", monkeypatch, tmp_path), rtol=2e-3, atol=2e-4)


@pytest.mark.slow
def test_time_sequence_prediction_lbfgs_matches_pytorch_step_for_step(monkeypatch, tmp_path):
    """time_sequence_prediction/train.py: two LSTMCells in float64 trained by LBFGS with a
    closure; the loss of every closure call (LBFGS's line of evaluations) and each step's test
    loss over a 1,000-step free-running prediction, as PyTorch prints them."""
    ours, text = _ours("time_sequence_prediction", monkeypatch, tmp_path)
    theirs = _theirs("time_sequence_prediction", monkeypatch, tmp_path)
    assert text.count("STEP:") == 2 and text.count("test loss:") == 2
    assert len(ours) == len(theirs) > 0
    # float64 throughout, all 17 digits printed: 40 closure calls later the losses still agree to 1e-9
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["lstm", "lstm_dropout", "lstm_tied_adamw", "transformer"])
def test_word_language_model_trains_as_in_pytorch(kind, monkeypatch, tmp_path):
    """word_language_model/main.py (+ model.py, data.py, imported by name): a 2-layer LSTM, a
    1-layer LSTM with dropout, a tied LSTM trained by AdamW (--use-optimizer), or a Transformer
    encoder language model, trained by hand-written SGD with clip_grad_norm_ (but the AdamW run)
    for two epochs; every batch's loss and perplexity, the validation and test losses after
    torch.save(model) and torch.load under serialization.safe_globals, as PyTorch prints them."""
    name = f"word_language_model_{kind}"
    ours, text = _ours(name, monkeypatch, tmp_path)
    theirs = _theirs(name, monkeypatch, tmp_path)
    assert text.count("end of epoch") == 2 and "End of training" in text
    assert len(ours) == len(theirs) > 0
    # printed with 2 decimals ({:5.2f}): a value near a rounding boundary may print 0.01 apart
    np.testing.assert_allclose(ours, theirs, rtol=2e-3, atol=0.0101)


@pytest.mark.slow
def test_regression_fits_the_polynomial_as_in_pytorch(monkeypatch, tmp_path):
    """regression/main.py: a Linear layer fitted to a random degree-4 polynomial with
    smooth_l1_loss and hand-written SGD until the loss is under 1e-3: the last loss, the number
    of batches it took, and the learned and actual coefficients, as PyTorch prints them."""
    ours, text = _ours("regression", monkeypatch, tmp_path)
    theirs = _theirs("regression", monkeypatch, tmp_path)
    assert "Learned function" in text and len(ours) == len(theirs) > 0
    np.testing.assert_allclose(ours, theirs, rtol=2e-3, atol=2e-4)


@pytest.mark.slow
def test_vae_trains_as_in_pytorch(monkeypatch, tmp_path):
    """vae/main.py: a variational autoencoder (reparameterised with randn_like) with the
    continuous-Bernoulli loss (torch.where, clamp, le/gt, elementwise max, binary_cross_entropy)
    trained by Adam on shuffled batches: every batch's loss, each epoch's average and test loss."""
    ours, text = _ours("vae", monkeypatch, tmp_path)
    theirs = _theirs("vae", monkeypatch, tmp_path)
    assert text.count("Train Epoch") == 8 and text.count("Test set loss") == 2
    assert len(ours) == len(theirs) > 0
    np.testing.assert_allclose(ours, theirs, rtol=2e-3, atol=2e-4)


def test_generate_sine_wave_writes_the_originals_data(monkeypatch, tmp_path):
    """generate_sine_wave.py writes traindata.pt (100 waves of 1,000 points): the same array as
    the original program's, read back with glassgrad.load."""
    import glassgrad

    rel = "time_sequence_prediction/generate_sine_wave.py"
    _exec(PORTS / rel, [], monkeypatch, tmp_path)
    ours = glassgrad.load(tmp_path / "traindata.pt")
    np.random.seed(2)
    expected = np.sin((np.arange(1000) + np.random.randint(-80, 80, 100).reshape(100, 1)) / 20.0)
    assert isinstance(ours, np.ndarray) and ours.dtype == np.float64 and ours.shape == (100, 1000)
    np.testing.assert_array_equal(ours, expected)
    if HAS_TORCH:
        import torch

        folder = tmp_path / "torch"
        folder.mkdir()
        _exec(ORIGINALS / rel, [], monkeypatch, folder)
        np.testing.assert_array_equal(ours, torch.load(folder / "traindata.pt", weights_only=False))


def _record() -> None:
    """Write recorded_ports_b.json from the originals run under PyTorch."""
    import tempfile

    recorded = {}
    for name, run in RUNS.items():
        with pytest.MonkeyPatch.context() as patch, tempfile.TemporaryDirectory() as folder:
            recorded[name] = _numbers(_without_timings(run("torch", patch, Path(folder))))
    RECORDED_FILE.write_text(json.dumps(recorded, indent=1) + "\n")


if __name__ == "__main__" and "--record" in sys.argv:
    _record()
