"""The torch side of ``nn.to_torch`` for glassgrad layers torch has no class
for (``SwiGLU``). Imported only when a conversion needs it: it imports torch."""

from __future__ import annotations

import torch

__all__ = ["SwiGLU"]


class SwiGLU(torch.nn.Module):
    """glassgrad's ``nn.SwiGLU`` in torch: ``w2(silu(x w^T) * (x v^T))``, the
    same parameter names and shapes (``w``, ``v`` (hidden, in), ``w2`` (out, hidden))."""

    def __init__(self, in_features: int, hidden_features: int, out_features: int | None = None) -> None:
        super().__init__()
        out_features = out_features or in_features
        self.in_features, self.hidden_features, self.out_features = in_features, hidden_features, out_features
        self.w = torch.nn.Parameter(torch.empty(hidden_features, in_features))
        self.v = torch.nn.Parameter(torch.empty(hidden_features, in_features))
        self.w2 = torch.nn.Parameter(torch.empty(out_features, hidden_features))
        for p in (self.w, self.v, self.w2):
            torch.nn.init.kaiming_uniform_(p, a=5 ** 0.5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        linear = torch.nn.functional.linear
        return linear(torch.nn.functional.silu(linear(x, self.w)) * linear(x, self.v), self.w2)
