"""glassgrad's neural-network library, built on ``autograd``: PyTorch's names
and shapes, so a PyTorch user can write a training loop without reading docs."""

from nn import data, functional, init, optim, scalar, utils
from nn import diagnostics as diagnostics  # per-layer training statistics (notebook 07)
from nn.activations import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus, SwiGLU, Tanh
from nn.adaptive_pool import AdaptiveAvgPool2d
from nn.attention import MultiheadAttention
from nn.containers import ModuleDict, ModuleList
from nn.draw import draw_model
from nn.interop import from_torch, to_torch
from nn.layers import (
    MLP,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    ConvTranspose2d,
    Dropout,
    Embedding,
    Flatten,
    Identity,
    LayerNorm,
    Linear,
    MaxPool2d,
    Sequential,
)
from nn.lazy import LazyConv2d, LazyLinear
from nn.losses import (
    BCELoss,
    CrossEntropyLoss,
    HingeLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from nn.losses_logits import BCEWithLogitsLoss  # (with weight and pos_weight)
from nn.losses_margin import HingeEmbeddingLoss, MultiMarginLoss, SoftMarginLoss
from nn.losses_regression import SmoothL1Loss
from nn.module import Module, Parameter
from nn.recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from nn.serialization import CheckpointError, load, save
from nn.summary import summary
from nn.transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)

__all__ = [
    "Module", "Parameter", "ModuleList", "ModuleDict", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell",
    "Linear", "Sequential", "MLP", "Dropout", "LayerNorm", "BatchNorm1d", "BatchNorm2d", "Embedding",
    "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "Flatten", "Identity",
    "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "GELU", "SiLU", "Softplus", "ELU", "Softmax", "LogSoftmax", "SwiGLU",
    "MSELoss", "L1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "HingeLoss", "CrossEntropyLoss", "NLLLoss",
    "KLDivLoss", "to_torch", "from_torch", "save", "load", "CheckpointError", "summary", "draw_model",
    "data", "functional", "init", "optim", "scalar", "utils",
    "SmoothL1Loss", "SoftMarginLoss", "MultiMarginLoss", "HingeEmbeddingLoss",
    "AdaptiveAvgPool2d", "LazyLinear", "LazyConv2d", "MultiheadAttention", "TransformerEncoderLayer",
    "TransformerEncoder", "TransformerDecoderLayer", "TransformerDecoder", "Transformer",
]

from nn import modules  # noqa: E402, F401 (torch.nn.modules.<file> paths: last, it reads the names above)
