"""Every code block in the README and docs/ runs: the ```python blocks of each
file top to bottom in one namespace (as a reader pasting them in order would),
the ```bash blocks line by line in a fresh directory (a pytest command is
collected, not run: the suite cannot run itself). The quick start's block is
what CI runs (.ci/run), and docs/performance.md's tables are what
benchmarks/results.json gives."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BIN = Path(sys.executable).parent


def blocks(path: Path, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def test_every_document_is_checked_and_links_resolve():
    names = {p.name for p in DOCS}
    assert {"README.md", "design.md", "performance.md", "testing.md", "extending.md", "cli.md"} <= names
    for path in DOCS:
        for target in re.findall(r"\]\(([^)#]+?)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            if "://" not in target:
                assert (path.parent / target).exists(), f"{path.name}: broken link {target}"


@pytest.mark.parametrize("path", [p for p in DOCS if blocks(p, "python")], ids=lambda p: p.name)
def test_python_blocks_run_in_order(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # files the examples write land here
    namespace: dict = {"__name__": "__docs__"}
    for index, block in enumerate(blocks(path, "python")):
        exec(compile(block, f"{path.name} block {index}", "exec"), namespace)


BASH = [(p, block) for p in DOCS if p.name not in ("README.md", "performance.md") for block in blocks(p, "bash")]


@pytest.mark.slow
@pytest.mark.parametrize("path,block", BASH, ids=[f"{p.name}: {b.split()[1]}" for p, b in BASH])
def test_bash_blocks_run(path, block, tmp_path):
    """Each block's lines in order, in one fresh directory (a later line may
    read what an earlier one wrote), each of which must succeed."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    for line in filter(str.strip, block.splitlines()):
        command = re.sub(r"\s+#.*$", "", line)
        in_checkout = command.startswith(("glassgrad bench", ".venv/bin/python -m pytest"))  # from a source checkout
        if "-m pytest" in command:
            command = command.replace(".venv/bin/python", sys.executable) + " --collect-only -q"
        done = subprocess.run(command, shell=True, cwd=ROOT if in_checkout else tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"{line}\n{done.stderr[-2000:]}"


def test_the_quick_start_is_what_ci_runs():
    (quick_start, *_) = blocks(ROOT / "README.md", "bash")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    for line in quick_start.splitlines():
        assert line in ci, f".ci/run does not run the README's {line!r}"


def test_performance_tables_are_generated_from_results_json(tmp_path):
    from benchmarks.report import fill, main

    doc = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    results = json.loads((ROOT / "benchmarks" / "results.json").read_text())
    assert fill(doc, results) == doc, "docs/performance.md differs from results.json: run " \
        "python -m benchmarks.report --write docs/performance.md"
    copy = tmp_path / "performance.md"  # the command itself, on a copy
    copy.write_text(doc, encoding="utf-8")
    assert main(["--write", str(copy)]) == 0 and copy.read_text(encoding="utf-8") == doc
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 170
