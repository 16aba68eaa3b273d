"""glassgrad's autograd: a scalar ``Value`` and a numpy-backed ``Tensor`` that
record every operation and differentiate through it in reverse mode.

Note: the import name ``autograd`` is shared with the unrelated PyPI package
of that name (HIPS autograd); install glassgrad in its own virtual environment.
"""

from autograd.engine import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from autograd.function import Context, Function, detect_anomaly
from autograd.functional import grad
from autograd.functions import (
    arange,
    concatenate,
    default_generator,
    eye,
    full,
    linspace,
    manual_seed,
    matmul,
    maximum,
    minimum,
    ones,
    ones_like,
    pad,
    rand,
    randn,
    split,
    stack,
    where,
    zeros,
    zeros_like,
)
from autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from autograd.tensor import Tensor, tensor
from autograd.value import Value

__version__ = "0.1.0"

__all__ = [
    "Value", "Tensor", "tensor", "Function", "Context",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "detect_anomaly",
    "grad", "gradcheck", "gradgradcheck", "GradcheckError",
    "matmul", "concatenate", "stack", "split", "where", "maximum", "minimum", "pad",
    "zeros", "ones", "full", "eye", "arange", "linspace", "rand", "randn", "zeros_like",
    "ones_like", "manual_seed", "default_generator",
]
