"""Empirical neural tangent kernel (NTK) of a network on a batch, and its spectrum.

For a network f(x; theta) with K outputs and a batch X = (x_1, ..., x_N), the empirical
NTK (Jacot, Gabriel & Hongler, NeurIPS 2018, eq. 2 evaluated at the current parameters) is

    Theta[(i, a), (j, b)] = < d f_a(x_i) / d theta , d f_b(x_j) / d theta >,

the inner product running over every trainable parameter of the network
(``requires_grad=True``; convolution, linear *and* normalisation parameters).
Training-free NAS papers reduce the K outputs to one scalar per sample, s_i, and use the
N x N kernel Theta_ij = <grad s_i, grad s_j> = (J J^T)_ij.  ``output`` names the reduction:

- ``"sum"``    s_i = sum_k f_k(x_i): TE-NAS (Chen, Gong & Wang, ICLR 2021, Sec. 3.1.1;
  their code back-propagates each sample's logits with a gradient of ones);
- ``"target"`` s_i = f_{y_i}(x_i), the logit of the true class: HNAS's code (Shu, Dai, Wu &
  Low, NeurIPS 2022, ``measures/ntk_trace.py``); needs ``targets``;
- ``"full"``   no reduction: an (N K) x (N K) kernel, rows and columns ordered
  sample-major, index ``i * K + a`` (neural-tangents' default empirical NTK).

For a one-output network the three coincide, and Theta_sum = sum over the K x K blocks
of Theta_full.

Batch normalisation.  ``mode="train"`` (the default, as in TE-NAS's code) runs the network
in training mode: batch-norm layers normalise with the statistics *of the batch X*, so
s_i depends on every x_j, and Theta_ij = <d s_i(X)/d theta, d s_j(X)/d theta> with
the whole batch forwarded once.  ``mode="eval"`` uses the running statistics, so samples
are independent.  Either way the caller's network is not changed: its running statistics
are not updated (the forward pass uses copies of all buffers), its parameters and their
``.grad`` are untouched, and every module's ``training`` flag is restored.  Apart from
batch norm, samples are assumed to be processed independently (true of the NAS-Bench-201
and mixed-activation networks of :mod:`nascore.spaces`).

Implementations (all give the same kernel; see ``tests/test_ntk.py``):

- ``"jacobian"``: per-sample Jacobians with :mod:`torch.func` (``vmap`` over ``grad`` /
  ``jacrev`` of a one-sample ``functional_call``), or, when batch norm couples the
  samples, one full-batch forward and a backward pass per cotangent e_i (batched over
  vmap, ``is_grads_batched``, for small batches; one sample at a time on a CPU from
  N = 64, which is faster there); chunked over samples (``chunk_size``) so that memory
  stays bounded.  The coupled case costs O(N^2) (every s_i depends on the whole batch, as in
  the TE-NAS loop); the independent case O(N).
- ``"factored"``: for networks whose trainable parameters all sit in linear / 2-D
  convolution layers (and eval-mode batch norm), one forward and one backward pass (K for
  ``"full"``) and, layer by layer, Theta = sum_l (A_l A_l^T) ⊙ (D_l D_l^T) (+ D_l D_l^T for
  the bias), where A_l holds the layer inputs a_{l-1,i} and D_l the back-propagated signals
  delta_{l,i} = ds_i/dz_{l,i} (for a linear layer d s_i / d W_l = delta_{l,i} a_{l-1,i}^T).
  The network Jacobian J is never formed; convolutions with many spatial positions use
  the per-layer per-sample gradients instead of the Gram of patches, whichever is cheaper.
- ``"auto"``: ``"factored"`` where it applies, else ``"jacobian"``.

Which parameters, and which per-sample gradients.  ``params`` picks the parameter set
the kernel runs over (:mod:`.params`: ``"all"``, ``"weights"``, ``"weights-no-classifier"``,
``"conv-linear"``, the sets of the papers' official codes).  ``per_sample`` says what a
row of J is: ``"exact"`` (default) is each sample's own gradient d s_i / d theta with the
whole batch forwarded once (batch-coupled batch norm, as TE-NAS's and LGA's codes loop over
samples); ``"batch-decomposition"`` (:mod:`.decomposition`) is the per-sample piece of ONE
backward pass of sum_i s_i on linear and convolution layers, as HNAS's code computes it
(``tools/autograd_hacks.py``).  Both agree when samples are independent (eval-mode batch
norm; then the exact routes serve both); with batch statistics they do not.

Each route is a module of this package: :mod:`.jacobian`, :mod:`.factored` and the slow
reference :mod:`.loop` (:func:`empirical_ntk_loop`, one backward pass per row, TE-NAS
style); :mod:`.conventions` holds what they share and :mod:`.spectrum` the eigenvalue
helpers.  :func:`empirical_ntk` below is the one public entry point that picks a route.
"""
from __future__ import annotations

import torch
from torch import nn

from .conventions import MODES, OUTPUTS, ModeSwitch, check_args, check_fit, couples_samples
from .decomposition import decomposition_ntk
from .factored import factored_ntk
from .jacobian import jacobian_ntk
from .loop import empirical_ntk_loop
from .params import PARAMETER_SETS, OnlyTrainable, selected_names
from .spectrum import condition_number, eigenvalues, lambda_max, lambda_min, ntk_spectrum, trace

__all__ = ["OUTPUTS", "IMPLEMENTATIONS", "MODES", "PARAMETER_SETS", "PER_SAMPLE", "selected_names", "empirical_ntk", "empirical_ntk_loop", "couples_samples",
           "eigenvalues", "ntk_spectrum", "trace", "lambda_min", "lambda_max", "condition_number"]

IMPLEMENTATIONS = ("auto", "jacobian", "factored")
PER_SAMPLE = ("exact", "batch-decomposition")


def empirical_ntk(net: nn.Module, inputs: torch.Tensor, *, output: str = "sum", targets=None,
                  chunk_size: int | None = None, implementation: str = "auto",
                  mode: str = "train", params: str = "all", per_sample: str = "exact") -> torch.Tensor:
    """Empirical NTK of ``net`` on ``inputs`` (see the module docstring for the maths).

    Theta = J J^T with J_i = d s_i / d theta (Jacot et al. 2018), s_i the per-sample
    scalar named by ``output`` (``"sum"``: TE-NAS; ``"target"``: HNAS's code, needs
    ``targets``; ``"full"``: all logits, (N K) x (N K), index ``i * K + a``).

    Returns a symmetric float64 tensor on the inputs' device.  ``chunk_size``: rows of J
    computed at once (default: sized to keep a chunk near 128 MiB).  ``implementation``:
    ``"auto"``, ``"jacobian"`` or ``"factored"``.  ``mode``: ``"train"`` (batch-norm uses
    the batch's statistics, as TE-NAS) or ``"eval"`` (running statistics).  ``params``: the
    parameter set (:data:`PARAMETER_SETS`, default ``"all"``).  ``per_sample``: ``"exact"``
    (each sample's own gradient) or ``"batch-decomposition"`` (HNAS's per-sample pieces of
    one batch backward; linear / convolution parameters only; ``implementation`` must be
    ``"auto"``).

    >>> lin = torch.nn.Linear(3, 1, bias=False).double()
    >>> x = torch.eye(3, dtype=torch.float64)
    >>> empirical_ntk(lin, x)           # f(x) = w.x has NTK X X^T
    tensor([[1., 0., 0.],
            [0., 1., 0.],
            [0., 0., 1.]], dtype=torch.float64)
    """
    targets = check_args(net, inputs, output, targets, mode, chunk_size)
    if implementation not in IMPLEMENTATIONS:
        raise ValueError(f"unknown implementation {implementation!r}; allowed: "
                         f"{', '.join(map(repr, IMPLEMENTATIONS))}")
    if per_sample not in PER_SAMPLE:
        raise ValueError(f"unknown per_sample {per_sample!r}; allowed: {', '.join(map(repr, PER_SAMPLE))}")
    if per_sample == "batch-decomposition" and implementation != "auto":
        raise ValueError(f'implementation={implementation!r} computes exact per-sample gradients; '
                         'per_sample="batch-decomposition" has its own route: leave implementation="auto"')
    names = selected_names(net, params)
    with ModeSwitch(net, mode), OnlyTrainable(net, names):
        k = check_fit(net, inputs, targets, output)
        if per_sample == "batch-decomposition" and couples_samples(net):
            return decomposition_ntk(net, inputs, output, targets, k)
        # Without batch statistics each sample's piece of the batch gradient is its own
        # gradient (see .decomposition): the exact routes below give the same kernel.
        if implementation in ("auto", "factored"):
            theta, reason = factored_ntk(net, inputs, output, targets, k)
            if theta is not None:
                return theta
            if implementation == "factored":
                raise ValueError(f'implementation="factored" does not apply to this network: {reason}; '
                                 'use "jacobian" or "auto"')
        return jacobian_ntk(net, inputs, output, targets, k, chunk_size)
