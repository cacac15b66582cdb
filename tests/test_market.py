"""Tests of redlib.market: sides, markets, competitive equilibrium, instruments and the map."""
import numpy as np
import pytest

from redlib import (
    Discrete,
    Market,
    Side,
    Uniform,
    classify_instruments,
    competitive_equilibrium,
    inequality_map,
    optimal_mechanism,
    power_weight,
)
from redlib.mechanism import INSTRUMENTS

# Uniform sides discretized on N equal-mass cells: the CE price is the midpoint of a clearing
# interval whose ends are cell types, so it matches the continuum formula only to O(1/N).
N = 2000
TOL = 2.0 / N


def test_side_and_market_basics():
    S = Side(Uniform(), lambda r: 2.0 * (1.0 - r))
    assert S.Lam == pytest.approx(1.0, rel=1e-10)
    m = Market(S, Side(Discrete([1.0, 3.0], [0.75, 0.25]), lambda r: r), buyer_mass=2.5)
    assert m.Lam_S == pytest.approx(1.0, rel=1e-10)
    assert m.Lam_B == pytest.approx(1.5)
    assert m.mu == m.buyer_mass == 2.5
    fm = m.finite(10)
    assert fm.s.size == 10 and fm.b.tolist() == [1.0, 3.0]
    assert fm.Lam_S == pytest.approx(1.0)


@pytest.mark.parametrize("mu", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("Lam_S,Lam_B", [(1.0, 1.0), (2.0, 1.0), (1.0, 3.0)])
def test_ce_uniform_closed_form(mu, Lam_S, Lam_B):
    # G_S(p) = mu (1 - G_B(p)) with uniform [0,1]: p = mu / (1 + mu) = Q
    ce = competitive_equilibrium(Market(Side(Uniform(), Lam_S), Side(Uniform(), Lam_B), mu),
                                 grid_size=N)
    p = mu / (1 + mu)
    assert ce.price == pytest.approx(p, abs=TOL)
    assert ce.quantity == pytest.approx(p, abs=TOL)
    W = Lam_S * p ** 2 / 2 + mu * Lam_B * (1 - p) ** 2 / 2
    assert ce.welfare == pytest.approx(W, abs=3 * max(Lam_S, Lam_B) * max(mu, 1) * TOL)
    assert ce.price_low <= ce.price <= ce.price_high
    assert ce.price_high - ce.price_low <= 2 * TOL


def test_ce_finite_interval_and_midpoint():
    m = Market(Side(Discrete([0.1, 0.5, 0.9])), Side(Discrete([0.2, 0.6, 0.8])))
    ce = competitive_equilibrium(m)
    # at p in [0.5, 0.6]: two sellers (r < p or indifferent) and two buyers (0.6, 0.8) trade
    assert (ce.price_low, ce.price_high) == (0.5, 0.6)
    assert ce.price == pytest.approx(0.55)
    assert ce.quantity == pytest.approx(2 / 3)
    W = (0.55 - 0.1 + 0.55 - 0.5) / 3 + (0.6 - 0.55 + 0.8 - 0.55) / 3
    assert ce.welfare == pytest.approx(W)
    np.testing.assert_allclose(ce.seller_trade, [1, 1, 0])
    np.testing.assert_allclose(ce.buyer_trade, [0, 1, 1])


def test_ce_single_clearing_price_with_indifferent_types():
    m = Market(Side(Discrete([0.2, 0.5]), 2.0), Side(Discrete([0.5, 0.8]), 1.0))
    ce = competitive_equilibrium(m)
    assert ce.price_low == ce.price_high == ce.price == 0.5
    assert ce.quantity == pytest.approx(1.0)  # indifferent types trade: the largest quantity
    assert ce.welfare == pytest.approx(2.0 * 0.5 * 0.3 + 1.0 * 0.5 * 0.3)


def test_ce_partial_trade_of_marginal_type_clears():
    m = Market(Side(Discrete([0.2, 0.5], [0.5, 0.5])), Side(Discrete([0.7], [1.0])), buyer_mass=0.8)
    ce = competitive_equilibrium(m)
    assert ce.price == 0.5
    assert ce.quantity == pytest.approx(0.8)
    assert np.dot([0.5, 0.5], ce.seller_trade) == pytest.approx(0.8 * ce.buyer_trade[0])


def test_ce_no_gains_from_trade():
    m = Market(Side(Discrete([0.6, 0.9])), Side(Discrete([0.1, 0.4])))
    ce = competitive_equilibrium(m)
    assert ce.quantity == 0.0 and ce.welfare == 0.0
    assert ce.price_low == 0.4 and ce.price_high == 0.6


def test_classify_instruments_cases():
    U = Uniform()
    assert optimal_mechanism(Market(Side(U), Side(U)), grid_size=300).instruments == "competitive"
    assert optimal_mechanism(Market(Side(U, 2.0), Side(U)), grid_size=300).instruments == "wedge"
    m = Market(Side(U, power_weight(2.0, 3.0)), Side(U), buyer_mass=0.3)
    assert classify_instruments(optimal_mechanism(m, grid_size=300)) == "rationing"


def test_inequality_map_four_regions():
    im = inequality_map([0.0, 3.0], [1.0, 3.0], buyer_mass=0.3, grid_size=200)
    assert im.codes.shape == (2, 2)
    assert im.instruments.tolist() == [["competitive", "wedge"], ["rationing", "wedge+rationing"]]
    assert [INSTRUMENTS[c] for c in im.codes.ravel()] == im.instruments.ravel().tolist()
    assert np.all(im.gain_over_ce >= -1e-12)
    assert im.gain_over_ce[0, 0] == pytest.approx(0.0, abs=1e-12)
    assert np.all(im.n_prices <= 4)
    assert im.seller_rationing[1, 0] and not im.buyer_rationing[1, 0]


def test_power_weight_average_and_threshold():
    for s in (0.0, 0.5, 2.0):
        S = Side(Uniform(), power_weight(1.7, s))
        assert S.Lam == pytest.approx(1.7, rel=1e-9)
        assert float(S.lam(0.0)[()]) == pytest.approx(1.7 * (1 + s))


# ----------------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("mu", [0.0, -1.0, float("nan"), float("inf")])
def test_bad_buyer_mass(mu):
    with pytest.raises(ValueError, match="buyer_mass"):
        Market(Side(Uniform()), Side(Uniform()), buyer_mass=mu)


@pytest.mark.parametrize("weight", [
    -1.0,
    float("nan"),
    lambda r: -np.ones_like(r),
    lambda r: np.full_like(r, np.nan),
    lambda r: np.ones(3),          # mis-shaped (not vectorized)
    [1.0, 2.0],                    # not a number or callable
    "heavy",
])
def test_bad_weights(weight):
    exc = TypeError if isinstance(weight, (list, str)) else ValueError  # wrong type vs bad value
    with pytest.raises(exc, match="weight"):
        Side(Discrete([0.1, 0.5, 0.7, 0.9]), weight)


def test_bad_weight_on_continuous_side():
    with pytest.raises(ValueError, match="weight"):
        Side(Uniform(), lambda r: 1.0 - 2.0 * r)  # negative for r > 1/2


@pytest.mark.parametrize("values", [[0.3, 0.1], [0.1, 0.1, 0.4]])
def test_unsorted_or_duplicate_finite_types(values):
    with pytest.raises(ValueError, match="values"):
        Side(Discrete(values))


def test_bad_sides_and_map_arguments():
    with pytest.raises(TypeError, match="dist"):
        Side([0.1, 0.2])
    with pytest.raises(TypeError, match="sellers"):
        Market("sellers", Side(Uniform()))
    with pytest.raises(TypeError, match="buyers"):
        Market(Side(Uniform()), None)
    with pytest.raises(TypeError, match="market"):
        competitive_equilibrium(Side(Uniform()))
    for bad, exc in ((0, ValueError), (2.5, TypeError)):  # named as the solvers' parameter
        with pytest.raises(exc, match="grid_size"):
            competitive_equilibrium(Market(Side(Uniform()), Side(Uniform())), grid_size=bad)
        with pytest.raises(exc, match="grid_size"):
            competitive_equilibrium(Market(Side(Discrete([0.1])), Side(Discrete([0.5]))),
                                    grid_size=bad)
    with pytest.raises(ValueError, match="same_side"):
        inequality_map([-1.0], [1.0])
    with pytest.raises(ValueError, match="cross_side"):
        inequality_map([1.0], [0.0])
    with pytest.raises(ValueError, match="sides"):
        inequality_map([1.0], [1.0], sides="left")
    with pytest.raises(TypeError, match="grid_size"):
        inequality_map([1.0], [1.0], grid_size=None)  # checked before any solve
    with pytest.raises(TypeError, match="mechanism"):
        classify_instruments("not a mechanism")
    with pytest.raises(ValueError, match="support"):
        power_weight(1.0, 2.0, lo=1.0, hi=1.0)  # would divide by zero


def _brute_force_clearing(fm):
    """The clearing prices among the types, by checking each one: S-(p) <= D+(p), D-(p) <= S+(p)."""
    s, g, b, h, mu = fm.s, fm.g, fm.b, fm.h, fm.mu
    ok = []
    for p in np.concatenate([s, b]):
        S_minus, S_plus = g[s < p].sum(), g[s <= p].sum()
        D_minus, D_plus = mu * h[b > p].sum(), mu * h[b >= p].sum()
        if S_minus <= D_plus + 1e-12 and D_minus <= S_plus + 1e-12:
            ok.append(p)
    return min(ok), max(ok)


@pytest.mark.parametrize("seed", range(40))
def test_ce_clearing_interval_matches_brute_force(seed):
    # the ends of the clearing interval (found by counting sign changes) are the least and the
    # greatest type at which the market clears, checked type by type
    from _market_instances import random_market

    fm = random_market(seed).finite()
    ce = competitive_equilibrium(fm)
    lo, hi = _brute_force_clearing(fm.positive())
    assert (ce.price_low, ce.price_high) == (lo, hi)
    assert np.dot(fm.g, ce.seller_trade) == pytest.approx(fm.mu * np.dot(fm.h, ce.buyer_trade), abs=1e-12)


@pytest.mark.parametrize("seed", range(12))
def test_ce_with_weights_is_the_reweighted_markets_equilibrium(seed):
    # prices and trades depend on types only: re-valuing the equilibrium with other weights
    # gives the equilibrium of the market with those weights (non-monotone weights included)
    from redlib import FiniteMarket

    from _market_instances import random_market

    fm = random_market(seed).finite().positive()
    rng = np.random.default_rng(seed)
    lam, nu = rng.uniform(0, 3, fm.s.size), rng.uniform(0, 3, fm.b.size)
    other = competitive_equilibrium(FiniteMarket(fm.s, fm.g, lam, fm.b, fm.h, nu, fm.mu))
    got = competitive_equilibrium(fm).with_weights(lam, nu)
    assert (got.price, got.quantity) == (other.price, other.quantity)
    assert got.welfare == pytest.approx(other.welfare, abs=1e-14)
    assert got.seller_surplus + got.buyer_surplus == pytest.approx(got.welfare, abs=1e-14)


def test_ce_with_weights_rejects_bad_weights():
    ce = competitive_equilibrium(Market(Side(Discrete([0.2, 0.6])), Side(Discrete([0.4, 0.8]))))
    with pytest.raises(ValueError, match="lam_S must have one weight per type"):
        ce.with_weights([1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="lam_B"):
        ce.with_weights([1.0, 1.0], [1.0, np.nan])
