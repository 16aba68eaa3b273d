"""The forward values of a Tensor graph, for the pictures and the explorer.

A node keeps only what its op's backward reads (docs/design.md), so most
intermediate values are not kept: a matmul's output, say, when the next op is
an addition. While a picture is made they are found again, without changing
what training keeps:

1. a live tensor: the root, a leaf, a tensor that called ``retain_grad()``;
2. what a node saved: its output, or its inputs (an input saved by a
   consumer *is* that input node's value);
3. recomputed: ``op.forward`` on the inputs' values, in forward order, with
   the node's own options (under ``no_grad``: nothing is recorded).

After a plain ``backward()`` the saved tensors are freed, so only (1) is
left; ``missing_reason`` says why a value is not there and how to keep it.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from autograd.grad_mode import no_grad
from autograd.graph import FREED, AccumulateGrad, make_tensor

__all__ = ["recover_values", "missing_reason", "constant_value", "constant_name"]


def _saved(node: Any) -> Any:
    """A node's live record of its inputs by position (a PyTorch-form op's
    ``save_for_backward`` keeps tensors in its own order: not by position)."""
    saved = getattr(node, "saved", None)
    if saved is None or saved is FREED or getattr(node, "_positions", None) is not None:
        return None
    return saved


def _live(saved: Any, j: int) -> np.ndarray | None:
    """Saved input ``j``'s array, unless it was changed in place since."""
    tensors = saved.tensors
    if tensors is None or j >= len(tensors) or tensors[j] is None:
        return None
    t = tensors[j]
    version = next((v for counter, v in saved.versions if counter is t._version), t._version[0])
    return saved.arrays[j] if t._version[0] == version else None


def constant_value(node: Any, j: int) -> np.ndarray | None:
    """The value of ``node``'s constant input ``j`` (one that needs no
    gradient), if the node saved it."""
    saved = _saved(node)
    return None if saved is None else _live(saved, j)


def constant_name(node: Any, j: int) -> str:
    """The ``name`` of ``node``'s constant input ``j`` if the node saved it
    (``x`` for ``x @ W``), else ``"const"``."""
    saved = _saved(node)
    t = None if saved is None or saved.tensors is None else saved.tensors[j]
    return getattr(t, "name", "") or "const"


def recover_values(order: list[Any], tensors: dict[int, Any]) -> dict[int, np.ndarray]:
    """Each Tensor node's forward value that can be found (by the node's
    ``id``). ``order``: the nodes, inputs before the nodes computed from
    them; ``tensors``: the live Tensor of a node where there is one."""
    values: dict[int, np.ndarray] = {id(n): t._data for n in order if (t := tensors.get(id(n))) is not None}
    for node in order:  # what the nodes saved: their outputs, and their inputs' values
        saved = _saved(node)
        if saved is None:
            continue
        if saved.out is not None and saved.out_counter[0] == saved.out_version:
            values.setdefault(id(node), saved.out)
        for j, p in enumerate(node._prev):
            if p is not None and id(p) not in values and (arr := _live(saved, j)) is not None:
                values[id(p)] = arr
    for node in order:  # recompute the rest from their inputs, in forward order
        if id(node) not in values and not isinstance(node, AccumulateGrad):
            out = _recompute(node, values)
            if out is not None:
                values[id(node)] = out
    return values


def _recompute(node: Any, values: dict[int, np.ndarray]) -> np.ndarray | None:
    fn = node.fn
    if node.saved is FREED:
        return None
    inputs = []
    for j, p in enumerate(node._prev):
        arr = values.get(id(p)) if p is not None else constant_value(node, j)
        if arr is None:
            return None
        inputs.append(arr)
    try:
        out = _run_again(node, fn, inputs)
    except Exception:  # noqa: BLE001 (a user's op that cannot run again: its value stays unknown)
        return None
    if out is None:
        return None
    if getattr(fn, "saves_extras", False):
        out = out[0]
    out = np.asarray(out)
    return out if out.shape == tuple(node.shape) else None


class _Scratch:
    """A ``ctx`` for running a PyTorch-form ``forward`` again: it keeps nothing."""

    def __init__(self, needs: tuple) -> None:
        self.needs_input_grad = needs

    def save_for_backward(self, *tensors: Any) -> None:
        pass

    def mark_non_differentiable(self, *tensors: Any) -> None:
        pass


def _run_again(node: Any, fn: Any, inputs: list) -> Any:
    """``fn``'s forward on these arrays (under ``no_grad``: nothing recorded).
    A PyTorch-form op runs again only when every argument was a tensor (its
    other arguments are not kept)."""
    if not _pytorch_form(fn):
        return fn.forward(*inputs, **(node.options or {}))
    if getattr(node, "_n_args", -1) != len(inputs):
        return None
    with no_grad():
        out = fn.forward(_Scratch(tuple(p is not None for p in node._prev)), *[make_tensor(a) for a in inputs])
    return getattr(out, "_data", None)


def _pytorch_form(fn: Any) -> bool:
    """A Function written as PyTorch's ``forward(ctx, *tensors)``: not re-run."""
    try:
        return list(inspect.signature(fn.forward).parameters)[:1] == ["ctx"]
    except (TypeError, ValueError):
        return True


def missing_reason(node: Any) -> str:
    """Why a Tensor node's value is not shown, and how to keep it."""
    if _saved(node) is None and getattr(node, "saved", None) is FREED:
        return ("freed by backward(): explore before backward(), or call backward(retain_graph=True), "
                "or t.retain_grad() on this tensor before backward()")
    return ("not kept by the graph and not recomputable (an input it was computed from is not kept); "
            "call t.retain_grad() on it, or give it to explore as the root")
