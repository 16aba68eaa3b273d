"""The models, datasets and training loop behind ``glassgrad train`` and
``glassgrad evaluate`` (kept apart from argument parsing so tests and notebooks
can call them)."""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

import autograd as ag
from nn import data as D
from nn import functional as F
from nn import optim
from nn.activations import ReLU
from nn.layers import MLP, Conv2d, Dropout, Flatten, Linear, MaxPool2d, Sequential
from nn.module import Module

__all__ = ["TrainConfig", "TrainingDiverged", "EpochProgress", "DATASETS", "MODELS", "OPTIMIZERS", "PROGRESS",
           "build_model", "load_dataset", "train", "evaluate", "refuse_if_too_big"]

DATASETS = ("moons", "circles", "spirals", "blobs", "digits")
MODELS = ("mlp", "cnn")
OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop")
PROGRESS = ("auto", "live", "once", "off")
MAX_SEED = 2**32 - 2  # numpy's seeds are below 2**32, and the scalar trainer also uses seed + 1


@dataclass
class TrainConfig:
    """Everything a run depends on; stored in the checkpoint so it can be rebuilt."""

    dataset: str = "moons"
    model: str = "mlp"
    hidden: int = 32
    epochs: int = 60
    lr: float = 0.01
    batch_size: int = 32
    optimizer: str = "adam"
    seed: int = 0
    dropout: float = 0.0
    label_smoothing: float = 0.0

    def __post_init__(self) -> None:
        """Refuse values no run can use, naming the field (a config may come from an edited file)."""
        for name, choices in (("dataset", DATASETS), ("model", MODELS), ("optimizer", OPTIMIZERS)):
            self._check(name, getattr(self, name) in choices, f"one of {', '.join(choices)}")
        for name, low, high in (("hidden", 1 if self.model == "mlp" else 0, math.inf), ("epochs", 1, math.inf),
                                ("batch_size", 1, math.inf), ("seed", 0, MAX_SEED)):
            value = getattr(self, name)
            whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
            self._check(name, whole and low <= value <= high,
                        f"a whole number from {low}" + (f" to {high}" if high < math.inf else " up"))
        self._check("lr", _is_real(self.lr) and 0 < self.lr < math.inf, "a positive number")
        self._check("dropout", _is_real(self.dropout) and 0 <= self.dropout < 1, "a number in [0, 1)")
        self._check("label_smoothing", _is_real(self.label_smoothing) and 0 <= self.label_smoothing <= 1,
                    "a number in [0, 1]")

    def _check(self, name: str, ok: bool, wanted: str) -> None:
        if not ok:
            raise ValueError(f"TrainConfig: {name} must be {wanted}, got {getattr(self, name)!r}")

    @classmethod
    def from_dict(cls, config: Mapping[str, Any]) -> TrainConfig:
        """The config a checkpoint stores, checked: an unknown field or a bad
        value is named (missing fields take their defaults)."""
        if not isinstance(config, Mapping):
            raise ValueError(f"TrainConfig: expected a mapping of fields, got {type(config).__name__}")
        known = [f.name for f in dataclasses.fields(cls)]
        unknown = [repr(name) for name in config if name not in known]
        if unknown:
            raise ValueError(f"TrainConfig: unknown field{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                             f"(its fields are {', '.join(known)})")
        return cls(**config)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


class TrainingDiverged(RuntimeError):
    """The loss became NaN or inf: ``step`` (counted from 1 over the whole
    run), ``epoch``, ``loss``, and ``anomaly``, what ``autograd.detect_anomaly``
    named when the step was run again under it."""

    def __init__(self, step: int, epoch: int, loss: float, anomaly: str) -> None:
        super().__init__(f"training diverged: the loss became {loss} at step {step} (epoch {epoch}); {anomaly}")
        self.step, self.epoch, self.loss, self.anomaly = step, epoch, loss, anomaly


def load_dataset(name: str, seed: int, standardize: bool = False
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """(X_train, X_test, y_train, y_test, n_classes), float32 features; with
    ``standardize`` each feature is centred and scaled by the training split's
    statistics (std + 0.1, so the constant border pixels of digits stay small)."""
    if name == "moons":
        X, y = D.make_moons(1500, noise=0.1, random_state=seed)
    elif name == "circles":
        X, y = D.make_circles(1500, noise=0.05, factor=0.5, random_state=seed)
    elif name == "spirals":
        X, y = D.make_spirals(1500, n_classes=3, noise=0.15, random_state=seed)
    elif name == "blobs":
        X, y = D.make_blobs(1500, centers=4, cluster_std=1.0, random_state=seed)
        X = (X - X.mean(0)) / X.std(0)
    elif name == "digits":
        X, y = D.load_digits()
        X = X / 16.0
    else:
        raise ValueError(f"unknown dataset {name!r}; choose from {DATASETS}")
    X_train, X_test, y_train, y_test = D.train_test_split(X.astype(np.float32), y, test_size=1 / 3,
                                                          random_state=seed)
    if standardize:
        mean, scale = X_train.mean(0), X_train.std(0) + 0.1
        X_train, X_test = (X_train - mean) / scale, (X_test - mean) / scale
    return X_train, X_test, y_train, y_test, int(y.max()) + 1


def build_model(cfg: TrainConfig, n_features: int, n_classes: int) -> Module:
    """An MLP (two hidden layers of ``hidden`` units) or, for digits, a small CNN.
    An MLP too large to train in this machine's memory is refused first (MemoryError)."""
    ag.manual_seed(cfg.seed)
    if cfg.model == "mlp":
        _check_it_fits(cfg.hidden, n_features, n_classes)
        if not cfg.dropout:
            return MLP([n_features, cfg.hidden, cfg.hidden, n_classes], activation=ReLU)
        return Sequential(Linear(n_features, cfg.hidden), ReLU(), Dropout(cfg.dropout),
                          Linear(cfg.hidden, cfg.hidden), ReLU(), Dropout(cfg.dropout),
                          Linear(cfg.hidden, n_classes))
    if cfg.model == "cnn":
        if n_features != 64:
            raise ValueError("the cnn model needs 8x8 images: use --dataset digits")
        return Sequential(
            _Reshape((1, 8, 8)),
            Conv2d(1, 16, 3, padding=1), ReLU(), MaxPool2d(2),   # 16 x 4 x 4
            Conv2d(16, 32, 3, padding=1), ReLU(), MaxPool2d(2),  # 32 x 2 x 2
            Flatten(), Linear(32 * 2 * 2, n_classes),
        )
    raise ValueError(f"unknown model {cfg.model!r}; choose mlp or cnn")


def _check_it_fits(hidden: int, n_features: int, n_classes: int) -> None:
    params = (n_features + 1) * hidden + (hidden + 1) * hidden + (hidden + 1) * n_classes
    # float32 weights, their gradients and Adam's two moments
    refuse_if_too_big(f"TrainConfig: hidden={hidden} makes an MLP of {params:,} parameters, which", params * 16)


def refuse_if_too_big(what: str, need: int) -> None:
    """Raise MemoryError, before anything is allocated, when ``need`` bytes are
    more than this machine's memory (as numpy would, after a long wait and
    with a traceback); ``what`` starts the message."""
    try:
        have = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):  # no sysconf here: numpy's MemoryError will have to say it
        return
    if need > have:
        raise MemoryError(f"{what} needs about {need / 2**30:,.1f} GiB to train, more than this machine's "
                         f"{have / 2**30:,.1f} GiB of memory")


class _Reshape(Module):
    """Reshape each sample (the batch axis is kept)."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, x: ag.Tensor) -> ag.Tensor:
        return x.reshape((x.shape[0], *self.shape))

    def extra_repr(self) -> str:
        return f"shape={self.shape}"


def _standardize(cfg: TrainConfig) -> bool:
    return cfg.dataset == "digits" and cfg.model == "mlp"


def _optimizer(cfg: TrainConfig, params: list) -> optim.Optimizer:
    if cfg.optimizer == "sgd":
        return optim.SGD(params, lr=cfg.lr, momentum=0.9)
    if cfg.optimizer == "adam":
        return optim.Adam(params, lr=cfg.lr)
    if cfg.optimizer == "adamw":
        return optim.AdamW(params, lr=cfg.lr)
    if cfg.optimizer == "rmsprop":
        return optim.RMSprop(params, lr=cfg.lr)
    raise ValueError(f"unknown optimizer {cfg.optimizer!r}; choose from {OPTIMIZERS}")


def accuracy(model: Module, X: np.ndarray, y: np.ndarray) -> float:
    model.eval()
    with ag.no_grad():
        pred = model(ag.Tensor(X)).numpy().argmax(axis=1)
    model.train()
    return float(np.mean(pred == y))


class EpochProgress:
    """tqdm's progress bar, one tick per epoch: live on a terminal; in a
    notebook, a pipe or a file, where each redraw would stay as one more line,
    tqdm's final line once, when the run completes.

    ``progress``: "auto" (live on a terminal, else once), "live", "once" or "off".
    A context manager; ``update(loss=..., acc=...)`` after each epoch."""

    def __init__(self, total: int, desc: str, progress: str = "auto", ncols: int = 96) -> None:
        from tqdm import tqdm

        if progress not in PROGRESS:
            raise ValueError(f"EpochProgress: progress must be one of {', '.join(PROGRESS)}, got {progress!r}")
        if progress == "auto":
            progress = "live" if _is_terminal(sys.stdout) else "once"
        self.mode, self.total, self.desc, self.ncols = progress, total, desc, ncols
        self.done, self.postfix, self.start = 0, "", time.monotonic()
        self._bar = tqdm(total=total, desc=desc, file=sys.stdout, ncols=ncols) if progress == "live" else None

    def update(self, **postfix: str) -> None:
        """One epoch done; ``postfix`` is shown as name=value after the bar."""
        self.done += 1
        self.postfix = ", ".join(f"{name}={value}" for name, value in postfix.items())
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix(postfix)

    def close(self, completed: bool = True) -> None:
        """End the bar; in "once" mode, print its line if the run ``completed``."""
        if self._bar is not None:
            self._bar.close()
        elif self.mode == "once" and completed:
            from tqdm import tqdm

            utf = "utf" in (getattr(sys.stdout, "encoding", None) or "").lower()
            print(tqdm.format_meter(self.done, self.total, time.monotonic() - self.start, ncols=self.ncols,
                                    prefix=self.desc, postfix=self.postfix or None, ascii=not utf), flush=True)
        self._bar, self.mode = None, "off"  # a second close prints nothing

    def __enter__(self) -> EpochProgress:
        return self

    def __exit__(self, kind: Any, *_: Any) -> None:
        self.close(completed=kind is None)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def _name_the_anomaly(model: Module, xb: ag.Tensor, yb: ag.Tensor, cfg: TrainConfig) -> str:
    """Run the step again under detect_anomaly: the first op whose forward or
    backward makes a NaN or an inf (and any parameter already holding one)."""
    broken = [name for name, p in model.named_parameters() if not np.isfinite(p.numpy()).all()]
    held = f"; parameters already holding NaN or inf: {', '.join(broken)}" if broken else ""
    try:
        with ag.detect_anomaly():
            F.cross_entropy(model(xb), yb, label_smoothing=cfg.label_smoothing).backward()
    except ag.AnomalyError as e:
        return f"{e}{held}"
    return f"detect_anomaly found no op making a NaN or inf when the step ran again{held}"


def train(cfg: TrainConfig, quiet: bool = False, progress: str = "auto") -> dict[str, Any]:
    """Train and return {"model", "test_accuracy", "train_accuracy", "loss",
    "history", "config"}. ``progress``: how the bar is shown (see
    ``EpochProgress``); ``quiet=True`` is ``progress="off"``. Raises
    ``TrainingDiverged`` at the first step whose loss is NaN or inf."""
    X_train, X_test, y_train, y_test, n_classes = load_dataset(cfg.dataset, cfg.seed, _standardize(cfg))
    model = build_model(cfg, X_train.shape[1], n_classes)
    opt = _optimizer(cfg, model.parameters())
    schedule = optim.CosineAnnealingLR(opt, T_max=cfg.epochs)
    loader = D.DataLoader(X_train, y_train, batch_size=cfg.batch_size, shuffle=True, seed=cfg.seed)
    history = []
    step = 0
    # a NaN or inf loss is caught below and named, so numpy's overflow warnings would only repeat it
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), \
            EpochProgress(cfg.epochs, f"train {cfg.model} on {cfg.dataset}", "off" if quiet else progress) as bar:
        for epoch in range(1, cfg.epochs + 1):
            total, count = 0.0, 0
            for xb, yb in loader:
                step += 1
                loss = F.cross_entropy(model(xb), yb, label_smoothing=cfg.label_smoothing)
                value = loss.item()
                if not math.isfinite(value):
                    raise TrainingDiverged(step, epoch, value, _name_the_anomaly(model, xb, yb, cfg))
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += value * len(yb)
                count += len(yb)
            schedule.step()
            epoch_loss = total / count
            train_acc = accuracy(model, X_train, y_train)
            history.append((epoch_loss, train_acc))
            bar.update(loss=f"{epoch_loss:.4f}", acc=f"{train_acc:.3f}")
    return {"model": model, "loss": history[-1][0], "train_accuracy": history[-1][1],
            "test_accuracy": accuracy(model, X_test, y_test), "history": history,
            "config": asdict(cfg)}


def evaluate(state: dict[str, np.ndarray], config: TrainConfig | Mapping[str, Any]) -> float:
    """Rebuild the model a checkpoint was trained as, load it, return test accuracy."""
    cfg = config if isinstance(config, TrainConfig) else TrainConfig.from_dict(config)
    _, X_test, _, y_test, n_classes = load_dataset(cfg.dataset, cfg.seed, _standardize(cfg))
    model = build_model(cfg, X_test.shape[1], n_classes)
    model.load_state_dict(state)
    return accuracy(model, X_test, y_test)
