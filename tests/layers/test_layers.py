"""nn layers on Tensors: linear, normalisation, dropout, embedding, conv and
pooling, activations and initialisers, against numpy (or direct loops),
PyTorch's layouts and gradcheck."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from nn import functional as F
from tests.helpers import assert_first_order_paths_agree

RNG = np.random.default_rng(0)


def randn64(shape, requires_grad=True, scale=1.0):
    return ag.Tensor(RNG.standard_normal(shape) * scale, requires_grad=requires_grad)


# -- layers ------------------------------------------------------------------------
def test_linear_matches_numpy_and_pytorch_layout():
    layer = nn.Linear(4, 3)
    assert layer.weight.shape == (3, 4) and layer.bias.shape == (3,)
    bound = 1 / np.sqrt(4)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    x = RNG.standard_normal((5, 4)).astype(np.float32)
    np.testing.assert_allclose(layer(ag.Tensor(x)).data, x @ layer.weight.data.T + layer.bias.data, rtol=1e-6)
    assert repr(layer) == "Linear(in_features=4, out_features=3, bias=True)"
    with pytest.raises(ValueError, match=r"linear: input of shape \(5, 3\) has 3 features, but the weight \(3, 4\)"):
        layer(ag.ones(5, 3))


def test_sequential_names_children_like_pytorch():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert "(1): ReLU()" in repr(model)
    mlp = nn.MLP([2, 8, 8, 1], activation=nn.Tanh)
    assert [type(m).__name__ for m in mlp] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]


def test_layer_functions_gradcheck():
    assert ag.gradcheck(F.linear, [randn64((3, 4)), randn64((2, 4)), randn64((2,))])
    assert ag.gradcheck(lambda x, w, b: F.layer_norm(x, 4, w, b), [randn64((2, 3, 4)), randn64((4,)), randn64((4,))])


def test_layer_norm_matches_numpy():
    x = RNG.standard_normal((2, 3, 4))
    ln = nn.LayerNorm(4)
    out = ln(ag.Tensor(x)).data
    ref = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-6)
    assert ag.gradgradcheck(lambda t: F.layer_norm(t, (3, 4)), [randn64((2, 3, 4))])


def test_batchnorm_training_and_running_stats():
    bn = nn.BatchNorm1d(3)
    x = RNG.standard_normal((8, 3)) * 2 + 1
    out = bn(ag.Tensor(x)).data
    np.testing.assert_allclose(out, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(bn.running_mean.data, 0.1 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(bn.running_var.data, 0.9 + 0.1 * x.var(0, ddof=1), rtol=1e-5)
    assert int(bn.num_batches_tracked.data) == 1
    assert set(bn.state_dict()) == {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}
    bn.eval()
    out_eval = bn(ag.Tensor(x)).data
    np.testing.assert_allclose(out_eval, (x - bn.running_mean.data) / np.sqrt(bn.running_var.data + 1e-5), rtol=1e-5)
    assert ag.gradcheck(lambda t, w, b: F.batch_norm(t, None, None, w, b, training=True),
                        [randn64((6, 3)), randn64((3,)), randn64((3,))])


def test_dropout_scales_and_is_identity_in_eval():
    ag.manual_seed(0)
    d = nn.Dropout(0.25)
    out = d(ag.ones(1000)).data
    assert set(np.unique(out)) <= {0.0, np.float32(1 / 0.75)}
    assert 0.2 < np.mean(out == 0) < 0.3
    d.eval()
    assert np.array_equal(d(ag.ones(10)).data, np.ones(10))


def test_embedding_lookup_gradient_and_range_check():
    emb = nn.Embedding(5, 3)
    idx = np.array([[0, 4], [4, 4]])
    out = emb(idx)
    np.testing.assert_array_equal(out.data, emb.weight.data[idx])
    out.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.data[:, 0], [1, 0, 0, 0, 3])
    with pytest.raises(IndexError, match="embedding: index 5 is out of range for 5 embeddings"):
        emb(np.array([5]))


def _conv_reference(x, w, b, stride, padding):
    x = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, o, oh, ow))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3]))
    return out + b[None, :, None, None]


@pytest.mark.parametrize("stride,padding", [(1, 0), (2, 1), (1, 1)])
def test_conv2d_matches_direct_loops_and_gradchecks(stride, padding):
    x, w, b = randn64((2, 2, 5, 5)), randn64((3, 2, 3, 3)), randn64((3,))
    out = F.conv2d(x, w, b, stride=stride, padding=padding)
    np.testing.assert_allclose(out.data, _conv_reference(x.data, w.data, b.data, stride, padding), rtol=1e-10)
    small = [randn64((1, 2, 4, 4)), randn64((2, 2, 2, 2)), randn64((2,))]
    assert ag.gradcheck(lambda a, k, c: F.conv2d(a, k, c, stride=stride, padding=padding), small)
    assert ag.gradgradcheck(lambda a, k: F.conv2d(a, k, stride=stride), small[:2])


@pytest.mark.parametrize("kernel,stride,padding", [(2, None, 0), (3, 2, 1), (2, 1, 0), ((2, 3), (1, 2), 1)])
def test_fused_avg_pool_equals_the_windowed_mean(kernel, stride, padding):
    from nn.conv import windows

    x = RNG.standard_normal((2, 3, 7, 6))
    fused, ref = ag.tensor(x, requires_grad=True), ag.tensor(x, requires_grad=True)
    out = F.avg_pool2d(fused, kernel, stride, padding)
    expected = windows(ref, kernel, stride, padding).mean(axis=(4, 5))
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-12)
    g = ag.tensor(RNG.standard_normal(out.shape))
    out.backward(g)
    expected.backward(g)
    np.testing.assert_allclose(fused.grad.numpy(), ref.grad.numpy(), rtol=1e-12, atol=1e-15)
    small = ag.tensor(x[:1, :2], requires_grad=True)
    assert ag.gradcheck(lambda a: F.avg_pool2d(a, kernel, stride, padding), [small])
    assert ag.gradgradcheck(lambda a: F.avg_pool2d(a, kernel, stride, padding), [small])
    assert F.avg_pool2d(ag.tensor(x.astype(np.float32)), kernel, stride, padding).dtype == np.float32


@pytest.mark.parametrize("x_shape,w_shape,stride,padding", [
    ((3, 2, 9, 8), (4, 2, 3, 3), (1, 1), (1, 1)),  # few channels, wide: per sample
    ((2, 1, 6, 9), (2, 1, 3, 3), (2, 2), (0, 0)),  # per sample, no padding: the input itself is read
    ((2, 12, 5, 4), (5, 12, 3, 2), (2, 1), (0, 1)),  # many channels: channels last
    ((2, 8, 6, 6), (3, 8, 2, 2), (2, 2), (0, 0)),  # as many channels as output columns: channels last
    ((1, 1, 7, 7), (2, 1, 3, 3), (3, 2), (1, 0)),
    ((2, 6, 5, 4), (3, 6, 3, 3), (1, 1), (1, 1)),  # channels last, stride 1: dL/dx by gathering G's patches
    ((2, 8, 5, 5), (3, 8, 2, 3), (1, 1), (0, 2)),
])
def test_both_im2col_layouts_equal_the_composite_forward_and_backward(x_shape, w_shape, stride, padding):
    from autograd.primitives._im2col import conv_backward, conv_forward
    from nn.conv import conv2d_composite

    x, w, b = RNG.standard_normal(x_shape), RNG.standard_normal(w_shape), RNG.standard_normal(w_shape[0])
    ts = [ag.tensor(v, requires_grad=True) for v in (x, w, b)]
    ref = conv2d_composite(*ts, stride, padding)
    np.testing.assert_allclose(conv_forward(x, w, b, stride, padding), ref.numpy(), rtol=1e-12, atol=1e-12)
    strided = conv_forward(np.asfortranarray(x), w, b, stride, padding)
    np.testing.assert_allclose(strided, ref.numpy(), rtol=1e-12, atol=1e-12)
    g = RNG.standard_normal(ref.shape)
    ref.backward(ag.tensor(g))
    grads = conv_backward(x, w, g, stride, padding, (True, True, True))
    for got, t in zip(grads, ts):
        assert got.shape == t.shape and got.flags.c_contiguous
        np.testing.assert_allclose(got, t.grad.numpy(), rtol=1e-11, atol=1e-12)
    only_w = conv_backward(x, w, g, stride, padding, (False, True, False))
    assert only_w[0] is None and only_w[2] is None
    np.testing.assert_allclose(only_w[1], grads[1], rtol=1e-12)


def test_pools_match_numpy_and_gradcheck():
    x = RNG.permutation(64).reshape(1, 1, 8, 8).astype(np.float64)  # distinct values: no ties
    mp = F.max_pool2d(ag.Tensor(x), 2).data
    np.testing.assert_array_equal(mp, x.reshape(1, 1, 4, 2, 4, 2).max(axis=(3, 5)))
    ap = F.avg_pool2d(ag.Tensor(x), 2).data
    np.testing.assert_allclose(ap, x.reshape(1, 1, 4, 2, 4, 2).mean(axis=(3, 5)))
    t = ag.Tensor(RNG.permutation(36).reshape(1, 1, 6, 6) / 10.0, requires_grad=True)
    assert ag.gradcheck(lambda a: F.max_pool2d(a, 3, stride=2), [t])
    assert ag.gradcheck(lambda a: F.avg_pool2d(a, 2, padding=1), [t])
    with pytest.raises(ValueError, match="conv2d: input of shape"):
        nn.Conv2d(3, 4, 3)(ag.ones(1, 2, 5, 5))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kernel,stride,padding,size", [
    (2, None, 0, 7), (2, None, 0, 8),  # 8: windows tile the input exactly (each element written once)
    (3, 2, 1, 7), (2, 1, 0, 7), ((2, 3), (1, 2), 0, 7)])
def test_fused_max_pool_equals_the_windowed_max_with_ties_shared(kernel, stride, padding, size, dtype):
    from nn.conv import windows

    x = np.round(RNG.standard_normal((2, 3, size, 6)), 0).astype(dtype)  # rounded: many ties in a window
    g = RNG.standard_normal(F.max_pool2d(ag.tensor(x), kernel, stride, padding).shape).astype(dtype)
    fused, ref = ag.tensor(x, requires_grad=True), ag.tensor(x, requires_grad=True)
    out = F.max_pool2d(fused, kernel, stride, padding)
    padded = ag.pad(ref, ((0, 0), (0, 0), (padding,) * 2, (padding,) * 2), constant_values=-np.inf)
    expected = windows(padded, kernel, stride).max(axis=(4, 5))  # the composite: ties share, as documented
    np.testing.assert_array_equal(out.numpy(), expected.numpy())
    out.backward(ag.tensor(g))
    expected.backward(ag.tensor(g))
    assert out.dtype == fused.grad.dtype == dtype
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-14)  # (sums of shares)
    np.testing.assert_allclose(fused.grad.numpy(), ref.grad.numpy(), **tol)
    small = ag.tensor(x[:1, :1].astype(np.float64) + RNG.uniform(0, 0.1, (1, 1, size, 6)), requires_grad=True)
    assert ag.gradcheck(lambda a: F.max_pool2d(a, kernel, stride, padding), [small])
    assert ag.gradgradcheck(lambda a: F.max_pool2d(a, kernel, stride, padding), [small])


def test_activation_modules_and_swiglu():
    x = randn64((2, 4))
    for module, ref in [(nn.ReLU(), np.maximum(x.data, 0)), (nn.Tanh(), np.tanh(x.data)),
                        (nn.LeakyReLU(0.2), np.where(x.data > 0, x.data, 0.2 * x.data)),
                        (nn.Softmax(1), np.exp(x.data) / np.exp(x.data).sum(1, keepdims=True))]:
        np.testing.assert_allclose(module(x).data, ref, rtol=1e-10)
    sw = nn.SwiGLU(4, 6)
    assert sw.w.shape == (6, 4) and sw.w2.shape == (4, 6)
    xs = x.numpy().astype(np.float32)
    h = xs @ sw.w.data.T
    ref = ((h / (1 + np.exp(-h))) * (xs @ sw.v.data.T)) @ sw.w2.data.T
    np.testing.assert_allclose(sw(ag.Tensor(xs)).data, ref, rtol=1e-5, atol=1e-6)
    assert ag.gradcheck(F.swiglu, [randn64((2, 3)), randn64((4, 3)), randn64((4, 3))])


@pytest.mark.parametrize("fn,expected_std", [
    (lambda t: nn.init.xavier_uniform_(t), np.sqrt(2 / (200 + 300))),
    (lambda t: nn.init.xavier_normal_(t, gain=2.0), 2.0 * np.sqrt(2 / (200 + 300))),
    (lambda t: nn.init.kaiming_uniform_(t, nonlinearity="relu"), np.sqrt(2 / 300)),
    (lambda t: nn.init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu"), np.sqrt(2 / 200)),
])
def test_initialisers_have_pytorchs_spread(fn, expected_std):
    ag.manual_seed(0)
    w = ag.Tensor(np.zeros((200, 300), np.float32), requires_grad=True)
    assert fn(w) is w
    assert w.data.std() == pytest.approx(expected_std, rel=0.02)
    assert abs(w.data.mean()) < 0.05 * expected_std * 10


def test_zeros_ones_and_fan_errors():
    w = ag.Tensor(np.full((2, 3), 5.0))
    assert nn.init.zeros_(w).data.sum() == 0 and nn.init.ones_(w).data.sum() == 6
    with pytest.raises(ValueError, match="init: fan in and fan out need at least 2 dimensions"):
        nn.init.xavier_uniform_(ag.zeros(3))


def test_fused_linear_and_cross_entropy_match_the_composite_ops_to_second_order():
    x, w, b = randn64((5, 4)), randn64((3, 4)), randn64((3,))
    fused = F.linear(x, w, b)
    assert fused.grad_fn.name() == "LinearBackward"
    np.testing.assert_allclose(fused.data, (x @ w.T + b).data, rtol=1e-12)
    assert ag.gradgradcheck(F.linear, [x, w, b])
    assert ag.gradgradcheck(F.linear, [randn64((2, 2, 4)), w, b])  # batch dimensions
    logits, target = randn64((6, 4)), np.array([0, 3, 1, 1, 2, 0])
    for reduction in ("mean", "sum", "none"):
        fast = F.cross_entropy(logits, target, reduction=reduction)
        slow = F.nll_loss(logits.log_softmax(1), target, reduction=reduction)
        np.testing.assert_allclose(fast.data, slow.data, rtol=1e-12)
        assert ag.gradgradcheck(lambda z, r=reduction: F.cross_entropy(z, target, reduction=r), [logits])
        assert_first_order_paths_agree(fast, [logits])
    assert_first_order_paths_agree(F.linear(x, w, b), [x, w, b])
    assert_first_order_paths_agree(F.linear(randn64((2, 2, 4)), w, b), [w, b])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_layer_norm_and_conv2d_agree_with_their_composites(dtype):
    from autograd.primitives.normalization import layer_norm_composite
    from nn.conv import conv2d_composite

    rng = np.random.default_rng(3)
    tol = {"rtol": 1e-10, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-4, "atol": 2e-5}

    def leaves(*shapes):
        return [ag.Tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in shapes]

    cases = [
        (lambda x, w, b: F.layer_norm(x, (3, 4), w, b),
         lambda x, w, b: layer_norm_composite(x, w, b, (1, 2), 1e-5), leaves((2, 3, 4), (3, 4), (3, 4))),
        (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1),
         lambda x, w, b: conv2d_composite(x, w, b, (2, 2), (1, 1)), leaves((2, 3, 6, 5), (4, 3, 3, 3), (4,))),
    ]
    for fused, composite, inputs in cases:
        out, ref = fused(*inputs), composite(*inputs)
        assert out.grad_fn.name() in ("LayerNormBackward", "ConvolutionBackward") and out.dtype == dtype
        np.testing.assert_allclose(out.data, ref.data, **tol)
        v = ag.Tensor(rng.standard_normal(out.shape).astype(dtype))
        for g, r in zip(ag.grad(out, inputs, v), ag.grad(ref, inputs, v)):
            assert g.dtype == dtype
            np.testing.assert_allclose(g.data, r.data, **tol)


def test_summary_table(capsys):
    text = nn.summary(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)), (5, 3))
    assert "0 (Linear)" in text and "(5, 4)" in text and "Total params: 26" in text


@pytest.mark.parametrize("batch_first", [False, True])
def test_recurrent_shape_error_names_the_layouts_it_takes(batch_first):
    lstm = nn.LSTM(4, 5, batch_first=batch_first)
    batched = "(N, L, 4) (batch_first)" if batch_first else "(L, N, 4)"
    with pytest.raises(ValueError) as info:
        lstm(ag.zeros(2, 3, 7))
    assert str(info.value) == f"LSTM: expected input {batched} or unbatched (L, 4), got shape (2, 3, 7)"
