"""The README written next to ``data/nb201-cifar-scores/scores.csv`` (protocol, provenance, licence;
the writer, :mod:`nascore.tables.export_files`, appends the integrity note)."""
from __future__ import annotations

import math

from ..bench.cifar_scores import FULL_SPACE_METRICS, ZC_METRICS
from .export_files import command_line


def readme(*, protocol, command, info, status, cover, zc_sizes, devices, torches, seconds, rows,
           cheap_seconds=float("nan")) -> list[str]:
    """The README's lines above its integrity note; every number comes from the exported table or the run.

    ``status``: ``complete``, ``sample`` or ``provisional``
    (:func:`nascore.tables.nb201_cifar_scores_export.table_status`); ``cheap_seconds``: median
    seconds per architecture of the full-space set on a CPU, for the projection."""
    hours = 15625 * cheap_seconds / 2 / 3600
    texts = {
        "complete": "Complete: every architecture of NASLib's zero-cost table on both datasets with all "
                    "proxies, and all 15,625 architectures on CIFAR-10 with the full-space set.",
        "sample": "Complete for NASLib's zero-cost table (both datasets, every proxy) and for a uniform "
                  "sample of 3,000 of the 15,625 architectures on CIFAR-10 with the full-space set "
                  "(`--archs sample:3000`: the first 3,000 of the full space's fixed random order, so "
                  "`--archs full` extends it). The full space itself was not run"
                  + (f": at the measured {cheap_seconds:.2f} s per architecture (median, one CPU thread) "
                     f"it needs about {hours:.1f} hours of two CPU cores"
                     if math.isfinite(cheap_seconds) else "") + ".",
        "provisional": "**PROVISIONAL.** This table does not yet hold the full computation (the 725 "
                       "architectures of NASLib's zero-cost table on both datasets and all 15,625 on "
                       "CIFAR-10, or a uniform sample of 3,000 of them); it is a small development table. "
                       "Numbers drawn from it are indicative only until the full run lands (same command, "
                       "`--archs zc` and `--archs sample:3000` or `--archs full`, see below)."}
    if status not in texts:
        raise ValueError(f"unknown table status {status!r}; allowed: {', '.join(texts)}")
    status = texts[status]
    from ..analysis.cifar_population import MIN_UNIFORM

    names = {d: d.upper().replace("CIFAR", "CIFAR-") for d in cover}
    for dataset, c in cover.items():  # uniform samples beyond the status text's CIFAR-10 one
        head = c.get("sample_done", 0)
        if dataset != "cifar10" and head:
            status += (f" On {names[dataset]}, a uniform sample of {head} with the full-space set (`--archs "
                       f"sample:{head} --dataset {dataset}`: the first {head} of the same order).")
    grasp_heads = {}  # head length -> the datasets with that GraSP head, named once per length
    for dataset, c in cover.items():
        if c.get("grasp_head", 0) >= MIN_UNIFORM:
            grasp_heads.setdefault(c["grasp_head"], []).append(names[dataset])
    for head, datasets in grasp_heads.items():
        status += (f" GraSP, which the full-space set leaves out, on the first {head} of the order "
                   f"on {' and '.join(datasets)} (`--archs sample:K --metrics grasp`).")
    p = protocol.to_dict()
    model = p.get("model", "nb201")
    flag = " --model nb201" if model == "nb201" else ""  # the protocol's default is zero-cost-nas
    lines = [
        "# Our training-free scores of NAS-Bench-201 architectures on real CIFAR batches", "",
        status, "",
        "Produced by `nascore.tables.nb201_cifar_scores` (command line: `nascore bench cifar-scores --help`); "
        "load with `nascore.bench.load(\"nb201-cifar-scores\", dataset=\"cifar10\")` (or `\"cifar100\"`). "
        "ImageNet16-120: not attempted (no ImageNet16-120 images ship with nascore).", "",
        "## Coverage", "",
        "| dataset | rows | of NASLib's zero-cost table: scored | ... with GraSP | table size "
        "| uniform sample: scored head of the full space's order (`sample:K`) |",
        "|---|---|---|---|---|---|",
        *[f"| {d} | {cover[d]['rows']} | {cover[d]['zc_done']} | {cover[d]['grasp_done']} | {zc_sizes[d]} "
          f"| {cover[d].get('sample_done', 0)} |" for d in cover], "",
        "## Columns", "",
        "`arch` (NAS-Bench-201 string), `dataset`, `val_accuracy` (NAS-Bench-201's validation accuracy "
        "after 200 epochs, percent, from the shipped NASLib tables), `in_zc` (whether NASLib's zero-cost "
        "table has the architecture), one column per metric of `nascore.metrics` (registry name; empty "
        "where not computed or where the metric failed, e.g. `-inf` NASWOT of a cell cut off by `none` "
        "edges), `seconds` (wall time of the whole job: batch, network, every metric), `seconds_shared` (the shared forward and backward passes), `seconds_grasp`, `seconds_synflow`, `seconds_flops`, `seconds_params` (the other steps of `nascore.metrics.score_many`), `device`, `torch`.",
        "",
        f"- zero-cost set (NASLib's table architectures): {', '.join(ZC_METRICS)}",
        f"- full-space set (other architectures): {', '.join(FULL_SPACE_METRICS)}",
        "- units and directions as in the registry: `params` and `flops` in millions; `synflow` is the raw "
        "sum (NASLib stores its logarithm); `fisher` counts each channel once per weight (the official "
        "convention); `naswot` hooks every module whose class name contains ReLU (BayesWatch's rule). "
        "All are higher-is-better.", "",
        "## Protocol", "",
        "Zero-cost-nas's (Abdelfattah et al., ICLR 2021, SamsungLabs/zero-cost-nas `nasbench2_pred.py`, "
        "`foresight/`), with file/line citations in `nascore/bench/cifar_protocol.py`; its fields, "
        "machine-readable, in `protocol.json` (an export with `--out` merges only into a table of the "
        "same protocol):", "",
        f"- network: full-size NAS-Bench-201 (C={p['C']}, N={p['N']} cells per stage, 10 or 100 classes) "
        + ("on zero-cost-nas's model (cell convolutions with a bias, non-affine cell BN; `--model "
           "zero-cost-nas`, the protocol's default)" if model == "zero-cost-nas" else
           "on NAS-Bench-201's own model (bias-free convolutions, affine BN; `--model nb201`), not on "
           "zero-cost-nas's (cell convolutions with a bias, non-affine cell BN; the protocol's default): "
           "of these proxies only `fisher` and `synflow` can tell the two apart")
        + "; PyTorch's default initialisation, weights from a seed derived from (seed, architecture); every "
        "proxy of one architecture sees the same weights (the official code scores copies of one network)",
        f"- batch: {p['batch_size']} images, drawn without replacement afresh for every architecture "
        f"({p['batch']}) from a seed derived from (seed={p['seed']}, architecture, dataset); "
        "CIFAR-10 from the 10,000 shipped training images (JPEG re-encoded by their source), CIFAR-100 "
        "from the 916 shipped test images (no CIFAR-100 training images ship)",
        "- augmentation: " + ("random crop 32 with zero padding 4, then a horizontal flip with probability 1/2"
                              if p["augment"] else "none"),
        f"- normalisation: {p['normalisation']} constants (`nascore.bench.cifar_protocol.NORMALISATIONS`)",
        "- BatchNorm in train mode (batch statistics), except SynFlow (BatchNorm removed, float64, |θ|, one "
        "all-ones input); loss: mean cross-entropy; GPU runs without TF32",
        "- work shared per architecture by `nascore.metrics.score_many`: one forward pass, one backward of "
        "the loss (grad_norm, snip, fisher, grasp's gradient) and one of the summed outputs (jacov); values "
        "equal `nascore.metrics.score` on the same network and batch",
        "- differences from NASLib's table (`data/nasbench201-zc`): NASLib used batch 32, its own "
        "normalisation constants, a new batch and a new initialisation for every proxy, seed 9000, and "
        "the first 70 % of the 50,000 training images", "",
        "## Regenerate or complete", "",
        "Each command is resumable (rerun it after a kill or a time limit) and the store keeps every "
        "finished architecture; `--out` merges everything in the store into this folder's table (rows the "
        "store lacks are kept; `--replace` writes the store alone). The CIFAR-100 uniform sample (2026-12-03) "
        "was scored into a fresh store and merged so:", "",
        "```", f"nascore bench cifar-scores --archs zc --dataset cifar10 cifar100 --jobs 2{flag} "
        "--out data/nb201-cifar-scores",
        f"nascore bench cifar-scores --archs sample:3000 --dataset cifar10 --jobs 2{flag} --out data/nb201-cifar-scores",
        f"nascore bench cifar-scores --archs full --dataset cifar10 --jobs 2{flag} --out data/nb201-cifar-scores",
        f"nascore bench cifar-scores --archs sample:500 --dataset cifar100 --metrics full-space --jobs 2{flag} "
        "--out data/nb201-cifar-scores",
        f"nascore bench cifar-scores --archs sample:200 --dataset cifar10 cifar100 --metrics grasp --jobs 2{flag} "
        "--out data/nb201-cifar-scores", "```", "",
        "On a GPU add `--device cuda --jobs 16` (several worker processes share the GPU); `--until` / "
        "`--max-minutes` stop handing out jobs at a deadline. `--archs full` runs in a fixed random order, "
        "so a partial run is a uniform sample.", "",
        "## Provenance", "",
        command_line(command),
        f"- commit: {info['commit']}", f"- exported: {info['date']} on {info['machine']}",
        f"- exporting versions: {info['versions']}",
        f"- scored on: {devices}; torch {torches}",
        "- median seconds per architecture (whole job): " + (
            ", ".join(f"{d} {s:.2f} s" for d, s in seconds.items()) if len(seconds) else "none"),
        f"- rows: {rows}", "",
        "## Licence", "",
        "Produced by this project: released under the project's MIT licence (`LICENSE` at the repository "
        "root). The scores were computed on CIFAR-10/100 images (`data/cifar/`; no formal licence, cite "
        "Krizhevsky, *Learning Multiple Layers of Features from Tiny Images*, 2009); the accuracies "
        "come from NAS-Bench-201 (Dong & Yang, ICLR 2020) via NASLib's tables (`data/nasbench201-full`, "
        "`data/nasbench201-zc`, Apache-2.0). Cite them with this table.", "",
    ]
    return lines
