"""The way out, end to end: a model built and trained a few steps in
glassgrad, converted with ``nn.to_torch``, then trained on under PyTorch's
``DistributedDataParallel`` (gloo, 2 CPU processes, each holding half of the
batch): its loss goes on from where glassgrad left it, step for step as
glassgrad itself would have gone on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
import nn

torch = pytest.importorskip(
    "torch", reason="SKIPPED LOUDLY: the way-out test needs PyTorch (pip install torch) to run DistributedDataParallel")

pytestmark = pytest.mark.slow

GLASSGRAD_STEPS, TORCH_STEPS, LR = 5, 4, 0.05
RNG = np.random.default_rng(5)
X = RNG.standard_normal((32, 6)).astype(np.float32)
Y = (np.sin(X.sum(axis=1, keepdims=True)) + 0.1 * RNG.standard_normal((32, 1))).astype(np.float32)


def _model() -> nn.Module:
    ag.manual_seed(11)
    return nn.Sequential(nn.Linear(6, 16), nn.LayerNorm(16), nn.GELU(), nn.Linear(16, 16), nn.Tanh(),
                         nn.Linear(16, 1))


def _glassgrad_losses(model: nn.Module, steps: int) -> list[float]:
    """Full-batch SGD in glassgrad; the loss before each step."""
    optimizer = nn.optim.SGD(model.parameters(), lr=LR)
    losses = []
    for _ in range(steps):
        loss = nn.functional.mse_loss(model(ag.tensor(X)), ag.tensor(Y))
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def _ddp_worker(rank: int, world_size: int, folder: str) -> None:
    """One of the two processes: the converted model from its file (each
    process its own copy), its half of the batch, DDP averaging the gradients."""
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel

    torch.set_num_threads(1)
    model = torch.load(Path(folder, "model.pt"), weights_only=False)  # a whole torch module: torch's pickle
    dist.init_process_group("gloo", init_method=f"file://{folder}/rendezvous", rank=rank, world_size=world_size)
    try:
        ddp = DistributedDataParallel(model)
        optimizer = torch.optim.SGD(ddp.parameters(), lr=LR)
        half = slice(rank * len(X) // world_size, (rank + 1) * len(X) // world_size)
        x, y = torch.from_numpy(X[half]), torch.from_numpy(Y[half])
        losses = []
        for _ in range(TORCH_STEPS):
            loss = torch.nn.functional.mse_loss(ddp(x), y)
            whole = loss.detach().clone()
            dist.all_reduce(whole)  # the full batch's loss: the mean of the two halves' means
            losses.append(whole.item() / world_size)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if rank == 0:
            weights = {k: v.tolist() for k, v in ddp.module.state_dict().items()}
            Path(folder, "result.json").write_text(json.dumps({"losses": losses, "weights": weights}))
        # both ranks done talking before either closes its connections: a rank that tears gloo
        # down while its peer still holds the pair aborts the peer ("terminate called without an
        # active exception", SIGABRT; seen once in a CI run on a 2-core machine)
        dist.barrier()
    finally:
        dist.destroy_process_group()


def test_trained_in_glassgrad_then_on_under_distributed_data_parallel_in_two_processes(tmp_path):
    if not torch.distributed.is_available():
        pytest.skip("SKIPPED LOUDLY: this PyTorch build has no torch.distributed, so DDP cannot be tried")
    import torch.multiprocessing as mp

    model = _model()
    before = _glassgrad_losses(model, GLASSGRAD_STEPS)
    converted = nn.to_torch(model)
    reference = _glassgrad_losses(model, TORCH_STEPS)  # glassgrad going on alone, for comparison
    assert reference[0] < before[0]  # (the glassgrad steps did train)

    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")  # the two processes talk over loopback only
    torch.save(converted, tmp_path / "model.pt")  # (passed as an argument, its tensors would be shared memory)
    mp.spawn(_ddp_worker, args=(2, str(tmp_path)), nprocs=2, join=True)
    result = json.loads((tmp_path / "result.json").read_text())

    # the first loss under DDP is the loss glassgrad's last step left, and the next ones follow glassgrad's own
    np.testing.assert_allclose(result["losses"], reference, rtol=2e-5)
    assert result["losses"][-1] < result["losses"][0] < before[-1]
    for name, value in model.state_dict().items():
        np.testing.assert_allclose(np.array(result["weights"][name]), value, rtol=1e-4, atol=1e-5, err_msg=name)
