"""An optimizer's ``state_dict()`` in PyTorch's layout, and loading one back.

The layout is torch's::

    {"state": {0: {"step": 3, "exp_avg": array, ...}, 1: {...}},
     "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), ..., "params": [0, 1]}]}

Parameters are numbered 0, 1, ... in the order of the groups and of each
group's ``params``. Arrays are numpy copies (a snapshot, as a model's
``state_dict()``); ``step`` is an int (torch keeps a float tensor). A state
dict saved by PyTorch loads too: its tensors are read through ``np.asarray``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np

from autograd import Value

# torch's group flags that change how an update runs, not what it computes: dropped on load
_EXECUTION_FLAGS = frozenset({"foreach", "fused", "capturable", "differentiable"})


def optimizer_state_dict(opt: Any) -> dict[str, Any]:
    """``opt``'s state and parameter groups, parameters as indices (a copy)."""
    index = {id(p): i for i, p in enumerate(opt.params)}
    state = {index[key]: copy.deepcopy(entry) for key, entry in opt.state.items() if key in index and entry}
    groups = [{**copy.deepcopy({k: v for k, v in g.items() if k != "params"}),
               "params": [index[id(p)] for p in g["params"]]} for g in opt.param_groups]
    return {"state": dict(sorted(state.items())), "param_groups": groups}


def load_optimizer_state_dict(opt: Any, state_dict: Mapping[str, Any]) -> None:
    """Replace ``opt``'s state and group options by ``state_dict``'s, all or
    nothing: every group, index, option and shape is checked first."""
    name = f"{type(opt).__name__}.load_state_dict"
    if not isinstance(state_dict, Mapping) or set(state_dict) != {"state", "param_groups"}:
        keys = sorted(state_dict) if isinstance(state_dict, Mapping) else type(state_dict).__name__
        raise ValueError(f"{name}: expected a dict with 'state' and 'param_groups' (an optimizer's state_dict()), "
                         f"got {keys}")
    saved_groups = list(state_dict["param_groups"])
    if len(saved_groups) != len(opt.param_groups):
        raise ValueError(f"{name}: the state dict has {len(saved_groups)} parameter groups, "
                         f"this optimizer has {len(opt.param_groups)}")
    params: dict[int, Any] = {}
    new_groups = []
    for j, (saved, group) in enumerate(zip(saved_groups, opt.param_groups)):
        indices = list(saved.get("params", ()))
        if len(indices) != len(group["params"]):
            raise ValueError(f"{name}: parameter group {j} has {len(indices)} parameters in the state dict, "
                             f"{len(group['params'])} in this optimizer")
        params.update(zip((int(i) for i in indices), group["params"]))
        new_groups.append(_group_options(opt, name, j, saved))
    new_state = {}
    for key, entry in dict(state_dict["state"]).items():
        index = int(key)
        if index not in params:
            raise ValueError(f"{name}: the state dict has state for parameter {index}, which no group lists")
        p = params[index]
        new_state[id(p)] = {k: _state_value(opt, name, index, p, k, v) for k, v in dict(entry).items()}
    for group, options in zip(opt.param_groups, new_groups):
        kept = group["params"]
        group.clear()
        group.update(options, params=kept)
    opt.state = new_state


def _group_options(opt: Any, name: str, j: int, saved: Mapping[str, Any]) -> dict[str, Any]:
    """The saved group's options (torch's execution flags dropped), checked."""
    options = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params" and k not in _EXECUTION_FLAGS}
    if "maximize" not in opt.defaults and options.pop("maximize", False):
        raise ValueError(f"{name}: parameter group {j} has maximize=True, which glassgrad's {type(opt).__name__} "
                         "does not have; minimise the negated objective instead")
    if "decoupled_weight_decay" not in opt.defaults:
        decoupled = bool(options.pop("decoupled_weight_decay", getattr(opt, "decoupled", False)))
        if decoupled != bool(getattr(opt, "decoupled", False)):
            other = "AdamW" if decoupled else "Adam"
            raise ValueError(f"{name}: parameter group {j} has decoupled_weight_decay={decoupled}; "
                             f"load it into nn.optim.{other}")
    if "betas" in options:
        options["betas"] = tuple(float(b) for b in options["betas"])
    missing = set(opt.defaults) - set(options)
    if missing:
        raise ValueError(f"{name}: parameter group {j} lacks options {sorted(missing)}")
    type(opt)._check_options(**{k: options[k] for k in opt.defaults})
    return options


def _state_value(opt: Any, name: str, index: int, p: Any, key: str, value: Any) -> Any:
    """One saved state value in glassgrad's form: arrays as fresh numpy arrays
    of the parameter's dtype (shape checked where the state is per element),
    0-d values as numbers, ``step`` as an int."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_state_value(opt, name, index, p, key, v) for v in value)
    arr = np.asarray(value)
    if arr.ndim == 0 or isinstance(p, Value):
        number = arr.item() if arr.size == 1 else None
        if number is None:
            raise ValueError(f"{name}: state {key!r} of parameter {index} has shape {arr.shape}; "
                             "a scalar Value's state is a number")
        return int(number) if key == "step" and float(number).is_integer() else float(number)
    like = p.numpy()
    if key in getattr(opt, "_elementwise_state", ()) and arr.shape != like.shape:
        raise ValueError(f"{name}: state {key!r} of parameter {index} has shape {arr.shape}, "
                         f"the parameter has shape {like.shape}")
    return np.array(arr, dtype=like.dtype if arr.dtype.kind == "f" else arr.dtype)
