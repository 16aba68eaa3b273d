"""Scalar nn: Module bookkeeping, the micrograd-style MLP, SGD, make_moons, the CLI."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest

from autograd import Value
from nn import Module
from nn.data import make_moons
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


def test_sgd_matches_closed_form_for_values():
    # minimise (w - 3)^2 with lr 0.1: w_{t+1} = w_t - 0.2 (w_t - 3)
    w = Value(0.0)
    opt = SGD([w], lr=0.1)
    expected = 0.0
    for _ in range(5):
        opt.zero_grad()
        ((w - 3) ** 2).backward()
        opt.step()
        expected = expected - 0.2 * (expected - 3)
        assert abs(w.data - expected) < 1e-12


def test_sgd_momentum_nesterov_weight_decay_rules():
    w = Value(1.0)
    opt = SGD([w], lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True)
    buf = None
    ref = 1.0
    for _ in range(4):
        opt.zero_grad()
        (w * w).backward()
        opt.step()
        g = 2 * ref + 0.01 * ref
        buf = g if buf is None else 0.9 * buf + g
        ref = ref - 0.1 * (g + 0.9 * buf)
        assert abs(w.data - ref) < 1e-12


def test_sgd_rejects_bad_arguments():
    with pytest.raises(ValueError, match="lr"):
        SGD([Value(1.0)], lr=-1)
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="parameter 0 is a float"):
        SGD([1.0], lr=0.1)


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


def test_make_moons_shapes_labels_and_determinism():
    X, y = make_moons(101, noise=0.1, random_state=3)
    assert X.shape == (101, 2) and y.shape == (101,)
    assert set(np.unique(y)) == {0, 1} and (y == 0).sum() == 50
    X2, y2 = make_moons(101, noise=0.1, random_state=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    Xc, yc = make_moons(100, shuffle=False, noise=None)
    # noiseless moons lie exactly on the two unit half circles
    outer = Xc[yc == 0]
    inner = Xc[yc == 1] - np.array([1.0, 0.5])  # centre of the inner moon
    assert np.allclose(np.hypot(*outer.T), 1.0) and np.allclose(np.hypot(*inner.T), 1.0)
    assert (outer[:, 1] >= -1e-12).all() and (inner[:, 1] <= 1e-12).all()


def test_cli_help_lists_train():
    out = subprocess.run([sys.executable, "-m", "nn.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "train" in out.stdout


def test_cli_bad_argument_is_an_argparse_error_not_a_traceback():
    out = subprocess.run([sys.executable, "-m", "nn.cli", "train", "--epochs", "zero"],
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert "expected a whole number" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.slow
def test_cli_train_end_to_end_scalar_engine():
    out = subprocess.run([sys.executable, "-m", "nn.cli", "train", "--engine", "scalar"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    last = out.stdout.strip().splitlines()[-1]
    accuracy = float(last.split("test accuracy")[1].split()[0])
    assert accuracy >= 0.97, last
    assert "100%" in out.stdout  # the progress bar ran to the end


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
