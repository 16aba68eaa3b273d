"""Training diagnostics: per-layer activation and gradient statistics, and the
update-to-data ratio of each weight, collected from any ``nn`` model with hooks.

    diag = Diagnostics(model)                 # hooks every activation layer
    loss = F.cross_entropy(model(x), y)       # forward hooks record activations
    loss.backward()                           # tensor hooks record their gradients
    with diag.track_update():                 # snapshot the weights around the step
        opt.step()
    print(diag.table())
    plot(diag, "activations")                 # histograms per layer (matplotlib)

The statistics are the ones Karpathy's makemore lectures watch: mean and standard
deviation, the fraction of saturated outputs (|tanh| near 1), the fraction of dead
units (inactive for every example of the batch) and log10(std(update) / std(weight)),
whose healthy value is near -3.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import Tensor
from nn.activations import ELU, GELU, LeakyReLU, ReLU, Sigmoid, SiLU, Softplus, Tanh
from nn.module import Module

ACTIVATIONS: tuple[type[Module], ...] = (Tanh, Sigmoid, ReLU, LeakyReLU, GELU, SiLU, ELU, Softplus)
"""The module types ``Diagnostics`` watches when it is not told which."""


@dataclass(frozen=True)
class LayerStats:
    """Statistics of one tensor (a layer's output, or the gradient arriving at it).

    ``std`` uses Bessel's correction, as ``torch.Tensor.std()`` does. ``saturated``
    is NaN for layers that cannot saturate (anything but Tanh and Sigmoid)."""

    mean: float
    std: float
    saturated: float
    dead: float


def _unit_rows(values: np.ndarray) -> np.ndarray:
    """(examples, units): a unit is a feature (last axis) or, for (N, C, H, W), a channel."""
    if values.ndim == 4:
        values = np.moveaxis(values, 1, -1)
    if values.ndim == 0:
        return values.reshape(1, 1)
    return values.reshape(-1, values.shape[-1])


def _saturation(module: Module, values: np.ndarray, threshold: float) -> np.ndarray | None:
    """Where the layer's slope is almost 0 because its output sits in a flat tail."""
    if isinstance(module, Tanh):
        return np.abs(values) > threshold
    if isinstance(module, Sigmoid):
        return np.abs(2 * values - 1) > threshold
    return None


def _std(values: np.ndarray) -> float:
    return float(values.std(ddof=1)) if values.size > 1 else float("nan")


def activation_stats(module: Module, output: Any, threshold: float = 0.97) -> LayerStats:
    """The statistics of ``module``'s ``output``. A unit is dead when it is inactive
    for every example: saturated (Tanh, Sigmoid), <= 0 (ReLU) or exactly 0 (others)."""
    values = np.asarray(output, dtype=np.float64)
    saturated = _saturation(module, values, threshold)
    if saturated is not None:
        inactive = saturated
    elif isinstance(module, ReLU):
        inactive = values <= 0
    else:
        inactive = values == 0
    dead = float(_unit_rows(inactive).all(axis=0).mean())
    saturated_fraction = float(saturated.mean()) if saturated is not None else float("nan")
    return LayerStats(float(values.mean()), _std(values), saturated_fraction, dead)


def gradient_stats(gradient: Any) -> LayerStats:
    """Mean and std of a gradient; a unit is dead when its gradient is 0 for every example."""
    values = np.asarray(gradient, dtype=np.float64)
    dead = float(_unit_rows(values == 0).all(axis=0).mean())
    return LayerStats(float(values.mean()), _std(values), float("nan"), dead)


def _first_tensor(output: Any) -> Tensor | None:
    """A layer's output tensor (the first one, for layers that return tuples, like LSTM)."""
    if isinstance(output, Tensor):
        return output
    if isinstance(output, (tuple, list)):
        return next((o for o in output if isinstance(o, Tensor)), None)
    return None


class Diagnostics:
    """Watch a model train: per-layer activation and gradient statistics and the
    update-to-data ratio of its weights, kept over steps.

    ``modules`` picks the layers: module types or names from ``named_modules()``;
    by default every activation layer (``ACTIVATIONS``), or every leaf module if the
    model has none. Hooks are attached at once; ``detach()`` (or leaving a ``with``
    block) removes them. Each forward through a watched layer appends one
    ``LayerStats`` to ``activations[name]``; each backward through it, one to
    ``gradients[name]``; each ``track_update()`` block, one ratio per weight to
    ``updates[name]``. The latest values are kept (``last_activation``,
    ``last_gradient``) for histograms.
    """

    def __init__(self, model: Module, modules: Iterable[type | str] | None = None, *,
                 saturation: float = 0.97) -> None:
        if not isinstance(model, Module):
            raise TypeError(f"Diagnostics: model must be an nn.Module, got {type(model).__name__}")
        if not 0 < saturation < 1:
            raise ValueError(f"Diagnostics: saturation must be in (0, 1), got {saturation}")
        self.model = model
        self.saturation = saturation
        self.layers = _select(model, modules)
        self.activations: dict[str, list[LayerStats]] = {name: [] for name in self.layers}
        self.gradients: dict[str, list[LayerStats]] = {name: [] for name in self.layers}
        self.updates: dict[str, list[float]] = {}
        self.last_activation: dict[str, np.ndarray] = {}
        self.last_gradient: dict[str, np.ndarray] = {}
        self._removers: list[Any] = []
        self.attach()

    # -- hooks -----------------------------------------------------------------------
    def attach(self) -> Diagnostics:
        """Register the forward hooks (again, after ``detach()``)."""
        if not self._removers:
            self._removers = [module.register_forward_hook(self._forward_hook(name))
                              for name, module in self.layers.items()]
        return self

    def detach(self) -> None:
        """Remove every hook; the statistics collected so far stay."""
        for remove in self._removers:
            remove()
        self._removers = []

    def __enter__(self) -> Diagnostics:
        return self.attach()

    def __exit__(self, *exc: object) -> None:
        self.detach()

    def _forward_hook(self, name: str) -> Any:
        def record(module: Module, inputs: tuple, output: Any) -> None:
            tensor = _first_tensor(output)
            if tensor is None:
                return
            values = np.array(tensor, dtype=np.float64)  # a copy: the layer may be changed in place later
            self.last_activation[name] = values
            self.activations[name].append(activation_stats(module, values, self.saturation))
            if tensor.requires_grad:
                tensor.register_hook(self._gradient_hook(name))
        return record

    def _gradient_hook(self, name: str) -> Any:
        def record(gradient: Tensor) -> None:
            values = np.array(gradient, dtype=np.float64)
            self.last_gradient[name] = values
            self.gradients[name].append(gradient_stats(values))
        return record

    # -- updates ---------------------------------------------------------------------
    def weights(self) -> dict[str, Any]:
        """The parameters whose update ratio is tracked: those with 2 or more dimensions
        (weights, not biases or norm scales, whose std can be 0)."""
        return {name: p for name, p in self.model.named_parameters() if len(p.shape) >= 2}

    @contextlib.contextmanager
    def track_update(self) -> Iterator[None]:
        """Around ``optimizer.step()``: record std(new - old) / std(old) for every weight."""
        weights = self.weights()
        before = {name: np.array(p, dtype=np.float64) for name, p in weights.items()}
        yield
        for name, p in weights.items():
            change = np.asarray(p, dtype=np.float64) - before[name]
            scale = before[name].std(ddof=1)
            ratio = float(change.std(ddof=1) / scale) if scale > 0 else float("nan")
            self.updates.setdefault(name, []).append(ratio)

    # -- reading -----------------------------------------------------------------------
    def clear(self) -> None:
        """Forget the statistics collected so far (the hooks stay)."""
        for history in (*self.activations.values(), *self.gradients.values()):
            history.clear()
        self.updates.clear()
        self.last_activation.clear()
        self.last_gradient.clear()

    def table(self) -> str:
        """The latest statistics, one line per watched layer."""
        lines = [f"{'layer':<16}{'type':<10}{'mean':>9}{'std':>9}{'saturated':>11}{'dead':>7}{'grad std':>11}"]
        for name, module in self.layers.items():
            if not self.activations[name]:
                continue
            act = self.activations[name][-1]
            grad = f"{self.gradients[name][-1].std:11.2e}" if self.gradients[name] else f"{'-':>11}"
            saturated = "-" if np.isnan(act.saturated) else f"{act.saturated:.1%}"
            lines.append(f"{name:<16}{type(module).__name__:<10}{act.mean:9.3f}{act.std:9.3f}"
                         f"{saturated:>11}{act.dead:7.1%}{grad}")
        return "\n".join(lines)


def _select(model: Module, modules: Iterable[type | str] | None) -> dict[str, Module]:
    """name -> module for the layers to watch (see ``Diagnostics``); a model without
    children (a lone ``nn.LSTM``, say) is itself the one layer, named "(model)"."""
    named = {name: m for name, m in model.named_modules() if name} or {"(model)": model}
    if modules is None:
        chosen = {n: m for n, m in named.items() if isinstance(m, ACTIVATIONS)}
        return chosen or {n: m for n, m in named.items() if not any(True for _ in m.children())}
    wanted = list(modules)
    unknown = [w for w in wanted if isinstance(w, str) and w not in named]
    if unknown:
        raise ValueError(f"Diagnostics: no module named {unknown} in the model; its modules are {list(named)}")
    bad = [w for w in wanted if not isinstance(w, (str, type))]
    if bad:
        raise TypeError(f"Diagnostics: modules must be module types or names, got {bad!r}")
    types = tuple(w for w in wanted if isinstance(w, type))
    chosen = {n: m for n, m in named.items() if n in wanted or (types and isinstance(m, types))}
    if not chosen:
        raise ValueError(f"Diagnostics: the model has no module of the types {[t.__name__ for t in types]}")
    return chosen


def plot(diagnostics: Diagnostics, kind: str = "activations", ax: Any = None) -> Any:
    """Draw what ``diagnostics`` collected, with matplotlib (imported only here):

    - ``"activations"`` / ``"gradients"``: a histogram of each watched layer's latest
      output / gradient, one line per layer, its std and saturation in the legend;
    - ``"updates"``: log10 of each weight's update-to-data ratio over the steps, with
      the rule-of-thumb level -3 dashed.

    Returns the matplotlib Axes drawn on (a new figure's, if ``ax`` is None)."""
    if kind not in ("activations", "gradients", "updates"):
        raise ValueError(f"plot: kind must be 'activations', 'gradients' or 'updates', got {kind!r}")
    import matplotlib.pyplot as plt  # lazily: matplotlib is a notebook dependency, not a run-time one

    if ax is None:
        ax = plt.subplots(figsize=(9, 3.2))[1]
    if kind == "updates":
        _plot_updates(diagnostics, ax)
    else:
        _plot_histograms(diagnostics, kind, ax)
    ax.legend(fontsize=8)
    return ax


def _plot_histograms(diagnostics: Diagnostics, kind: str, ax: Any) -> None:
    latest = diagnostics.last_activation if kind == "activations" else diagnostics.last_gradient
    history = diagnostics.activations if kind == "activations" else diagnostics.gradients
    if not latest:
        raise ValueError(f"plot: no {kind} recorded yet: run a forward{' and backward' * (kind == 'gradients')} pass")
    for name, values in latest.items():
        stats = history[name][-1]
        counts, edges = np.histogram(values, bins=50)
        label = f"{name} ({type(diagnostics.layers[name]).__name__}) std {stats.std:.2g}"
        if kind == "activations" and not np.isnan(stats.saturated):
            label += f", saturated {stats.saturated:.0%}"
        ax.plot((edges[:-1] + edges[1:]) / 2, counts, label=label)
    ax.set_title(f"{kind} per layer (latest step)")
    ax.set_xlabel("value")
    ax.set_ylabel("count")


def _plot_updates(diagnostics: Diagnostics, ax: Any) -> None:
    if not diagnostics.updates:
        raise ValueError("plot: no updates recorded yet: wrap optimizer.step() in diagnostics.track_update()")
    with np.errstate(divide="ignore"):  # a weight that did not move has log10(0) = -inf: not drawn
        for name, ratios in diagnostics.updates.items():
            ax.plot(np.log10(np.asarray(ratios)), label=name)
    ax.axhline(-3, color="k", linestyle="--", linewidth=1)
    ax.set_title("log10(std(update) / std(weight)) per step")
    ax.set_xlabel("step")
    ax.set_ylabel("log10 ratio")
