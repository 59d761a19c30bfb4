"""Score many architectures with many metrics: one table, cached on disk.

:func:`score_table` builds the network of every architecture of a search space (weights
drawn from ``seed``), runs each metric of :mod:`nascore.metrics` on one fixed batch and
returns a DataFrame with one row per architecture and one column per metric.
:func:`oriented` turns the metric columns so that higher means "a better architecture"
by each metric's registry entry; :func:`sample_architectures` draws the architectures.

Every (architecture, metric) value is filed in a :class:`nascore.tables.store.ResultStore`
under ``<cache>/metric-scores`` with a key hashing everything that determines it: the
space and its options, the architecture, the metric and its options, the weight seed,
a SHA-256 of the batch (inputs and labels), the versions of torch, numpy and scipy, and
the code digest of the registry's and the space's import closure
(:func:`nascore.fingerprint.code_digest`: every metric module, the NTK package, the
network code and whatever they import). Each
value is written atomically as soon as it is computed, so a killed sweep resumes where
it stopped and a repeated one costs nothing.

A metric whose value is not finite on one network (e.g. the NTK condition number of a
cell whose output is cut off by ``none`` edges, or naswot's ``-inf``) is recorded as NaN
(the table asks :func:`nascore.metrics.score` for ``on_nonfinite="nan"``); one that raises
``ValueError`` is recorded as NaN with its message (``on_error="nan"``, the default, also
cached: the failure is deterministic). :mod:`nascore.stats` ranks NaN as the worst score.
"""
from __future__ import annotations

import hashlib
import math
import time

import numpy as np
import pandas as pd
import torch

from ..tables.executors import torch_threads

SPACES = ("nb201", "mixed")
STORE_NAME = "metric-scores"


def build_network(space: str, arch, *, seed: int, **options) -> torch.nn.Module:
    """The network of ``arch`` in ``space`` with weights drawn from ``seed``.

    ``"nb201"``: ``arch`` is an architecture string (or op-index tuple); options are
    :class:`nascore.spaces.nb201.Network`'s (``C``, ``N``, ``num_classes``,
    ``in_channels``). ``"mixed"``: ``arch`` is a :class:`nascore.spaces.mixed.Architecture`
    or its key; options are those of ``Architecture.build`` (``input_dim``, ``width``,
    ``num_classes``, ``residual_scale``, ``weight_scale``).
    """
    from ..spaces import mixed, nb201

    if space == "nb201":
        return nb201.Network(arch, seed=seed, **options)
    if space == "mixed":
        if isinstance(arch, str):
            arch = mixed.from_key(arch)
        return arch.build(seed=seed, **options)
    raise ValueError(f"unknown space {space!r}; allowed: {', '.join(SPACES)}")


def arch_name(space: str, arch) -> str:
    """The canonical string of an architecture (NB201 string, or mixed-space key)."""
    from ..spaces import mixed, nb201

    if space == "nb201":
        return arch if isinstance(arch, str) else nb201.from_op_indices(arch)
    if space == "mixed":
        return arch.key() if isinstance(arch, mixed.Architecture) else mixed.from_key(arch).key()
    raise ValueError(f"unknown space {space!r}; allowed: {', '.join(SPACES)}")


def tensor_digest(tensor: torch.Tensor | None) -> str | None:
    """SHA-256 of a tensor's dtype, shape and values (``None`` stays ``None``)."""
    if tensor is None:
        return None
    t = tensor.detach().cpu().contiguous()
    digest = hashlib.sha256(f"{t.dtype}|{tuple(t.shape)}|".encode())
    digest.update(t.numpy().tobytes())
    return digest.hexdigest()


#: Modules whose import closure computes a score, per space.
SCORE_CODE = {"nb201": ("nascore.metrics", "nascore.spaces.nb201"),
              "mixed": ("nascore.metrics", "nascore.spaces.mixed")}


def score_key(*, space: str, space_options: dict, arch: str, metric: str, options: dict, seed: int,
              inputs: str, targets: str | None) -> str:
    """Cache key of one value: a content key of all of the above, the code closure
    (:data:`SCORE_CODE`) and the numeric libraries' versions."""
    from ..fingerprint import result_key

    return result_key("metric-score", code=SCORE_CODE[space],
                      params={"space": space, "space_options": space_options, "arch": arch,
                              "metric": metric, "options": options, "seed": int(seed),
                              "inputs": inputs, "targets": targets})


def _score_problems(record) -> list[str]:
    from ..tables.schema import explained_values

    return explained_values({"value": record.get("value")} if "value" in record else {},
                            {"value": record.get("error")}, ["value"])


def _store(cache):
    from ..tables.schema import Schema
    from ..tables.store import ResultStore
    from ..paths import cache_folder

    if cache is False or cache is None:
        return None
    # a score is a finite number, or None with the metric's error message
    schema = Schema({"seconds": float}, finite=("seconds",), check=_score_problems)
    return ResultStore(cache_folder(STORE_NAME) if cache is True else cache, schema=schema)


def _check_metrics(metrics, metric_options):
    from .. import metrics as registry

    metrics = list(metrics)
    if not metrics:
        raise ValueError("metrics must name at least one metric")
    for name in metrics:
        registry.info(name)  # raises with the list of known names
    if len(set(metrics)) != len(metrics):
        raise ValueError(f"metrics contain duplicates: {metrics}")
    extra = set(metric_options or {}) - set(metrics)
    if extra:
        raise ValueError(f"metric_options name metrics that are not scored: {', '.join(sorted(extra))}")
    return metrics


def score_long(archs, metrics, inputs: torch.Tensor, targets: torch.Tensor | None = None, *,
               space: str = "nb201", space_options: dict | None = None, seed: int = 0,
               metric_options: dict | None = None, cache=True, on_error: str = "nan",
               progress: bool = False, threads: int | None = None) -> pd.DataFrame:
    """Long table ``arch, metric, value, seconds, error``: see :func:`score_table`."""
    with torch_threads(threads):
        return _score_long(archs, metrics, inputs, targets, space=space, space_options=space_options,
                           seed=seed, metric_options=metric_options, cache=cache, on_error=on_error,
                           progress=progress)


def _score_long(archs, metrics, inputs, targets, *, space, space_options, seed, metric_options, cache,
                on_error, progress) -> pd.DataFrame:
    from .. import metrics as registry

    if space not in SPACES:
        raise ValueError(f"unknown space {space!r}; allowed: {', '.join(SPACES)}")
    if on_error not in ("nan", "raise"):
        raise ValueError(f"on_error must be 'nan' or 'raise', got {on_error!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    metrics = _check_metrics(metrics, metric_options)
    names = [arch_name(space, a) for a in archs]
    if not names:
        raise ValueError("archs is empty: nothing to score")
    if len(set(names)) != len(names):
        raise ValueError("archs contain duplicates; score each architecture once")
    space_options = dict(space_options or {})
    metric_options = {m: dict((metric_options or {}).get(m, {})) for m in metrics}
    digests = {"inputs": tensor_digest(inputs), "targets": tensor_digest(targets)}
    store = _store(cache)

    from tqdm import tqdm  # not tqdm.auto: it warns in kernels without ipywidgets

    rows = []
    for arch in tqdm(names, desc=f"scoring {space}", disable=not progress, leave=False):
        keys = {m: score_key(space=space, space_options=space_options, arch=arch, metric=m,
                             options=metric_options[m], seed=seed, **digests) for m in metrics}
        records = {m: store.get(k) if store is not None else None for m, k in keys.items()}
        if any(r is None for r in records.values()):
            net = build_network(space, arch, seed=int(seed), **space_options)
            for metric in metrics:
                if records[metric] is not None:
                    continue
                records[metric] = _score_one(registry, metric, net, inputs, targets,
                                             metric_options[metric], on_error)
                if store is not None:
                    store.put_checked(keys[metric], records[metric])
        for metric in metrics:
            record = records[metric]
            value = record["value"]
            rows.append({"arch": arch, "metric": metric,
                         "value": math.nan if value is None else float(value),
                         "seconds": float(record["seconds"]), "error": record["error"]})
    return pd.DataFrame(rows, columns=["arch", "metric", "value", "seconds", "error"])


def _score_one(registry, metric, net, inputs, targets, options, on_error) -> dict:
    start = time.perf_counter()
    try:
        # A table keeps a non-finite score (naswot's -inf on a singular kernel, an
        # overflowed condition number) as NaN, which nascore.stats ranks last.
        value, error = registry.score(metric, net, inputs, targets, on_nonfinite="nan", **options), None
    except ValueError as exc:
        if on_error == "raise":
            raise
        value, error = None, str(exc)
    # JSON has no NaN: store None with a message.
    if value is not None and not math.isfinite(value):
        value, error = None, "non-finite value (NaN, or -inf for a singular kernel)"
    return {"value": value, "seconds": time.perf_counter() - start, "error": error}


def score_table(archs, metrics, inputs: torch.Tensor, targets: torch.Tensor | None = None, *,
                space: str = "nb201", space_options: dict | None = None, seed: int = 0,
                metric_options: dict | None = None, cache=True, on_error: str = "nan",
                progress: bool = False, threads: int | None = None) -> pd.DataFrame:
    """One row per architecture (column ``arch``), one column per metric.

    ``archs``: distinct architectures of ``space`` (see :func:`build_network`); each
    network is built once, with weights from ``seed``, and every metric is run on the
    batch ``(inputs, targets)`` through :func:`nascore.metrics.score` with
    ``metric_options[metric]`` as keywords. ``cache``: ``True`` (the default store under
    :func:`nascore.paths.cache_dir`), a folder, or ``False``. ``progress`` shows a tqdm
    bar. ``threads``: torch threads for the sweep (restored afterwards; ``None`` leaves
    them alone); one is fastest for small networks on a shared machine.
    ``on_error="nan"`` records a metric's ``ValueError`` as NaN (``"raise"`` re-raises).
    :func:`score_long` also gives the seconds of each first computation and the errors.

    >>> import torch
    >>> from nascore.spaces import mixed
    >>> archs = [mixed.Architecture(("relu",)), mixed.Architecture(("relu", "relu"))]
    >>> table = score_table(archs, ["params"], torch.zeros(2, 3), space="mixed",
    ...                     space_options={"input_dim": 3, "width": 4}, cache=False)
    >>> table.params.tolist()
    [1.6e-05, 3.2e-05]
    """
    return to_wide(score_long(archs, metrics, inputs, targets, space=space, space_options=space_options,
                              seed=seed, metric_options=metric_options, cache=cache, on_error=on_error,
                              progress=progress, threads=threads))


def to_wide(long: pd.DataFrame) -> pd.DataFrame:
    """:func:`score_long`'s table as :func:`score_table`'s: one row per architecture."""
    wide = long.pivot(index="arch", columns="metric", values="value")
    wide = wide.loc[list(dict.fromkeys(long.arch)), list(dict.fromkeys(long.metric))].reset_index()
    wide.columns.name = None
    return wide


def oriented(table: pd.DataFrame, metrics) -> pd.DataFrame:
    """The metric columns of ``table``, negated where the registry says lower is better
    (:func:`nascore.metrics.direction`)."""
    from .registry import direction

    return pd.DataFrame({m: direction(m) * table[m].astype(float) for m in metrics})


def sample_architectures(space: str, n: int, *, seed: int = 0, hidden_layers=(2, 3, 4),
                         activations=None, skip_slots: str = "adjacent") -> list[str]:
    """``n`` distinct architectures of ``space`` drawn without replacement from ``seed``.

    ``"nb201"``: uniformly from the 15,625 cells. ``"mixed"``: the same number from each
    depth in ``hidden_layers`` (uniformly within a depth), so that depth, and with it the
    parameter count, varies across the sample.
    """
    from ..spaces import mixed, nb201

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    rng = np.random.default_rng(seed)
    if space == "nb201":
        pool = nb201.all_architectures()
        if n > len(pool):
            raise ValueError(f"n={n} exceeds the {len(pool)} architectures of the space")
        return [pool[i] for i in sorted(rng.choice(len(pool), n, replace=False))]
    if space == "mixed":
        depths = list(hidden_layers)
        counts = [n // len(depths) + (i < n % len(depths)) for i in range(len(depths))]
        chosen = []
        for depth, count in zip(depths, counts):
            pool = [a.key() for a in mixed.all_architectures(depth, activations, skip_slots=skip_slots)]
            if count > len(pool):
                raise ValueError(f"n={n} asks {count} architectures of depth {depth}; it has {len(pool)}")
            chosen.extend(pool[i] for i in sorted(rng.choice(len(pool), count, replace=False)))
        return chosen
    raise ValueError(f"unknown space {space!r}; allowed: {', '.join(SPACES)}")
