"""The Zhu et al. chapter (``notebooks/40_zhu.ipynb``): bounds against the exact ``lambda_min``,
finite width against infinite width, and the bound-derived train-free search.

Zhu, Liu, Chrysos & Cevher (NeurIPS 2022, arXiv 2209.07238) bound ``lambda_min`` of the
NTK of mixed-activation FC and residual nets and rank architectures by it. The bounds
used here are *our* Propositions 2-4 (:mod:`nascore.theory.bounds`, book appendix
"Eigenvalue bounds"), not the paper's theorems, whose text we could not obtain.

**Input scale.** The bounds are stated for unit-norm inputs, but
:class:`~nascore.spaces.mixed.MixedNet` divides the first layer by ``sqrt(d)``, so with
``||x|| = 1`` and ``d = 784`` the first pre-activations have variance ``1/784`` and every
net is nearly linear. For inputs ``x_i = c u_i`` with ``||u_i|| = 1`` (``c`` the
``input_norm``) the first pre-activation is ``(sigma_w / sqrt(d)) W_1 c u``: the same
network with input dimension ``d / c^2`` in the ``1/sqrt(d)`` factor. Every kernel of the
recursion depends on ``d`` only through ``Sigma_0 = c^2 G / d``, so the bounds for
norm-``c`` inputs are the unit-norm bounds with ``d`` replaced by ``d_eff = d / c^2``
(:func:`nascore.theory.bounds.scaled_bounds`); the tests check them against
:func:`~nascore.theory.infinite_width_lambda_min` on ``c U``. ``c = sqrt(d)`` (unit scale
per coordinate) gives unit-variance first pre-activations.

Costly results (exact infinite-width ``lambda_min``, finite-width sweeps, metric scores)
are kept in a :class:`~nascore.tables.store.ResultStore` under ``<cache>/zhu``, keyed by
everything that determines them (see :func:`_cached`).
"""
from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from nascore.metrics import direction
from nascore.search.picks import argbest
from nascore.spaces import mixed
from nascore.theory.bounds import check_input_norm, hadamard_lambda_min, scaled_bounds
from nascore.theory.hermite import hermite_coefficient
from nascore.theory.kernels import check_data, infinite_width_lambda_min


PATTERNS = ("none", "resnet", "dense")


# ----------------------------------------------------------------------------- inputs
def flat_inputs(n: int, *, dataset: str = "mnist5k", seed: int = 0):
    """``n`` training images as float64 vectors of pixels in [0, 1] (the ground truth's
    ``inputs="flat"`` protocol), and their labels: ``(X, y)`` as numpy arrays."""
    from nascore import data

    x, y = data.load(dataset).batch(n, seed=seed)
    return x.flatten(1).double().numpy(), y.numpy()


def unit_rows(X) -> np.ndarray:
    """Each row divided by its Euclidean norm (the bounds' ``||u_i|| = 1``)."""
    X = check_data(X)
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def rms_norm(X) -> float:
    """``sqrt(mean_i ||x_i||^2)``: the common norm that keeps the mean ``Sigma_0(x, x)``."""
    X = check_data(X)
    return float(np.sqrt(np.mean(np.sum(X * X, axis=1))))


def skip_pattern(hidden_layers: int, pattern: str) -> tuple:
    """Skips of a named pattern: ``"none"`` (FC), ``"resnet"`` (every ``(l-1, l)``) or
    ``"dense"`` (every ``(i, j)``, ``i < j``: the paper's deep skips)."""
    if pattern == "none":
        return ()
    if pattern in ("resnet", "dense"):
        return tuple(mixed._skip_slots(hidden_layers, "adjacent" if pattern == "resnet" else "all"))
    raise ValueError(f"unknown skip pattern {pattern!r}; allowed: {', '.join(PATTERNS)}")


# ----------------------------------------------------------------------------- bounds
def _digest(X) -> str:
    return hashlib.sha256(np.ascontiguousarray(X, dtype=np.float64).tobytes()).hexdigest()[:20]


def _cached(kind: str, compute, cache: bool, **fields) -> dict:
    """``compute()`` (a dict of floats), stored under a content key of ``kind``, ``fields``
    (which hold digests of the data), this module's code closure (theory, spaces, ...) and
    the numeric libraries' versions; read back instead of recomputed when present."""
    if not cache:
        return compute()
    from nascore.tables.store import ResultStore
    from nascore.fingerprint import result_key
    from nascore.paths import cache_folder

    store = ResultStore(cache_folder("zhu"))
    key = result_key(kind, code=("nascore.studies.zhu",), params=fields)
    found = store.get(key)
    if found is None:
        found = compute()
        store.put(key, found)
    return found


def exact_lambda_min(arch, U, *, input_norm: float = 1.0, cache: bool = True) -> float:
    """``lambda_min`` of the infinite-width NTK on ``input_norm * U`` (cached)."""
    c = check_input_norm(input_norm)
    U = check_data(U, unit_norm=True)
    return _cached("exact", lambda: {"value": infinite_width_lambda_min(arch, c * U)}, cache,
                   arch=arch.key(), data=_digest(U), input_norm=c)["value"]


def bracket(archs, U, *, input_norm: float = 1.0, exact: bool = True, cache: bool = True,
            **options) -> pd.DataFrame:
    """One row per architecture: Proposition 2 and 3 lower bounds, the exact
    infinite-width ``lambda_min`` (NaN unless ``exact``) and the Proposition 4 upper bound."""
    U = check_data(U, unit_norm=True)
    top = max(options.get("degree", 128), options.get("hermite_order", 64) + 2)
    lam = hadamard_lambda_min(U, top)
    rows = []
    for arch in archs:
        b = scaled_bounds(arch, U, input_norm=input_norm, method="series", hadamard=lam, **options)
        rows.append({"arch": arch.key(), "hidden_layers": len(arch.activations), "depth": arch.depth,
                     "n_skips": len(arch.skips), "first": arch.activations[0],
                     "lower_layerwise": b.constants["layerwise_lower"],
                     "lower_series": b.lower, "upper": b.upper, "theta_diag": b.constants["theta_diag"],
                     "exact": exact_lambda_min(arch, U, input_norm=input_norm, cache=cache)
                     if exact else float("nan")})
    return pd.DataFrame(rows)


def depth_sweep(activations, hidden_layers, U, *, patterns=("none", "resnet"), **options) -> pd.DataFrame:
    """:func:`bracket` over homogeneous nets: every activation x depth x skip pattern."""
    archs, labels = [], []
    for act in activations:
        for h in hidden_layers:
            for pattern in patterns:
                archs.append(mixed.Architecture((act,) * h, skip_pattern(h, pattern)))
                labels.append((act, pattern))
    frame = bracket(archs, U, **options)
    frame.insert(1, "activation", [a for a, _ in labels])
    frame.insert(2, "pattern", [p for _, p in labels])
    return frame


def hermite_table(activations=None, orders=range(9)) -> pd.DataFrame:
    """``mu_r(sigma)`` at unit input variance: columns ``activation``, ``r``, ``mu``."""
    activations = list(activations or sorted(mixed.ACTIVATIONS))
    orders = np.asarray(list(orders))
    return pd.DataFrame([{"activation": a, "r": int(r), "mu": float(m)} for a in activations
                         for r, m in zip(orders, hermite_coefficient(a, orders))])


# ----------------------------------------------------------------------------- finite width
def empirical_lambda_min(arch, X, width: int, seed: int, *, cache: bool = True) -> float:
    """``lambda_min`` of the empirical NTK ``J J^T`` of the scalar-output net at init
    (float64), on the inputs ``X`` as given; converges to the infinite-width value."""
    import torch

    from nascore import ntk

    X = check_data(X)

    def compute():
        net = arch.build(X.shape[1], int(width), 1, seed=int(seed)).double()
        return {"value": float(ntk.lambda_min(ntk.empirical_ntk(net, torch.as_tensor(X))))}

    return _cached("empirical", compute, cache, arch=arch.key(), data=_digest(X), width=int(width),
                   seed=int(seed))["value"]


def width_sweep(archs, U, widths, seeds, *, input_norm: float = 1.0, cache: bool = True) -> pd.DataFrame:
    """Empirical ``lambda_min`` at each width and seed, next to the infinite-width value."""
    U = check_data(U, unit_norm=True)
    c = check_input_norm(input_norm)
    rows = []
    for arch in archs:
        limit = exact_lambda_min(arch, U, input_norm=c, cache=cache)
        rows += [{"arch": arch.key(), "width": int(w), "seed": int(s), "infinite": limit,
                  "lambda_min": empirical_lambda_min(arch, c * U, w, s, cache=cache)}
                 for w in widths for s in seeds]
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- train-free search
#: Scores of :func:`score_architectures` and their direction (higher is better?): the two
#: bounds, then the at-init metrics as the registry orients them.
SCORES = {"theory_layerwise": True, "theory_series": True,
          **{m: direction(m) > 0 for m in ("ntk_lambda_min", "ntk_condition", "naswot", "grad_norm")}}


def score_architectures(arch_keys, X, y, *, width: int = 128, num_classes: int = 10, seeds=(0,),
                        metrics=("ntk_lambda_min", "ntk_condition", "naswot", "grad_norm"),
                        input_norm: float | None = None, cache: bool = True) -> pd.DataFrame:
    """One row per architecture: the bound-derived scores and the at-init metrics.

    ``theory_layerwise`` / ``theory_series``: the Proposition 2 / 3 lower bound (ours) on the
    infinite-width ``lambda_min`` for the rows of ``X`` rescaled to the common norm
    ``input_norm`` (default :func:`rms_norm` of ``X``); no forward pass. Each name in
    ``metrics`` is :func:`nascore.metrics.score` on ``arch.build(d, width, num_classes,
    seed=s)`` with the inputs ``X`` as given (float32, as trained), averaged over ``seeds``.
    """
    import torch

    from nascore import metrics as registry

    X = check_data(X)
    U, c = unit_rows(X), check_input_norm(rms_norm(X) if input_norm is None else input_norm)
    lam = hadamard_lambda_min(U, 128)
    x, t = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(np.asarray(y), dtype=torch.int64)
    rows = []
    for key in arch_keys:
        arch = mixed.from_key(key)
        b = scaled_bounds(arch, U, input_norm=c, hadamard=lam)
        row = {"arch": key, "theory_layerwise": b.constants["layerwise_lower"], "theory_series": b.lower}
        for name in metrics:
            def compute(name=name, arch=arch):
                # NaN for a non-finite score (naswot's -inf): ranked last, as before.
                return {"value": float(np.mean([registry.score(
                    name, arch.build(X.shape[1], width, num_classes, seed=int(s)), x, t,
                    on_nonfinite="nan") for s in seeds]))}
            row[name] = _cached("metric", compute, cache, metric=name, arch=key, data=_digest(X),
                                labels=_digest(np.asarray(y, float)[:, None]), width=int(width),
                                num_classes=int(num_classes), seeds=[int(s) for s in seeds])["value"]
        rows.append(row)
    return pd.DataFrame(rows)


def _oriented(frame, column) -> np.ndarray:
    """Scores turned "higher is better", non-finite ones last (as :mod:`nascore.stats`)."""
    values = frame[column].to_numpy(dtype=float) * (1.0 if SCORES.get(column, True) else -1.0)
    return np.where(np.isfinite(values), values, -np.inf)


def picks(frame, columns, truth: str = "accuracy") -> pd.DataFrame:
    """The architecture each score ranks first over the whole ``frame``, its ``truth`` and its
    percentile, against the best and the median (ties, within a relative 1e-9: the first row
    in ``frame``)."""
    acc = frame[truth].to_numpy(dtype=float)
    rows = []
    for column in columns:
        i = argbest(_oriented(frame, column))
        rows.append({"score": column, "arch": frame["arch"].iloc[i], "picked": acc[i],
                     "percentile": float(100.0 * np.mean(acc <= acc[i])),
                     "best": float(acc.max()), "median": float(np.median(acc))})
    return pd.DataFrame(rows)


def sampled_search(frame, columns, truth: str = "accuracy", *, n_sample: int = 100,
                   repeats: int = 200, seed: int = 0) -> pd.DataFrame:
    """Train-free search as in spec section 9: draw ``n_sample`` architectures without
    replacement, keep the best-scored one, read its ``truth``; ``repeats`` times per score,
    with the same draws for every score; ``"random"`` keeps the first draw."""
    if not (isinstance(n_sample, int) and 1 <= n_sample <= len(frame)):
        raise ValueError(f"n_sample must be an integer in 1..{len(frame)}, got {n_sample!r}")
    acc = frame[truth].to_numpy(dtype=float)
    keys = {c: _oriented(frame, c) for c in columns}
    rng = np.random.default_rng(seed)
    rows = []
    for repeat in range(int(repeats)):
        rows_drawn = rng.choice(len(frame), size=n_sample, replace=False)
        rows.append({"repeat": repeat, "score": "random", "accuracy": acc[rows_drawn[0]]})
        for c, key in keys.items():
            best = rows_drawn[argbest(key[rows_drawn])]   # ties (1e-9): first drawn
            rows.append({"repeat": repeat, "score": c, "accuracy": acc[best]})
    return pd.DataFrame(rows)


def with_generalization(frame, column: str, n: int, *, delta: float = 0.05) -> pd.Series:
    """:func:`~nascore.theory.generalization_bound` of each row's ``column`` (``lambda_min``
    or a lower bound on it, which gives a valid upper bound), with the row's depth."""
    from nascore.theory.bounds import generalization_bound

    return pd.Series([generalization_bound(lam, n, depth=int(depth), delta=delta) if lam > 0
                      else float("inf") for lam, depth in zip(frame[column], frame["depth"])],
                     index=frame.index, name=f"generalization_{column}")


def structure(arch_keys) -> pd.DataFrame:
    """Per architecture: ``depth``, ``n_skips`` and ``n_sigmoid`` (sigmoid layers: the activation
    with the least non-constant Hermite energy, see the chapter's first figure)."""
    archs = [mixed.from_key(k) for k in arch_keys]
    return pd.DataFrame({"arch": list(arch_keys), "depth": [a.depth for a in archs],
                         "n_skips": [len(a.skips) for a in archs],
                         "n_sigmoid": [a.activations.count("sigmoid") for a in archs]})


def kendall_within(frame, column: str, by: str, truth: str = "accuracy", *, n_boot: int = 1000,
                   seed: int = 0) -> pd.DataFrame:
    """Kendall tau of ``column`` (oriented as :data:`SCORES`) with ``truth`` inside each group
    of ``by``: does the score rank architectures that share that trait?"""
    from nascore import stats

    rows = []
    for value, part in frame.groupby(by):
        if len(part) >= 3:
            r = stats.kendall(_oriented(part, column), part[truth].to_numpy(float), n_boot=n_boot, seed=seed)
            rows.append({by: value, "n": len(part), "tau": r.value, "low": r.low, "high": r.high})
    return pd.DataFrame(rows)
