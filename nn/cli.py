"""The ``glassgrad`` command.

``glassgrad train`` trains a network with a progress bar per epoch and prints
the final test accuracy (default: a Tensor MLP on the moons data, a few
seconds); ``--engine scalar`` runs the micrograd-style Value MLP instead.
``glassgrad evaluate PATH`` reloads a checkpoint saved with ``--save``.
``glassgrad graph`` and ``glassgrad explore`` draw an expression's graph or
write a page stepping through it; ``glassgrad bench`` runs the benchmark suite
from a source checkout.

A mistake never shows a traceback: one line on stderr and an exit status
(``EXIT_*`` below, listed in docs/cli.md), with nothing written.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import numpy as np

if TYPE_CHECKING:
    from nn.training import TrainConfig

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE", "EXIT_INTERRUPTED"]

EXIT_OK = 0           # done
EXIT_FAILED = 1       # the run itself failed: training diverged; nothing saved
EXIT_USAGE = 2        # what was asked cannot be done: a bad option, expression or file; nothing written
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it); nothing half-written

_EXIT_TABLE = """exit status:
  0    done
  1    training diverged (its loss became NaN or inf); nothing saved
  2    a bad option, value, expression, file name or checkpoint; nothing written
  130  interrupted by Ctrl-C; nothing half-written, an earlier checkpoint intact"""
PICTURE_FORMATS = (".svg", ".png", ".jpg", ".jpeg", ".dot", ".gv")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """A mistake on the command line is one line on stderr, exit status 2 (not argparse's usage block)."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, keeping the epilog's table of exit statuses line by line."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text is _EXIT_TABLE:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


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
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {value}")
    return value


def _seed(text: str) -> int:
    from nn.training import MAX_SEED

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"must be a whole number from 0 to {MAX_SEED}, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand (the variables of graph and explore are read apart)."""
    parser = _Parser(
        prog="glassgrad", formatter_class=_Formatter, epilog=_EXIT_TABLE,
        description="glassgrad: a glass-box autograd engine. Train a demo network and save it (train), test a "
                    "saved one (evaluate), draw an expression's graph with its gradients (graph), write a page "
                    "that steps through its forward and backward pass (explore), or run the benchmark suite "
                    "(bench). glassgrad COMMAND --help tells more.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_train(sub)
    evaluate = sub.add_parser("evaluate", help="load a checkpoint saved by train --save and report test accuracy",
                              epilog=_EXIT_TABLE, formatter_class=_Formatter)
    evaluate.add_argument("path", help="the .npz checkpoint")
    _add_pictures(sub)
    sub.add_parser(
        "bench", help="run the benchmark suite (python -m benchmarks) from a source checkout; "
                      "its options (--quick, --only T1,T3s, --threads 1, --json PATH) pass through; "
                      "glassgrad bench --help lists them",
        add_help=False)
    return parser


def _add_train(sub: Any) -> None:
    from nn.training import DATASETS, OPTIMIZERS

    train = sub.add_parser("train", help="train a network on a toy dataset (a Tensor MLP on moons by default)",
                           epilog=_EXIT_TABLE, formatter_class=_Formatter)
    train.add_argument("--engine", choices=["tensor", "scalar"], default="tensor",
                       help="tensor (default) or scalar: the micrograd-style MLP of Value objects, on moons")
    train.add_argument("--dataset", choices=DATASETS, default="moons", help="default: moons")
    train.add_argument("--model", choices=["mlp", "cnn"], default="mlp", help="cnn needs --dataset digits")
    train.add_argument("--hidden", type=_positive_int, default=None, help="hidden units per layer")
    train.add_argument("--epochs", type=_positive_int, default=None, help="passes over the training data")
    train.add_argument("--lr", type=_positive_float, default=None, help="learning rate")
    train.add_argument("--batch-size", type=_positive_int, default=32, help="minibatch size (default 32)")
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="adam", help="default: adam")
    train.add_argument("--seed", type=_seed, default=0, help="random seed, 0 to 2**32 - 2 (default 0)")
    train.add_argument("--save", metavar="PATH", help="write the trained weights to PATH (.npz); "
                                                      "a run whose loss became NaN or inf saves nothing")
    train.add_argument("--samples", type=_positive_int, default=100, help="scalar engine: training points")
    train.add_argument("--quiet", action="store_true", help="no progress bar")


def _add_pictures(sub: Any) -> None:
    functions = "exp log sqrt tanh sigmoid relu leaky_relu gelu silu softplus"
    graph = sub.add_parser(
        "graph", help="draw an expression's graph with its gradients, e.g. graph \"tanh(x*w + b)\" --x 2 --w -3",
        epilog=_EXIT_TABLE, formatter_class=_Formatter,
        description="Draw the computation graph of a scalar expression after backward(). Give each variable "
                    f"as --NAME NUMBER. Only numbers, names, + - * / **, and the functions {functions} "
                    "are accepted.")
    graph.add_argument("expression", help='e.g. "tanh(x*w + b)"')
    graph.add_argument("-o", "--output", default="graph.svg",
                       help="the file to write, in the format its name ends in: .svg (default graph.svg), "
                            ".png, .jpg, or .dot/.gv for the Graphviz source")
    explore = sub.add_parser(
        "explore", help="write an interactive page that steps through an expression's forward and backward "
                        "pass, e.g. explore \"tanh(x*w + b)\" --x 2 --w -3 --b 6.88 -o page.html",
        epilog=_EXIT_TABLE, formatter_class=_Formatter,
        description="Write one self-contained HTML page (no network needed) for a scalar expression: the "
                    "buttons, the arrow keys or the slider step through the forward pass, then the backward "
                    "pass, with the node being processed highlighted and its chain-rule product written out; "
                    "hovering a node shows its value and gradient. Give each variable as --NAME NUMBER; the "
                    f"expression takes numbers, names, + - * / **, and {functions}.")
    explore.add_argument("expression", help='e.g. "tanh(x*w + b)"')
    explore.add_argument("-o", "--output", default="explorer.html",
                         help="the page to write, a name ending in .html (default explorer.html)")
    for command, most in ((graph, 500), (explore, 1500)):
        command.add_argument("--rankdir", choices=["LR", "TB"], default="LR",
                             help="the graph's direction: LR left to right (default), TB top to bottom")
        command.add_argument("--max-nodes", type=_positive_int, default=most, metavar="N",
                             help=f"draw at most N nodes (default {most}); beyond them, inputs collapse into "
                                  "a '... more' box")


def _fail(message: object, status: int = EXIT_USAGE) -> int:
    """Print ``glassgrad: error: MESSAGE`` as one line on stderr; return ``status``."""
    print("glassgrad: error: " + " ".join(str(message).split()), file=sys.stderr)
    return status


def _output_problem(path: str, suffixes: Sequence[str], what: str) -> str | None:
    """Why ``path`` cannot be written as ``what`` (checked before any work), or None."""
    target = Path(path)
    if target.is_dir():
        return f"{path!r} is a folder; give a file name, e.g. {target / ('out' + suffixes[0])}"
    if target.suffix.lower() not in suffixes:
        return f"{what} cannot be written as {path!r}: give a name ending in {', '.join(suffixes)}"
    if not target.parent.is_dir():
        return f"cannot write {path!r}: the folder {str(target.parent)!r} does not exist"
    return None


DEFAULTS = {  # per dataset/model: hidden, epochs, lr, dropout, label smoothing (reach the README's accuracies)
    ("moons", "mlp"): (32, 30, 0.01, 0.0, 0.0), ("circles", "mlp"): (32, 30, 0.01, 0.0, 0.0),
    ("spirals", "mlp"): (64, 60, 0.01, 0.0, 0.0), ("blobs", "mlp"): (32, 20, 0.01, 0.0, 0.0),
    ("digits", "mlp"): (128, 40, 0.002, 0.2, 0.1), ("digits", "cnn"): (0, 40, 0.002, 0.0, 0.0),
}


def _train_scalar(args: argparse.Namespace) -> tuple[float, float]:
    from nn.data import make_moons
    from nn.optim import SGD
    from nn.scalar import MLP
    from nn.training import EpochProgress, TrainingDiverged, refuse_if_too_big

    hidden, epochs, lr = args.hidden or 16, args.epochs or 60, args.lr or 0.5
    n_params = 3 * hidden + (hidden + 1) * hidden + hidden + 1
    # each sample's graph holds about 100 bytes of Values per parameter (measured with tracemalloc)
    refuse_if_too_big(f"--hidden {hidden}: a Value MLP of {n_params:,} parameters over {args.samples} points",
                      n_params * args.samples * 100)
    X, y = make_moons(args.samples, noise=0.1, random_state=args.seed)
    X_test, y_test = make_moons(200, noise=0.1, random_state=args.seed + 1)
    signs = 2 * y - 1  # hinge loss wants labels in {-1, +1}
    model = MLP(2, [hidden, hidden, 1], seed=args.seed)
    params = model.parameters()
    opt = SGD(params, lr=lr, momentum=0.9)
    loss_value = float("nan")
    with EpochProgress(epochs, "train (scalar)", "off" if args.quiet else "auto", ncols=88) as bar:
        for epoch in range(epochs):
            opt.lr = lr * (1.0 - 0.9 * epoch / epochs)  # linear decay
            scores = [model([float(a), float(b)]) for a, b in X]
            margins = [(1 - s * float(t)).relu() for s, t in zip(scores, signs)]
            loss = sum(margins) * (1.0 / len(margins)) + 1e-4 * sum(p * p for p in params)
            if not np.isfinite(loss.data):  # one full-batch step per epoch; Values have no detect_anomaly
                raise TrainingDiverged(epoch + 1, epoch + 1, loss.data, "the scalar engine cannot name the op")
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_value = loss.data
            train_acc = np.mean([(s.data > 0) == (t > 0) for s, t in zip(scores, signs)])
            bar.update(loss=f"{loss_value:.4f}", acc=f"{train_acc:.2f}")
    test_scores = np.array([model([float(a), float(b)]).data for a, b in X_test])
    return float(np.mean((test_scores > 0) == (y_test == 1))), loss_value


def _train_config(args: argparse.Namespace) -> TrainConfig:
    from nn.training import TrainConfig

    hidden, epochs, lr, dropout, smoothing = DEFAULTS[(args.dataset, args.model)]
    return TrainConfig(dataset=args.dataset, model=args.model, hidden=args.hidden or hidden,
                       epochs=args.epochs or epochs, lr=args.lr or lr, batch_size=args.batch_size,
                       optimizer=args.optimizer, seed=args.seed, dropout=dropout, label_smoothing=smoothing)


def _train(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from nn.serialization import NonFiniteError, save
    from nn.training import TrainingDiverged, train

    start = time.perf_counter()
    if args.engine == "scalar" and (args.dataset != "moons" or args.model != "mlp" or args.save):
        parser.error("--engine scalar trains the Value MLP on moons only (no --dataset, --model or --save)")
    if (args.dataset, args.model) not in DEFAULTS:
        parser.error(f"--model {args.model} works only with --dataset digits")
    problem = args.save and _output_problem(args.save, (".npz",), "a checkpoint")
    if problem:  # found before training, not after it
        return _fail(f"--save: {problem}")
    try:
        cfg = _train_config(args)
    except ValueError as e:  # a value argparse let through that no run can use
        return _fail(e)
    try:
        if args.engine == "scalar":
            accuracy, loss = _train_scalar(args)
            print(f"final loss {loss:.4f}  test accuracy {accuracy:.3f}  ({time.perf_counter() - start:.1f} s)")
            return EXIT_OK
        result = train(cfg, progress="off" if args.quiet else "auto")
    except TrainingDiverged as e:
        return _fail(f"{e}; try a smaller --lr; nothing saved", EXIT_FAILED)
    except (ImportError, MemoryError) as e:  # digits without scikit-learn; a model too big for this machine
        return _fail(str(e) or "not enough memory for this model; try a smaller --hidden")
    print(f"final loss {result['loss']:.4f}  train accuracy {result['train_accuracy']:.3f}  "
          f"test accuracy {result['test_accuracy']:.3f}  ({time.perf_counter() - start:.1f} s)")
    if args.save:
        try:
            save(result["model"].state_dict(), args.save, metadata={"config": result["config"]})
        except (OSError, NonFiniteError) as e:
            return _fail(e)
        print(f"saved {args.save}")
    return EXIT_OK


def _evaluate(args: argparse.Namespace) -> int:
    from nn.serialization import CheckpointError, load, nonfinite_entries
    from nn.training import TrainConfig, evaluate

    path = args.path
    try:
        state, meta = load(path, with_metadata=True)
    except (OSError, CheckpointError) as e:
        return _fail(e)
    if "config" not in meta:
        return _fail(f"{path} has no training config (was it saved by glassgrad train?)")
    try:
        cfg = TrainConfig.from_dict(meta["config"])
    except (ValueError, TypeError) as e:
        return _fail(f"{path}: its training config is not one glassgrad train writes ({e}); it was edited or "
                     f"written by another program: train again with glassgrad train --save {path}")
    broken = nonfinite_entries(state)
    if broken:
        print(f"glassgrad: warning: {path} holds NaN or inf in {', '.join(broken)} (from a diverged run?); "
              "its predictions mean nothing", file=sys.stderr)
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # already warned about, above
            accuracy = evaluate(state, cfg)
    except (RuntimeError, ValueError, MemoryError) as e:
        return _fail(f"{path}: {e}")
    print(f"test accuracy {accuracy:.3f}  ({cfg.model} on {cfg.dataset})")
    return EXIT_OK


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
    from autograd.viz import RenderError, draw_graph
    from nn.serialization import write_atomically

    problem = _output_problem(args.output, PICTURE_FORMATS, "a graph")
    if problem:
        return _fail(problem)
    suffix = Path(args.output).suffix.lower()
    try:
        out = evaluate(args.expression.strip(), _variables(extra, parser))
        out.label = "out"
        out.backward()
        picture = draw_graph(out, rankdir=args.rankdir, max_nodes=args.max_nodes)
        if suffix in (".dot", ".gv"):
            data = picture.source.encode("utf-8")
        else:
            data = picture.pipe(format={".jpg": "jpeg"}.get(suffix, suffix[1:]))
        write_atomically(args.output, lambda f: f.write(data))
    except (ValueError, ZeroDivisionError, RenderError, OSError) as e:
        return _fail(e)
    print(f"out = {out.data:.6g}; wrote {args.output}")
    return EXIT_OK


def _explore(args: argparse.Namespace, extra: list[str], parser: argparse.ArgumentParser) -> int:
    from autograd.expression import evaluate
    from autograd.viz import RenderError, explore
    from nn.serialization import write_atomically

    problem = _output_problem(args.output, (".html", ".htm"), "the explorer (an HTML page)")
    if problem:
        return _fail(problem)
    try:
        out = evaluate(args.expression.strip(), _variables(extra, parser))
        out.label = "out"
        page = explore(out, rankdir=args.rankdir, max_nodes=args.max_nodes)
        write_atomically(args.output, lambda f: f.write(page.html.encode("utf-8")))
    except (ValueError, ZeroDivisionError, RenderError, OSError) as e:
        return _fail(e)
    print(f"out = {out.data:.6g}; {len(page.steps)} steps; wrote {args.output} (open it in a browser)")
    return EXIT_OK


def _bench(options: list[str]) -> int:
    """``python -m benchmarks OPTIONS`` in the checkout this glassgrad runs from.

    The suite is not part of the installed package (it would be a top-level
    package named ``benchmarks``), so it needs the source tree, which an
    editable install (``pip install -e .``, the README's) has."""
    import os
    import subprocess

    import nn

    root = Path(nn.__file__).resolve().parents[1]
    if not (root / "benchmarks" / "__main__.py").is_file():
        print(f"glassgrad bench: the benchmark suite is not next to this installation ({root}); "
              "run it from a source checkout: python -m benchmarks", file=sys.stderr)
        return EXIT_USAGE
    env = {**os.environ, "BENCHMARKS_PROG": "glassgrad bench"}  # its --help and errors name this command
    return subprocess.call([sys.executable, "-m", "benchmarks", *options], cwd=root, env=env)


def _split_variables(argv: list[str]) -> tuple[list[str], list[str]]:
    """For graph and explore: (the arguments for argparse, the ``--NAME NUMBER``
    variables). Variables are taken out first, so that argparse neither reads
    a value such as -3 as the expression nor --o as an abbreviated --output;
    an expression starting with '-' ("-x") gets a leading space (stripped
    before it is parsed) so that argparse reads it as the expression."""
    if not argv or argv[0] not in ("graph", "explore"):
        return argv, []
    kept, variables, i, expression_seen = argv[:1], [], 1, False
    while i < len(argv):
        item = argv[i]
        width = 1 if "=" in item else 2  # an option and its value, or --name=value
        if item == "--":
            return kept + argv[i:], variables
        if item.split("=", 1)[0] in ("-o", "--output", "--rankdir", "--max-nodes"):
            kept += argv[i:i + width]
        elif item.startswith("-o") or item in ("-h", "--help"):
            kept.append(item)
            width = 1
        elif item.startswith("--") and len(item) > 2:
            variables += argv[i:i + width]
        else:
            kept.append(" " + item if item.startswith("-") and not expression_seen else item)
            expression_seen, width = True, 1
        i += width
    return kept, variables


def _run(argv: list[str]) -> int:
    parser = build_parser()
    argv, variables = _split_variables(argv)
    args, extra = parser.parse_known_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    if args.command == "bench":
        return _bench(extra)
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command == "graph":
        return _graph(args, variables, parser)
    if args.command == "explore":
        return _explore(args, variables, parser)
    if args.command == "train":
        return _train(args, parser)
    return _evaluate(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: sys.argv[1:]); returns the exit status."""
    try:
        return _run(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:  # Ctrl-C: checkpoints and outputs are written atomically, so none is half-written
        print("glassgrad: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    raise SystemExit(main())
