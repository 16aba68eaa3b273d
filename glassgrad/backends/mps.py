"""``torch.backends.mps``: Apple's GPU backend, absent."""


def is_available() -> bool:
    """False: glassgrad runs on the CPU."""
    return False


def is_built() -> bool:
    """False, as on a PyTorch built without MPS."""
    return False
