"""CIFAR's standard training augmentation, the one implementation every pipeline calls.

Random crop of the image zero-padded by ``padding`` (4) pixels on each side back to its
size, then a horizontal flip with probability 1/2: torchvision's
``RandomCrop(32, padding=4)`` + ``RandomHorizontalFlip()`` as the official loaders use it
(He et al., CVPR 2016, Sec. 4.2; zero-cost-nas ``foresight/dataset.py`` l.49-55;
NAS-Bench-201's training pipeline). The padding is black: it is applied to the [0, 1]
image before normalisation, as the official transforms act before ``Normalize``.

The crops are the same whatever the variant; what differs is the order in which the
random numbers are drawn, and the shipped tables were computed with three orders. Each
is an explicit ``order`` (changing a table's order changes its batches, so that table
would have to be rescored):

- ``"per-image"`` (numpy ``Generator``): the row and column offsets of image 0, then of
  image 1, ... (one ``integers(size=(n, 2))``), then the n flips. The score tables
  ``data/nb201-cifar-scores``, ``nb201-cifar-scores-lossless`` and ``nb101-cifar-scores``
  (:class:`nascore.bench.cifar_protocol.ScoringProtocol`).
- ``"rows-then-cols"`` (numpy ``Generator``): the n row offsets, then the n column
  offsets (two ``integers(size=n)``), then the n flips. The NTK tables
  ``data/nb201-cifar-ntk`` (HNAS, TE-NAS, Zhu, LGA groups) and the after-one-epoch
  training of the same folder.
- ``"rows-then-cols"`` (CPU ``torch.Generator``): one ``randint(size=(2, n))`` whose
  first row holds the row offsets, then ``rand(n) < 0.5`` for the flips. The supernet
  table ``data/nb201-supernet`` (training, stand-alone children, step costs); the crops
  are gathered on the batch's own device, the numbers drawn on the CPU.
"""
from __future__ import annotations

import numpy as np
import torch
from torch.nn import functional as F

ORDERS = ("per-image", "rows-then-cols")


def _draws(n: int, padding: int, generator, order: str):
    """Row offsets, column offsets (each in ``0 .. 2 * padding``) and flips of ``n`` images."""
    if order not in ORDERS:
        raise ValueError(f"unknown draw order {order!r}; allowed: {', '.join(ORDERS)}")
    high = 2 * padding + 1
    if isinstance(generator, torch.Generator):
        if order != "rows-then-cols":
            raise ValueError(f"a torch.Generator draws in the order 'rows-then-cols' only, got {order!r}")
        offsets = torch.randint(0, high, (2, n), generator=generator)
        flips = torch.rand(n, generator=generator) < 0.5
        return offsets[0], offsets[1], flips
    if not isinstance(generator, np.random.Generator):
        raise ValueError(f"generator must be a torch.Generator or a numpy Generator, got {type(generator).__name__}")
    if order == "per-image":
        pairs = generator.integers(0, high, size=(n, 2))
        rows, cols = pairs[:, 0], pairs[:, 1]
    else:
        rows = generator.integers(0, high, size=n)
        cols = generator.integers(0, high, size=n)
    flips = generator.random(n) < 0.5
    return torch.as_tensor(rows), torch.as_tensor(cols), torch.as_tensor(flips)


def augment(x: torch.Tensor, generator, *, order: str, padding: int = 4) -> torch.Tensor:
    """A randomly cropped (zero padding ``padding``) and flipped copy of the batch ``x`` (N, C, H, W).

    Image k of the result is the window ``padded[k, :, r_k : r_k + H, c_k : c_k + W]`` of
    the zero-padded image, mirrored left-right when its flip is drawn; ``r_k, c_k`` are
    uniform in ``0 .. 2 * padding`` (``padding`` is the unshifted crop). ``generator`` and
    ``order`` fix the random draws (module docstring: which shipped table uses which).

    >>> x = torch.arange(4.0).view(1, 1, 1, 4)
    >>> augment(x, np.random.default_rng(2), order="per-image", padding=0)  # only the flip is left
    tensor([[[[3., 2., 1., 0.]]]])
    """
    if x.ndim != 4:
        raise ValueError(f"expected a batch of images (N, C, H, W), got shape {tuple(x.shape)}")
    if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding must be a non-negative integer, got {padding!r}")
    n, _, h, w = x.shape
    row_offsets, col_offsets, flips = _draws(n, padding, generator, order)
    padded = F.pad(x, (padding, padding, padding, padding))
    rows = (row_offsets[:, None] + torch.arange(h)[None, :]).to(x.device)    # (n, h)
    cols = col_offsets[:, None] + torch.arange(w)[None, :]
    cols = torch.where(flips[:, None], cols.flip(1), cols).to(x.device)      # (n, w)
    index = torch.arange(n, device=x.device)[:, None, None]
    out = padded.permute(0, 2, 3, 1)[index, rows[:, :, None], cols[:, None, :]]  # (n, h, w, c)
    return out.permute(0, 3, 1, 2).contiguous()
