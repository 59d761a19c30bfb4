"""The one writer of a computed table's files in its data folder: CSVs, README, manifest.

Every export of a table this project computed (``nascore.tables.*``'s ``export``,
:func:`nascore.supernet.table.build_table`, :func:`nascore.supernet.curve.export_curve`)
writes through :func:`write_table_files`:

- each CSV is written to a temporary file beside it and moved over the old one with
  :func:`os.replace` (:func:`replacing`), so an export killed midway leaves the previous
  file whole, never half a file;
- the README is the table's own lines followed by the integrity note every data README ends
  with (:data:`nascore.bench.licence.INTEGRITY`), written the same way;
- the folder's ``manifest.json`` is rewritten last (:func:`nascore.manifest.write_manifest`).

:func:`command_line` and :func:`provenance_lines` are the README lines the exports share:
the command that made the table, and the commit, date, machine and versions of
:func:`nascore.provenance.snapshot`.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from ..bench.licence import INTEGRITY
from ..manifest import write_manifest

README = "README.md"


@contextmanager
def replacing(path):
    """Yield a temporary path beside ``path``; when the ``with`` block ends without an
    error the temporary file replaces ``path`` (:func:`os.replace`, atomic on one file
    system), otherwise it is deleted and ``path`` is left as it was."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_csv(frame, path, float_format=None) -> Path:
    """Write ``frame`` (no index) as the CSV ``path`` atomically (:func:`replacing`), floats
    as ``float_format`` (a ``%`` format, a callable or ``None``: pandas' default); returns ``path``."""
    with replacing(path) as tmp:
        frame.to_csv(tmp, index=False, float_format=float_format)
    return Path(path)


def readme_text(lines) -> str:
    """The README text of a table: its ``lines``, then the integrity note, joined by newlines
    (so the text ends with the note's sentence and one newline)."""
    return "\n".join([*lines, *INTEGRITY])


def without_integrity(lines) -> list[str]:
    """``lines`` of a README without its closing integrity note (unchanged when it has none)."""
    lines = list(lines)
    return lines[:-len(INTEGRITY)] if lines[-len(INTEGRITY):] == INTEGRITY else lines


def write_readme(folder, lines) -> Path:
    """Write ``folder/README.md`` (:func:`readme_text` of ``lines``) atomically; returns its path."""
    path = Path(folder) / README
    with replacing(path) as tmp:
        tmp.write_text(readme_text(lines))
    return path


def write_table_files(folder, csvs=None, *, readme=None) -> list[Path]:
    """Write a table's files into ``folder`` (created if absent) and rewrite its manifest.

    ``csvs``: ``{file name: (frame, float_format)}``, each written by :func:`write_csv`, in
    that order; ``readme``: the README's lines above the integrity note (``None``: the
    README is left alone). Returns the paths written: the CSVs, the README, the manifest.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = [write_csv(frame, folder / name, float_format)
               for name, (frame, float_format) in (csvs or {}).items()]
    if readme is not None:
        written.append(write_readme(folder, readme))
    return written + [write_manifest(folder)]


def command_line(command: str, *, absent: str = "(library call)") -> str:
    """The README line naming the command that made the table (``absent`` when none was given)."""
    return f"- command: `{command}`" if command else f"- command: {absent}"


def provenance_lines(info: dict | None = None) -> list[str]:
    """The README lines of the commit, date, machine and versions of ``info`` (default: a
    fresh :func:`nascore.provenance.snapshot`)."""
    if info is None:
        from ..provenance import snapshot

        info = snapshot()
    return [f"- commit: {info['commit']}", f"- date: {info['date']}", f"- machine: {info['machine']}",
            f"- versions: {info['versions']}"]
