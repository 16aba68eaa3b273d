"""``import glassgrad as torch``: torch's namespace and module tree, made of
glassgrad's own modules, so a PyTorch program runs after ``torch`` becomes
``glassgrad`` in its import lines.

- The engine (``autograd``) at the top: ``torch.tanh``, ``torch.tensor``,
  ``torch.no_grad``, ``torch.float32``, ...; ``save``/``load`` (``nn.saving``).
- torch's module tree: ``glassgrad.nn`` *is* ``nn``, ``glassgrad.nn.functional``
  *is* ``nn.functional``, ``glassgrad.autograd`` *is* ``autograd``,
  ``glassgrad.optim`` *is* ``nn.optim``, ``glassgrad.utils.data`` *is*
  ``nn.data``, for every import spelling (``glassgrad._aliases`` says how).
- CPU-only answers, as a CPU-only PyTorch build gives them: ``cuda``,
  ``backends``, ``accelerator``, ``amp``; ``compile(model)`` is ``model``;
  ``bfloat16`` exists and refuses to be used.
- What has no meaning in one CPU process (``distributed``, ``onnx``,
  ``nn.parallel.DistributedDataParallel``) says in one line what to do instead.

(``autograd`` never imports ``nn``; this package imports both.)
"""

from glassgrad import _shadowing  # noqa: F401 (first: a learner's nn.py must not give a cryptic error)

# isort: split
import autograd
import autograd.functional
import nn
import nn.utils
from autograd import *  # noqa: F403
from autograd import __all__ as _engine_names
from glassgrad import _aliases, accelerator, amp, backends, cuda, distributed, onnx, serialization, utils
from glassgrad._cpu import (
    bfloat16,
    compile,
    get_float32_matmul_precision,
    set_float32_matmul_precision,
)
from glassgrad.amp import autocast
from nn import optim
from nn.saving import load, save

__all__ = [*_engine_names, "autograd", "nn", "optim", "device", "save", "load", "compile", "bfloat16",
           "set_float32_matmul_precision", "get_float32_matmul_precision", "autocast",
           "cuda", "backends", "accelerator", "amp", "distributed", "onnx", "serialization", "utils"]


class device:  # noqa: N801 (torch's name)
    """``torch.device("cpu")``: glassgrad runs on the CPU only; another device raises."""

    def __init__(self, type: str = "cpu", index: int | None = None) -> None:  # noqa: A002 (torch's argument name)
        from autograd.tensor_conversions import check_device

        check_device(type, "device")
        self.type = "cpu"
        self.index = index

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"

    def __eq__(self, other: object) -> bool:
        return str(getattr(other, "type", other)).split(":")[0] == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")


_aliases.install()
