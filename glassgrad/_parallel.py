"""``torch.nn.parallel`` (``glassgrad.nn.parallel``): ``DataParallel`` runs the
module as it is, as PyTorch's does without GPUs (its state dict's keys start
with ``module.``, as there); ``DistributedDataParallel`` raises, saying to
train the ``nn.to_torch(model)`` conversion with PyTorch's own."""

from __future__ import annotations

from typing import Any

from glassgrad.distributed import WAY_OUT
from nn.module import Module

__all__ = ["DataParallel", "DistributedDataParallel"]


class DataParallel(Module):
    """``DataParallel(module)``: with no GPUs, calls ``module`` (held as ``.module``)."""

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None, dim: int = 0) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list = []
        self.dim = dim

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


class DistributedDataParallel(Module):
    """Raises: glassgrad has no process groups (see ``glassgrad.distributed``)."""

    def __init__(self, module: Any = None, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"glassgrad.nn.parallel.DistributedDataParallel: {WAY_OUT}")
