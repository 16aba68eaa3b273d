"""Reference solution for notebook 15's exercise (a hierarchy of any depth);
run from notebooks/: ``PYTHONPATH=.:<repo> python solutions/nb15.py``. It checks
the solution and that the check rejects a model with a fixed three levels and
one whose hidden layers keep their biases."""

from __future__ import annotations

import math

from course_checks.nb15 import check_make_hierarchy

import nn


class FlattenConsecutive(nn.Module):
    """(B, T, C) -> (B, T // n, C * n), the notebook's module."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def forward(self, x):
        B, T, C = x.shape
        x = x.reshape(B, T // self.n, C * self.n)
        return x.squeeze(1) if x.shape[1] == 1 else x


class SequenceBatchNorm(nn.Module):
    """BatchNorm1d over the last dimension of (B, T, C) or (B, C), the notebook's module."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.bn = nn.BatchNorm1d(channels)

    def forward(self, x):
        return self.bn(x) if x.ndim == 2 else self.bn(x.transpose(1, 2)).transpose(1, 2)


def make_hierarchy(block_size, embed, hidden, bias=False, levels=None):
    """Embedding, log2(block_size) levels of (flatten pairs, Linear, BatchNorm, Tanh), then the logits."""
    layers = [nn.Embedding(27, embed)]
    fan_in = 2 * embed
    for _ in range(levels or int(math.log2(block_size))):
        layers += [FlattenConsecutive(2), nn.Linear(fan_in, hidden, bias=bias), SequenceBatchNorm(hidden), nn.Tanh()]
        fan_in = 2 * hidden
    return nn.Sequential(*layers, nn.Linear(hidden, 27))


def main() -> None:
    check_make_hierarchy(make_hierarchy, FlattenConsecutive, SequenceBatchNorm)
    wrong_answers = {"three levels always": lambda b, e, h: make_hierarchy(b, e, h, levels=3),
                     "biases kept": lambda b, e, h: make_hierarchy(b, e, h, bias=True)}
    for name, wrong in wrong_answers.items():
        try:
            check_make_hierarchy(wrong, FlattenConsecutive, SequenceBatchNorm)
        except AssertionError as error:
            print(f"{name}: rejected as it should be: {error}")
        else:
            raise SystemExit(f"the check accepted a wrong answer ({name})")
    print("nb15: the solution passes and 2 wrong answers are rejected")


if __name__ == "__main__":
    main()
