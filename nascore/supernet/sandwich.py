"""One BigNAS training step: which children run, what each learns from, one update.

BigNAS (Yu et al., ECCV 2020), Sec. 3.1:

- **Sandwich rule** ("Sandwich Rule", from Yu & Huang, ICCV 2019): every step trains the
  biggest child, the smallest child and ``k`` random children (``k = 2``) on the same
  mini-batch and sums their gradients before one optimiser update, so the two ends of
  the space improve together with the middle. Largest and smallest are defined in
  :mod:`.children` (by cell MACs among connected children); random children are
  uniform among connected children. Without the rule, ``k + 2`` random children run
  instead (same compute per step).
- **Inplace distillation** ("Inplace Distillation"): the *teacher*, the step's largest
  child, learns from the labels; every other child learns from the teacher's soft
  predictions ``p = softmax(z_teacher)``, detached (no gradient flows into the teacher
  through them), with the soft cross-entropy ``-sum_k p_k log softmax(z)_k``
  (temperature 1). Without the rule every child learns from the labels. Without the
  sandwich rule the teacher is the drawn child with the most MACs (the first one drawn
  on ties).
- **Regularise the biggest child only** ("Regularization"): weight decay
  ``(lambda / 2) sum ||w||^2`` over the conv and linear weights the teacher uses is
  added to the teacher's loss alone (its gradient ``lambda w`` is SGD's coupled weight
  decay); the others carry no decay. NAS-Bench-201 has no dropout, so decay is the only
  regulariser. Switched off, the optimiser decays every conv and linear weight each step.

The loss of a step is the *sum* over its children (gradients summed, as in the paper).
"""
from __future__ import annotations

import torch
from torch.nn import functional as F

from . import children as kids
from .recipe import Recipe


def step_children(recipe: Recipe, generator: torch.Generator) -> list[str]:
    """The children of one step, teacher first (see the module docstring);
    ``[recipe.only_child]`` if set (nothing drawn from ``generator``)."""
    if recipe.only_child is not None:
        return [recipe.only_child]
    if recipe.sandwich:
        drawn = kids.sample_connected(recipe.k_random, generator)
        return [kids.largest(recipe.C, recipe.N), kids.smallest(recipe.C, recipe.N)] + drawn
    drawn = kids.sample_connected(recipe.k_random + 2, generator)
    costs = [kids.cell_macs(a, recipe.C, recipe.N) for a in drawn]
    teacher = costs.index(max(costs))
    return [drawn[teacher]] + drawn[:teacher] + drawn[teacher + 1:]


def soft_cross_entropy(logits: torch.Tensor, target_probs: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of ``-sum_k p_k log softmax(logits)_k``.

    Equals ``F.cross_entropy(logits, y)`` when ``p`` is one-hot on ``y``.
    """
    return -(target_probs * F.log_softmax(logits, dim=1)).sum(dim=1).mean()


def train_step(net, optimizer, x: torch.Tensor, y: torch.Tensor, recipe: Recipe,
               generator: torch.Generator) -> dict:
    """One optimiser update on batch ``(x, y)``; returns the children, their losses (the
    teacher's without the decay term) and the decay term, as detached tensors (reading
    them would make a GPU wait, so the caller decides when)."""
    archs = step_children(recipe, generator)
    optimizer.zero_grad(set_to_none=True)
    losses, soft = [], None
    decay = torch.zeros((), device=x.device)
    for i, arch in enumerate(archs):
        logits = net(x, arch)
        if i == 0 or not recipe.distillation:
            loss = F.cross_entropy(logits, y)
        else:
            loss = soft_cross_entropy(logits, soft)
        total = loss
        if i == 0:
            soft = F.softmax(logits.detach(), dim=1)
            if recipe.decay_teacher_only and recipe.weight_decay > 0:
                decay = 0.5 * recipe.weight_decay * sum(w.pow(2).sum() for w in net.decay_parameters(arch))
                total = loss + decay
        total.backward()
        losses.append(loss.detach())
    optimizer.step()
    return {"children": archs, "losses": losses, "decay": decay.detach()}


def make_optimizer(net, recipe: Recipe) -> torch.optim.SGD:
    """SGD with Nesterov momentum; weight decay on conv/linear weights only when it is
    not carried by the teacher's loss (``decay_teacher_only=False``)."""
    decayed = {id(m.weight) for m in net.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))}
    params = list(net.parameters())
    wd = 0.0 if recipe.decay_teacher_only else recipe.weight_decay
    groups = [{"params": [p for p in params if id(p) in decayed], "weight_decay": wd},
              {"params": [p for p in params if id(p) not in decayed], "weight_decay": 0.0}]
    return torch.optim.SGD(groups, lr=recipe.lr, momentum=recipe.momentum, nesterov=recipe.momentum > 0)
