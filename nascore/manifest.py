"""Every shipped data file is checked against its folder's manifest before use.

Each folder under ``data/`` holds ``manifest.json``: for every file of the folder (but the
README and the manifest itself) its size in bytes and SHA-256. The export that writes a
table rewrites its folder's manifest (:func:`write_manifest`); every loader checks a file
on first use in a process (:func:`verify`, called by :func:`note_read`),
so a changed byte, a truncated file or swapped labels stop the run with one line naming
the file, both hashes and how to restore it, instead of reaching the book as a number.

A check is cached by (path, size, modification time): a file is hashed once per process
unless it changes.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from .paths import DATA_DIR, REPO_ROOT, sha256

MANIFEST = "manifest.json"
#: Files of a data folder that are not listed: the manifest itself and the prose.
UNLISTED = frozenset({MANIFEST, "README.md"})

_verified: dict = {}


class DataIntegrityError(Exception):
    """A shipped data file differs from its manifest (or has none). Not a ``ValueError``:
    the command line gives it its own exit status (3), apart from misuse (2)."""


def listed_files(folder: Path) -> list[Path]:
    """The files a manifest of ``folder`` covers: every file below it, README and manifest
    excepted, in sorted order."""
    return sorted(p for p in Path(folder).rglob("*")
                  if p.is_file() and p.name not in UNLISTED and "__pycache__" not in p.parts)


def write_manifest(folder: Path | str) -> Path:
    """Write ``folder/manifest.json`` (relative path -> bytes and SHA-256) and return its path."""
    folder = Path(folder)
    entries = {p.relative_to(folder).as_posix(): {"bytes": p.stat().st_size, "sha256": sha256(p)}
               for p in listed_files(folder)}
    path = folder / MANIFEST
    path.write_text(json.dumps({"files": entries}, indent=1, sort_keys=True) + "\n")
    return path


def _restore_hint(path: Path) -> str:
    try:
        shown = path.relative_to(REPO_ROOT)
    except ValueError:
        return f"restore the file from the project's data folder (`git checkout -- data/{path.parent.name}/{path.name}`)"
    return f"restore it with `git checkout -- {shown}`"


def _manifest_of(path: Path) -> tuple[Path, dict]:
    """The nearest ``manifest.json`` above ``path`` (inside the data folder) and its entries."""
    root = Path(DATA_DIR).resolve()
    for folder in path.parents:
        candidate = folder / MANIFEST
        if candidate.is_file():
            try:
                return folder, json.loads(candidate.read_text())["files"]
            except (ValueError, KeyError, TypeError) as error:
                raise DataIntegrityError(f"{candidate} is damaged ({error}); "
                                         f"{_restore_hint(candidate)}") from None
        if folder == root or folder == folder.parent:
            break
    raise DataIntegrityError(f"{path} has no manifest.json in its data folder: it cannot be verified "
                             "(a table's export writes one; nascore.manifest.write_manifest(folder) by hand)")


def verify(path: Path | str) -> Path:
    """Check ``path`` against its folder's manifest; returns the path.

    ``DataIntegrityError`` (one line: the file, the expected and the found size / SHA-256,
    how to restore it) if the file is not listed, was truncated or changed.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise DataIntegrityError(f"{path} is missing; {_restore_hint(path)}")
    stat = path.stat()
    stamp = (stat.st_size, stat.st_mtime_ns)
    if _verified.get(path) == stamp:
        return path
    folder, entries = _manifest_of(path)
    name = path.relative_to(folder).as_posix()
    entry = entries.get(name)
    if entry is None:
        raise DataIntegrityError(f"{path} is not listed in {folder / MANIFEST}: an unexpected file "
                                 "(a table's export rewrites the manifest)")
    if stat.st_size != entry["bytes"]:
        raise DataIntegrityError(f"{path} has {stat.st_size} bytes, its manifest says {entry['bytes']} "
                                 f"(SHA-256 {entry['sha256']}): truncated or replaced; {_restore_hint(path)}")
    digest = sha256(path)
    if digest != entry["sha256"]:
        raise DataIntegrityError(f"{path} has SHA-256 {digest}, its manifest says {entry['sha256']}: "
                                 f"the file was changed; {_restore_hint(path)}")
    _verified[path] = stamp
    return path


def note_read(path: Path | str) -> None:
    """Verify a data file and record that it was read (for the provenance of ``nascore
    reproduce``). Call it before reading the file.

    A file under the shipped data folder is first checked against its folder's manifest
    (:func:`verify`: ``DataIntegrityError`` if it was changed). When ``NASCORE_READS``
    names a file, ``<sha256> <path>`` is appended to it. Notebook kernels inherit the
    variable from ``nascore reproduce``.
    """
    path = Path(path).resolve()
    if path.is_relative_to(Path(DATA_DIR).resolve()):
        verify(path)
    log = os.environ.get("NASCORE_READS")
    if not log:
        return
    try:
        shown = path.relative_to(REPO_ROOT)
    except ValueError:
        shown = path
    with open(log, "a") as handle:
        handle.write(f"{sha256(path)} {shown}\n")


def check_folder(folder: Path | str) -> list[str]:
    """Problems of one data folder against its manifest (empty when it matches): files
    missing, changed, or not listed. Used by the tests over every folder of ``data/``."""
    folder = Path(folder)
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return [f"{folder}: no {MANIFEST}"]
    entries = json.loads(manifest.read_text())["files"]
    present = {p.relative_to(folder).as_posix() for p in listed_files(folder)}
    problems = [f"{folder / name}: listed but missing" for name in sorted(set(entries) - present)]
    problems += [f"{folder / name}: not listed" for name in sorted(present - set(entries))]
    for name in sorted(present & set(entries)):
        try:
            verify(folder / name)
        except DataIntegrityError as error:
            problems.append(str(error))
    return problems


#: The sentence every data folder's README carries (the exports write it too).
README_NOTE = ("`manifest.json` lists the size and SHA-256 of every file here; the loaders check a file "
               "against it before use (`nascore.manifest`), and the export that writes this folder rewrites it.")
