"""Tests of the CRRA weight constructors of redlib.weights against closed forms.

Log-normal wealth, log w = m + s Z with Z standard normal, and CRRA utility give

    E[w^{-k}]              = exp(-k m + k^2 s^2 / 2),
    E[w^{-k} 1{w >= c}]    = exp(-k m + k^2 s^2 / 2) * Phi((m - ln c) / s - k s).

With v^K ~ U[0, 1] independent of w and r = v^K w^gamma, an agent of wealth w has type r with
density w^{-gamma} on [0, w^gamma], so

    lambda(r) = E[w^{-2 gamma} 1{w^gamma >= r}] / E[w^{-gamma} 1{w^gamma >= r}].
"""
import numpy as np
import pytest
from scipy import stats

import redlib
from redlib.distributions import Discrete
from redlib.weights import (
    CRRAPopulation,
    SampleWeight,
    crra_marginal_utility,
    crra_population,
    lognormal_sigma_from_shares,
    sample_from_table,
    weights_from_wealth,
)

M, S = 0.3, 0.6


def lognormal_sample(n, m=M, s=S):
    """Deterministic equal-weight sample: the log-normal quantiles at (i - 1/2) / n."""
    return np.exp(m + s * stats.norm.ppf((np.arange(n) + 0.5) / n))


def moment(k, m=M, s=S):
    return np.exp(-k * m + (k * s) ** 2 / 2)


def partial_moment(k, c, m=M, s=S):
    return moment(k, m, s) * stats.norm.cdf((m - np.log(c)) / s - k * s)


def lam_exact(r, gamma, m=M, s=S):
    c = r ** (1 / gamma)
    return partial_moment(2 * gamma, c, m, s) / partial_moment(gamma, c, m, s)


@pytest.mark.parametrize("gamma", [0.5, 1.0, 2.0])
def test_marginal_utility_mean_matches_lognormal_closed_form(gamma):
    w = lognormal_sample(200_000)
    assert abs(np.mean(crra_marginal_utility(w, gamma)) / moment(gamma) - 1) < 2e-3


def test_marginal_utility_values_and_scalar():
    assert crra_marginal_utility(2.0, 1.0) == 0.5
    assert isinstance(crra_marginal_utility(2.0, 1.0), float)
    np.testing.assert_allclose(crra_marginal_utility([1.0, 4.0], 0.5), [1.0, 0.5])
    np.testing.assert_array_equal(crra_marginal_utility([3.0, 7.0], 0.0), [1.0, 1.0])


@pytest.mark.parametrize("gamma", [0.5, 1.0, 2.0])
def test_population_Lam_and_lambda_match_closed_form(gamma):
    w = lognormal_sample(2000)
    v = (np.arange(400) + 0.5) / 400                       # U[0, 1] quantiles
    pop = crra_population(w, v, gamma, bins=40)
    assert isinstance(pop, CRRAPopulation) and isinstance(pop.lam, SampleWeight)
    # Lam is the exact mean over the population; the 2000-point quantile sample itself is within
    # 0.5% of the log-normal moment (its tail is truncated at the extreme quantiles)
    assert pop.Lam == pytest.approx(np.mean(w ** -gamma), rel=1e-12)
    assert abs(pop.Lam / moment(gamma) - 1) < 5e-3
    # interior types: the binned conditional mean against the exact partial-moment ratio
    for q in (0.2, 0.5, 0.8):
        r = float(np.quantile(pop.r, q))
        assert abs(float(pop.lam(r)) / lam_exact(r, gamma) - 1) < 0.03, (gamma, q)
    # the weight falls with r: a high rate of substitution signals wealth
    grid = np.quantile(pop.r, [0.05, 0.35, 0.65, 0.95])
    assert np.all(np.diff(pop.lam(grid)) < 0)


def test_population_distribution_and_unpacking():
    pop = crra_population([1.0, 4.0], [0.5, 1.0], gamma=1.0, bins=2)
    G, lam = pop
    assert isinstance(G, Discrete)
    np.testing.assert_array_equal(G.values, [0.5, 1.0, 2.0, 4.0])
    np.testing.assert_allclose(G.probs, [0.25] * 4)
    # bin means: r = 0.75 (poor, weight 1) and r = 3 (rich, 1/4); linear in between
    np.testing.assert_allclose(lam(G.values), [1.0, 1 - 0.75 * 0.25 / 2.25, 0.25 + 0.75 * 1 / 2.25, 0.25])
    assert pop.Lam == pytest.approx(0.625)
    assert "gamma=1" in repr(pop)


def test_gamma_zero_is_the_quasilinear_benchmark():
    pop = crra_population([1.0, 2.0, 5.0], [0.2, 0.7], gamma=0.0, bins=3)
    np.testing.assert_allclose(pop.lam(pop.dist.values), 1.0)
    assert pop.Lam == 1.0
    np.testing.assert_allclose(pop.dist.values, [0.2, 0.7])   # r = v^K: wealth is irrelevant


def test_weights_from_wealth_is_weights_from_samples_of_vM():
    rng = np.random.default_rng(1)
    w = rng.lognormal(0.0, 0.8, 5000)
    r = rng.uniform(size=w.size) * w
    a = weights_from_wealth(r, w, 1.5, bins=25)
    b = redlib.weights_from_samples(r, w ** -1.5, bins=25)
    grid = np.linspace(r.min(), r.max(), 50)
    np.testing.assert_array_equal(a(grid), b(grid))
    k = weights_from_wealth(r, w, 1.0, method="kernel", bandwidth=0.2)
    assert k.method == "kernel" and k.bandwidth == 0.2


def test_sample_from_table():
    s = sample_from_table([1.0, 2.0, 3.0, 4.0, 5.0], [0.2] * 5, 10)
    np.testing.assert_array_equal(s, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
    s = sample_from_table([1.0, 10.0], [0.25, 0.75], 8)
    np.testing.assert_array_equal(s, [1, 1] + [10] * 6)
    assert sample_from_table([3.0], [1.0], 3).tolist() == [3.0, 3.0, 3.0]


def test_exported_at_top_level():
    for name in ("crra_marginal_utility", "weights_from_wealth", "sample_from_table",
                 "crra_population", "CRRAPopulation", "lognormal_sigma_from_shares"):
        assert getattr(redlib, name) is getattr(redlib.weights, name)


@pytest.mark.parametrize("sigma", [0.3, 0.9, 1.5])
@pytest.mark.parametrize("groups", [2, 5, 10])
def test_lognormal_sigma_recovers_the_closed_form_lorenz_curve(sigma, groups):
    p = np.linspace(0, 1, groups + 1)
    shares = np.diff(stats.norm.cdf(stats.norm.ppf(p) - sigma))
    assert abs(lognormal_sigma_from_shares(100 * shares) - sigma) < 1e-6


def test_lognormal_sigma_of_a_sample():
    # a large log-normal sample's quintile shares give back its sigma (up to sampling error)
    rng = np.random.default_rng(3)
    w = np.sort(rng.lognormal(2.0, 0.7, 200_000))
    shares = [part.sum() for part in np.array_split(w, 5)]
    assert abs(lognormal_sigma_from_shares(shares) - 0.7) < 0.01


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: crra_marginal_utility([1.0, 0.0], 1.0), ValueError, "w must be > 0"),
        (lambda: crra_marginal_utility([1.0, np.nan], 1.0), ValueError, "w must not contain NaN"),
        (lambda: crra_marginal_utility(1.0, -0.5), ValueError, "gamma must be finite and >= 0"),
        (lambda: crra_marginal_utility(1.0, np.inf), ValueError, "gamma must be finite"),
        (lambda: crra_marginal_utility(1.0, "1"), TypeError, "gamma must be a real number"),
        (lambda: crra_marginal_utility(1.0, True), TypeError, "gamma must be a real number"),
        (lambda: weights_from_wealth([0.1, 0.2, 0.3], [1.0, 2.0], 1.0), ValueError, "wealth must have the length"),
        (lambda: weights_from_wealth([0.1, 0.2], [1.0, -1.0], 1.0), ValueError, "wealth must be > 0"),
        (lambda: weights_from_wealth([0.1, 0.2], [1.0, 2.0], 1.0, method="x"), ValueError, "method"),
        (lambda: sample_from_table([2.0, 1.0], [0.5, 0.5], 4), ValueError, "levels"),
        (lambda: sample_from_table([0.0, 1.0], [0.5, 0.5], 4), ValueError, "levels must be > 0"),
        (lambda: sample_from_table([1.0, 2.0], [0.5, 0.6], 4), ValueError, "probs"),
        (lambda: sample_from_table([1.0, 2.0], [0.5, 0.5], 0), ValueError, "size"),
        (lambda: crra_population([1.0, 0.0], [0.5], 1.0), ValueError, "wealth must be > 0"),
        (lambda: crra_population([1.0], [-0.5, 1.0], 1.0), ValueError, "values must be >= 0"),
        (lambda: crra_population([1.0], [0.5], 1.0), ValueError, "at least 2 agents"),
        (lambda: crra_population([1.0, 2.0], [0.5], None), TypeError, "gamma"),
        (lambda: crra_population([1.0, 2.0], [0.5, 1.0], 1.0, bins=0), ValueError, "bins"),
        (lambda: lognormal_sigma_from_shares([50.0]), ValueError, "shares"),
        (lambda: lognormal_sigma_from_shares([10.0, 0.0, 90.0]), ValueError, "shares must be > 0"),
        (lambda: lognormal_sigma_from_shares([60.0, 40.0]), ValueError, "non-decreasing"),
    ],
)
def test_validation_names_the_parameter(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
