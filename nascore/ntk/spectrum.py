"""The spectrum of an empirical NTK: eigenvalues, trace, extreme eigenvalues, condition number."""
from __future__ import annotations

import math

import torch

from .conventions import symmetric


def eigenvalues(theta) -> torch.Tensor:
    """Eigenvalues of a symmetric kernel, ascending, float64 (``torch.linalg.eigvalsh``)."""
    theta = torch.as_tensor(theta)
    if theta.ndim != 2 or theta.shape[0] != theta.shape[1] or theta.shape[0] == 0:
        raise ValueError(f"theta must be a non-empty square matrix, got shape {tuple(theta.shape)}")
    theta = theta.double()
    if not torch.isfinite(theta).all():
        raise ValueError("theta contains NaN or Inf values")
    return torch.linalg.eigvalsh(symmetric(theta))


ntk_spectrum = eigenvalues


def trace(theta) -> float:
    """Trace of the kernel: sum_i ||d s_i / d theta||^2 (HNAS's M_trace = sqrt(trace / N))."""
    eigenvalues(theta)  # validates
    return float(torch.as_tensor(theta).double().diagonal().sum())


def lambda_min(theta) -> float:
    """Smallest eigenvalue (may be <= 0 from round-off when the kernel is singular)."""
    return float(eigenvalues(theta)[0])


def lambda_max(theta) -> float:
    """Largest eigenvalue."""
    return float(eigenvalues(theta)[-1])


def condition_number(theta) -> float:
    """kappa = lambda_max / lambda_min (TE-NAS, Sec. 3.1.1; lower = more trainable).

    A kernel whose smallest eigenvalue is <= n * eps * lambda_max (zero, negative from
    round-off, or numerically indistinguishable from zero) is singular: kappa = inf.
    """
    eig = eigenvalues(theta)
    lo, hi = float(eig[0]), float(eig[-1])
    if hi <= 0 or lo <= eig.shape[0] * torch.finfo(torch.float64).eps * hi:
        return math.inf
    return hi / lo
