"""Per-channel input normalisation, ``(x - mean) / std``, with each official code's constants.

=================  =========================================================  ==========================================
convention         constants (per channel, [0, 1] pixel scale unless noted)    where the official code sets them
=================  =========================================================  ==========================================
``zero-cost-nas``  mean (0.4914, 0.4822, 0.4465), std (0.2023, 0.1994,         SamsungLabs/zero-cost-nas (a43bfbc)
                   0.2010), the same for CIFAR-10 and CIFAR-100                ``foresight/dataset.py`` l.31-33; HNAS and
                                                                               the LGA code copy that loader
``naslib``         CIFAR-10 (0.49139968, 0.48215827, 0.44653124) /             NASLib (0b51bc1) ``dataset.py``
                   (0.24703233, 0.24348505, 0.26158768); CIFAR-100             l.202-203 (CIFAR-10), l.252-253 (CIFAR-100)
                   (0.5071, 0.4865, 0.4409) / (0.2673, 0.2564, 0.2762)
``nb201``          CIFAR-10 mean (125.3, 123.0, 113.9), std (63.0, 62.1,       NAS-Bench-201's data loader (Dong & Yang,
                   66.7); CIFAR-100 (129.3, 124.1, 112.4) / (68.2, 65.4,       ICLR 2020; AutoDL-Projects
                   70.4), on the 0-255 scale                                   ``get_dataset_with_transform.py``); TE-NAS
=================  =========================================================  ==========================================

Which shipped table uses which: ``zero-cost-nas`` the score tables (``data/nb201-cifar-scores``,
``-lossless``, ``nb101-cifar-scores``) and the HNAS / LGA groups of ``data/nb201-cifar-ntk``
with its after-one-epoch columns; ``nb201`` the TE-NAS / Zhu groups of
``data/nb201-cifar-ntk`` and the supernet table ``data/nb201-supernet``; ``naslib`` none
(an option of ``nascore bench cifar-scores``).

The NB201 constants are kept on the 0-255 scale as its code writes them and divided by
255 in the tensor's dtype (float32): that is how the NTK and supernet tables were
computed. (Dividing in double precision first, as NB201's code does before
``Normalize``, moves 4 of the 12 float32 constants by one unit in the last place; the
score protocol's ``nb201`` option used to do that, and no shipped table used it.)
Changing a convention's constants or their rounding changes every table that uses it.
"""
from __future__ import annotations

import torch

from .shipped import check_dataset

#: convention -> dataset -> (mean, std, scale): ``x`` in [0, 1] is normalised with
#: ``mean / scale`` and ``std / scale``, the division done in the tensor's dtype.
NORMALISATIONS = {
    "zero-cost-nas": {d: ((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010), 1.0)
                      for d in ("cifar10", "cifar100")},
    "naslib": {"cifar10": ((0.49139968, 0.48215827, 0.44653124), (0.24703233, 0.24348505, 0.26158768), 1.0),
               "cifar100": ((0.5071, 0.4865, 0.4409), (0.2673, 0.2564, 0.2762), 1.0)},
    "nb201": {"cifar10": ((125.3, 123.0, 113.9), (63.0, 62.1, 66.7), 255.0),
              "cifar100": ((129.3, 124.1, 112.4), (68.2, 65.4, 70.4), 255.0)},
}
CONVENTIONS = tuple(NORMALISATIONS)


def constants(convention: str, dataset: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """``(mean, std)`` of ``convention`` for ``dataset`` on the [0, 1] scale (as Python floats)."""
    if convention not in NORMALISATIONS:
        raise ValueError(f"unknown normalisation {convention!r}; allowed: {', '.join(CONVENTIONS)}")
    mean, std, scale = NORMALISATIONS[convention][check_dataset(dataset)]
    return tuple(m / scale for m in mean), tuple(s / scale for s in std)


def normalise(x: torch.Tensor, convention: str, dataset: str) -> torch.Tensor:
    """``(x - mean) / std`` per channel for images ``x`` (N, 3, H, W) in [0, 1], with the
    constants of ``convention`` for ``dataset`` (:data:`NORMALISATIONS`).

    >>> normalise(torch.full((1, 3, 1, 1), 0.4914), "zero-cost-nas", "cifar10")[0, 0, 0, 0].item()
    0.0
    """
    if convention not in NORMALISATIONS:
        raise ValueError(f"unknown normalisation {convention!r}; allowed: {', '.join(CONVENTIONS)}")
    if x.ndim != 4 or x.shape[1] != 3:
        raise ValueError(f"expected images of shape (N, 3, H, W), got {tuple(x.shape)}")
    mean, std, scale = NORMALISATIONS[convention][check_dataset(dataset)]
    mean = torch.tensor(mean, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
    std = torch.tensor(std, dtype=x.dtype, device=x.device).view(1, 3, 1, 1)
    if scale != 1.0:
        mean, std = mean / scale, std / scale
    return (x - mean) / std
