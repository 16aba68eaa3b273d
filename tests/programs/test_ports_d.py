"""Karpathy's makemore lectures 3 (BatchNorm) and 4 (backprop by hand), ported
to glassgrad with only their import lines changed (tests/programs/makemore_part3_bn.py,
makemore_part4_backprop.py). Each runs on glassgrad's shipped names.txt, with
matplotlib's Agg backend, its 200,000-step loops shortened by a ``range`` put
into the program's globals (the same for both engines: a range of at least
``LONG`` steps keeps its first ``STEPS``), and both engines given the same
random draws (test_programs.py's seeded randn and randint). Its printed numbers
and the data it plots (loss curve, activation and gradient histograms from
torch.histogram, update-to-data ratios, dlogits as an image) are compared with
the original program's, run live under PyTorch when it is installed, else with
those recorded from that run
(``recorded_ports_d.json``; ``python -m tests.programs.test_ports_d --record``
writes it). The names sampled with torch.multinomial are left out: the two
engines' generators give different streams.

Lecture 4 checks each hand-derived gradient with ``cmp`` (exact equality,
allclose and the shape against autograd's ``.grad``): every cmp line must say
what PyTorch's says (bit-exact wherever PyTorch is).
"""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import re
import shutil
import sys
import tempfile
import types
from pathlib import Path

import numpy as np
import pytest

from tests.programs.test_programs import HAS_TORCH, _fixed_randint, _fixed_randn, _names_file, _numbers, _original

PROGRAMS = Path(__file__).parent
pytestmark = pytest.mark.slow  # whole lectures, run twice (glassgrad, PyTorch): up to ~15 s each

RECORDED_PATH = PROGRAMS / "recorded_ports_d.json"
NAMES = ["makemore_part3_bn", "makemore_part4_backprop"]
LONG = 10_000  # a loop this long is one of the lectures' training loops
STEPS = 120  # ... and keeps this many steps
CMP_LINE = re.compile(r"^(\w+)\s+\| exact: (\w+)\s*\| approximate: (\w+)\s*\| maxdiff: \S+ \| shape is correct: (\w+)$",
                      re.MULTILINE)


def _short_range(*args: int) -> range:
    """range(), except that a training loop of LONG steps or more keeps its first STEPS."""
    steps = builtins.range(*args)
    return steps[:STEPS] if len(steps) >= LONG else steps


def _ipywidgets_stand_in() -> types.ModuleType:
    """ipywidgets, for a program run outside a notebook: ``interact(f, x0=(lo, hi, step))``
    calls ``f`` once with each slider at its first value (the middle of its range),
    as ipywidgets' interact does when it builds the widget."""
    module = types.ModuleType("ipywidgets")

    def interact(function, **sliders):
        values = {name: (s[0] + s[1]) / 2 if isinstance(s, tuple) else s for name, s in sliders.items()}
        function(**values)
        return function

    module.interact = module.interactive = module.interact_manual = interact
    module.fixed = lambda value: value
    return module


def _plotted(plt) -> list[list]:
    """The data of every line, image and scatter on the open figures, in drawing order."""
    arrays = []
    for number in plt.get_fignums():
        for ax in plt.figure(number).axes:
            arrays += [line.get_xydata() for line in ax.get_lines()]
            arrays += [image.get_array() for image in ax.get_images()]
            arrays += [points.get_offsets() for points in ax.collections]
    return [np.asarray(a, dtype=float).round(6).tolist() for a in arrays]


def _run(source: str, engine: str, monkeypatch: pytest.MonkeyPatch, workdir: Path) -> dict:
    """Run a program's source in ``workdir`` (next to the names file): the numbers it
    printed, its cmp() verdicts and the data it plotted."""
    pytest.importorskip("matplotlib", reason="the lectures draw their statistics with matplotlib")
    pytest.importorskip("scipy", reason="lecture 3's BatchNorm widget draws normal densities with scipy.stats")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    module = __import__("torch" if engine == "torch" else "glassgrad")
    monkeypatch.setattr(module, "randn", _fixed_randn(module))
    monkeypatch.setattr(module, "randint", _fixed_randint(module))
    monkeypatch.setitem(sys.modules, "ipywidgets", _ipywidgets_stand_in())
    shutil.copy(_names_file(), workdir / "names.txt")
    monkeypatch.chdir(workdir)
    out = io.StringIO()
    plt.close("all")
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(source, "<program>", "exec"), {"__name__": "__main__", "range": _short_range})
        plots = _plotted(plt)
    finally:
        plt.close("all")
    text = out.getvalue()
    names = re.findall(r"^[a-z]*\.$", text, re.MULTILINE)  # sampled with torch.multinomial: never compared
    return {"numbers": _numbers(text), "cmp": [list(c) for c in CMP_LINE.findall(text)], "plots": plots,
            "names": names}


def _assert_cmp_says_what_pytorch_says(ours: list, theirs: list) -> None:
    """The same checks in the same order, each as good as PyTorch's: exact where
    PyTorch's is exact (glassgrad may also be exact where PyTorch rounds
    differently from the hand-written formula), allclose and the shape verdict alike."""
    assert [c[0] for c in ours] == [c[0] for c in theirs]
    for (name, exact, approx, shape), (_, their_exact, their_approx, their_shape) in zip(ours, theirs):
        assert (approx, shape) == (their_approx, their_shape), name
        assert exact == "True" or their_exact == "False", f"{name}: exact under PyTorch, not under glassgrad"


def _source(name: str) -> str:
    return (PROGRAMS / f"{name}.py").read_text()


def _torch_run(name: str, monkeypatch: pytest.MonkeyPatch, workdir: Path) -> dict:
    return _run(_original(_source(name)), "torch", monkeypatch, workdir)


@pytest.mark.parametrize("name", NAMES)
def test_lecture_prints_and_plots_the_original_programs_numbers(name, monkeypatch, tmp_path):
    ours = _run(_source(name), "glassgrad", monkeypatch, tmp_path)
    if HAS_TORCH:
        theirs = _torch_run(name, monkeypatch, tmp_path)
    else:
        theirs = json.loads(RECORDED_PATH.read_text())[name]
    _assert_cmp_says_what_pytorch_says(ours["cmp"], theirs["cmp"])
    assert len(ours["numbers"]) == len(theirs["numbers"]) > 0
    np.testing.assert_allclose(ours["numbers"], theirs["numbers"], rtol=2e-3, atol=2e-4)
    assert len(ours["plots"]) == len(theirs["plots"]) > 0  # the loss curve, histograms, update ratios, dlogits
    for plotted, their_plotted in zip(ours["plots"], theirs["plots"]):
        np.testing.assert_allclose(plotted, their_plotted, rtol=2e-3, atol=2e-4)


def test_every_hand_derived_gradient_agrees_with_autograd(monkeypatch, tmp_path):
    """Lecture 4's 28 cmp() checks all find the hand-derived gradient allclose to
    autograd's .grad (the bit-for-bit ones are checked against PyTorch above)."""
    results = _run(_source("makemore_part4_backprop"), "glassgrad", monkeypatch, tmp_path)["cmp"]
    assert len(results) == 28
    assert all(approx == "True" for _, _, approx, _ in results), results


@pytest.mark.parametrize("name", NAMES)
def test_lecture_samples_the_same_names_from_its_seeded_generator(name, monkeypatch, tmp_path):
    """``torch.Generator().manual_seed(2147483647 + 10)`` makes the 20 sampled
    names the same on every run (PyTorch's stream differs, so they are not PyTorch's)."""
    runs = [_run(_source(name), "glassgrad", monkeypatch, tmp_path)["names"] for _ in range(2)]
    assert runs[0] == runs[1] and len(runs[0]) == 20
    assert len(set(runs[0])) > 10  # names, not one string repeated


def _record() -> None:
    """Write recorded_ports_d.json from the original programs run under PyTorch."""
    recorded = {}
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in NAMES:
            workdir = Path(tempfile.mkdtemp(prefix=f"{name}_"))
            run = _torch_run(name, monkeypatch, workdir)
            del run["names"]
            run["plots"] = json.loads(re.sub(r"-?\d+\.\d+(?:e[-+]?\d+)?", lambda m: f"{float(m[0]):.5g}",
                                             json.dumps(run["plots"])))  # 5 digits: plenty for rtol 2e-3
            recorded[name] = run
    RECORDED_PATH.write_text(json.dumps(recorded, separators=(",", ":")) + "\n")


if __name__ == "__main__" and "--record" in sys.argv:
    _record()
