"""``nascore bench nb201-ntk VARIANT``: the HNAS chapter's NTK table of NAS-Bench-201 (resumable).

HNAS's NTK trace and condition number of every architecture of the zero-cost table, one
kernel each (the variants and their files: :mod:`nascore.bench.nb201_ntk`). Each kernel is
stored in a results store as soon as it is computed, so a killed run resumes with the
missing ones; the table is then exported from the store into ``data/nb201-ntk/``. The
job is :mod:`nascore.tables.nb201_ntk`.
"""
from __future__ import annotations

from .args import folder, positive


def add_parser(bench_sub) -> None:
    """``nascore bench nb201-ntk`` under the ``bench`` sub-commands ``bench_sub``."""
    from ..bench import nb201_ntk

    parser = bench_sub.add_parser("nb201-ntk", help="compute the NAS-Bench-201 NTK table of the HNAS chapter",
                                  description=__doc__.split("\n\n")[0].replace("``", ""),
                                  epilog="Example: nascore bench nb201-ntk mnist32 && nascore bench nb201-ntk digits32")
    parser.add_argument("variant", choices=sorted(nb201_ntk.VARIANTS), help="which table (input data and size)")
    parser.add_argument("--threads", type=positive, default=1, help="torch CPU threads per job (default 1)")
    parser.add_argument("--jobs", type=positive, default=1, help="local worker processes (default 1)")
    parser.add_argument("--store", metavar="FOLDER", type=folder, default=None,
                        help="results store the kernels are kept in and resumed from "
                             "(default: <nascore cache>/results/nb201-ntk)")
    parser.add_argument("--out", metavar="FOLDER", type=folder, default=None,
                        help="folder the table and its README are exported to (default: data/nb201-ntk)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Compute what is missing of ``args.variant`` into the store and export the table;
    prints where it is and how long it took."""
    import platform
    import sys
    import time

    from ..tables.executors import make_executor
    from ..tables.nb201_ntk import NTK_DIR, export, fill, open_store

    store = open_store(args.store)
    store.sweep()
    start = time.time()
    fill(store, make_executor(args.jobs, threads=args.threads, progress=False), variant=args.variant,
         log=lambda text: print(text, file=sys.stderr, flush=True))
    paths = export(store, args.variant, args.out or NTK_DIR, command=f"nascore bench nb201-ntk {args.variant}",
                   wall_seconds=time.time() - start)
    print(f"done: {paths[0]} in {time.time() - start:.0f}s on {platform.node()} "
          f"({platform.processor() or platform.machine()})", flush=True)
    return 0
