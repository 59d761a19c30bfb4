"""``nascore cache``: see and empty the on-disk cache of computed results.

The cache (``NASCORE_CACHE`` or ``~/.cache/nascore``) holds one folder per kind of
result (:data:`nascore.paths.CACHE_FOLDERS`: ``metric-scores``, ``results``, ``zhu``,
``cifar-scores``, ``claims``). Every entry is content-keyed (:mod:`nascore.fingerprint`),
so a stale entry is never used; clearing only frees disk space, and the next run
recomputes what it needs.

``clear`` can only delete the cache: it refuses a folder that nascore did not mark as
its cache (:data:`nascore.paths.CACHE_MARKER`), the filesystem root, a home folder or a
folder above one, removes only nascore's own folders, refuses ``--all`` while the cache
holds anything else, and asks before ``--all`` unless ``--yes`` is given.
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path


def add_cache_parser(sub) -> None:
    parser = sub.add_parser(
        "cache", help="list or clear the on-disk cache of computed results",
        description="List the cache's folders (files, size, quarantined entries) or remove some of them. "
                    "Entries are content-keyed: a stale one is never used, so clearing only frees space. "
                    "Only a folder nascore marked as its cache (file .nascore-cache) is ever cleared, and only "
                    "nascore's own folders in it.",
        epilog="Examples: nascore cache list; nascore cache clear metric-scores; nascore cache clear --all --yes")
    actions = parser.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="one line per cache folder")
    listing.set_defaults(handler=run_list)
    clear = actions.add_parser("clear", help="remove cache folders")
    clear.add_argument("names", nargs="*", metavar="NAME", help="folders to remove (see 'nascore cache list')")
    clear.add_argument("--all", action="store_true", help="remove every folder of the cache (asks first)")
    clear.add_argument("--yes", action="store_true", help="do not ask before --all")
    clear.set_defaults(handler=run_clear)


def folder_summary(folder: Path) -> dict:
    """Files, bytes and quarantined entries under one cache folder."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    quarantined = [p for p in files if "quarantine" in p.relative_to(folder).parts and p.suffix == ".json"]
    return {"name": folder.name, "files": len(files), "bytes": sum(p.stat().st_size for p in files),
            "quarantined": len(quarantined)}


def summaries(root: Path) -> list[dict]:
    from ..paths import CACHE_FOLDERS

    return [folder_summary(p) for p in sorted(root.iterdir()) if p.is_dir() and p.name in CACHE_FOLDERS]


def run_list(args) -> int:
    from ..paths import cache_location

    root, source = cache_location()
    print(f"cache: {root}")
    if not root.is_dir():
        print(f"  (does not exist yet; {source})")
        return 0
    rows = summaries(root)
    if not rows:
        print("  (empty)")
    for row in rows:
        note = f", {row['quarantined']} quarantined" if row["quarantined"] else ""
        print(f"  {row['name']:<16} {row['files']:>7} files  {row['bytes'] / 2**20:9.1f} MiB{note}")
    return 0


def unsafe_root(root: Path) -> str | None:
    """Why ``root`` may not be cleared at all (``None`` when it may): not marked as
    nascore's cache, the filesystem root, a home folder or a folder above one, or a
    folder above the project."""
    from ..paths import CACHE_MARKER, REPO_ROOT

    resolved = root.resolve()
    protected = {Path("/"), Path.home().resolve(), REPO_ROOT.resolve()}
    for place in protected:
        if resolved == place or resolved in place.parents:
            return f"{root} is the filesystem root, a home folder, the project or a folder above one"
    if not (root / CACHE_MARKER).is_file():
        return (f"{root} is not marked as nascore's cache (no {CACHE_MARKER} file): nascore did not create it, "
                "so nothing in it is deleted; point NASCORE_CACHE at nascore's own cache folder")
    return None


def run_clear(args) -> int:
    from ..paths import CACHE_FOLDERS, CACHE_MARKER, cache_location

    root, _ = cache_location()
    if not root.is_dir():
        raise ValueError(f"no cache folder at {root}: nothing to clear")
    ours = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name in CACHE_FOLDERS)
    if args.all == bool(args.names):
        raise ValueError("name the folders to clear, or give --all (not both); folders: " + (", ".join(ours) or "none"))
    why = unsafe_root(root)
    if why:
        raise ValueError(why)
    if args.all:
        foreign = sorted(p.name for p in root.iterdir() if p.name not in CACHE_FOLDERS and p.name != CACHE_MARKER)
        if foreign:
            raise ValueError(f"{root} also holds {', '.join(map(repr, foreign[:8]))}"
                             f"{' ...' if len(foreign) > 8 else ''}, which nascore did not write: nothing deleted; "
                             "name nascore's folders to clear instead")
        names = ours
        if names and not args.yes and not _confirmed(f"remove {', '.join(names)} from {root}?"):
            print("nothing removed")
            return 1
    else:
        names = list(dict.fromkeys(args.names))  # a name given twice is removed once
        unknown = [n for n in names if n not in ours]
        if unknown:
            raise ValueError(f"no cache folder {', '.join(map(repr, unknown))} in {root}; folders: "
                             + (", ".join(ours) or "none"))
    for name in names:
        shutil.rmtree(root / name)
        print(f"removed {root / name}")
    return 0


def _confirmed(question: str) -> bool:
    if not sys.stdin.isatty():
        raise ValueError(f"{question} Refused without a terminal to ask: add --yes")
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
