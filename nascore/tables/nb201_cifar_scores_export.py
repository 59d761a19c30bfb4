"""The export of a CIFAR score store (:mod:`nascore.tables.nb201_cifar_scores`): ``scores.csv``
and its provenance ``README.md`` (:mod:`nascore.tables.nb201_cifar_scores_readme`).

:func:`export` writes the table into :data:`TABLE_DIR`;
:func:`coverage` and :func:`table_status` say how much of it is scored. The command that
fills the store and calls the export is ``nascore bench cifar-scores``
(:mod:`nascore.cli.cifar_scores`).
"""
from __future__ import annotations

import pandas as pd

from ..bench.cifar_protocol import DATASETS, ScoringProtocol
from ..bench.cifar_scores import FULL_SPACE_METRICS, SAMPLE, ZC_METRICS, scored_head, select_archs, with_accuracy
from ..paths import DATA_DIR
from .export_files import write_table_files

#: Where the shipped table lives.
TABLE_DIR = DATA_DIR / "nb201-cifar-scores"
#: Beside ``scores.csv``: the protocol its rows were scored under (``ScoringProtocol.to_dict()``,
#: JSON), so that a later export merges only into a table of the same protocol.
PROTOCOL_FILE = "protocol.json"


def write_protocol(folder, protocol: ScoringProtocol):
    """Write ``folder/protocol.json`` (sorted keys); returns its path."""
    import json
    from pathlib import Path

    path = Path(folder) / PROTOCOL_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(protocol.to_dict(), indent=1, sort_keys=True) + "\n")
    return path


def coverage(frame: pd.DataFrame) -> dict:
    """Per dataset: architectures of NASLib's table scored (``zc_done``, ``grasp_done``), the
    scored head of the full space's order with the full-space set (``sample_done``) and with
    GraSP (``grasp_head``, scored apart with ``--metrics grasp``), and the rows."""
    out = {}
    for dataset in DATASETS:
        part = frame[frame.dataset == dataset]
        zc = part[part.in_zc] if "in_zc" in part else part.iloc[:0]
        scored = set(part.arch[part[list(FULL_SPACE_METRICS)].notna().any(axis=1)])
        out[dataset] = {"zc_done": int(zc[list(ZC_METRICS)].notna().any(axis=1).sum() if len(zc) else 0),
                        "grasp_done": int(zc.grasp.notna().sum()) if len(zc) else 0,
                        "sample_done": scored_head(scored),
                        "grasp_head": scored_head(set(part.arch[part.grasp.notna()])) if "grasp" in part else 0,
                        "rows": len(part)}
    return out


def table_status(cover: dict, zc_sizes: dict) -> str:
    """``complete`` (the zero-cost table on both datasets with every proxy, and all 15,625
    on CIFAR-10), ``sample`` (the same with :data:`~nascore.bench.cifar_scores.SAMPLE` in
    place of the full space)
    or ``provisional``."""
    zc_done = all(cover[d]["grasp_done"] >= zc_sizes[d] for d in DATASETS)
    if zc_done and cover["cifar10"]["rows"] >= 15625:
        return "complete"
    if zc_done and cover["cifar10"]["sample_done"] >= len(select_archs(SAMPLE)):
        return "sample"
    return "provisional"


def export(frame: pd.DataFrame, folder=TABLE_DIR, *, protocol: ScoringProtocol, command: str = "") -> list:
    """Write ``scores.csv`` (one row per architecture and dataset), ``protocol.json``
    (:func:`write_protocol`) and a provenance ``README.md``
    (:func:`nascore.tables.export_files.write_table_files`); returns the paths written."""
    from ..bench import load
    from ..provenance import snapshot

    table = with_accuracy(frame) if len(frame) else frame
    zc_sizes = {d: len(load("nb201-zc", dataset=d)) for d in DATASETS}
    cover = (coverage(table) if len(table) else
             {d: {"zc_done": 0, "grasp_done": 0, "sample_done": 0, "rows": 0} for d in DATASETS})
    status = table_status(cover, zc_sizes)
    info = snapshot()
    devices = ", ".join(sorted(set(table.device.astype(str)))) if len(table) else "none"
    torches = ", ".join(sorted(set(table.torch.astype(str)))) if len(table) else "none"
    seconds = table.groupby("dataset").seconds.median() if len(table) else pd.Series(dtype=float)
    cheap = table[~table.in_zc & (table.dataset == "cifar10") & (table.device == "cpu")] if len(table) else table
    cheap_seconds = float(cheap.seconds.median()) if len(cheap) else float("nan")
    from .nb201_cifar_scores_readme import readme

    lines = readme(protocol=protocol, command=command, info=info, status=status, cover=cover,
                   zc_sizes=zc_sizes, devices=devices, torches=torches, seconds=seconds, rows=len(table),
                   cheap_seconds=cheap_seconds)
    scores = table.drop(columns=["op_indices"], errors="ignore")
    protocol_path = write_protocol(folder, protocol)  # before the manifest, which lists it
    return [protocol_path, *write_table_files(folder, {"scores.csv": (scores, "%.9g")}, readme=lines)]
