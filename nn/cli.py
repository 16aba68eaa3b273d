"""The ``glassgrad`` command: ``glassgrad train`` trains a small network on a
toy dataset with a progress bar and reports the loss and accuracy."""

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
    parser = argparse.ArgumentParser(
        prog="glassgrad",
        description="glassgrad: a glass-box autograd engine. Train a demo network or draw a graph.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    train = sub.add_parser("train", help="train a small network on a toy dataset (moons by default)")
    train.add_argument("--engine", choices=["scalar"], default="scalar",
                       help="scalar: a micrograd-style MLP of Value objects (default)")
    train.add_argument("--hidden", type=_positive_int, default=16, help="hidden units per layer (default 16)")
    train.add_argument("--epochs", type=_positive_int, default=60, help="full-batch training steps (default 60)")
    train.add_argument("--lr", type=_positive_float, default=0.5, help="initial learning rate (default 0.5)")
    train.add_argument("--samples", type=_positive_int, default=100, help="training points (default 100)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _train_scalar(args: argparse.Namespace) -> float:
    from tqdm import tqdm

    from nn.data import make_moons
    from nn.optim import SGD
    from nn.scalar import MLP

    X, y = make_moons(args.samples, noise=0.1, random_state=args.seed)
    X_test, y_test = make_moons(200, noise=0.1, random_state=args.seed + 1)
    signs = 2 * y - 1  # hinge loss wants labels in {-1, +1}
    model = MLP(2, [args.hidden, args.hidden, 1], seed=args.seed)
    opt = SGD(model.parameters(), lr=args.lr, momentum=0.9)
    params = model.parameters()
    bar = tqdm(range(args.epochs), desc="train (scalar)", disable=args.quiet, file=sys.stdout, ncols=88)
    loss_value = float("nan")
    for epoch in bar:
        opt.lr = args.lr * (1.0 - 0.9 * epoch / args.epochs)  # linear decay
        scores = [model([float(a), float(b)]) for a, b in X]
        margins = [(1 - s * float(t)).relu() for s, t in zip(scores, signs)]
        data_loss = sum(margins) * (1.0 / len(margins))
        reg = 1e-4 * sum(p * p for p in params)
        loss = data_loss + reg
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss_value = loss.data
        train_acc = np.mean([(s.data > 0) == (t > 0) for s, t in zip(scores, signs)])
        bar.set_postfix(loss=f"{loss_value:.4f}", acc=f"{train_acc:.2f}")
    test_scores = np.array([model([float(a), float(b)]).data for a, b in X_test])
    return float(np.mean((test_scores > 0) == (y_test == 1))), loss_value


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "train":
        start = time.perf_counter()
        accuracy, loss = _train_scalar(args)
        seconds = time.perf_counter() - start
        print(f"final loss {loss:.4f}  test accuracy {accuracy:.3f}  ({seconds:.1f} s)")
        return 0
    parser.error(f"unknown command {args.command!r}")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
