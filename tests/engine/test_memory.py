"""Memory: what a kept graph holds after backward, and freed arrays reused across steps."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import autograd as ag
import nn
from nn import functional as F


@pytest.mark.slow
def test_keeping_every_loss_keeps_its_graph_but_not_its_activations():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = nn.optim.SGD(model.parameters(), lr=0.01)
    X = ag.randn(64, 64)
    y = np.arange(64) % 10
    losses = []

    def step():
        loss = F.cross_entropy(model(X), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss)  # kept: its graph must not keep the activations alive

    for _ in range(200):
        step()
    gc.collect()
    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    for _ in range(1800):
        step()
    gc.collect()
    end, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # a kept loss keeps its graph's structure (4 nodes: shapes, edges), as in
    # PyTorch, but backward freed what the nodes saved: one step's
    # activations alone are ~100 KB, so kept activations would add ~180 MB
    assert end - start < 1800 * 4 * 1024, f"grew by {(end - start) / 1024:.0f} KiB over 1800 steps"
    assert peak - start < 1800 * 4 * 1024 + 2 * 1024**2


ROOT = Path(__file__).resolve().parents[2]  # the repository, where autograd is importable
PROGRAM = """
import json, resource
import autograd as ag
from autograd import allocation
import sys
n = int(sys.argv[1])
x = ag.randn(n, n, requires_grad=True)
def step():  # a chain whose 1 MB outputs are all alive until backward, as in a training step
    h = x
    for _ in range(16):
        h = (h * 0.9).tanh()
    h.sum().backward()
    x.grad = None
for _ in range(3):
    step()
import time
before, start = resource.getrusage(resource.RUSAGE_SELF).ru_minflt, time.perf_counter()
for _ in range(10):
    step()
faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10
print(json.dumps({"kept": allocation.KEPT, "faults_per_step": faults,
                  "ms_per_step": (time.perf_counter() - start) * 100}))
"""


def _run(n: int = 512, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not (k.startswith("MALLOC_") and k.endswith("_"))}
    done = subprocess.run([sys.executable, "-c", PROGRAM, str(n)], capture_output=True, text=True,
                          env={**clean, **env}, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's (Linux)")
def test_freed_arrays_are_reused_by_the_next_step_unless_switched_off():
    kept = _run()
    assert kept["kept"] is True
    assert kept["faults_per_step"] < 50  # the pages of the last step's arrays, reused
    off = _run(GLASSGRAD_KEEP_FREED_MEMORY="0")
    assert off["kept"] is False
    assert off["faults_per_step"] > 1000  # glibc alone gives the freed heap back: faulted in afresh
    mine = _run(MALLOC_MMAP_THRESHOLD_="65536")  # a user's own malloc tuning wins
    assert mine["kept"] is False


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's (Linux)")
@pytest.mark.parametrize("n", [1024, 2048, 2900], ids=["8MB-arrays", "32MB-arrays", "64MB-arrays"])
def test_freed_arrays_are_reused_at_any_size(n):
    """No threshold to outgrow: 16 arrays of 32 MB (a 512 MB live set) faulted
    9,300 pages a step under a 256 MB trim threshold, and 64 MB arrays, above
    glibc's largest mmap threshold, were mapped afresh every step."""
    kept = _run(n)
    assert kept["kept"] is True
    assert kept["faults_per_step"] < 50


if __name__ == "__main__":  # python -m tests.engine.test_memory 2900: faults and time per step at that size
    print(_run(int(sys.argv[1]) if len(sys.argv) > 1 else 512))
