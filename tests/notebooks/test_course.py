"""The course's rules, for every notebook (docs/course.md): prose that teaches
(at least 600 words of Markdown, 16,000 over the course), at least one
picture in its stored outputs, and an exercise whose check lives in
``notebooks/course_checks`` and whose reference solution the suite runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")

NOTEBOOKS_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
PICTURES = ("image/png", "image/svg+xml", "text/html")


def _number(path: Path) -> str:
    return path.name[:2]


def _words(path: Path) -> int:
    cells = nbformat.read(path, as_version=4).cells
    return sum(len(re.findall(r"[\w\u4e00-\u9fff]+", c.source)) for c in cells if c.cell_type == "markdown")


def test_the_course_has_sixteen_notebooks_or_more_and_sixteen_thousand_words():
    assert len(NOTEBOOKS) >= 16
    assert sum(_words(p) for p in NOTEBOOKS) >= 16_000


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_each_notebook_teaches_in_prose_draws_and_has_a_checked_exercise(path):
    assert _words(path) >= 600, f"{path.name}: {_words(path)} words of prose"
    cells = nbformat.read(path, as_version=4).cells
    outputs = [o for c in cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any(kind in o.get("data", {}) for o in outputs for kind in PICTURES), f"{path.name} draws nothing"
    number = _number(path)
    assert (NOTEBOOKS_DIR / "course_checks" / f"nb{number}.py").exists()
    assert (NOTEBOOKS_DIR / "solutions" / f"nb{number}.py").exists()
    assert f"course_checks.nb{number}" in path.read_text(), f"{path.name} does not run its exercise's check"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_reference_solutions_pass_their_checks(path):
    """Each solutions file runs its notebook's checks on the reference answers
    (and on wrong ones, which the checks must reject); it exits 0 when all hold."""
    script = NOTEBOOKS_DIR / "solutions" / f"nb{_number(path)}.py"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(NOTEBOOKS_DIR), str(NOTEBOOKS_DIR.parent),
                                                        os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(script)], cwd=NOTEBOOKS_DIR, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
