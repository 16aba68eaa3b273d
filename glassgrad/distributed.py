"""``torch.distributed``: glassgrad trains in one process. ``is_available()``
and ``is_initialized()`` answer False (so ``if dist.is_initialized():``
branches are skipped). The functions a training script imports at its top
(``from torch.distributed import init_process_group, destroy_process_group``,
as nanoGPT's train.py does, using them only under ``torchrun``) import, and
raise when called; anything else raises, saying what to do instead:
convert the model with ``nn.to_torch(model)`` and train it with PyTorch's
``torch.distributed`` and ``DistributedDataParallel`` (docs/pytorch.md,
"Outgrowing glassgrad")."""

from __future__ import annotations

from typing import Any

__all__ = ["is_available", "is_initialized", "WAY_OUT", "init_process_group", "destroy_process_group",
           "get_rank", "get_world_size", "barrier", "all_reduce"]

#: what to do instead, in every message
WAY_OUT = ("glassgrad trains in one process; for distributed training convert the model with "
           "nn.to_torch(model) and use PyTorch's torch.distributed and DistributedDataParallel "
           "(docs/pytorch.md, 'Outgrowing glassgrad')")


def is_available() -> bool:
    """False: glassgrad has no distributed backend."""
    return False


def is_initialized() -> bool:
    """False: no process group is ever started."""
    return False


def _refused(name: str) -> Any:
    """A function of torch.distributed that imports, and raises when called."""
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"glassgrad.distributed.{name}: {WAY_OUT}")
    refuse.__name__ = refuse.__qualname__ = name
    refuse.__doc__ = f"Raises: ``{name}`` needs a process group, and glassgrad runs in one process."
    return refuse


init_process_group = _refused("init_process_group")
destroy_process_group = _refused("destroy_process_group")
get_rank = _refused("get_rank")
get_world_size = _refused("get_world_size")
barrier = _refused("barrier")
all_reduce = _refused("all_reduce")


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"glassgrad.distributed.{name}: {WAY_OUT}")
