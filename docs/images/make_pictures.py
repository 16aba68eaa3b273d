"""Makes the pictures the README shows: ``python docs/images/make_pictures.py``
(the explorer's screenshot needs Debian's chromium and chromium-driver, and
selenium)."""

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
    page = explore(out).save(HERE / "explorer.html")
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--window-size=1150,470"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(page.resolve().as_uri())
        for _ in range(11):  # the forward pass, then the backward pass up to x * w
            driver.find_element(By.CSS_SELECTOR, "button.next").click()
        weight = driver.find_element(By.CSS_SELECTOR, f'g.node[data-uid="{id(w)}"]')
        ActionChains(driver).move_to_element(weight).perform()
        driver.save_screenshot(str(path))
    finally:
        driver.quit()
        page.unlink()


if __name__ == "__main__":
    (HERE / "graph-after-backward.svg").write_text(graph_after_backward())
    explorer_screenshot(HERE / "explorer.png")
