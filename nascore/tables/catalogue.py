"""Every shipped table, one :class:`~nascore.tables.registry.Table` record each.

To add a table: write its reader (here, in :mod:`nascore.tables.readers`, or in the module
that defines the table) and register one record below; ``nascore.bench.load``,
``nascore.bench.table_files`` and the ``nascore bench`` help read it from the registry.

Readers that live in :mod:`nascore.bench` are imported when a table is loaded, not when
the registry is built: :mod:`nascore.bench` itself reads the registry on import.
"""
from __future__ import annotations

from functools import partial

from . import naslib_nb201, readers
from .registry import Table, register

NB201_DATASETS = naslib_nb201.DATASETS
#: NB201's 200-epoch test and 12-epoch accuracies, joined onto the full table
#: (the files of :func:`nascore.bench.nb201_test.files`).
NB201_TEST_FILES = ("nasbench201-test/nats_bench.csv", "nasbench201-test/nb201_hp12.csv")
#: The variants of the NB201 NTK table (:data:`nascore.bench.nb201_ntk.VARIANTS`), named by their images.
NB201_NTK_VARIANTS = ("mnist32", "digits32")


def _per_dataset(datasets, *paths) -> dict:
    return {d: tuple(paths) for d in datasets}


def _nb101_zc(dataset: str):
    from ..bench import nb101_zc

    return nb101_zc.architectures()


def _nb201_ntk(variant: str):
    from ..bench.nb201_ntk import load_nb201_ntk

    return load_nb201_ntk(variant).reset_index()


def _zc_naswot(dataset: str):
    from ..bench.zc_naswot import load_zc_naswot

    return load_zc_naswot()


def _csv(relative: str, missing: str = ""):
    return lambda dataset: readers.csv_table(relative, missing=missing)


register(Table(
    "nb201", "nasbench201-full",
    _per_dataset(NB201_DATASETS, "nasbench201-full/nb201_zen.zip", *NB201_TEST_FILES),
    naslib_nb201.full_table,
    "all 15,625 NAS-Bench-201 cells: NASLib's validation accuracy and Zen-NAS score, "
    "NB201's 200-epoch test and 12-epoch accuracies"))
register(Table(
    "nb201-zc", "nasbench201-zc",
    _per_dataset(NB201_DATASETS, "nasbench201-zc/zc_nasbench201.json"),
    naslib_nb201.zc_table,
    "NAS-Bench-Suite-Zero: 12 zero-cost proxies of about 725 NB201 cells on real images (NASLib)"))
register(Table(
    "mixed-mnist5k", "mixed-mnist5k", {"mnist5k": ("mixed-mnist5k/results.csv",)},
    _csv("mixed-mnist5k/results.csv"),
    "Zhu et al.'s mixed-activation networks trained on MNIST-5k, one row per architecture and seed",
    command="nascore bench train", export="nascore.tables.mixed_mnist5k.export",
    job="nascore.tables.mixed_mnist5k.JOB"))
register(Table(
    "nb201-mnist5k", "nb201-mnist5k", {"mnist5k": ("nb201-mnist5k/results.csv",)},
    _csv("nb201-mnist5k/results.csv"),
    "small NB201 networks trained on MNIST-5k with at-init metrics, one row per architecture and seed",
    command="nascore bench conv-table", export="nascore.tables.nb201_mnist5k.export",
    job="nascore.tables.nb201_mnist5k.JOB",
    regenerated_by=("60_das", "70_lga")))  # retrained into the results store
register(Table(
    "nb201-cifar-scores", "nb201-cifar-scores",
    _per_dataset(NB201_DATASETS, "nb201-cifar-scores/scores.csv"),  # ImageNet16-120: "not attempted"
    readers.cifar_scores,
    "our training-free scores of NB201 cells on real CIFAR-10 / CIFAR-100 batches",
    command="nascore bench cifar-scores", export="nascore.tables.nb201_cifar_scores_export.export",
    job="nascore.tables.nb201_cifar_scores.JOB"))
register(Table(
    "nb201-cifar-ntk", "nb201-cifar-ntk",
    {d: (f"nb201-cifar-ntk/{stem}.csv",) for d, stem in readers.CIFAR_NTK_FILES["nb201-cifar-ntk"].items()},
    partial(readers.cifar_ntk, "nb201-cifar-ntk"),
    "HNAS's M and kappa, TE-NAS's condition number, Zhu's lambda_min and LGA's metrics of the "
    "zero-cost cells on real CIFAR",
    command="nascore bench cifar-ntk stats", export="nascore.tables.cifar_ntk.export.export",
    job="nascore.tables.cifar_ntk.job.JOB"))
register(Table(
    "nb201-cifar-ntk-hnas", "nb201-cifar-ntk",
    {"cifar10": ("nb201-cifar-ntk/hnas_all_cifar10.csv",)},
    partial(readers.cifar_ntk, "nb201-cifar-ntk-hnas"),
    "HNAS's M and kappa of all 15,625 NB201 cells on real CIFAR-10",
    command="nascore bench cifar-ntk stats", export="nascore.tables.cifar_ntk.export.export",
    job="nascore.tables.cifar_ntk.job.JOB"))
register(Table(
    "nb201-cifar-ntk-lga1000", "nb201-cifar-ntk",
    {"cifar10": ("nb201-cifar-ntk/lga_first1000_cifar10.csv",)},
    partial(readers.cifar_ntk, "nb201-cifar-ntk-lga1000"),
    "the LGA code's at-init metrics on its own population, NB201 cells 0..999, real CIFAR-10",
    command="nascore bench cifar-ntk stats", export="nascore.tables.cifar_ntk.export.export_lga_population",
    job="nascore.tables.cifar_ntk.job.LGA_POPULATION_JOB"))
register(Table(
    "nb201-cifar-ntk-zhu-uniform", "nb201-cifar-ntk",
    {"cifar10": ("nb201-cifar-ntk/zhu_uniform_cifar10.csv",)},
    partial(readers.cifar_ntk, "nb201-cifar-ntk-zhu-uniform"),
    "Zhu's lambda_min (batch 16) of a uniform sample of the 15,625 NB201 cells, real CIFAR-10",
    command="nascore bench cifar-ntk stats", export="nascore.tables.cifar_ntk.export.export_zhu_uniform",
    job="nascore.tables.cifar_ntk.job.ZHU_UNIFORM_JOB"))
register(Table(
    "nb201-supernet", "nb201-supernet", {"cifar10": tuple(readers.SUPERNET_FILES.values())},
    readers.supernet_children,
    "child accuracies of BigNAS-style supernets on real CIFAR-10, per budget, variant and supernet seed",
    command="nascore supernet table", export="nascore.supernet.table.build_table",
    job="nascore.tables.nb201_supernet.JOB"))
register(Table(
    "nb101-zc", "nasbench101-zc", {"cifar10": ("nasbench101-zc/zc_nasbench101.json",)},
    _nb101_zc,
    "NASLib's 500 NAS-Bench-101 entries merged into 301 distinct cells, with their zero-cost scores"))
register(Table(
    "nb101-cifar-scores", "nb101-cifar-scores", {"cifar10": ("nb101-cifar-scores/scores.csv",)},
    _csv("nb101-cifar-scores/scores.csv", ": compute it with `nascore bench nb101-scores`"),
    "our training-free scores of NAS-Bench-101 cells on real CIFAR-10",
    command="nascore bench nb101-scores", export="nascore.tables.nb101_cifar_scores.export",
    job="nascore.tables.nb101_cifar_scores.JOB"))
register(Table(
    "nb201-ntk", "nb201-ntk", {v: (f"nb201-ntk/ntk_{v}.csv",) for v in NB201_NTK_VARIANTS},
    _nb201_ntk,
    "NTK trace and condition number of the zero-cost cells on digit images (HNAS chapter); "
    "datasets are the variants' images",
    command="nascore bench nb201-ntk", export="nascore.tables.nb201_ntk.export",
    job="nascore.tables.nb201_ntk.JOB"))
register(Table(
    "nb201-zc-naswot", "nb201-mnist5k", {"mnist5k": ("nb201-mnist5k/zc_naswot.csv",)},
    _zc_naswot,
    "NASWOT and DAS's terms of the zero-cost cells on MNIST-5k digits (DAS chapter)",
    command="nascore bench zc-naswot", export="nascore.tables.nb201_zc_naswot.export",
    job="nascore.tables.nb201_zc_naswot.JOB",
    regenerated_by=("60_das",)))  # recomputed into the results store

#: Folders of ``data/`` that hold no table, and why.
NOT_TABLES = {
    "cifar": "CIFAR-10 / CIFAR-100 images (nascore.cifar)",
    "mnist5k": "MNIST-5k images (nascore.data)",
    "nasbench201-test": "NB201's test and 12-epoch accuracies, joined onto nb201 (nascore.bench.nb201_test)",
    "nb201-cifar-scores-lossless": "a study's comparison of input images, read by nascore.studies.cifar_scores",
    "nb201-cifar-scores-zcnas-model": "Fisher and SynFlow on zero-cost-nas's model, read by "
                                      "nascore.analysis.cifar_population",
}
