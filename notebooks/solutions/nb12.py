"""Reference solution for notebook 12's exercise (an LSTM cell by hand); run
from notebooks/: ``PYTHONPATH=.:<repo> python solutions/nb12.py``. It checks the
solution, and that the check rejects two wrong cells (gates in the wrong order,
the cell state not carried)."""

from __future__ import annotations

from course_checks.nb12 import check_lstm_cell


def lstm_cell(x, h, c, W_ih, W_hh, b_ih, b_hh):
    """PyTorch's LSTM cell: gates i, f, g, o; c' = f c + i g; h' = o tanh(c')."""
    i, f, g, o = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=-1)
    c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c_new.tanh(), c_new


def swapped_gates(x, h, c, W_ih, W_hh, b_ih, b_hh):
    f, i, g, o = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=-1)
    c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c_new.tanh(), c_new


def forgets_everything(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = (x @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=-1)
    c_new = i.sigmoid() * g.tanh()
    return o.sigmoid() * c_new.tanh(), c_new


def main() -> None:
    check_lstm_cell(lstm_cell)
    for wrong in (swapped_gates, forgets_everything):
        try:
            check_lstm_cell(wrong)
        except AssertionError as error:
            print(f"{wrong.__name__} rejected as it should be: {error}")
        else:
            raise SystemExit(f"the check accepted the wrong cell {wrong.__name__}")
    print("nb12: the solution passes and 2 wrong answers are rejected")


if __name__ == "__main__":
    main()
