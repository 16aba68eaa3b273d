"""``python -m benchmarks``: glassgrad side by side with its peers, in one run.

Every (workload, engine) pair runs in its own subprocess (the PyPI package
``autograd`` shares glassgrad's import name, so engines never share an
interpreter), with the same BLAS/OpenMP thread count, the same seeds and a
warm-up step, pinned to the same CPUs. The engines' workers stay alive and
take turns, one ~20 ms sample each while the others are stopped, so that
machine drift hits all of them alike; a full run does this with three sets of
fresh processes (seven for the short workloads). The table reports
medians, and the ratio to the workload's reference engine as the median over
rounds of the two engines' samples of that round (with the range of each set
of processes' own ratio); and whether each target holds; ``--json`` writes it
all, raw samples included.

    python -m benchmarks                 # everything, 1 thread and all cores
    python -m benchmarks --quick         # a short run
    python -m benchmarks --only T1,T3s --threads 1
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import math
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import time
from typing import NoReturn

from benchmarks import speed
from benchmarks.workloads import WORKLOADS, build

# workload -> (reference engine, target ratio of glassgrad to it, what is compared)
TARGETS = {
    "S1": ("micrograd", 0.5, "time"), "S1u": ("micrograd", None, "time"), "S2": ("micrograd", 0.5, "time"),
    "T1": ("numpy", 1.3, "time"), "T2": ("numpy", 1.05, "time"),
    "T3s": ("torch", 1.0, "time"), "T3l": ("numpy", 1.1, "time"),
    "T4": ("numpy", 1.2, "memory"), "D1": ("torch", 1.0, "time"),
    "M3l": ("numpy", 1.1, "fwdpeak"), "M2": ("torch", 1.2, "fwdpeak"), "MC": ("torch", 1.2, "fwdpeak"),
    "MT": ("torch", 1.2, "fwdpeak"),
    **{name: ("torch", target, "time") for name, target in speed.TARGETS.items()},
}
# at more than one thread (the machine's default: every core), where it differs
ALL_CORES_TARGETS = {"T3l": 1.1, **speed.ALL_CORES_TARGETS}
LONG_WORKLOADS = ("D1", "S2", "T3l", *speed.SCALING)  # fewer samples and sets of processes
ALL_CORES = os.cpu_count() or 1


def target_for(workload: str, threads: int) -> tuple[str, float | None, str]:
    """(reference engine, target ratio, what is compared) at ``threads`` threads."""
    ref, target, kind = TARGETS[workload]
    if threads > 1 and workload in ALL_CORES_TARGETS:
        target = ALL_CORES_TARGETS[workload]
    return ref, target, kind


MODULES = {"glassgrad": "autograd", "numpy": "numpy", "torch": "torch", "micrograd": "micrograd", "mygrad": "mygrad"}


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _set_threads(engine: str, threads: int) -> None:
    if engine == "torch":
        import torch

        torch.set_num_threads(threads)


def memory_worker(workload: str, engine: str, threads: int) -> dict:
    """T4: peak RSS above the imported engine over 20 training steps (one shot)."""
    import importlib

    _set_threads(engine, threads)
    importlib.import_module(MODULES[engine])  # imports are not the workload's memory
    if engine == "glassgrad":
        import nn  # noqa: F401
    before = _rss_mb()
    step, first = build(workload, engine)  # parameters, data and the first step
    for _ in range(19):
        step()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"memory_mb": max(peak - before, 0.0), "first_loss": first}


def model_memory_worker(workload: str, engine: str, threads: int) -> dict:
    """M*: memory alive after one forward pass (the loss held) and the peak over
    forward plus backward, both as resident memory above what was alive
    before the forward, after one warm-up step. The parent runs it with
    glibc's mmap threshold fixed at 64 KiB for every engine, so each array
    comes from and goes back to the kernel and resident memory is live memory."""
    import importlib

    from benchmarks.models import build_model

    _set_threads(engine, threads)
    importlib.import_module(MODULES[engine])
    forward, backward = build_model(workload, engine)
    handle = forward()
    backward(handle)  # warm-up: caches, lazily made buffers
    first = float(handle.item()) if hasattr(handle, "item") else float("nan")
    del handle
    gc.collect()
    before = _rss_mb()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak (VmHWM) to what is resident now
    handle = forward()
    after_forward = _rss_mb()
    backward(handle)
    with open("/proc/self/status") as f:
        peak = next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM"))
    return {"memory_mb": after_forward - before, "peak_mb": peak - before, "first_loss": first}


def serve(workload: str, engine: str, threads: int) -> None:
    """A timing worker: build the workload, say it is ready, then time one
    sample each time the parent writes ``go`` (until ``quit``)."""
    _set_threads(engine, threads)
    # Each engine runs in its own default environment, as its users run it:
    # glassgrad's malloc settings (made when it is imported) are its own.
    step, first = build(workload, engine)  # builds and runs the warm-up step
    # A sample runs the step enough times to last about 20 ms (as timeit's
    # autorange does): a single sub-millisecond step is mostly timer noise.
    start = time.perf_counter()
    step()
    once = time.perf_counter() - start
    batch = 1 if workload == "D1" else max(1, math.ceil(0.02 / max(once, 1e-9)))
    print(json.dumps({"first_loss": first, "steps_per_sample": batch}), flush=True)
    for line in sys.stdin:
        if line.strip() != "go":
            break
        if engine == "micrograd":
            # its collector is off (as the targets say), so each step's graph,
            # which holds reference cycles, would pile up and slow it down with
            # fresh memory: collect it between samples, untimed
            gc.collect()
        start = time.perf_counter()
        for _ in range(batch):
            step()
        print(json.dumps((time.perf_counter() - start) / batch), flush=True)


def _env(threads: int) -> dict:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        env[var] = str(threads)
    return env


def _time_interleaved(workload: str, engines: list[str], samples: int, threads: int) -> dict[str, dict]:
    """One long-lived worker process per engine, all built and warmed up first;
    then the parent asks each in turn for one ~20 ms sample, round after
    round, so that the machine's drift (which on a shared VM can halve its
    speed for seconds at a time) falls on every engine alike. Only one worker
    runs at a time; the others wait on their stdin."""
    procs = {}
    # Every engine runs on the same CPUs (the workers inherit this process's
    # affinity): on a shared VM one core can be much slower than another for
    # minutes, and an engine the scheduler happened to put there would lose.
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cpus) >= threads:
        os.sched_setaffinity(0, cpus[:threads])
    for engine in engines:
        cmd = [sys.executable, "-m", "benchmarks", "--serve", workload, engine, "--threads", str(threads)]
        procs[engine] = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True, env=_env(threads))
    if cpus:
        os.sched_setaffinity(0, cpus)
    out: dict[str, dict] = {}
    try:
        for engine, proc in list(procs.items()):
            line = proc.stdout.readline()
            if not line:
                print(f"  {workload}/{engine} failed: {proc.stderr.read().strip().splitlines()[-1:]}",
                      file=sys.stderr)
                del procs[engine]
                continue
            out[engine] = {**json.loads(line), "times": []}
        for proc in procs.values():
            _pause(proc)
        for _ in range(samples):
            for engine, proc in procs.items():
                _resume(proc)
                proc.stdin.write("go\n")
                proc.stdin.flush()
                out[engine]["times"].append(json.loads(proc.stdout.readline()))
                _pause(proc)
    finally:
        for proc in procs.values():
            _resume(proc)
            try:
                proc.stdin.write("quit\n")
                proc.stdin.close()
            except OSError:
                pass
            proc.wait(timeout=60)
    return out


def _pause(proc: subprocess.Popen) -> None:
    """Stop a waiting worker outright: BLAS and OpenMP threads spin for a while
    after each call, and a spinning idle worker would steal the CPUs of the
    engine being timed (it made T1 at two threads look 7x slower)."""
    if hasattr(signal, "SIGSTOP"):
        proc.send_signal(signal.SIGSTOP)


def _resume(proc: subprocess.Popen) -> None:
    if hasattr(signal, "SIGCONT"):
        proc.send_signal(signal.SIGCONT)


def _run_memory_worker(workload: str, engine: str, threads: int) -> dict | None:
    cmd = [sys.executable, "-m", "benchmarks", "--worker", workload, engine, "--threads", str(threads)]
    env = _env(threads)
    if TARGETS[workload][2] == "fwdpeak":
        env["MALLOC_MMAP_THRESHOLD_"] = "65536"
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    if done.returncode != 0:
        print(f"  {workload}/{engine} failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _available(engine: str) -> bool:
    return importlib.util.find_spec(MODULES[engine]) is not None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """A mistake is one line on stderr (as everywhere in ``glassgrad``), exit status 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    prog = os.environ.get("BENCHMARKS_PROG", "python -m benchmarks")  # "glassgrad bench" when run through it
    parser = _Parser(
        prog=prog, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="glassgrad side by side with numpy, PyTorch, micrograd and MyGrad: each engine in\n"
                    "its own processes, with the same threads, seeds and warm-up. Prints medians, the\n"
                    "ratio to each workload's reference engine, and whether its target holds.",
        epilog=f"examples:\n  {prog}                        everything, 1 thread and all cores\n"
               f"  {prog} --quick                a short run\n"
               f"  {prog} --only T1,T3s --threads 1\n\nworkloads: {', '.join(WORKLOADS)}")
    parser.add_argument("--quick", action="store_true", help="fewer rounds and repetitions")
    parser.add_argument("--only", metavar="W1,W2", help="comma-separated workloads (default: all; listed below)")
    parser.add_argument("--threads", type=_positive_int, nargs="+", default=sorted({1, ALL_CORES}), metavar="N",
                        help="threads per engine (BLAS, OpenMP, PyTorch's intra-op); several numbers run "
                             f"each (default: 1 and all cores, here {ALL_CORES})")
    parser.add_argument("--json", default="bench-results.json", metavar="PATH",
                        help="where to write the results (default bench-results.json)")
    parser.add_argument("--worker", nargs=2, metavar=("WORKLOAD", "ENGINE"), help=argparse.SUPPRESS)
    parser.add_argument("--serve", nargs=2, metavar=("WORKLOAD", "ENGINE"), help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    unknown = [w for w in (args.only.split(",") if args.only else []) if w not in WORKLOADS]
    if unknown:
        parser.error(f"--only: unknown workload{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                     f"choose from {', '.join(WORKLOADS)}")
    if args.worker:
        worker = model_memory_worker if TARGETS[args.worker[0]][2] == "fwdpeak" else memory_worker
        print(json.dumps(worker(args.worker[0], args.worker[1], args.threads[0])))
        return 0
    if args.serve:
        serve(args.serve[0], args.serve[1], args.threads[0])
        return 0
    selected = args.only.split(",") if args.only else list(WORKLOADS)
    results: dict = {"machine": {"python": platform.python_version(), "processor": platform.processor(),
                                 "cpus": os.cpu_count()}, "quick": args.quick, "rows": []}
    print(f"glassgrad benchmarks ({'quick' if args.quick else 'full'}): medians of interleaved samples")
    for threads in dict.fromkeys(args.threads):  # in order, each once
        for workload in selected:
            engines = [e for e in WORKLOADS[workload][1] if _available(e)]
            per_engine = _measure(workload, engines, threads, args.quick)
            results["rows"].append(_report_row(workload, threads, per_engine))
    with open(args.json, "w") as f:
        json.dump(results, f, indent=2)
    print(f"\nwrote {args.json}")
    return 0


def _measure(workload: str, engines: list[str], threads: int, quick: bool) -> dict[str, list[dict]]:
    """Every engine's results, one entry per set of fresh processes.

    Fresh worker processes per replica: a process's speed is partly a lottery
    here (with two BLAS threads the same T1 code ran at 0.24 ms in one process
    and 0.46 ms in the next, for numpy as for glassgrad, and now and then
    3.6 ms), which only many processes per engine average out. The short
    workloads get seven sets; the long ones three."""
    per_engine: dict[str, list[dict]] = {e: [] for e in engines}
    if TARGETS[workload][2] in ("memory", "fwdpeak"):
        for _ in range(1 if quick else 3):
            for engine in engines:
                got = _run_memory_worker(workload, engine, threads)
                if got is not None:
                    per_engine[engine].append(got)
        return per_engine
    long = workload in LONG_WORKLOADS
    n = 1 if workload == "D1" else (5 if long else 11)
    for _ in range(1 if quick else (3 if long else 7)):
        for engine, got in _time_interleaved(workload, engines, n, threads).items():
            per_engine[engine].append(got)
    return per_engine


def _summary(kind: str, per_engine: dict[str, list[dict]]) -> dict[str, dict]:
    """Each engine's median (time or memory), first loss and raw samples."""
    summary: dict[str, dict] = {}
    for engine, outs in per_engine.items():
        if not outs:
            continue
        if kind in ("memory", "fwdpeak"):
            value = statistics.median(o["memory_mb"] for o in outs)
            if kind == "fwdpeak":
                summary[engine] = {"peak": statistics.median(o["peak_mb"] for o in outs)}
        else:
            value = statistics.median(t for o in outs for t in o["times"])
        summary[engine] = {**summary.get(engine, {}), "value": value, "first_loss": outs[0]["first_loss"]}
        if kind == "time":  # the raw samples, one list per set of processes
            summary[engine]["samples"] = [o["times"] for o in outs]
    return summary


def _ratios(row: dict, engine: str, ref: str, kind: str, per_engine: dict, summary: dict) -> None:
    """Set ``row``'s ratio to the reference: for timings, the median over rounds
    of this engine's sample over the reference's sample of the same round
    (drift cancels within a round), and each set of processes' own ratio."""
    base = summary.get(ref, {}).get("value")
    row["ratio"] = row["value"] / base if base else float("nan")
    if kind == "time" and base and len(per_engine.get(ref, ())) == len(per_engine[engine]):
        pairs = [a / b for mine, theirs in zip(per_engine[engine], per_engine[ref])
                 for a, b in zip(mine["times"], theirs["times"])]
        row["ratio"] = statistics.median(pairs)
        row["ratio_per_set"] = [statistics.median(a / b for a, b in zip(mine["times"], theirs["times"]))
                                for mine, theirs in zip(per_engine[engine], per_engine[ref])]
    if kind == "fwdpeak":
        base_peak = summary.get(ref, {}).get("peak")
        row["peak_ratio"] = row["peak"] / base_peak if base_peak else float("nan")


def _report_row(workload: str, threads: int, per_engine: dict[str, list[dict]]) -> dict:
    """Print one workload's table at one thread count; return its results row."""
    description = WORKLOADS[workload][0]
    ref, target, kind = target_for(workload, threads)
    summary = _summary(kind, per_engine)
    ref_loss = summary.get("numpy" if "numpy" in summary else ref, {}).get("first_loss")
    unit = "s" if kind == "time" else "MB"
    print(f"\n[{workload}] {description}  ({threads} thread{'s' if threads > 1 else ''})")
    print(f"  {'engine':<10} {'median':>12} {'vs ' + ref:>14} {'first loss':>14}")
    for engine, row in summary.items():
        _ratios(row, engine, ref, kind, per_engine, summary)
        loss, same = row["first_loss"], ""
        if ref_loss is not None and loss == loss and ref_loss == ref_loss:
            same = "" if abs(loss - ref_loss) <= 1e-4 * max(1.0, abs(ref_loss)) else "  MISMATCH"
        spread = row.get("ratio_per_set", [])
        sets = f"   sets {min(spread):.2f}-{max(spread):.2f}x" if len(spread) > 1 and engine != ref else ""
        peak = f"   peak {row['peak']:.3g} MB ({row['peak_ratio']:.2f}x)" if kind == "fwdpeak" else ""
        value = f"{row['value']:.4g} {unit}"
        print(f"  {engine:<10} {value:>12} {row['ratio']:>13.2f}x {loss:>14.6g}{same}{sets}{peak}")
    ours = summary.get("glassgrad", {}).get("ratio")
    if kind == "fwdpeak" and ours is not None:  # both must hold: after forward, and the peak
        ours = max(ours, summary["glassgrad"].get("peak_ratio", float("nan")))
    if target is None:
        verdict = "no target (shown for comparison)"
        print(f"  {verdict}")
    else:
        verdict = "n/a (reference engine missing)" if ours is None or ours != ours else (
            "met" if ours <= target else "MISSED")
        print(f"  target: glassgrad <= {target}x {ref} -> {verdict}")
    return {"workload": workload, "threads": threads, "description": description, "reference": ref,
            "target": target, "kind": kind, "engines": summary, "verdict": verdict}


if __name__ == "__main__":
    raise SystemExit(main())
