"""Makes the pictures the README and docs show: ``python docs/images/make_pictures.py``
(the explorer's screenshot needs Debian's chromium and chromium-driver, and
selenium)."""

from pathlib import Path

import graphviz

import autograd as ag
from autograd.viz import backward_steps, draw_graph, to_svg

HERE = Path(__file__).parent


def graph_after_backward() -> str:
    x = ag.tensor([1.0, -2.0], requires_grad=True)
    x.name = "x"
    loss = ((x * 2.0).tanh() * x).sum()
    loss.name = "loss"
    loss.backward()  # the saved tensors are freed; the structure and the gradients stay
    return to_svg(draw_graph(loss))


def layers() -> str:
    """docs/design.md's map: which package and module does what, and who imports whom."""
    g = graphviz.Digraph("layers", graph_attr={"rankdir": "BT", "fontname": "Helvetica", "nodesep": "0.25"},
                         node_attr={"shape": "box", "style": "rounded,filled", "fontname": "Helvetica",
                                    "fontsize": "11", "fillcolor": "#f4f4f4"})
    boxes = {
        "graph": "autograd/graph.py\nnodes, SavedRecord,\nthe one topological walk",
        "function": "autograd/function.py\nFunction.apply: forward,\nrecord a node",
        "engine": "autograd/engine.py\nthe backward driver, GradientSums,\nthe fast-kernel table",
        "primitives": "autograd/primitives/\none class per op: forward (numpy),\nbackward (Tensors), fast kernel",
        "coerce": "autograd/coerce.py\nnumbers and arrays into tensors",
        "tensor": "autograd/tensor*.py\nTensor and its methods",
        "value": "autograd/value.py\nValue (scalar), micrograd's pass",
        "tools": "autograd: gradients (grad), functional,\ngradcheck, grad_mode, factories",
        "viz": "autograd/pictures/, explorer.py, viz.py\npictures and the explorer",
        "nn": "nn/\nModule, layers, losses, optim,\ndata, checkpoints, CLI",
        "glassgrad": "glassgrad/\na torch-shaped namespace",
    }
    for name, label in boxes.items():
        g.node(name, label, fillcolor="#dbe9f6" if name in ("graph", "function", "engine", "primitives", "tensor")
               else "#f4f4f4")
    for a, b in [("function", "graph"), ("engine", "function"), ("engine", "graph"), ("primitives", "engine"),
                 ("coerce", "primitives"), ("tensor", "coerce"), ("tensor", "engine"), ("value", "graph"),
                 ("tools", "tensor"), ("tools", "value"), ("viz", "tensor"), ("viz", "engine"), ("nn", "tools"),
                 ("glassgrad", "nn")]:
        g.edge(a, b)
    return to_svg(g)


def one_backward_step() -> str:
    """A neuron's backward pass half-way: the node being processed and its chain-rule products."""
    from autograd import Value

    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    out = (x * w + b).tanh()
    out.label = "out"
    steps = [step for step in backward_steps(out) if "grad(w)" in step.source]  # the product's step
    return to_svg(steps[0])


def explorer_screenshot(path: Path) -> None:
    """The explorer on a neuron, half-way through the backward pass, with the
    pointer on the weight ``w`` (headless Chromium through selenium)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    from autograd import Value
    from autograd.viz import explore

    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    out = (x * w + b).tanh()
    out.label = "out"
    explorer = explore(out)
    at = next(i for i, s in enumerate(explorer.steps) if s["phase"] == "backward" and "grad(w) +=" in s["text"])
    page = explorer.save(HERE / "explorer.html")
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--window-size=1150,470"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(page.resolve().as_uri())
        for _ in range(at + 1):  # the forward pass, then the backward pass up to x * w
            driver.find_element(By.CSS_SELECTOR, "button.next").click()
        weight = driver.find_element(By.CSS_SELECTOR, f'g.node[data-uid="{id(w)}"]')
        ActionChains(driver).move_to_element(weight).perform()
        driver.save_screenshot(str(path))
    finally:
        driver.quit()
        page.unlink()


def explorer_mlp_screenshot(path: Path) -> None:
    """The explorer on docs/pictures.md's named two-layer MLP (a batch of 32,
    cross-entropy), at W1's step of the backward pass, the pointer on W1."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    from autograd.viz import explore
    from nn import functional as F

    ag.manual_seed(0)
    X, y = ag.randn(32, 4, name="X"), ag.randint(0, 3, (32,), name="y")
    W1, b1 = ag.randn(4, 16, requires_grad=True, name="W1"), ag.zeros(16, requires_grad=True, name="b1")
    W2, b2 = ag.randn(16, 3, requires_grad=True, name="W2"), ag.zeros(3, requires_grad=True, name="b2")
    loss = F.cross_entropy((X @ W1 + b1).tanh() @ W2 + b2, y)
    page = explore(loss)
    at = next(i for i, s in enumerate(page.steps) if s["phase"] == "backward" and "grad(W1) +=" in s["text"])
    saved = page.save(HERE / "explorer-mlp.html")
    driver = _chromium("1280,760")
    try:
        driver.get(saved.resolve().as_uri())
        for _ in range(at + 1):
            driver.find_element(By.CSS_SELECTOR, "button.next").click()
        leaf = next(uid for uid, info in page.nodes.items() if info["name"] == "W1")
        ActionChains(driver).move_to_element(driver.find_element(By.CSS_SELECTOR, f'g.node[data-uid="{leaf}"]'))\
            .perform()
        driver.save_screenshot(str(path))
    finally:
        driver.quit()
        saved.unlink()


def _chromium(size: str):  # noqa: ANN202 (a selenium driver; selenium is optional)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", f"--window-size={size}"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


if __name__ == "__main__":
    (HERE / "graph-after-backward.svg").write_text(graph_after_backward())
    (HERE / "layers.svg").write_text(layers())
    (HERE / "backward-step.svg").write_text(one_backward_step())
    explorer_screenshot(HERE / "explorer.png")
    explorer_mlp_screenshot(HERE / "explorer-mlp.png")
