"""The provenance record of the chapters (``generated/provenance.json``) and its page."""
from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path

from .. import provenance
from ..paths import BOOK_DIR
from .chapters import NotebookRun

def code_state() -> dict:
    """``{"git_commit": label, "git_tree": worktree id}`` of the checkout now (:mod:`.provenance`)."""
    return {"git_commit": provenance.commit_label(), "git_tree": provenance.worktree_id()}


def write_provenance(runs: list[NotebookRun], book_dir: Path = BOOK_DIR, state: dict | None = None) -> Path:
    """Merge ``runs`` into ``generated/provenance.json`` and render ``generated/provenance.md``.

    ``state`` is the code the runs used (:func:`code_state` taken before they started;
    now when omitted).
    """
    generated = book_dir / "generated"
    generated.mkdir(parents=True, exist_ok=True)
    path = generated / "provenance.json"
    record = json.loads(path.read_text()) if path.exists() else {"notebooks": {}}
    record.update({**(state or code_state()), "packages": provenance.package_versions(),
                   "machine": provenance.machine(),
                   "updated": time.strftime("%Y-%m-%d %H:%M:%S %Z")})
    for run in runs:
        record["notebooks"][run.name] = asdict(run) | {"git_commit": record["git_commit"],
                                                       "git_tree": record["git_tree"],
                                                       "finished": record["updated"]}
    path.write_text(json.dumps(record, indent=1, sort_keys=True))
    (generated / "provenance.md").write_text(_provenance_markdown(record))
    return path


def _provenance_markdown(record: dict) -> str:
    lines = ["# Provenance", "",
             "How every chapter of this book was produced: written by `nascore reproduce`, not by hand.", "",
             f"- Git commit: `{record['git_commit']}`", f"- Machine: {record['machine']}",
             f"- Last update: {record['updated']}", "",
             "| notebook | status | parameters | duration (s) | git commit | data read (SHA-256, first 12) |",
             "|---|---|---|---|---|---|"]
    for name, run in sorted(record["notebooks"].items()):
        params = ", ".join(f"`{k}={v!r}`" for k, v in run["parameters"].items())
        reads = "<br>".join(f"`{line.split(' ', 1)[1]}` {line[:12]}" for line in run["data_read"]) or "none"
        lines.append(f"| {name} | {run['status']} | {params} | {run['duration_s']:.1f} | "
                     f"`{run['git_commit'][:12]}` | {reads} |")
    lines += ["", "## Package versions", "", "| package | version |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in record["packages"].items()]
    return "\n".join(lines) + "\n"


