"""The primitive operations: one small class each, ``forward`` on numpy arrays,
``backward`` (on Tensors) giving one gradient per input, and where it pays a
fast first-order kernel on arrays registered in ``autograd.engine.fast_backward``.
Everything else in glassgrad is built from these. (``constant`` gives cached
0-d arrays for hot numpy kernels.)"""

from autograd.primitives._numpy import constant
from autograd.primitives.activation import (
    ELU,
    GELU,
    GELUTanh,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
)
from autograd.primitives.conv import AvgPool, Convolution, MaxPool, Windows, WindowsAdd
from autograd.primitives.elementwise import (
    Abs,
    Add,
    AddScalar,
    Cast,
    Clip,
    Clone,
    Cos,
    Div,
    Erf,
    Exp,
    Log,
    Maximum,
    Minimum,
    Mul,
    MulScalar,
    Neg,
    PiecewiseConstant,
    Pow,
    PowScalar,
    Sign,
    Sin,
    Sqrt,
    SqrtOfVariance,
    Where,
)
from autograd.primitives.linalg import Einsum, Linear, MatMul
from autograd.primitives.losses import BinaryCrossEntropy, CrossEntropy
from autograd.primitives.normalization import LayerNorm
from autograd.primitives.reduce import Cumsum, LogSumExp, Max, Min, Prod, Sum, SumTo
from autograd.primitives.shape import BroadcastTo, Concatenate, Getitem, IndexAdd, Pad, Permute, Reshape, SetItem

__all__ = [
    "constant",
    "Abs", "Add", "AddScalar", "BroadcastTo", "Cast", "Clip", "Clone", "Concatenate", "Cos", "Cumsum", "Div",
    "ELU", "Einsum", "GELUTanh",
    "Erf", "Exp", "GELU", "Softmax", "Getitem", "IndexAdd", "LayerNorm", "LeakyReLU", "Log", "LogSoftmax", "LogSumExp",
    "Linear", "MatMul", "Max", "Maximum", "Min", "Minimum", "Mul", "MulScalar", "Neg", "Pad", "Permute",
    "PiecewiseConstant", "SqrtOfVariance",
    "Pow", "PowScalar", "Prod", "ReLU", "Reshape", "Sigmoid", "Sign", "Sin", "Softplus", "Sqrt",
    "SetItem", "Sum", "SumTo", "Tanh", "Where",
    "AvgPool", "Convolution", "MaxPool", "Windows", "WindowsAdd", "BinaryCrossEntropy",
    "CrossEntropy",
]
