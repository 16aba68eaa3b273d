"""Leaving for PyTorch, and coming back: ``to_torch(model)`` builds the
equivalent ``torch.nn.Module`` with the same weights, ``from_torch(module)``
the glassgrad one. Both cover the built-in layers (and containers of them);
a module of your own is refused, naming it. Needs torch installed."""

from __future__ import annotations

from typing import Any

import numpy as np

from nn import activations as A
from nn import containers as C
from nn import layers as L
from nn import recurrent as R
from nn.interop_composite import COMPOSITE_FROM_TORCH, COMPOSITE_TO_TORCH, unmaterialized_lazy_keys
from nn.module import Module

__all__ = ["to_torch", "from_torch"]


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError("to_torch/from_torch need PyTorch: pip install torch") from None
    return torch


def _pair(v: Any) -> Any:
    return tuple(v) if isinstance(v, (tuple, list)) else v


# glassgrad class name -> (torch.nn class name, the constructor's arguments read from the glassgrad module)
_TO_TORCH: dict[str, tuple[str, Any]] = {
    "Linear": ("Linear", lambda m: dict(in_features=m.in_features, out_features=m.out_features,
                                        bias=m.bias is not None)),
    "Conv2d": ("Conv2d", lambda m: dict(in_channels=m.in_channels, out_channels=m.out_channels,
                                        kernel_size=m.kernel_size, stride=m.stride, padding=m.padding,
                                        bias=m.bias is not None)),
    "ConvTranspose2d": ("ConvTranspose2d", lambda m: dict(
        in_channels=m.in_channels, out_channels=m.out_channels, kernel_size=m.kernel_size, stride=m.stride,
        padding=m.padding, output_padding=m.output_padding, bias=m.bias is not None)),
    "BatchNorm1d": ("BatchNorm1d", lambda m: dict(num_features=m.num_features, eps=m.eps, momentum=m.momentum,
                                                  affine=m.weight is not None)),
    "BatchNorm2d": ("BatchNorm2d", lambda m: dict(num_features=m.num_features, eps=m.eps, momentum=m.momentum,
                                                  affine=m.weight is not None)),
    "LayerNorm": ("LayerNorm", lambda m: dict(normalized_shape=m.normalized_shape, eps=m.eps,
                                              elementwise_affine=m.weight is not None, bias=m.bias is not None)),
    "Embedding": ("Embedding", lambda m: dict(num_embeddings=m.num_embeddings, embedding_dim=m.embedding_dim)),
    "Dropout": ("Dropout", lambda m: dict(p=m.p)),
    "MaxPool2d": ("MaxPool2d", lambda m: dict(kernel_size=_pair(m.kernel_size), stride=_pair(m.stride),
                                              padding=m.padding)),
    "AvgPool2d": ("AvgPool2d", lambda m: dict(kernel_size=_pair(m.kernel_size), stride=_pair(m.stride),
                                              padding=m.padding)),
    "Flatten": ("Flatten", lambda m: dict(start_dim=m.start_dim, end_dim=m.end_dim)),
    "Identity": ("Identity", lambda m: {}),
    "ReLU": ("ReLU", lambda m: {}), "Tanh": ("Tanh", lambda m: {}), "Sigmoid": ("Sigmoid", lambda m: {}),
    "SiLU": ("SiLU", lambda m: {}), "Softplus": ("Softplus", lambda m: {}),
    "GELU": ("GELU", lambda m: dict(approximate=m.approximate)),
    "LeakyReLU": ("LeakyReLU", lambda m: dict(negative_slope=m.negative_slope)),
    "ELU": ("ELU", lambda m: dict(alpha=m.alpha)),
    "Softmax": ("Softmax", lambda m: dict(dim=m.dim)), "LogSoftmax": ("LogSoftmax", lambda m: dict(dim=m.dim)),
}
_RECURRENT = {  # the same class names and constructor arguments in both
    "RNN": (R.RNN, lambda m: dict(_rnn_layer(m), nonlinearity=m.nonlinearity)),
    "LSTM": (R.LSTM, lambda m: _rnn_layer(m)), "GRU": (R.GRU, lambda m: _rnn_layer(m)),
    "RNNCell": (R.RNNCell, lambda m: dict(_rnn_cell(m), nonlinearity=m.nonlinearity)),
    "LSTMCell": (R.LSTMCell, lambda m: _rnn_cell(m)), "GRUCell": (R.GRUCell, lambda m: _rnn_cell(m)),
}


def _rnn_cell(m: Any) -> dict[str, Any]:
    return dict(input_size=m.input_size, hidden_size=m.hidden_size, bias=m.bias_ih is not None)


def _rnn_layer(m: Any) -> dict[str, Any]:
    if getattr(m, "proj_size", 0):
        raise ValueError("from_torch: an LSTM with proj_size has no glassgrad equivalent")
    return dict(input_size=m.input_size, hidden_size=m.hidden_size, num_layers=m.num_layers, bias=m.bias,
                batch_first=m.batch_first, dropout=m.dropout, bidirectional=m.bidirectional)


_TO_TORCH.update({name: (name, arguments) for name, (_, arguments) in _RECURRENT.items()})
# torch.nn class name -> (glassgrad class, the constructor's arguments read from the torch module)
_FROM_TORCH: dict[str, tuple[Any, Any]] = {
    "Linear": (L.Linear, lambda m: dict(in_features=m.in_features, out_features=m.out_features,
                                        bias=m.bias is not None)),
    "Conv2d": (L.Conv2d, lambda m: dict(in_channels=m.in_channels, out_channels=m.out_channels,
                                        kernel_size=tuple(m.kernel_size), stride=_one(m.stride, "stride"),
                                        padding=_one(m.padding, "padding"), bias=m.bias is not None)),
    "ConvTranspose2d": (L.ConvTranspose2d, lambda m: dict(
        in_channels=m.in_channels, out_channels=m.out_channels, kernel_size=tuple(m.kernel_size),
        stride=_one(m.stride, "stride"), padding=_one(m.padding, "padding"),
        output_padding=_one(m.output_padding, "output_padding"), bias=m.bias is not None)),
    "BatchNorm1d": (L.BatchNorm1d, lambda m: dict(num_features=m.num_features, eps=m.eps, momentum=m.momentum,
                                                  affine=m.affine)),
    "BatchNorm2d": (L.BatchNorm2d, lambda m: dict(num_features=m.num_features, eps=m.eps, momentum=m.momentum,
                                                  affine=m.affine)),
    "LayerNorm": (L.LayerNorm, lambda m: dict(normalized_shape=tuple(m.normalized_shape), eps=m.eps,
                                              elementwise_affine=m.elementwise_affine, bias=m.bias is not None)),
    "Embedding": (L.Embedding, lambda m: dict(num_embeddings=m.num_embeddings, embedding_dim=m.embedding_dim)),
    "Dropout": (L.Dropout, lambda m: dict(p=m.p)),
    "MaxPool2d": (L.MaxPool2d, lambda m: dict(kernel_size=_one(m.kernel_size, "kernel_size"),
                                              stride=_one(m.stride, "stride"), padding=_one(m.padding, "padding"))),
    "AvgPool2d": (L.AvgPool2d, lambda m: dict(kernel_size=_one(m.kernel_size, "kernel_size"),
                                              stride=_one(m.stride, "stride"), padding=_one(m.padding, "padding"))),
    "Flatten": (L.Flatten, lambda m: dict(start_dim=m.start_dim, end_dim=m.end_dim)),
    "Identity": (L.Identity, lambda m: {}),
    "ReLU": (A.ReLU, lambda m: {}), "Tanh": (A.Tanh, lambda m: {}), "Sigmoid": (A.Sigmoid, lambda m: {}),
    "SiLU": (A.SiLU, lambda m: {}), "Softplus": (A.Softplus, lambda m: {}),
    "GELU": (A.GELU, lambda m: dict(approximate=m.approximate)),
    "LeakyReLU": (A.LeakyReLU, lambda m: dict(negative_slope=m.negative_slope)),
    "ELU": (A.ELU, lambda m: dict(alpha=m.alpha)),
    "Softmax": (A.Softmax, lambda m: dict(dim=m.dim)), "LogSoftmax": (A.LogSoftmax, lambda m: dict(dim=m.dim)),
    **_RECURRENT,
}


def _one(v: Any, name: str) -> Any:
    """A square window's size as one int (glassgrad's pooling takes one)."""
    if isinstance(v, (tuple, list)):
        if len(set(v)) != 1:
            raise ValueError(f"from_torch: {name} {tuple(v)} is not square; glassgrad's layer takes one size")
        return int(v[0])
    return v


def to_torch(model: Module) -> Any:
    """The equivalent ``torch.nn.Module`` with the same weights and buffers,
    each in its glassgrad dtype (a float64 model gives a float64 one), tied
    weights still tied, and the same ``training`` mode. Every built-in layer
    converts (attention and the transformer family, pooling, recurrent layers,
    normalisation, embeddings, containers, ``SwiGLU``; a lazy layer that has
    not seen a batch becomes torch's lazy layer); a module class of your own
    is refused, naming it."""
    torch = _torch()
    built = _to_torch_module(model, torch)
    skipped = unmaterialized_lazy_keys(model)
    state = {k: torch.from_numpy(np.array(v)) for k, v in model.state_dict().items() if k not in skipped}
    missing, unexpected = built.load_state_dict(state, strict=False, assign=True)
    if set(missing) - skipped or unexpected:  # a conversion that names things differently: a bug here
        raise RuntimeError(f"to_torch: state keys differ (missing {missing}, unexpected {unexpected})")
    _tie(model, built)
    return built.train(model.training)


def _tie(model: Module, built: Any) -> None:
    """Give torch's modules one Parameter wherever glassgrad's share one (``head.weight = wte.weight``)."""
    first: dict[int, str] = {}
    for name, t in model.state_dict(keep_vars=True).items():
        if id(t) not in first:
            first[id(t)] = name
            continue
        owner, _, attribute = name.rpartition(".")
        source_owner, _, source_attribute = first[id(t)].rpartition(".")
        shared = getattr(built.get_submodule(source_owner), source_attribute)
        setattr(built.get_submodule(owner), attribute, shared)


def _to_torch_module(m: Module, torch: Any) -> Any:
    name = type(m).__name__
    if isinstance(m, (L.Sequential, C.ModuleList)):
        children = [_to_torch_module(c, torch) for c in m]
        return torch.nn.Sequential(*children) if isinstance(m, L.Sequential) else torch.nn.ModuleList(children)
    if isinstance(m, C.ModuleDict):
        return torch.nn.ModuleDict({k: _to_torch_module(c, torch) for k, c in m.items()})
    built_in = type(m).__module__.split(".")[0] == "nn"
    if built_in and name in COMPOSITE_TO_TORCH:
        return COMPOSITE_TO_TORCH[name](torch, m, lambda child: _to_torch_module(child, torch))
    if name not in _TO_TORCH or not built_in:
        known = sorted([*_TO_TORCH, *COMPOSITE_TO_TORCH])
        raise TypeError(f"to_torch: {name} is not a built-in layer; write it as a torch.nn.Module with the same "
                        f"attribute names and load this model's state_dict() into it, or convert its layers "
                        f"one by one (built-in: {', '.join(known)}, Sequential, ModuleList, ModuleDict)")
    torch_name, arguments = _TO_TORCH[name]
    return getattr(torch.nn, torch_name)(**arguments(m))


def from_torch(module: Any) -> Module:
    """The equivalent glassgrad module with the same weights and buffers, each
    in its torch dtype (a float64 module gives a float64 one)."""
    torch = _torch()
    built = _from_torch_module(module, torch)
    state = {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}
    built.load_state_dict(state)
    for name, t in built.state_dict(keep_vars=True).items():
        if state[name].dtype.kind == "f" and state[name].dtype != t.dtype:
            t.data = state[name].copy()  # (load_state_dict casts into the glassgrad layer's float32)
    return built.train(module.training)


def _from_torch_module(m: Any, torch: Any) -> Module:
    name = type(m).__name__
    if isinstance(m, torch.nn.Sequential):
        return L.Sequential(*[_from_torch_module(c, torch) for c in m])
    if isinstance(m, torch.nn.ModuleList):
        return C.ModuleList([_from_torch_module(c, torch) for c in m])
    if isinstance(m, torch.nn.ModuleDict):
        return C.ModuleDict({k: _from_torch_module(c, torch) for k, c in m.items()})
    built_in = type(m).__module__.startswith("torch.nn")
    if built_in and name in COMPOSITE_FROM_TORCH:
        return COMPOSITE_FROM_TORCH[name](torch, m, lambda child: _from_torch_module(child, torch))
    if name not in _FROM_TORCH or not built_in:
        raise TypeError(f"from_torch: {name} has no glassgrad equivalent here "
                        f"(built-in: {', '.join(sorted(_FROM_TORCH))}, Sequential, ModuleList, ModuleDict)")
    cls, arguments = _FROM_TORCH[name]
    return cls(**arguments(m))
