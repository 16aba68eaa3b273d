"""nn.diagnostics: per-layer activation and gradient statistics and the
update-to-data ratio, against PyTorch's own hooks and numpy."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from nn import functional as F
from nn.diagnostics import Diagnostics, activation_stats, gradient_stats, plot

RNG = np.random.default_rng(0)


def small_model() -> nn.Sequential:
    ag.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 6), nn.ReLU(), nn.Linear(6, 3))


def batch() -> tuple[np.ndarray, np.ndarray]:
    return RNG.standard_normal((16, 4)).astype(np.float32) * 2, RNG.integers(0, 3, 16)


def test_watches_the_activation_layers_by_default_and_named_or_typed_ones_on_request():
    model = small_model()
    assert list(Diagnostics(model).layers) == ["1", "3"]
    assert list(Diagnostics(model, [nn.Linear]).layers) == ["0", "2", "4"]
    assert list(Diagnostics(model, ["2", nn.ReLU]).layers) == ["2", "3"]
    linear_only = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    assert list(Diagnostics(linear_only).layers) == ["0", "1"]  # no activations: every leaf


def test_statistics_match_pytorch_hooks():
    torch = pytest.importorskip("torch")
    model = small_model()
    x, y = batch()
    diag = Diagnostics(model)
    F.cross_entropy(model(ag.tensor(x)), ag.tensor(y)).backward()

    twin = nn.to_torch(model)
    outputs = {}
    for name in ("1", "3"):
        twin.get_submodule(name).register_forward_hook(lambda m, i, o, name=name: outputs.__setitem__(name, o))
    loss = torch.nn.functional.cross_entropy(twin(torch.tensor(x)), torch.tensor(y))
    for out in outputs.values():
        out.retain_grad()
    loss.backward()
    for name, out in outputs.items():
        act, grad = diag.activations[name][-1], diag.gradients[name][-1]
        np.testing.assert_allclose([act.mean, act.std], [out.mean().item(), out.std().item()], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose([grad.mean, grad.std], [out.grad.mean().item(), out.grad.std().item()],
                                   rtol=1e-4, atol=1e-9)
        np.testing.assert_allclose(diag.last_gradient[name], out.grad.numpy(), rtol=1e-5, atol=1e-8)
    tanh_out = outputs["1"].detach().numpy()
    assert diag.activations["1"][-1].saturated == pytest.approx((np.abs(tanh_out) > 0.97).mean())
    relu_out = outputs["3"].detach().numpy()
    assert diag.activations["3"][-1].dead == pytest.approx((relu_out <= 0).all(axis=0).mean())
    assert np.isnan(diag.activations["3"][-1].saturated)  # ReLU has no flat tail on the right


def test_dead_and_saturated_units_are_counted_per_unit():
    relu = nn.ReLU()
    out = np.array([[0.0, 1.0, 0.0, 2.0], [0.0, 0.0, 0.0, 3.0], [0.0, 5.0, 0.0, 0.0]])
    stats = activation_stats(relu, out)
    assert stats.dead == 0.5  # columns 0 and 2 are 0 for every example
    tanh = nn.Tanh()
    out = np.array([[0.99, -0.999, 0.1], [0.98, 0.2, -0.5]])
    stats = activation_stats(tanh, out)
    assert stats.saturated == pytest.approx(3 / 6) and stats.dead == pytest.approx(1 / 3)
    sigmoid = nn.Sigmoid()
    assert activation_stats(sigmoid, np.array([[0.001, 0.5], [0.999, 0.6]])).saturated == 0.5
    images = np.zeros((2, 3, 4, 4))
    images[:, 1] = 1.0  # channel 1 alive, channels 0 and 2 dead
    assert activation_stats(relu, images).dead == pytest.approx(2 / 3)
    assert gradient_stats(np.array([[0.0, 1.0], [0.0, -1.0]])).dead == 0.5


def test_update_to_data_ratio_matches_pytorch_sgd():
    torch = pytest.importorskip("torch")
    model = small_model()
    twin = nn.to_torch(model)
    x, y = batch()
    diag = Diagnostics(model)
    opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    torch_opt = torch.optim.SGD(twin.parameters(), lr=0.1, momentum=0.9)
    expected = {name: [] for name in ("0.weight", "2.weight", "4.weight")}
    for _ in range(3):
        opt.zero_grad()
        F.cross_entropy(model(ag.tensor(x)), ag.tensor(y)).backward()
        with diag.track_update():
            opt.step()
        torch_opt.zero_grad()
        torch.nn.functional.cross_entropy(twin(torch.tensor(x)), torch.tensor(y)).backward()
        before = {n: p.detach().clone() for n, p in twin.named_parameters()}
        torch_opt.step()
        for name in expected:
            after = dict(twin.named_parameters())[name].detach()
            expected[name].append(((after - before[name]).std() / before[name].std()).item())
    assert list(diag.updates) == list(expected)  # weights only: a zero-std bias has no ratio
    for name, ratios in expected.items():
        np.testing.assert_allclose(diag.updates[name], ratios, rtol=1e-3)
    assert len(diag.activations["1"]) == 3 and len(diag.gradients["1"]) == 3


def test_detach_removes_the_hooks_and_leaves_outputs_unchanged():
    model = small_model()
    x = ag.tensor(batch()[0])
    plain = model(x).numpy().copy()
    with Diagnostics(model) as diag:
        watched = model(x).numpy().copy()
    np.testing.assert_array_equal(plain, watched)
    model(x)
    assert len(diag.activations["1"]) == 1
    diag.attach()
    model(x)
    assert len(diag.activations["1"]) == 2
    diag.clear()
    assert diag.activations["1"] == [] and diag.last_activation == {}


def test_no_grad_forward_records_activations_only():
    model = small_model()
    diag = Diagnostics(model)
    with ag.no_grad():
        model(ag.tensor(batch()[0]))
    assert len(diag.activations["1"]) == 1 and diag.gradients["1"] == []
    assert "1" in diag.table() and "Tanh" in diag.table()


def test_bad_input_is_refused_with_the_names():
    model = small_model()
    with pytest.raises(TypeError, match="Diagnostics: model must be an nn.Module, got list"):
        Diagnostics([model])
    with pytest.raises(ValueError, match=r"no module named \['7'\] in the model; its modules are \['0', '1'"):
        Diagnostics(model, ["7"])
    with pytest.raises(ValueError, match=r"no module of the types \['Conv2d'\]"):
        Diagnostics(model, [nn.Conv2d])
    with pytest.raises(TypeError, match="module types or names"):
        Diagnostics(model, [3])
    with pytest.raises(ValueError, match=r"saturation must be in \(0, 1\), got 1.5"):
        Diagnostics(model, saturation=1.5)


def test_plot_draws_one_line_per_layer():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model = small_model()
    diag = Diagnostics(model)
    with pytest.raises(ValueError, match="no gradients recorded yet"):
        plot(diag, "gradients")
    x, y = batch()
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        F.cross_entropy(model(ag.tensor(x)), ag.tensor(y)).backward()
        with diag.track_update():
            opt.step()
    for kind, lines in (("activations", 2), ("gradients", 2), ("updates", 4)):  # updates: 3 weights + the -3 line
        ax = plot(diag, kind)
        assert len(ax.get_lines()) == lines, kind
    with pytest.raises(ValueError, match="kind must be"):
        plot(diag, "weights")
    plt.close("all")


def test_convolutional_and_recurrent_layers_are_watched_per_channel_and_first_output():
    ag.manual_seed(0)
    cnn = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 5 * 5, 2))
    diag = Diagnostics(cnn)
    images = ag.tensor(RNG.standard_normal((3, 1, 5, 5)).astype(np.float32))
    F.cross_entropy(cnn(images), ag.tensor(np.array([0, 1, 0]))).backward()
    assert diag.last_activation["1"].shape == diag.last_gradient["1"].shape == (3, 4, 5, 5)
    relu_out = np.maximum(F.conv2d(images, cnn[0].weight, cnn[0].bias, padding=1).numpy(), 0)
    np.testing.assert_allclose(diag.last_activation["1"], relu_out, rtol=1e-6)
    assert diag.activations["1"][-1].dead == pytest.approx((relu_out <= 0).all(axis=(0, 2, 3)).mean())
    assert diag.activations["1"][-1].mean == pytest.approx(relu_out.mean())
    lstm = nn.LSTM(3, 5, batch_first=True)  # returns (output, (h, c)): the output sequence is watched
    diag = Diagnostics(lstm)
    assert list(diag.layers) == ["(model)"]
    out, _ = lstm(ag.tensor(RNG.standard_normal((2, 4, 3)).astype(np.float32)))
    (out * out).sum().backward()
    np.testing.assert_array_equal(diag.last_activation["(model)"], out.numpy())
    np.testing.assert_allclose(diag.last_gradient["(model)"], 2 * out.numpy(), rtol=1e-6)
