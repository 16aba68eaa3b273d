"""Losses against numpy references (+ gradcheck), optimizers against
hand-computed references, state dicts, checkpoints and the CLI."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import numpy as np
import pytest

import autograd as ag
import nn
from nn import functional as F

RNG = np.random.default_rng(1)


def f64(a, requires_grad=True):
    return ag.Tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def _log_softmax(z, axis=1):
    z = z - z.max(axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis, keepdims=True))


X = RNG.standard_normal((4, 3))
Y = RNG.standard_normal((4, 3))
P = 1 / (1 + np.exp(-X))
LABELS = (RNG.random((4, 3)) > 0.5).astype(np.float64)
SIGNS = 2 * LABELS - 1
CLASSES = np.array([0, 2, 1, 2])
PROBS = np.exp(_log_softmax(Y))

LOSSES = [
    ("mse", lambda x: F.mse_loss(x, Y, reduction="none"), (X - Y) ** 2),
    ("l1", lambda x: F.l1_loss(x, Y, reduction="none"), np.abs(X - Y)),
    ("huber", lambda x: F.huber_loss(x, Y, reduction="none", delta=0.7),
     np.where(np.abs(X - Y) < 0.7, 0.5 * (X - Y) ** 2, 0.7 * (np.abs(X - Y) - 0.35))),
    ("bce", lambda x: F.binary_cross_entropy(x.sigmoid(), LABELS, reduction="none"),
     -(LABELS * np.log(P) + (1 - LABELS) * np.log(1 - P))),
    ("bce_logits", lambda x: F.binary_cross_entropy_with_logits(x, LABELS, reduction="none"),
     -(LABELS * np.log(P) + (1 - LABELS) * np.log(1 - P))),
    ("hinge", lambda x: F.hinge_loss(x, SIGNS, reduction="none"), np.maximum(0, 1 - SIGNS * X)),
    ("cross_entropy", lambda x: F.cross_entropy(x, CLASSES, reduction="none"),
     -_log_softmax(X)[np.arange(4), CLASSES]),
    ("cross_entropy_probs", lambda x: F.cross_entropy(x, PROBS, reduction="none"),
     -(PROBS * _log_softmax(X)).sum(1)),
    ("cross_entropy_smoothing", lambda x: F.cross_entropy(x, CLASSES, reduction="none", label_smoothing=0.2),
     0.8 * -_log_softmax(X)[np.arange(4), CLASSES] + 0.2 * -_log_softmax(X).mean(1)),
    ("nll", lambda x: F.nll_loss(x.log_softmax(1), CLASSES, reduction="none"),
     -_log_softmax(X)[np.arange(4), CLASSES]),
    ("kl_div", lambda x: F.kl_div(x.log_softmax(1), PROBS, reduction="none"),
     PROBS * (np.log(PROBS) - _log_softmax(X))),
]


@pytest.mark.parametrize("name,fn,ref", LOSSES, ids=[l[0] for l in LOSSES])
def test_loss_matches_numpy_and_gradchecks(name, fn, ref):
    x = f64(X)
    out = fn(x)
    np.testing.assert_allclose(out.data, ref, rtol=1e-9, atol=1e-12)
    assert ag.gradcheck(fn, [x])
    for reduction, reduce in (("mean", np.mean), ("sum", np.sum)):
        if name == "kl_div" and reduction == "mean":
            continue
        x2 = f64(X)
        loss_fn = {"mse": F.mse_loss, "l1": F.l1_loss, "hinge": F.hinge_loss}.get(name)
        if loss_fn is not None:
            target = {"mse": Y, "l1": Y, "hinge": SIGNS}[name]
            np.testing.assert_allclose(loss_fn(x2, target, reduction=reduction).item(), reduce(ref), rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint64])
def test_cross_entropy_fused_path_checks_targets_of_every_integer_dtype(dtype):
    """The fused path checks both ends of the class range with one reduction
    (negative indices read as unsigned); each dtype must still get the error."""
    logits = f64(X)
    good = np.array([0, 2, 1, 2], dtype)
    fast = F.cross_entropy(logits, good, reduction="none")
    assert fast.grad_fn.name() == "_CrossEntropyIndicesBackward"
    slow = F.nll_loss(logits.log_softmax(1), good.astype(np.int64), reduction="none")
    np.testing.assert_allclose(fast.data, slow.data, rtol=1e-12)
    with pytest.raises(IndexError, match="target class 3 is out of range for 3 classes"):
        F.cross_entropy(logits, np.array([0, 3, 1, 2], dtype))
    if np.dtype(dtype).kind == "i":
        with pytest.raises(IndexError, match="target class -1 is out of range for 3 classes"):
            F.cross_entropy(logits, np.array([0, -1, 1, 2], dtype))


def test_cross_entropy_targets_in_non_native_byte_order():
    """The one-reduction range check reads the targets' bytes as unsigned;
    targets in the other byte order must be checked by value."""
    logits = f64(X)
    swapped = np.array([0, 2, 1, 2], dtype=np.dtype(np.int64).newbyteorder())
    np.testing.assert_allclose(F.cross_entropy(logits, swapped).item(),
                               F.cross_entropy(logits, np.array([0, 2, 1, 2])).item(), rtol=1e-12)
    for bad in ([0, 3, 1, 2], [0, -1, 1, 2], [0, 2**56, 1, 2]):
        with pytest.raises(IndexError, match="out of range for 3 classes"):
            F.cross_entropy(logits, np.array(bad, dtype=swapped.dtype))


def test_cross_entropy_fused_path_on_non_contiguous_logits():
    """The targets are picked by their flat position: logits that are a
    transposed or strided view must give the same loss and gradient."""
    base = np.random.default_rng(3).normal(size=(3, 5))
    target = np.array([0, 2, 1, 2, 0])
    for view in (base.T, np.asfortranarray(base.T), np.random.default_rng(4).normal(size=(5, 6))[:, ::2]):
        z = ag.Tensor(view, requires_grad=True)
        loss = F.cross_entropy(z, target)
        loss.backward()
        zc = ag.Tensor(np.ascontiguousarray(view), requires_grad=True)
        F.nll_loss(zc.log_softmax(1), target).backward()
        np.testing.assert_allclose(loss.item(), F.nll_loss(zc.log_softmax(1), target).item(), rtol=1e-12)
        np.testing.assert_allclose(z.grad.data, zc.grad.data, rtol=1e-12, atol=1e-15)


def test_cross_entropy_without_classes_is_an_error():
    for shape in [(3, 0), (0, 0), (0,)]:
        with pytest.raises(ValueError, match=rf"cross_entropy: input of shape \({shape[0]},( 0)?\) has no classes"):
            F.cross_entropy(ag.zeros(*shape), np.zeros(shape[0] if len(shape) > 1 else (), np.int64))


def test_kl_div_batchmean_and_zero_targets():
    p = np.array([[0.5, 0.5, 0.0]])
    logq = np.log(np.array([[0.25, 0.25, 0.5]]))
    out = F.kl_div(f64(logq), p, reduction="batchmean")
    assert out.item() == pytest.approx(np.log(2))
    assert np.isfinite(F.kl_div(f64(logq), p, reduction="sum").item())


def test_loss_input_errors():
    with pytest.raises(IndexError, match="cross_entropy: target class 3 is out of range for 3 classes"):
        F.cross_entropy(f64(X), np.array([0, 1, 2, 3]))
    with pytest.raises(ValueError, match=r"cross_entropy: target shape \(3,\) does not match input \(4, 3\)"):
        F.cross_entropy(f64(X), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"mse_loss: input shape \(4, 3\) and target shape \(3,\) differ"):
        F.mse_loss(f64(X), np.ones(3))
    with pytest.raises(ValueError, match="hinge_loss: labels must be -1 or \\+1, got 0"):
        F.hinge_loss(f64(X), LABELS)
    with pytest.raises(ValueError, match="reduction must be one of"):
        nn.MSELoss(reduction="avg")


def test_bce_clamps_like_pytorch_at_exact_zero_and_one():
    p = f64([0.0, 1.0, 1.0, 0.0])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = F.binary_cross_entropy(p, y, reduction="none")
        loss.sum().backward()
    np.testing.assert_allclose(loss.data, [100.0, 100.0, 0.0, 0.0])
    assert np.all(np.isfinite(p.grad.data))


def test_bce_with_logits_is_stable_for_huge_logits():
    z = f64([1e4, -1e4, 3e4])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        loss = F.binary_cross_entropy_with_logits(z, np.array([0.0, 1.0, 1.0]), reduction="none")
        loss.sum().backward()
    np.testing.assert_allclose(loss.data, [1e4, 1e4, 0.0])
    np.testing.assert_allclose(z.grad.data, [1.0, -1.0, 0.0])


# -- optimizers --------------------------------------------------------------------------
def _quadratic_steps(opt_factory, steps=5):
    w = nn.Parameter(np.array([1.0, -2.0]))
    opt = opt_factory([w])
    for _ in range(steps):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
    return w.data


def _adam_reference(w, lr, b1, b2, eps, wd, decoupled, steps=5):
    m = v = 0
    for t in range(1, steps + 1):
        g = 2 * w
        if wd and decoupled:
            w = w * (1 - lr * wd)
        elif wd:
            g = g + wd * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr / (1 - b1**t) * m / (np.sqrt(v) / np.sqrt(1 - b2**t) + eps)
    return w


def test_adam_and_adamw_follow_pytorchs_rules():
    w0 = np.array([1.0, -2.0])
    got = _quadratic_steps(lambda p: nn.optim.Adam(p, lr=0.1, weight_decay=0.1))
    np.testing.assert_allclose(got, _adam_reference(w0, 0.1, 0.9, 0.999, 1e-8, 0.1, False), rtol=1e-12)
    got = _quadratic_steps(lambda p: nn.optim.AdamW(p, lr=0.1))
    np.testing.assert_allclose(got, _adam_reference(w0, 0.1, 0.9, 0.999, 1e-8, 0.01, True), rtol=1e-12)


def test_rmsprop_follows_pytorchs_rule():
    w = np.array([1.0, -2.0])
    sq, buf = 0.0, 0.0
    for _ in range(5):
        g = 2 * w
        sq = 0.99 * sq + 0.01 * g * g
        buf = 0.5 * buf + g / (np.sqrt(sq) + 1e-8)
        w = w - 0.01 * buf
    got = _quadratic_steps(lambda p: nn.optim.RMSprop(p, lr=0.01, momentum=0.5))
    np.testing.assert_allclose(got, w, rtol=1e-12)


def test_optimizers_update_value_parameters_too():
    for make in (lambda p: nn.optim.Adam(p, lr=0.1), lambda p: nn.optim.RMSprop(p, lr=0.01)):
        v = ag.Value(1.0)
        opt = make([v])
        (v * v).backward()
        opt.step()
        assert v.data < 1.0


@pytest.mark.parametrize("make", [
    lambda p: nn.optim.SGD(p, lr=0.1),
    lambda p: nn.optim.SGD(p, lr=0.1, momentum=0.9),
    lambda p: nn.optim.Adam(p, lr=0.1),
])
def test_step_is_all_or_nothing(make):
    a = nn.Parameter(np.array([1.0]))
    b = nn.Parameter(np.array([2.0]))
    a.grad = ag.Tensor(np.array([1.0]))
    b.grad = ag.Tensor(np.array([1.0, 2.0]))  # wrong shape: the step must fail without touching a
    opt = make([a, b])
    with pytest.raises(ValueError, match=r"parameter 1 has shape \(1,\) but its gradient has shape \(2,\)"):
        opt.step()
    assert a.data[0] == 1.0 and b.data[0] == 2.0
    assert a._version[0] == 0  # not even marked as changed
    b.grad = ag.Tensor(np.array([1.0]))
    opt.step()
    assert a.data[0] < 1.0 and b.data[0] < 2.0 and a._version[0] == 1


def test_schedulers_and_clip_grad_norm():
    opt = nn.optim.SGD([nn.Parameter(np.zeros(1))], lr=1.0)
    step = nn.optim.StepLR(opt, step_size=2, gamma=0.5)
    lrs = []
    for _ in range(5):
        step.step()
        lrs.append(opt.lr)
    assert lrs == [1.0, 0.5, 0.5, 0.25, 0.25]
    opt2 = nn.optim.SGD([nn.Parameter(np.zeros(1))], lr=1.0)
    cos = nn.optim.CosineAnnealingLR(opt2, T_max=4)
    for _ in range(2):
        cos.step()
    assert opt2.lr == pytest.approx(0.5)
    p = nn.Parameter(np.zeros(2))
    p.grad = ag.Tensor(np.array([3.0, 4.0]))
    assert nn.optim.clip_grad_norm_([p], 1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(np.linalg.norm(p.grad.data), 1.0, rtol=1e-5)


# -- state dicts and checkpoints --------------------------------------------------------------
def _model():
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.BatchNorm1d(4), nn.Linear(4, 2))


def test_save_load_round_trip(tmp_path):
    model = _model()
    path = tmp_path / "model.npz"
    nn.save(model.state_dict(), path)
    other = _model()
    other.load_state_dict(nn.load(path))
    for (k, v), (k2, v2) in zip(model.state_dict().items(), other.state_dict().items()):
        assert k == k2 and np.array_equal(v, v2)


def test_load_state_dict_refuses_bad_keys_and_shapes_and_changes_nothing():
    model = _model()
    before = model.state_dict()
    bad = dict(before)
    bad["0.weight"] = np.zeros((5, 3))
    bad["extra"] = np.zeros(1)
    del bad["3.bias"]
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(bad)
    text = str(info.value)
    assert "0.weight: shape (5, 3) in the state dict, (4, 3) in the model" in text
    assert "missing keys: 3.bias" in text and "unexpected keys: extra" in text
    for k, v in model.state_dict().items():
        assert np.array_equal(v, before[k])
    cast = {k: v.astype(np.float64) for k, v in before.items()}
    model.load_state_dict(cast)
    assert model[0].weight.dtype == np.float32


def test_hostile_checkpoints_are_refused_naming_the_file(tmp_path):
    pickled = tmp_path / "pickled.npz"
    # pretends to be a checkpoint (has the marker) but carries a pickled object array
    np.savez(pickled, __glassgrad__=np.array('{"format": 1, "metadata": {}}'),
             evil=np.array([{"a": 1}], dtype=object))
    with pytest.raises(nn.CheckpointError, match="pickled.npz contains pickled objects"):
        nn.load(pickled)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(RNG.bytes(1000))
    with pytest.raises(nn.CheckpointError, match="junk.npz is not a glassgrad checkpoint"):
        nn.load(junk)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, w=np.zeros(3))
    with pytest.raises(nn.CheckpointError, match="foreign.npz is an .npz file but not a glassgrad checkpoint"):
        nn.load(foreign)
    good = tmp_path / "good.npz"
    nn.save(_model().state_dict(), good)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:200])
    with pytest.raises(nn.CheckpointError, match="truncated.npz"):
        nn.load(truncated)
    bomb = tmp_path / "bomb.npz"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("w.npy", b"\0" * (8 * 1024 * 1024))
    from nn import serialization

    old = serialization.MAX_CHECKPOINT_BYTES
    serialization.MAX_CHECKPOINT_BYTES = 1024 * 1024
    try:
        with pytest.raises(nn.CheckpointError, match="bomb.npz declares 8388608 bytes"):
            nn.load(bomb)
    finally:
        serialization.MAX_CHECKPOINT_BYTES = old


def test_interrupted_save_leaves_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    nn.save({"w": np.ones(3)}, path)

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(KeyboardInterrupt):
        nn.save({"w": np.zeros(3)}, path)
    monkeypatch.undo()
    assert np.array_equal(nn.load(path)["w"], np.ones(3))
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.npz"]


def test_summary_table(capsys):
    text = nn.summary(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)), (5, 3))
    assert "0 (Linear)" in text and "(5, 4)" in text and "Total params: 26" in text


# -- training targets and the CLI ------------------------------------------------------------------
def test_tensor_mlp_reaches_target_on_moons():
    from nn.training import TrainConfig, train

    result = train(TrainConfig(), quiet=True)
    assert result["test_accuracy"] >= 0.99


def test_digits_targets_mlp_and_cnn():
    pytest.importorskip("sklearn")
    from nn.training import TrainConfig, train

    mlp = train(TrainConfig(dataset="digits", hidden=128, epochs=40, lr=0.002, dropout=0.2,
                            label_smoothing=0.1), quiet=True)
    assert mlp["test_accuracy"] >= 0.97
    cnn = train(TrainConfig(dataset="digits", model="cnn", epochs=40, lr=0.002), quiet=True)
    assert cnn["test_accuracy"] >= 0.98


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "nn.cli", *args], capture_output=True, text=True, timeout=300)


def test_cli_default_train_save_and_evaluate(tmp_path):
    ckpt = tmp_path / "moons.npz"
    out = _cli("train", "--save", str(ckpt))
    assert out.returncode == 0, out.stderr
    assert "test accuracy" in out.stdout and "100%" in out.stdout
    acc = float(out.stdout.split("test accuracy")[1].split()[0])
    assert acc >= 0.99
    ev = _cli("evaluate", str(ckpt))
    assert ev.returncode == 0 and f"test accuracy {acc:.3f}" in ev.stdout


def test_cli_bad_arguments_and_files(tmp_path):
    out = _cli("train", "--dataset", "mnist")
    assert out.returncode == 2 and "invalid choice: 'mnist'" in out.stderr and "Traceback" not in out.stderr
    out = _cli("train", "--model", "cnn")
    assert out.returncode == 2 and "works only with --dataset digits" in out.stderr
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    out = _cli("evaluate", str(junk))
    assert out.returncode == 2 and "junk.npz is not a glassgrad checkpoint" in out.stderr
    assert "Traceback" not in out.stderr


def test_load_digits_without_scikit_learn_says_how_to_get_it(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    from nn.data import load_digits

    with pytest.raises(ImportError, match="pip install scikit-learn"):
        load_digits()


def test_toy_datasets_have_sklearn_shapes():
    from nn.data import make_blobs, make_circles, make_spirals

    X, y = make_circles(101, noise=0.0, factor=0.5, random_state=0)
    r = np.hypot(*X.T)
    assert X.shape == (101, 2) and np.allclose(r[y == 0], 1.0) and np.allclose(r[y == 1], 0.5)
    X, y = make_blobs(90, n_features=3, centers=4, random_state=0)
    assert X.shape == (90, 3) and set(np.unique(y)) == {0, 1, 2, 3}
    X, y = make_spirals(99, n_classes=3, random_state=0)
    assert X.shape == (99, 2) and np.bincount(y).tolist() == [33, 33, 33]


def test_cross_entropy_saved_softmax_survives_a_second_backward():
    # the fused loss keeps its softmax for the backward (Function.saves_extras);
    # the numpy rule must not change it, so a retained graph gives the same again
    logits = ag.Tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    loss = F.cross_entropy(logits, np.array([0, 2, 1, 2]))
    loss.backward(retain_graph=True)
    first = logits.grad.numpy().copy()
    loss.backward()
    np.testing.assert_allclose(logits.grad.data, 2 * first, rtol=1e-12)
    with ag.no_grad():  # nothing recorded, nothing saved
        assert F.cross_entropy(logits, np.array([0, 2, 1, 2])).grad_fn is None


def test_a_subclass_with_only_update_keeps_the_compute_all_then_commit_path():
    class SignSGD(nn.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        def _update(self, w, g, state, h):
            if state.get("calls", 0) and np.any(g > 5):  # raises on the second parameter, second step
                raise ArithmeticError("SignSGD: gradient too large")
            state["calls"] = state.get("calls", 0) + 1
            return h["lr"] * np.sign(g), state

    a, b = nn.Parameter(np.array([1.0])), nn.Parameter(np.array([1.0]))
    opt = SignSGD([a, b])
    a.grad, b.grad = ag.tensor([2.0]), ag.tensor([-3.0])
    opt.step()
    assert a.tolist() == pytest.approx([0.9]) and b.tolist() == pytest.approx([1.1])
    b.grad = ag.tensor([9.0])
    with pytest.raises(ArithmeticError):
        opt.step()
    assert a.tolist() == pytest.approx([0.9]) and b.tolist() == pytest.approx([1.1])  # nothing written


def test_in_place_sgd_and_adam_reuse_one_work_array_and_keep_parameter_identity():
    ps = [nn.Parameter(np.ones((3, 4), np.float32)) for _ in range(3)]
    views = [p.numpy() for p in ps]
    for make in (lambda: nn.optim.SGD(ps, lr=0.1, momentum=0.9), lambda: nn.optim.Adam(ps, lr=0.1)):
        opt = make()
        for _ in range(2):
            for p in ps:
                p.grad = ag.ones(3, 4)
            opt.step()
        assert len(opt._work) == 1  # one float32 work array for all three
        assert all(p._version[0] > 0 for p in ps)  # marked as changed, as an in-place op does
        assert all(p.numpy() is v for p, v in zip(ps, views))  # updated in place, not rebound
