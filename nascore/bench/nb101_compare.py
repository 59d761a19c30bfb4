"""Our NAS-Bench-101 scores checked against two references, as chapter 25 does for NB201.

1. **NASLib's scores** of the same cells (``bench.load("nb101-zc")``, NAS-Bench-Suite-Zero):
   an independent implementation on other batches of the same data set. Spearman's rho
   between our score and theirs, per proxy (:func:`naslib_agreement`).
2. **The published correlations** with accuracy: Abdelfattah et al. (ICLR 2021), Spearman
   over all 423,624 NB101 cells (:data:`nascore.papers.ZERO_COST_NB101`), beside ours and
   NASLib's on the same cells (:func:`accuracy_correlations`), with a verdict per proxy
   (:func:`published_verdict`, :func:`published_claims`).

The population is NASLib's NB101 sample: 500 entries drawn as unpruned 7-vertex matrices,
301 distinct cells once dangling vertices are pruned (55 entries are the bare
input -> output cell), so it is not a uniform sample of NB101's 423,624 cells; every
table says so. The ground truth is NASLib's ``val_accuracy`` (NB101's CIFAR-10 validation
accuracy); the paper correlates with the final test accuracy.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import claims, stats
from ..papers import ZERO_COST_NB101

#: Proxies both our NB101 table and NASLib's have (the same names in both).
SHARED = ("params", "flops", "grad_norm", "snip", "fisher", "jacov", "synflow")
#: How far (in |rho|) our value may sit from the published one, outside our interval, and
#: still count as "partly": a sample of a few hundred cells against all 423,624.
CLOSE = 0.10
POPULATION = "NASLib's NB101 sample (301 distinct cells; not uniform over NB101)"


def paired(ours: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cells scored by us and by NASLib: our :data:`SHARED` columns (and ``naswot``,
    ``das``), NASLib's as ``<name>_naslib``, and ``val_accuracy``. ``ours`` defaults to
    ``bench.load("nb101-cifar-scores")``."""
    from . import load

    ours = load("nb101-cifar-scores", dataset="cifar10") if ours is None else ours
    theirs = load("nb101-zc", dataset="cifar10")[["arch", *SHARED]].rename(
        columns={name: f"{name}_naslib" for name in SHARED})
    keep = ["arch", "val_accuracy", *SHARED, *[c for c in ("naswot", "das") if c in ours]]
    return ours[keep].merge(theirs, on="arch", how="inner")


def naslib_agreement(frame: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Per proxy of :data:`SHARED`: Spearman's rho between our score and NASLib's over the
    cells of ``frame`` (:func:`paired`) where both are finite, with a bootstrap interval."""
    rows = []
    for name in SHARED:
        pair = frame[[name, f"{name}_naslib"]].astype(float)
        pair = pair[np.isfinite(pair).all(axis=1)]
        r = stats.spearman(pair[name], pair[f"{name}_naslib"], n_boot=n_boot, seed=seed)
        rows.append({"proxy": name, "rho": r.value, "low": r.low, "high": r.high, "n": r.n})
    return pd.DataFrame(rows)


def abs_interval(value: float, low: float, high: float) -> tuple[float, float, float]:
    """``(|value|, low, high)`` of the absolute value given an interval of the value: an
    interval that straddles 0 becomes ``[0, max(|low|, |high|)]``.

    >>> abs_interval(-0.3, -0.4, -0.2), abs_interval(0.1, -0.05, 0.2)
    ((0.3, 0.2, 0.4), (0.1, 0.0, 0.2))
    """
    lo, hi = sorted((abs(low), abs(high)))
    return abs(value), (0.0 if low <= 0 <= high else lo), hi


def published_verdict(value: float, low: float, high: float, published: float, n: int) -> str:
    """Our rho (with its interval) against a published |rho| whose sign is uncertain:
    "reproduced" when the published value lies in our interval of |rho|; "partly" when it
    lies outside but within :data:`CLOSE` of our |rho|; else "not reproduced"; "not
    attempted" under :data:`nascore.claims.MIN_POPULATION` cells or without a value.

    >>> published_verdict(-0.40, -0.48, -0.31, 0.448, 301), published_verdict(0.2, 0.1, 0.3, 0.372, 301)
    ('reproduced', 'not reproduced')
    >>> published_verdict(0.25, 0.2, 0.3, 0.33, 301), published_verdict(0.4, 0.3, 0.5, 0.4, 99)
    ('partly', 'not attempted')
    """
    if not np.isfinite(value):
        return "not attempted"
    size, lo, hi = abs_interval(value, low, high)
    if lo <= published <= hi:
        verdict = "reproduced"
    elif abs(size - published) <= CLOSE:
        verdict = "partly"
    else:
        verdict = "not reproduced"
    return claims.verdict_on_population(verdict, n)


def accuracy_correlations(frame: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Per proxy: Spearman's rho with ``val_accuracy`` of our score (``ours``, with its
    interval and ``n``) and of NASLib's on the same cells (``naslib``), beside the
    published |rho| over all of NB101 (``published``, NaN where the paper has none) and
    :func:`published_verdict`."""
    rows = []
    truth = frame.val_accuracy.to_numpy(float)
    for name in (*SHARED, *[c for c in ("naswot", "das") if c in frame]):
        r = stats.spearman(frame[name].to_numpy(float), truth, n_boot=n_boot, seed=seed)
        theirs = (stats.spearman(frame[f"{name}_naslib"].to_numpy(float), truth, n_boot=0).value
                  if f"{name}_naslib" in frame else np.nan)
        published = ZERO_COST_NB101.values.get(name, np.nan)
        rows.append({"proxy": name, "ours": r.value, "low": r.low, "high": r.high, "n": r.n, "naslib": theirs,
                     "published": published,
                     "verdict": published_verdict(r.value, r.low, r.high, published, r.n)
                     if np.isfinite(published) else "no published value"})
    return pd.DataFrame(rows)


def published_claims(table: pd.DataFrame, *, chapter: str = "60_das") -> list[dict]:
    """One ledger record (keyword arguments of :func:`nascore.claims.record`) per proxy of
    ``table`` (:func:`accuracy_correlations`) that has a published value."""
    out = []
    for row in table[np.isfinite(table.published.astype(float))].itertuples():
        out.append(dict(
            claim_id=f"zero-cost.nb101.{row.proxy}", paper="Abdelfattah et al. 2021 (zero-cost proxies)",
            where=ZERO_COST_NB101.source,
            claim=f"{row.proxy} ranks NAS-Bench-101 cells by CIFAR-10 accuracy with |Spearman rho| "
                  f"{row.published:.3f} (all 423,624 cells; sign not recorded). Ours: {POPULATION}, our code on "
                  f"real CIFAR-10 batches (zero-cost-nas conventions, batch 64), against NB101's validation "
                  f"accuracy; reproduced when the published value lies in our interval of |rho|, partly within "
                  f"{CLOSE} of it. Would change with a uniform sample of NB101 or the final test accuracy",
            paper_value=f"|rho| = {row.published:.3f}",
            our_value=f"rho = {row.ours:.3f} [{row.low:.3f}, {row.high:.3f}] (n = {row.n}); NASLib's scores on "
                      f"the same cells {row.naslib:.3f}",
            verdict=row.verdict, chapter=chapter, source="our code, real data"))
    return out


def naswot_claim(table: pd.DataFrame, *, chapter: str = "60_das") -> dict:
    """The ledger record of NASWOT's NB101 correlation (Mellor et al.): "not attempted",
    as no reachable text gives the paper's number (:data:`nascore.papers.ZERO_COST_NB101`'s
    note); our value is shown so that the comparison can be made once the number is read."""
    row = table.set_index("proxy").loc["naswot"]
    return dict(
        claim_id="naswot.nb101", paper="Mellor et al. 2021 (NASWOT)", where="Sec. 4 (NAS-Bench-101 results)",
        claim="the NASWOT score ranks NAS-Bench-101 cells by CIFAR-10 accuracy (the paper's correlation could not "
              f"be read: not attempted). Ours: {POPULATION}, our code on real CIFAR-10 batches, against NB101's "
              "validation accuracy",
        paper_value="no reachable number (the project's notes recall Kendall tau about 0.31, unverified)",
        our_value=f"Spearman rho = {row.ours:.3f} [{row.low:.3f}, {row.high:.3f}] (n = {int(row.n)})",
        verdict="not attempted", chapter=chapter, source="our code, real data")
