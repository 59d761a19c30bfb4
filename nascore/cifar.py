"""Real CIFAR-10 / CIFAR-100 images shipped in ``data/cifar/`` (no download, ever).

The files are subsets recovered from public repositories (``data/cifar/README.md``
gives sources, checks and the licence note). Every file's SHA-256 is verified before
use and recorded for provenance.

- CIFAR-10 train: the 10,000 JPEGs ``train/<class>/NNNN.jpg`` (1,000 per class),
  decoded with Pillow, ordered by class (label order) then file name. The source
  re-encoded them as JPEG, so pixels differ from the originals by about 5.8/255 on
  average: use them to train, not to compare pixels.
- CIFAR-10 test: the first 1,017 official test images, original bytes.
- CIFAR-100 test: the first 916 official test images, original bytes, fine labels.

The images as tensors, shared within a process, their augmentation and each convention's
normalisation are :mod:`nascore.inputs`'.
"""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import torch

from .paths import DATA_DIR
from .manifest import note_read

CIFAR_DIR = DATA_DIR / "cifar"


def _checked(filename: str):
    path = CIFAR_DIR / filename
    note_read(path)  # checked against data/cifar/manifest.json
    return path


def _to_tensor(images_nhwc: np.ndarray) -> torch.Tensor:
    """uint8 (N, H, W, 3) -> float32 (N, 3, H, W) in [0, 1] (pixel / 255)."""
    return torch.from_numpy(np.ascontiguousarray(images_nhwc.transpose(0, 3, 1, 2))).float().div_(255.0)


def class_names() -> dict:
    """``{"cifar10": [...10], "cifar100_fine": [...100], "cifar100_coarse": [...20]}``."""
    path = CIFAR_DIR / "class_names.json"
    note_read(path)
    return json.loads(path.read_text())


def jpeg_train_images() -> tuple[np.ndarray, np.ndarray]:
    """The 10,000 CIFAR-10 training JPEGs decoded: uint8 (N, 32, 32, 3) and labels."""
    from PIL import Image

    names = class_names()["cifar10"]
    label_of = {name: k for k, name in enumerate(names)}
    with zipfile.ZipFile(_checked("cifar10_train_10k_jpeg.zip")) as archive:
        members = [m for m in archive.namelist() if m.endswith(".jpg")]
        members.sort(key=lambda m: (label_of[m.split("/")[1]], m))
        images = np.empty((len(members), 32, 32, 3), dtype=np.uint8)
        for i, member in enumerate(members):
            with Image.open(io.BytesIO(archive.read(member))) as img:
                images[i] = np.asarray(img.convert("RGB"))
    labels = np.array([label_of[m.split("/")[1]] for m in members], dtype=np.int64)
    return images, labels


def lossless_test_images(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The lossless test images of ``name`` ('cifar10' or 'cifar100'): uint8 NHWC and labels."""
    if name == "cifar10":
        with np.load(_checked("cifar10_test_first1017.npz")) as f:
            return f["x"], f["y"].astype(np.int64)
    if name == "cifar100":
        with np.load(_checked("cifar100_test_first916.npz")) as f:
            return f["x"], f["fine"].astype(np.int64)
    raise ValueError(f"unknown CIFAR dataset {name!r}; allowed: 'cifar10', 'cifar100'")


#: The shipped training images with their original bytes (a cut-off copy of the official
#: pickles; ``data/cifar/README.md``): CIFAR-10's 5,438, CIFAR-100's first 1,117.
LOSSLESS_TRAIN = {"cifar10": "cifar10_train_lossless_5438.npz", "cifar100": "cifar100_train_first1117.npz"}


def lossless_train_images(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Training images with their original bytes: uint8 (N, 32, 32, 3) and labels (CIFAR-100: fine)."""
    if name not in LOSSLESS_TRAIN:
        raise ValueError(f"unknown CIFAR name {name!r}; allowed: {', '.join(LOSSLESS_TRAIN)}")
    with np.load(_checked(LOSSLESS_TRAIN[name]), allow_pickle=False) as archive:
        return archive["x"], archive["y" if name == "cifar10" else "fine"].astype(np.int64)


def lossless_train_tensors(name: str) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`lossless_train_images` as float [0, 1] (N, 3, 32, 32) and int64 labels."""
    x, y = lossless_train_images(name)
    return _to_tensor(x), torch.from_numpy(y)


def tensors(name: str) -> dict:
    """Tensors of ``name``: ``x_train``/``y_train`` (``None`` for cifar100, which has no
    training split here), ``x_test``/``y_test``, ``classes`` and ``source``."""
    x_test, y_test = lossless_test_images(name)
    out = {"x_test": _to_tensor(x_test), "y_test": torch.from_numpy(y_test), "x_train": None, "y_train": None}
    if name == "cifar10":
        x_train, y_train = jpeg_train_images()
        out.update(x_train=_to_tensor(x_train), y_train=torch.from_numpy(y_train),
                   classes=tuple(class_names()["cifar10"]),
                   source="CIFAR-10 (Krizhevsky 2009), shipped subset: 10,000 train JPEGs, 1,017 lossless test")
    else:
        out.update(classes=tuple(class_names()["cifar100_fine"]),
                   source="CIFAR-100 (Krizhevsky 2009), first 916 lossless test images; no training split")
    return out

