"""PyTorch's spellings of nn: containers, layers and their conversions to and from torch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(14)


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
    with pytest.raises(RuntimeError, match=r"\+=: in-place change of a leaf tensor that requires grad"):
        w += 1.0  # a leaf that requires grad: refused, as in PyTorch
    x = ag.tensor([-1.0, 2.0])
    model = nn.Sequential(nn.ReLU(inplace=True), nn.LeakyReLU(0.1, inplace=True), nn.Dropout(0.0, inplace=True))
    assert model(x).tolist() == [0.0, 2.0] and x.tolist() == [-1.0, 2.0]
    assert F.relu(x, inplace=True).tolist() == [0.0, 2.0] and F.elu(x, inplace=False).shape == (2,)


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
