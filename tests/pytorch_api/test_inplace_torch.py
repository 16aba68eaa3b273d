"""In-place updates as PyTorch records them (issue 23, "same spelling,
different behaviour"): ``x += y`` and ``add_`` on a computed tensor change
it in place (another name for it sees the change), ``dC[ix] += demb[k]``
and item assignment into the graph are recorded (CopySlices), the tensor
keeps its dtype, and the version counter catches a real hazard; the
messages suggest only valid Python."""

from __future__ import annotations

import ast
import pathlib
import re

import numpy as np
import pytest

import autograd as ag
from nn import functional as F

torch = pytest.importorskip("torch", reason="PyTorch is the oracle for in-place recording")

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _both(program):
    """Run ``program(lib)`` under glassgrad and under torch; their results."""
    return program(ag), program(torch)


def _grads(*tensors):
    return [t.grad.detach().numpy().tolist() if hasattr(t.grad, "detach") else t.grad.numpy().tolist()
            for t in tensors]


def test_plus_equals_on_a_computed_tensor_is_in_place_and_recorded():
    def program(lib):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        h = a * 2
        alias = h
        h += 1
        h *= a
        h -= a
        h /= 2
        assert alias is h
        alias.sum().backward()
        return alias.tolist(), type(h.grad_fn).__name__.rstrip("0"), _grads(a)

    ours, theirs = _both(program)
    assert ours == theirs


def test_makemores_dC_plus_equals_and_item_assignment_are_recorded_as_copy_slices():
    rows = [1, 1, 4]
    C0 = np.arange(15.0).reshape(5, 3) / 10

    def program(lib):
        C = lib.tensor(C0, requires_grad=True)
        demb = C[lib.tensor(rows)] * 2.0
        dC = lib.zeros_like(C)
        for k, ix in enumerate(rows):
            dC[ix] += demb[k]
        h = C[0] * 3.0
        h[1] = C[2, 0] * 5.0
        (dC.pow(2).sum() + h.sum()).backward()
        return dC.tolist(), h.tolist(), _grads(C)

    ours, theirs = _both(program)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-12)


def test_an_in_place_update_keeps_the_tensors_dtype_and_a_buffer_joins_the_graph():
    def program(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        loss = (a * a).sum()
        loss += lib.tensor(2.0, dtype=lib.float64) * a.sum().double()
        total = lib.zeros(2)  # needs no gradient until it takes one that does
        total.add_(a * 3, alpha=2)
        (loss + total.sum()).backward()
        return str(loss.dtype).removeprefix("torch."), total.requires_grad, _grads(a)

    ours, theirs = _both(program)
    assert ours == theirs


def test_changing_a_saved_output_in_place_is_the_hazard_both_refuse():
    for lib, message in ((ag, "Tanh backward: its output .* was modified in place"),
                         (torch, "modified by an inplace operation")):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        y = a.tanh()
        y += 1
        with pytest.raises(RuntimeError, match=message):
            y.sum().backward()


def test_a_leaf_that_requires_grad_is_refused_and_the_message_is_valid_python():
    for update in (lambda w: w.__iadd__(1.0), lambda w: w.add_(1.0), lambda w: w.__setitem__(0, 2.0),
                   lambda w: w.fill_(0.0)):
        w = ag.tensor([1.0, 2.0], requires_grad=True)
        with pytest.raises(RuntimeError) as refused:
            update(w)
        with pytest.raises(RuntimeError):
            update(torch.tensor([1.0, 2.0], requires_grad=True))  # refused by PyTorch too
        assert w.tolist() == [1.0, 2.0]  # nothing changed
        message = str(refused.value)
        suggestions = re.findall(r"\(([^()]*=[^()]*)\)", message) + re.findall(r"`([^`]*)`", message)
        assert suggestions, message
        for code in suggestions:
            ast.parse(code.removeprefix("with ").removesuffix(":") if code.startswith("with ") else code)
        with ag.no_grad():
            update(w)  # an update inside no_grad is what the message says to write


def test_no_message_in_the_product_suggests_invalid_python_such_as_x_equals_x_plus_equals_y():
    chained = re.compile(r"\b\w+ = \w+ [-+*/]= ")
    offenders = [f"{path.relative_to(ROOT)}:{n}" for package in ("autograd", "nn", "glassgrad", "docs")
                 for path in (ROOT / package).rglob("*.*") if path.suffix in (".py", ".md")
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if chained.search(line)]
    assert offenders == []


def test_fill_zero_and_copy_on_a_computed_tensor_are_recorded_as_in_torch():
    def program(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        source = lib.tensor([5.0, 6.0], requires_grad=True)
        filled, copied, zeroed, buffer = a * 3, a * 2, a * 1, lib.zeros(2)
        filled.fill_(2.0)
        copied.copy_(source * 2)
        zeroed.zero_()
        buffer.copy_(source)  # a tensor that needed no gradient takes one from its source
        (filled * a + copied * a + zeroed + buffer * buffer).sum().backward()
        return filled.tolist(), copied.tolist(), buffer.requires_grad, _grads(a, source)

    ours, theirs = _both(program)
    assert ours == theirs
    with pytest.raises(ValueError, match=r"copy_: cannot copy shape \(3,\) into \(2,\)"):
        (ag.tensor([1.0, 2.0], requires_grad=True) * 1).copy_(ag.ones(3))


@pytest.mark.parametrize("op", ["div", "elu", "max_pool2d"])
def test_an_output_changed_in_place_backpropagates_where_pytorchs_does(op):
    """Division, ELU and max pooling keep their inputs, as PyTorch does, not
    their output: ``z = a / b; z += 1`` (and the same after ``elu`` and
    ``max_pool2d``) backpropagates."""
    def program(lib):
        a = lib.tensor([1.0, -2.0, 3.0], dtype=lib.float64, requires_grad=True)
        b = lib.tensor([3.0, 4.0, -5.0], dtype=lib.float64, requires_grad=True)
        functional = torch.nn.functional if lib is torch else F
        if op == "max_pool2d":
            z = functional.max_pool2d((a[:, None] * b).reshape(1, 1, 3, 3), 2, stride=1)
        else:
            z = a / b if op == "div" else functional.elu(a * b)
        z += 1
        (z * z).sum().backward()
        return _grads(a, b)
    ours, theirs = _both(program)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
