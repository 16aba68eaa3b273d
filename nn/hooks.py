"""Module hooks, as ``torch.nn.Module`` has them: the handle that removes one,
and the gradient taps behind ``register_full_backward_hook``.

A full backward hook ``hook(module, grad_input, grad_output)`` needs the
gradients at the module's boundary. The module's call passes each input and
output Tensor that requires grad through ``GradTap``, an identity Function
(PyTorch's form) whose backward reports the gradient flowing through it:
the output taps run first (``grad_output``), the input taps last
(``grad_input``), and when the last expected gradient has arrived the hooks
run. That is PyTorch's ``BackwardHookFunction`` idea, written with
autograd's public ``Function``. A hook may return a new ``grad_input`` when at
most one input requires grad (with several, the others have moved on by
then: that case raises, naming it).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from autograd import Function, Tensor, is_grad_enabled

__all__ = ["RemovableHandle", "GradTap", "BackwardHookCall"]

_ids = itertools.count()


class RemovableHandle:
    """What ``register_*_hook`` returns: ``handle.remove()`` removes the hook
    (also ``with handle:`` and, glassgrad's older spelling, ``handle()``)."""

    def __init__(self, hooks: dict[int, Any]) -> None:
        self.hooks = hooks
        self.id = next(_ids)

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __call__(self) -> None:
        self.remove()

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


class GradTap(Function):
    """y = x, reporting the gradient dL/dy as it passes: dL/dx = report(dL/dy)."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, report: Callable[[Tensor], Tensor]) -> Tensor:
        ctx.report = report
        return x

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return ctx.report(grad), None


class BackwardHookCall:
    """One forward call of a module with full backward hooks: taps its inputs
    and outputs, collects their gradients, and runs the hooks once."""

    def __init__(self, module: Any, hooks: list[Callable[..., Any]]) -> None:
        self.module = module
        self.hooks = hooks
        self.grad_inputs: list[Any] = []
        self.grad_outputs: list[Any] = []
        self.waiting: set[int] = set()  # input positions whose gradient has not arrived
        self.outputs_waiting: set[int] = set()

    def tap_inputs(self, args: tuple) -> tuple:
        self.grad_inputs = [None] * len(args)
        tapped = list(args)
        if is_grad_enabled():
            for i, a in enumerate(args):
                if isinstance(a, Tensor) and a.requires_grad:
                    self.waiting.add(i)
                    tapped[i] = GradTap.apply(a, self._input_report(i))
        return tuple(tapped)

    def tap_outputs(self, out: Any) -> Any:
        items = list(out) if isinstance(out, tuple) else [out]
        self.grad_outputs = [None] * len(items)
        for j, o in enumerate(items):
            if isinstance(o, Tensor) and o.requires_grad:
                self.outputs_waiting.add(j)
                items[j] = GradTap.apply(o, self._output_report(j))
        return tuple(items) if isinstance(out, tuple) else items[0]

    def _output_report(self, j: int) -> Callable[[Tensor], Tensor]:
        def report(grad: Tensor) -> Tensor:
            self.grad_outputs[j] = grad
            self.outputs_waiting.discard(j)
            if not self.waiting and not self.outputs_waiting:  # no input needs a gradient
                self._run_hooks(None)
            return grad
        return report

    def _input_report(self, i: int) -> Callable[[Tensor], Tensor]:
        def report(grad: Tensor) -> Tensor:
            self.grad_inputs[i] = grad
            self.waiting.discard(i)
            if self.waiting:
                return grad
            return self._run_hooks(i)
        return report

    def _run_hooks(self, last: int | None) -> Any:
        """Call every hook; a returned tuple replaces ``grad_input``."""
        grad_input = tuple(self.grad_inputs)
        for hook in self.hooks:
            result = hook(self.module, grad_input, tuple(self.grad_outputs))
            if result is None:
                continue
            result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
            if len(result) != len(grad_input):
                raise RuntimeError(f"backward hook of {type(self.module).__name__}: returned {len(result)} "
                                   f"gradients for {len(grad_input)} inputs")
            changed = [k for k in range(len(grad_input)) if result[k] is not grad_input[k] and k != last]
            if changed:
                raise RuntimeError(f"backward hook of {type(self.module).__name__}: it may replace grad_input "
                                   "only for a module with at most one input that requires grad; inputs "
                                   f"{changed} had already passed on their gradients")
            grad_input = result
        return None if last is None else grad_input[last]
