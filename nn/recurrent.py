"""Recurrent layers, PyTorch's: ``RNNCell``, ``LSTMCell``, ``GRUCell`` and the
``RNN``, ``LSTM``, ``GRU`` layers that run them over a sequence. Built from
``F.linear`` and the activations, so every step is in the graph (and can be
drawn); parameter names, shapes, gate order and initialisation are
PyTorch's, so state dicts move either way.

A layer takes (L, N, H_in), or (N, L, H_in) with ``batch_first=True``, or
unbatched (L, H_in), and returns (output, h_n) (for an LSTM, (output, (h_n,
c_n))). With ``bidirectional=True`` a second cell per layer reads the sequence
backwards (its parameters end in ``_reverse``); the output holds both
directions side by side and h_n both directions' final states, PyTorch's
layout."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, cat, stack, zeros
from nn import functional as F
from nn import init
from nn.module import Module, Parameter

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU"]

_GATES = {"RNN": 1, "LSTM": 4, "GRU": 3}


def _uniform(shape: tuple, hidden: int) -> Parameter:
    p = Parameter(np.empty(shape, np.float32))
    bound = 1.0 / math.sqrt(hidden)
    init.uniform_(p, -bound, bound)
    return p


def _check_input(name: str, x: Tensor, size: int) -> None:
    if x.ndim not in (1, 2) or x.shape[-1] != size:
        raise ValueError(f"{name}: expected input (N, {size}) or ({size},), got shape {x.shape}")


class _Cell(Module):
    kind = "RNN"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True) -> None:
        super().__init__()
        g = _GATES[self.kind] * hidden_size
        self.input_size, self.hidden_size = input_size, hidden_size
        self.weight_ih = _uniform((g, input_size), hidden_size)
        self.weight_hh = _uniform((g, hidden_size), hidden_size)
        self.bias_ih = _uniform((g,), hidden_size) if bias else None
        self.bias_hh = _uniform((g,), hidden_size) if bias else None

    def _gates(self, x: Tensor, h: Tensor) -> tuple[Tensor, Tensor]:
        return F.linear(x, self.weight_ih, self.bias_ih), F.linear(h, self.weight_hh, self.bias_hh)

    def _zeros(self, x: Tensor) -> Tensor:
        return zeros(*x.shape[:-1], self.hidden_size, dtype=x.dtype)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}"


class RNNCell(_Cell):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (``nonlinearity="relu"`` for ReLU)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh") -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, bias)
        self.nonlinearity = nonlinearity

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        _check_input("RNNCell", x, self.input_size)
        gi, gh = self._gates(x, self._zeros(x) if h is None else h)
        return getattr(gi + gh, self.nonlinearity)()


class LSTMCell(_Cell):
    """i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of (x W_ih^T + b_ih + h W_hh^T + b_hh),
    in PyTorch's gate order; c' = f c + i g; h' = o tanh(c'). Returns (h', c')."""

    kind = "LSTM"

    def forward(self, x: Tensor, state: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        _check_input("LSTMCell", x, self.input_size)
        h, c = (self._zeros(x), self._zeros(x)) if state is None else state
        gi, gh = self._gates(x, h)
        i, f, g, o = (gi + gh).chunk(4, -1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        return o.sigmoid() * c.tanh(), c


class GRUCell(_Cell):
    """r, z = sigmoid of the input and hidden gates; n = tanh(x W_in + b_in + r (h W_hn + b_hn));
    h' = (1 - z) n + z h, PyTorch's GRU."""

    kind = "GRU"

    def forward(self, x: Tensor, h: Tensor | None = None) -> Tensor:
        _check_input("GRUCell", x, self.input_size)
        h = self._zeros(x) if h is None else h
        gi, gh = self._gates(x, h)
        i_r, i_z, i_n = gi.chunk(3, -1)
        h_r, h_z, h_n = gh.chunk(3, -1)
        r, z = (i_r + h_r).sigmoid(), (i_z + h_z).sigmoid()
        n = (i_n + r * h_n).tanh()
        return (1.0 - z) * n + z * h


class _Layer(Module):
    kind = "RNN"
    cell: Any = RNNCell

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, **cell: Any) -> None:
        super().__init__()
        if num_layers < 1:
            raise ValueError(f"{self.kind}: num_layers must be >= 1, got {num_layers}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, dropout
        self.bidirectional = bool(bidirectional)
        self.nonlinearity = cell.get("nonlinearity", "tanh")
        directions = 2 if bidirectional else 1
        self._cells = []  # layer by layer, forward then reverse: PyTorch's order of parameters and of h_n
        for k in range(num_layers):
            for suffix in ("", "_reverse")[:directions]:
                c = self.cell(input_size if k == 0 else hidden_size * directions, hidden_size, bias, **cell)
                self._cells.append(c)
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):  # weight_ih_l0, weight_ih_l0_reverse
                    setattr(self, f"{name}_l{k}{suffix}", getattr(c, name))

    def flatten_parameters(self) -> None:
        """Does nothing: PyTorch packs the weights into one cuDNN buffer here; on the CPU there is none."""

    def forward(self, x: Tensor, state: Any = None) -> tuple[Tensor, Any]:
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            batched = f"(N, L, {self.input_size}) (batch_first)" if self.batch_first else f"(L, N, {self.input_size})"
            raise ValueError(f"{self.kind}: expected input {batched} or unbatched (L, {self.input_size}), "
                             f"got shape {x.shape}")
        if x.ndim == 2:  # unbatched: a batch of one, and the state without its batch axis
            out, final = self.forward(x.unsqueeze(0 if self.batch_first else 1), self._map_state(state, 1))
            return out.squeeze(0 if self.batch_first else 1), self._map_state(final, -1)
        seq = x.swapaxes(0, 1) if self.batch_first else x
        directions = 2 if self.bidirectional else 1
        finals = []
        for k in range(self.num_layers):
            outputs = []
            for d in range(directions):
                j = k * directions + d
                s = None if state is None else self._layer_state(state, j)
                steps = range(seq.shape[0]) if d == 0 else range(seq.shape[0] - 1, -1, -1)
                outs: list[Any] = [None] * seq.shape[0]
                for t in steps:
                    s = self._cells[j](seq[t], s)
                    outs[t] = s[0] if isinstance(s, tuple) else s
                finals.append(s)
                outputs.append(stack(outs))
            seq = outputs[0] if directions == 1 else cat(outputs, dim=-1)
            if self.dropout and k < self.num_layers - 1:
                seq = F.dropout(seq, self.dropout, self.training)
        out = seq.swapaxes(0, 1) if self.batch_first else seq
        if self.kind == "LSTM":
            return out, (stack([h for h, _ in finals]), stack([c_ for _, c_ in finals]))
        return out, stack(finals)

    def _map_state(self, state: Any, axis: int) -> Any:
        """The state with a batch axis of one added (``axis=1``) or removed (``axis=-1``)."""
        if state is None:
            return None
        if isinstance(state, tuple):
            return tuple(self._map_state(s, axis) for s in state)
        return state.unsqueeze(1) if axis == 1 else state.squeeze(1)

    def _layer_state(self, state: Any, j: int) -> Any:
        if self.kind == "LSTM":
            h, c = state
            return h[j], c[j]
        return state[j]

    def extra_repr(self) -> str:
        return (f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
                f"batch_first={self.batch_first}, bidirectional={self.bidirectional}")


class RNN(_Layer):
    """An Elman RNN over a sequence (tanh, or ``nonlinearity="relu"``)."""

    kind, cell = "RNN", RNNCell


class LSTM(_Layer):
    """A long short-term memory layer; returns (output, (h_n, c_n))."""

    kind, cell = "LSTM", LSTMCell


class GRU(_Layer):
    """A gated recurrent unit layer; returns (output, h_n)."""

    kind, cell = "GRU", GRUCell
