"""HNAS's training-free objective: a gradient metric traded off against trainability.

Shu, Dai, Wu, Low, *Unifying and boosting gradient-based training-free neural
architecture search* (NeurIPS 2022); the objective as their official search code
``nasbench/nasbench2_search.py`` (``score_arch``) computes it:

    score(A) = mu * |M(A)² - C²| + κ(A) / (M(A) + 1e-6)        (minimised)

``M`` is a training-free metric (``ntk_trace`` by default; the code also allows
``grad_norm``, ``snip``, ``grasp``) taken as the raw value (the code's "logmeasures" are
not logarithms), ``κ`` is the condition number of the same NTK the official ``M`` comes
from (``foresight/pruners/measures/condnum.py`` lines 34-44: one backward of the summed
true-class logits, per-sample pieces on Conv2d / Linear weights and biases, train-mode
batch norm; :data:`nascore.metrics.ntk_metrics.HNAS_CONVENTION`), and ``mu``,
``C`` are the two hyper-parameters their Bayesian optimisation tunes (``mu = 10^c``,
``c ∈ [-4, 0]``; ``C = t * 5000``, ``t ∈ [0, 1]`` on NAS-Bench-201).
"""
from __future__ import annotations

import copy
import math

from .registry import info, register

METRICS = ("ntk_trace", "grad_norm", "snip", "grasp")
#: Value of κ when the kernel is singular (official code: NaN -> 1e5).
SINGULAR_CONDITION = 1e5
#: HNAS's kernel conventions (``ntk_trace.py`` / ``condnum.py``), as options of :func:`hnas`.
HNAS_KERNEL = {"params": "conv-linear", "per_sample": "batch-decomposition", "mode": "train"}


def objective(metric: float, condition: float, *, mu: float, target: float) -> float:
    """``mu * |metric² - target²| + condition / (metric + 1e-6)``."""
    return mu * abs(metric ** 2 - target ** 2) + condition / (metric + 1e-6)


@register("hnas", paper="Shu et al., Unifying and boosting gradient-based training-free NAS, NeurIPS 2022",
          equation="hybrid objective (Sec. 5); official score_arch", higher_is_better=False,
          needs_labels=True, ntk_output="target", ntk_params="conv-linear", ntk_per_sample="batch-decomposition",
          options={"mu": 0.01, "target": 0.0, "metric": "ntk_trace", **HNAS_KERNEL},
          description="mu |M² - C²| + κ / M: a metric near a target value and a well-conditioned NTK (lower is better).")
def hnas(net, inputs, targets, *, mu: float = 0.01, target: float = 0.0, metric: str = "ntk_trace",
         params: str = "conv-linear", per_sample: str = "batch-decomposition", mode: str = "train") -> float:
    """HNAS objective of one network (see the module docstring); lower is better.

    Defaults ``mu = 0.01`` (``c = -2``, the value of the official initial probes) and
    ``C = 0`` are placeholders: the search tunes both. ``params``, ``per_sample``,
    ``mode``: the NTK conventions of κ (and of ``M`` when ``metric="ntk_trace"``); the
    defaults are HNAS's code.
    """
    from nascore import ntk

    if metric not in METRICS:
        raise ValueError(f"unknown HNAS metric {metric!r}; allowed: {', '.join(METRICS)}")
    theta = ntk.empirical_ntk(copy.deepcopy(net), inputs, output="target", targets=targets,
                              params=params, per_sample=per_sample, mode=mode)
    condition = float(ntk.condition_number(theta))
    if not math.isfinite(condition) or condition < 0:
        condition = SINGULAR_CONDITION
    if metric == "ntk_trace":
        value = math.sqrt(float(ntk.trace(theta)) / inputs.shape[0])
    else:
        value = float(info(metric).function(copy.deepcopy(net), inputs, targets))
    return objective(value, condition, mu=float(mu), target=float(target))
