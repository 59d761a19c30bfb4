"""CIFAR's standard training augmentation on batches of tensors, with a given generator.

Random crop of 32 x 32 from the image zero-padded by 4 pixels on each side, then a
horizontal flip with probability 1/2 (He et al., CVPR 2016, Sec. 4.2; NAS-Bench-201's
training pipeline, Dong & Yang, ICLR 2020). Padding is applied to the [0, 1] image, i.e.
with black pixels, before normalisation, as torchvision's ``RandomCrop`` does on the
image. The random numbers come from a CPU ``torch.Generator`` (the same draws on any
device), and the crops are gathered on the batch's own device.
"""
from __future__ import annotations

import torch
from torch.nn import functional as F


def crop_flip(x: torch.Tensor, generator: torch.Generator, padding: int = 4) -> torch.Tensor:
    """Randomly cropped and flipped copy of the batch ``x`` (N, C, H, W).

    >>> g = torch.Generator().manual_seed(0)
    >>> crop_flip(torch.ones(2, 3, 8, 8), g).shape
    torch.Size([2, 3, 8, 8])
    """
    if x.ndim != 4:
        raise ValueError(f"expected a batch of images (N, C, H, W), got shape {tuple(x.shape)}")
    if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding must be a non-negative integer, got {padding!r}")
    n, _, h, w = x.shape
    offsets = torch.randint(0, 2 * padding + 1, (2, n), generator=generator)
    flips = torch.rand(n, generator=generator) < 0.5
    padded = F.pad(x, (padding, padding, padding, padding))
    rows = (offsets[0][:, None] + torch.arange(h)[None, :]).to(x.device)   # (n, h)
    cols = (offsets[1][:, None] + torch.arange(w)[None, :])
    cols = torch.where(flips[:, None], cols.flip(1), cols).to(x.device)     # (n, w)
    index = torch.arange(n, device=x.device)[:, None, None]
    out = padded.permute(0, 2, 3, 1)[index, rows[:, :, None], cols[:, None, :]]  # (n, h, w, c)
    return out.permute(0, 3, 1, 2).contiguous()
