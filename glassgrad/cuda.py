"""``torch.cuda`` as a CPU-only PyTorch build answers it: no GPU
(``is_available()`` False, ``device_count()`` 0, ``is_bf16_supported()``
False), seeding is a no-op, and a call that needs a GPU
(``synchronize``, ``current_device``, ``get_device_name``, ...) raises,
saying to guard it with ``if torch.cuda.is_available():``."""

from __future__ import annotations

from typing import Any

from glassgrad import amp

__all__ = ["is_available", "device_count", "is_initialized", "is_bf16_supported", "manual_seed",
           "manual_seed_all", "seed", "seed_all", "empty_cache", "amp"]


def is_available() -> bool:
    """False: glassgrad runs on the CPU."""
    return False


def device_count() -> int:
    """0: no GPUs."""
    return 0


def is_initialized() -> bool:
    """False, as on a CPU-only PyTorch."""
    return False


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: there is no GPU, and glassgrad has no bfloat16."""
    return False


def manual_seed(seed: int) -> None:
    """A no-op, as on a CPU-only PyTorch (seed the CPU with ``torch.manual_seed``)."""


def manual_seed_all(seed: int) -> None:
    """A no-op, as on a CPU-only PyTorch."""


def seed() -> None:
    """A no-op, as on a CPU-only PyTorch."""


def seed_all() -> None:
    """A no-op, as on a CPU-only PyTorch."""


def empty_cache() -> None:
    """A no-op: there is no GPU memory to free."""


#: torch.cuda's calls that need a GPU: each raises when called, saying how to guard it
NEEDS_A_GPU = frozenset({
    "current_device", "set_device", "get_device_name", "get_device_properties", "get_device_capability",
    "synchronize", "memory_allocated", "max_memory_allocated", "memory_reserved", "max_memory_reserved",
    "reset_peak_memory_stats", "mem_get_info", "Stream", "Event", "device", "stream", "get_rng_state",
    "set_rng_state", "get_rng_state_all", "set_rng_state_all", "ipc_collect", "init",
})


def __getattr__(name: str) -> Any:
    if name not in NEEDS_A_GPU:
        raise AttributeError(f"module 'glassgrad.cuda' has no attribute {name!r} (glassgrad runs on the CPU only)")

    def needs_a_gpu(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"glassgrad.cuda.{name}: glassgrad runs on the CPU only and has no GPU; guard the call "
                           "with `if torch.cuda.is_available():`")
    needs_a_gpu.__name__ = name
    return needs_a_gpu
