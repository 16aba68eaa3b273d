"""Makes the pictures the README shows: ``python docs/images/make_pictures.py``."""

from pathlib import Path

import autograd as ag
from autograd.viz import draw_graph, to_svg

HERE = Path(__file__).parent


def graph_after_backward() -> str:
    x = ag.tensor([1.0, -2.0], requires_grad=True)
    x.name = "x"
    loss = ((x * 2.0).tanh() * x).sum()
    loss.name = "loss"
    loss.backward()  # the saved tensors are freed; the structure and the gradients stay
    return to_svg(draw_graph(loss))


if __name__ == "__main__":
    (HERE / "graph-after-backward.svg").write_text(graph_after_backward())
