"""The budget curve: one supernet recipe trained for several numbers of epochs.

Issue 25 asks whether the supernet's negative ranking at 8 epochs is a budget effect.
:func:`run_curve` trains, for each budget in ``epochs`` and each variant in
``variants`` (default: the full method and the same without the sandwich rule), one
supernet with its whole schedule for that many epochs, through :func:`.runs.run`, in
``WORK/e<epochs>/<variant>-s<seed>/``, and evaluates its children (default: the uniform
200, ``sample:200``, and the two ends of the sandwich rule). Budgets run shortest first,
so the curve fills from the left; every run is resumable (checkpoint per epoch, one stored
result per evaluated child, :mod:`nascore.tables.nb201_supernet`), so the same command, run again after a kill, continues where
it stopped and a finished run costs nothing.

:func:`curve_table` reads a work folder into one row per (epochs, variant): Kendall's
tau between the children's supernet accuracy and NAS-Bench-201's real CIFAR-10
validation accuracy (:func:`nascore.stats.kendall`, tau-b), the mean child accuracy, the
largest and smallest child's accuracy, training seconds and seconds per epoch; and, per
budget, the sandwich gap: ``tau(full) - tau(no_sandwich)`` and the mean paired accuracy
difference over the same children.

The CPU-scale job (C = 8, N = 1, the 10,000 training images, 256 calibration images as
in the shipped table), one process per variant so that two cores both work::

    W=/work/stores/supernet-curve; COMMON="-C 8 -N 1 --threads 1 --no-progress"
    nice nascore supernet curve --work $W --variants full $COMMON &
    nice nascore supernet curve --work $W --variants no_sandwich $COMMON &
    wait; nascore supernet curve-table --work $W --out $W/curve.csv

It trains 8 + 16 + 32 + 64 = 120 epochs per variant: at the 43-97 s per epoch of the
shipped 8-epoch runs (one thread each, two cores shared with another job) about 1.5-3.2
hours per variant, several times that on a busier machine; evaluating 202 children
per run adds minutes. Rerun the same lines after a kill. The wider setting is the same
with ``-C 16`` and another ``--work`` (about twice the time per epoch).
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from . import children as kids
from .recipe import Recipe
from .runs import SUMMARY, run, run_name

EPOCHS = (8, 16, 32, 64)
CURVE_VARIANTS = ("full", "no_sandwich")


def curve_runs(*, epochs=EPOCHS, variants=CURVE_VARIANTS, seed: int = 0, **recipe_fields) -> list[tuple[str, Recipe]]:
    """``(subfolder, recipe)`` of every run of the curve, shortest budget first."""
    epochs = sorted(dict.fromkeys(epochs))
    if not epochs or any(isinstance(e, bool) or not isinstance(e, int) or e < 1 for e in epochs):
        raise ValueError(f"epochs must be positive integers, got {epochs!r}")
    return [(f"e{e}", Recipe.for_variant(v, epochs=e, seed=seed, **recipe_fields)) for e in epochs for v in variants]


def run_curve(work_dir: Path | str, *, epochs=EPOCHS, variants=CURVE_VARIANTS, seed: int = 0,
              children=("sample:200", "ends"), calibration_images: int = 256, test_images: int | None = None,
              device: str = "cpu", progress: bool = True, cost_steps: int = 3, images=None,
              **recipe_fields) -> list[Path]:
    """Train and evaluate every run of the curve (see the module docstring); returns the
    run directories."""
    done = []
    for folder, recipe in curve_runs(epochs=epochs, variants=variants, seed=seed, **recipe_fields):
        done.append(run(Path(work_dir) / folder, recipe, list(children), device=device, images=images,
                        calibration_images=calibration_images, test_images=test_images, progress=progress,
                        cost_steps=cost_steps))
    return done


def _children(run_dir: Path) -> pd.DataFrame:
    frames = [pd.read_csv(p) for p in sorted(run_dir.glob("children-*.csv"))]
    if not frames:
        return pd.DataFrame(columns=["arch", "supernet_accuracy"])
    return pd.concat(frames).dropna(subset=["supernet_accuracy"]).drop_duplicates("arch")


def curve_table(work_dir: Path | str, *, sample: str = "sample:200") -> pd.DataFrame:
    """One row per finished or partial run under ``work_dir/e*/`` (see the module
    docstring); ``sample``: the children spec whose CSV is ranked."""
    from .. import bench, stats

    sample = sample.replace(":", "")

    truth = bench.load("nb201", "cifar10").set_index("arch")["val_accuracy"]
    rows, ranked = [], {}
    for summary_path in sorted(Path(work_dir).glob(f"e*/*/{SUMMARY}")):
        run_dir = summary_path.parent
        summary = json.loads(summary_path.read_text())
        recipe = Recipe.from_dict(summary["recipe"])
        every = _children(run_dir).set_index("arch")["supernet_accuracy"]
        part = pd.read_csv(run_dir / f"children-{sample}.csv") if (run_dir / f"children-{sample}.csv").exists() \
            else pd.DataFrame(columns=["arch", "supernet_accuracy"])
        part = part.dropna(subset=["supernet_accuracy"])
        ranked[(recipe.epochs, recipe.variant)] = part.set_index("arch")["supernet_accuracy"]
        tau = stats.kendall(part.supernet_accuracy, truth.loc[part.arch], n_boot=0).value if len(part) > 2 else None
        epochs_done = summary.get("epochs_done")
        rows.append({"epochs": recipe.epochs, "variant": recipe.variant, "C": recipe.C, "N": recipe.N,
                     "seed": recipe.seed, "epochs_done": epochs_done, "children": len(part), "kendall": tau,
                     "mean_accuracy": float(part.supernet_accuracy.mean()) if len(part) else None,
                     "largest": every.get(kids.largest(recipe.C, recipe.N)),
                     "smallest": every.get(kids.smallest(recipe.C, recipe.N)),
                     "train_seconds": summary.get("train_seconds"),
                     "seconds_per_epoch": summary["train_seconds"] / epochs_done if epochs_done else None,
                     "finished": "finished" in summary, "run": f"{run_dir.parent.name}/{run_name(recipe)}"})
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    gaps = []
    for e in sorted(set(table.epochs)):
        full, plain = ranked.get((e, "full")), ranked.get((e, "no_sandwich"))
        if full is None or plain is None:
            continue
        both = full.index.intersection(plain.index)
        tau = table[table.epochs == e].set_index("variant")["kendall"].astype(float)
        gaps.append({"epochs": e, "sandwich_tau_gap": tau["full"] - tau["no_sandwich"],
                     "sandwich_accuracy_gap": float((full[both] - plain[both]).mean()) if len(both) else None})
    if gaps:
        table = table.merge(pd.DataFrame(gaps), on="epochs", how="left")
    return table.sort_values(["epochs", "variant"]).reset_index(drop=True)


#: The shipped curve (``data/nb201-supernet/``): one row per run, and the ranked children.
CURVE_FILE, CURVE_CHILDREN_FILE = "curve.csv", "curve_children.csv"


def export_curve(work_dir: Path | str, dest: Path | str, *, sample: str = "sample:200") -> list[Path]:
    """Write ``dest/curve.csv`` (:func:`curve_table`) and ``dest/curve_children.csv`` (one
    row per ranked child of each run: ``epochs``, ``variant``, ``seed``, ``finished``,
    ``arch``, ``supernet_accuracy``) and rewrite the folder's manifest
    (:func:`nascore.tables.export_files.write_table_files`); returns the paths.
    Runs still training are written with ``finished`` False: a reader keeps them apart."""
    from ..tables.export_files import write_table_files

    table = curve_table(work_dir, sample=sample)
    if table.empty:
        raise ValueError(f"no budget-curve run under {str(work_dir)!r} (expected e<epochs>/<run>/{SUMMARY})")
    rows = []
    for summary_path in sorted(Path(work_dir).glob(f"e*/*/{SUMMARY}")):
        summary = json.loads(summary_path.read_text())
        recipe = Recipe.from_dict(summary["recipe"])
        path = summary_path.parent / f"children-{sample.replace(':', '')}.csv"
        if path.exists():
            part = pd.read_csv(path).dropna(subset=["supernet_accuracy"])[["arch", "supernet_accuracy"]]
            rows.append(part.assign(epochs=recipe.epochs, variant=recipe.variant, seed=recipe.seed,
                                    finished="finished" in summary))
    children = (pd.concat(rows, ignore_index=True) if rows else
                pd.DataFrame(columns=["arch", "supernet_accuracy", "epochs", "variant", "seed", "finished"]))
    children = children[["epochs", "variant", "seed", "finished", "arch", "supernet_accuracy"]]
    children = children.sort_values(["epochs", "variant", "arch"])
    return write_table_files(dest, {CURVE_FILE: (table, "%.6g"), CURVE_CHILDREN_FILE: (children, "%.6g")})


def read_curve(folder: Path | str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The shipped curve ``(runs, children)`` from ``folder`` (default
    ``data/nb201-supernet``), each file checked against the folder's manifest; two empty
    frames while no curve is shipped."""
    from ..manifest import note_read
    from ..paths import DATA_DIR

    folder = Path(folder) if folder is not None else DATA_DIR / "nb201-supernet"
    runs_path, children_path = folder / CURVE_FILE, folder / CURVE_CHILDREN_FILE
    if not (runs_path.exists() and children_path.exists()):
        return pd.DataFrame(), pd.DataFrame()
    note_read(runs_path), note_read(children_path)
    return pd.read_csv(runs_path), pd.read_csv(children_path)
