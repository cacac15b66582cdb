"""Tests of redlib.allocation: the exact solver against the brute-force LP, closed forms, input checks."""
import numpy as np
import pytest

from redlib import Discrete, Group, Uniform, optimal_allocation
from redlib.referee import lp_allocation

RTOL = 1e-7


def rel_err(a, b):
    return abs(a - b) / max(abs(b), 1e-3)


def random_instance(rng, max_types=30, max_levels=10):
    """1-4 groups, 2-`max_types` types, 2-`max_levels` quality levels, alpha around the averages."""
    ng = int(rng.integers(1, 5))
    mass = rng.dirichlet(np.ones(ng))
    groups, lambars = [], []
    for i in range(ng):
        n = int(rng.integers(2, max_types + 1))
        essential = rng.random() < 0.5
        lo = rng.uniform(0.1, 1.0) if essential else 0.0
        r = lo + np.concatenate(([0.0], np.cumsum(rng.uniform(0.02, 0.5, n - 1))))
        p = rng.dirichlet(np.ones(n))
        lam = rng.uniform(0, 3, n)
        if rng.random() < 0.6:
            lam = np.sort(lam)[::-1]  # decreasing weights: the usual case
        lam = lam * rng.uniform(0.2, 2.0)
        groups.append(Group(f"g{i}", Discrete(r, p),
                            weight=(lambda x, r=r, lam=lam: np.interp(x, r, lam)), mass=mass[i]))
        lambars.append(float(np.sum(p * lam)))
    m = int(rng.integers(2, max_levels + 1))
    q = np.sort(rng.choice(np.linspace(0.0, 1.0, 41), m, replace=False))
    objects = Discrete(q, rng.dirichlet(np.ones(m)))
    # alpha below all averages, between them, or above all of them
    where = rng.integers(3)
    lo_l, hi_l = min(lambars), max(lambars)
    alpha = [rng.uniform(0, lo_l), rng.uniform(lo_l, hi_l), rng.uniform(hi_l, hi_l + 2)][where]
    return groups, objects, float(alpha)


@pytest.mark.parametrize("seed", range(40))
def test_solver_matches_lp_on_random_instances(seed):
    rng = np.random.default_rng(1000 + seed)
    groups, objects, alpha = random_instance(rng)
    res = optimal_allocation(groups, objects, alpha)
    assert res.verify()
    lp = lp_allocation(groups, objects, alpha)
    assert rel_err(res.welfare, lp.welfare) <= RTOL, (res.welfare, lp.welfare)
    # the LP optimum cannot beat a feasible mechanism by more than rounding, and vice versa:
    # check the solver's own mechanism evaluates to the reported welfare
    w = sum(ga.mass * np.sum(ga.probs * (alpha * ga.T + ga.lam * ga.U)) for ga in res)
    assert abs(w - res.welfare) <= 1e-12 * max(1.0, abs(w))


def test_solver_matches_lp_on_continuous_grid():
    groups = [Group("poor", Uniform(0.2, 0.6), weight=lambda r: 4.0 * (1.2 - r), mass=0.3),
              Group("middle", Uniform(0.0, 1.0), weight=lambda r: 2.0 * (1.0 - r), mass=0.3),
              Group("rich", Uniform(0.4, 1.0), weight=0.4, mass=0.4)]
    for alpha in (0.3, 1.0, 2.5):
        res = optimal_allocation(groups, Uniform(0, 1), alpha, grid_size=40)
        res.verify()
        lp = lp_allocation(groups, Uniform(0, 1), alpha, grid_size=40)
        assert rel_err(res.welfare, lp.welfare) <= RTOL


def test_single_type_closed_form():
    # one type r, all objects of quality q: free if lam > alpha, full price otherwise
    for lam, alpha in ((2.0, 1.0), (0.5, 1.0)):
        res = optimal_allocation([Group("x", Discrete([0.8]), weight=lam)], Discrete([0.6]), alpha)
        assert res.welfare == pytest.approx(max(lam, alpha) * 0.8 * 0.6, rel=1e-14)
        assert res["x"].payment(0.8) == pytest.approx(0.0 if lam > alpha else 0.48, abs=1e-14)


def test_revenue_maximisation_two_types():
    # alpha large relative to weights: Myerson-like pricing; hand computation
    # types 1, 2 equally likely, lam = 1, alpha = 2, qualities 0.5 and 1 (half each):
    # c = alpha g r + S dr at the lower end: S_1 = 0.5 (1 - 2) = -0.5 -> c = (1 - 0.5, 2) = (0.5, 2)
    # both positive: Q = (0.5, 1); U_1 = 0, U_2 = 0.5; T = (0.5, 1.5)
    res = optimal_allocation([Group("all", Discrete([1.0, 2.0]), weight=1.0)], Discrete([0.5, 1.0]), 2.0)
    ga = res["all"]
    np.testing.assert_allclose(ga.Q, [0.5, 1.0], atol=1e-14)
    np.testing.assert_allclose(ga.T, [0.5, 1.5], atol=1e-14)
    assert res.welfare == pytest.approx(0.5 * (2 * 0.5 + 1 * 0.0) + 0.5 * (2 * 1.5 + 1 * 0.5), rel=1e-14)
    assert ga.menu == [(0.5, 0.5), (1.0, 1.5)]
    assert ga.regions == [(1.0, 2.0, "assortative")]


def closed_form_vbar(r, g, lam, alpha):
    """Chapter 4 (finite types): constant ironed value of a fully random group."""
    lambar = np.sum(g * lam)
    return alpha * r[0] + np.sum(g * (r - r[0]) * lam) + max(0.0, lambar - alpha) * r[0]


def test_fully_random_group_closed_form():
    # strongly decreasing weights, essential good, alpha below the average: fully random
    r = np.array([0.5, 1.0, 1.5, 2.0])
    lam = np.array([8.0, 1.0, 0.5, 0.1])
    g = np.full(4, 0.25)
    group = Group("x", Discrete(r, g), weight=lambda x: np.interp(x, r, lam))
    objects = Discrete([0.2, 0.5, 0.9], [0.3, 0.3, 0.4])
    alpha = 0.5  # Prop. 2 needs alpha * 2.0 <= sum g r lam = 1.49
    res = optimal_allocation([group], objects, alpha)
    ga = res["x"]
    assert ga.is_fully_random
    vbar = closed_form_vbar(r, g, lam, alpha)
    np.testing.assert_allclose(ga.vbar, vbar, rtol=1e-12)
    # everyone gets the mean quality for free (lambar > alpha, essential good): welfare = vbar E[q]
    assert res.welfare == pytest.approx(vbar * objects.mean, rel=1e-12)
    assert ga.regions == [(0.5, 2.0, "free")]
    np.testing.assert_allclose(ga.T, 0.0, atol=0)
    lp = lp_allocation([group], objects, alpha)
    assert rel_err(res.welfare, lp.welfare) <= RTOL


@pytest.mark.parametrize("seed", range(6))
def test_prop2_necessary_condition_and_closed_form(seed):
    # Whenever a group is fully random: its ironed value is the closed form of B4, and
    # Prop. 2's necessary conditions hold: alpha <= lambar and alpha rbar <= int r lam dG.
    rng = np.random.default_rng(seed)
    seen_random = seen_other = 0
    for _ in range(60):
        groups, objects, alpha = random_instance(rng, max_types=12, max_levels=5)
        res = optimal_allocation(groups, objects, alpha)
        for ga in res:
            r, g, lam = ga.types, ga.probs, ga.lam
            if len(ga.blocks) == 1:
                seen_random += 1
                np.testing.assert_allclose(ga.vbar, closed_form_vbar(r, g, lam, alpha), rtol=1e-10)
                assert alpha <= ga.lambda_bar + 1e-12
                assert alpha * r[-1] <= np.sum(g * r * lam) + 1e-12
            else:
                seen_other += 1
    assert seen_random > 0 and seen_other > 0


def test_prop2_condition_on_continuum():
    # uniform [0, 1], lam(r) = k (1 - r)^2: int r lam dG = k / 12, lambar = k / 3.
    # With alpha = 1: Prop. 2 needs k >= 12; below that the group cannot be fully random.
    for k, may_be_random in ((6.0, False), (11.0, False), (30.0, True)):
        g = Group("a", Uniform(0, 1), weight=lambda r, k=k: k * (1 - r) ** 2)
        res = optimal_allocation([g], Uniform(0, 1), 1.0, grid_size=300)
        if not may_be_random:
            assert not res["a"].is_fully_random
        else:
            assert res["a"].is_fully_random  # sufficient condition (quasi-convex V) holds here


def test_prop1_free_tier_for_essential_good():
    # lambar > alpha and an essential good: a pooled bottom tier at price 0 (slides Prop. 1)
    g1 = Group("poor", Uniform(0.3, 1.0), weight=lambda r: 2.5 * (1.0 - r) + 0.2, mass=0.6)
    g2 = Group("rich", Uniform(0.5, 1.5), weight=0.3, mass=0.4)
    res = optimal_allocation([g1, g2], Uniform(0, 1), alpha=0.8, grid_size=200)
    res.verify()
    poor = res["poor"]
    assert poor.lambda_bar > 0.8
    lo, hi, kind = poor.regions[0]
    assert kind == "free" and hi > lo
    assert np.all(poor.payment(poor.types[poor.types <= hi]) == 0.0)
    assert poor.Q[0] > 0
    # the rich group (lambar < alpha, essential) has no free tier
    assert all(kind != "free" for _, _, kind in res["rich"].regions)


def test_prop5_random_group_gets_intermediate_qualities():
    groups = [Group("market", Uniform(0.0, 1.0), weight=0.5, mass=0.5),
              Group("random", Uniform(0.2, 0.6), weight=4.0, mass=0.5)]
    # random group: vbar = alpha r_lo + int (r - r_lo) lam dG + (lambar - alpha) r_lo = 1.6;
    # market group: V(r) = alpha J + lam h = 3.5 r - 1.5 crosses 1.6 inside the support
    objects = Discrete(np.linspace(0.05, 1.0, 20))
    res = optimal_allocation(groups, objects, alpha=2.0, grid_size=100)
    res.verify()
    assert res["random"].is_fully_random
    assert all(k in ("assortative", "excluded") for _, _, k in res["market"].regions)
    q_r, m_r = res["random"].quality_distribution()
    q_m, m_m = res["market"].quality_distribution()
    # qualities the market group gets that lie strictly inside the random group's range carry no mass
    inside = (q_m > q_r.min()) & (q_m < q_r.max())
    assert not np.any(inside)
    assert q_m.min() < q_r.min() and q_m.max() > q_r.max()


def test_quality_shares_partition_supply():
    rng = np.random.default_rng(7)
    groups, objects, alpha = random_instance(rng)
    res = optimal_allocation(groups, objects, alpha)
    total = sum(res.quality_shares.values())
    np.testing.assert_allclose(total, res.supply, atol=1e-12)
    for ga in res:
        q, m = ga.quality_distribution()
        assert np.all(m > 0)
        if len(q):
            assert ga.quality_range == (q.min(), q.max())


def test_payment_and_quality_vectorized_and_ic_off_grid():
    g = Group("a", Uniform(0.1, 1.0), weight=lambda r: 2 * (1 - r), mass=1.0)
    res = optimal_allocation([g], Uniform(0, 1), 0.7, grid_size=50)
    ga = res["a"]
    r = np.linspace(0.1, 1.0, 301)
    Q, T = ga.expected_quality(r), ga.payment(r)
    assert Q.shape == T.shape == r.shape
    assert np.all(np.diff(Q) >= -1e-15) and np.all(T >= 0)
    # every r picks its best menu item: no profitable deviation to any other r'
    U = r * Q - T
    dev = r[:, None] * Q[None, :] - T[None, :] - U[:, None]
    assert dev.max() <= 1e-12
    np.testing.assert_allclose(ga.expected_quality(ga.types), ga.Q)
    with pytest.raises(ValueError, match="r must lie in the support"):
        ga.payment(1.5)


def test_verify_catches_broken_mechanisms():
    groups = [Group("a", Discrete([0.0, 1.0, 2.0]), weight=1.0, mass=0.5),
              Group("b", Discrete([1.0, 3.0]), weight=0.5, mass=0.5)]
    res = optimal_allocation(groups, Discrete([0.3, 1.0]), alpha=1.5)
    assert res.verify()
    ga = res["b"]
    T0 = ga.T.copy()
    ga.T[:] = T0 + np.array([0.0, 5.0])  # the top type now prefers the bottom option
    ga.U[:] = ga.types * ga.Q - ga.T
    with pytest.raises(AssertionError, match="IC violated"):
        res.verify()
    ga.T[:] = T0 - 10.0
    ga.U[:] = ga.types * ga.Q - ga.T
    with pytest.raises(AssertionError, match="negative transfer"):
        res.verify()
    ga.T[:] = T0
    ga.U[:] = ga.types * ga.Q - ga.T
    ga.quality_mass[:] = ga.quality_mass[::-1] + 0.4  # hand out more than the supply
    with pytest.raises(AssertionError, match="feasibility"):
        res.verify()


@pytest.mark.parametrize("make, match", [
    (lambda: optimal_allocation([Group("a", Uniform())], Uniform(), -0.1), "alpha"),
    (lambda: optimal_allocation([Group("a", Uniform(), mass=0.5)], Uniform(), 1.0), "mass"),
    (lambda: optimal_allocation([Group("a", Uniform(), mass=0.5), Group("b", Uniform(), mass=0.6)],
                                Uniform(), 1.0), "mass"),
    (lambda: optimal_allocation([Group("a", Uniform())], Uniform(0, 2), 1.0), "objects"),
    (lambda: optimal_allocation([Group("a", Uniform())], Discrete([0.5, 1.5]), 1.0), "objects"),
    (lambda: optimal_allocation([Group("a", Uniform(), mass=0.5), Group("a", Uniform(), mass=0.5)],
                                Uniform(), 1.0), "duplicate label"),
    (lambda: optimal_allocation([], Uniform(), 1.0), "groups"),
    (lambda: optimal_allocation([Group("a", Uniform(), mass=-1.0)], Uniform(), 1.0), "mass"),
    (lambda: optimal_allocation([Group("a", Uniform(), weight=-1.0)], Uniform(), 1.0), "weight"),
    (lambda: optimal_allocation([Group("a", Uniform(-1, 1))], Uniform(), 1.0), "willingness to pay"),
    (lambda: optimal_allocation([Group("a", Uniform())], Uniform(), 1.0, grid_size=1), "grid_size"),
    (lambda: optimal_allocation([Group("a", Uniform())], [0.5, 1.0], 1.0), (TypeError, "objects")),
    (lambda: optimal_allocation(["a"], Uniform(), 1.0), (TypeError, "groups")),
    # None would collide with the unallocated-supply key of quality_shares
    (lambda: optimal_allocation([Group(None, Uniform())], Uniform(), 1.0), "label"),
    (lambda: optimal_allocation([Group("a", Uniform())], Uniform(), float("nan")), "alpha"),
])
def test_bad_input(make, match):
    exc, match = match if isinstance(match, tuple) else (ValueError, match)
    with pytest.raises(exc, match=match):
        make()


def test_repr_is_readable():
    res = optimal_allocation([Group("a", Uniform(), weight=2.0)], Uniform(), 1.0, grid_size=20)
    text = repr(res)
    assert "welfare" in text and "GroupAllocation(label='a'" in text and "\n" in text
    assert len(text) < 2000


def test_finite_virtual_values_approach_continuum_formula():
    # Chapter 4, virtual value: V(r) = alpha J(r) + Lambda(r) h(r). Uniform [0, 1], lam = 2 (1 - r):
    # h = 1 - r, J = 2 r - 1, Lambda(r) = 1 - r, so V = alpha (2 r - 1) + (1 - r)^2.
    # The finite coefficients c_k / g_k of B4 must approach it as the grid is refined.
    alpha = 0.5
    for n, tol in ((100, 0.01), (800, 0.0013)):  # observed error ~0.74 / n
        res = optimal_allocation([Group("a", Uniform(0, 1), weight=lambda r: 2 * (1 - r))],
                                 Uniform(0, 1), alpha, grid_size=n)
        ga = res["a"]
        r = ga.types
        V = alpha * (2 * r - 1) + (1 - r) ** 2
        err = np.abs(ga.V - V)[1:]  # type 1 carries the (vanishing) atom max(0, lambar - alpha) r_1 / g_1
        assert err.max() <= tol, err.max()
    # the Psi points and their envelope: Psi_0 = sum c, Psi_n = 0, envelope above the points
    assert ga.t[0] == 0.0 and ga.t[-1] == 1.0 and ga.Psi[-1] == 0.0
    assert ga.Psi[0] == pytest.approx(ga.c.sum(), rel=1e-12)
    assert np.all(ga.envelope.values >= ga.Psi - 1e-12)
    # ironed values are minus the envelope slopes, non-decreasing in the type
    np.testing.assert_allclose(ga.vbar, -ga.envelope.slopes, rtol=1e-9, atol=1e-12)
    assert np.all(np.diff(ga.vbar) >= -1e-12)


def test_prop7_fully_random_groups_get_disjoint_ordered_intervals():
    # constant weights, lam > 2 alpha: V linear decreasing, both groups fully random; the group
    # with the larger int r lam dG (A: 4 * 0.4 = 1.6 > B: 5 * 0.3 = 1.5) gets the better interval
    groups = [Group("A", Uniform(0.2, 0.6), weight=4.0, mass=0.5),
              Group("B", Uniform(0.1, 0.5), weight=5.0, mass=0.5)]
    objects = Discrete(np.linspace(0.0, 1.0, 11))
    res = optimal_allocation(groups, objects, alpha=0.5, grid_size=200)
    res.verify()
    assert res["A"].is_fully_random and res["B"].is_fully_random
    # B4 closed form with alpha <= lambar: vbar = int r lam dG (grid midpoints: exact for uniform)
    assert res["A"].vbar[0] == pytest.approx(1.6, rel=1e-9)
    assert res["B"].vbar[0] == pytest.approx(1.5, rel=1e-9)
    qa, qb = res["A"].quality_range, res["B"].quality_range
    assert qb[1] <= qa[0]  # disjoint up to the shared boundary level
    assert qa[1] == 1.0 and qb[0] == 0.0
