r"""The general characterization of the linked market, and the remaining results of chapters 1 and 4.

* :func:`dual_value` -- the Lagrangian value ``L(alpha) = max_Q co(phi_S^alpha)(Q) +
  mu co(phi_B^alpha)(Q / mu)`` of a finite market, computed from scratch (threshold rules, their two
  candidate prices, :func:`redlib.concave_envelope`), independently of
  :func:`redlib.optimal_mechanism`;
* :func:`check_general_dka` -- the book's theorem ``thm-dka-general``: optimal welfare
  ``= min_alpha L(alpha)`` (the LP referee's value), the solver's ``alpha*`` attains the minimum, a
  side is rationed only where its ``phi_j^{alpha*}`` lies strictly below its concave closure, and for
  uniform ``G_j`` with non-increasing weights only if ``lam_j(r_low_j) > 2 alpha*``;
* :func:`check_first_welfare` (``ch1-prop-first-welfare``), :func:`check_extreme_weight`
  (``ch1-prop-extreme``), :func:`check_within_objective` (``ch4-prop-objective``),
  :func:`check_within_allocation` (``ch4-prop-within``).

Examples
--------
>>> from redlib import Market, Side, Uniform
>>> from redlib.referee import lp_market
>>> m = Market(Side(Uniform(), 2.0), Side(Uniform(), 1.0))
>>> L = min(dual_value(m, a, grid_size=40) for a in (2.0, 2.5, 3.0))
>>> abs(L - lp_market(m, grid_size=40).welfare) < 1e-9       # 0.405 on 40 cells (0.4 in the continuum)
True
"""
from __future__ import annotations

import numpy as np

from redlib import (Discrete, Group, Market, Side, Tabulated, Uniform, competitive_equilibrium,
                    concave_envelope, optimal_allocation, optimal_mechanism,
                    power_weight, rationing_cutoff, virtual_value, weights_from_joint)
from redlib.referee import lp_allocation, lp_market

from .adk import solve_and_confirm
from .dka import is_rationed
from .instances import (decreasing_weight, describe_side, random_continuous_dist, random_group_dist,
                        random_market, random_weight, with_masses)
from .reports import LP_RTOL, CheckReport, Counterexample, check_count, numerical_check

__all__ = ["phi_points", "dual_value", "minimize_dual", "rationing_boundary",
           "check_general_dka", "check_first_welfare", "cx_first_welfare_unequal_weights",
           "check_extreme_weight", "check_within_objective", "within_objective_gap",
           "check_within_allocation", "within_violations", "cx_extreme_dependent", "cx_extreme_zero_density",
           "cx_extreme_unbounded_density"]


def phi_points(fm, alpha, lump_sum=True):
    r"""Threshold rules of a finite market and their Lagrangian values ``phi_j^alpha``.

    Seller rule ``k`` (the ``k`` lowest types sell) may pay any price in ``[s_k, s_{k+1}]``; buyer
    rule ``k`` (types ``k`` and up buy) any price in ``[b_{k-1}, b_k]``; the value is linear in the
    price, so the better end is taken.  Sellers' value ``sum_{j<k} g_j ((lam_j - alpha) p - lam_j s_j)``,
    buyers' (per buyer) ``sum_{j>=k} h_j (nu_j b_j + (alpha - nu_j) p)``.

    Parameters
    ----------
    fm : FiniteMarket
        From :meth:`redlib.Market.finite` (zero-probability types removed).
    alpha : float
        Budget multiplier ``>= 0``.
    lump_sum : bool, default True
        Unused in the values (lump sums enter :func:`dual_value`); kept for symmetry.

    Returns
    -------
    (qS, phiS, qB, phiB) : tuple of numpy.ndarray
        Quantiles (sellers: mass selling; buyers: share of buyers buying) and values, increasing in q.

    Examples
    --------
    >>> from redlib import Discrete, Market, Side
    >>> fm = Market(Side(Discrete([0.0, 1.0])), Side(Discrete([2.0]))).finite()
    >>> qS, phiS, qB, phiB = phi_points(fm, 1.0)
    >>> qS.tolist(), qB.tolist()
    ([0.0, 0.5, 1.0], [0.0, 1.0])
    """
    alpha = float(alpha)
    if not np.isfinite(alpha) or alpha < 0:
        raise ValueError(f"alpha must be finite and >= 0, got {alpha!r}")
    s, g, lam = fm.s, fm.g, fm.lam
    n = s.size
    qS, phiS = [0.0], [0.0]
    for k in range(1, n + 1):
        coef = float(np.sum(g[:k] * (lam[:k] - alpha)))
        const = -float(np.sum(g[:k] * lam[:k] * s[:k]))
        lo, hi = s[k - 1], s[k] if k < n else s[n - 1]
        qS.append(float(np.sum(g[:k])))
        phiS.append(const + max(coef * lo, coef * hi))
    b, h, nu = fm.b, fm.h, fm.nu
    m = b.size
    qB, phiB = [0.0], [0.0]
    for k in range(m - 1, -1, -1):
        coef = float(np.sum(h[k:] * (alpha - nu[k:])))
        const = float(np.sum(h[k:] * nu[k:] * b[k:]))
        lo, hi = (b[k - 1] if k > 0 else b[0]), b[k]
        qB.append(float(np.sum(h[k:])))
        phiB.append(const + max(coef * lo, coef * hi))
    return np.array(qS), np.array(phiS), np.array(qB), np.array(phiB)


def dual_value(market, alpha, lump_sum=True, grid_size=40):
    r"""Lagrangian value ``L(alpha)`` of a market (budget constraint priced at ``alpha``).

    ``L(alpha) = max_Q co(phi_S^alpha)(Q) + mu co(phi_B^alpha)(Q / mu)`` plus, with lump sums,
    ``sup_{U >= 0} (Lam_j - alpha) U`` on each side (``+inf`` if ``alpha < max Lam_j``).

    Parameters
    ----------
    market : Market
    alpha : float
        ``>= 0``.
    lump_sum : bool, default True
    grid_size : int, default 40
        Cells per continuous side.

    Returns
    -------
    float

    Examples
    --------
    >>> from redlib import Market, Side, Uniform
    >>> dual_value(Market(Side(Uniform(), 2.0), Side(Uniform(), 1.0)), 1.0)
    inf
    """
    if not isinstance(market, Market):
        raise TypeError(f"market must be a Market, got {type(market).__name__}")
    grid_size = check_count("grid_size", grid_size, minimum=2)
    fm = market.finite(grid_size).positive()
    if lump_sum and alpha < max(fm.Lam_S, fm.Lam_B) - 1e-12:
        return float("inf")
    qS, phiS, qB, phiB = phi_points(fm, alpha)
    eS, eB = concave_envelope(qS, phiS), concave_envelope(qB, phiB)
    mu = fm.mu
    top = min(qS[-1], mu * qB[-1])
    cand = np.concatenate((qS[eS.vertices], mu * qB[eB.vertices], [0.0, top]))
    cand = np.unique(np.clip(cand, 0.0, top))
    vals = eS(cand) + mu * eB(cand / mu)
    return float(np.max(vals))


def minimize_dual(market, lump_sum=True, grid_size=40, tol=1e-11):
    r"""``min_alpha L(alpha)`` by golden-section search (``L`` is convex and piecewise linear).

    Parameters
    ----------
    market : Market
    lump_sum : bool, default True
        With lump sums ``alpha >= max(Lam_S, Lam_B)``, else ``alpha >= 0``.
    grid_size : int, default 40
    tol : float, default 1e-11
        Width of the final bracket of ``alpha``.

    Returns
    -------
    (alpha, value) : (float, float)

    Examples
    --------
    >>> from redlib import Market, Side, Uniform
    >>> a, v = minimize_dual(Market(Side(Uniform(), 2.0), Side(Uniform(), 1.0)), grid_size=40)
    >>> round(a, 6), round(v, 3)                  # 40 cells; the continuum value is 0.4
    (2.0, 0.405)
    """
    fm = market.finite(grid_size).positive()
    lo = max(fm.Lam_S, fm.Lam_B) if lump_sum else 0.0
    hi = max(lo, float(np.max(fm.lam)), float(np.max(fm.nu))) * 4.0 + 1.0
    f = lambda a: dual_value(market, a, lump_sum, grid_size)  # noqa: E731
    gr = (np.sqrt(5.0) - 1.0) / 2.0
    a, b = lo, hi
    c, d = b - gr * (b - a), a + gr * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol * max(1.0, b):
        if fc <= fd:
            b, d, fd = d, c, fc
            c = b - gr * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + gr * (b - a)
            fd = f(d)
    cands = [(f(x), x) for x in (lo, a, b, 0.5 * (a + b))]
    v, x = min(cands)
    return float(x), float(v)


def _hull_gap(q, phi, x0, finite):
    """Is ``x0`` on a linear piece of the concave closure of ``(q, phi)`` that is a lottery?

    For genuinely finite types a lottery between two adjacent threshold rules already rations the
    marginal type (``x0`` strictly inside a piece); for a discretized continuous side the piece
    must skip at least one threshold, where the closure lies strictly above ``phi``.
    """
    env = concave_envelope(q, phi)
    i, j, _ = env.split_indices(min(max(x0, q[0]), q[-1]))
    if finite:
        return j > i
    if j - i < 2:
        return False
    inner = slice(i + 1, j)
    return bool(np.any(env.values[inner] - phi[inner] > 1e-9 * max(1.0, float(np.max(np.abs(phi))))))


@numerical_check()
def check_general_dka(n_instances=20, seed=0, grid_size=30):
    r"""The general characterization of the linked market (book: ``thm-dka-general``).

    *For any* ``G_j`` *and* ``lam_j``: *the optimal welfare equals* ``min_alpha L(alpha)`` *over*
    ``alpha >= max(Lam_S, Lam_B)`` *(over* ``alpha >= 0`` *without lump sums); at the minimizer*
    ``alpha*`` *side j is rationed only if* ``phi_j^{alpha*}`` *lies strictly below its concave
    closure at the chosen quantity; for uniform* ``G_j`` *and non-increasing* ``lam_j`` *this needs*
    ``lam_j(r_low_j) > 2 alpha*``.

    Instances: ``instances.random_market`` (each side discrete, uniform,
    truncated normal, multi-modal or three-piece; monotone or non-monotone weights) with and
    without lump sums (alternating), and every third instance with both sides uniform and
    non-increasing weights of any inequality.  Conclusions: ``min L`` (golden section to
    ``1e-11`` in ``alpha``, ``dual_value`` written independently of the solver) equals the LP
    referee's welfare (relative ``1e-7``); ``L(alpha_solver)`` equals it too; a rationed side (by
    :func:`~redlib.propositions.is_rationed`) has a hull gap at its quantity; uniform
    instances: a rationed side has ``lam_j`` at its lowest grid type ``> 2 alpha*``.

    {parameters}

    Examples
    --------
    >>> check_general_dka(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("general characterization (duality, hulls, 2 alpha* thresholds)", notes=(
        f"arbitrary markets incl. non-regular densities, both lump-sum variants; {grid_size} types per side"))
    for i in range(n_instances):
        lump = bool(i % 2 == 0)
        uniform = i % 3 == 2
        if uniform:
            sides = []
            for _ in range(2):
                lo = float(rng.uniform(0.0, 1.0))
                hi = lo + float(rng.uniform(0.5, 1.5))
                w = decreasing_weight(rng, lo, hi, float(rng.uniform(0.3, 3.0)), float(rng.uniform(1.0, 8.0)))
                sides.append((Uniform(lo, hi), w))
            (sd, wS), (bd, wB) = sides
            mu = float(rng.uniform(0.2, 3.0))
        else:
            sd, wS, bd, wB, mu = random_market(rng)
        m = Market(Side(sd, wS), Side(bd, wB), buyer_mass=mu)
        desc = (f"sellers {describe_side(sd, wS)}; buyers {describe_side(bd, wB)}; mu={mu:.3g}; "
                f"lump sums {'allowed' if lump else 'forbidden'}")
        why = []
        res = optimal_mechanism(m, lump_sum=lump, grid_size=grid_size)
        lp = lp_market(m, lump_sum=lump, grid_size=grid_size)
        a_star, L_min = minimize_dual(m, lump, grid_size)
        if rep.add_gap(L_min, lp.welfare) > LP_RTOL:
            why.append(f"min L = {L_min:.10g} != LP welfare {lp.welfare:.10g}")
        L_sol = dual_value(m, res.alpha, lump, grid_size)
        if abs(L_sol - lp.welfare) > LP_RTOL * max(1.0, abs(lp.welfare)):
            why.append(f"L(alpha_solver = {res.alpha:.6g}) = {L_sol:.10g} != {lp.welfare:.10g}")
        fm = m.finite(grid_size).positive()
        qS, phiS, qB, phiB = phi_points(fm, res.alpha)
        cS = 0.0 if sd.is_discrete else 1.0 / grid_size
        cB = 0.0 if bd.is_discrete else 1.0 / grid_size
        ratS, ratB = is_rationed(res.sellers), is_rationed(res.buyers)
        if ratS and not _hull_gap(qS, phiS, res.quantity, cS == 0.0):
            why.append("sellers rationed but phi_S^alpha* touches its closure at Q")
        if ratB and not _hull_gap(qB, phiB, res.quantity / mu, cB == 0.0):
            why.append("buyers rationed but phi_B^alpha* touches its closure at Q/mu")
        if uniform:
            for rat, lam0, name in ((ratS, float(fm.lam[0]), "sellers"), (ratB, float(fm.nu[0]), "buyers")):
                if rat and not lam0 > 2 * res.alpha:
                    why.append(f"{name} rationed with lam(r_low) = {lam0:.4g} <= 2 alpha* = {2 * res.alpha:.4g}")
        rep.record(not why, desc + f"; alpha* = {res.alpha:.4g}", "; ".join(why))
    return rep


@numerical_check()
def check_first_welfare(n_instances=20, seed=0, grid_size=30):
    r"""Chapter 1 (``ch1-prop-first-welfare``): with ``v^M = 1`` competitive equilibrium is optimal.

    Instances: arbitrary distributions on both sides (discrete, uniform, truncated normal,
    multi-modal, three-piece), weights ``lam == 1``, random ``mu``; lump sums allowed (the
    proposition's mechanisms only need IR; under No Free Lunch the competitive equilibrium need not
    be feasible, since its marginal seller may gain).  Conclusion: the LP referee's optimum equals
    the competitive-equilibrium welfare (relative ``1e-7``).

    {parameters}

    Examples
    --------
    >>> check_first_welfare(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("first welfare theorem (v^M = 1)", notes=f"any G_j, lam = 1, {grid_size} types")
    for i in range(n_instances):
        sd, _, bd, _, mu = random_market(rng)
        m = Market(Side(sd, 1.0), Side(bd, 1.0), buyer_mass=mu)
        lump = True
        lp = lp_market(m, lump_sum=lump, grid_size=grid_size)
        ce = competitive_equilibrium(m, grid_size=grid_size)
        gap = rep.add_gap(ce.welfare, lp.welfare)
        rep.record(gap <= LP_RTOL, f"sellers {sd!r}; buyers {bd!r}; mu={mu:.3g}; lump {lump}",
                   f"CE welfare {ce.welfare:.10g} != optimum {lp.welfare:.10g}")
    return rep


@numerical_check()
def check_extreme_weight(n_instances=20, seed=0):
    r"""Chapter 1 (``ch1-prop-extreme``): ``lam(0) = E[(v^M)^2] / E[v^M]`` if ``v^K`` is independent.

    Instances: ``v^K`` with a piecewise-linear density on ``[0, 1]`` positive at 0 (random,
    multi-modal allowed), ``v^M`` with a random piecewise-linear density on ``[a, b]``, ``a > 0``.
    The weight induced by :func:`redlib.weights_from_joint` at ``r = 0`` must equal the ratio of
    moments computed by quadrature (relative ``1e-4``; ``weights_from_joint`` integrates numerically).

    {parameters}

    Examples
    --------
    >>> check_extreme_weight(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("weight of the extreme type", notes="independent v^K, v^M; piecewise-linear densities")
    for _ in range(n_instances):
        fK = random_continuous_dist(rng, 0.0, 1.0, kinds=("uniform", "multimodal", "three-piece"))
        a = float(rng.uniform(0.2, 1.0))
        b = a + float(rng.uniform(0.5, 3.0))
        fM = random_continuous_dist(rng, a, b, kinds=("uniform", "multimodal", "three-piece"))
        jw = weights_from_joint(lambda k, m_, fK=fK, fM=fM: fK.pdf(k) * fM.pdf(m_), (0.0, 1.0), (a, b),
                                panels=64)
        x = np.linspace(a, b, 20001)
        fm = fM.pdf(x)
        e1 = np.trapezoid(x * fm, x) / np.trapezoid(fm, x)
        e2 = np.trapezoid(x * x * fm, x) / np.trapezoid(fm, x)
        got = float(jw.lam(0.0))
        rep.record(abs(got - e2 / e1) <= 1e-4 * (e2 / e1), f"v^K ~ {fK!r}, v^M ~ {fM!r}",
                   f"lam(0) = {got:.6g} != E[M^2]/E[M] = {e2 / e1:.6g}")
    return rep


def within_objective_gap(dist, weight, alpha, Q, U0):
    r"""Payoff of an IC mechanism of one group, minus the bound of ``ch4-prop-objective``.

    The mechanism is given by its expected quality ``Q`` (non-decreasing) on the grid
    ``r = virtual_value(dist, weight, alpha)["r"]`` and the lowest type's utility ``U0``; the
    envelope formula gives ``U(r) = U0 + int_lo^r Q`` and the payments ``T = r Q - U``.  The payoff
    ``int (lam U + alpha T) dG`` is computed directly from ``lam``, ``G``, ``U`` and ``T`` (trapezoid
    on the grid); the bound ``int Q V dG + max(0, lambar - alpha) r_low Q(r_low)`` from
    :func:`redlib.virtual_value`.

    Parameters
    ----------
    dist : ContinuousDistribution
    weight : callable or float
    alpha : float
    Q : array_like
        Expected quality on the grid (``4001`` points of ``virtual_value``).
    U0 : float
        Utility of the lowest type, in ``[0, r_low Q[0]]`` (IR and ``T >= 0``).

    Returns
    -------
    (gap, bound) : (float, float)
        ``payoff - bound`` (``<= 0`` by the proposition, ``= 0`` at its ``U0``) and the bound.

    Examples
    --------
    >>> import numpy as np
    >>> from redlib import Uniform
    >>> Q = np.linspace(0.2, 1.0, 4001)                 # lambar = 1.5 > alpha: U0 = r_low Q(r_low)
    >>> gap, bound = within_objective_gap(Uniform(0.5, 1.5), 1.5, 1.0, Q, 0.5 * Q[0])
    >>> abs(gap) < 1e-6 * bound
    True
    """
    vv = virtual_value(dist, weight, alpha)
    r, V = vv["r"], vv["V"]
    Q = np.asarray(Q, dtype=float)
    if Q.shape != r.shape:
        raise ValueError(f"Q must have shape {r.shape} (the grid of virtual_value), got {Q.shape}")
    if np.any(np.diff(Q) < -1e-12):
        raise ValueError("Q must be non-decreasing (incentive compatibility)")
    g = np.asarray(dist.pdf(r), dtype=float)
    lam = weight(r) if callable(weight) else np.full_like(r, float(weight))
    U = float(U0) + np.concatenate(([0.0], np.cumsum(0.5 * (Q[1:] + Q[:-1]) * np.diff(r))))
    T = r * Q - U
    payoff = float(np.trapezoid((lam * U + alpha * T) * g, r))
    lambar = float(np.trapezoid(lam * g, r))
    bound = float(np.trapezoid(Q * V * g, r)) + max(0.0, lambar - alpha) * float(r[0]) * float(Q[0])
    return payoff - bound, bound


@numerical_check()
def check_within_objective(n_instances=20, seed=0, n_mechanisms=4):
    r"""Chapter 4 (``ch4-prop-objective``): the within-group payoff bound, and when it is attained.

    An identity of the model: it has no hypothesis to drop (``HYPOTHESES`` lists none); the test
    suite feeds ``within_objective_gap`` a wrong virtual value and checks that it fails.

    Instances: a group with a random distribution (uniform, truncated normal, multi-modal,
    three-piece) on ``[lo, hi]``, ``lo`` in ``{0} u [0, 1]``, any weight shape (monotone or
    not), ``alpha`` in ``[0.3, 3]`` (so ``lambar`` is above or below ``alpha``), and
    ``n_mechanisms`` random IC mechanisms per instance (``Q`` a random mixture of logistic steps,
    non-decreasing in ``[0, 1]``).  Conclusions: for ``U0`` at both ends and inside
    ``[0, r_low Q(r_low)]`` the payoff is at most the bound, and at the proposition's ``U0``
    (``r_low Q(r_low)`` if ``lambar > alpha``, else 0) it equals the bound (relative ``1e-6``:
    both sides are trapezoid sums on the 4001 points of :func:`redlib.virtual_value`, whose
    discrepancy is ``O(h^2)``; the largest seen over 60 random instances was ``8.7e-8``).

    {parameters}

    Examples
    --------
    >>> check_within_objective(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("within-group objective (payoff bound attained)", notes=(
        f"{n_mechanisms} random IC mechanisms per instance; quadrature on 4001 points"))
    for _ in range(n_instances):
        lo = float(rng.choice([0.0, rng.uniform(0.0, 1.0)]))
        hi = lo + float(rng.uniform(0.3, 1.5))
        d = random_group_dist(rng, lo, hi)
        w = random_weight(rng, lo, hi, float(rng.uniform(0.3, 3.0)), monotone=False)
        alpha = float(rng.uniform(0.3, 3.0))
        r = virtual_value(d, w, alpha)["r"]
        lambar = float(virtual_value(d, w, alpha)["lambda_bar"])
        desc = f"{d!r}, lam = {w.__name__}, alpha = {alpha:.3g} (lambar = {lambar:.3g})"
        why = []
        for _m in range(n_mechanisms):
            k = int(rng.integers(1, 4))
            a = rng.dirichlet(np.ones(k)) * float(rng.uniform(0.3, 1.0))
            c = rng.uniform(lo, hi, size=k)
            sc = rng.uniform(0.02, 0.3, size=k) * (hi - lo)
            Q = float(rng.uniform(0.0, 1.0 - a.sum())) + sum(
                ai / (1.0 + np.exp(-(r - ci) / si)) for ai, ci, si in zip(a, c, sc))
            top = lo * float(Q[0])
            best = top if lambar > alpha else 0.0
            for U0 in (0.0, top, float(rng.uniform(0.0, 1.0)) * top):
                gap, bound = within_objective_gap(d, w, alpha, Q, U0)
                tol = 1e-6 * max(1.0, abs(bound))
                if gap > tol:
                    why.append(f"payoff exceeds the bound by {gap:.3g} at U0 = {U0:.4g}")
                if U0 == best and abs(gap) > tol:
                    why.append(f"payoff misses the bound by {gap:.3g} at the proposition's U0 = {U0:.4g}")
        rep.record(not why, desc, "; ".join(why))
    return rep


def within_violations(res, groups, alpha, rtol=1e-9):
    r"""What an allocation result violates of ``ch4-prop-within`` (empty list: nothing).

    (1)-(2): on finite types the closure's linear pieces are the blocks: every point ``t_k`` where
    the closure lies strictly above ``Psi`` joins types ``k - 1`` and ``k`` in one block; every block
    of several types spans a linear piece of the closure (its end points touch the closure) and
    gives all its types one expected quality and one payment.  (3): if ``lambar > alpha`` and
    ``r_low > 0`` the bottom region is a free tier, and a free tier pays 0.

    Parameters
    ----------
    res : AllocationResult
    groups : list of Group
    alpha : float
    rtol : float, default 1e-9

    Returns
    -------
    list of str

    Examples
    --------
    >>> from redlib import Group, Uniform, optimal_allocation
    >>> gs = [Group("g", Uniform(0.5, 1.5), 1.5)]
    >>> within_violations(optimal_allocation(gs, Uniform(), 1.0, grid_size=30), gs, 1.0)
    []
    """
    why = []
    for ga in res:
        scale = max(1.0, float(np.max(np.abs(ga.types))))
        pscale = rtol * max(1.0, float(np.max(np.abs(ga.Psi))))
        block_of = np.empty(len(ga.types), dtype=int)
        for b, (lo_b, hi_b) in enumerate(ga.blocks):
            block_of[lo_b:hi_b + 1] = b
        gap = ga.envelope(ga.t) - ga.Psi
        for k in range(1, len(ga.types)):
            if gap[k] > pscale and block_of[k - 1] != block_of[k]:
                why.append(f"{ga.label}: closure above Psi at t_{k} but types {k - 1}, {k} not pooled")
        for lo_b, hi_b in ga.blocks:
            if hi_b > lo_b and (abs(gap[lo_b]) > pscale or abs(gap[hi_b + 1]) > pscale):
                why.append(f"{ga.label}: pooled block {lo_b}..{hi_b} is not a linear piece of the closure")
            if np.ptp(ga.Q[lo_b:hi_b + 1]) > 1e-9 or np.ptp(ga.T[lo_b:hi_b + 1]) > 1e-9 * scale:
                why.append(f"{ga.label}: pooled block {lo_b}..{hi_b} without one quality and one price")
        for lo_r, hi_r, kind in ga.regions:
            if kind == "free":
                inside = (ga.types >= lo_r) & (ga.types <= hi_r)
                if np.any(np.abs(ga.T[inside]) > 1e-9 * scale):
                    why.append(f"{ga.label}: free tier pays")
        G = next(G for G in groups if G.label == ga.label)
        if ga.lambda_bar > alpha and G.dist.support[0] > 0 and ga.regions[0][2] != "free":
            why.append(f"{ga.label}: lambar > alpha and r_low > 0 but no free bottom tier")
    return why


@numerical_check()
def check_within_allocation(n_instances=20, seed=0, grid_size=60, lp_grid=20):
    r"""Chapter 4 (``ch4-prop-within``): assortative where the closure touches, pooled on its pieces.

    Instances: one to three groups, each with a random distribution (uniform, truncated normal,
    multi-modal, three-piece) on ``[lo, hi]`` with ``lo`` in ``{0} u [0, 1]``, any weight shape
    (monotone or not), random ``alpha`` and masses; objects uniform or discrete.  Conclusions
    (``within_violations``) on the solver's optimum, which the LP referee confirms; the
    hypotheses of part 3 (``lambar > alpha``, ``r_low > 0``) are each dropped in
    :data:`~redlib.propositions.HYPOTHESES`.  The report's counterexample is a caveat on part 1:
    where ``Psi`` is itself linear (``V`` constant) the closure touches it, yet pooling is equally
    optimal and the solver pools -- part 1 holds for *an* optimal mechanism.

    {parameters}

    Examples
    --------
    >>> check_within_allocation(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("within-group allocation (closure pieces, free tier)",
                      notes=f"{grid_size} types, LP on {lp_grid}")
    for _ in range(n_instances):
        k = int(rng.integers(1, 4))
        gs = []
        for j in range(k):
            lo = float(rng.choice([0.0, rng.uniform(0.0, 1.0)]))
            hi = lo + float(rng.uniform(0.3, 1.5))
            gs.append(Group(f"g{j + 1}", random_group_dist(rng, lo, hi),
                            random_weight(rng, lo, hi, float(rng.uniform(0.3, 3.0)), monotone=False)))
        groups = with_masses(rng, gs)
        alpha = float(rng.uniform(0.3, 3.0))
        objects = Uniform(0.0, 1.0) if rng.random() < 0.6 else Discrete([0.2, 0.5, 1.0], [0.3, 0.4, 0.3])
        desc = f"alpha={alpha:.3g}; " + "; ".join(f"{G.label}: {G.dist!r}, {G.weight!r}" for G in groups)
        why = []
        res = solve_and_confirm(rep, groups, objects, alpha, grid_size, desc, why, lp_grid)
        why += within_violations(res, groups, alpha)
        rep.record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_within_linear_psi(grid_size)
    return rep


def _cx_within_linear_psi(grid_size=60):
    """Caveat on part 1: ``V`` constant, ``Psi`` linear, the closure touches it, the solver pools."""
    gs = [Group("g", Uniform(0.0, 1.0), 2.0)]
    res = optimal_allocation(gs, Uniform(0, 1), 1.0, grid_size=grid_size)
    lp = lp_allocation(gs, Uniform(0, 1), 1.0, grid_size=min(grid_size, 30))
    small = optimal_allocation(gs, Uniform(0, 1), 1.0, grid_size=min(grid_size, 30))
    ga = res["g"]
    touches = float(np.max(np.abs(ga.envelope(ga.t) - ga.Psi))) < 1e-9
    pooled = any(b > a for a, b in ga.blocks)
    return Counterexample(
        "one group, G = U[0, 1], lam = 2 = 2 alpha, alpha = 1: V = alpha is constant",
        "none -- a caveat on part 1: where Psi is linear, pooling is as good as sorting",
        bool(touches and pooled and abs(small.welfare - lp.welfare) <= LP_RTOL * max(1.0, abs(lp.welfare))),
        f"closure = Psi everywhere: {touches}; regions {[(round(a, 3), round(b, 3), k) for a, b, k in ga.regions]}; "
        f"welfare {small.welfare:.8f} = LP {lp.welfare:.8f} on {min(grid_size, 30)} types")


def rationing_boundary(thetas, ratios, buyer_mass=0.2, grid_size=120):
    r"""Seller rationing over the inequality map, with ``alpha*`` and the threshold ``r*(alpha*)``.

    Sellers uniform on ``[0, 1]`` with ``power_weight(c, theta)`` (``lam_S(0) = c (1 + theta)``),
    buyers uniform with ``lam_B = 1``, as in :func:`redlib.inequality_map` (``sides="sellers"``).

    Parameters
    ----------
    thetas, ratios : array_like
        Seller same-side inequality ``theta`` and cross-side ratio ``c = Lam_S / Lam_B``.
    buyer_mass : float, default 0.2
    grid_size : int, default 120

    Returns
    -------
    dict
        ``theta, ratio`` (inputs), ``rationed, alpha, quantity, rstar`` (arrays, shape
        ``(len(thetas), len(ratios))``), ``boundary`` (smallest rationed ``theta`` per ratio, NaN
        if none), ``mu``.

    Examples
    --------
    >>> d = rationing_boundary([0.0, 4.0], [1.0], grid_size=60)
    >>> d["rationed"][:, 0].tolist()
    [False, True]
    """
    th = np.asarray(thetas, dtype=float)
    cs = np.asarray(ratios, dtype=float)
    shape = (th.size, cs.size)
    rat, alpha, Q, rstar = np.zeros(shape, bool), np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for i, t in enumerate(th):
        for j, c in enumerate(cs):
            w = power_weight(float(c), float(t))
            m = Market(Side(Uniform(), w), Side(Uniform(), 1.0), buyer_mass=buyer_mass)
            res = optimal_mechanism(m, grid_size=grid_size)
            rat[i, j] = is_rationed(res.sellers)
            alpha[i, j], Q[i, j] = res.alpha, res.quantity
            rstar[i, j] = rationing_cutoff(w, res.alpha)
    boundary = np.array([th[np.argmax(rat[:, j])] if rat[:, j].any() else np.nan for j in range(cs.size)])
    return dict(theta=th, ratio=cs, rationed=rat, alpha=alpha, quantity=Q, rstar=rstar,
                boundary=boundary, mu=float(buyer_mass))


@numerical_check(returns="Counterexample")
def cx_first_welfare_unequal_weights(grid_size=60):
    """First welfare theorem without ``v^M = 1``: with ``Lam_S = 2 Lam_B`` a wedge beats the CE.

    {parameters}

    Examples
    --------
    >>> cx_first_welfare_unequal_weights(40).conclusion_fails
    True
    """
    m = Market(Side(Uniform(), 2.0), Side(Uniform(), 1.0), buyer_mass=1.0)
    lp = lp_market(m, grid_size=grid_size)
    ce = competitive_equilibrium(m, grid_size=grid_size)
    return Counterexample("sellers U[0,1] lam = 2, buyers U[0,1] lam = 1, mu = 1", "v^M = 1 on both sides",
                          bool(lp.welfare > ce.welfare + 1e-6),
                          f"optimum {lp.welfare:.5f} > competitive equilibrium {ce.welfare:.5f}")


def _extreme_cx(pdf, description, violated, predicted, what, at=(1e-4, 1e-3), a=1.0, b=3.0):
    """``v^M ~ U[a, b]``; ``lam`` at ``at`` from :func:`redlib.weights_from_joint` vs ``E[M^2]/E[M]``.

    Where the density of ``v^K`` vanishes or blows up at 0, ``lam(0)`` is the limit ``r -> 0``; for
    these power densities ``lam`` is constant near 0, so two small ``r`` show it.
    """
    jw = weights_from_joint(pdf, (0.0, 1.0), (a, b), panels=64)
    claim = (b ** 3 - a ** 3) / 3.0 / ((b ** 2 - a ** 2) / 2.0)
    got = np.atleast_1d(np.asarray(jw.lam(np.array(at, dtype=float)), dtype=float))
    fails = bool(np.all(np.abs(got - predicted) <= 1e-6 * predicted) and abs(predicted - claim) > 1e-2 * claim)
    shown = ", ".join(f"lam({x:g}) = {y:.6f}" for x, y in zip(at, got))
    return Counterexample(description, violated, fails,
                          f"{shown}: {what} = {predicted:.6f}, not E[M^2]/E[M] = {claim:.6f}")


def _uniform_moment(p, a=1.0, b=3.0):
    return (b ** (p + 1) - a ** (p + 1)) / ((p + 1) * (b - a))


@numerical_check(returns="Counterexample")
def cx_extreme_dependent():
    """``ch1-prop-extreme`` without independence: ``v^K``'s density at 0 rises with ``v^M``.

    ``v^M ~ U[1, 3]``; given ``v^M = m``, ``v^K`` has the linear density ``c(m) + (2 - 2 c(m)) k`` on
    ``[0, 1]`` with ``c(m) = 0.2 + 0.8 (m - 1)``: positive and continuous at 0 for every ``m``.  Then
    ``lam(0) = E[M^2 c(M)] / E[M c(M)]``, not ``E[M^2] / E[M]``.

    {parameters}

    Examples
    --------
    >>> cx_extreme_dependent().conclusion_fails
    True
    """
    def c(m):
        return 0.2 + 0.8 * (m - 1.0)

    def pdf(k, m):
        return np.where((m >= 1.0) & (m <= 3.0), 0.5, 0.0) * (c(m) + (2.0 - 2.0 * c(m)) * k)

    x = np.linspace(1.0, 3.0, 200001)
    predicted = float(np.trapezoid(x * x * c(x), x) / np.trapezoid(x * c(x), x))
    return _extreme_cx(pdf, "v^M ~ U[1, 3]; v^K | v^M = m has density c(m) + (2 - 2c(m)) k, c(m) = 0.2 + 0.8 (m - 1)",
                       "v^K independent of v^M", predicted, "E[M^2 c(M)]/E[M c(M)]", at=(0.0,))


@numerical_check(returns="Counterexample")
def cx_extreme_zero_density():
    """``ch1-prop-extreme`` without a positive density at 0: ``v^K`` has density ``2k``.

    Independent ``v^M ~ U[1, 3]``; near ``r = 0`` the weight is ``E[M^3] / E[M^2]``.

    {parameters}

    Examples
    --------
    >>> cx_extreme_zero_density().conclusion_fails
    True
    """
    return _extreme_cx(lambda k, m: 2.0 * k * np.where((m >= 1.0) & (m <= 3.0), 0.5, 0.0),
                       "v^K with density 2k on [0, 1], independent of v^M ~ U[1, 3]",
                       "density of v^K positive at 0", _uniform_moment(3) / _uniform_moment(2), "E[M^3]/E[M^2]")


@numerical_check(returns="Counterexample")
def cx_extreme_unbounded_density():
    """``ch1-prop-extreme`` without a continuous density at 0: ``v^K`` has density ``k^(-1/2) / 2``.

    Independent ``v^M ~ U[1, 3]``; near ``r = 0`` the weight is ``E[M^(3/2)] / E[M^(1/2)]``.

    {parameters}

    Examples
    --------
    >>> cx_extreme_unbounded_density().conclusion_fails
    True
    """
    def fK(k):
        return np.where(k > 0, 0.5 / np.sqrt(np.where(k > 0, k, 1.0)), 0.0)

    return _extreme_cx(lambda k, m: fK(k) * np.where((m >= 1.0) & (m <= 3.0), 0.5, 0.0),
                       "v^K with density k^(-1/2)/2 on (0, 1] (unbounded at 0), independent of v^M ~ U[1, 3]",
                       "density of v^K continuous at 0", _uniform_moment(1.5) / _uniform_moment(0.5),
                       "E[M^(3/2)]/E[M^(1/2)]")

