"""Derivatives as functions: ``grad``, and ``jacobian hessian vjp jvp hvp``
(PyTorch's ``torch.autograd.functional`` shapes and names).

``jvp`` uses the double-vjp trick: g(u) = J^T u is linear in u, so
differentiating u . g... once more with respect to u gives J v with reverse mode
only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.engine import run_backward
from autograd.tensor import Tensor, _as_grad

__all__ = ["grad", "vjp", "jvp", "jacobian", "hessian", "hvp"]

TensorOrTensors = Tensor | Sequence[Tensor]


def _as_tuple(x: Any, op: str) -> tuple[Tensor, ...]:
    if not isinstance(x, (Tensor, list, tuple)):
        raise TypeError(f"{op}: expected a Tensor or a sequence of Tensors, got {type(x).__name__}")
    items = (x,) if isinstance(x, Tensor) else tuple(x)
    for t in items:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}: expected Tensors, got {type(t).__name__}")
    return items


def grad(outputs: TensorOrTensors, inputs: TensorOrTensors, grad_outputs: Any = None,
         retain_graph: bool | None = None, create_graph: bool = False,
         allow_unused: bool = False) -> tuple[Tensor | None, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, as a tuple (like
    ``torch.autograd.grad``); nothing is added to any ``.grad``.

    ``grad_outputs`` is the vector of the vector-Jacobian product, one per
    output (needed for non-scalar outputs). With ``create_graph=True`` the
    result is itself differentiable (higher-order derivatives).
    """
    outs = _as_tuple(outputs, "grad")
    ins = _as_tuple(inputs, "grad")
    for i, t in enumerate(ins):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) does not require grad")
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,) * len(outs) if grad_outputs is None else (grad_outputs,)
    if len(grad_outputs) != len(outs):
        raise ValueError(f"grad: {len(grad_outputs)} grad_outputs for {len(outs)} outputs")
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
            go = Tensor._wrap(np.ones_like(o.data))
        roots.append(o)
        seed = _as_grad(go, o, "grad")
        seeds.append(seed if create_graph else seed.data)  # first order carries arrays
    if retain_graph is None:
        retain_graph = create_graph
    got = run_backward(roots, seeds, retain_graph=retain_graph, create_graph=create_graph,
                       accumulate=False, capture=ins)
    result = []
    for i, t in enumerate(ins):
        g = got.get(id(t))
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} (shape {t.shape}) was not used to compute the outputs; "
                "pass allow_unused=True to get None for it"
            )
        if g is not None and not create_graph:
            g = Tensor._wrap(g if type(g) is np.ndarray and g.flags.writeable else np.array(g))
        result.append(g)
    return tuple(result)


def _fresh(inputs: TensorOrTensors, op: str) -> tuple[tuple[Tensor, ...], bool]:
    single = isinstance(inputs, Tensor)
    ins = _as_tuple(inputs, op)
    return tuple(Tensor(t.data, requires_grad=True) for t in ins), single


def _zeros_for_unused(grads: tuple, like: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    return tuple(g if g is not None else Tensor._wrap(np.zeros_like(x.data)) for g, x in zip(grads, like))


def vjp(func: Callable[..., Tensor], inputs: TensorOrTensors, v: Any = None,
        create_graph: bool = False) -> tuple[Tensor, Any]:
    """(func(inputs), v^T J): the vector-Jacobian product at ``inputs``."""
    ins, single = _fresh(inputs, "vjp")
    out = func(*ins)
    g = grad(out, ins, v, create_graph=create_graph, allow_unused=True)
    g = _zeros_for_unused(g, ins)
    return out, (g[0] if single else g)


def jvp(func: Callable[..., Tensor], inputs: TensorOrTensors, v: Any,
        create_graph: bool = False) -> tuple[Tensor, Tensor]:
    """(func(inputs), J v): the Jacobian-vector product, by the double-vjp trick."""
    ins, single = _fresh(inputs, "jvp")
    vs = _as_tuple(v if not single else (v if isinstance(v, Tensor) else Tensor(v)), "jvp")
    out = func(*ins)
    u = Tensor(np.zeros_like(out.data), requires_grad=True)  # dummy cotangent
    g = grad(out, ins, u, create_graph=True, allow_unused=True)
    used = [(gi, vi) for gi, vi in zip(g, vs) if gi is not None]
    if not used:
        return out, Tensor._wrap(np.zeros_like(out.data))
    (jv,) = grad([gi for gi, _ in used], u, [vi for _, vi in used], create_graph=create_graph,
                 allow_unused=True)
    return out, jv if jv is not None else Tensor._wrap(np.zeros_like(out.data))


def jacobian(func: Callable[..., Tensor], inputs: TensorOrTensors,
             create_graph: bool = False) -> Any:
    """d func / d inputs, of shape ``out.shape + input.shape`` (a tuple for several inputs)."""
    ins, single = _fresh(inputs, "jacobian")
    out = func(*ins)
    rows: list[list[np.ndarray]] = [[] for _ in ins]
    for j in range(out.size):
        seed = np.zeros(out.size, dtype=out.dtype)
        seed[j] = 1.0
        g = grad(out, ins, Tensor._wrap(seed.reshape(out.shape)), retain_graph=True,
                 create_graph=create_graph, allow_unused=True)
        for k, gk in enumerate(_zeros_for_unused(g, ins)):
            rows[k].append(gk)
    from autograd.functions import stack

    jacs = tuple(
        stack(r).reshape(out.shape + x.shape) if out.size else Tensor._wrap(np.zeros(out.shape + x.shape, x.dtype))
        for r, x in zip(rows, ins)
    )
    return jacs[0] if single else jacs


def hessian(func: Callable[..., Tensor], inputs: TensorOrTensors) -> Any:
    """Second derivatives of a scalar function: shape ``x.shape + x.shape``
    (for several inputs, a nested tuple H[i][j] = d2f / dx_i dx_j)."""
    ins, single = _fresh(inputs, "hessian")

    def gradient(*xs: Tensor) -> tuple[Tensor, ...]:
        out = func(*xs)
        if out.size != 1:
            raise ValueError(f"hessian: func must return a single value, got shape {out.shape}")
        return _zeros_for_unused(grad(out, xs, create_graph=True, allow_unused=True), xs)

    blocks = []
    for i in range(len(ins)):
        row = jacobian(lambda *xs, i=i: gradient(*xs)[i], ins)
        blocks.append(row if isinstance(row, tuple) else (row,))
    return blocks[0][0] if single else tuple(blocks)


def hvp(func: Callable[..., Tensor], inputs: TensorOrTensors, v: Any) -> tuple[Tensor, Any]:
    """(func(inputs), H v): the Hessian-vector product of a scalar function."""
    ins, single = _fresh(inputs, "hvp")
    vs = _as_tuple(v, "hvp")
    out = func(*ins)
    g = _zeros_for_unused(grad(out, ins, create_graph=True, allow_unused=True), ins)
    pairs = [(gi, vi) for gi, vi in zip(g, vs) if gi.requires_grad]
    if not pairs:
        hv = tuple(Tensor._wrap(np.zeros_like(x.data)) for x in ins)
    else:
        hv = _zeros_for_unused(grad([p for p, _ in pairs], ins, [q for _, q in pairs], allow_unused=True), ins)
    return out, (hv[0] if single else hv)
