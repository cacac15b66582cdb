"""Tests of redlib.distributions and redlib._validation against closed forms and scipy."""
import numpy as np
import pytest
import scipy.stats

from redlib import _validation as V
from redlib.distributions import Discrete, Distribution, Tabulated, Truncated, Uniform, check_distribution
from redlib.market import Market

U = np.linspace(0.0, 1.0, 101)


# ------------------------------------------------------------------------------------ Uniform
def test_uniform_closed_forms():
    G = Uniform(1.0, 3.0)
    r = np.array([0.0, 1.0, 1.5, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(G.cdf(r), [0, 0, 0.25, 0.5, 1, 1], atol=0, rtol=1e-15)
    np.testing.assert_allclose(G.pdf(r), [0, 0.5, 0.5, 0.5, 0.5, 0], rtol=1e-15)
    np.testing.assert_allclose(G.quantile(U), 1 + 2 * U, rtol=1e-15)
    assert G.mean == 2.0
    assert G.support == (1.0, 3.0) and (G.lo, G.hi) == (1.0, 3.0)
    assert not G.is_discrete and isinstance(G, Distribution)
    assert G.quantile(1.0) == 3.0 and G.quantile(0.0) == 1.0
    assert isinstance(G.cdf(2.0), float)


def test_uniform_grid_is_equal_mass_midpoints():
    types, probs = Uniform(0, 1).grid(4)
    np.testing.assert_allclose(types, [0.125, 0.375, 0.625, 0.875], rtol=1e-15)
    np.testing.assert_allclose(probs, 0.25)
    types, probs = Uniform().grid()
    assert types.size == 1000 and abs(probs.sum() - 1) < 1e-12
    assert np.all(np.diff(types) > 0)


def test_uniform_expect():
    G = Uniform(0, 2)
    assert abs(G.expect(lambda r: r**2) - 4 / 3) < 1e-12
    assert abs(G.expect(lambda r: np.exp(-r)) - (1 - np.exp(-2)) / 2) < 1e-12


@pytest.mark.parametrize(
    "lo, hi, match",
    [(1, 0, "lo < hi"), (0, 0, "lo < hi"), (np.nan, 1, "finite"), (0, np.inf, "finite"), ("a", 1, (TypeError, "real"))],
)
def test_uniform_bad_support(lo, hi, match):
    exc, match = match if isinstance(match, tuple) else (ValueError, match)
    with pytest.raises(exc, match=match):
        Uniform(lo, hi)


def test_bad_evaluation_points():
    G = Uniform()
    with pytest.raises(ValueError, match="u must be in"):
        G.quantile(1.5)
    with pytest.raises(ValueError, match="u must be in"):
        G.quantile([-0.1, 0.5])
    with pytest.raises(ValueError, match="u must not contain NaN"):
        G.quantile(np.nan)
    with pytest.raises(ValueError, match="r must not contain NaN"):
        G.cdf([0.1, np.nan])
    with pytest.raises(ValueError, match="n must be"):
        G.grid(0)
    with pytest.raises(TypeError, match="n must be an integer"):
        G.grid(2.5)
    assert G.cdf(np.inf) == 1.0 and G.cdf(-np.inf) == 0.0


# ------------------------------------------------------------------------------------ Truncated
@pytest.mark.parametrize("loc, scale, lo, hi", [(0.5, 0.2, 0.0, 1.0), (0.0, 1.0, -0.5, 2.0), (0, 1, 5, 7), (0, 1, -8, -6)])
def test_truncated_normal_matches_scipy_truncnorm(loc, scale, lo, hi):
    T = Truncated(scipy.stats.norm(loc, scale), lo, hi)
    ref = scipy.stats.truncnorm((lo - loc) / scale, (hi - loc) / scale, loc=loc, scale=scale)
    r = np.linspace(lo, hi, 57)
    np.testing.assert_allclose(T.cdf(r), ref.cdf(r), atol=1e-12)
    np.testing.assert_allclose(T.pdf(r), ref.pdf(r), rtol=1e-9)
    np.testing.assert_allclose(T.quantile(U), ref.ppf(U), atol=1e-9 * (hi - lo))
    assert abs(T.mean - ref.mean()) < 1e-9
    assert T.quantile(0.0) == lo and T.quantile(1.0) == hi
    assert T.cdf(lo - 1) == 0.0 and T.cdf(hi + 1) == 1.0 and T.pdf(hi + 1) == 0.0
    # quantile inverts cdf
    np.testing.assert_allclose(T.cdf(T.quantile(U)), U, atol=1e-10)


def test_truncated_exponential_closed_form():
    T = Truncated(scipy.stats.expon(), 0.0, 1.0)
    e = np.exp(-1.0)
    assert abs(T.cdf(0.5) - (1 - np.exp(-0.5)) / (1 - e)) < 1e-14
    assert abs(T.mean - (1 - 2 * e) / (1 - e)) < 1e-12
    u = 0.3
    assert abs(T.quantile(u) - (-np.log(1 - u * (1 - e)))) < 1e-13


def test_truncated_grid_and_redlib_inner():
    T = Truncated(Uniform(0, 4), 1.0, 2.0)
    np.testing.assert_allclose(T.quantile(U), 1 + U, atol=1e-15)
    assert abs(T.mean - 1.5) < 1e-12
    types, probs = Truncated(scipy.stats.norm(), -1, 1).grid(10)
    ref = scipy.stats.truncnorm(-1, 1).ppf((np.arange(10) + 0.5) / 10)
    np.testing.assert_allclose(types, ref, atol=1e-12)
    np.testing.assert_allclose(probs, 0.1)
    assert "norm" in repr(Truncated(scipy.stats.norm(0, 1), -1, 1))


def test_truncated_bad_input():
    with pytest.raises(TypeError, match="dist must be a frozen continuous"):
        Truncated(scipy.stats.poisson(3), 0, 5)
    with pytest.raises(TypeError, match="dist must be a frozen continuous"):
        Truncated(scipy.stats.norm, 0, 5)  # not frozen
    with pytest.raises(TypeError, match="dist must be a frozen continuous"):
        Truncated(Discrete([1, 2]), 1, 2)
    with pytest.raises(ValueError, match="lo < hi"):
        Truncated(scipy.stats.norm(), 1, -1)
    with pytest.raises(ValueError, match="finite"):
        Truncated(scipy.stats.norm(), -np.inf, 1)
    with pytest.raises(ValueError, match="inside the support of dist"):
        Truncated(scipy.stats.expon(), -1, 1)
    with pytest.raises(ValueError, match="positive mass"):
        Truncated(scipy.stats.norm(), 60, 70)  # mass underflows to 0


# ------------------------------------------------------------------------------------ Discrete
def test_discrete_exact():
    D = Discrete([0.0, 1.0, 3.0], [0.5, 0.25, 0.25])
    assert D.is_discrete and D.support == (0.0, 3.0)
    np.testing.assert_array_equal(D.cdf([-1, 0, 0.5, 1, 2.9, 3, 9]), [0, 0.5, 0.5, 0.75, 0.75, 1, 1])
    np.testing.assert_array_equal(D.quantile([0, 0.25, 0.5, 0.5001, 0.75, 0.76, 1]), [0, 0, 0, 1, 1, 3, 3])
    np.testing.assert_array_equal(D.pmf([0, 0.5, 1, 3, 4]), [0.5, 0, 0.25, 0.25, 0])
    assert D.mean == 1.0
    types, probs = D.grid(5)
    np.testing.assert_array_equal(types, [0, 1, 3])
    np.testing.assert_array_equal(probs, [0.5, 0.25, 0.25])
    types[0] = 99.0  # grid returns copies
    assert D.values[0] == 0.0
    assert D.expect(lambda r: r**2) == 0.25 + 9 * 0.25
    with pytest.raises(TypeError, match="pmf"):
        D.pdf(0.0)


def test_discrete_defaults_zero_probs_and_generalized_inverse():
    D = Discrete([1, 2, 3, 4])
    np.testing.assert_allclose(D.probs, 0.25)
    Z = Discrete([1, 2, 3], [0.0, 1.0, 0.0])
    assert Z.quantile(0.3) == 2 and Z.quantile(1.0) == 2
    D = Discrete([0.1, 0.4, 0.5, 0.9], [0.1, 0.2, 0.3, 0.4])
    # G^{-1}(u) is the smallest atom with G >= u
    u = np.linspace(0, 1, 1001)
    q = D.quantile(u)
    assert np.all(D.cdf(q) >= u - 1e-15)
    below = np.array([D.values[max(np.searchsorted(D.values, v) - 1, 0)] for v in q])
    assert np.all((D.cdf(below) < u) | (below == q) | (u == 0))
    np.testing.assert_array_equal(D.quantile(D.cdf(D.values)), D.values)


def test_discrete_from_samples():
    D = Discrete.from_samples([3.0, 1.0, 3.0, 2.0])
    np.testing.assert_array_equal(D.values, [1, 2, 3])
    np.testing.assert_array_equal(D.probs, [0.25, 0.25, 0.5])


@pytest.mark.parametrize(
    "values, probs, match",
    [
        ([2.0, 1.0], None, "values must be strictly increasing"),
        ([1.0, 1.0], None, "values must be strictly increasing"),
        ([], None, "values must have at least 1"),
        ([1.0, np.nan], None, "values must not contain NaN"),
        ([1.0, np.inf], None, "values must be finite"),
        ([[1.0, 2.0]], None, "values must be 1-dimensional"),
        ([1.0, 2.0], [0.5, 0.4], "probs must sum to 1, got 0.9"),
        ([1.0, 2.0], [1.5, -0.5], "probs must be >= 0"),
        ([1.0, 2.0], [1.0], "probs must have length 2"),
        ([1.0, 2.0], [np.nan, 1.0], "probs must not contain NaN"),
    ],
)
def test_discrete_bad_input(values, probs, match):
    with pytest.raises(ValueError, match=match):
        Discrete(values, probs)


def test_discrete_probs_tolerance_and_renormalisation():
    D = Discrete([1.0, 2.0], [0.5, 0.5 + 5e-10])
    assert abs(D.probs.sum() - 1) < 1e-15
    with pytest.raises(ValueError, match="probs must sum to 1"):
        Discrete([1.0, 2.0], [0.5, 0.5 + 1e-8])


# ------------------------------------------------------------------------------------ Tabulated
def test_tabulated_triangle_closed_form():
    # density 2(1 - r) on [0, 1]: G(r) = 1 - (1 - r)^2, G^{-1}(u) = 1 - sqrt(1 - u), mean 1/3
    T = Tabulated([0.0, 0.5, 1.0], [4.0, 2.0, 0.0])  # normalised by the class (mass 2 -> 1)
    r = np.linspace(0, 1, 41)
    np.testing.assert_allclose(T.cdf(r), 1 - (1 - r) ** 2, atol=1e-15)
    np.testing.assert_allclose(T.pdf(r), 2 * (1 - r), atol=1e-15)
    np.testing.assert_allclose(T.quantile(U), 1 - np.sqrt(1 - U), atol=1e-14)
    assert abs(T.mean - 1 / 3) < 1e-15
    assert abs(T.expect(lambda x: x**2) - 1 / 6) < 1e-15
    types, probs = T.grid(100)
    np.testing.assert_allclose(types, 1 - np.sqrt(1 - (np.arange(100) + 0.5) / 100), atol=1e-14)


def test_tabulated_zero_density_at_ends_quantile():
    T = Tabulated([0.0, 1.0, 2.0], [0.0, 1.0, 0.0])  # triangle on [0, 2]
    np.testing.assert_allclose(T.quantile([0.0, 0.125, 0.5, 0.875, 1.0]), [0, 0.5, 1, 1.5, 2], atol=1e-14)


@pytest.mark.parametrize(
    "x, f, match",
    [
        ([0.0], [1.0], "x must have at least 2"),
        ([1.0, 0.0], [1.0, 1.0], "x must be strictly increasing"),
        ([0.0, 1.0], [1.0, -1.0], "density must be >= 0"),
        ([0.0, 1.0], [0.0, 0.0], "density must be positive on the support"),
        ([0.0, 1.0, 2.0, 3.0], [1.0, 0.0, 0.0, 1.0], "zero on the cell"),
        ([0.0, 1.0], [1.0, np.nan], "density must not contain NaN"),
        ([0.0, 1.0], [1.0, 1.0, 1.0], "density must have the length of x"),
    ],
)
def test_tabulated_bad_input(x, f, match):
    with pytest.raises(ValueError, match=match):
        Tabulated(x, f)


# ------------------------------------------------------------------------------------ validation
def test_validation_helpers_messages():
    with pytest.raises(ValueError, match="buyer_mass must be > 0, got -1"):
        V.check_positive("buyer_mass", -1)
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        V.check_nonneg("alpha", -0.5)
    with pytest.raises(ValueError, match="x must be finite"):
        V.check_positive("x", np.inf)
    with pytest.raises(TypeError, match="x must be a real number"):
        V.check_positive("x", True)
    with pytest.raises(ValueError, match="Q must be in"):
        V.check_probability("Q", 1.5)
    with pytest.raises(TypeError, match="k must be an integer"):
        V.check_int("k", 1.0)
    with pytest.raises(ValueError, match="method must be one of"):
        V.check_in("method", "x", ("a", "b"))
    with pytest.raises(TypeError, match="f must be callable"):
        V.check_callable("f", 3)
    with pytest.raises(TypeError, match="dist must be a redlib Distribution"):
        check_distribution("dist", scipy.stats.norm())
    with pytest.raises(TypeError, match="market must be a Market, got str"):
        V.check_instance("market", "m", Market)
    with pytest.raises(ValueError, match="lam must return an array of the shape"):
        V.as_weight_values("lam", np.ones(3), (2,))
    assert V.check_positive("x", np.float64(2)) == 2.0
