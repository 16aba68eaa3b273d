"""Refuse, in one line, to run on somebody else's ``nn`` or ``autograd``.

glassgrad's engine and layers are the top-level packages ``autograd`` and
``nn`` (the design card's names). A learner's own ``nn.py`` or
``autograd.py`` in the working folder, or the unrelated PyPI package
``autograd`` (HIPS autograd), is found first by ``import nn``, and
``import glassgrad`` used to fail far away from the cause
(``cannot import name 'optim' from 'nn'``). ``glassgrad/__init__.py`` imports
this module first; it looks where each name would be imported from, without
running that file, and names the file and what to do.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

__all__ = ["shadowing_problem", "check"]

#: a file that each of glassgrad's top-level packages has and a namesake does not
OWN_FILES = {"autograd": "tensor.py", "nn": "module.py"}


def _where(name: str) -> tuple[str | None, list[str] | None]:
    """(file, package folders) that ``import name`` would use, without importing it."""
    module = sys.modules.get(name)
    if module is not None:
        return getattr(module, "__file__", None), list(getattr(module, "__path__", None) or []) or None
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        return None, None
    folders = spec.submodule_search_locations
    return spec.origin, (list(folders) if folders is not None else None)


def shadowing_problem(name: str) -> str | None:
    """The one-line message if ``import name`` would not give glassgrad's package, else None."""
    origin, folders = _where(name)
    if folders and any((Path(d) / OWN_FILES[name]).is_file() for d in folders):
        return None
    if origin is None and not folders:
        return (f"glassgrad: its package {name!r} is missing from this environment; "
                "reinstall glassgrad (pip install --force-reinstall glassgrad)")
    if not folders:
        return (f"glassgrad: the file {origin} shadows glassgrad's package {name!r}; rename your file "
                f"(e.g. to my_{name}.py), delete the __pycache__ folder beside it, and run again")
    place = folders[0]
    if name == "autograd" and (Path(place) / "tracer.py").is_file():
        return (f"glassgrad: the PyPI package 'autograd' (HIPS autograd) at {place} shadows glassgrad's package "
                "'autograd'; install glassgrad in its own virtual environment (python -m venv), or run "
                "pip uninstall autograd, then pip install --force-reinstall glassgrad")
    return (f"glassgrad: the folder {place} shadows glassgrad's package {name!r}; rename that folder "
            "or run from another folder")


def check() -> None:
    """Raise ``ImportError`` naming the first package that is not glassgrad's."""
    for name in OWN_FILES:
        problem = shadowing_problem(name)
        if problem:
            raise ImportError(problem, name=name)


check()
