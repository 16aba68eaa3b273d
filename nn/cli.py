"""The ``glassgrad`` command.

``glassgrad train`` trains a network with a progress bar per epoch and prints
the final test accuracy (default: a Tensor MLP on the moons data, a few
seconds); ``--engine scalar`` runs the micrograd-style Value MLP instead.
``glassgrad evaluate PATH`` reloads a checkpoint saved with ``--save``.
``glassgrad bench [--quick ...]`` runs the benchmark suite from a source checkout.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

import numpy as np

__all__ = ["main", "build_parser"]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    from nn.training import DATASETS, OPTIMIZERS

    parser = argparse.ArgumentParser(
        prog="glassgrad",
        description="glassgrad: a glass-box autograd engine. Train a demo network or evaluate a checkpoint.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    train = sub.add_parser("train", help="train a network on a toy dataset (a Tensor MLP on moons by default)")
    train.add_argument("--engine", choices=["tensor", "scalar"], default="tensor",
                       help="tensor (default) or scalar: the micrograd-style MLP of Value objects, on moons")
    train.add_argument("--dataset", choices=DATASETS, default="moons", help="default: moons")
    train.add_argument("--model", choices=["mlp", "cnn"], default="mlp", help="cnn needs --dataset digits")
    train.add_argument("--hidden", type=_positive_int, default=None, help="hidden units per layer")
    train.add_argument("--epochs", type=_positive_int, default=None, help="passes over the training data")
    train.add_argument("--lr", type=_positive_float, default=None, help="learning rate")
    train.add_argument("--batch-size", type=_positive_int, default=32, help="minibatch size (default 32)")
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="adam", help="default: adam")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument("--save", metavar="PATH", help="write the trained weights to PATH (.npz)")
    train.add_argument("--samples", type=_positive_int, default=100, help="scalar engine: training points")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    graph = sub.add_parser(
        "graph", help="draw an expression's graph with its gradients, e.g. graph \"tanh(x*w + b)\" --x 2 --w -3",
        description="Draw the computation graph of a scalar expression after backward(). Give each variable "
                    "as --NAME NUMBER. Only numbers, names, + - * / **, and the functions "
                    "exp log sqrt tanh sigmoid relu leaky_relu gelu silu softplus are accepted.")
    graph.add_argument("expression", help='e.g. "tanh(x*w + b)"')
    graph.add_argument("-o", "--output", default="graph.svg", help="output file: .svg, or .dot for the source")
    graph.add_argument("--rankdir", choices=["LR", "TB"], default="LR")
    explore = sub.add_parser(
        "explore", help="write an interactive page that steps through an expression's forward and backward "
                        "pass, e.g. explore \"tanh(x*w + b)\" --x 2 --w -3 --b 6.88 -o page.html",
        description="Write one self-contained HTML page (no network needed) for a scalar expression: the "
                    "buttons, the arrow keys or the slider step through the forward pass, then the backward "
                    "pass, with the node being processed highlighted and its chain-rule product written out; "
                    "hovering a node shows its value and gradient. Give each variable as --NAME NUMBER; the "
                    "expression takes numbers, names, + - * / **, and exp log sqrt tanh sigmoid relu "
                    "leaky_relu gelu silu softplus.")
    explore.add_argument("expression", help='e.g. "tanh(x*w + b)"')
    explore.add_argument("-o", "--output", default="explorer.html", help="the page to write (default explorer.html)")
    explore.add_argument("--rankdir", choices=["LR", "TB"], default="LR")
    evaluate = sub.add_parser("evaluate", help="load a checkpoint saved by train --save and report test accuracy")
    evaluate.add_argument("path", help="the .npz checkpoint")
    sub.add_parser(
        "bench", help="run the benchmark suite (python -m benchmarks) from a source checkout; "
                      "its options (--quick, --only T1,T3s, --threads 1, --json PATH) pass through",
        add_help=False)
    return parser


DEFAULTS = {  # per dataset/model: hidden, epochs, lr, dropout, label smoothing (reach the README's accuracies)
    ("moons", "mlp"): (32, 30, 0.01, 0.0, 0.0), ("circles", "mlp"): (32, 30, 0.01, 0.0, 0.0),
    ("spirals", "mlp"): (64, 60, 0.01, 0.0, 0.0), ("blobs", "mlp"): (32, 20, 0.01, 0.0, 0.0),
    ("digits", "mlp"): (128, 40, 0.002, 0.2, 0.1), ("digits", "cnn"): (0, 40, 0.002, 0.0, 0.0),
}


def _train_scalar(args: argparse.Namespace) -> tuple[float, float]:
    from tqdm import tqdm

    from nn.data import make_moons
    from nn.optim import SGD
    from nn.scalar import MLP

    hidden, epochs, lr = args.hidden or 16, args.epochs or 60, args.lr or 0.5
    X, y = make_moons(args.samples, noise=0.1, random_state=args.seed)
    X_test, y_test = make_moons(200, noise=0.1, random_state=args.seed + 1)
    signs = 2 * y - 1  # hinge loss wants labels in {-1, +1}
    model = MLP(2, [hidden, hidden, 1], seed=args.seed)
    params = model.parameters()
    opt = SGD(params, lr=lr, momentum=0.9)
    bar = tqdm(range(epochs), desc="train (scalar)", disable=args.quiet, file=sys.stdout, ncols=88)
    loss_value = float("nan")
    for epoch in bar:
        opt.lr = lr * (1.0 - 0.9 * epoch / epochs)  # linear decay
        scores = [model([float(a), float(b)]) for a, b in X]
        margins = [(1 - s * float(t)).relu() for s, t in zip(scores, signs)]
        loss = sum(margins) * (1.0 / len(margins)) + 1e-4 * sum(p * p for p in params)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss_value = loss.data
        train_acc = np.mean([(s.data > 0) == (t > 0) for s, t in zip(scores, signs)])
        bar.set_postfix(loss=f"{loss_value:.4f}", acc=f"{train_acc:.2f}")
    test_scores = np.array([model([float(a), float(b)]).data for a, b in X_test])
    return float(np.mean((test_scores > 0) == (y_test == 1))), loss_value


def _train(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    start = time.perf_counter()
    if args.engine == "scalar":
        if args.dataset != "moons" or args.model != "mlp" or args.save:
            parser.error("--engine scalar trains the Value MLP on moons only (no --dataset, --model or --save)")
        accuracy, loss = _train_scalar(args)
        print(f"final loss {loss:.4f}  test accuracy {accuracy:.3f}  ({time.perf_counter() - start:.1f} s)")
        return 0
    from nn.serialization import save
    from nn.training import TrainConfig, train

    key = (args.dataset, args.model)
    if key not in DEFAULTS:
        parser.error(f"--model {args.model} works only with --dataset digits")
    hidden, epochs, lr, dropout, smoothing = DEFAULTS[key]
    cfg = TrainConfig(dataset=args.dataset, model=args.model, hidden=args.hidden or hidden,
                      epochs=args.epochs or epochs, lr=args.lr or lr, batch_size=args.batch_size,
                      optimizer=args.optimizer, seed=args.seed, dropout=dropout, label_smoothing=smoothing)
    try:
        result = train(cfg, quiet=args.quiet)
    except ImportError as e:  # e.g. digits without scikit-learn
        print(f"glassgrad: error: {e}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - start
    print(f"final loss {result['loss']:.4f}  train accuracy {result['train_accuracy']:.3f}  "
          f"test accuracy {result['test_accuracy']:.3f}  ({seconds:.1f} s)")
    if args.save:
        save(result["model"].state_dict(), args.save, metadata={"config": result["config"]})
        print(f"saved {args.save}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from nn.serialization import CheckpointError, load
    from nn.training import evaluate

    try:
        state, meta = load(args.path, with_metadata=True)
        if "config" not in meta:
            raise CheckpointError(f"{args.path} has no training config (was it saved by glassgrad train?)")
        accuracy = evaluate(state, meta["config"])
    except (OSError, CheckpointError, RuntimeError, ValueError, TypeError) as e:
        print(f"glassgrad: error: {e}", file=sys.stderr)
        return 2
    print(f"test accuracy {accuracy:.3f}  ({meta['config']['model']} on {meta['config']['dataset']})")
    return 0


def _variables(extra: list[str], parser: argparse.ArgumentParser) -> dict[str, float]:
    """``--x 2 --w -3`` (or ``--x=2``) pairs after the expression."""
    values: dict[str, float] = {}
    i = 0
    while i < len(extra):
        item = extra[i]
        if not item.startswith("--") or len(item) < 3:
            parser.error(f"unrecognized argument {item!r}; give variables as --NAME NUMBER")
        name, _, text = item[2:].partition("=")
        if not text:
            if i + 1 >= len(extra):
                parser.error(f"--{name} needs a number")
            text = extra[i + 1]
            i += 1
        if not name.isidentifier():
            parser.error(f"--{name}: not a valid variable name")
        try:
            values[name] = float(text)
        except ValueError:
            parser.error(f"--{name}: expected a number, got {text!r}")
        i += 1
    return values


def _graph(args: argparse.Namespace, extra: list[str], parser: argparse.ArgumentParser) -> int:
    from autograd.expression import evaluate
    from autograd.viz import RenderError, draw_graph, to_svg

    try:
        out = evaluate(args.expression, _variables(extra, parser))
        out.label = "out"
        out.backward()
        picture = draw_graph(out, rankdir=args.rankdir)
        text = picture.source if args.output.endswith(".dot") else to_svg(picture)
    except (ValueError, ZeroDivisionError, RenderError) as e:
        print(f"glassgrad: error: {e}", file=sys.stderr)
        return 2
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"out = {out.data:.6g}; wrote {args.output}")
    return 0


def _explore(args: argparse.Namespace, extra: list[str], parser: argparse.ArgumentParser) -> int:
    from autograd.expression import evaluate
    from autograd.viz import RenderError, explore

    try:
        out = evaluate(args.expression, _variables(extra, parser))
        out.label = "out"
        page = explore(out, rankdir=args.rankdir)  # before backward(): every step keeps its numbers
    except (ValueError, ZeroDivisionError, RenderError) as e:
        print(f"glassgrad: error: {e}", file=sys.stderr)
        return 2
    page.save(args.output)
    print(f"out = {out.data:.6g}; {len(page.steps)} steps; wrote {args.output} (open it in a browser)")
    return 0


def _bench(options: list[str]) -> int:
    """``python -m benchmarks OPTIONS`` in the checkout this glassgrad runs from.

    The suite is not part of the installed package (it would be a top-level
    package named ``benchmarks``), so it needs the source tree, which an
    editable install (``pip install -e .``, the README's) has."""
    import subprocess
    from pathlib import Path

    import nn

    root = Path(nn.__file__).resolve().parents[1]
    if not (root / "benchmarks" / "__main__.py").is_file():
        print(f"glassgrad bench: the benchmark suite is not next to this installation ({root}); "
              "run it from a source checkout: python -m benchmarks", file=sys.stderr)
        return 2
    return subprocess.call([sys.executable, "-m", "benchmarks", *options], cwd=root)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "graph":
        return _graph(args, extra, parser)
    if args.command == "explore":
        return _explore(args, extra, parser)
    if args.command == "bench":
        return _bench(extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "train":
        return _train(args, parser)
    return _evaluate(args)


if __name__ == "__main__":
    raise SystemExit(main())
