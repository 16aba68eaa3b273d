"""The primitive operations: one small class each, ``forward`` on numpy arrays,
``backward`` on Tensors. Everything else in glassgrad is built from these."""

from autograd.ops.activation import (
    ELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    SigmoidGrad,
    Softplus,
    Tanh,
    TanhGrad,
)
from autograd.ops.elementwise import (
    Abs,
    Add,
    AddScalar,
    Cast,
    Clip,
    Div,
    Erf,
    Exp,
    Log,
    Maximum,
    Minimum,
    Mul,
    MulScalar,
    Neg,
    Pow,
    PowScalar,
    Sign,
    Sqrt,
    Where,
)
from autograd.ops.linalg import Linear, MatMul
from autograd.ops.reduce import LogSumExp, Max, Min, Prod, Sum, SumTo
from autograd.ops.shape import BroadcastTo, Concatenate, Getitem, IndexAdd, Pad, Permute, Reshape

__all__ = [
    "Abs", "Add", "AddScalar", "BroadcastTo", "Cast", "Clip", "Concatenate", "Div", "ELU",
    "Erf", "Exp", "Getitem", "IndexAdd", "LeakyReLU", "Log", "LogSoftmax", "LogSumExp",
    "Linear", "MatMul", "Max", "Maximum", "Min", "Minimum", "Mul", "MulScalar", "Neg", "Pad", "Permute",
    "Pow", "PowScalar", "Prod", "ReLU", "Reshape", "Sigmoid", "SigmoidGrad", "Sign", "Softplus", "Sqrt",
    "Sum", "SumTo", "Tanh", "TanhGrad", "Where",
]
