"""Reference solution for notebook 14's exercise (a trigram model by counting);
run from notebooks/: ``PYTHONPATH=.:<repo> python solutions/nb14.py``. It checks
the solution and that the check rejects a single start mark and a missing
smoothing."""

from __future__ import annotations

import numpy as np
from course_checks.nb14 import check_trigram_nll

import autograd as ag


def trigram_nll(words, stoi, smoothing=1.0):
    """Average -log P(c3 | c1 c2) of the smoothed, normalised trigram counts of '..' + w + '.'."""
    N = ag.zeros((27, 27, 27))
    firsts, seconds, thirds = [], [], []
    for w in words:
        chs = [0, 0] + [stoi[ch] for ch in w] + [0]
        for a, b, c in zip(chs, chs[1:], chs[2:]):
            firsts.append(a)
            seconds.append(b)
            thirds.append(c)
            N[a, b, c] += 1
    P = N + smoothing
    P = P / P.sum(-1, keepdim=True)
    return -P[ag.tensor(firsts), ag.tensor(seconds), ag.tensor(thirds)].log().mean().item()


def one_start_mark(words, stoi, smoothing=1.0):
    return trigram_nll([w[1:] for w in words if len(w) > 1] or words, stoi, smoothing)


def no_smoothing(words, stoi, smoothing=1.0):
    with np.errstate(invalid="ignore", divide="ignore"):  # unseen contexts: 0 / 0
        return trigram_nll(words, stoi, 0.0)


def main() -> None:
    check_trigram_nll(trigram_nll)
    for wrong in (one_start_mark, no_smoothing):
        try:
            check_trigram_nll(wrong)
        except AssertionError as error:
            print(f"{wrong.__name__} rejected as it should be: {error}")
        else:
            raise SystemExit(f"the check accepted the wrong answer {wrong.__name__}")
    print("nb14: the solution passes and 2 wrong answers are rejected")


if __name__ == "__main__":
    main()
