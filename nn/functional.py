"""``nn.functional`` (import as ``F``): PyTorch's functional names and defaults.
(``inplace=True`` is accepted where PyTorch has it and computed out of place:
the same result, and the graph stays correct.)

Activations, layers as functions (``linear dropout layer_norm batch_norm
embedding conv2d max_pool2d avg_pool2d``) and every loss (re-exported from
``nn.losses``), each loss with ``reduction="mean"|"sum"|"none"``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, default_generator, from_numpy, no_grad
from autograd import primitives as P
from autograd.primitives.normalization import layer_norm_composite
from nn.adaptive_pool import adaptive_avg_pool2d
from nn.conv import avg_pool2d, conv2d, conv_transpose2d, max_pool2d
from nn.losses import (
    binary_cross_entropy,
    cross_entropy,
    hinge_loss,
    huber_loss,
    kl_div,
    l1_loss,
    mse_loss,
    nll_loss,
)
from nn.losses_logits import binary_cross_entropy_with_logits  # (torch's signature: weight, pos_weight)
from nn.losses_margin import hinge_embedding_loss, multi_margin_loss, soft_margin_loss
from nn.losses_regression import smooth_l1_loss

__all__ = [
    "relu", "sigmoid", "tanh", "leaky_relu", "gelu", "silu", "softplus", "elu", "softmax",
    "log_softmax", "swiglu", "linear", "dropout", "layer_norm", "batch_norm", "embedding", "one_hot",
    "scaled_dot_product_attention",
    "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d",
    "mse_loss", "l1_loss", "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "hinge_loss", "cross_entropy", "nll_loss", "kl_div",
    "smooth_l1_loss", "soft_margin_loss", "multi_margin_loss", "hinge_embedding_loss", "adaptive_avg_pool2d",
]


def relu(x: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    return x.relu()


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e**-x), stable for any input."""
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    """tanh(x) = 2 sigmoid(2x) - 1."""
    return x.tanh()


def leaky_relu(x: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    return x.leaky_relu(negative_slope)


def gelu(x: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x); ``approximate="tanh"`` for the tanh approximation."""
    return x.gelu(approximate)


def silu(x: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    return x.silu()


def softplus(x: Tensor) -> Tensor:
    """log(1 + e**x), stable for any input."""
    return x.softplus()


def elu(x: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha * (e**x - 1)."""
    return x.elu(alpha)


def softmax(x: Tensor, dim: int = -1, *, axis: int | None = None) -> Tensor:
    """e**x / sum(e**x) along ``dim`` (numpy's ``axis`` also accepted)."""
    return x.softmax(dim if axis is None else axis)


def log_softmax(x: Tensor, dim: int = -1, *, axis: int | None = None) -> Tensor:
    """x - logsumexp(x) along ``dim``, computed stably."""
    return x.log_softmax(dim if axis is None else axis)


def swiglu(x: Tensor, w: Tensor, v: Tensor) -> Tensor:
    """SiLU(x W^T) * (x V^T): the gated unit of Shazeer's "GLU Variants" (no biases)."""
    return linear(x, w).silu() * linear(x, v)


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """x @ weight.T + bias, with weight of shape (out_features, in_features)."""
    # (this runs for every layer call: the arrays are read directly, not
    # through the Tensor properties, each of which is one more Python call)
    x_data, w_data = x.numpy(), weight.numpy()
    x_shape, w_shape = x_data.shape, w_data.shape
    if not x_shape or x_shape[-1] != w_shape[-1]:
        raise ValueError(
            f"linear: input of shape {x_shape} has {x_shape[-1] if x_shape else 0} features, "
            f"but the weight {w_shape} expects {w_shape[-1]}"
        )
    if bias is not None and len(w_shape) == 2 and bias.shape == (w_shape[0],) \
            and x_data.dtype is w_data.dtype is bias.dtype:
        return P.Linear.apply(x, weight, bias)  # fused: one primitive instead of four
    out = x @ weight.T
    return out if bias is None else out + bias


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the rest by 1 / (1 - p)
    (inverted dropout); the identity when not training."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    keep = default_generator().random(x.shape) >= p
    return x * from_numpy((keep / (1.0 - p)).astype(x.dtype))


def layer_norm(x: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """(x - mean) / sqrt(var + eps) over the last ``len(normalized_shape)`` axes,
    then ``* weight + bias``."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(x.shape[x.ndim - len(shape):]) != shape:
        raise ValueError(f"layer_norm: input of shape {x.shape} does not end in normalized_shape {shape}")
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    w = weight if weight is not None else from_numpy(np.ones(shape, x.dtype))
    b = bias if bias is not None else from_numpy(np.zeros(shape, x.dtype))
    if x.dtype == w.dtype == b.dtype and w.shape == b.shape == shape:
        return P.LayerNorm.apply(x, w, b, axes=axes, eps=eps)  # fused: keeps x, mean and rstd only
    return layer_norm_composite(x, w, b, axes, eps)


def batch_norm(x: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel (axis 1) of (N, C), (N, C, L) or (N, C, H, W)
    input. In training, use the batch's statistics and update the running ones
    in place (the running variance with the unbiased estimate, as PyTorch);
    else use the running statistics."""
    if x.ndim not in (2, 3, 4):
        raise ValueError(f"batch_norm: expected (N, C), (N, C, L) or (N, C, H, W) input, got shape {x.shape}")
    axes = (0, *range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    if training:
        n = x.size // x.shape[1]
        if n < 2:
            raise ValueError(f"batch_norm: training needs more than one value per channel, got input {x.shape}")
        mean = x.mean(axis=axes, keepdims=True)
        centred = x - mean
        var = (centred * centred).mean(axis=axes, keepdims=True)
        if running_mean is not None and running_var is not None:
            m = momentum
            new_mean = (1 - m) * running_mean.numpy() + m * mean.numpy().reshape(-1)
            new_var = (1 - m) * running_var.numpy() + m * var.numpy().reshape(-1) * n / (n - 1)
            with no_grad():
                running_mean.copy_(new_mean)
                running_var.copy_(new_var)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: evaluation needs running statistics")
        centred = x - running_mean.reshape(shape)
        var = running_var.reshape(shape)
    out = centred / (var + eps).sqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Any = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None) -> Tensor:
    """softmax(q k^T * scale + mask) v over the last two axes, PyTorch's
    ``F.scaled_dot_product_attention``: ``scale`` defaults to 1/sqrt(d);
    ``is_causal`` hides later positions; a bool ``attn_mask`` keeps where
    True, a float one is added."""
    d = query.shape[-1]
    scores = query @ key.swapaxes(-1, -2) * (1.0 / math.sqrt(d) if scale is None else scale)
    lq, lk = scores.shape[-2:]
    if is_causal:
        if attn_mask is not None:
            raise ValueError("scaled_dot_product_attention: give attn_mask or is_causal, not both")
        attn_mask = np.tril(np.ones((lq, lk), dtype=bool))
    if attn_mask is not None:
        mask = np.asarray(attn_mask)
        scores = scores.masked_fill(~mask, -math.inf) if mask.dtype == bool else scores + attn_mask
    weights = scores.softmax(-1)
    if dropout_p:
        weights = dropout(weights, dropout_p)
    return weights @ value


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """Class indices as one-hot int64 rows: shape ``tensor.shape + (num_classes,)``
    (``num_classes=-1``: one more than the largest index)."""
    index = np.asarray(tensor)
    if index.dtype.kind not in "iu":
        raise TypeError(f"one_hot: class indices must be integers, got dtype {index.dtype}")
    n = int(index.max()) + 1 if num_classes == -1 and index.size else num_classes
    if index.size and (index.min() < 0 or index.max() >= n):
        raise IndexError(f"one_hot: class {int(index.max() if index.max() >= n else index.min())} is out of "
                         f"range for {n} classes")
    return from_numpy((index[..., None] == np.arange(n)).astype(np.int64))


def embedding(idx: Any, weight: Tensor) -> Tensor:
    """Rows of ``weight`` picked by the integer indices ``idx`` (any shape)."""
    index = np.asarray(idx)
    if index.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {index.dtype}")
    n = weight.shape[0]
    if index.size and (index.min() < 0 or index.max() >= n):
        bad = index[(index < 0) | (index >= n)].ravel()[0]
        raise IndexError(f"embedding: index {bad} is out of range for {n} embeddings")
    return weight[index]
