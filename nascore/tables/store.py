"""A results store on disk: one JSON file per finished result, written atomically.

Each result is filed under a key that hashes everything that determines it (search
space and its options, architecture, dataset, training protocol, seed, code version;
see :func:`nascore.tables.keys.result_key`). A result is written to a temporary file in
the same folder, flushed to disk, then renamed over its final name (``os.replace``), which POSIX makes
atomic: a reader, or a run restarted after being killed at any moment, sees either the
whole result or none of it. Leftover temporary files are ignored (and can be swept with
:meth:`ResultStore.sweep`).

One file per result (rather than one database) keeps concurrent writers trivially
safe and the store readable with ``cat``; a few thousand small files are no burden.

**What a file holds.** An envelope ``{"key", "status", "record"}`` (plus ``"reason"``
when ``status`` is ``"failed"``): the key is repeated inside, so a file copied or moved
under another name is caught. A run that could not produce a valid result (a training
loss that became NaN or infinite, say) is stored as ``status: "failed"`` with its reason:
it is never exported as a result, and it is not retried on resume (the same inputs give
the same failure); ``failures()`` lists them.

**Every read is checked** against the envelope and the store's :class:`~nascore.tables.schema.Schema`
(required fields, their types, finite numbers). A file that fails — unreadable JSON,
``{}``, ``null``, a list, a key that does not match its name, a missing field, a NaN
accuracy — is named in a warning, moved aside to ``<root>/quarantine/`` (never
deleted) and treated as absent, so the caller recomputes it.

**Concurrent writers** (two runs on one store, or workers of one run) need no lock:
the design is idempotent. A key names its inputs completely, so two writers of one
key write the same result; each writes its own temporary file (``mkstemp``, a unique
name carrying the writer's host and process id) and renames it into place atomically,
so the last rename wins with a whole file. :meth:`ResultStore.sweep` removes only
temporary files whose writer is known to be dead (same host, process gone) or that
are over a day old, never another live writer's file.
"""
from __future__ import annotations

import json
import os
import socket
import tempfile
import time
import warnings
from pathlib import Path
from typing import Iterator

import pandas as pd

from ..messages import short as _short
from .schema import Schema


STATUSES = ("ok", "failed")
#: Temporary files older than this are swept whoever wrote them (seconds).
STALE_TMP_SECONDS = 24 * 3600


class StoreWarning(UserWarning):
    """A stored file failed its check and was quarantined."""


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists on this machine (one owned by another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class ResultStore:
    """Results filed by key under ``root/<first two hex digits>/<key>.json``.

    ``schema`` (a :class:`Schema`) is checked on every write and every read.
    """

    def __init__(self, root: Path | str, schema: Schema | None = None):
        self.root = Path(root)
        if self.root.exists() and not self.root.is_dir():
            raise ValueError(f"store path {str(self.root)!r} is a file; it must be a folder (or not exist)")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ValueError(f"cannot create the store folder {str(self.root)!r}: {error.strerror}") from None
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise ValueError(f"the store folder {str(self.root)!r} is not writable")
        self.schema = schema or Schema()

    def __repr__(self):
        return f"ResultStore({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        if not isinstance(key, str) or len(key) < 8 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"bad result key {_short(key)}: expected a lowercase hex digest")
        return self.root / key[:2] / f"{key}.json"

    def __contains__(self, key: str) -> bool:
        return self._read(key) is not None

    def __len__(self) -> int:
        return sum(1 for _ in self.root.glob("??/*.json"))

    # -- reading ---------------------------------------------------------------------
    def _read(self, key: str) -> dict | None:
        """The checked envelope stored under ``key`` (quarantining a bad file), or None."""
        path = self._path(key)
        try:
            text = path.read_text()
        except FileNotFoundError:
            return None
        try:
            envelope = json.loads(text)
        except ValueError as error:
            return self._quarantine(path, f"not valid JSON ({error})")
        problem = self._envelope_problem(key, envelope)
        if problem:
            return self._quarantine(path, problem)
        return envelope

    def _envelope_problem(self, key, envelope) -> str:
        if not isinstance(envelope, dict):
            return f"holds a JSON {type(envelope).__name__}, not an object"
        if envelope.get("key") != key:
            return f"its key {_short(envelope.get('key'))} does not match its file name"
        if envelope.get("status") not in STATUSES:
            return f"unknown status {_short(envelope.get('status'))}"
        if not isinstance(envelope.get("record"), dict):
            return "has no record object"
        if envelope["status"] == "failed":
            return "" if isinstance(envelope.get("reason"), str) else "a failed result without a reason"
        problems = self.schema.problems(envelope["record"])
        return "; ".join(problems)

    def _quarantine(self, path: Path, reason: str) -> None:
        target_dir = self.root / "quarantine"
        target_dir.mkdir(exist_ok=True)
        target = target_dir / f"{path.stem}.{time.time_ns()}.json"
        try:
            os.replace(path, target)
            (target.with_suffix(".reason.txt")).write_text(reason + "\n")
            moved = f"moved to {target}"
        except FileNotFoundError:  # another reader moved it first
            moved = "already moved aside by another reader"
        warnings.warn(f"result file {path} is bad ({reason}); {moved}; it will be recomputed",
                      StoreWarning, stacklevel=3)
        return None

    def get(self, key: str) -> dict | None:
        """The valid record stored under ``key``; ``None`` if absent, failed or bad."""
        envelope = self._read(key)
        if envelope is None or envelope["status"] != "ok":
            return None
        return envelope["record"]

    def status(self, key: str) -> str | None:
        """``"ok"``, ``"failed"`` or ``None`` (absent, or bad and now quarantined)."""
        envelope = self._read(key)
        return None if envelope is None else envelope["status"]

    def done(self, key: str) -> bool:
        """Whether ``key`` needs no (re)computation: stored as ok or as failed."""
        return self.status(key) is not None

    # -- writing ---------------------------------------------------------------------
    def put(self, key: str, record: dict) -> None:
        """Store a valid ``record`` under ``key`` atomically (replacing any earlier one).

        A record that fails the schema (e.g. a NaN accuracy) is refused with
        ``ValueError``: store it with :meth:`put_failure` instead.
        """
        if not isinstance(record, dict):
            raise ValueError(f"a record must be a dict, got {type(record).__name__}")
        problems = self.schema.problems(record)
        if problems:
            raise ValueError(f"refusing to store an invalid result under {key[:12]}: {'; '.join(problems)}")
        self._write(key, {"key": key, "status": "ok", "record": record})

    def put_checked(self, key: str, record: dict) -> bool:
        """Store ``record`` if it passes the schema (``True``), else store it as a failed
        result whose reason lists the problems (``False``): a computed value that is
        NaN, infinite or not a number never becomes an ordinary row."""
        if not isinstance(record, dict):
            raise ValueError(f"a record must be a dict, got {type(record).__name__}")
        problems = self.schema.problems(record)
        if problems:
            self.put_failure(key, "invalid values: " + "; ".join(problems), record)
            return False
        self._write(key, {"key": key, "status": "ok", "record": record})
        return True

    def put_failure(self, key: str, reason: str, record: dict | None = None) -> None:
        """Record that the computation of ``key`` failed, and why (never exported)."""
        if not isinstance(reason, str) or not reason:
            raise ValueError("a failed result needs a non-empty reason")
        self._write(key, {"key": key, "status": "failed", "reason": reason, "record": record or {}})

    def _write(self, key: str, envelope: dict) -> None:
        path = self._path(key)
        path.parent.mkdir(exist_ok=True)
        text = json.dumps(envelope, sort_keys=True, indent=1, allow_nan=True)
        prefix = f".{key[:8]}-{socket.gethostname()}-{os.getpid()}-"
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except OSError as error:  # a full disk says "No space left on device" without a path
            Path(tmp).unlink(missing_ok=True)
            if error.filename is None:
                raise OSError(error.errno, error.strerror, str(path)) from error
            raise
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    # -- listing ---------------------------------------------------------------------
    def keys(self) -> list[str]:
        """Keys of the valid ``ok`` records, sorted (bad files are quarantined on the way)."""
        return [k for k in self._stored_keys() if self.get(k) is not None]

    def _stored_keys(self) -> list[str]:
        return sorted(p.stem for p in self.root.glob("??/*.json"))

    def records(self) -> Iterator[dict]:
        """Every valid ``ok`` record (in key order), each with its ``key`` added."""
        for key in self._stored_keys():
            record = self.get(key)
            if record is not None:
                yield {"key": key, **record}

    def failures(self) -> pd.DataFrame:
        """The failed results: key, reason and whatever partial record was kept."""
        rows = []
        for key in self._stored_keys():
            envelope = self._read(key)
            if envelope is not None and envelope["status"] == "failed":
                rows.append({"key": key, "reason": envelope["reason"], **envelope["record"]})
        return pd.DataFrame(rows, columns=None if rows else ["key", "reason"])

    def frame(self, keys=None) -> pd.DataFrame:
        """The valid records of ``keys`` (default: all) as a DataFrame, one row per result;
        absent, failed and bad results are left out, and a key asked for twice gives one row."""
        if keys is None:
            rows = list(self.records())
        else:
            rows = []
            for k in dict.fromkeys(keys):
                record = self.get(k)
                if record is not None:
                    rows.append({"key": k, **record})
        return pd.DataFrame(rows)

    def sweep(self) -> int:
        """Delete temporary files left by dead writers; returns how many.

        A temporary file is removed when its writer ran on this host and its process is
        gone, or when it is older than :data:`STALE_TMP_SECONDS`; a live writer's file is
        never touched.
        """
        host, now, removed = socket.gethostname(), time.time(), 0
        for path in self.root.glob("??/.*.tmp"):
            parts = path.name[1:].split("-")
            dead = False
            # name: .<key8>-<host>-<pid>-<random>.tmp (the host may itself contain '-')
            if len(parts) >= 4 and parts[-2].isdigit() and "-".join(parts[1:-2]) == host:
                dead = not pid_alive(int(parts[-2]))
            try:
                old = now - path.stat().st_mtime > STALE_TMP_SECONDS
            except FileNotFoundError:
                continue
            if dead or old:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

