"""torch's ``torch.nn.modules.<file>`` names for glassgrad's layers, so that a
program naming a class by its full path (``torch.nn.modules.rnn.LSTM``, as
``torch.serialization.safe_globals`` lists do) finds the same class object as
``nn.LSTM``. Each ``nn.modules.<file>`` is a namespace module (registered in
``sys.modules``, so ``import torch.nn.modules.rnn`` works too) holding those
of torch's names in that file that glassgrad has; nothing is defined twice
except ``NonDynamicallyQuantizableLinear``, which in torch is ``Linear`` under
another name (``MultiheadAttention``'s output projection)."""

from __future__ import annotations

import sys
from types import ModuleType

import nn
from nn.layers import Linear


class NonDynamicallyQuantizableLinear(Linear):
    """torch's name for ``MultiheadAttention.out_proj``'s class: a ``Linear``."""


#: torch.nn.modules' file -> the names torch defines there (those glassgrad lacks are left out)
FILES = {
    "module": ["Module"],
    "activation": ["ELU", "GELU", "LeakyReLU", "LogSoftmax", "MultiheadAttention", "ReLU", "Sigmoid", "SiLU",
                   "Softmax", "Softplus", "Tanh"],
    "container": ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"],
    "dropout": ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout"],
    "linear": ["Identity", "Linear", "Bilinear", "LazyLinear"],
    "normalization": ["LayerNorm", "GroupNorm", "RMSNorm", "LocalResponseNorm"],
    "batchnorm": ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"],
    "sparse": ["Embedding", "EmbeddingBag"],
    "rnn": ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"],
    "transformer": ["Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
                    "TransformerDecoderLayer"],
    "conv": ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "LazyConv2d"],
    "pooling": ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool2d"],
    "flatten": ["Flatten", "Unflatten"],
    "loss": ["L1Loss", "MSELoss", "NLLLoss", "CrossEntropyLoss", "BCELoss", "BCEWithLogitsLoss", "SmoothL1Loss",
             "HuberLoss", "KLDivLoss", "HingeEmbeddingLoss", "MultiMarginLoss", "SoftMarginLoss"],
}


def _namespace(file: str, names: list[str]) -> ModuleType:
    module = ModuleType(f"{__name__}.{file}", f"torch.nn.modules.{file}'s names, glassgrad's classes.")
    for name in names:
        if hasattr(nn, name):
            setattr(module, name, getattr(nn, name))
    sys.modules[module.__name__] = module
    return module


__path__: list[str] = []  # a package to the import system: its submodules are the namespaces below
_NAMESPACES = {file: _namespace(file, names) for file, names in FILES.items()}
_NAMESPACES["linear"].NonDynamicallyQuantizableLinear = NonDynamicallyQuantizableLinear
globals().update(_NAMESPACES)  # nn.modules.rnn, nn.modules.linear, ...
