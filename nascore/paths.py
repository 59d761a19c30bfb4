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


#: The file that marks a folder as nascore's cache (written when nascore creates it or
#: finds it empty): ``nascore cache clear`` refuses any folder without it.
CACHE_MARKER = ".nascore-cache"
#: The folders nascore writes inside its cache, one per kind of result; ``cache clear``
#: removes nothing else.
CACHE_FOLDERS = ("metric-scores", "results", "zhu", "cifar-scores", "claims")


def cache_location() -> tuple[Path, str]:
    """Where the cache is (``NASCORE_CACHE`` or ``~/.cache/nascore``) and which of the two
    said so; nothing is created."""
    if os.environ.get("NASCORE_CACHE"):
        return Path(os.environ["NASCORE_CACHE"]), "NASCORE_CACHE"
    return Path.home() / ".cache" / "nascore", "the default cache folder"


def cache_dir() -> Path:
    """Folder for computed results (:func:`cache_location`), created if needed and marked
    as nascore's (:data:`CACHE_MARKER`) when created or found empty; ``ValueError``
    naming the folder if it cannot be created or written."""
    path, source = cache_location()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"cannot create the cache folder {str(path)!r} ({source}): {error.strerror}; "
                         "set NASCORE_CACHE to a writable folder") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ValueError(f"the cache folder {str(path)!r} ({source}) is not writable; "
                         "set NASCORE_CACHE to a writable folder") from None
    if not (path / CACHE_MARKER).exists() and not any(path.iterdir()):
        (path / CACHE_MARKER).write_text("This folder is nascore's cache of computed results. "
                                         "`nascore cache clear` deletes only nascore's folders in it.\n")
    return path


def cache_folder(name: str) -> Path:
    """One of nascore's folders inside the cache (:data:`CACHE_FOLDERS`)."""
    if name not in CACHE_FOLDERS:
        raise ValueError(f"unknown cache folder {name!r}; nascore's cache folders: {', '.join(CACHE_FOLDERS)}")
    return cache_dir() / name


def sha256(path: Path | str) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
