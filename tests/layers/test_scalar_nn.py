"""Scalar nn: Module bookkeeping and the micrograd-style MLP of Values (fused and unfused neurons)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from autograd import Value
from nn import Module
from nn.optim import SGD
from nn.scalar import MLP, Layer, Neuron


def test_mlp_has_micrograd_signature_and_parameter_count():
    model = MLP(3, [4, 4, 1])
    assert len(model.parameters()) == (3 + 1) * 4 + (4 + 1) * 4 + (4 + 1) * 1
    out = model([1.0, -2.0, 0.5])
    assert isinstance(out, Value)
    assert repr(model).startswith("MLP of [Layer of [ReLUNeuron(3)")
    assert "LinearNeuron(4)" in repr(model)


def test_named_parameters_are_unique_and_dotted():
    model = MLP(2, [3, 1])
    names = [n for n, _ in model.named_parameters()]
    assert len(names) == len(set(names)) == len(model.parameters())
    assert "layers.0.neurons.0.w.0" in names and "layers.1.neurons.0.b" in names


def test_zero_grad_and_train_eval():
    model = MLP(2, [3, 1])
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())
    model.eval()
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_module_without_super_init_is_a_clear_error():
    class Broken(Module):
        def __init__(self):
            self.w = Value(1.0)

    with pytest.raises(RuntimeError, match="super\\(\\).__init__"):
        Broken()


def test_neuron_checks_input_count():
    with pytest.raises(ValueError, match="expected 3 inputs, got 2"):
        Neuron(3)([1.0, 2.0])


def test_activation_choice():
    layer = Layer(2, 2, activation="tanh")
    outs = layer([0.3, -0.2])
    assert all(-1 < o.data < 1 for o in outs)
    with pytest.raises(ValueError, match="unknown activation"):
        Neuron(2, activation="swish")


def test_scalar_mlp_learns_xor_like_data():
    rng = random.Random(0)
    X = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(40)]
    y = [1.0 if a * b > 0 else -1.0 for a, b in X]  # XOR of signs
    model = MLP(2, [8, 8, 1], activation="tanh", seed=1)
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(150):
        scores = [model(x) for x in X]
        loss = sum((s - t) ** 2 for s, t in zip(scores, y)) * (1 / len(X))
        opt.zero_grad()
        loss.backward()
        opt.step()
    accuracy = np.mean([(model(x).data > 0) == (t > 0) for x, t in zip(X, y)])
    assert loss.data < 0.2
    assert accuracy >= 0.95


def test_fused_and_unfused_neurons_give_the_same_bits():
    # fused=True (one dot node per neuron) and micrograd's node-per-op graph
    # compute the same numbers in the same order
    fused, plain = MLP(2, [5, 5, 1], seed=3), MLP(2, [5, 5, 1], seed=3, fused=False)
    points = [[0.5, -1.0], [2.0, 0.25], [-0.3, 0.7]]
    loss_f = sum((fused(x) - 1.0) ** 2 for x in points)
    loss_p = sum((plain(x) - 1.0) ** 2 for x in points)
    assert loss_f.data == loss_p.data
    loss_f.backward()
    loss_p.backward()
    assert [p.grad for p in fused.parameters()] == pytest.approx([p.grad for p in plain.parameters()], rel=1e-12)
    # the unfused graph is the one a learner draws: a node per multiply and add
    neuron = Neuron(2, fused=False)
    assert neuron([1.0, 2.0])._op == "ReLU"
    assert Neuron(2)([1.0, 2.0])._prev[0]._op == "dot"
