"""glassgrad asks glibc to keep freed arrays for the next step (autograd/allocation.py):
a step that allocates the same arrays again reuses their pages instead of
faulting fresh ones in. Checked by counting minor page faults (not time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PROGRAM = """
import json, resource
import autograd as ag
from autograd import allocation
x = ag.randn(512, 512, requires_grad=True)
def step():  # a chain whose 1 MB outputs are all alive until backward, as in a training step
    h = x
    for _ in range(16):
        h = (h * 0.9).tanh()
    h.sum().backward()
    x.grad = None
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10
print(json.dumps({"kept": allocation.KEPT, "faults_per_step": faults}))
"""


def _run(**env: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not (k.startswith("MALLOC_") and k.endswith("_"))}
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                          env={**clean, **env}, cwd=os.path.dirname(os.path.dirname(__file__)), timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


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
