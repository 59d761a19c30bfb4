"""The shipped table ``data/nb201-supernet/``: child accuracies of trained supernets.

:func:`build_table` turns the output of :func:`nascore.supernet.runs.collect`
(``children.csv``, ``runs.json``) into

- ``results.csv``: one row per (architecture, variant, supernet seed): ``arch``,
  ``variant``, ``supernet_seed``, ``supernet_accuracy`` (percent, 1,017 lossless CIFAR-10
  test images, BN recalibrated, no retraining), ``eval_seconds`` and ``sets`` (which
  evaluated sets held the architecture: ``zc``, ``sample1000``, or both joined by ``+``);
- ``runs.csv``: one row per supernet: variant, seed, epochs, training seconds, the
  measured seconds per supernet step and per single-child step and their ratio, the
  device, and whether the table is a provisional stand-in;
- ``standalone.csv`` (when the job trained any): ``arch``, ``standalone_seed``,
  ``standalone_accuracy`` of children trained alone under the supernet's budget
  (:mod:`nascore.supernet.standalone`), ``seconds``;
- ``README.md``: protocol, provenance and licence.

:func:`load_runs` reads ``runs.csv`` back; the results are read with
``nascore.bench.load("nb201-supernet", dataset="cifar10")`` (with an ``epochs`` column and the
budget curve's longer runs, :func:`nascore.tables.readers.supernet_children`), and
:func:`ablation_rows` selects the ablation runs' rows (:data:`ABLATION_EPOCHS`).
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from ..manifest import note_read
from ..paths import DATA_DIR
from ..tables.export_files import command_line, write_table_files

TABLE_DIR = DATA_DIR / "nb201-supernet"
#: The budget (epochs) of the shipped ablation runs (``runs.csv``: every variant, two seeds);
#: ``nascore.bench.load("nb201-supernet")`` also holds the budget curve's longer runs.
ABLATION_EPOCHS = 8


def ablation_rows(children: pd.DataFrame, epochs: int = ABLATION_EPOCHS) -> pd.DataFrame:
    """The rows of ``children`` (``nascore.bench.load("nb201-supernet")``) trained for
    ``epochs``, without the ``epochs`` column: by default the ablation runs, as
    ``results.csv`` holds them. ``ValueError`` when the frame has no ``epochs`` column or
    no row of that budget (naming the budgets it has)."""
    if "epochs" not in children.columns:
        raise ValueError("the frame has no `epochs` column: pass nascore.bench.load('nb201-supernet')")
    chosen = children[children.epochs == epochs]
    if chosen.empty:
        raise ValueError(f"no supernet child trained for {epochs!r} epochs; budgets: "
                         f"{', '.join(map(str, sorted(set(children.epochs))))}")
    return chosen.drop(columns="epochs").reset_index(drop=True)


def _runs_frame(runs: dict, provisional: bool) -> pd.DataFrame:
    rows = []
    for name, s in sorted(runs.items()):
        step = s.get("step_seconds", {})
        env = s.get("environment", {})
        rows.append({"run": name, "variant": s["variant"], "supernet_seed": s["seed"],
                     "C": s["recipe"]["C"], "N": s["recipe"]["N"], "epochs": s["recipe"]["epochs"],
                     "epochs_done": s.get("epochs_done"), "stopped_early": s.get("stopped_early"),
                     "train_images": s["recipe"]["train_images"] or 10_000,
                     "steps_per_epoch": s.get("steps_per_epoch"), "train_seconds": s.get("train_seconds"),
                     "step_seconds_supernet": step.get("supernet"), "step_seconds_child": step.get("child"),
                     "step_ratio": step.get("ratio"), "device": env.get("gpu") or env.get("device"),
                     "torch": env.get("torch"), "finished": bool(s.get("finished")),
                     "provisional": provisional})
    return pd.DataFrame(rows)


def _results_frame(children: pd.DataFrame) -> pd.DataFrame:
    keys = ["arch", "variant", "supernet_seed"]
    sets = children.groupby(keys, sort=False)["children"].agg(lambda v: "+".join(sorted(set(v))))
    first = children.drop_duplicates(keys).set_index(keys)
    out = first.assign(sets=sets).reset_index()
    out = out.rename(columns={"seconds": "eval_seconds"})
    return out[keys + ["supernet_accuracy", "eval_seconds", "sets"]]


def build_table(collected: Path | str, to: Path | str | None = None, *, command: str = "",
                provisional: bool = False) -> Path:
    """Write ``results.csv``, ``runs.csv`` (and ``standalone.csv``), ``README.md`` and the
    manifest into ``to`` (default ``data/nb201-supernet``) from a
    :func:`~nascore.supernet.runs.collect` folder
    (:func:`nascore.tables.export_files.write_table_files`); returns ``to``."""
    collected = Path(collected)
    to = Path(to) if to is not None else TABLE_DIR
    missing = [f for f in ("children.csv", "runs.json") if not (collected / f).exists()]
    if missing:
        raise ValueError(f"{collected} lacks {missing}: run `nascore supernet collect` first")
    children = pd.read_csv(collected / "children.csv")
    runs = json.loads((collected / "runs.json").read_text())
    if children.empty or not runs:
        raise ValueError(f"{collected} holds no evaluated children")
    results = _results_frame(children)
    run_table = _runs_frame(runs, provisional)
    csvs = {"results.csv": (results, None), "runs.csv": (run_table, None)}
    if (collected / "standalone.csv").exists():
        csvs["standalone.csv"] = (pd.read_csv(collected / "standalone.csv"), None)
    write_table_files(to, csvs, readme=_readme(results, run_table, runs, command, provisional, to.name))
    return to


def _readme(results, run_table, runs, command, provisional, folder) -> list[str]:
    """The README's lines above its integrity note."""
    from .paper_scale import SCALE, TABLE_DIR

    first = next(iter(runs.values()))
    recipe = first["recipe"]
    paper = all(recipe[k] == v for k, v in SCALE.items())
    counts = results.groupby(["variant", "supernet_seed"]).size()
    sets = sorted({s for v in results["sets"] for s in v.split("+")})
    lines = ["# Child accuracies of BigNAS-style supernets over NAS-Bench-201 (CIFAR-10)", ""]
    if provisional:
        lines += ["**PROVISIONAL**: a tiny CPU-trained stand-in made while the GPU job was pending; "
                  "its numbers say nothing about weight sharing. Replace it with the GPU job's output.", ""]
    loader = ("`nascore.supernet.paper_scale.load()`" if folder == TABLE_DIR.name else
              "`nascore.bench.load(\"nb201-supernet\", dataset=\"cifar10\")`; run facts with "
              "`nascore.supernet.table.load_runs()`")
    lines += [
        f"Produced by this project with `nascore.supernet` (load with {loader}).", "",
        "## Protocol", "",
        f"- supernet: NAS-Bench-201 skeleton, C={recipe['C']}, N={recipe['N']} cell(s) per stage; every edge holds "
        "all five operations with shared weights (`nascore.supernet.network.Supernet`)",
        f"- training: {recipe['train_images'] or 10000} real CIFAR-10 training images (JPEG-decoded subset, "
        "`data/cifar/`), random crop (pad 4) + horizontal flip, NAS-Bench-201 normalisation; "
        f"{recipe['epochs']} epochs, batch {recipe['batch_size']}, SGD Nesterov momentum {recipe['momentum']}, "
        f"peak lr {recipe['lr']}, schedule `{recipe['schedule']}` (exponential decay to {recipe['lr_floor']:.0%} "
        f"of the peak at {recipe['decay_fraction']:.0%} of training, then constant), weight decay "
        f"{recipe['weight_decay']} on the teacher only",
        "- BigNAS techniques (Yu et al., ECCV 2020, Sec. 3.1): sandwich rule (largest + smallest + 2 random "
        "connected children per step, gradients summed), inplace distillation (teacher on labels, others on its "
        "detached soft predictions), zero-init of the last BN gamma of each residual block; variants switch off "
        "the sandwich rule (4 random children, the largest of them is the teacher), distillation (all on labels) "
        "or both",
        "- stand-alone reference (`standalone.csv`, if present): children drawn from `zc` trained alone as "
        "`nb201.Network(arch, C, N)` with the same images, augmentation, epochs and batch, NAS-Bench-201's lone-"
        "network recipe (cosine schedule, weight decay on all conv/linear weights, labels only), evaluated with "
        "their running BN statistics on the same test images",
        f"- evaluation: per child, BN statistics recomputed on {first.get('calibration_images', 1024):,} training "
        "images (batches of 256, no augmentation, the same images for every child), then top-1 accuracy on the "
        "lossless CIFAR-10 test images (all 1,017 unless the job said otherwise); no retraining or fine-tuning",
        f"- scale: C={recipe['C']}, N={recipe['N']}, {recipe['epochs']} epochs (NAS-Bench-201 trains C=16, N=5 "
        "networks for 200 epochs on 50,000 images): " + (
            "NAS-Bench-201's network and epochs on a fifth of its images (`nascore.supernet.paper_scale`)" if paper
            else "a supernet sized for the machine it ran on") + ", so its children's accuracies are below "
        "NAS-Bench-201's and only their ranking is compared with them",
        f"- children: {', '.join(sets)} (`zc`: the NAS-Bench-201 zero-cost table's architectures; `sampleN`: the "
        "first N of the 15,625 in a fixed random order (NumPy seed 0), the same architectures as the CIFAR score "
        "table's uniform sample; `zcsampleN`: the first N of `zc` in a fixed random order; smaller sets of one "
        "kind lie inside larger ones, the same for every run)",
        f"- rows per run: {', '.join(f'{v}/s{s}: {n}' for (v, s), n in counts.items())}", "",
        "## Runs", "", run_table.to_markdown(index=False) if _has_tabulate() else run_table.to_string(index=False), "",
        "## Provenance", "",
        command_line(command, absent="not recorded"),
        f"- environment: {json.dumps(first.get('environment', {}), sort_keys=True)}",
        f"- table built: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}", "",
        "## Columns", "",
        "`results.csv`: `arch` (NAS-Bench-201 string), `variant` (full, no_sandwich, no_distillation, neither), "
        "`supernet_seed`, `supernet_accuracy` (percent), `eval_seconds` (recalibration + test of that child), "
        "`sets`. `runs.csv`: one row per supernet (see above). The loader adds `epochs` (each run's whole "
        "schedule, from `runs.csv`) and the children of the budget curve's finished runs longer than these, "
        "when `curve_children.csv` is shipped (`nascore.tables.readers.supernet_children`).", "",
        "## Licence", "",
        "Produced by this project: the table is released under the project's MIT licence (`LICENSE` at the "
        "repository root). It was computed from CIFAR-10 images (`data/cifar/`; no formal licence; cite "
        "A. Krizhevsky, *Learning Multiple Layers of Features from Tiny Images*, 2009) and names NAS-Bench-201 "
        "architectures (Dong & Yang, ICLR 2020); cite both with it.", ""]
    return lines


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


def load_standalone(table_dir: Path | str | None = None) -> pd.DataFrame:
    """``standalone.csv`` of the shipped table (empty frame if the job trained none)."""
    path = Path(table_dir or TABLE_DIR) / "standalone.csv"
    if not path.exists():
        return pd.DataFrame(columns=["arch", "standalone_seed", "standalone_accuracy", "seconds"])
    note_read(path)
    return pd.read_csv(path)


def load_runs(table_dir: Path | str | None = None) -> pd.DataFrame:
    """``runs.csv`` of the shipped table: one row per trained supernet."""
    path = Path(table_dir or TABLE_DIR) / "runs.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: build the table with `nascore supernet table`")
    note_read(path)
    return pd.read_csv(path)
