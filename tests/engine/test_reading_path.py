"""The engine a learner reads: the path of one backward pass stays short, and
the engine's modules stay small and free of import circles (docs/design.md,
"Reading path")."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import numpy as np

import autograd as ag

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "autograd"


def _calls_during(fn) -> list[tuple[str, str]]:
    """(file, function) of every call into the project's own code while ``fn`` runs."""
    seen: list[tuple[str, str]] = []

    def profile(frame, event, arg):
        if event == "call":
            path = Path(frame.f_code.co_filename)
            if ROOT in path.parents and ".venv" not in path.parts:
                seen.append((str(path.relative_to(ROOT)), frame.f_code.co_qualname))

    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return seen


def test_one_first_order_backward_of_tanh_sum_reads_in_few_functions_and_files():
    x = ag.tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3), requires_grad=True)
    loss = x.tanh().sum()
    calls = _calls_during(loss.backward)
    functions = sorted(set(calls))
    files = sorted({f for f, _ in functions})
    assert len(functions) <= 10, functions
    assert len(files) <= 5, files
    np.testing.assert_allclose(x.grad.numpy(), 1 - np.tanh(x.numpy()) ** 2)


def _imports(path: Path) -> set[str]:
    """The ``autograd`` modules a file imports, at the top or inside functions
    (not under ``if TYPE_CHECKING:``, which never runs: annotations only)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            node.body = []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("autograd"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("autograd"))
    return found


def _engine_modules() -> dict[str, Path]:
    modules = {}
    for path in ENGINE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def test_no_import_circles_among_the_engines_modules():
    modules = _engine_modules()
    edges = {}
    for name, path in modules.items():
        targets = set()
        for imported in _imports(path):
            while imported and imported not in modules:  # "autograd.graph.make_tensor" -> "autograd.graph"
                imported = imported.rpartition(".")[0]
            # a package's __init__ re-exports: importing a submodule runs its package, not the other way
            if imported and imported != name and not name.startswith(imported + "."):
                targets.add(imported)
        edges[name] = targets
    cycles = []
    for start in edges:  # a path from a module back to itself
        stack, seen = [(start, [start])], set()
        while stack:
            node, path = stack.pop()
            for nxt in edges[node]:
                if nxt == start:
                    cycles.append(path)
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, path + [nxt]))
    assert not cycles, cycles[:3]


def test_no_engine_file_over_500_lines_and_no_function_over_60():
    long_files, long_functions = [], []
    for path in ENGINE.rglob("*.py"):
        text = path.read_text()
        if text.count("\n") > 500:
            long_files.append(str(path.relative_to(ROOT)))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.end_lineno - node.lineno + 1 > 60:
                    long_functions.append(f"{path.relative_to(ROOT)}:{node.name}")
    assert not long_files and not long_functions, (long_files, long_functions)
