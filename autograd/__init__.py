"""glassgrad's autograd: a scalar ``Value`` and a numpy-backed ``Tensor`` that
record every operation and differentiate through it in reverse mode.

Note: the import name ``autograd`` is shared with the unrelated PyPI package
of that name (HIPS autograd); install glassgrad in its own virtual environment.
"""

from autograd.backward import grad
from autograd.factories import (
    arange,
    default_generator,
    eye,
    from_numpy,
    full,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    randn,
    zeros,
    zeros_like,
)
from autograd.function import Context, Function, composite_backward
from autograd.grad_mode import (
    detect_anomaly,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from autograd.tensor import Tensor, tensor
from autograd.tensor_functions import concatenate, matmul, maximum, minimum, pad, split, stack, where
from autograd.value import Value

__version__ = "0.1.0"

__all__ = [
    "Value", "Tensor", "tensor", "Function", "Context", "composite_backward",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode", "detect_anomaly",
    "grad", "gradcheck", "gradgradcheck", "GradcheckError",
    "matmul", "concatenate", "stack", "split", "where", "maximum", "minimum", "pad",
    "zeros", "ones", "full", "eye", "arange", "linspace", "rand", "randn", "zeros_like",
    "ones_like", "from_numpy", "manual_seed", "default_generator",
]
