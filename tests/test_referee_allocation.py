"""Tests of the brute-force allocation LP (redlib.referee.lp_allocation) on its own terms."""
import numpy as np
import pytest

from redlib import Discrete, Group, Uniform
from redlib.referee import lp_allocation


def check_constraints(lp, tol=1e-8):
    """The LP solution satisfies every constraint it was given (independently re-checked)."""
    q, f = lp.qualities, lp.supply
    given = np.zeros_like(f)
    for label in lp.Q:
        r, g, X, T, Q = lp.types[label], lp.probs[label], lp.X[label], lp.T[label], lp.Q[label]
        np.testing.assert_allclose(Q, X @ q, atol=1e-9)
        assert np.all(X >= -tol) and np.all(X.sum(axis=1) <= 1 + tol)
        U = r * Q - T
        assert np.all(U >= -tol) and np.all(T >= -tol)
        dev = r[:, None] * Q[None, :] - T[None, :] - U[:, None]
        assert dev.max() <= tol
        given += lp.mass[label] * g @ X
    above_given = np.cumsum(given[::-1])[::-1]
    above_supply = np.cumsum(f[::-1])[::-1]
    assert np.all(above_given <= above_supply + tol)
    if lp.feasibility == "per_level":
        assert np.all(given <= f + tol)


def test_single_type_closed_form():
    # one type r = 0.8, all objects of quality 0.6: free if lam > alpha, else charged r q
    for lam, alpha in ((2.0, 1.0), (0.5, 1.0), (1.0, 1.0)):
        lp = lp_allocation([Group("x", Discrete([0.8]), weight=lam)], Discrete([0.6]), alpha)
        assert lp.welfare == pytest.approx(max(lam, alpha) * 0.48, rel=1e-12)


def test_zero_weights_and_revenue_only():
    # alpha = 1, lam = 0: revenue maximisation with two types 1 and 3 (prob 1/2) and one quality 1:
    # posted price 1 gives 1, price 3 gives 1.5 -> 1.5
    lp = lp_allocation([Group("x", Discrete([1.0, 3.0]), weight=0.0)], Discrete([1.0]), 1.0)
    assert lp.welfare == pytest.approx(1.5, rel=1e-12)
    assert lp.revenue == pytest.approx(1.5, rel=1e-12)


def test_scarcity_binds():
    # half the objects have quality 0: only half the agents can get quality 1.
    # one type r = 1 with lam = 2 > alpha = 1: free lottery, welfare = lam * r * E[q] = 2 * 0.5
    lp = lp_allocation([Group("x", Discrete([1.0]), weight=2.0)], Discrete([0.0, 1.0]), 1.0)
    assert lp.welfare == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize("seed", range(12))
def test_dominance_and_per_level_feasibility_agree(seed):
    rng = np.random.default_rng(seed)
    ng = int(rng.integers(1, 4))
    mass = rng.dirichlet(np.ones(ng))
    groups = []
    for i in range(ng):
        n = int(rng.integers(2, 8))
        r = np.sort(rng.choice(np.linspace(0, 2, 41), n, replace=False))
        lam = rng.uniform(0, 3, n)
        groups.append(Group(f"g{i}", Discrete(r, rng.dirichlet(np.ones(n))),
                            weight=lambda x, r=r, lam=lam: np.interp(x, r, lam), mass=mass[i]))
    m = int(rng.integers(2, 7))
    objects = Discrete(np.sort(rng.choice(np.linspace(0, 1, 21), m, replace=False)),
                       rng.dirichlet(np.ones(m)))
    alpha = float(rng.uniform(0, 3))
    dom = lp_allocation(groups, objects, alpha)
    per = lp_allocation(groups, objects, alpha, feasibility="per_level")
    check_constraints(dom)
    check_constraints(per)
    # the per-level feasible set is smaller, so it can only be worse ...
    assert per.welfare <= dom.welfare + 1e-9
    # ... and it is not: both reach the same optimum (module docstring)
    assert abs(per.welfare - dom.welfare) <= 1e-7 * max(abs(dom.welfare), 1e-3)


def test_downgrading_under_dominance_gains_nothing():
    # The two readings differ on lotteries: with dominance, quality-1 objects may be handed out
    # as quality 0.5 (everyone can get 0.5); per level, at most half the agents get 0.5.  Still no
    # gain: only expected quality matters, and the per-level supply reaches the same expected
    # qualities with lotteries (a free lottery over {0.5, 1} for everyone, mean 0.75).
    g = Group("x", Discrete([1.0, 2.0]), weight=3.0)
    objects = Discrete([0.5, 1.0])
    dom = lp_allocation([g], objects, 1.0)
    per = lp_allocation([g], objects, 1.0, feasibility="per_level")
    assert dom.welfare == pytest.approx(per.welfare, rel=1e-9)


def test_continuous_grid_and_bad_input():
    groups = [Group("a", Uniform(0.1, 1.0), weight=lambda r: 2 * (1 - r), mass=0.5),
              Group("b", Uniform(0.0, 1.0), weight=0.5, mass=0.5)]
    lp = lp_allocation(groups, Uniform(0, 1), 0.8, grid_size=10)
    assert len(lp.types["a"]) == 10 and len(lp.qualities) == 10
    assert "LPAllocationResult(welfare=" in repr(lp)
    with pytest.raises(ValueError, match="feasibility"):
        lp_allocation(groups, Uniform(0, 1), 0.8, grid_size=10, feasibility="per-level")
    with pytest.raises(ValueError, match="alpha"):
        lp_allocation(groups, Uniform(0, 1), -1.0, grid_size=10)
    with pytest.raises(ValueError, match="mass"):
        lp_allocation(groups[:1], Uniform(0, 1), 1.0, grid_size=10)
