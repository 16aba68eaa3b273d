"""``nn.to_torch`` for the layers built of other layers (attention, the
transformer family), pooling to a size, lazy layers and ``SwiGLU``: each
function builds the torch module from the glassgrad one; ``convert`` turns a
child (an activation Module, a final norm) into torch's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nn import transformer as T
from nn.adaptive_pool import AdaptiveAvgPool2d
from nn.attention import MultiheadAttention
from nn.module import Module
from nn.transformer import _ACTIVATIONS

__all__ = ["COMPOSITE_TO_TORCH", "COMPOSITE_FROM_TORCH", "unmaterialized_lazy_keys"]

_ACTIVATION_NAMES = {fn: name for name, fn in _ACTIVATIONS.items()}


def _activation(m: Module, convert: Callable[[Module], Any]) -> Any:
    """A transformer layer's activation as torch takes it: "relu", "gelu" or a torch Module."""
    act = m.activation
    if isinstance(act, Module):
        return convert(act)
    if act in _ACTIVATION_NAMES:
        return _ACTIVATION_NAMES[act]
    raise TypeError(f"to_torch: {type(m).__name__}'s activation {getattr(act, '__name__', act)!r} is a function "
                    "of your own; give the layer activation='relu', 'gelu' or a built-in activation Module")


def _layer_options(m: Module, convert: Callable[[Module], Any]) -> dict[str, Any]:
    return dict(d_model=m.linear1.in_features, nhead=m.self_attn.num_heads, dim_feedforward=m.linear1.out_features,
                dropout=m.dropout.p, activation=_activation(m, convert), layer_norm_eps=m.norm1.eps,
                batch_first=m.batch_first, norm_first=m.norm_first, bias=m.linear1.bias is not None)


def _norm(m: Module, convert: Callable[[Module], Any]) -> Any:
    return None if m.norm is None else convert(m.norm)


def _size(v: Any) -> Any:
    return tuple(v) if isinstance(v, (tuple, list)) else v


# glassgrad class name -> (torch, the glassgrad module, convert) -> the torch module
COMPOSITE_TO_TORCH: dict[str, Callable[[Any, Any, Callable[[Module], Any]], Any]] = {
    "AdaptiveAvgPool2d": lambda torch, m, convert: torch.nn.AdaptiveAvgPool2d(_size(m.output_size)),
    "MultiheadAttention": lambda torch, m, convert: torch.nn.MultiheadAttention(
        m.embed_dim, m.num_heads, dropout=m.dropout, bias=m.in_proj_bias is not None, batch_first=m.batch_first),
    "TransformerEncoderLayer": lambda torch, m, convert: torch.nn.TransformerEncoderLayer(
        **_layer_options(m, convert)),
    "TransformerDecoderLayer": lambda torch, m, convert: torch.nn.TransformerDecoderLayer(
        **_layer_options(m, convert)),
    "TransformerEncoder": lambda torch, m, convert: torch.nn.TransformerEncoder(
        convert(m.layers[0]), m.num_layers, norm=_norm(m, convert), enable_nested_tensor=False),
    "TransformerDecoder": lambda torch, m, convert: torch.nn.TransformerDecoder(
        convert(m.layers[0]), m.num_layers, norm=_norm(m, convert)),
    "Transformer": lambda torch, m, convert: torch.nn.Transformer(
        d_model=m.d_model, nhead=m.nhead, custom_encoder=convert(m.encoder), custom_decoder=convert(m.decoder),
        batch_first=m.batch_first),
    "LazyLinear": lambda torch, m, convert: torch.nn.LazyLinear(
        m.out_features, bias=m.bias is not None, dtype=getattr(torch, m.weight.dtype.name)),
    "LazyConv2d": lambda torch, m, convert: torch.nn.LazyConv2d(
        m.out_channels, m.kernel_size, stride=m.stride, padding=m.padding, bias=m.bias is not None,
        dtype=getattr(torch, m.weight.dtype.name)),
    "SwiGLU": lambda torch, m, convert: _swiglu(m),
}


def _swiglu(m: Module) -> Any:
    from nn.interop_torch import SwiGLU

    return SwiGLU(m.in_features, m.hidden_features, m.out_features)


def unmaterialized_lazy_keys(model: Module) -> set[str]:
    """The state-dict keys of lazy layers that have not seen a batch (their
    placeholders have no size yet; torch's lazy layer sizes itself)."""
    keys = set()
    for prefix, mod in model.named_modules():
        if type(mod).__name__ in ("LazyLinear", "LazyConv2d") and type(mod).__module__ == "nn.lazy":
            keys.update(f"{prefix}.{name}" if prefix else name for name in ("weight", "bias"))
    return keys


def _torch_activation(torch: Any, m: Any, convert: Callable[[Any], Module]) -> Any:
    """A torch transformer layer's activation as glassgrad takes it: "relu", "gelu" or a glassgrad Module."""
    act = m.activation
    if isinstance(act, torch.nn.Module):
        return convert(act)
    for name, fn in (("relu", torch.nn.functional.relu), ("gelu", torch.nn.functional.gelu)):
        if act is fn:
            return name
    raise TypeError(f"from_torch: {type(m).__name__}'s activation {getattr(act, '__name__', act)!r} is a function "
                    "glassgrad does not have; use activation='relu', 'gelu' or a built-in activation Module")


def _torch_layer_options(torch: Any, m: Any, convert: Callable[[Any], Module]) -> dict[str, Any]:
    return dict(d_model=m.linear1.in_features, nhead=m.self_attn.num_heads, dim_feedforward=m.linear1.out_features,
                dropout=m.dropout.p, activation=_torch_activation(torch, m, convert), layer_norm_eps=m.norm1.eps,
                batch_first=m.self_attn.batch_first, norm_first=m.norm_first, bias=m.linear1.bias is not None)


def _multihead_from_torch(m: Any) -> Module:
    if m.bias_k is not None or m.add_zero_attn or not m._qkv_same_embed_dim:
        raise ValueError("from_torch: a MultiheadAttention with add_bias_kv, add_zero_attn or kdim/vdim other than "
                         "embed_dim has no glassgrad equivalent")
    return MultiheadAttention(m.embed_dim, m.num_heads, dropout=m.dropout, bias=m.in_proj_bias is not None,
                              batch_first=m.batch_first)


# torch class name -> (torch, the torch module, convert) -> the glassgrad module
COMPOSITE_FROM_TORCH: dict[str, Callable[[Any, Any, Callable[[Any], Module]], Module]] = {
    "AdaptiveAvgPool2d": lambda torch, m, convert: AdaptiveAvgPool2d(_size(m.output_size)),
    "MultiheadAttention": lambda torch, m, convert: _multihead_from_torch(m),
    "TransformerEncoderLayer": lambda torch, m, convert: T.TransformerEncoderLayer(
        **_torch_layer_options(torch, m, convert)),
    "TransformerDecoderLayer": lambda torch, m, convert: T.TransformerDecoderLayer(
        **_torch_layer_options(torch, m, convert)),
    "TransformerEncoder": lambda torch, m, convert: T.TransformerEncoder(
        convert(m.layers[0]), m.num_layers, norm=None if m.norm is None else convert(m.norm)),
    "TransformerDecoder": lambda torch, m, convert: T.TransformerDecoder(
        convert(m.layers[0]), m.num_layers, norm=None if m.norm is None else convert(m.norm)),
    "Transformer": lambda torch, m, convert: T.Transformer(
        m.d_model, m.nhead, custom_encoder=convert(m.encoder), custom_decoder=convert(m.decoder),
        batch_first=m.batch_first),
}

