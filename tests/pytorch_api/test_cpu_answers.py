"""glassgrad answers torch's device questions as a CPU-only PyTorch build does,
and what has no meaning in one CPU process says what to do instead."""

from __future__ import annotations

import sys
import types
import warnings

import numpy as np
import pytest

import glassgrad
import nn

# what a CPU-only PyTorch 2.13 build answers (checked live against torch below when it is one)
CPU_ANSWERS = {
    "cuda.is_available()": False, "cuda.device_count()": 0, "cuda.is_initialized()": False,
    "cuda.is_bf16_supported()": False, "cuda.manual_seed(0)": None, "cuda.manual_seed_all(0)": None,
    "cuda.empty_cache()": None, "backends.mps.is_available()": False, "backends.mps.is_built()": False,
    "backends.cudnn.is_available()": False, "accelerator.is_available()": False,
    "accelerator.current_accelerator()": None, "accelerator.device_count()": 0,
}


@pytest.mark.parametrize("expression", list(CPU_ANSWERS))
def test_device_questions_answer_as_a_cpu_only_torch(expression):
    assert eval(f"glassgrad.{expression}", {"glassgrad": glassgrad}) == CPU_ANSWERS[expression]


def test_the_answers_are_a_cpu_only_torch_builds():
    torch = pytest.importorskip("torch")
    if torch.version.cuda is not None or torch.backends.mps.is_built():
        pytest.skip("this torch is not a CPU-only build, so it is no oracle for CPU-only answers")
    for expression, ours in CPU_ANSWERS.items():
        assert eval(f"torch.{expression}", {"torch": torch}) == ours, expression


def test_backend_switches_are_settable():
    cudnn = glassgrad.backends.cudnn
    before = (cudnn.benchmark, cudnn.deterministic)
    try:
        cudnn.benchmark, cudnn.deterministic = True, True
        glassgrad.backends.cuda.matmul.allow_tf32 = True
        assert cudnn.benchmark and cudnn.deterministic and glassgrad.backends.cuda.matmul.allow_tf32
    finally:
        cudnn.benchmark, cudnn.deterministic = before
        glassgrad.backends.cuda.matmul.allow_tf32 = False


def test_gpu_only_calls_say_how_to_guard_them():
    with pytest.raises(RuntimeError, match=r"glassgrad.cuda.synchronize: .*if torch.cuda.is_available\(\):"):
        glassgrad.cuda.synchronize()
    with pytest.raises(AttributeError, match="no attribute 'is_avaliable'"):
        glassgrad.cuda.is_avaliable  # noqa: B018 (a typo is an AttributeError, not a GPU message)


def test_asking_for_a_gpu_keeps_the_clear_error():
    with pytest.raises(RuntimeError, match="CPU only.*device='cpu'"):
        glassgrad.device("cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        glassgrad.tensor([1.0]).to("cuda")
    device = glassgrad.device("cuda" if glassgrad.cuda.is_available() else "cpu")
    assert str(device) == "cpu" and device == "cpu" and glassgrad.tensor([1.0]).to(device).device == "cpu"


@pytest.mark.parametrize("use", [
    lambda bf16: glassgrad.zeros(2, dtype=bf16),
    lambda bf16: glassgrad.tensor([1.0], dtype=bf16),
    lambda bf16: glassgrad.tensor([1.0]).to(bf16),
    lambda bf16: nn.Linear(2, 2).to(bf16),
], ids=["zeros", "tensor", "Tensor.to", "Module.to"])
def test_bfloat16_exists_and_refuses_to_be_used(use):
    ptdtype = {"float32": glassgrad.float32, "bfloat16": glassgrad.bfloat16}["bfloat16"]  # nanoGPT's choice
    with pytest.raises(TypeError, match="glassgrad.bfloat16: .*write dtype=torch.float32"):
        use(ptdtype)


def test_compile_returns_the_model_unchanged():
    model = nn.Linear(2, 2)
    assert glassgrad.compile(model) is model and glassgrad.compile(model, mode="max-autotune") is model

    @glassgrad.compile
    def double(x):
        return 2 * x

    @glassgrad.compile(fullgraph=True)
    def triple(x):
        return 3 * x

    assert double(2) == 4 and triple(2) == 6


def test_matmul_precision_is_kept_and_checked():
    glassgrad.set_float32_matmul_precision("high")
    assert glassgrad.get_float32_matmul_precision() == "high"
    glassgrad.set_float32_matmul_precision("highest")
    with pytest.raises(ValueError, match="expected one of"):
        glassgrad.set_float32_matmul_precision("fast")


@pytest.mark.parametrize("use, words", [
    (lambda: glassgrad.distributed.init_process_group("gloo"), "nn.to_torch(model)"),
    (lambda: glassgrad.nn.parallel.DistributedDataParallel(nn.Linear(2, 2)), "DistributedDataParallel"),
    (lambda: glassgrad.onnx.export(nn.Linear(2, 2), None, "m.onnx"), "nn.to_torch(model)"),
], ids=["distributed", "DDP", "onnx"])
def test_what_has_no_cpu_meaning_says_what_to_do(use, words):
    with pytest.raises((RuntimeError, AttributeError)) as info:
        use()
    assert words in str(info.value) and "\n" not in str(info.value)
    assert not glassgrad.distributed.is_available() and not glassgrad.distributed.is_initialized()


def test_distributed_functions_import_and_raise_when_called():
    """nanoGPT's train.py imports init_process_group and destroy_process_group
    at its top and calls them only under torchrun: the import must work."""
    from glassgrad.distributed import destroy_process_group, init_process_group

    for call in (lambda: init_process_group(backend="gloo"), destroy_process_group):
        with pytest.raises(RuntimeError, match="glassgrad trains in one process"):
            call()


def test_data_parallel_runs_the_module_as_torch_does_without_gpus():
    torch = pytest.importorskip("torch")
    glassgrad.manual_seed(0)
    inner = nn.Sequential(nn.Linear(3, 2))
    wrapped = glassgrad.nn.parallel.DataParallel(inner)
    theirs = torch.nn.DataParallel(torch.nn.Sequential(torch.nn.Linear(3, 2)))
    assert list(wrapped.state_dict()) == list(theirs.state_dict())  # "module.0.weight", ...
    x = glassgrad.randn(4, 3)
    np.testing.assert_array_equal(wrapped(x).numpy(), inner(x).numpy())


def test_grad_scaler_and_autocast_pass_through_with_a_warning():
    model = nn.Linear(2, 1)
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    with pytest.warns(UserWarning, match="disabling"):
        scaler = glassgrad.cuda.amp.GradScaler(enabled=True)
    with pytest.warns(UserWarning, match="CUDA is not available"):
        context = glassgrad.autocast(device_type="cuda", dtype=glassgrad.bfloat16)
    before = model.weight.numpy().copy()
    with context:
        loss = model(glassgrad.ones(1, 2)).sum()
    assert scaler.scale(loss) is loss and scaler.get_scale() == 1.0 and not scaler.is_enabled()
    scaler.scale(loss).backward()
    scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
    np.testing.assert_allclose(model.weight.numpy(), before - 0.1 * np.ones((1, 2)), rtol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        glassgrad.amp.GradScaler(enabled=False)
        glassgrad.autocast("cpu", enabled=False)


def test_summary_writer_without_tensorboardx_logs_nothing_and_warns_once(monkeypatch, tmp_path):
    """makemore makes a SummaryWriter and logs on the side: without tensorboardX
    it must still train, told once (not per writer) that nothing is logged."""
    from glassgrad.utils import tensorboard

    monkeypatch.setitem(sys.modules, "tensorboardX", None)  # not installed
    monkeypatch.setattr(tensorboard, "_WARNED", False)
    with pytest.warns(UserWarning, match="pip install tensorboardX"):
        writer = tensorboard.SummaryWriter(log_dir=str(tmp_path / "runs"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with tensorboard.SummaryWriter(str(tmp_path / "other")) as second:
            second.add_scalar("Loss/train", glassgrad.tensor(2.5), 500)
            second.add_scalars("loss", {"train": 1.0, "val": 2.0}, 3)
            second.flush()
    assert writer.add_histogram("w", np.zeros(3), 0) is None and writer.close() is None
    assert writer.get_logdir() == str(tmp_path / "runs") and not (tmp_path / "runs").exists()
    with pytest.raises(AttributeError, match="tensorboardX is not installed"):
        writer.add_scalr  # a misspelt method is not silently ignored  # noqa: B018


def test_summary_writer_delegates_to_tensorboardx(monkeypatch):
    from glassgrad.utils.tensorboard import SummaryWriter

    calls = []

    class FakeWriter:
        def __init__(self, *args, **kwargs):
            calls.append(("init", args))

        def add_scalar(self, tag, value, step):
            calls.append((tag, value, step))

        def close(self):
            calls.append(("close",))

    monkeypatch.setitem(sys.modules, "tensorboardX", types.SimpleNamespace(SummaryWriter=FakeWriter))
    with SummaryWriter("runs/x") as writer:
        writer.add_scalar("loss", glassgrad.tensor(0.5), 3)
    assert calls[0] == ("init", ("runs/x",)) and calls[-1] == ("close",)
    tag, value, step = calls[1]
    assert tag == "loss" and isinstance(value, np.ndarray) and float(value) == 0.5 and step == 3
