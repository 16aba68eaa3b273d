"""Module API as torch.nn.Module has it: ModuleDict attribute access,
generators for traversal, hooks with removable handles (full backward hooks
checked against PyTorch's numbers), and state_dict() as a snapshot."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from nn.scalar import MLP as ScalarMLP


def tiny_gpt(torch_nn):
    """nanoGPT's layout, a ModuleDict read by attribute, in torch.nn or glassgrad's nn."""

    class TinyGPT(torch_nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = torch_nn.ModuleDict(dict(
                wte=torch_nn.Embedding(10, 4), wpe=torch_nn.Embedding(8, 4),
                h=torch_nn.ModuleList([torch_nn.Linear(4, 4) for _ in range(2)]), ln_f=torch_nn.LayerNorm(4)))
            self.lm_head = torch_nn.Linear(4, 10, bias=False)
            self.transformer.wte.weight = self.lm_head.weight  # weight tying, as nanoGPT

        def forward(self, idx):
            x = self.transformer.wte(idx)
            for block in self.transformer.h:
                x = block(x)
            return self.lm_head(self.transformer.ln_f(x))

    return TinyGPT()


def test_moduledict_attribute_access_and_names_match_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = tiny_gpt(nn), tiny_gpt(torch.nn)
    assert ours.transformer.wte is ours.transformer["wte"] and ours.transformer.h[1] is ours.transformer["h"][1]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours(ag.tensor([[1, 2, 3]])).shape == (1, 3, 10)
    with pytest.raises(AttributeError, match="'ModuleDict' object has no attribute 'wtf'"):
        ours.transformer.wtf  # noqa: B018


def test_traversal_gives_generators_with_torchs_names():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Sequential(nn.Linear(3, 1)))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3),
                                 torch.nn.Sequential(torch.nn.Linear(3, 1)))
    params = ours.parameters()
    assert next(params) is ours[0].weight and next(params) is ours[0].bias  # a generator
    for method in ("parameters", "buffers", "children", "modules", "named_parameters", "named_buffers"):
        assert not isinstance(getattr(ours, method)(), list), method
    assert [n for n, _ in ours.named_parameters(prefix="net")] == [n for n, _ in
                                                                   theirs.named_parameters(prefix="net")]
    assert [n for n, _ in ours.named_parameters(recurse=False)] == []
    assert [n for n, _ in ours[0].named_parameters(recurse=False)] == ["weight", "bias"]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    ours_buffers = {n for n, _ in ours.named_buffers()}
    assert ours_buffers and ours_buffers <= {n for n, _ in theirs.named_buffers()}
    assert len(list(ours.buffers())) == len(ours_buffers)
    assert list(ours.state_dict()) == list(theirs.state_dict())  # torch's order: module by module


def test_a_micrograd_model_keeps_micrograds_list():
    model = ScalarMLP(3, [4, 1], seed=0)
    params = model.parameters()
    assert isinstance(params, list) and len(params) == (3 + 1) * 4 + (4 + 1) * 1
    assert len(model.parameters()) == len(params)  # reused every step, as micrograd's programs do


def test_forward_hooks_pre_hooks_and_their_handles():
    model = nn.Linear(2, 2)
    seen = []
    pre = model.register_forward_pre_hook(lambda m, args: (args[0] * 0,))  # replaces the input
    post = model.register_forward_hook(lambda m, args, out: seen.append(out.shape))
    first = model.register_forward_hook(lambda m, args, out: seen.append("first"), prepend=True)
    kw = model.register_forward_hook(lambda m, args, kwargs, out: seen.append(sorted(kwargs)), with_kwargs=True)
    x = ag.ones(3, 2)
    out = model(x)
    np.testing.assert_allclose(out.numpy(), np.broadcast_to(model.bias.numpy(), (3, 2)))
    assert seen == ["first", (3, 2), []]
    for handle in (pre, post, first, kw):
        handle.remove()
    seen.clear()
    np.testing.assert_allclose(model(x).numpy(), x.numpy() @ model.weight.numpy().T + model.bias.numpy(),
                               rtol=1e-6)
    assert seen == []
    with model.register_forward_hook(lambda m, args, out: out * 2):
        doubled = model(x)
    np.testing.assert_allclose(doubled.numpy(), 2 * model(x).numpy(), rtol=1e-6)


def _pair(torch):
    ag.manual_seed(1)
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    theirs = nn.to_torch(ours)
    return ours, theirs


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")  # torch says so when no input needs grad
@pytest.mark.parametrize("x_requires_grad", [True, False])
def test_full_backward_hook_sees_torchs_gradients(x_requires_grad):
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch)
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    got: dict = {}

    def recorder(name):
        def hook(module, grad_input, grad_output):
            got[name] = ([None if g is None else np.asarray(g.detach().numpy()) for g in grad_input],
                         [np.asarray(g.detach().numpy()) for g in grad_output])
        return hook

    ours[0].register_full_backward_hook(recorder("ours0"))
    ours[2].register_full_backward_hook(recorder("ours2"))
    theirs[0].register_full_backward_hook(recorder("theirs0"))
    theirs[2].register_full_backward_hook(recorder("theirs2"))
    xs = ag.tensor(x, requires_grad=x_requires_grad), torch.tensor(x, requires_grad=x_requires_grad)
    ours(xs[0]).pow(2).sum().backward()
    theirs(xs[1]).pow(2).sum().backward()
    for layer in ("0", "2"):
        (ours_in, ours_out), (theirs_in, theirs_out) = got["ours" + layer], got["theirs" + layer]
        assert [g is None for g in ours_in] == [g is None for g in theirs_in]
        for a, b in zip(ours_in + ours_out, theirs_in + theirs_out):
            if a is not None:
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_full_backward_hook_may_replace_grad_input_as_in_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch)
    x = np.random.default_rng(2).standard_normal((5, 3)).astype(np.float32)
    handle = ours[2].register_full_backward_hook(lambda m, gi, go: (gi[0] * 3,))
    theirs[2].register_full_backward_hook(lambda m, gi, go: (gi[0] * 3,))
    xo, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours(xo).sum().backward()
    theirs(xt).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours[0].weight.grad.numpy(), theirs[0].weight.grad.numpy(), rtol=1e-5, atol=1e-6)
    handle.remove()
    xo.grad = None
    ours(xo).sum().backward()
    xt.grad = None
    theirs[2]._backward_hooks.clear()
    theirs(xt).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_state_dict_is_a_snapshot():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    best = model.state_dict()
    kept = {k: v.copy() for k, v in best.items()}
    opt = nn.optim.SGD(model.parameters(), lr=0.5)
    for _ in range(3):
        opt.zero_grad()
        model(ag.randn(8, 2)).pow(2).sum().backward()
        opt.step()
    assert not np.array_equal(model.state_dict()["0.weight"], kept["0.weight"])  # training moved on
    for k in kept:
        np.testing.assert_array_equal(best[k], kept[k])  # the snapshot did not
    live = model.state_dict(keep_vars=True)
    assert live["0.weight"] is model[0].weight
    assert list(model.state_dict(prefix="net.")) == [f"net.{k}" for k in kept]


def test_registration_spellings():
    model = nn.Module()
    model.add_module("body", nn.Linear(2, 2))
    model.register_parameter("scale", nn.Parameter(ag.ones(1)))
    model.register_parameter("unused", None)
    assert model.body is model.get_submodule("body") and model.unused is None
    assert [n for n, _ in model.named_parameters()] == ["scale", "body.weight", "body.bias"]
    del model.scale
    assert [n for n, _ in model.named_parameters()] == ["body.weight", "body.bias"]
    with pytest.raises(AttributeError, match="has no submodule 'head'"):
        model.get_submodule("head")


def test_moduledict_editing_and_freezing():
    md = nn.ModuleDict({"a": nn.Linear(2, 2)})
    md.update([("b", nn.Linear(2, 1))])
    assert list(md) == ["a", "b"] and md.b is md["b"]
    popped = md.pop("a")
    assert isinstance(popped, nn.Linear) and list(md) == ["b"] and "a" not in md
    del md["b"]
    assert len(md) == 0
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    assert model[0].requires_grad_(False) is model[0]
    assert [p.requires_grad for p in model.parameters()] == [False, False, True, True]


def test_buffers_persist_and_stay_buffers_as_in_torch():
    torch = pytest.importorskip("torch")

    def build(torch_nn, tensor):
        class Counter(torch_nn.Module):
            def __init__(self):
                super().__init__()
                self.register_buffer("steps", tensor([0.0]))
                self.register_buffer("cache", tensor([1.0, 2.0]), persistent=False)
                self.body = torch_nn.Linear(2, 2)

        return Counter()

    ours, theirs = build(nn, ag.tensor), build(torch.nn, torch.tensor)
    ours.steps = ours.steps + 1  # assigning a tensor to a buffer's name keeps it a buffer
    theirs.steps = theirs.steps + 1
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["steps", "body.weight", "body.bias"]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()] == ["steps", "cache"]
    assert ours.state_dict()["steps"].tolist() == [1.0]
