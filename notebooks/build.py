"""Build the course notebooks from the cell lists in ``notebooks/content_*.py``
(each module has ``NOTEBOOKS = {name: [("md" | "code", source), ...]}``)
and execute them, so each ``.ipynb`` is stored with its outputs (pictures
included) for readers on a code host.

    python notebooks/build.py            # write and execute all notebooks
    python notebooks/build.py 03         # only the ones whose name contains "03"

The test suite executes the stored notebooks afresh (tests/test_notebooks.py).
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def notebooks() -> dict[str, list[tuple[str, str]]]:
    """name -> cells, each ("md" | "code", source)."""
    sys.path.insert(0, str(HERE))
    found: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(HERE.glob("content_*.py")):
        module = importlib.import_module(path.stem)
        found.update(module.NOTEBOOKS)
    return dict(sorted(found.items()))


def build(name: str, cells: list[tuple[str, str]], execute: bool = True) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source in cells:
        source = source.strip("\n")
        nb.cells.append(nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source))
    if execute:
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
    path = HERE / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def main(argv: list[str]) -> int:
    wanted = argv[1:]
    for name, cells in notebooks().items():
        if wanted and not any(w in name for w in wanted):
            continue
        start = time.perf_counter()
        path = build(name, cells)
        print(f"{path.name}: {len(cells)} cells, executed in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
