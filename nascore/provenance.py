"""Provenance: which code, on which machine, with which libraries and data produced a result.

One helper for everything that records where a result came from: the README of an
exported table (through :func:`nascore.tables.export_files.provenance_lines`) and the
provenance page of ``nascore reproduce`` both call it, so "commit", "dirty", "versions" and "data hashes"
mean the same thing everywhere:

- commit: ``git rev-parse HEAD`` of the repository holding the package, ``"unknown"``
  outside a git checkout;
- dirty: ``git status --porcelain`` lists anything (a modified or staged tracked file, or an
  untracked file git does not ignore) anywhere in the repository; the commit label is
  then ``"<sha>-dirty"``;
- worktree id: the git tree id of the files as they are (tracked and untracked, ignored
  ones excluded): equal ids mean equal contents, dirty or not (:func:`worktree_id`);
- versions: installed distribution versions (``importlib.metadata``), ``"not installed"``
  when absent; nascore's own is that of the code running (``nascore.__version__``);
- data hashes: SHA-256 of each data file, keyed by its path relative to the repository.
"""
from __future__ import annotations

import datetime
import os
import platform
import shutil
import subprocess
import tempfile
from importlib import metadata
from pathlib import Path

from . import __version__
from .paths import REPO_ROOT, sha256

#: Distributions whose versions are recorded by default.
PACKAGES = ("nascore", "torch", "numpy", "scipy", "pandas", "scikit-learn", "matplotlib",
            "seaborn", "papermill", "jupyter-book", "myst-nb", "sphinx")


def _git(*args) -> str | None:
    try:
        return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                              check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None


def git_state() -> dict:
    """``{"commit": sha or "unknown", "dirty": bool}`` (see the module docstring)."""
    sha = _git("rev-parse", "HEAD")
    if not sha:
        return {"commit": "unknown", "dirty": False}
    return {"commit": sha, "dirty": bool(_git("status", "--porcelain"))}


def commit_label() -> str:
    """The commit as recorded: ``"<sha>"``, ``"<sha>-dirty"`` or ``"unknown"``."""
    state = git_state()
    return state["commit"] + ("-dirty" if state["dirty"] else "")


def worktree_id() -> str | None:
    """Git tree id of the working tree as it is now, or None outside a git checkout.

    Every file git does not ignore (tracked, modified or untracked) is added to a
    throw-away copy of the index (``GIT_INDEX_FILE``) and ``git write-tree`` names the
    result: two checkouts with the same id hold the same files byte for byte. The real
    index and the working tree are not touched; git stores the blobs of changed files
    as loose objects, as ``git stash create`` would. The copied index keeps git's stat
    cache, so only changed files are read (well under a second here).
    """
    index = _git("rev-parse", "--git-path", "index")
    if not index:
        return None
    index = Path(index) if Path(index).is_absolute() else REPO_ROOT / index
    with tempfile.TemporaryDirectory(prefix="nascore-index-") as tmp:
        copy = Path(tmp) / "index"
        if index.exists():
            shutil.copy2(index, copy)
        env = dict(os.environ, GIT_INDEX_FILE=str(copy))
        try:
            subprocess.run(["git", "add", "-A", "--", "."], cwd=REPO_ROOT, env=env, capture_output=True,
                           check=True, timeout=60)
            return subprocess.run(["git", "write-tree"], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                                  check=True, timeout=60).stdout.strip() or None
        except (OSError, subprocess.SubprocessError):
            return None


def package_versions(names=PACKAGES) -> dict:
    """``{"python": version, name: version or "not installed", ...}``."""
    versions = {"python": platform.python_version()}
    for name in names:
        if name == "nascore":
            versions[name] = __version__
            continue
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def machine() -> str:
    """Operating system, architecture and CPU count, e.g. ``"Linux x86_64, 8 CPUs"``."""
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"


def data_hashes(paths) -> dict:
    """``{path relative to the repository (or absolute if outside): SHA-256}`` of data files."""
    hashes = {}
    for path in paths:
        path = Path(path).resolve()
        try:
            shown = str(path.relative_to(REPO_ROOT))
        except ValueError:
            shown = str(path)
        hashes[shown] = sha256(path)
    return hashes


def snapshot(names=("nascore", "torch")) -> dict:
    """Commit label, UTC date, machine and the versions of ``names``, for a table's README."""
    versions = package_versions(names)
    return {"commit": commit_label(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "versions": ", ".join(f"{k} {v}" for k, v in versions.items())}


def note_sizes(**sizes) -> dict:
    """Record a chapter's sample sizes (seeds, bootstrap resamples, architectures, ...) for
    the "how this chapter was run" box of ``nascore reproduce``; returns ``sizes``.

    When ``NASCORE_SIZES`` names a file (``nascore reproduce`` sets it for each kernel),
    the sizes are merged into that JSON file; otherwise nothing is written. Values must be
    integers or short strings.
    """
    import json

    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValueError(f"size {name}={value!r} must be an integer or a string")
    target = os.environ.get("NASCORE_SIZES")
    if target:
        path = Path(target)
        known = json.loads(path.read_text()) if path.exists() else {}
        known.update(sizes)
        path.write_text(json.dumps(known))
    return sizes
