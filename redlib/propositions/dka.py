r"""Checks of the first deck (Dworczak, Kominers and Akbarpour, *Redistribution through Markets*).

One-sided problems (:func:`check_seller_price`, :func:`check_buyer_price`,
:func:`check_two_prices`) and the linked market (:func:`check_wedge`,
:func:`check_seller_rationing`, :func:`check_buyer_rationing`, :func:`check_four_prices`,
:func:`check_no_free_lunch`).  Every market check confirms the solver's welfare with
:func:`redlib.referee.lp_market`; every rationing test goes through one classifier,
:func:`is_rationed`.

Examples
--------
>>> from redlib.propositions.dka import check_four_prices
>>> check_four_prices(2, seed=1).ok
True
"""
from __future__ import annotations

import numpy as np

from redlib import (Discrete, Market, ShapeWeight, Side, Tabulated, Uniform, average_weight,
                    competitive_equilibrium, optimal_buyer_price, optimal_buyer_two_prices,
                    optimal_mechanism, optimal_seller_price, rationing_cutoff)
from redlib.referee import lp_market

from .instances import (decreasing_weight, describe_side, nfl_market, one_sided_instance,
                        random_continuous_dist, random_market)
from .reports import LP_RTOL, PROB_TOL, CheckReport, Counterexample, numerical_check

__all__ = [
    "is_rationed", "check_seller_price", "check_buyer_price", "check_two_prices", "check_wedge",
    "check_seller_rationing", "check_buyer_rationing", "check_four_prices", "check_no_free_lunch",
    "HYPOTHESES", "WEDGE_CX_BUYERS", "WEDGE_CX_MU", "SELLER_CX_DIST", "cx_wedge_nonuniform", "cx_seller_price_nonuniform",
    "cx_seller_price_large_q", "cx_seller_rationing_low_inequality", "cx_seller_rationing_large_mu",
    "cx_buyer_rationing_low_inequality", "cx_buyer_rationing_mu_below_one", "cx_nfl_with_lump_sums",
]


def _effective_options(sm, cell=0.0, tol=1e-9):
    """Menu options of a side as they would read in the continuous model: ``[(price, prob, mass)]``.

    Two finite-type artifacts are removed.  (i) Exact market clearing on finite types usually
    needs one marginal type to trade with some probability at a price equal to its own ``r``:
    it is indifferent, so only types with a *strict* gain from trading count.  (ii) For a
    discretized continuous distribution (cells of mass ``cell``) the quantity generally falls
    inside one cell, which is then served partially; a partial option taken by at most 1.5
    cells (and at most 1e-4) is that artifact, not rationing.  Computed from the public per-type
    arrays (sellers' ``T`` is money received, buyers' ``T`` money paid, lump sums included).
    """
    r, X, T, L = sm.types, sm.X, sm.T, sm.lump_sum
    scale = tol * max(1.0, float(np.max(np.abs(r))))
    trade = (X > PROB_TOL) & (sm.probs > 0)
    if sm.side == "sellers":
        pay = T - L                # money received for the good
        gain = pay - r * X
    else:
        pay = T + L                # money paid for the good
        gain = r * X - pay
    keep = trade & (gain > scale)
    opts = {}
    for k in np.flatnonzero(keep):
        key = (round(float(pay[k] / X[k]), 10), round(float(X[k]), 10))
        opts[key] = opts.get(key, 0.0) + float(sm.probs[k])
    floor = max(1.5 * cell, 1e-4) if cell > 0 else 0.0
    out = [(p, x, mass) for (p, x), mass in opts.items() if x >= 1 - PROB_TOL or mass > floor + 1e-12]
    return sorted(out, key=lambda t: -t[1])


def is_rationed(sm) -> bool:
    """The rationing classifier of the checks: the library's own, :attr:`redlib.mechanism.SideMechanism.is_rationing`.

    A positive mass of strictly gaining types trades with a probability in ``(0, 1)``, with the one
    tolerance :data:`redlib.thresholds.RATIONING_TOL`; on a discretized continuous side a partially
    served mass of at most ``ARTEFACT_CELLS`` cells is a discretization artefact, not rationing.
    Every check calls only this function, so results and checks cannot disagree on what rationing is.

    Parameters
    ----------
    sm : SideMechanism
        One side of a :class:`~redlib.MechanismResult`.

    Returns
    -------
    bool

    Examples
    --------
    >>> from redlib import Market, Side, Uniform, optimal_mechanism
    >>> res = optimal_mechanism(Market(Side(Uniform()), Side(Uniform())), grid_size=50)
    >>> is_rationed(res.sellers)
    False
    """
    return sm.is_rationing


def _cells(m, n):
    """Cell masses of the two sides of a market discretized with ``n`` cells (0 if discrete)."""
    return (0.0 if m.sellers.dist.is_discrete else 1.0 / n,
            0.0 if m.buyers.dist.is_discrete else 1.0 / n)


def _rationed(res, m, n):
    cS, cB = _cells(m, n)
    return is_rationed(res.sellers), is_rationed(res.buyers)


def _fmt_opts(sm, cell):
    return [(round(p, 4), round(x, 4)) for p, x, _ in _effective_options(sm, cell)]


def _lp_confirm(report, res, market, lump_sum, n, desc):
    """Welfare of the solver equals the LP referee's (returns (ok, message))."""
    lp = lp_market(market, lump_sum=lump_sum, grid_size=n)
    gap = report.add_gap(res.welfare, lp.welfare)
    if gap > LP_RTOL:
        return False, f"solver welfare {res.welfare:.10g} != LP referee {lp.welfare:.10g}"
    return True, ""


def _verify(res):
    try:
        res.verify()
    except AssertionError as exc:  # includes MechanismVerificationError
        return False, f"verify() failed: {exc}"
    return True, ""


# ================================================================================================
# First deck: the one-sided problems (uniform distributions, as on the slides)
# ================================================================================================
def _cumulative(dist, w, lo, hi, n_quad=20001):
    """Fine-grid cumulative integrals of ``lam g`` and ``r lam g`` on ``[lo, hi]`` (trapezoid)."""
    r = np.linspace(lo, hi, n_quad)
    a = w(r) * dist.pdf(r)
    b = r * a
    dr = np.diff(r)
    A = np.concatenate(([0.0], np.cumsum(0.5 * (a[1:] + a[:-1]) * dr)))
    B = np.concatenate(([0.0], np.cumsum(0.5 * (b[1:] + b[:-1]) * dr)))
    return r, A, B


def _seller_objective(dist, w, Q, R, p, Lam=None):
    """The slides' seller objective at prices ``p`` (continuous distribution, quadrature)."""
    r, A, B = _cumulative(dist, w, dist.lo, dist.hi)
    p = np.asarray(p, dtype=float)
    val = p * np.interp(p, r, A) - np.interp(p, r, B)  # int_lo^p lam (p - r) dG
    Lam = w.scale if Lam is None else Lam
    return Q / dist.cdf(p) * val + Lam * (R - p * Q)


def _seller_rstar(dist, w):
    """Closed form (chapter 2, prop-seller-price): :func:`redlib.rationing_cutoff` at ``alpha = Lam_S``."""
    return rationing_cutoff(w, w.scale, dist.lo, dist.hi)


@numerical_check()
def check_seller_price(n_instances=20, seed=0, grid_size=400):
    r"""The optimal seller price (slides: "The Optimal Seller Price :math:`p_S`").

    *When seller same-side inequality is low, :math:`p_S = p_S^C` is optimal.  When it is high and
    :math:`Q` is low enough, rationing at a price :math:`p_S > p_S^C` is optimal.*

    Instances: uniform ``G_S`` on ``[lo, hi]`` and a non-increasing ``lam_S`` (the slides' setting);
    half with low inequality (``lam_S(lo) / Lam_S`` in ``[1, 1.8]``), half with high
    (in ``[2.5, 8]``) and ``Q`` below the quantile ``u_hat`` where ``lam_S = 2 Lam_S`` (there
    ``phi_S`` is strictly convex, so every such ``Q`` is "low enough").  Conclusion on the solver
    (:func:`redlib.optimal_seller_price`): low: price = competitive price and no rationing, up to
    the finite-type artifact of one cell (when ``Q`` falls inside a cell, the marginal cell can
    gain from a price one cell higher that leaves out less than 1.5 cells of willing sellers; that
    gain vanishes like ``1/n^2``); high: rationing that leaves out more than 1.5 cells, at a price
    above the competitive one, equal to the closed form ``max(G^{-1}(Q), r*)`` (chapter 2)
    within two grid cells.  The solver's price is
    also compared with a brute-force search of the slides' objective over 400 prices.

    {parameters}

    Examples
    --------
    >>> check_seller_price(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("optimal seller price", notes=(
        f"uniform G_S, non-increasing lam_S, {grid_size} types; low: lam_S(lo)/Lam_S <= 1.8, "
        "high: >= 2.5 and Q < u_hat (where lam_S = 2 Lam_S)"))
    for i in range(n_instances):
        high = bool(i % 2)
        dist, w = one_sided_instance(rng, "S", high, grid_size)
        uh = w.u_hat(2.0)
        Q = float(rng.uniform(0.1, 0.9) * (uh if high else 1.0))
        R = dist.hi * Q + 0.5
        desc = f"[{'high' if high else 'low'}] sellers {describe_side(dist, w)}, Q={Q:.4g}, R={R:.4g}"
        res = optimal_seller_price(Side(dist, w), Q, R, grid_size=grid_size)
        cell = (dist.hi - dist.lo) / grid_size
        pC = float(dist.quantile(Q))
        why = []
        if abs(res.competitive_price - pC) > 2 * cell:
            why.append(f"competitive price {res.competitive_price:.5g} != G^-1(Q) = {pC:.5g}")
        # mass of willing types left out by rationing; up to 1.5 cells is the finite-type
        # artifact of a quantity that falls inside a cell (the marginal cell then gains by a
        # price one cell higher; the gain vanishes like 1/n^2)
        left_out = Q * (1.0 / res.rationing - 1.0)
        if not high:
            if abs(res.price - res.competitive_price) > cell * (1 + 1e-9) or left_out > 1.5 / grid_size:
                why.append(f"price {res.price:.5g} (rationing {res.rationing:.4g}) but p^C = "
                           f"{res.competitive_price:.5g}")
        else:
            rstar = _seller_rstar(dist, w)
            if not (res.price > res.competitive_price and left_out > 1.5 / grid_size):
                why.append(f"no rationing: price {res.price:.5g}, p^C {res.competitive_price:.5g}, "
                           f"probability {res.rationing:.4g}")
            if abs(res.price - max(pC, rstar)) > 2 * cell:
                why.append(f"price {res.price:.5g} != closed form max(G^-1(Q), r*) = {max(pC, rstar):.5g}")
        # brute force over prices of the slides' objective (continuous G): solver's price is optimal
        ps = np.linspace(pC, dist.hi, 400)
        obj = _seller_objective(dist, w, Q, R, ps)
        p_bf = ps[int(np.argmax(obj))]
        if abs(p_bf - res.price) > 2 * cell + (ps[1] - ps[0]):
            why.append(f"brute-force best price {p_bf:.5g} != solver's {res.price:.5g}")
        rep.record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_seller_price(grid_size)
    return rep


def _cx_seller_price(grid_size=60):
    """Low inequality at the extreme type but lam not monotone: rationing beats p^C."""
    dist = Uniform(0.0, 1.0)
    w = ShapeWeight("hump", (0.1, 0.15, 0.05), 0.0, 1.0, 1.0)  # lam(0) < 2 Lam, big hump at 0.15
    Q, R = 0.02, 1.0
    res = optimal_seller_price(Side(dist, w), Q, R, grid_size=grid_size)
    pC = float(dist.quantile(Q))
    o_pc, o_p = _seller_objective(dist, w, Q, R, np.array([pC, res.price]))
    fails = bool(res.price > pC + 1e-9 and o_p > o_pc + 1e-9)
    return Counterexample(
        f"sellers U[0,1] with lam = {w.__name__} (lam(0)/Lam = {w.ratio():.2f} <= 2), Q = {Q}",
        "lam_S non-increasing (only the extreme type's weight is low)", fails,
        f"objective {o_p:.5f} at p = {res.price:.4f} > {o_pc:.5f} at p^C = {pC:.4f}")


def _buyer_objective(dist, w, Q, R, p):
    """The slides' buyer objective at prices ``p`` (continuous uniform distribution, quadrature)."""
    r, A, B = _cumulative(dist, w, dist.lo, dist.hi)
    p = np.asarray(p, dtype=float)
    val = (B[-1] - np.interp(p, r, B)) - p * (A[-1] - np.interp(p, r, A))  # int_p^hi lam (r - p) dG
    return Q / (1.0 - dist.cdf(p)) * val + w.scale * (p * Q - R)


@numerical_check()
def check_buyer_price(n_instances=20, seed=0, grid_size=400):
    r"""The optimal buyer price (slides: "Setting :math:`p_B = p_B^C` is optimal ('full stop')").

    Instances: uniform ``G_B`` on ``[lo, hi]``, non-increasing ``lam_B`` with any same-side
    inequality (ratio ``lam_B(lo)/Lam_B`` in ``[1, 8]``), any ``Q``.  Conclusion on
    :func:`redlib.optimal_buyer_price`: price = competitive price ``G_B^{-1}(1 - Q)`` and no
    rationing, up to the one-cell artifact described in :func:`check_seller_price`;
    and a brute-force search of the slides' objective over 400 prices agrees.

    {parameters}

    Examples
    --------
    >>> check_buyer_price(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("optimal buyer price", notes=(
        f"uniform G_B, non-increasing lam_B with lam_B(lo)/Lam_B in [1, 8], {grid_size} types"))
    for i in range(n_instances):
        dist, w = one_sided_instance(rng, "B", bool(i % 2), grid_size)
        Q = float(rng.uniform(0.05, 0.95))
        R = 0.0
        desc = f"buyers {describe_side(dist, w)}, Q={Q:.4g}"
        res = optimal_buyer_price(Side(dist, w), Q, R, grid_size=grid_size)
        cell = (dist.hi - dist.lo) / grid_size
        pC = float(dist.quantile(1.0 - Q))
        why = []
        if abs(res.competitive_price - pC) > 2 * cell:
            why.append(f"competitive price {res.competitive_price:.5g} != G^-1(1-Q) = {pC:.5g}")
        left_out = Q * (1.0 / res.rationing - 1.0)
        if abs(res.price - res.competitive_price) > cell * (1 + 1e-9) or left_out > 1.5 / grid_size:
            why.append(f"price {res.price:.5g} (rationing {res.rationing:.4g}) but p^C = {res.competitive_price:.5g}")
        ps = np.linspace(dist.lo, pC, 400)
        obj = _buyer_objective(dist, w, Q, R, ps)
        if obj[-1] < obj.max() - 1e-9 * max(1.0, abs(obj.max())):
            why.append(f"brute force: price {ps[int(np.argmax(obj))]:.5g} beats p^C = {pC:.5g}")
        rep.record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_buyer_price(grid_size)
    return rep


def _cx_buyer_price(grid_size=60):
    """lam_B increasing (the richest buyers have the largest weight): a lower price is better."""
    dist = Uniform(0.0, 1.0)
    w = ShapeWeight("rising", -12.0, 0.0, 1.0, 1.0)
    Q, R = 0.2, 0.0
    res = optimal_buyer_price(Side(dist, w), Q, R, grid_size=grid_size)
    pC = float(dist.quantile(1.0 - Q))
    o_pc, o_p = _buyer_objective(dist, w, Q, R, np.array([pC, res.price]))
    fails = bool(res.price < pC - 1e-9 and o_p > o_pc + 1e-9)
    return Counterexample(
        f"buyers U[0,1] with increasing lam = {w.__name__}, Q = {Q}",
        "lam_B non-increasing", fails,
        f"objective {o_p:.5f} at p = {res.price:.4f} > {o_pc:.5f} at p^C = {pC:.4f}")


@numerical_check()
def check_two_prices(n_instances=20, seed=0, grid_size=400):
    r"""Multiple buyer prices (slides: "Multiple Prices?").

    *When buyer same-side inequality is low, :math:`p_B^H = p_B^C` is (globally) optimal.  When it
    is high and :math:`Q` is large enough, rationing at :math:`p_B^L` is (globally) optimal.*

    Instances: uniform ``G_B``, non-increasing ``lam_B``; low (ratio <= 1.8) with any ``Q``, or high
    (ratio >= 2.5) with ``Q > 1 - u_hat`` (``u_hat``: quantile where ``lam_B = 2 Lam_B``; there the
    buyers' ``phi_B`` is strictly convex, so such ``Q`` are "large enough").  Conclusion on
    :func:`redlib.optimal_buyer_two_prices`: low: no rationed option and ``p_high = p_B^C``;
    high: a rationed option (``0 < delta < 1``) at ``p_low < p_high`` taken by more than 1.5 cells of
    buyers.

    {parameters}

    Examples
    --------
    >>> check_two_prices(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("multiple buyer prices", notes=(
        f"uniform G_B, non-increasing lam_B, {grid_size} types; low: ratio <= 1.8 any Q; "
        "high: ratio >= 2.5 and Q > 1 - u_hat"))
    for i in range(n_instances):
        high = bool(i % 2)
        dist, w = one_sided_instance(rng, "B", high, grid_size)
        uh = w.u_hat(2.0)
        Q = float(1.0 - rng.uniform(0.1, 0.9) * uh) if high else float(rng.uniform(0.05, 0.95))
        desc = f"[{'high' if high else 'low'}] buyers {describe_side(dist, w)}, Q={Q:.4g}"
        res = optimal_buyer_two_prices(Side(dist, w), Q, 0.0, grid_size=grid_size)
        pC = float(dist.quantile(1.0 - Q))
        cell = (dist.hi - dist.lo) / grid_size
        rationed = _two_price_rationed(res)
        why = []
        if not high:
            if rationed:
                why.append(f"rationed option used (p_low {res.p_low:.5g}, delta {res.delta:.4g})")
            if abs(res.p_high - pC) > 2 * cell:
                why.append(f"p_high {res.p_high:.5g} != p^C {pC:.5g}")
        else:
            # mass of buyers taking the rationed option: types between p_low and the type
            # indifferent between the two options, r_hat = (p_high - delta p_low) / (1 - delta);
            # more than 1.5 cells (a single partially served cell is a finite-type artifact)
            mass_low = 0.0
            if rationed:
                r_hat = (res.high_prob * res.p_high - res.delta * res.p_low) / (res.high_prob - res.delta)
                mass_low = float(dist.cdf(min(r_hat, dist.hi)) - dist.cdf(res.p_low))
            if not rationed or not (res.p_low < res.p_high) or mass_low <= 1.5 / grid_size:
                why.append(f"no rationing: p_high {res.p_high:.5g}, p_low {res.p_low}, delta {res.delta}, "
                           f"mass at p_low {mass_low:.3g}")
        rep.record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_two_prices(grid_size)
    return rep


def _two_price_rationed(res):
    """Is the rationed low-price option actually taken by a positive mass of buyers?"""
    d = res.delta
    return bool(res.rationing and np.isfinite(d) and PROB_TOL < d < 1 - PROB_TOL and res.p_low < res.p_high)


def _cx_two_prices(grid_size=60):
    """High buyer inequality but small Q: the single competitive price stays optimal."""
    dist = Uniform(0.0, 1.0)
    w = ShapeWeight("power", 3.0, 0.0, 1.0, 1.0)
    Q = 0.2
    res = optimal_buyer_two_prices(Side(dist, w), Q, 0.0, grid_size=grid_size)
    fails = not _two_price_rationed(res)
    return Counterexample(
        f"buyers U[0,1] with lam = {w.__name__} (ratio 4, high), Q = {Q}",
        "Q large enough", fails,
        f"p_high = {res.p_high:.4f}, rationed option used: {not fails}")


# ================================================================================================
# First deck: linking the two sides (optimal_mechanism + lp_market)
# ================================================================================================
def _market(sellers_dist, w_S, buyers_dist, w_B, mu):
    return Market(Side(sellers_dist, w_S), Side(buyers_dist, w_B), buyer_mass=mu)


def _mdesc(m, sd, wS, bd, wB, mu):
    return (f"sellers {describe_side(sd, wS)}; buyers {describe_side(bd, wB)}; mu={mu:.4g}")


def _solve(m, lump_sum, n):
    return optimal_mechanism(m, lump_sum=lump_sum, grid_size=n)


def _low_weight(rng, lo, hi, Lam):
    """Weight of any shape on ``[lo, hi]`` with ``max lam <= 1.8 Lam`` (``Lam``: uniform average)."""
    r = np.linspace(lo, hi, 2001)
    for _ in range(200):
        kind = int(rng.integers(3))
        if kind == 0:
            w = decreasing_weight(rng, lo, hi, Lam, float(rng.uniform(1.0, 1.8)))
        elif kind == 1:
            w = ShapeWeight("hump", (float(rng.uniform(0.5, 2.0)), float(rng.uniform(0, 1)),
                                     float(rng.uniform(0.05, 0.3))), lo, hi, Lam)
        else:
            w = ShapeWeight("rising", -float(rng.uniform(0.1, 1.5)), lo, hi, Lam)
        if float(np.max(w(r))) <= 1.8 * Lam:
            return w
    return ShapeWeight("const", 0.0, lo, hi, Lam)


def _pooling_vanishes(m, n, refinements=(4,)):
    """Is the rationing found on ``n`` cells a discretization artifact that vanishes on finer grids?

    On ``k n`` cells (``k`` in ``refinements``) every rationed mass (strictly gaining types traded with
    probability in (0, 1), :meth:`SideMechanism.rationed_mass`) must be at most 1.5 cells of that
    grid: a pool of a couple of marginal cells whose mass shrinks like ``1/n`` is the finite-type
    face of a continuous optimum without rationing.
    """
    for k in refinements:
        res = optimal_mechanism(m, grid_size=k * n)
        for sm, dist in ((res.sellers, m.sellers.dist), (res.buyers, m.buyers.dist)):
            cell = 0.0 if dist.is_discrete else 1.0 / (k * n)
            if sm.rationed_mass() > 1.5 * cell + 1e-12:
                return False
    return True


@numerical_check()
def check_wedge(n_instances=20, seed=0, grid_size=60):
    r"""Linking the sides: price wedges (slides "Linking the Two Sides (II)").

    Book statement (``prop-wedge``): if ``G_S`` and ``G_B`` are uniform and same-side inequality is
    low on both sides, ``max_r lam_j(r) <= 2 Lam_j`` (for non-increasing weights
    ``lam_j(lo_j) <= 2 Lam_j``), it is optimal to set prices such that the market clears; any revenue
    is paid as a lump sum to the side with the higher average weight :math:`\Lambda_j`.
    The slides omit "uniform"; without it the statement is false (``cx_wedge_nonuniform``).

    Instances: uniform distributions on random intervals, weights of any shape (non-increasing,
    hump-shaped or rising) with ``max lam_j <= 1.8 Lam_j`` on both sides (checked on 2001 points),
    ``|Lam_S - Lam_B| >= 0.1``, random ``mu``.
    Conclusion on :func:`redlib.optimal_mechanism`: one price per side, each traded with
    probability one (no rationing -- a pool of marginal cells counts as rationing unless its mass,
    re-solved on four times as many cells, is at most 1.5 of those cells: it then vanishes like
    ``1/n``, see ``_pooling_vanishes``; clearing is then ``G_S(p_S) = mu (1 - G_B(p_B))``); the lump
    sum of the side with the lower ``Lam`` is zero and the other side's equals the revenue;
    ``verify()`` passes; the welfare equals the LP referee's.  Every fourth instance has constant
    weights and both sides uniform on ``[0, 1]``, where quantity, prices and lump sum must also match
    the closed form of chapter 3 (``Q = 1/((1 + k)/mu + 1)``, ``k = 1 - Lam_B/Lam_S``, and its
    mirror image) within two grid cells.

    {parameters}

    Examples
    --------
    >>> check_wedge(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("linking the sides: price wedge", notes=(
        f"uniform G_j, any weight shape with max lam_j <= 1.8 Lam_j on both sides, {grid_size} types per side"))
    for i in range(n_instances):
        if i % 4 == 3:
            # closed form of chapter 3 (exercise ch3-ex-closed-form): U[0,1] on both sides, constant weights
            LamS, LamB = float(rng.uniform(0.5, 3.0)), float(rng.uniform(0.5, 3.0))
            if abs(LamS - LamB) < 0.1:
                LamB = LamS + 0.5
            mu = float(rng.uniform(0.3, 3.0))
            m = _market(Uniform(0.0, 1.0), LamS, Uniform(0.0, 1.0), LamB, mu)
            desc = f"[closed form] sellers U[0,1] lam={LamS:.4g}; buyers U[0,1] lam={LamB:.4g}; mu={mu:.4g}"
            res = _solve(m, True, grid_size)
            why = []
            ok, msg = _verify(res)
            if not ok:
                why.append(msg)
            k = 1.0 - min(LamS, LamB) / max(LamS, LamB)
            Q = 1.0 / ((1.0 + k) / mu + 1.0) if LamS >= LamB else 1.0 / (1.0 / mu + 1.0 + k)
            pS, pB = Q, 1.0 - Q / mu
            lump = Q * (pB - pS) * (1.0 if LamS >= LamB else 1.0 / mu)  # per agent of the poorer side
            got_lump = res.sellers.lump_sum if LamS >= LamB else res.buyers.lump_sum
            cell = 1.0 / grid_size
            eS = _effective_options(res.sellers, cell)
            eB = _effective_options(res.buyers, cell)
            if not (len(eS) == 1 and len(eB) == 1):
                why.append(f"not one price per side: {res.sellers.options}, {res.buyers.options}")
            elif abs(eS[0][0] - pS) > 2 * cell or abs(eB[0][0] - pB) > 2 * cell or \
                    abs(res.quantity - Q) > 2 * cell or abs(got_lump - lump) > 4 * cell * max(1.0, 1.0 / mu):
                why.append(f"(Q, p_S, p_B, lump sum) = ({res.quantity:.4f}, {eS[0][0]:.4f}, {eB[0][0]:.4f}, "
                           f"{got_lump:.4f}) != closed form ({Q:.4f}, {pS:.4f}, {pB:.4f}, {lump:.4f})")
            ok, msg = _lp_confirm(rep, res, m, True, grid_size, desc)
            if not ok:
                why.append(msg)
            rep.record(not why, desc, "; ".join(why))
            continue
        while True:  # supports overlapping enough for trade (else the statement is vacuous)
            sides = []
            for _j in range(2):
                lo = float(rng.uniform(0.0, 1.0))
                hi = lo + float(rng.uniform(0.5, 1.5))
                sides.append((lo, hi))
            if sides[1][1] > sides[0][0] + 0.3:
                break
        LamS = float(rng.uniform(0.5, 3.0))
        LamB = LamS + float(rng.choice([-1, 1])) * float(rng.uniform(0.1, 1.5))
        LamB = max(LamB, 0.2)
        if abs(LamS - LamB) < 0.1:
            LamB = LamS + 0.5
        wS = _low_weight(rng, *sides[0], LamS)
        wB = _low_weight(rng, *sides[1], LamB)
        sd, bd = Uniform(*sides[0]), Uniform(*sides[1])
        mu = float(rng.uniform(0.3, 3.0))
        m = _market(sd, wS, bd, wB, mu)
        desc = _mdesc(m, sd, wS, bd, wB, mu)
        res = _solve(m, True, grid_size)
        why = []
        ok, msg = _verify(res)
        if not ok:
            why.append(msg)
        cS, cB = _cells(m, grid_size)
        eS, eB = _effective_options(res.sellers, cS), _effective_options(res.buyers, cB)
        if len(eS) != 1 or len(eB) != 1 or eS[0][1] < 1 - PROB_TOL or eB[0][1] < 1 - PROB_TOL:
            if not _pooling_vanishes(m, grid_size):
                why.append(f"not one sure price per side: sellers {res.sellers.options}, buyers {res.buyers.options}")
        LS, LB = res.sellers.lump_sum, res.buyers.lump_sum
        tol = 1e-9 * max(1.0, res.price_scale)
        poor, rich = (LS, LB) if m.Lam_S > m.Lam_B else (LB, LS)
        if abs(rich) > tol:
            why.append(f"lump sum {rich:.3g} paid to the side with the lower Lam")
        paid = LS + m.mu * LB
        if abs(paid - res.revenue) > 1e-8 * max(1.0, res.price_scale) or res.revenue < -tol:
            why.append(f"revenue {res.revenue:.6g} not paid out as lump sums ({paid:.6g})")
        ok, msg = _lp_confirm(rep, res, m, True, grid_size, desc)
        if not ok:
            why.append(msg)
        rep.record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_wedge(grid_size)
    return rep


def _cx_wedge(grid_size=60):
    """High seller same-side inequality: the market-clearing single prices are no longer optimal."""
    sd, bd = Uniform(0, 1), Uniform(0, 1)
    wS = ShapeWeight("power", 4.0, 0, 1, 1.0)
    m = _market(sd, wS, bd, 1.0, 0.1)
    res = _solve(m, True, grid_size)
    fails = any(_rationed(res, m, grid_size))
    return Counterexample(
        f"sellers U[0,1] with lam = {wS.__name__} (ratio 5), buyers U[0,1] lam = 1, mu = 0.1",
        "same-side inequality low on both sides", bool(fails),
        f"sellers' options {_fmt_opts(res.sellers, 1 / grid_size)} (rationing)")


@numerical_check()
def check_seller_rationing(n_instances=20, seed=0, grid_size=60):
    r"""Linking the sides: seller rationing (slides "Linking the Two Sides (III)").

    *If seller same-side inequality is high and :math:`\Lambda_S \ge \Lambda_B`, then (if
    :math:`\mu` is low enough) it is optimal to ration the sellers by setting a single price above
    the market-clearing level.*

    Instances: sellers uniform on ``[0, hi_S]`` with non-increasing ``lam_S``,
    ``lam_S(0)/Lam_S`` in ``[2.5, 8]``; buyers uniform with any non-increasing weight and
    ``Lam_B <= Lam_S``; ``mu = c u_hat_S`` with ``c`` in ``[0.2, 0.9]``, where ``u_hat_S`` is the
    sellers' quantile with ``lam_S = 2 Lam_S`` (so ``Q <= mu`` lies where ``phi_S`` is strictly
    convex: this is "``mu`` low enough").  Conclusion: the sellers' menu is a single option, a
    price at which they sell with probability strictly below one (so the price is above the
    market-clearing level ``G_S^{-1}(Q)``); ``verify()``; LP referee.

    {parameters}

    Examples
    --------
    >>> check_seller_rationing(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("linking the sides: seller rationing", notes=(
        f"uniform G_j; lam_S(0)/Lam_S in [2.5, 8]; Lam_B <= Lam_S; mu in [0.2, 0.9] u_hat_S; {grid_size} types per side"))
    for _ in range(n_instances):
        hiS = float(rng.uniform(0.5, 1.5))
        LamS = float(rng.uniform(0.5, 3.0))
        wS = decreasing_weight(rng, 0.0, hiS, LamS, float(rng.uniform(2.5, 8.0)))
        loB = float(rng.uniform(0.0, 1.0))
        hiB = loB + float(rng.uniform(0.5, 2.0))
        LamB = LamS * float(rng.uniform(0.2, 1.0))
        wB = decreasing_weight(rng, loB, hiB, LamB, float(rng.uniform(1.0, 6.0)))
        mu = float(rng.uniform(0.2, 0.9)) * wS.u_hat(2.0)
        sd, bd = Uniform(0.0, hiS), Uniform(loB, hiB)
        m = _market(sd, wS, bd, wB, mu)
        desc = _mdesc(m, sd, wS, bd, wB, mu)
        res = _solve(m, True, grid_size)
        why = []
        ok, msg = _verify(res)
        if not ok:
            why.append(msg)
        opts = _effective_options(res.sellers, _cells(m, grid_size)[0])
        if len(opts) != 1 or not (PROB_TOL < opts[0][1] < 1 - PROB_TOL):
            why.append(f"sellers' menu {opts} is not a single rationed price (alpha {res.alpha:.4g})")
        ok, msg = _lp_confirm(rep, res, m, True, grid_size, desc)
        if not ok:
            why.append(msg)
        rep.record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_seller_rationing(grid_size)
    return rep


def _cx_seller_rationing(grid_size=60):
    """Same high seller inequality, but buyers much poorer (Lam_B >> Lam_S): no rationing."""
    sd, bd = Uniform(0, 1), Uniform(1.0, 2.0)
    wS = ShapeWeight("power", 2.0, 0, 1, 1.0)
    m = _market(sd, wS, bd, 4.0, 0.2)
    res = _solve(m, True, grid_size)
    fails = not _rationed(res, m, grid_size)[0]
    return Counterexample(
        f"sellers U[0,1] with lam = {wS.__name__} (ratio 3), buyers U[1,2] with lam = 4, mu = 0.2",
        "Lam_S >= Lam_B", bool(fails),
        f"alpha = {res.alpha:.3g} = Lam_B > lam_S(0)/2 = 1.5; sellers' options "
        f"{_fmt_opts(res.sellers, 1 / grid_size)}")


@numerical_check()
def check_buyer_rationing(n_instances=20, seed=0, grid_size=60):
    r"""Linking the sides: buyer rationing (slides "Linking the Two Sides (III)").

    *If buyer same-side inequality is high and buyers' willingness to pay is sufficiently high
    relative to the sellers' rates of substitution, it is optimal to ration the buyers for
    :math:`\mu \in (1, 1 + \epsilon)`.*

    Translation.  The budget multiplier satisfies ``alpha >= max(Lam_S, Lam_B)`` and the buyers'
    ``phi_B`` is convex where ``lam_B > 2 alpha`` (uniform case), so "high" must be read relative
    to ``max(Lam_S, Lam_B)``: with ``Lam_S`` far above ``Lam_B`` the conclusion fails (see the
    counterexample).  We test the mirror image of the seller statement, ``Lam_B >= Lam_S``.

    Instances: sellers uniform on ``[0, hi_S]`` (any non-increasing weight, ``Lam_S <= Lam_B``);
    buyers uniform on ``[lo_B, lo_B + w]`` with ``2 lo_B - hi_B >= 2 hi_S`` (willingness to pay high:
    all sellers sell), non-increasing ``lam_B`` with ratio in ``[2.5, 8]``;
    ``mu = 1 + c u_hat_B / (1 - u_hat_B)``, ``c`` in ``[0.1, 0.9]`` (then ``Q/mu = 1/mu`` lies where
    ``phi_B`` is strictly convex).  Conclusion: some buyer option has probability strictly in
    ``(0, 1)``; all sellers sell; ``verify()``; LP referee.

    {parameters}

    Examples
    --------
    >>> check_buyer_rationing(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("linking the sides: buyer rationing", notes=(
        f"uniform G_j; lam_B(lo)/Lam_B in [2.5, 8]; Lam_S <= Lam_B; buyers' WTP above 2 hi_S; "
        f"mu in (1, 1/(1 - u_hat_B)); {grid_size} types per side"))
    for _ in range(n_instances):
        hiS = float(rng.uniform(0.5, 1.5))
        LamB = float(rng.uniform(0.5, 3.0))
        LamS = LamB * float(rng.uniform(0.2, 1.0))
        wS = decreasing_weight(rng, 0.0, hiS, LamS, float(rng.uniform(1.0, 6.0)))
        width = float(rng.uniform(0.5, 1.5))
        loB = 2.0 * hiS + width + float(rng.uniform(0.0, 1.0))
        hiB = loB + width
        wB = decreasing_weight(rng, loB, hiB, LamB, float(rng.uniform(2.5, 8.0)))
        uh = wB.u_hat(2.0)
        mu = 1.0 + float(rng.uniform(0.1, 0.9)) * uh / (1.0 - uh)
        sd, bd = Uniform(0.0, hiS), Uniform(loB, hiB)
        m = _market(sd, wS, bd, wB, mu)
        desc = _mdesc(m, sd, wS, bd, wB, mu)
        res = _solve(m, True, grid_size)
        why = []
        ok, msg = _verify(res)
        if not ok:
            why.append(msg)
        if not _rationed(res, m, grid_size)[1]:
            why.append(f"buyers not rationed: options {res.buyers.options} (alpha {res.alpha:.4g})")
        if abs(res.quantity - 1.0) > 1e-9:
            why.append(f"quantity {res.quantity:.6g} < 1: not all sellers sell")
        ok, msg = _lp_confirm(rep, res, m, True, grid_size, desc)
        if not ok:
            why.append(msg)
        rep.record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_buyer_rationing(grid_size)
    return rep


def _cx_buyer_rationing(grid_size=60):
    """High buyer inequality (ratio 3) but Lam_S = 2 Lam_B: alpha = Lam_S and phi_B is concave."""
    sd, bd = Uniform(0, 1), Uniform(3.0, 4.0)
    wB = ShapeWeight("power", 2.0, 3.0, 4.0, 1.0)
    uh = wB.u_hat(2.0)
    mu = 1.0 + 0.5 * uh / (1.0 - uh)
    m = _market(sd, 2.0, bd, wB, mu)
    res = _solve(m, True, grid_size)
    fails = not _rationed(res, m, grid_size)[1]
    return Counterexample(
        f"sellers U[0,1] lam = 2; buyers U[3,4] with lam = {wB.__name__} (ratio 3); mu = {mu:.3f}",
        "Lam_B >= Lam_S (high buyer inequality relative to alpha)", bool(fails),
        f"alpha = {res.alpha:.3g}; buyers' options {_fmt_opts(res.buyers, 1 / grid_size)}")


@numerical_check()
def check_four_prices(n_instances=20, seed=0, grid_size=40):
    r"""The main theorem: at most four prices, three with a non-zero lump sum.

    *There exists an optimal mechanism that uses some combination of a price wedge (with lump-sum
    transfer) and rationing; the total number of prices is at most 4, and at most 3 if a lump-sum
    transfer is paid.*

    Instances: arbitrary markets (discrete sides with arbitrary weights, uniform, truncated
    normal, multi-modal or three-piece (non-regular) sides with monotone or non-monotone weights, random ``mu``), with and without lump
    sums.  Conclusion on :func:`redlib.optimal_mechanism`: ``verify()`` passes, the number of
    distinct posted prices over both sides is at most 4, at most 3 when a lump sum is non-zero,
    ``n_prices`` agrees with the menus, and the welfare equals the LP referee's (so the mechanism
    with few prices is optimal).

    {parameters}

    Examples
    --------
    >>> check_four_prices(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("main theorem: at most 4 prices (3 with a lump sum)", notes=(
        f"arbitrary markets (discrete / uniform / truncated normal; any weights), with and without "
        f"lump sums; {grid_size} types per continuous side"))
    for i in range(n_instances):
        sd, wS, bd, wB, mu = random_market(rng)
        lump = bool(i % 4 != 3)
        m = _market(sd, wS, bd, wB, mu)
        desc = _mdesc(m, sd, wS, bd, wB, mu) + f"; lump sums {'allowed' if lump else 'forbidden'}"
        res = _solve(m, lump, grid_size)
        why = []
        ok, msg = _verify(res)
        if not ok:
            why.append(msg)
        # prices = distinct posted prices per side (an indifferent marginal type may trade with a
        # different probability at the same price: one price, two menu lines)
        n_opts = sum(len({round(p, 9) for p, _ in sm.options}) for sm in (res.sellers, res.buyers))
        if n_opts != res.n_prices:
            why.append(f"n_prices {res.n_prices} != number of distinct posted prices {n_opts}")
        tol = 1e-9 * max(1.0, res.price_scale)
        has_lump = abs(res.sellers.lump_sum) > tol or abs(res.buyers.lump_sum) > tol
        if n_opts > 4 or (has_lump and n_opts > 3):
            why.append(f"{n_opts} prices with lump sums {res.lump_sums}")
        ok, msg = _lp_confirm(rep, res, m, lump, grid_size, desc)
        if not ok:
            why.append(msg)
        rep.record(not why, desc, "; ".join(why))
    return rep


def _best_nfl_ce(m, n):
    """Best competitive equilibrium that satisfies No Free Lunch, on the finite market.

    On finite types the market-clearing price is any ``p`` in an interval
    ``[price_low, price_high]``; No Free Lunch additionally needs ``p <= max s`` (the highest seller
    type gains nothing) and ``p >= min b`` (the lowest buyer type gains nothing).  Welfare is linear
    in ``p`` on that range, so the best is at an end.  Returns ``None`` if no CE satisfies NFL.
    """
    fm = m.finite(n).positive()
    ce = competitive_equilibrium(m, grid_size=n)
    lo = max(ce.price_low, float(fm.b.min()))
    hi = min(ce.price_high, float(fm.s.max()))
    if lo > hi + 1e-12:
        return None

    def W(p):
        sell = fm.s < p
        buy = fm.b > p
        return float(np.sum((fm.g * fm.lam * (p - fm.s))[sell])) + \
            fm.mu * float(np.sum((fm.h * fm.nu * (fm.b - p))[buy]))

    return max(W(lo), W(hi))


@numerical_check()
def check_no_free_lunch(n_instances=20, seed=0, grid_size=40):
    r"""No Free Lunch: no price wedges; rationing without same-side inequality.

    *Under "No Free Lunch" (the participation constraints of the lowest-utility buyer type*
    :math:`\underline r_B` *and seller type* :math:`\bar r_S` *bind) price wedges are ruled out, and
    rationing can emerge even if there is no same-side inequality, provided that cross-side
    inequality is sufficiently large.*

    Part (a), arbitrary markets whose two sides share a support ``[lo, hi]`` (uniform, truncated
    normal or discrete; any weights), ``lump_sum=False``: both lump sums are zero, and if the
    optimum posts one price per side and rations nobody (read on the finite market: no strictly
    gaining type trades with a probability in ``(0, 1)``, and indifferent marginal types trade at
    that same price) its welfare equals that of the best competitive equilibrium satisfying NFL
    (``_best_nfl_ce``; on finite types the clearing price is an interval) -- a wedge never
    helps: with one sure price per side, raising the seller price and lowering the buyer price
    to a clearing price makes every agent weakly better off.  ``verify()``; LP referee
    (``lump_sum=False``).  Instances where no competitive equilibrium satisfies NFL are skipped.

    Part (b), no same-side inequality: both sides uniform on ``[0, 1]`` with constant weights,
    large cross-side inequality: either ``Lam_S / Lam_B`` in ``[5, 20]`` and ``mu`` in
    ``[0.1, 0.35]`` or ``Lam_B / Lam_S`` in ``[5, 20]`` and ``mu`` in ``[2.5, 4]`` (ranges found by a
    scan; with ``Lam_S/Lam_B = 2`` no ``mu`` in ``[0.2, 3]`` rations).  Conclusion: the NFL optimum
    rations, its value (confirmed by the LP referee) is strictly above the best NFL competitive
    equilibrium -- by part (a) the best value without rationing -- and with lump sums allowed
    the same market uses no rationing.

    {parameters}

    Examples
    --------
    >>> check_no_free_lunch(2, seed=1).ok
    True
    """
    rng = np.random.default_rng(seed)
    rep = CheckReport("No Free Lunch", notes=(
        f"(a) arbitrary markets with a common support, no lump sums; (b) constant weights, "
        f"Lam ratio in [5, 20]; {grid_size} types per continuous side"))
    n_a = max(1, n_instances // 2)
    n_b = max(1, n_instances - n_a)
    for _ in range(n_a):
        sd, wS, bd, wB, mu = nfl_market(rng)
        m = _market(sd, wS, bd, wB, mu)
        desc = "(a) " + _mdesc(m, sd, wS, bd, wB, mu)
        ce_best = _best_nfl_ce(m, grid_size)
        if ce_best is None:
            rep.skipped += 1
            continue
        res = _solve(m, False, grid_size)
        why = []
        ok, msg = _verify(res)
        if not ok:
            why.append(msg)
        if res.sellers.lump_sum != 0.0 or res.buyers.lump_sum != 0.0:
            why.append(f"non-zero lump sums {res.lump_sums}")
        tol = LP_RTOL * max(1.0, abs(ce_best))
        if res.welfare < ce_best - tol:
            why.append(f"welfare {res.welfare:.8g} below an NFL competitive equilibrium {ce_best:.8g}")
        # the premise is read on the finite market: one posted price per side and no strictly
        # gaining type traded with a probability in (0, 1), not even a single cell.  A partially
        # served marginal cell -- with a strict gain, or indifferent but at a second price --
        # lets the finite market beat its own CE by an amount that vanishes as the grid is
        # refined; such a mechanism is not "one price per side without rationing".
        single = len(res.sellers.options) == 1 and len(res.buyers.options) == 1
        if single and not (is_rationed(res.sellers) or is_rationed(res.buyers)) \
                and abs(res.welfare - ce_best) > tol:
            why.append(f"no rationing but welfare {res.welfare:.8g} != best NFL CE {ce_best:.8g} "
                       f"(a wedge helped?)")
        ok, msg = _lp_confirm(rep, res, m, False, grid_size, desc)
        if not ok:
            why.append(msg)
        rep.record(not why, desc, "; ".join(why))
    for i in range(n_b):
        ratio = float(rng.uniform(5.0, 20.0))
        base = float(rng.uniform(0.2, 1.0))
        if i % 2 == 0:
            LamS, LamB, mu = base * ratio, base, float(rng.uniform(0.1, 0.35))
        else:
            LamS, LamB, mu = base, base * ratio, float(rng.uniform(2.5, 4.0))
        sd = bd = Uniform(0.0, 1.0)
        m = _market(sd, LamS, bd, LamB, mu)
        desc = f"(b) sellers U[0,1] lam={LamS:.3g}; buyers U[0,1] lam={LamB:.3g}; mu={mu:.3g}"
        res = _solve(m, False, grid_size)
        why = []
        ok, msg = _verify(res)
        if not ok:
            why.append(msg)
        if not any(_rationed(res, m, grid_size)):
            why.append(f"no rationing under NFL: {res.sellers!r} {res.buyers!r}")
        ce_best = _best_nfl_ce(m, grid_size)
        if ce_best is None or not res.welfare > ce_best + 1e-6 * max(1.0, abs(ce_best)):
            why.append(f"NFL optimum {res.welfare:.8g} not above the best NFL CE {ce_best}")
        ok, msg = _lp_confirm(rep, res, m, False, grid_size, desc)
        if not ok:
            why.append(msg)
        res_ls = _solve(m, True, grid_size)
        if any(_rationed(res_ls, m, grid_size)):
            why.append("rationing also with lump sums allowed")
        rep.record(not why, desc, "; ".join(why))
    return rep


# ------------------------------------------------------------------------------------------------
# counterexamples for hypotheses that the checks above do not already drop
# ------------------------------------------------------------------------------------------------
#: the non-regular buyer distribution of the price-wedge counterexample: density 1 on [0, 0.5] and
#: [0.8, 1], 0.01 in between (three pieces; its virtual value is not monotone)
WEDGE_CX_BUYERS = ([0.0, 0.5, 0.51, 0.79, 0.8, 1.0], [1.0, 1.0, 0.01, 0.01, 1.0, 1.0])
#: buyer mass of the price-wedge counterexample
WEDGE_CX_MU = 0.3


@numerical_check(returns="Counterexample")
def cx_wedge_nonuniform(grid_size=60):
    """Price wedge without "G uniform": constant weights, non-regular buyers, buyers rationed.

    Sellers ``U[0, 1]`` with ``lam_S = 2``, buyers with the three-piece density
    :data:`WEDGE_CX_BUYERS` and ``lam_B = 1``, ``mu = 0.3``: no same-side inequality at all, yet
    ``alpha* = Lam_S = 2 > Lam_B`` gives the buyers' virtual value weight, its dip must be ironed
    and the optimum rations buyers (about 27% of them, on 60, 120 and 240 cells alike); the welfare
    is the LP referee's.

    {parameters}

    Examples
    --------
    >>> cx_wedge_nonuniform(40).conclusion_fails
    True
    """
    m = Market(Side(Uniform(0, 1), 2.0), Side(Tabulated(*WEDGE_CX_BUYERS), 1.0), buyer_mass=WEDGE_CX_MU)
    res = optimal_mechanism(m, grid_size=grid_size)
    lp = lp_market(m, grid_size=grid_size)
    rat = is_rationed(res.buyers)
    same = abs(res.welfare - lp.welfare) <= LP_RTOL * max(1.0, abs(lp.welfare))
    return Counterexample(
        "sellers U[0,1] lam = 2; buyers three-piece density (1 on [0,0.5] and [0.8,1], 0.01 between) "
        "lam = 1; mu = 0.3", "G_j uniform", bool(rat and same),
        f"alpha = {res.alpha:.3g}; buyers' options {_fmt_opts(res.buyers, 1 / grid_size)}; "
        f"welfare {res.welfare:.8f} = LP {lp.welfare:.8f}")


#: the non-uniform seller distribution of the seller-price counterexample (a gap on [0.3, 0.7])
SELLER_CX_DIST = ([0.0, 0.3, 0.31, 0.69, 0.7, 1.0], [1.0, 1.0, 0.01, 0.01, 1.0, 1.0])


@numerical_check(returns="Counterexample")
def cx_seller_price_nonuniform(grid_size=400):
    """Optimal seller price without "G_S uniform": low inequality, yet rationing is optimal.

    ``lam_S(r) = 1.5 (1 - r)^0.5`` (non-increasing; ``lam_S(0) / Lam_S = 1.55 <= 2``), ``G_S`` with
    the density :data:`SELLER_CX_DIST`, ``Q = 0.2``: the price just above the gap beats ``p^C``.

    {parameters}

    Examples
    --------
    >>> cx_seller_price_nonuniform(200).conclusion_fails
    True
    """
    dist = Tabulated(*SELLER_CX_DIST)
    w = ShapeWeight("power", 0.5, 0.0, 1.0, 1.0)
    Lam = average_weight(w, dist)
    Q, R = 0.2, 1.0
    res = optimal_seller_price(Side(dist, w), Q, R, grid_size=grid_size)
    pC = float(dist.quantile(Q))
    o_pc, o_p = _seller_objective(dist, w, Q, R, np.array([pC, res.price]), Lam=Lam)
    low = float(w(0.0)) <= 2 * Lam
    return Counterexample(
        f"sellers with a gap in their density (1 on [0,0.3] and [0.7,1], 0.01 between), lam = "
        f"{w.__name__} (lam(0)/Lam = {float(w(0.0)) / Lam:.2f} <= 2), Q = {Q}", "G_S uniform",
        bool(low and res.price > pC + 1e-9 and o_p > o_pc + 1e-9),
        f"objective {o_p:.5f} at p = {res.price:.4f} (rationing {res.rationing:.3f}) > {o_pc:.5f} "
        f"at p^C = {pC:.4f}")


@numerical_check(returns="Counterexample")
def cx_seller_price_large_q(grid_size=400):
    """High seller inequality but ``Q`` not low: the competitive price stays optimal.

    {parameters}

    Examples
    --------
    >>> cx_seller_price_large_q(200).conclusion_fails
    True
    """
    w = ShapeWeight("power", 3.0, 0.0, 1.0, 1.0)
    res = optimal_seller_price(Side(Uniform(0, 1), w), 0.6, 1.0, grid_size=grid_size)
    return Counterexample("sellers U[0,1], lam = 4 (1 - r)^3 (ratio 4), Q = 0.6", "Q low enough",
                          bool(res.rationing == 1.0 and abs(res.price - 0.6) <= 1.0 / grid_size),
                          f"price {res.price:.4f} = p^C, no rationing")


def _side_cx(sellers, buyers, mu, side, violated, description, grid_size=60):
    """The optimum of the market does not ration ``side``: a dropped hypothesis."""
    m = Market(sellers, buyers, buyer_mass=mu)
    res = optimal_mechanism(m, grid_size=grid_size)
    sm = res.sellers if side == "sellers" else res.buyers
    return Counterexample(description, violated, not is_rationed(sm),
                          f"alpha = {res.alpha:.3g}; {side}' options {_fmt_opts(sm, 1 / grid_size)}")


@numerical_check(returns="Counterexample")
def cx_seller_rationing_low_inequality(grid_size=60):
    """Seller rationing without high seller inequality (constant weights): no rationing.

    {parameters}

    Examples
    --------
    >>> cx_seller_rationing_low_inequality(40).conclusion_fails
    True
    """
    return _side_cx(Side(Uniform(), 2.0), Side(Uniform(), 1.0), 0.1, "sellers",
                    "high seller same-side inequality", "sellers U[0,1] lam = 2, buyers U[0,1] lam = 1, mu = 0.1",
                    grid_size)


@numerical_check(returns="Counterexample")
def cx_seller_rationing_large_mu(grid_size=60):
    """Seller rationing with ``mu`` not low: no rationing.

    {parameters}

    Examples
    --------
    >>> cx_seller_rationing_large_mu(40).conclusion_fails
    True
    """
    return _side_cx(Side(Uniform(), ShapeWeight("power", 3.0, 0, 1, 1.0)), Side(Uniform(), 1.0), 1.0,
                    "sellers", "mu low enough", "sellers U[0,1] lam = 4 (1 - r)^3, buyers U[0,1] lam = 1, mu = 1",
                    grid_size)


@numerical_check(returns="Counterexample")
def cx_buyer_rationing_low_inequality(grid_size=60):
    """Buyer rationing without high buyer inequality (constant weights): no rationing.

    {parameters}

    Examples
    --------
    >>> cx_buyer_rationing_low_inequality(40).conclusion_fails
    True
    """
    return _side_cx(Side(Uniform(), 1.0), Side(Uniform(1.0, 2.0), 1.0), 1.05, "buyers",
                    "high buyer same-side inequality", "sellers U[0,1] lam = 1, buyers U[1,2] lam = 1, mu = 1.05",
                    grid_size)


@numerical_check(returns="Counterexample")
def cx_buyer_rationing_mu_below_one(grid_size=60):
    """Buyer rationing with ``mu < 1`` (outside ``(1, 1 + eps)``): no rationing.

    {parameters}

    Examples
    --------
    >>> cx_buyer_rationing_mu_below_one(40).conclusion_fails
    True
    """
    return _side_cx(Side(Uniform(), 1.0), Side(Uniform(1.0, 2.0), ShapeWeight("power", 3.0, 1.0, 2.0, 1.0)),
                    0.8, "buyers", "mu in (1, 1 + eps)",
                    "sellers U[0,1] lam = 1, buyers U[1,2] lam = 4 (2 - r)^3, mu = 0.8", grid_size)


@numerical_check(returns="Counterexample")
def cx_nfl_with_lump_sums(grid_size=60):
    """No Free Lunch dropped (lump sums allowed): the optimum is a price wedge, not rationing.

    {parameters}

    Examples
    --------
    >>> cx_nfl_with_lump_sums(40).conclusion_fails
    True
    """
    m = Market(Side(Uniform(), 10.0), Side(Uniform(), 1.0), buyer_mass=0.5)
    res = optimal_mechanism(m, grid_size=grid_size)
    pS, pB = res.sellers.options[0][0], res.buyers.options[0][0]
    wedge = pB > pS + 1e-9 and res.sellers.lump_sum > 0
    return Counterexample("sellers U[0,1] lam = 10, buyers U[0,1] lam = 1, mu = 0.5, lump sums allowed",
                          "No Free Lunch", bool(wedge and not any(_rationed(res, m, grid_size))),
                          f"p_B = {pB:.4f} > p_S = {pS:.4f}, lump sum {res.sellers.lump_sum:.4f}, no rationing")


#: hypotheses of every first-deck result -> a function returning a Counterexample that drops it
HYPOTHESES = {
    "prop-seller-price": {"G_S uniform": cx_seller_price_nonuniform,
                          "lam_S non-increasing": _cx_seller_price,
                          "Q low enough": cx_seller_price_large_q},
    "prop-buyer-price": {"lam_B non-increasing": _cx_buyer_price},
    "prop-two-prices": {"Q large enough": _cx_two_prices},
    "prop-wedge": {"G_j uniform": cx_wedge_nonuniform,
                   "same-side inequality low on both sides": _cx_wedge},
    "prop-seller-rationing": {"Lam_S >= Lam_B": _cx_seller_rationing,
                              "high seller same-side inequality": cx_seller_rationing_low_inequality,
                              "mu low enough": cx_seller_rationing_large_mu},
    "prop-buyer-rationing": {"Lam_B >= Lam_S": _cx_buyer_rationing,
                             "high buyer same-side inequality": cx_buyer_rationing_low_inequality,
                             "mu in (1, 1 + eps)": cx_buyer_rationing_mu_below_one},
    "thm-four-prices": {},
    "prop-nfl": {"No Free Lunch": cx_nfl_with_lump_sums},
}
