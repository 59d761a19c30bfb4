"""What the papers report on NAS-Bench-201, in one table with its sources.

Every number is the **200-epoch test accuracy** (percent) of the cell a method returns,
on CIFAR-10, CIFAR-100 and ImageNet16-120, as "mean ± std" over repeated searches where
the source gives a std. They were collected in 2026-12 from what could be reached offline
(``../shared/spec/details.md``, section "Reported NB201 numbers"). ``secondary`` marks a
number read from another paper's comparison table quoting the method, not from the
method's own paper or code; ``approximate`` marks one read off a plot. A chapter that
compares with one of these compares on the same measure: the search queries validation
accuracy, the pick is reported by :func:`nascore.search.report_test_accuracy`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
_ROBOT = "RoBoT (He et al., ICLR 2024, HNAS's group), Table 2, repo hzf1174/RoBoT images/Table2.jpg"


@dataclass(frozen=True)
class Reported:
    """One method's reported NB201 numbers: ``values`` maps a dataset to ``(mean, std)``
    (``std`` None where the source gives none)."""

    key: str
    method: str
    values: dict
    source: str
    secondary: bool
    cost: str = ""
    approximate: bool = False
    note: str = ""

    def __post_init__(self):
        if set(self.values) != set(DATASETS):
            raise ValueError(f"{self.key}: values must cover {', '.join(DATASETS)}, got {sorted(self.values)}")


def _three(c10, c100, in16):
    return dict(zip(DATASETS, (c10, c100, in16)))


#: The methods, in the spec's order; the key is what chapters and claims refer to.
NB201_TEST_ACCURACY = {r.key: r for r in (
    Reported("hnas", "HNAS (NTK trace)", _three((94.04, 0.21), (71.75, 1.04), (45.91, 0.88)), _ROBOT,
             secondary=True, cost="3,010 GPU-s (1080Ti)"),
    Reported("hnas-figure", "HNAS, official figure at 18,000 s", _three((94.26, None), (73.19, None), (46.48, None)),
             "shuyao95/HNAS figs/nb2.jpg, read off the plot (±0.05): test error 5.74 / 26.81 / 53.52",
             secondary=False, approximate=True, note="at 2,000 s the plot reads test error 6.53 / 29.54 / 55.91"),
    Reported("eigennas", "EigenNAS (Zhu et al.)", _three((93.46, None), (71.42, None), (45.54, None)),
             "leaderboard mirrors of the Papers-with-Code archive (NATS-Bench topology)", secondary=True),
    Reported("tenas", "TE-NAS", _three((93.90, 0.47), (71.24, 0.56), (42.38, 0.46)), _ROBOT,
             secondary=True, cost="1,558 s"),
    Reported("naswot", "NASWOT", _three((92.96, 0.81), (69.98, 1.22), (44.44, 2.10)), _ROBOT,
             secondary=True, cost="306 s"),
    Reported("naswot-readme-n10", "NASWOT, official README (N = 10)",
             _three((91.53, 1.62), (66.63, 3.14), (38.33, 5.22)), "the official NASWOT README's older table",
             secondary=False),
    Reported("nasi", "NASI", _three((93.55, 0.10), (71.20, 0.14), (44.84, 1.41)), _ROBOT,
             secondary=True, cost="120 s"),
    Reported("rea", "REA", _three((93.92, 0.30), (71.84, 0.99), (45.15, 0.89)), _ROBOT + ", reported by Dong & Yang (2020)",
             secondary=True, cost="12,000 s"),
    Reported("random", "random search (no sharing)", _three((93.70, 0.36), (71.04, 1.07), (44.57, 1.25)),
             _ROBOT + ", reported by Dong & Yang (2020)", secondary=True, cost="12,000 s"),
    Reported("reinforce", "REINFORCE", _three((93.85, 0.37), (71.71, 1.09), (45.24, 1.18)),
             _ROBOT + ", reported by Dong & Yang (2020)", secondary=True, cost="12,000 s"),
    Reported("bohb", "BOHB", _three((93.61, 0.52), (70.85, 1.28), (44.42, 1.49)),
             _ROBOT + ", reported by Dong & Yang (2020)", secondary=True, cost="12,000 s"),
    Reported("resnet", "ResNet cell", _three((93.97, None), (70.86, None), (43.63, None)),
             _ROBOT + ", reported by Dong & Yang (2020)", secondary=True),
    Reported("optimum", "optimum", _three((94.37, None), (73.51, None), (47.31, None)),
             _ROBOT + "; also the maxima of data/nasbench201-test/nats_bench.csv", secondary=True),
)}


def reported(key: str) -> Reported:
    """The entry of :data:`NB201_TEST_ACCURACY` called ``key``."""
    if key not in NB201_TEST_ACCURACY:
        raise ValueError(f"unknown reported method {key!r}; known: {', '.join(NB201_TEST_ACCURACY)}")
    return NB201_TEST_ACCURACY[key]


def reported_table(keys=None) -> pd.DataFrame:
    """One row per (method, dataset): ``key``, ``method``, ``dataset``, ``mean``, ``std``
    (NaN where none is given), ``secondary``, ``approximate``, ``cost``, ``source``."""
    rows = []
    for key in keys or NB201_TEST_ACCURACY:
        entry = reported(key)
        for dataset, (mean, std) in entry.values.items():
            rows.append({"key": key, "method": entry.method, "dataset": dataset, "mean": mean,
                         "std": np.nan if std is None else std, "secondary": entry.secondary,
                         "approximate": entry.approximate, "cost": entry.cost, "source": entry.source})
    return pd.DataFrame(rows)


def paper_value(key: str, dataset: str) -> str:
    """The number as a claims-ledger entry shows it, its source's kind said:
    ``"94.04 ± 0.21 (secondary source: ...)"``."""
    entry = reported(key)
    if dataset not in entry.values:
        raise ValueError(f"unknown dataset {dataset!r}; known: {', '.join(DATASETS)}")
    mean, std = entry.values[dataset]
    number = f"{'≈' if entry.approximate else ''}{mean:.2f}" + ("" if std is None else f" ± {std:.2f}")
    kind = "secondary source" if entry.secondary else "source"
    return f"{number} ({kind}: {entry.source})"


def source_of(key: str) -> str:
    """``"secondary source: <where>"`` or ``"source: <where>"`` of a reported method."""
    entry = reported(key)
    return f"{'secondary source' if entry.secondary else 'source'}: {entry.source}"


def paper_values(key: str) -> str:
    """All three datasets in one ledger entry, C10 / C100 / ImageNet16-120, source said:
    ``"94.04 ± 0.21 / 71.75 ± 1.04 / 45.91 ± 0.88 (C10 / C100 / IN16-120; secondary source: ...)"``."""
    entry = reported(key)
    numbers = [paper_value(key, d).split(" (", 1)[0] for d in DATASETS]
    kind = "secondary source" if entry.secondary else "source"
    return f"{' / '.join(numbers)} (C10 / C100 / IN16-120, 200-epoch test accuracy; {kind}: {entry.source})"


@dataclass(frozen=True)
class ReportedCorrelations:
    """Rank correlations a paper reports between proxies and accuracy on one benchmark:
    ``values`` maps a proxy (our registry name) to the number; ``method`` names the
    correlation; ``signed`` is False where the source printed absolute values."""

    key: str
    benchmark: str
    method: str
    values: dict
    source: str
    signed: bool
    note: str = ""


#: Abdelfattah et al. (ICLR 2021), zero-cost proxies on NAS-Bench-101 CIFAR-10: Spearman's
#: rho with final accuracy over all 423,624 cells, one random batch, seed 42. Read from
#: the saved outputs of the official notebook (``../shared/spec/details.md`` section 6);
#: some of its cells print abs(rho), so the signs are not recorded.
ZERO_COST_NB101 = ReportedCorrelations(
    "zero-cost-nb101", "NAS-Bench-101 CIFAR-10 (all 423,624 cells)", "spearman",
    {"grad_norm": 0.198, "snip": 0.164, "grasp": 0.448, "fisher": 0.257, "synflow": 0.372, "jacov": 0.378},
    "Abdelfattah et al., ICLR 2021, Table 4 / SamsungLabs/zero-cost-nas notebooks/nasbench101_correlations.ipynb "
    "(saved outputs)", signed=False,
    note="NASWOT's own NB101 correlation (Mellor et al.) is not in any reachable text: not attempted")


#: Abdelfattah et al. (ICLR 2021), zero-cost proxies on NAS-Bench-201: Spearman's rho with
#: accuracy over all 15,625 cells, one per dataset (``../shared/spec/details.md`` section 6,
#: from the saved outputs of the official ``nasbench201_correlations.ipynb``; the paper's
#: Table 2 prints them rounded to two digits).
ZERO_COST_NB201 = {dataset: ReportedCorrelations(
    f"zero-cost-nb201-{dataset.lower()}", f"NAS-Bench-201 {dataset} (all 15,625 cells)", "spearman",
    dict(zip(("grad_norm", "snip", "grasp", "fisher", "synflow", "jacov"), values)),
    "Abdelfattah et al., ICLR 2021, Table 2 / SamsungLabs/zero-cost-nas notebooks/nasbench201_correlations.ipynb "
    "(saved outputs)", signed=True)
    for dataset, values in (("cifar10", (0.594, 0.596, 0.514, 0.360, 0.737, 0.731)),
                            ("cifar100", (0.637, 0.637, 0.547, 0.385, 0.763, 0.704)),
                            ("ImageNet16-120", (0.578, 0.578, 0.549, 0.327, 0.751, 0.701)))}


#: What HNAS's NB201 table sets it against (RoBoT's Table 2 rows): search without weight
#: sharing (REA, random, REINFORCE, BOHB) and training-free selection (NASWOT, TE-NAS).
HNAS_RIVALS = ("rea", "random", "reinforce", "bohb", "naswot", "tenas")


def versus(key: str, rivals, dataset: str) -> str:
    """A method's reported number beside its rivals' on one dataset, sources' kind said:
    ``"HNAS (NTK trace) 94.04 ± 0.21 vs REA 93.92 ± 0.30, ... (secondary source: ...)"``."""
    parts = [f"{reported(k).method} {paper_value(k, dataset).split(' (', 1)[0]}" for k in (key, *rivals)]
    entries = [reported(k) for k in (key, *rivals)]
    kind = "secondary source" if any(e.secondary for e in entries) else "source"
    sources = "; ".join(dict.fromkeys(e.source for e in entries))
    return f"{parts[0]} vs " + ", ".join(parts[1:]) + f" ({dataset}, 200-epoch test accuracy; {kind}: {sources})"


@dataclass(frozen=True)
class ReportedRange:
    """A range ``low``-``high`` a paper reports for one quantity, on ``benchmarks``, and
    where in the paper (``where``) it says so."""

    key: str
    quantity: str
    low: float
    high: float
    benchmarks: str
    where: str
    source: str


#: DAS (Liu, Li, Sun & Liu, arXiv 2212.12132), abstract: "1.04x-1.56x improvements" of the
#: rank correlation over NASWOT's, on NAS-Bench-101, Network Design Spaces and its DTB.
DAS_IMPROVEMENT = ReportedRange(
    "das-improvement", "rank correlation of DAS over NASWOT's (ratio)", 1.04, 1.56, "NB101, NDS, DTB", "abstract",
    "Liu et al. 2022 (DAS), arXiv 2212.12132, abstract")

#: BigNAS (Yu et al., ECCV 2020), abstract: children sliced from the single-stage model,
#: without retraining or fine-tuning, reach 76.5 %-80.9 % top-1 on ImageNet (200-1000 MFLOPs).
BIGNAS_NO_RETRAINING = ReportedRange(
    "bignas-no-retraining", "ImageNet top-1 accuracy (%) of children without retraining", 76.5, 80.9,
    "ImageNet, 200-1000 MFLOPs", "Abstract; Sec. 4", "Yu et al. 2020 (BigNAS), ECCV, abstract")
