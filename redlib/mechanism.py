r"""The optimal redistributive mechanism of a two-sided market (DKA 2021), exact on finite types.

Method (the book's chapter 3; Dworczak, Kominers and Akbarpour 2021)
------------------------------
On finite types every incentive-compatible, individually rational mechanism is a lottery over
**threshold rules** plus two lump sums.  A seller rule "the ``k`` cheapest types sell" pays a price in
``[r_k, r_{k+1}]``, a buyer rule "types ``k`` and up buy" charges a price in ``[r_{k-1}, r_k]``; since
everything is linear in the price, only the two end prices of each interval matter.  The design
problem is therefore a linear program over lotteries with only four constraints (two probability
sums, market clearing, budget), and a basic solution puts weight on at most four rules: **at most
four prices, three when a lump sum is paid** (the DKA theorem).

Solving it (``method="auto"``) is **column generation**: a restricted master LP over a handful of
rules gives the duals ``(u_S, u_B, eta, alpha)`` -- ``alpha`` is the multiplier on the budget
constraint, ``eta`` the shadow price of market clearing -- and one vectorized O(n) pass prices every rule
of the full problem.  The master starts on every ``n/128``-th rule and is refined coarse-to-fine
around its support; rules that price out enter until none does, so the final basic solution is
optimal for the full lottery LP (hence at most four prices).  ``method="dual"`` is the duality
route of chapter 3 (minimize the convex, piecewise-linear ``L(alpha)`` over
``alpha >= max(Lam_S, Lam_B)``, or ``alpha >= 0`` under "No Free Lunch", each evaluation a
maximization over the two concave closures done by conjugate duality, then a tiny LP over the
rules optimal at ``alpha*``); ``method="lp"`` solves the full lottery LP directly.  All three are
cross-checked in the tests, and against the brute-force referee :func:`redlib.referee.lp_market`.
The LPs are solved by HiGHS through ``highspy``.

The optimum need not be unique (e.g. when a side receives the lump sum and all its types have
one weight, its price can move within a grid cell at no cost in welfare).  Every route then
reports the optimum of **least revenue** -- the least price wedge the optimum needs -- found by a
second, tiny LP over the rules of zero reduced cost, so that the instruments a market is said to
use do not depend on which optimal vertex a solver returns.

Examples
--------
>>> from redlib import Uniform, Side, Market, optimal_mechanism
>>> m = Market(Side(Uniform(), 2.0), Side(Uniform(), 1.0), buyer_mass=1.0)
>>> res = optimal_mechanism(m, grid_size=1000)
>>> round(res.quantity, 3), [round(p, 2) for p in res.prices], round(res.sellers.lump_sum, 3)
(0.4, [0.4, 0.6], 0.08)
>>> res.instruments, res.n_prices
('wedge', 2)
>>> res.verify()
True
"""
from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np

from ._validation import (
    check_bool,
    check_finite_array,
    check_in,
    check_instance,
    check_int,
    check_nonneg,
    check_nonneg_array,
    check_positive,
)
from .distributions import Uniform
from .envelope import Envelope, concave_envelope
from .market import CompetitiveEquilibrium, FiniteMarket, Market, Side, competitive_equilibrium
from .thresholds import (
    RATIONING_TOL,
    buyer_phi,
    cumulative_above,
    cumulative_below,
    menu_options,
    rationed_mass,
    seller_phi,
)
from .weights import evaluate_weight, power_weight

__all__ = [
    "optimal_mechanism",
    "MechanismResult",
    "SideMechanism",
    "MechanismVerificationError",
    "classify_instruments",
    "INSTRUMENTS",
    "RATIONING_TOL",
    "ARTEFACT_CELLS",
    "ARTEFACT_MASS",
    "InequalityMap",
    "inequality_map",
]

INSTRUMENTS = ("competitive", "wedge", "rationing", "wedge+rationing")
"""The four instrument classes, in the order of the integer codes used by :func:`inequality_map`."""

ARTEFACT_CELLS = 1.5
"""On a discretized continuous side, effects of at most this many grid cells are discretization
artefacts: a rationed mass must exceed ``ARTEFACT_CELLS`` cells (and :data:`ARTEFACT_MASS`), and a
revenue must exceed ``ARTEFACT_CELLS * Q`` times the width of the cells at the posted prices, to
count as rationing or as a wedge (:func:`classify_instruments`)."""

ARTEFACT_MASS = 1e-4
"""Smallest rationed mass that counts as rationing on a discretized continuous side: below it,
pooling a few cells of a fine grid changes welfare by less than the solver's accuracy."""


class MechanismVerificationError(AssertionError):
    """Raised by :meth:`MechanismResult.verify` when a constraint is violated.

    Examples
    --------
    >>> from redlib import MechanismVerificationError
    >>> issubclass(MechanismVerificationError, AssertionError)
    True
    """


# ----------------------------------------------------------------------------------------------
# Threshold rules ("options") of a finite market
# ----------------------------------------------------------------------------------------------
class _Rules:
    """What the lottery LP of a finite market takes from its types, probabilities and buyer mass
    alone (not from the welfare weights): the threshold rules' quantities and end prices, the
    columns of all rules and their constraint matrix.

    Markets that differ only in their weights (the cells of :func:`inequality_map`) share one
    ``_Rules``, so each solve only computes its costs.
    """

    def __init__(self, fm):
        s, g, b, h = fm.s, fm.g, fm.b, fm.h
        self.key = (s, g, b, h, fm.mu)
        self.n, self.m, self.mu = s.size, b.size, fm.mu
        self.G = np.cumsum(g)
        self.Hb = np.cumsum(h[::-1])[::-1]
        self.s_lo = s
        self.s_hi = np.append(s[1:], s[-1])
        self.b_lo = np.insert(b[:-1], 0, b[0])
        self.b_hi = b
        self.scale = float(max(np.abs(s).max(), np.abs(b).max(), 1e-300))
        self._full = None

    def fits(self, fm):
        """Whether ``fm`` has these types, probabilities and buyer mass."""
        return fm.mu == self.mu and all(a is b or (a.shape == b.shape and np.array_equal(a, b))
                                        for a, b in zip((fm.s, fm.g, fm.b, fm.h), self.key[:4]))

    def seller_rules(self, ks=None):
        """Seller columns ``(k, price, quantity, cost, index)`` for rules ``ks`` (1-based; 0 = none;
        all by default): each rule ``k > 0`` at both end prices ``s_k``, ``s_{k+1}``."""
        n = self.n
        ks = np.arange(0, n + 1) if ks is None else np.unique(np.asarray(ks, dtype=int))
        kk = ks[ks > 0]
        hi = kk[kk < n]
        k = np.concatenate([np.zeros(int((ks == 0).any()), int), kk, hi])
        p = np.concatenate([np.zeros(int((ks == 0).any())), self.s_lo[kk - 1], self.s_hi[hi - 1]])
        idx = np.maximum(k - 1, 0)
        q = np.where(k > 0, self.G[idx], 0.0)
        return k, p, q, p * q, idx

    def buyer_rules(self, ks=None):
        """Buyer columns ``(k, price, quantity, revenue, index)`` for rules ``ks`` (1-based;
        ``m + 1`` = none; all by default): each rule ``k <= m`` at both end prices ``b_{k-1}``, ``b_k``."""
        m = self.m
        ks = np.arange(1, m + 2) if ks is None else np.unique(np.asarray(ks, dtype=int))
        kk = ks[ks <= m]
        lo = kk[kk > 1]
        none = int((ks == m + 1).any())
        k = np.concatenate([np.full(none, m + 1, int), lo, kk])
        p = np.concatenate([np.zeros(none), self.b_lo[lo - 1], self.b_hi[kk - 1]])
        idx = np.minimum(k - 1, m - 1)
        q = np.where(k <= m, self.Hb[idx], 0.0)
        return k, p, q, p * q, idx

    def is_full(self, A):
        """Whether ``A`` is the constraint matrix of all rules (:meth:`full`)."""
        return self._full is not None and A is self._full[2]

    def full(self):
        """All rules' columns and the constraint matrix of the full lottery LP (built once)."""
        if self._full is None:
            S, B = self.seller_rules(), self.buyer_rules()
            self._full = (S, B, _constraint_matrix(self.mu, S, B))
        return self._full


class _Options:
    """Cumulative sums describing every threshold rule of a finite market (all O(n) arrays).

    Sellers, rule ``k = 1..n`` (types ``1..k`` sell, quantity ``G_k``): price end points
    ``lo_k = s_k``, ``hi_k = s_{k+1}`` (``s_n`` for ``k = n``); welfare ``p A_k - B_k``; cost ``p G_k``.
    Buyers, rule ``k = 1..m`` (types ``k..m`` buy, quantity per buyer ``Hb_k``): price end points
    ``lo_k = b_{k-1}`` (``b_1`` for ``k = 1``), ``hi_k = b_k``; welfare ``D_k - p C_k``; revenue ``p Hb_k``.

    ``rules``: the market's :class:`_Rules` when already built for a market of the same types.  ``lam``,
    ``nu``: weights with one row per market (markets of ``fm``'s types), in place of ``fm``'s;
    :meth:`market` then gives each market's options.
    """

    def __init__(self, fm, rules=None, lam=None, nu=None):
        self.fm = fm
        self.rules = rules if rules is not None else _Rules(fm)
        r = self.rules
        s, g, b, h = fm.s, fm.g, fm.b, fm.h
        lam = fm.lam if lam is None else lam
        nu = fm.nu if nu is None else nu
        self.n, self.m, self.mu = r.n, r.m, r.mu
        self.G, self.Hb = r.G, r.Hb
        self.s_lo, self.s_hi, self.b_lo, self.b_hi = r.s_lo, r.s_hi, r.b_lo, r.b_hi
        _, self.A, self.B = cumulative_below(g, lam, s)
        _, self.C, self.D = cumulative_above(h, nu, b)
        self.Lam_S = self.A[..., -1]
        self.Lam_B = self.C[..., 0]
        self.scale = r.scale
        # tolerance on a rule's profit (reduced cost), relative to the size of the objective
        self.tol = 1e-11 * np.maximum.reduce([
            np.ones_like(self.Lam_S), np.abs(self.B).max(axis=-1), self.mu * np.abs(self.D).max(axis=-1),
            self.Lam_S * self.scale, self.mu * self.Lam_B * self.scale])
        if np.ndim(lam) == 1:
            self.Lam_S, self.Lam_B, self.tol = float(self.Lam_S), float(self.Lam_B), float(self.tol)

    def market(self, i, fm):
        """The options of market ``i`` (``fm``) of options built with one row of weights per market."""
        o = object.__new__(type(self))
        o.__dict__.update(self.__dict__)
        o.fm = fm
        o.A, o.B, o.C, o.D = self.A[i], self.B[i], self.C[i], self.D[i]
        o.Lam_S, o.Lam_B, o.tol = float(self.Lam_S[i]), float(self.Lam_B[i]), float(self.tol[i])
        return o

    # -- columns of the lottery LP ------------------------------------------------------------
    def seller_columns(self, ks=None):
        """Columns (k, price, quantity, welfare, cost) for seller rules ``ks`` (1-based; 0 = none)."""
        k, p, q, cost, idx = self.rules.full()[0] if ks is None else self.rules.seller_rules(ks)
        W = np.where(k > 0, p * self.A[idx] - self.B[idx], 0.0)
        return k, p, q, W, cost

    def buyer_columns(self, ks=None):
        """Columns (k, price, quantity, welfare, revenue) for buyer rules ``ks`` (1-based; m+1 = none)."""
        k, p, q, rev, idx = self.rules.full()[1] if ks is None else self.rules.buyer_rules(ks)
        W = np.where(k <= self.m, self.D[idx] - p * self.C[idx], 0.0)
        return k, p, q, W, rev

    # -- Lagrangian at a fixed alpha --------------------------------------------------------------
    def phi_S(self, alpha):
        """Seller points ``(q, phi_S^alpha(q), price)`` (:func:`redlib.thresholds.seller_phi`)."""
        return seller_phi(self.s_lo, self.G, self.A, self.B, alpha)

    def phi_B(self, alpha):
        """Buyer points ``(q, phi_B^alpha(q), price)`` (:func:`redlib.thresholds.buyer_phi`)."""
        return buyer_phi(self.b_hi, self.Hb, self.C, self.D, alpha)

    def lagrangian(self, alpha, max_iter=500):
        """Value, budget surplus (the slope in alpha) and one maximizer of the Lagrangian.

        ``L(alpha) = max_Q co(phi_S)(Q) + co(mu phi_B(./mu))(Q)``.  By conjugate duality it equals
        ``min_eta h(eta)`` with ``h(eta) = max_k (phi_S,k - eta q_k) + max_j (mu phi_B,j + eta mu q_j)``
        (``eta`` is the price of market clearing): the maximum of a linear function over the
        points equals its maximum over their concave envelope, so no envelope is needed.  ``h`` is
        convex and piecewise linear; it is minimized exactly by 1-D cutting planes (each step one
        vectorized pass), and the two supporting pieces at ``eta*`` give the (at most two) hull
        vertices on each side whose mixture clears the market.
        """
        mu = self.mu
        xS, yS, pS = self.phi_S(alpha)
        xB, yB, pB = self.phi_B(alpha)
        xB = mu * xB
        yB = mu * yB
        nS, nB = xS.size - 1, xB.size - 1

        def line(kS, kB):
            return yS[kS] + yB[kB], xB[kB] - xS[kS]  # intercept, slope of eta -> value

        # asymptotic pieces: eta -> -inf (all sellers, no buyers), eta -> +inf (the reverse)
        L = (nS, 0) + line(nS, 0)
        R = (0, nB) + line(0, nB)
        scale = max(1.0, float(np.abs(yS).max()), float(np.abs(yB).max()))
        vtol = 1e-13 * scale
        final = None
        eta = 0.0
        if L[3] >= 0:  # no trade possible on one side (degenerate): q = 0 only
            final = [(L, 1.0)]
        for _ in range(max_iter):
            if final is not None:
                break
            eta = (R[2] - L[2]) / (L[3] - R[3])
            kS = int(np.argmax(yS - eta * xS))
            kB = int(np.argmax(yB + eta * xB))
            c, sl = line(kS, kB)
            if c + sl * eta <= L[2] + L[3] * eta + vtol or (kS, kB) in ((L[0], L[1]), (R[0], R[1])):
                theta = R[3] / (R[3] - L[3])
                final = [(L, theta), (R, 1.0 - theta)]
            elif sl < 0:
                L = (kS, kB, c, sl)
            elif sl > 0:
                R = (kS, kB, c, sl)
            else:
                final = [((kS, kB, c, sl), 1.0)]
        if final is None:  # pragma: no cover
            raise RuntimeError("market-clearing multiplier did not converge")
        W = surplus = value = 0.0
        rules_S, rules_B = [], []
        for (kS, kB, c, sl), w in final:
            if w <= 0:
                continue
            value += w * (yS[kS] + yB[kB])
            k = kS  # seller point index = rule k (k sellers trade)
            if k > 0:
                p = pS[k - 1]
                W += w * (p * self.A[k - 1] - self.B[k - 1])
                surplus -= w * p * self.G[k - 1]
            rules_S.append(k)
            k = self.m + 1 - kB  # buyer point index j <-> rule k = m + 1 - j
            if k <= self.m:
                p = pB[k - 1]
                W += mu * w * (self.D[k - 1] - p * self.C[k - 1])
                surplus += mu * w * p * self.Hb[k - 1]
            rules_B.append(k)
        return _LagEval(alpha, float(value), float(surplus), float(W), rules_S, rules_B, float(eta))


@dataclass
class _LagEval:
    alpha: float
    value: float
    slope: float  # budget surplus of the maximizer = derivative of L along its linear piece
    W: float
    rules_S: list
    rules_B: list
    eta: float  # minimizer of h(eta): the price of market clearing at this alpha


# ----------------------------------------------------------------------------------------------
# The lottery LP (four constraints)
# ----------------------------------------------------------------------------------------------
class _HighsLP:
    """Two HiGHS models (``highspy``), each re-solved from its previous optimal basis when its
    constraint matrix is unchanged: model 0 for the lottery LP, model 1 for the second stage
    (:func:`_least_revenue`).

    Markets that share their constraint matrix (the same types and buyer mass, other welfare
    weights, as the cells of :func:`inequality_map`) differ in the first stage's costs only: the
    previous basis stays primal feasible and the primal simplex continues from it.  Their second
    stages differ in the bounds only (which rules may enter): the previous basis stays dual
    feasible and the dual simplex continues from it.
    """

    def __init__(self):
        self._highs = [highspy.Highs(), highspy.Highs()]
        for h in self._highs:
            h.setOptionValue("output_flag", False)
            h.setOptionValue("presolve", "off")
            h.setOptionValue("primal_feasibility_tolerance", 1e-10)
            h.setOptionValue("dual_feasibility_tolerance", 1e-10)
            # the four rows have entries of order 1 (probabilities, quantities, prices): scaling
            # them gains nothing and is half the time of a warm re-solve
            h.setOptionValue("simplex_scale_strategy", 0)
        self._loaded = [None, None]  # per model: (A, c, row_lo, row_hi, col_hi) it holds
        self._strategies = [None, None]

    def _strategy(self, model, strategy):
        """Set the simplex strategy of a model (only when it changes: setting an option resets
        the solver's workspace)."""
        if self._strategies[model] != strategy:
            self._highs[model].setOptionValue("simplex_strategy", strategy)
            self._strategies[model] = strategy

    def solve(self, c, A, row_lo, row_hi, col_hi, model=0):
        """Minimize ``c x`` s.t. ``row_lo <= A x <= row_hi``, ``0 <= x <= col_hi`` (``A`` dense).

        ``model``: which of the two models to solve in.  Returns ``(x, row_dual)`` (duals with
        :func:`scipy.optimize.linprog`'s sign), or None if the LP is not solved to optimality.
        """
        h = self._highs[model]
        new = (A, c, row_lo, row_hi, col_hi)
        old = self._loaded[model]
        if old is not None and (old[0] is A or (old[0].shape == A.shape and np.array_equal(old[0], A))):
            costs = not np.array_equal(old[1], c)
            bounds = not (np.array_equal(old[4], col_hi) and np.array_equal(old[2], row_lo)
                          and np.array_equal(old[3], row_hi))
            if costs:
                h.changeColsCost(c.size, np.arange(c.size, dtype=np.int32), c)
            if bounds:
                h.changeColsBounds(c.size, np.arange(c.size, dtype=np.int32), np.zeros(c.size), col_hi)
                h.changeRowsBounds(row_lo.size, np.arange(row_lo.size, dtype=np.int32), row_lo, row_hi)
            # new costs keep the basis primal feasible, new bounds keep it dual feasible
            self._strategy(model, 4 if costs and not bounds else 1)
        else:
            self._strategy(model, 1)
            lp = highspy.HighsLp()
            lp.num_col_, lp.num_row_ = A.shape[1], A.shape[0]
            lp.col_cost_ = c
            lp.col_lower_ = np.zeros(c.size)
            lp.col_upper_ = col_hi
            lp.row_lower_, lp.row_upper_ = row_lo, row_hi
            cols = A.T
            nz = cols != 0
            lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
            lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(nz.sum(axis=1))]).astype(np.int32)
            lp.a_matrix_.index_ = np.nonzero(nz)[1].astype(np.int32)
            lp.a_matrix_.value_ = cols[nz]
            h.passModel(lp)
        # (a read-only matrix is kept as it is: it cannot change)
        self._loaded[model] = (A if not A.flags.writeable else A.copy(),) + tuple(a.copy() for a in new[1:])
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            self._loaded[model] = None
            return None
        sol = h.getSolution()
        return np.array(sol.col_value), np.array(sol.row_dual)


def _constraint_matrix(mu, S, B):
    """The four rows of the lottery LP over seller columns ``S`` and buyer columns ``B`` (the
    rules' ``(k, price, quantity, cost or revenue, ...)``), then the two lump sums: each side's
    lottery sums to 1; market clearing; budget balance (lump sums funded by the revenue).
    Read-only, so that a warm :class:`_HighsLP` can recognize it."""
    nS, nB = S[0].size, B[0].size
    A = np.zeros((4, nS + nB + 2))
    A[0, :nS] = 1.0
    A[1, nS:nS + nB] = 1.0
    A[2, :nS] = S[2]
    A[2, nS:nS + nB] = -mu * B[2]
    A[3, :nS] = S[3]
    A[3, nS:nS + nB] = -mu * B[3]
    A[3, -2:] = (1.0, mu)
    A.setflags(write=False)
    return A


def _solve_columns(opt, S, B, lumps, lp, least_revenue=False, budget_tight=False, A=None, use=None):
    """Solve the lottery LP over seller columns ``S`` and buyer columns ``B`` (as returned by
    :meth:`_Options.seller_columns` / :meth:`_Options.buyer_columns`).

    ``lumps = (L_S allowed, L_B allowed)``.  The objective is welfare, or with ``least_revenue``
    the revenue (minimized; ``budget_tight`` makes the budget bind): the second stage,
    :func:`_least_revenue`.  ``A``: the columns' :func:`_constraint_matrix`, if already built;
    ``use``: boolean masks of the seller and buyer columns allowed (the others are bounded to 0).
    Returns a dict (``S``, ``B``: the lotteries' ``(k, price, weight)``, ``iS``, ``iB``: their
    columns' indices; ``full``: whether the columns are all the rules', with their matrix ``A``),
    or None if not optimal.
    """
    mu = opt.mu
    kS, pS, qS, WS, cS = S
    kB, pB, qB, WB, rB = B
    nS, nB = kS.size, kB.size
    if A is None:
        A = _constraint_matrix(mu, (kS, pS, qS, cS), (kB, pB, qB, rB))
    welfare = np.concatenate([WS, mu * WB, [opt.Lam_S, mu * opt.Lam_B]])
    revenue = np.concatenate([-cS, mu * rB, [0.0, 0.0]])
    c = revenue if least_revenue else -welfare
    row_lo = np.array([1.0, 1.0, 0.0, 0.0 if budget_tight else -np.inf])
    row_hi = np.array([1.0, 1.0, 0.0, 0.0])
    if use is None:
        col_hi = np.concatenate([np.full(nS + nB, np.inf), np.where(lumps, np.inf, 0.0)])
    else:
        col_hi = np.concatenate([np.where(use[0], np.inf, 0.0), np.where(use[1], np.inf, 0.0),
                                 np.where(lumps, np.inf, 0.0)])
    out = lp.solve(c, A, row_lo, row_hi, col_hi, model=int(least_revenue))
    if out is None:
        return None
    x, y = out
    x = np.where(np.abs(x) < 1e-13, 0.0, x)
    # each side's lottery sums to 1 up to HiGHS's feasibility tolerance: normalize exactly
    x[:nS] /= x[:nS].sum()
    x[nS:nS + nB] /= x[nS:nS + nB].sum()
    xS, xB = x[:nS], x[nS:nS + nB]
    iS, iB = np.flatnonzero(xS > 0), np.flatnonzero(xB > 0)
    return dict(
        value=float(welfare @ x), revenue=float(revenue @ x), alpha=-float(y[3]),
        y_eq=y[:3].copy(),
        eta=float(y[2]),  # valid for the full problem when no rule prices out
        S=list(zip(kS[iS].tolist(), pS[iS].tolist(), xS[iS].tolist())),
        B=list(zip(kB[iB].tolist(), pB[iB].tolist(), xB[iB].tolist())),
        L_S=float(x[-2]), L_B=float(x[-1]), full=opt.rules.is_full(A), iS=iS, iB=iB,
    )


def _lottery_lp(opt, lump_sum, ks_S=None, ks_B=None, lp=None):
    """Solve the lottery LP over the given threshold rules (all by default); return a dict or
    None if not optimal."""
    lp = lp if lp is not None else _HighsLP()
    if ks_S is None and ks_B is None:  # all rules: the columns and matrix the types fix, built once
        A = opt.rules.full()[2]
        return _solve_columns(opt, opt.seller_columns(), opt.buyer_columns(), (lump_sum, lump_sum), lp,
                              A=A)
    return _solve_columns(opt, opt.seller_columns(ks_S), opt.buyer_columns(ks_B),
                          (lump_sum, lump_sum), lp)


def _least_revenue(opt, lump_sum, sol, lp):
    """Among the optimal lotteries, one that raises the least revenue.

    The optimum need not be unique: when a side's lump sum is paid at ``alpha`` equal to the
    average weight of its traders (e.g. buyers of constant weight), its price can move within a
    grid cell, and the revenue with it, at no cost in welfare.  Which instruments "the" optimum
    uses must not depend on the vertex a solver happens to return, so the mechanism reported is
    the optimum of least revenue (the least wedge needed).  By complementary slackness with the
    optimal duals ``(alpha, eta)`` of ``sol``, the optimal lotteries are exactly the feasible
    ones over the rules of zero reduced cost, with the budget binding when ``alpha > 0``: a tiny
    LP.  Zero is up to ``_Options.tol``, the accuracy to which column generation certifies its
    optimum, so on very fine grids a rule within ``tol`` of the best may enter (welfare then
    moves by at most ``tol`` per unit of lottery weight).  When the tiny LP finds no less revenue,
    the first stage's optimum is kept as it is.
    """
    mu, tol, alpha, eta = opt.mu, opt.tol, sol["alpha"], sol["eta"]
    if sol["revenue"] <= tol:
        # the budget row makes every lottery's revenue at least its lump sums, L_S + mu L_B >= 0:
        # none raises less than this one (up to tol)
        return sol
    prof_S, prof_B = _rule_profits(opt, alpha, eta)
    best_S, best_B = max(0.0, float(prof_S.max())), max(0.0, float(prof_B.max()))
    # the candidate rules (O(n) pass), then their columns (both end prices) only
    if sol["full"]:
        # the first stage had every rule: the second keeps its columns (and matrix), and bounds
        # the others to zero, so that it too is re-solved warm (from the previous market's basis)
        S, B = opt.seller_columns(), opt.buyer_columns()
    else:
        ks_S = np.flatnonzero(prof_S >= best_S - tol) + 1
        ks_B = np.flatnonzero(prof_B >= best_B - tol) + 1
        ks_S = np.concatenate([ks_S, [k for k, _, _ in sol["S"]], [0] if best_S <= tol else []])
        ks_B = np.concatenate([ks_B, [k for k, _, _ in sol["B"]], [opt.m + 1] if best_B <= tol else []])
        S, B = opt.seller_columns(ks_S.astype(int)), opt.buyer_columns(ks_B.astype(int))
    keep = []
    extra = 0  # rules of zero reduced cost outside the first stage's support
    for cols, prof, best, side in ((S, S[3] - alpha * S[4] + eta * S[2], best_S, "S"),
                                   (B, mu * (B[3] + alpha * B[4] - eta * B[2]), best_B, "B")):
        on = prof >= best - tol
        supp = np.zeros_like(on)  # the first stage's support is optimal by construction
        if sol["full"]:  # the same columns as the first stage's
            supp[sol["i" + side]] = True
        else:
            for k, p, _ in sol[side]:
                supp |= (cols[0] == k) & (cols[1] == p)
        extra += int((on & ~supp).sum())
        keep.append(on | supp)
    lumps = (lump_sum and (opt.Lam_S - alpha >= -tol or sol["L_S"] > 0),
             lump_sum and (mu * (opt.Lam_B - alpha) >= -tol or sol["L_B"] > 0))
    extra += int(lumps[0] and not sol["L_S"] > 0) + int(lumps[1] and not sol["L_B"] > 0)
    if extra == 0:
        # the support of a basic solution is linearly independent: the optimum is unique
        return sol
    if sol["full"]:
        new = _solve_columns(opt, S, B, lumps, lp, least_revenue=True, budget_tight=alpha > tol,
                             A=opt.rules.full()[2], use=keep)
    else:
        new = _solve_columns(opt, tuple(a[keep[0]] for a in S), tuple(a[keep[1]] for a in B), lumps, lp,
                             least_revenue=True, budget_tight=alpha > tol)
    # each candidate rule's profit is within tol of its side's best: the lottery loses at most
    # tol per unit of weight (two lotteries of weight 1, and the lump sums); and both stages are
    # feasible only up to HiGHS's tolerance (1e-10), so their welfare agrees to 1e-9 (relative),
    # the accuracy to which the duality route's value is checked too
    slack = ((2.0 + new["L_S"] + mu * new["L_B"]) * tol + 1e-9 * max(1.0, abs(sol["value"]))
             if new is not None else 0.0)
    if new is None or new["value"] < sol["value"] - slack:  # pragma: no cover - wrong duals
        raise RuntimeError("least-revenue stage lost welfare: the optimal duals are inconsistent")
    if new["revenue"] >= sol["revenue"] - tol:
        return sol  # no less revenue: the first stage's optimum stands
    new.update(value=sol["value"], alpha=sol["alpha"], y_eq=sol["y_eq"], eta=sol["eta"])
    return new


def _minimize_dual(opt, lump_sum, max_iter=200):
    """Exact minimum of the convex piecewise-linear ``L(alpha)`` by 1-D cutting planes.

    Returns the minimizing alpha and the Lagrangian evaluations whose maximizers are optimal there.
    """
    a_lo = max(opt.Lam_S, opt.Lam_B) if lump_sum else 0.0
    e0 = opt.lagrangian(a_lo)
    vtol = 1e-12 * max(1.0, abs(e0.value), abs(e0.W))
    stol = 1e-13 * opt.scale
    if e0.slope >= -stol:
        return a_lo, [e0]
    eL = e0
    step = max(1.0, a_lo)
    eR = None
    for _ in range(max_iter):
        e = opt.lagrangian(a_lo + step)
        if e.slope >= -stol:
            eR = e
            break
        eL = e
        step *= 2.0
    if eR is None:  # pragma: no cover - L decreasing forever means an unbounded problem
        raise RuntimeError("could not bracket the budget multiplier alpha")
    if eR.slope <= stol:
        return eR.alpha, [eR, eL]
    for _ in range(max_iter):
        # intersection of the two supporting lines
        a = (eR.value - eL.value + eL.slope * eL.alpha - eR.slope * eR.alpha) / (eL.slope - eR.slope)
        a = min(max(a, eL.alpha), eR.alpha)
        line = eL.value + eL.slope * (a - eL.alpha)
        e = opt.lagrangian(a)
        if e.value <= line + vtol or a in (eL.alpha, eR.alpha):
            return a, [e, eL, eR]
        if abs(e.slope) <= stol:
            return a, [e, eL, eR]
        if e.slope < 0:
            eL = e
        else:
            eR = e
    return a, [e, eL, eR]  # pragma: no cover


def _rule_profits(opt, alpha, eta):
    """Profit of every seller rule ``1..n`` and buyer rule ``1..m`` at the multipliers
    ``(alpha, eta)``, each at the better of its two end prices, before the side's dual ``u``.

    Seller rule ``k`` at price ``p``: ``W - alpha p q + eta q`` with ``W = p A_k - B_k``; buyer
    rule: ``mu (W + alpha p q - eta q)`` with ``W = D_k - p C_k`` (the profit is linear in the
    price).  The rules "nobody trades" have profit 0.
    """
    c = opt.A - alpha * opt.G
    prof_S = np.where(c > 0, opt.s_hi, opt.s_lo)
    prof_S *= c
    prof_S -= opt.B
    prof_S += eta * opt.G
    d = alpha * opt.Hb - opt.C
    prof_B = np.where(d > 0, opt.b_hi, opt.b_lo)
    prof_B *= d
    prof_B += opt.D
    prof_B -= eta * opt.Hb
    prof_B *= opt.mu
    return prof_S, prof_B


def _price_all(opt, sol):
    """Profit of every seller and buyer rule at the master's duals (one vectorized pass per side).

    :func:`_rule_profits` plus the duals ``u_S``, ``u_B`` of the two probability rows.  Positive
    profit = the rule would improve the master LP.
    """
    uS, uB, eta = sol["y_eq"]
    prof_S, prof_B = _rule_profits(opt, sol["alpha"], eta)
    prof_S += uS
    prof_B += uB
    return prof_S, prof_B


def _colgen(opt, lump_sum, lp, coarse=128, refine=16, max_rounds=60):
    """Column generation on the lottery LP: exact, with O(n) work per pricing round.

    The restricted master LP (four rows) is kept small.  Coarse-to-fine: it starts from every
    ``n / coarse``-th threshold rule and, level by level, replaces the rules by windows of finer
    stride around the master's support.  At stride 1 every rule of the full problem is priced at
    the master's duals ``(u_S, u_B, eta, alpha)`` in one vectorized pass; rules with positive
    profit enter (the best few and their neighbours) until none prices out.  The master's basic
    solution is then optimal for the full lottery LP (up to HiGHS's tolerances).
    """
    n, m = opt.n, opt.m
    tol = opt.tol
    stS = -(-n // coarse)
    stB = -(-m // coarse)
    if stS == 1 and stB == 1:  # the first master has every rule: it is the full lottery LP
        return _lottery_lp(opt, lump_sum, lp=lp)
    selS = set(range(1, n + 1, stS)) | {0, n}
    selB = set(range(1, m + 1, stB)) | {1, m, m + 1}
    sol = None
    # coarse-to-fine refinement around the support
    while True:
        sol = _lottery_lp(opt, lump_sum, sorted(selS), sorted(selB), lp)
        if sol is None:
            return None
        if stS == 1 and stB == 1:
            break
        newS, newB = max(1, stS // refine), max(1, stB // refine)
        supS = {k for k, _, _ in sol["S"]}
        supB = {k for k, _, _ in sol["B"]}
        selS = {0, n} | supS
        for k0 in supS:
            selS.update(range(max(1, k0 - stS), min(n, k0 + stS) + 1, newS))
        selB = {m + 1, m} | supB
        for k0 in supB:
            selB.update(range(max(1, k0 - stB), min(m, k0 + stB) + 1, newB))
        stS, stB = newS, newB
    # certification by full pricing; add violated rules until none is left
    for _ in range(max_rounds):
        prof_S, prof_B = _price_all(opt, sol)
        added = 0
        for prof, sel, top in ((prof_S, selS, n), (prof_B, selB, m)):
            pos = np.flatnonzero(prof > tol)
            if pos.size == 0:
                continue
            if pos.size > 8:
                pos = pos[np.argpartition(prof[pos], -8)[-8:]]
            before = len(sel)
            for k0 in (pos + 1).tolist():
                sel.update(range(max(1, k0 - 2), min(top, k0 + 2) + 1))
            added += len(sel) - before
        if added == 0:
            return sol
        sol = _lottery_lp(opt, lump_sum, sorted(selS), sorted(selB), lp)
        if sol is None:
            return None
    return None  # pragma: no cover - did not converge: the full-LP fallback takes over


def _solve_finite(fm, lump_sum, method="auto", lp=None, rules=None, opt=None):
    """Optimal lottery on a finite market (positive probabilities), of least revenue among the
    optima (:func:`_least_revenue`).  Returns (opt, sol, alpha, method).

    ``lp``: a :class:`_HighsLP` to solve the first stage in (warm when only the costs changed);
    ``rules``, ``opt``: the :class:`_Rules` of ``fm``'s types and its :class:`_Options`, when
    already built.
    """
    opt = opt if opt is not None else _Options(fm, rules)
    lp = lp if lp is not None else _HighsLP()
    sol = None
    if method == "auto":
        sol = _colgen(opt, lump_sum, lp)
        used = "colgen"
    if method == "dual":
        alpha, evals = _minimize_dual(opt, lump_sum)
        ks_S = sorted({k for e in evals for k in e.rules_S})
        ks_B = sorted({k for e in evals for k in e.rules_B})
        sol = _lottery_lp(opt, lump_sum, ks_S, ks_B, lp)
        lev = opt.lagrangian(alpha)
        if sol is None or abs(sol["value"] - lev.value) > 1e-9 * max(1.0, abs(lev.value)):
            raise RuntimeError("duality route failed to recover the mechanism")  # pragma: no cover
        # the tiny LP's duals price only its own rules; the multipliers of the full problem are
        # alpha* and the minimizer of h(eta) in the Lagrangian (opposite sign)
        sol.update(alpha=alpha, eta=-lev.eta)
        used = "dual"
    if sol is None:  # method "lp", or the fallback of "auto"
        sol = _lottery_lp(opt, lump_sum, lp=lp)
        used = "lp"
        if sol is None:  # pragma: no cover
            raise RuntimeError("lottery LP failed")
    sol = _least_revenue(opt, lump_sum, sol, lp)
    return opt, sol, sol["alpha"], used


# ----------------------------------------------------------------------------------------------
# Result objects
# ----------------------------------------------------------------------------------------------
@dataclass(repr=False)
class SideMechanism:
    r"""One side of an optimal mechanism (arrays and numbers only; no solver state).

    Attributes
    ----------
    side : str
        ``"sellers"`` or ``"buyers"``.
    options : list of (price, prob)
        The menu: trade with probability ``prob`` at unit price ``price`` (net of the lump sum);
        not trading is always available.  Sellers: sorted by decreasing ``prob``; buyers likewise.
    lump_sum : float
        Money every agent of the side receives regardless of trade (0 under "No Free Lunch").
    types, probs, lam : numpy.ndarray
        The finite types (positive probability only) and their weights.
    X : numpy.ndarray
        Trade probability of each type.
    T : numpy.ndarray
        Transfer of each type, lump sum included (sellers: money received; buyers: money paid).
    lottery : list of (quantile, price, weight)
        The lottery over threshold rules (quantile = mass of the side that trades).
    alpha : float
        The budget multiplier of the mechanism (as ``MechanismResult.alpha``).
    q, phi : numpy.ndarray
        Quantile grid and ``phi_j^alpha`` at ``alpha`` (buyers: per unit of buyers; the book's
        chapter 3), computed on first access from the side's own types, probabilities and weights.
    cell_mass : float
        Mass of one grid cell when the side is a discretized continuous distribution, 0 for
        genuinely finite types (used by :attr:`is_rationing`).
    U : numpy.ndarray
        Money-metric utility of each type (``T - r X`` sellers, ``r X - T`` buyers).
    envelope : Envelope
        Upper concave envelope of ``(q, phi)``.
    is_rationing : bool
        Whether a positive mass of strictly-gaining types is rationed (:meth:`rationed_mass`).

    Examples
    --------
    >>> from redlib import Discrete, Side, Market, optimal_mechanism
    >>> m = Market(Side(Discrete([0.1, 0.5]), 3.0), Side(Discrete([0.4, 0.9]), 1.0))
    >>> sm = optimal_mechanism(m).sellers
    >>> sm.trade_probability([0.1, 0.5]).tolist(), float(sm.transfer(0.5)) == sm.lump_sum
    ([1.0, 0.0], True)
    >>> sm.is_rationing
    False
    """

    side: str
    options: list
    lump_sum: float
    types: np.ndarray
    probs: np.ndarray
    lam: np.ndarray
    X: np.ndarray
    T: np.ndarray
    lottery: list
    alpha: float
    cell_mass: float = 0.0
    _qphi: tuple = field(default=None, compare=False)  # cache of (q, phi), from the arrays above
    _envelope: Envelope = field(default=None, compare=False)  # cache, computed from (q, phi)
    _rationing: bool = field(default=None, compare=False)  # cache of is_rationing

    def _points(self):
        if self._qphi is None:
            if self.side == "sellers":
                q, phi, _ = seller_phi(self.types, *cumulative_below(self.probs, self.lam, self.types),
                                       self.alpha)
            else:
                q, phi, _ = buyer_phi(self.types, *cumulative_above(self.probs, self.lam, self.types),
                                      self.alpha)
            self._qphi = (q, phi)
        return self._qphi

    @property
    def q(self):
        """Quantile grid of :attr:`phi` (share of the side that trades; buyers per unit of buyers)."""
        return self._points()[0]

    @property
    def phi(self):
        """``phi_j^alpha`` on :attr:`q` at the mechanism's ``alpha``."""
        return self._points()[1]

    @property
    def envelope(self):
        """Upper concave envelope of ``(q, phi)`` (computed on first access; for plotting)."""
        if self._envelope is None:
            self._envelope = concave_envelope(self.q, self.phi)
        return self._envelope

    @property
    def U(self):
        """Money-metric utility of each finite type."""
        return self._utility(self.types, self.X, self.T)

    def _utility(self, r, x, t):
        """Money-metric utility of type ``r`` trading with probability ``x`` for transfer ``t``."""
        return t - r * x if self.side == "sellers" else r * x - t

    @property
    def prices(self):
        """Distinct posted prices of the menu (increasing), net of the lump sum.

        Two menu options at the same price (e.g. an indifferent marginal type trading partially at
        the market-clearing price) count as one price.
        """
        out = []
        for p in sorted(p for p, _ in self.options):
            if not out or p - out[-1] > 1e-12 * max(1.0, abs(p)):
                out.append(p)
        return out

    def _menu_arrays(self):
        X = np.array([0.0] + [x for _, x in self.options])
        T = np.array([0.0] + [p * x for p, x in self.options])
        return X, T

    def _choose(self, r):
        r = check_finite_array("r", r, ndim=None, min_size=0)
        flat = r.reshape(-1)
        X, T = self._menu_arrays()
        sign = 1.0 if self.side == "sellers" else -1.0
        util = sign * (T[None, :] - flat[:, None] * X[None, :])  # sellers T - rX; buyers rX - T
        best = util.max(axis=1, keepdims=True)
        tie = util >= best - 1e-12 * max(1.0, np.abs(T).max())
        # indifferent agents take the option with the most trade
        choice = np.where(tie, X[None, :], -1.0).argmax(axis=1)
        x = X[choice]
        t = T[choice]
        # types of the solved market get exactly their assigned outcome
        j = np.clip(np.searchsorted(self.types, flat), 0, self.types.size - 1)
        hit = self.types[j] == flat
        lump = self.lump_sum
        x = np.where(hit, self.X[j], x)
        tr = np.where(hit, self.T[j], t + lump if self.side == "sellers" else t - lump)
        return x.reshape(r.shape), tr.reshape(r.shape)

    def trade_probability(self, r):
        """Probability of trade of type ``r`` (vectorized; any ``r``, chosen from the menu).

        Parameters
        ----------
        r : array_like
            Types of this side (rates of substitution); each takes its best option on the menu.

        Returns
        -------
        numpy.ndarray
            Trade probabilities; a type indifferent between options takes the one with more trade.

        Examples
        --------
        >>> from redlib import Discrete, Side, Market, optimal_mechanism
        >>> m = Market(Side(Discrete([0.2, 0.6])), Side(Discrete([0.4, 0.8])))
        >>> optimal_mechanism(m).buyers.trade_probability([0.0, 1.0]).tolist()
        [0.0, 1.0]
        """
        return self._choose(r)[0]

    def transfer(self, r):
        """Money transfer of type ``r``, lump sum included (sellers receive, buyers pay).

        Parameters
        ----------
        r : array_like
            Types of this side, as in :meth:`trade_probability`.

        Returns
        -------
        numpy.ndarray
            Money received (sellers) or paid (buyers), of the shape of ``r``.

        Examples
        --------
        >>> from redlib import Uniform, Side, Market, optimal_mechanism
        >>> res = optimal_mechanism(Market(Side(Uniform(), 2.0), Side(Uniform(), 1.0)), grid_size=1000)
        >>> round(float(res.sellers.transfer(0.9)), 3)     # no trade: just the lump sum
        0.08
        """
        return self._choose(r)[1]

    def utility(self, r):
        """Money-metric utility of type ``r`` under the mechanism (vectorized).

        Parameters
        ----------
        r : array_like
            Types of this side, as in :meth:`trade_probability`.

        Returns
        -------
        numpy.ndarray
            ``T - r X`` for sellers, ``r X - T`` for buyers (lump sum included).

        Examples
        --------
        >>> from redlib import Discrete, Side, Market, optimal_mechanism
        >>> m = Market(Side(Discrete([0.2, 0.6])), Side(Discrete([0.4, 0.8])))
        >>> res = optimal_mechanism(m, lump_sum=False)
        >>> res.sellers.utility(0.6).item(), res.buyers.utility(0.4).item()
        (0.0, 0.0)
        """
        x, t = self._choose(r)
        return self._utility(np.asarray(r, dtype=float), x, t)

    def rationed_mass(self):
        """Mass of types that strictly gain from trade but trade with probability in ``(0, 1)``.

        The classification uses the one tolerance :data:`RATIONING_TOL` (partial trade:
        ``RATIONING_TOL < X < 1 - RATIONING_TOL``; strict gain: more than ``RATIONING_TOL`` times
        the price scale ``max(1, max |r|)``); see :func:`redlib.thresholds.rationed_mass`.

        Returns
        -------
        float
            The rationed mass (0.0 when no type is rationed).

        Examples
        --------
        >>> from redlib import Uniform, Side, Market, optimal_mechanism
        >>> optimal_mechanism(Market(Side(Uniform()), Side(Uniform())), grid_size=100).sellers.rationed_mass()
        0.0
        """
        # both sides' utilities include their lump sum with a plus sign
        # (sellers: T = received + L_S; buyers: T = paid - L_B), so trade alone gains U - lump_sum
        return rationed_mass(self.probs, self.X, self.U - self.lump_sum, np.abs(self.types).max())

    @property
    def is_rationing(self):
        """Is a positive mass of strictly-gaining types rationed?

        For genuinely finite types any rationed mass above :data:`RATIONING_TOL` counts.  For a
        discretized continuous distribution a single partially served cell is a discretization
        artefact (the quantity falls between two cells), and on very fine grids pooling a few cells
        changes welfare by less than the solver's accuracy, so the rationed mass must exceed
        ``max(ARTEFACT_CELLS * cell_mass, ARTEFACT_MASS)`` (:data:`ARTEFACT_CELLS`,
        :data:`ARTEFACT_MASS`).
        """
        if self._rationing is None:
            floor = max(ARTEFACT_CELLS * self.cell_mass, ARTEFACT_MASS) if self.cell_mass > 0 else 0.0
            self._rationing = self.rationed_mass() > floor + RATIONING_TOL
        return self._rationing

    def _price_cell(self):
        """Width of the type cell around the posted prices (0 for genuinely finite types)."""
        if self.cell_mass == 0.0 or self.types.size < 2 or not self.options:
            return 0.0
        w = 0.0
        for p in self.prices:
            j = int(np.clip(np.searchsorted(self.types, p), 1, self.types.size - 1))
            w = max(w, float(self.types[j] - self.types[j - 1]))
        return w

    def __repr__(self):
        opts = ", ".join(f"({p:.6g}, {x:.6g})" for p, x in self.options)
        return f"SideMechanism({self.side}: options=[{opts}], lump_sum={self.lump_sum:.6g})"


@dataclass(repr=False)
class MechanismResult:
    r"""Optimal mechanism of a two-sided market.

    Attributes
    ----------
    welfare : float
        ``sum g lam_S U_S + mu sum h lam_B U_B`` (lump sums included).
    quantity : float
        Quantity traded ``Q`` (per unit mass of sellers).
    revenue : float
        Budget surplus before lump sums, ``mu E[T_B] - E[T_S]``; it funds the lump sums.
    alpha : float
        Budget multiplier (marginal welfare value of a unit of revenue).
    n_prices : int
        Number of posted prices, both sides (at most 4; at most 3 with a non-zero lump sum).
    prices : list of float
        Seller prices followed by buyer prices (net of lump sums).
    sellers, buyers : SideMechanism
        The two sides.
    competitive : CompetitiveEquilibrium
        Competitive equilibrium of the same finite market.
    gain_over_ce : float
        ``welfare - competitive.welfare``.
    lump_sum_allowed : bool
        ``False`` under "No Free Lunch".
    mu : float
        Buyer mass.
    method : str
        ``"colgen"`` (column generation), ``"dual"`` (duality route) or ``"lp"`` (full lottery LP).
    eta : float
        Clearing multiplier: the shadow value of one more unit traded (the dual of market clearing
        in the lottery LP).  ``-eta`` is a supergradient of ``co(phi_S)`` at ``Q`` and ``eta`` one of
        ``co(phi_B)`` at ``Q / mu``.
    price_scale : float
        ``max |r|`` over both sides' types (the scale of the tolerances).
    instruments : str
        ``"competitive"``, ``"wedge"``, ``"rationing"`` or ``"wedge+rationing"``
        (:func:`classify_instruments`, computed on first access and then stored).

    Examples
    --------
    >>> from redlib import Uniform, Side, Market, optimal_mechanism
    >>> res = optimal_mechanism(Market(Side(Uniform(), 1.0), Side(Uniform(), 3.0)), grid_size=500)
    >>> res.instruments, res.lump_sums[0], res.buyers.lump_sum > 0
    ('wedge', 0.0, True)
    """

    welfare: float
    quantity: float
    revenue: float
    alpha: float
    n_prices: int
    prices: list
    sellers: SideMechanism
    buyers: SideMechanism
    competitive: CompetitiveEquilibrium
    gain_over_ce: float
    lump_sum_allowed: bool
    mu: float
    method: str
    eta: float = 0.0
    price_scale: float = 1.0
    _instruments: str = field(default=None, init=False, repr=False, compare=False)

    @property
    def instruments(self):
        """``"competitive"``, ``"wedge"``, ``"rationing"`` or ``"wedge+rationing"`` (computed once)."""
        if self._instruments is None:
            self._instruments = classify_instruments(self)
        return self._instruments


    @property
    def lump_sums(self):
        """``(lump sum to each seller, lump sum to each buyer)``."""
        return self.sellers.lump_sum, self.buyers.lump_sum

    def verify(self, tol=1e-9):
        """Check IC (all pairs of types and the threshold types), IR, clearing, budget, welfare.

        Parameters
        ----------
        tol : float, default 1e-9
            Tolerance, relative to the price scale ``max(1, max |r|)``.

        Returns
        -------
        bool
            ``True`` (otherwise an exception is raised).

        Raises
        ------
        MechanismVerificationError
            (a subclass of ``AssertionError``) naming the violated constraint and the worst type.

        Examples
        --------
        >>> from redlib import Discrete, Side, Market, optimal_mechanism
        >>> m = Market(Side(Discrete([0.2, 0.6]), 2.0), Side(Discrete([0.4, 0.8])))
        >>> optimal_mechanism(m).verify()
        True
        """
        scale = max(1.0, self.price_scale)
        t = check_nonneg("tol", tol) * scale  # a NaN tolerance would pass every check
        for sm in (self.sellers, self.buyers):
            X, T, r = sm.X, sm.T, sm.types
            sign = 1.0 if sm.side == "sellers" else -1.0
            if ((X < -t) | (X > 1 + t)).any():
                raise MechanismVerificationError(f"{sm.side}: trade probability outside [0, 1]")
            U = sm.U
            if (U < -t).any():
                k = int(np.argmin(U))
                raise MechanismVerificationError(
                    f"{sm.side}: IR violated at type r={r[k]:.6g} (utility {U[k]:.3g})")
            # IC: every type (and every indifference/threshold type) weakly prefers its outcome
            # to the outcome of every other type. Distinct outcomes = the menu actually used.
            out = np.unique(np.stack([X, T], axis=1), axis=0)
            prices = [p for p, _ in sm.options]
            check_r = np.concatenate([r, np.asarray(prices, float)])
            x_c, t_c = sm._choose(check_r)
            u_c = sign * (t_c - check_r * x_c)
            dev = sign * (out[None, :, 1] - check_r[:, None] * out[None, :, 0])
            gap = dev.max(axis=1) - u_c
            if (gap > t).any():
                k = int(np.argmax(gap))
                raise MechanismVerificationError(
                    f"{sm.side}: IC violated at type r={check_r[k]:.6g} (gain from misreport "
                    f"{gap[k]:.3g})")
            if not self.lump_sum_allowed:
                worst = U[-1] if sm.side == "sellers" else U[0]
                if abs(worst) > t:
                    raise MechanismVerificationError(
                        f"{sm.side}: No Free Lunch violated, worst type's utility is {worst:.3g}")
        S, B = self.sellers, self.buyers
        qS = float(np.dot(S.probs, S.X))
        qB = self.mu * float(np.dot(B.probs, B.X))
        if abs(qS - qB) > t:
            raise MechanismVerificationError(f"market clearing violated: supply {qS} != demand {qB}")
        budget = self.mu * float(np.dot(B.probs, B.T)) - float(np.dot(S.probs, S.T))
        if budget < -t:
            raise MechanismVerificationError(f"budget balance violated: deficit {-budget:.3g}")
        W = float(np.dot(S.probs * S.lam, S.U)) + self.mu * float(np.dot(B.probs * B.lam, B.U))
        if abs(W - self.welfare) > t * max(1.0, abs(W)):
            raise MechanismVerificationError(f"welfare {self.welfare} does not match utilities ({W})")
        if self.n_prices > 4 or (self.n_prices > 3 and max(S.lump_sum, B.lump_sum) > t):
            raise MechanismVerificationError(
                f"price-count theorem violated: {self.n_prices} prices, lump sums "
                f"{S.lump_sum:.3g}, {B.lump_sum:.3g}")
        return True

    def __repr__(self):
        return (
            f"MechanismResult(welfare={self.welfare:.6g}, quantity={self.quantity:.6g}, "
            f"revenue={self.revenue:.6g}, alpha={self.alpha:.6g}, instruments={self.instruments!r},\n"
            f"  sellers={self.sellers!r},\n  buyers={self.buyers!r},\n"
            f"  gain_over_ce={self.gain_over_ce:.6g})"
        )


def _entries(sol, markets=None):
    """The lotteries' entries as arrays: (market, k, price, weight) per side.

    ``sol``: one solution dict, or a list of them (one per market, ``markets`` their indices)."""
    sols = [sol] if isinstance(sol, dict) else sol
    markets = range(len(sols)) if markets is None else markets
    out = []
    for side in ("S", "B"):
        rows = [(i, k, p, w) for i, s in zip(markets, sols) for k, p, w in s[side]]
        a = np.array(rows, dtype=float).reshape(-1, 4)
        out.append((a[:, 0].astype(int), a[:, 1].astype(int), a[:, 2], a[:, 3]))
    return out


def _lottery_outcomes(opt, S, B, markets=1):
    """Trade probability ``X`` and transfer ``T`` (before lump sums) of every type, and the
    lotteries' welfare, quantity and revenue (before lump sums), for one or several markets of
    the same types.

    ``S``, ``B``: the entries ``(market, k, price, weight)`` of the seller and buyer lotteries
    (:func:`_entries`); ``opt``: an :class:`_Options` whose weight sums ``A, B, C, D`` have one
    row per market (or are 1-D, for one market).  Seller rule ``k`` (the ``k`` cheapest types sell
    at ``p``) adds ``w`` to ``X`` and ``w p`` to ``T`` of types ``1..k``; buyer rule ``k`` (types
    ``k..m`` buy) of types ``k..m``.  Returns ``XS, TS, XB, TB`` (one row per market) and
    ``W, Q, revenue`` (one value per market).
    """
    n, m, mu = opt.n, opt.m, opt.mu
    A, Bs, C, D = (np.atleast_2d(a) for a in (opt.A, opt.B, opt.C, opt.D))

    def add_up(cell, k, w, size):  # (markets, size + 2) sums of the weights by market and rule
        return np.bincount(cell * (size + 2) + k, weights=w, minlength=markets * (size + 2)).reshape(
            markets, size + 2)

    cS, kS, pS, wS = S
    cB, kB, pB, wB = B
    XS = np.cumsum(add_up(cS, kS, wS, n)[:, n:0:-1], axis=1)[:, ::-1]  # types 1..k sell
    TS = np.cumsum(add_up(cS, kS, wS * pS, n)[:, n:0:-1], axis=1)[:, ::-1]
    XB = np.cumsum(add_up(cB, kB, wB, m)[:, 1:m + 1], axis=1)  # types k..m buy
    TB = np.cumsum(add_up(cB, kB, wB * pB, m)[:, 1:m + 1], axis=1)
    for X in (XS, XB):  # the lottery weights sum to 1 only up to rounding
        np.clip(X, 0.0, 1.0, out=X)
        X[X > 1.0 - 1e-12] = 1.0
    on, i = kS > 0, np.maximum(kS - 1, 0)
    G = np.where(on, opt.G[i], 0.0)
    W = np.where(on, wS * (pS * A[cS, i] - Bs[cS, i]), 0.0)
    Q = np.bincount(cS, weights=wS * G, minlength=markets)
    revenue = -np.bincount(cS, weights=wS * pS * G, minlength=markets)
    onB, j = kB <= m, np.minimum(kB - 1, m - 1)
    WB = np.where(onB, mu * wB * (D[cB, j] - pB * C[cB, j]), 0.0)
    revenue += np.bincount(cB, weights=np.where(onB, mu * wB * pB * opt.Hb[j], 0.0), minlength=markets)
    W = np.bincount(cS, weights=W, minlength=markets) + np.bincount(cB, weights=WB, minlength=markets)
    return XS, TS, XB, TB, W, Q, revenue


def _build_result(fm, opt, sol, alpha, method, lump_sum, cells, outcomes=None, ce=None):
    """The :class:`MechanismResult` of a solution ``sol`` of :func:`_solve_finite`.

    ``outcomes``: this market's row of :func:`_lottery_outcomes` when computed already (with
    other markets of the same types); ``ce``: its competitive equilibrium, likewise.
    """
    s, g, lam, b, h, nu, mu = fm.s, fm.g, fm.lam, fm.b, fm.h, fm.nu, fm.mu
    L_S, L_B = sol["L_S"], sol["L_B"]
    if outcomes is None:
        XS, TSt, XB, TBt, W, Q, revenue = (a[0] for a in _lottery_outcomes(opt, *_entries(sol)))
    else:
        XS, TSt, XB, TBt, W, Q, revenue = outcomes
    W = opt.Lam_S * L_S + mu * opt.Lam_B * L_B + W
    lottery_S = [(float(opt.G[k - 1]), p, w) if k > 0 else (0.0, float("nan"), w) for k, p, w in sol["S"]]
    lottery_B = [(float(opt.Hb[k - 1]), p, w) if k <= opt.m else (0.0, float("nan"), w)
                 for k, p, w in sol["B"]]
    optS = menu_options(XS, TSt, g)
    optB = menu_options(XB, TBt, h)
    if L_S:
        TSt = TSt + L_S
    if L_B:
        TBt = TBt - L_B
    S = SideMechanism("sellers", optS, L_S, s, g, lam, XS, TSt, lottery_S, float(alpha), cells[0])
    B = SideMechanism("buyers", optB, L_B, b, h, nu, XB, TBt, lottery_B, float(alpha), cells[1])
    ce = competitive_equilibrium(fm) if ce is None else ce
    prices = S.prices + B.prices
    return MechanismResult(
        welfare=float(W), quantity=float(Q), revenue=float(revenue), alpha=float(alpha),
        n_prices=len(prices), prices=prices, sellers=S, buyers=B, competitive=ce,
        gain_over_ce=float(W) - ce.welfare, lump_sum_allowed=bool(lump_sum), mu=mu,
        method=method, eta=sol["eta"], price_scale=opt.scale,
    )


def optimal_mechanism(market, lump_sum=True, grid_size=None, method="auto"):
    r"""Welfare-maximizing mechanism of a two-sided market (exact on finite types).

    Maximizes ``sum g lam_S U_S + mu sum h lam_B U_B`` over incentive-compatible, individually
    rational, market-clearing, budget-balanced mechanisms.  Continuous distributions are
    discretized with ``dist.grid(grid_size)``; the answer is then exact for the discretized market.

    Parameters
    ----------
    market : Market or FiniteMarket
        The market.  A :class:`~redlib.market.FiniteMarket` (``market.finite(n)``) is solved as it is,
        its types taken as genuinely finite (no grid-artefact filter in ``instruments``).
    lump_sum : bool, default True
        Allow lump-sum transfers.  ``False`` is "No Free Lunch": the worst seller type (highest
        ``r``) and the worst buyer type (lowest ``r``) of the support get exactly zero utility
        (types of zero probability are not in the support and are dropped).
    grid_size : int, optional
        Cells per continuous side (default of :meth:`Distribution.grid`, 1000).
    method : {"auto", "dual", "lp"}, default "auto"
        ``"auto"``: column generation (O(n) per round; the full lottery LP is the fallback should
        it ever fail); ``"dual"``: the duality route of chapter 3 (``min_alpha L(alpha)``);
        ``"lp"``: the full lottery LP over all ``2n + 2m`` threshold rules.  All give the same
        welfare; ``"dual"`` and ``"lp"`` are for cross-checks.

    Returns
    -------
    MechanismResult
        ``welfare, quantity, revenue, alpha, n_prices, prices, sellers, buyers, competitive,
        gain_over_ce, instruments, verify()``.  When several mechanisms are optimal, one that
        raises the least revenue among them (that revenue is the same whatever ``method``).

    Examples
    --------
    >>> from redlib import Discrete, Side, Market, optimal_mechanism
    >>> m = Market(Side(Discrete([0.1, 0.3, 0.5]), lambda r: 3 - 4 * r), Side(Discrete([0.2, 0.6])))
    >>> res = optimal_mechanism(m)
    >>> res.n_prices <= 4 and res.verify()
    True
    >>> res_nfl = optimal_mechanism(m, lump_sum=False)
    >>> res_nfl.lump_sums
    (0.0, 0.0)
    """
    check_instance("market", market, (Market, FiniteMarket), "a Market or a FiniteMarket")
    lump_sum = check_bool("lump_sum", lump_sum)
    check_in("method", method, ("auto", "dual", "lp"))
    return _optimal(market, lump_sum, grid_size, method)


def _optimal(market, lump_sum, grid_size, method):
    """:func:`optimal_mechanism` on validated arguments."""
    if isinstance(market, FiniteMarket):
        fm = market.positive()
        cells = (0.0, 0.0)
    else:
        fm = market.finite(grid_size).positive()
        cells = (0.0 if market.sellers.dist.is_discrete else 1.0 / fm.s.size,
                 0.0 if market.buyers.dist.is_discrete else 1.0 / fm.b.size)
    return _optimal_finite(fm, lump_sum, cells, method)


def _optimal_finite(fm, lump_sum, cells, method, lp=None, rules=None):
    """The optimum of a finite market with positive probabilities, as a :class:`MechanismResult`.

    ``cells``: the mass of one grid cell of each side (0 for genuinely finite types); ``lp`` and
    ``rules`` as in :func:`_solve_finite`.
    """
    opt, sol, alpha, used = _solve_finite(fm, lump_sum, method, lp, rules)
    return _build_result(fm, opt, sol, alpha, used, lump_sum, cells)


def _optimal_reweighted(fm, lam, nu, lump_sum, cells, method="auto"):
    """The optima of markets that differ from ``fm`` (positive probabilities) only in their
    weights: market ``i`` has seller weights ``lam[i]`` and buyer weights ``nu[i]``.

    The markets share their constraint matrix, so every solve starts warm from the previous
    market's basis (order the markets so that neighbours are alike), and the per-type outcomes,
    weight sums and competitive equilibria are computed for all markets at once.
    Returns a list of :class:`MechanismResult`.
    """
    rules, lp = _Rules(fm), _HighsLP()
    every = _Options(fm, rules, lam, nu)
    markets, opts, sols, used = [], [], [], []
    for i in range(lam.shape[0]):
        fm_i = FiniteMarket(fm.s, fm.g, lam[i], fm.b, fm.h, nu[i], fm.mu)
        opt, sol, _, how = _solve_finite(fm_i, lump_sum, method, lp, rules, every.market(i, fm_i))
        markets.append(fm_i)
        opts.append(opt)
        sols.append(sol)
        used.append(how)
    outcomes = _lottery_outcomes(every, *_entries(sols), markets=len(sols))
    ce = competitive_equilibrium(fm)
    return [_build_result(fm_i, opt, sol, sol["alpha"], how, lump_sum, cells,
                          outcomes=tuple(a[i] for a in outcomes), ce=ce.with_weights(fm_i.lam, fm_i.nu))
            for i, (fm_i, opt, sol, how) in enumerate(zip(markets, opts, sols, used))]


# ----------------------------------------------------------------------------------------------
# Instruments
# ----------------------------------------------------------------------------------------------
def classify_instruments(mechanism):
    """Which instruments a mechanism uses: price wedge, rationing, both, or neither.

    * **wedge**: the mechanism raises revenue (buyers pay more than sellers receive, before lump
      sums) — equivalently the prices on the two sides differ; the revenue funds lump sums
      (Dworczak, Kominers and Akbarpour 2021, Section 5).
    * **rationing**: some type with positive probability that strictly gains from trading at its
      price (seller ``r < price``, buyer ``r > price``) trades with probability strictly between 0
      and 1 (:attr:`SideMechanism.is_rationing`).  Indifferent marginal types of a finite market
      that trade partially do not count.

    When the competitive equilibrium is a feasible mechanism (always with lump sums; under No
    Free Lunch when it leaves the worst type of each side without surplus) and attains the optimal
    welfare (to the solver's relative accuracy :data:`RATIONING_TOL`), the mechanism is
    ``"competitive"`` whatever its transfers: no instrument is needed, and other optima differ
    from the equilibrium only in transfers that cost no welfare.

    When a side is a discretized *continuous* distribution, effects of the size of one grid cell
    are discretization artefacts and are ignored: a rationed mass must exceed
    ``max(ARTEFACT_CELLS cells, ARTEFACT_MASS)``, and the revenue must exceed
    ``ARTEFACT_CELLS * Q`` times the width of the cells at the posted prices (plus
    :data:`RATIONING_TOL` times the price scale).

    Parameters
    ----------
    mechanism : MechanismResult
        Result of :func:`redlib.optimal_mechanism` (whose ``instruments`` field
        holds this classification, computed once).

    Returns
    -------
    str
        One of ``"competitive"``, ``"wedge"``, ``"rationing"``, ``"wedge+rationing"``.

    Examples
    --------
    >>> from redlib import Uniform, Side, Market, optimal_mechanism, classify_instruments
    >>> m = Market(Side(Uniform(), 2.0), Side(Uniform(), 1.0))
    >>> classify_instruments(optimal_mechanism(m, grid_size=200))
    'wedge'
    >>> classify_instruments(optimal_mechanism(Market(Side(Uniform()), Side(Uniform())), grid_size=200))
    'competitive'
    """
    check_instance("mechanism", mechanism, MechanismResult)
    ce = mechanism.competitive
    # the equilibrium is a feasible mechanism with lump sums allowed; under No Free Lunch only if
    # it leaves the worst type of each side (highest seller, lowest buyer) without surplus
    feasible = mechanism.lump_sum_allowed or (
        (ce.price - ce.types_S[-1]) * ce.seller_trade[-1] <= 0.0
        and (ce.types_B[0] - ce.price) * ce.buyer_trade[0] <= 0.0)
    if feasible and mechanism.gain_over_ce <= RATIONING_TOL * max(1.0, abs(mechanism.welfare)):
        # the competitive equilibrium is optimal: no instrument is needed.  Other optima then
        # differ from it only in transfers that cost no welfare (equal constant weights; a side
        # that trades in full, whose lump sum is a higher price by another name), and the label
        # must not depend on which of them the solver returns
        return "competitive"
    scale = max(1.0, mechanism.price_scale)
    # on a discretized continuous side the two sides' prices can differ by one cell only because
    # the quantity falls between cells; such a revenue of order Q * cell width is not a wedge
    cell = mechanism.sellers._price_cell() + mechanism.buyers._price_cell()
    wedge = mechanism.revenue > RATIONING_TOL * scale + ARTEFACT_CELLS * mechanism.quantity * cell
    rationing = mechanism.sellers.is_rationing or mechanism.buyers.is_rationing
    if wedge and rationing:
        return "wedge+rationing"
    if wedge:
        return "wedge"
    if rationing:
        return "rationing"
    return "competitive"


@dataclass(repr=False)
class InequalityMap:
    """Data of the "Optimal market design under wealth inequality" map.

    Attributes
    ----------
    same_side : numpy.ndarray
        Same-side inequality parameters ``s`` (length ``n_s``), weights ``power_weight(Lam, s)``.
    cross_side : numpy.ndarray
        Cross-side ratios ``Lam_S / Lam_B`` (length ``n_c``), with ``Lam_B = 1``.
    codes : numpy.ndarray of int, shape (n_s, n_c)
        Index into :data:`INSTRUMENTS` of the optimum's instruments.
    instruments : numpy.ndarray of str, shape (n_s, n_c)
        The instrument names.
    welfare, gain_over_ce, quantity : numpy.ndarray, shape (n_s, n_c)
        Optimal welfare, its gain over competitive equilibrium, and the optimal quantity.
    n_prices : numpy.ndarray of int, shape (n_s, n_c)
        Number of posted prices of the optimum.  (Where several optima raise the same least
        revenue, the quantity and the number of prices are those of one of them, as in
        :func:`optimal_mechanism`.)
    seller_rationing, buyer_rationing : numpy.ndarray of bool, shape (n_s, n_c)
        Which side is rationed.
    mu, lump_sum, grid_size, sides
        The fixed settings used.

    Examples
    --------
    >>> from redlib import inequality_map
    >>> im = inequality_map([0.0], [1.0, 2.0], grid_size=50)
    >>> im.codes.tolist(), im.instruments.tolist()
    ([[0, 1]], [['competitive', 'wedge']])
    """

    same_side: np.ndarray
    cross_side: np.ndarray
    codes: np.ndarray
    instruments: np.ndarray
    welfare: np.ndarray
    gain_over_ce: np.ndarray
    quantity: np.ndarray
    n_prices: np.ndarray
    seller_rationing: np.ndarray
    buyer_rationing: np.ndarray
    mu: float
    lump_sum: bool
    grid_size: int
    sides: str

    def __repr__(self):
        counts = {name: int((self.codes == k).sum()) for k, name in enumerate(INSTRUMENTS)}
        return (
            f"InequalityMap({self.codes.shape[0]} same-side x {self.codes.shape[1]} cross-side values, "
            f"mu={self.mu:g}, lump_sum={self.lump_sum}, sides={self.sides!r}, counts={counts})"
        )


def inequality_map(same_side, cross_side, *, buyer_mass=1.0, lump_sum=True, grid_size=200,
                   sides="both"):
    r"""Which instruments the optimal mechanism uses over a grid of inequality parameters.

    Parametric family (uniform ``r`` on ``[0, 1]`` on both sides, ``Lam_B = 1``):
    ``lam_j(r) = Lam_j (1 + s)(1 - r)^s`` (:func:`power_weight`), where ``s`` is the same-side
    inequality (``s > 1`` is "high": ``lam_j(0) > 2 Lam_j``) and ``Lam_S / Lam_B = c`` is the
    cross-side inequality (``c > 1``: sellers poorer).  ``sides`` chooses where the same-side
    inequality ``s`` applies ("both", "sellers" or "buyers"; the other side then has constant weight).

    Parameters
    ----------
    same_side : array_like
        Values of ``s >= 0``.
    cross_side : array_like
        Values of ``c = Lam_S / Lam_B > 0``.
    buyer_mass : float, default 1.0
        ``mu``.
    lump_sum : bool, default True
        ``False`` imposes "No Free Lunch".
    grid_size : int, default 200
        Cells per side in the discretization.
    sides : {"both", "sellers", "buyers"}, default "both"
        Where same-side inequality applies.

    Returns
    -------
    InequalityMap

    Examples
    --------
    >>> from redlib import inequality_map
    >>> im = inequality_map([0.0, 3.0], [1.0, 3.0], buyer_mass=0.3, grid_size=200)
    >>> im.instruments
    array([['competitive', 'wedge'],
           ['rationing', 'wedge+rationing']], dtype='<U15')
    """
    ss = check_nonneg_array("same_side", same_side)
    cs = check_finite_array("cross_side", cross_side)
    if (cs <= 0).any():
        raise ValueError(f"cross_side must be > 0, got minimum {cs.min()!r}")
    check_in("sides", sides, ("both", "sellers", "buyers"))
    mu = check_positive("buyer_mass", buyer_mass)
    lump_sum = check_bool("lump_sum", lump_sum)
    grid_size = check_int("grid_size", grid_size)  # validated before the loop of solves
    U = Uniform()
    shape = (ss.size, cs.size)
    codes = np.zeros(shape, dtype=int)
    welfare = np.zeros(shape)
    gain = np.zeros(shape)
    quantity = np.zeros(shape)
    n_prices = np.zeros(shape, dtype=int)
    srat = np.zeros(shape, dtype=bool)
    brat = np.zeros(shape, dtype=bool)
    # every cell has the same types (one grid, shared) and so the same constraint matrix: each
    # cell's lottery LP starts warm from the previous cell's optimal basis, the cells taken row by
    # row, every other row backwards, so that consecutive cells are neighbours
    r, p = (np.asarray(a, dtype=float) for a in U.grid(grid_size))
    order = [(i, j) for i in range(ss.size) for j in (range(cs.size) if i % 2 == 0 else range(cs.size)[::-1])]
    # lam_j(r) = Lam_j (1 + s)(1 - r)^s is Lam_j times the weight of average 1
    shape = [evaluate_weight(power_weight(1.0, s), r) for s in ss]
    flat = np.ones_like(r)
    lam = np.array([cs[j] * (shape[i] if sides != "buyers" else flat) for i, j in order])
    nu = np.array([shape[i] if sides != "sellers" else flat for i, j in order])
    fm = FiniteMarket(r, p, lam[0], r, p, nu[0], mu)  # (every cell of the grid has positive mass)
    results = _optimal_reweighted(fm, lam, nu, lump_sum, (1.0 / r.size, 1.0 / r.size))
    for (i, j), res in zip(order, results):
        codes[i, j] = INSTRUMENTS.index(res.instruments)
        welfare[i, j] = res.welfare
        gain[i, j] = res.gain_over_ce
        quantity[i, j] = res.quantity
        n_prices[i, j] = res.n_prices
        srat[i, j] = res.sellers.is_rationing
        brat[i, j] = res.buyers.is_rationing
    names = np.array(INSTRUMENTS)[codes]
    return InequalityMap(ss, cs, codes, names, welfare, gain, quantity, n_prices, srat, brat, mu,
                         lump_sum, grid_size, sides)
