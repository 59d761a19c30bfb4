"""Many training-free metrics of one network on one batch, sharing the work.

:func:`score_many` returns the same numbers as calling :func:`nascore.metrics.score`
once per metric, at a fraction of the cost. With ``init="shared"`` (the default) every
metric sees the same initial weights, as in the zero-cost proxies' official code: it
builds a network once per architecture and gives each proxy a copy holding the same
state (zero-cost-nas ``foresight/pruners/measures/__init__.py:25`` calls
``get_prunable_copy``, which reloads the original state dict, ``nasbench2.py:80-88``).
The work is shared as follows:

- **one forward pass** of the batch, train mode, on a copy of the network, read by
  hooks: the activation codes of ``naswot``, ``das``, ``das_units`` and
  ``das_distinguishing``; the layer outputs of ``fisher``;
- **one backward pass** of the mean cross-entropy to the weights, which gives
  ``grad_norm``, ``snip``, the activation gradients of ``fisher`` and the fixed
  gradient ``g`` of ``grasp`` (the official grasp's pass 1, ``grasp.py:43-56``);
- **a second backward** through the same graph, of the summed outputs to the inputs,
  for ``jacov``;
- ``grasp``'s Hessian-vector product: one more forward with a double-backward graph
  (the official pass 2, ``grasp.py:58-73``);
- ``synflow``: its own copy (BatchNorm removed, float64, ``|θ|``), one all-ones sample;
  ``flops``: one sample, eval mode, on a copy; ``params``: counted on the network;
- any other metric runs through :func:`nascore.metrics.score` on the same network.

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

from . import cost, das as das_module, synflow as synflow_module, zero_cost
from .naswot import ActivationRecorder, jacov_value, kernel_of, log_abs_det
from .registry import check_inputs, check_targets, finite_value, info, score

INITS = ("shared", "per-proxy")
#: Metrics computed by the shared passes, with the options each accepts.
SHARED_OPTIONS = {
    "grad_norm": (), "snip": (), "grasp": (), "fisher": ("per",), "jacov": ("k",),
    "naswot": ("points",), "das": ("weight", "rule"), "das_units": (), "das_distinguishing": (),
    "synflow": ("log",), "params": ("millions",), "flops": ("count_bias", "count_pooling", "millions"),
}
_CODES = ("naswot", "das", "das_units", "das_distinguishing")
_LOSS = ("grad_norm", "snip", "fisher", "grasp")


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
        if name in SHARED_OPTIONS:
            bad = sorted(set(given) - set(SHARED_OPTIONS[name]))
            if bad:
                allowed = ", ".join(SHARED_OPTIONS[name]) or "none"
                raise ValueError(f"metric {name!r} got unknown option(s) {', '.join(bad)}; allowed: {allowed}")
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
    _shared_pass(scores, net, inputs, targets, [n for n in names if n in _CODES + _LOSS + ("jacov",)],
                 options, on_error)
    for name in names:
        start = time.perf_counter()
        if name == "synflow":
            _finish(scores, name, lambda: synflow_module.synflow_of_copy(
                synflow_module.synflow_network(copy.deepcopy(net)), inputs.shape[1:], **options[name]), on_error)
        elif name == "flops":
            _finish(scores, name, lambda: cost.flops(copy.deepcopy(net), inputs, **options[name]), on_error)
        elif name == "params":
            _finish(scores, name, lambda: cost.params(net, **options[name]), on_error)
        elif name not in SHARED_OPTIONS:
            _finish(scores, name, lambda: score(name, net, inputs, targets, **options[name]), on_error)
        else:
            continue
        scores.seconds[name] = time.perf_counter() - start
    ordered = Scores()
    ordered.update({name: scores[name] for name in names})
    ordered.errors, ordered.seconds = scores.errors, scores.seconds
    return ordered


def _shared_pass(scores, net, inputs, targets, names, options, on_error) -> None:
    """The forward pass and its backward passes (see the module docstring)."""
    if not names:
        return
    start = time.perf_counter()
    codes = [n for n in names if n in _CODES]
    loss_metrics = [n for n in names if n in _LOSS]
    wants_jacobian = "jacov" in names
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
    if "fisher" in names:
        try:
            fisher = zero_cost.FisherRecorder(work)
        except ValueError as error:
            _fail_all(scores, ["fisher"], error, on_error)
    try:
        with ExitStack() as stack:
            for recorder in (*recorders.values(), fisher):
                if recorder is not None:
                    stack.enter_context(recorder)
            x = inputs.detach().clone().requires_grad_(wants_jacobian)
            with torch.set_grad_enabled(bool(loss_metrics) or wants_jacobian):
                logits = work(x)
            if loss_metrics:
                weights = zero_cost.weights_of(work)
                loss = zero_cost.cross_entropy_of(logits, inputs, targets)
                grads = zero_cost.loss_gradients(loss, weights, retain_graph=wants_jacobian)
            if fisher is not None:
                fisher.active = False  # the Jacobian's backward must not reach the Fisher hooks
            if wants_jacobian:
                (jacobian,) = torch.autograd.grad(logits, x, grad_outputs=torch.ones_like(logits),
                                                  allow_unused=True)
    except ValueError as error:
        _fail_all(scores, [n for n in names if n not in scores], error, on_error)
        return
    n = inputs.shape[0]
    for name in codes:
        parts = recorders[options[name].get("points", "name")].parts
        if name == "naswot":
            _finish(scores, name, lambda: log_abs_det(kernel_of(parts, n)[0]), on_error)
        elif name == "das":
            _finish(scores, name, lambda: das_module.das_value(parts, **options[name]), on_error)
        elif name == "das_units":
            _finish(scores, name, lambda: das_module.units_value(parts, n), on_error)
        else:
            _finish(scores, name, lambda: das_module.distinguishing_value(parts, n), on_error)
    if "grad_norm" in names:
        _finish(scores, "grad_norm", lambda: zero_cost.grad_norm_value(grads), on_error)
    if "snip" in names:
        _finish(scores, "snip", lambda: zero_cost.snip_value(weights, grads), on_error)
    if fisher is not None:
        _finish(scores, "fisher", lambda: zero_cost.fisher_value(fisher.captured, **options["fisher"]), on_error)
    if wants_jacobian:
        _finish(scores, "jacov", lambda: jacov_value(torch.zeros_like(x) if jacobian is None else jacobian,
                                                     **options["jacov"]), on_error)
    scores.seconds["forward+backward"] = time.perf_counter() - start
    if "grasp" in names:
        start = time.perf_counter()
        del logits, loss  # free the first graph before building the double-backward one

        def grasp():
            second = zero_cost.cross_entropy_of(work(inputs), inputs, targets)
            product = zero_cost.hessian_gradient(second, weights, [g.detach() for g in grads])
            return zero_cost.grasp_value(weights, product)

        _finish(scores, "grasp", grasp, on_error)
        scores.seconds["grasp"] = time.perf_counter() - start
