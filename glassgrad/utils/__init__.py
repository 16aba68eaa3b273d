"""``torch.utils``: ``data`` is glassgrad's ``nn.data`` (the same module
object); ``tensorboard`` is imported on use, as in torch."""

from nn import data

__all__ = ["data"]
