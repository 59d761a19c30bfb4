"""HNAS and EigenNAS on the real-CIFAR NTK statistics of ``data/nb201-cifar-ntk/``.

The HNAS chapter's headline search and the Zhu chapter's train-free selection read the
official-convention statistics (HNAS's ``nasbench/nasbench2_pred.py`` l.36: batch 64 of
CIFAR-10 training images; TE-NAS's ``lib/procedures/ntk.py`` l.41-59: batch 72), not
the MNIST batch-of-10 table of :mod:`nascore.bench.nb201_ntk`.

- :func:`cifar_frame`: the zero-cost table of one dataset (its accuracies) joined with
  the CIFAR-10 NTK statistics of the same architectures; ``ntk_condition`` is HNAS's
  kappa of the same decomposition kernel as M, plus the HNAS chapter's derived columns;
- :func:`scaled_pool`: HNAS's 2,000 fresh draws per step scaled to a subset (the same
  fraction of the subset as 2,000 is of NB201's 15,625 architectures);
- :func:`select_by`: train-free selection of one architecture by one column (Zhu et
  al.'s EigenNAS: the largest lambda_min), with its accuracy and rank;
- :func:`gain_row`: one row of a "what flips the verdict" table, from paired gains;
- :func:`uniform_positions` / :func:`uniform_frame`: the uniform sample of the full space
  that HNAS's statistics reached (``--archs all`` of :mod:`nascore.tables.cifar_ntk.job`), with NB201's
  accuracies;
- :func:`add_objective_columns`, :func:`singular_as_nan`: the HNAS objective's derived columns.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import papers
from ..search.hnas import EPSILON, KAPPA_NAN
from ..search.picks import argbest

#: Size of NAS-Bench-201's cell space and HNAS's official pool of fresh draws per step
#: (shuyao95/HNAS ``nasbench/search.py``: 2,000 samples per BO step).
SPACE_SIZE = 15625
OFFICIAL_POOL = 2000



def singular_as_nan(kappa) -> pd.Series:
    """Condition numbers with ``kappa <= 0`` set to NaN. A negative kappa is the
    round-off lambda_min of a singular kernel (a cell with no convolution); the official
    code reads NaN as :data:`KAPPA_NAN`, and so, after this, does every derived column,
    instead of ranking that cell as the best conditioned."""
    kappa = pd.Series(kappa, dtype=float)
    return kappa.where(kappa > 0)


def add_objective_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Add HNAS's ``kappa_over_m = kappa / (M + 1e-6)`` (NaN ``ntk_condition`` read as
    :data:`KAPPA_NAN`, as HNAS's code does) and a constant ``zero`` score to ``frame``
    (which has ``ntk_trace`` and ``ntk_condition``), in place; returns it."""
    frame["kappa_over_m"] = frame["ntk_condition"].fillna(KAPPA_NAN) / (frame["ntk_trace"] + EPSILON)
    frame["zero"] = 0.0
    return frame

def scaled_pool(n_archs: int, *, pool: int = OFFICIAL_POOL, space: int = SPACE_SIZE) -> int:
    """``round(n_archs * pool / space)``, at least 1: the pool size that draws the same
    fraction of a subset of ``n_archs`` architectures as ``pool`` draws of ``space``.

    >>> scaled_pool(725)   # 725 * 2000 / 15625 = 92.8
    93
    """
    if not (isinstance(n_archs, (int, np.integer)) and n_archs >= 1):
        raise ValueError(f"n_archs must be a positive integer, got {n_archs!r}")
    if not (pool >= 1 and space >= pool):
        raise ValueError(f"need 1 <= pool <= space, got pool={pool!r}, space={space!r}")
    return max(1, int(math.floor(n_archs * pool / space + 0.5)))


def cifar_frame(dataset: str = "cifar10", *, kappa: str = "hnas_kappa",
                ntk_dataset: str = "cifar10") -> pd.DataFrame:
    """Zero-cost table of ``dataset`` (accuracies, table proxies) joined with the CIFAR-10
    NTK statistics of ``data/nb201-cifar-ntk/`` (inner join: rows with a finite M).

    Columns added: ``ntk_trace`` (HNAS's M, batch 64), ``ntk_condition`` (``kappa``:
    HNAS's kappa of the same kernel by default, or ``"tenas_condition"`` for TE-NAS's;
    NaN where ``kappa <= 0``, :func:`singular_as_nan`),
    ``hnas_lambda_min``, ``tenas_condition`` and ``tenas_lambda_min`` (NaN beyond the
    292 TE-NAS rows; no TE-NAS rows on CIFAR-100), Zhu's ``ntk_lambda_min`` columns
    (:data:`LAMBDA_MIN_COLUMNS`; NaN where not computed), ``kappa_over_m = kappa / (M + 1e-6)`` (NaN kappa read as 1e5, as
    HNAS's code does) and ``zero``. The statistics are ``ntk_dataset``'s (CIFAR-10 by
    default for every accuracy dataset, as HNAS's NB201 code scores each architecture on
    CIFAR-10; ``"cifar100"`` has HNAS's statistics on its own images for the same 725).
    """
    from .. import bench

    if kappa not in ("hnas_kappa", "tenas_condition"):
        raise ValueError(f"kappa must be 'hnas_kappa' or 'tenas_condition', got {kappa!r}")
    ntk = bench.load("nb201-cifar-ntk", dataset=ntk_dataset)
    ntk = ntk.rename(columns={"ntk_condition": "tenas_condition"})
    columns = ["arch", "ntk_trace", "hnas_kappa", "tenas_condition", *(c for c, _ in LAMBDA_MIN_COLUMNS.values())]
    ntk = ntk.reindex(columns=columns)
    ntk = ntk[np.isfinite(ntk["ntk_trace"].to_numpy(float))]
    frame = bench.load("nb201-zc", dataset).merge(ntk, on="arch", how="inner")
    frame["ntk_condition"] = singular_as_nan(frame[kappa]).to_numpy()
    return add_objective_columns(frame).reset_index(drop=True)


def select_by(frame: pd.DataFrame, column: str, *, accuracy: str = "val_accuracy",
              higher_is_better: bool = True) -> dict:
    """Train-free selection: the architecture with the best finite ``column``.

    Returns ``arch``, ``score``, ``accuracy`` (its ``accuracy``), ``rank`` (1 = the
    best accuracy among the rows with a finite score; ties share the best rank),
    ``percentile`` (share of those rows with strictly lower accuracy), ``n`` (rows
    scored) and ``optimum`` (best accuracy among them). Ties in the score (within a relative
    1e-9, :func:`nascore.search.picks.argbest`) go to the first row.
    """
    if column not in frame or accuracy not in frame:
        raise ValueError(f"frame needs columns {column!r} and {accuracy!r}; has {list(frame.columns)}")
    values = frame[column].to_numpy(float)
    keep = np.isfinite(values)
    if not keep.any():
        raise ValueError(f"column {column!r} has no finite value")
    part = frame[keep].reset_index(drop=True)
    scores = values[keep] if higher_is_better else -values[keep]
    pick = argbest(scores)
    acc = part[accuracy].to_numpy(float)
    chosen = float(acc[pick])
    return {"arch": part["arch"].iat[pick], "score": float(values[keep][pick]), "accuracy": chosen,
            "rank": int((acc > chosen).sum()) + 1, "percentile": float((acc < chosen).mean()),
            "n": int(keep.sum()), "optimum": float(acc.max())}


def gain_row(setting: str, gain: tuple, *, batch, convention: str, data: str, pool) -> dict:
    """One row of a "what flips the verdict" table: a setting and HNAS's paired gain
    ``(mean, low, high)`` over a baseline, with the verdict that gain alone gives
    (``above 0`` if the interval lies above 0, ``below 0`` if below, else ``includes 0``)."""
    mean, low, high = (float(x) for x in gain)
    if not low <= mean <= high:
        raise ValueError(f"gain must be (mean, low, high) with low <= mean <= high, got {gain!r}")
    sign = "above 0" if low > 0 else "below 0" if high < 0 else "includes 0"
    return {"setting": setting, "batch": batch, "convention": convention, "data": data, "pool": pool,
            "gain": mean, "low": low, "high": high, "interval": sign}


#: EigenNAS (Zhu et al. 2022) on NB201 as a public leaderboard lists it: test accuracy
#: (C10, C100, IN16). Secondary source, not the paper's own table (:mod:`nascore.papers`).
EIGENNAS_LEADERBOARD = {d: mean for d, (mean, _) in papers.reported("eigennas").values.items()}
#: Batch of the shipped Zhu-kernel column ``ntk_lambda_min_b16`` (exact per-sample gradients
#: with batch statistics cost N backward passes of the whole batch; batch 16 is what two CPU
#: cores reached for 725 architectures on both datasets: ``data/nb201-cifar-ntk/README.md``).
ZHU_CPU_BATCH = 16
#: The lambda_min columns EigenNAS selects by: label -> (column, short key). Zhu et al.'s own
#: (no official code: the exact summed-logit kernel over every parameter, TE-NAS's data) at
#: the TE-NAS batch 72 and at the CPU batch; HNAS's and TE-NAS's kernels as stand-ins.
LAMBDA_MIN_COLUMNS = {
    "Zhu's kernel (exact, all parameters), batch 72": ("ntk_lambda_min", "zhu72"),
    f"Zhu's kernel (exact, all parameters), batch {ZHU_CPU_BATCH}": (f"ntk_lambda_min_b{ZHU_CPU_BATCH}", "zhu"),
    "HNAS kernel, batch 64": ("hnas_lambda_min", "hnas"),
    "TE-NAS kernel, batch 72": ("tenas_lambda_min", "tenas"),
}


def eigennas_table(*, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Train-free selection by the largest lambda_min on the real-CIFAR statistics.

    One row per (dataset, lambda_min column of :data:`LAMBDA_MIN_COLUMNS`, with its
    ``key``): the selected architecture's NB201 validation accuracy (NASLib table), its
    rank and percentile in the rows scored, the optimum among them, the pick's 200-epoch
    test accuracy (``pick_test``) and the best test accuracy among the rows scored
    (``optimum_test``), Spearman's rho of
    lambda_min with accuracy (bootstrap interval) and the leaderboard's test accuracy
    beside it; a column with no value is "not computed". Each dataset uses its own
    images' statistics; ImageNet16-120 has none and is marked not attempted.
    """
    from ..bench import nb201_accuracies
    from ..stats import spearman

    rows = []
    for dataset in ("cifar10", "cifar100", "ImageNet16-120"):
        if dataset == "ImageNet16-120":
            rows.append({"dataset": dataset, "lambda_min": "none computed", "status": "not attempted",
                         "leaderboard_test": EIGENNAS_LEADERBOARD[dataset]})
            continue
        frame = cifar_frame(dataset, ntk_dataset=dataset)
        tests = nb201_accuracies(dataset).set_index("arch")
        for label, (column, key) in LAMBDA_MIN_COLUMNS.items():
            if not np.isfinite(frame[column].to_numpy(float)).any():
                rows.append({"dataset": dataset, "lambda_min": label, "key": key, "status": "not computed",
                             "leaderboard_test": EIGENNAS_LEADERBOARD[dataset]})
                continue
            pick = select_by(frame, column)
            scored = frame[np.isfinite(frame[column].to_numpy(float))]  # stats ranks NaN lowest: drop it
            rho = spearman(scored[column], scored["val_accuracy"], n_boot=n_boot, seed=seed)
            test = tests.loc[scored.arch, "test_accuracy"]
            pick["pick_test"], pick["optimum_test"] = float(tests.loc[pick["arch"], "test_accuracy"]), float(test.max())
            rows.append({"dataset": dataset, "lambda_min": label, "key": key, "status": "run", **pick,
                         "rho": rho.value, "rho_low": rho.low, "rho_high": rho.high,
                         "leaderboard_test": EIGENNAS_LEADERBOARD[dataset]})
    return pd.DataFrame(rows)


def eigennas_basis(table: pd.DataFrame, datasets=("cifar10", "cifar100")) -> pd.DataFrame:
    """The rows of :func:`eigennas_table` a verdict rests on: Zhu's own kernel at the
    largest batch run on every one of ``datasets`` (``zhu72``, then ``zhu``), else HNAS's
    kernel as a stand-in (``hnas``); empty if none was run on all of them."""
    run = table[table.status == "run"] if "status" in table else table.iloc[:0]
    for key in ("zhu72", "zhu", "hnas"):
        rows = run[run.key == key]
        if set(datasets) <= set(rows.dataset):
            return rows[rows.dataset.isin(datasets)].reset_index(drop=True)
    return run.iloc[:0]


#: Points of 200-epoch test accuracy by which the pick may fall short of the leaderboard.
EIGENNAS_TOLERANCE = 0.5


def eigennas_verdict(basis: pd.DataFrame) -> str:
    """Verdict of "selection by the largest lambda_min reaches the leaderboard's test
    accuracy", on the rows :func:`eigennas_basis` chose: "reproduced" if on every dataset
    the pick's 200-epoch test accuracy is at least the leaderboard's minus
    :data:`EIGENNAS_TOLERANCE`; "partly" if the pick is in the top quarter of the scored
    rows on every dataset; "not reproduced" otherwise; "not attempted" with no rows.

    >>> row = {"dataset": "cifar10", "pick_test": 93.0, "percentile": 0.8}
    >>> eigennas_verdict(pd.DataFrame([row])), eigennas_verdict(pd.DataFrame([{**row, "pick_test": 92.9}]))
    ('reproduced', 'partly')
    """
    if basis.empty:
        return "not attempted"
    short = [EIGENNAS_LEADERBOARD[r.dataset] - r.pick_test for r in basis.itertuples()]
    if max(short) <= EIGENNAS_TOLERANCE + 1e-9:
        return "reproduced"
    return "partly" if (basis.percentile >= 0.75).all() else "not reproduced"


def uniform_positions(order, have, *, scored_anyway=(), max_shards: int = 4) -> list:
    """The part of a fixed random ``order`` that a (possibly sharded, cut short) run
    covered, as a uniform sample. For ``n`` shards (shard ``s`` takes ``order[s::n]``):
    each shard's prefix up to its first item missing from ``have``, united; the ``n`` in
    ``1..max_shards`` that covers most. Items of ``scored_anyway`` (scored by another job
    wherever they sit, e.g. NASLib's 725) never mark a shard's stop, and count only
    before it. So which positions are kept depends only on how far each shard got, never
    on what the items are: the sample is uniform.

    >>> uniform_positions(list("abcdefgh"), set("abcdeg"))   # 2 shards: a c e g | b d
    ['a', 'b', 'c', 'd', 'e', 'g']
    """
    have, anyway = set(have), set(scored_anyway)
    best = []
    for n in range(1, max_shards + 1):
        keep = set()
        for s in range(n):
            shard = order[s::n]
            k = next((i for i, item in enumerate(shard) if item not in have and item not in anyway), len(shard))
            keep.update(item for item in shard[:k] if item in have)
        if len(keep) > len(best):
            best = [item for item in order if item in keep]
    return best


def uniform_frame(dataset: str = "cifar10", *, min_archs: int = 100) -> pd.DataFrame:
    """NB201's ``dataset`` accuracies (all 15,625 in ``nb201``) on the uniform sample that
    HNAS's CIFAR-10 statistics reached (:func:`uniform_positions` over the fixed order,
    NASLib's architectures being scored wherever they sit),
    with ``ntk_trace``, ``hnas_kappa`` and the derived columns of :func:`cifar_frame`
    (``ntk_condition`` = HNAS's kappa, ``kappa_over_m``, ``zero``). Raises if the sample
    has fewer than ``min_archs`` architectures."""
    from .. import bench
    from ..bench.cifar_scores import select_archs

    stats = bench.load("nb201-cifar-ntk-hnas", dataset="cifar10")
    stats = stats[np.isfinite(stats["ntk_trace"].to_numpy(float))]
    # the job's architecture sets ``all`` and ``zc`` (nascore.tables.cifar_ntk.architectures.arch_list)
    zc = set(bench.load("nb201-zc", "cifar10").arch) | set(bench.load("nb201-zc", "cifar100").arch)
    sample = uniform_positions(select_archs("full"), set(stats.arch), scored_anyway=zc)
    if len(sample) < min_archs:
        raise ValueError(f"HNAS's statistics cover a uniform sample of {len(sample)} architectures; "
                         f"need at least {min_archs} (run `nascore bench cifar-ntk stats --archs all --groups hnas`)")
    frame = bench.load("nb201", dataset)[["arch", "op_indices", "val_accuracy"]]
    frame = frame[frame.arch.isin(set(sample))].merge(stats[["arch", "ntk_trace", "hnas_kappa"]], on="arch")
    frame["ntk_condition"] = singular_as_nan(frame["hnas_kappa"]).to_numpy()
    return add_objective_columns(frame).reset_index(drop=True)
