"""The claims ledger: each paper claim a chapter checks, with our number and a verdict.

A notebook calls :func:`record`; each claim becomes one JSON file in the claims folder
(``NASCORE_CLAIMS`` or ``<cache>/claims``), and the ledger chapter reads them all with
:func:`load`. Nothing in the ledger is typed by hand.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from .paths import cache_dir

VERDICTS = ("reproduced", "partly", "not reproduced", "not attempted")
#: Where our value comes from: our own code on the paper's data, a precomputed table
#: (e.g. NASLib's scores), or stand-in data (MNIST instead of CIFAR, small networks).
SOURCES = ("our code, real data", "precomputed table", "stand-in data")


def claims_dir() -> Path:
    path = Path(os.environ.get("NASCORE_CLAIMS", cache_dir() / "claims"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def record(claim_id: str, *, paper: str, where: str, claim: str, paper_value: str,
           our_value: str, verdict: str, chapter: str = "", source: str = "") -> dict:
    """Write one claim (overwriting an earlier run's record of the same id).

    ``source`` says what our value rests on (one of :data:`SOURCES`; empty only for
    claims recorded before the field existed, shown as "unstated").
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", claim_id or ""):
        raise ValueError(f"claim id {claim_id!r} must be lower-case letters, digits, '.', '_' or '-'")
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}; allowed: {', '.join(VERDICTS)}")
    if source and source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; allowed: {', '.join(SOURCES)}")
    entry = {"id": claim_id, "paper": paper, "where": where, "claim": claim,
             "paper_value": str(paper_value), "our_value": str(our_value),
             "verdict": verdict, "chapter": chapter, "source": source or "unstated"}
    path = claims_dir() / f"{claim_id}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(entry, indent=1))
    os.replace(tmp, path)
    return entry


def load():
    """All recorded claims as a DataFrame sorted by paper and id."""
    import pandas as pd

    rows = [json.loads(p.read_text()) for p in sorted(claims_dir().glob("*.json"))]
    columns = ["id", "paper", "where", "claim", "paper_value", "our_value", "verdict", "chapter", "source"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["source"] = frame["source"].fillna("unstated")
    return frame.sort_values(["paper", "id"], ignore_index=True)


def verdict_for_interval(paper_value: float, low: float, high: float, *, tolerance: float = 0.05) -> str:
    """Verdict for a number with an interval against the paper's value.

    ``reproduced`` when the paper's value lies in ``[low - tolerance, high + tolerance]``;
    ``partly`` when it misses by at most twice that; ``not reproduced`` otherwise.
    """
    if not low <= high:
        raise ValueError(f"interval [{low}, {high}] is empty")
    miss = max(low - paper_value, paper_value - high, 0.0)
    if miss <= tolerance:
        return "reproduced"
    return "partly" if miss <= 2 * tolerance else "not reproduced"
