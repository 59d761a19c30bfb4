"""Pixel scaling of the shipped MNIST subset, checked against the CSV read by hand."""
import csv
import gzip

import numpy as np

from nascore import data
from nascore.paths import DATA_DIR


def first_row_of_class(label):
    with gzip.open(DATA_DIR / "mnist5k" / "mnist_5k.csv.gz", "rt") as handle:
        for row in csv.reader(handle):
            if int(row[-1]) == label:
                return [int(v) for v in row[:-1]]
    raise AssertionError(f"no row of class {label}")


def test_mnist5k_pixels_are_bytes_over_255():
    ds = data.load("mnist5k")
    # the train split takes each class's rows in file order, class 0 first, so the first
    # training image is the first row of class 0 in the CSV
    pixels = first_row_of_class(0)
    assert max(pixels) == 255
    k = next(v for v in pixels if 0 < v < 255)      # a grey pixel, e.g. 51
    where = pixels.index(k)
    image = ds.x_train[0].flatten().numpy()
    assert image[where] == np.float32(k / 255)
    assert image[pixels.index(255)] == 1.0
    np.testing.assert_array_equal(image, np.asarray(pixels, dtype=np.float32) / np.float32(255))
    assert float(ds.x_train.max()) == 1.0 and float(ds.x_train.min()) == 0.0
