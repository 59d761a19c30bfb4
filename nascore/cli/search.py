"""``nascore search``: a search algorithm on a shipped table, from a shell.

The tables and their score columns are :data:`nascore.search.tables.TABLES`; the score
columns an algorithm reads are :func:`nascore.search.scores_needed`. Without
``--table``, the search runs on the first table that has the columns it needs.
"""
from __future__ import annotations

from .args import distinct_seeds, positive, seed


def add_search_parser(sub) -> None:
    from ..search import available
    from ..search.tables import TABLES

    listing = "; ".join(f"{t.name}: {t.description}" for t in TABLES.values())
    parser = sub.add_parser(
        "search", help="run a search algorithm on a shipped benchmark table",
        description="Run a search algorithm on a table (a query looks up an architecture's accuracy) for "
                    "several seeds and print the mean best accuracy found, with a bootstrap interval "
                    "over seeds (needs 2 or more); on NAS-Bench-201 tables also the 200-epoch test "
                    "accuracy of the cells picked (the papers' measure, never seen by the search) on "
                    f"CIFAR-10, CIFAR-100 and ImageNet16-120. Tables: {listing}.",
        epilog="Example: nascore search evolution --budget 50 --seeds 0 1 2 3 4")
    parser.add_argument("algorithm", choices=available(), metavar="ALGORITHM",
                        help=f"one of {', '.join(available())}")
    parser.add_argument("--table", choices=list(TABLES), metavar="TABLE",
                        help=f"one of {', '.join(TABLES)} (default: nb201-zc, or the first table "
                             "with the score columns the algorithm needs)")
    parser.add_argument("--dataset", help="dataset of the table (default: its first; NB201 tables: "
                                          "cifar10, cifar100, ImageNet16-120; trained tables: mnist5k)")
    parser.add_argument("--budget", type=positive, default=50, help="queries per run (default 50)")
    parser.add_argument("--seeds", type=seed, nargs="+", default=[0, 1, 2, 3, 4],
                        help="distinct seeds, one run each (default 0..4)")
    parser.add_argument("--score", help="score column: training_free's ranking score (required), "
                                        "hnas's metric M (default ntk_trace)")
    parser.add_argument("--kappa", help="hnas's condition-number column (default ntk_condition)")
    parser.set_defaults(handler=run_search)


def _options(args) -> dict:
    from ..search import scores_needed

    names = list(scores_needed(args.algorithm))
    options = {}
    for flag, value, position in (("--score", args.score, 0), ("--kappa", args.kappa, 1)):
        if value is None:
            continue
        if position >= len(names):
            raise ValueError(f"{flag} does not apply to {args.algorithm!r}; it reads no "
                             f"{'score' if position == 0 else 'second score'} column")
        options[names[position]] = value
    return options


def _table_for(algorithm: str, options: dict, table: str | None, dataset: str | None) -> str:
    """``table``, checked to hold the columns ``algorithm`` needs on ``dataset``, or the
    first table that does."""
    from ..messages import short
    from ..search import scores_needed, tables

    needed = scores_needed(algorithm, options)
    unset = [option for option, column in needed.items() if column is None]
    if unset:
        entry = tables.get(table or "nb201-zc")
        has = ", ".join(entry.scores_on(dataset or entry.datasets[0])) or "none"
        raise ValueError(f"{algorithm} needs --score <column>; table {table or 'nb201-zc'!r} has: {has}")
    columns = list(needed.values())
    holders = tables.having(columns, dataset)
    if table is None:
        table = "nb201-zc" if "nb201-zc" in holders or not holders else holders[0]
    entry = tables.get(table)
    has = entry.scores_on(dataset or entry.datasets[0])
    missing = [c for c in columns if c not in has]
    if missing:
        on = f" on {dataset}" if dataset else ""
        elsewhere = f"; tables that have them: {', '.join(holders)}" if holders else ""
        raise ValueError(f"{algorithm} needs the score column(s) {', '.join(map(short, missing))}, which "
                         f"table {table!r} lacks{on} (it has: {', '.join(has) or 'none'}){elsewhere}")
    return table


def run_search(args) -> int:
    from .. import search, stats

    seeds = distinct_seeds(args.seeds)
    options = _options(args)
    table = search.tables.get(_table_for(args.algorithm, options, args.table, args.dataset))
    benchmark = search.tables.benchmark(table.name, args.dataset)
    results = [search.run(args.algorithm, benchmark, budget=args.budget, seed=s, **options) for s in seeds]
    best = [r.best_accuracy for r in results]
    head = (f"{args.algorithm} on {benchmark.name}, {args.budget} queries, {len(best)} "
            f"seed{'s' if len(best) > 1 else ''}: ")
    if len(best) == 1:
        print(f"{head}best {table.accuracy_label} {best[0]:.2f} % (no interval: it needs at least 2 seeds)")
    else:
        mean, low, high = stats.mean_ci(best)
        print(f"{head}mean best {table.accuracy_label} {mean:.2f} % [95% CI {low:.2f}, {high:.2f}]")
    if table.space == "nb201":
        print(_test_accuracy_line(results, benchmark.name.split("/", 1)[1]))
    return 0


def _test_accuracy_line(results, searched: str) -> str:
    """The picks' 200-epoch test accuracy on NB201's three datasets, as the papers report it."""
    from ..search import pick_accuracy_table

    parts = []
    for dataset, row in pick_accuracy_table(results).iterrows():
        tag = " (searched)" if dataset == searched else ""
        if row.n_seeds == 1:
            parts.append(f"{dataset}{tag} {row['mean']:.2f} %")
        else:
            parts.append(f"{dataset}{tag} {row['mean']:.2f} ± {row['std']:.2f} % "
                         f"[95% CI {row.low:.2f}, {row.high:.2f}]")
    spread = ", mean ± std over seeds" if len(results) > 1 else ""
    return f"the picks' 200-epoch test accuracy (NAS-Bench-201{spread}): " + "; ".join(parts)
