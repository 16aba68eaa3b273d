"""The training progress bar: live on a terminal; rendered once in a notebook,
a pipe or a file, where every redraw would be kept as one more line."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

from nn.training import EpochProgress, TrainConfig, train

ROOT = Path(__file__).resolve().parents[2]
FINAL = re.compile(r"^train mlp on moons: 100%\|\S+\| 3/3 \[[^]]*, loss=\d\.\d{4}, acc=\d\.\d{3}\]$")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_in_a_pipe_the_bar_is_rendered_once_when_the_run_ends(capsys):
    train(TrainConfig(epochs=3))  # pytest's captured stdout is not a terminal, as a pipe or a notebook
    out = capsys.readouterr().out
    assert "\r" not in out and len(out.splitlines()) == 1, repr(out)
    assert FINAL.match(out.strip()), out


def test_on_a_terminal_the_bar_is_live(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    train(TrainConfig(epochs=3))
    renders = [r for r in terminal.getvalue().split("\r") if r.strip()]
    assert len(renders) >= 4 and renders[0].startswith("train mlp on moons:   0%")  # one per epoch, and the start
    assert FINAL.match(renders[-1].strip()), renders


@pytest.mark.parametrize("mode", ["off", "quiet"])
def test_off_and_quiet_print_nothing(capsys, mode):
    train(TrainConfig(epochs=2), **({"quiet": True} if mode == "quiet" else {"progress": "off"}))
    assert capsys.readouterr().out == ""


def test_a_run_that_stops_early_prints_no_bar_once(capsys):
    with pytest.raises(KeyboardInterrupt), EpochProgress(5, "train", "once") as bar:
        bar.update(loss="1.0")
        raise KeyboardInterrupt
    assert capsys.readouterr().out == ""


def test_an_unknown_progress_mode_is_refused():
    with pytest.raises(ValueError, match="EpochProgress: progress must be one of auto, live, once, off, got 'bar'"):
        EpochProgress(3, "train", "bar")


@pytest.mark.slow
def test_in_a_notebook_the_bar_is_one_line():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("from nn.training import TrainConfig, train\n"
                                          "result = train(TrainConfig(epochs=3))")]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = nb.cells[0].outputs
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert [o.output_type for o in outputs] == ["stream"] and "\r" not in text, outputs
    assert FINAL.match(text.strip()), text
