"""Checks for notebook 12 (recurrent nets): the learner's LSTM cell against
``nn.LSTMCell`` (PyTorch's gate order), outputs and gradients, and against
``torch.nn.LSTMCell`` when PyTorch is installed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import autograd as ag
import nn

NAMES = ("x", "h", "c", "weight_ih", "weight_hh", "bias_ih", "bias_hh")


def _run(cell: nn.LSTMCell, step: Callable[..., Any], data: list[np.ndarray]) -> tuple[list, dict[str, np.ndarray]]:
    """Outputs of ``step`` and the gradients of a fixed random loss of them."""
    x, h, c = (ag.tensor(a, requires_grad=True) for a in data[:3])
    cell.zero_grad()
    outputs = step(x, h, c)
    if not (isinstance(outputs, tuple) and len(outputs) == 2):
        raise AssertionError(f"lstm_cell must return a pair (h_new, c_new), got {type(outputs).__name__}")
    h_new, c_new = outputs
    weights = np.random.default_rng(1).normal(size=(2, *h.shape))
    (h_new * ag.tensor(weights[0]) + c_new * ag.tensor(weights[1])).sum().backward()
    tensors = (x, h, c, cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh)
    grads = {n: (np.zeros(t.shape) if t.grad is None else t.grad.numpy().copy()) for n, t in zip(NAMES, tensors)}
    return [h_new.detach().numpy(), c_new.detach().numpy()], grads


def check_lstm_cell(lstm_cell: Callable[..., Any]) -> None:
    """Compare ``lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh) -> (h_new, c_new)``
    with ``nn.LSTMCell`` on a batch of 3, input 4, hidden 5: both outputs, then
    the gradients of every input and parameter. Prints "correct" or raises."""
    ag.manual_seed(12)
    cell = nn.LSTMCell(4, 5)
    rng = np.random.default_rng(0)
    data = [rng.normal(size=(3, 4)).astype(np.float32), rng.normal(size=(3, 5)).astype(np.float32),
            rng.normal(size=(3, 5)).astype(np.float32)]
    ref_out, ref_grads = _run(cell, lambda x, h, c: cell(x, (h, c)), data)
    out, grads = _run(cell, lambda x, h, c: lstm_cell(x, h, c, cell.weight_ih, cell.weight_hh,
                                                      cell.bias_ih, cell.bias_hh), data)
    for label, mine, ref in zip(("h_new", "c_new"), out, ref_out):
        if mine.shape != ref.shape:
            raise AssertionError(f"{label} has shape {mine.shape}, expected {ref.shape}")
        if not np.allclose(mine, ref, atol=1e-5):
            hint = " (gate order is input, forget, cell candidate g, output)" if label == "c_new" else ""
            raise AssertionError(f"{label} differs from nn.LSTMCell's by up to "
                                 f"{np.abs(mine - ref).max():.3g}{hint}")
    for name in NAMES:
        if not np.allclose(grads[name], ref_grads[name], atol=1e-5):
            raise AssertionError(f"the gradient of {name} differs from nn.LSTMCell's by up to "
                                 f"{np.abs(grads[name] - ref_grads[name]).max():.3g}: "
                                 "is every step a tensor operation (no .numpy() inside)?")
    _against_torch(cell, data, out)
    print("correct: outputs and all 7 gradients match nn.LSTMCell")


def _against_torch(cell: nn.LSTMCell, data: list[np.ndarray], out: list[np.ndarray]) -> None:
    """The same cell in PyTorch (its state dict loaded), when PyTorch is installed."""
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: compared with nn.LSTMCell only")
        return
    theirs = torch.nn.LSTMCell(4, 5)
    theirs.load_state_dict({k: torch.from_numpy(v) for k, v in cell.state_dict().items()})
    with torch.no_grad():
        h, c = theirs(*(torch.from_numpy(a) for a in data[:1]), tuple(torch.from_numpy(a) for a in data[1:]))
    for label, mine, ref in zip(("h_new", "c_new"), out, (h.numpy(), c.numpy())):
        if not np.allclose(mine, ref, atol=1e-5):
            raise AssertionError(f"{label} differs from torch.nn.LSTMCell's by up to {np.abs(mine - ref).max():.3g}")
    print("your outputs equal torch.nn.LSTMCell's with the same weights")
