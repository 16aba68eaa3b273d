"""The backprop explorer (autograd/explorer.py): the page's data against the
engine, and the page itself driven in a real headless Chromium (Debian's
chromium and chromium-driver, which .ci/run installs) with Selenium."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pytest

import autograd as ag
from autograd import Value
from autograd.pictures.walk import _fmt
from autograd.viz import explore


def _value_graph():
    x, w, b = Value(2.0, label="x"), Value(-3.0, label="w"), Value(6.8813735870195432, label="b")
    n = x * w + b
    n.label = "n"
    out = n.tanh()
    out.label = "out"
    return out, (x, w, b, n)


def test_steps_walk_forward_then_backward_with_the_engines_gradients():
    out, (x, w, b, n) = _value_graph()
    page = explore(out)
    phases = [s["phase"] for s in page.steps]
    assert phases == ["forward"] * len(page.nodes) + ["backward"] * len(page.nodes)
    forward = [s["node"] for s in page.steps if s["phase"] == "forward"]
    assert forward.index(str(id(x))) < forward.index(str(id(n))) and forward[-1] == str(id(out))
    assert page.steps[len(page.nodes)]["node"] == str(id(out))  # backward starts at the root
    last = page.steps[-1]["grads"]
    out.backward()
    every = (x, w, b, n, out, n._prev[0])  # (n._prev[0]: the product x*w)
    assert last == {str(id(v)): _fmt(v.grad) for v in every}
    assert "grad(x) += grad(" in "\n".join(s["text"] for s in page.steps)


def test_the_page_is_self_contained_and_works_for_tensors_and_after_backward():
    W = ag.tensor(np.random.default_rng(0).standard_normal((3, 2)), requires_grad=True)
    W.name = "W"
    loss = (ag.tensor(np.ones((4, 3))) @ W).tanh().sum()
    page = explore(loss)
    assert not re.search(r"""(src|href)=["']https?:""", page.html) and "<script src" not in page.html
    leaf = next(uid for uid, info in page.nodes.items() if info["name"] == "W")
    assert page.nodes[leaf]["heat"]["values"] == np.round(W.numpy(), 6).tolist()
    loss.backward()
    after = explore(loss)  # the graph survives backward(); its saved tensors do not
    assert [s["node"] for s in after.steps] == [s["node"] for s in page.steps[: len(page.nodes)]] + \
        [s["node"] for s in page.steps[: len(page.nodes)]][::-1]
    assert after.nodes[leaf]["grad"] == _fmt(W.grad.numpy())
    assert "freed by backward()" in after.steps[-1]["text"]
    assert after._repr_html_().startswith("<iframe srcdoc=")
    with pytest.raises(ValueError, match="explore: the root does not require grad"):
        explore(ag.ones(2))


@pytest.fixture(scope="module")
def browser():
    chromium, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        pytest.skip("NO BROWSER: Debian's chromium and chromium-driver are not installed "
                    "(apt-get install chromium chromium-driver; .ci/run does it), so the explorer's "
                    "page is not tested in a browser here")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


def _open(browser, page, tmp_path):
    from selenium.webdriver.common.by import By

    path = page.save(tmp_path / "explorer.html")
    browser.get(path.as_uri())
    return browser.find_element(By.CSS_SELECTOR, "body > div[tabindex]")


@pytest.mark.slow
def test_in_a_browser_stepping_highlights_each_node_and_shows_the_engines_gradients(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    out, (x, w, b, n) = _value_graph()
    page = explore(out)
    root = _open(browser, page, tmp_path)
    assert root.get_attribute("data-step") == "-1"
    next_button = root.find_element(By.CSS_SELECTOR, "button.next")
    for i, step in enumerate(page.steps):
        next_button.click()
        assert root.get_attribute("data-step") == str(i)
        assert root.get_attribute("data-highlight") == step["node"]
        current = root.find_elements(By.CSS_SELECTOR, "g.node.current")
        assert current and all(g.get_attribute("data-uid") == step["node"] for g in current)
        assert root.find_element(By.CSS_SELECTOR, ".step").text.startswith(step["phase"] + ":")
    shown = {row.get_attribute("data-uid"): row.find_element(By.CSS_SELECTOR, ".grad").text
             for row in root.find_elements(By.CSS_SELECTOR, ".grads tr")}
    out.backward()
    assert shown == {str(id(v)): _fmt(v.grad) for v in (x, w, b, n, out, n._prev[0])}
    root.send_keys(Keys.ARROW_LEFT)
    assert root.get_attribute("data-step") == str(len(page.steps) - 2)


@pytest.mark.slow
def test_in_a_browser_hovering_a_node_shows_its_value_gradient_and_heatmap(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    W = ag.tensor(np.array([[0.5, -1.0], [2.0, 0.25]]), requires_grad=True)
    W.name = "W"
    loss = (W * W).sum()
    page = explore(loss)
    root = _open(browser, page, tmp_path)
    leaf = next(uid for uid, info in page.nodes.items() if info["name"] == "W")
    for _ in page.steps:  # to the end: every gradient known
        root.find_element(By.CSS_SELECTOR, "button.next").click()
    target = root.find_element(By.CSS_SELECTOR, f'g.node[data-uid="{leaf}"]')
    ActionChains(browser).move_to_element(target).perform()
    tooltip = root.find_element(By.CSS_SELECTOR, ".tooltip")
    assert tooltip.is_displayed() and tooltip.get_attribute("data-uid") == leaf
    text = tooltip.text
    loss.backward()
    assert "W" in text and "shape: (2, 2)" in text and f"grad: {_fmt(W.grad.numpy())}" in text
    assert len(tooltip.find_elements(By.CSS_SELECTOR, "svg.heat")) == 2  # values and gradient


def test_a_models_loss_after_a_training_step_and_two_explorers_side_by_side():
    import nn
    from nn import functional as F

    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    loss = F.cross_entropy(model(ag.randn(5, 3)), ag.tensor([0, 1, 1, 0, 1]))
    nn.optim.SGD(model.parameters(), lr=0.1).zero_grad()
    loss.backward()  # a training step: the saved tensors are freed, the graph stays
    page = explore(loss)
    leaves = {info["name"]: info["grad"] for info in page.nodes.values() if info["op"] == "input"}
    assert len(leaves) == 4 and all(g is not None for g in leaves.values())
    assert len(page.steps) == 2 * len(page.nodes)
    other = explore(loss)
    ids = [re.search(r'<div id="(gg[0-9a-f]+)"', p.html).group(1) for p in (page, other)]
    assert ids[0] != ids[1]  # each page's script and styles find only their own elements
    assert 'iframe srcdoc="&lt;!DOCTYPE html&gt;' in page._repr_html_()  # an isolated frame in Jupyter
