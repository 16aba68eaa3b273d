"""Derivatives as functions, with PyTorch's ``torch.autograd.functional``
names, arguments and results: ``vjp jvp jacobian hessian hvp`` (and ``grad``).

Inputs and outputs may each be one Tensor or a tuple of them; results follow
the same structure (``jacobian`` of a tuple of outputs by a tuple of inputs
is a tuple of tuples, J[i][j] = d out_i / d in_j).

- A derivative that is identically zero (a linear function's Hessian, an
  output that does not depend on an input, relu's second derivative) is a
  tensor of zeros, never an error.
- With ``create_graph=True`` the inputs that require grad enter ``func``
  through an identity op, so the results stay connected to the caller's
  tensors and can be differentiated again; otherwise they are detached.
- ``jvp`` and ``hvp`` use the double-vjp trick: g(u) = J^T u is linear in u,
  so differentiating it with respect to u in the direction v gives J v with
  reverse mode only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import primitives as P
from autograd.grad_mode import enable_grad
from autograd.gradients import grad
from autograd.graph import make_tensor
from autograd.tensor import Tensor
from autograd.tensor_functions import stack

__all__ = ["grad", "vjp", "jvp", "jacobian", "hessian", "hvp"]


def _as_tuple(x: Any, op: str, what: str) -> tuple[tuple[Tensor, ...], bool]:
    """(the Tensors, whether ``x`` was a single Tensor)."""
    if isinstance(x, Tensor):
        return (x,), True
    if not isinstance(x, (list, tuple)) or not all(isinstance(t, Tensor) for t in x):
        raise TypeError(f"{op}: {what} must be a Tensor or a tuple of Tensors, got {type(x).__name__}")
    return tuple(x), False


def _prepare(inputs: Any, create_graph: bool, op: str) -> tuple[tuple[Tensor, ...], bool]:
    """The tensors ``func`` is called with: connected to the caller's through an
    identity op when ``create_graph`` (and they require grad), else fresh
    leaves that share their data."""
    ins, single = _as_tuple(inputs, op, "inputs")
    prepared = []
    for i, t in enumerate(ins):
        if t.dtype.kind != "f":
            raise TypeError(f"{op}: input {i} has dtype {t.dtype}; derivatives need floating-point inputs")
        if create_graph and t.requires_grad:
            prepared.append(P.Reshape.apply(t, shape=t.shape))  # an identity: a new node, same data
        else:
            leaf = make_tensor(t._data)
            leaf.requires_grad = True
            prepared.append(leaf)
    return tuple(prepared), single


def _outputs(result: Any, op: str) -> tuple[tuple[Tensor, ...], bool]:
    return _as_tuple(result, op, "func's result")


def _vectors(v: Any, like: tuple[Tensor, ...], op: str, what: str) -> tuple[Tensor, ...]:
    """``v`` as one Tensor per tensor of ``like``, with their shapes and dtypes."""
    if v is None:
        if any(t.size != 1 for t in like):
            raise ValueError(f"{op}: v can be omitted only when every {what} has one element; "
                             f"shapes {[t.shape for t in like]}")
        return tuple(make_tensor(np.ones_like(t._data)) for t in like)
    vs = (v,) if not isinstance(v, (list, tuple)) else tuple(v)
    if len(vs) != len(like):
        raise ValueError(f"{op}: {len(vs)} vector(s) v for {len(like)} {what}(s)")
    out = []
    for vi, t in zip(vs, like):
        arr = vi._data if isinstance(vi, Tensor) else np.asarray(vi)
        if arr.shape != t.shape:
            raise ValueError(f"{op}: v of shape {arr.shape} does not match the {what} of shape {t.shape}")
        out.append(vi if isinstance(vi, Tensor) and vi.dtype == t.dtype else make_tensor(arr.astype(t.dtype)))
    return tuple(out)


def _grads(outputs: tuple, inputs: tuple, vectors: tuple, create_graph: bool) -> tuple:
    """vector-Jacobian products, zeros where an input is unused or an output
    is constant (needs no grad)."""
    pairs = [(o, v) for o, v in zip(outputs, vectors) if o.requires_grad]
    if pairs:
        gs = grad([o for o, _ in pairs], inputs, [v for _, v in pairs], retain_graph=True,
                  create_graph=create_graph, allow_unused=True)
    else:
        gs = (None,) * len(inputs)
    return tuple(g if g is not None else make_tensor(np.zeros_like(x._data)) for g, x in zip(gs, inputs))


def _post(ts: tuple, single: bool, create_graph: bool) -> Any:
    ts = ts if create_graph else tuple(t.detach() for t in ts)
    return ts[0] if single else ts


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False) -> tuple[Any, Any]:
    """(func(inputs), v^T J): the vector-Jacobian product at ``inputs``
    (``v`` has the outputs' shapes; it may be omitted for one-element outputs)."""
    with enable_grad():
        ins, single_in = _prepare(inputs, create_graph, "vjp")
        outs, single_out = _outputs(func(*ins), "vjp")
        g = _grads(outs, ins, _vectors(v, outs, "vjp", "output"), create_graph)
    return _post(outs, single_out, create_graph), _post(g, single_in, create_graph)


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False) -> tuple[Any, Any]:
    """(func(inputs), J v): the Jacobian-vector product (``v`` has the inputs'
    shapes), by the double-vjp trick."""
    with enable_grad():
        ins, single_in = _prepare(inputs, create_graph, "jvp")
        vs = _vectors(v, ins, "jvp", "input")
        outs, single_out = _outputs(func(*ins), "jvp")
        us = tuple(Tensor(np.zeros_like(o._data), requires_grad=True) for o in outs)  # dummy cotangents
        g = _grads(outs, ins, us, create_graph=True)  # J^T u, linear in u
        pairs = [(gi, vi) for gi, vi in zip(g, vs) if gi.requires_grad]
        if pairs:
            jv = _grads(tuple(p for p, _ in pairs), us, tuple(q for _, q in pairs), create_graph)
        else:
            jv = tuple(make_tensor(np.zeros_like(o._data)) for o in outs)
    return _post(outs, single_out, create_graph), _post(jv, single_out, create_graph)


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False) -> Any:
    """d func / d inputs: for one output and one input a Tensor of shape
    ``out.shape + input.shape``; a tuple over inputs and/or outputs otherwise
    (J[i][j] = d out_i / d in_j when both are tuples)."""
    with enable_grad():
        ins, single_in = _prepare(inputs, create_graph, "jacobian")
        outs, single_out = _outputs(func(*ins), "jacobian")
        blocks = []
        for o in outs:
            rows: list[list[Tensor]] = [[] for _ in ins]
            for j in range(o.size):
                seed = np.zeros(o.size, dtype=o.dtype)
                seed[j] = 1.0
                g = _grads((o,), ins, (make_tensor(seed.reshape(o.shape)),), create_graph)
                for k, gk in enumerate(g):
                    rows[k].append(gk)
            blocks.append(tuple(
                stack(r).reshape(o.shape + x.shape) if o.size else make_tensor(np.zeros(o.shape + x.shape, x.dtype))
                for r, x in zip(rows, ins)
            ))
    blocks = [_post(b, single_in, create_graph) for b in blocks]
    return blocks[0] if single_out else tuple(blocks)


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False) -> Any:
    """Second derivatives of a scalar function: shape ``x.shape + x.shape``
    for one input; for several, a tuple of tuples H[i][j] = d2f / dx_i dx_j."""
    _, single = _as_tuple(inputs, "hessian", "inputs")

    def gradient(*xs: Tensor) -> Any:
        out = func(*xs)
        if not isinstance(out, Tensor) or out.size != 1:
            raise ValueError(f"hessian: func must return a single one-element Tensor, got "
                             f"{getattr(out, 'shape', type(out).__name__)}")
        g = _grads((out,), xs, (make_tensor(np.ones_like(out._data)),), create_graph=True)
        return g[0] if single else g

    return jacobian(gradient, inputs, create_graph=create_graph)


def hvp(func: Callable[..., Any], inputs: Any, v: Any, create_graph: bool = False) -> tuple[Any, Any]:
    """(func(inputs), H v): the Hessian-vector product of a scalar function."""
    with enable_grad():
        ins, single = _prepare(inputs, create_graph, "hvp")
        vs = _vectors(v, ins, "hvp", "input")
        out = func(*ins)
        if not isinstance(out, Tensor) or out.size != 1:
            raise ValueError(f"hvp: func must return a single one-element Tensor, got "
                             f"{getattr(out, 'shape', type(out).__name__)}")
        g = _grads((out,), ins, (make_tensor(np.ones_like(out._data)),), create_graph=True)
        hv = _grads(g, ins, vs, create_graph)
    return _post((out,), True, create_graph), _post(hv, single, create_graph)
