"""Benchmark tables: the real NAS-Bench-201 tables shipped in ``data/``.

``load("nb201-zc", dataset=...)``: about 725 NAS-Bench-201 architectures with their real
validation accuracy and 12 zero-cost proxy scores computed on real CIFAR / ImageNet16
batches (NAS-Bench-Suite-Zero, via NASLib). ``load("nb201", dataset=...)``: all 15,625
architectures with validation accuracy, the Zen-NAS score, and the 200-epoch test and
12-epoch accuracies (:func:`nb201_accuracies`, :func:`join_accuracies`: the same columns
for any table of NB201 cells). ``load_mixed(dataset)``: the
mixed-activation ground truth this project trained (``data/mixed-<dataset>/``);
``load_conv()`` and ``conv_table(quick=..., regenerate=...)``: its conv ground truth
(``data/nb201-mnist5k/``), as the DAS and LGA chapters read it.
"""
from __future__ import annotations

from .nb201_test import join_accuracies, nb201_accuracies
from .tables import BENCHMARKS, DATASETS, conv_table, load, load_conv, load_mixed, table_files

__all__ = ["BENCHMARKS", "DATASETS", "conv_table", "join_accuracies", "load", "load_conv", "load_mixed",
           "nb201_accuracies", "table_files"]
