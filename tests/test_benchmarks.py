"""The benchmark harness runs and reports (it never gates on a timing): a
quick one-workload run must produce every installed engine's row, with raw
samples, a ratio, and the same first loss as the numpy baseline."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_run_reports_every_engine_with_the_same_maths(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--only", "T3s", "--threads", "1", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "MISMATCH" not in done.stdout
    (row,) = json.loads(out.read_text())["rows"]
    assert row["workload"] == "T3s" and row["threads"] == 1 and row["reference"] == "torch"
    engines = row["engines"]
    assert {"numpy", "glassgrad"} <= set(engines)
    base = engines["numpy"]["first_loss"]
    for name, result in engines.items():
        assert abs(result["first_loss"] - base) <= 1e-4 * max(1.0, abs(base)), name
        (samples,) = result["samples"]  # one set of processes in a quick run
        assert len(samples) == 11 and all(t > 0 for t in samples)
        assert result["value"] == sorted(samples)[5]  # the median of the samples
    if "torch" in engines:  # the reference is there: glassgrad has a ratio and a verdict
        assert engines["glassgrad"]["ratio"] > 0
        assert row["verdict"] in ("met", "MISSED")
    else:
        assert row["verdict"] == "n/a (reference engine missing)"
