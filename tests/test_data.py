import pytest
import torch

from nascore import data


def test_digits_split_is_fixed_and_stratified():
    ds = data.load("digits")
    assert ds.image_shape == (1, 8, 8) and ds.num_classes == 10
    assert len(ds.y_train) + len(ds.y_test) == 1797
    assert float(ds.x_train.max()) == 1.0 and float(ds.x_train.min()) == 0.0
    counts = torch.bincount(ds.y_test)
    assert int(counts.min()) >= 35 and int(counts.max()) <= 37  # 20 % of ~180 per class


def test_mnist5k_is_real_mnist_with_400_100_split():
    ds = data.load("mnist5k")
    assert ds.image_shape == (1, 28, 28)
    assert torch.bincount(ds.y_train).tolist() == [400] * 10
    assert torch.bincount(ds.y_test).tolist() == [100] * 10
    # MNIST digits are mostly background: about 19 % of pixels are ink.
    assert 0.1 < float((ds.x_train > 0.5).float().mean()) < 0.25


def test_flat_unit_norm_and_balanced_batch():
    ds = data.load("digits")
    x = ds.flat("train", unit_norm=True)
    assert torch.allclose(x.norm(dim=1), torch.ones(len(x)), atol=1e-6)
    xb, yb = ds.batch(20, seed=1, per_class=True)
    assert torch.bincount(yb).tolist() == [2] * 10
    assert torch.equal(ds.batch(20, seed=1, per_class=True)[0], xb)


def test_unknown_dataset_lists_known_names():
    with pytest.raises(ValueError, match=r"unknown dataset 'cifar'.*digits, mnist5k, cifar10, cifar100"):
        data.load("cifar")


@pytest.mark.parametrize("split", ["val", "TEST", ""])
def test_unknown_split_is_refused_not_mapped_to_test(split):
    with pytest.raises(ValueError, match=f"unknown split {split!r}"):
        data.load("digits").batch(10, split=split)


def test_bad_batch_size():
    with pytest.raises(ValueError, match="n=0"):
        data.load("digits").batch(0)


@pytest.fixture(scope="module")
def cifar10():
    return data.load("cifar10")


def test_cifar10_shapes_and_label_counts(cifar10):
    assert cifar10.x_train.shape == (10_000, 3, 32, 32) and cifar10.x_test.shape == (1017, 3, 32, 32)
    assert cifar10.x_train.dtype == torch.float32 and cifar10.num_classes == 10
    assert torch.bincount(cifar10.y_train).tolist() == [1000] * 10
    # class counts of the first 1,017 official test images (data/cifar/README.md)
    assert torch.bincount(cifar10.y_test).tolist() == [105, 93, 100, 104, 92, 87, 114, 102, 110, 110]
    assert 0.0 <= float(cifar10.x_train.min()) and float(cifar10.x_train.max()) <= 1.0


def test_cifar10_first_test_image_is_a_cat_with_the_stored_bytes(cifar10):
    import numpy as np

    from nascore.paths import DATA_DIR

    assert int(cifar10.y_test[0]) == 3 and cifar10.classes[3] == "cat"
    raw = np.load(DATA_DIR / "cifar" / "cifar10_test_first1017.npz")["x"]  # uint8 NHWC
    assert torch.equal(cifar10.x_test * 255, torch.from_numpy(raw).permute(0, 3, 1, 2).float())
    # labels 0..9 of the first ten official test images: cat ship ship airplane frog frog automobile frog cat automobile
    assert cifar10.y_test[:10].tolist() == [3, 8, 8, 0, 6, 6, 1, 6, 3, 1]


def test_cifar10_train_jpegs_are_ordered_by_class(cifar10):
    assert cifar10.y_train[:1000].eq(0).all() and cifar10.y_train[-1000:].eq(9).all()
    # a decoded JPEG is a natural image, not a blank: pixel std well above zero
    assert float(cifar10.x_train[:100].std()) > 0.15


def test_cifar100_has_only_a_test_split():
    ds = data.load("cifar100")
    assert ds.x_test.shape == (916, 3, 32, 32) and ds.num_classes == 100
    assert len(torch.unique(ds.y_test)) == 100
    assert ds.x_train is None
    with pytest.raises(ValueError, match="'cifar100' has no training split.*split='test'"):
        ds.batch(10)
    x, y = ds.batch(10, split="test", seed=3)
    assert x.shape == (10, 3, 32, 32)
