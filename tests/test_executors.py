"""Executors: local processes and a real Dask cluster give the same results."""
import math

import pytest

from nascore.tables import mixed_mnist5k as gt
from nascore.cli import bench as train_cli
from nascore.tables.executors import DaskExecutor, LocalExecutor, make_executor
from nascore.tables.store import ResultStore
from nascore.training import Protocol


def test_local_executor_yields_every_item_with_its_result():
    for jobs in (1, 2):
        pairs = dict(LocalExecutor(jobs, progress=False).imap(math.factorial, range(6)))
        assert pairs == {n: math.factorial(n) for n in range(6)}


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="jobs must be a positive integer, got 0"):
        LocalExecutor(0)
    with pytest.raises(ValueError, match="scheduler address"):
        DaskExecutor("")
    assert isinstance(make_executor(2), LocalExecutor)
    assert isinstance(make_executor(2, "tcp://127.0.0.1:8786"), DaskExecutor)


TINY = dict(dataset="digits", space=gt.MixedSpace(hidden_layers=2, width=8),
            protocol=Protocol(epochs=1, checkpoints=(), lr=2.0), batch_nets=2)


def test_dask_cluster_gives_the_same_results_as_local_processes(tmp_path):
    distributed = pytest.importorskip("distributed")
    archs = TINY["space"].architectures(5)
    local = gt.fill(ResultStore(tmp_path / "local"), LocalExecutor(1, progress=False), archs,
                    [0], log=lambda _: None, **TINY)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        remote = gt.fill(ResultStore(tmp_path / "dask"), DaskExecutor(address, progress=False),
                         archs, [0], log=lambda _: None, **TINY)
        # The same job through the command line's --scheduler option.
        argv = ["--dataset", "digits", "--n", "3", "--seeds", "1", "--hidden-layers", "2",
                "--width", "8", "--epochs", "1", "--no-progress", "--scheduler", address,
                "--store", str(tmp_path / "cli")]
        assert train_cli.main(argv) == 0
    columns = ["arch", "seed", "acc_e1", "acc_final", "train_loss"]
    assert local[columns].equals(remote[columns])
    assert len(ResultStore(tmp_path / "cli")) == 3
