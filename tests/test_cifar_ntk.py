"""The real-CIFAR NTK table (nascore.tables.cifar_ntk): official networks and data, resumable store, export, loader."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from nascore import bench, ntk
from nascore.spaces import nb201
from nascore.tables.cifar_ntk import after_epoch, architectures, export, job, results, statistics, store_tables

ARCH = "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_3x3~1|none~2|"


def test_zero_cost_network_keeps_the_train_mode_forward_and_has_the_official_parameters():
    net = nb201.Network(ARCH, C=4, N=1, seed=0).train()
    x = torch.randn(6, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    before = net(x)
    statistics.zero_cost_network(net, seed=3)
    assert torch.allclose(net(x), before, atol=1e-5)  # batch norm removes the new conv biases
    names = ntk.selected_names(net, "conv-linear")
    assert sum(n.startswith("cells.0.") and n.endswith("1.bias") for n in names) == 3  # three cell convs
    assert not any(n.startswith("cells.0.") and n.endswith("2.weight")
                   for n in ntk.selected_names(net, "weights"))  # non-affine cell batch norms


def test_stratified_architectures_span_the_accuracy_range():
    archs = architectures.arch_list("stratified:5")
    acc = bench.load("nb201-zc", "cifar10").set_index("arch").val_accuracy
    values = acc[archs].to_numpy()
    assert len(archs) == 5 and np.all(np.diff(values) >= 0)
    assert values[0] == acc.min() and values[-1] == acc.max()
    assert architectures.arch_list("zc,first:3") == architectures.arch_list("zc")[:3]
    # the full space in the CIFAR score table's fixed order: a partial run is its uniform sample
    from nascore.bench.cifar_scores import select_archs
    every = architectures.arch_list("all")
    assert len(every) == len(set(every)) == 15625 and every[:50] == select_archs("sample:50")
    with pytest.raises(ValueError, match="unknown architecture set"):
        architectures.arch_list("best:3")


def test_training_batch_gives_the_official_49_steps():
    assert -(-10_000 // after_epoch.TRAIN_BATCH) == 49 and 50_000 // 1024 + 1 == 49


def test_runs_resume_from_the_store_and_export_one_row_per_arch(tmp_path, monkeypatch):
    calls = []

    def fake(group, arch, dataset, **kw):
        calls.append((group, arch))
        value = float(len(arch) + len(group) + 1000 * (kw.get("batch") or 0))
        return {**{c: value for c in statistics.COLUMNS[group]}, "seconds": 0.5}

    monkeypatch.setattr(statistics, "group_stats", fake)
    archs = architectures.arch_list("zc,first:3")
    assert job.run_stats(tmp_path, groups=["hnas", "lga"], dataset="cifar10", archs=archs, progress=False) == 6
    assert job.run_stats(tmp_path, groups=["hnas", "lga"], dataset="cifar10", archs=archs, progress=False) == 0
    assert calls[:3] == [("hnas", a) for a in archs]  # group-major: cheap statistics first
    frame = store_tables.table(tmp_path, "cifar10")
    assert list(frame.arch) == sorted(archs) and frame.ntk_trace.notna().all() and frame.lga.notna().all()
    written = export.export(tmp_path, tmp_path / "data")
    assert (tmp_path / "data" / "cifar10.csv") in written
    back = pd.read_csv(tmp_path / "data" / "cifar10.csv")
    assert len(back) == 3 and "ntk_condition" not in back
    cost = pd.read_csv(tmp_path / "data" / "cost.csv")
    assert set(cost.group) == {"hnas", "lga"} and (cost["median"] == 0.5).all()
    # a second batch size: the batch study compares each ranking with the largest batch's
    job.run_stats(tmp_path, groups=["hnas"], dataset="cifar10", archs=archs, batches={"hnas": 128}, progress=False)
    study = store_tables.batch_study(tmp_path).query("statistic == 'ntk_trace'")
    assert list(study.batch) == [64, 128] and study.rho_vs_largest.tolist() == pytest.approx([1.0, 1.0])
    # another batch never lands in the official column: it gets its own, suffixed
    job.run_stats(tmp_path, groups=["lga"], dataset="cifar10", archs=archs[:2], batches={"lga": 32}, progress=False)
    both = store_tables.table(tmp_path, "cifar10", extra={"lga": 32, "hnas": 128})
    assert both.lga.notna().all() and both.lga_b32.notna().sum() == 2 and both.ntk_trace_b128.notna().all()
    # each column holds its own batch's values (the fake adds 1000 x batch)
    assert (both.lga == [len(a) + 3 + 256_000 for a in both.arch]).all()
    assert (both.lga_b32.dropna() >= 32_000).all() and (both.lga_b32.dropna() < 33_000).all()
    assert "lga_b256" not in store_tables.table(tmp_path, "cifar10", extra={"lga": 256})  # the official batch: no copy
    with pytest.raises(ValueError, match="unknown group 'bogus'"):
        store_tables.table(tmp_path, "cifar10", extra={"bogus": 8})
    assert export.parse_extra(["lga=32", "zhu=16"]) == {"lga": 32, "zhu": 16}
    with pytest.raises(ValueError, match="bad --extra 'lga:32'"):
        export.parse_extra(["lga:32"])


def test_the_hnas_group_on_a_real_network_matches_the_registry_metric(monkeypatch):
    small = lambda arch, dataset, group, seed=statistics.INIT_SEED, device="cpu": statistics.zero_cost_network(  # noqa: E731
        nb201.Network(arch, C=4, N=1, num_classes=10, seed=seed), seed=seed + 1).train()
    monkeypatch.setattr(statistics, "network", small)
    values = statistics.group_stats("hnas", ARCH, "cifar10", batch=8)
    from nascore import metrics

    x, y = statistics.group_batch("hnas", "cifar10", ARCH, 8)
    assert values["ntk_trace"] == pytest.approx(metrics.score("ntk_trace", small(ARCH, "cifar10", "hnas"), x, y),
                                                rel=1e-5)
    assert values["hnas_kappa"] == pytest.approx(values["hnas_lambda_max"] / values["hnas_lambda_min"])


def test_the_loader_names_the_missing_table_or_the_bad_dataset():
    with pytest.raises(ValueError, match="cifar10"):
        bench.load("nb201-cifar-ntk-hnas", dataset="cifar100")


def test_runs_switch_tf32_off_and_records_it():
    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    try:
        torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = True
        job.full_precision()
        assert torch.backends.cudnn.allow_tf32 is False and torch.backends.cuda.matmul.allow_tf32 is False
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved
    env = job.environment("cpu")
    assert env["cudnn_tf32"] is False and env["device"] == "cpu" and env["torch"] == torch.__version__


@pytest.mark.parametrize("gpu_first", [True, False])
def test_a_gpu_record_wins_over_a_cpu_record_of_the_same_cell(tmp_path, gpu_first):
    from nascore.tables.store import ResultStore

    store, arch = ResultStore(tmp_path), architectures.arch_list("zc")[0]
    base = {"kind": "stats", "arch": arch, "dataset": "cifar10", "group": "hnas", "batch": 64, "seed": 0,
            "repeats": 1, "seconds": 1.0, **{c: 0.0 for c in statistics.COLUMNS["hnas"]}}
    records = [("a" * 64, {**base, "ntk_trace": 2.0, "device": "cuda"}), ("b" * 64, {**base, "ntk_trace": 1.0, "device": "cpu"})]
    for key, record in records if gpu_first else records[::-1]:
        store.put(key, record)
    assert store_tables.table(tmp_path, "cifar10").ntk_trace.tolist() == [2.0]


def test_lga_population_is_nb201_cells_0_to_999_in_a_fixed_shuffled_order():
    from nascore.bench.nb201_test import nb201_accuracies

    cells = architectures.arch_list("first1000")
    index = nb201_accuracies("cifar10").set_index("arch").nb201_index
    assert len(cells) == len(set(cells)) == 1000
    assert sorted(index[cells]) == list(range(1000))
    assert cells == architectures.first_thousand() and index[cells[:20]].tolist() != list(range(20))  # shuffled, fixed
    with pytest.raises(ValueError, match="first1000"):
        architectures.arch_list("first1000:5")


def test_skip_table_leaves_out_shipped_cells_or_only_those_with_the_column(tmp_path):
    # shipped: a (init + trained), b (init only), c (init only); to run: d, c, b, a (order kept)
    table = tmp_path / "t.csv"
    pd.DataFrame({"arch": ["a", "b", "c"], "lga_b32": [0.1, 0.2, 0.3],
                  "lga_after_1_epoch": [0.5, float("nan"), float("nan")]}).to_csv(table, index=False)
    archs = ["d", "c", "b", "a"]
    assert architectures.skip_shipped(archs, table) == ["d"]                              # stats: any row counts
    assert architectures.skip_shipped(archs, table, "lga_after_1_epoch") == ["d", "c", "b"]  # train: trained rows
    assert architectures.skip_shipped(archs, table, "no_such_column") == archs            # nothing trained yet
    with pytest.raises(ValueError, match="is not a file"):
        architectures.skip_shipped(archs, tmp_path / "missing.csv")
    pd.DataFrame({"cell": ["a"]}).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ValueError, match="has no arch column"):
        architectures.skip_shipped(archs, tmp_path / "bad.csv")


def test_a_shard_takes_the_same_cells_however_far_the_skip_table_has_got(tmp_path):
    # two shards started at different times (the table gained a cell in between) must not
    # overlap: the selection is sharded first, then the shipped cells are skipped
    import argparse

    from nascore.cli.cifar_ntk import _setup

    cells = architectures.arch_list("first1000,first:6")
    table = tmp_path / "t.csv"
    pd.DataFrame({"arch": [cells[0]], "lga_after_1_epoch": [0.5]}).to_csv(table, index=False)

    def shard(i):
        args = argparse.Namespace(device="cpu", threads=0, archs="first1000,first:6", seed=0, shard=f"{i}/2")
        return _setup(args, skip_table=table, skip_column="lga_after_1_epoch")

    assert shard(0) == cells[2::2] and shard(1) == cells[1::2]
    assert not set(shard(0)) & set(shard(1))


def test_lga_population_export_keeps_only_cells_0_to_999_with_their_index(tmp_path, monkeypatch):
    def fake(group, arch, dataset, **kw):
        return {**{c: float(len(arch)) for c in statistics.COLUMNS[group]}, "seconds": 0.5}

    monkeypatch.setattr(statistics, "group_stats", fake)
    population = architectures.arch_list("first1000,first:3")
    outside = [a for a in architectures.arch_list("all")[:200] if a not in set(architectures.first_thousand())][:2]
    job.run_stats(tmp_path / "s", groups=["lga"], dataset="cifar10", archs=population + outside,
                  batches={"lga": 32}, progress=False)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "cifar10.csv").write_text("arch\nkept\n")  # the folder's other tables are not touched
    path, rows = export.export_lga_population(tmp_path / "s", tmp_path / "d")
    back = pd.read_csv(path)
    assert rows == 3 and sorted(back.arch) == sorted(population)
    assert list(back.columns) == ["arch", "nb201_index", "ntk_mean_b32", "ntk_frobenius_b32", "lga_b32"]
    assert back.nb201_index.is_monotonic_increasing and back.nb201_index.max() < 1000
    assert (back.lga_b32 == back.arch.str.len()).all()
    assert (tmp_path / "d" / "cifar10.csv").read_text() == "arch\nkept\n"
    assert "lga_first1000_cifar10.csv" in (tmp_path / "d" / "manifest.json").read_text()
    with pytest.raises(ValueError, match="no results store"):
        export.export_lga_population(tmp_path / "missing", tmp_path / "d")
    # a cell trained for one epoch gains the after-training columns; the others stay NaN
    monkeypatch.setattr(after_epoch, "trained_stats", lambda arch, **kw: {**{c: 0.5 for c in after_epoch.COLUMNS},
                                                                 "seconds_train": 1.0, "seconds_score": 1.0})
    job.run_train(tmp_path / "s", archs=population[:1] + outside[:1], progress=False)
    back = pd.read_csv(export.export_lga_population(tmp_path / "s", tmp_path / "d")[0]).set_index("arch")
    assert back.loc[population[0], "lga_after_1_epoch"] == 0.5 and back.lga_after_1_epoch.notna().sum() == 1
    assert outside[0] not in back.index


def test_the_library_copy_of_the_official_batches_matches_the_producing_module():
    from nascore.analysis import cifar_ntk_init

    assert cifar_ntk_init.OFFICIAL_BATCH == statistics.OFFICIAL_BATCH


def test_export_of_a_store_without_hnas_statistics(tmp_path, monkeypatch):
    """A store holding only another group (here TE-NAS's) exports its tables and no HNAS file."""
    def fake(group, arch, dataset, **kw):
        return {**{c: 1.0 + len(arch) for c in statistics.COLUMNS[group]}, "seconds": 0.5}

    monkeypatch.setattr(statistics, "group_stats", fake)
    job.run_stats(tmp_path / "s", groups=["tenas"], dataset="cifar10", archs=architectures.arch_list("zc,first:2"),
                  progress=False)
    written = {p.name for p in export.export(tmp_path / "s", tmp_path / "d")}
    assert "cifar10.csv" in written and "hnas_all_cifar10.csv" not in written
    assert "ntk_condition" in pd.read_csv(tmp_path / "d" / "cifar10.csv")


def _zhu_record(store, arch, *, value, batch=16, device="cpu", key_seed="a", dataset="cifar10", group="zhu"):
    """A hand-made record as the ``zhu`` job writes it, under a key of its own (older code: other keys)."""
    import hashlib

    key = hashlib.sha256(f"{arch}{batch}{device}{key_seed}{dataset}{group}".encode()).hexdigest()
    columns = {c: value for c in statistics.COLUMNS[group]}
    store.put_checked(key, {"kind": "stats", "arch": arch, "dataset": dataset, "group": group, "batch": batch,
                            "seed": 0, "repeats": 1, **columns, "seconds": 2.0 * value, "device": device,
                            "device_name": "x", "torch": "2.13"})


def test_zhu_uniform_export_reads_every_zhu_record_whatever_its_key(tmp_path):
    order = architectures.arch_list("all")
    store = results.open_store(tmp_path / "s")
    _zhu_record(store, order[2], value=3.0)
    _zhu_record(store, order[0], value=1.0, key_seed="old code")      # another content key: still read
    _zhu_record(store, order[0], value=5.0, device="cuda")            # a GPU record of the same cell wins
    _zhu_record(store, order[1], value=7.0, batch=72)                 # another batch: left out
    _zhu_record(store, order[1], value=8.0, dataset="cifar100")       # another dataset: left out
    _zhu_record(store, order[1], value=9.0, group="hnas")             # another group: left out
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "cifar10.csv").write_text("arch\nkept\n")
    path, rows = export.export_zhu_uniform(tmp_path / "s", tmp_path / "d")
    back = pd.read_csv(path)
    assert rows == 2 and list(back.arch) == [order[0], order[2]]
    assert list(back.columns) == ["arch", "nb201_index", "uniform_position", "ntk_lambda_min_b16", "seconds",
                                  "device", "device_name", "torch"]
    assert back.uniform_position.tolist() == [0, 2] and back.ntk_lambda_min_b16.tolist() == [5.0, 3.0]
    assert back.device.tolist() == ["cuda", "cpu"]
    from nascore.bench.nb201_test import nb201_accuracies

    index = nb201_accuracies("cifar10").set_index("arch").nb201_index
    assert back.nb201_index.tolist() == index[[order[0], order[2]]].tolist()
    assert (tmp_path / "d" / "cifar10.csv").read_text() == "arch\nkept\n"
    assert "zhu_uniform_cifar10.csv" in (tmp_path / "d" / "manifest.json").read_text()


def test_zhu_uniform_export_refuses_a_store_without_zhu_rows(tmp_path):
    store = results.open_store(tmp_path / "s")
    _zhu_record(store, architectures.arch_list("all")[0], value=1.0, group="hnas")
    with pytest.raises(ValueError, match="no zhu record on cifar10 at batch 16"):
        export.export_zhu_uniform(tmp_path / "s", tmp_path / "d")
    with pytest.raises(ValueError, match="no results store"):
        export.export_zhu_uniform(tmp_path / "missing", tmp_path / "d")
    assert not (tmp_path / "d" / "zhu_uniform_cifar10.csv").exists()


def test_export_of_a_store_with_only_zhu_rows_writes_no_hnas_file(tmp_path):
    """A store of the uniform-sample job (zhu only, batch 16): ``export`` gives the cost
    and, with ``--extra zhu=16``, the 725-cell tables' column; no KeyError, no HNAS file."""
    store = results.open_store(tmp_path / "s")
    cell = architectures.arch_list("zc")[0]
    _zhu_record(store, cell, value=4.0)
    written = {p.name for p in export.export(tmp_path / "s", tmp_path / "d", extra={"zhu": 16})}
    assert "hnas_all_cifar10.csv" not in written and {"cifar10.csv", "cost.csv"} <= written
    assert pd.read_csv(tmp_path / "d" / "cifar10.csv").ntk_lambda_min_b16.tolist() == [4.0]


def test_the_export_command_writes_the_zhu_uniform_file_or_names_the_missing_rows(tmp_path, capsys):
    from nascore import cli

    store = results.open_store(tmp_path / "s")
    _zhu_record(store, architectures.arch_list("all")[1], value=2.5, group="hnas")
    argv = ["bench", "cifar-ntk", "export", "--store", str(tmp_path / "s"), "--dest", str(tmp_path / "d"),
            "--zhu-uniform"]
    assert cli.main(argv) == 2 and "no zhu record on cifar10 at batch 16" in capsys.readouterr().err
    _zhu_record(store, architectures.arch_list("all")[1], value=2.5)
    assert cli.main(argv) == 0
    assert f"wrote 1 rows to {tmp_path / 'd' / 'zhu_uniform_cifar10.csv'}" in capsys.readouterr().out
