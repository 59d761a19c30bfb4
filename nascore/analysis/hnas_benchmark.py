"""The HNAS search benchmark: NB201's zero-cost table joined with the NB201 NTK table.

:func:`hnas_benchmark`: the NAS-Bench-201 zero-cost table of one dataset joined with our
NTK table (:mod:`nascore.bench.nb201_ntk`), as a :class:`TabularBenchmark` whose free
scores are the table's CIFAR proxies, the NTK trace and condition number, and two derived
columns for the ablation of the HNAS objective: ``kappa_over_m`` (``κ / (M + 1e-6)``, the
objective without its first term) and ``zero``. The HNAS and supernet chapters search it.
"""
from __future__ import annotations

import pandas as pd

from ..bench import nb201_ntk
from ..search.benchmark import TabularBenchmark
from .hnas_cifar import add_objective_columns

#: Free scores of the HNAS benchmarks (table proxies are on real CIFAR / ImageNet16 batches).
SCORES = ("grad_norm", "snip", "grasp", "synflow", "nwot", "params", "ntk_trace", "ntk_condition",
          "kappa_over_m", "zero")


def hnas_frame(dataset: str = "cifar10", variant: str = "mnist32") -> pd.DataFrame:
    """Zero-cost table of ``dataset`` joined with the NTK table, plus the derived columns."""

    return add_objective_columns(nb201_ntk.table_with_ntk(dataset, variant))


def hnas_benchmark(dataset: str = "cifar10", variant: str = "mnist32", *, frame=None) -> TabularBenchmark:
    """A search benchmark on the architectures that have both a table row and an NTK row."""
    from ..spaces import nb201 as space

    frame = hnas_frame(dataset, variant) if frame is None else frame
    return TabularBenchmark.from_frame(frame, scores=list(SCORES),
                                       n_choices=(len(space.NASLIB_OPS),) * space.NUM_EDGES,
                                       name=f"nb201-zc+ntk[{variant}]/{dataset}")
