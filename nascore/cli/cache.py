"""``nascore cache``: see and empty the on-disk cache of computed results.

The cache (``NASCORE_CACHE`` or ``~/.cache/nascore``) holds one folder per kind of
result: ``metric-scores``, ``results`` (trainings), ``zhu``, ``cifar-scores``, ... Every
entry is content-keyed (:mod:`nascore.fingerprint`), so a stale entry is never used;
clearing only frees disk space, and the next run recomputes what it needs.
"""
from __future__ import annotations

import shutil
from pathlib import Path


def add_cache_parser(sub) -> None:
    parser = sub.add_parser(
        "cache", help="list or clear the on-disk cache of computed results",
        description="List the cache's folders (files, size, quarantined entries) or remove some of them. "
                    "Entries are content-keyed: a stale one is never used, so clearing only frees space.",
        epilog="Examples: nascore cache list; nascore cache clear metric-scores; nascore cache clear --all")
    actions = parser.add_subparsers(dest="cache_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="one line per cache folder")
    listing.set_defaults(handler=run_list)
    clear = actions.add_parser("clear", help="remove cache folders")
    clear.add_argument("names", nargs="*", metavar="NAME", help="folders to remove (see 'nascore cache list')")
    clear.add_argument("--all", action="store_true", help="remove every folder of the cache")
    clear.set_defaults(handler=run_clear)


def folder_summary(folder: Path) -> dict:
    """Files, bytes and quarantined entries under one cache folder."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    quarantined = [p for p in files if "quarantine" in p.relative_to(folder).parts and p.suffix == ".json"]
    return {"name": folder.name, "files": len(files), "bytes": sum(p.stat().st_size for p in files),
            "quarantined": len(quarantined)}


def summaries(root: Path) -> list[dict]:
    return [folder_summary(p) for p in sorted(root.iterdir()) if p.is_dir()]


def run_list(args) -> int:
    from ..paths import cache_dir

    root = cache_dir()
    rows = summaries(root)
    print(f"cache: {root}")
    if not rows:
        print("  (empty)")
    for row in rows:
        note = f", {row['quarantined']} quarantined" if row["quarantined"] else ""
        print(f"  {row['name']:<16} {row['files']:>7} files  {row['bytes'] / 2**20:9.1f} MiB{note}")
    return 0


def run_clear(args) -> int:
    from ..paths import cache_dir

    root = cache_dir()
    known = sorted(p.name for p in root.iterdir() if p.is_dir())
    if args.all == bool(args.names):
        raise ValueError("name the folders to clear, or give --all (not both); folders: "
                         + (", ".join(known) or "none"))
    names = known if args.all else args.names
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"no cache folder {', '.join(map(repr, unknown))} in {root}; folders: "
                         + (", ".join(known) or "none"))
    for name in names:
        shutil.rmtree(root / name)
        print(f"removed {root / name}")
    return 0
