"""Markdown tables from a results file of ``python -m benchmarks``, so that the
numbers in the docs are never typed by hand:

    python -m benchmarks.report [benchmarks/results.json] [--only RT,RC,...]
    python -m benchmarks.report --write docs/performance.md

prints one table row per workload: glassgrad's time (or memory), the
reference engine's, the one-thread ratio with the range over sets of
processes, the target and its verdict, and the two-thread ratio. ``--write``
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


def table(results: dict, only: list[str] | None = None) -> str:
    """The markdown table of the rows of ``results`` (one line per workload)."""
    rows: dict[str, dict[int, dict]] = {}
    for row in results["rows"]:
        if only is None or row["workload"] in only:
            rows.setdefault(row["workload"], {})[row["threads"]] = row
    lines = ["| id | workload | glassgrad | reference | ratio, 1 thread (sets) | target | 2 threads |",
             "|---|---|---|---|---|---|---|"]
    for name, by_threads in rows.items():
        one = by_threads.get(1) or next(iter(by_threads.values()))
        ref, kind = one["reference"], one["kind"]
        ours, theirs = one["engines"].get("glassgrad", {}), one["engines"].get(ref, {})
        target = "" if one["target"] is None else f"<= {one['target']}x: {one['verdict']}"
        two = _ratio(by_threads[2]) if 2 in by_threads else ""
        lines.append(f"| {name} | {one['description']} | {_amount(ours['value'], kind) if ours else ''} | "
                     f"{ref} {_amount(theirs['value'], kind) if theirs else ''} | **{_ratio(one)}** | "
                     f"{target} | {two} |")
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
    return f"{document[: start + len(BEGIN)]}\n{machine(results)}\n\n{table(results)}\n{document[end:]}"


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
