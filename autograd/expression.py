"""Safe arithmetic expressions over ``Value``: ``evaluate("tanh(x*w + b)", x=2, w=-3, b=6.88)``.

The text is parsed with ``ast`` and only a small whitelist is accepted:
numbers, variable names, ``+ - * / **``, unary minus/plus, and calls of the
known functions with one argument. Nothing is ever passed to ``eval``; any
other syntax (attributes, subscripts, keywords, imports, dunder names ...) is
refused with a ``ValueError`` that names it.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from autograd.value import Value

__all__ = ["evaluate", "FUNCTIONS"]

FUNCTIONS = ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "leaky_relu", "gelu", "silu", "softplus")
_BINARY = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b}
_MAX_LENGTH = 2000


def evaluate(text: str, variables: Mapping[str, float] | None = None, **kw: float) -> Value:
    """Build the expression's graph of Values; each variable becomes a labelled leaf."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("expression: empty expression")
    if len(text) > _MAX_LENGTH:
        raise ValueError(f"expression: longer than {_MAX_LENGTH} characters")
    values = dict(variables or {}, **kw)
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        raise ValueError(f"expression: invalid syntax at column {e.offset}: {text!r}") from None
    leaves: dict[str, Value] = {}

    def walk(node: ast.AST) -> Value | float:
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return float(node.value)
        if isinstance(node, ast.Name):
            if node.id.startswith("_") or node.id in FUNCTIONS:
                raise ValueError(f"expression: {node.id!r} cannot be used as a variable")
            if node.id not in values:
                raise ValueError(f"expression: no value given for {node.id!r} (pass --{node.id} NUMBER)")
            if node.id not in leaves:
                leaves[node.id] = Value(float(values[node.id]), label=node.id)
            return leaves[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](_value(walk(node.left)), walk(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = walk(node.operand)
            return -inner if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
                name = node.func.id if isinstance(node.func, ast.Name) else ast.unparse(node.func)
                raise ValueError(f"expression: unknown function {name!r}; known: {', '.join(FUNCTIONS)}")
            if len(node.args) != 1 or node.keywords:
                raise ValueError(f"expression: {node.func.id}() takes exactly one argument")
            return getattr(_value(walk(node.args[0])), node.func.id)()
        raise ValueError(f"expression: unsupported syntax {type(node).__name__}: {ast.unparse(node)!r}")

    result = walk(tree.body)
    return _value(result)


def _value(x: Value | float) -> Value:
    return x if isinstance(x, Value) else Value(x)
