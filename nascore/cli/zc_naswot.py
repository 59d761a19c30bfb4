"""``nascore bench zc-naswot``: the DAS chapter's table ``data/nb201-mnist5k/zc_naswot.csv`` (resumable).

NASWOT, the DAS terms and the number of rectified units of every architecture of the
zero-cost table at full size, one weight draw, on MNIST digits padded to 32x32 (the table
and its columns: :mod:`nascore.bench.zc_naswot`). Architectures already in the file are
skipped, so a killed run resumes. The work is :func:`nascore.studies.das.fill_zc_naswot`.
"""
from __future__ import annotations

from .args import positive


def add_parser(bench_sub) -> None:
    """``nascore bench zc-naswot`` under the ``bench`` sub-commands ``bench_sub``."""
    parser = bench_sub.add_parser("zc-naswot", help="compute the DAS chapter's NASWOT table of the zero-cost cells",
                                  description=__doc__.split("\n\n")[0].replace("``", ""))
    parser.add_argument("--threads", type=positive, default=1, help="torch CPU threads (default 1)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Score the architectures not yet in the table, appending rows."""
    import torch

    from ..studies.das import fill_zc_naswot

    torch.set_num_threads(args.threads)
    fill_zc_naswot()
    return 0
