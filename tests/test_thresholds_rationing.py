"""Closed-form rationing thresholds of a uniform market (``redlib.thresholds``) against the solver and
the LP referee.

The solver's onset is found by bisection in the buyer mass ``mu`` on
:func:`redlib.optimal_mechanism` with the library's rationing classifier.  On ``n`` cells per side
the onset is resolved in *cells of quantity*: the solver's quantity and ``r*`` are exact on the
grid, i.e. within one cell ``1/n`` of the continuum, and the classifier does not count a partially
served mass of at most 1.5 cells (a discretization artefact, ``ARTEFACT_CELLS``).  So at the
seller threshold, where ``Q = mu x``, the grid onset lies in ``mu* + [-2.5, 0.5] / (n x)``; the
measured offsets (seeds below, ``n = 60, 120``) lie in ``[-1.4, 0]`` cells, and halve in ``mu``
when ``n`` doubles.  The same argument gives the buyer interval's ends.
"""
import numpy as np
import pytest

from redlib import (Market, ShapeWeight, Side, Uniform, buyer_rationing_interval, optimal_mechanism,
                    power_weight, rationing_cutoff, seller_rationing_threshold)
from redlib.propositions import is_rationed
from redlib.referee import lp_market

N = 120


def _onset(make, side, lo, hi, n=N, steps=16):
    """``mu`` where ``side`` switches between rationed and not, by bisection on the solver."""
    def rationed(mu):
        return is_rationed(getattr(optimal_mechanism(make(mu), grid_size=n), side))

    f_lo, f_hi = rationed(lo), rationed(hi)
    assert f_lo != f_hi, (lo, hi, f_lo)
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        if rationed(mid) == f_lo:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _seller_instances(k, seed=1):
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < k:
        loS = float(rng.choice([0.0, rng.uniform(0.0, 0.5)]))
        wS = float(rng.uniform(0.5, 1.5))
        c, theta = float(rng.uniform(0.5, 2.0)), float(rng.uniform(1.5, 5.0))
        LamB = float(rng.uniform(0.2, 1.0)) * c
        loB, wB = float(rng.uniform(0.0, 1.0)), float(rng.uniform(0.5, 1.5))
        lamS = power_weight(c, theta, loS, loS + wS)
        t = seller_rationing_threshold(lamS, LamB, (loS, loS + wS), (loB, loB + wB))
        if t["mu"] * t["share"] * N < 10:      # fewer than 10 cells of rationed quantity: not resolved
            continue
        out.append((lamS, LamB, (loS, loS + wS), (loB, loB + wB), t))
    return out


SELLERS = _seller_instances(10)


def test_rationing_cutoff_closed_form_theta_2():
    for c, alpha in ((1.0, 1.0), (2.0, 1.5), (0.7, 0.4)):
        expected = (2 * c - np.sqrt(3 * c * alpha - c * c / 2)) / (1.5 * c)
        assert rationing_cutoff(power_weight(c, 2.0), alpha) == pytest.approx(expected, rel=1e-10)


def test_rationing_cutoff_solves_its_equation():
    w = ShapeWeight("power", 3.0, 0.5, 2.0, 1.0)
    r = rationing_cutoff(w, 1.2, 0.5, 2.0)
    x = np.linspace(0.5, r, 200001)
    assert np.trapezoid((x - 0.5) * w(x), x) == pytest.approx(1.2 * (r - 0.5) ** 2, rel=1e-8)
    assert rationing_cutoff(w, 2.5, 0.5, 2.0) == 0.5        # lam(lo) = 4 <= 2 alpha: no pooling


def test_arguments_are_validated():
    with pytest.raises(ValueError, match="alpha"):
        rationing_cutoff(1.0, 0.0)
    with pytest.raises(ValueError, match="non-increasing"):
        rationing_cutoff(ShapeWeight("rising", -2.0, 0.0, 1.0, 1.0), 1.0)
    with pytest.raises(ValueError, match="sellers"):
        seller_rationing_threshold(1.0, 1.0, sellers=(1.0, 0.0))
    with pytest.raises(ValueError, match="buyers"):
        buyer_rationing_interval(1.0, 1.0, buyers=3.0)
    with pytest.raises(ValueError, match="buyer_weight"):
        seller_rationing_threshold(1.0, -1.0)
    with pytest.raises(TypeError):
        seller_rationing_threshold(1.0, "a")


def test_both_regimes_are_drawn():
    kinds = {t["closed_form"] for *_, t in SELLERS}
    assert kinds == {True, False}


@pytest.mark.parametrize("k", range(len(SELLERS)))
def test_seller_threshold_is_the_solvers_onset(k):
    lamS, LamB, sup_S, sup_B, t = SELLERS[k]

    def make(mu):
        return Market(Side(Uniform(*sup_S), lamS), Side(Uniform(*sup_B), LamB), buyer_mass=mu)

    mu_n = _onset(make, "sellers", 0.6 * t["mu"], 1.4 * t["mu"])
    cell = 1.0 / (N * t["share"])
    assert -2.5 * cell <= mu_n - t["mu"] <= 0.5 * cell, (mu_n, t)


def _buyer_instances(k, seed=2):
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < k:
        loS, wS = float(rng.choice([0.0, rng.uniform(0.0, 0.5)])), float(rng.uniform(0.5, 1.5))
        LamS = float(rng.uniform(0.2, 1.0))
        loB, wB = float(rng.uniform(0.0, 1.5)), float(rng.uniform(0.5, 1.5))
        c, theta = float(rng.uniform(0.5, 2.0)) * max(1.0, LamS), float(rng.uniform(1.5, 5.0))
        lamB = power_weight(c, theta, loB, loB + wB)
        t = buyer_rationing_interval(LamS, lamB, (loS, loS + wS), (loB, loB + wB))
        if t["quantity"] * N < 10 or (t["mu_hi"] - t["mu_lo"]) * N < 5 or not all(t["closed_form"]):
            continue
        out.append((LamS, lamB, (loS, loS + wS), (loB, loB + wB), t))
    return out


BUYERS = _buyer_instances(6)


@pytest.mark.parametrize("k", range(len(BUYERS)))
def test_buyer_interval_is_the_solvers(k):
    LamS, lamB, sup_S, sup_B, t = BUYERS[k]

    def make(mu):
        return Market(Side(Uniform(*sup_S), LamS), Side(Uniform(*sup_B), lamB), buyer_mass=mu)

    mid = 0.5 * (t["mu_lo"] + t["mu_hi"])
    lo_n = _onset(make, "buyers", 0.7 * t["mu_lo"], mid)
    hi_n = _onset(make, "buyers", mid, 1.3 * t["mu_hi"])
    assert -2.5 / N <= lo_n - t["mu_lo"] <= 1.0 / N, (lo_n, t)      # Q_B: one seller cell
    cell = 1.0 / (N * t["share"])
    assert -2.5 * cell <= hi_n - t["mu_hi"] <= 0.5 * cell, (hi_n, t)


def _partial_mass(X, U, probs):
    return float(np.sum(probs[(X > 1e-7) & (X < 1 - 1e-7) & (U > 1e-9)]))


def test_lp_referee_at_the_book_example():
    """Formula = solver = LP: quantities and who is rationed on both sides of each threshold."""
    n = 60
    lamS = power_weight(1.0, 2.0)
    t = seller_rationing_threshold(lamS, 0.5)
    for f, rationed in ((0.75, True), (1.25, False)):
        m = Market(Side(Uniform(), lamS), Side(Uniform(), 0.5), buyer_mass=f * t["mu"])
        res, lp = optimal_mechanism(m, grid_size=n), lp_market(m, grid_size=n)
        assert res.welfare == pytest.approx(lp.welfare, rel=1e-7)
        assert (_partial_mass(lp.X_S, lp.U_S, lp.probs_S) > 2.0 / n) is rationed
        if rationed:
            assert lp.quantity == pytest.approx(f * t["mu"] * t["share"], abs=2.0 / n)
    lamB = power_weight(1.0, 2.0, 1.0, 2.0)
    t = buyer_rationing_interval(0.5, lamB, buyers=(1.0, 2.0))
    for mu, rationed in ((0.9 * t["mu_lo"], False), (0.5 * (t["mu_lo"] + t["mu_hi"]), True),
                         (1.1 * t["mu_hi"], False)):
        m = Market(Side(Uniform(), 0.5), Side(Uniform(1.0, 2.0), lamB), buyer_mass=mu)
        res, lp = optimal_mechanism(m, grid_size=n), lp_market(m, grid_size=n)
        assert res.welfare == pytest.approx(lp.welfare, rel=1e-7)
        assert (_partial_mass(lp.X_B, lp.U_B, lp.probs_B) * mu > 2.0 / n) is rationed, mu
        if rationed:
            assert lp.quantity == pytest.approx(t["quantity"], abs=2.0 / n)
