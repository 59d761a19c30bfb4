"""Export the real-CIFAR NTK results store (:mod:`.job`) into the CSV files of
``data/nb201-cifar-ntk/`` (``nascore bench cifar-ntk export``, :mod:`nascore.cli.cifar_ntk`).

- :func:`export`: the main tables (``cifar10.csv``, ``cifar100.csv``, ``hnas_all_cifar10.csv``,
  ``cost.csv``, ``batch_study.csv``) from the store alone; :func:`extend_hnas_all`: new
  full-space HNAS rows added to the shipped file;
- :func:`export_lga_population`, :func:`export_zhu_uniform`: one file each, read from every
  record of one group whatever its content key (a store filled by older code still exports),
  merged into the file already there (:func:`merged_rows`): a run resumed with
  ``stats --skip-table`` after its store was lost adds its rows and drops none.

    nascore bench cifar-ntk export --store DIR --dest data/nb201-cifar-ntk
    nascore bench cifar-ntk export --store DIR --zhu-uniform
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..export_files import write_table_files
from .after_epoch import COLUMNS as TRAIN_COLUMNS
from .architectures import LGA_POPULATION, arch_list
from .results import records
from .statistics import COLUMNS, DATASETS, GROUPS, OFFICIAL_BATCH
from .store_tables import batch_study, cost, extra_column, gpu_last, table


def _check_store(store_dir, what: str = "nothing to export") -> None:
    if not Path(store_dir).is_dir():
        raise ValueError(f"no results store at {str(store_dir)!r}: {what} (--store names the folder "
                         "that `stats` / `train` filled)")


# ----------------------------------------------------------------------------- the main tables
def export(store_dir, dest, batches=None, extra=None) -> list[Path]:
    """Write ``cifar10.csv``, ``cifar100.csv``, ``hnas_all_cifar10.csv`` (the 15,625),
    ``cost.csv`` and ``batch_study.csv`` into ``dest``; returns the paths written.
    ``batches``: per-group batch of the tables (default: the official ones); ``extra``:
    per-group batches added as suffixed columns (:func:`.store_tables.table`). Written, with
    the folder's manifest, by :func:`nascore.tables.export_files.write_table_files`."""
    from nascore.spaces import nb201

    _check_store(store_dir)
    zc = set(arch_list("zc"))
    csvs = {}
    for dataset in DATASETS:
        frame = table(store_dir, dataset, batches, extra)
        if frame.empty:
            continue
        full = frame[frame.arch.isin(zc)]
        csvs[f"{dataset}.csv"] = (full, "%.10g")
        if dataset == "cifar10" and "ntk_trace" in frame:
            # a row counts once M exists (kappa is NaN for an exactly singular kernel)
            hnas = frame[["arch"] + [c for c in COLUMNS["hnas"] if c in frame]].dropna(subset=["ntk_trace"])
            if len(hnas) > len(full):
                hnas = hnas.assign(op_indices=[str(nb201.to_op_indices(a)) for a in hnas.arch])
                csvs["hnas_all_cifar10.csv"] = (hnas, "%.10g")
    for name, frame in (("cost", cost(store_dir)), ("batch_study", batch_study(store_dir))):
        if not frame.empty:
            csvs[f"{name}.csv"] = (frame, "%.6g")
    return write_table_files(dest, csvs)


def extend_hnas_all(store_dir, dest) -> tuple[Path, int]:
    """Add the store's HNAS rows (CIFAR-10, official batch) that ``dest/hnas_all_cifar10.csv``
    lacks to that file, keeping every row it has (a run resumed with ``--skip-table`` whose
    earlier store is gone); rewrites the folder's manifest. Returns the path and how many
    rows were added."""
    from nascore.spaces import nb201

    path = Path(dest) / "hnas_all_cifar10.csv"
    shipped = pd.read_csv(path)
    _check_store(store_dir, "nothing to add")
    fresh = table(store_dir, "cifar10")
    columns = [c for c in shipped.columns if c not in ("arch", "op_indices")]
    if fresh.empty or "ntk_trace" not in fresh:
        return path, 0
    fresh = fresh[~fresh.arch.isin(set(shipped.arch))].dropna(subset=["ntk_trace"])
    fresh = fresh[["arch"] + [c for c in columns if c in fresh]]
    fresh = fresh.assign(op_indices=[str(nb201.to_op_indices(a)) for a in fresh.arch])[shipped.columns]
    merged = pd.concat([shipped, fresh], ignore_index=True).sort_values("arch", ignore_index=True)
    write_table_files(dest, {path.name: (merged, "%.10g")})
    return path, len(fresh)


# ----------------------------------------------------------------------------- one file each, merged
def merged_rows(path: Path, fresh: dict, *, derived=(), text=()) -> dict:
    """``arch -> {column: value}``: the rows of the CSV file ``path`` (none when it does not
    exist) with the store's values ``fresh`` (``arch -> {column: value}``) written over them.

    A cell the store holds gets the store's value in every column the store computed for it
    and keeps the file's value in the others (a whole row, when the store's record fills
    every column); a cell only in the file is kept as it is; a cell only in the store is
    added. ``derived``: columns recomputed from the arch by the caller (dropped here);
    ``text``: columns read as text (a torch version ``2.10`` stays ``2.10``). Columns keep
    the file's order, new ones after.
    """
    rows = {}
    if Path(path).is_file():
        shipped = pd.read_csv(path, dtype={c: str for c in text})
        for row in shipped.drop(columns=[c for c in derived if c in shipped]).to_dict("records"):
            rows[row.pop("arch")] = row
    for arch, values in fresh.items():
        rows.setdefault(arch, {}).update(values)
    return rows


def _frame(rows: dict) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("arch").reset_index()


POPULATION_FILE = "lga_first1000_cifar10.csv"


def export_lga_population(store_dir, dest) -> tuple[Path, int]:
    """Write ``dest/lga_first1000_cifar10.csv``: LGA's at-init statistics (CIFAR-10) of the
    cells among NAS-Bench-201 indices 0..999, one row per cell with its ``nb201_index``, a
    column per statistic and batch (``lga_b32``: batch 32; the official 256 has unsuffixed
    names), and the after-one-epoch columns of the cells trained (:mod:`.after_epoch`), in
    index order. The store's values are merged into the file already there
    (:func:`merged_rows`: a cell's stored values replace the file's, cells the store lacks
    are kept); rewrites the folder's manifest and touches no other file. Returns the path
    and the number of rows."""
    from nascore.bench.nb201_test import nb201_accuracies

    _check_store(store_dir)
    stats = records(store_dir, "stats")
    index = nb201_accuracies("cifar10").set_index("arch").nb201_index
    rows = {}
    if not stats.empty:
        part = stats[(stats.dataset == "cifar10") & (stats.group == "lga")]
        part = part[part.arch.map(index) < LGA_POPULATION]
        for _, r in part.iterrows():
            suffixed = r.batch != OFFICIAL_BATCH["lga"]
            rows.setdefault(r.arch, {}).update(
                {extra_column(c, r.batch) if suffixed else c: r[c] for c in COLUMNS["lga"]})
    trained = records(store_dir, "train")
    if not trained.empty:
        for _, r in trained[trained.arch.map(index) < LGA_POPULATION].iterrows():
            rows.setdefault(r.arch, {}).update({c: r[c] for c in TRAIN_COLUMNS})
    frame = _frame(merged_rows(Path(dest) / POPULATION_FILE, rows, derived=("nb201_index",)))
    if not frame.empty:
        frame.insert(1, "nb201_index", frame.arch.map(index).astype(int))
        frame = frame.sort_values("nb201_index", ignore_index=True)
    write_table_files(dest, {POPULATION_FILE: (frame, "%.10g")})
    return Path(dest) / POPULATION_FILE, len(frame)


ZHU_UNIFORM_FILE = "zhu_uniform_cifar10.csv"
#: Batch of Zhu's kernel on the uniform sample: the CPU batch of the shipped
#: ``ntk_lambda_min_b16`` column (TE-NAS's 72 is out of a CPU's reach, README).
ZHU_UNIFORM_BATCH = 16
#: What a row of :data:`ZHU_UNIFORM_FILE` keeps of its record besides the statistic.
ZHU_UNIFORM_RUN = ("seconds", "device", "device_name", "torch")


def export_zhu_uniform(store_dir, dest, *, batch: int = ZHU_UNIFORM_BATCH, seed: int = 0) -> tuple[Path, int]:
    """Write ``dest/zhu_uniform_cifar10.csv``: Zhu's lambda_min (CIFAR-10, ``batch``, ``seed``)
    of every cell the store holds, from every ``zhu`` record whatever its content key (a
    store filled by older code still exports). One row per cell: ``arch``, ``nb201_index``,
    ``uniform_position`` (its place in the fixed random order of ``--archs all``, so a
    reader can keep the unbroken prefix: a uniform sample), the statistic suffixed by its
    batch (``ntk_lambda_min_b16``) and :data:`ZHU_UNIFORM_RUN`; a GPU record wins over a
    CPU one of the same cell (as in :func:`.store_tables.table`). The store's rows are merged
    into the file already there (:func:`merged_rows`): a stored cell's row replaces the
    file's row of that cell, every other row of the file is kept. Rows in
    ``uniform_position`` order; rewrites the folder's manifest, touches no other file.
    Returns the path and the number of rows written; ``ValueError`` when the store holds no
    such record."""
    from nascore.bench.cifar_scores import select_archs
    from nascore.bench.nb201_test import nb201_accuracies

    _check_store(store_dir)
    stats = records(store_dir, "stats")
    part = stats.iloc[:0] if stats.empty else stats[(stats.dataset == "cifar10") & (stats.group == "zhu")
                                                    & (stats.batch == batch) & (stats.seed == seed)]
    if part.empty:
        raise ValueError(f"the store at {str(store_dir)!r} holds no zhu record on cifar10 at batch {batch} "
                         f"(seed {seed}); run `nascore bench cifar-ntk stats --archs all,first:3000 --groups zhu "
                         f"--batch-zhu {batch} --store S` first")
    part = gpu_last(part).drop_duplicates("arch", keep="last")  # the GPU record, sorted last, wins
    columns = {c: extra_column(c, batch) for c in COLUMNS["zhu"]}
    fresh = part[["arch", *columns, *ZHU_UNIFORM_RUN]].rename(columns=columns).set_index("arch")
    rows = merged_rows(Path(dest) / ZHU_UNIFORM_FILE, fresh.to_dict("index"),
                       derived=("nb201_index", "uniform_position"), text=("device", "device_name", "torch"))
    frame = _frame(rows)
    index = nb201_accuracies("cifar10").set_index("arch").nb201_index
    position = {a: i for i, a in enumerate(select_archs("full"))}
    frame.insert(1, "nb201_index", frame.arch.map(index).astype(int))
    frame.insert(2, "uniform_position", frame.arch.map(position).astype(int))
    frame = frame.sort_values("uniform_position", ignore_index=True)
    write_table_files(dest, {ZHU_UNIFORM_FILE: (frame, "%.10g")})
    return Path(dest) / ZHU_UNIFORM_FILE, len(frame)


def parse_extra(items) -> dict:
    """``["lga=32", "zhu=16"]`` -> ``{"lga": 32, "zhu": 16}`` (checked)."""
    out = {}
    for item in items:
        group, _, batch = item.partition("=")
        if group not in GROUPS or not batch.isdigit() or int(batch) < 1:
            raise ValueError(f"bad --extra {item!r}: expected GROUP=BATCH with GROUP one of "
                             f"{', '.join(GROUPS)} and BATCH a positive integer")
        out[group] = int(batch)
    return out
