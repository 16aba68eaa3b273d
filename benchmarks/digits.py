"""Digits training time: glassgrad's MLP and CNN (the ``glassgrad train``
configurations) to their accuracy targets, and, when PyTorch is installed, the
same MLP recipe in PyTorch on the same data, in the same run.

Run: ``python -m benchmarks.digits [--threads N] [--repeat R]``. Each engine
runs in its own subprocess with the same BLAS thread count; medians of R runs
are reported, with the ratio to PyTorch where it ran.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import textwrap

GLASSGRAD = textwrap.dedent("""
    import json, sys, time
    from nn.training import TrainConfig, train
    cfg = TrainConfig(**json.loads(sys.argv[1]))
    start = time.perf_counter()
    result = train(cfg, quiet=True)
    print(json.dumps({"seconds": time.perf_counter() - start, "accuracy": result["test_accuracy"]}))
""")

TORCH = textwrap.dedent("""
    import json, sys, time
    import numpy as np, torch
    from nn.training import TrainConfig, load_dataset
    cfg = TrainConfig(**json.loads(sys.argv[1]))
    torch.manual_seed(cfg.seed)
    start = time.perf_counter()
    Xtr, Xte, ytr, yte, k = load_dataset(cfg.dataset, cfg.seed, standardize=True)
    Xtr, Xte, ytr = torch.tensor(Xtr), torch.tensor(Xte), torch.tensor(ytr)
    h = cfg.hidden
    model = torch.nn.Sequential(torch.nn.Linear(64, h), torch.nn.ReLU(), torch.nn.Dropout(cfg.dropout),
                                torch.nn.Linear(h, h), torch.nn.ReLU(), torch.nn.Dropout(cfg.dropout),
                                torch.nn.Linear(h, k))
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, cfg.epochs)
    rng = np.random.default_rng(cfg.seed)
    for _ in range(cfg.epochs):
        order = torch.tensor(rng.permutation(len(Xtr)))
        for i in range(0, len(Xtr), cfg.batch_size):
            idx = order[i:i + cfg.batch_size]
            loss = torch.nn.functional.cross_entropy(model(Xtr[idx]), ytr[idx], label_smoothing=cfg.label_smoothing)
            opt.zero_grad(); loss.backward(); opt.step()
        sched.step()
        model.eval()
        with torch.no_grad():
            model(Xtr).argmax(1)  # the per-epoch train accuracy glassgrad's loop computes
        model.train()
    model.eval()
    with torch.no_grad():
        acc = float((model(Xte).argmax(1).numpy() == yte).mean())
    print(json.dumps({"seconds": time.perf_counter() - start, "accuracy": acc}))
""")

MLP = {"dataset": "digits", "model": "mlp", "hidden": 128, "epochs": 40, "lr": 0.002, "dropout": 0.2,
       "label_smoothing": 0.1}
CNN = {"dataset": "digits", "model": "cnn", "epochs": 40, "lr": 0.002}


def _run(code: str, cfg: dict, threads: int) -> dict | None:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, "-c", code, json.dumps(cfg)], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args(argv)
    try:
        import torch  # noqa: F401

        have_torch = True
    except ImportError:
        have_torch = False
    jobs = [("glassgrad MLP", GLASSGRAD, MLP), ("glassgrad CNN", GLASSGRAD, CNN)]
    if have_torch:
        jobs.append(("pytorch MLP", TORCH, MLP))
    runs: dict[str, list[dict]] = {name: [] for name, _, _ in jobs}
    for _ in range(args.repeat):  # interleaved, so machine drift hits every engine alike
        for name, code, cfg in jobs:
            result = _run(code, cfg, args.threads)
            if result is not None:
                runs[name].append(result)
    rows = {name: {"median_s": statistics.median(r["seconds"] for r in rs),
                   "accuracy": statistics.median(r["accuracy"] for r in rs)} for name, rs in runs.items() if rs}
    base = rows.get("pytorch MLP", {}).get("median_s")
    print(f"digits training, {args.threads} thread(s), median of {args.repeat}")
    print(f"{'engine':<16} {'median s':>9} {'test acc':>9} {'vs PyTorch MLP':>15}")
    for name, row in rows.items():
        ratio = f"{row['median_s'] / base:.2f}x" if base else "n/a"
        print(f"{name:<16} {row['median_s']:>9.2f} {row['accuracy']:>9.3f} {ratio:>15}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": args.threads, "repeat": args.repeat, "results": rows}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
