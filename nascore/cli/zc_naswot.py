"""``nascore bench zc-naswot``: the DAS chapter's table ``data/nb201-mnist5k/zc_naswot.csv`` (resumable).

NASWOT, the DAS terms and the number of rectified units of every architecture of the
zero-cost table at full size, one weight draw, on MNIST digits padded to 32x32 (the table
and its columns: :mod:`nascore.bench.zc_naswot`). Each architecture is stored in a results
store as soon as it is scored, so a killed run resumes with the missing ones; the table is
then exported from the store. The job is :mod:`nascore.tables.nb201_zc_naswot`.
"""
from __future__ import annotations

from .args import folder, positive


def add_parser(bench_sub) -> None:
    """``nascore bench zc-naswot`` under the ``bench`` sub-commands ``bench_sub``."""
    parser = bench_sub.add_parser("zc-naswot", help="compute the DAS chapter's NASWOT table of the zero-cost cells",
                                  description=__doc__.split("\n\n")[0].replace("``", ""))
    parser.add_argument("--threads", type=positive, default=1, help="torch CPU threads per job (default 1)")
    parser.add_argument("--jobs", type=positive, default=1, help="local worker processes (default 1)")
    parser.add_argument("--store", metavar="FOLDER", type=folder, default=None,
                        help="results store the scores are kept in and resumed from "
                             "(default: <nascore cache>/results/nb201-zc-naswot)")
    parser.add_argument("--out", metavar="FOLDER", type=folder, default=None,
                        help="folder zc_naswot.csv is exported to, its line in the folder's README "
                             "and the manifest rewritten (default: data/nb201-mnist5k)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Score the architectures not yet in the store, then export the table."""
    import sys

    from ..tables.executors import make_executor
    from ..tables.nb201_zc_naswot import PATH, export, fill, open_store

    store = open_store(args.store)
    store.sweep()
    fill(store, make_executor(args.jobs, threads=args.threads, progress=False),
         log=lambda text: print(text, file=sys.stderr, flush=True))
    for path in export(store, args.out or PATH.parent, command="nascore bench zc-naswot"):
        print(f"wrote {path}")
    return 0
