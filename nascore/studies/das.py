"""The DAS chapter (``notebooks/60_das.ipynb``): NASWOT split into DAS's two atomic terms.

Liu, Li, Sun & Liu (arXiv 2212.12132) write NASWOT as ``N log N_A + D`` (units plus
distinguishing ability) and propose re-weighting the two. This module holds the chapter's
analyses of a table of proxy scores against trained accuracy:

- :func:`das_weight_scan` / :func:`das_weight_cv`: the family ``D + w log N_A`` scanned
  over ``w`` (``w = N`` is NASWOT), and ``w`` chosen on some architectures, judged on others;
- :func:`improvement_ratio`: a correlation divided by NASWOT's ("1.04x-1.56x");
- :func:`mixed_activation_scores`: the two terms for the mixed-activation table;
- :func:`cifar_benchmarks`: the two terms of full-size NB201 networks on real CIFAR
  batches (``data/nb201-cifar-scores``) against NB201's real accuracies.

The chapter's own table ``data/nb201-mnist5k/zc_naswot.csv`` (NASWOT and the DAS terms of
the zero-cost architectures on MNIST digits, read by :mod:`nascore.bench.zc_naswot`) is
computed by the library's job :mod:`nascore.tables.nb201_zc_naswot` (``nascore bench
zc-naswot``).

The trained conv table this chapter reads is built by :mod:`nascore.tables.nb201_mnist5k`;
the correlations along training are :func:`nascore.analysis.epochs.correlations_over_epochs`,
the after-one-epoch CIFAR scores :mod:`nascore.analysis.cifar_after_epoch` (the notebook
imports them from there).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import papers, stats


def das_weight_scan(units, distinguishing, truth, weights, batch_size: int, *,
                    method: str = "kendall", n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Correlation with ``truth`` of ``D + w log N_A`` for each ``w`` in ``weights``.

    ``units`` = ``N log N_A`` and ``distinguishing`` = ``D = log|K_H / N_A|`` per
    architecture (:func:`nascore.training.probes.das_family`).
    """
    from ..training.probes import das_family

    rows = []
    for w in weights:
        r = stats.rank_correlation(das_family(units, distinguishing, w, batch_size), truth, method,
                                   n_boot=n_boot, seed=seed)
        rows.append({"weight": float(w), "method": method, "value": r.value, "low": r.low,
                     "high": r.high, "n": r.n})
    return pd.DataFrame(rows)


def improvement_ratio(value: float, baseline: float) -> float:
    """``value / baseline``: DAS's "improvement over WOT" for correlations of one sign.

    >>> improvement_ratio(0.6, 0.5)
    1.2
    """
    if baseline <= 0:
        raise ValueError(f"the baseline correlation must be positive for a ratio, got {baseline}")
    return float(value) / float(baseline)


def das_weight_cv(units, distinguishing, truth, weights, batch_size: int, *, folds: int = 2,
                  method: str = "kendall", seed: int = 0) -> pd.DataFrame:
    """Choose the DAS weight on some architectures, judge it on the others.

    The architectures are split at random into ``folds`` parts; for each part, the weight
    with the best correlation on the *other* parts is chosen and its correlation on the
    held-out part is reported next to NASWOT's (``w = N``) on the same part, so the
    ratio is not inflated by choosing the weight on the data it is judged on. Returns one
    row per fold: ``weight, das, naswot, ratio``.
    """
    from ..training.probes import das_family

    units, distinguishing = np.asarray(units, float), np.asarray(distinguishing, float)
    truth = np.asarray(truth, float)
    parts = np.array_split(np.random.default_rng(seed).permutation(len(truth)), folds)
    rows = []
    for k, held in enumerate(parts):
        fit = np.setdiff1d(np.arange(len(truth)), held)
        scan = das_weight_scan(units[fit], distinguishing[fit], truth[fit], weights, batch_size,
                               method=method, n_boot=0)
        w = float(scan.loc[scan.value.idxmax(), "weight"])
        das = stats.rank_correlation(das_family(units[held], distinguishing[held], w, batch_size),
                                     truth[held], method, n_boot=0).value
        wot = stats.rank_correlation(units[held] + distinguishing[held], truth[held], method, n_boot=0).value
        rows.append({"fold": k, "weight": w, "das": das, "naswot": wot,
                     "ratio": das / wot if wot > 0 else float("nan")})
    return pd.DataFrame(rows)


#: DAS's reported improvement over NASWOT (:data:`nascore.papers.DAS_IMPROVEMENT`): the lower end.
DAS_REPORTED_LOW = papers.DAS_IMPROVEMENT.low
#: The fewest cells a verdict may rest on (fewer: a study, "not attempted").
MIN_CELLS = 100


def improvement_verdict(ratio: float, n: int, low: float | None = None) -> str:
    """Verdict of "DAS improves NASWOT's rank correlation by 1.04x-1.56x": "reproduced" if
    the held-out ratio reaches :data:`DAS_REPORTED_LOW` and its interval's ``low`` end (if
    given) lies above 1, "partly" if the ratio is above 1 (or reaches 1.04 with an interval
    that includes 1), "not reproduced" otherwise; "not attempted" with fewer than
    :data:`MIN_CELLS` cells or no ratio.

    >>> improvement_verdict(1.04, 300), improvement_verdict(1.01, 300), improvement_verdict(1.2, 99)
    ('reproduced', 'partly', 'not attempted')
    >>> improvement_verdict(1.10, 124, low=0.95)
    'partly'
    """
    if n < MIN_CELLS or not np.isfinite(ratio):
        return "not attempted"
    if ratio >= DAS_REPORTED_LOW - 1e-12 and (low is None or low > 1.0):
        return "reproduced"
    return "partly" if ratio > 1.0 else "not reproduced"


def cv_ratio_interval(units, distinguishing, truth, weights, batch_size: int, *, folds: int = 2, n_boot: int = 200,
                      level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile-bootstrap interval of the cross-validated ratio DAS_w / NASWOT
    (:func:`das_weight_cv` rerun on each resample of the cells, weight chosen afresh)."""
    units, distinguishing, truth = (np.asarray(a, float) for a in (units, distinguishing, truth))
    rng = np.random.default_rng(seed)
    ratios = []
    for b in range(n_boot):
        rows = rng.integers(0, len(truth), len(truth))
        cv = das_weight_cv(units[rows], distinguishing[rows], truth[rows], weights, batch_size, folds=folds,
                           seed=seed + b + 1)
        if cv.naswot.mean() > 0:
            ratios.append(cv.das.mean() / cv.naswot.mean())
    if not ratios:
        return np.nan, np.nan
    tail = (1 - level) / 2
    return float(np.quantile(ratios, tail)), float(np.quantile(ratios, 1 - tail))


def nb101_scores() -> pd.DataFrame:
    """Our NB101 score table (``nascore.bench.load("nb101-cifar-scores")``), or an empty
    frame with its columns while the job has shipped none."""
    from .. import bench

    try:
        return bench.load("nb101-cifar-scores", dataset="cifar10")
    except FileNotFoundError:
        return pd.DataFrame(columns=["arch", "order", "val_accuracy", "naswot", "das", "das_units",
                                     "das_distinguishing"])


def nb101_check(frame: pd.DataFrame, weights, *, batch_size: int = 64, folds: int = 2, n_boot: int = 1000,
                n_boot_cv: int = 200, seed: int = 0) -> dict:
    """DAS against NASWOT on NAS-Bench-101 (DAS's own benchmark): Kendall's tau with NB101's
    validation accuracy of NASWOT (``naswot``), of DAS as the registry defines it
    (``das``: weight 1, our reading of the paper's rule) and of the cross-validated weight
    (:func:`das_weight_cv` over ``weights``), with bootstrap intervals; the held-out ratio
    DAS_w / NASWOT with its interval (:func:`cv_ratio_interval`, ``n_boot_cv`` resamples)
    and its verdict (:func:`improvement_verdict`). ``frame``
    is our score table of NB101 cells (``nascore bench nb101-scores``); with fewer than 4
    scored cells every number is NaN and the verdict "not attempted"."""
    need = ["val_accuracy", "naswot", "das", "das_units", "das_distinguishing"]
    part = frame.dropna(subset=need)
    if len(part) < 4:
        empty = dict.fromkeys(("naswot", "naswot_low", "naswot_high", "das", "das_low", "das_high", "ratio_default",
                               "cv_weight_over_n", "cv_das", "cv_naswot", "ratio", "ratio_low", "ratio_high"), np.nan)
        return {"n": len(part), **empty, "verdict": improvement_verdict(np.nan, len(part))}
    truth = part.val_accuracy.to_numpy(float)
    wot = stats.kendall(part.naswot.to_numpy(float), truth, n_boot=n_boot, seed=seed)
    das1 = stats.kendall(part.das.to_numpy(float), truth, n_boot=n_boot, seed=seed)
    out = {"n": len(part), "naswot": wot.value, "naswot_low": wot.low, "naswot_high": wot.high,
           "das": das1.value, "das_low": das1.low, "das_high": das1.high,
           "ratio_default": das1.value / wot.value if wot.value > 0 else np.nan}
    if len(part) >= 2 * folds:
        cv = das_weight_cv(part.das_units, part.das_distinguishing, truth, weights, batch_size, folds=folds, seed=seed)
        low, high = cv_ratio_interval(part.das_units, part.das_distinguishing, truth, weights, batch_size,
                                      folds=folds, n_boot=n_boot_cv, seed=seed)
        out.update(cv_weight_over_n=float(cv.weight.mean() / batch_size), cv_das=float(cv.das.mean()),
                   cv_naswot=float(cv.naswot.mean()), ratio=float(cv.das.mean() / cv.naswot.mean())
                   if cv.naswot.mean() > 0 else np.nan, ratio_low=low, ratio_high=high)
    else:
        out.update(cv_weight_over_n=np.nan, cv_das=np.nan, cv_naswot=np.nan, ratio=np.nan, ratio_low=np.nan,
                   ratio_high=np.nan)
    out["verdict"] = improvement_verdict(out["ratio"], out["n"], out["ratio_low"])
    return out


#: Short names of the chapter's benchmarks (glue keys), by the label its tables show.
BENCHMARK_KEYS = {"conv": "conv", "zc (CIFAR acc.)": "zc", "mixed": "mixed",
                  "NB201 CIFAR-10, real images": "c10", "NB201 CIFAR-100, real images": "c100"}


def cifar_benchmarks() -> dict:
    """The DAS terms on real CIFAR batches against NAS-Bench-201's real accuracies.

    From :func:`nascore.analysis.cifar_population.population`: CIFAR-10's uniform sample of
    the full space (the head of its fixed random order) and CIFAR-100's NASLib
    architectures. The terms were scored by :mod:`nascore.tables.nb201_cifar_scores` on full-size
    networks (C=16, N=5) on a batch of ``batch_size`` = 64 augmented training images
    (``data/nb201-cifar-scores/README.md``). Returns ``{label: (units, distinguishing,
    accuracy, N, population)}`` with ``units`` = ``N log N_A`` and ``distinguishing`` =
    ``log|K_H / N_A|``, so ``units + distinguishing`` is NASWOT on the same batch.
    """
    from ..bench.cifar_protocol import ScoringProtocol
    from ..analysis.cifar_population import population

    n = ScoringProtocol().batch_size
    out = {}
    for label, dataset in (("NB201 CIFAR-10, real images", "cifar10"), ("NB201 CIFAR-100, real images", "cifar100")):
        frame, kind = population(dataset)
        out[label] = (frame.das_units.to_numpy(float), frame.das_distinguishing.to_numpy(float),
                      frame.val_accuracy.to_numpy(float), n, f"{kind}, {len(frame)} architectures")
    return out


def mixed_activation_scores(frame: pd.DataFrame, *, batch_size: int = 64, seed: int = 0) -> pd.DataFrame:
    """NASWOT and the DAS terms at init for the architectures of the mixed-activation table.

    ``frame``: rows of :func:`nascore.bench.load_mixed` (columns ``arch``,
    ``width``). Each network is built as the table's trainer built it (flat MNIST-5k
    inputs, weights from ``seed``) and scored on ``batch_size`` training images. Codes
    of smooth activations are ``1[pre-activation > 0]``, NASWOT's definition extended
    (see :mod:`nascore.metrics.naswot`).
    """
    from .. import data
    from ..spaces import mixed
    from ..training.probes import activation_summary

    ds = data.load("mnist5k")
    x, _ = ds.batch(batch_size, seed=seed)
    x = x.flatten(1)
    width = int(frame["width"].iloc[0]) if "width" in frame.columns else 128
    rows = []
    for arch in frame["arch"].unique():
        net = mixed.from_key(arch).build(x.shape[1], width, ds.num_classes, seed=seed)
        rows.append({"arch": arch, **activation_summary(net, x)})
    return pd.DataFrame(rows)
