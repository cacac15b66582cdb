"""Tests of redlib.one_sided against the closed forms of the book's chapter 2 and brute-force price scans."""
import numpy as np
import pytest
from scipy.integrate import quad
from scipy.optimize import brentq

from redlib import (
    Discrete,
    Side,
    Uniform,
    optimal_buyer_price,
    optimal_buyer_two_prices,
    optimal_seller_price,
    power_weight,
)

# Continuous uniform sides are discretized on N equal-mass cells (types at cell midpoints) and
# every optimal price is a type, so prices match the closed forms only to O(1/N): TOL = 2 cells.
N = 2000
TOL = 2.0 / N


def r_star(lam, Lam):
    """Root r* > 0 of int_0^r x lam(x) dx = Lam r^2 (0 if there is none)."""
    f = lambda r: quad(lambda x: x * lam(x), 0, r)[0] - Lam * r * r  # noqa: E731
    if f(1e-6) <= 0:
        return 0.0
    return brentq(f, 1e-6, 1.0 - 1e-12)


@pytest.mark.parametrize("s", [0.0, 0.5, 1.0, 2.0, 3.0, 6.0])
@pytest.mark.parametrize("Q", [0.1, 0.25, 0.6])
def test_seller_price_closed_form(s, Q):
    lam = power_weight(1.0, s)
    rs = r_star(lam, 1.0)
    assert (rs > 0) == (s > 1)  # r* > 0 iff lam(0) = (1 + s) Lam > 2 Lam
    res = optimal_seller_price(Side(Uniform(), lam), Q, R=0.5, grid_size=N)
    assert res.price == pytest.approx(max(Q, rs), abs=TOL)
    assert res.competitive_price == pytest.approx(Q, abs=TOL)
    if Q < rs - TOL:
        assert res.rationing == pytest.approx(Q / rs, abs=4 * TOL)  # sell w.p. Q / G(p)
    else:
        assert res.rationing == 1.0
    assert res.lump_sum == pytest.approx(0.5 - res.price * Q, abs=1e-12)


def test_seller_price_r_star_known_value():
    # lam(r) = 4 (1 - r)^3: 4 int_0^r x (1-x)^3 dx = r^2 (2 - 4r + 3r^2 - 4r^3/5) = r^2
    # <=> 4r^3/5 - 3r^2 + 4r - 1 = 0, whose root in (0, 1) is r* = 0.32042...
    lam = power_weight(1.0, 3.0)
    rs = r_star(lam, 1.0)
    res = optimal_seller_price(Side(Uniform(), lam), 0.05, grid_size=N)
    assert res.price == pytest.approx(rs, abs=TOL)
    assert rs == pytest.approx(0.3204239479, abs=1e-8)


def _seller_objective(r, g, lam, Q, R, p):
    """Brute-force objective of one seller price p on finite types (indifferent types fill up)."""
    Lam = np.dot(g, lam)
    below = r < p
    Gm = g[below].sum()
    if g[r <= p].sum() < Q - 1e-12:
        return -np.inf
    x = min(1.0, Q / Gm) if Gm > 0 else 1.0
    return x * np.dot(g[below] * lam[below], p - r[below]) + Lam * (R - p * Q)


def _buyer_objective(r, h, lam, Q, R, p):
    Lam = np.dot(h, lam)
    above = r > p
    Hm = h[above].sum()
    if h[r >= p].sum() < Q - 1e-12:
        return -np.inf
    x = min(1.0, Q / Hm) if Hm > 0 else 1.0
    return x * np.dot(h[above] * lam[above], r[above] - p) + Lam * (p * Q - R)


@pytest.mark.parametrize("seed", range(15))
def test_finite_types_price_scan(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 30))
    r = np.sort(rng.choice(np.arange(1, 1000), n, replace=False)) / 1000.0
    g = rng.dirichlet(np.ones(n))
    v = rng.uniform(0, 5, n)
    side = Side(Discrete(r, g), lambda x, v=v, r=r: v[np.searchsorted(r, x)])
    Q = float(rng.uniform(0.05, 1.0))
    R = float(rng.uniform(-1, 1))
    scan = np.unique(np.concatenate([r, np.linspace(r[0] - 0.1, r[-1] + 0.1, 3001)]))
    rs = optimal_seller_price(side, Q, R)
    best = max(_seller_objective(r, g, v, Q, R, p) for p in scan)
    assert rs.objective == pytest.approx(best, abs=1e-12)
    assert rs.objective == pytest.approx(_seller_objective(r, g, v, Q, R, rs.price), abs=1e-12)
    rb = optimal_buyer_price(side, Q, R)
    best = max(_buyer_objective(r, g, v, Q, R, p) for p in scan)
    assert rb.objective == pytest.approx(best, abs=1e-12)
    # two prices can only help (a single price is a special lottery over threshold rules)
    assert optimal_buyer_two_prices(side, Q, R).objective >= rb.objective - 1e-12


@pytest.mark.parametrize("s", [0.0, 0.5, 2.0, 3.0, 6.0])
@pytest.mark.parametrize("Q", [0.1, 0.5, 0.9])
def test_buyer_single_price_is_competitive_full_stop(s, Q):
    res = optimal_buyer_price(Side(Uniform(), power_weight(1.0, s)), Q, R=0.2, grid_size=N)
    assert res.price == res.competitive_price
    assert res.price == pytest.approx(1 - Q, abs=TOL)
    assert res.rationing == 1.0


@pytest.mark.parametrize("seed", range(10))
def test_buyer_single_price_competitive_finite_decreasing_weights(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(2, 30))
    r = np.sort(rng.choice(np.arange(1, 1000), n, replace=False)) / 1000.0
    g = rng.dirichlet(np.ones(n))
    a = float(rng.uniform(0, 8))
    side = Side(Discrete(r, g), lambda x: 1 + a * np.exp(-4 * x))
    for Q in (0.1, 0.4, 0.8):
        res = optimal_buyer_price(side, Q)
        assert res.objective == pytest.approx(res.competitive_objective, abs=1e-13)


@pytest.mark.parametrize("s", [0.0, 0.5, 1.0])
@pytest.mark.parametrize("Q", [0.2, 0.5, 0.95])
def test_two_prices_low_inequality_no_rationing(s, Q):
    res = optimal_buyer_two_prices(Side(Uniform(), power_weight(1.0, s)), Q, grid_size=N)
    assert not res.rationing
    assert res.p_high == pytest.approx(res.competitive_price, abs=TOL)
    assert res.objective == pytest.approx(res.competitive_objective, abs=1e-6)


@pytest.mark.parametrize("s", [3.0, 6.0])
def test_two_prices_high_inequality_large_Q_rations(s):
    side = Side(Uniform(), power_weight(1.0, s))
    big = optimal_buyer_two_prices(side, 0.9, grid_size=N)
    assert big.rationing and big.p_low < big.p_high and 0 < big.delta < 1
    assert big.high_prob == 1.0
    assert big.objective > big.competitive_objective + 1e-4
    small = optimal_buyer_two_prices(side, 0.2, grid_size=N)
    assert not small.rationing


def test_bad_input():
    S = Side(Uniform())
    for Q in (0.0, -0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match="Q"):
            optimal_seller_price(S, Q)
        with pytest.raises(ValueError, match="Q"):
            optimal_buyer_two_prices(S, Q)
    with pytest.raises(ValueError, match="R"):
        optimal_buyer_price(S, 0.5, R=float("inf"))
    with pytest.raises(TypeError, match="side"):
        optimal_seller_price(Uniform(), 0.5)


def test_buyer_full_stop_needs_non_increasing_weights():
    # Counterexample (recorded finding): with weights increasing in r (richer-acting buyers
    # weighted more) a price below the competitive one with rationing beats it.
    res = optimal_buyer_price(Side(Uniform(), lambda r: 0.1 + 3 * r ** 3), 0.2, grid_size=N)
    assert res.price < res.competitive_price - 0.05
    assert res.rationing < 0.8
    assert res.objective > res.competitive_objective + 1e-3
