"""The supernet table's jobs (``nascore.tables.nb201_supernet``): one stored result per
child, a resume that computes only what is missing, failures kept apart, and the run
folder's CSV written from the store as the rows appended one by one used to be."""
from __future__ import annotations

import hashlib
import math
import struct

import pandas as pd
import pytest
import torch

from nascore.spaces import nb201
from nascore.supernet.network import Supernet
from nascore.tables import nb201_supernet as job
from nascore.tables.store import ResultStore

ARCHS = nb201.sample(4, seed=0)


def test_tensor_digest_is_the_sha256_of_dtype_shape_and_bytes():
    header = b"torch.float32(2,)\0"
    assert job.tensor_digest(torch.tensor([1.0, 2.0])) == hashlib.sha256(header + struct.pack("<ff", 1, 2)).hexdigest()
    # the same bytes under another shape or dtype are other tensors
    assert job.tensor_digest(torch.tensor([[1.0, 2.0]])) != job.tensor_digest(torch.tensor([1.0, 2.0]))
    assert job.tensor_digest(torch.tensor([1, 2], dtype=torch.int32)) != job.tensor_digest(torch.tensor([1, 2]))
    assert job.tensor_digest(torch.zeros(0)) == hashlib.sha256(b"torch.float32(0,)\0").hexdigest()
    with pytest.raises(ValueError, match="tensor_digest takes tensors, not list"):
        job.tensor_digest([1.0])


def test_the_weights_digest_ignores_bn_statistics_and_follows_every_weight():
    net = Supernet(C=2, N=1, seed=0)
    before = job.weights_digest(net)
    bn = next(m for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d))
    bn.running_mean += 1.0  # recalibration recomputes these for every child
    assert job.weights_digest(net) == before
    with torch.no_grad():
        next(net.parameters()).view(-1)[0] += 1e-6
    assert job.weights_digest(net) != before
    assert job.weights_digest(Supernet(C=2, N=1, seed=1)) != job.weights_digest(Supernet(C=2, N=1, seed=0))


def test_a_childs_key_follows_its_supernet_images_and_calibration_batch():
    child = job.Child(ARCHS[0], "a" * 64, "b" * 64)
    assert job.key_of(child) == job.key_of(job.Child(ARCHS[0], "a" * 64, "b" * 64, 256))
    others = [job.Child(ARCHS[1], "a" * 64, "b" * 64), job.Child(ARCHS[0], "c" * 64, "b" * 64),
              job.Child(ARCHS[0], "a" * 64, "c" * 64), job.Child(ARCHS[0], "a" * 64, "b" * 64, 128)]
    assert len({job.key_of(child), *map(job.key_of, others)}) == 5


@pytest.fixture
def tiny():
    """A tiny supernet, 8 calibration and 10 test images."""
    g = torch.Generator().manual_seed(0)
    return Supernet(C=2, N=1, seed=0), torch.randn(8, 3, 8, 8, generator=g), \
        torch.randn(10, 3, 8, 8, generator=g), torch.arange(10) % 10


def _evaluate(tiny, archs, out, net=None):
    supernet, calibration, x, y = tiny
    return job.evaluate_children(net or supernet, archs, calibration, x, y, out, progress=False)


def _counting(monkeypatch, values):
    """Replace the evaluation by ``values[arch]`` (a number), counting the calls."""
    calls = []

    def fake(net, arch, calibration, x, y, *, calibration_batch):
        calls.append(arch)
        return values[arch]

    monkeypatch.setattr(job, "child_accuracy", fake)
    return calls


def test_a_resumed_evaluation_computes_only_the_missing_children(tmp_path, tiny, monkeypatch):
    calls = _counting(monkeypatch, {a: 10.0 * i for i, a in enumerate(ARCHS)})
    out = tmp_path / "run" / "children-zc.csv"
    first = _evaluate(tiny, ARCHS[:3], out)
    again = _evaluate(tiny, ARCHS + ARCHS[:1], out)
    assert [r["arch"] for r in first] == ARCHS[:3] and [r["arch"] for r in again] == [ARCHS[3]]
    assert calls == ARCHS  # each child once
    assert list(pd.read_csv(out).supernet_accuracy) == [0.0, 10.0, 20.0, 30.0]
    assert len(ResultStore(tmp_path / "run" / "store")) == 4
    # another supernet is another set of units: all four are computed again
    _evaluate(tiny, ARCHS, out, net=Supernet(C=2, N=1, seed=1))
    assert len(calls) == 8


def test_a_child_with_a_non_finite_accuracy_is_a_failure_never_a_row_nor_retried(tmp_path, tiny, monkeypatch):
    calls = _counting(monkeypatch, {ARCHS[0]: 50.0, ARCHS[1]: math.nan, ARCHS[2]: 25.0})
    out = tmp_path / "children-zc.csv"
    rows = _evaluate(tiny, ARCHS[:3], out)
    assert [r["arch"] for r in rows] == [ARCHS[0], ARCHS[2]]
    failures = ResultStore(tmp_path / "store").failures()
    assert failures.arch.tolist() == [ARCHS[1]] and "supernet_accuracy" in failures.reason[0]
    assert list(pd.read_csv(out).arch) == [ARCHS[0], ARCHS[2]]
    _evaluate(tiny, ARCHS[:3], out)
    assert calls == ARCHS[:3]  # the failure was not retried


def test_the_csv_is_written_as_rows_appended_one_by_one_were(tmp_path, tiny, monkeypatch):
    _counting(monkeypatch, {ARCHS[0]: 100 / 3, ARCHS[1]: 12.5})
    out = tmp_path / "children-ends.csv"
    rows = _evaluate(tiny, [ARCHS[1], ARCHS[0]], out)
    # csv.DictWriter's format: a header, "\r\n" line ends, floats as their repr
    expected = "arch,supernet_accuracy,seconds\r\n" + "".join(
        f"{r['arch']},{r['supernet_accuracy']!r},{r['seconds']!r}\r\n" for r in rows)
    assert out.read_bytes() == expected.encode()
    assert f",{100 / 3!r}," == ",33.333333333333336,"
    back = pd.read_csv(out)  # round trip: every stored number exactly
    assert back.supernet_accuracy.tolist() == [12.5, 100 / 3] and back.seconds.tolist() == [r["seconds"] for r in rows]


def test_the_real_evaluation_gives_the_same_accuracies_through_the_store(tmp_path, tiny):
    from nascore.supernet.evaluate import child_accuracy

    net, calibration, x, y = tiny
    rows = job.evaluate_children(net, ARCHS[:2], calibration, x, y, tmp_path / "c.csv", progress=False)
    direct = [child_accuracy(Supernet(C=2, N=1, seed=0), a, calibration, x, y) for a in ARCHS[:2]]
    assert [r["supernet_accuracy"] for r in rows] == direct


def test_stand_alone_children_resume_by_seed_and_write_their_epochs(tmp_path, monkeypatch, capsys):
    calls = []

    def fake(arch, images, test, *, C, N, epochs, batch_size, lr, weight_decay, seed, device):
        calls.append((arch, seed))
        return 40.0 + seed

    monkeypatch.setattr(job, "train_child", fake)
    images, test = (torch.zeros(4, 3, 8, 8), torch.arange(4)), (torch.ones(2, 3, 8, 8), torch.arange(2))
    out = tmp_path / "standalone-s0" / "children-0of1.csv"
    job.train_children(ARCHS[:2], out, images, test, C=2, N=1, epochs=3)
    job.train_children(ARCHS[:3], out, images, test, C=2, N=1, epochs=3)
    assert calls == [(a, 0) for a in ARCHS[:3]]
    assert "stand-alone child 1/1: 40.00 %" in capsys.readouterr().out
    table = pd.read_csv(out)
    assert list(table.columns) == ["arch", "standalone_accuracy", "seconds", "epochs"]
    assert table.epochs.tolist() == [3, 3, 3] and table.arch.tolist() == ARCHS[:3]
    job.train_children(ARCHS[:1], out, images, test, C=2, N=1, epochs=4)  # another recipe: trained again
    assert calls[-1] == (ARCHS[0], 0) and len(calls) == 4


def test_the_tables_job_names_the_unit_key_compute_fill_and_export():
    from nascore import tables
    from nascore.supernet.table import build_table

    assert tables.get("nb201-supernet").job == "nascore.tables.nb201_supernet.JOB"
    assert job.JOB.unit is job.Child and job.JOB.export is build_table
    assert job.STANDALONE_JOB.unit is job.StandaloneChild and job.STANDALONE_JOB.compute is job.train_alone


def test_a_run_stopped_mid_way_keeps_its_finished_children_in_store_and_csv(tmp_path, tiny, monkeypatch):
    calls = []

    def stopped_at_the_third(net, arch, calibration, x, y, *, calibration_batch):
        calls.append(arch)
        if len(calls) == 3:
            raise KeyboardInterrupt  # Ctrl-C while the third child is evaluated
        return 50.0

    monkeypatch.setattr(job, "child_accuracy", stopped_at_the_third)
    monkeypatch.setattr(job, "EXPORT_SECONDS", 0.0)  # the CSV follows the store after every child
    out = tmp_path / "children-zc.csv"
    with pytest.raises(KeyboardInterrupt):
        _evaluate(tiny, ARCHS, out)
    assert list(pd.read_csv(out).arch) == ARCHS[:2] and len(ResultStore(tmp_path / "store")) == 2
    _counting(monkeypatch, dict.fromkeys(ARCHS, 60.0))
    assert [r["arch"] for r in _evaluate(tiny, ARCHS, out)] == ARCHS[2:]  # only the missing two
    assert pd.read_csv(out).supernet_accuracy.tolist() == [50.0, 50.0, 60.0, 60.0]
