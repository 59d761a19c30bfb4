"""The paper-scale run (issue 25, item 3): BigNAS's full recipe and its ablations at
NAS-Bench-201's network size and number of epochs, ready for a GPU.

NAS-Bench-201 (Dong & Yang, ICLR 2020: skeleton Sec. 2.1 and Fig. 1, hyper-parameters
Table 1) trains every cell in a skeleton of ``C = 16`` channels and ``N = 5`` cells per
stage for 200 epochs. The shipped supernets (``data/nb201-supernet/``) are far smaller
(``C = 8, N = 1``, 8 epochs, sized for a 2-core CPU). The paper-scale job trains, on one GPU, one supernet per
variant (:data:`nascore.supernet.recipe.VARIANTS`: ``full``, ``no_sandwich``,
``no_distillation``, ``neither``) and seed at :data:`SCALE` on the training images this
project ships (10,000 of CIFAR-10's 50,000, ``data/cifar/``), evaluates :data:`CHILDREN`
(the zero-cost architectures, the uniform 200, the largest and smallest child), and
trains the children of :data:`STANDALONE` alone with the same budget: the reference for
"no retraining", 100 being the population under which the claims ledger gives no verdict
(:data:`nascore.claims.MIN_POPULATION`).

The job is :data:`SCRIPT` (one ``nascore supernet run`` process per variant and seed,
``nascore supernet standalone`` in shards, each stopped after ``LIMIT_S`` seconds). Its
store is the work folder: a checkpoint per epoch and one stored result per evaluated or
stand-alone child (:mod:`nascore.tables.nb201_supernet`), so the same command, run again, resumes, and a finished
run costs nothing. When every process has finished, it collects the runs and writes the
table (:func:`nascore.supernet.table.build_table`) to
``$OUT/supernet-paper/data/nb201-supernet-paper-scale/``; copied into ``data/``, the
chapter reads it with :func:`load`, and says :func:`status` when it is absent.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..manifest import note_read
from ..paths import DATA_DIR

#: NAS-Bench-201's network size and epochs (Dong & Yang, ICLR 2020, Sec. 2.1 and Table 1).
SCALE = {"C": 16, "N": 5, "epochs": 200}
#: Children evaluated in every paper-scale supernet (specs of :func:`.runs.children_for`).
CHILDREN = ("zc", "sample:200", "ends")
#: Children trained alone with the same budget (the "no retraining" reference).
STANDALONE = "zcsample:100"
#: The variants trained: the full method and the three ablations.
VARIANTS = ("full", "no_sandwich", "no_distillation", "neither")
TABLE_DIR = DATA_DIR / "nb201-supernet-paper-scale"
SCRIPT = "data/nb201-supernet/run_gpu.sh"
#: What to run, from the repository root, on a machine with a GPU.
COMMAND = f"OUT=/some/dir bash {SCRIPT}, then copy $OUT/supernet-paper/data/{TABLE_DIR.name} into data/"


def load(table_dir: Path | str | None = None) -> dict | None:
    """The paper-scale table, or ``None`` while it is absent (the GPU job has not run).

    Returns ``{"results", "runs", "standalone"}`` in the formats of the shipped table
    (:mod:`.table`; ``standalone`` is empty if the job trained no child alone).
    """
    folder = Path(table_dir) if table_dir is not None else TABLE_DIR
    if not (folder / "results.csv").exists():
        return None
    frames = {}
    for name in ("results", "runs", "standalone"):
        path = folder / f"{name}.csv"
        if path.exists():
            note_read(path)
            frames[name] = pd.read_csv(path)
    if "runs" not in frames:
        raise FileNotFoundError(f"{folder / 'runs.csv'} is missing: rebuild the table with `nascore supernet table`")
    frames.setdefault("standalone", pd.DataFrame(columns=["arch", "standalone_seed", "standalone_accuracy",
                                                          "seconds"]))
    return frames


def status(tables: dict | None) -> str:
    """One line for the chapter: what the paper-scale table holds, or that it is missing
    and the command that makes it."""
    if tables is None:
        return f"not run yet — needs a GPU; command: {COMMAND}"
    runs = tables["runs"]
    unfinished = int((~runs.finished.astype(bool)).sum())
    return (f"{len(runs)} supernets (C = {int(runs.C.max())}, N = {int(runs.N.max())}, "
            f"{int(runs.epochs_done.min())} epochs, {int(runs.train_images.max()):,} training images) on "
            f"{runs.device.iloc[0]}" + (f"; {unfinished} not finished" if unfinished else ""))
