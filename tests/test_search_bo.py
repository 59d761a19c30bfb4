"""Bayesian optimisation: EI by an independent route, and why scikit-learn's GP is enough."""
import numpy as np
import pytest
from scipy import integrate
from scipy.stats import norm, spearmanr

from nascore import search
from nascore.search.gp import expected_improvement, fit_gp, predict


@pytest.mark.parametrize("mean, std, best", [(1.0, 0.5, 1.2), (0.0, 2.0, -1.0), (3.0, 0.1, 3.0)])
def test_expected_improvement_equals_the_integral(mean, std, best):
    # EI = E[max(Y - best, 0)] for Y ~ N(mean, std^2), integrated numerically.
    integral, _ = integrate.quad(lambda y: (y - best) * norm.pdf(y, mean, std), best, np.inf)
    assert expected_improvement(mean, std, best) == pytest.approx(integral, rel=1e-6)
    assert expected_improvement(mean, 0.0, best) == 0.0


def test_sklearn_gp_ranks_unseen_architectures():
    # The surrogate's job is ranking candidates. Fitted to 40 of 256 toy architectures
    # (one-hot codes, exact GP, marginal-likelihood hyper-parameters) it must rank the
    # other 216 almost perfectly: the toy landscape is additive, like the leading
    # effect of each edge's operation on NAS-Bench-201.
    bench = search.synthetic()
    rng = np.random.default_rng(0)
    seen = rng.choice(len(bench), size=40, replace=False)
    unseen = np.setdiff1d(np.arange(len(bench)), seen)
    model = fit_gp(bench.encode(seen), bench.accuracy[seen], rng, restarts=1)
    mean, std = predict(model, bench.encode(unseen))
    assert spearmanr(mean, bench.accuracy[unseen]).statistic > 0.9
    assert (std > 0).all()


def test_bo_beats_random_search_at_equal_budget():
    bench = search.synthetic(positions=5, choices=3, seed=2)    # 243 architectures
    seeds, budget = range(4), 20
    bo = search.run_many("bo", bench, budget, seeds, n_init=8, restarts=0)
    rs = search.run_many("random", bench, budget, seeds)
    assert bo[budget].mean() > rs[budget].mean()
