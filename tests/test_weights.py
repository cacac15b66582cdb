"""Tests of redlib.weights against closed forms.

Analytic example (independent values).  v^K ~ U[0, c] independent of v^M ~ U[a, b], 0 < a < b.
The joint density is f = 1 / (c (b - a)) on the rectangle.  With r = v^K / v^M and M(r) = min(b, c / r),
the density of r is g(r) = ∫_a^{M} f m dm = (M^2 - a^2) / (2 c (b - a)), and

    λ(r) = E[v^M | r] = ∫_a^M m^2 dm / ∫_a^M m dm = 2 (M^2 + a M + a^2) / (3 (M + a)),

constant = 2 (a^2 + a b + b^2) / (3 (a + b)) for r <= c / b and decreasing to a at r = c / a.
G(r) = r (a + b) / (2 c) for r <= c / b;  E[r] = (c / 2) ln(b / a) / (b - a);  E[v^M] = (a + b) / 2.
"""
import numpy as np
import pytest
import scipy.integrate

from redlib.distributions import Discrete, Tabulated, Truncated, Uniform
from redlib.weights import (
    JointWeights,
    SampleWeight,
    average_weight,
    evaluate_weight,
    weights_from_joint,
    weights_from_samples,
)

A, B, C = 1.0, 3.0, 2.0


def lam_exact(r, a=A, b=B, c=C):
    r = np.asarray(r, dtype=float)
    with np.errstate(divide="ignore"):
        M = np.minimum(b, c / r)
    return 2 * (M**2 + a * M + a**2) / (3 * (M + a))


def density_exact(r, a=A, b=B, c=C):
    r = np.asarray(r, dtype=float)
    with np.errstate(divide="ignore"):
        M = np.minimum(b, c / r)
    return (M**2 - a**2) / (2 * c * (b - a))


def uniform_joint(k, m):
    return np.full(np.shape(k), 1.0 / (C * (B - A)))


# ------------------------------------------------------------------------------ evaluate_weight
def test_evaluate_weight_constant_and_callable():
    r = np.linspace(0, 1, 5)
    np.testing.assert_array_equal(evaluate_weight(2, r), np.full(5, 2.0))
    np.testing.assert_array_equal(evaluate_weight(0.0, r), np.zeros(5))
    np.testing.assert_allclose(evaluate_weight(lambda x: 2 - x, r), 2 - r)
    np.testing.assert_array_equal(evaluate_weight(lambda x: 3.0, r), np.full(5, 3.0))  # broadcast
    out = evaluate_weight(lambda x: 1 + x, np.ones((2, 3)))
    assert out.shape == (2, 3)
    assert evaluate_weight(np.float64(1.5), 0.2).shape == ()


@pytest.mark.parametrize(
    "weight, match",
    [
        (-1.0, "lam_S must be >= 0"),
        (np.nan, "lam_S returned NaN"),
        (np.inf, "lam_S returned an infinite value"),
        (lambda r: r - 1.0, "lam_S must be >= 0"),
        (lambda r: np.full(r.shape, np.nan), "lam_S returned NaN"),
        (lambda r: np.ones(r.size + 1), "lam_S must return an array of the shape"),
        ("2", "lam_S must be a callable lam\\(r\\) or a non-negative number"),
        (True, "lam_S must be a callable"),
        (np.ones(3), "lam_S must be a callable lam\\(r\\) or a non-negative number, got an array"),
    ],
)
def test_evaluate_weight_bad(weight, match):
    with pytest.raises(ValueError, match=match):
        evaluate_weight(weight, np.linspace(0, 1, 3), name="lam_S")


# ------------------------------------------------------------------------------ average_weight
def test_average_weight_closed_forms():
    assert average_weight(lambda r: r, Discrete([1.0, 3.0], [0.75, 0.25])) == 1.5
    assert average_weight(2.0, Uniform()) == 2.0
    assert abs(average_weight(lambda r: 2 - r, Uniform()) - 1.5) < 1e-13
    assert abs(average_weight(np.exp, Uniform(0, 2)) - (np.exp(2) - 1) / 2) < 1e-12
    # step weight (a kink the quadrature must handle): 3 on [0, 0.3), 1 after -> 0.9 + 0.7
    assert abs(average_weight(lambda r: np.where(r < 0.3, 3.0, 1.0), Uniform()) - 1.6) < 1e-9
    import scipy.stats

    T = Truncated(scipy.stats.norm(0.5, 0.3), 0, 1)
    assert abs(average_weight(lambda r: r, T) - T.mean) < 1e-12
    Tb = Tabulated([0.0, 1.0], [2.0, 0.0])
    assert abs(average_weight(lambda r: 1 + r, Tb) - 4 / 3) < 1e-14


def test_average_weight_bad():
    with pytest.raises(TypeError, match="dist must be a redlib Distribution"):
        average_weight(1.0, None)
    with pytest.raises(ValueError, match="weight must be >= 0"):
        average_weight(lambda r: -r, Discrete([1.0, 2.0]))


# ------------------------------------------------------------------------------ weights_from_joint
@pytest.fixture(scope="module")
def jw():
    return weights_from_joint(uniform_joint, (0, C), (A, B))


def test_joint_lam_closed_form(jw):
    assert isinstance(jw, JointWeights)
    assert jw.dist.support == (0.0, C / A)
    r = np.concatenate([np.linspace(0, C / B, 7), np.linspace(C / B, C / A, 23)])
    np.testing.assert_allclose(jw.lam(r), lam_exact(r), rtol=1e-12)
    # the constant part: E[m^2] / E[m] = (b^3 - a^3) / 3 / ((b^2 - a^2) / 2)
    assert abs(jw.lam(0.1) - 2 * (B**3 - A**3) / (3 * (B**2 - A**2))) < 1e-12
    assert abs(jw.lam(C / A) - A) < 1e-12  # only m = a gives the top type
    assert isinstance(jw.lam(0.1), float)
    assert jw.lam(np.ones((2, 2))).shape == (2, 2)
    assert abs(jw.Lam - (A + B) / 2) < 1e-12
    assert abs(jw.mass - 1.0) < 1e-12
    G, lam = jw
    assert G is jw.dist and lam is jw.lam
    assert "Lam=2" in repr(jw)


def test_joint_distribution_of_r_closed_form(jw):
    G = jw.dist
    # the density is exact at the grid nodes up to the normalisation of the piecewise-linear
    # interpolant by its trapezoid mass; the trapezoid error is h^2/12 ∫ g'' = h^2/12 (g'(c/a) - g'(c/b))
    # with g'(r) = -c / (r^3 (b - a)) on [c/b, c/a]
    h = (C / A) / 2000
    trap = h**2 / 12 * (B**3 - A**3) / (C**2 * (B - A))
    np.testing.assert_allclose(jw.density, density_exact(jw.r_grid), rtol=1.05 * trap, atol=0)
    assert abs(jw.density[0] / density_exact(0.0) - 1) > 0.5 * trap  # the bound is tight, not loose
    r = np.linspace(0, C / A, 301)
    # between nodes: linear-interpolation error h^2/8 max|g''| (g'' = 3c / (r^4 (b - a)), largest at c/b)
    interp = h**2 / 8 * 3 * C / ((C / B) ** 4 * (B - A))
    np.testing.assert_allclose(G.pdf(r), density_exact(r), atol=interp + trap * density_exact(0.0))
    r_low = np.linspace(0, C / B, 11)
    np.testing.assert_allclose(G.cdf(r_low), r_low * (A + B) / (2 * C), rtol=1.05 * trap, atol=0)
    # piecewise-linear interpolation of a convex density: O(h^2) error on the upper part
    rr = np.linspace(C / B, C / A, 11)
    ref = np.array([scipy.integrate.quad(density_exact, 0, t, points=[C / B])[0] for t in rr])
    np.testing.assert_allclose(G.cdf(rr), ref, atol=1e-6)
    assert abs(G.mean - (C / 2) * np.log(B / A) / (B - A)) < 1e-6
    # consistency: ∫ λ dG = E[v^M]
    assert abs(average_weight(jw.lam, G) - jw.Lam) < 1e-6


def test_joint_dependent_density_against_quad():
    # f(k, m) ∝ exp(-k) m on [0, 1] x [1, 2]; compare λ with one-dimensional quad of the formula
    pdf = lambda k, m: np.exp(-k) * m
    res = weights_from_joint(pdf, (0, 1), (1, 2))
    for r in [0.05, 0.3, 0.5, 0.7, 0.95]:
        hi = min(2.0, 1.0 / r)
        num = scipy.integrate.quad(lambda m: m * pdf(r * m, m) * m, 1, hi)[0]
        den = scipy.integrate.quad(lambda m: pdf(r * m, m) * m, 1, hi)[0]
        assert abs(res.lam(r) - num / den) < 1e-12
    ref_mass = scipy.integrate.dblquad(lambda m, k: pdf(k, m), 0, 1, 1, 2)[0]
    assert abs(res.mass - ref_mass) < 1e-10
    ref_EvM = scipy.integrate.dblquad(lambda m, k: m * pdf(k, m), 0, 1, 1, 2)[0] / ref_mass
    assert abs(res.Lam - ref_EvM) < 1e-10
    # v^M and v^K independent here, but λ still falls in r because high r means low m
    lam = res.lam(np.linspace(0, 1, 50))
    assert np.all(np.diff(lam) <= 1e-12)


def test_joint_trims_zero_density():
    # density vanishes for k > 1 although vK_bounds = (0, 2): the support of r shrinks to [0, 1]
    res = weights_from_joint(lambda k, m: (k <= 1.0) * 1.0, (0, 2), (1, 2), grid_size=401)
    assert abs(res.dist.hi - 1.0) < 2 / 400 + 1e-12
    assert res.dist.lo == 0.0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(pdf=3.0), (TypeError, "pdf must be callable")),
        (dict(vM_bounds=(0.0, 1.0)), "vM_bounds must be positive"),
        (dict(vM_bounds=(2.0, 1.0)), "vM_bounds must satisfy lo < hi"),
        (dict(vK_bounds=(0.0, np.inf)), "finite"),
        (dict(vK_bounds=1.0), "vK_bounds must be a pair"),
        (dict(pdf=lambda k, m: k - 0.5), "pdf must be >= 0"),
        (dict(pdf=lambda k, m: np.full(k.shape, np.nan)), "pdf returned NaN"),
        (dict(pdf=lambda k, m: np.zeros(k.shape)), "pdf must have positive mass"),
        (dict(pdf=lambda k, m: np.ones(3)), "pdf must be vectorized"),
        (dict(grid_size=2), "grid_size must be >= 3"),
        (dict(pdf=lambda k, m: ((k < 0.5) | (k > 1.5)) * 1.0, vM_bounds=(1.0, 1.01)), "gap"),
    ],
)
def test_joint_bad_input(kwargs, match):
    args = dict(pdf=uniform_joint, vK_bounds=(0.0, C), vM_bounds=(A, B))
    args.update(kwargs)
    exc, match = match if isinstance(match, tuple) else (ValueError, match)
    with pytest.raises(exc, match=match):
        weights_from_joint(**args)


# ------------------------------------------------------------------------------ weights_from_samples
def sample(n, seed):
    rng = np.random.default_rng(seed)
    k = rng.uniform(0, C, n)
    m = rng.uniform(A, B, n)
    return k / m, m


@pytest.mark.parametrize("method", ["binned", "kernel"])
def test_samples_converge_to_analytic(method):
    grid = np.linspace(0.1, 1.6, 16)
    errs = []
    for n, seed in [(2_000, 1), (200_000, 2)]:
        r, m = sample(n, seed)
        lam = weights_from_samples(r, m, method=method, bins=max(10, int(n ** (1 / 3))))
        assert isinstance(lam, SampleWeight)
        errs.append(np.max(np.abs(lam(grid) - lam_exact(grid))))
    assert errs[1] < 0.03
    assert errs[1] < errs[0] / 2


def test_samples_binned_exact_on_clean_data():
    r = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9])
    vM = np.array([3.0, 3.0, 3.0, 1.0, 1.0, 1.0])
    lam = weights_from_samples(r, vM, bins=2)
    np.testing.assert_allclose(lam([0.0, 0.2, 0.5, 0.8, 1.0]), [3, 3, 2, 1, 1])
    lam = weights_from_samples(r, vM, bins=[0.0, 0.5, 1.0])
    np.testing.assert_allclose(lam(0.5), 2.0)
    lam = weights_from_samples(r, vM, method="kernel", bandwidth=1e-3)
    np.testing.assert_allclose(lam([0.1, 0.9, 50.0, -50.0]), [3, 1, 1, 3])  # far: nearest point
    assert isinstance(lam(0.1), float)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(r=[0.1]), "r must have at least 2"),
        (dict(vM=[1.0, 2.0]), "vM must have the length of r"),
        (dict(vM=[1.0, -1.0, 1.0]), "vM must be >= 0"),
        (dict(r=[0.1, np.nan, 0.3]), "r must not contain NaN"),
        (dict(method="spline"), "method must be one of"),
        (dict(bins=0), "bins must be >= 1"),
        (dict(bins=4), "bins must be <= the sample size"),
        (dict(bins=[0.0, 0.2]), "bins must cover the sample"),
        (dict(bins=[0.5, 0.0]), "bins must be strictly increasing"),
        (dict(method="kernel", bandwidth=0.0), "bandwidth must be > 0"),
        (dict(method="kernel", r=[1.0, 1.0, 1.0]), "r must not be constant"),
    ],
)
def test_samples_bad_input(kwargs, match):
    args = dict(r=[0.1, 0.2, 0.3], vM=[1.0, 2.0, 3.0])
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        weights_from_samples(**args)
