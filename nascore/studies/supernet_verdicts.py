"""Verdicts on BigNAS's three claims, the budget each rests on, and what would flip it.

BigNAS (Yu et al., *BigNAS: Scaling up neural architecture search with big single-stage
models*, ECCV 2020) claims, for single-stage models trained to convergence on ImageNet,
that the sandwich rule and inplace distillation improve the children (Sec. 3.1) and that
children need no retraining (abstract, Sec. 4). Our evidence comes from supernets of a
given budget (width ``C``, cells per stage ``N``, epochs, training images), far below
convergence on a CPU; a verdict is a statement about that budget, so every claim names
it (:func:`budget`, :func:`budget_text`) and says what would turn its verdict into
another (:func:`flips_better`, :func:`flips_no_retraining`).

Rules (fixed before looking at the numbers; ``diff`` is a paired difference in points
with its bootstrap interval, ``{"mean", "low", "high", "n"}``):

- "technique X improves the children" (:func:`verdict_better`): *reproduced* if
  ``low > 0``; *partly* if ``mean > 0`` but ``low <= 0``; else (``mean <= 0``) *not
  reproduced*;
- "children need no retraining" (:func:`verdict_no_retraining`, tolerance ``t`` = 1
  point): *reproduced* if ``mean >= -t``; *not reproduced* if ``high < -t``; *partly*
  otherwise; *not attempted* without stand-alone children.

The claims ledger then withholds a verdict resting on fewer than
:data:`nascore.claims.MIN_POPULATION` architectures (:func:`nascore.claims.verdict_on_population`);
the flip texts say so.
"""
from __future__ import annotations

import pandas as pd

from ..claims import MIN_POPULATION

#: Points the inherited children may lie below the stand-alone ones ("no retraining").
TOLERANCE = 1.0


def budget(runs: pd.DataFrame) -> dict:
    """The budget a set of supernet runs (``runs.csv`` rows) rests on: ``C``, ``N``,
    ``epochs`` (the fewest any run finished), ``train_images``, ``seeds`` (the fewest
    seeds of any variant). Raises ``ValueError`` for runs of several sizes."""
    sizes = runs[["C", "N"]].drop_duplicates()
    if len(sizes) != 1:
        raise ValueError(f"the runs mix supernet sizes {sorted(map(tuple, sizes.to_numpy().tolist()))}; "
                         "a verdict rests on one size")
    return {"C": int(runs.C.iloc[0]), "N": int(runs.N.iloc[0]), "epochs": int(runs.epochs_done.min()),
            "train_images": int(runs.train_images.max()),
            "seeds": int(runs.groupby("variant").supernet_seed.nunique().min())}


def budget_text(b: dict) -> str:
    """``C = 8, N = 1, 8 epochs, 10,000 training images, 2 seeds per variant``."""
    return (f"C = {b['C']}, N = {b['N']}, {b['epochs']} epochs, {b['train_images']:,} training images, "
            f"{b['seeds']} seed{'s' if b['seeds'] != 1 else ''} per variant")


def below_paper_scale(b: dict) -> bool:
    """Whether budget ``b`` is smaller than NAS-Bench-201's (``C``, ``N`` or epochs below
    :data:`nascore.supernet.paper_scale.SCALE`)."""
    from ..supernet.paper_scale import SCALE

    return any(b[k] < v for k, v in SCALE.items())


def verdict_better(diff: dict) -> str:
    """``reproduced`` when the whole interval is above 0 (the technique improves the
    children), ``partly`` when the mean is above 0 but the interval reaches 0 or below,
    ``not reproduced`` when the mean is 0 or below."""
    if diff["low"] > 0:
        return "reproduced"
    return "partly" if diff["mean"] > 0 else "not reproduced"


def verdict_no_retraining(diff: dict | None, *, tolerance: float = TOLERANCE) -> str:
    """``reproduced`` when inherited children are on average at most ``tolerance`` points
    below the stand-alone ones; ``not reproduced`` when the whole interval lies more than
    ``tolerance`` points below; ``partly`` in between; ``not attempted`` without
    stand-alone children."""
    if diff is None:
        return "not attempted"
    if diff["mean"] >= -tolerance:
        return "reproduced"
    return "not reproduced" if diff["high"] < -tolerance else "partly"


def _population(n: int) -> str:
    return f"at least {MIN_POPULATION} architectures (has {n}), then " if n < MIN_POPULATION else ""


def flips_better(diff: dict) -> str:
    """What would change :func:`verdict_better`'s verdict on ``diff``, with today's numbers:
    ``'partly' if the mean rose above 0 (now -0.41), ...``, preceded by the population the
    ledger needs when ``diff["n"]`` is below it."""
    mean, low = diff["mean"], diff["low"]
    now = verdict_better(diff)
    if now == "reproduced":
        text = f"'partly' if the interval's lower end fell to 0 or below (now {low:+.2f})"
    elif now == "partly":
        text = (f"'reproduced' if the interval's lower end rose above 0 (now {low:+.2f}), 'not reproduced' if "
                f"the mean fell to 0 or below (now {mean:+.2f})")
    else:
        text = (f"'partly' if the mean rose above 0 (now {mean:+.2f}), 'reproduced' if the interval's lower end "
                f"did (now {low:+.2f})")
    return _population(int(diff["n"])) + text


def flips_no_retraining(diff: dict | None, *, tolerance: float = TOLERANCE) -> str:
    """What would change :func:`verdict_no_retraining`'s verdict on ``diff``."""
    if diff is None:
        return "children trained alone with the same budget (nascore supernet standalone)"
    mean, high, t = diff["mean"], diff["high"], tolerance
    now = verdict_no_retraining(diff, tolerance=t)
    if now == "reproduced":
        text = f"'partly' if the mean fell below {-t:+.2f} (now {mean:+.2f})"
    elif now == "partly":
        text = (f"'reproduced' if the mean rose to {-t:+.2f} or above (now {mean:+.2f}), 'not reproduced' if the "
                f"interval's upper end fell below {-t:+.2f} (now {high:+.2f})")
    else:
        text = (f"'partly' if the interval's upper end rose to {-t:+.2f} or above (now {high:+.2f}), "
                f"'reproduced' if the mean did (now {mean:+.2f})")
    return _population(int(diff["n"])) + text


def budget_note(b: dict) -> str:
    """The sentence every BigNAS claim carries: the budget it rests on and, below paper
    scale, the run that could change it."""
    from ..supernet.paper_scale import SCALE, SCRIPT

    note = f"rests on supernets of {budget_text(b)}"
    if below_paper_scale(b):
        note += (f"; BigNAS's claim is about converged supernets, and a larger budget can flip it: the "
                 f"NB201-scale run (C = {SCALE['C']}, N = {SCALE['N']}, {SCALE['epochs']} epochs; {SCRIPT})")
    return note


def claim_basis(shipped: dict, paper: dict | None) -> tuple[str, dict]:
    """The tables the claims rest on: the paper-scale ones when present with every run
    finished (the larger budget), else the shipped ones. Returns ``(name, tables)``,
    ``name`` being ``"paper-scale"`` or ``"shipped"``."""
    if paper is not None and paper["runs"].finished.astype(bool).all():
        return "paper-scale", paper
    return "shipped", shipped


def with_curve(b: dict, diff: dict, curve: dict | None) -> dict:
    """The budget a technique's verdict rests on, given the ablation's budget ``b`` and
    difference ``diff`` and the budget curve's differences ``curve`` (the output of
    :func:`nascore.studies.supernet_curve.sandwich_by_budget`, or ``None``): the longest
    budget. The curve counts only for supernets of the ablation's size (``C``, ``N``) and,
    at a budget both have, the ablation (more seeds) decides. Returns ``{"budget", "diff",
    "source"}``, ``source`` being ``"ablation"`` or ``"curve"``; the curve's budget keeps
    the ablation's training images (one recipe) and has the curve's seeds."""
    if curve is None or (curve["C"], curve["N"]) != (b["C"], b["N"]) or not curve["diffs"]:
        return {"budget": b, "diff": diff, "source": "ablation"}
    longest = max(curve["diffs"])
    if longest <= b["epochs"]:
        return {"budget": b, "diff": diff, "source": "ablation"}
    return {"budget": {**b, "epochs": longest, "seeds": curve["seeds"]}, "diff": curve["diffs"][longest],
            "source": "curve"}


def epochs_text(epochs) -> str:
    """Budgets as prose: ``8 epochs``, ``8 and 16 epochs``, ``8, 16 and 32 epochs``.

    >>> epochs_text([8]), epochs_text([8, 16]), epochs_text([8, 16, 32])
    ('8 epochs', '8 and 16 epochs', '8, 16 and 32 epochs')
    """
    names = [str(int(e)) for e in epochs]
    if not names:
        raise ValueError("no budget to name")
    head = ", ".join(names[:-1])
    return f"{head} and {names[-1]} epochs" if head else f"{names[-1]} epochs"


def curve_text(curve: dict) -> str:
    """The curve's differences as prose, longest budget first: ``+6.87 points [+6.37,
    +7.35] at 16 epochs, +6.00 [+5.52, +6.45] at 8 (budget curve, C = 8, N = 1, 1 seed);
    Kendall tau gap -0.31 at 8 and -0.31 at 16 epochs``."""
    items = sorted(curve["diffs"].items(), reverse=True)
    diffs = [f"{d['mean']:+.2f}{' points' if k == 0 else ''} [{d['low']:+.2f}, {d['high']:+.2f}] at {e}"
             f"{' epochs' if k == 0 else ''}" for k, (e, d) in enumerate(items)]
    gaps = [f"{d['tau_gap']:+.2f} at {e}" for e, d in sorted(curve["diffs"].items())]
    seeds = curve["seeds"]
    return (f"{', '.join(diffs)} (budget curve, C = {curve['C']}, N = {curve['N']}, {seeds} seed"
            f"{'s' if seeds != 1 else ''}); Kendall tau gap {' and '.join(gaps)} epochs")


def verdicts_text(named: dict) -> str:
    """``the same verdict at every budget`` when :func:`verdict_better` reads every diff of
    ``named`` (label -> diff) alike, else each one's verdict: ``'partly' at 8 epochs
    (ablation), 'reproduced' at 16 epochs (curve)``."""
    found = {label: verdict_better(d) for label, d in named.items()}
    if len(set(found.values())) == 1:
        return "the same verdict at every budget"
    return ", ".join(f"'{v}' at {label}" for label, v in found.items())
