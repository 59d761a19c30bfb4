"""The Zhu et al. chapter's claims: the verdict rules and the records (a part of its study,
``notebooks/40_zhu.ipynb``).

- :func:`skip_verdict`, :func:`search_verdict`: the rules that turn our numbers into a
  verdict, thresholds named below; the bound-bracket and finite-width checks are
  "partly" by construction (:data:`OUR_BOUNDS_VERDICT`), the NB201 search is
  :func:`nascore.analysis.eigennas_uniform.verdict` on the uniform sample (the NASLib
  subset's :func:`nascore.analysis.hnas_cifar.eigennas_verdict` is kept as a study);
- :func:`claim_records`: the chapter's records, each a dict of keyword arguments for
  :func:`nascore.claims.record`, built from the values the chapter glues
  (:mod:`nascore.studies.zhu_tables`), so the ledger and the prose read the same numbers;
- :func:`verdict_glue_name`: the name under which the chapter glues a claim's verdict.
"""
from __future__ import annotations

import pandas as pd

from .. import papers
from ..analysis import eigennas_uniform, hnas_cifar

PAPER = "Zhu et al. 2022"
CHAPTER = "zhu"
#: What each claim's value rests on (:data:`nascore.claims.SOURCES`); every other claim is a
#: "theory check" (a bound checked numerically).
SOURCES = {"zhu.nb201-search": "our code, real data", "zhu.nb201-search.naslib725": "our code, real data",
           "zhu.train-free-search": "stand-in data"}
THEORY = "theory check"
#: The bounds are our propositions, not the paper's theorems (whose statements we could not
#: read): a check that they bracket ``lambda_min``, or that the finite-width value
#: concentrates, supports the paper's statement only in part.
OUR_BOUNDS_VERDICT = "partly"
#: Share of (activation, depth) cells in which adjacent skips must raise the Proposition 3
#: bound for "skips raise the bound" to be "reproduced" (below it: "partly").
SKIP_SHARE = 0.9
#: Kendall's tau of a lambda_min score with trained accuracy must have its interval's lower
#: end strictly above this: a positive correlation.
NO_CORRELATION = 0.0


# ----------------------------------------------------------------------------- the verdict rules
def skip_verdict(raised: int, cells: int) -> str:
    """"reproduced" if adjacent skips raise the bound in at least :data:`SKIP_SHARE` of the
    ``cells`` (``raised / cells``), else "partly".

    >>> skip_verdict(9, 10), skip_verdict(8, 10)
    ('reproduced', 'partly')
    """
    if cells <= 0 or not 0 <= raised <= cells:
        raise ValueError(f"need 0 <= raised <= cells and cells > 0, got raised={raised!r}, cells={cells!r}")
    return "reproduced" if raised / cells >= SKIP_SHARE else "partly"


def search_verdict(low_bound: float, low_empirical: float) -> str:
    """Ranking by lambda_min finds good architectures: "reproduced" if the Kendall intervals
    of both the bound and the empirical lambda_min lie above :data:`NO_CORRELATION` (lower
    ends ``low_bound``, ``low_empirical`` strictly greater), "partly" if one does, else
    "not reproduced".

    >>> search_verdict(0.1, 0.01), search_verdict(0.1, 0.0), search_verdict(0.0, -0.1)
    ('reproduced', 'partly', 'not reproduced')
    """
    if min(low_bound, low_empirical) > NO_CORRELATION:
        return "reproduced"
    return "partly" if max(low_bound, low_empirical) > NO_CORRELATION else "not reproduced"


def verdict_glue_name(claim_id: str) -> str:
    """``zhu_verdict_<name>`` for the claim ``zhu.<name>`` (dashes and dots as underscores).

    >>> verdict_glue_name("zhu.skip-raises-bound"), verdict_glue_name("zhu.nb201-search.naslib725")
    ('zhu_verdict_skip_raises_bound', 'zhu_verdict_nb201_search_naslib725')
    """
    return f"zhu_verdict_{claim_id.split('.', 1)[1].replace('-', '_').replace('.', '_')}"


# ----------------------------------------------------------------------------- the records
def _record(claim_id: str, where: str, claim: str, paper_value: str, our_value: str, verdict: str,
            chapter: str) -> dict:
    return dict(claim_id=claim_id, paper=PAPER, where=where, claim=claim, paper_value=paper_value,
                our_value=our_value, verdict=verdict, chapter=chapter, source=SOURCES.get(claim_id, THEORY))


def bracket_record(v: dict, chapter: str = CHAPTER) -> dict:
    """The bounds bracket lambda_min (:func:`nascore.studies.zhu_tables.bracket_summary`'s values)."""
    return _record(
        "zhu.bounds-bracket", "abstract; Thms. on lambda_min (exact statements not obtained)",
        "lambda_min of the NTK of mixed-activation FC/residual nets has lower and upper bounds in terms of the "
        "activations' Hermite coefficients, depth, skips and the data (checked for OUR Propositions 2-4)",
        "bounds exist (qualitative)",
        f"{v['zhu_bracket_inside']}/{v['zhu_bracket_n']} random archs bracketed; median lower/exact "
        f"{v['zhu_ratio_series']:.3f} (Prop. 3), {v['zhu_ratio_layerwise']:.3f} (Prop. 2); upper/exact "
        f"{v['zhu_ratio_upper']:.2f}", OUR_BOUNDS_VERDICT, chapter)


def skip_record(v: dict, chapter: str = CHAPTER) -> dict:
    """Skips raise the bound (:func:`nascore.studies.zhu_tables.skip_summary`'s values): :func:`skip_verdict`."""
    cells = v["zhu_skip_cells"]
    return _record(
        "zhu.skip-raises-bound", "abstract (skip connection search; theorem not obtained)",
        "skip connections raise the lambda_min lower bound (checked for OUR Proposition 3, and the exact value)",
        "qualitative",
        f"adjacent skips raise the Prop. 3 bound in {v['zhu_skip_resnet_lower_series']}/{cells} "
        f"(activation, depth) cells, the exact lambda_min in {v['zhu_skip_resnet_exact']}/{cells}; "
        f"dense skips: {v['zhu_skip_dense_lower_series']}/{cells} and {v['zhu_skip_dense_exact']}/{cells}",
        skip_verdict(v["zhu_skip_resnet_lower_series"], cells), chapter)


def width_record(v: dict, chapter: str = CHAPTER) -> dict:
    """Finite width concentrates (:func:`nascore.studies.zhu_tables.width_summary`'s values)."""
    return _record(
        "zhu.finite-width", "abstract (finite-width bounds)",
        "the finite-width NTK's lambda_min concentrates around the infinite-width value (the paper's "
        "high-probability bounds are not implemented)", "qualitative",
        f"mean relative error {v['zhu_width_err_small']:.3f} at width {v['zhu_width_small']}, "
        f"{v['zhu_width_err_large']:.3f} at width {v['zhu_width_large']}", OUR_BOUNDS_VERDICT, chapter)


def search_record(v: dict, chapter: str = CHAPTER) -> dict:
    """Train-free search by lambda_min on the trained table (the correlation, pick and table
    values of :mod:`nascore.studies.zhu_tables`): :func:`search_verdict`."""
    def interval(score):
        return (f"{v[f'zhu_kendall_{score}']:.3f} [{v[f'zhu_kendall_{score}_low']:.3f}, "
                f"{v[f'zhu_kendall_{score}_high']:.3f}]")
    return _record(
        "zhu.train-free-search", "train-free NAS algorithm (abstract; section and set-up not verified)",
        "ranking architectures by (a bound on) the NTK's lambda_min selects top architectures; positive "
        "correlation of lambda_min with trained accuracy", "positive correlation (numbers not obtained)",
        f"Kendall tau {interval('theory_series')} (our Prop. 3 bound), {interval('ntk_lambda_min')} (empirical "
        f"lambda_min); pick at percentile {v['zhu_pick_pct_theory_series']:.0f} / "
        f"{v['zhu_pick_pct_ntk_lambda_min']:.0f}; {v['zhu_gt_n']} archs, MNIST-5k",
        search_verdict(v["zhu_kendall_theory_series_low"], v["zhu_kendall_ntk_lambda_min_low"]), chapter)


NB201_WHERE = "NAS-Bench-201 results (public leaderboard 'EigenNas'; secondary source, unverified)"


def nb201_record(table: pd.DataFrame, chapter: str = CHAPTER) -> dict:
    """EigenNAS on NB201 as the papers report selection: best-of-N by the largest lambda_min
    on the uniform sample (``table``: :func:`nascore.analysis.eigennas_uniform.selection_table`),
    :func:`nascore.analysis.eigennas_uniform.verdict`; "not attempted (n = ...)" below
    :data:`nascore.analysis.eigennas_uniform.MIN_CELLS` cells or 2N."""
    verdict, n = eigennas_uniform.verdict(table)
    cells = int(table.n_cells.iloc[0]) if len(table) else 0
    ours = table[(table.method == "largest lambda_min") & (table.status == "run")]
    parts = []
    for size, part in ours.groupby("N"):
        rand = table[(table.method == "random pick") & (table.N == size)].set_index("dataset")["mean"]
        parts.append(f"N = {size}: " + ", ".join(
            f"{r.dataset} {r.mean:.2f} ± {r.std:.2f} [{r.low:.2f}, {r.high:.2f}] (random pick {rand[r.dataset]:.2f})"
            for r in part.itertuples()))
    skipped = sorted(set(table.N) - set(ours.N))
    need = {size: max(eigennas_uniform.MIN_CELLS, eigennas_uniform.MIN_CELLS_PER_DRAW * size) for size in skipped}
    parts += [f"N = {size} not attempted (needs {need[size]} cells)" for size in skipped]
    our_value = f"{cells} cells of a uniform sample; " + "; ".join(parts)
    if n is None:
        our_value = f"not attempted (n = {cells}); " + our_value
    else:
        our_value += f"; verdict on N = {n}"
    return _record(
        "zhu.nb201-search", NB201_WHERE,
        "train-free selection by the largest NTK lambda_min on NAS-Bench-201 reaches the leaderboard's 200-epoch test "
        "accuracy. Ours: best of N cells drawn uniformly (as NASWOT / TE-NAS / EigenNAS report selection), "
        f"{int(table.repeats.iloc[0]) if len(table) else 0} repeats, from a uniform sample of the 15,625; Zhu's "
        "lambda_min (our reading of the paper: no official code) at batch 16 on CIFAR-10 images only, the pick "
        "reported on CIFAR-10, CIFAR-100 and ImageNet16-120 (as HNAS's code measures once on CIFAR-10); mean ± std "
        "and 95 % interval of the mean over repeats. Would change with batch 72 (a GPU) and more cells",
        papers.paper_values("eigennas"), our_value, verdict, chapter)


def naslib725_record(basis: pd.DataFrame, chapter: str = CHAPTER) -> dict:
    """The single pick on NASLib's ~725-cell subset (:func:`nascore.analysis.hnas_cifar.eigennas_basis`;
    HNAS's kernel is a stand-in for Zhu's), kept as a study: the verdict
    :func:`nascore.analysis.hnas_cifar.eigennas_verdict` would give is said beside our value,
    and the ledger's verdict is "not attempted" (the paper did not select from that subset)."""
    kernel = basis.lambda_min.iloc[0] if len(basis) else "no kernel"
    stand_in = not len(basis) or basis.key.iloc[0] == "hnas"
    alone = hnas_cifar.eigennas_verdict(basis)
    return _record(
        "zhu.nb201-search.naslib725", NB201_WHERE,
        "train-free search by the largest NTK lambda_min on NAS-Bench-201 reaches test accuracy near the optimum. "
        f"Ours: selection by the largest lambda_min of {kernel}"
        + (" (a stand-in for Zhu's lambda_min, which was not computed)" if stand_in else "")
        + " on real CIFAR-10 / CIFAR-100 images over the ~725-arch NASLib subset, the pick's NB201 200-epoch "
        "test accuracy; ImageNet16-120 not attempted. A study: one pick from a subset the paper did not draw from",
        papers.paper_values("eigennas"),
        ", ".join(f"{r.dataset}: pick {r.pick_test:.2f} % test (best scored {r.optimum_test:.2f}), validation "
                  f"{r.accuracy:.2f} of {r.optimum:.2f}, percentile {100 * r.percentile:.0f}, "
                  f"rho {r.rho:.2f} [{r.rho_low:.2f}, {r.rho_high:.2f}]" for r in basis.itertuples())
        + f" (study on NASLib's ~725-cell subset; alone it would read: {alone}; the verdict rests on the uniform "
        "sample: zhu.nb201-search)",
        "not attempted", chapter)


def claim_records(values: dict, basis: pd.DataFrame, uniform: pd.DataFrame, *, chapter: str = CHAPTER) -> list[dict]:
    """The chapter's six records, in the ledger's order, from its glued ``values``, the
    NASLib-subset EigenNAS ``basis`` and the ``uniform``-sample selection table."""
    return [bracket_record(values, chapter), skip_record(values, chapter), width_record(values, chapter),
            search_record(values, chapter), nb201_record(uniform, chapter), naslib725_record(basis, chapter)]
