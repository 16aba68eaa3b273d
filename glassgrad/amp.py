"""``torch.amp`` (and ``torch.cuda.amp``) on the CPU: mixed precision has no
meaning in glassgrad, which computes in float32.

- ``autocast(device_type="cuda", ...)`` warns and is disabled, as on a
  CPU-only PyTorch; ``autocast("cpu", ...)`` warns that the block runs in
  float32 (PyTorch would use bfloat16 there: a documented difference).
- ``GradScaler(...)`` is a disabled scaler, as PyTorch's is without CUDA:
  ``scale(loss)`` is ``loss``, ``step(opt)`` is ``opt.step()``, ``update()`` does nothing.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__ = ["autocast", "GradScaler"]


class autocast:  # noqa: N801 (torch's name)
    """A context manager (and decorator) that changes nothing, with a warning when enabled."""

    def __init__(self, device_type: str = "cuda", dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        if enabled:
            kind = str(device_type).split(":")[0]
            reason = ("CUDA is not available" if kind != "cpu"
                      else "glassgrad has no mixed precision: the block runs in float32")
            warnings.warn(f"glassgrad.autocast(device_type={device_type!r}): {reason}; disabling autocast",
                          UserWarning, stacklevel=2)
        self.device_type, self.fast_dtype, self.enabled = device_type, dtype, False

    def __enter__(self) -> autocast:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def __call__(self, fn: Any) -> Any:
        return fn


class GradScaler:
    """PyTorch's gradient scaler, disabled (as it is without CUDA): every
    method passes through, so a float16 training loop's calls run unchanged."""

    def __init__(self, device: str = "cuda", init_scale: float = 2.0**16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True) -> None:
        if enabled:
            warnings.warn("glassgrad.amp.GradScaler is enabled, but glassgrad computes in float32 on the CPU; "
                          "disabling it (as PyTorch does without CUDA)", UserWarning, stacklevel=2)

    def is_enabled(self) -> bool:
        return False

    def scale(self, outputs: Any) -> Any:
        return outputs

    def unscale_(self, optimizer: Any) -> None:
        return None

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale: float | None = None) -> None:
        return None

    def get_scale(self) -> float:
        return 1.0

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state_dict: dict) -> None:
        return None
