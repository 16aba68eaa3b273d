"""Each op's backward rule, written out for one step of a pass.

A primitive states its rule in its own words (``Function.rule``, with
``forward``'s argument names and ``out``): ``MatMul.rule[1]`` is
``grad(b) += aᵀ @ grad(out)``. ``rule_line(node, i, names)`` puts this step's
names in (``grad(0.weight) += grad(out)ᵀ @ x``) and this step's shapes after
it, from the renderer this module's table holds for the op
(``(5, 8)ᵀ @ (5, 4) -> (8, 4)``); where a gradient is summed to undo
broadcasting, the axes summed are named. An op without a renderer of its own
shows the shapes of ``grad(out)`` and of the input's gradient.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from typing import Any

__all__ = ["rule_line", "rule_of", "input_symbols", "SHAPE_RENDERERS", "public_op_name"]

Shape = tuple[int, ...]


def public_op_name(fn: Any) -> str:
    """The op's name as a learner should read it: no leading underscore."""
    return fn.__name__.lstrip("_") or fn.__name__


def _shape(shape: Shape) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _summed_axes(small: Shape, big: Shape) -> tuple[int, ...]:
    """The axes of ``big`` that broadcasting ``small`` to ``big`` repeated along."""
    lead = len(big) - len(small)
    return tuple(range(lead)) + tuple(lead + i for i, n in enumerate(small) if n == 1 and big[lead + i] != 1)


def _matmul(i: int, ins: list[Shape], out: Shape) -> str:
    a, b = ins
    return f"{_shape(out)} @ {_shape(b)}ᵀ -> {_shape(a)}" if i == 0 else f"{_shape(a)}ᵀ @ {_shape(out)} -> {_shape(b)}"


def _linear(i: int, ins: list[Shape], out: Shape) -> str:
    x, w, b = ins
    if i == 0:
        return f"{_shape(out)} @ {_shape(w)} -> {_shape(x)}"
    if i == 1:
        return f"{_shape(out)}ᵀ @ {_shape(x)} -> {_shape(w)}"
    return f"{_shape(out)} summed over axes {tuple(range(len(out) - 1))} -> {_shape(b)}"


def _broadcast(i: int, ins: list[Shape], out: Shape) -> str:
    axes = _summed_axes(ins[0], out)
    return f"{_shape(out)} summed over axes {axes} (undoing broadcasting) -> {_shape(ins[0])}"


def _sum_to(i: int, ins: list[Shape], out: Shape) -> str:
    return f"{_shape(out)} repeated along axes {_summed_axes(out, ins[0])} -> {_shape(ins[0])}"


def _reduce(i: int, ins: list[Shape], out: Shape) -> str:
    return f"{_shape(out)} spread back over the reduced axes -> {_shape(ins[0])}"


def _elementwise(i: int, ins: list[Shape], out: Shape) -> str:
    if ins[i] == out:
        return f"{_shape(out)} elementwise"
    return f"grad(out) {_shape(out)} -> {_shape(ins[i])}"


#: op name -> renderer(input position, input shapes, output shape) -> the shapes of this step
SHAPE_RENDERERS: dict[str, Callable[[int, list[Shape], Shape], str]] = {
    "MatMul": _matmul,
    "Linear": _linear,
    "BroadcastTo": _broadcast,
    "SumTo": _sum_to,
    "Sum": _reduce, "Max": _reduce, "Min": _reduce, "Prod": _reduce, "LogSumExp": _reduce,
}


def input_symbols(fn: Any, count: int) -> list[str]:
    """The names ``fn.forward`` gives its first ``count`` inputs (``xs[i]``
    spelled out as ``xs[0]``, ``xs[1]``... for an op of any number of inputs)."""
    try:
        params = list(inspect.signature(fn.forward).parameters.values())
    except (TypeError, ValueError):
        params = []
    if params and params[0].name == "ctx":  # PyTorch's form: forward(ctx, *inputs)
        params = params[1:]
    symbols: list[str] = []
    for p in params:
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            symbols += [f"{p.name}[{j}]" for j in range(count - len(symbols))]
            break
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            symbols.append(p.name)
    symbols += [f"input{j}" for j in range(len(symbols), count)]
    return symbols[:count]


def rule_of(fn: Any, i: int, symbol: str) -> str:
    """Input ``i``'s rule, in the op's words (``xs[i]`` made ``xs[0]``...)."""
    rules = getattr(fn, "rule", ()) or ()
    if not rules:
        return f"grad({symbol}) += (the vector-Jacobian product of {public_op_name(fn)})"
    if len(rules) == 1 and "[i]" in rules[0]:
        return rules[0].replace(symbol.split("[")[0] + "[i]", symbol)
    return rules[min(i, len(rules) - 1)]


def _substitute(text: str, words: dict[str, str]) -> str:
    if not words:
        return text
    pattern = r"(?<![A-Za-z0-9_\[])(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + \
        r")(?![A-Za-z0-9_])"
    return re.sub(pattern, lambda m: words[m.group(1)], text)


def _option_words(options: dict) -> dict[str, str]:
    """Options that are plain numbers read as their values (``scalar`` -> ``0.5``)."""
    return {k: f"{v:g}" for k, v in (options or {}).items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)}


def rule_line(node: Any, i: int, names: list[str]) -> str:
    """The rule of ``node`` for its input ``i``, with ``names`` (one per
    input) in place of the op's symbols and this step's shapes after it."""
    fn = node.fn
    ins = [tuple(s) for s in node.input_shapes]
    out = tuple(node.shape)
    symbols = input_symbols(fn, len(ins))
    words = _option_words(getattr(node, "options", None) or {})
    words.update({s: n for s, n in zip(symbols, names)})
    text = _substitute(rule_of(fn, i, symbols[i]), words)
    renderer = SHAPE_RENDERERS.get(public_op_name(fn), _elementwise)
    try:
        shapes = renderer(i, ins, out)
    except (ValueError, IndexError, TypeError):  # an op used with a form its renderer does not know
        shapes = _elementwise(i, ins, out)
    return f"{text}   {shapes}"
