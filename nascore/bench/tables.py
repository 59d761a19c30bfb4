"""The shipped tables as :mod:`nascore.bench` names them, read from the table registry
(:mod:`nascore.tables`; see ``data/*/README.md`` for provenance), and the two ground truths
this project trained as the chapters read them (:func:`load_mixed`, :func:`load_conv`,
:func:`conv_table`)."""
from __future__ import annotations

import pandas as pd

from .. import tables as registry
from ..manifest import note_read
from ..paths import DATA_DIR
from ..tables.naslib_nb201 import DATASETS

#: Every registered table, in registration order.
BENCHMARKS = registry.names()
#: The datasets of each table (the first is the default of :func:`load`).
TABLE_DATASETS = {name: registry.get(name).datasets for name in BENCHMARKS}


def table_files(name: str):
    """The data files a benchmark is read from (for provenance hashes)."""
    return registry.get(name).paths()


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
    real CIFAR-10 (``dataset`` must be ``"cifar10"``): one row per architecture,
    ``epochs`` (the run's whole schedule), variant (``full``, ``no_sandwich``,
    ``no_distillation``, ``neither``) and ``supernet_seed``, with ``supernet_accuracy`` in
    percent, ``eval_seconds`` and ``sets``: the 8-epoch ablation runs (every variant, two
    seeds; select them with :func:`nascore.supernet.table.ablation_rows`) and the budget
    curve's finished longer runs (16 epochs, ``full`` and ``no_sandwich``, seed 0, the
    uniform ``sample200``; no ``eval_seconds``), so the longest CPU run is in it
    (:func:`nascore.tables.readers.supernet_children`; ``data/nb201-supernet/README.md``).

    ``"nb101-cifar-scores"``: our scores of NB101 cells on real CIFAR-10
    (``nascore bench nb101-scores``; ``data/nb101-cifar-scores/README.md``), one row per
    cell with its ``order`` in the job's fixed random order and NASLib's ``val_accuracy``.

    ``"nb101-zc"`` (``dataset`` must be ``"cifar10"``): NASLib's 500 NAS-Bench-101 entries
    merged into one row per distinct pruned cell (301): ``arch`` (the canonical string of
    :mod:`nascore.spaces.nb101`), ``naslib_tuple``, ``isomorphism_key``, ``n_entries``,
    ``val_accuracy`` (percent), ``params`` (millions), ``flops`` and NASLib's scores, each the
    mean over the cell's entries (:func:`nascore.bench.nb101_zc.architectures`; the 500 as
    stored: :func:`nascore.bench.nb101_zc.entries`).

    ``"nb201-ntk"`` (``dataset`` ``"mnist32"`` or ``"digits32"``, the images of the NTK
    table's variants): :func:`nascore.bench.nb201_ntk.load_nb201_ntk` with ``arch`` as a
    column; ``"nb201-zc-naswot"`` (``"mnist5k"``): NASWOT and DAS's terms of the zero-cost
    cells on MNIST-5k (:func:`nascore.bench.zc_naswot.load_zc_naswot`).

    Every table is a record of the registry (:mod:`nascore.tables`): its files, reader,
    command and README.

    ``dataset`` is matched without regard to case; ``None`` is the table's first dataset
    (:data:`TABLE_DATASETS`); a dataset the table does not have is refused, naming those it has.

    The frame is a fresh copy: callers may modify it.
    """
    return registry.load(name, dataset)


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


def load_conv(*, quick: bool = False, n: int = 60) -> pd.DataFrame:
    """The shipped table ``data/nb201-mnist5k/results.csv``, one row per (architecture, seed).

    ``quick=True`` keeps the first ``n`` architectures of the table's fixed order (all
    their seeds), the slice the quick-mode chapters run on. Columns: ``arch``, ``seed``,
    ``acc_e<k>`` and ``acc_final`` (test accuracy, 0-1), and ``<metric>_e<k>`` for every
    :data:`nascore.training.probes.PROBE_COLUMNS` at epoch ``k`` (0 = init).
    """
    folder = DATA_DIR / "nb201-mnist5k"
    path = folder / "results.csv"
    if not path.exists():
        raise ValueError(f"{path} is missing: run nascore bench conv-table --n 200 --seeds 2 --out {folder}")
    note_read(path)
    frame = pd.read_csv(path)
    if quick:
        if not isinstance(n, int) or n < 3:
            raise ValueError(f"n must be an integer >= 3, got {n!r}")
        from ..tables.nb201_mnist5k import ConvSpace

        order = {a: i for i, a in enumerate(ConvSpace().architectures())}
        keep = sorted(frame["arch"].unique(), key=order.__getitem__)[:n]
        frame = frame[frame["arch"].isin(keep)].reset_index(drop=True)
    return frame


def conv_table(*, quick: bool = True, n: int = 60, regenerate: bool = False, store=None, jobs: int = 1,
               log=print) -> pd.DataFrame:
    """The conv table as the DAS and LGA chapters read it, one per mode of ``nascore reproduce``.

    ``quick=True`` (tests, CI): :func:`load_conv` (first ``n`` architectures of the
    shipped table). Default mode (``quick=False``): the whole shipped table.
    ``regenerate=True``: trains whatever of the shipped table's 200 architectures x 2
    seeds is not yet in the results ``store`` (default ``<cache>/results``; about 30
    minutes of one CPU core from scratch, resumable) and returns the table from the store.
    """
    if not regenerate:
        return load_conv(quick=quick, n=n)
    from ..paths import cache_folder
    from ..tables.executors import make_executor
    from ..tables.nb201_mnist5k import TABLE_ARCHS, TABLE_SEEDS, ConvSpace, fill
    from ..tables.store import ResultStore

    store = ResultStore(store or cache_folder("results"))
    frame = fill(store, make_executor(jobs, threads=1, progress=False),
                 ConvSpace().architectures(TABLE_ARCHS), TABLE_SEEDS, log=log)
    if "seconds_probe_init" not in frame.columns:  # rows of the first run (see the table's README)
        frame["seconds_probe_init"] = frame["seconds_probe"] / 4
        frame["seconds_train"] = frame["seconds_train"] + frame["seconds_probe_init"]
    return frame
