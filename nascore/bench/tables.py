"""Loaders of the shipped NAS-Bench-201 and NAS-Bench-101 tables (see ``data/*/README.md`` for provenance)."""
from __future__ import annotations

import functools
import json
import zipfile

import numpy as np
import pandas as pd

from ..paths import DATA_DIR
from ..manifest import note_read
from ..spaces import nb201
from . import nb101_zc, nb201_test

DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
BENCHMARKS = ("nb201", "nb201-zc", "mixed-mnist5k", "nb201-mnist5k", "nb201-cifar-scores",
              "nb201-cifar-ntk", "nb201-cifar-ntk-hnas", "nb201-cifar-ntk-lga1000", "nb201-supernet", "nb101-zc", "nb101-cifar-scores")
#: Tables this project trained itself: one row per architecture and seed, MNIST-5k only.
TRAINED = {"mixed-mnist5k": ("mixed-mnist5k", "results.csv"), "nb201-mnist5k": ("nb201-mnist5k", "results.csv")}
#: NTK statistics on real CIFAR under the papers' official conventions (``data/nb201-cifar-ntk/``):
#: the 725 zero-cost architectures per dataset, HNAS's M / kappa for all 15,625 (CIFAR-10), and
#: LGA's at-init metrics on its official population, NB201 cells 0..999 (CIFAR-10).
CIFAR_NTK = {"nb201-cifar-ntk": ("cifar10", "cifar100"), "nb201-cifar-ntk-hnas": ("cifar10",),
             "nb201-cifar-ntk-lga1000": ("cifar10",)}
#: File stems of the single-dataset CIFAR NTK tables.
CIFAR_NTK_STEMS = {"nb201-cifar-ntk-hnas": "hnas_all_cifar10", "nb201-cifar-ntk-lga1000": "lga_first1000_cifar10"}
#: Zero-cost proxies in the NAS-Bench-Suite-Zero table (``params``/``flops`` in millions).
ZC_METRICS = ("params", "flops", "grad_norm", "snip", "grasp", "fisher", "synflow", "jacov",
              "nwot", "epe_nas", "l2_norm", "plain")
#: Zen-NAS failures are stored as this value in NASLib's table.
ZEN_FAILED = -1e8


#: Supernet child accuracies (``nascore.supernet``), CIFAR-10 only.
SUPERNET = ("nb201-supernet", "results.csv")


def table_files(name: str):
    """The data files a benchmark is read from (for provenance hashes)."""
    if name in TRAINED:
        return [DATA_DIR.joinpath(*TRAINED[name])]
    if name == SUPERNET[0]:
        return [DATA_DIR.joinpath(*SUPERNET)]
    if name in CIFAR_NTK:
        stem = CIFAR_NTK_STEMS.get(name)
        return [DATA_DIR / "nb201-cifar-ntk" / f"{stem or d}.csv" for d in CIFAR_NTK[name]]
    _check(name, "cifar10")
    if name == "nb201-cifar-scores":
        return [DATA_DIR / "nb201-cifar-scores" / "scores.csv"]
    if name == "nb201-zc":
        return [DATA_DIR / "nasbench201-zc" / "zc_nasbench201.json"]
    if name == "nb101-zc":
        return [nb101_zc.PATH]
    if name == "nb101-cifar-scores":
        return [DATA_DIR / "nb101-cifar-scores" / "scores.csv"]
    return [DATA_DIR / "nasbench201-full" / "nb201_zen.zip", *nb201_test.files()]


#: The datasets of each table (the first is the default of :func:`load`).
TABLE_DATASETS = {"nb201": DATASETS, "nb201-zc": DATASETS, "nb201-cifar-scores": DATASETS,  # IN16: "not attempted"
                  "mixed-mnist5k": ("mnist5k",), "nb201-mnist5k": ("mnist5k",), "nb201-supernet": ("cifar10",),
                  "nb101-zc": ("cifar10",), "nb101-cifar-scores": ("cifar10",), **CIFAR_NTK}


def _check(name, dataset):
    """The canonical spelling of ``dataset`` for table ``name`` (case-insensitive; ``None``
    is the table's first dataset); ``ValueError`` naming what the table has otherwise."""
    if name not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {name!r}; known benchmarks: {', '.join(BENCHMARKS)}")
    allowed = TABLE_DATASETS[name]
    if dataset is None:
        return allowed[0]
    canonical = {d.lower(): d for d in allowed}
    if not isinstance(dataset, str) or dataset.lower() not in canonical:
        raise ValueError(f"table {name} has no dataset {dataset!r}; its datasets: {', '.join(allowed)}")
    return canonical[dataset.lower()]


def load(name: str, dataset: str | None = None) -> pd.DataFrame:
    """One row per architecture: ``arch`` (NAS-Bench-201 string), ``op_indices`` (NASLib
    tuple), ``val_accuracy`` (percent) and every score of the table.

    ``"nb201"`` (all 15,625 cells) also has, joined on ``arch`` from
    ``data/nasbench201-test/`` (:mod:`nascore.bench.nb201_test`): ``test_accuracy`` (the
    200-epoch test accuracy the papers report), ``val_accuracy_12`` and
    ``test_accuracy_12`` (12 epochs; on CIFAR-10 the ``cifar10-valid`` validation
    accuracy HNAS's official search queries) and ``nb201_index``. ``val_accuracy`` stays
    NASLib's 200-epoch validation accuracy. Other tables of NB201 cells get the same
    columns from :func:`nascore.bench.join_accuracies`.

    ``"nb201-cifar-scores"``: our own training-free scores of NAS-Bench-201 architectures on
    real CIFAR batches (``data/nb201-cifar-scores/README.md``), one column per registry
    metric, plus ``in_zc`` (in NASLib's zero-cost table) and the job's ``seconds``;
    ``dataset`` is ``"cifar10"`` or ``"cifar100"`` (ImageNet16-120 was not attempted).

    ``"nb201-cifar-ntk"`` (``dataset`` ``"cifar10"`` or ``"cifar100"``): HNAS's M and
    kappa, TE-NAS's condition number, Zhu's lambda_min, the LGA code's at-init metrics and
    LGA after one epoch on real CIFAR, one row per architecture (NaN where not computed);
    ``"nb201-cifar-ntk-hnas"``: HNAS's M and kappa for all 15,625 (CIFAR-10);
    ``"nb201-cifar-ntk-lga1000"``: the LGA code's at-init metrics on its own population,
    NB201 cells 0..999 (CIFAR-10; ``nb201_index``; ``*_b32`` columns at batch 32); see
    ``data/nb201-cifar-ntk/README.md`` for the protocol.

    ``"mixed-mnist5k"`` and ``"nb201-mnist5k"`` are the ground truths this project trained
    itself (one row per architecture and seed, accuracy as a fraction; ``dataset`` must be
    ``"mnist5k"``): see ``data/<name>/README.md`` for the protocols.

    ``"nb201-supernet"``: child accuracies of this project's BigNAS-style supernets on
    real CIFAR-10 (``dataset`` must be ``"cifar10"``): one row per architecture, variant
    (``full``, ``no_sandwich``, ``no_distillation``, ``neither``) and ``supernet_seed``,
    with ``supernet_accuracy`` in percent (see ``data/nb201-supernet/README.md``).

    ``"nb101-cifar-scores"``: our scores of NB101 cells on real CIFAR-10
    (``nascore bench nb101-scores``; ``data/nb101-cifar-scores/README.md``), one row per
    cell with its ``order`` in the job's fixed random order and NASLib's ``val_accuracy``.

    ``"nb101-zc"`` (``dataset`` must be ``"cifar10"``): NASLib's 500 NAS-Bench-101 entries
    merged into one row per distinct pruned cell (301): ``arch`` (the canonical string of
    :mod:`nascore.spaces.nb101`), ``naslib_tuple``, ``isomorphism_key``, ``n_entries``,
    ``val_accuracy`` (percent), ``params`` (millions), ``flops`` and NASLib's scores, each the
    mean over the cell's entries (:func:`nascore.bench.nb101_zc.architectures`; the 500 as
    stored: :func:`nascore.bench.nb101_zc.entries`).

    ``dataset`` is matched without regard to case; ``None`` is the table's first dataset
    (:data:`TABLE_DATASETS`); a dataset the table does not have is refused, naming those it has.

    The frame is a fresh copy: callers may modify it.
    """
    dataset = _check(name, dataset)
    if name == SUPERNET[0]:
        path = table_files(name)[0]
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: build it with `nascore supernet table`")
        note_read(path)
        return pd.read_csv(path)
    if name in TRAINED:
        path = table_files(name)[0]
        note_read(path)
        return pd.read_csv(path)
    if name in CIFAR_NTK:
        files = table_files(name)
        path = files[CIFAR_NTK[name].index(dataset)]
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing; compute it with `nascore bench cifar-ntk` "
                                    "(see data/nb201-cifar-ntk/README.md)")
        note_read(path)
        frame = pd.read_csv(path).drop(columns=["op_indices"], errors="ignore")  # the CSV's is text
        frame.insert(1, "op_indices", [nb201.to_op_indices(a) for a in frame.arch])
        return frame
    if name == "nb201-cifar-scores":
        return _load_cifar_scores(dataset)
    if name == "nb201-zc":
        note_read(table_files(name)[0])
        return _load_zc(dataset).copy()
    if name == "nb101-zc":
        return nb101_zc.architectures()
    if name == "nb101-cifar-scores":
        path = table_files(name)[0]
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: compute it with `nascore bench nb101-scores`")
        note_read(path)
        return pd.read_csv(path)
    note_read(table_files(name)[0])  # the test accuracies' files are noted by their reader
    frame = nb201_test.join_accuracies(_load_full(dataset), dataset)
    if len(frame) != nb201_test.N_CELLS:
        raise ValueError(f"{table_files(name)[0].name} has {len(frame)} cells on {dataset}, "
                         f"not NAS-Bench-201's {nb201_test.N_CELLS}")
    return frame


@functools.lru_cache(maxsize=None)
def _zc_json():
    with open(table_files("nb201-zc")[0]) as handle:
        return json.load(handle)


@functools.lru_cache(maxsize=None)
def _load_zc(dataset: str) -> pd.DataFrame:
    rows = []
    for key, record in _zc_json()[dataset].items():
        indices = nb201.parse_tuple_key(key)
        row = {"arch": nb201.from_op_indices(indices), "op_indices": indices,
               "naslib_idx": int(record["idx"]), "val_accuracy": float(record["val_accuracy"])}
        for metric in ZC_METRICS:
            row[metric] = float(record[metric]["score"])
        rows.append(row)
    return pd.DataFrame(rows).sort_values("op_indices", ignore_index=True)


@functools.lru_cache(maxsize=None)
def _full_zip_records():
    by_dataset = {d: [] for d in DATASETS}
    with zipfile.ZipFile(table_files("nb201")[0]) as archive:
        for member in archive.namelist():
            if not member.endswith(".json"):
                continue
            dataset = member.split("--")[2]
            by_dataset[dataset].extend(json.loads(archive.read(member)))
    return by_dataset


@functools.lru_cache(maxsize=None)
def _load_full(dataset: str) -> pd.DataFrame:
    rows = []
    for record in _full_zip_records()[dataset]:
        indices = nb201.parse_tuple_key(record["arch"])
        zen = float(record["zen"]["score"])
        rows.append({"arch": nb201.from_op_indices(indices), "op_indices": indices,
                     "naslib_idx": int(record["idx"]), "val_accuracy": float(record["val_accuracy"]),
                     "zen": np.nan if zen <= ZEN_FAILED else zen})
    frame = pd.DataFrame(rows).drop_duplicates("op_indices")
    return frame.sort_values("op_indices", ignore_index=True)


def _load_cifar_scores(dataset: str) -> pd.DataFrame:
    if dataset == "ImageNet16-120":
        raise ValueError("nb201-cifar-scores has no ImageNet16-120 rows: not attempted (no ImageNet16-120 "
                         "images ship with nascore); datasets: cifar10, cifar100")
    path = table_files("nb201-cifar-scores")[0]
    if not path.exists():
        raise ValueError(f"{path} is missing: run nascore bench cifar-scores --out {path.parent}")
    note_read(path)
    frame = pd.read_csv(path)
    frame = frame[frame.dataset == dataset].drop(columns="dataset").reset_index(drop=True)
    frame.insert(1, "op_indices", [nb201.to_op_indices(a) for a in frame.arch])
    return frame.sort_values("op_indices", ignore_index=True)

def load_mixed(dataset: str = "mnist5k") -> pd.DataFrame:
    """The shipped table ``data/mixed-<dataset>/results.csv``: one row per architecture and seed.

    Columns: ``arch`` (:func:`nascore.spaces.mixed.from_key` decodes it), ``seed``,
    ``acc_e1``, ``acc_e2``, ``acc_e5`` (test accuracy after those epochs), ``acc_final``,
    ``train_loss`` (last epoch), ``seconds`` (training time per net), and the space and
    protocol columns (see the folder's README for the protocol itself).
    """
    path = DATA_DIR / f"mixed-{dataset}" / "results.csv"
    if not path.exists():
        shipped = sorted(p.name[len("mixed-"):] for p in DATA_DIR.glob("mixed-*/results.csv"))
        raise ValueError(f"no shipped mixed-space table for dataset {dataset!r}; "
                         f"available: {', '.join(shipped) or 'none'}")
    note_read(path)
    return pd.read_csv(path)
