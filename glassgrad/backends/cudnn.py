"""``torch.backends.cudnn``: its switches, with a CPU-only PyTorch's values,
settable (``torch.backends.cudnn.benchmark = True``) and without effect."""

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """False: there is no cuDNN on the CPU."""
    return False
