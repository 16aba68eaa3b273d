"""conv2d on numpy arrays, forward and first-order backward, by im2col: each
patch of the input becomes a row (or column) of a matrix, so the convolution
is one matrix product per block of samples. Columns are made for a few
samples at a time (about 128K elements), never for the whole batch, and the
backward makes them again rather than keeping them.

Two layouts, whichever copies longer contiguous runs:
- channels last (N, H, W, C), when there are at least as many channels as
  output columns: a patch's row holds whole runs of C channels, and a block
  is one matrix product;
- per sample (N, C, H, W), for few channels and wide images (an RGB input):
  each sample's columns hold whole image rows, and the products are batched
  over samples (``np.matmul``), which writes the output in place in PyTorch's
  layout, with no transpose.
Copying and adding back loop over the kernel's kh * kw offsets, never pixels.
"""

from __future__ import annotations

import numpy as np

from autograd.primitives._numpy import BLOCK as _BLOCK
from autograd.threads import small_products

__all__ = ["conv_forward", "conv_backward", "window_offsets"]

BLOCK = 4 * _BLOCK  # elements of columns made at a time (more than an elementwise block: each is a GEMM)


def window_offsets(kernel: tuple, stride: tuple, oh: int, ow: int) -> list[tuple]:
    """For each kernel offset (a, b): (a, b, the rows and the columns of the
    padded input that it reads for every output position). Convolution and
    pooling (nn/conv.py) both loop over these, never over pixels."""
    (sh, sw), last_row, last_col = stride, stride[0] * (oh - 1) + 1, stride[1] * (ow - 1) + 1
    return [(a, b, slice(a, a + last_row, sh), slice(b, b + last_col, sw))
            for a in range(kernel[0]) for b in range(kernel[1])]


def _padded(x: np.ndarray, padding: tuple, last: bool) -> np.ndarray:
    """x (N, C, H, W) zero-padded, as (N, H', W', C) or (N, C, H', W'): one copy
    (none for (N, C, H, W) without padding)."""
    (n, c, h, w), (ph, pw) = x.shape, padding
    if not last and not (ph or pw):
        return x
    shape = (n, h + 2 * ph, w + 2 * pw, c) if last else (n, c, h + 2 * ph, w + 2 * pw)
    out = np.zeros(shape, dtype=x.dtype) if ph or pw else np.empty(shape, dtype=x.dtype)
    if last:
        out[:, ph : ph + h, pw : pw + w, :] = x.transpose(0, 2, 3, 1)
    else:
        out[:, :, ph : ph + h, pw : pw + w] = x
    return out


def _columns(xp: np.ndarray, offsets: list, kernel: tuple, oh: int, ow: int, last: bool) -> np.ndarray:
    """Channels last: (n*OH*OW, kh*kw*C), rows in the order (a, b, channel).
    Per sample: (n, C*kh*kw, OH*OW), rows in the order (channel, a, b).
    Either way every window is one strided view of xp, copied by one reshape."""
    (kh, kw), (_, _, rows, columns) = kernel, offsets[0]  # (their steps are the stride)
    s = xp.strides
    if last:  # windows[n, i, j, a, b, c] = xp[n, i*sh + a, j*sw + b, c]
        n, c = xp.shape[0], xp.shape[3]
        windows = _strided(xp, (n, oh, ow, kh, kw, c), (s[0], rows.step * s[1], columns.step * s[2], *s[1:]))
        return windows.reshape(n * oh * ow, -1)
    n, c = xp.shape[:2]  # windows[n, c, a, b, i, j] = xp[n, c, i*sh + a, j*sw + b]
    windows = _strided(xp, (n, c, kh, kw, oh, ow), (*s, rows.step * s[2], columns.step * s[3]))
    return windows.reshape(n, c * kh * kw, oh * ow)


def _strided(a: np.ndarray, shape: tuple, strides: tuple) -> np.ndarray:
    """A read-only view of ``a`` with these shape and strides (numpy's
    sliding_window_view and as_strided check more and cost 5-15 us a call,
    the copy of a small block's columns about as much)."""
    if not a.flags.c_contiguous:
        return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=False)
    view = np.ndarray(shape, a.dtype, a, 0, strides)
    view.flags.writeable = False
    return view


def _plan(x: np.ndarray, w: np.ndarray, stride: tuple, padding: tuple) -> tuple:
    (_, c, kh, kw), (sh, sw), (ph, pw) = w.shape, stride, padding
    oh = (x.shape[2] + 2 * ph - kh) // sh + 1
    ow = (x.shape[3] + 2 * pw - kw) // sw + 1
    return oh, ow, c >= ow, window_offsets((kh, kw), stride, oh, ow), _blocks(x.shape[0], oh * ow * c * kh * kw)


def _blocks(n: int, per_sample: int) -> list[slice]:
    """Slices of the batch whose columns take about 128K elements each."""
    step = max(1, BLOCK // max(per_sample, 1))
    return [slice(i, i + step) for i in range(0, n, step)]


def _block_products(blocks: list[slice], n: int, per_sample: int, width: int) -> small_products:
    """Where the products of blocks of ``per_sample`` columns a sample, ``width``
    wide, run: on one BLAS thread if they are small (autograd.threads)."""
    return small_products(len(range(n)[blocks[0]]) * per_sample * width)


def conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: tuple, padding: tuple) -> np.ndarray:
    """y (N, O, OH, OW) = conv2d(x, w) + b."""
    oh, ow, last, offsets, blocks = _plan(x, w, stride, padding)
    n, o, kernel = x.shape[0], w.shape[0], w.shape[2:]
    out = np.empty((n, o, oh, ow), dtype=np.result_type(x, w))
    w_rows = w.transpose(0, 2, 3, 1).reshape(o, -1) if last else w.reshape(o, -1)
    with _block_products(blocks, n, oh * ow * w_rows.shape[1], o):
        for blk in blocks:  # padded input and columns of a few samples at a time
            cols = _columns(_padded(x[blk], padding, last), offsets, kernel, oh, ow, last)
            if last:
                out[blk] = (cols @ w_rows.T).reshape(-1, oh, ow, o).transpose(0, 3, 1, 2)
            else:
                np.matmul(w_rows, cols, out=out[blk].reshape(-1, o, oh * ow))
    out += b.reshape(-1, 1, 1)
    return out


def conv_backward(x: np.ndarray, w: np.ndarray, g: np.ndarray, stride: tuple, padding: tuple,
                  needs: tuple) -> tuple:
    """(dL/dx, dL/dw, dL/db) for upstream g (N, O, OH, OW): dL/dw = G^T cols(x),
    dL/dx = the patches of G W added back (col2im), dL/db = the sum of G."""
    oh, ow, last, offsets, blocks = _plan(x, w, stride, padding)
    (o, c, kh, kw), (ph, pw), kernel = w.shape, padding, w.shape[2:]
    (_, _, h, wd), (need_x, need_w, need_b) = x.shape, needs
    gb = g.sum(axis=(0, 2, 3)) if need_b else None
    gx = np.empty(x.shape, dtype=np.result_type(g, w)) if need_x else None
    if last and need_x and stride == (1, 1) and ph < kh and pw < kw:
        _input_grad_by_gathering(g, w, padding, gx)
        need_x = False
    w_rows = w.transpose(0, 2, 3, 1).reshape(o, -1) if last else w.reshape(o, -1)
    gw = np.zeros_like(w_rows) if need_w else None
    with _block_products(blocks, x.shape[0], oh * ow * w_rows.shape[1], o):
        for blk in blocks:  # padded input, columns and patches of a few samples at a time
            if last:
                g2 = g[blk].transpose(0, 2, 3, 1).reshape(-1, o)  # one row per output position
            else:
                g2 = g[blk].reshape(-1, o, oh * ow)  # per sample, one column per output position
            if need_w:
                cols = _columns(_padded(x[blk], padding, last), offsets, kernel, oh, ow, last)
                gw += g2.T @ cols if last else np.matmul(g2, cols.transpose(0, 2, 1)).sum(axis=0)
            if need_x:
                if last:
                    patches = (g2 @ w_rows).reshape(-1, oh, ow, kh, kw, c)
                    target = np.zeros((patches.shape[0], h + 2 * ph, wd + 2 * pw, c), dtype=gx.dtype)
                    for a, b, rows, columns in offsets:
                        target[:, rows, columns, :] += patches[:, :, :, a, b, :]
                    gx[blk] = target[:, ph : ph + h, pw : pw + wd, :].transpose(0, 3, 1, 2)
                else:
                    patches = np.matmul(w_rows.T, g2).reshape(-1, c, kh, kw, oh, ow)
                    target = np.zeros((patches.shape[0], c, h + 2 * ph, wd + 2 * pw), dtype=gx.dtype)
                    for a, b, rows, columns in offsets:
                        target[:, :, rows, columns] += patches[:, :, a, b]
                    gx[blk] = target[:, :, ph : ph + h, pw : pw + wd]
    if need_w:
        gw = np.ascontiguousarray(gw.reshape(o, kh, kw, c).transpose(0, 3, 1, 2)) if last else gw.reshape(w.shape)
    return gx, gw, gb


def _input_grad_by_gathering(g: np.ndarray, w: np.ndarray, padding: tuple, gx: np.ndarray) -> None:
    """dL/dx of a stride-1 convolution, channels last, as a convolution itself:
    G padded by (kh - 1 - ph, kw - 1 - pw), correlated with the flipped kernel
    (its channels swapped), written into ``gx``. Gathers G's patches instead
    of adding patches back."""
    (o, c, kh, kw), (ph, pw), (n, _, h, wd) = w.shape, padding, gx.shape
    w_flipped = w[:, :, ::-1, ::-1].transpose(2, 3, 0, 1).reshape(kh * kw * o, c)  # rows (a, b, o)
    offsets = window_offsets((kh, kw), (1, 1), h, wd)
    blocks = _blocks(n, h * wd * kh * kw * o)
    with _block_products(blocks, n, h * wd * kh * kw * o, c):
        for blk in blocks:
            gp = _padded(g[blk], (kh - 1 - ph, kw - 1 - pw), True)  # (n, H + kh - 1, W + kw - 1, O)
            rows = _columns(gp, offsets, (kh, kw), h, wd, True) @ w_flipped
            gx[blk] = rows.reshape(-1, h, wd, c).transpose(0, 3, 1, 2)
