"""``torch.accelerator`` as a CPU-only PyTorch answers it: no accelerator."""

from __future__ import annotations

__all__ = ["is_available", "current_accelerator", "device_count"]


def is_available() -> bool:
    """False: glassgrad runs on the CPU."""
    return False


def current_accelerator(check_available: bool = False) -> None:
    """None: there is no accelerator (so ``torch.accelerator.current_accelerator() or "cpu"`` picks the CPU)."""
    return None


def device_count() -> int:
    """0."""
    return 0
