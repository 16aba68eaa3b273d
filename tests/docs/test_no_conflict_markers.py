"""No file in the repository holds a merge's conflict markers (one once
landed in a README unnoticed, as Markdown shows them as text)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKER = re.compile(rb"^(<{7} |>{7} |={7}$)", re.M)


def test_no_tracked_file_holds_conflict_markers():
    try:
        files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    marked = [f.decode() for f in files if (ROOT / f.decode()).is_file()
              and MARKER.search((ROOT / f.decode()).read_bytes())]
    assert not marked, f"conflict markers in {marked}"
