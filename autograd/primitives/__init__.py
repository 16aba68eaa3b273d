"""The primitive operations: one small class each, ``forward`` on numpy arrays,
``backward`` giving one gradient per input. Everything else in glassgrad is
built from these. (``constant`` gives cached 0-d arrays for hot numpy rules.)"""

from autograd.primitives._numpy import constant
from autograd.primitives.activation import (
    ELU,
    GELU,
    GELUTanh,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    SigmoidGrad,
    Softmax,
    Softplus,
    Tanh,
    TanhGrad,
)
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
from autograd.primitives.normalization import LayerNorm
from autograd.primitives.reduce import Cumsum, LogSumExp, Max, Min, Prod, Sum, SumTo
from autograd.primitives.shape import BroadcastTo, Concatenate, Getitem, IndexAdd, Pad, Permute, Reshape

__all__ = [
    "constant",
    "Abs", "Add", "AddScalar", "BroadcastTo", "Cast", "Clip", "Clone", "Concatenate", "Cos", "Cumsum", "Div",
    "ELU", "Einsum", "GELUTanh",
    "Erf", "Exp", "GELU", "Softmax", "Getitem", "IndexAdd", "LayerNorm", "LeakyReLU", "Log", "LogSoftmax", "LogSumExp",
    "Linear", "MatMul", "Max", "Maximum", "Min", "Minimum", "Mul", "MulScalar", "Neg", "Pad", "Permute",
    "PiecewiseConstant", "SqrtOfVariance",
    "Pow", "PowScalar", "Prod", "ReLU", "Reshape", "Sigmoid", "SigmoidGrad", "Sign", "Sin", "Softplus", "Sqrt",
    "Sum", "SumTo", "Tanh", "TanhGrad", "Where",
]
