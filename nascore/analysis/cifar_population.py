"""Our shipped NB201 score table on real CIFAR and the population a correlation may rest on.

:func:`ours` reads ``bench.load("nb201-cifar-scores")``; :func:`population` picks the rows
comparable with a full-space correlation (the whole space, else the longest scored head of
the full space's fixed random order: a uniform sample, else NASLib's architectures,
labelled as not uniform). Chapter 25 (``studies.cifar_scores``) and the DAS chapter read it.
"""
from __future__ import annotations

import pandas as pd

from .. import bench


def ours(dataset: str) -> pd.DataFrame:
    """Our shipped scores for ``dataset`` (raises "not attempted" for ImageNet16-120)."""
    return bench.load("nb201-cifar-scores", dataset=dataset)


SPACE_SIZE = 15625
#: Populations whose correlations are comparable with full-space values (a verdict is given
#: only on these; NASLib's architectures alone give "not attempted").
COMPARABLE = ("full space", "uniform sample")
#: The fewest architectures of a uniform sample that :func:`population` uses.
MIN_UNIFORM = 100


def population(dataset: str, metric: str | None = None) -> tuple[pd.DataFrame, str]:
    """The rows comparable with full-space correlations, and what they are.

    All 15,625 architectures if the table has them; else the longest head of the full
    space's fixed random order (``--archs full`` / ``sample:K``,
    :func:`nascore.bench.cifar_scores.select_archs`) whose every architecture was scored,
    if it has at least :data:`MIN_UNIFORM` (a uniform sample, however far the job got);
    else every scored row, labelled as NASLib's architectures (not a uniform sample:
    NASLib's ~725 over-represent good cells). Scored architectures scattered beyond that
    head (NASLib's, which fall in the sample by chance) do not make a uniform sample.

    ``metric``: a proxy the uniform job leaves out (not in the full-space set, e.g. GraSP,
    scored on a head of its own with ``--metrics grasp``) is judged by its own column: the
    head counts the architectures where it has a value (a cell where it failed ends the head),
    and without such a head its population is NASLib's architectures alone. A full-space
    metric, or ``None``, gives the population of the full-space set.
    """
    from ..bench.cifar_scores import FULL_SPACE_METRICS, scored_head, select_archs

    frame = ours(dataset)
    own = metric is not None and metric not in FULL_SPACE_METRICS
    if own and metric not in frame:
        raise ValueError(f"metric {metric!r} is not a column of the {dataset} score table; "
                         f"has {', '.join(c for c in frame.columns if not c.startswith('seconds'))}")
    scored = frame.arch[frame[metric].notna()] if own else frame.arch
    if len(frame) >= SPACE_SIZE and len(scored) == len(frame):
        return frame, "full space"
    head = scored_head(set(scored))
    if head >= MIN_UNIFORM:
        keep = set(select_archs(f"sample:{head}"))
        return frame[frame.arch.isin(keep)].reset_index(drop=True), "uniform sample"
    if own:
        return frame[frame.in_zc.astype(bool)].reset_index(drop=True), "NASLib's architectures (not uniform)"
    return frame, "NASLib's architectures (not uniform)"
