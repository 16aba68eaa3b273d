"""``import glassgrad as torch``: one namespace shaped like ``torch`` for
teaching programs, so that ``torch.tanh``, ``torch.nn.Linear``,
``torch.nn.functional.relu``, ``torch.optim.SGD`` and ``torch.autograd.Function``
all resolve. It is ``autograd`` (the engine) with ``nn``, ``optim`` and the
``autograd`` module itself attached; nothing here is new behaviour.
(``autograd`` never imports ``nn``; this package imports both.)"""

import autograd
import nn
from autograd import *  # noqa: F403
from autograd import __all__ as _engine_names
from nn import optim

__all__ = [*_engine_names, "autograd", "nn", "optim", "device"]


class device:  # noqa: N801 (torch's name)
    """``torch.device("cpu")``: glassgrad runs on the CPU only; another device raises."""

    def __init__(self, type: str = "cpu") -> None:  # noqa: A002 (torch's argument name)
        from autograd.tensor_conversions import check_device

        check_device(type, "device")
        self.type = "cpu"

    def __repr__(self) -> str:
        return "device(type='cpu')"
