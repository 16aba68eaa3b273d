"""Reference solution for notebook 16's exercise (causal self-attention by
hand); run from notebooks/: ``PYTHONPATH=.:<repo> python solutions/nb16.py``.
It checks the solution and that the check rejects attention without the mask
and without the 1/sqrt(d) scale."""

from __future__ import annotations

import math

from course_checks.nb16 import check_causal_attention

import glassgrad as gg


def causal_attention(q, k, v, causal=True, scaled=True):
    """softmax(q k^T / sqrt(d) with later positions masked) v."""
    T, d = q.shape[-2], q.shape[-1]
    scores = q @ k.transpose(-2, -1)
    if scaled:
        scores = scores / math.sqrt(d)
    if causal:
        scores = scores.masked_fill(gg.tril(gg.ones(T, T)) == 0, float("-inf"))
    return scores.softmax(-1) @ v


def main() -> None:
    check_causal_attention(causal_attention)
    wrong_answers = {"no mask": lambda q, k, v: causal_attention(q, k, v, causal=False),
                     "no scale": lambda q, k, v: causal_attention(q, k, v, scaled=False)}
    for name, wrong in wrong_answers.items():
        try:
            check_causal_attention(wrong)
        except AssertionError as error:
            print(f"{name}: rejected as it should be: {error}")
        else:
            raise SystemExit(f"the check accepted a wrong answer ({name})")
    print("nb16: the solution passes and 2 wrong answers are rejected")


if __name__ == "__main__":
    main()
