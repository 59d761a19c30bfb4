"""The CIFAR-scores chapter's computations, on a table whose answers are known."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from nascore import bench, claims
from nascore.analysis import cifar_population as shipped
from nascore.studies import cifar_scores as study
from nascore.studies import cifar_scores_selection as selection_study


def no_official_model(monkeypatch):
    """No table on zero-cost-nas's model: Fisher and SynFlow come from ``ours`` alone."""
    monkeypatch.setattr(shipped, "official_model", lambda d: pd.DataFrame(columns=["arch", "fisher", "synflow"]))


@pytest.fixture
def naslib_as_ours(monkeypatch):
    """Pretend our table is NASLib's own scores (on the first 60 architectures, plus DAS columns)."""
    no_official_model(monkeypatch)
    def fake(dataset):
        zc = bench.load("nb201-zc", dataset=dataset).head(60)
        frame = zc.rename(columns={v: k for k, v in study.NASLIB_COLUMNS.items()})
        frame["in_zc"] = True
        for name in study.EXTRA:
            frame[name] = frame["naswot"] * (1 + 0.1 * np.arange(len(frame)) % 3)
        frame["seconds"], frame["seconds_shared"], frame["device"] = 2.0, 1.0, "cpu"
        return frame
    monkeypatch.setattr(shipped, "ours", fake)


def test_identical_scores_agree_perfectly(naslib_as_ours):
    table = study.agreement("cifar10", n_boot=50)
    assert table.proxy.tolist() == list(study.NASLIB_COLUMNS)
    assert np.allclose(table.rho, 1.0) and (table.n == 60).all()
    assert table.set_index("proxy").data_free.to_dict()["synflow"] is True


def test_accuracy_correlations_are_spearman_of_the_columns(naslib_as_ours):
    table = study.accuracy_correlations("cifar100", n_boot=50).set_index("proxy")
    zc = bench.load("nb201-zc", dataset="cifar100").head(60)
    for name, column in study.NASLIB_COLUMNS.items():
        expected = sps.spearmanr(zc[column], zc.val_accuracy).statistic
        assert table.loc[name, "zc_value"] == pytest.approx(expected, abs=1e-12)
        assert table.loc[name, "naslib_zc_value"] == pytest.approx(expected, abs=1e-12)
        assert table.loc[name, "all_n"] == 60
    assert table.loc["synflow", "published"] == 0.763 and np.isnan(table.loc["naswot", "published"])


def test_comparison_marks_imagenet_not_attempted_and_naswot_is_kendall(naslib_as_ours):
    compared = study.comparison(n_boot=50)
    imagenet = compared[compared.dataset == "ImageNet16-120"]
    assert len(imagenet) == 6 and (imagenet.status == "not attempted").all()
    assert set(compared[compared.status == "computed"].proxy) == set(study.PUBLISHED["cifar10"])
    wot = study.naswot_check(n_boot=50)
    zc = bench.load("nb201-zc", dataset="cifar10").head(60)
    assert wot["value"] == pytest.approx(sps.kendalltau(zc.nwot, zc.val_accuracy).statistic, abs=1e-12)
    assert wot["published"] == 0.57


def test_claims_carry_the_source_and_verdicts(naslib_as_ours, tmp_path, monkeypatch):
    monkeypatch.setenv("NASCORE_CLAIMS", str(tmp_path))
    agreement = pd.concat([study.agreement(d, n_boot=50) for d in study.DATASETS])
    recorded = study.record_claims(agreement, study.comparison(n_boot=50), study.naswot_check(n_boot=50))
    assert (recorded.source == "our code, real data").all()
    assert (recorded[recorded.id.str.startswith("cifar.naslib.")].verdict == "reproduced").all()
    assert (recorded[recorded.id.str.contains("imagenet16-120")].verdict == "not attempted").all()
    # NASLib's architectures are not a uniform sample: no verdict on full-space claims from them.
    accuracy = recorded[recorded.id.str.startswith(("cifar.zero-cost.cifar", "cifar.naswot."))]
    assert (accuracy.verdict == "not attempted").all() and accuracy.our_value.str.contains("not uniform").all()
    assert len(claims.load()) == len(recorded) == 6 + 18 + 1


def test_the_shipped_table_feeds_every_function():
    assert set(study.coverage().index) == {"cifar10", "cifar100", "ImageNet16-120"}
    assert not study.cost("cifar10").empty
    with pytest.raises(ValueError, match="not attempted"):
        shipped.ours("ImageNet16-120")


def test_population_prefers_the_full_space_then_the_uniform_sample(monkeypatch):
    from nascore.bench.cifar_scores import SAMPLE, select_archs

    full = bench.load("nb201", dataset="cifar10")
    order = select_archs("full")
    sample = set(select_archs(SAMPLE))
    monkeypatch.setattr(shipped, "ours", lambda d: full.assign(naswot=full.val_accuracy))
    frame, label = shipped.population("cifar10")
    assert label == "full space" and len(frame) == 15625
    monkeypatch.setattr(shipped, "ours", lambda d: full[full.arch.isin(sample) | (full.index < 50)].reset_index(drop=True))
    frame, label = shipped.population("cifar10")
    assert label == "uniform sample" and set(frame.arch) == sample
    # a job cut short: its scored head is the uniform sample, stragglers beyond it are not
    head = set(order[:150])
    stragglers = set(order[151:400])
    monkeypatch.setattr(shipped, "ours", lambda d: full[full.arch.isin(head | stragglers)].reset_index(drop=True))
    frame, label = shipped.population("cifar10")
    assert label == "uniform sample" and set(frame.arch) == head
    # NASLib's architectures that fall in the sample by chance are not a uniform sample
    zc = set(bench.load("nb201-zc", dataset="cifar10").arch)
    assert len(zc & sample) >= 100
    monkeypatch.setattr(shipped, "ours", lambda d: full[full.arch.isin(zc)].reset_index(drop=True))
    assert shipped.population("cifar10")[1] == "NASLib's architectures (not uniform)"
    monkeypatch.setattr(shipped, "ours", lambda d: full.head(50))
    assert shipped.population("cifar10")[1] == "NASLib's architectures (not uniform)"


def test_a_proxy_left_out_of_the_uniform_job_gets_no_uniform_population(monkeypatch):
    from nascore.bench.cifar_scores import select_archs

    full = bench.load("nb201", dataset="cifar10")
    zc = set(bench.load("nb201-zc", dataset="cifar10").arch)
    head = set(select_archs("sample:300"))
    rows = full[full.arch.isin(head | zc)].reset_index(drop=True)
    rows = rows.assign(in_zc=rows.arch.isin(zc), **{c: rows.val_accuracy for c in (*study.NASLIB_COLUMNS, *study.EXTRA)})
    rows["grasp"] = np.where(rows.arch.isin(zc), rows.val_accuracy, np.nan)
    monkeypatch.setattr(shipped, "ours", lambda d: rows)
    no_official_model(monkeypatch)
    monkeypatch.setattr(study, "paired", lambda d: rows.assign(**{f"{c}_naslib": rows.val_accuracy
                                                                  for c in study.NASLIB_COLUMNS}))
    table = study.accuracy_correlations("cifar10", n_boot=20).set_index("proxy")
    assert table.loc["naswot", "population"] == "uniform sample" and table.loc["naswot", "all_n"] == 300
    # GraSP was scored on NASLib's architectures only: NaN rows are not counted as failures
    assert table.loc["grasp", "population"] == "NASLib's architectures (not uniform)"
    assert table.loc["grasp", "all_n"] == len(zc & set(rows.arch)) and table.loc["grasp", "all_value"] == 1.0


def test_selection_reports_the_picks_test_accuracy_on_three_datasets():
    from nascore.bench import nb201_accuracies

    table = selection_study.selection_table(ns=(100,), repeats=20, scores=("naswot",), n_boot=50)
    assert list(table.dataset) == ["cifar10", "cifar100", "ImageNet16-120"]
    assert table.population.iloc[0] == "uniform sample" and table.population_size.iloc[0] >= 100
    assert table.paper.tolist() == [92.96, 69.98, 44.44]  # NASWOT, N = 100 (RoBoT Table 2)
    best = nb201_accuracies("cifar10").test_accuracy.max()
    assert (table.low <= table["mean"]).all() and (table["mean"] <= table.high).all() and table["mean"].max() <= best


def _selection_row(low, high, population="uniform sample", size=3000):
    import pandas as pd

    return pd.DataFrame([{"score": "naswot", "n": 100, "dataset": "cifar10", "repeats": 100, "mean": (low + high) / 2,
                          "std": 1.0, "low": low, "high": high, "paper": 92.96, "population": population,
                          "population_size": size}])


@pytest.mark.parametrize("low, high, population, size, verdict", [
    (92.5, 93.0, "uniform sample", 3000, "reproduced"),          # inside the interval
    (93.46, 94.0, "uniform sample", 3000, "reproduced"),         # 0.50 below the interval: the tolerance
    (93.50, 94.0, "uniform sample", 3000, "partly"),             # 0.54 below: within twice the tolerance
    (94.0, 94.5, "uniform sample", 3000, "not reproduced"),
    (92.5, 93.0, "NASLib's architectures (not uniform)", 725, "not attempted"),
    (92.5, 93.0, "uniform sample", 99, "not attempted"),         # under 100 cells is never a verdict
])
def test_selection_verdict_boundaries(low, high, population, size, verdict):
    (record,) = selection_study.selection_claims(_selection_row(low, high, population, size))
    assert record["verdict"] == verdict and record["claim_id"] == "naswot.selection.n100.cifar10"


def test_input_comparison_by_hand(tmp_path, monkeypatch):
    import nascore.paths

    rows = shipped.ours("cifar10").dropna(subset=["naswot", "synflow"]).head(12)
    table = pd.DataFrame({"arch": rows.arch, "dataset": "cifar10", "naswot": rows.naswot * 2 + 1,
                          "synflow": -rows.synflow})
    (tmp_path / study.LOSSLESS_DIR).mkdir()
    table.to_csv(tmp_path / study.LOSSLESS_DIR / "scores.csv", index=False)
    monkeypatch.setattr(nascore.paths, "DATA_DIR", tmp_path)
    out = study.input_comparison(n_boot=20).set_index(["dataset", "proxy"])
    assert out.loc[("cifar10", "naswot"), "rho"] == pytest.approx(1.0)   # a monotone change of scale
    assert out.loc[("cifar10", "synflow"), "rho"] == pytest.approx(-1.0)  # reversed order
    assert out.loc[("cifar10", "naswot"), "n"] == 12 and "cifar100" not in out.index.get_level_values(0)


def test_a_proxy_scored_on_a_head_of_its_own_gets_that_uniform_population(monkeypatch):
    # GraSP on NASLib's architectures and on the first 150 of the order (``--metrics grasp``):
    # a uniform sample of 150; a cell where it failed ends the head (at 120: still >= 100;
    # at 50: too short, NASLib's architectures alone)
    from nascore.bench.cifar_scores import select_archs

    full = bench.load("nb201", dataset="cifar10")
    zc = set(bench.load("nb201-zc", dataset="cifar10").arch)
    order = select_archs("sample:300")
    rows = full[full.arch.isin(set(order) | zc)].reset_index(drop=True)
    rows = rows.assign(in_zc=rows.arch.isin(zc), **{c: rows.val_accuracy for c in (*study.NASLIB_COLUMNS, *study.EXTRA)})

    def with_grasp(head, failed=None):
        scored = (set(order[:head]) | zc) - ({order[failed]} if failed is not None else set())
        return rows.assign(grasp=np.where(rows.arch.isin(scored), rows.val_accuracy, np.nan))

    extended = next(i for i in range(150, 300) if order[i] not in zc)  # NASLib's cells next in the order count
    for table, n, label in ((with_grasp(150), extended, "uniform sample"), (with_grasp(150, 120), 120, "uniform sample"),
                            (with_grasp(150, 50), len(zc & set(rows.arch)), "NASLib's architectures (not uniform)")):
        monkeypatch.setattr(shipped, "ours", lambda d, t=table: t)
        frame, got = shipped.population("cifar10", "grasp")
        assert (got, len(frame)) == (label, n)
        frame, got = shipped.population("cifar10", "naswot")  # a full-space metric: the set's population
        assert (got, len(frame)) == ("uniform sample", 300)
    with pytest.raises(ValueError, match="metric 'synflow_log' is not a column of the cifar10 score table"):
        shipped.population("cifar10", "synflow_log")


def test_fisher_and_synflow_come_from_zero_cost_nas_model_where_it_has_a_uniform_head(tmp_path, monkeypatch):
    """On NB201's model (``ours``) Fisher ranks backwards (rho -1) and SynFlow forwards; on
    zero-cost-nas's model (the official table) Fisher ranks forwards on the first 150 of the
    order, SynFlow only on 50 (too few: it stays on NB201's model). Every other proxy reads
    ``ours``. The claims name the model of the two sensitive proxies and of no other."""
    import nascore.paths
    from nascore.bench.cifar_scores import select_archs

    full = bench.load("nb201", dataset="cifar10").set_index("arch")
    order = select_archs("sample:300")
    rows = full.loc[order].reset_index()
    rows = rows.assign(in_zc=False, **{c: rows.val_accuracy for c in (*study.NASLIB_COLUMNS, *study.EXTRA)})
    rows["fisher"] = -rows.val_accuracy
    monkeypatch.setattr(shipped, "ours", lambda d: rows if d == "cifar10" else rows.head(0))
    official = rows.head(150)[["arch", "val_accuracy", "in_zc"]].assign(
        dataset="cifar10", fisher=rows.val_accuracy.head(150), synflow=rows.val_accuracy.head(150))
    official.loc[50:, "synflow"] = np.nan
    (tmp_path / shipped.OFFICIAL_MODEL_DIR).mkdir()
    official.to_csv(tmp_path / shipped.OFFICIAL_MODEL_DIR / "scores.csv", index=False)
    monkeypatch.setattr(nascore.paths, "DATA_DIR", tmp_path)

    assert [shipped.model_of("cifar10", m) for m in ("fisher", "synflow", "naswot", None)] == \
        ["zero-cost-nas", "nb201", "nb201", "nb201"]
    assert shipped.model_of("cifar100", "fisher") == "nb201"  # no CIFAR-100 rows there
    frame, label = shipped.population("cifar10", "fisher")
    assert label == "uniform sample" and frame.arch.tolist() == order[:150]
    table = study.accuracy_correlations("cifar10", n_boot=20).set_index("proxy")
    assert (table.loc["fisher", "all_value"], table.loc["fisher", "all_n"]) == (1.0, 150)
    assert table.loc["fisher", "model"] == "zero-cost-nas" and table.loc["synflow", "model"] == "nb201"
    assert (table.loc["synflow", "all_value"], table.loc["synflow", "all_n"]) == (1.0, 300)
    compared = study.model_comparison(n_boot=20).set_index(["dataset", "proxy"])
    fisher = compared.loc[("cifar10", "fisher")]
    assert (fisher.official, fisher.nb201, fisher.models_rho, fisher.n) == (1.0, -1.0, -1.0, 150)
    assert compared.loc[("cifar10", "synflow"), "n"] == 50 and len(compared) == 2
    row = pd.DataFrame([{"dataset": "cifar10", "proxy": p, "population": "uniform sample", "model": m,
                         "published": 0.5, "ours_all": 0.5, "low": 0.4, "high": 0.6, "n_all": 150,
                         "status": "computed"} for p, m in (("fisher", "zero-cost-nas"), ("synflow", "nb201"),
                                                            ("snip", "nb201"))])
    monkeypatch.setenv("NASCORE_CLAIMS", str(tmp_path / "claims"))
    wot = {"where": "x", "published": 0.57, "value": 0.5, "low": 0.4, "high": 0.6, "population": "uniform sample",
           "n": 150}
    recorded = study.record_claims(study.agreement("cifar10", n_boot=0).head(0), row, wot).set_index("id")
    assert recorded.loc["cifar.zero-cost.cifar10.fisher", "our_value"].endswith("n=150, zero-cost-nas's model)")
    assert "NAS-Bench-201's model, not zero-cost-nas's" in recorded.loc["cifar.zero-cost.cifar10.synflow", "our_value"]
    assert recorded.loc["cifar.zero-cost.cifar10.snip", "our_value"].endswith("(uniform sample, n=150)")
