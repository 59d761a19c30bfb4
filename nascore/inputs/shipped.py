"""The one access to the shipped CIFAR images as tensors, decoded once per process.

Every CIFAR consumer (the score tables, the NTK tables, the after-one-epoch training,
the supernet) reads its images here; :mod:`nascore.cifar` reads and checks the files.

Splits: ``"train"`` (CIFAR-10's 10,000 shipped training JPEGs), ``"test"`` (the lossless
test images: CIFAR-10's first 1,017, CIFAR-100's first 916) and ``"lossless-train"``
(training images with their original bytes: CIFAR-10's 5,438, CIFAR-100's first 1,117).
CIFAR-100 ships no JPEG training split, so the scoring protocols draw its batches from
its test images: :data:`BATCH_SPLIT` names the split each dataset's batches come from.
"""
from __future__ import annotations

import functools

import torch

DATASETS = ("cifar10", "cifar100")
SPLITS = ("train", "test", "lossless-train")
NUM_CLASSES = {"cifar10": 10, "cifar100": 100}
#: The split training-free scores draw their batches from (CIFAR-100 ships no JPEG
#: training images; both shipped score tables and both NTK tables use this rule).
BATCH_SPLIT = {"cifar10": "train", "cifar100": "test"}


def check_dataset(dataset: str) -> str:
    """``dataset`` if it is one of :data:`DATASETS`, else ``ValueError`` (ImageNet16-120 named as not shipped)."""
    if dataset not in DATASETS:
        if isinstance(dataset, str) and dataset.lower().startswith("imagenet16"):
            raise ValueError(f"{dataset}: not attempted (no ImageNet16-120 images ship with nascore); "
                             f"allowed: {', '.join(DATASETS)}")
        raise ValueError(f"unknown dataset {dataset!r}; allowed: {', '.join(DATASETS)}")
    return dataset


@functools.lru_cache(maxsize=None)
def _shipped(dataset: str):
    from .. import data

    return data.load(dataset)   # decodes the 10,000 JPEGs: seconds, once per process


@functools.lru_cache(maxsize=None)
def _lossless_train(dataset: str):
    from .. import cifar

    return cifar.lossless_train_tensors(dataset)


def images(dataset: str, split: str) -> tuple[torch.Tensor, torch.Tensor]:
    """``(x, y)``: the images of ``split`` (:data:`SPLITS`) as float32 (N, 3, 32, 32) in
    [0, 1] (pixel / 255, not normalised) and int64 labels (CIFAR-100: fine labels).

    The tensors are shared by every caller in the process: index them, never write to them.
    """
    check_dataset(dataset)
    if split == "lossless-train":
        return _lossless_train(dataset)
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; allowed: {', '.join(SPLITS)}")
    return _shipped(dataset).split(split)


def batch_images(dataset: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The images scoring batches are drawn from: ``images(dataset, BATCH_SPLIT[dataset])``."""
    return images(dataset, BATCH_SPLIT[check_dataset(dataset)])
