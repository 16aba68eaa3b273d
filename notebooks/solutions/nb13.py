"""Reference solution for notebook 13's exercise (a pre-norm residual block);
run from notebooks/: ``PYTHONPATH=.:<repo> python solutions/nb13.py``. It checks
the solution and that the check rejects a block without its skip and one that
normalises after the addition (post-norm)."""

from __future__ import annotations

from course_checks.nb13 import check_residual_block

import autograd as ag
import nn


class ResidualBlock(nn.Module):
    """x + fc2(tanh(fc1(LayerNorm(x)))): the branch sees a normalised input, the skip is untouched."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return x + self.fc2(ag.tanh(self.fc1(self.norm(x))))


class NoSkip(ResidualBlock):
    def forward(self, x):
        return self.fc2(ag.tanh(self.fc1(self.norm(x))))


class PostNorm(ResidualBlock):
    def forward(self, x):
        return self.norm(x + self.fc2(ag.tanh(self.fc1(x))))


def main() -> None:
    check_residual_block(ResidualBlock)
    for wrong in (NoSkip, PostNorm):
        try:
            check_residual_block(wrong)
        except AssertionError as error:
            print(f"{wrong.__name__} rejected as it should be: {error}")
        else:
            raise SystemExit(f"the check accepted the wrong block {wrong.__name__}")
    print("nb13: the solution passes and 2 wrong answers are rejected")


if __name__ == "__main__":
    main()
