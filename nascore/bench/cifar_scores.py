"""The NB201 CIFAR score table's names shared by its readers and by other jobs: the metric
sets, the architecture selections and the join with NAS-Bench-201's accuracies.

- :data:`ZC_METRICS`, :data:`FULL_SPACE_METRICS`, :data:`METRIC_SETS`: the metrics scored
  on NASLib's zero-cost cells and on the rest of the space;
- :func:`select_archs`: architectures named by a spec (``zc``, ``zc:K``, ``full``,
  ``sample:K``; the uniform order is shared by the CIFAR-NTK and supernet jobs), and
  :data:`SAMPLE` / :func:`scored_head`: the uniform sample a run has produced;
- :func:`with_accuracy`: a score frame with NB201's validation accuracy and NASLib's
  zero-cost membership.

The job that computes the table (unit, content key, compute, fill, the store read as a
frame) is :mod:`nascore.tables.nb201_cifar_scores`; its export
:mod:`nascore.tables.nb201_cifar_scores_export`; the command line ``nascore bench
cifar-scores`` (:mod:`nascore.cli.cifar_scores`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .cifar_protocol import DATASETS

#: Every proxy of the registry that the NAS-Bench-Suite-Zero table also has, plus the DAS terms.
ZC_METRICS = ("params", "flops", "grad_norm", "snip", "grasp", "fisher", "jacov", "synflow", "naswot",
              "das", "das_units", "das_distinguishing")
#: The full-space set: all of the above except GraSP, whose Hessian-vector product costs
#: as much as everything else together (``benchmarks/cifar_scores.py``).
FULL_SPACE_METRICS = tuple(m for m in ZC_METRICS if m != "grasp")
METRIC_SETS = {"zc": ZC_METRICS, "full-space": FULL_SPACE_METRICS}


def with_accuracy(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` plus ``op_indices``, ``val_accuracy`` (NAS-Bench-201, via the full shipped
    table) and ``in_zc`` (whether NASLib's zero-cost table has the architecture)."""
    from . import load

    parts = []
    for dataset, part in frame.groupby("dataset", sort=True):
        full = load("nb201", dataset=dataset)[["arch", "op_indices", "val_accuracy"]]
        zc = set(load("nb201-zc", dataset=dataset).arch)
        part = part.merge(full, on="arch", how="left")
        part["in_zc"] = part.arch.isin(zc)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True) if parts else frame.assign(op_indices=[], val_accuracy=[], in_zc=[])
    first = ["arch", "dataset", "op_indices", "val_accuracy", "in_zc"]
    return out[first + [c for c in out.columns if c not in first]]


#: The uniform sample the table job scores in place of the full space (the first 3,000 of
#: its fixed order, :func:`nascore.spaces.nb201.uniform_order`).
SAMPLE = "sample:3000"


def scored_head(scored: set) -> int:
    """How many architectures at the head of the full space's fixed random order are all in
    ``scored``: the size of the uniform sample a (possibly unfinished) run has produced.
    Architectures scored further along (NASLib's, say) do not count."""
    count = 0
    for arch in select_archs("full"):
        if arch not in scored:
            break
        count += 1
    return count


def select_archs(spec: str, dataset: str = "cifar10") -> list[str]:
    """Architectures named by ``spec``: ``zc`` (NASLib's zero-cost table for ``dataset``),
    ``zc:K`` (K of the architectures both zero-cost tables share, drawn with seed 0),
    ``full`` (all 15,625, in a fixed random order, so that a partial run is a uniform
    sample), ``sample:K`` (a uniform sample of K: the first K of that order, so a larger
    sample, and the full space, extend a smaller one instead of starting over)."""
    from ..spaces import nb201
    from . import load

    kind, _, count = spec.partition(":")
    if kind in ("full", "sample"):
        order = nb201.uniform_order(0)
        if kind == "full" and not count:  # a run cut short is a uniform sample
            return order
        if kind == "sample" and count.isdigit() and int(count) > 0:
            if int(count) > len(order):
                raise ValueError(f"{spec}: asks {count} architectures of {len(order)}")
            return order[:int(count)]
    if kind == "zc" and not count:
        return load("nb201-zc", dataset=dataset).arch.tolist()
    if kind == "zc" and count.isdigit() and int(count) > 0:
        pool = sorted(set.intersection(*(set(load("nb201-zc", dataset=d).arch) for d in DATASETS)))
        if int(count) > len(pool):
            raise ValueError(f"{spec}: asks {count} architectures of {len(pool)}")
        picks = np.random.default_rng(0).choice(len(pool), int(count), replace=False)
        return [pool[i] for i in sorted(picks)]
    raise ValueError(f"bad architecture selection {spec!r}; allowed: zc, zc:K, full, sample:K (K > 0)")
