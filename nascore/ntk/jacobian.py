"""The Jacobian route to the empirical NTK: per-sample gradients with :mod:`torch.func`.

Independent samples: ``vmap`` over ``grad`` (``jacrev`` for ``output="full"``) of a
one-sample ``functional_call``, O(N).  Batch norm with batch statistics couples the samples:
one full-batch forward and a backward pass per cotangent e_i, O(N^2), as in the TE-NAS loop;
small batches batch those passes (vmap over the cotangents, ``is_grads_batched``), large
batches on a CPU take them one sample at a time (for ``output="full"`` still one vmap pass
over that sample's K outputs), which is faster there and gives the same kernel
(``benchmarks/ntk.py --full-size 64``, one thread: 1.14x on a full-size NAS-Bench-201 cell,
relative difference 0).  Rows of J are computed in chunks
(``chunk_size``) and Theta = J J^T is accumulated in float64 over column slices.
"""
from __future__ import annotations

import torch
from torch.func import functional_call, grad, jacrev, vmap

from .conventions import couples_samples, outputs_2d, scalarise, symmetric

_CHUNK_ELEMENTS = 2 ** 25  # elements of one chunk of Jacobian rows (128 MiB in float32)
_COUPLED_SAMPLES = 1024  # cotangents x batch size in one batched backward pass
#: From this batch size on, a CPU takes the coupled backward passes one cotangent at a time
#: (measured in ``benchmarks/ntk.py``: batching them over vmap is slower there from N = 64).
_COUPLED_ONE_AT_A_TIME = 64


def coupled_chunk(n: int, per_row: int, device: torch.device, chunk_size: int) -> int:
    """Samples per backward pass in the coupled case: 1 on a CPU from N = 64, else ``chunk_size``
    capped so that cotangents x batch stays under ``_COUPLED_SAMPLES``."""
    if device.type == "cpu" and n >= _COUPLED_ONE_AT_A_TIME:
        return 1
    return max(1, min(chunk_size, _COUPLED_SAMPLES // (n * per_row)))


def _gram(rows: list[torch.Tensor]) -> torch.Tensor:
    """J J^T in float64 from J given as chunks of rows, columns taken in slices."""
    jac = torch.cat(rows)
    theta = torch.zeros(jac.shape[0], jac.shape[0], dtype=torch.float64, device=jac.device)
    step = max(1, _CHUNK_ELEMENTS // max(1, jac.shape[0]))
    for start in range(0, jac.shape[1], step):
        block = jac[:, start:start + step].double()
        theta += block @ block.T
    return symmetric(theta)


def jacobian_ntk(net, inputs, output, targets, k, chunk_size):
    """Theta = J J^T from per-sample gradients (checked arguments; ``k`` outputs)."""
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
            chunk_size = coupled_chunk(n, per_row, inputs.device, chunk_size)

    def flat(grads, lead):
        return torch.cat([grads[name].reshape(lead, -1) for name in names], dim=1)

    rows = []
    if coupled:
        # Batch statistics tie the samples together: one full-batch forward, then a
        # backward pass batched (vmap) over the cotangents e_r, chunk by chunk.
        leaves = {name: p.detach().requires_grad_() for name, p in params.items()}
        with torch.enable_grad():
            out = outputs_2d(functional_call(net, (leaves, buffers), (inputs,)), n)
            values = scalarise(out, output, targets)
        eye = torch.eye(values.shape[0], dtype=values.dtype, device=values.device)
        wrt = [leaves[name] for name in names]
        for start in range(0, values.shape[0], chunk_size * per_row):
            cot = eye[start:start + chunk_size * per_row]
            if cot.shape[0] == 1:  # one plain backward pass (no vmap)
                g = torch.autograd.grad(values, wrt, cot[0], retain_graph=True, allow_unused=True,
                                        materialize_grads=True)
                g = [t.unsqueeze(0) for t in g]
            else:
                g = torch.autograd.grad(values, wrt, cot, retain_graph=True, is_grads_batched=True,
                                        allow_unused=True, materialize_grads=True)
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

