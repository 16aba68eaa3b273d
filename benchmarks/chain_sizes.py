"""T3l at half, the same and double its array size: glassgrad against numpy
written by hand, each in a fresh process with its own default environment
(nothing of glassgrad's loaded into numpy's), alternating, the best of 5 steps
per process.

Run: ``python -m benchmarks.chain_sizes [--rounds R]``."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAM = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
from benchmarks.workloads import chain_step
step, _ = chain_step(sys.argv[1], tuple(json.loads(sys.argv[2])))
step()
times = []
for _ in range(5):
    start = time.perf_counter(); step(); times.append(time.perf_counter() - start)
print(min(times))
"""
SHAPES = ([707, 707], [1000, 1000], [1414, 1414])  # half, T3l's and double the elements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for shape in SHAPES:
        times: dict[str, list[float]] = {"numpy": [], "glassgrad": []}
        for _ in range(args.rounds):
            for engine in times:
                out = subprocess.run([sys.executable, "-c", PROGRAM, engine, json.dumps(shape), ROOT],
                                     capture_output=True, text=True, check=True, cwd=os.path.expanduser("~"))
                times[engine].append(float(out.stdout))
        ratios = [g / n for g, n in zip(times["glassgrad"], times["numpy"])]
        print(f"{tuple(shape)}: numpy {statistics.median(times['numpy']) * 1e3:.0f} ms, glassgrad "
              f"{statistics.median(times['glassgrad']) * 1e3:.0f} ms, ratio {statistics.median(ratios):.2f}x "
              f"({min(ratios):.2f}-{max(ratios):.2f})")


if __name__ == "__main__":
    main()
