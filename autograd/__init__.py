"""glassgrad's autograd: a scalar ``Value`` and a numpy-backed ``Tensor`` that
record every operation and differentiate through it in reverse mode.

Note: the import name ``autograd`` is shared with the unrelated PyPI package
of that name (HIPS autograd); install glassgrad in its own virtual environment.
"""

from autograd import (
    allocation,  # noqa: F401  (keeps freed arrays for the next step; see the module)
    value_pass,  # noqa: F401,E402  (registers Value's fast pass)
)
from autograd.engine import composite_backward
from autograd.factories import (
    Generator,
    arange,
    default_generator,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    zeros,
    zeros_like,
)
from autograd.function import Context, Function, once_differentiable
from autograd.grad_mode import (
    AnomalyError,
    detect_anomaly,
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from autograd.gradients import grad
from autograd.tensor import Tensor, tensor
from autograd.tensor_conversions import DTYPES as _DTYPES
from autograd.tensor_functions import (
    cat,
    chunk,
    concatenate,
    einsum,
    matmul,
    maximum,
    minimum,
    pad,
    split,
    stack,
    tril,
    triu,
    where,
)
from autograd.threads import get_num_threads, set_num_threads
from autograd.torch_arithmetic import *  # noqa: F403 (torch.add, torch.sub, ... with alpha=, value=)
from autograd.torch_arithmetic import __all__ as _torch_arithmetic
from autograd.torch_names import *  # noqa: F403 (torch's module-level names: tanh, sum, ...)
from autograd.torch_names import __all__ as _torch_names
from autograd.value import Value

__version__ = "0.1.0"

# dtype names as in torch: autograd.float32, autograd.int64, autograd.long, ...
float16, float32, float64, half, double = (_DTYPES[n] for n in ("float16", "float32", "float64", "half", "double"))
int8, int16, int32, int64, long, uint8 = (_DTYPES[n] for n in ("int8", "int16", "int32", "int64", "long", "uint8"))
float = _DTYPES["float"]  # noqa: A001 (torch.float is float32)
bool = _DTYPES["bool"]  # noqa: A001 (torch.bool)

__all__ = [
    "Value", "Tensor", "tensor", "Function", "Context", "composite_backward", "once_differentiable",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode", "detect_anomaly", "AnomalyError",
    "grad", "gradcheck", "gradgradcheck", "GradcheckError",
    "matmul", "cat", "concatenate", "stack", "split", "chunk", "where", "maximum", "minimum", "pad",
    "einsum", "tril", "triu", *_torch_names, *_torch_arithmetic,
    "float16", "float32", "float64", "half", "double", "int8", "int16", "int32", "int64", "long", "uint8", "bool",
    "float",
    "zeros", "ones", "full", "eye", "arange", "linspace", "rand", "randn", "zeros_like",
    "ones_like", "full_like", "rand_like", "randn_like", "from_numpy", "manual_seed", "default_generator",
    "Generator", "randint", "randperm", "multinomial", "normal", "get_num_threads", "set_num_threads",
]
