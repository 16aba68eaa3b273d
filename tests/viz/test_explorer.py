"""The backprop explorer (autograd/explorer.py): the page's data against the
engine, and the page itself driven in a real headless Chromium (Debian's
chromium and chromium-driver, which .ci/run installs) with Selenium.
The browser tests live in test_explorer_browser.py."""

from __future__ import annotations

import re

import numpy as np
import pytest

import autograd as ag
from autograd import Value
from autograd.pictures.walk import _fmt
from autograd.viz import explore


def value_graph():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    n = x * w + b
    n.label = "n"
    out = n.tanh()
    out.label = "out"
    return out, (x, w, b, n)


def named_mlp(batch: int = 32):
    """A learner's two-layer MLP on a batch, every tensor named, with a cross-entropy loss."""
    from nn import functional as F

    ag.manual_seed(0)
    X, y = ag.randn(batch, 4, name="X"), ag.randint(0, 3, (batch,), name="y")
    W1, b1 = ag.randn(4, 16, requires_grad=True, name="W1"), ag.zeros(16, requires_grad=True, name="b1")
    W2, b2 = ag.randn(16, 3, requires_grad=True, name="W2"), ag.zeros(3, requires_grad=True, name="b2")
    h = (X @ W1 + b1).tanh()
    loss = F.cross_entropy(h @ W2 + b2, y)
    return loss, (X, W1, b1, W2, b2)


def sequential_model():
    import nn
    from nn import functional as F

    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    loss = F.cross_entropy(model(ag.randn(5, 4, name="x")), ag.tensor([0, 1, 2, 0, 1]))
    return model, loss


def expression(terms: int = 50):
    """A 300-node scalar expression: sum of tanh(x_i * w_i + 0.5) (6 Values a term)."""
    rng = np.random.default_rng(0)
    total = Value(0.0, label="start")
    for i in range(terms):
        x, w = Value(float(rng.normal()), label=f"x{i}"), Value(float(rng.normal()), label=f"w{i}")
        total = total + (x * w + 0.5).tanh()
    total.label = "total"
    return total


def test_steps_walk_forward_then_backward_with_the_engines_gradients():
    out, (x, w, b, n) = value_graph()
    page = explore(out)
    phases = [s["phase"] for s in page.steps]
    assert phases == ["forward"] * len(page.nodes) + ["backward"] * len(page.nodes)
    forward = [s["node"] for s in page.steps if s["phase"] == "forward"]
    assert forward[0] == str(id(x)) and forward.index(str(id(x))) < forward.index(str(id(n)))
    assert forward[-1] == str(id(out))
    assert page.steps[len(page.nodes)]["node"] == str(id(out))  # backward starts at the root
    last = page.gradients(-1)
    out.backward()
    every = (x, w, b, n, out, n._prev[0])  # (n._prev[0]: the product x*w)
    assert last == {str(id(v)): _fmt(v.grad) for v in every}
    assert "grad(x) += grad(" in "\n".join(s["text"] for s in page.steps)


def test_a_value_graph_explored_after_backward_shows_every_product():
    out, (x, w, b, n) = value_graph()
    before = explore(out)
    out.backward()
    after = explore(out)
    texts = [s["text"] for s in after.steps]
    assert texts == [s["text"] for s in before.steps] and not any("freed" in t for t in texts)
    assert "grad(w) += grad(*#3) * d*#3/dw = 0.5000 * 2.0000" in "\n".join(texts)
    assert after.gradients(-1) == {str(id(v)): _fmt(v.grad) for v in (x, w, b, n, out, n._prev[0])}
    with pytest.raises(RuntimeError, match="retain_graph"):  # the engine still frees them: a second pass raises
        out.backward()


def test_a_named_tensor_mlp_names_every_tensor_and_shows_each_rule_with_shapes():
    loss, (X, W1, b1, W2, b2) = named_mlp()
    page = explore(loss)
    names = {info["name"] for info in page.nodes.values()}
    assert {"X", "W1", "b1", "W2", "b2"} <= names
    assert not any(name.startswith("_") or info["op"].startswith("_") for name, info in
                   ((i["name"], i) for i in page.nodes.values()))
    text = "\n".join(s["text"] for s in page.steps)
    assert "grad(W1) += Xᵀ @ grad(out)   (32, 4)ᵀ @ (32, 16) -> (4, 16)   = " in text
    assert "grad(W2) += Tanh#7ᵀ @ grad(out)   (32, 16)ᵀ @ (32, 3) -> (16, 3)" in text
    assert "summed over axes (0,) (undoing broadcasting) -> (16,)" in text
    # every forward value is there before backward, and it is the value numpy computes
    assert all(info["data"] is not None for info in page.nodes.values())
    product = next(info for info in page.nodes.values() if info["op"] == "MatMul" and info["shape"] == [32, 16])
    assert np.allclose(product["heat"]["values"], X.numpy() @ W1.numpy(), atol=1e-5)
    # the forward pass starts from the inputs: the first layer's weight, never a constant
    forward = [page.nodes[s["node"]]["name"] for s in page.steps if s["phase"] == "forward"]
    assert forward[0] == "W1" and forward.index("b1") < forward.index("W2") and "X" not in forward
    loss.backward()
    assert page.gradients(-1)[next(u for u, i in page.nodes.items() if i["name"] == "W1")] == _fmt(W1.grad.numpy())


def test_a_tensor_graph_after_backward_says_why_numbers_are_missing_and_how_to_keep_them():
    loss, (X, W1, *_) = named_mlp()
    loss.backward()
    page = explore(loss)
    w1 = next(u for u, i in page.nodes.items() if i["name"] == "W1")
    assert page.nodes[w1]["grad"] == _fmt(W1.grad.numpy()) and page.nodes[w1]["data"] is not None
    product = next(info for info in page.nodes.values() if info["op"] == "MatMul" and info["shape"] == [32, 16])
    assert product["data"] is None and "freed by backward()" in product["missing"]
    assert "retain_graph=True" in product["missing"] and "retain_grad()" in product["missing"]
    text = "\n".join(s["text"] for s in page.steps)
    assert "grad(W1) += constᵀ @ grad(out)   (32, 4)ᵀ @ (32, 16) -> (4, 16)" in text  # the rule and shapes stay
    assert "explore before backward(), or after backward(retain_graph=True)" in text


def test_a_model_names_its_parameters_with_their_state_dict_keys_and_groups_its_modules():
    model, loss = sequential_model()
    page = explore(loss, model=model)
    leaves = sorted(info["name"] for info in page.nodes.values() if info["op"] == "input")
    assert leaves == sorted(model.state_dict())
    assert sorted(g["label"] for g in page.groups) == ["0: Linear", "2: Linear"]
    for g in page.groups:  # each Linear box holds its op and its own parameters
        members = sorted(page.nodes[m]["name"] for m in g["members"] if page.nodes[m]["op"] == "input")
        prefix = g["label"].split(":")[0]
        assert members == [f"{prefix}.bias", f"{prefix}.weight"]
        assert page.nodes[g["output"]]["op"] == "Linear"
    assert "0.weight" in page.html and 'id="group0"' in page.html
    from autograd.viz import backward_steps, draw_graph
    assert "0.weight" in draw_graph(loss, model=model).source and "cluster_" in draw_graph(loss, model=model).source
    steps = list(backward_steps(loss, model=model))
    assert re.search(r"grad\(2\.weight\) \+= grad\(out\)ᵀ @ ReLU#\d+   \(5, 3\)ᵀ @ \(5, 8\) -> \(3, 8\)",
                     steps[1].source)
    with pytest.raises(TypeError, match="named_parameters"):
        explore(loss, model=object())


def test_the_page_is_self_contained_and_works_after_a_training_step():
    import nn

    model, loss = sequential_model()
    page = explore(loss)
    assert not re.search(r"""(src|href)=["']https?:""", page.html) and "<script src" not in page.html
    nn.optim.SGD(model.parameters(), lr=0.1).zero_grad()
    loss.backward()  # a training step: the saved tensors are freed, the graph stays
    after = explore(loss, model=model)
    leaves = {info["name"]: info["grad"] for info in after.nodes.values() if info["op"] == "input"}
    assert len(leaves) == 4 and all(g is not None for g in leaves.values())
    assert len(after.steps) == 2 * len([i for i in after.nodes.values() if i["kind"] != "const"])
    other = explore(loss)
    ids = [re.search(r'<div id="(gg[0-9a-f]+)"', p.html).group(1) for p in (after, other)]
    assert ids[0] != ids[1]  # each page's script and styles find only their own elements
    assert 'iframe srcdoc="&lt;!DOCTYPE html&gt;' in after._repr_html_()  # an isolated frame in Jupyter
    with pytest.raises(ValueError, match="explore: the root does not require grad"):
        explore(ag.ones(2))
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        explore(loss, max_nodes=0)


def test_a_300_node_expression_is_one_page_with_every_node():
    total = expression()
    page = explore(total)
    assert len(page.nodes) >= 300 and "... more" not in page.html
    assert len(page.steps) == 2 * len(page.nodes)
    # repeated structure collapses: the first tanh block drawn in full, the 49 others one box each
    blocks = [info["block"] for info in page.nodes.values() if "block" in info]
    assert len(blocks) == 49 and sorted(b["label"] for b in blocks)[0] == "tanh block 10 of 50"
    drawn = set(re.findall(r"<title>(\d+)</title>", page.html))
    for uid, info in page.nodes.items():  # every node is drawn, or shown (and found) as its block
        assert uid in drawn or info.get("shownAs") in drawn, info["name"]
    assert len(drawn) < len(page.nodes) / 2


@pytest.mark.parametrize("doc", ["README.md", "docs/pictures.md"])
def test_the_documented_example_makes_the_full_page(doc, tmp_path, monkeypatch):
    """The first page a learner makes (explore(out) after out.backward()) has every product."""
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    block = next(b for b in re.findall(r"```python\n(.*?)```", (root / doc).read_text(encoding="utf-8"), re.S)
                 if "explore(out)" in b)
    monkeypatch.chdir(tmp_path)
    exec(compile("from autograd import Value\n" + block, doc, "exec"), {"__name__": "__docs__"})
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" class="data">(.*?)</script>', page, re.S)
                      .group(1).replace("<\\/", "</"))
    backward = [s["text"] for s in data["steps"] if s["phase"] == "backward"]
    assert not any("freed" in t for t in backward)
    assert sum(" * d" in t and " = " in t for t in backward) == 3  # tanh, + and *: each product with numbers


def test_a_graph_past_max_nodes_is_cut_and_still_collapses_its_repeats():
    page = explore(expression(250))  # 1501 nodes: one past the default bound
    assert len(page.nodes) == 1500 and page.html.count("... more") == 1
    assert sum("block" in info for info in page.nodes.values()) >= 200


def test_a_pytorch_form_functions_value_is_found_by_running_it_again():
    class Cube(ag.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    x = ag.tensor([1.0, -2.0, 0.5], requires_grad=True, name="x")
    page = explore((Cube.apply(x) * 2.0).sum())
    cube = next(info for info in page.nodes.values() if info["op"] == "Cube")
    assert cube["heat"]["values"] == [[1.0, -8.0, 0.125]] and x.grad is None


def test_a_saved_tensor_changed_in_place_is_not_shown_as_the_forward_value():
    X = ag.tensor(np.arange(6.0).reshape(2, 3), name="X")
    W = ag.tensor(np.ones((3, 2)), requires_grad=True, name="W")
    before = X.numpy() @ W.numpy()
    loss = ((X @ W) + 1.0).sum()
    X.add_(100.0)  # after the forward: the saved X is no longer what the product read
    page = explore(loss)
    product = next(info for info in page.nodes.values() if info["op"] == "MatMul")
    assert product["heat"] is None or np.allclose(product["heat"]["values"], before)
    constant = next(info for info in page.nodes.values() if info["kind"] == "const")
    assert constant["data"] is None
