"""The benchmark harness runs and reports (it never gates on a timing): a
quick one-workload run must produce every installed engine's row, with raw
samples, a ratio, and the same first loss as the numpy baseline."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nn.cli import main

pytestmark = pytest.mark.slow  # benchmark worker processes


def test_quick_run_reports_every_engine_with_the_same_maths(tmp_path, capfd):
    out = tmp_path / "bench.json"
    # `glassgrad bench` runs `python -m benchmarks` in the checkout, options passed through
    assert main(["bench", "--quick", "--only", "T3s", "--threads", "1", "--json", str(out)]) == 0
    printed = capfd.readouterr().out
    assert "[T3s]" in printed and "MISMATCH" not in printed
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


def test_memory_workloads_report_after_forward_and_peak_for_every_engine(tmp_path, capfd):
    out = tmp_path / "bench.json"
    assert main(["bench", "--quick", "--only", "MC", "--threads", "1", "--json", str(out)]) == 0
    assert "MISMATCH" not in capfd.readouterr().out
    (row,) = json.loads(out.read_text())["rows"]
    assert row["kind"] == "fwdpeak" and row["reference"] == "torch"
    engines = row["engines"]
    ours = engines["glassgrad"]
    # the CNN's activations are ~2 MB at batch 256: both figures are real measurements
    assert 0.5 < ours["value"] < 50 and ours["value"] <= ours["peak"] < 100
    if "torch" in engines:
        assert abs(ours["first_loss"] - engines["torch"]["first_loss"]) < 1e-4
        assert ours["ratio"] > 0 and ours["peak_ratio"] > 0


@pytest.mark.slow
@pytest.mark.parametrize("workload", ["RT", "RC", "RG", "RP", "RV", "RO", "RA"])
def test_speed_workloads_compute_pytorchs_maths(workload):
    """Each speed workload's first step gives PyTorch's loss (no timing here:
    the ratios come from python -m benchmarks)."""
    from benchmarks import speed

    _, ours = speed.build(workload, "glassgrad")
    assert np.isfinite(ours)
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    _, theirs = speed.build(workload, "torch")
    assert ours == pytest.approx(theirs, rel=1e-4, abs=1e-5)


def test_report_renders_results_as_a_markdown_table():
    from benchmarks.report import table

    engines = {"glassgrad": {"value": 0.0236, "ratio": 1.16, "ratio_per_set": [1.14, 1.19]}, "torch": {"value": 0.0204}}
    results = {"rows": [
        {"workload": "RT", "threads": 1, "description": "a step", "reference": "torch", "target": 1.3,
         "kind": "time", "verdict": "met", "engines": engines},
        {"workload": "RT", "threads": 2, "description": "a step", "reference": "torch", "target": 1.2,
         "kind": "time", "verdict": "MISSED", "engines": {**engines, "glassgrad": {"value": 0.0175, "ratio": 1.52}}},
        {"workload": "MT", "threads": 1, "description": "memory", "reference": "torch", "target": 1.2,
         "kind": "fwdpeak", "verdict": "met",
         "engines": {"glassgrad": {"value": 9.0, "ratio": 0.99, "peak_ratio": 0.88}, "torch": {"value": 9.1}}},
    ]}
    lines = table(results).splitlines()
    assert len(lines) == 4
    assert "all 2 cores" in lines[0]
    assert lines[2] == ("| RT | a step | 23.6 ms | torch 20.4 ms | **1.16x (1.14-1.19)** | <= 1.3x: met | 1.52x | "
                        "<= 1.2x: MISSED |")
    assert lines[3] == "| MT | memory | 9.0 MB | torch 9.1 MB | **0.99x / 0.88x** | <= 1.2x: met |  |  |"
    assert table(results, ["MT"]).count("\n") == 2


def test_report_renders_the_transformer_blocks_scaling_with_width():
    from benchmarks.report import scaling_table

    def row(name, threads, ours, theirs):
        return {"workload": name, "threads": threads, "description": "", "reference": "torch", "target": None,
                "kind": "time", "verdict": "", "engines": {"glassgrad": {"value": ours, "ratio": ours / theirs},
                                                             "torch": {"value": theirs}}}
    results = {"rows": [row("RT64", 1, 0.01, 0.02), row("RT", 1, 0.03, 0.02), row("RT", 2, 0.02, 0.01)]}
    lines = scaling_table(results).splitlines()
    assert lines[0] == ("| C | glassgrad, 1 thr | torch, 1 thr | ratio, 1 thr | glassgrad, 2 thr | torch, 2 thr | "
                        "ratio, 2 thr |")
    assert lines[2] == "| 64 | 10 ms | 20 ms | 0.50x |  |  |  |"
    assert lines[3] == "| 128 | 30 ms | 20 ms | 1.50x | 20 ms | 10 ms | 2.00x |"
    assert scaling_table({"rows": [row("RT", 1, 0.03, 0.02)]}) == ""


def test_at_all_cores_the_targets_are_the_all_core_ones():
    from benchmarks.__main__ import target_for

    assert target_for("RC", 1) == ("torch", 1.5, "time")
    assert target_for("RC", 2) == ("torch", 1.3, "time")
    assert target_for("T1", 8) == target_for("T1", 1)
