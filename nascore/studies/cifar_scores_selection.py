"""Chapter "Real CIFAR inputs" (``notebooks/25_cifar_scores``), a part of its study:
training-free selection as NASWOT, TE-NAS and EigenNAS report it (best of N uniformly drawn
cells, the pick reported by its 200-epoch test accuracy), and the claim records of the
selections a paper reports a number for.

- :func:`selection_table`: the picks' test accuracy per score, N and dataset;
- :func:`selection_claims`: the records, the verdict by :func:`nascore.claims.verdict_for_interval`
  widened by :data:`SELECTION_TOLERANCE`, "not attempted" off a uniform sample.

The correlations and the agreement with NASLib are :mod:`nascore.studies.cifar_scores`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..analysis import cifar_population


#: Scores selected as the training-free papers select (best of N uniform draws), with the
#: paper whose reported number sits beside them (:mod:`nascore.papers`; None: no paper).
SELECTION_SCORES = {"naswot": "naswot", "synflow": None, "jacov": None, "das": None}
SELECTION_NS = (100, 1000)
#: How the ledger names those papers.
SELECTION_PAPERS = {"naswot": "Mellor et al. 2021 (NASWOT)"}


def selection_table(*, ns=SELECTION_NS, repeats: int = 100, scores=tuple(SELECTION_SCORES), n_boot: int = 1000,
                    seed: int = 0) -> pd.DataFrame:
    """Training-free selection as NASWOT / TE-NAS / EigenNAS report it: ``repeats`` draws
    of ``N`` cells from the CIFAR-10 uniform sample (:func:`nascore.analysis.cifar_population.population`), each keeping its
    best-scored cell (:func:`nascore.search.selection.best_of_n`, ties by architecture
    string), reported by the pick's 200-epoch test accuracy on CIFAR-10, CIFAR-100 and
    ImageNet16-120 (mean, std, 95 % interval of the mean), one row per (score, N, dataset),
    with the paper's number where :data:`SELECTION_SCORES` names one (``paper``) and the
    population's size and label. The cells are scored on CIFAR-10 images only."""
    from .. import metrics, papers
    from ..bench import nb201_accuracies
    from ..search.report import summarise
    from ..search.selection import best_of_n

    frame, label = cifar_population.population("cifar10")
    frame = frame.sort_values("arch", ignore_index=True)
    tests = {d: nb201_accuracies(d).set_index("arch").loc[frame.arch, "test_accuracy"].to_numpy(float)
             for d in papers.DATASETS}
    rows = []
    for score in scores:
        higher = metrics.info(score).higher_is_better
        for n in ns:
            if n > len(frame):
                continue
            picks = best_of_n(frame[score].to_numpy(float), int(n), int(repeats), seed=seed,
                              higher_is_better=higher, keys=frame.arch.to_numpy())
            key = SELECTION_SCORES.get(score)
            for dataset in papers.DATASETS:
                summary = summarise(tests[dataset][picks], n_boot=n_boot, seed=seed)
                paper = papers.reported(key).values[dataset][0] if key and n == 100 else np.nan
                rows.append({"score": score, "n": int(n), "dataset": dataset, "repeats": int(repeats),
                             "mean": summary["mean"], "std": summary["std"], "low": summary["low"],
                             "high": summary["high"],
                             "paper": paper, "population": label, "population_size": len(frame)})
    return pd.DataFrame(rows)


#: Points of test accuracy by which a selection may miss the paper's mean and still reproduce it.
SELECTION_TOLERANCE = 0.5


def selection_claims(table: pd.DataFrame, *, chapter: str = "25_cifar_scores") -> list[dict]:
    """Claim records (keyword arguments of :func:`nascore.claims.record`) for every
    (score, N, dataset) of :func:`selection_table` that has a paper number: the verdict
    compares the paper's mean with our 95 % interval of the mean, widened by
    :data:`SELECTION_TOLERANCE` (:func:`nascore.claims.verdict_for_interval`); a
    population that is not a uniform sample of at least :data:`nascore.analysis.cifar_population.MIN_UNIFORM` cells gives
    "not attempted"."""
    from .. import claims, papers

    records = []
    for row in table.dropna(subset=["paper"]).itertuples():
        key = SELECTION_SCORES[row.score]
        entry = papers.reported(key)
        uniform = row.population in cifar_population.COMPARABLE and row.population_size >= cifar_population.MIN_UNIFORM
        verdict = (claims.verdict_for_interval(row.paper, row.low, row.high, tolerance=SELECTION_TOLERANCE)
                   if uniform else "not attempted")
        records.append(dict(
            claim_id=f"{key}.selection.n{row.n}.{row.dataset}".lower(), paper=SELECTION_PAPERS.get(key, entry.method),
            where=entry.source,
            claim=f"Best of N = {row.n} uniformly drawn cells by {row.score} reaches {row.paper:.2f} % 200-epoch "
                  f"test accuracy on {row.dataset}. Ours: {row.repeats} draws from the CIFAR-10 {row.population} "
                  f"({row.population_size} cells, scored on CIFAR-10 images), the pick's NB201 test accuracy",
            paper_value=papers.paper_value(key, row.dataset),
            our_value=f"{row.mean:.2f} ± {row.std:.2f} [{row.low:.2f}, {row.high:.2f}]",
            verdict=verdict, chapter=chapter, source="our code, real data"))
    return records
