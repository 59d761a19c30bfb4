"""The BigNAS claims' verdict rules, budgets and flip conditions, with hand-made numbers
and the boundary of every rule."""
import pandas as pd
import pytest

from nascore.studies import supernet as study
from nascore.studies import supernet_verdicts as rules


def _d(mean, low, high, n=200):
    return {"mean": mean, "low": low, "high": high, "n": n}


@pytest.mark.parametrize("diff, verdict", [
    (_d(0.5, 0.01, 1.0), "reproduced"),
    (_d(0.5, 0.0, 1.0), "partly"),            # an interval that reaches 0 is not "above 0"
    (_d(1e-9, -1.0, 1.0), "partly"),
    (_d(0.0, -1.0, 1.0), "not reproduced"),   # a mean of exactly 0 improves nothing
    (_d(-0.41, -0.9, 0.1), "not reproduced"),
])
def test_technique_improves_the_children_rule_at_its_boundaries(diff, verdict):
    assert rules.verdict_better(diff) == verdict


@pytest.mark.parametrize("diff, verdict", [
    (None, "not attempted"),
    (_d(-1.0, -3.0, 1.0), "reproduced"),       # exactly 1 point below: still within the tolerance
    (_d(-1.01, -3.0, -1.0), "partly"),         # the upper end at -1 is not "more than 1 point below"
    (_d(-1.01, -3.0, -1.02), "not reproduced"),
    (_d(2.0, 1.0, 3.0), "reproduced"),         # better than alone is no retraining needed too
])
def test_no_retraining_rule_at_its_boundaries(diff, verdict):
    assert rules.verdict_no_retraining(diff) == verdict


def test_what_would_flip_each_verdict_with_todays_numbers():
    assert rules.flips_better(_d(-0.41, -0.9, 0.1)) == (
        "'partly' if the mean rose above 0 (now -0.41), 'reproduced' if the interval's lower end did "
        "(now -0.90)")
    assert rules.flips_better(_d(0.3, -0.2, 0.8)) == (
        "'reproduced' if the interval's lower end rose above 0 (now -0.20), 'not reproduced' if the mean "
        "fell to 0 or below (now +0.30)")
    assert rules.flips_better(_d(0.5, 0.25, 0.8, n=12)) == (
        "at least 100 architectures (has 12), then 'partly' if the interval's lower end fell to 0 or below "
        "(now +0.25)")
    assert rules.flips_no_retraining(_d(-0.5, -2.0, 1.0)) == "'partly' if the mean fell below -1.00 (now -0.50)"
    assert rules.flips_no_retraining(_d(-3.0, -5.0, 0.5)) == (
        "'reproduced' if the mean rose to -1.00 or above (now -3.00), 'not reproduced' if the interval's "
        "upper end fell below -1.00 (now +0.50)")
    assert rules.flips_no_retraining(_d(-5.0, -6.0, -4.0)).startswith(
        "'partly' if the interval's upper end rose to -1.00 or above (now -4.00)")
    assert "nascore supernet standalone" in rules.flips_no_retraining(None)


def _runs(**columns):
    base = {"variant": ["full", "full", "neither"], "supernet_seed": [0, 1, 0], "C": 8, "N": 1,
            "epochs_done": [8, 8, 7], "train_images": 10_000, "finished": True}
    return pd.DataFrame({**base, **columns})


def test_the_budget_a_claim_rests_on():
    b = rules.budget(_runs())
    assert b == {"C": 8, "N": 1, "epochs": 7, "train_images": 10_000, "seeds": 1}  # neither: one seed, 7 epochs
    assert rules.budget_text(b) == "C = 8, N = 1, 7 epochs, 10,000 training images, 1 seed per variant"
    assert rules.budget_text({**b, "seeds": 2}).endswith("2 seeds per variant")
    with pytest.raises(ValueError, match="mix supernet sizes"):
        rules.budget(_runs(C=[8, 16, 8]))


@pytest.mark.parametrize("C, N, epochs, below", [(16, 5, 200, False), (16, 5, 199, True), (8, 5, 200, True),
                                                 (16, 1, 200, True), (32, 5, 400, False)])
def test_below_paper_scale(C, N, epochs, below):
    assert rules.below_paper_scale({"C": C, "N": N, "epochs": epochs}) is below


def test_the_budget_note_points_to_the_larger_run_only_below_paper_scale():
    small = {"C": 8, "N": 1, "epochs": 8, "train_images": 10_000, "seeds": 2}
    assert rules.budget_note(small) == (
        "rests on supernets of C = 8, N = 1, 8 epochs, 10,000 training images, 2 seeds per variant; BigNAS's "
        "claim is about converged supernets, and a larger budget can flip it: the NB201-scale run (C = 16, N = 5, "
        "200 epochs; data/nb201-supernet/run_gpu.sh)")
    assert "larger budget" not in rules.budget_note({**small, "C": 16, "N": 5, "epochs": 200})


def test_claims_rest_on_the_paper_scale_tables_only_when_every_run_finished():
    shipped, paper = {"runs": _runs()}, {"runs": _runs(C=16, N=5, epochs_done=200)}
    assert rules.claim_basis(shipped, None) == ("shipped", shipped)
    assert rules.claim_basis(shipped, paper) == ("paper-scale", paper)
    half = {"runs": _runs(finished=[True, False, True])}
    assert rules.claim_basis(shipped, half)[0] == "shipped"


def test_claim_evidence_of_the_shipped_table_is_the_chapters_paired_differences():
    from nascore import bench
    from nascore.supernet.table import ablation_rows, load_runs, load_standalone

    tables = {"results": ablation_rows(bench.load("nb201-supernet", "cifar10")), "runs": load_runs(),
              "standalone": load_standalone()}
    evidence = study.claim_evidence(tables, seed=0)
    # data/nb201-supernet/README.md: C=8, N=1, 8 epochs, 10000 images, seeds 0 and 1 of every variant
    assert evidence["budget"] == {"C": 8, "N": 1, "epochs": 8, "train_images": 10_000, "seeds": 2}
    frame = study.supernet_frame(tables["results"])
    assert evidence["diffs"]["sandwich"] == study.paired_difference(frame, "full", "no_sandwich", seed=0)
    assert evidence["retrain"]["n"] == len(set(tables["standalone"].arch))


def test_scale_summary_is_the_ablation_table_of_other_tables_and_empty_without_them():
    from nascore import bench
    from nascore.supernet.table import ablation_rows

    empty = study.scale_summary(None)
    assert empty.empty and "tau (zc)" in empty.columns
    results = ablation_rows(bench.load("nb201-supernet", "cifar10"))
    frame = study.supernet_frame(results)
    expected = study.ablation_table(frame, study.ranking_table(frame, n_boot=20))
    pd.testing.assert_frame_equal(study.scale_summary({"results": results}, n_boot=20), expected)


def _curve(diffs, C=8, N=1, seeds=1):
    return {"C": C, "N": N, "seeds": seeds, "diffs": diffs}


def test_a_technique_rests_on_the_longest_budget_of_its_size():
    b = {"C": 8, "N": 1, "epochs": 8, "train_images": 10_000, "seeds": 2}
    ablation, at8, at16 = _d(5.0, 4.0, 6.0), _d(6.0, 5.0, 7.0), _d(7.0, 6.0, 8.0)
    assert rules.with_curve(b, ablation, None) == {"budget": b, "diff": ablation, "source": "ablation"}
    # at the ablation's own budget the ablation (two seeds) decides
    assert rules.with_curve(b, ablation, _curve({8: at8}))["source"] == "ablation"
    longer = rules.with_curve(b, ablation, _curve({8: at8, 16: at16}))
    assert longer == {"budget": {**b, "epochs": 16, "seeds": 1}, "diff": at16, "source": "curve"}
    # a curve of another supernet size is not evidence for these tables
    assert rules.with_curve(b, ablation, _curve({16: at16}, C=16))["source"] == "ablation"
    assert rules.with_curve(b, ablation, _curve({16: at16}, N=5))["source"] == "ablation"


def test_verdicts_across_budgets_and_the_curves_prose():
    same = {"8 epochs (ablation)": _d(5.0, 4.0, 6.0), "16 epochs (curve)": _d(7.0, 6.0, 8.0)}
    assert rules.verdicts_text(same) == "the same verdict at every budget"
    assert rules.verdicts_text({**same, "16 epochs (curve)": _d(0.5, 0.0, 1.0)}) == \
        "'reproduced' at 8 epochs (ablation), 'partly' at 16 epochs (curve)"
    curve = _curve({8: {**_d(6.0, 5.52, 6.454), "tau_gap": -0.3097}, 16: {**_d(6.866, 6.365, 7.352), "tau_gap": -0.3069}})
    assert rules.curve_text(curve) == ("+6.87 points [+6.37, +7.35] at 16 epochs, +6.00 [+5.52, +6.45] at 8 "
                                       "(budget curve, C = 8, N = 1, 1 seed); Kendall tau gap -0.31 at 8 and "
                                       "-0.31 at 16 epochs")
    with pytest.raises(ValueError, match="no budget to name"):
        rules.epochs_text([])


def test_claim_evidence_keeps_the_curve_only_at_the_tables_size():
    from nascore import bench
    from nascore.supernet.table import ablation_rows, load_runs, load_standalone

    tables = {"results": ablation_rows(bench.load("nb201-supernet", "cifar10")), "runs": load_runs(),
              "standalone": load_standalone()}
    curve = _curve({16: {**_d(7.0, 6.0, 8.0), "tau_gap": -0.3}})
    assert study.claim_evidence(tables, curve=curve, n_boot=20)["curve"] is curve
    assert study.claim_evidence(tables, curve=_curve({16: {}}, C=2), n_boot=20)["curve"] is None
    assert study.claim_evidence(tables, n_boot=20)["curve"] is None
