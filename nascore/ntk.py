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
  samples, one full-batch forward and a backward pass batched (vmap) over the cotangents
  e_i (``is_grads_batched``); chunked over samples (``chunk_size``) so that memory stays
  bounded.  The coupled case costs O(N^2) (every s_i depends on the whole batch, as in
  the TE-NAS loop); the independent case O(N).
- ``"factored"``: for networks whose trainable parameters all sit in linear / 2-D
  convolution layers (and eval-mode batch norm), one forward and one backward pass (K for
  ``"full"``) and, layer by layer, Theta = sum_l (A_l A_l^T) ⊙ (D_l D_l^T) (+ D_l D_l^T for
  the bias), where A_l holds the layer inputs a_{l-1,i} and D_l the back-propagated signals
  delta_{l,i} = ds_i/dz_{l,i} (for a linear layer d s_i / d W_l = delta_{l,i} a_{l-1,i}^T).
  The network Jacobian J is never formed; convolutions with many spatial positions use
  the per-layer per-sample gradients instead of the Gram of patches, whichever is cheaper.
- ``"auto"``: ``"factored"`` where it applies, else ``"jacobian"``.

:func:`empirical_ntk_loop` is the slow reference (one backward pass per row, TE-NAS style).
"""
from __future__ import annotations

import copy
import math

import torch
from torch import nn
from torch.func import functional_call, grad, jacrev, vmap


OUTPUTS = ("sum", "target", "full")
IMPLEMENTATIONS = ("auto", "jacobian", "factored")
MODES = ("train", "eval")
_CHUNK_ELEMENTS = 2 ** 25  # elements of one chunk of Jacobian rows (128 MiB in float32)
_COUPLED_SAMPLES = 1024  # cotangents x batch size in one batched backward pass


# ----------------------------------------------------------------------------- checks
def _check_args(net, inputs, output, targets, mode, chunk_size):
    if not isinstance(net, nn.Module):
        raise ValueError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r}; allowed: {', '.join(map(repr, OUTPUTS))}")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; allowed: {', '.join(map(repr, MODES))}")
    if not isinstance(inputs, torch.Tensor):
        raise ValueError(f"inputs must be a torch.Tensor of shape (N, ...), got {type(inputs).__name__}")
    if inputs.ndim < 2 or inputs.shape[0] < 1:
        raise ValueError(f"inputs must have shape (N, features...) with N >= 1, got {tuple(inputs.shape)}")
    if not inputs.is_floating_point():
        raise ValueError(f"inputs must be floating point, got dtype {inputs.dtype}")
    if not torch.isfinite(inputs).all():
        raise ValueError("inputs contain NaN or Inf values; the NTK needs finite inputs")
    params = [p for p in net.parameters() if p.requires_grad]
    if not params:
        raise ValueError("net has no trainable parameters (requires_grad=True); the NTK is empty")
    if params[0].dtype != inputs.dtype:
        raise ValueError(f"inputs dtype {inputs.dtype} differs from the network's {params[0].dtype}")
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
        raise ValueError(f"chunk_size must be None or a positive int, got {chunk_size!r}")
    if output == "target":
        if targets is None:
            raise ValueError('output="target" needs targets: a 1-D integer tensor of N class labels')
        targets = torch.as_tensor(targets, device=inputs.device)
        if targets.dtype.is_floating_point or targets.dtype == torch.bool or targets.shape != inputs.shape[:1]:
            raise ValueError(f"targets must be N={inputs.shape[0]} integer labels, got shape "
                             f"{tuple(targets.shape)} and dtype {targets.dtype}")
        targets = targets.long()
    return targets


def _outputs_2d(out, n):
    """Network output as (N, K), or a clear error."""
    if out.ndim == 1:
        out = out.unsqueeze(1)
    if out.ndim != 2 or out.shape[0] != n:
        raise ValueError(f"the network must map N={n} inputs to an (N, K) output, got shape {tuple(out.shape)}")
    return out


def _check_fit(net, inputs, targets, output):
    """One forward pass (no grad, copied buffers) to check shapes and labels; returns K."""
    buffers = {name: b.clone() for name, b in net.named_buffers()}
    try:
        with torch.no_grad():
            out = functional_call(net, buffers, (inputs,), strict=False)
    except (RuntimeError, IndexError, TypeError) as err:
        raise ValueError(f"inputs of shape {tuple(inputs.shape)} do not fit the network: {err}") from None
    out = _outputs_2d(out, inputs.shape[0])
    k = out.shape[1]
    if output == "target" and ((targets < 0) | (targets >= k)).any():
        raise ValueError(f"targets must lie in 0..{k - 1} (the network has K={k} outputs), "
                         f"got values {targets.min().item()}..{targets.max().item()}")
    return k


def couples_samples(net: nn.Module) -> bool:
    """True if some batch-norm layer normalises with batch statistics in the current mode."""
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) and (m.training or m.running_mean is None)
               for m in net.modules())


class _ModeSwitch:
    """Put every module in train/eval mode, and restore each module's own flag on exit."""

    def __init__(self, net, mode):
        self.net, self.mode = net, mode

    def __enter__(self):
        self.flags = [(m, m.training) for m in self.net.modules()]
        self.net.train(self.mode == "train")

    def __exit__(self, *exc):
        for module, flag in self.flags:
            module.training = flag


# ----------------------------------------------------------------------------- public API
def empirical_ntk(net: nn.Module, inputs: torch.Tensor, *, output: str = "sum", targets=None,
                  chunk_size: int | None = None, implementation: str = "auto",
                  mode: str = "train") -> torch.Tensor:
    """Empirical NTK of ``net`` on ``inputs`` (see the module docstring for the maths).

    Theta = J J^T with J_i = d s_i / d theta (Jacot et al. 2018), s_i the per-sample
    scalar named by ``output`` (``"sum"``: TE-NAS; ``"target"``: HNAS's code, needs
    ``targets``; ``"full"``: all logits, (N K) x (N K), index ``i * K + a``).

    Returns a symmetric float64 tensor on the inputs' device.  ``chunk_size``: rows of J
    computed at once (default: sized to keep a chunk near 128 MiB).  ``implementation``:
    ``"auto"``, ``"jacobian"`` or ``"factored"``.  ``mode``: ``"train"`` (batch-norm uses
    the batch's statistics, as TE-NAS) or ``"eval"`` (running statistics).

    >>> lin = torch.nn.Linear(3, 1, bias=False).double()
    >>> x = torch.eye(3, dtype=torch.float64)
    >>> empirical_ntk(lin, x)           # f(x) = w.x has NTK X X^T
    tensor([[1., 0., 0.],
            [0., 1., 0.],
            [0., 0., 1.]], dtype=torch.float64)
    """
    targets = _check_args(net, inputs, output, targets, mode, chunk_size)
    if implementation not in IMPLEMENTATIONS:
        raise ValueError(f"unknown implementation {implementation!r}; allowed: "
                         f"{', '.join(map(repr, IMPLEMENTATIONS))}")
    with _ModeSwitch(net, mode):
        k = _check_fit(net, inputs, targets, output)
        if implementation in ("auto", "factored"):
            from .ntk_factored import factored_ntk  # lazy: that module imports this one

            theta, reason = factored_ntk(net, inputs, output, targets, k)
            if theta is not None:
                return theta
            if implementation == "factored":
                raise ValueError(f'implementation="factored" does not apply to this network: {reason}; '
                                 'use "jacobian" or "auto"')
        return _jacobian_ntk(net, inputs, output, targets, k, chunk_size)


def empirical_ntk_loop(net: nn.Module, inputs: torch.Tensor, *, output: str = "sum", targets=None,
                       mode: str = "train") -> torch.Tensor:
    """Slow reference: forward the batch once, then one backward pass per row of J.

    This is how TE-NAS's code (``lib/procedures/ntk.py``) computes the kernel; it works on a
    deep copy of ``net``.  Same conventions and return value as :func:`empirical_ntk`.
    """
    targets = _check_args(net, inputs, output, targets, mode, None)
    net = copy.deepcopy(net)
    net.train(mode == "train")
    _check_fit(net, inputs, targets, output)
    params = [p for p in net.parameters() if p.requires_grad]
    out = _outputs_2d(net(inputs), inputs.shape[0])
    rows = _scalarise(out, output, targets)
    jac = []
    for r in range(rows.shape[0]):
        grads = torch.autograd.grad(rows[r], params, retain_graph=True, allow_unused=True)
        jac.append(torch.cat([(torch.zeros_like(p) if g is None else g).reshape(-1).double()
                              for g, p in zip(grads, params)]))
    jac = torch.stack(jac)
    return _symmetric(jac @ jac.T)


# ----------------------------------------------------------------------------- jacobian route
def _scalarise(out, output, targets):
    """(N, K) outputs -> the rows of J: (N,) for sum/target, (N*K,) sample-major for full."""
    if output == "sum":
        return out.sum(dim=1)
    if output == "target":
        return out.gather(1, targets.unsqueeze(1)).squeeze(1)
    return out.reshape(-1)


def _symmetric(theta):
    return (theta + theta.T) / 2


def _gram(rows: list[torch.Tensor]) -> torch.Tensor:
    """J J^T in float64 from J given as chunks of rows, columns taken in slices."""
    jac = torch.cat(rows)
    theta = torch.zeros(jac.shape[0], jac.shape[0], dtype=torch.float64, device=jac.device)
    step = max(1, _CHUNK_ELEMENTS // max(1, jac.shape[0]))
    for start in range(0, jac.shape[1], step):
        block = jac[:, start:start + step].double()
        theta += block @ block.T
    return _symmetric(theta)


def _jacobian_ntk(net, inputs, output, targets, k, chunk_size):
    names = [n for n, p in net.named_parameters() if p.requires_grad]
    params = {n: p.detach() for n, p in net.named_parameters() if p.requires_grad}
    buffers = {n: b.clone() for n, b in net.named_buffers()}
    n_params = sum(p.numel() for p in params.values())
    per_row = k if output == "full" else 1
    n = inputs.shape[0]
    coupled = couples_samples(net)
    if chunk_size is None:
        chunk_size = max(1, min(n, _CHUNK_ELEMENTS // (per_row * n_params)))
        if coupled:  # each batched backward pass holds gradients for the whole batch
            chunk_size = max(1, min(chunk_size, _COUPLED_SAMPLES // (n * per_row)))

    def flat(grads, lead):
        return torch.cat([grads[name].reshape(lead, -1) for name in names], dim=1)

    rows = []
    if coupled:
        # Batch statistics tie the samples together: one full-batch forward, then a
        # backward pass batched (vmap) over the cotangents e_r, chunk by chunk.
        leaves = {name: p.detach().requires_grad_() for name, p in params.items()}
        with torch.enable_grad():
            out = _outputs_2d(functional_call(net, (leaves, buffers), (inputs,)), n)
            values = _scalarise(out, output, targets)
        eye = torch.eye(values.shape[0], dtype=values.dtype, device=values.device)
        for start in range(0, values.shape[0], chunk_size * per_row):
            cot = eye[start:start + chunk_size * per_row]
            g = torch.autograd.grad(values, [leaves[name] for name in names], cot, retain_graph=True,
                                    is_grads_batched=True, allow_unused=True, materialize_grads=True)
            rows.append(flat(dict(zip(names, g)), cot.shape[0]))
        return _gram(rows)

    def one_sample(p, x, y):
        out = functional_call(net, (p, buffers), (x.unsqueeze(0),)).reshape(-1)
        if output == "sum":
            return out.sum()
        if output == "target":
            return out.gather(0, y.reshape(1)).squeeze(0)
        return out

    per_sample = vmap(jacrev(one_sample) if output == "full" else grad(one_sample), in_dims=(None, 0, 0))
    labels = targets if targets is not None else torch.zeros(n, dtype=torch.long, device=inputs.device)
    for start in range(0, n, chunk_size):
        g = per_sample(params, inputs[start:start + chunk_size], labels[start:start + chunk_size])
        rows.append(flat(g, g[names[0]].shape[0] * per_row))
    return _gram(rows)


# ----------------------------------------------------------------------------- spectrum
def eigenvalues(theta) -> torch.Tensor:
    """Eigenvalues of a symmetric kernel, ascending, float64 (``torch.linalg.eigvalsh``)."""
    theta = torch.as_tensor(theta)
    if theta.ndim != 2 or theta.shape[0] != theta.shape[1] or theta.shape[0] == 0:
        raise ValueError(f"theta must be a non-empty square matrix, got shape {tuple(theta.shape)}")
    theta = theta.double()
    if not torch.isfinite(theta).all():
        raise ValueError("theta contains NaN or Inf values")
    return torch.linalg.eigvalsh(_symmetric(theta))


ntk_spectrum = eigenvalues


def trace(theta) -> float:
    """Trace of the kernel: sum_i ||d s_i / d theta||^2 (HNAS's M_trace = sqrt(trace / N))."""
    eigenvalues(theta)  # validates
    return float(torch.as_tensor(theta).double().diagonal().sum())


def lambda_min(theta) -> float:
    """Smallest eigenvalue (may be <= 0 from round-off when the kernel is singular)."""
    return float(eigenvalues(theta)[0])


def lambda_max(theta) -> float:
    """Largest eigenvalue."""
    return float(eigenvalues(theta)[-1])


def condition_number(theta) -> float:
    """kappa = lambda_max / lambda_min (TE-NAS, Sec. 3.1.1; lower = more trainable).

    A kernel whose smallest eigenvalue is <= n * eps * lambda_max (zero, negative from
    round-off, or numerically indistinguishable from zero) is singular: kappa = inf.
    """
    eig = eigenvalues(theta)
    lo, hi = float(eig[0]), float(eig[-1])
    if hi <= 0 or lo <= eig.shape[0] * torch.finfo(torch.float64).eps * hi:
        return math.inf
    return hi / lo
