"""The claims ledger: each paper claim a chapter checks, with our number and a verdict.

A chapter calls :func:`record` for each claim it checks; the ledger chapter collects
them with :func:`load`. Nothing in the ledger is typed by hand.

Storage: one JSON file per chapter in the claims folder (``NASCORE_CLAIMS``, else
``<cache>/claims``), ``<chapter>.json``::

    {"chapter": "10_nb201_table", "run_started": "2025-01-31 09:12:03 UTC",
     "session": "<hex>", "claims": [{"id": ..., "paper": ..., ...}, ...]}

The file belongs to one run of the chapter. The first :func:`record` of a run (a new
Python process: another ``session``) replaces the file as a whole, later ones in the same
run add to it; so a claim the chapter no longer records is gone the next time the
chapter runs. Under ``nascore reproduce`` a chapter writes its claims to a run-private
folder (``NASCORE_CLAIMS_RUN``) from which they replace the chapter's file only when the
chapter finished; a chapter that stops recording claims leaves none behind. A run that
failed, was interrupted or killed keeps the chapter's last complete claims, marked with
``"last_attempt": "failed at <time>"`` (:func:`mark_attempt`), shown by the ledger and the
front page. ``reproduce`` tells the kernel the notebook's name (``NASCORE_NOTEBOOK``, the
file's name) and the run's start (``NASCORE_RUN_STARTED``, shown in the ledger). Outside
``reproduce`` the file is named after ``chapter`` and stamped with the time of its first
claim.
"""
from __future__ import annotations

import json
import os
import re
import time
import uuid
from pathlib import Path

from .paths import cache_folder

VERDICTS = ("reproduced", "partly", "not reproduced", "not attempted")
#: Where our value comes from: our own code on the paper's data, a precomputed table
#: (e.g. NASLib's scores), stand-in data (MNIST instead of CIFAR, small networks), or a
#: theory check (a mathematical statement, an identity or a bound, checked numerically:
#: it holds for any inputs, so the inputs are not a stand-in for anything).
SOURCES = ("our code, real data", "precomputed table", "stand-in data", "theory check")
#: Sources on which a claim about the papers' experiments is a study, never a verdict.
STUDY_SOURCES = ("stand-in data",)
#: Shown for claims recorded without ``source``.
UNSTATED = "unstated"
#: Text fields of a claim, each a non-empty string.
FIELDS = ("id", "paper", "where", "claim", "paper_value", "our_value", "verdict", "chapter", "source")
#: Columns of :func:`load`: the fields, the run that recorded the claim and the chapter's
#: later run that did not finish, if any (``"failed at <time>"``, else ``""``).
COLUMNS = FIELDS + ("run_started", "last_attempt")

_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")
#: One id per Python process: a kernel running a chapter is one run of it.
_SESSION = uuid.uuid4().hex


def claims_dir() -> Path:
    path = Path(os.environ.get("NASCORE_CLAIMS", cache_folder("claims")))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _record_dir() -> Path:
    """Where :func:`record` writes: the run-private folder of ``nascore reproduce``
    (``NASCORE_CLAIMS_RUN``), else :func:`claims_dir`."""
    private = os.environ.get("NASCORE_CLAIMS_RUN")
    if not private:
        return claims_dir()
    Path(private).mkdir(parents=True, exist_ok=True)
    return Path(private)


def chapter_file(chapter: str, folder: Path | None = None) -> Path:
    """The claims file of ``chapter`` (a notebook name such as ``10_nb201_table``)."""
    if not re.fullmatch(r"[\w][\w.-]*", chapter or "", flags=re.ASCII):
        raise ValueError(f"chapter {chapter!r} must be letters, digits, '.', '_' or '-'")
    return (folder if folder is not None else claims_dir()) / f"{chapter}.json"


def _file_key(chapter: str) -> str:
    """The file a claim of ``chapter`` goes to: the running notebook's, which must be that chapter."""
    notebook = os.environ.get("NASCORE_NOTEBOOK")
    if not notebook:
        return chapter
    if chapter not in (notebook, notebook.split("_", 1)[-1]):
        raise ValueError(f"claim of chapter {chapter!r} recorded by notebook {notebook!r}: "
                         f"chapter= must be {notebook.split('_', 1)[-1]!r} (or {notebook!r})")
    return notebook


def record(claim_id: str, *, paper: str, where: str, claim: str, paper_value: str,
           our_value: str, verdict: str, chapter: str, source: str = "") -> dict:
    """Record one claim of ``chapter`` for this run (an earlier record of the same id
    in this run is replaced).

    ``chapter`` is the notebook that checks the claim, with or without its numeric prefix
    (``"nb201_table"``). ``source`` says what our value rests on (one of :data:`SOURCES`;
    empty only for claims recorded before the field existed, shown as "unstated").

    On stand-in data (:data:`STUDY_SOURCES`) a check is a study, never a verdict: the
    verdict is recorded as "not attempted" and the study's own reading is kept in
    ``our_value`` ("... (a study on stand-in data; on its own terms: partly)").
    """
    if not _NAME.fullmatch(claim_id or ""):
        raise ValueError(f"claim id {claim_id!r} must be lower-case letters, digits, '.', '_' or '-'")
    if not _NAME.fullmatch(chapter or ""):
        raise ValueError(f"claim {claim_id!r}: chapter {chapter!r} must be a notebook name "
                         "(lower-case letters, digits, '.', '_' or '-')")
    if verdict not in VERDICTS:
        raise ValueError(f"claim {claim_id!r} of chapter {chapter!r}: unknown verdict {verdict!r}; "
                         f"allowed: {', '.join(VERDICTS)}")
    if source and source not in SOURCES:
        raise ValueError(f"claim {claim_id!r} of chapter {chapter!r}: unknown source {source!r}; "
                         f"allowed: {', '.join(SOURCES)}")
    if source in STUDY_SOURCES and verdict != "not attempted":
        our_value = f"{our_value} (a study on {source}; on its own terms: {verdict})"
        verdict = "not attempted"
    entry = {"id": claim_id, "paper": paper, "where": where, "claim": claim,
             "paper_value": str(paper_value), "our_value": str(our_value),
             "verdict": verdict, "chapter": chapter, "source": source or UNSTATED}
    empty = [k for k, v in entry.items() if not isinstance(v, str) or not v.strip()]
    if empty:
        raise ValueError(f"claim {claim_id!r} of chapter {chapter!r}: empty or non-text {', '.join(empty)}")
    path = chapter_file(_file_key(chapter), _record_dir())
    try:
        current = _read(path, path.stem) if path.exists() else None
    except ValueError:  # an earlier run's damaged file: this run replaces it
        current = None
    if current is None or current.get("session") != _SESSION:
        started = os.environ.get("NASCORE_RUN_STARTED") or time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
        current = {"chapter": path.stem, "run_started": started, "session": _SESSION, "claims": []}
    current["claims"] = [c for c in current["claims"] if c.get("id") != claim_id] + [entry]
    _replace(path, current)
    return entry


def _replace(path: Path, content: dict) -> None:
    """Write ``path`` whole or not at all (a reader never sees half a file)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(content, indent=1))
    os.replace(tmp, path)


def mark_attempt(chapter: str, mark: str, folder: Path | None = None) -> bool:
    """Mark the claims of ``chapter`` (a notebook name) as those of its last complete run:
    ``mark`` says what became of a later one (``"failed at 2025-01-31 09:12:03 UTC"``).
    The claims themselves are kept. Returns False when the chapter has no claims file."""
    path = chapter_file(chapter, folder)
    if not path.exists():
        return False
    content = _read(path, chapter)
    _replace(path, content | {"last_attempt": mark})
    return True


def _read(path: Path, chapter: str) -> dict:
    """One chapter's claims file, checked; a bad file is a ValueError naming the chapter."""
    where = f"claims of chapter {chapter!r} ({path})"
    try:
        content = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{where}: unreadable ({exc})") from exc
    if not isinstance(content, dict) or not isinstance(content.get("claims"), list) \
            or not isinstance(content.get("run_started"), str):
        raise ValueError(f"{where}: expected an object with 'run_started' and a 'claims' list")
    if not isinstance(content.get("last_attempt", ""), str):
        raise ValueError(f"{where}: 'last_attempt' must be text, got {content['last_attempt']!r}")
    for n, entry in enumerate(content["claims"]):
        name = entry.get("id") if isinstance(entry, dict) else None
        label = f"{where}, claim {name!r}" if name else f"{where}, claim #{n}"
        if not isinstance(entry, dict):
            raise ValueError(f"{label}: expected an object, got {type(entry).__name__}")
        bad = [k for k in FIELDS if not isinstance(entry.get(k), str) or not entry[k].strip()]
        if bad:
            raise ValueError(f"{label}: missing or empty {', '.join(bad)}")
        if entry["verdict"] not in VERDICTS:
            raise ValueError(f"{label}: unknown verdict {entry['verdict']!r}; allowed: {', '.join(VERDICTS)}")
        if entry["source"] not in SOURCES + (UNSTATED,):
            raise ValueError(f"{label}: unknown source {entry['source']!r}; allowed: {', '.join(SOURCES)}")
    return content


def load(chapters=None, folder: Path | None = None):
    """The claims recorded by ``chapters`` (notebook names; all files in the folder when
    None) as a DataFrame with :data:`COLUMNS`, sorted by paper and id.

    A chapter without a file recorded no claims. A malformed file or claim, or one id
    recorded by two chapters, is a ``ValueError`` naming the chapter.
    """
    import pandas as pd

    folder = folder if folder is not None else claims_dir()
    if chapters is None:
        paths = sorted(p for p in folder.glob("*.json"))
    else:
        paths = [chapter_file(c, folder) for c in chapters]
    rows, owner = [], {}
    for path in paths:
        if not path.exists():
            continue
        content = _read(path, path.stem)
        for entry in content["claims"]:
            if entry["id"] in owner:
                raise ValueError(f"claim {entry['id']!r} recorded by chapters {owner[entry['id']]!r} "
                                 f"and {path.stem!r}")
            owner[entry["id"]] = path.stem
            rows.append({k: entry[k] for k in FIELDS} | {"run_started": content["run_started"],
                                                          "last_attempt": content.get("last_attempt", "")})
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.sort_values(["paper", "id"], ignore_index=True)


def verdict_counts(ledger):
    """Verdicts per source: one row per source present (in :data:`SOURCES` order, then
    "unstated"), one column per verdict (all of :data:`VERDICTS`), plus a "total" row and
    column."""
    import pandas as pd

    order = [s for s in SOURCES + (UNSTATED,) if s in set(ledger["source"])]
    table = pd.DataFrame(0, index=order, columns=list(VERDICTS))
    for (source, verdict), n in ledger.groupby(["source", "verdict"]).size().items():
        table.loc[source, verdict] = int(n)
    table.loc["total"] = table.sum(axis=0)
    table["total"] = table.sum(axis=1)
    table.index.name = "source"
    return table


def count_values(ledger) -> dict:
    """The counts the ledger chapter glues, ``{name: int}``, always the same names:
    ``claims_total``, ``claims_<verdict>`` for each verdict and
    ``claims_<source>_<verdict>`` / ``claims_<source>_total`` for each source of
    :data:`SOURCES` and "unstated" (zero when absent), in lower-case words joined by '_'
    (``claims_not_reproduced``, ``claims_stand_in_data_partly``)."""
    table = verdict_counts(ledger)
    values = {"claims_total": int(len(ledger))}
    for source in ("",) + SOURCES + (UNSTATED,):
        row = "total" if not source else source
        for verdict in VERDICTS + ("total",):
            if source or verdict != "total":
                count = int(table.loc[row, verdict]) if row in table.index else 0
                values[_count_name(verdict, source)] = count
    return values


def _count_name(verdict: str, source: str) -> str:
    words = f"{source} {verdict}" if source else verdict
    return "claims_" + "_".join(re.findall(r"[a-z0-9]+", words.lower()))


def chapter_runs(ledger):
    """One row per chapter of the ledger: the run that recorded its claims and how many;
    with a column "last attempt" when a chapter's later run did not finish."""
    runs = ledger.groupby(["chapter", "run_started", "last_attempt"]).size().rename("claims").reset_index()
    runs = runs.rename(columns={"run_started": "run started", "last_attempt": "last attempt"})
    if not runs["last attempt"].astype(bool).any():
        runs = runs.drop(columns="last attempt")
    return runs


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


#: The fewest architectures a verdict may rest on; fewer make a study ("not attempted").
MIN_POPULATION = 100


def verdict_on_population(verdict: str, n: int, *, minimum: int = MIN_POPULATION) -> str:
    """``verdict`` if it rests on at least ``minimum`` architectures, else "not attempted":
    a handful of cells is a study, never a verdict.

    >>> verdict_on_population("reproduced", 100), verdict_on_population("not reproduced", 23)
    ('reproduced', 'not attempted')
    """
    if verdict not in VERDICTS:
        raise ValueError(f"unknown verdict {verdict!r}; allowed: {', '.join(VERDICTS)}")
    return verdict if int(n) >= minimum else "not attempted"
