"""L-BFGS, PyTorch's ``torch.optim.LBFGS``: the same iterations, stopping
rules, history and (``line_search_fn="strong_wolfe"``) line search, so its
steps equal PyTorch's step for step.

Rewritten from the algorithm of ``torch/optim/lbfgs.py`` (itself after
Schmidt's minFunc); the line search is Nocedal & Wright's (Algorithms 3.5 and
3.6) with cubic interpolation. All parameters are treated as one flat vector.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd import Tensor, enable_grad
from autograd.graph import increment_version

from .optimizer import Optimizer, _require_numbers

__all__ = ["LBFGS"]

# A point of the line search: (step length t, loss f, flat gradient g, directional derivative g.d)
Point = tuple[float, float, np.ndarray, Any]


def _cubic_interpolate(x1: float, f1: float, g1: float, x2: float, f2: float, g2: float,
                       bounds: tuple[float, float] | None = None) -> float:
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1
    and g2, clamped to ``bounds`` (default: between x1 and x2); their midpoint
    when the cubic has no minimum."""
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square < 0:
        return (low + high) / 2.0
    d2 = math.sqrt(d2_square)
    if x1 <= x2:
        at = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        at = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(at, low), high)


def _bracket(evaluate: Callable, t: float, f: float, g: np.ndarray, gtd: float, c1: float, c2: float,
             max_ls: int) -> tuple[list[Point], bool, int, int]:
    """Grow the step until an interval holds a strong-Wolfe point (or t is one).
    Returns (bracket, done, iterations, evaluations)."""
    f_new, g_new = evaluate(t)
    evals, ls_iter = 1, 0
    previous: Point = (0, f, g, gtd)
    while ls_iter < max_ls:
        new: Point = (t, f_new, g_new, g_new.dot(evaluate.direction))
        if f_new > f + c1 * t * gtd or (ls_iter > 1 and f_new >= previous[1]):
            return [previous, new], False, ls_iter, evals  # (too little decrease: a minimum lies between)
        if abs(new[3]) <= -c2 * gtd:
            return [new], True, ls_iter, evals  # (t itself meets the strong Wolfe conditions)
        if new[3] >= 0:
            return [previous, new], False, ls_iter, evals  # (the slope turned: a minimum lies between)
        t_next = _cubic_interpolate(previous[0], previous[1], previous[3], t, f_new, new[3],
                                    bounds=(t + 0.01 * (t - previous[0]), t * 10))
        previous, t = new, t_next
        f_new, g_new = evaluate(t)
        evals, ls_iter = evals + 1, ls_iter + 1
    return [(0, f, g, None), (t, f_new, g_new, None)], False, ls_iter, evals


def _strong_wolfe(evaluate: Callable, t: float, f: float, g: np.ndarray, gtd: float, max_ls: int,
                  c1: float = 1e-4, c2: float = 0.9, tolerance_change: float = 1e-9) -> tuple[float, Any, Any, int]:
    """A step length meeting the strong Wolfe conditions along ``evaluate.direction``:
    bracket, then zoom in by safeguarded cubic interpolation. Returns (loss,
    flat gradient, t, evaluations)."""
    d_norm = np.abs(evaluate.direction).max()
    bracket, done, ls_iter, evals = _bracket(evaluate, t, f, g, gtd, c1, c2, max_ls)
    low, high = (0, 1) if bracket[0][1] <= bracket[-1][1] else (1, 0)
    stuck = False  # (the last trial made too little progress inside the interval)
    while not done and ls_iter < max_ls:
        (t0, f0, _, gtd0), (t1, f1, _, gtd1) = bracket
        if abs(t1 - t0) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(t0, f0, gtd0, t1, f1, gtd1)
        top, bottom = max(t0, t1), min(t0, t1)
        margin = 0.1 * (top - bottom)
        if min(top - t, t - bottom) < margin:  # too near an end: move it in, unless the last try was fine
            if stuck or t >= top or t <= bottom:
                t = top - margin if abs(t - top) < abs(t - bottom) else bottom + margin
                stuck = False
            else:
                stuck = True
        else:
            stuck = False
        f_new, g_new = evaluate(t)
        evals, ls_iter = evals + 1, ls_iter + 1
        new: Point = (t, f_new, g_new, g_new.dot(evaluate.direction))
        if f_new > f + c1 * t * gtd or f_new >= bracket[low][1]:
            bracket[high] = new
            low, high = (0, 1) if bracket[0][1] <= bracket[1][1] else (1, 0)
            continue
        if abs(new[3]) <= -c2 * gtd:
            done = True
        elif new[3] * (bracket[high][0] - bracket[low][0]) >= 0:
            bracket[high] = bracket[low]
        bracket[low] = new
    t, f_new, g_new, _ = bracket[low]
    return f_new, g_new, t, evals


class LBFGS(Optimizer):
    """L-BFGS with PyTorch's arguments and rule. ``step(closure)`` runs up to
    ``max_iter`` iterations (``max_eval`` loss evaluations, default
    ``max_iter * 5 // 4``); ``closure()`` clears the gradients, computes the
    loss, calls ``backward()`` and returns the loss::

        def closure():
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            return loss
        opt.step(closure)

    Each iteration: direction d = -H g from the last ``history_size`` steps
    (the two-loop recursion); step t = lr (the first ever: min(1, 1/|g|_1) lr),
    or a strong-Wolfe line search along d; stop when max|g| <= tolerance_grad,
    or the step or the loss changes by less than tolerance_change. One
    parameter group; Tensor parameters only.
    """

    def __init__(self, params: Iterable[Any], lr: float = 1, max_iter: int = 20, max_eval: int | None = None,
                 tolerance_grad: float = 1e-7, tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None) -> None:
        max_eval = max_iter * 5 // 4 if max_eval is None else max_eval
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change, history_size=history_size,
                                      line_search_fn=line_search_fn))
        if len(self.param_groups) != 1:
            raise ValueError(f"LBFGS: takes one parameter group (as PyTorch's), got {len(self.param_groups)}")
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor):
                raise TypeError(f"LBFGS: parameter {i} is a scalar Value; LBFGS optimises Tensors "
                                "(make it ag.tensor(x, requires_grad=True))")
        self._params = self.param_groups[0]["params"]

    @classmethod
    def _check_options(cls, lr: float, max_iter: int, max_eval: int, tolerance_grad: float,
                       tolerance_change: float, history_size: int, line_search_fn: str | None) -> None:
        _require_numbers("LBFGS", lr=lr, tolerance_grad=tolerance_grad, tolerance_change=tolerance_change)
        if lr < 0:
            raise ValueError(f"LBFGS: lr must be >= 0, got {lr}")
        for key, value in (("max_iter", max_iter), ("max_eval", max_eval), ("history_size", history_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"LBFGS: {key} must be an int >= 1, got {value!r}")
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(f"LBFGS: line_search_fn must be None or 'strong_wolfe', got {line_search_fn!r}")

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        raise ValueError("LBFGS: takes one parameter group (as PyTorch's); make a new LBFGS over all the parameters")

    def _flat_grad(self) -> np.ndarray:
        return np.concatenate([np.zeros(p.numel(), p.numpy().dtype) if p.grad is None else p.grad.numpy().reshape(-1)
                               for p in self._params])

    def _add_to_params(self, step: float, update: np.ndarray) -> None:
        """p <- p + step * update, update cut into the parameters' shapes."""
        offset = 0
        for p in self._params:
            w = p.numpy()
            w += step * update[offset:offset + w.size].reshape(w.shape)
            offset += w.size
            increment_version(p)

    def _set_params(self, values: list[np.ndarray]) -> None:
        for p, value in zip(self._params, values):
            np.copyto(p.numpy(), value)
            increment_version(p)

    def _evaluate(self, closure: Callable[[], Any]) -> Any:
        with enable_grad():
            return closure()

    def _direction(self, state: dict[str, Any], flat_grad: np.ndarray, history_size: int) -> np.ndarray:
        """-H g by the two-loop recursion over the stored (s, y) pairs, after
        adding the last step's pair when its curvature y.s is positive."""
        if state["n_iter"] == 1:
            state.update(old_dirs=[], old_stps=[], ro=[], H_diag=1)
            return -flat_grad
        dirs, steps, ro = state["old_dirs"], state["old_stps"], state["ro"]
        y = flat_grad - state["prev_flat_grad"]
        s = state["d"] * state["t"]
        ys = y.dot(s)
        if ys > 1e-10:
            if len(dirs) == history_size:
                del dirs[0], steps[0], ro[0]
            dirs.append(y)
            steps.append(s)
            ro.append(1.0 / ys)
            state["H_diag"] = ys / y.dot(y)
        al = state.setdefault("al", [None] * history_size)
        q = -flat_grad
        for i in range(len(dirs) - 1, -1, -1):
            al[i] = steps[i].dot(q) * ro[i]
            q = q - al[i] * dirs[i]
        r = q * state["H_diag"]
        for i in range(len(dirs)):
            r = r + (al[i] - dirs[i].dot(r) * ro[i]) * steps[i]
        return r

    def _line_search(self, closure: Callable[[], Any], t: float, d: np.ndarray, loss: float,
                     flat_grad: np.ndarray, gtd: float, max_ls: int) -> tuple[float, np.ndarray, float, int]:
        start = [p.numpy().copy() for p in self._params]

        def evaluate(step: float) -> tuple[float, np.ndarray]:
            self._add_to_params(step, d)
            value = float(self._evaluate(closure))
            grad = self._flat_grad()
            self._set_params(start)
            return value, grad

        evaluate.direction = d  # type: ignore[attr-defined]
        loss, flat_grad, t, evals = _strong_wolfe(evaluate, t, loss, flat_grad, gtd, max_ls)
        self._add_to_params(t, d)
        return loss, flat_grad, t, evals

    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        """Up to ``max_iter`` L-BFGS iterations; returns the closure's first loss."""
        if closure is None:
            raise TypeError("LBFGS.step: needs a closure that clears the gradients, computes the loss, calls "
                            "backward() and returns the loss: opt.step(closure)")
        h = self.param_groups[0]
        state = self.state.setdefault(id(self._params[0]), {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        first_loss = self._evaluate(closure)
        loss, evals, flat_grad = float(first_loss), 1, self._flat_grad()
        state["func_evals"] += 1
        if np.abs(flat_grad).max() <= h["tolerance_grad"]:
            return first_loss
        for n_iter in range(1, h["max_iter"] + 1):
            state["n_iter"] += 1
            d = state["d"] = self._direction(state, flat_grad, h["history_size"])
            state["prev_flat_grad"], state["prev_loss"] = flat_grad.copy(), loss
            t = state["t"] = min(1.0, 1.0 / np.abs(flat_grad).sum()) * h["lr"] if state["n_iter"] == 1 else h["lr"]
            gtd = flat_grad.dot(d)
            if gtd > -h["tolerance_change"]:
                break
            if h["line_search_fn"] is not None:
                loss, flat_grad, t, used = self._line_search(closure, t, d, loss, flat_grad, gtd,
                                                             h["max_eval"] - evals)
                state["t"] = t
            else:
                self._add_to_params(t, d)
                used = 0
                if n_iter != h["max_iter"]:  # (the last iteration's loss is left for the next step)
                    loss, flat_grad, used = float(self._evaluate(closure)), self._flat_grad(), 1
            evals += used
            state["func_evals"] += used
            if (n_iter == h["max_iter"] or evals >= h["max_eval"] or np.abs(flat_grad).max() <= h["tolerance_grad"]
                    or np.abs(d * t).max() <= h["tolerance_change"] or abs(loss - state["prev_loss"]) <
                    h["tolerance_change"]):
                break
        return first_loss
