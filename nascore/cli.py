"""The ``nascore`` command line.

    nascore reproduce [--quick | --full] [--only NAME ...] [--jobs N] [--seed S] [--no-build]
    nascore bench train ...        (ground-truth training; see `nascore bench train --help`)
    nascore bench supernet ...     (BigNAS-style supernet; see `nascore bench supernet --help`)
    nascore score METRIC ... [--arch ARCH]      (training-free metrics of NB201 cells)
    nascore search ALGORITHM [--budget B]       (search on the shipped NB201 tables)
"""
from __future__ import annotations

import argparse
import sys


def _reproduce_parser(sub):
    parser = sub.add_parser(
        "reproduce", help="run every notebook with papermill and build the book",
        description="Execute the book's notebooks (quick mode by default) into book/chapters, record "
                    "their provenance, then build the HTML book with jupyter-book (offline).",
        epilog="Example: nascore reproduce --only nb201_table --no-build")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="quick", action="store_true", default=True,
                      help="small sizes and cached results; minutes on a laptop (default)")
    mode.add_argument("--full", dest="quick", action="store_false",
                      help="the papers' sizes; may take hours and resumes from the cache if killed")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="run only these notebooks (file stem, prefix optional, e.g. 'zhu')")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="notebooks to run in parallel (default 1)")
    parser.add_argument("--seed", type=int, default=0, help="seed passed to every notebook (default 0)")
    parser.add_argument("--no-build", dest="build", action="store_false",
                        help="execute the notebooks but do not build the book")
    parser.add_argument("--list", action="store_true", help="list the notebooks and exit")
    parser.set_defaults(handler=_run_reproduce)


def _run_reproduce(args) -> int:
    from . import reproduce

    if args.list:
        print("\n".join(reproduce.notebook_names()))
        return 0
    if args.jobs < 1:
        raise ValueError(f"--jobs must be a positive integer, got {args.jobs}")
    reproduce.reproduce(quick=args.quick, seed=args.seed, only=args.only, jobs=args.jobs, build=args.build)
    return 0


def _bench_parser(sub):
    parser = sub.add_parser("bench", help="produce benchmark tables (ground-truth training)",
                            description="Produce this project's own benchmark tables.")
    bench_sub = parser.add_subparsers(dest="bench_command", metavar="COMMAND", required=True)
    try:
        from .bench import train_cli
    except ImportError:
        return
    train = bench_sub.add_parser("train", help="train architectures for the ground-truth table",
                                 description=(train_cli.__doc__ or "").strip() or None,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    train_cli.add_arguments(train)
    train.set_defaults(handler=train_cli.run)
    from .supernet import cli as supernet_cli

    supernet = bench_sub.add_parser("supernet", help="train and evaluate a BigNAS-style supernet over NB201",
                                    description=supernet_cli.__doc__,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
    supernet_cli.add_arguments(supernet)  # each sub-command sets its own handler


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nascore",
        description="nascore: reproduce training-free NAS papers (Zhu et al., DAS, LGA, HNAS) "
                    "as an executable book.")
    from . import __version__

    parser.add_argument("--version", action="version", version=f"nascore {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _reproduce_parser(sub)
    _bench_parser(sub)
    from .cli_commands import add_score_parser, add_search_parser

    add_score_parser(sub)
    add_search_parser(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .reproduce import ReproduceError

    try:
        return args.handler(args)
    except (ValueError, ReproduceError) as exc:
        print(f"nascore: error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ValueError) else 1
    except KeyboardInterrupt:
        print("nascore: interrupted; finished results are kept and a rerun resumes", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
