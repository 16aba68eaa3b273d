"""``nn.to_torch`` on every layer glassgrad has: the torch module gives the
glassgrad module's outputs and parameter gradients, in the same dtype, with
the same state (weights, buffers, ties, training mode)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch", reason="to_torch converts to PyTorch, the oracle here")

RNG = np.random.default_rng(23)


def _x(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


IDS = np.array([[0, 6, 2, 3], [1, 1, 5, 4]])
CAUSAL = np.triu(np.ones((4, 4), bool), 1)
MLP_OPTIONS = dict(dim_feedforward=12, dropout=0.0)

# name -> (a glassgrad module, its positional inputs, its keyword inputs)
CASES: dict[str, tuple[Any, tuple, dict]] = {
    "Linear": (lambda: nn.Linear(4, 3), (_x(5, 4),), {}),
    "Linear-no-bias": (lambda: nn.Linear(4, 3, bias=False), (_x(2, 5, 4),), {}),
    "Conv2d": (lambda: nn.Conv2d(2, 3, 3, stride=2, padding=1), (_x(2, 2, 7, 6),), {}),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1),
                        (_x(2, 2, 4, 4),), {}),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(4, momentum=0.3), (_x(6, 4),), {}),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(2, affine=False), (_x(3, 2, 4, 4),), {}),
    "LayerNorm": (lambda: nn.LayerNorm((3, 4), eps=1e-3), (_x(2, 3, 4),), {}),
    "Embedding": (lambda: nn.Embedding(7, 3), (IDS,), {}),
    "Dropout": (lambda: nn.Dropout(0.5).eval(), (_x(4, 3),), {}),
    "MaxPool2d": (lambda: nn.MaxPool2d(2), (_x(1, 2, 6, 6),), {}),
    "AvgPool2d": (lambda: nn.AvgPool2d(3, stride=2, padding=1), (_x(1, 2, 7, 7),), {}),
    "AdaptiveAvgPool2d": (lambda: nn.AdaptiveAvgPool2d((3, None)), (_x(2, 2, 7, 5),), {}),
    "Flatten": (lambda: nn.Flatten(1, 2), (_x(2, 3, 4, 2),), {}),
    "Identity": (lambda: nn.Identity(), (_x(3),), {}),
    "activations": (lambda: nn.Sequential(
        nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 4), nn.Tanh(), nn.Sigmoid(), nn.SiLU(), nn.Softplus(),
        nn.GELU(), nn.GELU(approximate="tanh"), nn.LeakyReLU(0.2), nn.ELU(0.7), nn.Softmax(dim=0),
        nn.LogSoftmax(dim=-1)), (_x(5, 4),), {}),
    "SwiGLU": (lambda: nn.SwiGLU(4, 6, 3), (_x(5, 4),), {}),
    "MLP": (lambda: nn.MLP([4, 8, 8, 2], activation=nn.Tanh), (_x(5, 4),), {}),
    "MultiheadAttention": (lambda: nn.MultiheadAttention(8, 2), (_x(4, 3, 8), _x(5, 3, 8), _x(5, 3, 8)), {}),
    "MultiheadAttention-batch-first-masked": (lambda: nn.MultiheadAttention(8, 4, batch_first=True),
                                              (_x(3, 4, 8),) * 3, {"attn_mask": CAUSAL}),
    "TransformerEncoderLayer": (lambda: nn.TransformerEncoderLayer(8, 2, **MLP_OPTIONS), (_x(4, 3, 8),),
                                {"src_mask": CAUSAL}),
    "TransformerEncoderLayer-gelu-norm-first": (lambda: nn.TransformerEncoderLayer(
        8, 2, activation="gelu", norm_first=True, batch_first=True, **MLP_OPTIONS), (_x(3, 4, 8),), {}),
    "TransformerEncoderLayer-module-activation": (lambda: nn.TransformerEncoderLayer(
        8, 2, activation=nn.SiLU(), bias=False, **MLP_OPTIONS), (_x(4, 3, 8),), {}),
    "TransformerEncoder": (lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, **MLP_OPTIONS), 2,
                                                         norm=nn.LayerNorm(8)), (_x(4, 3, 8),), {"mask": CAUSAL}),
    "TransformerDecoderLayer": (lambda: nn.TransformerDecoderLayer(8, 2, **MLP_OPTIONS), (_x(4, 3, 8), _x(5, 3, 8)),
                                {"tgt_mask": CAUSAL}),
    "TransformerDecoder": (lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, norm_first=True,
                                                                                    **MLP_OPTIONS), 2),
                           (_x(4, 3, 8), _x(5, 3, 8)), {}),
    "Transformer": (lambda: nn.Transformer(8, 2, 2, 1, dim_feedforward=12, dropout=0.0),
                    (_x(5, 3, 8), _x(4, 3, 8)), {"tgt_mask": CAUSAL}),
    "RNN": (lambda: nn.RNN(3, 4, nonlinearity="relu", bidirectional=True), (_x(5, 2, 3),), {}),
    "LSTM": (lambda: nn.LSTM(3, 4, num_layers=2, batch_first=True), (_x(2, 5, 3),), {}),
    "GRU": (lambda: nn.GRU(3, 4, bias=False), (_x(5, 2, 3),), {}),
    "RNNCell": (lambda: nn.RNNCell(3, 4), (_x(2, 3),), {}),
    "LSTMCell": (lambda: nn.LSTMCell(3, 4), (_x(2, 3),), {}),
    "GRUCell": (lambda: nn.GRUCell(3, 4), (_x(2, 3),), {}),
    "ModuleDict-ModuleList": (lambda: nn.Sequential(nn.ModuleDict({"a": nn.Linear(3, 3)})["a"],
                                                    nn.ModuleList([nn.Tanh()])[0]), (_x(2, 3),), {}),
}


def _arrays(out: Any) -> list:
    """Every array in a module's output (tensors, tuples of them, None left out)."""
    if isinstance(out, (tuple, list)):
        return [a for item in out for a in _arrays(item)]
    if out is None:
        return []
    return [out.detach().numpy() if hasattr(out, "detach") else np.asarray(out)]


def _run(module: Any, inputs: tuple, kwargs: dict, dtype: Any, framework: str) -> tuple[list, list]:
    """The module's output arrays and its float inputs' gradients after a
    backward of a fixed weighted sum of its outputs."""
    def cast(a: np.ndarray, grad: bool = False) -> Any:
        grad = grad and a.dtype.kind == "f"
        a = a.astype(dtype) if a.dtype.kind == "f" else a
        return ag.tensor(a, requires_grad=grad) if framework == "ours" else torch.tensor(a, requires_grad=grad)

    leaves = [cast(a, grad=True) for a in inputs]
    out = module(*leaves, **{k: cast(v) for k, v in kwargs.items()})
    loss = 0
    for t in _tensors(out):
        if t.dtype == ag.float64 or t.dtype == ag.float32 or getattr(t, "is_floating_point", lambda: False)():
            loss = loss + (t * cast(np.linspace(-1, 1, t.numel()).reshape(tuple(t.shape)))).sum()
    loss.backward()
    return _arrays(out), [t.grad.numpy() for t in leaves if t.requires_grad]


def _tensors(out: Any) -> list:
    if isinstance(out, (tuple, list)):
        return [t for item in out for t in _tensors(item)]
    return [] if out is None else [out]


@pytest.mark.parametrize("dtype,tolerance", [(np.float64, 1e-9), (np.float32, 2e-4)], ids=["float64", "float32"])
@pytest.mark.parametrize("case", list(CASES))
def test_to_torch_gives_the_same_outputs_gradients_state_and_dtype(case, dtype, tolerance):
    make, inputs, kwargs = CASES[case]
    ag.manual_seed(3)
    ours = make().to(dtype)
    theirs = nn.to_torch(ours)
    assert theirs.training == ours.training
    for name, p in theirs.named_parameters():
        assert p.dtype == getattr(torch, np.dtype(dtype).name) and p.requires_grad, name
    got, got_grads = _run(ours, inputs, kwargs, dtype, "ours")
    want, want_grads = _run(theirs, inputs, kwargs, dtype, "theirs")
    assert len(got) == len(want) > 0 and len(got_grads) == len(want_grads)
    for a, b in zip(got + got_grads, want + want_grads):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(a, b, rtol=tolerance, atol=tolerance)
    their_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), their_params[name].grad.numpy(), rtol=tolerance, atol=tolerance,
                                   err_msg=name)
    their_state = theirs.state_dict()
    for name, value in ours.state_dict().items():  # the running statistics moved alike
        np.testing.assert_allclose(value, their_state[name].numpy(), rtol=tolerance, atol=tolerance, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("case", [c for c in CASES if c != "SwiGLU"])  # (torch has no SwiGLU to come back from)
def test_from_torch_brings_each_layer_back_with_its_weights_and_dtype(case, dtype):
    make, inputs, kwargs = CASES[case]
    ag.manual_seed(5)
    ours = make().to(dtype)
    back = nn.from_torch(nn.to_torch(ours))
    assert isinstance(ours, type(back)) and back.training == ours.training  # (an MLP comes back a Sequential)
    mine, theirs = ours.state_dict(), back.state_dict()
    assert list(mine) == list(theirs)
    for name, value in mine.items():
        assert theirs[name].dtype == value.dtype, name
        np.testing.assert_array_equal(theirs[name], value, err_msg=name)
    got, _ = _run(back, inputs, kwargs, dtype, "ours")
    want, _ = _run(ours, inputs, kwargs, dtype, "ours")
    for a, b in zip(got, want, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kind", ["LazyLinear", "LazyConv2d"])
def test_lazy_layers_convert_before_and_after_their_first_batch(kind):
    x = _x(2, 3, 5, 5)
    make = (lambda: nn.LazyLinear(4)) if kind == "LazyLinear" else (lambda: nn.LazyConv2d(4, 3, padding=1))
    fresh = nn.to_torch(nn.Sequential(make(), nn.Tanh()).double())
    assert type(fresh[0]).__name__ == kind  # torch's own lazy layer, sized by its first batch
    assert fresh(torch.from_numpy(x)).dtype == torch.float64
    ours = nn.Sequential(make(), nn.Tanh())
    ours(ag.tensor(x.astype(np.float32)))  # materialised: now a plain Linear / Conv2d
    ours.double()
    theirs = nn.to_torch(ours)
    assert type(theirs[0]).__name__ == kind.removeprefix("Lazy")
    np.testing.assert_allclose(ours(ag.tensor(x)).numpy(), theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-12)


def test_tied_weights_stay_tied_and_the_training_mode_is_kept():
    model = nn.Sequential(nn.Embedding(7, 4), nn.LayerNorm(4), nn.Linear(4, 7, bias=False))
    model[2].weight = model[0].weight
    model.eval()
    theirs = nn.to_torch(model)
    assert theirs[2].weight is theirs[0].weight and not theirs.training
    assert len(list(theirs.parameters())) == len(list(model.parameters())) == 3
    np.testing.assert_allclose(model(ag.tensor(IDS)).numpy(), theirs(torch.from_numpy(IDS)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_modules_of_your_own_and_activation_functions_of_your_own_are_refused_by_name():
    class Mine(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match="to_torch: Mine is not a built-in layer; write it as a torch.nn.Module"):
        nn.to_torch(nn.Sequential(nn.Linear(2, 2), Mine()))
    layer = nn.TransformerEncoderLayer(4, 2, activation=lambda t: t.tanh())
    with pytest.raises(TypeError, match="TransformerEncoderLayer's activation '<lambda>' is a function of your own"):
        nn.to_torch(layer)
