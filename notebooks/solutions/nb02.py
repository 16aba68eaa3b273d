"""Reference solutions for notebook 02 (a neuron, an MLP, a training loop); run
from notebooks/: ``PYTHONPATH=.:<repo> python solutions/nb02.py``. Checks the
notebook's MLP, the exercise (train_step), and that the check rejects a step
that forgets to zero the gradients."""

from __future__ import annotations

import random

from course_checks.nb02 import check_mlp, check_train_step

from autograd import Value


class Neuron:
    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, nin, nout, nonlin=True):
        self.neurons = [Neuron(nin, nonlin) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, nin, nouts):
        sizes = [nin] + nouts
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i < len(nouts) - 1) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def train_step(model, xs, ys, lr):
    """The exercise: one step of gradient descent on the mean squared error."""
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys)) * (1.0 / len(xs))
    for p in model.parameters():
        p.grad = 0.0
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data


def forgetful_train_step(model, xs, ys, lr):
    """A wrong answer: no zero_grad, so gradients pile up across steps."""
    loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys)) * (1.0 / len(xs))
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data


if __name__ == "__main__":
    random.seed(0)
    check_mlp(MLP)
    check_train_step(train_step)
    try:
        check_train_step(forgetful_train_step)
    except AssertionError as exc:
        print(f"rejected as it should be (no zero_grad): {exc}")
    else:
        raise SystemExit("the check accepted a training step that never zeroes the gradients")
    print("nb02 solutions: all checks passed")
