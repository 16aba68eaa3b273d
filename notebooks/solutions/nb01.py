"""Reference solutions for notebook 01 (build your own Value); run from
notebooks/: ``PYTHONPATH=.:<repo> python solutions/nb01.py``. It checks the
notebook's whole class, the exercise (relu and sigmoid), and that the checks
reject two wrong answers (the = instead of += bug, a wrong sigmoid slope)."""

from __future__ import annotations

import math

from course_checks.nb01 import check_relu_sigmoid, check_value_class


class Value:
    """The notebook's sixty-line Value, with the exercise's relu and sigmoid."""

    def __init__(self, data, _prev=(), _op="", label=""):
        self.data, self._prev, self._op, self.label = float(data), _prev, _op, label
        self.grad = 0.0
        self._backward = lambda: None

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):
        out = Value(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def _unary(self, data, local, op):
        """out = op(self) with local derivative ``local(out)``."""
        out = Value(data, (self,), op)

        def _backward():
            self.grad += local(out) * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        return self._unary(math.tanh(self.data), lambda out: 1 - out.data ** 2, "tanh")

    def exp(self):
        return self._unary(math.exp(self.data), lambda out: out.data, "exp")

    # the exercise
    def relu(self):
        return self._unary(max(0.0, self.data), lambda out: 1.0 if out.data > 0 else 0.0, "relu")

    def sigmoid(self):
        return self._unary(1 / (1 + math.exp(-self.data)), lambda out: out.data * (1 - out.data), "sigmoid")

    def backward(self):
        order, visited = [], set()

        def visit(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    visit(child)
                order.append(v)
        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            v._backward()

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return (-self) + other

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * other ** -1

    def __rtruediv__(self, other):
        return other * self ** -1


class AssigningValue(Value):
    """A wrong answer: ``=`` instead of ``+=`` in addition's backward."""

    def __add__(self, other):
        other = other if isinstance(other, Value) else AssigningValue(other)
        out = AssigningValue(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = out.grad
            other.grad = out.grad
        out._backward = _backward
        return out


class WrongSigmoidValue(Value):
    """A wrong answer: sigmoid's local derivative written as sigma(x) alone."""

    def sigmoid(self):
        return self._unary(1 / (1 + math.exp(-self.data)), lambda out: out.data, "sigmoid")


def expect_rejected(check, cls, what: str) -> None:
    try:
        check(cls)
    except AssertionError as exc:
        print(f"rejected as it should be ({what}): {exc}")
        return
    raise SystemExit(f"the check accepted a wrong answer: {what}")


if __name__ == "__main__":
    print("check_value_class on the reference Value:")
    check_value_class(Value)
    print("check_relu_sigmoid on the reference relu and sigmoid:")
    check_relu_sigmoid(Value)
    expect_rejected(check_value_class, AssigningValue, "= instead of +=")
    expect_rejected(check_relu_sigmoid, WrongSigmoidValue, "sigmoid slope without (1 - sigma)")
    print("nb01 solutions: all checks passed")
