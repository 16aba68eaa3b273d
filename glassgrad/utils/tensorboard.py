"""``torch.utils.tensorboard.SummaryWriter``: delegated to ``tensorboardX``
(which writes the same event files) when it is installed, with glassgrad
Tensors handed over as numpy arrays; without it, making a writer raises,
saying to ``pip install tensorboardX``."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

__all__ = ["SummaryWriter"]


def _plain(value: Any) -> Any:
    return np.asarray(value.detach().numpy()) if isinstance(value, Tensor) else value


class SummaryWriter:
    """``SummaryWriter(log_dir=None, ...)``: tensorboardX's writer; every call
    (``add_scalar``, ``add_histogram``, ``flush``, ``close``, ...) goes to it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        try:
            import tensorboardX
        except ImportError:
            raise ImportError("glassgrad.utils.tensorboard.SummaryWriter writes through tensorboardX: "
                              "pip install tensorboardX (or log with print / matplotlib)") from None
        self._writer = tensorboardX.SummaryWriter(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        writer = self.__dict__.get("_writer")
        if writer is None:
            raise AttributeError(name)
        method = getattr(writer, name)
        if not callable(method):
            return method

        def call(*args: Any, **kwargs: Any) -> Any:
            return method(*[_plain(a) for a in args], **{k: _plain(v) for k, v in kwargs.items()})
        return call

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._writer.close()
