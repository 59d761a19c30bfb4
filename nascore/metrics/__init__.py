"""Training-free metrics, one registry (:mod:`.registry`), one module per paper family.

>>> import nascore.metrics as metrics
>>> "naswot" in metrics.available()
True
>>> metrics.info("ntk_condition").higher_is_better
False

Public API: :func:`available`, :func:`score`, :func:`info` (and :func:`register` to add
one); :func:`score_many` for several metrics of one network and batch, sharing work;
:func:`direction`, the sign that makes a metric "higher is better".
Every metric function has the signature ``fn(net, inputs, targets, **options)``.
:func:`score` returns a finite float or raises ``ValueError``; a NaN or infinite value is
:class:`NonFiniteScore` (or NaN with ``on_nonfinite="nan"``).
"""
from . import cost, das, hnas, naswot, ntk_metrics, synflow, zero_cost  # noqa: F401  (registers)
from .many import Scores, score_many
from .registry import Metric, NonFiniteScore, SharedPass, available, direction, info, register, score

__all__ = ["Metric", "NonFiniteScore", "Scores", "SharedPass", "available", "direction", "info", "register", "score",
           "score_many"]
