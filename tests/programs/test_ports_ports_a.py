"""Karpathy's nanoGPT (train.py + model.py + configurator.py, in
tests/programs/nanogpt/) and makemore (makemore.py) run under glassgrad with
only their import lines changed, and print the original's numbers.

Each runs in a fresh working directory holding the small data it reads (a
shakespeare_char-style ``data/<dataset>/{train,val}.bin, meta.pkl`` made from
the shipped names file; makemore's ``names.txt``), with ``sys.argv`` giving a
tiny configuration. Both engines get the same random draws: seeded ``randint``
(nanoGPT's batches, makemore's ``RandomSampler``), ``randperm`` (makemore's
train/test split, its evaluation loader) and initialisers (``normal_`` besides
test_programs.py's ``kaiming_uniform_``/``uniform_``). The numbers compared
are the losses and counts the programs print, not the step times or MFU they
also print, nor makemore's sampled names (``torch.multinomial``: glassgrad's
stream is not PyTorch's). The original runs live under PyTorch when it is
installed (torch's ``utils.tensorboard`` replaced by a stand-in writer, as
tensorboard is not a test dependency); else the numbers recorded from it
(``recorded_ports_a.json``, written by ``python -m tests.programs.test_ports_ports_a --record``).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import pickle
import re
import sys
import types
import warnings
from pathlib import Path

import numpy as np
import pytest

from tests.programs.test_only_imports_differ import _without_header
from tests.programs.test_programs import _fixed_init, _fixed_randint, _names_file, _numbers, _original, _writer

PROGRAMS = Path(__file__).parent
NANOGPT = PROGRAMS / "nanogpt"
RECORDS = PROGRAMS / "recorded_ports_a.json"
HAS_TORCH = importlib.util.find_spec("torch") is not None

# nanoGPT's tiny configuration: 10 iterations (of 2 accumulated micro-batches) with evaluations
# (and checkpoints) at 5 and 10, then 5 more resumed from the checkpoint of iteration 10
NANOGPT_ARGS = ["--dataset=shakespeare_char", "--n_layer=2", "--n_head=2", "--n_embd=32", "--block_size=16",
                "--batch_size=4", "--device=cpu", "--compile=False", "--dtype=float32", "--wandb_log=False",
                "--gradient_accumulation_steps=2", "--eval_interval=5", "--eval_iters=3", "--log_interval=1",
                "--learning_rate=0.001", "--warmup_iters=3", "--lr_decay_iters=15", "--min_lr=0.0001"]
NANOGPT_RUNS = {"scratch": ["--max_iters=10"], "resume": ["--max_iters=15", "--init_from=resume"]}

MAKEMORE_ARGS = ["--n-layer=1", "--n-head=2", "--n-embd=16", "--n-embd2=16", "--batch-size=8", "--num-workers=0"]
MAKEMORE_RUNS = {"transformer": ["--type=transformer", "--max-steps=31"],
                 **{kind: [f"--type={kind}", "--max-steps=21"] for kind in ("gru", "rnn", "mlp", "bow", "bigram")}}
# past step 200 and 400 (samples) and 500 (evaluation on both splits, model.pt saved), then sampling from model.pt
MAKEMORE_LONG_RUNS = {"transformer": ["--type=transformer", "--max-steps=501"],
                      "sample-only": ["--type=transformer", "--sample-only"]}
MAKEMORE_WORDS = 300  # the first names of the shipped names file


def _fixed_normal(write):
    """``nn.init.normal_`` drawing the same seeded numbers in either engine."""
    rng = np.random.default_rng(3)

    def normal_(t, mean=0.0, std=1.0, **_):
        return write(t, rng.normal(mean, std, tuple(t.shape)))
    return normal_


def _fixed_randperm(module):
    rng = np.random.default_rng(4)

    def randperm(n, *, generator=None, dtype=None, device=None, **_):
        return module.tensor(rng.permutation(n), dtype=dtype)
    return randperm


def _fixed_randint_keywords(module):
    """test_programs' seeded randint, also taking ``high=``/``low=`` as keywords
    (PyTorch's RandomSampler draws ``randint(high=n, size=(32,), ...)``)."""
    randint = _fixed_randint(module)

    def call(*args, low=0, high=None, size=None, **kwargs):
        if high is not None:
            args = (low, high, size)
        return randint(*args, size=size, **kwargs)
    return call


class _NoWriter:
    """Stands in for torch.utils.tensorboard.SummaryWriter in the PyTorch run (no tensorboard here)."""

    def __init__(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _engine(engine: str, monkeypatch):
    """The engine's module, its random draws fixed (the same in either engine)."""
    if engine == "torch":
        import torch

        board = types.ModuleType("torch.utils.tensorboard")
        board.SummaryWriter = _NoWriter
        monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", board)
        module, samplers = torch, []
    else:
        import glassgrad
        import nn.sampler

        module, samplers = glassgrad, [nn.sampler]
    randint, randperm = _fixed_randint_keywords(module), _fixed_randperm(module)
    for target in (module, *samplers):
        monkeypatch.setattr(target, "randint", randint)
        monkeypatch.setattr(target, "randperm", randperm)
    write = _writer(module)
    kaiming, uniform = _fixed_init(write)
    monkeypatch.setattr(module.nn.init, "kaiming_uniform_", kaiming)
    monkeypatch.setattr(module.nn.init, "uniform_", uniform)
    monkeypatch.setattr(module.nn.init, "normal_", _fixed_normal(write))
    return module


def _source(path: Path, engine: str) -> str:
    text = path.read_text()
    return _original(text) if engine == "torch" else text


def _exec(source: str, name: str, argv: list[str], monkeypatch) -> str:
    monkeypatch.setattr(sys, "argv", [name, *argv])
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            exec(compile(source, name, "exec"), {"__name__": "__main__"})
        except SystemExit as stop:  # makemore --sample-only ends with sys.exit()
            if stop.code not in (None, 0):
                raise
    return out.getvalue()


def _write_char_dataset(workdir: Path) -> None:
    """A shakespeare_char-style dataset (uint16 character ids, 90/10 split, meta.pkl) of names."""
    text = _names_file().read_text()[:4000]
    chars = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    ids = np.array([stoi[c] for c in text], dtype=np.uint16)
    folder = workdir / "data" / "shakespeare_char"
    folder.mkdir(parents=True)
    split = int(0.9 * len(ids))
    ids[:split].tofile(folder / "train.bin")
    ids[split:].tofile(folder / "val.bin")
    meta = {"vocab_size": len(chars), "itos": dict(enumerate(chars)), "stoi": stoi}
    (folder / "meta.pkl").write_bytes(pickle.dumps(meta))


def run_nanogpt(engine: str, monkeypatch, workdir: Path) -> dict[str, str]:
    """What train.py printed from scratch and then resumed from its checkpoint."""
    _engine(engine, monkeypatch)
    _write_char_dataset(workdir)
    (workdir / "configurator.py").write_text((NANOGPT / "configurator.py").read_text())
    monkeypatch.chdir(workdir)
    model = types.ModuleType("model")
    monkeypatch.setitem(sys.modules, "model", model)
    exec(compile(_source(NANOGPT / "model.py", engine), "model.py", "exec"), model.__dict__)
    train = _source(NANOGPT / "train.py", engine)
    return {run: _exec(train, "train.py", NANOGPT_ARGS + extra, monkeypatch) for run, extra in NANOGPT_RUNS.items()}


def run_makemore(engine: str, monkeypatch, workdir: Path, runs: dict[str, list[str]] = MAKEMORE_RUNS) -> dict[str, str]:
    """What makemore.py printed in each run (by default: each model type for a few steps)."""
    _engine(engine, monkeypatch)
    names = _names_file().read_text().splitlines()[:MAKEMORE_WORDS]
    (workdir / "names.txt").write_text("\n".join(names) + "\n")
    monkeypatch.chdir(workdir)
    source = _source(PROGRAMS / "makemore.py", engine)
    outputs = {}
    for run, extra in runs.items():
        _engine(engine, monkeypatch)  # each run draws from the start of the fixed streams
        outputs[run] = _exec(source, "makemore.py", MAKEMORE_ARGS + extra, monkeypatch)
    return outputs


def deterministic_numbers(text: str) -> list[float]:
    """The printed numbers both engines must agree on: not step times or MFU,
    not the names sampled with torch.multinomial (their lines and counts)."""
    text = re.sub(r"(, time|\| step time) [\d.]+ms(, mfu -?[\d.]+%)?", "", text)
    text = re.sub(r"-{80}\n.*?-{80}\n", "", text, flags=re.S)
    return _numbers(text)


@contextlib.contextmanager
def _torch_on_one_thread():
    """PyTorch's thread pool on a shared machine makes a tiny model's step 50 times slower."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _theirs(program: str, monkeypatch, tmp_path: Path, **runs) -> dict[str, list[float]]:
    """The original's numbers: run live under PyTorch, else as recorded from that run."""
    if not HAS_TORCH:
        return json.loads(RECORDS.read_text())[program]
    (tmp_path / "torch").mkdir()
    with _torch_on_one_thread():
        outputs = PROGRAM_RUNNERS[program]("torch", monkeypatch, tmp_path / "torch", **runs)
    return {run: deterministic_numbers(text) for run, text in outputs.items()}


PROGRAM_RUNNERS = {"nanogpt": run_nanogpt, "makemore": run_makemore, "makemore-long": run_makemore}


def _assert_same_numbers(ours: dict[str, str], theirs: dict[str, list[float]]) -> None:
    assert ours.keys() == theirs.keys()
    for run, text in ours.items():
        numbers = deterministic_numbers(text)
        assert len(numbers) == len(theirs[run]) > 0, run
        np.testing.assert_allclose(numbers, theirs[run], rtol=2e-3, atol=2e-4, err_msg=run)


def _iterations(text: str) -> list[int]:
    return [int(i) for i in re.findall(r"^iter (\d+):", text, flags=re.M)]


def _step_losses(text: str) -> dict[int, tuple[float, float]]:
    return {int(s): (float(a), float(b)) for s, a, b in
            re.findall(r"^step (\d+): train loss ([\d.]+), val loss ([\d.]+)", text, flags=re.M)}


@pytest.mark.parametrize("path", sorted([*NANOGPT.glob("*.py"), PROGRAMS / "makemore.py"]), ids=lambda p: p.name)
def test_each_port_names_its_source_and_swaps_back_to_the_original(path):
    """The PyTorch run is the original itself: the port with its import lines swapped back."""
    port = path.read_text()
    assert "Ported from https://github.com/karpathy/" in port[:400] and "license" in port[:400].lower()
    original = (PROGRAMS / "originals" / path.relative_to(PROGRAMS)).read_text()
    assert _without_header(_original(port)) == _without_header(original)


def test_nanogpt_trains_checkpoints_and_resumes_with_the_originals_numbers(monkeypatch, tmp_path):
    import glassgrad

    (tmp_path / "glassgrad").mkdir()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ours = run_nanogpt("glassgrad", monkeypatch, tmp_path / "glassgrad")
    # torch.cuda, torch.backends' flags, the disabled GradScaler, the DDP imports answer as
    # on a CPU, quietly (the one warning is the program's own: open('configurator.py') unclosed)
    assert [str(w.message) for w in caught if w.category is not ResourceWarning] == []
    scratch, resumed = ours["scratch"], ours["resume"]
    assert _iterations(scratch) == list(range(11)) and "saving checkpoint to out" in scratch
    # the resumed run goes on from the checkpoint of iteration 10, to 15
    assert "Resuming training from out" in resumed and _iterations(resumed) == list(range(10, 16))
    # its first evaluation draws the batches the first run's evaluation at 0 drew (the fixed
    # randint starts again): the loaded weights do better on them than the initial ones
    assert _step_losses(resumed)[10][0] < _step_losses(scratch)[0][0] - 0.1
    checkpoint = glassgrad.load(tmp_path / "glassgrad" / "out" / "ckpt.pt", map_location="cpu")
    assert checkpoint["iter_num"] == 15 and checkpoint["config"]["max_iters"] == 15
    assert isinstance(checkpoint["best_val_loss"], glassgrad.Tensor)
    assert checkpoint["model_args"] == {"n_layer": 2, "n_head": 2, "n_embd": 32, "block_size": 16, "bias": False,
                                        "vocab_size": 27, "dropout": 0.0}
    optimizer = checkpoint["optimizer"]
    assert [group["weight_decay"] for group in optimizer["param_groups"]] == [0.1, 0.0]
    assert len(optimizer["state"]) == 15 and all({"exp_avg", "exp_avg_sq"} <= set(s)
                                                 for s in optimizer["state"].values())
    _assert_same_numbers(ours, _theirs("nanogpt", monkeypatch, tmp_path))


def test_nanogpt_checkpoint_round_trips_through_save_and_load(monkeypatch, tmp_path):
    """What train.py saves (nested dicts: the model's and AdamW's state, ints as
    keys, a tuple of betas, a tensor loss, the config) loads back equal, and
    saves again to the same structure, in the safe format (no pickle)."""
    import glassgrad

    run_nanogpt("glassgrad", monkeypatch, tmp_path)
    with np.load(tmp_path / "out" / "ckpt.pt", allow_pickle=False) as entries:  # arrays and JSON, no pickle
        assert all(entries[name].dtype != object for name in entries.files)
    first = glassgrad.load(tmp_path / "out" / "ckpt.pt", weights_only=True)
    glassgrad.save(first, tmp_path / "again.pt")
    second = glassgrad.load(tmp_path / "again.pt", weights_only=True)

    def same(a, b):
        assert type(a) is type(b)
        if isinstance(a, dict):
            assert list(a) == list(b) and all(same(a[k], b[k]) for k in a)
        elif isinstance(a, (list, tuple)):
            assert len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
        elif isinstance(a, (glassgrad.Tensor, np.ndarray)):  # (glassgrad's state dicts hold arrays)
            assert a.dtype == b.dtype and np.array_equal(np.asarray(a), np.asarray(b))
        else:
            assert a == b
        return True
    assert same(first, second)
    assert isinstance(first["optimizer"]["param_groups"][0]["betas"], tuple)
    assert sorted(first["optimizer"]["state"]) == list(range(15))


def test_makemore_trains_each_model_type_with_the_originals_numbers(monkeypatch, tmp_path):
    from glassgrad.utils import tensorboard

    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # the writer logs nothing without it
    monkeypatch.setattr(tensorboard, "_WARNED", False)
    (tmp_path / "glassgrad").mkdir()
    with pytest.warns(UserWarning) as caught:
        ours = run_makemore("glassgrad", monkeypatch, tmp_path / "glassgrad")
    about_writer = [w for w in caught if "tensorboardX is not installed" in str(w.message)]
    assert len(about_writer) == 1  # two programs made a writer: one warning
    assert [int(s) for s in re.findall(r"^step (\d+) \|", ours["transformer"], flags=re.M)] == [0, 10, 20, 30]
    _assert_same_numbers(ours, _theirs("makemore", monkeypatch, tmp_path))


@pytest.mark.slow
def test_makemore_samples_evaluates_saves_and_samples_from_its_saved_model(monkeypatch, tmp_path):
    """501 steps (samples at 200 and 400, both splits evaluated and model.pt saved
    at 500), then ``--sample-only`` from model.pt; about 10 s."""
    import glassgrad

    (tmp_path / "glassgrad").mkdir()
    ours = run_makemore("glassgrad", monkeypatch, tmp_path / "glassgrad", MAKEMORE_LONG_RUNS)
    assert re.search(r"^step 500 train loss: [\d.]+ test loss: [\d.]+$", ours["transformer"], flags=re.M)
    saved = glassgrad.load(tmp_path / "glassgrad" / "out" / "model.pt")
    assert "transformer.h.0.attn.c_attn.weight" in saved and "transformer.h.0.attn.bias" in saved
    samples = re.search(r"-{80}\n(.*?)-{80}\n", ours["sample-only"], flags=re.S).group(1).splitlines()
    counts = [int(line.split()[0]) for line in samples if "samples that are" in line]
    assert "resuming from existing model" in ours["sample-only"] and sum(counts) == 50 == len(samples) - 3
    _assert_same_numbers(ours, _theirs("makemore-long", monkeypatch, tmp_path, runs=MAKEMORE_LONG_RUNS))


def _record() -> None:
    """Write recorded_ports_a.json: the original programs' numbers, run under PyTorch."""
    import tempfile

    records = {}
    for program, runs in (("nanogpt", {}), ("makemore", {}), ("makemore-long", {"runs": MAKEMORE_LONG_RUNS})):
        with pytest.MonkeyPatch.context() as monkeypatch, tempfile.TemporaryDirectory() as workdir:
            records[program] = _theirs(program, monkeypatch, Path(workdir), **runs)
    RECORDS.write_text(json.dumps(records, indent=1) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit("usage: python -m tests.programs.test_ports_ports_a --record")
    _record()
