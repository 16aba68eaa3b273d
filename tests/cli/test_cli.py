"""The glassgrad command: train, evaluate, graph, explore and bench, and its errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

import nn
from nn.cli import main

pytestmark = pytest.mark.slow  # each command is a subprocess


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "nn.cli", *args], capture_output=True, text=True, timeout=300)


def test_cli_default_train_save_and_evaluate(tmp_path):
    ckpt = tmp_path / "moons.npz"
    out = _cli("train", "--save", str(ckpt))
    assert out.returncode == 0, out.stderr
    assert "test accuracy" in out.stdout and "100%" in out.stdout
    acc = float(out.stdout.split("test accuracy")[1].split()[0])
    assert acc >= 0.99
    ev = _cli("evaluate", str(ckpt))
    assert ev.returncode == 0 and f"test accuracy {acc:.3f}" in ev.stdout


def test_cli_bad_arguments_and_files(tmp_path):
    out = _cli("train", "--dataset", "mnist")
    assert out.returncode == 2 and "invalid choice: 'mnist'" in out.stderr and "Traceback" not in out.stderr
    out = _cli("train", "--model", "cnn")
    assert out.returncode == 2 and "works only with --dataset digits" in out.stderr
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    out = _cli("evaluate", str(junk))
    assert out.returncode == 2 and "junk.npz is not a glassgrad checkpoint" in out.stderr
    assert "Traceback" not in out.stderr


def test_cli_help_lists_train():
    out = subprocess.run([sys.executable, "-m", "nn.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "train" in out.stdout


def test_cli_bad_argument_is_an_argparse_error_not_a_traceback():
    out = subprocess.run([sys.executable, "-m", "nn.cli", "train", "--epochs", "zero"],
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert "expected a whole number" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.slow
def test_cli_train_end_to_end_scalar_engine():
    out = subprocess.run([sys.executable, "-m", "nn.cli", "train", "--engine", "scalar"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    last = out.stdout.strip().splitlines()[-1]
    accuracy = float(last.split("test accuracy")[1].split()[0])
    assert accuracy >= 0.97, last
    assert "100%" in out.stdout  # the progress bar ran to the end


def test_graph_command_writes_svg_and_refuses_bad_input(tmp_path):
    target = tmp_path / "g.svg"
    done = subprocess.run([sys.executable, "-m", "nn.cli", "graph", "tanh(x*w + b)", "--x", "2", "--w", "-3",
                           "--b", "6.88", "-o", str(target)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "<svg" in target.read_text() and "out = 0.706419" in done.stdout
    bad = subprocess.run([sys.executable, "-m", "nn.cli", "graph", "__import__('os')", "-o", str(target)],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown function" in bad.stderr and "Traceback" not in bad.stderr


def test_the_command_line_writes_a_page_and_documents_itself(tmp_path, capsys):
    from nn.cli import main

    out = tmp_path / "page.html"
    assert main(["explore", "tanh(x*w + b)", "--x", "2", "--w", "-3", "--b", "6.8813735870195432", "-o", str(out)]) == 0
    assert "out = 0.707107; 12 steps" in capsys.readouterr().out
    text = out.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text and '"phase": "backward"' in text
    assert main(["explore", "tanh(x*", "--x", "2"]) == 2
    with pytest.raises(SystemExit):
        main(["explore", "--help"])
    assert "step through the forward pass, then the backward pass" in " ".join(capsys.readouterr().out.split())


def test_max_nodes_bounds_the_picture_and_the_page(tmp_path, capsys):
    from nn.cli import main

    small, whole = tmp_path / "small.html", tmp_path / "whole.html"
    expression = "tanh(x*w + b) * x + x*x*w"
    assert main(["explore", expression, "--x", "2", "--w", "-3", "--b", "1", "--max-nodes", "3", "-o", str(small)]) == 0
    assert main(["explore", expression, "--x", "2", "--w", "-3", "--b", "1", "-o", str(whole)]) == 0
    assert "... more" in small.read_text() and "... more" not in whole.read_text()
    dot = tmp_path / "g.dot"
    assert main(["graph", expression, "--x", "2", "--w", "-3", "--b", "1", "--max-nodes=2", "-o", str(dot)]) == 0
    assert "... more" in dot.read_text()
    capsys.readouterr()
    with pytest.raises(SystemExit) as refused:
        main(["explore", "x*2", "--x", "1", "--max-nodes", "0"])
    assert refused.value.code == 2 and "argument --max-nodes: must be at least 1, got 0" in capsys.readouterr().err


def test_bench_outside_a_source_checkout_says_where_to_run_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(nn, "__file__", str(tmp_path / "site-packages" / "nn" / "__init__.py"))
    assert main(["bench", "--quick"]) == 2
    assert "run it from a source checkout: python -m benchmarks" in capsys.readouterr().err
