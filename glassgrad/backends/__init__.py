"""``torch.backends`` as a CPU-only PyTorch has it: ``mps.is_available()`` is
False, and the cuDNN and TF32 switches (``cudnn.benchmark``,
``cudnn.deterministic``, ``cuda.matmul.allow_tf32``, ...) can be set and read,
changing nothing (they tune GPU kernels)."""

from glassgrad.backends import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
