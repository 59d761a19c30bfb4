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
    with pytest.raises(ValueError, match=r"unknown dataset 'cifar10'.*digits, mnist5k"):
        data.load("cifar10")


def test_bad_batch_size():
    with pytest.raises(ValueError, match="n=0"):
        data.load("digits").batch(0)
