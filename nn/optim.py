"""Optimizers, for both kinds of parameter: a ``Tensor`` (its array
``p.numpy()``, ``.grad`` a Tensor or None) and a scalar ``Value`` (``.data``
and ``.grad`` floats).

Every step is all-or-nothing: every gradient is checked before anything is
written. The built-in optimizers then update each array parameter in place,
block by block (``_update_in_place``); a subclass that defines only
``_update`` computes every new value first and then writes them all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from autograd import Tensor, Value, from_numpy, no_grad
from autograd.graph import increment_version

from ._blas import axpby, axpy

BLOCK = 1 << 18  # elements per block of an in-place update (1 MB of float32): its temporaries stay in cache

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "StepLR", "CosineAnnealingLR", "clip_grad_norm_"]


def _grad_of(p: Any) -> Any:
    """The parameter's gradient as a float or array (None: no gradient yet)."""
    if isinstance(p, Value):
        return p.grad
    return None if p.grad is None else p.grad.numpy()


def _require_numbers(name: str, **values: Any) -> None:
    """Hyperparameters must be real numbers (checked before any comparison)."""
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{name}: {key} must be a number, got {value!r}")


class Optimizer:
    """Base class: parameter groups, per-parameter state, ``zero_grad`` and the
    all-or-nothing ``step``.

    ``params`` is an iterable of parameters, or of dicts (PyTorch's parameter
    groups): ``[{"params": body}, {"params": head, "lr": 1e-3}]``, each group's
    options overriding the defaults. ``opt.param_groups`` holds them; a
    scheduler, or you, may change a group's ``"lr"``. ``opt.lr`` (and the other
    options) read the first group and set every group.

    A subclass defines ``_update(w, g, state, h)``, returning ``(delta,
    new_state)`` for the step ``p <- p - delta``; ``w`` and ``g`` are the
    parameter's value and gradient (arrays, or floats for a ``Value``), ``h``
    its group (its hyperparameters by name, ``h["lr"]``).
    """

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        name = type(self).__name__
        items = list(params)
        groups = items if items and all(isinstance(g, dict) for g in items) else [{"params": items}]
        self.defaults = defaults
        self.param_groups: list[dict[str, Any]] = []
        for j, group in enumerate(groups):
            if "params" not in group:
                raise ValueError(f"{name}: parameter group {j} has no 'params'")
            unknown = set(group) - set(defaults) - {"params"}
            if unknown:
                raise ValueError(f"{name}: parameter group {j} has unknown options {sorted(unknown)}; "
                                 f"known: {sorted(defaults)}")
            ps = [group["params"]] if isinstance(group["params"], (Tensor, Value)) else list(group["params"])
            self.param_groups.append({**defaults, **group, "params": ps})
        self._validate_groups()
        self.params = [p for g in self.param_groups for p in g["params"]]
        if not self.params:
            raise ValueError(f"{name}: got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, (Tensor, Value)):
                raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, not a Tensor or Value")
        self.state: dict[int, dict[str, Any]] = {}
        self._work: dict[Any, np.ndarray] = {}  # a block's work array, by dtype (see _blocks)

    def _validate_groups(self) -> None:
        """Check every group's options (the defaults included: each group holds them)."""
        for group in self.param_groups:
            type(self)._check_options(**{k: v for k, v in group.items() if k != "params"})

    @classmethod
    def _check_options(cls, **options: Any) -> None:
        """Raise on invalid hyperparameters (subclasses check theirs)."""

    def __getattr__(self, name: str) -> Any:
        groups = self.__dict__.get("param_groups")
        if groups and name in self.__dict__.get("defaults", {}):
            return groups[0][name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.__dict__.get("defaults", {}) and "param_groups" in self.__dict__:
            for group in self.param_groups:  # opt.lr = 0.01: every group
                group[name] = value
        else:
            object.__setattr__(self, name, value)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear gradients (Tensor grads become None; Value grads 0.0)."""
        for p in self.params:
            if isinstance(p, Value):
                p.grad = 0.0
            elif set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad = Tensor(np.zeros_like(p.numpy()))

    def step(self) -> None:
        """Apply one update to every parameter that has a gradient. Every
        gradient is checked first; then each array parameter is updated in
        place (``_update_in_place``, for the built-in optimizers), or, for a
        subclass that defines only ``_update``, every update is computed before
        any is written. Either way an error leaves the model unchanged."""
        # (this loop runs for every parameter on every training step, so it
        # reads the gradients itself rather than calling _grad_of)
        checked = []
        i = 0
        for h in self.param_groups:
            for p in h["params"]:
                i += 1
                g = p.grad
                if g is None:
                    continue
                if isinstance(p, Value):
                    checked.append((p, p.data, g, h))
                    continue
                g, w = g.numpy(), p.numpy()
                if g.shape != w.shape:
                    raise ValueError(f"{type(self).__name__}.step: parameter {i - 1} has shape {w.shape} "
                                     f"but its gradient has shape {g.shape}; nothing was updated")
                checked.append((p, w, g, h))
        state = self.state
        if type(self)._update_in_place is not Optimizer._update_in_place:
            arrays = [item for item in checked if type(item[0]) is not Value]
            if len(arrays) < len(checked):
                self._commit([item for item in checked if type(item[0]) is Value])
            update = self._update_in_place
            for p, w, g, h in arrays:  # (checked: nothing below raises)
                update(p, w, g, state.setdefault(id(p), {}), h)
        else:
            self._commit(checked)

    def _commit(self, checked: list) -> None:
        """Every update computed by ``_update`` first, then all written."""
        state = self.state
        updates = []
        for p, w, g, h in checked:
            old = state.get(id(p))
            updates.append((p, *self._update(w, g, dict(old) if old else {}, h)))
        with no_grad():
            for p, delta, new_state in updates:
                if isinstance(p, Value):
                    p.data = float(p.data - delta)
                else:
                    p.sub_(delta)  # in place (views of p stay valid); float64 steps cast into float32
                if new_state:  # (a stateless update keeps no entry)
                    state[id(p)] = new_state

    def _update_in_place(self, p: Any, w: np.ndarray, g: np.ndarray, state: dict[str, Any],
                         h: dict[str, Any]) -> None:
        """The same step as ``_update`` for an array parameter, written in
        place into ``w`` (``p``'s array) and ``state``'s arrays, block by block
        (``_blocks``), then ``increment_version(p)``. Called only after every
        gradient was checked, so it must not raise."""
        raise NotImplementedError

    def _blocks(self, arrays: list, like: np.ndarray) -> Iterable[tuple]:
        """The arrays (None allowed) cut into blocks of the same BLOCK elements,
        each with a work array of its size, so that an update's temporaries
        stay in the CPU's cache (one trip through memory, as a fused kernel);
        whole arrays when they are small or one is not contiguous. The work
        array is reused across parameters and steps."""
        work = self._work.get(like.dtype)
        if work is None:
            work = self._work[like.dtype] = np.empty(BLOCK, dtype=like.dtype)
        size = like.size
        if size <= BLOCK:  # (most parameters: one block, no flattening)
            return ((*arrays, work[:size].reshape(like.shape)),)
        if not all(a is None or a.flags.c_contiguous for a in arrays):
            return ((*arrays, np.empty_like(like)),)
        return self._flat_blocks(arrays, work, size)

    @staticmethod
    def _flat_blocks(arrays: list, work: np.ndarray, size: int) -> Iterator[tuple]:
        flat = [None if a is None else a.reshape(-1) for a in arrays]
        for start in range(0, size, BLOCK):
            block = slice(start, min(start + BLOCK, size))
            yield (*[None if f is None else f[block] for f in flat], work[: block.stop - start])

    def _update(self, w: Any, g: Any, state: dict[str, Any], h: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        """Return (delta, new_state): the step is p <- p - delta (``w``: p's value, ``h``: the group's options)."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's rule::

        g = grad + weight_decay * p
        buf = g (first step), else momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf      (when momentum != 0)
        p = p - lr * g
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False) -> None:
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    @classmethod
    def _check_options(cls, lr: float, momentum: float, dampening: float, weight_decay: float,
                       nesterov: bool) -> None:
        _require_numbers("SGD", lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay)
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError(f"SGD: lr, momentum and weight_decay must be >= 0, got {lr}, {momentum}, {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: nesterov momentum needs momentum > 0 and dampening = 0")

    def _update(self, w, g, state, h):
        if h["weight_decay"]:
            g = g + h["weight_decay"] * w
        momentum = h["momentum"]
        if momentum:
            buf = state.get("momentum_buffer")
            buf = g if buf is None else momentum * buf + (1 - h["dampening"]) * g
            buf = buf.copy() if isinstance(buf, np.ndarray) else buf
            state["momentum_buffer"] = buf
            g = g + momentum * buf if h["nesterov"] else buf
        return h["lr"] * g, state

    def _update_in_place(self, p, w, g, state, h):
        lr, weight_decay, momentum = h["lr"], h["weight_decay"], h["momentum"]
        buf = state.get("momentum_buffer")
        first = momentum and buf is None
        if first:
            buf = state["momentum_buffer"] = np.empty_like(w)
        arrays = [w, g, buf if momentum else None]
        # (axpy and axpby make no temporaries, so without decay or nesterov there is nothing to keep in cache)
        blocks = self._blocks(arrays, w) if weight_decay or h["nesterov"] else ((*arrays, None),)
        for wb, gb, bb, work in blocks:
            if weight_decay:  # (the gradient itself is never written)
                gb = np.add(gb, np.multiply(wb, weight_decay, out=work), out=work)
            if momentum:
                if first:
                    np.copyto(bb, gb)
                else:
                    axpby(1 - h["dampening"], gb, momentum, bb)
                if h["nesterov"]:  # g + momentum * buf
                    if gb is not work:
                        np.copyto(work, gb)
                        gb = work
                    axpy(momentum, bb, gb)
                else:
                    gb = bb
            axpy(-lr, gb, wb)
        increment_version(p)


def _check(name: str, lr: float, eps: float, betas: tuple[float, float] | None = None, wd: float = 0.0) -> None:
    _require_numbers(name, lr=lr, eps=eps, weight_decay=wd, **({"beta1": betas[0], "beta2": betas[1]} if betas else {}))
    if lr < 0 or eps < 0 or wd < 0:
        raise ValueError(f"{name}: lr, eps and weight_decay must be >= 0, got {lr}, {eps}, {wd}")
    if betas is not None and not all(0.0 <= b < 1.0 for b in betas):
        raise ValueError(f"{name}: betas must be in [0, 1), got {betas}")


def _sqrt(x: Any) -> Any:
    return np.sqrt(x) if isinstance(x, np.ndarray) else math.sqrt(x)


class Adam(Optimizer):
    """Adam, PyTorch's rule (weight decay added to the gradient, "L2")::

        g = grad + weight_decay * p
        m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g**2      (v_max = max(v_max, v) with amsgrad)
        p = p - lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)
    """

    decoupled = False

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        super().__init__(params, dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad))

    @classmethod
    def _check_options(cls, lr: float, betas: Any, eps: float, weight_decay: float, amsgrad: bool) -> None:
        _check(cls.__name__, lr, eps, tuple(betas), weight_decay)

    def _update(self, w, g, state, h):
        b1, b2 = h["betas"]
        lr, weight_decay = h["lr"], h["weight_decay"]
        decay = 0.0
        if weight_decay:
            if self.decoupled:
                decay = lr * weight_decay * w  # p * (1 - lr wd) = p - lr wd p
            else:
                g = g + weight_decay * w
        t = state.get("step", 0) + 1
        m = b1 * state.get("exp_avg", 0.0) + (1 - b1) * g
        v = b2 * state.get("exp_avg_sq", 0.0) + (1 - b2) * g * g
        state.update(step=t, exp_avg=m, exp_avg_sq=v)
        if h["amsgrad"]:
            v = np.maximum(state.get("max_exp_avg_sq", 0.0), v)
            state["max_exp_avg_sq"] = v
        denom = _sqrt(v) / math.sqrt(1 - b2**t) + h["eps"]
        return decay + (lr / (1 - b1**t)) * m / denom, state

    def _update_in_place(self, p, w, g, state, h):
        b1, b2 = h["betas"]
        lr, weight_decay, eps = h["lr"], h["weight_decay"], h["eps"]
        if "exp_avg" not in state:
            state.update(step=0, exp_avg=np.zeros_like(w), exp_avg_sq=np.zeros_like(w))
            if h["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(w)
        t = state["step"] = state["step"] + 1
        # lr/(1-b1^t) m / (sqrt(v)/sqrt(1-b2^t) + eps) = step_size m / (sqrt(v) + eps sqrt(1-b2^t)): one pass less
        root = math.sqrt(1 - b2**t)
        step_size, eps = lr / (1 - b1**t) * root, eps * root
        keep = 1 - lr * weight_decay if weight_decay and self.decoupled else None
        arrays = [w, g, state["exp_avg"], state["exp_avg_sq"], state.get("max_exp_avg_sq")]
        for wb, gb, m, v, v_max, work in self._blocks(arrays, w):
            if weight_decay and not self.decoupled:
                gb = gb + weight_decay * wb
            axpby(1 - b1, gb, b1, m)
            axpby(1 - b2, np.multiply(gb, gb, out=work), b2, v)
            if v_max is not None:
                v = np.maximum(v_max, v, out=v_max)
            denom = np.sqrt(v, out=work)
            denom += eps
            if keep is not None:  # AdamW: p * (1 - lr wd), then the Adam step
                wb *= keep
            axpy(-step_size, np.divide(m, denom, out=work), wb)
        increment_version(p)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), PyTorch's rule:
    p = p * (1 - lr * weight_decay), then the Adam step without decay. Default
    weight_decay=0.01."""

    decoupled = True

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.01, amsgrad: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


class RMSprop(Optimizer):
    """RMSprop, PyTorch's rule::

        g = grad + weight_decay * p
        s = alpha s + (1 - alpha) g**2
        (centered: a = alpha a + (1 - alpha) g;  s_hat = s - a**2, else s_hat = s)
        d = g / (sqrt(s_hat) + eps)
        buf = momentum buf + d;  p = p - lr buf      (p = p - lr d without momentum)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False) -> None:
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered))

    @classmethod
    def _check_options(cls, lr: float, alpha: float, eps: float, weight_decay: float, momentum: float,
                       centered: bool) -> None:
        _check("RMSprop", lr, eps, None, weight_decay)
        if not 0.0 <= alpha <= 1.0 or momentum < 0:
            raise ValueError(f"RMSprop: alpha must be in [0, 1] and momentum >= 0, got {alpha}, {momentum}")

    def _update(self, w, g, state, h):
        a = h["alpha"]
        if h["weight_decay"]:
            g = g + h["weight_decay"] * w
        sq = a * state.get("square_avg", 0.0) + (1 - a) * g * g
        state["square_avg"] = sq
        if h["centered"]:
            ga = a * state.get("grad_avg", 0.0) + (1 - a) * g
            state["grad_avg"] = ga
            sq = sq - ga * ga
        d = g / (_sqrt(sq) + h["eps"])
        if h["momentum"]:
            buf = h["momentum"] * state.get("momentum_buffer", 0.0) + d
            state["momentum_buffer"] = buf
            d = buf
        return h["lr"] * d, state


class _Scheduler:
    """Sets each parameter group's ``"lr"`` from its own starting value."""

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = optimizer
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self.last_epoch = 0

    @property
    def base_lr(self) -> float:
        return self.base_lrs[0]

    def step(self) -> None:
        """Advance one epoch and set every group's learning rate."""
        self.last_epoch += 1
        for group, base in zip(self.optimizer.param_groups, self.base_lrs):
            group["lr"] = self._lr(base)

    def get_lr(self) -> float:
        """The first group's learning rate now."""
        return self._lr(self.base_lrs[0])

    def _lr(self, base: float) -> float:
        raise NotImplementedError


class StepLR(_Scheduler):
    """lr = base_lr * gamma ** (epoch // step_size)."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if step_size < 1:
            raise ValueError(f"StepLR: step_size must be >= 1, got {step_size}")
        super().__init__(optimizer)
        self.step_size, self.gamma = step_size, gamma

    def _lr(self, base: float) -> float:
        return base * self.gamma ** (self.last_epoch // self.step_size)


class CosineAnnealingLR(_Scheduler):
    """lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:  # noqa: N803
        if T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be >= 1, got {T_max}")
        super().__init__(optimizer)
        self.T_max, self.eta_min = T_max, eta_min

    def _lr(self, base: float) -> float:
        return self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2


def clip_grad_norm_(params: Iterable[Any], max_norm: float, norm_type: float = 2.0) -> float:
    """Scale all gradients together so their joint norm is at most ``max_norm``
    (coefficient max_norm / (norm + 1e-6), as PyTorch). Returns the norm before clipping."""
    params = [p for p in params if _grad_of(p) is not None]
    if not params:
        return 0.0
    grads = [np.asarray(_grad_of(p), dtype=np.float64) for p in params]
    if norm_type == math.inf:
        total = max(float(np.max(np.abs(g))) for g in grads)
    else:
        total = float(sum(np.sum(np.abs(g) ** norm_type) for g in grads) ** (1.0 / norm_type))
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for p in params:
            if isinstance(p, Value):
                p.grad *= coef
            else:
                p.grad = from_numpy((p.grad.numpy() * coef).astype(p.grad.dtype))
    return total
