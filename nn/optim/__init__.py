"""Optimizers and learning-rate schedules, PyTorch's ``torch.optim``: the same
names, arguments, update rules and ``state_dict()`` layout.

``nn.optim.lr_scheduler`` holds the schedules (also importable from here, as
glassgrad always allowed: ``nn.optim.StepLR``).
"""

from . import lr_scheduler
from .adam import Adam, AdamW
from .adam_variants import NAdam, RAdam
from .adaptive import Adadelta, Adagrad
from .clip import clip_grad_norm_
from .lbfgs import LBFGS
from .lr_scheduler import (
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    LRScheduler,
    MultiStepLR,
    OneCycleLR,
    ReduceLROnPlateau,
    StepLR,
)
from .optimizer import BLOCK, Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "NAdam", "RAdam", "LBFGS",
           "lr_scheduler", "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LambdaLR",
           "LinearLR", "OneCycleLR", "ReduceLROnPlateau", "clip_grad_norm_", "BLOCK"]
