"""``autograd.grad``: the gradients of outputs with respect to inputs, as a
tuple, without touching any ``.grad`` (PyTorch's ``torch.autograd.grad``). It
runs the same backward driver as ``tensor.backward()`` (``autograd.engine``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import graph
from autograd.engine import run_backward
from autograd.graph import AccumulateGrad, make_tensor
from autograd.value import Value, value_grad

__all__ = ["grad", "as_grad", "node_of"]


def node_of(t: Any, create: bool = False) -> Any:
    """The node a gradient for tensor ``t`` arrives at: its ``grad_fn``, or for
    a leaf its ``AccumulateGrad`` (made if ``create``; else None if unused)."""
    if t.grad_fn is not None:
        return t.grad_fn
    if t._acc is None and create:
        t._acc = AccumulateGrad(t)
    return t._acc


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool | None = None,
         materialize_grads: bool = False) -> tuple[Any, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, as a tuple (like
    ``torch.autograd.grad``); nothing is added to any ``.grad``.

    ``grad_outputs`` is the vector of the vector-Jacobian product, one per
    output (needed for non-scalar outputs). With ``create_graph=True`` the
    result is itself differentiable (higher-order derivatives). An input the
    outputs do not depend on raises, unless ``allow_unused=True`` (None for
    it) or ``materialize_grads=True`` (zeros for it).

    Works for ``Value`` graphs too (outputs and inputs all Values).
    """
    T = graph.tensor_class
    if _all_values(outputs) and _all_values(inputs):
        return value_grad(outputs, inputs, retain_graph=bool(retain_graph), allow_unused=bool(allow_unused))
    outs = _as_tuple(outputs, "grad")
    ins = _as_tuple(inputs, "grad")
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and not allow_unused:
        raise ValueError("grad: materialize_grads=True needs allow_unused to be True or None")
    for i, t in enumerate(ins):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) does not require grad")
    if grad_outputs is None or isinstance(grad_outputs, T):
        grad_outputs = (grad_outputs,) * len(outs) if grad_outputs is None else (grad_outputs,)
    if len(grad_outputs) != len(outs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outs)} outputs")
    roots, seeds = _roots_and_seeds(outs, grad_outputs, create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    targets = [node_of(t) for t in ins]
    got = run_backward(roots, seeds, retain_graph=retain_graph, create_graph=create_graph,
                       targets=[n for n in targets if n is not None])
    result = []
    for i, (t, n) in enumerate(zip(ins, targets)):
        g = got.get(n) if n is not None else None
        if g is None:
            if materialize_grads:
                g = np.zeros_like(t._data)
            elif not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {t.shape}) was not used to compute the outputs; "
                    "pass allow_unused=True to get None for it"
                )
            else:
                result.append(None)
                continue
        if not isinstance(g, T):
            g = make_tensor(np.array(g))  # the caller's own array: nothing else holds it
        result.append(g)
    return tuple(result)


def _roots_and_seeds(outs: tuple, grad_outputs: tuple, create_graph: bool) -> tuple[list, list]:
    """Each output's node, and the gradient it starts with (checked)."""
    roots, seeds = [], []
    for i, (o, go) in enumerate(zip(outs, grad_outputs)):
        if not o.requires_grad:
            raise RuntimeError(f"grad: output {i} (shape {o.shape}) does not require grad and has no grad_fn")
        if go is None:
            if o.size != 1:
                raise RuntimeError(
                    f"grad: output {i} has shape {o.shape}; grad can be implicitly created only "
                    "for scalar outputs: pass grad_outputs"
                )
            go = make_tensor(np.ones_like(o._data))
        roots.append(node_of(o, create=True))
        seed = as_grad(go, o, "grad")
        seeds.append(seed if create_graph else seed._data)  # first order carries arrays
    return roots, seeds


def _all_values(x: Any) -> bool:
    items = x if isinstance(x, (list, tuple)) else (x,)
    return bool(items) and all(isinstance(v, Value) for v in items)


def _as_tuple(x: Any, op: str) -> tuple:
    T = graph.tensor_class
    if not isinstance(x, (T, list, tuple)):
        raise TypeError(f"{op}: expected a Tensor or a sequence of Tensors, got {type(x).__name__}")
    items = (x,) if isinstance(x, T) else tuple(x)
    for t in items:
        if not isinstance(t, T):
            raise TypeError(f"{op}: expected Tensors, got {type(t).__name__}")
    return items


def as_grad(gradient: Any, out: Any, op: str) -> Any:
    """``gradient`` as a Tensor of ``out``'s shape and dtype (a clear error otherwise)."""
    T = graph.tensor_class
    g = gradient if isinstance(gradient, T) else make_tensor(np.asarray(gradient, dtype=out.dtype))
    if g.shape != out.shape:
        raise ValueError(f"{op}: gradient has shape {g.shape} but the output has shape {out.shape}")
    if g.dtype != out.dtype:
        g = make_tensor(g._data.astype(out.dtype))
    return g
