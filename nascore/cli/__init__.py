"""The ``nascore`` command line.

    nascore reproduce [--quick | --regenerate] [--only NAME ...] [--jobs N] [--seed S] [--no-build] [--verbose]
    nascore bench train ...        (ground-truth training; see `nascore bench train --help`)
    nascore bench cifar-scores ... (our scores of NB201 on real CIFAR; see its --help)
    nascore bench cifar-ntk ...    (NTK statistics on real CIFAR; see `nascore bench cifar-ntk --help`)
    nascore supernet ...           (BigNAS-style supernet; see `nascore supernet --help`)
    nascore bench supernet-sanity RUN_DIR...   (the supernet's calibration and epochs studies)
    nascore bench nb101-scores ... (our scores of NB101 cells on real CIFAR-10)
    nascore bench nb201-ntk VARIANT            (the HNAS chapter's NTK table)
    nascore bench zc-naswot        (the DAS chapter's NASWOT table of the zero-cost cells)
    nascore bench crosscheck ...   (params, flops, synflow against the NAS-Bench-201 table)
    nascore bench conv-table ...   (the conv ground truth: small NB201 nets trained on MNIST-5k)
    nascore score METRIC ... [--arch ARCH]      (training-free metrics of NB201 cells)
    nascore search ALGORITHM [--table T]        (search on a shipped table)
    nascore cache list | clear NAME... | clear --all   (the on-disk cache of results)

One module per sub-command: :mod:`.score`, :mod:`.search`, :mod:`.cache`, :mod:`.supernet`,
:mod:`.bench` (``bench train``), :mod:`.cifar_scores`, :mod:`.cifar_ntk`, :mod:`.nb101`,
:mod:`.nb201_ntk`, :mod:`.zc_naswot`, :mod:`.crosscheck`, :mod:`.supernet_sanity`,
:mod:`.conv_table` (``bench conv-table``). ``reproduce`` is :mod:`nascore.reproduce`.
:mod:`.args` holds the checked option types. Every command line of the package lives here:
the library and the studies parse no arguments.

Misuse gets one line on stderr, never a traceback: a bad option value is refused when
the arguments are parsed, a ``ValueError`` raised later (a bad architecture string, a
table without the columns an algorithm needs) is printed as ``nascore: error: ...``;
both exit with status 2. A file-system error (a full disk, a folder that vanished) is
one line too, with status 1. A damaged shipped data file
(:class:`nascore.manifest.DataIntegrityError`: the file, both hashes, how to restore it)
exits with status 3.
"""
from __future__ import annotations

import argparse
import sys

from ..messages import clip
from .args import Parser, positive, seed


def _reproduce_parser(sub):
    from .. import tables

    parser = sub.add_parser(
        "reproduce", help="run every notebook with papermill and build the book",
        description="Execute the book's notebooks into book/chapters, record their provenance, then build "
                    "the HTML book with jupyter-book (offline). By default every chapter runs at the papers' "
                    "sizes (seeds, bootstrap resamples, whole architecture tables) on the tables shipped in "
                    "data/ (trainings and CIFAR score tables are read, not recomputed): the published book, "
                    "about half an hour on two cores.",
        epilog="Examples:\n  nascore reproduce                 # the published book (papers' sizes)\n"
               "  nascore reproduce --quick         # reduced sizes, minutes (tests, CI)\n"
               "  nascore reproduce --only nb201_table --no-build\n"
               "Shipped tables are regenerated with --regenerate (hours, resumable) or the 'nascore bench' "
               "commands.", formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true",
                      help="reduced sizes (fewer seeds, resamples, architectures): minutes, for tests and CI")
    mode.add_argument("--full", dest="quick", action="store_false",
                      help="the papers' sizes on the shipped tables: the default, kept for old scripts")
    mode.add_argument("--regenerate", action="store_true",
                      help="the papers' sizes, and recompute the shipped tables a chapter can recompute "
                           f"({', '.join(tables.regenerated())}): hours; a killed run resumes; the other "
                           "tables have their own commands ('nascore bench --help')")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="run only these notebooks (file stem, prefix optional, e.g. 'zhu'); the "
                             "others keep their output, provenance and claims from their last run; the claims "
                             "ledger always reruns")
    parser.add_argument("--jobs", type=positive, default=1, metavar="N",
                        help="notebooks to run in parallel (default 1)")
    parser.add_argument("--seed", type=seed, default=0, help="seed passed to every notebook (default 0)")
    parser.add_argument("--no-build", dest="build", action="store_false",
                        help="execute the notebooks but do not build the book")
    parser.add_argument("--list", action="store_true", help="list the notebooks and exit")
    parser.add_argument("--verbose", action="store_true",
                        help="show the kernels' warnings in the terminal (default: book/_build/logs/<name>.log)")
    parser.set_defaults(handler=_run_reproduce)


def _run_reproduce(args) -> int:
    from .. import reproduce

    if args.list:
        print("\n".join(reproduce.notebook_names()))
        return 0
    reproduce.reproduce(quick=args.quick, regenerate=args.regenerate, seed=args.seed, only=args.only,
                        jobs=args.jobs, build=args.build,
                        verbose=args.verbose)
    return 0


def tables_epilog() -> str:
    """The shipped tables (from the registry, :mod:`nascore.tables`) and the command that
    produces each, for ``nascore bench --help``."""
    from .. import tables

    rows = [(name, tables.get(name).command or "downloaded (see its README)") for name in tables.names()]
    width = max(len(name) for name, _ in rows)
    return ("Shipped tables (data/) and the commands that produce them:\n"
            + "\n".join(f"  {name:<{width}}  {command}" for name, command in rows))


def _bench_parser(sub):
    parser = sub.add_parser("bench", help="produce benchmark tables (training, CIFAR scores)",
                            description="Produce this project's own benchmark tables.",
                            epilog=tables_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    bench_sub = parser.add_subparsers(dest="bench_command", metavar="COMMAND", required=True)
    from . import cifar_ntk, cifar_scores, conv_table, crosscheck, nb201_ntk, supernet_sanity, zc_naswot

    cifar_scores.add_parser(bench_sub)
    from .nb101 import add_nb101_parser

    add_nb101_parser(bench_sub)
    try:
        from . import bench as train_cli
    except ImportError:
        return
    train = bench_sub.add_parser("train", help="train architectures for the ground-truth table",
                                 description=(train_cli.__doc__ or "").strip() or None,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    train_cli.add_arguments(train)
    train.set_defaults(handler=train_cli.run)
    supernet_sanity.add_parser(bench_sub)
    cifar_ntk.add_parser(bench_sub)
    conv_table.add_parser(bench_sub)
    nb201_ntk.add_parser(bench_sub)
    zc_naswot.add_parser(bench_sub)
    crosscheck.add_parser(bench_sub)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="nascore",
        description="nascore: reproduce training-free NAS papers (Zhu et al., DAS, LGA, HNAS) "
                    "as an executable book.")
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"nascore {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _reproduce_parser(sub)
    _bench_parser(sub)
    from .cache import add_cache_parser
    from .score import add_score_parser
    from .search import add_search_parser
    from .supernet import add_supernet_parser

    add_score_parser(sub)
    add_search_parser(sub)
    add_supernet_parser(sub)
    add_cache_parser(sub)
    return parser


def main(argv=None) -> int:
    """Run the ``nascore`` command with ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, or a bad option (already reported)
        return stop.code if isinstance(stop.code, int) else 2
    from ..manifest import DataIntegrityError
    from ..reproduce import ReproduceError

    try:
        return args.handler(args)
    except DataIntegrityError as exc:
        print(f"nascore: damaged data: {clip(exc)}", file=sys.stderr)
        return 3
    except (ValueError, ReproduceError) as exc:
        print(f"nascore: error: {clip(exc)}", file=sys.stderr)
        return 2 if isinstance(exc, ValueError) else 1
    except OSError as exc:
        where = f": {clip(exc.filename)}" if exc.filename else ""
        print(f"nascore: error: {exc.strerror or clip(exc)}{where}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("nascore: interrupted; finished results are kept and a rerun resumes", file=sys.stderr)
        return 130
