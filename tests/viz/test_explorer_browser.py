"""The explorer's page in a real headless Chromium (Debian's chromium and
chromium-driver, which .ci/run installs), driven with Selenium: what a
learner sees on a named tensor MLP, an nn.Sequential model, a Value graph
explored after backward(), and a 300-node expression; and no JavaScript
error on any page."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

import autograd as ag
from autograd.pictures.walk import _fmt
from autograd.viz import explore
from tests.viz.test_explorer import expression, named_mlp, sequential_model, value_graph

pytestmark = pytest.mark.slow


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
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1200,800"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


def _open(browser, page, tmp_path):
    from selenium.webdriver.common.by import By

    path = page.save(tmp_path / "explorer.html")
    browser.get(path.as_uri())
    return browser.find_element(By.CSS_SELECTOR, "body > div[tabindex]")


def _no_javascript_errors(browser):
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def _next(root):
    from selenium.webdriver.common.by import By

    root.find_element(By.CSS_SELECTOR, "button.next").click()


def _hover(browser, element):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    controls = browser.find_element(By.CSS_SELECTOR, ".controls")  # (leave the graph first: a fresh mouseenter)
    ActionChains(browser).move_to_element(controls).move_to_element(element).perform()
    tooltip = browser.find_element(By.CSS_SELECTOR, ".tooltip")
    assert tooltip.is_displayed()
    return tooltip


_ON_SCREEN = """
const root = arguments[0], W = window.innerWidth, H = window.innerHeight;
const inside = r => r.left >= 0 && r.top >= 0 && r.right <= W && r.bottom <= H && r.width > 0;
const box = root.querySelector('.graph').getBoundingClientRect();
const current = [...root.querySelectorAll('g.node.current, g.cover.current')].map(g => g.getBoundingClientRect());
return {controls: inside(root.querySelector('.controls').getBoundingClientRect()),
        step: inside(root.querySelector('.step').getBoundingClientRect()),
        stepTop: root.querySelector('.step').getBoundingClientRect().top,
        graphTop: box.top,
        current: current.length > 0 && current.every(r => r.left >= box.left - 1 && r.right <= box.right + 1
                                                   && r.top >= box.top - 1 && r.bottom <= box.bottom + 1)};
"""


def test_a_named_tensor_mlp_shows_names_rules_with_shapes_and_every_value(browser, tmp_path):
    from selenium.webdriver.common.by import By

    loss, (X, W1, b1, W2, b2) = named_mlp()
    page = explore(loss)
    root = _open(browser, page, tmp_path)
    svg_text = root.find_element(By.CSS_SELECTOR, ".graph svg").get_attribute("textContent")
    for name in ("X", "W1", "b1", "W2", "b2"):
        assert name in svg_text
    assert not any(word.startswith("_") for word in root.text.split())  # no private name anywhere
    search = root.find_element(By.CSS_SELECTOR, "input.search")
    for uid, info in page.nodes.items():  # before backward: every node's value, found by name, on hover
        search.clear()
        search.send_keys(info["name"])
        assert root.get_attribute("data-found") == uid
        shape = root.find_elements(By.CSS_SELECTOR, f'g.node[data-uid="{uid}"]')[0]
        text = _hover(browser, shape).text
        assert "data: " + " ".join(info["data"].split()) in text and "not kept" not in text, (info["name"], text)
    w1 = next(uid for uid, info in page.nodes.items() if info["name"] == "W1")
    slot = root.find_element(By.CSS_SELECTOR, f'g.node[data-uid="{w1}"]')
    seen = []
    for step in page.steps:
        _next(root)
        seen.append(root.find_element(By.CSS_SELECTOR, ".step").text)
        current = browser.execute_script(
            "return [...arguments[0].querySelectorAll('g.node.current')].map(g => g.dataset.uid);", root)
        assert current and set(current) == {step["node"]}  # never a constant with it
    assert any("grad(W1) += Xᵀ @ grad(out) (32, 4)ᵀ @ (32, 16) -> (4, 16)" in " ".join(t.split()) for t in seen)
    loss.backward()
    drawn = " ".join(slot.get_attribute("textContent").split())
    assert "grad " + " ".join(_fmt(W1.grad.numpy()).split()) in drawn  # the gradient is drawn into the box
    _no_javascript_errors(browser)


def test_an_nn_sequential_model_names_parameters_as_state_dict_and_its_modules_open(browser, tmp_path):
    from selenium.webdriver.common.by import By

    model, loss = sequential_model()
    page = explore(loss, model=model)
    root = _open(browser, page, tmp_path)
    covers = root.find_elements(By.CSS_SELECTOR, "g.cover")
    lines = {c: [t.get_attribute("textContent") for t in c.find_elements(By.CSS_SELECTOR, "text")] for c in covers}
    assert sorted(text[0] for text in lines.values()) == ["0: Linear", "2: Linear"]
    first = next(c for c, text in lines.items() if text[0] == "0: Linear")
    assert "0.weight" in lines[first][1] and "0.bias" in lines[first][1]
    weight = next(u for u, i in page.nodes.items() if i["name"] == "0.weight")
    tooltip = _hover(browser, first)
    assert "module 0: Linear" in tooltip.text and "data: " in tooltip.text
    first.click()  # the Linear box opens into its op and its parameters
    group = page.nodes[weight]["group"]
    assert root.find_element(By.CSS_SELECTOR, f"g#{group}").get_attribute("data-open") == "true"
    assert not first.is_displayed()
    text = _hover(browser, root.find_element(By.CSS_SELECTOR, f'g.node[data-uid="{weight}"]')).text
    assert "0.weight" in text and "shape: (8, 4)" in text
    names = {i["name"] for i in page.nodes.values() if i["op"] == "input"}
    assert names == set(model.state_dict())
    _no_javascript_errors(browser)


def test_a_value_graph_explored_after_backward_shows_every_product(browser, tmp_path):
    from selenium.webdriver.common.by import By

    out, (x, w, b, n) = value_graph()
    out.backward()
    page = explore(out)
    root = _open(browser, page, tmp_path)
    products = []
    for step in page.steps:
        _next(root)
        text = root.find_element(By.CSS_SELECTOR, ".step").text
        assert "freed" not in text
        if step["phase"] == "backward" and " * d" in step["text"]:
            products.append(text)
    assert len(products) == 3  # tanh, +, *: each shows its products with numbers
    assert "grad(x) += grad(*#3) * d*#3/dx = 0.5000 * -3.0000" in products[-1]
    shown = {row.get_attribute("data-uid"): row.find_element(By.CSS_SELECTOR, ".grad").text
             for row in root.find_elements(By.CSS_SELECTOR, ".grads tr")}
    assert shown == {str(id(v)): _fmt(v.grad) for v in (x, w, b, n, out, n._prev[0])}
    _no_javascript_errors(browser)


def test_a_300_node_expression_every_node_reachable_controls_on_screen(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page = explore(expression())
    root = _open(browser, page, tmp_path)
    assert len(page.nodes) >= 300
    first_layout = browser.execute_script(_ON_SCREEN, root)
    browser.set_script_timeout(300)
    for i in range(3):  # the keys, as a learner steps
        browser.switch_to.active_element.send_keys(Keys.ARROW_RIGHT)
        assert root.get_attribute("data-step") == str(i)
    states = browser.execute_script(  # then every step, checked in the page itself (one round trip)
        "const root = arguments[0], check = new Function('el', arguments[1]), out = [];"
        "for (let i = 3; i < arguments[2]; i++) { root.querySelector('button.next').click();"
        "  out.push([root.dataset.step, check(root)]); } return out;", root, _ON_SCREEN.replace("arguments[0]", "el"),
        len(page.steps))
    assert [int(step) for step, _ in states] == list(range(3, len(page.steps)))
    for step, state in states:
        assert state["controls"] and state["step"] and state["current"], (step, state)
        assert state["graphTop"] == first_layout["graphTop"]  # the step text never moves the graph
    search = root.find_element(By.CSS_SELECTOR, "input.search")  # any node by name
    search.send_keys("w41")
    found = root.get_attribute("data-found")
    assert page.nodes[found]["name"] == "w41"
    rect = browser.execute_script("const g = arguments[0].querySelector('g.node.found').getBoundingClientRect();"
                                  "const b = arguments[0].querySelector('.graph').getBoundingClientRect();"
                                  "return g.left >= b.left && g.right <= b.right && g.top >= b.top && "
                                  "g.bottom <= b.bottom;", root)
    assert rect
    block = root.find_element(By.CSS_SELECTOR, "g.node.found")  # w41 is inside a collapsed block
    text = _hover(browser, block).text
    assert "tanh block 42 of 50, collapsed" in text and "w41: " in text and "x41: " in text
    _no_javascript_errors(browser)


def test_tooltips_stay_inside_the_window_and_keys_work_at_once(browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    W = ag.tensor(np.random.default_rng(0).standard_normal((64, 32)), requires_grad=True, name="W")
    page = explore((W * W).sum())
    root = _open(browser, page, tmp_path)
    ActionChains(browser).send_keys(Keys.ARROW_RIGHT).perform()  # no click first
    assert root.get_attribute("data-step") == "0"
    leaf = next(uid for uid, info in page.nodes.items() if info["name"] == "W")
    inside = browser.execute_script("""
        const g = arguments[0].querySelector('g.node[data-uid="' + arguments[1] + '"]');
        const W = innerWidth, H = innerHeight;
        const results = [];
        for (const [x, y] of [[W - 3, H - 3], [W - 3, 3], [3, H - 3], [W / 2, H / 2]]) {
          g.dispatchEvent(new MouseEvent('mouseenter', {clientX: x, clientY: y}));
          const r = arguments[0].querySelector('.tooltip').getBoundingClientRect();
          results.push(r.width > 100 && r.left >= 0 && r.top >= 0 && r.right <= W && r.bottom <= H);
        }
        return results;""", root, leaf)
    assert inside == [True, True, True, True]
    assert len(root.find_elements("css selector", ".tooltip svg.heat")) == 1  # the values' heatmap (64 x 32)
    _no_javascript_errors(browser)
