"""``torch.utils.tensorboard.SummaryWriter``: delegated to ``tensorboardX``
(which writes the same event files) when it is installed, with glassgrad
Tensors handed over as numpy arrays. Without it the writer logs nothing and
warns once, saying to ``pip install tensorboardX``: a training script that
logs to TensorBoard on the side (makemore does) still trains, where PyTorch
without ``tensorboard`` would fail at its import line."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import Tensor

__all__ = ["SummaryWriter"]

_WARNED = False  # the no-op writer warns once per process, not once per writer

#: PyTorch's SummaryWriter methods, which the writer without tensorboardX accepts and ignores
WRITER_METHODS = frozenset(
    "add_audio add_custom_scalars add_custom_scalars_marginchart add_custom_scalars_multilinechart add_embedding "
    "add_event add_figure add_graph add_histogram add_histogram_raw add_hparams add_image add_image_with_boxes "
    "add_images add_mesh add_onnx_graph add_pr_curve add_pr_curve_raw add_scalar add_scalars add_summary "
    "add_tensor add_text add_video close flush reopen".split())


def _plain(value: Any) -> Any:
    return np.asarray(value.detach().numpy()) if isinstance(value, Tensor) else value


def _warn_once() -> None:
    global _WARNED
    if not _WARNED:
        _WARNED = True
        warnings.warn("glassgrad.utils.tensorboard.SummaryWriter: tensorboardX is not installed, so nothing is "
                      "logged to TensorBoard (pip install tensorboardX to write event files)", UserWarning,
                      stacklevel=3)


def _ignore(*args: Any, **kwargs: Any) -> None:
    return None


class SummaryWriter:
    """``SummaryWriter(log_dir=None, ...)``: tensorboardX's writer; every call
    (``add_scalar``, ``add_histogram``, ``flush``, ``close``, ...) goes to it.
    Without tensorboardX, PyTorch's writer methods do nothing."""

    def __init__(self, log_dir: str | None = None, *args: Any, **kwargs: Any) -> None:
        self.log_dir = log_dir
        try:
            import tensorboardX
        except ImportError:
            _warn_once()
            self._writer = None
            return
        self._writer = tensorboardX.SummaryWriter(log_dir, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if "_writer" not in self.__dict__:
            raise AttributeError(name)
        writer = self.__dict__["_writer"]
        if writer is None:
            if name in WRITER_METHODS:
                return _ignore
            raise AttributeError(f"SummaryWriter (not writing: tensorboardX is not installed) has no {name!r}")
        method = getattr(writer, name)
        if not callable(method):
            return method

        def call(*args: Any, **kwargs: Any) -> Any:
            return method(*[_plain(a) for a in args], **{k: _plain(v) for k, v in kwargs.items()})
        return call

    def get_logdir(self) -> str | None:
        """The directory the events go to (``log_dir`` as given; tensorboardX's when it writes)."""
        writer = self.__dict__.get("_writer")
        return writer.get_logdir() if writer is not None else self.log_dir

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
