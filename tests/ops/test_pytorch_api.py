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


def test_nelement_and_formatting_a_0d_tensor_as_pytorch():
    t = ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.nelement() == t.numel() == 4
    assert f"{t.sum()}" == "10.0" and f"{t.mean():.2f}" == "2.50" and f"{t[0, :1]:.1f}" == "1.0"
    assert f"{t}".startswith("tensor([[1., 2.],")
