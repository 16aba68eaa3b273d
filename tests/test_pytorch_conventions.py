"""PyTorch's spellings on glassgrad (#14): what a learner's PyTorch code
writes runs, with PyTorch's meaning where numpy's differs, or gives an error
that says what to write instead. PyTorch, when installed, is the oracle."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
from tests.helpers import check_op

RNG = np.random.default_rng(14)


def test_size_numel_dim_view_t_and_transpose_of_two_dims():
    x = ag.tensor(RNG.standard_normal((2, 3, 4)).astype(np.float32))
    assert x.size() == (2, 3, 4) and x.size(1) == 3 and x.size(-1) == 4
    assert x.size == 24 and x.numel() == 24 and x.dim() == 3  # numpy's .size still counts
    with pytest.raises(IndexError, match="size: dim 3 is out of range"):
        x.size(3)
    assert x.view(6, 4).shape == (6, 4) and x.view(-1).shape == (24,) and x.view_as(ag.zeros(4, 6)).shape == (4, 6)
    assert x.transpose(0, 2).shape == (4, 3, 2)  # PyTorch's transpose(dim0, dim1)
    np.testing.assert_array_equal(x.transpose(0, 2).data, np.swapaxes(x.data, 0, 2))
    assert x.transpose(2, 0, 1).shape == (4, 2, 3) and x.transpose().shape == (4, 3, 2)  # numpy's forms
    m = ag.tensor([[1.0, 2.0, 3.0]])
    assert m.t().shape == (3, 1) and m.transpose(0, 1).shape == (3, 1)
    with pytest.raises(ValueError, match="t: expects a tensor of at most 2 dimensions"):
        x.t()
    assert x.flatten(start_dim=1).shape == (2, 12) and x.unsqueeze(dim=0).squeeze(dim=0).shape == (2, 3, 4)


def test_conversions_formatting_and_devices():
    x = ag.tensor([1.5, -2.25], requires_grad=True)
    assert x.float().dtype == np.float32 and x.double().dtype == np.float64 and x.half().dtype == np.float16
    assert x.long().tolist() == [1, -2] and x.long().dtype == np.int64 and x.int().dtype == np.int32
    assert x.bool().tolist() == [True, True] and x.to(ag.float64).dtype == np.float64
    assert x.to("cpu") is x and x.cpu() is x and x.device == "cpu"
    assert x.to(ag.zeros(1, dtype=ag.int64)).dtype == np.int64
    assert x.type_as(ag.zeros(1, dtype=ag.float64)).dtype == np.float64 and x.element_size() == 4
    assert not x.is_cuda and (x > 0).logical_not().tolist() == [False, True]
    s = x.sum()
    assert f"{s:.3f}" == "-0.750" and float(s) == -0.75 and int(ag.tensor(7)) == 7
    assert [10, 20, 30][ag.tensor(1)] == 20  # an integer tensor is an index
    for make in (lambda: x.to("cuda"), lambda: ag.zeros(2, device="cuda:0"), lambda: ag.tensor([1.0], device="mps")):
        with pytest.raises(RuntimeError, match="glassgrad runs on the CPU only.*device='cpu'"):
            make()
    assert ag.ones(2, device="cpu").dtype == np.float32 and ag.tensor([1, 2], dtype=ag.float32).dtype == np.float32
    c = x.clone()
    c.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0] and not np.shares_memory(c.data, x.data)
    nc = ag.tensor(np.arange(6.0).reshape(2, 3)).transpose(0, 1)
    assert not nc.is_contiguous() and nc.contiguous().is_contiguous() and nc.contiguous().tolist() == nc.tolist()


def test_module_level_functions_mirror_torchs():
    x = ag.tensor(RNG.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    for name in ("tanh", "exp", "sigmoid", "relu", "abs", "sin", "cos"):
        np.testing.assert_array_equal(getattr(ag, name)(x).data, getattr(x, name)().data)
    assert ag.sum(x, dim=1).shape == (3,) and ag.mean(x).shape == () and ag.flatten(x).shape == (12,)
    assert ag.cat([x, x], dim=1).shape == (3, 8) and ag.stack([x, x], dim=0).shape == (2, 3, 4)
    assert ag.max(x, 1).indices.shape == (3,) and ag.max(x).shape == ()
    assert ag.dot(ag.tensor([1.0, 2.0]), ag.tensor([3.0, 4.0])).item() == 11.0
    assert ag.mm(x, x.t()).shape == (3, 3) and ag.is_tensor(x) and not ag.is_tensor(x.numpy())
    assert [p.shape for p in ag.split(x, 3, dim=1)] == [(3, 3), (3, 1)]  # torch's split: chunks of 3
    assert [p.shape for p in ag.split(x, [1, 3], dim=1)] == [(3, 1), (3, 3)]
    assert [p.shape for p in x.chunk(2)] == [(2, 4), (1, 4)]
    assert ag.float32 is np.float32 and ag.long is np.int64 and ag.bool is np.bool_
    assert ag.randn_like(x).shape == x.shape and ag.full_like(x, 7.0).data.max() == 7.0


def test_bool_tensors_take_and_or_not():
    a, b = ag.tensor([True, True, False]), ag.tensor([True, False, False])
    assert (a & b).tolist() == [True, False, False] and (a | b).tolist() == [True, True, False]
    assert (~a).tolist() == [False, False, True] and (a ^ b).tolist() == [False, True, False]
    x = ag.tensor([1.0, -1.0, 2.0])
    assert ((x > 0) & (x < 2)).tolist() == [True, False, False]
    with pytest.raises(TypeError, match="&: needs bool or integer tensors, got dtype float32"):
        x & a


@pytest.mark.parametrize("name,fn,ref", [
    ("sin", lambda x: x.sin(), np.sin),
    ("cos", lambda x: x.cos(), np.cos),
    ("log10", lambda x: (x * x + 1.0).log10(), lambda x: np.log10(x * x + 1.0)),
    ("norm", lambda x: x.norm(), lambda x: np.sqrt((x * x).sum())),
    ("norm_dim", lambda x: x.norm(dim=1, keepdim=True), lambda x: np.linalg.norm(x, axis=1, keepdims=True)),
    ("norm_1", lambda x: x.norm(1, dim=0), lambda x: np.abs(x).sum(0)),
    ("norm_3", lambda x: x.norm(3), lambda x: (np.abs(x) ** 3).sum() ** (1 / 3)),
    ("clone", lambda x: x.clone() * x, lambda x: x * x),
    ("contiguous", lambda x: x.t().contiguous() * 2.0, lambda x: x.T * 2.0),
], ids=lambda v: v if isinstance(v, str) else "")
def test_new_ops_against_numpy_and_finite_differences(name, fn, ref):
    x = np.linspace(-1.5, 1.7, 12).reshape(3, 4)
    check_op(fn, ref, [x], smooth=name != "norm_1")


def test_norm_of_zero_has_zero_gradient_as_in_pytorch():
    x = ag.tensor([0.0, 0.0], requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_against_torch():
    torch = pytest.importorskip("torch")
    a = RNG.standard_normal((3, 4))
    ours, theirs = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    functions = [
        lambda t: t.transpose(0, 1), lambda t: t.var(1), lambda t: t.std(0, keepdim=True),
        lambda t: t.max(1)[0], lambda t: t.norm(), lambda t: t.log_softmax(dim=0),
        lambda t: t.view(2, 6).sum(dim=0), lambda t: t.sin() * t.cos(),
    ]
    for fn in functions:
        y, z = fn(ours), fn(theirs)
        np.testing.assert_allclose(y.data, z.detach().numpy(), rtol=1e-10, atol=1e-12)
        v = RNG.standard_normal(y.shape)
        (g,) = ag.grad(y, ours, ag.tensor(v))
        (h,) = torch.autograd.grad(z, theirs, torch.tensor(v))
        np.testing.assert_allclose(g.data, h.numpy(), rtol=1e-10, atol=1e-12)
    assert ag.tensor([0, 5]).dtype == np.int64 == torch.tensor([0, 5]).numpy().dtype
    assert math.isclose(ag.tensor([1.0, 2.0]).var().item(), torch.tensor([1.0, 2.0]).var().item())


def test_loss_plus_equals_and_inplace_flags_as_learners_write_them():
    import nn
    from nn import functional as F

    w = ag.tensor([0.5, -1.0], requires_grad=True)
    loss = 0
    for target in (1.0, 2.0):
        loss += ((w * 2.0).sum() - target) ** 2  # 0 + tensor, then tensor += tensor: recorded
    loss = ag.tensor(0.0) + loss
    loss += w.sum()
    loss.backward()
    np.testing.assert_allclose(w.grad.data, [2 * 2 * (-1 - 1) + 2 * 2 * (-1 - 2) + 1] * 2)
    with pytest.raises(RuntimeError, match=r"\+=: in-place change of a tensor that requires grad"):
        w += 1.0  # a leaf that requires grad: refused, as in PyTorch
    x = ag.tensor([-1.0, 2.0])
    model = nn.Sequential(nn.ReLU(inplace=True), nn.LeakyReLU(0.1, inplace=True), nn.Dropout(0.0, inplace=True))
    assert model(x).tolist() == [0.0, 2.0] and x.tolist() == [-1.0, 2.0]
    assert F.relu(x, inplace=True).tolist() == [0.0, 2.0] and F.elu(x, inplace=False).shape == (2,)


class ScaledExp(ag.Function):
    """y = scale * e**x, written in PyTorch's form (PyTorch's polynomial_custom_function style)."""

    @staticmethod
    def forward(ctx, x, scale):
        y = x.exp() * scale
        ctx.save_for_backward(x)
        ctx.scale = scale
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        assert ctx.needs_input_grad == (True, False)
        return grad_output * x.exp() * ctx.scale, None


class NumpyCube(ag.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return ag.from_numpy(x.numpy() ** 3)

    @staticmethod
    @ag.once_differentiable
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return ag.from_numpy(g.numpy() * 3 * x.numpy() ** 2)


def test_pytorch_style_custom_functions():
    x = ag.tensor([0.25, -1.0], dtype=ag.float64, requires_grad=True)
    y = ScaledExp.apply(x, 3.0)
    assert y.grad_fn.name() == "ScaledExpBackward"
    np.testing.assert_allclose(y.data, 3 * np.exp(x.data))
    assert ag.gradcheck(lambda t: ScaledExp.apply(t, 3.0), [x])
    assert ag.gradgradcheck(lambda t: ScaledExp.apply(t, 3.0), [x])  # its backward uses Tensor ops
    assert ag.gradcheck(NumpyCube.apply, [x])
    with pytest.raises(RuntimeError, match="NumpyCubeBackward: its backward is once_differentiable"):
        ag.grad(NumpyCube.apply(x).sum(), x, create_graph=True)
    with ag.no_grad():
        assert ScaledExp.apply(x, 1.0).grad_fn is None
    x.grad = None
    z = ScaledExp.apply(x, 1.0)
    with ag.no_grad():
        x.mul_(2.0)  # changes a saved input
    with pytest.raises(RuntimeError, match="ScaledExp backward: input 0 .* was modified in place"):
        z.sum().backward()


@pytest.mark.parametrize("subscripts,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk->", [(2, 3), (3, 4)]), ("ij->j", [(2, 3)]),
    ("ij,jk->ijk", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]), ("i,i->", [(3,), (3,)]),
    ("ij,k->ijk", [(2, 3), (2,)]),
])
def test_einsum_against_numpy_and_finite_differences(subscripts, shapes):
    arrays = [RNG.standard_normal(s) for s in shapes]
    check_op(lambda *ts: ag.einsum(subscripts, *ts), lambda *xs: np.einsum(subscripts, *xs), arrays)


def test_einsum_refuses_what_it_does_not_do_with_a_message():
    a = ag.ones(2, 2)
    with pytest.raises(ValueError, match="einsum: write the output explicitly"):
        ag.einsum("ij,jk", a, a)
    with pytest.raises(ValueError, match="a letter repeated in one operand"):
        ag.einsum("ii->i", a)


def test_cumsum_topk_masked_fill_tril_triu():
    x = RNG.standard_normal((3, 4))
    check_op(lambda t: t.cumsum(1), lambda v: np.cumsum(v, 1), [x])
    check_op(lambda t: t.topk(2, dim=1).values, lambda v: -np.sort(-v, axis=1)[:, :2], [x], smooth=True)
    check_op(lambda t: t.topk(1, dim=0, largest=False)[0], lambda v: np.sort(v, axis=0)[:1], [x])
    check_op(lambda t: ag.tril(t), np.tril, [x])
    check_op(lambda t: ag.triu(t, 1), lambda v: np.triu(v, 1), [x])
    mask = np.tril(np.ones((3, 4), bool)) == 0
    check_op(lambda t: t.masked_fill(ag.tensor(mask), -1e9), lambda v: np.where(mask, -1e9, v), [x])
    assert ag.tensor(x).topk(2).indices.dtype == np.int64
    with pytest.raises(TypeError, match="masked_fill: the mask must be a bool tensor"):
        ag.tensor(x).masked_fill(ag.tensor(mask.astype(np.float32)), 0.0)


def test_seeded_generators_and_sampling():
    from nn import functional as F

    def draw(seed):
        g = ag.Generator().manual_seed(seed)
        p = ag.tensor([0.1, 0.0, 0.6, 0.3])
        return (ag.multinomial(p, 8, replacement=True, generator=g).tolist(),
                ag.randint(0, 27, (5,), generator=g).tolist(), ag.randperm(6, generator=g).tolist(),
                ag.randn(2, generator=g).tolist())

    assert draw(2147483647) == draw(2147483647) != draw(1)
    samples = ag.multinomial(ag.tensor([[0.0, 1.0], [1.0, 0.0]]), 3, replacement=True)
    assert samples.tolist() == [[1, 1, 1], [0, 0, 0]] and samples.dtype == np.int64
    assert sorted(ag.multinomial(ag.ones(5), 5).tolist()) == [0, 1, 2, 3, 4]  # without replacement
    with pytest.raises(ValueError, match="cannot draw 6 samples from 5 categories without replacement"):
        ag.multinomial(ag.ones(5), 6)
    assert F.one_hot(ag.tensor([2, 0]), 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert F.one_hot(ag.tensor([1, 3])).shape == (2, 4)


def test_module_list_dict_and_apply():
    import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(3, 4), nn.Linear(4, 2)])
            self.heads = nn.ModuleDict({"a": nn.Linear(2, 1), "b": nn.Linear(2, 1)})

        def forward(self, x):
            for layer in self.layers:
                x = layer(x).tanh()
            return self.heads["a"](x) + self.heads["b"](x)

    net = Net()
    names = [name for name, _ in net.named_parameters()]
    assert names[:2] == ["layers.0.weight", "layers.0.bias"] and "heads.b.bias" in names and len(names) == 8
    assert net(ag.ones(5, 3)).shape == (5, 1) and len(net.layers) == 2 and list(net.heads) == ["a", "b"]
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen.count("Linear") == 4  # children first, then the module
    net.apply(lambda m: nn.init.zeros_(m.bias) if isinstance(m, nn.Linear) else None)
    assert all(np.all(m.bias.data == 0) for m in net.modules() if isinstance(m, nn.Linear))
    with pytest.raises(TypeError, match="ModuleList: item 0 is a int, not a Module"):
        nn.ModuleList([1])


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_weight_and_ignore_index_against_torch(reduction, smoothing):
    torch = pytest.importorskip("torch")
    from nn import functional as F

    logits = RNG.standard_normal((6, 4))
    target = np.array([0, 3, -100, 1, 2, -100])
    weight = np.array([0.5, 2.0, 1.0, 3.0])
    for w in (None, weight):
        ours_in = ag.tensor(logits, requires_grad=True)
        ours = F.cross_entropy(ours_in, ag.tensor(target), weight=None if w is None else ag.tensor(w),
                               reduction=reduction, label_smoothing=smoothing)
        theirs_in = torch.tensor(logits, requires_grad=True)
        theirs = torch.nn.functional.cross_entropy(theirs_in, torch.tensor(target),
                                                   weight=None if w is None else torch.tensor(w),
                                                   reduction=reduction, label_smoothing=smoothing)
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)
        ours.sum().backward()
        theirs.sum().backward()
        np.testing.assert_allclose(ours_in.grad.data, theirs_in.grad.numpy(), rtol=1e-10, atol=1e-12)
    nll = F.nll_loss(ag.tensor(logits).log_softmax(1), ag.tensor(target), weight=ag.tensor(weight), reduction=reduction)
    ref = torch.nn.functional.nll_loss(torch.tensor(logits).log_softmax(1), torch.tensor(target),
                                       weight=torch.tensor(weight), reduction=reduction)
    np.testing.assert_allclose(nll.data, ref.numpy(), rtol=1e-10)


def test_cross_entropy_ignore_index_closed_form():
    from nn import functional as F

    logits = ag.tensor([[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    loss = F.cross_entropy(logits, ag.tensor([0, -100, 1]))
    expected = (np.log1p(np.exp(-2.0)) + np.log(2.0)) / 2  # the ignored row counts for nothing
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    with pytest.raises(IndexError, match="target class 2 is out of range for 2 classes"):
        F.cross_entropy(logits, ag.tensor([0, 2, 1]))
    with pytest.raises(ValueError, match="weight must have one value per class"):
        F.cross_entropy(logits, ag.tensor([0, 1, 1]), weight=ag.tensor([1.0, 2.0, 3.0]))


def test_optimizer_parameter_groups_against_torch():
    import nn

    torch = pytest.importorskip("torch")
    w0, b0 = RNG.standard_normal((3, 2)), RNG.standard_normal(3)
    x = RNG.standard_normal((5, 2))
    for name, extra in (("SGD", {"momentum": 0.9}), ("Adam", {}), ("AdamW", {"weight_decay": 0.1}),
                        ("RMSprop", {"momentum": 0.5})):
        ours = [ag.tensor(w0, requires_grad=True), ag.tensor(b0, requires_grad=True)]
        theirs = [torch.tensor(w0, requires_grad=True), torch.tensor(b0, requires_grad=True)]
        opt = getattr(nn.optim, name)([{"params": [ours[0]]}, {"params": ours[1], "lr": 0.05}], lr=0.01, **extra)
        ref = getattr(torch.optim, name)([{"params": [theirs[0]]}, {"params": theirs[1], "lr": 0.05}],
                                         lr=0.01, **extra)
        sched, ref_sched = nn.optim.StepLR(opt, 2, 0.5), torch.optim.lr_scheduler.StepLR(ref, 2, 0.5)
        for _ in range(4):
            for params, engine, o, s in ((ours, ag, opt, sched), (theirs, torch, ref, ref_sched)):
                loss = (engine.tanh(engine.tensor(x) @ params[0].t() + params[1]) ** 2).sum()
                o.zero_grad()
                loss.backward()
                o.step()
                s.step()
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-9, err_msg=name)
        assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in ref.param_groups]
    with pytest.raises(ValueError, match="SGD: lr, momentum and weight_decay must be >= 0"):
        nn.optim.SGD([{"params": [ours[0]], "lr": -1.0}], lr=0.1)
    with pytest.raises(ValueError, match="parameter group 0 has unknown options \\['betas'\\]"):
        nn.optim.SGD([{"params": [ours[0]], "betas": (0.9, 0.9)}])
    opt = nn.optim.SGD([{"params": [ours[0]]}, {"params": [ours[1]], "lr": 0.5}], lr=0.1)
    assert opt.lr == 0.1
    opt.lr = 0.2  # the old spelling: every group
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.2]


def test_dataset_tensordataset_and_dataloader_the_pytorch_way():
    from nn.data import DataLoader, Dataset, TensorDataset

    X = ag.tensor(np.arange(20.0).reshape(10, 2))
    y = ag.tensor(np.arange(10))
    loader = DataLoader(TensorDataset(X, y), batch_size=4)  # PyTorch's defaults: no shuffle
    batches = list(loader)
    assert len(loader) == 3 and [xb.shape for xb, _ in batches] == [(4, 2), (4, 2), (2, 2)]
    assert batches[0][1].tolist() == [0, 1, 2, 3] and batches[0][1].dtype == np.int64
    g1, g2 = ag.Generator().manual_seed(3), ag.Generator().manual_seed(3)
    first = [yb.tolist() for _, yb in DataLoader(TensorDataset(X, y), 5, shuffle=True, generator=g1)]
    again = [yb.tolist() for _, yb in DataLoader(TensorDataset(X, y), 5, shuffle=True, generator=g2)]
    assert first == again and sorted(sum(first, [])) == list(range(10)) and first != [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]

    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": float(i), "y": i * i}

    (batch,) = list(DataLoader(Squares(), batch_size=5))
    assert batch["x"].dtype == np.float32 and batch["y"].tolist() == [0, 1, 4, 9, 16]
    assert len(list(DataLoader(X.data, y.data, batch_size=4, drop_last=True))) == 2  # glassgrad's short form


def test_batchnorm2d_and_scaled_dot_product_attention_against_torch():
    import nn
    from nn import functional as F

    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((4, 3, 5, 5))
    ours, theirs = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3).double()
    out_ours, out_theirs = ours(ag.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(out_ours.data, out_theirs.detach().numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-5)
    q, k, v = (RNG.standard_normal((2, 3, 4, 8)) for _ in range(3))
    for kwargs in ({}, {"is_causal": True}, {"attn_mask": np.tril(np.ones((4, 4), bool))}, {"scale": 0.3}):
        tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
        gq, gk, gv = (ag.tensor(a, requires_grad=True) for a in (q, k, v))
        torch_kwargs = {k_: (torch.tensor(v_) if isinstance(v_, np.ndarray) else v_) for k_, v_ in kwargs.items()}
        ref = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, **torch_kwargs)
        got = F.scaled_dot_product_attention(gq, gk, gv, **kwargs)
        np.testing.assert_allclose(got.data, ref.detach().numpy(), rtol=1e-9, atol=1e-12)
        ref.sum().backward()
        got.sum().backward()
        for a, b in ((gq, tq), (gk, tk), (gv, tv)):
            np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_numpy_arrays_meet_tensors_and_updating_an_array_with_a_tensor_says_what_to_write():
    t = ag.tensor([1.0, 2.0], requires_grad=True)
    a = np.array([3.0, 4.0], np.float32)
    for got, expected in ((a * t, [3.0, 8.0]), (a - t, [2.0, 2.0]), (a / t, [3.0, 2.0]), (a + t, [4.0, 6.0])):
        assert isinstance(got, ag.Tensor) and got.requires_grad and got.tolist() == expected
    assert (a < t).tolist() == [False, False] and (a > t).tolist() == [True, True]
    (a * t).sum().backward()
    assert t.grad.tolist() == [3.0, 4.0]
    with pytest.raises(TypeError, match=r"write|update the tensor .*no_grad"):
        a += t.grad  # the array cannot take a Tensor in place
    with pytest.raises(TypeError, match=r"np.exp: numpy does not record .*autograd.exp\(t\)"):
        np.exp(t)
    e = np.exp(t.detach())  # untracked: a Tensor, as np.exp gives with torch
    assert isinstance(e, ag.Tensor) and not e.requires_grad and e.tolist() == pytest.approx(np.exp([1.0, 2.0]))
    assert np.mean(t) == pytest.approx(1.5) and np.transpose(ag.zeros(2, 3)).shape == (3, 2)  # numpy's meaning


def _torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


def test_data_is_an_untracked_tensor_sharing_storage_as_in_pytorch():
    p = ag.tensor([1.0, 1.0], requires_grad=True)
    (p * 2.0).sum().backward()
    d = p.data
    assert isinstance(d, ag.Tensor) and not d.requires_grad and d.grad_fn is None and p.requires_grad
    p.data += -0.1 * p.grad  # micrograd's and makemore's update
    assert p.tolist() == pytest.approx([0.8, 0.8]) and p.is_leaf and p.requires_grad
    p.data.sub_(p.grad)  # PyTorch's spelling of the same update
    assert p.tolist() == pytest.approx([-1.2, -1.2])
    d[0] = 5.0  # shares storage
    assert p.tolist()[0] == 5.0
    p.data = ag.tensor([1.0, 2.0, 3.0])  # rebinds the storage; shape may change
    assert p.shape == (3,) and p.requires_grad
    with pytest.raises(TypeError, match="data: a tensor that requires grad must stay floating-point"):
        p.data = ag.tensor([1, 2])
    assert p.tolist() == [1.0, 2.0, 3.0]
    torch = _torch_or_none()
    if torch is not None:  # the same lines in PyTorch give the same numbers
        q = torch.tensor([1.0, 1.0], requires_grad=True)
        (q * 2.0).sum().backward()
        q.data += -0.1 * q.grad
        q.data.sub_(q.grad)
        assert q.tolist() == pytest.approx([-1.2, -1.2])


def test_to_torch_and_from_torch_round_trip_every_built_in_layer():
    import nn

    torch = pytest.importorskip("torch")
    ag.manual_seed(0)
    image = nn.Sequential(
        nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 4, 3, stride=1), nn.AvgPool2d(1), nn.Flatten(), nn.Dropout(0.5),
        nn.Linear(4, 8), nn.LayerNorm(8), nn.GELU(), nn.Linear(8, 8), nn.BatchNorm1d(8), nn.Tanh(),
        nn.Linear(8, 6), nn.LeakyReLU(0.2), nn.ELU(0.5), nn.SiLU(), nn.Softplus(), nn.Sigmoid(),
        nn.Identity(), nn.Linear(6, 5), nn.LogSoftmax(dim=1),
    )
    tokens = nn.Sequential(nn.Embedding(7, 3), nn.GELU(approximate="tanh"), nn.Softmax(dim=-1))
    x = RNG.standard_normal((3, 2, 6, 6)).astype(np.float32)
    ids = np.array([[0, 6, 2]])
    for model, inp in ((image, x), (tokens, ids)):
        model.train()
        model(ag.tensor(inp))  # a training step moves the batch-norm statistics
        model.eval()
        exported = nn.to_torch(model)
        assert not exported.training
        ours = model(ag.tensor(inp)).data
        theirs = exported(torch.tensor(inp)).detach().numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-4, atol=1e-5)
        back = nn.from_torch(exported)
        np.testing.assert_allclose(back(ag.tensor(inp)).data, ours, rtol=1e-6, atol=1e-7)
        for key, value in model.state_dict().items():
            np.testing.assert_array_equal(back.state_dict()[key], value)

    sequence = RNG.standard_normal((4, 2, 3)).astype(np.float32)
    recurrent = [nn.RNN(3, 4, nonlinearity="relu", bidirectional=True), nn.LSTM(3, 4, num_layers=2, bias=False),
                 nn.GRU(3, 4, batch_first=True), nn.RNNCell(3, 4, nonlinearity="relu"), nn.LSTMCell(3, 4),
                 nn.GRUCell(3, 4, bias=False)]
    for layer in recurrent:
        inp = sequence if "Cell" not in type(layer).__name__ else sequence[0]
        exported = nn.to_torch(layer)
        assert type(exported).__name__ == type(layer).__name__
        ours, theirs = layer(ag.tensor(inp)), exported(torch.tensor(inp))
        first_o = ours[0] if isinstance(ours, tuple) else ours
        first_t = theirs[0] if isinstance(theirs, tuple) else theirs
        np.testing.assert_allclose(first_o, first_t.detach().numpy(), rtol=1e-5, atol=1e-6)
        back = nn.from_torch(exported)
        assert list(back.state_dict()) == list(layer.state_dict()) and repr(back) == repr(layer)
        for key, value in layer.state_dict().items():
            np.testing.assert_array_equal(back.state_dict()[key], value)

    class Mine(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match="to_torch: Mine is not a built-in layer"):
        nn.to_torch(nn.Sequential(nn.Linear(2, 2), Mine()))


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_recurrent_layers_and_cells_against_torch(kind, bidirectional):
    import nn

    torch = pytest.importorskip("torch")
    ours = getattr(nn, kind)(3, 5, num_layers=2, batch_first=True, bidirectional=bidirectional)
    theirs = getattr(torch.nn, kind)(3, 5, num_layers=2, batch_first=True, bidirectional=bidirectional).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())  # the same names in the same order
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = RNG.standard_normal((2, 4, 3))
    h0 = RNG.standard_normal((4 if bidirectional else 2, 5))  # unbatched: (layers * directions, H)
    unbatched_o = ours(ag.tensor(x[0]), (ag.tensor(h0), ag.tensor(h0)) if kind == "LSTM" else ag.tensor(h0))
    unbatched_t = theirs(torch.tensor(x[0]), (torch.tensor(h0),) * 2 if kind == "LSTM" else torch.tensor(h0))
    np.testing.assert_allclose(unbatched_o[0], unbatched_t[0].detach().numpy(), rtol=1e-6, atol=1e-6)
    xo, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (out_o, state_o), (out_t, state_t) = ours(xo), theirs(xt)
    assert out_o.shape == tuple(out_t.shape)
    np.testing.assert_allclose(out_o.data, out_t.detach().numpy(), rtol=1e-6, atol=1e-6)
    h_o, h_t = (state_o[0], state_t[0]) if kind == "LSTM" else (state_o, state_t)
    np.testing.assert_allclose(h_o.data, h_t.detach().numpy(), rtol=1e-6, atol=1e-6)
    (out_o.sum() + h_o.sum()).backward()
    (out_t.sum() + h_t.sum()).backward()
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, dict(theirs.named_parameters())[name].grad.numpy(),
                                   rtol=1e-5, atol=1e-6, err_msg=name)
    cell_o, cell_t = getattr(nn, kind + "Cell")(3, 4), getattr(torch.nn, kind + "Cell")(3, 4).double()
    cell_o.load_state_dict({k: v.detach().numpy() for k, v in cell_t.state_dict().items()})
    step_o, step_t = cell_o(ag.tensor(x[:, 0])), cell_t(torch.tensor(x[:, 0]))
    first_o, first_t = (step_o[0], step_t[0]) if kind == "LSTM" else (step_o, step_t)
    np.testing.assert_allclose(first_o.data, first_t.detach().numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("stride,padding,output_padding", [(1, 0, 0), (2, 1, 1), (2, 0, 0), (3, 1, 2)])
def test_conv_transpose2d_against_torch_and_finite_differences(stride, padding, output_padding):
    import nn
    from nn import functional as F

    x, w, b = RNG.standard_normal((2, 3, 4, 3)), RNG.standard_normal((3, 2, 3, 2)), RNG.standard_normal(2)
    xs = [ag.tensor(v, requires_grad=True) for v in (x, w, b)]
    assert ag.gradcheck(lambda a, k, c: F.conv_transpose2d(a, k, c, stride, padding, output_padding), xs)
    assert ag.gradgradcheck(lambda a, k: F.conv_transpose2d(a, k, None, stride, padding, output_padding), xs[:2])
    torch = pytest.importorskip("torch")
    ref = torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), stride, padding,
                                               output_padding)
    got = F.conv_transpose2d(ag.tensor(x), ag.tensor(w), ag.tensor(b), stride, padding, output_padding)
    assert got.shape == tuple(ref.shape)
    np.testing.assert_allclose(got.data, ref.numpy(), rtol=1e-10, atol=1e-12)
    layer = nn.ConvTranspose2d(3, 2, (3, 2), stride=stride, padding=padding, output_padding=output_padding)
    exported = nn.to_torch(layer)
    np.testing.assert_allclose(layer(ag.tensor(x.astype(np.float32))).data,
                               exported(torch.tensor(x.astype(np.float32))).detach().numpy(), rtol=1e-5, atol=1e-5)


def test_module_to_casts_float_parameters_and_buffers_in_place_and_refuses_other_devices():
    import nn

    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    weight = model[0].weight
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    model(ag.randn(4, 2)).sum().backward()
    assert model.double() is model and model.to("cpu") is model and model.cpu() is model
    assert weight is model[0].weight and weight.dtype == np.float64 and weight.grad.dtype == np.float64
    assert model[1].running_mean.dtype == np.float64 and model[1].num_batches_tracked.dtype == np.int64
    opt.step()  # the optimizer still holds the same parameters
    model.to("cpu", ag.float32)
    assert weight.dtype == np.float32 and model(ag.randn(4, 2)).dtype == np.float32
    with pytest.raises(RuntimeError, match="glassgrad runs on the CPU only, got device 'cuda'"):
        model.to("cuda")
    with pytest.raises(TypeError, match="Module.to: only floating-point dtypes"):
        model.to(ag.int64)
    assert weight.dtype == np.float32


def test_nelement_and_formatting_a_0d_tensor_as_pytorch():
    t = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.nelement() == t.numel() == 4
    assert f"{t.sum()}" == "10.0" and f"{t.mean():.2f}" == "2.50" and f"{t[0, :1]:.1f}" == "1.0"
    assert f"{t}".startswith("tensor([[1., 2.],")
