"""Graph pictures: what they contain, rendering without a system Graphviz,
backward_steps, the safe expression parser and model drawings."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Value
from autograd.expression import evaluate
from autograd.viz import backward_steps, draw_graph, to_svg


def _neuron():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.88, label="b")
    out = (x * w + b).tanh()
    out.label = "out"
    return out, (x, w, b)


def test_scalar_graph_shows_label_data_grad_and_op_nodes():
    out, (x, w, b) = _neuron()
    out.backward(retain_graph=True)
    src = draw_graph(out).source
    assert "x | data 2.0000 | grad -1.5029" in src
    assert "w | data -3.0000 | grad 1.0019" in src
    assert "out | data 0.7064 | grad 1.0000" in src
    for op in ("label=tanh", 'label="*"', 'label="+"'):
        assert op in src
    assert "rankdir=LR" in src
    assert "rankdir=TB" in draw_graph(out, rankdir="TB").source


def test_tensor_graph_shows_shapes_dtypes_summaries_and_broadcast_marks():
    W = ag.Tensor(np.ones((3, 4), np.float32), requires_grad=True)
    W.name = "W"
    b = ag.zeros(4, requires_grad=True)
    b.name = "b"
    x = ag.Tensor(np.arange(12, dtype=np.float32).reshape(3, 4))
    loss = (x * W + b).sum()
    before = draw_graph(loss).source
    assert "W (3, 4) float32" in before and "b (4,) float32" in before
    assert "sum_to (4,)" in before  # b's gradient is summed back over the broadcast axis
    assert "BroadcastTo" in before and "#d6e9ff" in before and "#eeeeee" in before
    loss.backward(retain_graph=True)
    after = draw_graph(loss).source
    assert "grad [3.0000, 3.0000, 3.0000, 3.0000]" in after  # b's gradient summary
    assert "grad mean 5.5000  min 0.0000  max 11.0000" in after  # W gets x


def _count_nodes_and_edges(source: str) -> tuple[int, int]:
    lines = [line.strip() for line in source.splitlines()]
    edges = sum(1 for line in lines if " -> " in line)
    settings = ("graph", "node", "edge")
    nodes = sum(1 for line in lines if "[" in line and " -> " not in line and not line.startswith(settings))
    return nodes, edges


def test_tensor_graph_survives_backward_with_the_same_nodes_and_edges_and_gradients():
    x = ag.Tensor(np.array([1.0, -2.0], np.float32), requires_grad=True)
    x.name = "x"
    h = (x * 2.0).tanh()
    h.retain_grad()
    h.name = "h"
    y = (h * x + ag.ones(2)).sum()
    before = draw_graph(y).source
    assert "grad" not in before
    y.backward()  # frees the saved tensors, keeps the structure
    after = draw_graph(y).source
    assert _count_nodes_and_edges(before) == _count_nodes_and_edges(after)
    assert _count_nodes_and_edges(after)[1] >= 10
    assert f"x (2,) float32 | [1.0000, -2.0000] | grad {viz_summary(x.grad.data)}" in after
    assert f"h (2,) float32 | {viz_summary(h.data)} | grad {viz_summary(h.grad.data)}" in after
    assert "const (2,) float32" in after  # the constant ones(2)
    # walking the nodes as in PyTorch
    mul = y.grad_fn.next_functions[0][0].next_functions[0][0]
    assert y.grad_fn.name() == "SumBackward" and mul.name() == "MulBackward"
    assert [n.name() if n else None for n, _ in mul.next_functions] == ["TanhBackward", "AccumulateGrad"]
    assert mul.next_functions[1][0].variable is x
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def viz_summary(a):
    from autograd.pictures.walk import _summary

    return _summary(a)


def test_large_graphs_collapse_past_max_nodes_quickly():
    x = Value(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0001 + 0.0001
    start = time.perf_counter()
    src = draw_graph(y, max_nodes=50).source
    assert time.perf_counter() - start < 2.0
    assert src.count("shape=record") == 50
    assert "... more" in src


def test_to_svg_renders_and_jupyter_display_works():
    out, _ = _neuron()
    picture = draw_graph(out)
    svg = to_svg(picture)
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "data 2.0000" in svg
    bundle = picture._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]
    assert b"<svg" in picture.pipe(format="svg")


def test_to_svg_works_with_no_system_graphviz_on_path(tmp_path):
    code = ("from autograd import Value; from autograd.viz import draw_graph, to_svg, find_renderer;"
            "import shutil; assert shutil.which('dot') is None;"
            "print(find_renderer()); print('<svg' in to_svg(draw_graph(Value(1.0) * 2)))")
    env = dict(os.environ, PATH=str(tmp_path))  # an empty folder: no dot, no graphviz-pure on PATH
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [find_renderer_path(), "True"]


def find_renderer_path():
    import sysconfig

    return os.path.join(sysconfig.get_path("scripts"), "graphviz-pure")


def test_rendered_svg_has_every_node_and_edge_of_the_source():
    out, _ = _neuron()
    picture = draw_graph(out)
    svg = to_svg(picture)
    n_nodes = picture.source.count("[label=")
    n_edges = picture.source.count(" -> ")
    assert svg.count('class="node"') == n_nodes and svg.count('class="edge"') == n_edges
    for text in ("data 2.0000", "data &#45;3.0000", "data 6.8800", "tanh"):  # SVG escapes the minus
        assert text in svg


def test_to_svg_without_any_renderer_says_how_to_fix(monkeypatch):
    import autograd.pictures.dot as dot

    monkeypatch.setattr(dot, "find_renderer", lambda: None)
    with pytest.raises(dot.RenderError, match="pip install graphviz-pure"):
        to_svg(draw_graph(Value(1.0) * 2))


def test_backward_steps_one_distinct_picture_per_node_and_products():
    out, _ = _neuron()
    steps = list(backward_steps(out))
    assert len(steps) == 6  # out, (x*w + b), x*w, b, x, w
    sources = [s.source for s in steps]
    assert len(set(sources)) == len(sources)
    assert all("#ffe08a" in s for s in sources)  # the processed node is highlighted
    joined = "\n".join(sources)
    assert "grad(x) += grad(*#" in joined or "grad(x) += grad(" in joined
    assert "= 0.5010 * -3.0000" in joined  # grad(x) = grad(x*w) * w
    assert out.grad == 0.0  # a simulation: nothing written


def test_backward_steps_on_tensors():
    W = ag.randn(2, 3, requires_grad=True)
    loss = (W.tanh() * 2).sum()
    steps = list(backward_steps(loss))
    assert len(steps) == 4 and "grad(leaf#0) += grad(out) * (1 - out²)   (2, 3) elementwise" in steps[-2].source
    assert W.grad is None


@pytest.mark.parametrize("text", [
    "__import__('os').system('touch PWNED')", "x.__class__", "open('f')", "x[0]", "lambda: 1",
    "[x for x in ()]", "tanh(x, x)", "exp(x=1)", "x if x else 1", "'a'", "__builtins__",
])
def test_expression_parser_refuses_unsafe_input(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="expression:"):
        evaluate(text, x=1.0)
    assert not (tmp_path / "PWNED").exists()


def test_expression_values_and_gradients():
    out = evaluate("tanh(x*w + b) + 2**x - sqrt(b) / -w", x=2, w=-3, b=6.88)
    out.backward()
    ref = np.tanh(2 * -3 + 6.88) + 2**2 - np.sqrt(6.88) / 3
    assert out.data == pytest.approx(ref)


def test_draw_model_shows_layers_and_shapes():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    src = nn.draw_model(model, (5, 4)).source
    assert "Linear(in_features=4, out_features=8, bias=True)" in src
    assert "(5, 8)  (40 params)" in src and "(5, 2)  (18 params)" in src
    assert "<svg" in to_svg(nn.draw_model(model, (5, 4)))


def test_draw_model_colours_layers_by_their_parameter_count():
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4))  # 40 params: "0 params" is a substring
    src = nn.draw_model(model, (2, 4)).source
    assert src.count("#d6e9ff") == 2 and src.count("fillcolor=white") == 1
