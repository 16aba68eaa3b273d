"""``nn.MultiheadAttention``, PyTorch's: the same parameters
(``in_proj_weight`` (3E, E), ``in_proj_bias``, ``out_proj``), initialisation,
arguments, masks and outputs, so a state dict moves between the two.

For each head h: softmax(q_h k_h^T / sqrt(E / heads) + mask) v_h, the heads
side by side, then ``out_proj``. Masks follow ``nn.MultiheadAttention`` (not
``F.scaled_dot_product_attention``): a bool ``attn_mask`` or
``key_padding_mask`` is True where attention is NOT allowed; a float one is
added to the scores.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, from_numpy
from nn import functional as F
from nn import init
from nn.layers import Linear
from nn.module import Module, Parameter

__all__ = ["MultiheadAttention"]


def _additive(mask: Any, name: str, dtype: Any) -> np.ndarray:
    """A mask as numbers added to the scores: bool True -> -inf, False -> 0."""
    array = np.asarray(mask.detach().numpy() if isinstance(mask, Tensor) else mask)
    if array.dtype == bool:
        return np.where(array, -np.inf, 0.0).astype(dtype)
    if array.dtype.kind != "f":
        raise TypeError(f"MultiheadAttention: {name} must be bool (True = masked) or float (added), "
                        f"got dtype {array.dtype}")
    return array.astype(dtype)


class MultiheadAttention(Module):
    """Multi-head attention (Vaswani et al.). ``forward(query, key, value)``
    takes (L, N, E) (or (N, L, E) with ``batch_first=True``, or unbatched
    (L, E)) and returns ``(output, weights)``: weights (N, L, S) averaged over
    heads (per head with ``average_attn_weights=False``; None with
    ``need_weights=False``). ``dropout`` applies to the weights in training.
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False) -> None:
        super().__init__()
        if embed_dim < 1 or num_heads < 1 or embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim ({embed_dim}) must be a positive multiple of "
                             f"num_heads ({num_heads})")
        if add_bias_kv or add_zero_attn or kdim not in (None, embed_dim) or vdim not in (None, embed_dim):
            raise ValueError("MultiheadAttention: add_bias_kv, add_zero_attn and kdim/vdim other than embed_dim "
                             "are not supported; project key and value to embed_dim first (an nn.Linear)")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"MultiheadAttention: dropout must be in [0, 1], got {dropout}")
        self.embed_dim, self.num_heads, self.head_dim = embed_dim, num_heads, embed_dim // num_heads
        self.dropout, self.batch_first = dropout, batch_first
        self.in_proj_weight = Parameter(np.zeros((3 * embed_dim, embed_dim), dtype=np.float32))
        init.xavier_uniform_(self.in_proj_weight)
        self.in_proj_bias = Parameter(np.zeros(3 * embed_dim, dtype=np.float32)) if bias else None
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias)
        if bias:
            init.zeros_(self.out_proj.bias)  # (PyTorch's initialisation: zero biases)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Any = None,
                need_weights: bool = True, attn_mask: Any = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        if is_causal and attn_mask is None:
            raise ValueError("MultiheadAttention: is_causal is a hint about attn_mask, as in PyTorch; pass the "
                             "causal mask too: attn_mask=np.triu(np.ones((L, L), bool), 1)")
        batched = self._check_shapes(query, key, value)
        if not batched:
            query, key, value = (t.unsqueeze(1) for t in (query, key, value))
        elif self.batch_first:
            query, key, value = (t.transpose(0, 1) for t in (query, key, value))
        length, batch, width = query.shape
        q, k, v = self._project(query, key, value)
        scores = (q * (1.0 / math.sqrt(self.head_dim))) @ k.transpose(-1, -2)  # (N, heads, L, S)
        mask = self._mask(attn_mask, key_padding_mask, batched, batch, length, key.shape[0], scores.dtype)
        if mask is not None:
            scores = scores + from_numpy(mask)
        weights = scores.softmax(-1)
        attended = F.dropout(weights, self.dropout, self.training) if self.dropout else weights
        out = self.out_proj((attended @ v).permute(2, 0, 1, 3).reshape(length, batch, width))
        out = out.squeeze(1) if not batched else out.transpose(0, 1) if self.batch_first else out
        if not need_weights:
            return out, None
        weights = weights.mean(1) if average_attn_weights else weights
        return out, weights if batched else weights.squeeze(0)

    def _check_shapes(self, query: Tensor, key: Tensor, value: Tensor) -> bool:
        """True for batched inputs; raises unless the three shapes fit together."""
        ndim, batch_axis = query.ndim, 0 if self.batch_first else 1
        fits = (ndim in (2, 3) and key.ndim == ndim and value.shape == key.shape
                and query.shape[-1] == key.shape[-1] == self.embed_dim
                and (ndim == 2 or query.shape[batch_axis] == key.shape[batch_axis]))
        if not fits:
            layout = "N, L" if self.batch_first else "L, N"
            raise ValueError(f"MultiheadAttention: expected query, key and value of shape ({layout}, "
                             f"{self.embed_dim}) (or unbatched (L, {self.embed_dim})), key and value alike; "
                             f"got {query.shape}, {key.shape}, {value.shape}")
        return ndim == 3

    def _project(self, query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """q, k, v by the three slices of in_proj, each (N, heads, length, head_dim)."""
        e, w, b = self.embed_dim, self.in_proj_weight, self.in_proj_bias
        heads = []
        for i, x in enumerate((query, key, value)):
            projected = F.linear(x, w[i * e:(i + 1) * e], None if b is None else b[i * e:(i + 1) * e])
            length, batch = x.shape[:2]
            heads.append(projected.reshape(length, batch, self.num_heads, self.head_dim).permute(1, 2, 0, 3))
        return heads[0], heads[1], heads[2]

    def _mask(self, attn_mask: Any, key_padding_mask: Any, batched: bool, batch: int, length: int, source: int,
              dtype: Any) -> np.ndarray | None:
        """Both masks as one additive array that broadcasts to (N, heads, L, S)."""
        mask = None
        if attn_mask is not None:
            mask = _additive(attn_mask, "attn_mask", dtype)
            if mask.shape == (length, source):
                mask = mask[None, None]
            elif mask.shape == (batch * self.num_heads, length, source):
                mask = mask.reshape(batch, self.num_heads, length, source)
            else:
                raise ValueError(f"MultiheadAttention: attn_mask must have shape ({length}, {source}) or "
                                 f"({batch * self.num_heads}, {length}, {source}), got {mask.shape}")
        if key_padding_mask is not None:
            padding = _additive(key_padding_mask, "key_padding_mask", dtype)
            expected = (batch, source) if batched else (source,)
            if padding.shape != expected:
                raise ValueError(f"MultiheadAttention: key_padding_mask must have shape {expected}, "
                                 f"got {padding.shape}")
            padding = padding.reshape(batch, 1, 1, source)
            mask = padding if mask is None else mask + padding
        return mask

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, batch_first={self.batch_first}"
