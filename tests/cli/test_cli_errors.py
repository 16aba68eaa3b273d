"""The glassgrad command as a user meets its errors: each mistake is one line
on stderr, a documented exit status, and nothing written; a diverged run saves
nothing; Ctrl-C ends with status 130 and leaves the previous checkpoint."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest

import nn
from nn.cli import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

pytestmark = pytest.mark.slow  # each command is a subprocess
ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nn.cli", *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd, env=_env())


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _one_line_error(done: subprocess.CompletedProcess, status: int) -> str:
    assert done.returncode == status, (done.returncode, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr and "Warning" not in done.stderr, done.stderr
    return lines[0]


MISTAKES = [
    (["train", "--epochs", "0"], "glassgrad train: error: argument --epochs: must be at least 1, got 0"),
    (["train", "--seed", "-1"], "argument --seed: must be a whole number from 0 to 4294967294, got -1"),
    (["train", "--hidden", "1000000000"], "hidden=1000000000 makes an MLP of 1,000,000,006,000,000,002 "
                                          "parameters, which needs about"),
    (["train", "--engine", "scalar", "--hidden", "1000000000"], "--hidden 1000000000: a Value MLP of"),
    (["train", "--save", "missing/dir/m.npz"], "--save: cannot write 'missing/dir/m.npz': the folder "
                                               "'missing/dir' does not exist"),
    (["train", "--save", "m.txt"], "a checkpoint cannot be written as 'm.txt': give a name ending in .npz"),
    (["graph", "x*2", "--x", "1", "-o", "missing/dir/g.svg"], "the folder 'missing/dir' does not exist"),
    (["graph", "x*2", "--x", "1", "-o", "."], "'.' is a folder; give a file name"),
    (["graph", "x*2", "--x", "1", "-o", "g.pdf"], "a graph cannot be written as 'g.pdf': give a name ending in "
                                                  ".svg, .png"),
    (["explore", "x*2", "--x", "1", "-o", "missing/dir/p.html"], "the folder 'missing/dir' does not exist"),
    (["explore", "x*2", "--x", "1", "-o", "."], "'.' is a folder; give a file name"),
    (["explore", "x*2", "--x", "1", "-o", "out.svg"], "the explorer (an HTML page) cannot be written as "
                                                      "'out.svg': give a name ending in .html"),
    (["bench", "--only", "NOPE"], "glassgrad bench: error: --only: unknown workload NOPE; choose from S1,"),
    (["bench", "--threads", "0"], "glassgrad bench: error: argument --threads: must be at least 1, got 0"),
]


@pytest.mark.parametrize(("args", "expected"), MISTAKES, ids=[" ".join(a) for a, _ in MISTAKES])
def test_a_mistake_is_one_line_status_2_and_nothing_written(tmp_path, args, expected):
    (tmp_path / "keep.txt").write_text("the user's own file")
    before = _files(tmp_path)
    line = _one_line_error(_cli(*args, cwd=tmp_path), EXIT_USAGE)
    assert line.startswith("glassgrad") and expected in line, line
    assert _files(tmp_path) == before


@pytest.mark.parametrize(("name", "magic"), [("g.svg", b"<?xml"), ("g.png", b"\x89PNG\r\n\x1a\n"),
                                             ("g.jpg", b"\xff\xd8\xff"), ("g.dot", b"digraph")])
def test_graph_writes_the_format_its_file_name_names(tmp_path, name, magic):
    done = _cli("graph", "tanh(x*w)", "--x", "2", "--w", "-3", "-o", name, cwd=tmp_path)
    assert done.returncode == EXIT_OK and done.stderr == "", done.stderr
    assert (tmp_path / name).read_bytes().lstrip().startswith(magic)
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_an_expression_starting_with_a_minus_is_the_expression(tmp_path):
    done = _cli("graph", "-x", "--x=-2", cwd=tmp_path)
    assert done.returncode == EXIT_OK and "out = 2; wrote graph.svg" in done.stdout, done.stderr
    done = _cli("explore", "--w", "-3", "-x*w", "--x=-2", "-o", "p.html", cwd=tmp_path)
    assert done.returncode == EXIT_OK and done.stdout.startswith("out = -6;"), done.stderr
    assert "<svg" in (tmp_path / "p.html").read_text()


def _checkpoint(tmp_path: Path, name: str, config: dict, poison: bool = False) -> Path:
    from nn.training import TrainConfig, build_model

    state = build_model(TrainConfig(), 2, 2).state_dict()
    if poison:
        first = next(iter(state))
        state[first][0, 0] = np.nan
    path = tmp_path / name
    nn.save(state, path, metadata={"config": config}, allow_nonfinite=poison)
    return path


def test_evaluate_names_the_file_and_the_fix_for_a_tampered_config(tmp_path):
    from nn.training import TrainConfig

    path = _checkpoint(tmp_path, "edited.npz", {**asdict(TrainConfig()), "bogus": 1})
    line = _one_line_error(_cli("evaluate", "edited.npz", cwd=tmp_path), EXIT_USAGE)
    assert "edited.npz: its training config" in line and "unknown field 'bogus'" in line
    assert "train again with glassgrad train --save edited.npz" in line
    _checkpoint(tmp_path, "typed.npz", {**asdict(TrainConfig()), "hidden": "lots"})
    line = _one_line_error(_cli("evaluate", "typed.npz", cwd=tmp_path), EXIT_USAGE)
    assert "typed.npz" in line and "hidden must be a whole number from 1 up, got 'lots'" in line
    assert path.exists()


def test_evaluate_warns_about_a_checkpoint_holding_nan(tmp_path):
    from nn.training import TrainConfig

    _checkpoint(tmp_path, "nan.npz", asdict(TrainConfig()), poison=True)
    done = _cli("evaluate", "nan.npz", cwd=tmp_path)
    assert done.returncode == EXIT_OK and "test accuracy" in done.stdout
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("glassgrad: warning: nan.npz holds NaN or inf in 0.weight")


def test_a_diverged_run_names_the_step_and_the_op_and_saves_nothing(tmp_path):
    before = _checkpoint(tmp_path, "nan.npz", {}).read_bytes()  # a previous run's file: must stay
    line = _one_line_error(_cli("train", "--lr", "1e30", "--save", "nan.npz", cwd=tmp_path), EXIT_FAILED)
    found = re.fullmatch(r"glassgrad: error: training diverged: the loss became (nan|inf) at step \d+ "
                         r"\(epoch \d+\); detect_anomaly: (.+); try a smaller --lr; nothing saved", line)
    assert found, line
    # lr 1e30: after one step the weights are ~1e30, and the next Linear's products overflow
    assert "Linear" in found[2] and re.search(r"\b(nan|inf)\b", found[2]), found[2]
    assert (tmp_path / "nan.npz").read_bytes() == before and sorted(_files(tmp_path)) == ["nan.npz"]


def test_the_diverged_step_is_the_first_whose_loss_is_not_finite():
    from nn.training import TrainConfig, TrainingDiverged, train

    cfg = TrainConfig(lr=1e30, epochs=3)
    with pytest.raises(TrainingDiverged) as info:
        train(cfg, progress="off")
    error = info.value
    assert not np.isfinite(error.loss) and error.anomaly.startswith("detect_anomaly: ")
    losses = _replay_losses(cfg, error.step)  # the same run, step by step, written out here
    assert np.all(np.isfinite(losses[:-1])) and not np.isfinite(losses[-1])


def _replay_losses(cfg, steps: int) -> list[float]:
    from nn import functional as F
    from nn.data import DataLoader
    from nn.training import build_model, load_dataset

    X, _, y, _, classes = load_dataset(cfg.dataset, cfg.seed)
    model = build_model(cfg, X.shape[1], classes)
    opt = nn.optim.Adam(model.parameters(), lr=cfg.lr)
    schedule = nn.optim.CosineAnnealingLR(opt, T_max=cfg.epochs)
    loader = DataLoader(X, y, batch_size=cfg.batch_size, shuffle=True, seed=cfg.seed)
    losses: list[float] = []
    with np.errstate(all="ignore"):
        for _ in range(cfg.epochs):
            for xb, yb in loader:
                loss = F.cross_entropy(model(xb), yb)
                losses.append(loss.item())
                if len(losses) == steps:
                    return losses
                opt.zero_grad()
                loss.backward()
                opt.step()
            schedule.step()
    return losses


def test_a_diverged_scalar_run_is_one_line_status_1(tmp_path):
    line = _one_line_error(_cli("train", "--engine", "scalar", "--lr", "1e30", cwd=tmp_path), EXIT_FAILED)
    assert re.fullmatch(r"glassgrad: error: training diverged: the loss became (nan|inf) at step \d+ "
                        r"\(epoch \d+\); the scalar engine cannot name the op; try a smaller --lr; nothing saved",
                        line), line


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal to press Ctrl-C in")
def test_ctrl_c_during_train_is_one_line_status_130_and_keeps_the_checkpoint(tmp_path):
    import fcntl
    import select
    import struct
    import termios

    old = _checkpoint(tmp_path, "model.npz", {}).read_bytes()
    main_end, tty_end = os.openpty()  # stdout is a terminal, as when a user presses Ctrl-C: a live bar
    fcntl.ioctl(tty_end, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # tqdm hides on a 0x0 one
    proc = subprocess.Popen([sys.executable, "-m", "nn.cli", "train", "--dataset", "spirals", "--epochs", "100000",
                             "--save", "model.npz"], stdout=tty_end, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path, env=_env())
    os.close(tty_end)
    seen, deadline = b"", time.monotonic() + 120
    while b"%|" not in seen and time.monotonic() < deadline:  # the bar is drawn: training has started
        if select.select([main_end], [], [], 1.0)[0]:
            seen += os.read(main_end, 4096)
    assert b"%|" in seen, seen
    proc.send_signal(signal.SIGINT)
    stderr = proc.communicate(timeout=120)[1]
    os.close(main_end)
    assert proc.returncode == EXIT_INTERRUPTED and stderr.splitlines() == ["glassgrad: interrupted"], stderr
    assert (tmp_path / "model.npz").read_bytes() == old and sorted(_files(tmp_path)) == ["model.npz"]


def test_the_help_describes_every_command_and_its_exit_statuses(tmp_path):
    text = _cli("--help", cwd=tmp_path).stdout
    description = text.split("positional arguments")[0]
    for command in ("train", "evaluate", "graph", "explore", "bench"):
        assert re.search(rf"\b{command}\b", description), command
    for status in (EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED):
        assert re.search(rf"^  {status} +\S", text.split("exit status:")[1], re.M), status
    graph = _cli("graph", "--help", cwd=tmp_path).stdout
    assert re.search(r"--rankdir \{LR,TB\}\s+the graph's direction: LR left to right", graph)
    bench = _cli("bench", "--help", cwd=tmp_path)
    assert bench.returncode == 0 and bench.stdout.startswith("usage: glassgrad bench")
    assert "``" not in bench.stdout and "python -m benchmarks" not in bench.stdout


def test_docs_list_every_exit_status():
    from nn import cli

    page = (ROOT / "docs" / "cli.md").read_text()
    table = dict(re.findall(r"^\| `(\d+)` \| (.+?) \|$", page, re.M))
    statuses = {getattr(cli, name) for name in cli.__all__ if name.startswith("EXIT_")}
    assert {int(s) for s in table} == statuses
