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
    """Our shipped scores for ``dataset`` (raises "not attempted" for ImageNet16-120), on
    NAS-Bench-201's own model (``ScoringProtocol(model="nb201")``)."""
    return bench.load("nb201-cifar-scores", dataset=dataset)


#: The proxies that tell zero-cost-nas's model from NAS-Bench-201's own (at initialisation
#: both compute the same function and weight gradients, :mod:`nascore.bench.cifar_protocol`;
#: Fisher reads the layer outputs, bias included, and SynFlow removes the BN).
MODEL_SENSITIVE = ("fisher", "synflow")
#: Those proxies scored on zero-cost-nas's model, the official protocol's
#: (``nascore bench cifar-scores --model zero-cost-nas --metrics fisher,synflow``).
OFFICIAL_MODEL_DIR = "nb201-cifar-scores-zcnas-model"


def official_model(dataset: str) -> pd.DataFrame:
    """The rows of ``dataset`` in :data:`OFFICIAL_MODEL_DIR` (no rows if it is absent)."""
    from ..manifest import note_read
    from ..paths import DATA_DIR

    path = DATA_DIR / OFFICIAL_MODEL_DIR / "scores.csv"
    if not path.exists():
        return pd.DataFrame(columns=["arch", "dataset", *MODEL_SENSITIVE, "val_accuracy", "in_zc"])
    note_read(path)
    frame = pd.read_csv(path)
    return frame[frame.dataset == dataset].reset_index(drop=True)


def _official_head(dataset: str, metric: str) -> tuple[pd.DataFrame, int]:
    from ..bench.cifar_scores import scored_head

    frame = official_model(dataset)
    if metric not in frame:
        return frame, 0
    return frame, scored_head(set(frame.arch[frame[metric].notna()]))


def model_of(dataset: str, metric: str | None) -> str:
    """Which model :func:`population` scores ``metric`` on: ``zero-cost-nas`` (the official
    protocol's) for a :data:`MODEL_SENSITIVE` proxy with a uniform head of at least
    :data:`MIN_UNIFORM` in :data:`OFFICIAL_MODEL_DIR`, else ``nb201`` (the shipped table's,
    where every other proxy takes the same values as on zero-cost-nas's)."""
    if metric in MODEL_SENSITIVE and _official_head(dataset, metric)[1] >= MIN_UNIFORM:
        return "zero-cost-nas"
    return "nb201"


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

    ``metric``: a :data:`MODEL_SENSITIVE` proxy is taken from zero-cost-nas's model
    (:data:`OFFICIAL_MODEL_DIR`, its longest scored head) where :func:`model_of` says so.
    A proxy the uniform job leaves out (not in the full-space set, e.g. GraSP,
    scored on a head of its own with ``--metrics grasp``) is judged by its own column: the
    head counts the architectures where it has a value (a cell where it failed ends the head),
    and without such a head its population is NASLib's architectures alone. A full-space
    metric, or ``None``, gives the population of the full-space set.
    """
    from ..bench.cifar_scores import FULL_SPACE_METRICS, scored_head, select_archs

    if model_of(dataset, metric) == "zero-cost-nas":
        frame, head = _official_head(dataset, metric)
        keep = set(select_archs(f"sample:{head}"))
        return frame[frame.arch.isin(keep)].reset_index(drop=True), "uniform sample"
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
