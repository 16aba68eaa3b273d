"""Every primitive states its backward rule in its own words (``Function.rule``),
and ``autograd/pictures/rules.py`` renders it for a step with names and shapes."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest

import autograd as ag
import autograd.primitives as primitives
from autograd.function import Function
from autograd.pictures.rules import input_symbols, rule_line


def _all_primitives() -> list[type]:
    found, stack = [], list(Function.__subclasses__())
    while stack:
        cls = stack.pop()
        stack += cls.__subclasses__()
        if cls.__module__.startswith("autograd.primitives") and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda c: c.__name__)


PRIMITIVES = _all_primitives()


def test_the_registry_is_the_whole_primitives_package():
    exported = {getattr(primitives, n) for n in primitives.__all__ if isinstance(getattr(primitives, n), type)}
    assert exported <= set(PRIMITIVES) and len(PRIMITIVES) >= 55


@pytest.mark.parametrize("op", PRIMITIVES, ids=lambda c: c.__name__)
def test_every_primitive_has_a_rule_in_its_own_words_and_it_renders(op):
    assert "rule" in vars(op) or "rule" in vars(op.__mro__[1]), f"{op.__name__} states no backward rule"
    rules = op.rule
    assert rules and all(isinstance(r, str) and r.startswith("grad(") and "+=" in r for r in rules)
    signature = list(inspect.signature(op.forward).parameters.values())
    params = [p.name for p in signature]
    variadic = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in signature)
    inputs = 2 if variadic else len(rules)
    for j, r in enumerate(rules):  # each line is about one of forward's own inputs
        symbol = re.match(r"grad\(([^)]+)\)", r).group(1)
        assert symbol in params[: len(rules)] or (variadic and symbol.endswith("[i]")), (op.__name__, r)
        if not variadic:
            assert symbol == params[j], f"{op.__name__}: rule {j} is about {symbol}, forward's input {j} is {params[j]}"

    class Step:  # a node of this op as the explorer sees it: shapes, options, the op
        fn, options, shape = op, {}, (3, 2)
        input_shapes = [(3, 2)] * inputs

    names = [f"in{j}" for j in range(inputs)]
    for j in range(inputs):
        line = rule_line(Step, j, names)
        assert line.startswith(f"grad(in{j}) += ") and "(3, 2)" in line, line
        for s in input_symbols(op, inputs):
            assert not re.search(rf"grad\({re.escape(s)}\)", line)  # the op's symbols are replaced by names


def test_a_weights_rule_shows_the_product_with_this_steps_shapes():
    from nn import functional as F

    x = ag.randn(5, 4, name="x")
    w, b = ag.randn(8, 4, requires_grad=True, name="0.weight"), ag.randn(8, requires_grad=True, name="0.bias")
    node = F.linear(x, w, b).grad_fn
    names = ["x", "0.weight", "0.bias"]
    assert rule_line(node, 1, names) == "grad(0.weight) += grad(out)ᵀ @ x   (5, 8)ᵀ @ (5, 4) -> (8, 4)"
    assert rule_line(node, 2, names).endswith("(5, 8) summed over axes (0,) -> (8,)")
    # broadcasting: b + x's gradient reaching b is summed over the batch axis, and says so
    out = (x @ w.T) + b
    broadcast = next(n for n in out.grad_fn._prev if n.name() == "BroadcastToBackward")
    assert "summed over axes (0,) (undoing broadcasting) -> (8,)" in rule_line(broadcast, 0, ["b"])


def test_an_options_number_is_shown_as_its_value():
    x = ag.tensor(np.ones(3), requires_grad=True)
    node = (x * 0.5).grad_fn
    assert rule_line(node, 0, ["x"]).startswith("grad(x) += grad(out) * 0.5")
