"""``torch.onnx``: glassgrad has no ONNX exporter. ``export`` raises, saying
to convert the model with ``nn.to_torch(model)`` and export that."""

from __future__ import annotations

from typing import Any

__all__ = ["export"]


def export(model: Any = None, *args: Any, **kwargs: Any) -> Any:
    """Raises: glassgrad writes no ONNX; PyTorch does, from ``nn.to_torch(model)``."""
    raise RuntimeError("glassgrad.onnx.export: glassgrad has no ONNX exporter; convert the model with "
                       "torch_model = nn.to_torch(model) and call torch.onnx.export(torch_model, ...) on it")


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"glassgrad.onnx.{name}: glassgrad has no ONNX support; convert the model with "
                         "nn.to_torch(model) and use torch.onnx")
