"""One registry for every training-free metric, and the single entry point :func:`score`.

Each metric is a plain function ``fn(net, inputs, targets, **options) -> float``
registered with :func:`register`, which stores a frozen :class:`Metric` record holding
what the book needs to know about it (paper, equation, direction, label use, NTK output
convention) and what :func:`~nascore.metrics.score_many` needs to share its work with
other metrics (a :class:`SharedPass`). Registering two metrics under one name is an error.
:func:`direction` is the sign that turns a metric "higher is better".

:func:`score` is the public door: it validates the name, the inputs and the labels,
runs the metric on a *deep copy* of the network (so a metric may patch weights, add hooks
or switch BatchNorm mode freely, and the caller's network, its gradients and its
``training`` flag are never touched), and answers every input with either a finite
float or a ``ValueError`` that says what went wrong, never another exception type:

- bad names, options, shapes, dtypes or non-finite inputs: ``ValueError`` naming them;
- an error inside the computation (a network that does not accept these inputs, labels
  beyond its outputs...): ``ValueError`` carrying the original error's type and message;
- a value that comes out NaN or infinite (overflow, a degenerate network, or ``-inf``,
  the worst possible score of a log-determinant metric on a singular kernel):
  :class:`NonFiniteScore`, a ``ValueError`` naming the metric and the reason. Table
  builders that rank many networks pass ``on_nonfinite="nan"`` to get NaN instead,
  which :mod:`nascore.stats` ranks as the worst score.
"""
from __future__ import annotations

import copy
import inspect
import math
from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import nn

from ..messages import clip, short

#: NTK output conventions (see :mod:`nascore.ntk`): summed logits (TE-NAS), the logit
#: of the true class (HNAS's code) and all logits.
NTK_OUTPUTS = ("sum", "target", "full")
#: What :func:`score` does with a NaN or infinite value.
ON_NONFINITE = ("raise", "nan")
#: The passes :func:`~nascore.metrics.score_many` runs once for every metric that shares them.
PASSES = ("activations", "loss", "fisher", "jacobian", "hessian")


class NonFiniteScore(ValueError):
    """A metric's value came out NaN or infinite; ``metric``, ``value`` and ``reason`` say
    which, what and why."""

    def __init__(self, metric: str, value: float, reason: str):
        self.metric, self.value, self.reason = metric, value, reason
        super().__init__(f"metric {metric!r} is not finite ({value}) for this network and batch: "
                         f"{reason}; pass on_nonfinite='nan' to get NaN instead")


@dataclass(frozen=True)
class SharedPass:
    """How :func:`~nascore.metrics.score_many` computes a metric from a pass it shares.

    ``step`` names the pass, run once for all the metrics that declare it, and what
    ``value`` receives from it (then the metric's options as keywords):

    - ``"activations"``: one forward pass, train mode, read by activation-code hooks
      (:class:`~nascore.metrics.naswot.ActivationRecorder` at the metric's ``points``
      option, ``"name"`` by default): ``value(parts, n)``, the per-activation ``(K_l, N_l)``
      of the batch of ``n`` inputs;
    - ``"loss"``: the backward pass of the mean cross-entropy to the weights:
      ``value(weights, grads)``;
    - ``"fisher"``: the same backward pass, each layer's output and its gradient captured
      (:class:`~nascore.metrics.zero_cost.FisherRecorder`): ``value(captured)``;
    - ``"jacobian"``: a second backward through the same graph, of the summed outputs to
      the inputs: ``value(jacobian)``;
    - ``"hessian"``: after the loss pass, a forward with a double-backward graph:
      ``value(net, inputs, targets, weights, grads)``.

    ``options``: the options ``value`` accepts. A metric without a shared pass runs
    through :func:`score`.
    """

    step: str
    value: Callable[..., float]
    options: tuple[str, ...] = ()

    def __post_init__(self):
        if self.step not in PASSES:
            raise ValueError(f"unknown shared pass {self.step!r}; allowed: {', '.join(PASSES)}")


@dataclass(frozen=True)
class Metric:
    """What the registry knows about one metric.

    ``needs_labels`` is for the default options; ``labels_needed`` refines it for a
    given set of options (e.g. an NTK metric whose default output is the true-class
    logit needs no labels once ``output="sum"``). ``ntk_output``, ``ntk_params`` and
    ``ntk_per_sample`` record an NTK metric's default conventions (output scalar,
    parameter set, exact gradients or HNAS's batch decomposition; see
    :mod:`nascore.metrics.ntk_metrics`). ``allows_neg_inf``: the metric may
    return ``-inf`` on purpose, meaning "worst possible" (a singular log-determinant);
    :func:`score` still reports it as :class:`NonFiniteScore`, with that reason.
    ``shared``: the pass :func:`~nascore.metrics.score_many` shares with other metrics, if any.
    """

    name: str
    function: Callable[..., float]
    paper: str
    equation: str
    higher_is_better: bool
    needs_labels: bool
    description: str
    ntk_output: str | None = None
    ntk_params: str | None = None
    ntk_per_sample: str | None = None
    allows_neg_inf: bool = False
    options: dict = field(default_factory=dict)
    labels_rule: Callable[[dict], bool] | None = field(default=None, repr=False)
    shared: SharedPass | None = field(default=None, repr=False)

    def labels_needed(self, options: dict) -> bool:
        """Whether ``targets`` is required when the metric runs with ``options``."""
        if self.labels_rule is None:
            return self.needs_labels
        return bool(self.labels_rule(options))


_REGISTRY: dict[str, Metric] = {}


def register(name: str, *, paper: str, equation: str, higher_is_better: bool,
             needs_labels: bool, description: str, ntk_output: str | None = None,
             ntk_params: str | None = None, ntk_per_sample: str | None = None,
             allows_neg_inf: bool = False, options: dict | None = None,
             labels_rule: Callable[[dict], bool] | None = None, shared: SharedPass | None = None):
    """Decorator adding ``fn(net, inputs, targets, **options) -> float`` under ``name``.

    Decorators stack, so one function may be registered under several names with
    different default ``options`` (e.g. a paper's variants).
    """
    if ntk_output is not None and ntk_output not in NTK_OUTPUTS:
        raise ValueError(f"unknown NTK output {ntk_output!r}; allowed: {', '.join(NTK_OUTPUTS)}")

    def decorator(fn):
        if name in _REGISTRY:
            raise ValueError(f"metric {name!r} is already registered")
        _REGISTRY[name] = Metric(
            name=name, function=fn, paper=paper, equation=equation,
            higher_is_better=higher_is_better, needs_labels=needs_labels,
            description=description, ntk_output=ntk_output, ntk_params=ntk_params,
            ntk_per_sample=ntk_per_sample, allows_neg_inf=allows_neg_inf,
            options=dict(options or {}), labels_rule=labels_rule, shared=shared,
        )
        return fn

    return decorator


def available() -> list[str]:
    """Names of all registered metrics, sorted."""
    return sorted(_REGISTRY)


def info(name: str) -> Metric:
    """The :class:`Metric` record of ``name`` (paper, equation, direction, labels ...)."""
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ValueError(f"unknown metric {short(name)}; available: {', '.join(available())}")
    return _REGISTRY[name]


def direction(name: str) -> int:
    """+1 if a higher value of metric ``name`` means a better architecture, -1 if a lower one does."""
    return 1 if info(name).higher_is_better else -1


def score(name: str, net: nn.Module, inputs: torch.Tensor, targets: torch.Tensor | None = None,
          *, on_nonfinite: str = "raise", **options) -> float:
    """Value of metric ``name`` for ``net`` on the batch ``inputs`` (labels ``targets``).

    ``inputs``: a finite floating tensor ``(N, ...)``; ``targets``: int64 class indices of
    shape ``(N,)``, required when the metric needs labels. Options are passed to the
    metric as keywords (see each metric's docstring). The caller's network is left
    unchanged: the metric runs on a deep copy.

    Returns a finite float, or raises ``ValueError``; a NaN or infinite value raises
    :class:`NonFiniteScore` (``on_nonfinite="raise"``, the default) or is returned as NaN
    (``on_nonfinite="nan"``, for tables that rank non-finite scores last).
    """
    record = info(name)
    if on_nonfinite not in ON_NONFINITE:
        raise ValueError(f"on_nonfinite must be one of {', '.join(map(repr, ON_NONFINITE))}, "
                         f"got {short(on_nonfinite)}")
    if not isinstance(net, nn.Module):
        raise ValueError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    check_inputs(inputs)
    dtypes = {p.dtype for p in net.parameters() if p.is_floating_point()}
    if dtypes and inputs.dtype not in dtypes:
        raise ValueError(f"inputs have dtype {inputs.dtype} but the network's parameters are "
                         f"{', '.join(sorted(map(str, dtypes)))}; convert one to the other")
    check_option_names(record, options)
    options = {**record.options, **options}
    if targets is not None:
        check_targets(targets, inputs.shape[0])
    elif record.labels_needed(options):
        raise ValueError(f"metric {name!r} needs labels: pass targets=(N,) int64 class indices")
    work = copy.deepcopy(net)
    try:
        value = float(record.function(work, inputs, targets, **options))
    except (ValueError, MemoryError):
        raise
    except Exception as error:  # any other failure of the computation, said as a ValueError
        raise ValueError(f"metric {name!r} could not be computed for this network and batch: "
                         f"{type(error).__name__}: {clip(str(error), total=300)}") from error
    return finite_value(name, value, on_nonfinite)


def finite_value(name: str, value: float, on_nonfinite: str = "raise") -> float:
    """``value`` if finite; else NaN (``on_nonfinite="nan"``) or :class:`NonFiniteScore`
    saying why metric ``name`` may come out so (the rule of :func:`score`)."""
    if math.isfinite(value):
        return value
    if on_nonfinite == "nan":
        return math.nan
    if value == -math.inf and info(name).allows_neg_inf:
        reason = ("by its definition the worst possible score: its kernel is singular (two inputs "
                  "share their activation codes, or the network has no rectified units)")
    else:
        reason = ("the computation overflowed or the network is degenerate for this batch "
                  "(e.g. a constant output or a zero kernel)")
    raise NonFiniteScore(name, value, reason)


def check_option_names(record: Metric, options: dict) -> None:
    """Name options the metric's function does not take (a metric with ``**options``
    checks its own, see :func:`reject_options`)."""
    parameters = inspect.signature(record.function).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return
    allowed = [p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ValueError(f"metric {record.name!r} has no option(s) {', '.join(map(short, unknown))}; "
                         f"its options: {', '.join(allowed) or 'none'}")


def check_inputs(inputs) -> None:
    """Reject anything but a finite floating tensor with a batch dimension."""
    if not isinstance(inputs, torch.Tensor):
        raise ValueError(f"inputs must be a torch.Tensor, got {type(inputs).__name__}")
    if not inputs.is_floating_point():
        raise ValueError(f"inputs must be a floating tensor, got dtype {inputs.dtype}")
    if inputs.dim() < 2 or inputs.shape[0] < 1:
        raise ValueError(
            f"inputs must have shape (N, ...) with a batch dimension N >= 1, got {tuple(inputs.shape)}"
        )
    finite = torch.isfinite(inputs)
    if not finite.all():
        bad = int((~finite).sum())
        raise ValueError(f"inputs contain {bad} NaN or infinite entr{'y' if bad == 1 else 'ies'} "
                         f"(of {inputs.numel()}); all entries must be finite")
    # Second moments (batch norm, kernels, losses) of larger inputs overflow the dtype and
    # come back as silent zeros (an infinite variance normalises everything to 0).
    limit = math.sqrt(torch.finfo(inputs.dtype).max)
    largest = float(inputs.abs().max()) if inputs.numel() else 0.0
    if largest > limit:
        raise ValueError(f"inputs are too large: max |x| = {largest:.3g} exceeds {limit:.3g}, the square "
                         f"root of the largest {inputs.dtype} value, so their squares overflow; "
                         "rescale the inputs (e.g. standardise them)")


def check_targets(targets, n: int, num_classes: int | None = None) -> None:
    """Reject labels that are not ``(n,)`` int64 class indices in ``[0, num_classes)``."""
    if not isinstance(targets, torch.Tensor):
        raise ValueError(f"targets must be a torch.Tensor, got {type(targets).__name__}")
    if targets.dtype != torch.int64:
        raise ValueError(f"targets must be int64 class indices, got dtype {targets.dtype}")
    if tuple(targets.shape) != (n,):
        raise ValueError(f"targets must have shape ({n},) to match the inputs, got {tuple(targets.shape)}")
    if n and int(targets.min()) < 0:
        raise ValueError(f"targets must be >= 0, got {int(targets.min())}")
    if num_classes is not None and n and int(targets.max()) >= num_classes:
        raise ValueError(
            f"targets must be < {num_classes} (the network's number of outputs), got {int(targets.max())}"
        )


def reject_options(name: str, options: dict) -> None:
    """For metrics without options: name the unexpected ones."""
    if options:
        raise ValueError(f"metric {name!r} takes no options, got {', '.join(sorted(options))}")
