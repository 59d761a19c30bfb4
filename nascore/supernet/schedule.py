"""Learning-rate schedules, as a function of the optimiser step.

- ``"bignas"``: exponential decay with a constant ending (BigNAS, Yu et al., ECCV 2020,
  Sec. 3.1, "Convergence Behavior"). BigNAS observes that big children converge faster
  and start to overfit while small ones are still learning; decaying exponentially and
  then holding the rate constant at a small value, instead of letting it go to zero,
  keeps the small children improving to the end. Here

      lr(t) = lr0 * max(floor, floor ** (t / (d * T)))

  for step ``t`` of ``T``: the rate falls exponentially from ``lr0`` to ``floor * lr0``
  at step ``d * T`` and stays there. BigNAS's ending is 5 % of the initial rate
  (``floor = 0.05``); its ImageNet schedule reaches it about two thirds of the way
  through training, hence ``d = 2/3`` by default.
- ``"cosine"``: ``lr0 * (1 + cos(pi t / T)) / 2``, NAS-Bench-201's schedule (Dong & Yang,
  ICLR 2020, training hyper-parameters), for comparison.
"""
from __future__ import annotations

import math


def learning_rate(step: int, total_steps: int, *, lr: float, schedule: str = "bignas",
                  floor: float = 0.05, decay_fraction: float = 2 / 3) -> float:
    """The learning rate at optimiser step ``step`` (0-based) of ``total_steps``.

    >>> learning_rate(0, 300, lr=0.1), round(learning_rate(200, 300, lr=0.1), 6), round(learning_rate(299, 300, lr=0.1), 6)
    (0.1, 0.005, 0.005)
    """
    if total_steps < 1 or not 0 <= step <= total_steps:
        raise ValueError(f"step must be in 0..total_steps with total_steps >= 1, got {step!r} of {total_steps!r}")
    if schedule == "bignas":
        if not 0 < floor <= 1 or not 0 < decay_fraction <= 1:
            raise ValueError(f"floor and decay_fraction must be in (0, 1], got {floor!r}, {decay_fraction!r}")
        return lr * max(floor, floor ** (step / (decay_fraction * total_steps)))
    if schedule == "cosine":
        return lr * 0.5 * (1.0 + math.cos(math.pi * step / total_steps))
    raise ValueError(f"unknown schedule {schedule!r}; allowed: 'bignas', 'cosine'")
