"""The models, datasets and training loop behind ``glassgrad train`` and
``glassgrad evaluate`` (kept apart from argument parsing so tests and notebooks
can call them)."""

from __future__ import annotations

import sys
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

__all__ = ["TrainConfig", "DATASETS", "build_model", "load_dataset", "train", "evaluate"]

DATASETS = ("moons", "circles", "spirals", "blobs", "digits")
OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop")


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
    """An MLP (two hidden layers of ``hidden`` units) or, for digits, a small CNN."""
    ag.manual_seed(cfg.seed)
    if cfg.model == "mlp":
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


def train(cfg: TrainConfig, quiet: bool = False) -> dict[str, Any]:
    """Train and return {"model", "test_accuracy", "train_accuracy", "loss", "history"}."""
    from tqdm import tqdm

    X_train, X_test, y_train, y_test, n_classes = load_dataset(cfg.dataset, cfg.seed, _standardize(cfg))
    model = build_model(cfg, X_train.shape[1], n_classes)
    opt = _optimizer(cfg, model.parameters())
    schedule = optim.CosineAnnealingLR(opt, T_max=cfg.epochs)
    loader = D.DataLoader(X_train, y_train, batch_size=cfg.batch_size, shuffle=True, seed=cfg.seed)
    history = []
    bar = tqdm(range(cfg.epochs), desc=f"train {cfg.model} on {cfg.dataset}", disable=quiet,
               file=sys.stdout, ncols=96, mininterval=0.5)
    for _ in bar:
        total, count = 0.0, 0
        for xb, yb in loader:
            loss = F.cross_entropy(model(xb), yb, label_smoothing=cfg.label_smoothing)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
            count += len(yb)
        schedule.step()
        epoch_loss = total / count
        train_acc = accuracy(model, X_train, y_train)
        history.append((epoch_loss, train_acc))
        bar.set_postfix(loss=f"{epoch_loss:.4f}", acc=f"{train_acc:.3f}")
    return {"model": model, "loss": history[-1][0], "train_accuracy": history[-1][1],
            "test_accuracy": accuracy(model, X_test, y_test), "history": history,
            "config": asdict(cfg)}


def evaluate(state: dict[str, np.ndarray], config: dict[str, Any]) -> float:
    """Rebuild the model a checkpoint was trained as, load it, return test accuracy."""
    cfg = TrainConfig(**config)
    _, X_test, _, y_test, n_classes = load_dataset(cfg.dataset, cfg.seed, _standardize(cfg))
    model = build_model(cfg, X_test.shape[1], n_classes)
    model.load_state_dict(state)
    return accuracy(model, X_test, y_test)
