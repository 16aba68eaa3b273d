"""name= on every way to make a tensor (glassgrad's; the pictures and the
explorer show it), and t.name as documented."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import glassgrad as torch

FACTORIES = {
    "tensor": lambda n: ag.tensor([1.0, 2.0], name=n),
    "Tensor": lambda n: ag.Tensor([1.0], name=n),
    "zeros": lambda n: ag.zeros(2, 3, name=n),
    "ones": lambda n: ag.ones(2, name=n),
    "full": lambda n: ag.full((2,), 3.0, name=n),
    "eye": lambda n: ag.eye(2, name=n),
    "arange": lambda n: ag.arange(3, name=n),
    "linspace": lambda n: ag.linspace(0, 1, 5, name=n),
    "rand": lambda n: ag.rand(2, name=n),
    "randn": lambda n: ag.randn(2, 3, requires_grad=True, name=n),
    "randint": lambda n: ag.randint(0, 3, (4,), name=n),
    "randperm": lambda n: ag.randperm(4, name=n),
    "zeros_like": lambda n: ag.zeros_like(ag.ones(2), name=n),
    "ones_like": lambda n: ag.ones_like(ag.ones(2), name=n),
    "full_like": lambda n: ag.full_like(ag.ones(2), 5.0, name=n),
    "rand_like": lambda n: ag.rand_like(ag.ones(2), name=n),
    "randn_like": lambda n: ag.randn_like(ag.ones(2), name=n),
    "from_numpy": lambda n: ag.from_numpy(np.ones(2), name=n),
    "torch.tensor": lambda n: torch.tensor([1.0], name=n),
    "torch.empty": lambda n: torch.empty(2, name=n),
    "torch.empty_like": lambda n: torch.empty_like(ag.ones(2), name=n),
}


@pytest.mark.parametrize("make", FACTORIES.values(), ids=FACTORIES.keys())
def test_every_factory_takes_a_name(make):
    t = make("W1")
    assert t.name == "W1"
    assert make("").name == ""  # the default: no name


def test_a_named_tensor_is_shown_by_its_name_and_a_name_set_later_too():
    from autograd.viz import draw_graph

    W = ag.randn(3, 2, requires_grad=True, name="W")
    b = ag.zeros(2, requires_grad=True)
    b.name = "b"
    source = draw_graph((ag.ones(4, 3) @ W + b).sum()).source
    assert "W (3, 2) float32" in source and "b (2,) float32" in source
