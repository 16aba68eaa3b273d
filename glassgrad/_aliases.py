"""torch's module tree under ``glassgrad``, made of glassgrad's own modules.

``import glassgrad.nn.functional as F`` must give the very module object
``nn.functional`` (one ``Tensor`` class, one ``Linear``, never a second copy of
a module), and so for every spelling a PyTorch program uses. A small
meta-path finder does it, rather than thin re-exporting modules, because:

- a thin ``glassgrad/nn/__init__.py`` would give ``glassgrad.nn`` a module
  object of its own, and ``glassgrad.nn.layers`` (any name it forgot to
  list) would be found on disk and executed a second time: a second ``Module``
  class, with ``isinstance`` failing across the two;
- the finder maps *every* ``glassgrad.nn.<name>`` to ``nn.<name>`` and every
  ``glassgrad.autograd.<name>`` to ``autograd.<name>``, so no spelling can
  load a copy, and the import system hands back the real module object.

torch's names that glassgrad spells differently are the table ``ALIASES``
(``glassgrad.optim`` is ``nn.optim``, ``glassgrad.utils.data`` is ``nn.data``,
...). Those are registered eagerly at ``import glassgrad``, because some of
their parents are plain modules (``nn.optim``), which the import system will
not search for submodules, and are set as attributes of their parents (so
``glassgrad.optim.lr_scheduler.StepLR`` works without importing it first, as
in torch); that adds ``lr_scheduler`` to ``nn.optim`` and ``parallel`` to ``nn``.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any

__all__ = ["ALIASES", "PREFIXES", "install", "real_name"]

#: torch's module names (under ``glassgrad``) whose module has another name in glassgrad
ALIASES = {
    "glassgrad.nn": "nn",
    "glassgrad.autograd": "autograd",
    "glassgrad.optim": "nn.optim",
    "glassgrad.optim.lr_scheduler": "nn.optim.lr_scheduler",
    "glassgrad.nn.parallel": "glassgrad._parallel",
    "glassgrad.utils.data": "nn.data",
    "glassgrad.utils.data.dataset": "nn.dataset",
    "glassgrad.utils.data.sampler": "nn.sampler",
    "glassgrad.utils.data.dataloader": "nn.dataloader",
    "glassgrad.cuda.amp": "glassgrad.amp",
}

#: every module below these is the real package's module of the same name
PREFIXES = {"glassgrad.nn.": "nn.", "glassgrad.autograd.": "autograd."}

_MARK = "_glassgrad_alias_finder"


def real_name(fullname: str) -> str | None:
    """The real module behind a torch-style name under ``glassgrad``, or None."""
    if fullname in ALIASES:
        return ALIASES[fullname]
    for prefix, real in PREFIXES.items():
        if fullname.startswith(prefix):
            return real + fullname[len(prefix):]
    return None


class _AliasLoader(importlib.abc.Loader):
    """Hands the import system an already-imported module instead of a new one."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module
        self.real_spec = getattr(module, "__spec__", None)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return self.module

    def exec_module(self, module: ModuleType) -> None:
        # the import system stamped the alias's spec on the module: it keeps its own
        module.__spec__ = self.real_spec


class _AliasFinder(importlib.abc.MetaPathFinder):
    """``find_spec`` for the torch-style names: the real module, imported once."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        real = real_name(fullname)
        if real is None:
            return None
        try:
            module = importlib.import_module(real)
        except ModuleNotFoundError as e:
            if e.name == real:
                return None  # no such module: the usual "No module named 'glassgrad.nn.x'"
            raise
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module))


def _register(alias: str, real: str) -> None:
    module = importlib.import_module(real)
    sys.modules[alias] = module
    parent_name, _, child = alias.rpartition(".")
    parent = importlib.import_module(parent_name)
    if getattr(parent, child, None) is not module:
        setattr(parent, child, module)


def install() -> None:
    """Put the finder first on ``sys.meta_path`` (once) and register ``ALIASES``."""
    if not any(getattr(f, _MARK, False) for f in sys.meta_path):
        finder = _AliasFinder()
        setattr(finder, _MARK, True)
        sys.meta_path.insert(0, finder)
    for alias in sorted(ALIASES, key=lambda a: a.count(".")):  # parents first
        _register(alias, ALIASES[alias])
