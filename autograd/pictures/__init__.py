"""Pictures of a graph: ``walk`` (what a picture shows, and the backward pass
simulated step by step), ``dot`` (Graphviz pictures); the explorer
(``autograd.explorer``) builds on both, and ``autograd.viz`` re-exports them."""
