"""A ported program differs from its original in import lines only: every
program whose original is kept in ``tests/programs/originals/`` is compared
with it line by line, after the port's leading comment (its source, license
and what the test does around it). A program of several files that import
each other by name (nanoGPT's train.py and model.py) is a folder there and
here; a file of it that imports no torch (nanoGPT's configurator.py) is kept
verbatim."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

PROGRAMS = Path(__file__).parent
# (a program that imports its own modules by name keeps them in a folder, mirrored in originals/)
ORIGINALS = sorted((PROGRAMS / "originals").rglob("*.py"))
IMPORT = re.compile(r"^\s*(import \S|from \S+ import )")


def _without_header(text: str) -> list[str]:
    """The program's lines after its leading comment block (the port's provenance note)."""
    lines = text.splitlines()
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return lines


def _imports_torch(lines: list[str]) -> bool:
    return any(IMPORT.match(line) and "torch" in line for line in lines)


@pytest.mark.parametrize("original", ORIGINALS, ids=[p.relative_to(PROGRAMS / "originals").as_posix() for p in ORIGINALS])
def test_the_port_changes_only_import_lines(original):
    name = original.relative_to(PROGRAMS / "originals")
    port = PROGRAMS / name
    assert port.exists(), f"{name} has no port in tests/programs/"
    changed = [line for line in difflib.ndiff(_without_header(original.read_text()), _without_header(port.read_text()))
               if line[:2] in ("- ", "+ ")]
    assert changed or not _imports_torch(_without_header(original.read_text())), \
        "the port must change its import lines"
    assert all(IMPORT.match(line[2:]) for line in changed), "\n".join(
        line for line in changed if not IMPORT.match(line[2:]))
