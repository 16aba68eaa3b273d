"""Grad mode and anomaly mode: thread-local switches, each a context manager
and a decorator (``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``, ``detect_anomaly``)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode",
    "detect_anomaly", "is_anomaly_enabled", "AnomalyError",
]

F = TypeVar("F", bound=Callable[..., Any])


class _GradMode(threading.local):
    enabled: bool = True


_mode = _GradMode()


class _AnomalyMode(threading.local):
    enabled: bool = False
    in_backward_of: str | None = None  # the rule running now (for messages)


_anomaly = _AnomalyMode()


def run_inside(make_context: Callable[[], Any], fn: F) -> F:
    """Decorator body shared by the switches: run ``fn`` inside a fresh
    ``make_context()`` on every call."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with make_context():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward (the default)."""
    return _mode.enabled


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()``."""
    return _anomaly.enabled


class set_grad_enabled:
    """Turn graph recording on or off; a context manager and a decorator.

    ``with set_grad_enabled(False): ...`` records nothing inside the block. As in
    PyTorch, calling it outside ``with`` sets the mode at once.
    """

    __slots__ = ("mode", "prev")

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev = _mode.enabled
        _mode.enabled = self.mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self.prev

    def __call__(self, fn: F) -> F:
        # used as a decorator: restore the mode we just set, switch per call
        _mode.enabled = self.prev
        mode = self.mode
        return run_inside(lambda: set_grad_enabled(mode), fn)


class _Switch:
    """Base of the mode switches: a context manager and a decorator that set
    ``state.enabled`` to ``value`` inside and restore it after."""

    _state: Any = _mode
    _value = True

    def __init__(self) -> None:
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(self._state.enabled)
        self._state.enabled = self._value

    def __exit__(self, *exc: object) -> None:
        self._state.enabled = self._prev.pop()

    def __call__(self, fn: F) -> F:
        return run_inside(type(self), fn)


class no_grad(_Switch):
    """Record nothing: ``with no_grad(): ...`` or ``@no_grad()``."""

    _value = False


class enable_grad(_Switch):
    """Record again inside a ``no_grad`` block: ``with enable_grad(): ...``."""

    _value = True


class inference_mode(_Switch):
    """PyTorch's ``inference_mode``: here the same as ``no_grad`` (nothing is
    recorded); ``inference_mode(False)`` records as usual."""

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self._value = not mode

    def __call__(self, fn: F) -> F:
        mode = not self._value
        return run_inside(lambda: inference_mode(mode), fn)


class AnomalyError(RuntimeError):
    """What ``detect_anomaly`` raises: the message names the op; ``node`` is the
    graph node whose backward rule produced the NaN or inf (None when it was a
    forward, whose output has no node yet), so that ``draw_graph(loss,
    highlight=error.node)`` shows where in the graph it was born."""

    def __init__(self, message: str, node: Any = None) -> None:
        super().__init__(message)
        self.node = node


class detect_anomaly(_Switch):
    """``with detect_anomaly(): ...`` raises ``AnomalyError`` at the first op
    whose forward or backward produces a NaN or an inf, naming the op and its
    input shapes. Slower: every op's output is checked. Also usable as a
    decorator."""

    _state = _anomaly
    _value = True
