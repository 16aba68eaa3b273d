"""Training reaches its accuracy targets: a Tensor MLP on moons, the digits MLP and CNN."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # training to an accuracy target


def test_tensor_mlp_reaches_target_on_moons():
    from nn.training import TrainConfig, train

    result = train(TrainConfig(), quiet=True)
    assert result["test_accuracy"] >= 0.99


def test_digits_targets_mlp_and_cnn():
    pytest.importorskip("sklearn")
    from nn.training import TrainConfig, train

    mlp = train(TrainConfig(dataset="digits", hidden=128, epochs=40, lr=0.002, dropout=0.2,
                            label_smoothing=0.1), quiet=True)
    assert mlp["test_accuracy"] >= 0.97
    cnn = train(TrainConfig(dataset="digits", model="cnn", epochs=40, lr=0.002), quiet=True)
    assert cnn["test_accuracy"] >= 0.98
