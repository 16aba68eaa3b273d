"""What numba costs a process: import time, the first Adam step and the
first GELU forward + backward, each in a fresh process.

Run: ``python -m benchmarks.first_call`` (numba's disk cache as it is: the
usual case after the first run on a machine) and ``python -m
benchmarks.first_call --fresh`` (an empty cache: everything compiles)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

PROGRAM = """
import time
start = time.perf_counter()
import numpy as np, glassgrad, nn, autograd as ag
imported = time.perf_counter() - start
p = nn.Parameter(np.ones(1 << 16, np.float32)); p.grad = ag.ones(1 << 16); opt = nn.optim.Adam([p])
start = time.perf_counter(); opt.step(); adam = time.perf_counter() - start
start = time.perf_counter(); opt.step(); again = time.perf_counter() - start
x = ag.tensor(np.ones(1 << 16, np.float32), requires_grad=True)
start = time.perf_counter(); nn.functional.gelu(x).sum().backward(); gelu = time.perf_counter() - start
print(f"import {imported:.2f} s, first Adam step {adam:.2f} s, second {again * 1e3:.2f} ms, "
      f"first GELU forward + backward {gelu:.2f} s")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="an empty numba cache: every kernel compiles")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache} if args.fresh else dict(os.environ)
        for _ in range(args.repeat):
            if args.fresh:  # (each run its own empty cache)
                env["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(dir=cache)
            subprocess.run([sys.executable, "-c", PROGRAM], env=env, check=True)


if __name__ == "__main__":
    main()
