"""``nascore bench nb201-ntk VARIANT``: the HNAS chapter's NTK table of NAS-Bench-201 (resumable).

HNAS's NTK trace and condition number of every architecture of the zero-cost table, one
kernel each, appended to ``data/nb201-ntk/`` (the variants and their files:
:mod:`nascore.bench.nb201_ntk`); rows already in the file are skipped, so a killed run
resumes. The work is :func:`nascore.studies.hnas.compute_ntk_table`.
"""
from __future__ import annotations

from .args import positive


def add_parser(bench_sub) -> None:
    """``nascore bench nb201-ntk`` under the ``bench`` sub-commands ``bench_sub``."""
    from ..bench import nb201_ntk

    parser = bench_sub.add_parser("nb201-ntk", help="compute the NAS-Bench-201 NTK table of the HNAS chapter",
                                  description=__doc__.split("\n\n")[0].replace("``", ""),
                                  epilog="Example: nascore bench nb201-ntk mnist32 && nascore bench nb201-ntk digits32")
    parser.add_argument("variant", choices=sorted(nb201_ntk.VARIANTS), help="which table (input data and size)")
    parser.add_argument("--threads", type=positive, default=1, help="torch CPU threads (default 1)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Compute (or finish) the table of ``args.variant``; prints where it is and how long it took."""
    import platform
    import time

    import torch

    from ..studies.hnas import compute_ntk_table

    torch.set_num_threads(args.threads)
    start = time.time()
    path = compute_ntk_table(args.variant)
    print(f"done: {path} in {time.time() - start:.0f}s on {platform.node()} "
          f"({platform.processor() or platform.machine()})", flush=True)
    return 0
