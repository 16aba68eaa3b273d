"""Checks for notebook 01 (build your own Value): each compares the learner's
class with ``autograd.Value`` on the same expressions, data and gradients."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from autograd import Value as Reference

TOLERANCE = 1e-9


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def compare(pairs: dict[str, tuple[Any, Reference]], grads: bool = True) -> None:
    """Print a table name / yours / autograd.Value for each (mine, reference)
    pair of nodes and raise AssertionError on the first that differs."""
    print(f"{'node':>8} | {'your data':>11} {'autograd':>11} | {'your grad':>11} {'autograd':>11} |")
    wrong = []
    for name, (mine, ref) in pairs.items():
        ok = _close(mine.data, ref.data) and (not grads or _close(mine.grad, ref.grad))
        mine_grad = f"{mine.grad:11.6f}" if grads else f"{'-':>11}"
        ref_grad = f"{ref.grad:11.6f}" if grads else f"{'-':>11}"
        verdict = "ok" if ok else "DIFFERENT"
        print(f"{name:>8} | {mine.data:11.6f} {ref.data:11.6f} | {mine_grad} {ref_grad} | {verdict}")
        if not ok:
            wrong.append(name)
    assert not wrong, f"these nodes differ from autograd.Value: {wrong}"


# expressions written once and run on both classes: each takes the class's
# leaves (three Values made from 2.0, -3.0, 0.5) and returns the output
EXPRESSIONS: dict[str, Callable[[Any, Any, Any], Any]] = {
    "a*b + c": lambda a, b, c: a * b + c,
    "a + a (a node used twice)": lambda a, b, c: a + a,
    "a*a*a": lambda a, b, c: a * a * a,
    "constants on both sides": lambda a, b, c: 2 * a + 1 - (3 - b) * 0.5,
    "division": lambda a, b, c: a / b + 1 / c,
    "powers": lambda a, b, c: a ** 3 + c ** -1.5,
    "negation": lambda a, b, c: -(a - b),
    "tanh neuron": lambda a, b, c: (a * b + c).tanh(),
    "exp": lambda a, b, c: (c * 2).exp() * a,
    "reused intermediate": lambda a, b, c: (lambda d: d * d + d.tanh())(a * c + b),
}


def _run(cls: type, expression: Callable[..., Any]) -> tuple[list[Any], Any]:
    leaves = [cls(2.0), cls(-3.0), cls(0.5)]
    out = expression(*leaves)
    out.backward()
    return leaves, out


def check_value_class(cls: type) -> None:
    """Your whole Value class against autograd.Value on ten expressions,
    among them a node used twice (the += bug) and constants on either side."""
    for name, expression in EXPRESSIONS.items():
        mine, out = _run(cls, expression)
        refs, ref_out = _run(Reference, expression)
        assert _close(out.data, ref_out.data), f"{name}: forward gives {out.data}, autograd.Value {ref_out.data}"
        for label, m, r in zip("abc", mine, refs):
            assert _close(m.grad, r.grad), (
                f"{name}: d(out)/d{label} is {m.grad}, autograd.Value says {r.grad}"
                + (" -- did a _backward use = instead of +=?" if name.startswith("a + a") else ""))
        print(f"  {name:28s} ok")
    print("correct: your Value matches autograd.Value on every expression")


def check_relu_sigmoid(cls: type) -> None:
    """The exercise: ``relu`` and ``sigmoid`` on your Value, forward and
    backward, against autograd.Value, at negative, zero-crossing and positive inputs."""
    for x in (-2.0, -0.3, 0.7, 3.0):
        for name in ("relu", "sigmoid"):
            for scale in (1.0, 1.5):  # the function alone, then inside a product (out.grad != 1)
                mine_x, ref_x = cls(x), Reference(x)
                mine_out = getattr(mine_x, name)() * scale
                ref_out = getattr(ref_x, name)() * scale
                assert _close(mine_out.data, ref_out.data), (
                    f"{name}({x:g}): your forward gives {mine_out.data / scale}, expected {ref_out.data / scale}")
                mine_out.backward()
                ref_out.backward()
                assert _close(mine_x.grad, ref_x.grad), (
                    f"{name} at x = {x}, times {scale}: your gradient {mine_x.grad}, expected {ref_x.grad} "
                    f"(check the local derivative and that _backward multiplies by out.grad)")
    # the node is used twice, so its _backward must accumulate with +=
    mine_x, ref_x = cls(0.3), Reference(0.3)
    (mine_x.sigmoid() * mine_x.relu()).backward()
    (ref_x.sigmoid() * ref_x.relu()).backward()
    assert _close(mine_x.grad, ref_x.grad), f"sigmoid(x) * relu(x): your gradient {mine_x.grad}, expected {ref_x.grad}"
    print("correct: relu and sigmoid match autograd.Value, values and gradients")
