"""Tests of the brute-force referee redlib.referee.lp_market on hand-solvable markets."""
import numpy as np
import pytest
from _market_instances import random_market

from redlib import Discrete, Market, Side, Uniform, competitive_equilibrium
from redlib.referee import lp_market


def test_hand_solved_wedge():
    # sellers {0.1, 0.5} (weight 3), buyers {0.4, 0.9} (weight 1): only seller 0.1 and buyer 0.9
    # should trade; the buyer pays 0.9, all revenue goes to sellers: welfare 3 * (0.45 - 0.05)
    m = Market(Side(Discrete([0.1, 0.5]), 3.0), Side(Discrete([0.4, 0.9]), 1.0))
    ref = lp_market(m)
    assert ref.welfare == pytest.approx(1.2, abs=1e-9)
    assert ref.quantity == pytest.approx(0.5, abs=1e-9)


def test_equal_constant_weights_is_efficient_surplus():
    # with equal constant weights transfers are neutral: optimum = efficient surplus = CE welfare
    m = Market(Side(Discrete([0.1, 0.3, 0.6, 0.8])), Side(Discrete([0.2, 0.5, 0.7, 0.9])))
    ref = lp_market(m)
    ce = competitive_equilibrium(m)
    assert ref.welfare == pytest.approx(ce.welfare, abs=1e-9)
    # efficient surplus: match high buyers with low sellers
    eff = 0.25 * ((0.9 - 0.1) + (0.7 - 0.3)) + 0.25 * max(0, 0.5 - 0.6)
    assert ref.welfare == pytest.approx(eff, abs=1e-9)


def test_no_free_lunch_zero_worst_types_and_constraints():
    m = random_market(7)
    for ls in (True, False):
        ref = lp_market(m, lump_sum=ls)
        tol = 1e-7
        assert np.all(ref.U_S >= -tol) and np.all(ref.U_B >= -tol)
        # pairwise IC holds in the returned solution
        s, b = ref.types_S, ref.types_B
        devS = ref.T_S[None, :] - s[:, None] * ref.X_S[None, :]
        devB = b[:, None] * ref.X_B[None, :] - ref.T_B[None, :]
        assert np.all(devS.max(axis=1) <= ref.U_S + tol)
        assert np.all(devB.max(axis=1) <= ref.U_B + tol)
        assert np.dot(ref.probs_S, ref.X_S) == pytest.approx(ref.mu * np.dot(ref.probs_B, ref.X_B),
                                                             abs=tol)
        assert ref.revenue >= -tol
        if not ls:
            assert ref.U_S[-1] == pytest.approx(0.0, abs=tol)
            assert ref.U_B[0] == pytest.approx(0.0, abs=tol)


def test_lump_sum_value_uniform_grid():
    # (Lam_S, Lam_B, mu) = (2, 1, 1) on a coarse grid: welfare near the continuum optimum
    # W = 2 (Q^2/2 + L) + (1-p_B)^2/2 with Q = 0.4, p_B = 0.6, L = 0.08: W = 0.4 (O(1/n) error)
    m = Market(Side(Uniform(), 2.0), Side(Uniform(), 1.0))
    ref = lp_market(m, grid_size=40)
    assert ref.welfare == pytest.approx(0.4, abs=2.0 / 40)
    # that tolerance alone also admits CE welfare 2 (1/8) + 1/8 = 0.375: the lump sum must gain
    # about 0.025 over competitive equilibrium (same discretized market)
    assert ref.welfare > competitive_equilibrium(m, grid_size=40).welfare + 0.02


def test_bad_input():
    with pytest.raises(TypeError, match="market"):
        lp_market(None)
    with pytest.raises(TypeError, match="lump_sum"):
        lp_market(Market(Side(Uniform()), Side(Uniform())), lump_sum=1)


def test_zero_probability_types_are_not_in_the_support():
    # Under No Free Lunch the pinned "worst types" are those of the support (probability > 0);
    # solver and referee must agree on that (a zero-mass type would otherwise act as a lump sum).
    from redlib import optimal_mechanism

    m = Market(Side(Discrete([0.1, 0.3, 0.5, 0.7], [0.5, 0, 0.5, 0]), lambda r: 3 - 2 * r),
               Side(Discrete([0.2, 0.4, 0.9], [0, 0.5, 0.5])), buyer_mass=0.7)
    for ls in (True, False):
        ref = lp_market(m, lump_sum=ls)
        assert ref.types_S.tolist() == [0.1, 0.5] and ref.types_B.tolist() == [0.4, 0.9]
        assert optimal_mechanism(m, lump_sum=ls).welfare == pytest.approx(ref.welfare, rel=1e-9)
