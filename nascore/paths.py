"""Where things live: the shipped data folder and the on-disk cache."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

#: Repository root (the folder holding ``data/``, ``notebooks/`` and ``book/``).
REPO_ROOT = Path(__file__).resolve().parent.parent
#: Shipped datasets and benchmark tables, each folder with a provenance README.
DATA_DIR = Path(os.environ.get("NASCORE_DATA", REPO_ROOT / "data"))
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
BOOK_DIR = REPO_ROOT / "book"


def cache_dir() -> Path:
    """Folder for computed results (``NASCORE_CACHE`` or ``~/.cache/nascore``), created if
    needed; ``ValueError`` naming the folder if it cannot be created or written."""
    source = "NASCORE_CACHE" if os.environ.get("NASCORE_CACHE") else "the default cache folder"
    path = Path(os.environ.get("NASCORE_CACHE") or Path.home() / ".cache" / "nascore")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"cannot create the cache folder {str(path)!r} ({source}): {error.strerror}; "
                         "set NASCORE_CACHE to a writable folder") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ValueError(f"the cache folder {str(path)!r} ({source}) is not writable; "
                         "set NASCORE_CACHE to a writable folder") from None
    return path


def sha256(path: Path | str) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
