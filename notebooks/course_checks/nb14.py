"""Checks for notebook 14 (makemore): the learner's trigram counting model
against an independent numpy count."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from nn.data import load_names


def _stoi(words: list[str]) -> dict[str, int]:
    stoi = {s: i + 1 for i, s in enumerate(sorted(set("".join(words))))}
    stoi["."] = 0
    return stoi


def reference_nll(words: list[str], stoi: dict[str, int], context: int, smoothing: float) -> float:
    """Average -log P(next | previous ``context`` characters) of smoothed counts, by numpy."""
    ids = [[0] * context + [stoi[ch] for ch in w] + [0] for w in words]
    grams = np.array([seq[i:i + context + 1] for seq in ids for i in range(len(seq) - context)])
    counts = np.zeros((27,) * (context + 1))
    np.add.at(counts, tuple(grams.T), 1)
    counts += smoothing
    probs = counts / counts.sum(-1, keepdims=True)
    return float(-np.log(probs[tuple(grams.T)]).mean())


def check_trigram_nll(trigram_nll: Callable[..., float]) -> None:
    """Compare ``trigram_nll(words, stoi, smoothing)`` with the reference on a
    tiny list and on all names; print the comparison with the bigram model."""
    words = load_names()
    stoi = _stoi(words)
    cases = [(["ab"], 1.0), (["ab", "ba", "abba"], 0.5), (words, 1.0)]
    for case_words, smoothing in cases:
        mine = trigram_nll(case_words, stoi, smoothing)
        want = reference_nll(case_words, stoi, 2, smoothing)
        label = f"{len(case_words)} names" if len(case_words) > 3 else repr(case_words)
        if not isinstance(mine, (float, int, np.floating)) and not hasattr(mine, "item"):
            raise AssertionError(f"trigram_nll should return a number, got {type(mine).__name__}")
        mine = float(mine.item() if hasattr(mine, "item") else mine)
        if not math.isclose(mine, want, rel_tol=1e-5):
            hint = ""
            if len(case_words) < 4:
                hint = " (pad each name as '..' + name + '.'; normalise over the last character)"
            raise AssertionError(f"on {label} with smoothing {smoothing}: got {mine:.6f}, expected {want:.6f}{hint}")
        print(f"{label:>22}, smoothing {smoothing}: {mine:.4f}  ok")
    bigram = reference_nll(words, stoi, 1, 1.0)
    print(f"correct: trigram loss {want:.4f} against the bigram's {bigram:.4f} on the same names")
