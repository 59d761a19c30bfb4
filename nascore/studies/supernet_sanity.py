"""Sanity studies of the weight-sharing supernet too slow or too noisy to be tests
(issue 25, item 1; the cheap checks are ``tests/test_supernet_sanity.py``).

- :func:`calibration_study`: the accuracy of the same children of one trained supernet
  with BN statistics recalibrated on 256 and on 2,000 training images (BigNAS, Yu et
  al., ECCV 2020, Sec. 3.1, "Batch Norm Calibration"): how much the children's accuracy
  and their ranking against NAS-Bench-201's real accuracy move with the number of
  calibration images;
- :func:`epochs_study`: the test accuracy of the largest and smallest child of trained
  supernets that differ only in their number of epochs (each with its whole schedule).

``nascore bench supernet-sanity RUN_DIR... --children sample:60`` prints both as JSON
(the first run directory for the calibration study; :mod:`nascore.cli.supernet_sanity`).

Measured once (2026-12-02; full recipe, C = 8, N = 1, the 10,000 training images, seed 0,
2-core CPU shared with other jobs, one thread; 1,017 test images):

- epochs: the largest child 24.5 % after 1 epoch, 31.0 % after 4 (smallest 18.2 % ->
  27.9 %; teacher training loss 2.06 -> 1.77); 252 s and 228 s per epoch;
- calibration, 40 children of ``sample:40`` on the 4-epoch supernet: 256 against
  2,000 images moves a child's accuracy by 0.29 points on average (at most 0.59),
  Kendall tau between the two 0.96, tau with NAS-Bench-201 -0.225 (256) and -0.229
  (2,000); the 2,000 in class order (before the fix) moved them by 0.44 (at most 1.57),
  tau between 0.90. The number of calibration images does not explain the negative
  ranking.
"""
from __future__ import annotations

import time

import pandas as pd

from .. import bench, stats


def calibration_sets(sizes=(256, 2000), *, seed: int = 0, class_sorted: bool = False) -> dict:
    """Name -> calibration images, one set per size (the runs' seeded draw); with
    ``class_sorted`` also the largest in the stored class order, as recalibration used
    them before the fix (each batch of 256 then held one or two classes)."""
    from .. import inputs
    from ..supernet.inputs import calibration_images, training_images

    sets = {str(n): calibration_images(n, seed=seed) for n in sizes}
    if class_sorted:
        sets[f"{max(sizes)}_class_sorted"] = inputs.normalise(training_images(max(sizes), seed=10_000 + seed)[0],
                                                              "nb201", "cifar10")
    return sets


def calibration_study(net, archs, sets: dict | None = None, *, test_images: int | None = None) -> dict:
    """Children ``archs`` of ``net`` evaluated after recalibration on each calibration
    set (default :func:`calibration_sets`: 256 and 2,000 images).

    Returns ``{"frame": one row per child (accuracy per set, val_accuracy), "summary":
    per set the images and batches used, Kendall tau with NAS-Bench-201's accuracy and
    seconds per child; per other set against the first, the mean and largest absolute
    difference in accuracy (points), the mean difference and Kendall tau between them}``."""
    from ..supernet.evaluate import accuracy, recalibrate
    from ..supernet.inputs import test_images as test

    sets = calibration_sets() if sets is None else sets
    x_test, y_test = test(test_images)
    archs = list(dict.fromkeys(archs))
    frame = pd.DataFrame({"arch": archs})
    summary = {}
    for name, calibration in sets.items():
        values, start = [], time.perf_counter()
        for arch in archs:
            used = recalibrate(net, arch, calibration)
            values.append(accuracy(net, arch, x_test, y_test))
        frame[f"acc_{name}"] = values
        summary[name] = {**used, "seconds_per_child": (time.perf_counter() - start) / len(archs)}
    truth = bench.load("nb201", "cifar10")[["arch", "val_accuracy"]]
    frame = frame.merge(truth, on="arch", how="left")
    names = list(sets)
    for name in names:
        summary[name]["kendall_nb201"] = stats.kendall(frame[f"acc_{name}"], frame["val_accuracy"], n_boot=0).value
        summary[name]["mean_accuracy"] = float(frame[f"acc_{name}"].mean())
    a = frame[f"acc_{names[0]}"]
    for name in names[1:]:
        b = frame[f"acc_{name}"]
        summary[f"{name}_vs_{names[0]}"] = {
            "mean_abs": float((a - b).abs().mean()), "max_abs": float((a - b).abs().max()),
            "mean": float((b - a).mean()), "kendall_between": stats.kendall(a, b, n_boot=0).value}
    summary["children"], summary["test_images"] = len(frame), len(y_test)
    return {"frame": frame, "summary": summary}


def epochs_study(run_dirs, *, calibration: int = 256, test_images: int | None = None) -> pd.DataFrame:
    """The largest and smallest child's test accuracy for each trained run directory,
    with its epochs and final teacher loss."""
    from ..supernet import children as kids
    from ..supernet.evaluate import child_accuracy
    from ..supernet.inputs import calibration_images, test_images as test
    from ..supernet.trainer import load_supernet

    x_test, y_test = test(test_images)
    calib = calibration_images(calibration, seed=0)
    rows = []
    for run_dir in run_dirs:
        net, recipe, info = load_supernet(run_dir)
        rows.append({"run": str(run_dir), "variant": recipe.variant, "C": recipe.C, "N": recipe.N,
                     "epochs": info["epoch"], "train_seconds": info["seconds"],
                     "teacher_loss": info["log"][-1]["teacher_loss"],
                     "largest": child_accuracy(net, kids.largest(recipe.C, recipe.N), calib, x_test, y_test),
                     "smallest": child_accuracy(net, kids.smallest(recipe.C, recipe.N), calib, x_test, y_test)})
    return pd.DataFrame(rows)
