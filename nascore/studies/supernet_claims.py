"""The weight-sharing chapter's claim records (a part of its study): BigNAS's three claims,
each a dict of keyword arguments for :func:`nascore.claims.record`, their verdicts by the
rules of :mod:`nascore.studies.supernet_verdicts`, withheld below
:data:`nascore.claims.MIN_POPULATION` architectures (:func:`nascore.claims.verdict_on_population`).
"""
from __future__ import annotations

from .. import claims, papers
from . import supernet_verdicts as verdicts
from .supernet import TECHNIQUES

PAPER = "Yu et al. 2020 (BigNAS)"
CHAPTER = "80_supernet"
#: Where BigNAS states each claim.
WHERE = {"sandwich": "Sec. 3.1, Sandwich Rule", "distillation": "Sec. 3.1, Inplace Distillation",
         "no-retraining": papers.BIGNAS_NO_RETRAINING.where}


def source_for(basis_name: str, provisional: bool) -> str:
    """What the claims rest on: the paper-scale run is "our code, real data"; otherwise the
    shipped (or quick) tables, "stand-in data" while ``provisional``.

    >>> source_for("paper-scale", True), source_for("shipped", True), source_for("shipped", False)
    ('our code, real data', 'stand-in data', 'our code, real data')
    """
    return "our code, real data" if basis_name == "paper-scale" or not provisional else "stand-in data"


def chapter_claims(evidence: dict, *, source: str) -> list[dict]:
    """The records of "the sandwich rule / inplace distillation improve the children" (one per
    :data:`nascore.studies.supernet.TECHNIQUES`) and "children need no retraining", from
    ``evidence`` (:func:`nascore.studies.supernet.claim_evidence`), on ``source``."""
    resting_on = verdicts.budget_note(evidence["budget"])
    records = []
    for name, (_, technique) in TECHNIQUES.items():
        claim, our_value, d = _technique(evidence, name, technique)
        records.append(dict(
            claim_id=f"bignas.{name}", paper=PAPER, where=WHERE[name], claim=claim,
            paper_value="improves (qualitative; ImageNet ablation)", our_value=our_value,
            verdict=claims.verdict_on_population(verdicts.verdict_better(d), d["n"]), chapter=CHAPTER, source=source))
    retrain, reported = evidence["retrain"], papers.BIGNAS_NO_RETRAINING
    records.append(dict(
        claim_id="bignas.no-retraining", paper=PAPER, where=WHERE["no-retraining"],
        claim=f"Children sliced from the trained single-stage model need no retraining or fine-tuning "
              f"(vs the same architectures trained alone with the same budget; {resting_on}). What would change the "
              f"verdict: {verdicts.flips_no_retraining(retrain)}",
        paper_value=f"{reported.low:.1f}-{reported.high:.1f} % top-1 on ImageNet without retraining (200-1000 MFLOPs)",
        our_value=("no stand-alone children" if retrain is None else
                   f"{retrain['mean']:+.2f} points [{retrain['low']:+.2f}, {retrain['high']:+.2f}] "
                   f"vs stand-alone, {retrain['n']} architectures"),
        verdict=claims.verdict_on_population(verdicts.verdict_no_retraining(retrain),
                                             0 if retrain is None else retrain["n"]),
        chapter=CHAPTER, source=source))
    return records


def budgets_glue(evidence: dict) -> dict:
    """``sn_sandwich_budget``: the budget the sandwich verdict rests on (the longest,
    :func:`.supernet_verdicts.with_curve`) and where it comes from (``the budget curve`` or
    ``the ablation``)."""
    basis = verdicts.with_curve(evidence["budget"], evidence["diffs"]["sandwich"], evidence.get("curve"))
    where = "the budget curve" if basis["source"] == "curve" else "the ablation"
    return {"sn_sandwich_budget": f"{verdicts.budget_text(basis['budget'])} ({where})"}


def _technique(evidence: dict, name: str, technique: str) -> tuple[str, str, dict]:
    """``(claim, our_value, diff)`` of "the technique improves the children": the diff of the
    longest budget (:func:`.supernet_verdicts.with_curve`; the budget curve trains with and
    without the sandwich rule only), every budget's numbers in ``our_value``."""
    b, d = evidence["budget"], evidence["diffs"][name]
    ablation = (f"{d['mean']:+.2f} points [{d['low']:+.2f}, {d['high']:+.2f}] at {b['epochs']} epochs "
                f"(ablation, {b['seeds']} seeds, {d['n']} children)")
    curve = evidence.get("curve") if name == "sandwich" else None
    basis = verdicts.with_curve(b, d, curve)
    chosen = basis["diff"]
    resting_on = verdicts.budget_note(basis["budget"])
    if curve is None:
        claim = (f"Training with the {technique} improves the child models (mean accuracy of {d['n']} uniformly "
                 f"sampled children, BN recalibrated; {resting_on}). What would change the verdict: "
                 f"{verdicts.flips_better(d)}")
        return claim, f"{d['mean']:+.2f} points [{d['low']:+.2f}, {d['high']:+.2f}]", d
    longest = basis["budget"]["epochs"]
    named = {f"{b['epochs']} epochs (ablation)": d, **{f"{e} epochs (curve)": c for e, c in sorted(curve["diffs"].items())}}
    claim = (f"Training with the {technique} improves the child models (mean accuracy of uniformly sampled "
             f"children, BN recalibrated; the ablation at {b['epochs']} epochs ({b['seeds']} seeds, {d['n']} "
             f"children) and the budget curve at {verdicts.epochs_text(sorted(curve['diffs']))} "
             f"({curve['seeds']} seed{'s' if curve['seeds'] != 1 else ''}, {curve['diffs'][max(curve['diffs'])]['n']} "
             f"children); the verdict is "
             f"the longest budget's, {longest} epochs ({basis['source']}), "
             f"{verdicts.verdicts_text(named)}"
             f"; {resting_on}). What would change the verdict: {verdicts.flips_better(chosen)}")
    return claim, f"{verdicts.curve_text(curve)}; {ablation}", chosen
