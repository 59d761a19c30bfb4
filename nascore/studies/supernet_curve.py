"""The budget curve in the weight-sharing chapter (a part of its study): one recipe trained
for several numbers of epochs (:mod:`nascore.supernet.curve`, shipped as
``data/nb201-supernet/curve.csv`` and ``curve_children.csv``, read by
:func:`nascore.supernet.curve.read_curve`).

- :func:`curve_summary`: per budget and variant, Kendall's tau of the children with
  NAS-Bench-201's accuracy, with its interval;
- :func:`sign_change` and :func:`interval_signs`: where the tau's interval lies against 0
  along the budget;
- :func:`sandwich_by_budget`: what the sandwich rule changes at each budget the curve
  finished with and without it (the mean paired accuracy difference with its interval,
  and the tau gap), the evidence the sandwich claim's longer budgets rest on.
"""
from __future__ import annotations

import pandas as pd

from .. import bench, stats
from .supernet_verdicts import epochs_text

#: The two variants the curve trains: with and without the sandwich rule.
WITH, WITHOUT = "full", "no_sandwich"


def curve_summary(runs: pd.DataFrame, children: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """The budget curve with intervals: per (``epochs``, ``variant``) of the shipped curve
    (:func:`nascore.supernet.curve.read_curve`), Kendall's tau between the children's
    supernet accuracy and NAS-Bench-201's CIFAR-10 validation accuracy (``tau``, ``low``,
    ``high``, ``n``), tau with the 200-epoch test accuracy (``tau_test``), the mean child
    and the largest child's accuracy, seconds per epoch and whether the run finished."""
    if runs.empty:
        return pd.DataFrame(columns=["epochs", "variant", "n", "tau", "low", "high", "tau_test", "mean_accuracy",
                                     "largest", "seconds_per_epoch", "finished"])
    truth = bench.load("nb201", "cifar10").set_index("arch")
    rows = []
    for (epochs, variant), part in children.groupby(["epochs", "variant"], sort=True):
        run = runs[(runs.epochs == epochs) & (runs.variant == variant)].iloc[0]
        acc = part.supernet_accuracy.to_numpy(float)
        r = stats.kendall(acc, truth.loc[part.arch, "val_accuracy"].to_numpy(float), n_boot=n_boot, seed=seed)
        test = stats.kendall(acc, truth.loc[part.arch, "test_accuracy"].to_numpy(float), n_boot=0)
        rows.append({"epochs": int(epochs), "variant": variant, "n": r.n, "tau": r.value, "low": r.low,
                     "high": r.high, "tau_test": test.value, "mean_accuracy": float(acc.mean()),
                     "largest": run.largest, "seconds_per_epoch": run.seconds_per_epoch,
                     "finished": bool(run.finished)})
    return pd.DataFrame(rows)


def _finished(summary: pd.DataFrame, variant: str) -> pd.DataFrame:
    if summary.empty:
        return summary
    return summary[(summary.variant == variant) & summary.finished.astype(bool)].sort_values("epochs")


def sign_change(summary: pd.DataFrame, variant: str = WITH) -> str:
    """Where ``variant``'s tau turns positive along the budget: "at E epochs" for the first
    finished budget whose interval lies above 0 (every shorter one's did not), "not within
    E epochs" when none does up to the longest finished budget E, "no finished budget"
    otherwise.

    >>> s = pd.DataFrame({"epochs": [8, 16, 32], "variant": "full", "low": [-0.3, -0.1, 0.05], "finished": True})
    >>> sign_change(s), sign_change(s[s.epochs < 32])
    ('at 32 epochs', 'not within 16 epochs')
    """
    part = _finished(summary, variant)
    if part.empty:
        return "no finished budget"
    above = part[part.low > 0]
    return f"at {int(above.epochs.iloc[0])} epochs" if len(above) else f"not within {int(part.epochs.max())} epochs"


def interval_signs(summary: pd.DataFrame, variant: str) -> str:
    """Where ``variant``'s tau interval lies at each finished budget, budgets of one reading
    grouped in order of first appearance: "above 0" (``low > 0``), "below 0" (``high < 0``)
    or "covers 0"; "no finished budget" without one.

    >>> s = pd.DataFrame({"epochs": [8, 16], "variant": "v", "low": [0.05, -0.01], "high": [0.2, 0.16],
    ...                   "finished": True})
    >>> interval_signs(s, "v"), interval_signs(s.assign(low=[-0.3, -0.3], high=[-0.1, 0.0]), "v")
    ('above 0 at 8 epochs, covers 0 at 16 epochs', 'below 0 at 8 epochs, covers 0 at 16 epochs')
    """
    part = _finished(summary, variant)
    if part.empty:
        return "no finished budget"
    readings: dict[str, list] = {}
    for row in part.itertuples():
        reading = "above 0" if row.low > 0 else "below 0" if row.high < 0 else "covers 0"
        readings.setdefault(reading, []).append(row.epochs)
    return ", ".join(f"{reading} at {epochs_text(epochs)}" for reading, epochs in readings.items())


def sandwich_by_budget(runs: pd.DataFrame, children: pd.DataFrame, *, n_boot: int = 2000,
                       seed: int = 0) -> dict | None:
    """What the sandwich rule changes at each budget of the curve where both variants
    finished: ``{"C", "N", "seeds", "diffs": {epochs: {"mean", "low", "high", "n",
    "tau_gap"}}}``, the diff being the mean over the children both runs ranked of
    ``acc(full) - acc(no_sandwich)`` (each averaged over the curve's seeds) with its
    bootstrap interval over children (:func:`nascore.stats.mean_ci`), and ``tau_gap``
    ``tau(full) - tau(no_sandwich)`` of the runs' ``kendall`` (``curve.csv``). ``None``
    when no budget has both."""
    if runs.empty or children.empty:
        return None
    done = runs[runs.finished.astype(bool)]
    diffs = {}
    for epochs in sorted(set(done.epochs)):
        here = done[done.epochs == epochs].set_index("variant")
        if not {WITH, WITHOUT} <= set(here.index):
            continue
        part = children[(children.epochs == epochs) & children.finished.astype(bool)]
        wide = part.pivot_table(index="arch", columns="variant", values="supernet_accuracy", aggfunc="mean")
        diff = (wide[WITH] - wide[WITHOUT]).dropna().to_numpy()
        if len(diff) == 0:
            continue
        mean, low, high = stats.mean_ci(diff, n_boot=n_boot, seed=seed)
        diffs[int(epochs)] = {"mean": mean, "low": low, "high": high, "n": len(diff),
                              "tau_gap": float(here.kendall[WITH] - here.kendall[WITHOUT])}
    if not diffs:
        return None
    used = done[done.epochs.isin(diffs) & done.variant.isin([WITH, WITHOUT])]
    sizes = used[["C", "N"]].drop_duplicates()
    if len(sizes) != 1:
        raise ValueError(f"the curve mixes supernet sizes {sorted(map(tuple, sizes.to_numpy().tolist()))}")
    return {"C": int(sizes.C.iloc[0]), "N": int(sizes.N.iloc[0]), "seeds": int(used.seed.nunique()), "diffs": diffs}
