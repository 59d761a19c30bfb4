"""Metrics of the empirical NTK at initialisation, and label-gradient alignment.

Every metric here builds one kernel ``Θ = J Jᵀ`` (float64) with
:func:`nascore.ntk.empirical_ntk` under four explicit conventions, each an option:

- ``output``: the per-sample scalar: ``"sum"`` (summed logits), ``"target"`` (the
  true-class logit; needs labels) or ``"full"`` (all logits, an ``NK x NK`` kernel);
- ``params``: the parameter set (:mod:`nascore.ntk.params`): ``"all"``, ``"weights"``,
  ``"weights-no-classifier"``, ``"conv-linear"``;
- ``per_sample``: ``"exact"`` (each sample's own gradient, the whole batch forwarded
  once) or ``"batch-decomposition"`` (per-sample pieces of one batch backward,
  :mod:`nascore.ntk.decomposition`);
- ``mode``: batch norm with batch statistics (``"train"``) or running ones (``"eval"``).

Each metric's DEFAULT is its paper's official code (table below); the others remain
options. All defaults use train-mode (batch-statistics) batch norm, as every official
code does.

=================  ========  =====================  ===================  ==========================
metric             output    params                 per_sample           official source
=================  ========  =====================  ===================  ==========================
ntk_trace (HNAS)   target    conv-linear            batch-decomposition  HNAS ntk_trace.py l.35-45
hnas (its κ)       target    conv-linear            batch-decomposition  HNAS condnum.py l.34-44
ntk_condition      sum       weights                exact                TE-NAS ntk.py l.41-59
ntk_lambda_min     sum       all                    exact                (Zhu et al.: no code)
ntk_mean           sum       weights-no-classifier  exact                LGA label_align_eig.py
ntk_frobenius      sum       weights-no-classifier  exact                LGA label_align_eig.py
lga                sum       weights-no-classifier  exact                LGA label_align_eig.py
=================  ========  =====================  ===================  ==========================

(HNAS = shuyao95/HNAS ``foresight/pruners/measures/``; TE-NAS = VITA-Group/TENAS
``lib/procedures/ntk.py``; LGA = naver-ai/demystifying-ntk
``ntk_nas_init/foresight/pruners/measures/label_align_eig.py`` lines 26-63.)

With ``output="full"`` a metric defined per sample keeps its per-sample normalisation:
``ntk_trace`` divides the trace of the ``NK x NK`` kernel by ``N`` (not ``NK``);
``ntk_mean`` is the mean of all ``(NK)²`` entries; ``ntk_frobenius``, ``ntk_lambda_min``
and ``ntk_condition`` are those of the ``NK x NK`` matrix. ``lga`` needs an ``N x N``
kernel and refuses ``"full"``.
"""
from __future__ import annotations

import math

import torch

from .registry import register

#: The convention options every NTK metric accepts.
CONVENTIONS = ("output", "params", "per_sample", "mode")
HNAS_CONVENTION = {"output": "target", "params": "conv-linear", "per_sample": "batch-decomposition", "mode": "train"}
TENAS_CONVENTION = {"output": "sum", "params": "weights", "per_sample": "exact", "mode": "train"}
LGA_CONVENTION = {"output": "sum", "params": "weights-no-classifier", "per_sample": "exact", "mode": "train"}
ZHU_CONVENTION = {"output": "sum", "params": "all", "per_sample": "exact", "mode": "train"}


def _labels_if_target(default):
    return lambda options: options.get("output", default) == "target"


def kernel(net, inputs, targets, output: str, *, params: str = "all", per_sample: str = "exact",
           mode: str = "train") -> torch.Tensor:
    """The empirical NTK of ``net`` on the batch under the given conventions."""
    from nascore import ntk

    if output == "target" and targets is None:
        raise ValueError("output='target' (true-class logit) needs labels: pass targets")
    return ntk.empirical_ntk(net, inputs, output=output, targets=targets if output == "target" else None,
                             params=params, per_sample=per_sample, mode=mode)


def _ntk(convention, **extra):
    """Registry keywords of an NTK metric whose default options are ``convention``."""
    return dict(ntk_output=convention["output"], ntk_params=convention["params"],
                ntk_per_sample=convention["per_sample"], options={**convention, **extra},
                labels_rule=_labels_if_target(convention["output"]))


@register("ntk_trace", paper="Shu et al., Unifying and boosting gradient-based training-free NAS (HNAS), NeurIPS 2022",
          equation="M_trace = sqrt(||Θ||_tr / m) (Sec. 3); official ntk_trace.py",
          higher_is_better=True, needs_labels=True, **_ntk(HNAS_CONVENTION),
          description="Square root of the NTK trace per sample (HNAS's M).")
def ntk_trace(net, inputs, targets=None, *, output: str = "target", params: str = "conv-linear",
              per_sample: str = "batch-decomposition", mode: str = "train") -> float:
    """``M = sqrt(tr Θ / N) = sqrt( (1/N) sum_i ||g_i||² )``, ``g_i`` the rows of ``J``.

    Default = HNAS's code (shuyao95/HNAS ``foresight/pruners/measures/ntk_trace.py``
    lines 35-45): one backward of ``sum_i f_{y_i}(x_i)``, per-sample pieces on Conv2d /
    Linear weights and biases (``autograd_hacks``), train-mode batch norm,
    ``sqrt(sum(eig(Θ)) / N)``. ``per_sample="exact"`` gives each sample's own gradient
    instead (not equal under batch-statistics batch norm). With ``output="full"`` the
    trace of the ``NK x NK`` kernel is divided by ``N`` (per sample), not ``NK``.
    """
    from nascore import ntk

    theta = kernel(net, inputs, targets, output, params=params, per_sample=per_sample, mode=mode)
    return math.sqrt(float(ntk.trace(theta)) / inputs.shape[0])


@register("ntk_lambda_min", paper="Zhu et al., Generalization properties of NAS under activation and skip "
          "connection search, NeurIPS 2022", equation="λ_min(Θ) (Thms. on the NTK's minimum eigenvalue)",
          higher_is_better=True, needs_labels=False, **_ntk(ZHU_CONVENTION),
          description="Smallest eigenvalue of the empirical NTK.")
def ntk_lambda_min(net, inputs, targets=None, *, output: str = "sum", params: str = "all",
                   per_sample: str = "exact", mode: str = "train") -> float:
    """``λ_min(Θ)``. Zhu et al. publish no code: the default (summed logits, every
    parameter, exact per-sample gradients) is our choice; for their scalar-output nets
    all output conventions agree."""
    from nascore import ntk

    return float(ntk.lambda_min(kernel(net, inputs, targets, output, params=params,
                                       per_sample=per_sample, mode=mode)))


@register("ntk_condition", paper="Chen, Gong, Wang, Neural architecture search on ImageNet in four GPU hours "
          "(TE-NAS), ICLR 2021", equation="κ_N = λ_max / λ_min (Eq. 3)",
          higher_is_better=False, needs_labels=False, **_ntk(TENAS_CONVENTION, singular_value=None),
          description="Condition number of the empirical NTK (trainability; lower is better).")
def ntk_condition(net, inputs, targets=None, *, output: str = "sum", params: str = "weights",
                  per_sample: str = "exact", mode: str = "train",
                  singular_value: float | None = None) -> float:
    """``κ = λ_max(Θ) / λ_min(Θ)``.

    Default = TE-NAS's code (VITA-Group/TENAS ``lib/procedures/ntk.py`` lines 41-59): the
    batch forwarded once in train mode, then for each sample a backward of its summed
    logits (``logit[i].backward(ones)``, line 45), gradients of every parameter named
    ``'weight'`` (line 48: convolution, linear and batch-norm weights, no biases).
    A singular kernel (``λ_min <= 0`` after round-off) has no finite condition number: by
    default that is an error; ``singular_value=1e5`` reproduces the official codes, which
    replace a NaN by ``1e5`` (line 59).
    """
    from nascore import ntk

    value = float(ntk.condition_number(kernel(net, inputs, targets, output, params=params,
                                              per_sample=per_sample, mode=mode)))
    if not math.isfinite(value) or value < 0:
        return float(singular_value) if singular_value is not None else math.nan
    return value


_LGA_CODE = ("naver-ai/demystifying-ntk ntk_nas_init/foresight/pruners/measures/label_align_eig.py lines 26-34: "
             "the batch forwarded once in train mode, output[i].backward(ones) per sample, gradients of the "
             "parameters named 'weight' outside 'classifier'")


@register("ntk_frobenius", paper="Mok et al., Demystifying the neural tangent kernel from a practical "
          "perspective, CVPR 2022", equation="||Θ||_F (Sec. 3, at-init NTK metrics)",
          higher_is_better=True, needs_labels=False, **_ntk(LGA_CONVENTION),
          description="Frobenius norm of the empirical NTK.")
def ntk_frobenius(net, inputs, targets=None, *, output: str = "sum", params: str = "weights-no-classifier",
                  per_sample: str = "exact", mode: str = "train") -> float:
    """``||Θ||_F``. Default = the LGA code's kernel (``f_norm``, line 51 of
    label_align_eig.py; see :func:`lga` for the kernel)."""
    return float(torch.linalg.matrix_norm(kernel(net, inputs, targets, output, params=params,
                                                 per_sample=per_sample, mode=mode)))


@register("ntk_mean", paper="Mok et al., Demystifying the neural tangent kernel from a practical "
          "perspective, CVPR 2022", equation="mean_ij Θ_ij (Sec. 3, at-init NTK metrics)",
          higher_is_better=True, needs_labels=False, **_ntk(LGA_CONVENTION),
          description="Mean entry of the empirical NTK.")
def ntk_mean(net, inputs, targets=None, *, output: str = "sum", params: str = "weights-no-classifier",
             per_sample: str = "exact", mode: str = "train") -> float:
    """``(1/N²) sum_ij Θ_ij`` (``knas = torch.mean(ntk)``, line 41 of the LGA code; kernel
    as :func:`lga`); with ``output="full"`` the mean of all ``(NK)²`` entries."""
    return float(kernel(net, inputs, targets, output, params=params, per_sample=per_sample, mode=mode).mean())


def label_kernel(targets: torch.Tensor) -> torch.Tensor:
    """``Y[i, j] = +1`` if ``y_i = y_j`` else ``-1`` (float64)."""
    same = targets[:, None] == targets[None, :]
    return same.to(torch.float64) * 2 - 1


def label_gradient_alignment(theta: torch.Tensor, targets: torch.Tensor) -> float:
    """Pearson correlation of the ``N²`` entries of ``theta`` with those of the label kernel.

    ``LGA = <Θ - mean Θ, Y - mean Y>_F / (||Θ - mean Θ||_F ||Y - mean Y||_F)``, each kernel
    centred by the scalar mean of its entries (not CKA's double centring). Invariant to
    scaling ``Θ`` by ``c > 0`` and to permuting the samples; 1 when ``Θ`` is an increasing
    affine function of ``Y``.
    """
    theta = theta.to(torch.float64)
    y = label_kernel(targets)
    if theta.shape != y.shape:
        raise ValueError(f"kernel of shape {tuple(theta.shape)} does not match {targets.shape[0]} labels")
    tc, yc = theta - theta.mean(), y - y.mean()
    ny, nt = torch.linalg.matrix_norm(yc), torch.linalg.matrix_norm(tc)
    if ny == 0:
        raise ValueError("LGA is undefined when all labels in the batch are equal; use a batch with several classes")
    if nt == 0:
        raise ValueError("LGA is undefined for a constant kernel (all NTK entries equal)")
    return float((tc * yc).sum() / (nt * ny))


@register("lga", paper="Mok et al., Demystifying the neural tangent kernel from a practical perspective, CVPR 2022",
          equation="label-gradient alignment (Sec. 4)", higher_is_better=True, needs_labels=True,
          ntk_output="sum", ntk_params="weights-no-classifier", ntk_per_sample="exact", options=dict(LGA_CONVENTION),
          description="Pearson correlation of NTK entries with the ±1 same-label kernel.")
def lga(net, inputs, targets, *, output: str = "sum", params: str = "weights-no-classifier",
        per_sample: str = "exact", mode: str = "train") -> float:
    """:func:`label_gradient_alignment` of the empirical NTK.

    Default = the official code, naver-ai/demystifying-ntk
    ``ntk_nas_{init,train}/foresight/pruners/measures/label_align_eig.py`` lines 26-63:
    the batch forwarded once (train mode: batch-statistics batch norm), then per sample
    ``output[i].backward(ones)`` (the SUMMED logits), gradients of the parameters whose
    name contains ``'weight'`` and not ``'classifier'`` (no biases, no final linear layer),
    ``Θ = G Gᵀ``; labels ``+1/-1`` (``p_utils.label_sim_matrix``). The official code maps
    a NaN score to ``1e-4``; here a degenerate kernel raises instead. ``"full"`` is not
    allowed: the label kernel is ``N x N``.
    """
    if output == "full":
        raise ValueError("lga needs an N x N kernel: output must be 'sum' or 'target', not 'full'")
    theta = kernel(net, inputs, targets, output, params=params, per_sample=per_sample, mode=mode)
    return label_gradient_alignment(theta, targets)
