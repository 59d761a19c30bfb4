"""The job of the table ``nb201-ntk`` (:mod:`nascore.tables.nb201_ntk`): its batch and kernel,
its resume through the results store, a failed kernel, and the export against the shipped file."""
import math
import re

import pandas as pd
import pytest
import torch

from nascore import metrics, ntk
from nascore.bench import nb201_ntk as table
from nascore.spaces import nb201
from nascore.tables import nb201_ntk as job
from nascore.tables.executors import LocalExecutor

ARCH = "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|"
#: A tiny variant: 8x8 digits (no resizing), a one-cell-per-stage network of width 4.
TINY = table.Variant("tiny", images="digits", batch=10, size=8, C=4, N=1)


def quiet(*_):
    pass


def tiny_net():
    net = nb201.Network(ARCH, C=4, N=1, seed=0)
    for module in net.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.requires_grad_(False)
    return net


def test_batch_is_class_balanced_rgb_and_standardised():
    x, y = job.ntk_batch("mnist32")
    assert x.shape == (10, 3, 32, 32) and x.dtype == torch.float32
    assert sorted(y.tolist()) == list(range(10))
    assert torch.equal(x[:, 0], x[:, 2])                 # one grey channel repeated
    assert abs(float(x.mean())) < 0.3 and 0.7 < float(x.std()) < 1.3


def test_row_matches_the_metric_registry_and_the_slow_loop():
    x, y = job.ntk_batch(TINY)
    row = job.ntk_row(ARCH, x, y, C=4, N=1)
    # Same convention through the public metric (BN frozen: HNAS counts conv/linear weights only).
    assert row["ntk_trace"] == pytest.approx(metrics.score("ntk_trace", tiny_net(), x, y, per_sample="exact"), rel=1e-6)
    # Independent route: the per-row backward loop (TE-NAS style), trace and condition number.
    theta = ntk.empirical_ntk_loop(tiny_net(), x, output="target", targets=y)
    assert row["ntk_trace"] == pytest.approx(math.sqrt(float(theta.trace()) / 10), rel=1e-5)
    eig = torch.linalg.eigvalsh(theta)
    assert row["ntk_condition"] == pytest.approx(float(eig[-1] / eig[0]), rel=1e-4)
    assert row["params"] == sum(p.numel() for p in tiny_net().parameters() if p.requires_grad)


def test_a_resumed_fill_computes_only_the_missing_kernels(tmp_path, monkeypatch):
    calls = []

    def counted(unit):
        calls.append(unit.arch)
        return real(unit)

    real, archs = job.compute, table.arch_order()[:3]
    monkeypatch.setattr(job, "compute", counted)
    store = job.open_store(tmp_path)
    first = job.fill(store, LocalExecutor(1, progress=False), archs[:2], variant=TINY, log=quiet)
    assert calls == archs[:2]
    second = job.fill(store, LocalExecutor(1, progress=False), archs, variant=TINY, log=quiet)
    assert calls == archs                                   # one new kernel, none repeated
    assert second.arch.tolist() == archs and (second.init_seed == 0).all()
    pd.testing.assert_frame_equal(second.iloc[:2], first)   # the stored two, as they were


def fake_record(arch, trace=2.0, condition=4.0):
    return {"arch": arch, "ntk_trace": trace, "ntk_condition": condition, "lambda_min": 1.0,
            "lambda_max": 4.0, "params": 7, "seconds": 0.5}


def test_a_nan_trace_is_a_failed_kernel_and_a_nan_condition_an_empty_cell(tmp_path, monkeypatch):
    archs = table.arch_order()[:3]
    records = {archs[0]: fake_record(archs[0]), archs[1]: fake_record(archs[1], trace=math.nan),
               archs[2]: fake_record(archs[2], condition=math.nan)}
    monkeypatch.setattr(job, "compute", lambda unit: records[unit.arch])
    store, logged = job.open_store(tmp_path / "store"), []
    frame = job.fill(store, LocalExecutor(1, progress=False), archs, variant=TINY, log=logged.append)
    assert frame.arch.tolist() == [archs[0], archs[2]]      # the failed kernel is no row
    assert store.status(job.key_of(TINY, archs[1])) == "failed"
    assert "value 'ntk_trace' is not finite (nan)" in logged[-1]
    path = job.write_csv(frame, tmp_path / "tiny.csv")
    assert path.read_bytes().decode().split("\r\n")[1:3] == [f"{archs[0]},2.0,4.0,1.0,4.0,7,0.5",
                                                               f"{archs[2]},2.0,,1.0,4.0,7,0.5"]


def test_an_export_of_the_shipped_rows_is_the_shipped_file_byte_for_byte(tmp_path):
    variant = table.VARIANTS["digits32"]
    shipped = variant.path.read_bytes().split(b"\r\n")
    store = job.open_store(tmp_path / "store")
    for line in shipped[1:5]:
        arch, *values = line.decode().split(",")
        record = dict(zip(job.VALUES, map(float, values)), arch=arch)
        store.put_checked(job.key_of(variant, arch), record | {"params": int(record["params"])})
    paths = job.export(store, "digits32", tmp_path / "out")
    assert [p.name for p in paths] == ["ntk_digits32.csv", "README.md", "manifest.json"]
    assert paths[0].read_bytes() == b"\r\n".join(shipped[:5]) + b"\r\n"
    assert "- architectures: 4, in the fixed random order" in paths[1].read_text()


def test_bad_input_is_refused_naming_the_bad_value(tmp_path):
    store = job.open_store(tmp_path)
    with pytest.raises(ValueError, match=re.escape("unknown NTK variant 'cifar'; allowed: digits32, mnist32")):
        job.fill(store, LocalExecutor(1, progress=False), variant="cifar", log=quiet)
    with pytest.raises(ValueError, match=re.escape("bad NAS-Bench-201 architecture string '|bad|'")):
        job.fill(store, LocalExecutor(1, progress=False), ["|bad|"], variant=TINY, log=quiet)
    with pytest.raises(ValueError, match="a kernel's variant must be a Variant record, not 'tiny'"):
        job.Kernel("tiny", ARCH)
    with pytest.raises(ValueError, match="a weight seed must be a non-negative integer, got -1"):
        job.fill(store, LocalExecutor(1, progress=False), [ARCH], [-1], variant=TINY, log=quiet)
    with pytest.raises(ValueError, match="holds no kernel of variant 'digits32': nothing to export"):
        job.export(store, "digits32", tmp_path / "out")


def test_a_kernels_key_follows_its_settings_but_not_the_variants_name():
    from dataclasses import replace

    key = job.key_of(TINY, ARCH)
    assert key == job.key_of(replace(TINY, name="other", limit=3), ARCH)
    assert key != job.key_of(replace(TINY, init_seed=1), ARCH)
    assert key != job.key_of(replace(TINY, batch=20), ARCH)
    assert key != job.key_of(TINY, table.arch_order()[0])


def test_the_command_resumes_from_its_store_and_exports_the_table(tmp_path, capsys, monkeypatch):
    # digits32 cut to its first 20 architectures, all stored with their shipped values: the
    # command computes no kernel and writes the shipped file's first 20 rows, byte for byte.
    from nascore.cli import main

    variant = table.VARIANTS["digits32"]
    shipped = table.load_nb201_ntk("digits32").reset_index().head(20)
    monkeypatch.setattr(job, "variant_archs", lambda v: shipped.arch.tolist())
    store = job.open_store(tmp_path / "store")
    for record in shipped.to_dict("records"):
        store.put_checked(job.key_of(variant, record["arch"]), record | {"params": int(record["params"])})
    assert main(["bench", "nb201-ntk", "digits32", "--store", str(tmp_path / "store"),
                 "--out", str(tmp_path / "out")]) == 0
    assert "20 of 20 kernels already stored; 0 to compute" in capsys.readouterr().err
    lines = variant.path.read_bytes().split(b"\r\n")
    assert (tmp_path / "out" / "ntk_digits32.csv").read_bytes() == b"\r\n".join(lines[:21] + [b""])
