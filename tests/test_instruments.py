"""The instruments of a mechanism result: the one rationing classifier and its thresholds, the
wedge threshold, the clearing multiplier ``eta``, and what a result holds.

The threshold tests use instances just above and just below each documented constant, with the
numbers written out: changing ``RATIONING_TOL``, ``ARTEFACT_CELLS`` or ``ARTEFACT_MASS`` makes them
fail.
"""
import dataclasses
import numbers

import numpy as np
import pytest

import redlib
import redlib.mechanism as M
from redlib import Discrete, Market, Side, SideMechanism, Uniform, optimal_mechanism, power_weight
from redlib.envelope import Envelope
from redlib.market import CompetitiveEquilibrium


def _seller_side(X, price, probs=None, cell_mass=0.0, types=(0.1, 0.5, 0.9)):
    """A seller side posting ``price`` with trade probabilities ``X`` (no lump sum)."""
    types = np.asarray(types, dtype=float)
    probs = np.full(types.size, 1.0 / types.size) if probs is None else np.asarray(probs, float)
    X = np.asarray(X, dtype=float)
    T = price * X
    options = [(price, float(x)) for x in sorted(set(X.tolist()), reverse=True) if x > 0]
    return SideMechanism("sellers", options, 0.0, types, probs, np.ones(types.size), X, T, [], 1.0,
                         cell_mass)


def test_documented_constants():
    assert M.RATIONING_TOL == 1e-9
    assert M.ARTEFACT_CELLS == 1.5 and M.ARTEFACT_MASS == 1e-4
    assert M.RATIONING_TOL is redlib.thresholds.RATIONING_TOL  # one constant, not two copies


@pytest.mark.parametrize("gap, rationed", [(2e-9, True), (0.5e-9, False)])
def test_partial_trade_threshold(gap, rationed):
    # the middle type gains 0.2 per unit and trades with probability 1 - gap
    sm = _seller_side([1.0, 1.0 - gap, 0.0], price=0.7)
    assert sm.is_rationing is rationed
    assert sm.rationed_mass() == (pytest.approx(1 / 3) if rationed else 0.0)
    # the same at the bottom end, X = gap: at price 1.5 the middle type gains 1.0 * gap from trade
    sm = _seller_side([1.0, gap, 0.0], price=1.5)
    assert sm.is_rationing is rationed


@pytest.mark.parametrize("gain, rationed", [(2e-9, True), (0.5e-9, False)])
def test_strict_gain_threshold(gain, rationed):
    # the middle type (r = 0.5) trades half the time at 0.5 + 2 gain: it gains `gain` from trade
    sm = _seller_side([1.0, 0.5, 0.0], price=0.5 + 2 * gain)
    assert sm.is_rationing is rationed


@pytest.mark.parametrize("mass, rationed", [(1.6e-3, True), (1.4e-3, False)])
def test_grid_cell_floor(mass, rationed):
    # one cell = 1e-3: a rationed mass must exceed 1.5 cells on a discretized continuous side
    probs = [0.5, mass, 0.5 - mass]
    sm = _seller_side([1.0, 0.5, 0.0], price=0.7, probs=probs, cell_mass=1e-3)
    assert sm.rationed_mass() == pytest.approx(mass)
    assert sm.is_rationing is rationed
    # for genuinely finite types (cell_mass = 0) any such mass counts
    assert _seller_side([1.0, 0.5, 0.0], price=0.7, probs=probs).is_rationing


@pytest.mark.parametrize("mass, rationed", [(1.2e-4, True), (0.8e-4, False)])
def test_smallest_rationed_mass_on_fine_grids(mass, rationed):
    # one cell = 1e-5 (1.5 cells = 1.5e-5): the floor is then the absolute 1e-4
    sm = _seller_side([1.0, 0.5, 0.0], price=0.7, probs=[0.5, mass, 0.5 - mass], cell_mass=1e-5)
    assert sm.is_rationing is rationed


@pytest.mark.parametrize("factor, expected", [(1.6, "wedge"), (1.4, "competitive")])
def test_wedge_threshold_is_one_and_a_half_cells(factor, expected):
    # uniform sides on 200 cells: cells of width 0.005 on each side at the posted price; a revenue
    # counts as a wedge only above 1.5 * Q * (0.005 + 0.005).  (The fake mechanism must gain over
    # the competitive equilibrium: one that does not is competitive whatever its revenue.)
    res = optimal_mechanism(Market(Side(Uniform()), Side(Uniform())), grid_size=200)
    assert res.instruments == "competitive"
    fake = dataclasses.replace(res, revenue=factor * res.quantity * 0.01, gain_over_ce=0.01)
    assert fake.instruments == expected == redlib.classify_instruments(fake)
    no_gain = dataclasses.replace(fake, gain_over_ce=0.0)
    assert redlib.classify_instruments(no_gain) == "competitive"


def test_rationing_case_on_both_sides_of_the_floor():
    # a solved market whose rationed mass is far above every floor, and its competitive twin
    m = Market(Side(Uniform(), power_weight(2.0, 3.0)), Side(Uniform(), 1.0), buyer_mass=0.3)
    res = optimal_mechanism(m, grid_size=400)
    assert res.sellers.is_rationing and res.sellers.rationed_mass() > 0.05
    assert res.instruments == "rationing"
    flat = optimal_mechanism(Market(Side(Uniform()), Side(Uniform()), buyer_mass=0.3), grid_size=400)
    assert not flat.sellers.is_rationing and flat.instruments == "competitive"


def test_two_price_menu_uses_the_same_classifier():
    side = Side(Uniform(), power_weight(1.0, 3.0))
    assert redlib.optimal_buyer_two_prices(side, Q=0.9, grid_size=1000).rationing is True
    assert redlib.optimal_buyer_two_prices(side, Q=0.2, grid_size=1000).rationing is False


# ---------------------------------------------------------------------------------------- eta
@pytest.mark.parametrize("market", [
    Market(Side(Uniform(), 2.0), Side(Uniform(), 1.0)),
    Market(Side(Uniform(), power_weight(2.0, 3.0)), Side(Uniform(), 1.0), buyer_mass=0.3),
    Market(Side(Uniform(), power_weight(1.0, 2.0)), Side(Uniform(), power_weight(1.0, 3.0)), 1.5),
    Market(Side(Discrete([0.1, 0.3, 0.5]), lambda r: 3 - 4 * r), Side(Discrete([0.2, 0.6]))),
])
def test_eta_supports_both_concave_closures(market):
    res = optimal_mechanism(market, grid_size=300)
    S, B, Q, mu, eta = res.sellers, res.buyers, res.quantity, res.mu, res.eta
    scale = 1e-9 * max(1.0, float(np.abs(S.phi).max()), float(np.abs(B.phi).max()))
    # -eta is a supergradient of co(phi_S) at Q: the tilted hull is maximized at Q
    assert float(S.envelope(Q)) + eta * Q == pytest.approx(float(np.max(S.phi + eta * S.q)), abs=scale)
    # eta is a supergradient of co(phi_B) at Q / mu
    qB = min(Q / mu, float(B.q[-1]))
    assert float(B.envelope(qB)) - eta * qB == pytest.approx(float(np.max(B.phi - eta * B.q)), abs=scale)
    for method in ("dual", "lp"):  # every solution route reports a multiplier with that property
        o = optimal_mechanism(market, grid_size=300, method=method)
        S, B, Q, eta = o.sellers, o.buyers, o.quantity, o.eta
        assert float(S.envelope(Q)) + eta * Q == pytest.approx(float(np.max(S.phi + eta * S.q)), abs=scale)
        qB = min(Q / mu, float(B.q[-1]))
        assert float(B.envelope(qB)) - eta * qB == pytest.approx(float(np.max(B.phi - eta * B.q)), abs=scale)


def test_plot_phi_uses_the_result_eta():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from redlib.plotting.market import plot_phi

    m = Market(Side(Uniform(), 2.0), Side(Uniform(), 1.0))
    res = optimal_mechanism(m, grid_size=200)
    fig = plot_phi(res, m, tilt=True)
    text = fig._suptitle.get_text() if fig._suptitle else " ".join(a.get_title() for a in fig.axes)
    assert f"{res.eta:.3f}" in text
    plt.close(fig)


# ------------------------------------------------------------------------- what results hold
def test_instruments_is_computed_once(monkeypatch):
    res = optimal_mechanism(Market(Side(Uniform(), 2.0), Side(Uniform(), 1.0)), grid_size=200)
    calls = []
    real = M.classify_instruments
    monkeypatch.setattr(M, "classify_instruments", lambda r: calls.append(r) or real(r))
    assert res.instruments == "wedge" and "wedge" in repr(res) and res.instruments == "wedge"
    assert len(calls) == 1  # on first access only, not on every access or repr


def _plain(value):
    if isinstance(value, (np.ndarray, numbers.Number, str, bool, type(None))):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return isinstance(value, (SideMechanism, CompetitiveEquilibrium, Envelope))


def test_results_hold_arrays_and_numbers_not_solver_state():
    res = optimal_mechanism(Market(Side(Uniform(), 2.0), Side(Uniform(), 1.0)), grid_size=200)
    res.sellers.envelope  # noqa: B018  (the cached q, phi, envelope come from the side's own arrays)
    for obj in (res, res.sellers, res.buyers, res.competitive):
        for f in dataclasses.fields(obj):
            assert _plain(getattr(obj, f.name)), (type(obj).__name__, f.name)
        assert set(vars(obj)) <= {f.name for f in dataclasses.fields(obj)}  # nothing else is kept


# ------------------------------------------------------------- optima that are not unique
def _least_revenue_by_linprog(market, grid_size):
    """Least revenue over the optimal lotteries, by scipy's linprog on the full lottery LP with
    a welfare floor (an independent second stage: not the reduced-cost route of the solver)."""
    from scipy.optimize import linprog

    fm = market.finite(grid_size).positive()
    opt = M._Options(fm)
    mu = opt.mu
    kS, pS, qS, WS, cS = opt.seller_columns()
    kB, pB, qB, WB, rB = opt.buyer_columns()
    nS, nB = kS.size, kB.size
    welfare = np.concatenate([WS, mu * WB, [opt.Lam_S, mu * opt.Lam_B]])
    A_eq = np.zeros((3, nS + nB + 2))
    A_eq[0, :nS] = A_eq[1, nS:nS + nB] = 1.0
    A_eq[2, :nS], A_eq[2, nS:nS + nB] = qS, -mu * qB
    budget = np.concatenate([cS, -mu * rB, [1.0, mu]])
    best = linprog(-welfare, A_ub=budget[None], b_ub=[0.0], A_eq=A_eq, b_eq=[1, 1, 0],
                   method="highs")
    W = -best.fun
    revenue = np.concatenate([-cS, mu * rB, [0.0, 0.0]])
    least = linprog(revenue, A_ub=np.stack([budget, -welfare]), b_ub=[0.0, -(W - 1e-12 * abs(W))],
                    A_eq=A_eq, b_eq=[1, 1, 0], method="highs")
    return W, least.fun, -linprog(-revenue, A_ub=np.stack([budget, -welfare]),
                                  b_ub=[0.0, -(W - 1e-12 * abs(W))], A_eq=A_eq, b_eq=[1, 1, 0],
                                  method="highs").fun


def test_instruments_do_not_depend_on_the_optimal_vertex():
    # Regression (chapter 3's map, mu = 0.2, theta = 0.8, ratio 0.5): buyers have one weight,
    # 1 = alpha*, and receive the lump sum, so the buyer price can move within its grid cell at no
    # cost in welfare; the optimal revenue ranges over [0.00325, 0.00461], across the wedge
    # threshold 1.5 Q (two cell widths) = 0.00408.  Column generation returned the top of the
    # range ("wedge"), the duality route the bottom ("competitive").  The solver now reports the
    # optimum of least revenue whatever the route: the label is the market's, not the vertex's.
    from redlib.referee import lp_market

    m = Market(Side(Uniform(), power_weight(0.5, 0.8)), Side(Uniform(), 1.0), buyer_mass=0.2)
    W, least, most = _least_revenue_by_linprog(m, 120)
    assert least == pytest.approx(0.00325, abs=1e-9) and most == pytest.approx(0.0046111, abs=1e-6)
    assert lp_market(m, grid_size=120).welfare == pytest.approx(W, abs=1e-10)
    results = [optimal_mechanism(m, grid_size=120, method=k) for k in ("auto", "dual", "lp")]
    cell = 1 / 120
    for res in results:
        assert res.welfare == pytest.approx(W, abs=1e-12)
        assert res.revenue == pytest.approx(least, abs=1e-10)  # the floor leaves 1e-12 W of slack
        assert res.verify()
        assert least < 1.5 * res.quantity * 2 * cell < most  # the two ends straddle the threshold
        assert res.instruments == "competitive"


@pytest.mark.parametrize("ratio, theta, mu", [(0.5, 0.0, 0.3), (2.0, 3.0, 0.2), (1.0, 6.0, 0.1),
                                              (0.75, 0.0, 0.12), (3.0, 0.4, 0.5)])
def test_least_revenue_matches_an_independent_second_stage(ratio, theta, mu):
    m = Market(Side(Uniform(), power_weight(ratio, theta)), Side(Uniform(), 1.0), buyer_mass=mu)
    W, least, _ = _least_revenue_by_linprog(m, 120)
    for method in ("auto", "dual", "lp"):
        res = optimal_mechanism(m, grid_size=120, method=method)
        assert res.welfare == pytest.approx(W, abs=1e-12)
        assert res.revenue == pytest.approx(least, abs=1e-10), method


def test_a_side_that_trades_in_full_is_not_a_wedge():
    # Finding (seeded random finite markets): when every seller trades, a lump sum to sellers is a
    # higher seller price by another name.  The lottery LP's all-sell rule is priced at the
    # highest seller type only, so it returns price 0.3 plus a lump sum 0.6, revenue 0.6 --
    # labelled "wedge", although sellers receive 0.9 = the buyers' price, the competitive
    # equilibrium, which is optimal.  The optimum is labelled "competitive" whatever the vertex.
    m = Market(Side(Discrete([0.1, 0.3]), 2.0), Side(Discrete([0.6, 0.9]), 1.0), buyer_mass=3.0)
    for method in ("auto", "dual", "lp"):
        res = optimal_mechanism(m, method=method)
        assert res.competitive.price == 0.9 and res.gain_over_ce == pytest.approx(0.0, abs=1e-12)
        assert res.revenue == pytest.approx(0.6, abs=1e-9)  # the representation the LP returns
        received = res.sellers.transfer([0.1, 0.3])  # price plus lump sum
        np.testing.assert_allclose(received, 0.9, atol=1e-9)
        assert res.instruments == "competitive"


@pytest.mark.parametrize("seed", range(10))
def test_equal_constant_weights_are_competitive_whatever_the_vertex(seed):
    # equal constant weights make every transfer neutral: optima that ration an indifferent
    # side's marginal type at a price inside the clearing interval tie with the competitive
    # equilibrium, and the label is "competitive" by every route (the routes' vertices differed)
    from _market_instances import random_market

    from redlib import FiniteMarket

    fm = random_market(seed).finite().positive()
    flat = FiniteMarket(fm.s, fm.g, np.ones_like(fm.s), fm.b, fm.h, np.ones_like(fm.b), fm.mu)
    for method in ("auto", "dual", "lp"):
        res = optimal_mechanism(flat, method=method)
        assert res.gain_over_ce == pytest.approx(0.0, abs=1e-9)
        assert res.instruments == "competitive", method
