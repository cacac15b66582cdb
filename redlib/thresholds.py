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

__all__ = ["MENU_TOL", "RATIONING_TOL", "cumulative_below", "cumulative_above", "seller_phi",
           "buyer_phi", "menu_options", "rationed_mass"]

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

    Returns
    -------
    G, A, B : numpy.ndarray
        The three cumulative sums.

    Examples
    --------
    >>> import numpy as np
    >>> cumulative_below(np.array([0.25, 0.75]), np.ones(2), np.array([0.0, 1.0]))[0].tolist()
    [0.25, 1.0]
    """
    return np.cumsum(probs), np.cumsum(probs * lam), np.cumsum(probs * lam * r)


def cumulative_above(probs, lam, r):
    """Sums over the types at or above each type: mass ``Hb``, ``C = sum h lam``, ``D = sum h lam r``.

    They describe every buyer threshold rule "types ``k..m`` buy": quantity ``Hb_k``, welfare
    ``D_k - p C_k`` at price ``p`` (Dworczak, Kominers and Akbarpour 2021, Appendix A).

    Parameters
    ----------
    probs, lam, r : numpy.ndarray
        Probabilities, Pareto weights and rates of substitution of the types (increasing ``r``).

    Returns
    -------
    Hb, C, D : numpy.ndarray
        The three cumulative sums.

    Examples
    --------
    >>> import numpy as np
    >>> cumulative_above(np.array([0.25, 0.75]), np.ones(2), np.array([0.0, 1.0]))[0].tolist()
    [1.0, 0.75]
    """
    return (np.cumsum(probs[::-1])[::-1], np.cumsum((probs * lam)[::-1])[::-1],
            np.cumsum((probs * lam * r)[::-1])[::-1])


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
