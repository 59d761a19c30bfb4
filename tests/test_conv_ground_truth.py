"""The convolutional ground truth: space, data, a tiny resumable fill, and the shipped table."""
import numpy as np
import pytest
import torch

from nascore import bench
from nascore.bench.agreement import mean_over_seeds
from nascore.tables import nb201_mnist5k as cg
from nascore.bench import zc_naswot
from nascore.tables.store import ResultStore
from nascore.training.probes import PROBE_COLUMNS
from nascore.training import Protocol


pytestmark = pytest.mark.usefixtures("one_thread")


def test_space_validates_and_orders_architectures_reproducibly():
    space = cg.ConvSpace()
    first = space.architectures(5)
    assert first == space.architectures(10)[:5]  # a larger n extends a smaller one
    assert len(set(space.architectures(50))) == 50
    with pytest.raises(ValueError, match="resolution"):
        cg.ConvSpace(resolution=7)
    with pytest.raises(ValueError, match="C"):
        cg.ConvSpace(C=0)


def test_downsample_crops_then_pools():
    images = torch.zeros(1, 1, 28, 28)
    images[..., 2:26, 2:26] = 1.0           # the crop is all ones, the border zeros
    out = cg.downsample(images, 8)
    assert out.shape == (1, 1, 8, 8) and torch.all(out == 1.0)
    with pytest.raises(ValueError, match="28x28"):
        cg.downsample(torch.zeros(1, 1, 8, 8), 4)


def test_fill_trains_probes_and_resumes(tmp_path):
    space = cg.ConvSpace(C=2, resolution=4, train_size=100, probe_size=20)
    protocol = Protocol(epochs=1, checkpoints=(1,), batch_size=50, inputs="image")
    store = ResultStore(tmp_path)
    archs = space.architectures(2)
    from nascore.tables.executors import LocalExecutor

    executor = LocalExecutor(1, progress=False)
    frame = cg.fill(store, executor, archs, [0], space=space, protocol=protocol, log=lambda *_: None)
    assert len(frame) == 2 and set(frame.arch) == set(archs)
    for name in PROBE_COLUMNS:
        assert f"{name}_e0" in frame.columns and f"{name}_e1" in frame.columns
    assert (frame.kernel_distance_e0 == 0).all()
    np.testing.assert_allclose(frame.naswot_e0, frame.das_units_e0 + frame.das_distinguishing_e0)
    messages = []
    again = cg.fill(store, executor, archs, [0], space=space, protocol=protocol, log=messages.append)
    assert messages[0].startswith("2 of 2 results already stored; 0 to train")
    assert again.equals(frame)
    # an architecture with a missing seed is left out of a "complete" collection
    assert cg.collect(store, archs, [0, 1], space=space, protocol=protocol).empty
    paths = cg.export(frame, tmp_path / "table", space=space, protocol=protocol, wall_seconds=1.0,
                   notes=["a note"])
    readme = next(p for p in paths if p.name == "README.md").read_text()
    assert protocol.digest() in readme and "- a note" in readme and "C=2" in readme


def test_shipped_table_has_the_promised_shape():
    frame = bench.load_conv()
    assert frame.arch.nunique() >= 100 and sorted(frame.seed.unique()) == [0, 1]
    for epoch in (1, 2, 5):
        assert frame[f"acc_e{epoch}"].between(0, 1).all()
    assert (frame.kernel_distance_e0 == 0).all()
    quick = bench.load_conv(quick=True, n=20)
    assert quick.arch.nunique() == 20 and len(quick) == 40
    means = mean_over_seeds(quick)
    assert len(means) == 20 and (means.seeds == 2).all()
    one = quick[quick.arch == means.arch[0]]
    assert means.acc_final[0] == pytest.approx(one.acc_final.mean())


def test_shipped_zero_cost_naswot_table_decouples():
    frame = zc_naswot.load_zc_naswot()
    assert len(frame) >= 100 and frame.arch.is_unique
    np.testing.assert_allclose(frame.naswot, frame.das_units + frame.das_distinguishing, rtol=1e-6)


def test_the_chapters_regenerate_path_trains_into_the_store_and_reads_it_back(tmp_path, monkeypatch):
    # The DAS and LGA chapters' --regenerate mode, cut to one architecture and one seed.
    monkeypatch.setattr(cg, "TABLE_ARCHS", 1)
    monkeypatch.setattr(cg, "TABLE_SEEDS", (0,))
    frame = bench.conv_table(regenerate=True, store=tmp_path, log=lambda *_: None)
    assert frame.arch.tolist() == cg.ConvSpace().architectures(1) and frame.seed.tolist() == [0]
    again = bench.conv_table(regenerate=True, store=tmp_path, log=lambda *_: None)  # stored: nothing retrained
    assert again.equals(frame)
