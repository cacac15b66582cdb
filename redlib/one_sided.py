r"""One-sided problems of DKA (slides "The Optimal Seller/Buyer Price"; the book's chapter 2).

Seller side: acquire ``Q`` units spending ``R``; one price ``p >= G_S^{-1}(Q)``, every type below ``p``
is willing and sells with the same probability ``Q / G_S(p)`` (rationing when ``< 1``); what is left,
``R - p Q``, is paid to all sellers as a lump sum valued at ``Lam_S``:

.. math:: \max_{p \ge G_S^{-1}(Q)} \frac{Q}{G_S(p)} \int_{\underline r_S}^{p} \lambda_S (p - r)\, dG_S
          + \Lambda_S (R - p Q).

Buyer side: allocate ``Q`` (a fraction of the buyers) raising ``R``:

.. math:: \max_{p \le G_B^{-1}(1 - Q)} \frac{Q}{1 - G_B(p)} \int_{p}^{\bar r_B} \lambda_B (r - p)\, dG_B
          + \Lambda_B (p Q - R),

and its two-price version (buy for sure at ``p_high`` or with probability ``delta`` at ``p_low``), which
is the concave closure of ``phi_B`` at ``alpha = Lam_B`` (any lottery over threshold rules).

All three are solved exactly on finite types (continuous sides are discretized by
``dist.grid(grid_size)``; prices are then exact to the cell width, O(1/grid_size)).  On finite types
the types exactly at the price are indifferent: they trade only as far as needed to reach ``Q``, and
everyone strictly willing trades with the same probability.  The lump sum ``R - pQ`` (or ``pQ - R``)
is not required to be non-negative, exactly as in the formulas above.

Examples
--------
>>> from redlib import Uniform, Side, optimal_seller_price, optimal_buyer_price, power_weight
>>> S = Side(Uniform(), power_weight(1.0, 3.0))     # lam(0) = 4 Lam: high same-side inequality
>>> res = optimal_seller_price(S, Q=0.2, R=0.0, grid_size=2000)
>>> round(res.competitive_price, 3), round(res.price, 2), res.rationing < 1
(0.2, 0.32, True)
>>> res_b = optimal_buyer_price(Side(Uniform(), power_weight(1.0, 3.0)), Q=0.5, R=0.0, grid_size=2000)
>>> res_b.price == res_b.competitive_price
True
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._validation import check_finite, check_probability
from ._validation import check_instance
from .envelope import concave_envelope
from .market import Side
from .thresholds import cumulative_above, cumulative_below, menu_options, rationed_mass

__all__ = [
    "OneSidedResult",
    "TwoPriceResult",
    "optimal_seller_price",
    "optimal_buyer_price",
    "optimal_buyer_two_prices",
]


@dataclass(repr=False)
class OneSidedResult:
    """Solution of a one-sided single-price problem.

    Attributes
    ----------
    side : str
        ``"sellers"`` or ``"buyers"``.
    price : float
        Optimal price.
    quantity : float
        ``Q``.
    rationing : float
        Trade probability of the types strictly willing to trade at ``price`` (1 if no rationing).
    objective : float
        Optimal value of the objective.
    competitive_price : float
        Market-clearing price for ``Q`` (``G_S^{-1}(Q)`` or ``G_B^{-1}(1 - Q)`` on the finite types).
    competitive_objective : float
        Objective at the competitive price.
    lump_sum : float
        ``R - price Q`` (sellers) or ``price Q - R`` (buyers): what is redistributed lump-sum.
    prices, objectives : numpy.ndarray
        All candidate prices (the finite types allowed by the constraint) and their objectives.

    Examples
    --------
    >>> from redlib import Discrete, Side, optimal_seller_price
    >>> res = optimal_seller_price(Side(Discrete([0.1, 0.4])), Q=0.5, R=1.0)
    >>> res.price, res.rationing, res.lump_sum
    (0.1, 1.0, 0.95)
    """

    side: str
    price: float
    quantity: float
    rationing: float
    objective: float
    competitive_price: float
    competitive_objective: float
    lump_sum: float
    prices: np.ndarray = field(default=None)
    objectives: np.ndarray = field(default=None)

    def __repr__(self):
        return (
            f"OneSidedResult({self.side}: price={self.price:.6g}, rationing={self.rationing:.6g}, "
            f"objective={self.objective:.6g}, competitive_price={self.competitive_price:.6g}, "
            f"Q={self.quantity:.6g})"
        )


@dataclass(repr=False)
class TwoPriceResult:
    """Solution of the buyer problem with (at most) two prices.

    Attributes
    ----------
    p_high : float
        Price of the option with the highest buying probability (``high_prob``, normally 1).
    p_low : float
        Price of the rationed option (equals ``p_high`` when there is a single price).
    delta : float
        Buying probability at ``p_low`` (equals ``high_prob`` when there is a single price).
    high_prob : float
        Buying probability at ``p_high`` (1 unless all trade is rationed at one price).
    objective : float
        Optimal value (``co(phi_B^Lam)(Q) - Lam_B R``).
    rationing : bool
        Whether some buyer who strictly gains from trade buys with probability in ``(0, 1)``.
    quantity : float
        ``Q``.
    competitive_price : float
        ``G_B^{-1}(1 - Q)`` on the finite types.
    competitive_objective : float
        Objective of the competitive single price.
    options : list of (price, prob)
        The full menu.

    Examples
    --------
    >>> from redlib import Discrete, Side, optimal_buyer_two_prices
    >>> res = optimal_buyer_two_prices(Side(Discrete([0.2, 0.6]), 1.0), Q=0.5)
    >>> res.p_high, res.rationing
    (0.6, False)
    """

    p_high: float
    p_low: float
    delta: float
    high_prob: float
    objective: float
    rationing: bool
    quantity: float
    competitive_price: float
    competitive_objective: float
    options: list

    def __repr__(self):
        return (
            f"TwoPriceResult(p_high={self.p_high:.6g}, p_low={self.p_low:.6g}, "
            f"delta={self.delta:.6g}, objective={self.objective:.6g}, rationing={self.rationing}, "
            f"competitive_price={self.competitive_price:.6g})"
        )


def _inputs(side, Q, R, grid_size):
    check_instance("side", side, Side)
    Q = check_probability("Q", Q)
    if Q <= 0:
        raise ValueError(f"Q must be in (0, 1], got {Q!r}")
    R = check_finite("R", R)
    r, g, lam = side.finite(grid_size)
    keep = g > 0
    r, g, lam = r[keep], g[keep], lam[keep]
    return r, g, lam, Q, R


_EPS = 1e-12


def _rationing(strict, Q):
    """Trade probability of the types at a posted price that serves ``Q`` units.

    ``strict`` is, per candidate price, the mass of types that strictly prefer trading at it
    (below it for sellers, above it for buyers); if it exceeds ``Q`` they are rationed uniformly.
    """
    return np.where(strict > Q * (1 + _EPS), Q / np.where(strict > 0, strict, 1.0), 1.0)


def _best_price(side, r, reach, x, val, Q, R):
    """Pick the optimal posted price among the types that can serve ``Q`` units (chapter 2).

    ``reach`` is, per candidate price ``r``, the mass of types willing to trade at it; ``x`` the
    rationing of the marginal types and ``val`` the objective.  Among (numerically) tied optima
    the competitive price is preferred.
    """
    cand = np.flatnonzero(reach >= Q - _EPS)
    i = cand[int(np.argmax(val[cand]))]
    ic = cand[0] if side == "sellers" else cand[-1]
    if val[ic] >= val[i] - 1e-13 * max(1.0, abs(val[i])):
        i = ic  # prefer the competitive price among (numerically) tied optima
    lump = R - r[i] * Q if side == "sellers" else r[i] * Q - R
    return OneSidedResult(
        side=side, price=float(r[i]), quantity=Q, rationing=float(x[i]),
        objective=float(val[i]), competitive_price=float(r[ic]),
        competitive_objective=float(val[ic]), lump_sum=float(lump),
        prices=r[cand], objectives=val[cand],
    )


def optimal_seller_price(side, Q, R=0.0, grid_size=None):
    r"""Optimal single seller price for acquiring ``Q`` units with budget ``R`` (chapter 2).

    Parameters
    ----------
    side : Side
        The sellers.
    Q : float
        Quantity to acquire, ``0 < Q <= 1``.
    R : float, default 0.0
        Money available; ``R - p Q`` is paid to every seller as a lump sum.
    grid_size : int, optional
        Cells for a continuous distribution.

    Returns
    -------
    OneSidedResult

    Notes
    -----
    With uniform types on ``[0, 1]`` and non-increasing ``lam_S`` the optimum is
    ``p_S = max(Q, r*)`` where ``int_0^{r*} r lam_S = Lam_S r*^2``; ``r* > 0`` iff
    ``lam_S(0) > 2 Lam_S``.

    Examples
    --------
    >>> from redlib import Discrete, Side, optimal_seller_price
    >>> S = Side(Discrete([0.1, 0.2, 0.9]), lambda r: 0.5 + 8.0 * (r < 0.15))
    >>> res = optimal_seller_price(S, Q=0.3)       # the poorest third sells first
    >>> res.competitive_price, res.price, round(res.rationing, 3)
    (0.1, 0.9, 0.45)
    """
    r, g, lam, Q, R = _inputs(side, Q, R, grid_size)
    G, A, B = cumulative_below(g, lam, r)
    Lam = float(A[-1])
    Gm = np.insert(G[:-1], 0, 0.0)  # mass strictly below each type
    Am = np.insert(A[:-1], 0, 0.0)
    Bm = np.insert(B[:-1], 0, 0.0)
    x = _rationing(Gm, Q)
    return _best_price("sellers", r, G, x, x * (r * Am - Bm) + Lam * (R - r * Q), Q, R)


def optimal_buyer_price(side, Q, R=0.0, grid_size=None):
    r"""Optimal single buyer price for allocating ``Q`` units raising ``R`` (chapter 2).

    Parameters
    ----------
    side : Side
        The buyers.
    Q : float
        Fraction of buyers served, ``0 < Q <= 1``.
    R : float, default 0.0
        Revenue to raise; ``p Q - R`` is paid to every buyer as a lump sum.
    grid_size : int, optional
        Cells for a continuous distribution.

    Returns
    -------
    OneSidedResult

    Notes
    -----
    The slides' proposition: the competitive price ``G_B^{-1}(1 - Q)`` is optimal, "full stop"
    (checked by the tests for uniform types and decreasing weights).

    Examples
    --------
    >>> from redlib import Uniform, Side, optimal_buyer_price
    >>> res = optimal_buyer_price(Side(Uniform(), lambda r: 5 * (1 - r) ** 4), Q=0.3, grid_size=1000)
    >>> round(res.price, 4), res.price == res.competitive_price, res.rationing
    (0.7005, True, 1.0)
    """
    r, h, lam, Q, R = _inputs(side, Q, R, grid_size)
    Hb, C, D = cumulative_above(h, lam, r)  # Hb: mass at or above each type
    Lam = float(C[0])
    Hp = np.append(Hb[1:], 0.0)  # mass strictly above
    Cp = np.append(C[1:], 0.0)
    Dp = np.append(D[1:], 0.0)
    x = _rationing(Hp, Q)
    return _best_price("buyers", r, Hb, x, x * (Dp - r * Cp) + Lam * (r * Q - R), Q, R)


def optimal_buyer_two_prices(side, Q, R=0.0, grid_size=None):
    r"""Optimal buyer menu with (at most) two prices for allocating ``Q`` raising ``R``.

    Any lottery over threshold rules "types ``k`` and up buy" with mean quantity ``Q`` is allowed;
    the optimum is the concave closure of ``phi_B`` at ``alpha = Lam_B`` evaluated at ``Q``
    (chapter 2, "Multiple buyer prices"), a lottery over at most two rules, i.e. a menu: buy for sure at ``p_high``
    or with probability ``delta`` at ``p_low < p_high``.

    Parameters
    ----------
    side : Side
        The buyers.
    Q : float
        Fraction of buyers served, ``0 < Q <= 1``.
    R : float, default 0.0
        Revenue to raise (enters the objective as ``- Lam_B R``).
    grid_size : int, optional
        Cells for a continuous distribution.

    Returns
    -------
    TwoPriceResult

    Notes
    -----
    Rationing at ``p_low`` appears when the buyer weight at the bottom exceeds ``2 Lam_B`` (high
    same-side inequality) and ``Q`` is large.

    Examples
    --------
    >>> from redlib import Uniform, Side, optimal_buyer_two_prices, power_weight
    >>> res = optimal_buyer_two_prices(Side(Uniform(), power_weight(1.0, 3.0)), Q=0.9, grid_size=1000)
    >>> res.rationing, res.p_low < res.p_high, 0 < res.delta < 1
    (True, True, True)
    """
    r, h, lam, Q, R = _inputs(side, Q, R, grid_size)
    m = r.size
    Hb, C, D = cumulative_above(h, lam, r)
    Lam = float(C[0])
    lo = np.insert(r[:-1], 0, r[0])
    coef = Lam * Hb - C
    # the price of a rule is neutral when coef == 0 (up to rounding): then take the higher,
    # market-clearing end, as the single-price problem does
    p = np.where(coef >= -1e-13 * max(1.0, Lam), r, lo)
    phi = D + p * coef
    xq = np.insert(Hb[::-1], 0, 0.0)  # point j <-> rule k = m + 1 - j
    yq = np.insert(phi[::-1], 0, 0.0)
    env = concave_envelope(xq, yq)
    il, ir, wl = env.split_indices(min(Q, float(xq[-1])))
    if il != ir and min(wl, 1.0 - wl) < 1e-9:  # rounding of the cumulative masses: snap to the vertex
        il = ir = il if wl > 0.5 else ir
        wl = 1.0
    eX = np.zeros(m + 2)
    eT = np.zeros(m + 2)
    for j, w in ((il, wl), (ir, 1.0 - wl)) if il != ir else ((il, 1.0),):
        k = m + 1 - j
        if k <= m and w > 0:
            eX[k] += w
            eT[k] += w * p[k - 1]
    X = np.clip(np.cumsum(eX)[1:m + 1], 0.0, 1.0)
    T = np.cumsum(eT)[1:m + 1]
    options = menu_options(X, T, h)
    objective = float(np.dot(h * lam, r * X - T) + Lam * (np.dot(h, T) - R))
    single = optimal_buyer_price(side, Q, R, grid_size)
    ph, xh = options[0]
    if len(options) > 1:
        pl, dl = options[-1]
    else:
        pl, dl = ph, xh
    rationing = rationed_mass(h, X, r * X - T, np.abs(r).max()) > 0.0
    return TwoPriceResult(
        p_high=float(ph), p_low=float(pl), delta=float(dl), high_prob=float(xh),
        objective=objective, rationing=rationing, quantity=Q,
        competitive_price=single.competitive_price,
        competitive_objective=single.competitive_objective, options=options,
    )
