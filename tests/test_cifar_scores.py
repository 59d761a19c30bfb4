"""The CIFAR scoring protocol, the resumable table job (``nascore.tables.nb201_cifar_scores``),
its command line and its loader."""
import math

import numpy as np
import pandas as pd
import pytest
import torch

import nascore.metrics as metrics
from nascore import bench
from nascore import inputs
from nascore.bench import cifar_protocol as cp
from nascore.bench import cifar_scores as cs
from nascore.paths import DATA_DIR
from nascore.tables import nb201_cifar_scores as job
from nascore import cli
from nascore.tables.executors import LocalExecutor
from nascore.tables.store import ResultStore

A = "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|nor_conv_3x3~1|skip_connect~2|"
B = "|avg_pool_3x3~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
SMALL = cp.ScoringProtocol(batch_size=12, C=4, N=1)
QUIET = dict(log=lambda _: None)


def test_crop_and_flip_outputs_are_windows_of_the_zero_padded_image_by_brute_force():
    x = torch.rand(6, 3, 5, 5, generator=torch.Generator().manual_seed(0)) + 0.1  # no zeros inside
    out = inputs.augment(x, np.random.default_rng(1), order="per-image", padding=2)
    padded = torch.nn.functional.pad(x, (2, 2, 2, 2))
    seen = set()
    for k in range(6):
        matches = [(i, j, f) for i in range(5) for j in range(5) for f in (False, True)
                   if torch.equal(out[k], padded[k, :, i:i + 5, j:j + 5].flip(-1) if f else padded[k, :, i:i + 5, j:j + 5])]
        assert len(matches) == 1
        seen.add(matches[0][2])
    assert seen == {False, True}  # both flipped and unflipped images occur in this draw


def test_normalisation_constants_and_refusals():
    mean, std, _ = cp.NORMALISATIONS["zero-cost-nas"]["cifar10"]
    x = torch.tensor(mean).view(1, 3, 1, 1) + torch.tensor(std).view(1, 3, 1, 1)
    assert torch.allclose(inputs.normalise(x, "zero-cost-nas", "cifar10"), torch.ones(1, 3, 1, 1))
    with pytest.raises(ValueError, match="ImageNet16-120: not attempted"):
        cp.check_dataset("ImageNet16-120")
    with pytest.raises(ValueError, match="unknown normalisation 'imagenet'"):
        cp.ScoringProtocol(normalisation="imagenet")
    with pytest.raises(ValueError, match="unknown batch rule"):
        cp.ScoringProtocol(batch="random")


def test_batches_are_fresh_per_architecture_reproducible_and_fixed_on_request():
    p = cp.ScoringProtocol(batch_size=16)
    xa, ya = p.batch_for(A, "cifar100")
    xa2, ya2 = p.batch_for(A, "cifar100")
    xb, yb = p.batch_for(B, "cifar100")
    assert xa.shape == (16, 3, 32, 32) and ya.dtype == torch.int64
    assert torch.equal(xa, xa2) and torch.equal(ya, ya2)
    assert not torch.equal(ya, yb)
    fixed = cp.ScoringProtocol(batch_size=16, batch="fixed")
    assert torch.equal(fixed.batch_for(A, "cifar100")[0], fixed.batch_for(B, "cifar100")[0])
    # Without augmentation the batch is exactly a set of shipped images, normalised.
    plain = cp.ScoringProtocol(batch_size=16, augment=False, normalisation="nb201")
    x, y = plain.batch_for(A, "cifar100")
    images, labels = inputs.batch_images("cifar100")
    raw = inputs.normalise(images, "nb201", "cifar100")
    distance = torch.stack([(raw - x[k]).abs().flatten(1).amax(1) for k in range(16)])
    rows = distance.argmin(1).tolist()
    assert float(distance.min(1).values.max()) < 1e-5  # each is a shipped image (float rounding only)
    assert len(set(rows)) == 16 and torch.equal(labels[rows], y)
    assert p.network(A, "cifar100").classifier.out_features == 100


def test_a_job_equals_score_on_its_network_and_batch(one_thread):
    names = ("grad_norm", "snip", "fisher", "jacov", "naswot", "synflow", "params")
    record = job.run_job(job.Scoring(A, "cifar100", names, SMALL))
    x, y = SMALL.batch_for(A, "cifar100")
    for name in names:
        expected = metrics.score(name, SMALL.network(A, "cifar100"), x, y)
        assert record["values"][name] == pytest.approx(expected, rel=1e-6), name
    assert record["device"] == "cpu" and record["errors"] == {} and record["seconds"] > 0


def test_fill_resumes_reuses_supersets_and_stops_on_time(tmp_path, one_thread):
    store = ResultStore(tmp_path)
    archs = [A, B]
    zc = ("params", "naswot", "grad_norm")
    first = job.fill(store, LocalExecutor(1, progress=False), archs, ["cifar100"], zc, protocol=SMALL, **QUIET)
    assert first == {"stored_before": 0, "scored": 2, "remaining": 0}
    again = job.fill(store, LocalExecutor(1, progress=False), archs, ["cifar100"], zc, protocol=SMALL, **QUIET)
    assert again["scored"] == 0 and again["stored_before"] == 2
    # A record scored with the zero-cost set answers a request for a subset of it.
    unit = job.Scoring(A, "cifar100", cs.FULL_SPACE_METRICS, SMALL)
    assert job.stored(store, unit) is None
    store.put(job.key_of(job.Scoring(A, "cifar100", cs.ZC_METRICS, SMALL)), {"values": {}})
    assert job.stored(store, unit) == {"values": {}}
    # A zero time budget stores the first result and stops.
    other = ResultStore(tmp_path / "other")
    partial = job.fill(other, LocalExecutor(1, progress=False), archs, ["cifar100"], zc, protocol=SMALL,
                      max_seconds=0, **QUIET)
    assert partial == {"stored_before": 0, "scored": 1, "remaining": 1} and len(other) == 1


def test_records_frame_merges_two_metric_sets_and_adds_accuracy(tmp_path, one_thread):
    store = ResultStore(tmp_path)
    job.fill(store, LocalExecutor(1, progress=False), [A], ["cifar100"], ("params", "naswot"), protocol=SMALL, **QUIET)
    job.fill(store, LocalExecutor(1, progress=False), [A, B], ["cifar100"], ("params",), protocol=SMALL, **QUIET)
    frame = cs.with_accuracy(job.records_frame(store, SMALL))
    assert frame.arch.tolist() == sorted([A, B])
    row = frame.set_index("arch").loc[A]
    assert not math.isnan(row.naswot) and math.isnan(frame.set_index("arch").loc[B].naswot)
    full = bench.load("nb201", dataset="cifar100").set_index("arch")
    assert row.val_accuracy == full.loc[A, "val_accuracy"]
    assert job.records_frame(store, cp.ScoringProtocol()).empty  # another protocol: nothing


def test_architecture_selections():
    zc = cs.select_archs("zc", "cifar10")
    assert len(zc) == len(bench.load("nb201-zc", dataset="cifar10"))
    assert len(cs.select_archs("full")) == 15625
    sample = cs.select_archs("zc:5")
    assert len(sample) == 5 and sample == cs.select_archs("zc:5") and set(sample) <= set(zc)
    assert len(set(cs.select_archs("sample:7"))) == 7
    # a sample is the head of the full space's fixed order: a larger run extends a smaller one
    assert cs.select_archs("sample:7") == cs.select_archs("full")[:7] == cs.select_archs("sample:9")[:7]
    with pytest.raises(ValueError, match="asks 15626 architectures of 15625"):
        cs.select_archs("sample:15626")
    for bad in ("zc:0", "everything", "sample:x", "full:3"):
        with pytest.raises(ValueError, match="bad architecture selection"):
            cs.select_archs(bad)


def test_command_line_scores_exports_and_resumes(tmp_path, capsys, one_thread):
    argv = ["--archs", "zc:2", "--dataset", "cifar100", "--metrics", "params,naswot,grad_norm",
            "--batch-size", "10", "--store", str(tmp_path / "store"), "--out", str(tmp_path / "out"), "--no-progress"]
    assert cli.main(["bench", "cifar-scores", *argv]) == 0
    assert "0 were stored, 2 scored now, 0 remaining" in capsys.readouterr().out
    assert cli.main(["bench", "cifar-scores", *argv]) == 0
    assert "2 were stored, 0 scored now" in capsys.readouterr().out
    import pandas as pd
    table = pd.read_csv(tmp_path / "out" / "scores.csv")
    assert len(table) == 2 and table.naswot.notna().all() and table.grasp.isna().all()
    readme = (tmp_path / "out" / "README.md").read_text()
    assert "PROVISIONAL" in readme and "--batch-size 10" in readme and "Licence" in readme
    # A deadline in the past scores nothing but still exports what the store holds.
    late = ["--archs", "zc:3", "--dataset", "cifar100", "--metrics", "params", "--until", "1",
            "--store", str(tmp_path / "late"), "--out", str(tmp_path / "late-out"), "--no-progress"]
    assert cli.main(["bench", "cifar-scores", *late]) == 0
    assert "no time left, nothing scored" in capsys.readouterr().out
    assert (tmp_path / "late-out" / "scores.csv").exists()
    assert cli.main(["bench", "cifar-scores", "--dataset", "ImageNet16-120"]) == 2  # refused when parsed
    assert "invalid choice: 'ImageNet16-120'" in capsys.readouterr().err
    assert cli.main(["bench", "cifar-scores", "--archs", "zc:2", "--metrics", "snap",
                     "--store", str(tmp_path / "s")]) == 2


def test_dask_cluster_gives_the_same_scores_as_local_processes(tmp_path, one_thread):
    distributed = pytest.importorskip("distributed")
    from nascore.tables.executors import DaskExecutor
    names = ("params", "naswot", "grad_norm")
    local = ResultStore(tmp_path / "local")
    job.fill(local, LocalExecutor(2, progress=False), [A, B], ["cifar100"], names, protocol=SMALL, **QUIET)
    remote = ResultStore(tmp_path / "dask")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        job.fill(remote, DaskExecutor(cluster.scheduler_address, progress=False), [A, B], ["cifar100"], names,
                protocol=SMALL, **QUIET)
    columns = ["arch", *names]
    a, b = job.records_frame(local, SMALL)[columns], job.records_frame(remote, SMALL)[columns]
    assert a.equals(b)


def test_loader_of_the_shipped_table():
    frame = bench.load("nb201-cifar-scores", dataset="cifar10")
    assert {"arch", "op_indices", "val_accuracy", "in_zc", *cs.ZC_METRICS} <= set(frame.columns)
    assert len(frame) > 0 and frame.val_accuracy.notna().all()
    assert set(bench.load("nb201-cifar-scores", dataset="cifar100").columns) == set(frame.columns)
    with pytest.raises(ValueError, match="not attempted"):
        bench.load("nb201-cifar-scores", dataset="ImageNet16-120")


def test_table_status_names_what_the_table_holds():
    from nascore.tables.nb201_cifar_scores_export import table_status
    from nascore.tables.nb201_cifar_scores_readme import readme

    sizes = {"cifar10": 724, "cifar100": 725}
    full = {"cifar10": {"grasp_done": 724, "sample_done": 3000, "rows": 15625},
            "cifar100": {"grasp_done": 725, "sample_done": 0, "rows": 725}}
    assert table_status(full, sizes) == "complete"
    sample = {**full, "cifar10": {"zc_done": 724, "grasp_done": 724, "sample_done": 3000, "rows": 3585},
              "cifar100": {"zc_done": 725, "grasp_done": 725, "sample_done": 0, "rows": 725}}
    assert table_status(sample, sizes) == "sample"
    short = {**sample, "cifar10": {"grasp_done": 724, "sample_done": 2999, "rows": 3584}}
    assert table_status(short, sizes) == "provisional"
    missing = {**sample, "cifar100": {"grasp_done": 724, "sample_done": 0, "rows": 724}}
    assert table_status(missing, sizes) == "provisional"
    with pytest.raises(ValueError, match="unknown table status 'done'"):
        readme(protocol=None, command="", info={}, status="done", cover={}, zc_sizes={}, devices="",
               torches="", seconds=None, rows=0)
    # a uniform sample on CIFAR-100 is said beside CIFAR-10's
    from nascore.provenance import snapshot

    with_c100 = {**sample, "cifar100": {"zc_done": 725, "grasp_done": 725, "sample_done": 300, "rows": 985}}
    lines = readme(protocol=cp.ScoringProtocol(), command="", info=snapshot(), status="sample", cover=with_c100,
                   zc_sizes=sizes, devices="cpu", torches="x", seconds=pd.Series({"cifar10": 1.0}), rows=4570)
    assert ("On CIFAR-100, a uniform sample of 300 with the full-space set (`--archs sample:300 --dataset "
            "cifar100`: the first 300 of the same order).") in lines[2]
    with_grasp = {**with_c100, "cifar10": {**with_c100["cifar10"], "grasp_head": 203},
                  "cifar100": {**with_c100["cifar100"], "grasp_head": 99}}
    status = readme(protocol=cp.ScoringProtocol(), command="", info=snapshot(), status="sample", cover=with_grasp,
                    zc_sizes=sizes, devices="cpu", torches="x", seconds=pd.Series({"cifar10": 1.0}), rows=4570)[2]
    assert "GraSP, which the full-space set leaves out, on the first 203 of the order on CIFAR-10" in status
    assert "on CIFAR-100 (`--archs sample:K --metrics grasp`)" not in status  # 99: under a uniform sample
    both = {**with_grasp, "cifar100": {**with_grasp["cifar100"], "grasp_head": 203}}
    status = readme(protocol=cp.ScoringProtocol(), command="", info=snapshot(), status="sample", cover=both,
                    zc_sizes=sizes, devices="cpu", torches="x", seconds=pd.Series({"cifar10": 1.0}), rows=4570)[2]
    assert status.count("GraSP") == 1  # one head length: said once, for both datasets
    assert "on the first 203 of the order on CIFAR-10 and CIFAR-100 (`--archs sample:K --metrics grasp`)." in status
    assert "On CIFAR-100" not in readme(protocol=cp.ScoringProtocol(), command="", info=snapshot(), status="sample",
                                        cover=sample, zc_sizes=sizes, devices="cpu", torches="x",
                                        seconds=pd.Series({"cifar10": 1.0}), rows=3585)[2]


def test_scored_head_counts_only_an_unbroken_head_of_the_order():
    from nascore.bench.cifar_scores import scored_head

    order = cs.select_archs("full")
    assert scored_head(set(order[:40])) == 40
    assert scored_head(set(order[:40]) | set(order[41:90])) == 40  # a gap ends the sample
    assert scored_head(set(order[1:500])) == 0


@pytest.mark.parametrize("dataset, row", [("cifar10", 0), ("cifar10", 1234), ("cifar100", 7)])
def test_the_default_protocol_rescoring_a_shipped_row_gives_the_shipped_values(dataset, row, one_thread):
    """Pins every default of the scoring protocol (network seed, batch draw and its seed,
    crop/flip, normalisation constants, loss, BN mode) against the table it produced, which
    was scored on NAS-Bench-201's own model (``model="nb201"``): a change to any of them
    moves grad_norm / snip / jacov far beyond round-off. The default model, zero-cost-nas's,
    computes the same function with the same weights, so the gradient proxies agree with
    the table too; its parameter count differs by hand: each cell convolution gains C_out
    biases and its BN loses 2 C_out affine parameters."""
    from nascore.spaces import nb201

    shipped = bench.load("nb201-cifar-scores", dataset).sort_values("arch", ignore_index=True).iloc[row]
    names = ("params", "flops", "grad_norm", "snip", "jacov", "synflow")
    record = job.run_job(job.Scoring(shipped.arch, dataset, names, cp.ScoringProtocol(model="nb201")))
    for name in names:
        assert record["values"][name] == pytest.approx(shipped[name], rel=2e-4), name
    default = job.run_job(job.Scoring(shipped.arch, dataset, names, cp.ScoringProtocol()))
    for name in ("grad_norm", "snip", "jacov"):  # flops counts the biases' additions
        assert default["values"][name] == pytest.approx(shipped[name], rel=2e-4), name
    ops = nb201.parse(shipped.arch).values()
    cell_conv_channels = 5 * sum((16, 32, 64)) * sum(op.startswith("nor_conv") for op in ops)
    assert round((shipped.params - default["values"]["params"]) * 1e6) == cell_conv_channels


def test_lossless_training_images_are_a_protocol_option_that_leaves_the_shipped_digest_alone():
    from nascore import cifar

    x, y = cifar.lossless_train_images("cifar10")
    assert x.shape == (5438, 32, 32, 3) and x.dtype == np.uint8 and y[:5].tolist() == [6, 9, 9, 4, 1]
    x100, y100 = cifar.lossless_train_images("cifar100")
    assert x100.shape == (1117, 32, 32, 3) and set(y100) == set(range(100))
    shipped, lossless = cp.ScoringProtocol(), cp.ScoringProtocol(images="lossless-train")
    assert "images" not in shipped.to_dict() and shipped.digest() != lossless.digest()
    xb, yb = lossless.batch_for(A, "cifar100")
    assert xb.shape == (64, 3, 32, 32) and int(yb.max()) < 100
    with pytest.raises(ValueError, match="unknown image source 'jpeg'; allowed: shipped, lossless-train"):
        cp.ScoringProtocol(images="jpeg")


def test_the_model_is_a_protocol_field_that_leaves_the_shipped_digest_alone():
    """The shipped table (scored on NB201's own model before the field existed) keeps its
    protocol file and store keys: ``model="nb201"`` is left out of the fields; the default,
    zero-cost-nas's model, is written and builds that model."""
    import json

    shipped = json.loads((DATA_DIR / "nb201-cifar-scores" / "protocol.json").read_text())
    assert cp.ScoringProtocol(model="nb201").to_dict() == shipped
    assert cp.ScoringProtocol().to_dict() == {**shipped, "model": "zero-cost-nas"}
    assert cp.ScoringProtocol().network(A, "cifar10").convention == "zero-cost-nas"
    assert cp.ScoringProtocol(model="nb201").network(A, "cifar10").convention == "nb201"
    with pytest.raises(ValueError, match="unknown model 'naslib'; allowed: zero-cost-nas, nb201"):
        cp.ScoringProtocol(model="naslib")


def test_the_export_round_trips_stored_values_whatever_their_keys(tmp_path):
    """Records filed under any key (a key changes with the scoring code's closure) are
    exported; each value comes back from ``scores.csv`` as stored (9 significant digits)."""
    from nascore.tables.nb201_cifar_scores_export import export

    def record(arch, values, errors=None):
        return {"kind": job.KIND, "arch": arch, "dataset": "cifar10", "metrics": sorted(values), "values": values,
                "errors": errors or {}, "seconds": 1.5, "seconds_by_step": {"forward+backward": 0.25},
                "device": "cpu", "torch": "x", "protocol": SMALL.to_dict()}

    store = job.open_store(tmp_path / "store")
    store.put("ab" * 32, record(A, {m: float(i) + 0.125 for i, m in enumerate(cs.ZC_METRICS)}))
    store.put("cd" * 32, record(B, {"params": 2.5, "naswot": None}, {"naswot": "-inf: cut-off cell"}))
    export(job.records_frame(store, SMALL), tmp_path / "out", protocol=SMALL)
    back = pd.read_csv(tmp_path / "out" / "scores.csv").set_index("arch")
    assert back.loc[A, list(cs.ZC_METRICS)].tolist() == [i + 0.125 for i in range(len(cs.ZC_METRICS))]
    assert back.loc[B, "params"] == 2.5 and math.isnan(back.loc[B, "naswot"]) and math.isnan(back.loc[B, "grasp"])
    assert back.seconds.tolist() == [1.5, 1.5] and back.seconds_shared.tolist() == [0.25, 0.25]
    assert back.val_accuracy.loc[A] == pytest.approx(bench.load("nb201", "cifar10").set_index("arch").val_accuracy[A])


def test_an_export_merges_the_store_into_the_table_already_there(tmp_path, capsys):
    """A store holding only new work keeps the shipped rows: a cell only in the table stays,
    a new cell is added, and a cell in both keeps the row with more metrics (the table's
    zero-cost row with GraSP beats the store's full-space row; a tie goes to the store's,
    a re-scored cell), the other filling its gaps, a step's time with the step (the total
    time stays the winner's). ``--replace`` writes the store's rows alone;
    a table of another protocol, or without its protocol.json, is refused."""
    import json

    from nascore.tables.nb201_cifar_scores_export import export

    C, D = cs.select_archs("full")[2:4]

    def record(arch, values, seconds, protocol=SMALL, steps=None):
        return {"kind": job.KIND, "arch": arch, "dataset": "cifar10", "metrics": sorted(values), "values": values,
                "errors": {}, "seconds": seconds, "seconds_by_step": steps or {}, "device": "cpu", "torch": "x",
                "protocol": protocol.to_dict()}

    out = tmp_path / "out"
    old = job.open_store(tmp_path / "old")
    old.put("ab" * 32, record(A, {m: 1.0 for m in cs.ZC_METRICS}, 9.0))              # 12 metrics
    old.put("cd" * 32, record(B, {"params": 1.0, "naswot": 1.0}, 9.0))
    old.put("45" * 32, record(D, {m: 1.0 for m in cs.FULL_SPACE_METRICS}, 9.0, steps={"forward+backward": 0.25}))
    export(job.records_frame(old, SMALL), out, protocol=SMALL)
    assert json.loads((out / "protocol.json").read_text()) == SMALL.to_dict()
    assert "protocol.json" in json.loads((out / "manifest.json").read_text())["files"]
    new = job.open_store(tmp_path / "new")
    new.put("ef" * 32, record(A, {m: 2.0 for m in cs.FULL_SPACE_METRICS}, 1.0))      # 11: the table's wins
    new.put("01" * 32, record(B, {"params": 2.0, "snip": 2.0}, 1.0))                  # 2 vs 2: the store's
    new.put("23" * 32, record(C, {"params": 3.0}, 1.0))                               # new cell
    new.put("67" * 32, record(D, {"grasp": 3.0}, 3.5, steps={"grasp": 3.25}))         # GraSP added later
    fresh = job.records_frame(new, SMALL)
    export(job.merged_with_table(fresh, out, SMALL), out, protocol=SMALL)
    back = pd.read_csv(out / "scores.csv").set_index("arch")
    assert sorted(back.index) == sorted([A, B, C, D])
    # D: the table's row wins (11 metrics vs 1); GraSP and its step's time come from the store
    assert (back.loc[D, "grasp"], back.loc[D, "params"]) == (3.0, 1.0)
    assert (back.loc[D, "seconds"], back.loc[D, "seconds_shared"], back.loc[D, "seconds_grasp"]) == (9.0, 0.25, 3.25)
    assert back.loc[A, list(cs.ZC_METRICS)].tolist() == [1.0] * len(cs.ZC_METRICS) and back.loc[A, "seconds"] == 9.0
    assert (back.loc[B, "params"], back.loc[B, "snip"], back.loc[B, "naswot"]) == (2.0, 2.0, 1.0)  # gap filled
    assert back.loc[B, "seconds"] == 1.0 and back.loc[C, "params"] == 3.0
    # no table there: the store's rows as they are
    assert job.merged_with_table(fresh, tmp_path / "none", SMALL).equals(fresh)
    # another protocol, a missing protocol.json, a column the export does not write: refused
    with pytest.raises(ValueError, match=r"another protocol \(C: 4 there, 16 here, N: 1 there, 5 here, batch_size: 12 there, 64 here\)"):
        job.merged_with_table(fresh, out, cp.ScoringProtocol())
    (tmp_path / "odd").mkdir()
    back.reset_index().assign(extra=1).to_csv(tmp_path / "odd" / "scores.csv", index=False)
    with pytest.raises(ValueError, match="protocol.json is missing"):
        job.merged_with_table(fresh, tmp_path / "odd", SMALL)
    (tmp_path / "odd" / "protocol.json").write_text(json.dumps(SMALL.to_dict()))
    with pytest.raises(ValueError, match=r"columns an export does not write \(extra\)"):
        job.merged_with_table(fresh, tmp_path / "odd", SMALL)
    # the command line merges by default (refused here: the folder's protocol is not the CLI's),
    # --replace writes the store's rows alone (none under the CLI's protocol)
    argv = ["bench", "cifar-scores", "--export-only", "--store", str(tmp_path / "new"), "--out", str(out),
            "--no-progress"]
    assert cli.main(argv) == 2
    assert "was scored under another protocol" in capsys.readouterr().err
    assert cli.main([*argv, "--replace"]) == 0
    assert len(pd.read_csv(out / "scores.csv")) == 0
    assert json.loads((out / "protocol.json").read_text()) == cp.ScoringProtocol().to_dict()
