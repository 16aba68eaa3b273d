"""Containers of modules, as ``torch.nn`` has them: ``ModuleList`` and
``ModuleDict`` (``Sequential`` is in ``nn.layers``). Their modules are
children: their parameters, ``train()``/``eval()`` and state dicts follow."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from nn.module import Module

__all__ = ["ModuleList", "ModuleDict"]


def _module(m: Any, where: str) -> Module:
    if not isinstance(m, Module):
        raise TypeError(f"{where} is a {type(m).__name__}, not a Module")
    return m


class ModuleList(Module):
    """A list of modules, named "0", "1", ... (``forward`` is yours to write)."""

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        for m in modules or ():
            self.append(m)

    def append(self, module: Module) -> ModuleList:
        self._modules[str(len(self._modules))] = _module(module, f"ModuleList: item {len(self._modules)}")
        return self

    def extend(self, modules: Iterable[Module]) -> ModuleList:
        for m in modules:
            self.append(m)
        return self

    def __getitem__(self, i: int | slice) -> Any:
        items = list(self._modules.values())
        if isinstance(i, slice):
            return ModuleList(items[i])
        if not isinstance(i, int) or not -len(items) <= i < len(items):
            raise IndexError(f"ModuleList: index {i!r} is out of range for {len(items)} modules")
        return items[i]

    def __setitem__(self, i: int, module: Module) -> None:
        key = list(self._modules)[i]
        self._modules[key] = _module(module, f"ModuleList: item {i}")

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class ModuleDict(Module):
    """A dict of modules by name, in insertion order; ``md.name`` reads one, as ``md["name"]``."""

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        super().__init__()
        items = modules.items() if isinstance(modules, Mapping) else (modules or ())
        for name, m in items:
            self[name] = m

    def __getitem__(self, name: str) -> Module:
        try:
            return self._modules[name]
        except KeyError:
            raise KeyError(f"ModuleDict: no module named {name!r}; it has {list(self._modules)}") from None

    def __setitem__(self, name: str, module: Module) -> None:
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"ModuleDict: a module's name must be a non-empty string without '.', got {name!r}")
        self._modules[name] = _module(module, f"ModuleDict: item {name!r}")

    def __contains__(self, name: object) -> bool:
        return name in self._modules

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def keys(self) -> Any:
        return self._modules.keys()

    def values(self) -> Any:
        return self._modules.values()

    def items(self) -> Any:
        return self._modules.items()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add (or replace) modules from a mapping or ``(name, module)`` pairs."""
        for name, m in (modules.items() if isinstance(modules, Mapping) else modules):
            self[name] = m

    def pop(self, name: str) -> Module:
        """Remove the module ``name`` and return it."""
        module = self[name]
        del self._modules[name]
        return module

    def clear(self) -> None:
        """Remove every module."""
        self._modules.clear()

    def __delitem__(self, name: str) -> None:
        self.pop(name)
