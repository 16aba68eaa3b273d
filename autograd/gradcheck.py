"""``gradcheck`` and ``gradgradcheck``: compare the engine's derivatives with
central finite differences, element by element, in float64.

For each input x_k that requires grad and each of its elements i::

    numeric  = (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)      (projected on v)
    analytic = v . (d f / d x_k[i])                             (one backward per v)

where v runs over the unit vectors of the output (every output element, for
outputs of up to 64 elements) or over 4 fixed random vectors for larger ones.
A failure raises ``GradcheckError`` with a table of the worst elements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd.grad_mode import enable_grad, no_grad
from autograd.gradients import grad
from autograd.tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]

_FULL_JACOBIAN_LIMIT = 64


class GradcheckError(RuntimeError):
    """Analytic and numeric derivatives disagree (the message has the table)."""


def _name_of(fn: Any) -> str:
    owner = getattr(fn, "__self__", None)  # e.g. Cube.apply -> "Cube.apply"
    if isinstance(owner, type):
        return f"{owner.__name__}.{fn.__name__}"
    return getattr(fn, "__name__", "fn")


def _flat_output(out: Any) -> Tensor:
    outs = (out,) if isinstance(out, Tensor) else tuple(o for o in out if o is not None)
    flat = [o.reshape(-1) for o in outs]
    if len(flat) == 1:
        return flat[0]
    from autograd.tensor_functions import concatenate

    return concatenate(flat)


def _prepare(inputs: Any) -> tuple[tuple, list[int]]:
    items = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    converted = []
    for x in items:
        if isinstance(x, Tensor) and x.dtype.kind == "f":
            converted.append(Tensor(x._data.astype(np.float64), requires_grad=x.requires_grad))
        else:
            converted.append(x)
    checked = [i for i, x in enumerate(converted) if isinstance(x, Tensor) and x.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad; create them with requires_grad=True")
    return tuple(converted), checked


def gradcheck(fn: Callable[..., Any], inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, name: str | None = None) -> bool:
    """True when every analytic derivative of ``fn`` at ``inputs`` matches the
    central difference within ``atol + rtol * |numeric|``; otherwise raises a
    ``GradcheckError`` (or returns False with ``raise_exception=False``).

    Float inputs are converted to float64 copies first, so that the finite
    differences are accurate; ``fn`` must accept float64 tensors.
    """
    xs, checked = _prepare(inputs)
    label = name or _name_of(fn)
    out = _flat_output(fn(*xs))
    m = out.size
    if m <= _FULL_JACOBIAN_LIMIT:
        directions = np.eye(m)
    else:
        directions = np.random.default_rng(0).standard_normal((4, m))

    # analytic: one vector-Jacobian product per direction
    analytic = {k: np.zeros((len(directions), xs[k].size)) for k in checked}
    for r, v in enumerate(directions):
        if not out.requires_grad:
            break
        gs = grad(out, [xs[k] for k in checked], Tensor(v.astype(out.dtype)), retain_graph=True, allow_unused=True)
        for k, g in zip(checked, gs):
            if g is not None:
                analytic[k][r] = g._data.reshape(-1)

    # numeric: central differences, two forward passes per input element
    rows = []
    ok = True
    with no_grad():
        for k in checked:
            x = xs[k]._data
            flat = x.reshape(-1)
            for i in range(flat.size):
                orig = flat[i]
                flat[i] = orig + eps
                plus = _flat_output(fn(*xs))._data.astype(np.float64)
                flat[i] = orig - eps
                minus = _flat_output(fn(*xs))._data.astype(np.float64)
                flat[i] = orig
                numeric = directions @ ((plus - minus) / (2 * eps))
                for r in range(len(directions)):
                    a, n = analytic[k][r, i], numeric[r]
                    err = abs(a - n)
                    bad = not (err <= atol + rtol * abs(n)) or not np.isfinite(a)
                    ok = ok and not bad
                    if bad:
                        rows.append((err if np.isfinite(err) else np.inf, k, np.unravel_index(i, x.shape), r, a, n))
    if ok:
        return True
    if not raise_exception:
        return False
    raise GradcheckError(_report(rows, label, "output" if m <= _FULL_JACOBIAN_LIMIT else "direction", eps, atol, rtol))


def _report(rows: list, label: str, kind: str, eps: float, atol: float, rtol: float) -> str:
    """The failed derivatives as a table, the worst first."""
    rows.sort(key=lambda row: -row[0])
    lines = [
        f"gradcheck failed for {label}: {len(rows)} derivative(s) differ "
        f"(eps={eps}, atol={atol}, rtol={rtol})",
        f"{'input':>5}  {'index':>12}  {kind:>9}  {'analytic':>14}  {'numeric':>14}  {'error':>10}",
    ]
    for err, k, idx, r, a, n in rows[:12]:
        lines.append(f"{k:>5}  {str(tuple(int(j) for j in idx)):>12}  {r:>9}  {a:>14.6g}  {n:>14.6g}  {err:>10.3g}")
    if len(rows) > 12:
        lines.append(f"... and {len(rows) - 12} more")
    return "\n".join(lines)


def gradgradcheck(fn: Callable[..., Any], inputs: Any, grad_outputs: Sequence[Tensor] | Tensor | None = None,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True) -> bool:
    """``gradcheck`` of the first derivatives themselves: checks that the
    backward pass, recorded with ``create_graph=True``, has correct gradients
    (i.e. second derivatives). ``grad_outputs`` defaults to fixed random vectors."""
    xs, checked = _prepare(inputs)
    out = fn(*xs)
    outs = (out,) if isinstance(out, Tensor) else tuple(out)
    if grad_outputs is None:
        rng = np.random.default_rng(1)
        grad_outputs = tuple(Tensor(rng.standard_normal(o.shape)) for o in outs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,)

    def first_derivatives(*ys: Any) -> tuple[Tensor, ...]:
        with enable_grad():  # gradcheck's finite differences run under no_grad
            return _first_derivatives(*ys)

    def _first_derivatives(*ys: Any) -> tuple[Tensor, ...]:
        res = fn(*ys)
        res = (res,) if isinstance(res, Tensor) else tuple(res)
        seeds = [go.astype(r.dtype) for go, r in zip(grad_outputs, res)]
        targets = [ys[k] for k in checked]
        gs = grad(list(res), targets, seeds, create_graph=True, allow_unused=True)
        return tuple(g if g is not None else Tensor(np.zeros_like(t._data)) for g, t in zip(gs, targets))

    first_derivatives.__name__ = f"d/dx {_name_of(fn)}"
    return gradcheck(first_derivatives, xs, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception)
