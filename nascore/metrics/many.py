"""Many training-free metrics of one network on one batch, sharing the work.

:func:`score_many` returns the same numbers as calling :func:`nascore.metrics.score`
once per metric, at a fraction of the cost. With ``init="shared"`` (the default) every
metric sees the same initial weights, as in the zero-cost proxies' official code: it
builds a network once per architecture and gives each proxy a copy holding the same
state (zero-cost-nas ``foresight/pruners/measures/__init__.py:25`` calls
``get_prunable_copy``, which reloads the original state dict, ``nasbench2.py:80-88``).
Which work a metric shares is declared on its registry record
(:class:`~nascore.metrics.registry.SharedPass`); this module runs each declared pass once
and names no metric:

- **one forward pass** of the batch, train mode, on a copy of the network, read by
  hooks: the activation codes of the ``"activations"`` metrics (NASWOT and the DAS
  terms), the layer outputs of the ``"fisher"`` ones;
- **one backward pass** of the mean cross-entropy to the weights, which gives the
  ``"loss"`` metrics (``grad_norm``, ``snip``), the activation gradients of the
  ``"fisher"`` ones and the fixed gradient ``g`` of the ``"hessian"`` ones (the official
  grasp's pass 1, ``grasp.py:43-56``);
- **a second backward** through the same graph, of the summed outputs to the inputs,
  for the ``"jacobian"`` metrics (``jacov``);
- for the ``"hessian"`` metrics (``grasp``), one more forward with a double-backward
  graph (the official pass 2, ``grasp.py:58-73``);
- any other metric (``synflow``, ``flops``, ``params``, the NTK metrics...) runs through
  :func:`nascore.metrics.score` on the same network.

``init="per-proxy"`` takes a callable returning a fresh network instead and builds one
per metric, each scored through :func:`nascore.metrics.score`, sharing nothing: what
NASLib's benchmark runner does, one job per proxy that builds the graph anew
(``naslib/runners/zc/benchmarks/runner.py:49-59``).

The caller's network is never modified.
"""
from __future__ import annotations

import copy
import math
import time
from contextlib import ExitStack
from typing import Callable

import torch
from torch import nn

from . import zero_cost
from .naswot import ActivationRecorder
from .registry import PASSES, check_inputs, check_option_names, check_targets, finite_value, info, score

INITS = ("shared", "per-proxy")
#: The passes that need the loss gradients of the first backward pass.
_LOSS_STEPS = ("loss", "fisher", "hessian")


class Scores(dict):
    """``{metric: value}``, plus ``errors`` (``{metric: message}`` for metrics that failed
    under ``on_error="nan"``) and ``seconds`` (wall time of each shared step)."""

    def __init__(self):
        super().__init__()
        self.errors: dict[str, str] = {}
        self.seconds: dict[str, float] = {}


def _options(names, options) -> dict:
    options = dict(options or {})
    extra = sorted(set(options) - set(names))
    if extra:
        raise ValueError(f"options name metrics that are not scored: {', '.join(extra)}")
    merged = {}
    for name in names:
        record = info(name)
        given = dict(options.get(name, {}))
        if record.shared is not None:
            bad = sorted(set(given) - set(record.shared.options))
            if bad:
                allowed = ", ".join(record.shared.options) or "none"
                raise ValueError(f"metric {name!r} got unknown option(s) {', '.join(bad)}; allowed: {allowed}")
        else:
            check_option_names(record, given)
        merged[name] = {**record.options, **given}
    return merged


def _check(names, inputs, targets, options):
    names = list(names)
    if not names:
        raise ValueError("names must list at least one metric")
    if len(set(names)) != len(names):
        raise ValueError(f"metric names contain duplicates: {names}")
    for name in names:
        info(name)  # raises with the list of known metrics
    check_inputs(inputs)
    options = _options(names, options)
    if targets is not None:
        check_targets(targets, inputs.shape[0])
    else:
        for name in names:
            if info(name).labels_needed(options[name]):
                raise ValueError(f"metric {name!r} needs labels: pass targets=(N,) int64 class indices")
    return names, options


def _finish(scores: Scores, name: str, compute: Callable[[], float], on_error: str) -> None:
    """Store ``compute()`` under ``name`` after :func:`score`'s finiteness rule (a NaN or
    infinite value is :class:`~nascore.metrics.registry.NonFiniteScore`)."""
    try:
        value = finite_value(name, float(compute()))
    except ValueError as error:
        if on_error == "raise":
            raise
        scores[name], scores.errors[name] = math.nan, str(error)
        return
    scores[name] = value


def _fail_all(scores: Scores, names, error: ValueError, on_error: str) -> None:
    if on_error == "raise":
        raise error
    for name in names:
        scores[name], scores.errors[name] = math.nan, str(error)


def score_many(names, net, inputs: torch.Tensor, targets: torch.Tensor | None = None, *,
               options: dict | None = None, init: str = "shared", on_error: str = "raise") -> Scores:
    """Every metric in ``names`` for one network and one batch: ``{name: value}``.

    ``net``: an ``nn.Module``, or a callable returning one (``init="per-proxy"`` requires
    the callable and calls it once per metric; ``"shared"`` calls it once). ``options``:
    ``{metric: {option: value}}``, as :func:`nascore.metrics.score` takes them.
    ``on_error="nan"`` records a metric's ``ValueError`` as NaN and keeps its message in
    ``.errors``; ``"raise"`` re-raises. Each value equals
    ``nascore.metrics.score(name, net, inputs, targets, **options[name])`` up to
    floating-point rounding (``tests/test_metrics_many.py``).
    """
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; allowed: {', '.join(INITS)}")
    if on_error not in ("nan", "raise"):
        raise ValueError(f"on_error must be 'nan' or 'raise', got {on_error!r}")
    names, options = _check(names, inputs, targets, options)
    scores = Scores()
    if init == "per-proxy":
        if isinstance(net, nn.Module) or not callable(net):
            raise ValueError("init='per-proxy' needs a callable that returns a fresh network")
        for name in names:
            start = time.perf_counter()
            _finish(scores, name, lambda: score(name, net(), inputs, targets, **options[name]), on_error)
            scores.seconds[name] = time.perf_counter() - start
        return scores
    if not isinstance(net, nn.Module):
        net = net() if callable(net) else net
    if not isinstance(net, nn.Module):
        raise ValueError(f"net must be a torch.nn.Module or a callable returning one, got {type(net).__name__}")
    shared = {name: info(name).shared for name in names}
    _shared_pass(scores, net, inputs, targets, {n: s for n, s in shared.items() if s is not None},
                 options, on_error)
    for name in names:
        if shared[name] is None:
            start = time.perf_counter()
            _finish(scores, name, lambda: score(name, net, inputs, targets, **options[name]), on_error)
            scores.seconds[name] = time.perf_counter() - start
    ordered = Scores()
    ordered.update({name: scores[name] for name in names})
    ordered.errors, ordered.seconds = scores.errors, scores.seconds
    return ordered


def _shared_pass(scores, net, inputs, targets, shared, options, on_error) -> None:
    """The forward pass and its backward passes for the metrics of ``shared``
    (``{name: SharedPass}``; see the module docstring)."""
    if not shared:
        return
    start = time.perf_counter()
    steps = {step: [n for n, s in shared.items() if s.step == step] for step in PASSES}
    codes, wants_loss = steps["activations"], any(steps[s] for s in _LOSS_STEPS)
    wants_jacobian = bool(steps["jacobian"])
    work = copy.deepcopy(net)
    work.train()
    recorders, fisher = {}, None
    for points in sorted({options[n].get("points", "name") for n in codes}):
        try:
            recorders[points] = ActivationRecorder(work, points)
        except ValueError as error:
            failed = [n for n in codes if options[n].get("points", "name") == points]
            _fail_all(scores, failed, error, on_error)
            codes = [n for n in codes if n not in failed]
    if steps["fisher"]:
        try:
            fisher = zero_cost.FisherRecorder(work)
        except ValueError as error:
            _fail_all(scores, steps["fisher"], error, on_error)
    try:
        with ExitStack() as stack:
            for recorder in (*recorders.values(), fisher):
                if recorder is not None:
                    stack.enter_context(recorder)
            x = inputs.detach().clone().requires_grad_(wants_jacobian)
            with torch.set_grad_enabled(wants_loss or wants_jacobian):
                logits = work(x)
            if wants_loss:
                weights = zero_cost.weights_of(work)
                loss = zero_cost.cross_entropy_of(logits, inputs, targets)
                grads = zero_cost.loss_gradients(loss, weights, retain_graph=wants_jacobian)
            if fisher is not None:
                fisher.active = False  # the Jacobian's backward must not reach the Fisher hooks
            if wants_jacobian:
                (jacobian,) = torch.autograd.grad(logits, x, grad_outputs=torch.ones_like(logits),
                                                  allow_unused=True)
                jacobian = torch.zeros_like(x) if jacobian is None else jacobian
    except ValueError as error:
        _fail_all(scores, [n for n in shared if n not in scores], error, on_error)
        return
    n = inputs.shape[0]
    for name in codes:
        parts = recorders[options[name].get("points", "name")].parts
        _finish(scores, name, lambda: shared[name].value(parts, n, **options[name]), on_error)
    for name in steps["loss"]:
        _finish(scores, name, lambda: shared[name].value(weights, grads, **options[name]), on_error)
    if fisher is not None:
        for name in steps["fisher"]:
            _finish(scores, name, lambda: shared[name].value(fisher.captured, **options[name]), on_error)
    for name in steps["jacobian"]:
        _finish(scores, name, lambda: shared[name].value(jacobian, **options[name]), on_error)
    scores.seconds["forward+backward"] = time.perf_counter() - start
    if steps["hessian"]:
        del logits, loss  # free the first graph before building the double-backward one
    for name in steps["hessian"]:
        start = time.perf_counter()
        _finish(scores, name, lambda: shared[name].value(work, inputs, targets, weights, grads, **options[name]),
                on_error)
        scores.seconds[name] = time.perf_counter() - start
