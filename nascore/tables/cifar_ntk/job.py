"""Compute and resume the real-CIFAR NTK table (its command: ``nascore bench cifar-ntk``,
:mod:`nascore.cli.cifar_ntk`): the jobs (the architecture sets: :mod:`.architectures`).

Every finished (architecture, dataset, group, batch) result is one record of a
:class:`nascore.tables.store.ResultStore` (atomic files; several processes may share one
store), so a killed run keeps what it finished and a rerun skips it. ``--shard i/n``
splits the architectures between processes sharing a GPU. Turning a store into the CSV
files of ``data/nb201-cifar-ntk/`` is :mod:`.export`.

    nascore bench cifar-ntk stats --dataset cifar10 --archs zc --store DIR --device cuda
    nascore bench cifar-ntk train --archs stratified:200 --store DIR --device cuda
    nascore bench cifar-ntk batch-study --archs sample:50 --batches 16 32 64 --store DIR
"""
from __future__ import annotations

import platform

from . import statistics as proto
from .results import open_store

#: The code a record depends on: the import closure of these modules (content-addressed,
#: :func:`nascore.fingerprint.result_key`); editing any file in it misses the store.
CODE = ("nascore.tables.cifar_ntk.statistics", "nascore.tables.cifar_ntk.after_epoch")
STUDY = "nb201-cifar-ntk"


# ----------------------------------------------------------------------------- jobs
def _key(kind, arch, dataset, **fields):
    from nascore.data import source_files
    from nascore.fingerprint import result_key

    files = source_files("cifar10") + (source_files("cifar100") if dataset == "cifar100" else [])
    return result_key(f"{STUDY}/{kind}", code=CODE, data_files=files,
                      params={"arch": arch, "dataset": dataset, **fields})


def environment(device) -> dict:
    """What a record keeps of the machine that computed it: device, its name, torch's
    version and whether cuDNN's TF32 was on."""
    import torch

    gpu = device != "cpu" and torch.cuda.is_available()
    name = torch.cuda.get_device_name() if gpu else platform.processor()
    return {"device": device, "device_name": name or platform.machine(), "torch": torch.__version__,
            "cudnn_tf32": bool(gpu and torch.backends.cudnn.allow_tf32)}


def full_precision() -> None:
    """Turn off TF32 on GPUs (cuDNN convolutions use it by default): a kernel's smallest
    eigenvalues are sensitive to it. The records of the first GPU run (before this
    switch, ``cudnn_tf32`` absent) had it on: HNAS's M and kappa recomputed on the CPU
    for 30 of them differ by a median 0.06 % and 0.5 % (Spearman 0.9996 and 0.999)."""
    import torch

    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False


def run_stats(store_dir, *, groups, dataset, archs, device="cpu", batches=None, seed=0, tenas_repeats=1,
              progress=True) -> int:
    """Compute the missing (arch, group) statistics into the store; returns how many were new."""
    store, batches, done = open_store(store_dir), dict(batches or {}), 0
    env = environment(device)
    for group in groups:  # group-major: cheap statistics complete for every arch first
        batch = batches.get(group) or proto.OFFICIAL_BATCH[group]
        fields = dict(group=group, batch=batch, seed=seed, repeats=tenas_repeats if group == "tenas" else 1)
        for i, arch in enumerate(archs):
            key = _key("stats", arch, dataset, **fields)
            if key in store:
                continue
            values = proto.group_stats(group, arch, dataset, batch=batch, seed=seed, device=device,
                                       tenas_repeats=tenas_repeats)
            store.put_checked(key, {"kind": "stats", "arch": arch, "dataset": dataset, **fields, **values, **env})
            done += 1
            if progress:
                print(f"[{group} {i + 1}/{len(archs)}] {dataset} b={batch} {values['seconds']:.2f}s {arch}", flush=True)
    return done


def run_train(store_dir, *, archs, device="cpu", seed=0, batch=None, limit=None, held_out=None,
              progress=True) -> int:
    """LGA / NASWOT / DAS after one epoch (:mod:`.after_epoch`) for the missing archs."""
    from . import after_epoch as tr

    store, done, env = open_store(store_dir), 0, environment(device)
    batch, held_out = batch or tr.TRAIN_BATCH, held_out or tr.HELD_OUT
    for i, arch in enumerate(archs):
        fields = dict(batch=batch, seed=seed, limit=limit, held_out=held_out)
        key = _key("train", arch, "cifar10", **fields)
        if key not in store:
            values = tr.trained_stats(arch, device=device, seed=seed, batch=batch, held_out=held_out, limit=limit)
            store.put_checked(key, {"kind": "train", "arch": arch, "dataset": "cifar10", **fields, **values, **env})
            done += 1
        if progress:
            print(f"[{i + 1}/{len(archs)}] trained {arch}", flush=True)
    return done
