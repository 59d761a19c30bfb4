"""The metrics chapter (``notebooks/20_metrics.ipynb``): the registry as a table, the metrics' rank
correlations, and the cross-check of our ``params``, ``flops`` and ``synflow`` against the
shipped NAS-Bench-201 table.

:func:`metric_records` lists the registry for the book; :func:`rank_correlation_matrix`
correlates every pair of metrics across architectures.

The cross-check. 
The three scores do not look at the data: ``params`` and ``flops`` are properties of the
network's shape, and SynFlow runs an all-ones input through the network with every
weight replaced by its absolute value. So the full-size network of an architecture
(:class:`nascore.spaces.nb201.Network` with ``C=16, N=5``, 10 classes, 3x32x32 inputs)
must reproduce the table's values up to conventions, and must rank architectures as the
table does. :func:`crosscheck` scores a sample of the table's CIFAR-10 architectures
through :func:`nascore.metrics.table.score_table` (cached on disk), :func:`crosscheck_summary`
reports Spearman's rho with bootstrap intervals and how far the values are apart
(from a shell: ``nascore bench crosscheck``, :mod:`nascore.cli.crosscheck`).

Conventions (measured, see ``tests/test_crosscheck.py``):

- ``params``: the same count (all trainable parameters, in millions).
- ``flops``: the table also charges 3 operations for every output element of every
  ReLU-Conv-BN block (the ReLU and the two BatchNorm operations, as NAS-Bench-201's
  counter does), which our multiply-accumulate count leaves out. :func:`relu_conv_bn_ops`
  counts those with hooks on the real network; what remains is a constant of the
  skeleton (stem, head), the same for every architecture.
- ``synflow``: NASLib stores the natural logarithm of the score (we use ``log=True``);
  the values differ by the random initialisation only (SynFlow uses ``|θ|``). A cell
  whose output is cut off by ``none`` edges has SynFlow 0, log ``-inf``: the table
  stores 0, our sweep records NaN; both rank it last.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ..metrics.table import oriented

#: The network NAS-Bench-201 reports its numbers for, and its input.
FULL_SIZE = {"C": 16, "N": 5, "num_classes": 10, "in_channels": 3}
INPUT_SHAPE = (1, 3, 32, 32)
METRICS = ("params", "flops", "synflow")
#: Only the CIFAR-10 table: params and flops depend on the number of classes.
DATASET = "cifar10"
COLUMNS = ("arch", "n_conv", "params", "params_table", "flops", "flops_relu_bn", "flops_table",
           "synflow", "synflow_table")


def crosscheck_table() -> pd.DataFrame:
    """The shipped zero-cost table's ``arch`` and its three data-free columns (CIFAR-10)."""
    from ..bench import load

    return load("nb201-zc", dataset=DATASET)[["arch", *METRICS]]


def crosscheck_sample(n: int | None = 50, *, seed: int = 0) -> list[str]:
    """``n`` architectures of the table drawn without replacement (``None``: all of them)."""
    archs = crosscheck_table().arch.tolist()
    if n is None:
        return archs
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 3 <= n <= len(archs):
        raise ValueError(f"n must be an integer between 3 and {len(archs)} (or None for all), got {n!r}")
    rng = np.random.default_rng(seed)
    return [archs[i] for i in sorted(rng.choice(len(archs), n, replace=False))]


def relu_conv_bn_ops(net: torch.nn.Module, input_shape=INPUT_SHAPE) -> int:
    """``3 x`` the output elements of every ReLU-Conv-BN block of ``net`` for one sample.

    These are the operations NAS-Bench-201's FLOP counter adds on top of the
    multiply-accumulates (one for the ReLU, two for the BatchNorm affine map).
    """
    from ..spaces.nb201 import ReLUConvBN

    elements = 0

    def hook(module, args, output):
        nonlocal elements
        elements += output[0].numel()

    blocks = [m for m in net.modules() if isinstance(m, ReLUConvBN)]
    handles = [m.register_forward_hook(hook) for m in blocks]
    try:
        was_training = net.training
        net.eval()
        with torch.no_grad():
            net(torch.zeros((1,) + tuple(input_shape[1:])))
        net.train(was_training)
    finally:
        for handle in handles:
            handle.remove()
    return 3 * elements


def crosscheck(archs=None, *, n: int | None = 50, seed: int = 0, cache=True,
            progress: bool = False, threads: int | None = None) -> pd.DataFrame:
    """Our three scores next to the table's, one row per architecture.

    ``archs`` (default: :func:`sample` of ``n`` drawn from ``seed``) must be in the
    table (``threads``: see :func:`nascore.metrics.table.score_table`). Networks are
    full size (:data:`FULL_SIZE`) with weights from ``seed``;
    ``synflow`` is ``log`` SynFlow as in the table. Columns: :data:`COLUMNS`, where
    ``flops_relu_bn`` is :func:`relu_conv_bn_ops` in millions and ``n_conv`` counts the
    cell's convolution edges.
    """
    from ..metrics.table import build_network, score_table
    from ..tables.executors import torch_threads
    from ..spaces import nb201

    reference = crosscheck_table().set_index("arch")
    archs = crosscheck_sample(n, seed=seed) if archs is None else list(archs)
    missing = [a for a in archs if a not in reference.index]
    if missing:
        raise ValueError(f"{len(missing)} architecture(s) not in the NAS-Bench-201 table, e.g. {missing[0]!r}")
    ours = score_table(archs, METRICS, torch.zeros(INPUT_SHAPE), space="nb201", space_options=FULL_SIZE,
                       seed=seed, metric_options={"synflow": {"log": True}}, cache=cache, progress=progress,
                       threads=threads)
    frame = ours.set_index("arch")
    frame["n_conv"] = [sum(op.startswith("nor_conv") for op in nb201.parse(a).values()) for a in archs]
    with torch_threads(threads):
        frame["flops_relu_bn"] = [relu_conv_bn_ops(build_network("nb201", a, seed=seed, **FULL_SIZE)) / 1e6
                                  for a in archs]
    for metric in METRICS:
        frame[f"{metric}_table"] = reference.loc[archs, metric].to_numpy()
    return frame.reset_index()[list(COLUMNS)]


#: One line per score: what differs between our value and the table's.
CONVENTIONS = {
    "params": "same count: all trainable parameters / 1e6",
    "flops": "table adds 3 ops per ReLU-Conv-BN output element, plus a constant of the skeleton",
    "synflow": "both log SynFlow; weights from different random draws",
}


def crosscheck_summary(frame: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """One row per score: Spearman's rho (ours against the table) with a bootstrap interval,
    and the spread of the difference once conventions are matched.

    ``offset_min``/``offset_max``: range over architectures of ``table - ours`` after
    matching conventions (``params``: nothing to match; ``flops``: ours plus
    ``flops_relu_bn``; ``synflow``: relative, ``table / ours - 1``). A range of width
    ~0 means the two agree up to a constant (or exactly); NaN rows of ours are left out
    of the range, not of the correlation (ranked last, as in :mod:`nascore.stats`).
    """
    from .. import stats

    rows = []
    for metric in METRICS:
        ours, theirs = frame[metric].to_numpy(float), frame[f"{metric}_table"].to_numpy(float)
        r = stats.spearman(ours, theirs, n_boot=n_boot, seed=seed)
        if metric == "flops":
            diff = theirs - (ours + frame["flops_relu_bn"].to_numpy(float))
        elif metric == "synflow":
            diff = theirs / ours - 1
        else:
            diff = theirs - ours
        diff = diff[np.isfinite(diff)]
        rows.append({"metric": metric, "spearman": r.value, "low": r.low, "high": r.high, "n": r.n,
                     "n_nan": int(np.isnan(ours).sum()), "offset_min": float(diff.min()),
                     "offset_max": float(diff.max()), "convention": CONVENTIONS[metric]})
    return pd.DataFrame(rows)


def rank_correlation_matrix(table: pd.DataFrame, metrics=None) -> pd.DataFrame:
    """Spearman correlation between every pair of metric columns, across architectures.

    Each metric is first oriented by :func:`nascore.metrics.table.oriented` (so +1 means "the two metrics agree
    on which architectures are good"); NaN scores rank below every finite score, as in
    :mod:`nascore.stats`; ties get average ranks. A metric that is constant over the
    table has no correlation: its row and column are NaN.
    """
    from scipy.stats import rankdata

    metrics = [c for c in table.columns if c != "arch"] if metrics is None else list(metrics)
    values = oriented(table, metrics).to_numpy(dtype=float)
    ranks = np.empty_like(values)
    for j in range(values.shape[1]):
        column = values[:, j].copy()
        column[~np.isfinite(column)] = -np.inf  # NaN/-inf: worst; rankdata handles -inf
        ranks[:, j] = rankdata(column)
    centred = ranks - ranks.mean(axis=0)
    norms = np.sqrt((centred ** 2).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = (centred.T @ centred) / np.outer(norms, norms)
    matrix[norms == 0, :] = np.nan
    matrix[:, norms == 0] = np.nan
    return pd.DataFrame(matrix, index=metrics, columns=metrics)


def metric_records(metrics=None) -> pd.DataFrame:
    """The registry's record of every metric (default: all) as a table for the book."""
    from .. import metrics as registry

    rows = []
    for name in metrics or registry.available():
        r = registry.info(name)
        rows.append({"metric": name, "paper": r.paper, "equation": r.equation,
                     "direction": "higher is better" if r.higher_is_better else "lower is better",
                     "labels": "yes" if r.labels_needed(r.options) else "no",
                     "NTK output": r.ntk_output or "",
                     "default options": ", ".join(f"{k}={v!r}" for k, v in r.options.items()),
                     "what it measures": r.description})
    return pd.DataFrame(rows)
