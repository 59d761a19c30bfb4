"""The one CIFAR input pipeline (nascore.inputs) draws exactly what every shipped table was computed with.

The digests pinned here were computed with the copies the pipeline replaced (the crop
and flip of ``supernet/augment.py``, ``bench/cifar_protocol.py`` and
``studies/cifar_ntk.py`` (now ``tables/cifar_ntk/statistics.py``), their normalisations,
seeds and batches) before they were removed: a changed digest means a shipped table would
no longer be reproduced.
"""
from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from nascore import inputs
from nascore.inputs.normalisation import constants

ARCH = "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|"


def digest(t: torch.Tensor) -> str:
    return hashlib.sha256(t.contiguous().numpy().tobytes()).hexdigest()[:16]


def windows(out, x, padding):
    """(row offset, column offset, flipped) of each output image, found by brute force."""
    padded = F.pad(x, (padding,) * 4)
    h, w = x.shape[-2:]
    found = []
    for k in range(len(x)):
        for r in range(2 * padding + 1):
            for c in range(2 * padding + 1):
                window = padded[k, :, r:r + h, c:c + w]
                for flip in (0, 1):
                    if torch.equal(out[k], window.flip(-1) if flip else window):
                        found.append((r, c, flip))
    return found


# ----------------------------------------------------------------------------- augment
X4 = torch.arange(48.0).view(3, 1, 4, 4)   # three distinct 4x4 images, padding 1: nine windows each


@pytest.mark.parametrize("generator, order, expected", [
    # the supernet's draw (data/nb201-supernet): torch randint (2, n) = rows 2,0,2 then cols 0,1,0
    (lambda: torch.Generator().manual_seed(0), "rows-then-cols", [(2, 0, 1), (0, 1, 0), (2, 0, 1)]),
    # the score tables' draw (data/nb201-cifar-scores): (row, col) of each image in turn
    (lambda: np.random.default_rng(0), "per-image", [(2, 1, 1), (1, 0, 0), (0, 0, 0)]),
    # the NTK tables' draw (data/nb201-cifar-ntk): the three rows, then the three columns
    (lambda: np.random.default_rng(0), "rows-then-cols", [(2, 0, 1), (1, 0, 0), (1, 0, 0)]),
])
def test_each_draw_order_cuts_the_windows_its_shipped_table_was_computed_with(generator, order, expected):
    out = inputs.augment(X4, generator(), order=order, padding=1)
    assert windows(out, X4, 1) == expected


def test_a_one_pixel_shift_is_visible_in_a_4x4_image():
    x = torch.arange(16.0).view(1, 1, 4, 4)
    out = inputs.augment(x, torch.Generator().manual_seed(0), order="rows-then-cols", padding=1)
    # window (2, 0) of the padded image: x moved up one row (a zero row enters at the bottom)
    # and right one column ([0, 4, 5, 6] on top), then mirrored left-right
    expected = torch.tensor([[6, 5, 4, 0], [10, 9, 8, 0], [14, 13, 12, 0], [0, 0, 0, 0]], dtype=torch.float32)
    assert torch.equal(out[0, 0], expected)


X = torch.rand(5, 3, 32, 32, generator=torch.Generator().manual_seed(1))


@pytest.mark.parametrize("generator, order, padding, expected", [
    (lambda: torch.Generator().manual_seed(0), "rows-then-cols", 4, "db1a94b59b4e8923"),  # supernet
    (lambda: torch.Generator().manual_seed(3), "rows-then-cols", 2, "d49ac1a2e3a996a3"),  # supernet
    (lambda: np.random.default_rng(0), "per-image", 4, "949c554b02ea70e3"),               # score tables
    (lambda: np.random.default_rng(0), "rows-then-cols", 4, "379810123fb0aaf5"),          # NTK tables
])
def test_augment_equals_the_draw_each_shipped_table_was_computed_with(generator, order, padding, expected):
    assert digest(inputs.augment(X, generator(), order=order, padding=padding)) == expected


def test_augment_rejects_bad_orders_generators_and_shapes():
    with pytest.raises(ValueError, match="unknown draw order 'cols-first'"):
        inputs.augment(X, np.random.default_rng(0), order="cols-first")
    with pytest.raises(ValueError, match="torch.Generator draws in the order 'rows-then-cols' only"):
        inputs.augment(X, torch.Generator(), order="per-image")
    with pytest.raises(ValueError, match="generator must be"):
        inputs.augment(X, 0, order="per-image")
    with pytest.raises(ValueError, match="padding must be"):
        inputs.augment(X, np.random.default_rng(0), order="per-image", padding=-1)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        inputs.augment(X[0], np.random.default_rng(0), order="per-image")


# ----------------------------------------------------------------------------- normalise
def test_normalise_maps_the_mean_to_zero_and_mean_plus_std_to_one():
    for convention in inputs.CONVENTIONS:
        for dataset in inputs.DATASETS:
            mean, std = constants(convention, dataset)
            x = torch.tensor([mean, [m + s for m, s in zip(mean, std)]]).view(2, 3, 1, 1)
            z = inputs.normalise(x, convention, dataset)
            assert torch.allclose(z[0], torch.zeros(3, 1, 1), atol=1e-6)
            assert torch.allclose(z[1], torch.ones(3, 1, 1), atol=1e-6)


def test_nb201_normalisation_matches_the_pixel_formula():
    x = torch.zeros(1, 3, 2, 2)
    x[0, :, 0, 0] = torch.tensor([125.3, 123.0, 113.9]) / 255  # exactly the CIFAR-10 mean
    x[0, 0, 1, 1] = 1.0                                          # a white pixel: (255 - 125.3) / 63
    z = inputs.normalise(x, "nb201", "cifar10")
    assert torch.allclose(z[0, :, 0, 0], torch.zeros(3), atol=1e-6)
    assert abs(float(z[0, 0, 1, 1]) - (255 - 125.3) / 63.0) < 1e-5
    with pytest.raises(ValueError, match="unknown dataset 'imagenet'"):
        inputs.normalise(x, "nb201", "imagenet")


def test_nb201_constants_are_the_official_0_255_values():
    mean, std = constants("nb201", "cifar10")
    assert mean[0] == 125.3 / 255 and std[2] == 66.7 / 255


@pytest.mark.parametrize("convention, dataset, expected", [
    ("zero-cost-nas", "cifar10", "1f1ae29fa574bb37"), ("zero-cost-nas", "cifar100", "1f1ae29fa574bb37"),
    ("naslib", "cifar10", "5901d2cab344ac12"), ("naslib", "cifar100", "3effc5e663f3c16a"),
    # NB201 as the NTK (TE-NAS, Zhu) and supernet tables normalise: 0-255 constants divided in float32
    ("nb201", "cifar10", "0677cbd6a169bb26"), ("nb201", "cifar100", "f30b9d3bba81cff9"),
])
def test_normalise_equals_what_the_shipped_tables_were_computed_with(convention, dataset, expected):
    assert digest(inputs.normalise(X, convention, dataset)) == expected


def test_normalise_rejects_unknown_conventions_datasets_and_shapes():
    with pytest.raises(ValueError, match="unknown normalisation 'imagenet'"):
        inputs.normalise(X, "imagenet", "cifar10")
    with pytest.raises(ValueError, match="ImageNet16-120: not attempted"):
        inputs.normalise(X, "nb201", "ImageNet16-120")
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\)"):
        inputs.normalise(X[:, :1], "nb201", "cifar10")


# ----------------------------------------------------------------------------- seeds
def test_crc32_seed_is_crc32_of_the_name_plus_a_million_and_three_times_the_seed():
    assert inputs.seed_for("", 0, rule="crc32") == 0                    # crc32 of no bytes is 0
    assert inputs.seed_for("", 1, rule="crc32") == 1_000_003
    assert inputs.seed_for("", 2_200, rule="crc32") == 2_200 * 1_000_003 % 2 ** 31   # wraps at 2**31
    assert [inputs.seed_for(ARCH, s, rule="crc32") for s in (0, 3)] == [894833333, 897833342]


def test_sha256_seed_is_the_first_15_hex_digits_of_the_joined_parts():
    assert inputs.seed_for("a", 1, rule="sha256") == int(hashlib.sha256(b"a|1").hexdigest()[:15], 16)
    assert inputs.seed_for("batch", 42, ARCH, "cifar10", rule="sha256") == 288588021499058344
    assert inputs.seed_for("weights", 42, ARCH, rule="sha256") == 1141279946319208886
    assert inputs.seed_for("a", 1, rule="sha256") < 16 ** 15


def test_seed_for_rejects_unknown_rules_and_crc32_without_arch_and_seed():
    with pytest.raises(ValueError, match="unknown seed rule 'md5'"):
        inputs.seed_for("a", rule="md5")
    with pytest.raises(ValueError, match=r"rule 'crc32' takes the parts \(arch: str, seed: int\)"):
        inputs.seed_for("a", 1, "cifar10", rule="crc32")


# ----------------------------------------------------------------------------- protocols and batches
def test_every_convention_has_a_protocol_record():
    assert set(inputs.PROTOCOLS) == {"zero-cost-nas", "naslib", "nb201", "hnas", "tenas", "zhu", "lga", "lga-train"}
    assert inputs.PROTOCOLS["tenas"].batch_size == 72 and inputs.PROTOCOLS["tenas"].normalisation == "nb201"
    assert inputs.PROTOCOLS["lga"].batch == "fixed"
    assert all(p.source and p.tables for p in inputs.PROTOCOLS.values())


def test_protocol_rejects_bad_fields():
    base = inputs.PROTOCOLS["hnas"]
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        base.replace(batch_size=0)
    with pytest.raises(ValueError, match="unknown batch rule 'once'"):
        base.replace(batch="once")
    with pytest.raises(ValueError, match="unknown image source 'jpeg'"):
        base.replace(split="jpeg")
    with pytest.raises(ValueError, match="unknown augmentation order"):
        base.replace(augment="flip")
    with pytest.raises(ValueError, match="training protocol"):
        inputs.draw_batch(inputs.PROTOCOLS["nb201"], "cifar10", ARCH, seed=0)


def test_batch_seed_fixed_and_per_architecture():
    lga, hnas, zc = inputs.PROTOCOLS["lga"], inputs.PROTOCOLS["hnas"], inputs.PROTOCOLS["zero-cost-nas"]
    assert inputs.batch_seed(lga, "cifar10", ARCH, 7) == 7                     # LGA: the seed itself
    assert inputs.batch_seed(hnas, "cifar10", ARCH, 3) == 897833342            # crc32(arch) + 1,000,003 * 3
    assert inputs.batch_seed(zc, "cifar10", ARCH, 42) == 288588021499058344
    assert inputs.batch_seed(zc.replace(batch="fixed"), "cifar10", ARCH, 42) == \
        inputs.seed_for("batch", 42, "cifar10", rule="sha256")


@pytest.mark.parametrize("name, changes, dataset, seed, expected", [
    # data/nb201-cifar-scores (ScoringProtocol's default: zero-cost-nas, seed 42)
    ("zero-cost-nas", {}, "cifar10", 42, ("eef9a2e0098a1259", "e9c9e62781839b2b")),
    ("zero-cost-nas", {}, "cifar100", 42, ("c1116e96f5274860", "e5735e0a1d204cbb")),
    ("zero-cost-nas", {"batch": "fixed", "augment": None, "normalisation": "naslib", "batch_size": 16},
     "cifar10", 42, ("3038d91c87ee9668", "142c4ac194934a1b")),
    # data/nb201-cifar-scores-lossless
    ("zero-cost-nas", {"split": "lossless-train", "batch_size": 32}, "cifar100", 42,
     ("081c86e9d59e739d", "63206ab57b9b170d")),
    # data/nb201-cifar-ntk, each group at its official batch (seed 0) and at 20 images (seed 1)
    ("hnas", {}, "cifar10", 0, ("fc50bfc17608a260", "51bd91687419b3be")),
    ("hnas", {"batch_size": 20}, "cifar100", 1, ("272d120192ac9848", "98c53aeb5926ffb2")),
    ("tenas", {}, "cifar10", 0, ("f4e9624120afbac5", "3a69153704933bc6")),
    ("zhu", {}, "cifar100", 0, ("eec89cd9a29c3d4f", "f56d05221ca56b65")),
    ("lga", {}, "cifar10", 0, ("a15108efd82cbf38", "306c42bf0765a3b7")),
    ("lga", {"batch_size": 20}, "cifar10", 1, ("40bbb2f0150fe0ec", "53769a859c47c69b")),
])
def test_draw_batch_equals_the_batch_each_shipped_table_was_computed_with(name, changes, dataset, seed, expected):
    x, y = inputs.draw_batch(inputs.PROTOCOLS[name].replace(**changes), dataset, ARCH, seed=seed)
    assert (digest(x), digest(y)) == expected


def test_draw_batch_rejects_a_batch_larger_than_the_images():
    with pytest.raises(ValueError, match="batch_size 917 exceeds the 916 cifar100 images"):
        inputs.draw_batch(inputs.PROTOCOLS["hnas"].replace(batch_size=917), "cifar100", ARCH, seed=0)


# ----------------------------------------------------------------------------- images
def test_images_are_the_shipped_splits_and_batches_come_from_training_images_where_shipped():
    x, y = inputs.images("cifar10", "test")
    assert x.shape == (1017, 3, 32, 32) and x.dtype == torch.float32 and 0 <= float(x.min()) <= float(x.max()) <= 1
    assert inputs.batch_images("cifar100")[0] is inputs.images("cifar100", "test")[0]   # decoded once
    assert len(inputs.batch_images("cifar10")[1]) == 10_000
    assert len(inputs.images("cifar100", "lossless-train")[1]) == 1_117
    with pytest.raises(ValueError, match="unknown split 'val'"):
        inputs.images("cifar10", "val")
    with pytest.raises(ValueError, match="'cifar100' has no training split"):
        inputs.images("cifar100", "train")


# ----------------------------------------------------------------------------- one copy
def test_the_normalisation_constants_are_written_once_in_the_package():
    import ast
    from pathlib import Path

    import nascore

    marks = {0.4914, 0.2023, 0.49139968, 0.5071, 125.3, 129.3}   # the means and stds of each convention
    holders = set()
    for path in Path(nascore.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text())
        if any(isinstance(node, ast.Constant) and type(node.value) is float and node.value in marks
               for node in ast.walk(tree)):
            holders.add(path.relative_to(Path(nascore.__file__).parent).as_posix())
    assert holders == {"inputs/normalisation.py"}
