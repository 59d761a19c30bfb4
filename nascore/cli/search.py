"""``nascore search``: a search algorithm on a shipped NAS-Bench-201 table, from a shell."""
from __future__ import annotations


def add_search_parser(sub) -> None:
    parser = sub.add_parser(
        "search", help="run a search algorithm on a shipped NAS-Bench-201 table",
        description="Run a search algorithm on a NAS-Bench-201 table (query = look up validation accuracy) "
                    "for several seeds and print the mean best accuracy found.",
        epilog="Example: nascore search evolution --budget 50 --seeds 0 1 2 3 4")
    parser.add_argument("algorithm", help="random, evolution, bo, training_free, hnas")
    parser.add_argument("--table", default="nb201-zc", help="nb201-zc (~725 archs, real proxies) or nb201 (15,625)")
    parser.add_argument("--dataset", default="cifar10", help="cifar10, cifar100 or ImageNet16-120")
    parser.add_argument("--budget", type=int, default=50, help="queries per run (default 50)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4], help="seeds (default 0..4)")
    parser.add_argument("--score", help="score column for training_free (e.g. nwot, synflow)")
    parser.set_defaults(handler=run_search)


def run_search(args) -> int:
    from .. import search, stats

    if args.algorithm not in search.available():
        raise ValueError(f"unknown search algorithm {args.algorithm!r}; allowed: {', '.join(search.available())}")
    benchmark = search.nb201(args.table, args.dataset)
    options = {"score": args.score} if args.score else {}
    best = [search.run(args.algorithm, benchmark, budget=args.budget, seed=s, **options).best_accuracy
            for s in args.seeds]
    mean, low, high = stats.mean_ci(best)
    print(f"{args.algorithm} on {benchmark.name}, {args.budget} queries, {len(best)} seeds: "
          f"mean best validation accuracy {mean:.2f} % [95% CI {low:.2f}, {high:.2f}]")
    return 0
