r"""Checks of the second deck (Akbarpour, Dworczak and Kominers, *Redistributive Allocation
Mechanisms*): :func:`check_adk_prop1` ... :func:`check_adk_prop8`.

Every check solves with :func:`redlib.optimal_allocation`, runs ``verify()`` and compares the
welfare with :func:`redlib.referee.lp_allocation` on a coarser grid of the same instance.

Examples
--------
>>> from redlib.propositions.adk import check_adk_prop3
>>> check_adk_prop3(2, seed=1).ok
True
"""
from __future__ import annotations

import numpy as np
import scipy.stats

from redlib import (Discrete, Group, ShapeWeight, Tabulated, Truncated, Uniform, optimal_allocation,
                    randomization_share, virtual_value)
from redlib.referee import lp_allocation

from .instances import (decreasing_weight, other_groups, random_group_dist,
                        random_group_for_full_random, random_objects, table_weight, with_masses)
from .reports import LP_RTOL, CheckReport, Counterexample, numerical_check

__all__ = ["check_adk_prop1", "check_adk_prop2", "check_adk_prop3", "check_adk_prop4",
           "check_adk_prop5", "check_adk_prop6", "check_adk_prop7", "check_adk_prop8", "HYPOTHESES",
           "solve_and_confirm",
           "cx_adk_prop1_not_essential", "cx_adk_prop3_alpha_below_lambar", "cx_adk_prop5_both_assortative",
           "cx_adk_prop4_atom", "cx_adk_prop6_non_regular", "cx_adk_prop6_alpha_below_lambar",
           "cx_adk_prop6_no_convergence", "cx_adk_prop7_one_assortative", "cx_adk_prop8_one_random",
           "cx_adk_prop8_r_low_positive", "cx_adk_prop8_alpha_below_lambar"]


def _quasi_convex(V, rtol=1e-9):
    scale = max(1.0, float(np.max(np.abs(V))))
    k = int(np.argmin(V))
    d = np.diff(V)
    return bool(np.all(d[:k] <= rtol * scale) and np.all(d[k:] >= -rtol * scale))


def _gdesc(groups, alpha):
    parts = [f"{G.label}: {G.dist!r}, lam={getattr(G.weight, '__name__', G.weight)}, mass={G.mass:.3g}"
             for G in groups]
    return f"alpha={alpha:.4g}; " + "; ".join(parts)


def solve_and_confirm(rep, groups, objects, alpha, n, desc, why, lp_grid=24):
    """Solve with :func:`redlib.optimal_allocation`, ``verify()``, confirm with the LP referee.

    Parameters
    ----------
    rep : CheckReport
        Receives the LP gap.
    groups, objects, alpha
        The instance.
    n : int
        Grid of the solve.
    desc : str
        Unused (kept for call-site symmetry).
    why : list of str
        Problems are appended here.
    lp_grid : int, default 24
        Coarser grid of the LP comparison (0: skip).

    Returns
    -------
    AllocationResult

    Examples
    --------
    >>> from redlib import Group, Uniform
    >>> from redlib.propositions import CheckReport
    >>> why = []
    >>> res = solve_and_confirm(CheckReport("x"), [Group("g", Uniform(), 0.5)], Uniform(), 1.0, 20, "", why, 10)
    >>> why
    []
    """
    res = optimal_allocation(groups, objects, alpha, grid_size=n)
    try:
        res.verify()
    except AssertionError as exc:
        why.append(f"verify() failed: {exc}")
    if lp_grid:
        # the brute-force LP has O(n^2) constraints per group: confirm on a coarser grid of the
        # same instance (solver and LP on identical finite types)
        small = res if lp_grid == n else optimal_allocation(groups, objects, alpha, grid_size=lp_grid)
        lp = lp_allocation(groups, objects, alpha, grid_size=lp_grid)
        if rep.add_gap(small.welfare, lp.welfare) > LP_RTOL:
            why.append(f"solver welfare {small.welfare:.10g} != LP referee {lp.welfare:.10g} "
                       f"({lp_grid} types)")
    return res


def _pooled_served_blocks(ga):
    """Blocks of >= 2 types that receive objects."""
    return [(lo, hi) for lo, hi in ga.blocks if hi > lo and ga.Q[lo] > 1e-12]


def _fully_random(ga):
    return len(ga.blocks) == 1 and len(ga.types) > 1 and ga.Q[0] > 1e-12


def _fully_assortative(ga):
    return not _pooled_served_blocks(ga)


@numerical_check()
def check_adk_prop1(n_instances=20, seed=0, grid_size=120, lp_grid=24):
    r"""ADK Proposition 1 (affirmative action and in-kind transfers).

    *If* :math:`\bar\lambda_i > \alpha` *and the good is essential* (:math:`\underline r_i > 0`),
    *there is* :math:`r_i^* > \underline r_i` *such that the allocation is random at a price of 0 for
    all types* :math:`r \le r_i^*`.

    Instances: a target group with uniform, truncated-normal, multi-modal or three-piece ``G`` on ``[lo, hi]``,
    ``lo`` in ``[0.2, 1]``, non-increasing weight, ``alpha = lambar / k`` with ``k`` in
    ``[1.2, 3]``; 0-2 other random groups; objects uniform or discrete.  Conclusion on
    :func:`redlib.optimal_allocation`: the target group's bottom block contains at least two grid
    types (so ``r* > r_low`` on the grid), receives objects, all its types pay exactly 0 and share
    one expected quality (region ``"free"``); ``verify()``; LP referee.

    {parameters}

    Examples
    --------
    >>> check_adk_prop1(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("ADK Proposition 1 (free bottom tier)", notes=(
        f"lambar >= 1.2 alpha, r_low >= 0.2, {grid_size} types per group"))
    for _ in range(n_instances):
        lo = float(rng.uniform(0.2, 1.0))
        hi = lo + float(rng.uniform(0.3, 1.5))
        Lam = float(rng.uniform(0.5, 3.0))
        w = decreasing_weight(rng, lo, hi, Lam, float(rng.uniform(1.0, 5.0)))
        d = random_group_dist(rng, lo, hi)
        lambar = float(virtual_value(d, w, 1.0)["lambda_bar"])
        alpha = lambar / float(rng.uniform(1.2, 3.0))
        groups = [Group("target", d, w)] + other_groups(rng, int(rng.integers(0, 3)))
        groups = with_masses(rng, groups)
        objects = random_objects(rng)
        desc = _gdesc(groups, alpha) + f"; objects {objects!r}"
        why = []
        res = solve_and_confirm(rep, groups, objects, alpha, grid_size, desc, why, lp_grid)
        ga = res["target"]
        lo_b, hi_b = ga.blocks[0]
        scale = max(1.0, float(ga.types[-1]))
        if hi_b < 1:
            why.append("bottom block is a single grid type")
        if ga.Q[0] <= 1e-12:
            why.append("bottom block gets no object")
        if np.any(np.abs(ga.T[: hi_b + 1]) > 1e-12 * scale):
            why.append(f"bottom block pays {ga.T[: hi_b + 1].max():.3g} > 0")
        if np.ptp(ga.Q[: hi_b + 1]) > 1e-12:
            why.append("bottom block does not share one expected quality")
        if ga.regions[0][2] != "free":
            why.append(f"first region is {ga.regions[0][2]!r}")
        rep.record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_adk_prop1(grid_size)
    return rep


def _cx_adk_prop1(grid_size=120):
    d = Uniform(0.5, 1.5)
    w = ShapeWeight("power", 1.0, 0.5, 1.5, 1.0)
    res = optimal_allocation([Group("g", d, w)], Uniform(0, 1), alpha=1.5, grid_size=grid_size)
    ga = res["g"]
    fails = ga.regions[0][2] != "free"
    return Counterexample(
        f"one group, G = U[0.5, 1.5], lam = {w.__name__} (lambar = 1), alpha = 1.5",
        "lambar > alpha", bool(fails),
        f"regions {[(round(a, 3), round(b, 3), k) for a, b, k in ga.regions]}; lowest type pays {ga.T[0]:.4f}")


@numerical_check()
def check_adk_prop2(n_instances=20, seed=0, grid_size=120, lp_grid=24):
    r"""ADK Proposition 2 (a fully random allocation).

    *Necessary for full randomization in group i:*
    :math:`\alpha \bar r_i \le \int r \lambda_i(r)\, dG_i(r)` (1) (and :math:`\alpha < \bar\lambda_i`);
    *sufficient: (1) and quasi-convexity of* :math:`\alpha J_i + \Lambda_i h_i`.

    Instances (one target group plus 0-2 others): ``G`` uniform, truncated normal, multi-modal or three-piece on
    ``[lo, hi]`` with ``lo`` in ``[0, 1]``, non-increasing weight.  "Sufficient" instances:
    ``alpha = int r lam dG / (hi (1 + m))``, ``m`` in ``[0.05, 0.5]`` (so (1) holds with a 5%
    margin) and ``V`` quasi-convex (checked on 4001 points; instances where it is not are
    replaced); conclusion: the group is fully random (one pooled block receiving objects).
    "Necessary" instances: ``alpha = int r lam dG / (hi (1 - m))`` (so (1) fails by at least 5%);
    conclusion: not fully random.  Every instance: ``verify()`` and LP referee; and whenever a
    group is fully random, ``lambar > alpha``.

    {parameters}

    Examples
    --------
    >>> check_adk_prop2(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("ADK Proposition 2 (full randomization)", notes=(
        f"(1) holds / fails with a 5% margin; V quasi-convex on 4001 points; {grid_size} types"))
    for i in range(n_instances):
        sufficient = i % 2 == 0
        for _attempt in range(20):
            lo = float(rng.uniform(0.0, 1.0))
            hi = lo + float(rng.uniform(0.3, 1.5))
            w = decreasing_weight(rng, lo, hi, float(rng.uniform(0.5, 3.0)), float(rng.uniform(1.0, 5.0)))
            d = random_group_dist(rng, lo, hi)
            vv = virtual_value(d, w, 1.0)
            m = float(rng.uniform(0.05, 0.5))
            alpha = vv["int_r_lam"] / (hi * (1 + m)) if sufficient else vv["int_r_lam"] / (hi * (1 - m))
            if not sufficient or _quasi_convex(virtual_value(d, w, alpha)["V"]):
                break
        groups = [Group("target", d, w)] + other_groups(rng, int(rng.integers(0, 3)))
        groups = with_masses(rng, groups)
        objects = random_objects(rng)
        desc = (f"[{'sufficient' if sufficient else 'necessary'}] " + _gdesc(groups, alpha)
                + f"; objects {objects!r}")
        why = []
        res = solve_and_confirm(rep, groups, objects, alpha, grid_size, desc, why, lp_grid)
        for ga in res:
            if _fully_random(ga) and not ga.lambda_bar > alpha:
                why.append(f"group {ga.label} fully random with lambar {ga.lambda_bar:.4g} <= alpha")
        fr = _fully_random(res["target"])
        if sufficient and not fr:
            why.append(f"not fully random: regions {res['target'].regions}")
        if not sufficient and fr:
            why.append("fully random although (1) fails")
        rep.record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_adk_prop2(grid_size)
    return rep


def _cx_adk_prop2(grid_size=120):
    """(1) holds but V is not quasi-convex (non-monotone weight): not fully random."""
    d = Uniform(0.5, 1.5)
    w = ShapeWeight("hump", (0.05, 0.9, 0.03), 0.5, 1.5, 1.0)
    vv = virtual_value(d, w, 1.0)
    alpha = vv["int_r_lam"] / (1.5 * 1.1)
    qc = _quasi_convex(virtual_value(d, w, alpha)["V"])
    res = optimal_allocation([Group("g", d, w)], Uniform(0, 1), alpha=alpha, grid_size=grid_size)
    ga = res["g"]
    fails = not _fully_random(ga)
    return Counterexample(
        f"one group, G = U[0.5, 1.5], lam = {w.__name__}, alpha = {alpha:.4f} ((1) holds)",
        f"quasi-convexity of alpha J + Lam h (here quasi-convex: {qc})", bool(fails and not qc),
        f"regions {[(round(a, 3), round(b, 3), k) for a, b, k in ga.regions]}")


@numerical_check()
def check_adk_prop3(n_instances=20, seed=0, grid_size=120, lp_grid=24):
    r"""ADK Proposition 3 (assortative matching at the top).

    *If Pareto weights are non-increasing and* :math:`\alpha \ge \bar\lambda_i`, *matching is
    assortative for all types above some* :math:`r_i^* < \bar r_i`.

    Instances: 1-3 groups; the target group has a discrete (random values, probabilities and a
    non-increasing weight table), uniform, truncated-normal, multi-modal or three-piece ``G`` with a non-increasing weight;
    ``alpha = lambar * k``, ``k`` in ``[1, 2]``.  Conclusion: the target group's top type is not
    pooled (region ``"assortative"`` at the top) and gets an object; ``verify()``; LP referee.
    (On finite types this holds exactly: with ``alpha >= lambar`` and non-increasing weights every
    utility-step coefficient ``S_k`` is ``<= 0``, so each type's virtual value is below
    ``alpha r_n``, the top type's.)

    {parameters}

    Examples
    --------
    >>> check_adk_prop3(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("ADK Proposition 3 (assortative at the top)", notes=(
        f"alpha in [1, 2] lambar, non-increasing weights, {grid_size} types per continuous group"))
    for _ in range(n_instances):
        if rng.random() < 0.4:
            k = int(rng.integers(2, 12))
            vals = np.sort(rng.choice(np.arange(0, 300), size=k, replace=False)) / 100.0
            d = Discrete(vals, rng.dirichlet(np.ones(k)))
            lamv = np.sort(rng.uniform(0.1, 5.0, size=k))[::-1]
            w = table_weight(vals, lamv)
            lambar = float(np.dot(d.grid()[1], lamv))
        else:
            lo = float(rng.choice([0.0, rng.uniform(0.0, 1.0)]))
            hi = lo + float(rng.uniform(0.3, 1.5))
            w = decreasing_weight(rng, lo, hi, float(rng.uniform(0.5, 3.0)), float(rng.uniform(1.0, 8.0)))
            d = random_group_dist(rng, lo, hi)
            lambar = float(virtual_value(d, w, 1.0)["lambda_bar"])
        alpha = lambar * float(rng.uniform(1.0, 2.0))
        groups = [Group("target", d, w)] + other_groups(rng, int(rng.integers(0, 3)))
        groups = with_masses(rng, groups)
        objects = random_objects(rng)
        desc = _gdesc(groups, alpha) + f"; objects {objects!r}"
        why = []
        res = solve_and_confirm(rep, groups, objects, alpha, grid_size, desc, why, lp_grid)
        ga = res["target"]
        lo_b, hi_b = ga.blocks[-1]
        if hi_b > lo_b:
            why.append(f"top block pools types {lo_b}..{hi_b}")
        if ga.Q[-1] <= 1e-12:
            why.append("top type gets nothing")
        if ga.regions[-1][2] != "assortative":
            why.append(f"top region is {ga.regions[-1][2]!r}")
        rep.record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_adk_prop3(grid_size)
    return rep


def _cx_adk_prop3(grid_size=120):
    """Weights rising steeply at the top (lam(hi) > 2 alpha): the top is pooled."""
    d = Uniform(0.0, 1.0)
    w = ShapeWeight("rising", -8.0, 0.0, 1.0, 1.0)
    alpha = 1.0
    res = optimal_allocation([Group("g", d, w)], Uniform(0, 1), alpha=alpha, grid_size=grid_size)
    ga = res["g"]
    lo_b, hi_b = ga.blocks[-1]
    fails = hi_b > lo_b
    return Counterexample(
        f"one group, G = U[0, 1], lam = {w.__name__} (lambar = 1 = alpha, lam(1) = {float(w(1.0)):.2f})",
        "non-increasing Pareto weights", bool(fails),
        f"top region {ga.regions[-1][2]!r} on [{ga.regions[-1][0]:.3f}, {ga.regions[-1][1]:.3f}]")


@numerical_check()
def check_adk_prop4(n_instances=20, seed=0, grid_size=120, lp_grid=24):
    r"""ADK Proposition 4 (fully assortative matching).

    *Suppose* :math:`\alpha \ge \bar\lambda_i` *and* :math:`\underline r_i = 0`.  *Assortative
    matching is optimal iff* :math:`V_i = \alpha J_i + \Lambda_i h_i` *is non-decreasing.*

    "If" instances: ``G`` uniform on ``[0, hi]`` with non-increasing weight and
    ``lam(0) <= 1.8 alpha`` (then ``V' = 2 alpha - lam >= 0.2 alpha``), or truncated normal with a
    constant weight and ``V`` checked non-decreasing (margin) on 4001 points; conclusion: fully
    assortative (no pooled block receives objects).
    "Only if" instances: a weight with a bump (not monotone) such that ``V`` strictly decreases
    at some ``r0`` while ``V > 0`` on all of ``[r0, hi]`` (checked on 4001 points); conclusion: some
    pooled block receives objects.  (Read literally the "only if" needs this qualifier: where
    ``V`` decreases only at negative values, the pooled types receive nothing and the allocation
    of the objects that are allocated is still assortative -- see the report's counterexample.)
    All instances: ``verify()``, LP referee.

    {parameters}

    Examples
    --------
    >>> check_adk_prop4(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("ADK Proposition 4 (fully assortative iff V non-decreasing)", notes=(
        f"r_low = 0, alpha >= lambar; margins on V' (0.2 alpha) and on V > 0; {grid_size} types"))
    for i in range(n_instances):
        if_part = i % 2 == 0
        hi = float(rng.uniform(0.5, 2.0))
        for _attempt in range(50):
            if if_part:
                alpha = float(rng.uniform(0.5, 3.0))
                if rng.random() < 0.6:
                    d = Uniform(0.0, hi)
                    Lam = alpha * float(rng.uniform(0.3, 0.9))
                    w = decreasing_weight(rng, 0.0, hi, Lam, min(1.8 * alpha / Lam, float(rng.uniform(1.0, 6.0))))
                else:
                    d = Truncated(scipy.stats.norm(float(rng.uniform(0.3, 1.0)) * hi,
                                                   float(rng.uniform(0.3, 1.0)) * hi), 0.0, hi)
                    w = ShapeWeight("const", 0.0, 0.0, hi, alpha * float(rng.uniform(0.3, 1.0)))
                vv = virtual_value(d, w, alpha)
                slope = np.diff(vv["V"]) / np.diff(vv["r"])
                if vv["lambda_bar"] <= alpha and slope.min() >= 0.05 * alpha:
                    break
            else:
                d = Uniform(0.0, hi)
                base, center, width = float(rng.uniform(0.05, 0.3)), float(rng.uniform(0.55, 0.8)), \
                    float(rng.uniform(0.03, 0.08))
                w = ShapeWeight("hump", (base, center, width), 0.0, hi, 1.0)
                lam_peak = float(w(center * hi))
                alpha = lam_peak / float(rng.uniform(2.5, 4.0))
                vv = virtual_value(d, w, alpha)
                r, V = vv["r"], vv["V"]
                slope = np.diff(V) / np.diff(r)
                tail_min = np.minimum.accumulate(V[::-1])[::-1]  # min of V on [r, hi]
                good = (slope < -0.1 * alpha) & (tail_min[:-1] > 0.02 * alpha * hi)
                if vv["lambda_bar"] <= alpha and good.any():
                    break
        else:
            rep.skipped += 1
            continue
        groups = [Group("target", d, w)] + other_groups(rng, int(rng.integers(0, 2)))
        groups = with_masses(rng, groups)
        objects = Uniform(0.0, 1.0)
        desc = f"[{'if' if if_part else 'only if'}] " + _gdesc(groups, alpha)
        why = []
        res = solve_and_confirm(rep, groups, objects, alpha, grid_size, desc, why, lp_grid)
        fa = _fully_assortative(res["target"])
        if if_part and not fa:
            why.append(f"pooled blocks receiving objects: {_pooled_served_blocks(res['target'])}")
        if not if_part and fa:
            why.append("fully assortative although V decreases where it is positive")
        rep.record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_adk_prop4(grid_size)
    return rep


def _cx_adk_prop4(grid_size=120):
    """Literal 'only if' fails: V decreasing only where V < 0, yet assortative (pooled types excluded)."""
    d = Uniform(0.0, 1.0)
    w = ShapeWeight("power", 3.0, 0.0, 1.0, 1.0)  # lam(0) = 4 > 2 alpha
    alpha = 1.25
    vv = virtual_value(d, w, alpha)
    res = optimal_allocation([Group("g", d, w)], Uniform(0, 1), alpha=alpha, grid_size=grid_size)
    n_lp = min(grid_size, 40)
    small = optimal_allocation([Group("g", d, w)], Uniform(0, 1), alpha=alpha, grid_size=n_lp)
    lp = lp_allocation([Group("g", d, w)], Uniform(0, 1), alpha=alpha, grid_size=n_lp)
    ga = res["g"]
    dec = np.diff(vv["V"]) < 0
    return Counterexample(
        f"one group, G = U[0, 1], lam = {w.__name__}, alpha = {alpha} (r_low = 0, alpha >= lambar = 1)",
        "none -- a caveat on reading 'only if': V decreases only where V < 0",
        bool(_fully_assortative(ga) and dec.any()),
        f"V decreasing on [0, {vv['r'][1:][dec].max():.3f}] where V <= {vv['V'][1:][dec].max():.3f} < 0; "
        f"regions {[(round(a, 3), round(b, 3), k) for a, b, k in ga.regions]}; "
        f"on {n_lp} types: assortative {_fully_assortative(small['g'])}, welfare {small.welfare:.8f} = LP "
        f"{lp.welfare:.8f}")


@numerical_check()
def check_adk_prop5(n_instances=20, seed=0, grid_size=120, lp_grid=24):
    r"""ADK Proposition 5 (intermediate quality to the random-allocation group).

    *Two groups; group 1 assortative, group 2 fully random.  Then group 2 gets the qualities in
    some* :math:`[\underline q, \bar q]` *and group 1 gets* :math:`[0, \underline q) \cup (\bar q, 1]`.

    Instances: group 1 uniform on ``[0, hi_1]`` with a constant weight ``<= alpha`` (so
    ``V_1' = 2 alpha - lam > 0``: assortative); group 2 uniform on ``[lo_2, hi_2]``, ``lo_2 > 0``,
    non-increasing weight, ``alpha`` such that (1) of Proposition 2 holds with a 5-50% margin
    (fully random); masses random.  The hypotheses are checked on the optimal mechanism
    (instances where they fail are skipped and counted).  Conclusion: with
    ``[q_lo, q_hi]`` the range of group 2's qualities, group 1 gets no quality level strictly
    inside it, and every level strictly inside goes entirely to group 2 (an interval);
    ``verify()``; LP referee.

    {parameters}

    Examples
    --------
    >>> check_adk_prop5(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("ADK Proposition 5 (intermediate quality to the random group)", notes=(
        f"group 1 uniform [0, hi] constant lam <= alpha; group 2 satisfies Prop. 2's sufficient "
        f"condition with margin; {grid_size} types and quality levels"))
    for _ in range(n_instances):
        g2 = random_group_for_full_random(rng, "random")
        vv = virtual_value(g2.dist, g2.weight, 1.0)
        alpha = vv["int_r_lam"] / (g2.dist.hi * float(rng.uniform(1.05, 1.5)))
        hi1 = float(rng.uniform(0.8, 3.0)) * g2.dist.hi
        g1 = Group("assortative", Uniform(0.0, hi1), alpha * float(rng.uniform(0.2, 1.0)))
        groups = with_masses(rng, [g1, g2])
        objects = Uniform(0.0, 1.0)
        desc = _gdesc(groups, alpha)
        why = []
        res = solve_and_confirm(rep, groups, objects, alpha, grid_size, desc, why, lp_grid)
        a1, a2 = res["assortative"], res["random"]
        if not (_fully_assortative(a1) and _fully_random(a2)):
            rep.skipped += 1
            continue
        q = res.qualities
        m1, m2 = a1.quality_mass, a2.quality_mass
        qlo, qhi = a2.quality_range
        inside = (q > qlo + 1e-12) & (q < qhi - 1e-12)
        if np.any(m1[inside] > 1e-12):
            why.append(f"group 1 gets levels inside group 2's range [{qlo:.4f}, {qhi:.4f}]")
        if np.any(np.abs(m2[inside] - res.supply[inside]) > 1e-9):
            why.append("group 2's qualities do not fill an interval")
        rep.record(not why, desc + f"; group 2 range [{qlo:.4f}, {qhi:.4f}]", "; ".join(why))
    return rep


@numerical_check()
def check_adk_prop6(n_instances=6, seed=0, grid_size=200):
    r"""ADK Proposition 6 (non-monotonicity in the use of randomization).

    *Non-increasing* :math:`\lambda^n` *with* :math:`\alpha \ge \bar\lambda^n` *and*
    :math:`J' \ge \underline J > 0`.  *If* :math:`\lambda^n` *converges to a constant, or to 0 for all*
    :math:`r > \underline r`, *then any optimal solution converges point-wise to assortative
    matching (of allocated objects).*

    Instances: random ``[lo, hi]`` with ``lo`` in ``[0.5, 1.5]`` (uniform ``G``, ``J' = 2``), ``alpha``,
    ``lambda_bar = alpha k`` (``k`` in ``[0.7, 1]``), and the exponential family of
    :func:`randomization_share` along 25 skews ``s`` from ``1e-2`` to ``1e4``.  Conclusion: the
    share of randomized types is exactly 0 for small skews (nearly constant weights), positive in
    between, and falls back to at most 5% of its peak at the largest skew, decreasing along the
    last five skews.  No LP referee here (the allocation solver is checked against it by every
    other ADK check); ``verify()`` of every solution is implicit in the solver's tests.

    {parameters}

    Examples
    --------
    >>> check_adk_prop6(1, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("ADK Proposition 6 (non-monotone use of randomization)", notes=(
        f"uniform G on [lo, hi], exponential weights, 25 skews in [1e-2, 1e4], {grid_size} types"))
    skews = np.logspace(-2, 4, 25)
    for _ in range(n_instances):
        lo = float(rng.uniform(0.5, 1.5))
        hi = lo + float(rng.uniform(0.5, 1.5))
        alpha = float(rng.uniform(0.5, 2.0))
        lb = alpha * float(rng.uniform(0.7, 1.0))
        d = randomization_share(skews, lo, hi, alpha, lb, grid_size)
        sh = d["share"]
        desc = f"G = U[{lo:.3g}, {hi:.3g}], alpha = {alpha:.3g}, lambda_bar = {lb:.3g}"
        why = []
        peak = sh.max()
        if sh[0] != 0.0:
            why.append(f"share {sh[0]:.3g} > 0 at skew {skews[0]:.3g}")
        if not peak > 0:
            why.append("no randomization at any skew")
        if sh[-1] > 0.05 * peak:
            why.append(f"share at skew {skews[-1]:.3g} is {sh[-1]:.3g} > 5% of peak {peak:.3g}")
        if np.any(np.diff(sh[-5:]) > 1e-12):
            why.append(f"share not decreasing along the last skews: {np.round(sh[-5:], 4)}")
        rep.record(not why, desc + f"; shares {np.round(sh, 3).tolist()}", "; ".join(why))
    return rep


@numerical_check()
def check_adk_prop7(n_instances=20, seed=0, grid_size=120, lp_grid=24):
    r"""ADK Proposition 7 (across-group allocation with random matching).

    *If all groups are fully random, order them by* :math:`\int r \lambda_i\, dG_i`; *there is an
    optimal mechanism in which group i gets* :math:`[q_i, q_{i+1}] \cap \mathrm{supp} F`.

    Instances: 2-4 groups, each uniform on ``[lo_i, hi_i]`` with ``lo_i > 0`` and a non-increasing
    weight, ``alpha`` below ``min_i int r lam_i dG_i / hi_i / 1.05`` (each group satisfies
    Proposition 2's sufficient condition with margin), the values ``int r lam_i dG_i`` at least 5%
    apart; objects uniform on ``[0, 1]``.  Hypothesis checked on the output (else skipped).
    Conclusion: the groups' quality ranges are disjoint up to a shared boundary level and ordered
    like ``int r lam_i dG_i``; every level between a group's extremes goes to that group;
    ``verify()``; LP referee.

    {parameters}

    Examples
    --------
    >>> check_adk_prop7(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("ADK Proposition 7 (all random: disjoint ordered intervals)", notes=(
        f"2-4 groups satisfying Prop. 2's sufficient condition with margin; {grid_size} types"))
    for _ in range(n_instances):
        k = int(rng.integers(2, 5))
        for _attempt in range(50):
            gs = [random_group_for_full_random(rng, f"g{j + 1}") for j in range(k)]
            vals = [virtual_value(G.dist, G.weight, 1.0) for G in gs]
            irl = np.array([v["int_r_lam"] for v in vals])
            srt = np.sort(irl)
            if np.all(srt[1:] >= 1.05 * srt[:-1]):
                break
        alpha = float(min(v["int_r_lam"] / G.dist.hi for v, G in zip(vals, gs))) / float(rng.uniform(1.05, 1.5))
        groups = with_masses(rng, gs)
        objects = Uniform(0.0, 1.0)
        desc = _gdesc(groups, alpha)
        why = []
        res = solve_and_confirm(rep, groups, objects, alpha, grid_size, desc, why, lp_grid)
        if not all(_fully_random(ga) for ga in res):
            rep.skipped += 1
            continue
        order = np.argsort(irl)
        q = res.qualities
        prev_hi = -np.inf
        for j in order:
            ga = res[groups[j].label]
            qlo, qhi = ga.quality_range
            if qlo < prev_hi - 1e-12:
                why.append(f"group {ga.label} (int r lam = {irl[j]:.4g}) starts at {qlo:.4f} below "
                           f"the previous group's top {prev_hi:.4f}")
            inside = (q > qlo + 1e-12) & (q < qhi - 1e-12)
            if np.any(np.abs(ga.quality_mass[inside] - res.supply[inside]) > 1e-9):
                why.append(f"group {ga.label}'s qualities are not an interval")
            prev_hi = qhi
        rep.record(not why, desc, "; ".join(why))
    return rep


@numerical_check()
def check_adk_prop8(n_instances=20, seed=0, grid_size=120, lp_grid=24):
    r"""ADK Proposition 8 (across-group allocation with assortative matching).

    *If all groups are effectively assortative, order them by* :math:`\alpha \bar r_i`; *there is an
    optimal mechanism with* :math:`\mathrm{supp} F_i^* = [\underline q_i, \bar q_i] \cap \mathrm{supp} F`
    *and* :math:`\bar q_i \le \bar q_{i+1}`.  *If* :math:`\underline r_i = 0` *and*
    :math:`\alpha > \bar\lambda_i` *for all i, all* :math:`\underline q_i = \min \mathrm{supp} F`.

    Instances: 2-4 groups, uniform on ``[lo_i, hi_i]`` (half of the instances with all
    ``lo_i = 0``), non-increasing weights with ``lam_i(lo_i) <= 1.8 alpha`` and
    ``lambar_i <= 0.9 alpha`` (so ``V_i' >= 0.2 alpha``: assortative), ``hi_i`` at least 5% apart;
    objects uniform on ``[0, 1]``.  Hypothesis checked on the output (else skipped).
    Conclusion: the top qualities ``q_hi_i`` are non-decreasing in ``hi_i``; when all
    ``lo_i = 0``, every group's lowest types receive nothing, i.e. quality
    ``0 = min supp F`` (the solver's convention: receiving nothing is quality 0);
    ``verify()``; LP referee.

    {parameters}

    Examples
    --------
    >>> check_adk_prop8(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("ADK Proposition 8 (all assortative: nested upper bounds)", notes=(
        f"2-4 groups with V_i' >= 0.2 alpha; top types 5% apart; {grid_size} types"))
    for i in range(n_instances):
        k = int(rng.integers(2, 5))
        zero_lo = i % 2 == 0
        alpha = float(rng.uniform(0.5, 3.0))
        his = np.sort(rng.uniform(0.5, 2.5, size=k))
        while np.any(his[1:] < 1.05 * his[:-1]):
            his = np.sort(rng.uniform(0.5, 2.5, size=k))
        gs = []
        for j, hi in enumerate(rng.permutation(his)):
            lo = 0.0 if zero_lo else float(rng.uniform(0.0, 0.8)) * hi
            Lam = alpha * float(rng.uniform(0.2, 0.9))
            w = decreasing_weight(rng, lo, hi, Lam, min(1.8 * alpha / Lam, float(rng.uniform(1.0, 5.0))))
            gs.append(Group(f"g{j + 1}", Uniform(lo, float(hi)), w))
        groups = with_masses(rng, gs)
        objects = Uniform(0.0, 1.0)
        desc = ("[r_low = 0] " if zero_lo else "") + _gdesc(groups, alpha)
        why = []
        res = solve_and_confirm(rep, groups, objects, alpha, grid_size, desc, why, lp_grid)
        if not all(_fully_assortative(ga) for ga in res):
            rep.skipped += 1
            continue
        top = sorted(((G.dist.hi, res[G.label].quality_range[1], G.label) for G in groups))
        for (h1, q1, l1), (h2, q2, l2) in zip(top[:-1], top[1:]):
            if q1 > q2 + 1e-12:
                why.append(f"{l1} (hi {h1:.3g}) tops at {q1:.4f} > {l2} (hi {h2:.3g}) at {q2:.4f}")
        if zero_lo:
            for ga in res:
                if ga.Q[0] > 1e-12:
                    why.append(f"group {ga.label}'s lowest type gets quality {ga.Q[0]:.4f} > 0")
        rep.record(not why, desc, "; ".join(why))
    return rep


#: every check, in the book's order: (name, function)


@numerical_check(returns="Counterexample")
def cx_adk_prop1_not_essential(grid_size=120):
    """ADK Proposition 1 without "essential" (``r_low = 0``): no free tier although ``lambar > alpha``.

    {parameters}

    Examples
    --------
    >>> cx_adk_prop1_not_essential(60).conclusion_fails
    True
    """
    res = optimal_allocation([Group("g", Uniform(0.0, 1.0), 1.5)], Uniform(0, 1), alpha=1.0,
                             grid_size=grid_size)
    ga = res["g"]
    return Counterexample("one group, G = U[0, 1], lam = 1.5 > alpha = 1", "essential good (r_low > 0)",
                          bool(_fully_assortative(ga) and ga.regions[0][2] != "free"),
                          f"regions {[(round(a, 3), round(b, 3), k) for a, b, k in ga.regions]}")


@numerical_check(returns="Counterexample")
def cx_adk_prop3_alpha_below_lambar(grid_size=120):
    """ADK Proposition 3 without ``alpha >= lambar``: a fully random group, the top is pooled.

    {parameters}

    Examples
    --------
    >>> cx_adk_prop3_alpha_below_lambar(60).conclusion_fails
    True
    """
    res = optimal_allocation([Group("g", Uniform(0.5, 1.5), 1.5)], Uniform(0, 1), alpha=0.8,
                             grid_size=grid_size)
    ga = res["g"]
    lo_b, hi_b = ga.blocks[-1]
    return Counterexample("one group, G = U[0.5, 1.5], lam = 1.5 (constant), alpha = 0.8 < lambar",
                          "alpha >= lambar", bool(hi_b > lo_b),
                          f"top region {ga.regions[-1][2]!r} on [{ga.regions[-1][0]:.3f}, {ga.regions[-1][1]:.3f}]")


@numerical_check(returns="Counterexample")
def cx_adk_prop5_both_assortative(grid_size=120):
    """ADK Proposition 5 without "group 2 fully random": two assortative groups interleave.

    {parameters}

    Examples
    --------
    >>> cx_adk_prop5_both_assortative(60).conclusion_fails
    True
    """
    groups = [Group("1", Uniform(0.0, 1.0), 0.5, 0.5), Group("2", Uniform(0.0, 2.0), 0.5, 0.5)]
    res = optimal_allocation(groups, Uniform(0, 1), alpha=1.0, grid_size=grid_size)
    q = res.qualities
    qlo, qhi = res["2"].quality_range
    inside = (q > qlo + 1e-12) & (q < qhi - 1e-12)
    mixed = bool(np.any(res["1"].quality_mass[inside] > 1e-12))
    return Counterexample("groups U[0, 1] and U[0, 2], lam = 0.5 each, alpha = 1 (both assortative)",
                          "group 2 fully random", mixed,
                          f"group 1 gets quality levels inside group 2's range [{qlo:.3f}, {qhi:.3f}]")


def _regions(ga):
    return [(round(a, 3), round(b, 3), k) for a, b, k in ga.regions]


def _confirmed(groups, alpha, grid_size, lp_grid=40):
    """Solve, ``verify()`` and confirm the welfare with the LP referee; return ``(result, evidence)``."""
    rep, why = CheckReport("counterexample"), []
    res = solve_and_confirm(rep, groups, Uniform(0, 1), alpha, grid_size, "", why, min(grid_size, lp_grid))
    return res, not why, f"verify() and LP referee on {min(grid_size, lp_grid)} types: {'ok' if not why else why}"


@numerical_check(returns="Counterexample")
def cx_adk_prop4_atom(grid_size=120):
    """ADK Proposition 4 with ``alpha < lambar`` *and* ``r_low > 0``: ``V`` increasing, yet not assortative.

    The two hypotheses only serve to kill the essential-good atom ``max(0, lambar - alpha) r_low``
    of ``ch4-prop-objective``; either one suffices (see ``tests/test_propositions_registry.py``),
    so the hypothesis shown to be needed is their disjunction.

    {parameters}

    Examples
    --------
    >>> cx_adk_prop4_atom(60).conclusion_fails
    True
    """
    d, alpha = Uniform(0.5, 1.5), 1.0
    vv = virtual_value(d, 1.5, alpha)
    res, ok, lp = _confirmed([Group("g", d, 1.5)], alpha, grid_size)
    ga = res["g"]
    increasing = bool(np.all(np.diff(vv["V"]) >= -1e-12))
    return Counterexample(
        "one group, G = U[0.5, 1.5], lam = 1.5 (constant), alpha = 1 (lambar > alpha, r_low = 0.5 > 0)",
        "alpha >= lambar or r_low = 0", bool(ok and increasing and not _fully_assortative(ga)),
        f"V = 0.5 r + 0.75 non-decreasing: {increasing}; regions {_regions(ga)} (a free bottom tier "
        f"pools every type); {lp}")


@numerical_check(returns="Counterexample")
def cx_adk_prop6_non_regular(grid_size=120):
    """ADK Proposition 6 without ``J' >= J_low > 0``: constant weights, yet pooling in the limit.

    ``lam^n = 0.8`` for every ``n`` (so ``|lam^n - lambar^n| = 0``, non-increasing,
    ``alpha = 1 >= lambar``) and a three-piece density with a gap, where ``J`` decreases: every
    term of the sequence, hence its limit, pools an interval of served types.

    {parameters}

    Examples
    --------
    >>> cx_adk_prop6_non_regular(60).conclusion_fails
    True
    """
    d = Tabulated([1.0, 1.3, 1.31, 1.69, 1.7, 2.0], [1.0, 1.0, 0.2, 0.2, 1.0, 1.0])
    vv = virtual_value(d, 0.8, 1.0)
    dJ = float(np.min(np.diff(vv["J"]) / np.diff(vv["r"])))
    res, ok, lp = _confirmed([Group("g", d, 0.8)], 1.0, grid_size)
    ga = res["g"]
    pooled = _pooled_served_blocks(ga)
    return Counterexample(
        f"one group, G = {d!r} (density 1, 0.2 on the gap, 1), lam^n = 0.8 for all n, alpha = 1",
        "J' >= J_low > 0", bool(ok and dJ < 0 and pooled),
        f"min J' = {dJ:.3g} < 0; pooled blocks receiving objects {pooled}; regions {_regions(ga)}; {lp}")


@numerical_check(returns="Counterexample")
def cx_adk_prop6_alpha_below_lambar(grid_size=120):
    """ADK Proposition 6 without ``alpha >= lambar^n``: constant weights ``1.5 > alpha``, a free tier.

    {parameters}

    Examples
    --------
    >>> cx_adk_prop6_alpha_below_lambar(60).conclusion_fails
    True
    """
    res, ok, lp = _confirmed([Group("g", Uniform(0.5, 1.5), 1.5)], 1.0, grid_size)
    ga = res["g"]
    return Counterexample(
        "one group, G = U[0.5, 1.5] (J' = 2), lam^n = 1.5 for all n, alpha = 1 < lambar",
        "alpha >= lambar^n", bool(ok and _pooled_served_blocks(ga)),
        f"every term pools all types in a free tier: regions {_regions(ga)}; {lp}")


@numerical_check(returns="Counterexample")
def cx_adk_prop6_no_convergence(grid_size=120):
    """ADK Proposition 6 without the convergence condition: a fixed steep weight keeps pooling.

    ``lam^n`` is, for every ``n``, the power weight (exponent 3) on ``[1, 2]`` with
    ``lambar = 1 = alpha`` and ``lam(1) = 4 > 2 alpha``: the sequence converges neither to a constant nor to 0 above ``r_low``; ``V`` decreases where it is
    positive, so every term pools the bottom types, which are served.

    {parameters}

    Examples
    --------
    >>> cx_adk_prop6_no_convergence(60).conclusion_fails
    True
    """
    w = ShapeWeight("power", 3.0, 1.0, 2.0, 1.0)
    res, ok, lp = _confirmed([Group("g", Uniform(1.0, 2.0), w)], 1.0, grid_size)
    ga = res["g"]
    return Counterexample(
        f"one group, G = U[1, 2] (J' = 2), lam^n = {w.__name__} (lambar = 1, lam(1) = 4) for all n, alpha = 1",
        "lam^n -> constant, or lam^n -> 0 above r_low", bool(ok and _pooled_served_blocks(ga)),
        f"pooled blocks receiving objects {_pooled_served_blocks(ga)}; regions {_regions(ga)}; {lp}")


def _mixed_pair(grid_size):
    """Group 1 assortative (U[0, 2], lam = 0.6), group 2 fully random (U[0.5, 1], lam = 2), alpha = 1.2."""
    groups = [Group("1", Uniform(0.0, 2.0), 0.6, 0.5), Group("2", Uniform(0.5, 1.0), 2.0, 0.5)]
    res, ok, lp = _confirmed(groups, 1.2, grid_size)
    a1, a2 = res["1"], res["2"]
    q, m1 = res.qualities, a1.quality_mass
    qlo, qhi = a2.quality_range
    below, above = float(m1[q < qlo - 1e-12].sum()), float(m1[q > qhi + 1e-12].sum())
    split = bool(ok and _fully_assortative(a1) and _fully_random(a2) and below > 1e-9 and above > 1e-9)
    desc = ("group 1: U[0, 2], lam = 0.6, mass 0.5; group 2: U[0.5, 1], lam = 2, mass 0.5; alpha = 1.2; "
            "objects U[0, 1]")
    ev = (f"group 1 assortative, group 2 fully random (on [{qlo:.3f}, {qhi:.3f}]); group 1 gets mass "
          f"{below:.3f} below and {above:.3f} above that interval: its support is not an interval; {lp}")
    return desc, split, ev


@numerical_check(returns="Counterexample")
def cx_adk_prop7_one_assortative(grid_size=120):
    """ADK Proposition 7 without "all groups fully random": one assortative group's support splits.

    {parameters}

    Examples
    --------
    >>> cx_adk_prop7_one_assortative(60).conclusion_fails
    True
    """
    desc, split, ev = _mixed_pair(grid_size)
    return Counterexample(desc, "all groups fully random", split, ev)


@numerical_check(returns="Counterexample")
def cx_adk_prop8_one_random(grid_size=120):
    """ADK Proposition 8 without "all groups assortative": the same pair, group 1's support splits.

    {parameters}

    Examples
    --------
    >>> cx_adk_prop8_one_random(60).conclusion_fails
    True
    """
    desc, split, ev = _mixed_pair(grid_size)
    return Counterexample(desc, "all groups (effectively) assortative", split, ev)


def _lowest_served(groups, alpha, grid_size, label):
    res, ok, lp = _confirmed(groups, alpha, grid_size)
    ga = res[label]
    fails = bool(ok and all(_fully_assortative(g) for g in res) and ga.Q[0] > 1e-9)
    return fails, (f"all groups assortative; group {label}'s lowest type gets quality {ga.Q[0]:.4f} > 0 = "
                   f"min supp F (range {tuple(round(x, 4) for x in ga.quality_range)}); {lp}")


@numerical_check(returns="Counterexample")
def cx_adk_prop8_r_low_positive(grid_size=120):
    """ADK Proposition 8's nesting without ``r_low = 0``: a group on ``[2, 3]`` starts above ``min supp F``.

    {parameters}

    Examples
    --------
    >>> cx_adk_prop8_r_low_positive(60).conclusion_fails
    True
    """
    groups = [Group("A", Uniform(0.0, 1.0), 0.5, 0.5), Group("B", Uniform(2.0, 3.0), 0.5, 0.5)]
    fails, ev = _lowest_served(groups, 1.0, grid_size, "B")
    return Counterexample("A: U[0, 1], B: U[2, 3], lam = 0.5 each, masses 0.5, alpha = 1 > lambar",
                          "r_low = 0 for all groups", fails, ev)


@numerical_check(returns="Counterexample")
def cx_adk_prop8_alpha_below_lambar(grid_size=120):
    """ADK Proposition 8's nesting without ``alpha > lambar``: ``V_A(0) > 0``, group A's bottom is served.

    {parameters}

    Examples
    --------
    >>> cx_adk_prop8_alpha_below_lambar(60).conclusion_fails
    True
    """
    groups = [Group("A", Uniform(0.0, 1.0), 1.5, 0.5), Group("B", Uniform(0.0, 1.0), 0.5, 0.5)]
    fails, ev = _lowest_served(groups, 1.0, grid_size, "A")
    return Counterexample("A: U[0, 1], lam = 1.5; B: U[0, 1], lam = 0.5; masses 0.5; alpha = 1 (r_low = 0)",
                          "alpha > lambar for all groups", fails, ev)


#: hypotheses of every second-deck result -> a function returning a Counterexample that drops it
HYPOTHESES = {
    "ch4-prop-free-tier": {"lambar > alpha": _cx_adk_prop1, "essential good": cx_adk_prop1_not_essential},
    "ch4-prop-fully-random": {"quasi-convexity of V (sufficiency)": _cx_adk_prop2},
    "ch4-prop-top": {"non-increasing weights": _cx_adk_prop3, "alpha >= lambar": cx_adk_prop3_alpha_below_lambar},
    "ch4-prop-fully-assortative": {"alpha >= lambar or r_low = 0": cx_adk_prop4_atom},
    "ch4-prop-intermediate": {"group 2 fully random": cx_adk_prop5_both_assortative},
    "ch4-prop-nonmonotone": {"J' >= J_low > 0": cx_adk_prop6_non_regular,
                             "alpha >= lambar^n": cx_adk_prop6_alpha_below_lambar,
                             "lam^n -> constant, or -> 0 above r_low": cx_adk_prop6_no_convergence},
    "ch4-prop-all-random": {"all groups fully random": cx_adk_prop7_one_assortative},
    "ch4-prop-all-assortative": {"all groups (effectively) assortative": cx_adk_prop8_one_random,
                                 "r_low = 0 (nested lower ends)": cx_adk_prop8_r_low_positive,
                                 "alpha > lambar (nested lower ends)": cx_adk_prop8_alpha_below_lambar},
}
