"""MultiheadAttention, TransformerEncoderLayer and TransformerEncoder against
PyTorch's with the same weights, in float64: outputs, attention weights and
gradients, both layouts, masks, pre- and post-norm."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(31)
L, S, N, E, HEADS = 4, 5, 3, 8, 2


def _copy_weights(ours, theirs):
    """torch's weights into ours (the same state-dict keys), both float64."""
    theirs.double()
    ours.double()
    state = {k: v.detach().numpy() for k, v in theirs.state_dict().items()}
    assert set(state) == set(ours.state_dict())
    ours.load_state_dict(state)


def _pair(shape):
    x = RNG.standard_normal(shape)
    return ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def _close(a, b, what):
    np.testing.assert_allclose(a.numpy() if isinstance(a, ag.Tensor) else a, b.detach().numpy(), rtol=1e-10,
                               atol=1e-12, err_msg=what)


def _check_grads(ours, theirs, inputs):
    for a, b in inputs:
        _close(a.grad, b.grad, "input gradient")
    grads = {k: p.grad for k, p in theirs.named_parameters()}
    for name, p in ours.named_parameters():
        _close(p.grad, grads[name], name)


BOOL_MASK = np.triu(np.ones((L, S), dtype=bool), 2)
PADDING = np.zeros((N, S), dtype=bool)
PADDING[0, -2:] = PADDING[2, -1] = True
FLOAT_MASK = RNG.standard_normal((N * HEADS, L, S))
MHA_CASES = [
    dict(batch_first=False),
    dict(batch_first=True, attn_mask=BOOL_MASK, key_padding_mask=PADDING),
    dict(batch_first=False, attn_mask=FLOAT_MASK, average_attn_weights=False),
    dict(batch_first=True, key_padding_mask=PADDING * -2.5, bias=False),
    dict(batch_first=False, need_weights=False, attn_mask=BOOL_MASK),
]


@pytest.mark.parametrize("case", MHA_CASES, ids=[str(i) for i in range(len(MHA_CASES))])
def test_multihead_attention_matches_torch(case):
    case = dict(case)
    batch_first, bias = case.pop("batch_first"), case.pop("bias", True)
    ours = nn.MultiheadAttention(E, HEADS, batch_first=batch_first, bias=bias)
    theirs = torch.nn.MultiheadAttention(E, HEADS, batch_first=batch_first, bias=bias)
    _copy_weights(ours, theirs)
    shapes = [(N, L, E), (N, S, E), (N, S, E)] if batch_first else [(L, N, E), (S, N, E), (S, N, E)]
    inputs = [_pair(shape) for shape in shapes]
    torch_case = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in case.items()}
    out, weights = ours(*[a for a, _ in inputs], **case)
    ref, ref_weights = theirs(*[b for _, b in inputs], **torch_case)
    _close(out, ref, "output")
    if case.get("need_weights", True):
        _close(weights, ref_weights, "attention weights")
    else:
        assert weights is None and ref_weights is None
    seed = RNG.standard_normal(out.shape)
    out.backward(ag.tensor(seed))
    ref.backward(torch.tensor(seed))
    _check_grads(ours, theirs, inputs)


def test_unbatched_self_attention_and_initialisation():
    ours, theirs = nn.MultiheadAttention(E, HEADS), torch.nn.MultiheadAttention(E, HEADS)
    bound = np.sqrt(6 / (E + 3 * E))  # xavier_uniform on (3E, E)
    assert np.abs(ours.in_proj_weight.numpy()).max() <= bound and np.abs(ours.in_proj_weight.numpy()).max() > bound / 2
    assert not ours.in_proj_bias.numpy().any() and not ours.out_proj.bias.numpy().any()
    _copy_weights(ours, theirs)
    x, tx = _pair((L, E))
    out, weights = ours(x, x, x)
    ref, ref_weights = theirs(tx, tx, tx)
    assert out.shape == (L, E) and weights.shape == (L, L)
    _close(out, ref, "output")
    _close(weights, ref_weights, "weights")


def test_multihead_attention_refuses_what_it_cannot_do():
    with pytest.raises(ValueError, match="embed_dim \\(10\\) must be a positive multiple of num_heads \\(3\\)"):
        nn.MultiheadAttention(10, 3)
    with pytest.raises(ValueError, match="kdim/vdim other than embed_dim are not supported"):
        nn.MultiheadAttention(8, 2, kdim=4)
    mha = nn.MultiheadAttention(E, HEADS)
    x = ag.tensor(RNG.standard_normal((L, N, E)))
    with pytest.raises(ValueError, match="expected query, key and value of shape \\(L, N, 8\\)"):
        mha(x, x[:, :2], x[:, :2])
    with pytest.raises(ValueError, match="attn_mask must have shape \\(4, 4\\) or \\(6, 4, 4\\), got \\(4, 5\\)"):
        mha(x, x, x, attn_mask=BOOL_MASK)
    with pytest.raises(ValueError, match="is_causal is a hint about attn_mask"):
        mha(x, x, x, is_causal=True)
    with pytest.raises(TypeError, match="key_padding_mask must be bool"):
        mha(x, x, x, key_padding_mask=np.zeros((N, L), dtype=np.int64))


LAYER_CASES = [
    dict(batch_first=False, norm_first=False, activation="relu"),
    dict(batch_first=True, norm_first=True, activation="gelu"),
    dict(batch_first=True, norm_first=False, activation="gelu", masks=True),
]


@pytest.mark.parametrize("case", LAYER_CASES, ids=[str(i) for i in range(len(LAYER_CASES))])
def test_transformer_encoder_matches_torch(case):
    case = dict(case)
    masks = case.pop("masks", False)
    layer = dict(d_model=E, nhead=HEADS, dim_feedforward=16, dropout=0.0, **case)
    ours = nn.TransformerEncoder(nn.TransformerEncoderLayer(**layer), 2, norm=nn.LayerNorm(E))
    theirs = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(**layer), 2, norm=torch.nn.LayerNorm(E),
                                         enable_nested_tensor=False)
    _copy_weights(ours, theirs)
    assert ours.layers[0].linear1.weight is not ours.layers[1].linear1.weight  # (copies, not one layer twice)
    x, tx = _pair((N, S, E) if case["batch_first"] else (S, N, E))
    kwargs = dict(mask=np.triu(np.ones((S, S), dtype=bool), 1), src_key_padding_mask=PADDING) if masks else {}
    torch_kwargs = {k: torch.tensor(v) for k, v in kwargs.items()}
    for mode in ("train", "eval"):
        getattr(ours, mode)()
        getattr(theirs, mode)()
        out, ref = ours(x, **kwargs), theirs(tx, **torch_kwargs)
        _close(out, ref, mode)
    seed = RNG.standard_normal(out.shape)
    out.backward(ag.tensor(seed))
    ref.backward(torch.tensor(seed))
    _check_grads(ours, theirs, [(x, tx)])


def test_encoder_layer_refuses_an_unknown_activation():
    with pytest.raises(ValueError, match="activation must be 'relu', 'gelu' or a function, got 'swish'"):
        nn.TransformerEncoderLayer(E, HEADS, activation="swish")
    with pytest.raises(ValueError, match="num_layers must be a positive int, got 0"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(E, HEADS), 0)


DECODER_CASES = [
    dict(batch_first=False, norm_first=False, activation="relu"),
    dict(batch_first=True, norm_first=True, activation="gelu"),
]


@pytest.mark.parametrize("case", DECODER_CASES, ids=[str(i) for i in range(len(DECODER_CASES))])
def test_transformer_matches_torch(case):
    options = dict(d_model=E, nhead=HEADS, num_encoder_layers=2, num_decoder_layers=2, dim_feedforward=16,
                   dropout=0.0, **case)
    ours, theirs = nn.Transformer(**options), torch.nn.Transformer(**options)
    assert all(np.abs(p.numpy()).max() <= np.sqrt(6 / sum(p.shape[:2])) for p in ours.parameters() if p.ndim > 1)
    _copy_weights(ours, theirs)
    src_shape, tgt_shape = ((N, S, E), (N, L, E)) if case["batch_first"] else ((S, N, E), (L, N, E))
    (src, tsrc), (tgt, ttgt) = _pair(src_shape), _pair(tgt_shape)
    causal = nn.Transformer.generate_square_subsequent_mask(L, dtype=ag.float64)
    ref_causal = torch.nn.Transformer.generate_square_subsequent_mask(L, dtype=torch.float64)
    _close(causal, ref_causal, "mask")
    out = ours(src, tgt, tgt_mask=causal, src_key_padding_mask=PADDING, memory_key_padding_mask=PADDING)
    ref = theirs(tsrc, ttgt, tgt_mask=ref_causal, src_key_padding_mask=torch.tensor(PADDING),
                 memory_key_padding_mask=torch.tensor(PADDING))
    _close(out, ref, "output")
    seed = RNG.standard_normal(out.shape)
    out.backward(ag.tensor(seed))
    ref.backward(torch.tensor(seed))
    _check_grads(ours, theirs, [(src, tsrc), (tgt, ttgt)])


def test_decoder_stack_alone_and_errors():
    layer = dict(d_model=E, nhead=HEADS, dim_feedforward=16, dropout=0.0)
    ours = nn.TransformerDecoder(nn.TransformerDecoderLayer(**layer), 2)
    theirs = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(**layer), 2)
    _copy_weights(ours, theirs)
    (tgt, ttgt), (memory, tmemory) = _pair((L, N, E)), _pair((S, N, E))
    mask = np.triu(np.ones((L, L), dtype=bool), 1)
    _close(ours(tgt, memory, tgt_mask=mask), theirs(ttgt, tmemory, tgt_mask=torch.tensor(mask)), "decoder")
    with pytest.raises(ValueError, match="Transformer: src and tgt must have the same batch size and 8 features"):
        nn.Transformer(E, HEADS, 1, 1, 16)(ag.tensor(np.zeros((S, N, E))), ag.tensor(np.zeros((L, N + 1, E))))
    with pytest.raises(ValueError, match="TransformerDecoder: num_layers must be a positive int, got -1"):
        nn.TransformerDecoder(nn.TransformerDecoderLayer(**layer), -1)
