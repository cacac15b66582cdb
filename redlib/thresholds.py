r"""Threshold rules of one side of a finite market, the menus they form, and which types are rationed.

On finite types every incentive-compatible mechanism for one side is a lottery over *threshold
rules* (Dworczak, Kominers and Akbarpour 2021, Section 4 and Appendix A; the book's chapters 2
and 3): "the ``k`` cheapest sellers sell" or "buyers ``k`` and up buy", each at a price between two
consecutive types.  Every quantity a solver needs about a rule is a cumulative sum over the types,
computed here once for all rules; a lottery over rules gives each type a trade probability ``X``
and a transfer ``T``, and the distinct ``(X, T)`` pairs are the *menu* posted to the agents.

A type is **rationed** when it strictly gains from trading at its price but trades with a
probability strictly between 0 and 1.  :data:`RATIONING_TOL` is the one tolerance of that
classification, used by :class:`redlib.SideMechanism` and by
:func:`redlib.optimal_buyer_two_prices`.

Contents
--------
cumulative_below(probs, lam, r)
    Sums over the types at or below each type (seller rules).
cumulative_above(probs, lam, r)
    Sums over the types at or above each type (buyer rules).
seller_phi(types, G, A, B, alpha), buyer_phi(types, Hb, C, D, alpha)
    The points ``(q, phi_j^alpha(q))`` whose concave closures the designer maximizes.
menu_options(X, T, probs)
    The distinct trading options ``(price, probability)`` of a side, most trade first.
rationed_mass(probs, X, gain, scale)
    Mass of strictly-gaining types that trade with probability in ``(0, 1)``.
rationing_cutoff(weight, alpha, lo, hi)
    End of the pooled bottom of a uniform side (the root ``r*``).
seller_rationing_threshold(...), buyer_rationing_interval(...)
    For uniform sides, the buyer masses ``mu`` at which the optimal mechanism rations one side, in
    closed form (one scalar root, ``r*``).

Examples
--------
>>> import numpy as np
>>> from redlib.thresholds import cumulative_below, menu_options
>>> G, A, B = cumulative_below(np.array([0.5, 0.5]), np.array([2.0, 1.0]), np.array([0.2, 0.6]))
>>> G.tolist(), A.tolist(), B.tolist()
([0.5, 1.0], [1.0, 1.5], [0.2, 0.5])
>>> menu_options(np.array([1.0, 0.5]), np.array([0.6, 0.1]), np.array([0.5, 0.5]))
[(0.6, 1.0), (0.2, 0.5)]
"""
from __future__ import annotations

import numpy as np
from scipy.integrate import quad
from scipy.optimize import brentq

from ._validation import check_interval, check_positive
from .weights import evaluate_weight

__all__ = ["MENU_TOL", "RATIONING_TOL", "cumulative_below", "cumulative_above", "seller_phi",
           "buyer_phi", "menu_options", "rationed_mass", "rationing_cutoff",
           "seller_rationing_threshold", "buyer_rationing_interval"]

MENU_TOL = 1e-9
"""Menu options whose trade probabilities (and prices) differ by less than this are merged, and an
option traded with probability at most this is not a posted price."""

RATIONING_TOL = 1e-9
"""Tolerance of the rationing classification.

A type trades *partially* when its trade probability lies in ``(RATIONING_TOL, 1 - RATIONING_TOL)``,
and *strictly gains* from trade when its gain exceeds ``RATIONING_TOL`` times the price scale
``max(1, max |r|)``.  Used by :meth:`redlib.SideMechanism.rationed_mass` (hence
:attr:`redlib.mechanism.SideMechanism.is_rationing` and ``MechanismResult.instruments``) and by
:func:`redlib.optimal_buyer_two_prices`."""


def cumulative_below(probs, lam, r):
    """Sums over the types at or below each type: mass ``G``, ``A = sum g lam``, ``B = sum g lam r``.

    They describe every seller threshold rule "types ``1..k`` sell": quantity ``G_k``, welfare
    ``p A_k - B_k`` at price ``p`` (Dworczak, Kominers and Akbarpour 2021, Appendix A).

    Parameters
    ----------
    probs, lam, r : numpy.ndarray
        Probabilities, Pareto weights and rates of substitution of the types (increasing ``r``).
        ``lam`` may have one row per market (shape ``(markets, n)``): the sums are then per row.

    Returns
    -------
    G, A, B : numpy.ndarray
        The three cumulative sums (along the last axis).

    Examples
    --------
    >>> import numpy as np
    >>> cumulative_below(np.array([0.25, 0.75]), np.ones(2), np.array([0.0, 1.0]))[0].tolist()
    [0.25, 1.0]
    """
    return (np.cumsum(probs, axis=-1), np.cumsum(probs * lam, axis=-1),
            np.cumsum(probs * lam * r, axis=-1))


def cumulative_above(probs, lam, r):
    """Sums over the types at or above each type: mass ``Hb``, ``C = sum h lam``, ``D = sum h lam r``.

    They describe every buyer threshold rule "types ``k..m`` buy": quantity ``Hb_k``, welfare
    ``D_k - p C_k`` at price ``p`` (Dworczak, Kominers and Akbarpour 2021, Appendix A).

    Parameters
    ----------
    probs, lam, r : numpy.ndarray
        Probabilities, Pareto weights and rates of substitution of the types (increasing ``r``).
        ``lam`` may have one row per market, as in :func:`cumulative_below`.

    Returns
    -------
    Hb, C, D : numpy.ndarray
        The three cumulative sums (along the last axis).

    Examples
    --------
    >>> import numpy as np
    >>> cumulative_above(np.array([0.25, 0.75]), np.ones(2), np.array([0.0, 1.0]))[0].tolist()
    [1.0, 0.75]
    """
    return (np.cumsum(probs[::-1])[::-1], np.cumsum((probs * lam)[..., ::-1], axis=-1)[..., ::-1],
            np.cumsum((probs * lam * r)[..., ::-1], axis=-1)[..., ::-1])


def seller_phi(types, G, A, B, alpha):
    """Seller points ``(q, phi_S^alpha(q), price)`` on the quantiles ``0, G_1, ..., G_n``.

    Rule ``k`` (the ``k`` cheapest types sell) at price ``p`` in ``[s_k, s_{k+1}]`` is worth
    ``p (A_k - alpha G_k) - B_k``; the better end price is taken (the value is linear in ``p``).
    The optimal mechanism maximizes the concave closures of these points (Dworczak, Kominers and
    Akbarpour 2021; the book's chapter 3).

    Parameters
    ----------
    types : numpy.ndarray
        Seller types, strictly increasing.
    G, A, B : numpy.ndarray
        Their cumulative sums (:func:`cumulative_below`).
    alpha : float
        Multiplier on the budget constraint.

    Returns
    -------
    q, phi : numpy.ndarray
        Quantiles (with 0 first) and the values of the rules (0 for "nobody sells").
    price : numpy.ndarray
        The price of each rule ``k = 1..n``.

    Examples
    --------
    >>> import numpy as np
    >>> s, g, lam = np.array([0.2, 0.6]), np.array([0.5, 0.5]), np.ones(2)
    >>> q, phi, p = seller_phi(s, *cumulative_below(g, lam, s), alpha=1.0)
    >>> q.tolist(), phi.tolist()
    ([0.0, 0.5, 1.0], [0.0, -0.1, -0.4])
    """
    s_hi = np.append(types[1:], types[-1])
    coef = A - alpha * G
    p = np.where(coef > 0, s_hi, types)
    phi = p * coef - B
    return np.insert(G, 0, 0.0), np.insert(phi, 0, 0.0), p


def buyer_phi(types, Hb, C, D, alpha):
    """Buyer points ``(q, phi_B^alpha(q), price)`` per unit of buyers on ``0, Hb_m, ..., Hb_1``.

    Rule ``k`` (types ``k..m`` buy) at price ``p`` in ``[b_{k-1}, b_k]`` is worth
    ``D_k + p (alpha Hb_k - C_k)``; the better end price is taken.

    Parameters
    ----------
    types : numpy.ndarray
        Buyer types, strictly increasing.
    Hb, C, D : numpy.ndarray
        Their cumulative sums (:func:`cumulative_above`).
    alpha : float
        Multiplier on the budget constraint.

    Returns
    -------
    q, phi : numpy.ndarray
        Quantiles (with 0 first, increasing) and the values of the rules.
    price : numpy.ndarray
        The price of each rule ``k = 1..m``.

    Examples
    --------
    >>> import numpy as np
    >>> b, h, lam = np.array([0.4, 0.8]), np.array([0.5, 0.5]), np.ones(2)
    >>> q, phi, p = buyer_phi(b, *cumulative_above(h, lam, b), alpha=1.0)
    >>> q.tolist(), [round(v, 12) for v in phi.tolist()]
    ([0.0, 0.5, 1.0], [0.0, 0.4, 0.6])
    """
    b_lo = np.insert(types[:-1], 0, types[0])
    coef = alpha * Hb - C
    p = np.where(coef > 0, types, b_lo)
    phi = D + p * coef
    return np.insert(Hb[::-1], 0, 0.0), np.insert(phi[::-1], 0, 0.0), p


def menu_options(X, T, probs):
    """Distinct trading options ``(price, prob)`` of a side, most trade first.

    ``X`` and ``T`` are monotone step functions of the type, so the distinct outcomes are the runs
    of equal ``(X, T)``, found in one vectorized pass.  Options closer than :data:`MENU_TOL` are one
    option (exact market clearing on a grid can need lottery weights of the order of rounding
    errors).

    Parameters
    ----------
    X : numpy.ndarray
        Trade probability of each type.
    T : numpy.ndarray
        Transfer of each type for trading (without lump sums).
    probs : numpy.ndarray
        Probabilities of the types (types of zero probability post nothing).

    Returns
    -------
    list of (float, float)
        ``(unit price, trade probability)``, by decreasing probability.

    Examples
    --------
    >>> import numpy as np
    >>> menu_options(np.array([1.0, 1.0, 0.0]), np.array([0.5, 0.5, 0.0]), np.ones(3) / 3)
    [(0.5, 1.0)]
    """
    on = (X > 0) & (probs > 0)
    if not on.any():
        return []
    Xo, To = X[on], T[on]
    start = np.flatnonzero(np.concatenate([[True], (np.diff(Xo) != 0) | (np.diff(To) != 0)]))
    pairs = sorted({(float(Xo[i]), float(To[i])) for i in start}, key=lambda xt: (-xt[0], xt[1]))
    menu = []
    for x, t in pairs:
        if x <= MENU_TOL:
            continue
        p = t / x
        if menu and abs(menu[-1][1] - x) <= MENU_TOL and \
                abs(menu[-1][0] - p) <= MENU_TOL * max(1.0, abs(p)):
            continue
        menu.append((p, x))
    return menu


def rationed_mass(probs, X, gain, scale):
    """Mass of types that strictly gain from trade but trade with probability in ``(0, 1)``.

    Partial trade means ``RATIONING_TOL < X < 1 - RATIONING_TOL``; a strict gain means
    ``gain > RATIONING_TOL * max(1, scale)`` (:data:`RATIONING_TOL`).

    Parameters
    ----------
    probs : numpy.ndarray
        Probabilities of the types.
    X : numpy.ndarray
        Trade probability of each type.
    gain : numpy.ndarray
        What each type gains from its trade (utility without lump sums).
    scale : float
        Price scale, e.g. ``max |r|``.

    Returns
    -------
    float
        The rationed mass (0.0 when no type is rationed).

    Examples
    --------
    >>> import numpy as np
    >>> rationed_mass(np.array([0.5, 0.5]), np.array([1.0, 0.5]), np.array([0.3, 0.1]), 1.0)
    0.5
    """
    part = (X > RATIONING_TOL) & (X < 1 - RATIONING_TOL) & (probs > 0)
    if not part.any():
        return 0.0
    strict = part & (gain > RATIONING_TOL * max(1.0, float(scale)))
    return float(probs[strict].sum())


# ----------------------------------------------------------------------------------------------
# rationing thresholds of a uniform market, as functions of the buyer mass
# ----------------------------------------------------------------------------------------------
def _uniform_side(name, support, weight, monotone):
    """Validate a uniform side ``(support, weight)``; return ``lo, hi, lam, Lam``."""
    try:
        lo, hi = support
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair (lo, hi), got {support!r}") from None
    lo, hi = check_interval(name, lo, hi)
    r = np.linspace(lo, hi, 201)
    vals = evaluate_weight(weight, r, name=f"{name} weight")
    if monotone and np.any(np.diff(vals) > 1e-12 * max(1.0, float(np.max(vals)))):
        raise ValueError(f"the {name} weight must be non-increasing on [{lo:g}, {hi:g}]")

    def lam(x):
        return float(evaluate_weight(weight, np.array([x]), name=f"{name} weight")[0])

    Lam = quad(lam, lo, hi, limit=200)[0] / (hi - lo)
    return lo, hi, lam, Lam


def rationing_cutoff(weight, alpha, lo=0.0, hi=1.0):
    r"""Top of the pooled bottom of a uniform side: the root ``r*`` of
    ``int_lo^r* (r - lo) lam(r) dr = alpha (r* - lo)^2``.

    For sellers uniform on ``[lo, hi]`` it is the price of the rationed sale (the bottom linear
    piece of the concave closure of ``phi_S^alpha`` ends at ``G_S(r*)``); for buyers it is the
    highest type of the pooled bottom (the closure's top piece starts where the buyers above
    ``r*`` buy).  ``lo`` if ``lam(lo) <= 2 alpha`` (no convex part), ``hi`` if no root.  For the
    power weight ``lam = 3 c (1 - r)^2`` on ``[0, 1]`` (``theta = 2``, average ``c``) the root is
    ``r* = (2c - sqrt(3 c alpha - c^2 / 2)) / (1.5 c)``.

    Parameters
    ----------
    weight : callable or float
        Non-increasing Pareto weight on ``[lo, hi]`` (vectorized callable or constant).
    alpha : float
        Budget multiplier ``> 0``.
    lo, hi : float, default 0, 1
        Support of the uniform distribution.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If ``alpha <= 0``, ``[lo, hi]`` is not an interval, or the weight increases somewhere.

    Examples
    --------
    >>> from redlib import power_weight
    >>> round(rationing_cutoff(power_weight(1.0, 2.0), 1.0), 6)   # (4 - sqrt(10)) / 3
    0.279241
    >>> rationing_cutoff(1.0, 1.0)                                # constant weight: no pooling
    0.0
    """
    alpha = check_positive("alpha", alpha)
    lo, hi, lam, _ = _uniform_side("support", (lo, hi), weight, monotone=True)

    def excess(x):  # weighted average of lam on [lo, lo + x] (weight s) minus 2 alpha, halved
        return quad(lambda s: s * lam(lo + s), 0.0, x, limit=200)[0] / (x * x) - alpha

    a = 1e-9 * (hi - lo)
    if lam(lo) <= 2.0 * alpha or excess(a) <= 0.0:   # (the second: lam(lo) within rounding of 2 alpha)
        return float(lo)
    if excess(hi - lo) >= 0.0:
        return float(hi)
    return float(lo + brentq(excess, a, hi - lo, xtol=1e-13, rtol=1e-13))


def seller_rationing_threshold(seller_weight, buyer_weight, sellers=(0.0, 1.0), buyers=(0.0, 1.0)):
    r"""Buyer mass ``mu_S*`` below which the optimal mechanism rations sellers (uniform market).

    Sellers uniform on ``sellers = [lo_S, hi_S]`` (mass 1) with a non-increasing weight
    ``lam_S``; buyers uniform on ``buyers = [lo_B, hi_B]`` with a constant weight ``Lam_B``; lump
    sums allowed.  With ``alpha = max(Lam_S, Lam_B)``, ``r* = rationing_cutoff(lam_S, alpha)`` and
    ``Q_S* = G_S(r*)``, the closure of ``phi_S^alpha`` is linear on ``[0, Q_S*]`` with marginal
    cost ``c_S = alpha (2 r* - lo_S) - int_lo_S^r* lam_S``; the buyers' marginal value at the share
    ``x = Q / mu`` is ``alpha (hi_B - 2 w_B x) + Lam_B w_B x`` (``w_B = hi_B - lo_B``), so on that piece
    ``x = min(1, (alpha hi_B - c_S) / (w_B (2 alpha - Lam_B)))`` does not depend on ``mu`` and
    ``Q(mu) = mu x``.  Sellers are rationed iff ``Q(mu) < Q_S*``:

    .. math::  \mu_S^* = Q_S^* / x.

    **Regime.** This is the optimum iff the budget is then in surplus, ``b = hi_B - w_B x >= r*``
    (the buyer price covers the seller price; the surplus is the lump sum to the side with the
    larger ``Lam``, so ``alpha* = max(Lam_S, Lam_B)``): a condition free of ``mu``.  Otherwise the
    budget binds, ``alpha* > max Lam`` is the root of ``b(alpha) = r*(alpha)`` (also free of ``mu``) and
    the same formula holds at that ``alpha``; ``closed_form`` is then False.  No rationing at
    all (``mu = 0``) if ``lam_S(lo_S) <= 2 alpha*`` or no trade is worth it (``alpha hi_B <= c_S``).

    Parameters
    ----------
    seller_weight : callable or float
        Non-increasing ``lam_S`` on ``sellers``.
    buyer_weight : float
        Constant buyer weight ``Lam_B > 0``.
    sellers, buyers : (float, float), default (0, 1)
        Supports of the uniform distributions.

    Returns
    -------
    dict
        ``mu`` (the threshold ``mu_S*``), ``alpha``, ``rstar``, ``share`` (``x``), ``cost``
        (``c_S``), ``buyer_price`` (``b``), ``closed_form`` (bool: ``alpha* = max Lam``).

    Examples
    --------
    Hint of the book: ``lam_S = 3 (1 - r)^2`` (``Lam_S = 1``), ``Lam_B = 0.5``, both on ``[0, 1]``:

    >>> from redlib import power_weight
    >>> t = seller_rationing_threshold(power_weight(1.0, 2.0), 0.5)
    >>> round(t["mu"], 4), round(t["rstar"], 4), round(t["share"], 4), t["closed_form"]
    (0.3925, 0.2792, 0.7114, True)
    """
    loS, hiS, lamS, LamS = _uniform_side("sellers", sellers, seller_weight, monotone=True)
    LamB = check_positive("buyer_weight", buyer_weight)
    loB, hiB = _uniform_side("buyers", buyers, LamB, monotone=False)[:2]
    wS, wB = hiS - loS, hiB - loB

    def at(alpha):
        rs = rationing_cutoff(seller_weight, alpha, loS, hiS)
        cost = alpha * (2.0 * rs - loS) - quad(lamS, loS, rs, limit=200)[0]
        x = min(1.0, max(0.0, (alpha * hiB - cost) / (wB * (2.0 * alpha - LamB))))
        return rs, cost, x, hiB - wB * x

    alpha = max(LamS, LamB)
    rs, cost, x, b = at(alpha)
    closed = True
    if rs > loS and x > 0 and b < rs:
        closed = False
        top = lamS(loS) / 2.0
        if at(top)[3] < at(top)[0]:
            rs, cost, x, b = loS, 0.0, 0.0, hiB
        else:
            alpha = brentq(lambda a: at(a)[3] - at(a)[0], alpha, top, xtol=1e-13)
            rs, cost, x, b = at(alpha)
    mu = (rs - loS) / wS / x if (rs > loS and x > 0) else 0.0
    return dict(mu=float(mu), alpha=float(alpha), rstar=float(rs), share=float(x), cost=float(cost),
                buyer_price=float(b), closed_form=closed)


def buyer_rationing_interval(seller_weight, buyer_weight, sellers=(0.0, 1.0), buyers=(0.0, 1.0)):
    r"""Buyer masses ``(mu_lo, mu_hi)`` between which the optimal mechanism rations buyers (uniform market).

    The mirror of :func:`seller_rationing_threshold`: sellers uniform on ``sellers`` with a constant
    weight ``Lam_S``; buyers uniform on ``buyers`` with a non-increasing weight ``lam_B``; lump sums
    allowed, ``alpha = max(Lam_S, Lam_B)``.  The closure of the buyers' ``phi_B^alpha`` has a linear
    top piece on ``[x_hat, 1]`` (shares of buyers buying) with ``b_hat = rationing_cutoff(lam_B,
    alpha)`` -- the same equation as the sellers' ``r*`` -- and ``x_hat = (hi_B - b_hat) / w_B``; its
    slope is ``v_B = int_b_hat^hi_B lam_B - alpha (hi_B - 2 b_hat)``.  The sellers' marginal cost
    ``alpha lo_S + w_S Q (2 alpha - Lam_S)`` equals ``v_B`` at ``Q_B = (v_B - alpha lo_S) / (w_S (2 alpha -
    Lam_S))``, capped at 1 (all sellers sell); it does not depend on ``mu``.  Buyers are rationed
    iff ``x_hat < Q_B / mu < 1``:

    .. math::  \mu \in (Q_B,\; Q_B / \hat x).

    **Regime.** Revenue is linear and non-decreasing in ``mu`` on the interval; each end is
    exact at ``alpha* = max Lam`` iff the budget is in surplus there: ``lo_B >= p_S`` at ``mu_lo``
    (everybody buys at ``lo_B``), ``b_hat >= p_S`` at ``mu_hi``, with ``p_S = lo_S + w_S Q_B`` the
    seller price (``closed_form`` reports both).  Where it fails the budget binds, ``alpha*`` depends
    on ``mu`` inside the interval, and the end is the root of a budget equation: no closed form.
    Empty interval (``mu_lo = mu_hi``) if ``lam_B(lo_B) <= 2 alpha`` or no trade is worth it.

    Parameters
    ----------
    seller_weight : float
        Constant seller weight ``Lam_S > 0``.
    buyer_weight : callable or float
        Non-increasing ``lam_B`` on ``buyers``.
    sellers, buyers : (float, float), default (0, 1)
        Supports of the uniform distributions.

    Returns
    -------
    dict
        ``mu_lo, mu_hi``, ``alpha``, ``bhat``, ``share`` (``x_hat``), ``value`` (``v_B``),
        ``quantity`` (``Q_B`` capped at 1), ``seller_price``, ``closed_form`` (pair of bools: the
        two ends).

    Examples
    --------
    >>> from redlib import power_weight
    >>> t = buyer_rationing_interval(0.5, power_weight(1.0, 2.0, 1.0, 2.0), sellers=(0.0, 1.0), buyers=(1.0, 2.0))
    >>> round(t["mu_lo"], 4), round(t["mu_hi"], 4), t["closed_form"]
    (0.6219, 0.8629, (True, True))
    """
    LamS = check_positive("seller_weight", seller_weight)
    loB, hiB, lamB, LamB = _uniform_side("buyers", buyers, buyer_weight, monotone=True)
    try:
        loS, hiS = sellers
    except (TypeError, ValueError):
        raise ValueError(f"sellers must be a pair (lo, hi), got {sellers!r}") from None
    loS, hiS = check_interval("sellers", loS, hiS)
    wS, wB = hiS - loS, hiB - loB
    alpha = max(LamS, LamB)
    bhat = rationing_cutoff(buyer_weight, alpha, loB, hiB)
    xhat = (hiB - bhat) / wB
    value = quad(lamB, bhat, hiB, limit=200)[0] - alpha * (hiB - 2.0 * bhat)
    Q = min(1.0, max(0.0, (value - alpha * loS) / (wS * (2.0 * alpha - LamS))))
    pS = loS + wS * Q
    if bhat <= loB or Q <= 0.0:
        lo_mu = hi_mu = Q
    else:
        lo_mu, hi_mu = Q, Q / xhat
    return dict(mu_lo=float(lo_mu), mu_hi=float(hi_mu), alpha=float(alpha), bhat=float(bhat),
                share=float(xhat), value=float(value), quantity=float(Q), seller_price=float(pS),
                closed_form=(bool(loB >= pS), bool(bhat >= pS)))
