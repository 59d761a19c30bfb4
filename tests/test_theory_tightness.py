"""Tightness of the lambda_min bounds, not only their validity.

``lower <= exact <= upper`` (tests/test_theory.py) also holds for a lower bound of 0 and
an upper bound of ``Theta(x, x)``. Here the bounds are (i) derived by hand for a net with
one ReLU hidden layer, from closed-form Hermite coefficients and numpy eigenvalues of
the Hadamard powers, and pinned to 1e-10; (ii) compared with the exact infinite-width
``lambda_min`` on the Zhu chapter's own quick-mode set-up (fixed seeds), where the
median ratios must stay in stated bands.
"""
import math

import numpy as np
import pytest

from nascore import theory
from nascore.spaces.mixed import Architecture

try:  # the chapter's sweeps (moving to nascore.studies in the package-layout refactor)
    from nascore.studies import zhu as chapter
except ImportError:  # pragma: no cover - before the move
    from nascore.theory import experiments as chapter


def unit_rows(n, d, seed=0):
    X = np.random.default_rng(seed).normal(size=(n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def double_factorial(k):
    return math.prod(range(k, 0, -2))          # (-1)!! = 0!! = 1


def he_at_zero(k):
    """Probabilists' Hermite polynomial at 0: He_k(0) = (-1)^(k/2) (k-1)!! for even k, else 0."""
    return 0.0 if k % 2 else (-1) ** (k // 2) * double_factorial(k - 1)


PHI0 = 1 / math.sqrt(2 * math.pi)              # standard normal density at 0


def relu_mu(r):
    """mu_r(relu) = E[relu(z) He_r(z)] / sqrt(r!). relu'' = delta_0, so integrating by parts
    twice, E[relu He_r] = phi(0) He_{r-2}(0) (r >= 2): mu_0 = 1/sqrt(2 pi), mu_1 = 1/2,
    mu_2 = 1/sqrt(4 pi), mu_3 = 0, mu_4 = -1/sqrt(48 pi), ..."""
    if r == 0:
        return PHI0
    if r == 1:
        return 0.5
    return PHI0 * he_at_zero(r - 2) / math.sqrt(math.factorial(r))


def step_mu(r):
    """mu_r of relu' = 1{z > 0}: E[1{z>0} He_r] = phi(0) He_{r-1}(0) (r >= 1), mu_0 = 1/2."""
    return 0.5 if r == 0 else PHI0 * he_at_zero(r - 1) / math.sqrt(math.factorial(r))


def test_closed_form_coefficients_are_the_librarys():
    assert relu_mu(2) == pytest.approx(1 / math.sqrt(4 * math.pi), abs=1e-15)
    assert relu_mu(4) == pytest.approx(-1 / math.sqrt(48 * math.pi), abs=1e-15)
    r = np.arange(30)
    np.testing.assert_allclose(theory.hermite_coefficient("relu", r), [relu_mu(k) for k in r], atol=1e-13)
    # Parseval: E relu^2 = 1/2 and E step^2 = 1/2 are the full sums of squares
    assert sum(relu_mu(k) ** 2 for k in range(161)) == pytest.approx(0.5, abs=2e-3)
    assert sum(step_mu(k) ** 2 for k in range(161)) == pytest.approx(0.5, abs=2e-2)


# --- one hidden ReLU layer, by hand -------------------------------------------------------
#
# f(x) = W_2 relu(sigma_w W_1 x / sqrt(d)) / sqrt(m), ||x|| = 1, rho = G_ij = x_i . x_j.
# The pre-activations have variance q = sigma_w^2 / d and correlation rho, so (Mehler, and
# relu(sqrt(q) z) = sqrt(q) relu(z), relu' scale-free)
#   Sigma_1 = q sum_r mu_r^2 G^(r),  dSigma_1 = sum_r nu_r^2 G^(r)    (nu_r = step_mu(r))
#   Theta   = Sigma_1 + sigma_w^2 (G / d) * dSigma_1
#           = q [ sum_r mu_r^2 G^(r) + sum_r nu_r^2 G^(r+1) ]
# (the arc-cosine kernel q [sqrt(1 - rho^2) + 2 rho (pi - arccos rho)] / (2 pi); Theta(x, x) = q).
# With lambda_t = lambda_min(G^(t)), order R and the tail energies tail = 1/2 - sum_{r=0}^R
# of the squares (E relu^2 = E step^2 = 1/2), the layerwise bound (Proposition 2, one layer) is
#   q [ sum_{r=1}^R mu_r^2 lambda_r + tail_mu lambda_{R+1} + sum_{r=0}^R nu_r^2 lambda_{r+1}
#       + tail_nu lambda_{R+2} ],
# the series bound (Proposition 3) the same without the tails, and the upper bound
# (Proposition 4) Theta(x, x) minus the series at g = the largest off-diagonal G_ij:
#   q [ 1 - sum_{r=0}^R mu_r^2 g^r - sum_{r=0}^R nu_r^2 g^(r+1) ].

R = 8                   # a low order, so the tail terms matter
T = 16                  # series degree (>= R + 1: nothing of the one-layer series is cut)


@pytest.fixture(scope="module", params=[(1.0, 6, 5), (1.5, 5, 8)], ids=["sw=1,N>d", "sw=1.5,N<d"])
def one_layer(request):
    sw, n, d = request.param
    # N > d: G is singular, lambda_1 = 0 and the first-order terms vanish (awkward on purpose);
    # N < d: every lambda_t > 0, so every term of the bounds counts
    X = unit_rows(n, d, seed=11)
    G = X @ X.T
    q = sw ** 2 / d
    lam = np.array([np.linalg.eigvalsh(G ** t)[0] for t in range(1, T + 1)])   # lambda_1..lambda_T
    mu2 = np.array([relu_mu(r) ** 2 for r in range(R + 1)])
    nu2 = np.array([step_mu(r) ** 2 for r in range(R + 1)])
    rho = np.clip(G, -1, 1)
    np.fill_diagonal(rho, 1.0)     # exactly: sqrt(1 - rho^2) magnifies the round-off of ||x||^2
    ntk = q * (np.sqrt(1 - rho ** 2) + 2 * rho * (np.pi - np.arccos(rho))) / (2 * np.pi)
    g = G[~np.eye(len(G), dtype=bool)].max()
    hand = {
        "exact": np.linalg.eigvalsh(ntk)[0],
        "layerwise": q * (mu2[1:] @ lam[:R] + (0.5 - mu2.sum()) * lam[R]
                          + nu2 @ lam[:R + 1] + (0.5 - nu2.sum()) * lam[R + 1]),
        "series": q * (mu2[1:] @ lam[:R] + nu2 @ lam[:R + 1]),
        "upper": q * (1 - mu2 @ g ** np.arange(R + 1) - nu2 @ g ** np.arange(1, R + 2)),
    }
    assert g > 0
    bounds = {m: theory.lambda_min_bounds(Architecture(("relu",)), X, method=m, weight_scale=sw,
                                          hermite_order=R, degree=T) for m in ("layerwise", "series")}
    return X, sw, lam, ntk, hand, bounds


def test_one_layer_relu_kernel_is_the_arc_cosine_kernel(one_layer):
    X, sw, _, ntk, hand, _ = one_layer
    np.testing.assert_allclose(theory.infinite_width_ntk(Architecture(("relu",)), X, weight_scale=sw),
                               ntk, rtol=1e-10, atol=0)
    exact = theory.infinite_width_lambda_min(Architecture(("relu",)), X, weight_scale=sw)
    assert exact == pytest.approx(hand["exact"], rel=1e-10)


def test_hadamard_power_eigenvalues(one_layer):
    X, _, lam, _, _, _ = one_layer
    np.testing.assert_allclose(theory.hadamard_lambda_min(X, T), lam, rtol=1e-12, atol=1e-15)


def test_one_layer_relu_bounds_by_hand(one_layer):
    _, _, _, _, hand, bounds = one_layer
    layerwise, series = bounds["layerwise"], bounds["series"]
    assert layerwise.lower == pytest.approx(hand["layerwise"], rel=1e-10)
    assert series.constants["series_lower"] == pytest.approx(hand["series"], rel=1e-10)
    # one layer: the layerwise bound is the series bound plus non-negative tails, so it wins
    assert series.lower == pytest.approx(hand["layerwise"], rel=1e-10)
    assert layerwise.upper == series.upper == pytest.approx(hand["upper"], rel=1e-10)


#: measured (layerwise, series, upper) / exact for the two data sets of the fixture; sigma_w
#: scales every term by sigma_w^2 and leaves the ratios alone. For scale: the trivial upper
#: bound Theta(x, x) would be 2.32 and 1.71 times the exact value.
TIGHTNESS = {(6, 5): (0.204, 0.137, 1.311), (5, 8): (0.654, 0.574, 1.256)}


def test_one_layer_relu_bounds_are_tight(one_layer):
    # how much of the exact lambda_min the library's bounds recover
    X, sw, _, _, _, bounds = one_layer
    exact = theory.infinite_width_lambda_min(Architecture(("relu",)), X, weight_scale=sw)
    layerwise, series, upper = TIGHTNESS[X.shape]
    assert bounds["layerwise"].lower / exact == pytest.approx(layerwise, abs=0.005)
    assert bounds["series"].constants["series_lower"] / exact == pytest.approx(series, abs=0.005)
    assert bounds["layerwise"].upper / exact == pytest.approx(upper, abs=0.005)


# --- the chapter's bracket ------------------------------------------------------------------
#
# notebooks/40_zhu.ipynb, quick mode: 16 MNIST-5k training images (seed 0) scaled to unit
# norm and then to norm sqrt(d) (unit-variance first pre-activations), 16 random
# architectures with three hidden layers and any skips (seed 0). Measured medians:
# layerwise (Prop. 2) lower/exact 0.840, series (Prop. 3) 0.957, upper (Prop. 4)/exact
# 1.41; worst single architecture: layerwise 0.328, upper 1.82. For scale: dropping the
# backward terms of layers >= 2 from Proposition 2 gives a median 0.69, dropping the
# first layer's derivative term 0.38; the trivial upper bound Theta(x, x) gives 5.6.


@pytest.fixture(scope="module")
def chapter_bracket():
    from nascore import data
    from nascore.spaces import mixed

    x, _ = data.load("mnist5k").batch(16, seed=0)
    X = x.flatten(1).double().numpy()
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    archs = mixed.sample(16, 3, skip_slots="all", seed=0)
    frame = chapter.bracket(archs, U, input_norm=math.sqrt(U.shape[1]), cache=False)
    return frame


def test_chapter_bracket_bounds_are_valid(chapter_bracket):
    br = chapter_bracket
    assert (br.lower_layerwise <= br.lower_series * (1 + 1e-12)).all()
    assert (br.lower_series <= br.exact * (1 + 1e-7)).all() and (br.exact <= br.upper * (1 + 1e-7)).all()


def test_chapter_bracket_tightness_ratios(chapter_bracket):
    br = chapter_bracket
    layerwise, series, upper = (br.lower_layerwise / br.exact, br.lower_series / br.exact, br.upper / br.exact)
    assert 0.80 < np.median(layerwise) < 0.88
    assert 0.93 < np.median(series) < 0.98
    assert 1.35 < np.median(upper) < 1.47
    assert layerwise.min() > 0.3 and upper.max() < 1.9
