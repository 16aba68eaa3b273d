"""Pictures of computation graphs, in one namespace: ``draw_graph``,
``backward_steps`` and ``to_svg`` (``autograd.pictures.dot``),
``simulate_backward`` (``autograd.pictures.walk``) and the interactive
``explore`` (``autograd.explorer``). See docs/pictures.md."""

from autograd.explorer import Explorer, explore
from autograd.pictures.dot import (
    GraphPicture,
    RenderError,
    backward_steps,
    draw_graph,
    escape_label,
    find_renderer,
    to_svg,
)
from autograd.pictures.walk import simulate_backward

__all__ = ["draw_graph", "backward_steps", "simulate_backward", "explore", "Explorer",
           "to_svg", "find_renderer", "GraphPicture", "escape_label", "RenderError"]
