"""The optimizer base class, for both kinds of parameter: a ``Tensor`` (its array
``p.numpy()``, ``.grad`` a Tensor or None) and a scalar ``Value`` (``.data``
and ``.grad`` floats).

Every step is all-or-nothing: every gradient is checked before anything is
written. The built-in optimizers then update each array parameter in place,
block by block (``_update_in_place``); a subclass that defines only
``_update`` computes every new value first and then writes them all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from autograd import Tensor, Value, enable_grad, no_grad

from .state import load_optimizer_state_dict, optimizer_state_dict

BLOCK = 1 << 18  # elements per block of an in-place update (1 MB of float32): its temporaries stay in cache

__all__ = ["Optimizer", "BLOCK"]


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
        items = list(params)
        groups = items if items and all(isinstance(g, dict) for g in items) else [{"params": items}]
        self.defaults = defaults
        self.param_groups = [self._make_group(group, j) for j, group in enumerate(groups)]
        self._validate_groups()
        self.params = [p for g in self.param_groups for p in g["params"]]
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        self._check_params(self.params, 0)
        self.state: dict[int, dict[str, Any]] = {}
        self._work: dict[Any, np.ndarray] = {}  # a block's work array, by dtype (see _blocks)

    def _make_group(self, group: dict[str, Any], j: int) -> dict[str, Any]:
        """A group with the defaults filled in and its params as a list."""
        name = type(self).__name__
        if "params" not in group:
            raise ValueError(f"{name}: parameter group {j} has no 'params'")
        unknown = set(group) - set(self.defaults) - {"params"}
        if unknown:
            raise ValueError(f"{name}: parameter group {j} has unknown options {sorted(unknown)}; "
                             f"known: {sorted(self.defaults)}")
        ps = [group["params"]] if isinstance(group["params"], (Tensor, Value)) else list(group["params"])
        return {**self.defaults, **group, "params": ps}

    def _check_params(self, params: list[Any], first: int) -> None:
        for i, p in enumerate(params, first):
            if not isinstance(p, (Tensor, Value)):
                raise TypeError(f"{type(self).__name__}: parameter {i} is a {type(p).__name__}, not a Tensor or Value")

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group, as PyTorch's: options it leaves out take the
        optimizer's defaults; a parameter may be in one group only."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}.add_param_group: expected a dict with 'params', got {type(param_group).__name__}")
        group = self._make_group(param_group, len(self.param_groups))
        type(self)._check_options(**{k: group[k] for k in self.defaults})
        self._check_params(group["params"], len(self.params))
        held = {id(p) for p in self.params}
        if any(id(p) in held for p in group["params"]) or len({id(p) for p in group["params"]}) < len(group["params"]):
            raise ValueError(f"{name}.add_param_group: a parameter may be in one group only, and this group "
                             "repeats one or holds one already in another group")
        self.param_groups.append(group)
        self.params.extend(group["params"])

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

    # state entries with one number per element of their parameter (their shape is checked on load)
    _elementwise_state = frozenset({"exp_avg", "exp_avg_sq", "max_exp_avg_sq", "momentum_buffer", "square_avg",
                                    "grad_avg", "sum", "acc_delta"})

    def state_dict(self) -> dict[str, Any]:
        """A snapshot in PyTorch's layout: ``{"state": {index: {...}},
        "param_groups": [{options..., "params": [indices]}]}``, parameters
        numbered across the groups in order; arrays are numpy copies."""
        return optimizer_state_dict(self)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore ``state_dict()``'s moments, step counts and group options
        (PyTorch's own optimizer state dicts load too). All or nothing: the
        group sizes, indices, options and shapes are checked first."""
        load_optimizer_state_dict(self, state_dict)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear gradients (Tensor grads become None; Value grads 0.0)."""
        for p in self.params:
            if isinstance(p, Value):
                p.grad = 0.0
            elif set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad = Tensor(np.zeros_like(p.numpy()))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Apply one update to every parameter that has a gradient. Every
        gradient is checked first; then each array parameter is updated in
        place (``_update_in_place``, for the built-in optimizers), or, for a
        subclass that defines only ``_update``, every update is computed before
        any is written. Either way an error leaves the model unchanged.

        ``closure`` (as PyTorch's): a function that clears the gradients,
        computes the loss, calls ``backward()`` and returns the loss; it runs
        first (with gradients on), and its loss is returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
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
        return loss

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


def _check(name: str, lr: float, eps: float, betas: tuple[float, float] | None = None, wd: float = 0.0) -> None:
    _require_numbers(name, lr=lr, eps=eps, weight_decay=wd, **({"beta1": betas[0], "beta2": betas[1]} if betas else {}))
    if lr < 0 or eps < 0 or wd < 0:
        raise ValueError(f"{name}: lr, eps and weight_decay must be >= 0, got {lr}, {eps}, {wd}")
    if betas is not None and not all(0.0 <= b < 1.0 for b in betas):
        raise ValueError(f"{name}: betas must be in [0, 1), got {betas}")


def _sqrt(x: Any) -> Any:
    return np.sqrt(x) if isinstance(x, np.ndarray) else math.sqrt(x)


