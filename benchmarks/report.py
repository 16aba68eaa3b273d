"""Markdown tables from a results file of ``python -m benchmarks``, so that the
numbers in the docs are never typed by hand:

    python -m benchmarks.report [benchmarks/results.json] [--only RT,RC,...]
    python -m benchmarks.report --write docs/performance.md

prints one table row per workload: glassgrad's time (or memory), the
reference engine's, the ratio with the range over sets of processes and the
target and its verdict at one thread and at all cores; and a table of the
transformer block's step time against its width. ``--write``
puts the table, and the run's machine line, between a document's
``<!-- results -->`` and ``<!-- /results -->`` markers (the test suite checks
that docs/performance.md holds what results.json gives).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _amount(value: float, kind: str) -> str:
    if kind != "time":
        return f"{value:.1f} MB"
    return f"{value * 1e3:.3g} ms" if value < 1 else f"{value:.3g} s"


def _ratio(row: dict) -> str:
    ours = row["engines"].get("glassgrad", {})
    if "ratio" not in ours:
        return "n/a"
    text = f"{ours['ratio']:.2f}x"
    if "peak_ratio" in ours:
        text += f" / {ours['peak_ratio']:.2f}x"
    spread = ours.get("ratio_per_set") or []
    if len(spread) > 1:
        text += f" ({min(spread):.2f}-{max(spread):.2f})"
    return text


def _by_workload(results: dict, only: list[str] | None = None) -> dict[str, dict[int, dict]]:
    rows: dict[str, dict[int, dict]] = {}
    for row in results["rows"]:
        if only is None or row["workload"] in only:
            rows.setdefault(row["workload"], {})[row["threads"]] = row
    return rows


def _target(row: dict | None) -> str:
    return "" if row is None or row["target"] is None else f"<= {row['target']}x: {row['verdict']}"


def table(results: dict, only: list[str] | None = None) -> str:
    """The markdown table of the rows of ``results`` (one line per workload):
    one thread and all cores, each with its target."""
    cores = max((row["threads"] for row in results["rows"]), default=1)
    lines = ["| id | workload | glassgrad | reference | ratio, 1 thread (sets) | target | "
             f"ratio, all {cores} cores (sets) | target |", "|---|---|---|---|---|---|---|---|"]
    for name, by_threads in _by_workload(results, only).items():
        if name in SCALING_ROWS and name != "RT":  # RT itself is a row of both tables
            continue
        one = by_threads.get(1) or next(iter(by_threads.values()))
        ref, kind = one["reference"], one["kind"]
        ours, theirs = one["engines"].get("glassgrad", {}), one["engines"].get(ref, {})
        every = by_threads.get(cores) if cores > 1 else None
        lines.append(f"| {name} | {one['description']} | {_amount(ours['value'], kind) if ours else ''} | "
                     f"{ref} {_amount(theirs['value'], kind) if theirs else ''} | **{_ratio(one)}** | "
                     f"{_target(one)} | {_ratio(every) if every else ''} | {_target(every)} |")
    return "\n".join(lines)


SCALING_ROWS = {"RT64": 64, "RT": 128, "RT256": 256, "RT512": 512}


def scaling_table(results: dict) -> str:
    """The transformer block's step time against its width, glassgrad and
    PyTorch, at each thread count the run measured (empty if it measured none)."""
    rows = _by_workload(results, list(SCALING_ROWS))
    if len(rows) < 2:
        return ""
    counts = sorted({t for by_threads in rows.values() for t in by_threads})
    head = " | ".join(f"glassgrad, {t} thr | torch, {t} thr | ratio, {t} thr" for t in counts)
    lines = [f"| C | {head} |", "|---|" + "---|" * 3 * len(counts)]
    for name, width in SCALING_ROWS.items():
        if name not in rows:
            continue
        cells = []
        for t in counts:
            row = rows[name].get(t)
            engines = row["engines"] if row else {}
            cells += [_amount(engines[e]["value"], "time") if e in engines else "" for e in ("glassgrad", "torch")]
            cells.append(_ratio(row) if row else "")
        lines.append(f"| {width} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


BEGIN, END = "<!-- results -->", "<!-- /results -->"


def machine(results: dict) -> str:
    """One line on how the results were taken."""
    info = results.get("machine", {})
    kind = "a quick run (one set of processes)" if results.get("quick") else "a full run"
    where = ", ".join(f"{info[k]} {label}" for k, label in (("cpus", "CPUs"), ("processor", "")) if info.get(k))
    python = f", Python {info['python']}" if info.get("python") else ""
    return f"From {kind} of `python -m benchmarks`{' on ' + where.strip() if where else ''}{python}."


def fill(document: str, results: dict) -> str:
    """``document`` with the text between its result markers replaced."""
    start, end = document.find(BEGIN), document.find(END)
    if start < 0 or end < start:
        raise ValueError(f"report: the document has no {BEGIN} ... {END} markers")
    scaling = scaling_table(results)
    scaling = f"\nThe transformer block (RT) at other widths:\n\n{scaling}\n" if scaling else ""
    return (f"{document[: start + len(BEGIN)]}\n{machine(results)}\n\n{table(results)}\n{scaling}"
            f"{document[end:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.report", description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="?", default=str(HERE / "results.json"))
    parser.add_argument("--only", help="comma-separated workloads (default: all)")
    parser.add_argument("--write", metavar="DOC", help="rewrite the results between DOC's markers")
    args = parser.parse_args(argv)
    results = json.loads(Path(args.results).read_text())
    if args.write:
        doc = Path(args.write)
        doc.write_text(fill(doc.read_text(encoding="utf-8"), results), encoding="utf-8")
        print(f"wrote {doc}")
    else:
        print(table(results, args.only.split(",") if args.only else None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
