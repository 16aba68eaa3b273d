"""``Module`` and ``Parameter``: the containers every model is built from.

A ``Module`` registers what is assigned to it, as PyTorch does: a
``Parameter`` (or a scalar ``Value``) becomes a parameter, another ``Module``
a child, and a list of them is registered element by element under the names
``"name.0"``, ``"name.1"``, ... (so micrograd-style ``self.neurons = [...]``
works). Buffers (state that is saved but not trained, such as BatchNorm's
running statistics) are registered with ``register_buffer``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor, Value, no_grad, zeros
from nn.hooks import BackwardHookCall, RemovableHandle

__all__ = ["Module", "Parameter", "IncompatibleKeys"]


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict(strict=False)`` did not match."""

    missing_keys: list[str]
    unexpected_keys: list[str]


class Parameter(Tensor):
    """A Tensor that is a trainable parameter: ``requires_grad`` is True by default,
    and assigning one to a ``Module`` attribute registers it."""

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None) -> None:
        super().__init__(data, requires_grad=requires_grad, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


def _snapshot(t: Tensor | Value) -> np.ndarray:
    """A copy of a parameter's or buffer's values, sharing no memory with it."""
    return np.array(t.data) if isinstance(t, Value) else t.numpy().copy()


def _is_param(x: object) -> bool:
    return isinstance(x, (Parameter, Value))


class Module:
    """Base class of all layers and models: subclass it and write ``forward``."""

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_forward_pre_hooks", {})
        object.__setattr__(self, "_forward_hooks", {})
        object.__setattr__(self, "_forward_hooks_with_kwargs", set())
        object.__setattr__(self, "_backward_hooks", {})

    def __getattr__(self, name: str) -> Any:
        """A registered parameter, buffer or child that is not a plain attribute
        (``ModuleDict(wte=...)`` gives ``self.transformer.wte``), as in PyTorch."""
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if name in d.get(store, ()):
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in ("_parameters", "_buffers", "_modules"):
            self.__dict__.get(store, {}).pop(name, None)
        if name in self.__dict__:
            object.__delattr__(self, name)

    # -- registration ----------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}: call super().__init__() before assigning attributes"
            )
        if name in self._buffers and (value is None or isinstance(value, Tensor) and not _is_param(value)):
            self._buffers[name] = value  # a new value for a buffer stays a buffer, as in PyTorch
            object.__setattr__(self, name, value)
            return
        for store in (self._parameters, self._modules, self._buffers):
            # forget any earlier registration under this name (and its list items)
            for key in [k for k in store if k == name or k.startswith(name + ".")]:
                del store[key]
        if _is_param(value):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        elif isinstance(value, (list, tuple)) and value:
            if all(_is_param(v) for v in value):
                for i, v in enumerate(value):
                    self._parameters[f"{name}.{i}"] = v
            elif all(isinstance(v, Module) for v in value):
                for i, v in enumerate(value):
                    self._modules[f"{name}.{i}"] = v
        object.__setattr__(self, name, value)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register non-trainable state: in ``buffers()``, not in ``parameters()``,
        and in ``state_dict`` unless ``persistent=False`` (a cache that is rebuilt, as in PyTorch)."""
        object.__setattr__(self, name, tensor)
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """``self.name = param``, as PyTorch's spelling (None registers nothing)."""
        if param is None:
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, param)

    def add_module(self, name: str, module: Module | None) -> None:
        """``self.name = module``, as PyTorch's spelling."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} is a {type(module).__name__}, not a Module")
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The descendant at a dotted path (``"transformer.h.0"``); ``""`` is this module."""
        mod: Module = self
        for part in target.split(".") if target else []:
            if part not in mod._modules:
                raise AttributeError(f"get_submodule: {type(mod).__name__} has no submodule {part!r} "
                                     f"(looking for {target!r})")
            mod = mod._modules[part]
        return mod

    # -- traversal: generators, as PyTorch's ------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """Yield ``(name, module)`` for this module and every descendant, depth first, once each."""
        seen: set[int] = set() if memo is None else memo
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if remove_duplicate:
                if id(mod) in seen:
                    continue
                seen.add(id(mod))
            yield name, mod
            children = [(n, c) for n, c in mod._modules.items() if c is not None]
            for child_name, child in reversed(children):
                stack.append((f"{name}.{child_name}" if name else child_name, child))

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen: set[int] = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def _named_members(self, store: str, prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse
                   else iter([(prefix, self)]))
        for mod_name, mod in modules:
            for name, p in getattr(mod, store).items():
                if p is None or (remove_duplicate and id(p) in seen):
                    continue
                seen.add(id(p))
                yield (f"{mod_name}.{name}" if mod_name else name), p

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
        """Yield ``(dotted_name, parameter)``, each parameter once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Any:
        """The trainable parameters: a generator, as PyTorch's
        (``next(model.parameters())``; ``list(...)`` to keep them). A
        micrograd-style model, whose parameters are all ``Value``s, gets a list,
        as micrograd gives (``len(model.parameters())``, reused every step)."""
        params = [p for _, p in self.named_parameters(recurse=recurse)]
        if params and all(isinstance(p, Value) for p in params):
            return params
        return iter(params)

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """Yield ``(dotted_name, buffer)`` (BatchNorm's running statistics, ...)."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """The buffers, as a generator."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # -- modes and gradients -----------------------------------------------------
    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every submodule, children first, then on this one
        (PyTorch's order; ``model.apply(init_weights)``); returns this module."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def train(self, mode: bool = True) -> Module:
        """Switch this module and its descendants to training mode (Dropout on)."""
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (Dropout off, BatchNorm uses running stats)."""
        return self.train(False)

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """``model.to(dtype)``, ``model.to("cpu")``, ``model.to(device, dtype)``,
        as PyTorch: floating-point parameters and buffers (and their gradients)
        are cast in place, keeping their identity, so an optimizer made before
        still holds them; a device other than the CPU is refused, naming what to
        write instead. Returns this module."""
        probes = [zeros((), dtype=d).to(*args, **kwargs) for d in ("float32", "float64")]  # checks the args
        if probes[0].dtype == np.float32 and probes[1].dtype == np.float64:
            return self  # a device, no dtype
        dtype = probes[0].dtype
        if dtype.kind != "f":
            raise TypeError(f"Module.to: only floating-point dtypes are accepted, got {dtype}")
        for t in list(self.parameters()) + [b for _, b in self.named_buffers()]:
            if isinstance(t, Tensor) and t.dtype.kind == "f" and t.dtype != dtype:
                t.data = t.data.to(dtype)
                if t.grad is not None:
                    t.grad = t.grad.to(dtype)
        return self

    def double(self) -> Module:
        """Cast floating-point parameters and buffers to float64 (``to(float64)``)."""
        return self.to(np.float64)

    def float(self) -> Module:
        """Cast floating-point parameters and buffers to float32 (``to(float32)``)."""
        return self.to(np.float32)

    def cpu(self) -> Module:
        """This module (glassgrad runs on the CPU)."""
        return self

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Switch gradient tracking of every Tensor parameter (freezing layers); returns this module."""
        for p in self.parameters():
            if isinstance(p, Tensor):
                p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear gradients: Tensor grads become None (or zeros), Value grads 0.0."""
        for p in self.parameters():
            if isinstance(p, Value):
                p.grad = 0.0
            elif set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad = Tensor(np.zeros_like(p.numpy()))

    # -- calling -------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks):
            return self.forward(*args, **kwargs)
        return self._call_with_hooks(args, kwargs)

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        """PyTorch's order: forward pre-hooks (may replace the inputs), the
        backward hooks' input taps, forward, the output taps, forward hooks (may
        replace the output)."""
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        call = BackwardHookCall(self, list(self._backward_hooks.values())) if self._backward_hooks else None
        if call is not None:
            args = call.tap_inputs(args)
        out = self.forward(*args, **kwargs)
        if call is not None:
            out = call.tap_outputs(out)
        for key, hook in list(self._forward_hooks.items()):
            if key in self._forward_hooks_with_kwargs:
                result = hook(self, args, kwargs, out)
            else:
                result = hook(self, args, out)
            if result is not None:
                out = result
        return out

    @staticmethod
    def _add_hook(hooks: dict[int, Any], hook: Callable[..., Any], prepend: bool) -> RemovableHandle:
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks_in_order = [(handle.id, hook), *[(k, h) for k, h in hooks.items() if k != handle.id]]
            hooks.clear()
            hooks.update(hooks_in_order)
        return handle

    def register_forward_pre_hook(self, hook: Callable[[Module, tuple], Any], *,
                                  prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before every forward; a value it returns
        (a tuple, or one value) replaces the positional inputs. Returns a handle: ``handle.remove()``."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend)

    def register_forward_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                              with_kwargs: bool = False, always_call: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` (``hook(module, args, kwargs,
        output)`` with ``with_kwargs=True``) after every forward; a value it
        returns replaces the output. Returns a handle: ``handle.remove()``."""
        handle = self._add_hook(self._forward_hooks, hook, prepend)
        if with_kwargs:
            self._forward_hooks_with_kwargs.add(handle.id)
        return handle

    def register_full_backward_hook(self, hook: Callable[[Module, tuple, tuple], Any], *,
                                    prepend: bool = False) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` in backward, once the
        gradients with respect to this module's inputs are known (one per
        positional argument, None where none flows; ``grad_output`` one per
        output Tensor). A tuple it returns replaces ``grad_input``, for a module
        with at most one input that requires grad (see ``nn.hooks``).
        Returns a handle: ``handle.remove()``."""
        return self._add_hook(self._backward_hooks, hook, prepend)

    # -- state -----------------------------------------------------------------------
    def state_dict(self, *, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> dict[str, Any]:
        """Every parameter and buffer by dotted name, as numpy arrays: a
        snapshot (copies, so ``best = model.state_dict()`` stays as it was
        while training goes on). Names and shapes match PyTorch's for the same
        layers (a tied weight under each of its names), so a state dict moves
        between the two through numpy arrays. ``keep_vars=True`` gives the parameters and buffers themselves."""
        out: dict[str, Any] = {} if destination is None else destination
        for name, t in self._state_entries().items():
            out[prefix + name] = t if keep_vars else _snapshot(t)
        return out

    def _state_entries(self) -> dict[str, Any]:
        """Each module's parameters, then its persistent buffers, module by module
        and by every name they have (a tied weight under each of its names): PyTorch's order."""
        entries: dict[str, Any] = {}
        for mod_name, mod in self.named_modules(remove_duplicate=False):
            own = [*mod._parameters.items(),
                   *[(n, b) for n, b in mod._buffers.items() if n not in mod._non_persistent_buffers]]
            for name, t in own:
                if t is not None:
                    entries[f"{mod_name}.{name}" if mod_name else name] = t
        return entries

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values into the parameters and buffers, all or nothing.

        Every key and shape is checked before anything changes; with
        ``strict=True`` (the default) missing or unexpected keys are errors too.
        Values are cast to each parameter's dtype, as PyTorch does. Accepts
        numpy arrays, Tensors, floats, or anything ``np.asarray`` takes (such
        as PyTorch tensors on the CPU).
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected a mapping of names to arrays, got {type(state_dict).__name__}")
        entries = self._state_entries()
        missing = [k for k in entries if k not in state_dict]
        unexpected = [k for k in state_dict if k not in entries]
        staged = []
        problems = []
        for name, target in entries.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            value = value.data if isinstance(value, (Tensor, Value)) else value
            try:
                arr = np.asarray(value)
            except Exception as e:  # noqa: BLE001 - report any conversion failure by key
                problems.append(f"{name}: cannot convert {type(value).__name__} to an array ({e})")
                continue
            shape = np.shape(target.data)
            if arr.shape != shape:
                problems.append(f"{name}: shape {arr.shape} in the state dict, {shape} in the model")
                continue
            if arr.dtype.kind not in "biuf":
                problems.append(f"{name}: dtype {arr.dtype} is not numeric")
                continue
            dtype = np.float64 if isinstance(target, Value) else target.dtype
            staged.append((target, arr.astype(dtype)))
        if strict and (missing or unexpected):
            if missing:
                problems.append(f"missing keys: {', '.join(missing)}")
            if unexpected:
                problems.append(f"unexpected keys: {', '.join(unexpected)}")
        if problems:
            raise RuntimeError(
                f"load_state_dict: {type(self).__name__} was left unchanged:\n  " + "\n  ".join(problems)
            )
        for target, arr in staged:  # commit: nothing above changed the model
            if isinstance(target, Value):
                target.data = float(arr)
            else:
                with no_grad():
                    target.copy_(arr)  # in place (marks the tensor as changed for backward's checks)
        return IncompatibleKeys(missing, unexpected)

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr."""
        return ""

    def __repr__(self) -> str:
        lines = [f"  ({name}): " + repr(m).replace("\n", "\n  ") for name, m in self._modules.items()]
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = f"{type(self).__name__}({extra}" if extra else f"{type(self).__name__}("
        return head + "\n" + "\n".join(lines) + "\n)"
