"""A learner's own nn.py or autograd.py (or PyPI's HIPS autograd) next to the
program: ``import glassgrad`` says in one line which file shadows which
package and what to do, instead of a cryptic ImportError."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _import_glassgrad_in(folder: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": f"{folder}{os.pathsep}{ROOT}"}  # the learner's folder comes first
    return subprocess.run([sys.executable, "-c", "import glassgrad"], capture_output=True, text=True, env=env,
                          cwd=folder, timeout=120)


@pytest.mark.parametrize("package", ["nn", "autograd"])
def test_a_learners_file_is_named_with_what_to_do(tmp_path, package):
    own = tmp_path / f"{package}.py"
    own.write_text("class Module:\n    pass\n")
    done = _import_glassgrad_in(tmp_path)
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert last == (f"ImportError: glassgrad: the file {own} shadows glassgrad's package '{package}'; rename your "
                    f"file (e.g. to my_{package}.py), delete the __pycache__ folder beside it, and run again")


def test_pypi_autograd_is_named_with_what_to_do(tmp_path):
    hips = tmp_path / "autograd"
    hips.mkdir()
    for name in ("__init__.py", "tracer.py", "core.py"):  # HIPS autograd's layout
        (hips / name).write_text("")
    done = _import_glassgrad_in(tmp_path)
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode != 0 and f"the PyPI package 'autograd' (HIPS autograd) at {hips}" in last
    assert "pip uninstall autograd" in last and "virtual environment" in last


def test_a_clean_folder_imports(tmp_path):
    (tmp_path / "my_nn.py").write_text("")
    done = _import_glassgrad_in(tmp_path)
    assert done.returncode == 0, done.stderr
