"""The random state behind ``rand``/``randn``, nn's initialisers and the
in-place fills (``uniform_``, ``normal_``): ``manual_seed``, the default
numpy Generator, and torch's ``Generator`` objects. (Its own module, so that
``Tensor``'s methods and the factories both read it without importing each other.)"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.tensor_conversions import check_device

__all__ = ["manual_seed", "default_generator", "Generator"]

_generator = np.random.default_rng()


def manual_seed(seed: int) -> None:
    """Reset the generator behind ``rand``/``randn`` (and nn's initialisers)."""
    global _generator
    _generator = np.random.default_rng(seed)


def default_generator() -> np.random.Generator:
    """The numpy Generator that glassgrad's random functions draw from."""
    return _generator


class Generator:
    """PyTorch's ``torch.Generator``: ``g = Generator().manual_seed(42)``, then
    ``generator=g`` in ``rand randn randint randperm multinomial``. The same
    seed gives the same numbers every run (glassgrad's, not PyTorch's: the
    two libraries' random streams differ)."""

    def __init__(self, device: Any = "cpu") -> None:
        check_device(device, "Generator")
        self.rng = np.random.default_rng()

    def manual_seed(self, seed: int) -> Generator:
        self.rng = np.random.default_rng(int(seed))
        return self

    def seed(self) -> int:
        seed = int(np.random.SeedSequence().entropy % 2**63)
        self.rng = np.random.default_rng(seed)
        return seed


def _rng(generator: Generator | None) -> np.random.Generator:
    if generator is None:
        return _generator
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be an autograd.Generator, got {type(generator).__name__}")
    return generator.rng
