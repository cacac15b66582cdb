r"""Brute-force referee for the two-sided market: the direct mechanism as one linear program.

Variables: for every seller type ``s_i`` a selling probability ``X_S[i]`` and money received
``T_S[i]``; for every buyer type ``b_j`` a buying probability ``X_B[j]`` and money paid ``T_B[j]``.
Constraints: every pairwise incentive constraint, individual rationality of every type,
``0 <= X <= 1``, market clearing ``sum g X_S = mu sum h X_B``, budget balance
``mu sum h T_B - sum g T_S >= 0`` and, under "No Free Lunch", zero utility for the worst seller
(highest ``r``) and the worst buyer (lowest ``r``).  Objective ``sum g lam_S U_S + mu sum h lam_B U_B``.
Solved by HiGHS through :func:`scipy.optimize.linprog`.  It knows nothing of envelopes, virtual
values or threshold rules.

Examples
--------
>>> from redlib import Discrete, Side, Market
>>> from redlib.referee import lp_market
>>> m = Market(Side(Discrete([0.1, 0.5]), 3.0), Side(Discrete([0.4, 0.9]), 1.0))
>>> round(lp_market(m).welfare, 6)   # seller 0.1 sells to buyer 0.9 for 0.9
1.2
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from .._validation import check_bool, check_instance
from ..market import Market
from ._lp import ic_rows, ir_rows

__all__ = ["lp_market", "LPMarketResult"]


@dataclass(repr=False)
class LPMarketResult:
    """Solution of the brute-force market LP.

    Attributes
    ----------
    welfare : float
        Optimal weighted welfare.
    X_S, T_S : numpy.ndarray
        Selling probability and money received per seller type.
    X_B, T_B : numpy.ndarray
        Buying probability and money paid per buyer type.
    U_S, U_B : numpy.ndarray
        Utilities per type.
    types_S, probs_S, lam_S, types_B, probs_B, lam_B : numpy.ndarray
        The finite market.
    mu : float
        Buyer mass.
    quantity, revenue : float
        ``sum g X_S`` and ``mu sum h T_B - sum g T_S``.
    status : str
        HiGHS status message.

    Examples
    --------
    >>> from redlib import Discrete, Side, Market
    >>> from redlib.referee import lp_market
    >>> ref = lp_market(Market(Side(Discrete([0.2])), Side(Discrete([0.6]))))
    >>> round(ref.welfare, 9), round(ref.quantity, 9)
    (0.4, 1.0)
    """

    welfare: float
    X_S: np.ndarray
    T_S: np.ndarray
    X_B: np.ndarray
    T_B: np.ndarray
    U_S: np.ndarray
    U_B: np.ndarray
    types_S: np.ndarray
    probs_S: np.ndarray
    lam_S: np.ndarray
    types_B: np.ndarray
    probs_B: np.ndarray
    lam_B: np.ndarray
    mu: float
    quantity: float
    revenue: float
    status: str

    def __repr__(self):
        return (
            f"LPMarketResult(welfare={self.welfare:.10g}, quantity={self.quantity:.6g}, "
            f"revenue={self.revenue:.6g}, {self.types_S.size} seller and {self.types_B.size} "
            f"buyer types)"
        )


def lp_market(market, lump_sum=True, grid_size=None):
    r"""Optimal mechanism of a finite market by brute force (all pairwise IC constraints).

    Parameters
    ----------
    market : Market
        The market; continuous sides are discretized with ``dist.grid(grid_size)``.
    lump_sum : bool, default True
        ``False`` imposes "No Free Lunch" (worst types get exactly zero utility).
    grid_size : int, optional
        Cells per continuous side.

    Returns
    -------
    LPMarketResult
        ``welfare`` and the per-type arrays ``X_S, T_S, X_B, T_B``.  Types of zero probability
        are not in the support and are dropped.

    Raises
    ------
    ValueError
        If ``market`` is not a Market.
    RuntimeError
        If HiGHS does not report an optimal solution.

    Examples
    --------
    >>> from redlib import Discrete, Side, Market, optimal_mechanism
    >>> from redlib.referee import lp_market
    >>> m = Market(Side(Discrete([0.1, 0.3, 0.5]), 2.0), Side(Discrete([0.2, 0.4, 0.8])), 1.5)
    >>> abs(lp_market(m).welfare - optimal_mechanism(m).welfare) < 1e-9
    True
    """
    check_instance("market", market, Market)
    lump_sum = check_bool("lump_sum", lump_sum)
    # the type space is the support: zero-probability types are dropped (under No Free Lunch
    # they would otherwise move the "worst type" whose utility is pinned to zero)
    fm = market.finite(grid_size).positive()
    s, g, lam, b, h, nu, mu = fm.s, fm.g, fm.lam, fm.b, fm.h, fm.nu, fm.mu
    n, m = s.size, b.size
    N = 2 * n + 2 * m
    oS, oB = 0, 2 * n  # variable blocks [X_S, T_S, X_B, T_B]

    # objective (maximize): sellers g lam (T - s X); buyers mu h nu (b X - T)
    c = np.zeros(N)
    c[oS:oS + n] = -(g * lam * s)
    c[oS + n:oS + 2 * n] = g * lam
    c[oB:oB + m] = mu * h * nu * b
    c[oB + m:oB + 2 * m] = -mu * h * nu
    c = -c

    rows, cols, vals = [], [], []
    nrow = 0
    for r, sign, off in ((s, 1.0, oS), (b, -1.0, oB)):
        for block in (ic_rows, ir_rows):  # pairwise IC, then IR: -(utility) <= 0
            rr, cc, vv, k = block(r, sign, off)
            rows.append(rr + nrow)
            cols.append(cc)
            vals.append(vv)
            nrow += k
    # budget: sum g T_S - mu sum h T_B <= 0
    rows.append(np.full(n + m, nrow))
    cols.append(np.concatenate([oS + n + np.arange(n), oB + m + np.arange(m)]))
    vals.append(np.concatenate([g, -mu * h]))
    nrow += 1
    A_ub = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(nrow, N))
    b_ub = np.zeros(nrow)

    eq_rows = [np.concatenate([g, -mu * h])]
    eq_cols = [np.concatenate([oS + np.arange(n), oB + np.arange(m)])]
    b_eq = [0.0]
    if not lump_sum:
        # worst seller (highest r): T - s X = 0 ; worst buyer (lowest r): b X - T = 0
        eq_rows.append(np.array([-s[-1], 1.0]))
        eq_cols.append(np.array([oS + n - 1, oS + 2 * n - 1]))
        b_eq.append(0.0)
        eq_rows.append(np.array([b[0], -1.0]))
        eq_cols.append(np.array([oB, oB + m]))
        b_eq.append(0.0)
    er = np.concatenate([np.full(v.size, i) for i, v in enumerate(eq_rows)])
    A_eq = sp.csr_matrix((np.concatenate(eq_rows), (er, np.concatenate(eq_cols))),
                         shape=(len(b_eq), N))
    bounds = [(0.0, 1.0)] * n + [(None, None)] * n + [(0.0, 1.0)] * m + [(None, None)] * m
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=np.array(b_eq), bounds=bounds,
                  method="highs")
    if res.status != 0:
        raise RuntimeError(f"lp_market: HiGHS did not find an optimum: {res.message}")
    x = res.x
    XS, TS = x[oS:oS + n], x[oS + n:oS + 2 * n]
    XB, TB = x[oB:oB + m], x[oB + m:oB + 2 * m]
    US = TS - s * XS
    UB = b * XB - TB
    welfare = float(np.dot(g * lam, US) + mu * np.dot(h * nu, UB))
    return LPMarketResult(
        welfare=welfare, X_S=XS, T_S=TS, X_B=XB, T_B=TB, U_S=US, U_B=UB, types_S=s, probs_S=g,
        lam_S=lam, types_B=b, probs_B=h, lam_B=nu, mu=mu, quantity=float(np.dot(g, XS)),
        revenue=float(mu * np.dot(h, TB) - np.dot(g, TS)), status=res.message,
    )
