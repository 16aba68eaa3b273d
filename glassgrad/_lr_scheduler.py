"""``torch.optim.lr_scheduler`` (``glassgrad.optim.lr_scheduler``): the
learning-rate schedulers of ``nn.optim``, the same classes. Any scheduler
``nn.optim`` defines is found here by name, so this file lists none."""

from __future__ import annotations

import inspect
from typing import Any

from nn import optim as _optim

#: ``nn.optim``'s scheduler base class (PyTorch's ``LRScheduler``)
LRScheduler = _optim._Scheduler
_LRScheduler = LRScheduler


def _schedulers() -> dict[str, type]:
    return {name: obj for name, obj in vars(_optim).items()
            if inspect.isclass(obj) and issubclass(obj, LRScheduler) and not name.startswith("_")}


def __getattr__(name: str) -> Any:
    found = _schedulers().get(name)
    if found is None:
        raise AttributeError(f"glassgrad.optim.lr_scheduler has no {name!r}; it has "
                             f"{sorted(_schedulers())}")
    return found


def __dir__() -> list[str]:
    return sorted({*_schedulers(), "LRScheduler"})
