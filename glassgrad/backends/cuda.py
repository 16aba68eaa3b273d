"""``torch.backends.cuda``: ``matmul.allow_tf32`` and friends, settable and
without effect (glassgrad's float32 matmul is always full float32)."""

from types import SimpleNamespace

#: ``torch.backends.cuda.matmul.allow_tf32 = True`` is accepted
matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                         allow_bf16_reduced_precision_reduction=True)


def is_built() -> bool:
    """False, as on a PyTorch built without CUDA."""
    return False
