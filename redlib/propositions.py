r"""Numerical checks of every proposition and theorem of the two slide decks.

Each ``check_<name>(n_instances, seed)`` draws seeded random instances that satisfy the
hypotheses of one result, solves them with the library's solvers, tests the conclusion on the
solver's output and, for the two-sided market and the allocation problem, confirms the optimal
value with the brute-force LP referee (:func:`redlib.referee.lp_market`,
:func:`redlib.referee.lp_allocation`).  It returns a :class:`CheckReport`.  Where instructive the
report also carries a :class:`Counterexample`: an instance that violates one hypothesis and in
which the conclusion fails.

Discretization, stated honestly
-------------------------------
The slides' statements are about continuous type distributions.  The solvers are exact on finite
types: a continuous distribution is replaced by ``dist.grid(n)`` (``n`` equal-mass cells, types at
the cell medians).  Hypotheses are evaluated on the continuous instance (the weight ``lam`` at the
lower end of the support, ``Lam`` as an integral, ``V = alpha J + Lam h`` from the density);
conclusions are tested on the exact solution of the ``n``-type problem.  The generators keep every
hypothesis a fixed margin away from its boundary (e.g. "low" same-side inequality means
``lam(r_low) <= 1.8 Lam`` rather than ``<= 2 Lam``), so that the finite-type problem is on the same
side of each threshold as the continuous one; the margins are stated in each check.

First deck (Dworczak, Kominers and Akbarpour, *Redistribution through Markets*)
------------------------------------------------------------------------------
check_seller_price, check_buyer_price, check_two_prices, check_wedge, check_seller_rationing,
check_buyer_rationing, check_four_prices, check_no_free_lunch.

Second deck (Akbarpour, Dworczak and Kominers, *Redistributive Allocation Mechanisms*)
----------------------------------------------------------------------------------------
check_adk_prop1 ... check_adk_prop8, and :func:`randomization_share` (data of the
Proposition 6 figure).

Examples
--------
>>> from redlib.propositions import check_four_prices
>>> rep = check_four_prices(3, seed=0)
>>> rep.ok, rep.tried
(True, 3)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np
import scipy.special
import scipy.stats
from scipy.optimize import brentq

from . import market, mechanism, one_sided
from ._validation import check_finite_array, check_int, check_nonneg
from .allocation import Group, optimal_allocation
from .distributions import Discrete, Truncated, Uniform, check_distribution
from .market import Side
from .referee.allocation import lp_allocation
from .referee.market import lp_market
from .weights import evaluate_weight

__all__ = [
    "CheckReport",
    "Counterexample",
    "ShapeWeight",
    "ALL_CHECKS",
    "run_all",
    "check_seller_price",
    "check_buyer_price",
    "check_two_prices",
    "check_wedge",
    "check_seller_rationing",
    "check_buyer_rationing",
    "check_four_prices",
    "check_no_free_lunch",
    "check_adk_prop1",
    "check_adk_prop2",
    "check_adk_prop3",
    "check_adk_prop4",
    "check_adk_prop5",
    "check_adk_prop6",
    "check_adk_prop7",
    "check_adk_prop8",
    "randomization_share",
    "virtual_value",
]

#: relative tolerance for "the solver's welfare equals the LP referee's"
LP_RTOL = 1e-7
#: probabilities closer than this to 0 or 1 count as 0 or 1
PROB_TOL = 1e-7


# ----------------------------------------------------------------------------------------------
# reports
# ----------------------------------------------------------------------------------------------
@dataclass(repr=False)
class Counterexample:
    """An instance violating one hypothesis of a result, in which the conclusion fails.

    Attributes
    ----------
    description : str
        The instance.
    violated : str
        Which hypothesis it violates.
    conclusion_fails : bool
        True if the conclusion indeed fails (checked numerically).
    evidence : str
        The numbers showing it.

    Examples
    --------
    >>> Counterexample("U[0,1]", "lam non-increasing", True, "p=0.4 beats p^C=0.2")
    Counterexample(violates 'lam non-increasing'; conclusion fails: True; p=0.4 beats p^C=0.2)
    """

    description: str
    violated: str
    conclusion_fails: bool
    evidence: str

    def __repr__(self) -> str:
        return (f"Counterexample(violates {self.violated!r}; conclusion fails: "
                f"{self.conclusion_fails}; {self.evidence})")


@dataclass(repr=False)
class CheckReport:
    """Outcome of one numerical check.

    Attributes
    ----------
    name : str
        The result's name (as on the slides).
    tried : int
        Instances that satisfied the hypotheses and were solved.
    passed : int
        Instances in which the conclusion held (and the LP referee confirmed the optimum).
    failures : list of str
        A description of every failing instance.
    counterexample : Counterexample or None
        An instance violating a hypothesis in which the conclusion fails.
    skipped : int
        Generated instances not counted because a hypothesis that concerns the *optimal
        mechanism* itself (Propositions 5, 7, 8) was not met.
    lp_gap : float
        Largest relative gap between solver and LP referee welfare over the instances (NaN if
        the check has no LP referee).
    notes : str
        What exactly was tested (grids, margins).

    Examples
    --------
    >>> rep = CheckReport("demo", tried=2, passed=2)
    >>> rep.ok
    True
    """

    name: str
    tried: int = 0
    passed: int = 0
    failures: List[str] = field(default_factory=list)
    counterexample: Optional[Counterexample] = None
    skipped: int = 0
    lp_gap: float = float("nan")
    notes: str = ""

    @property
    def ok(self) -> bool:
        """True if at least one instance was tried and all passed."""
        return self.tried > 0 and self.passed == self.tried and not self.failures

    def summary(self) -> str:
        """One line: name, tried/passed, LP gap.

        Returns
        -------
        str

        Examples
        --------
        >>> CheckReport("demo", tried=2, passed=2).summary()
        'demo: 2/2 instances passed'
        """
        s = f"{self.name}: {self.passed}/{self.tried} instances passed"
        if self.skipped:
            s += f" ({self.skipped} generated instances did not meet the hypotheses and were skipped)"
        if np.isfinite(self.lp_gap):
            s += f"; largest relative gap to the LP referee {self.lp_gap:.1e}"
        return s

    def __repr__(self) -> str:
        lines = [f"CheckReport({self.summary()}"]
        for f in self.failures[:5]:
            lines.append(f"  FAIL: {f}")
        if len(self.failures) > 5:
            lines.append(f"  ... {len(self.failures) - 5} more failures")
        if self.counterexample is not None:
            lines.append(f"  {self.counterexample!r}")
        return "\n".join(lines) + ")"

    # internal bookkeeping
    def _record(self, ok: bool, desc: str, why: str = "") -> None:
        self.tried += 1
        if ok:
            self.passed += 1
        else:
            self.failures.append(f"{desc}: {why}")

    def _gap(self, a: float, b: float) -> float:
        g = abs(a - b) / max(1.0, abs(b))
        if not np.isfinite(g):  # a NaN welfare must fail "gap > LP_RTOL", not slip through it
            g = np.inf
        self.lp_gap = g if np.isnan(self.lp_gap) else max(self.lp_gap, g)
        return g


def _start(n_instances, seed):
    n_instances = check_int("n_instances", n_instances, minimum=1)
    if seed is not None:
        seed = check_int("seed", seed, minimum=0)
    return n_instances, np.random.default_rng(seed)


# ----------------------------------------------------------------------------------------------
# weights with a controlled shape
# ----------------------------------------------------------------------------------------------
def _logistic_mass(c, tau):
    # int_0^1 sigmoid((c - u) / tau) du
    return tau * (np.logaddexp(0.0, c / tau) - np.logaddexp(0.0, (c - 1.0) / tau))


class ShapeWeight:
    r"""Pareto weight ``lam(r) = scale * f((r - lo) / (hi - lo))`` with a shape ``f`` of mean 1.

    Under the uniform distribution on ``[lo, hi]`` the average weight is exactly ``scale`` and
    ``f(0) = lam(lo) / Lam`` is the slides' same-side inequality ratio ("high" iff ``> 2``).

    Parameters
    ----------
    shape : {"const", "exp", "power", "logistic", "hump", "rising"}
        ``exp``: ``s e^{-s u} / (1 - e^{-s})``; ``power``: ``(1 + b)(1 - u)^b``;
        ``logistic``: a smooth step down at ``u = c`` of width ``tau``; ``hump``: a constant base
        plus a bump (not monotone); ``rising``: ``exp`` with a negative rate (increasing).
    param : float or tuple
        Shape parameter (``s``, ``b``, ``(c, tau)``, ``(base, center, width)``, ``s``).
    lo, hi : float
        Support of the side's distribution.
    scale : float
        Average weight under the uniform distribution on ``[lo, hi]``.

    Examples
    --------
    >>> w = ShapeWeight("power", 2.0, 0.0, 1.0, 1.5)
    >>> float(w(0.0)), float(w(1.0))
    (4.5, 0.0)
    """

    def __init__(self, shape, param, lo, hi, scale):
        self.shape, self.param = shape, param
        self.lo, self.hi, self.scale = float(lo), float(hi), float(scale)
        if shape == "hump":
            base, center, width = param
            # mean of base + bump over [0, 1] (bump = exp(-((u - center) / width)^2 / 2))
            z = (np.array([0.0, 1.0]) - center) / width
            bump_mass = width * np.sqrt(2 * np.pi) * float(np.diff(scipy.stats.norm.cdf(z))[0])
            self._norm = base + bump_mass
        elif shape == "logistic":
            c, tau = param
            self._norm = float(_logistic_mass(c, tau))
        else:
            self._norm = 1.0
        self.__name__ = self._describe()

    def f(self, u):
        """Shape on ``[0, 1]`` (mean 1).

        Parameters
        ----------
        u : array_like
            Relative position ``(r - lo) / (hi - lo)``.

        Returns
        -------
        numpy.ndarray

        Examples
        --------
        >>> round(float(ShapeWeight("exp", 1.0, 0, 1, 1).f(0.0)), 4)
        1.582
        """
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        sh, p = self.shape, self.param
        if sh == "const":
            return np.ones_like(u)
        if sh in ("exp", "rising"):
            s = float(p)
            if abs(s) < 1e-12:
                return np.ones_like(u)
            return s * np.exp(-s * u) / -np.expm1(-s)
        if sh == "power":
            b = float(p)
            return (1.0 + b) * (1.0 - u) ** b
        if sh == "logistic":
            c, tau = p
            return scipy.special.expit((c - u) / tau) / self._norm
        if sh == "hump":
            base, center, width = p
            return (base + np.exp(-0.5 * ((u - center) / width) ** 2)) / self._norm
        raise ValueError(f"unknown shape {sh!r}")

    def __call__(self, r):
        r = np.asarray(r, dtype=float)
        return self.scale * self.f((r - self.lo) / (self.hi - self.lo))

    def ratio(self) -> float:
        """``lam(lo) / Lam`` under the uniform distribution (the same-side inequality ratio).

        Returns
        -------
        float

        Examples
        --------
        >>> ShapeWeight("power", 2.0, 0, 1, 1).ratio()
        3.0
        """
        return float(self.f(0.0))

    def u_hat(self, k: float = 2.0) -> float:
        """Largest relative position ``u`` with ``f(u) >= k`` for a non-increasing shape (0 if none).

        Parameters
        ----------
        k : float, default 2
            Level (``lam = k Lam``).

        Returns
        -------
        float

        Examples
        --------
        >>> ShapeWeight("power", 1.0, 0, 1, 1).u_hat(1.0)
        0.5
        """
        if self.f(0.0) <= k:
            return 0.0
        if self.f(1.0) >= k:
            return 1.0
        return float(brentq(lambda u: float(self.f(u)) - k, 0.0, 1.0, xtol=1e-14))

    def _describe(self):
        p = self.param
        ps = ", ".join(f"{x:.3g}" for x in p) if isinstance(p, tuple) else f"{p:.3g}"
        return f"{self.scale:.3g}*{self.shape}({ps}) on [{self.lo:.3g}, {self.hi:.3g}]"

    def __repr__(self):
        return f"ShapeWeight({self.__name__})"


def _decreasing_weight(rng, lo, hi, Lam, ratio, shapes=("exp", "power", "logistic")):
    """Non-increasing weight of average ``Lam`` (uniform on [lo, hi]) with ``lam(lo) = ratio Lam``."""
    if ratio <= 1.0 + 1e-12:
        return ShapeWeight("const", 0.0, lo, hi, Lam)
    shape = shapes[rng.integers(len(shapes))]
    if shape == "power":
        return ShapeWeight("power", ratio - 1.0, lo, hi, Lam)
    if shape == "exp":
        s = brentq(lambda s: s / -np.expm1(-s) - ratio, 1e-9, 500.0)
        return ShapeWeight("exp", s, lo, hi, Lam)
    tau = float(rng.uniform(0.04, 0.2))

    def g(c):
        return float(scipy.special.expit(c / tau) / _logistic_mass(c, tau)) - ratio

    if g(0.01) > 0 > g(3.0):
        c = brentq(g, 0.01, 3.0)
        return ShapeWeight("logistic", (c, tau), lo, hi, Lam)
    return _decreasing_weight(rng, lo, hi, Lam, ratio, shapes=("exp", "power"))


def _fmt_side(dist, w):
    return f"{dist!r} with lam = {getattr(w, '__name__', w)}"


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


def _side_rationed(sm, cell=0.0) -> bool:
    """Is a positive mass of strictly-gaining types traded with probability in (0, 1)?"""
    return any(PROB_TOL < x < 1 - PROB_TOL for _, x, _ in _effective_options(sm, cell))


def _cells(m, n):
    """Cell masses of the two sides of a market discretized with ``n`` cells (0 if discrete)."""
    return (0.0 if m.sellers.dist.is_discrete else 1.0 / n,
            0.0 if m.buyers.dist.is_discrete else 1.0 / n)


def _rationed(res, m, n):
    cS, cB = _cells(m, n)
    return _side_rationed(res.sellers, cS), _side_rationed(res.buyers, cB)


def _fmt_opts(sm, cell):
    return [(round(p, 4), round(x, 4)) for p, x, _ in _effective_options(sm, cell)]


def _lp_confirm(report, res, market, lump_sum, n, desc):
    """Welfare of the solver equals the LP referee's (returns (ok, message))."""
    lp = lp_market(market, lump_sum=lump_sum, grid_size=n)
    gap = report._gap(res.welfare, lp.welfare)
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
def _one_sided_instance(rng, side, high, n):
    """Uniform side on [lo, hi] with a non-increasing weight; same-side inequality low or high."""
    lo = float(rng.choice([0.0, rng.uniform(0.0, 1.0)]))
    hi = lo + float(rng.uniform(0.5, 2.0))
    Lam = float(rng.uniform(0.5, 3.0))
    ratio = float(rng.uniform(2.5, 8.0) if high else rng.uniform(1.0, 1.8))
    w = _decreasing_weight(rng, lo, hi, Lam, ratio)
    return Uniform(lo, hi), w


def _cumulative(dist, w, lo, hi, n_quad=20001):
    """Fine-grid cumulative integrals of ``lam g`` and ``r lam g`` on ``[lo, hi]`` (trapezoid)."""
    r = np.linspace(lo, hi, n_quad)
    a = w(r) * dist.pdf(r)
    b = r * a
    dr = np.diff(r)
    A = np.concatenate(([0.0], np.cumsum(0.5 * (a[1:] + a[:-1]) * dr)))
    B = np.concatenate(([0.0], np.cumsum(0.5 * (b[1:] + b[:-1]) * dr)))
    return r, A, B


def _seller_objective(dist, w, Q, R, p):
    """The slides' seller objective at prices ``p`` (continuous uniform distribution, quadrature)."""
    r, A, B = _cumulative(dist, w, dist.lo, dist.hi)
    p = np.asarray(p, dtype=float)
    val = p * np.interp(p, r, A) - np.interp(p, r, B)  # int_lo^p lam (p - r) dG
    return Q / dist.cdf(p) * val + w.scale * (R - p * Q)


def _seller_rstar(dist, w):
    """Closed form (MATH.md A5): r* with int_lo^r* (r - lo) lam = Lam (r* - lo)^2 (uniform)."""
    lo, hi, Lam = dist.lo, dist.hi, w.scale

    def m(x):  # x^-2 int_lo^{lo+x} (r - lo) lam dr - Lam = int_0^1 s lam(lo + s x) ds - Lam
        s = np.linspace(0.0, 1.0, 4001)
        vals = s * w(lo + s * x)
        return (np.trapezoid(vals, s) if hasattr(np, "trapezoid") else np.trapz(vals, s)) - Lam

    if m(1e-9 * (hi - lo)) <= 0:
        return lo
    if m(hi - lo) >= 0:
        return hi
    return lo + brentq(m, 1e-9 * (hi - lo), hi - lo, xtol=1e-12)


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
    above the competitive one, equal to the closed form ``max(G^{-1}(Q), r*)`` of ``MATH.md`` A5
    within two grid cells.  The solver's price is
    also compared with a brute-force search of the slides' objective over 400 prices.

    Parameters
    ----------
    n_instances : int, default 20
        Number of random instances.
    seed : int, default 0
        Seed of the generator.
    grid_size : int, default 400
        Types per side of the finite problem.

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_seller_price(2, seed=1).ok
    True
    """
    n_instances, rng = _start(n_instances, seed)
    grid_size = check_int("grid_size", grid_size, minimum=2)
    rep = CheckReport("optimal seller price", notes=(
        f"uniform G_S, non-increasing lam_S, {grid_size} types; low: lam_S(lo)/Lam_S <= 1.8, "
        "high: >= 2.5 and Q < u_hat (where lam_S = 2 Lam_S)"))
    for i in range(n_instances):
        high = bool(i % 2)
        dist, w = _one_sided_instance(rng, "S", high, grid_size)
        uh = w.u_hat(2.0)
        Q = float(rng.uniform(0.1, 0.9) * (uh if high else 1.0))
        R = dist.hi * Q + 0.5
        desc = f"[{'high' if high else 'low'}] sellers {_fmt_side(dist, w)}, Q={Q:.4g}, R={R:.4g}"
        res = one_sided.optimal_seller_price(Side(dist, w), Q, R, grid_size=grid_size)
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
        rep._record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_seller_price(grid_size)
    return rep


def _cx_seller_price(grid_size):
    """Low inequality at the extreme type but lam not monotone: rationing beats p^C."""
    dist = Uniform(0.0, 1.0)
    w = ShapeWeight("hump", (0.1, 0.15, 0.05), 0.0, 1.0, 1.0)  # lam(0) < 2 Lam, big hump at 0.15
    Q, R = 0.02, 1.0
    res = one_sided.optimal_seller_price(Side(dist, w), Q, R, grid_size=grid_size)
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


def check_buyer_price(n_instances=20, seed=0, grid_size=400):
    r"""The optimal buyer price (slides: "Setting :math:`p_B = p_B^C` is optimal ('full stop')").

    Instances: uniform ``G_B`` on ``[lo, hi]``, non-increasing ``lam_B`` with any same-side
    inequality (ratio ``lam_B(lo)/Lam_B`` in ``[1, 8]``), any ``Q``.  Conclusion on
    :func:`redlib.optimal_buyer_price`: price = competitive price ``G_B^{-1}(1 - Q)`` and no
    rationing, up to the one-cell artifact described in :func:`check_seller_price`;
    and a brute-force search of the slides' objective over 400 prices agrees.

    Parameters
    ----------
    n_instances : int, default 20
    seed : int, default 0
    grid_size : int, default 400

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_buyer_price(2, seed=1).ok
    True
    """
    n_instances, rng = _start(n_instances, seed)
    grid_size = check_int("grid_size", grid_size, minimum=2)
    rep = CheckReport("optimal buyer price", notes=(
        f"uniform G_B, non-increasing lam_B with lam_B(lo)/Lam_B in [1, 8], {grid_size} types"))
    for i in range(n_instances):
        dist, w = _one_sided_instance(rng, "B", bool(i % 2), grid_size)
        Q = float(rng.uniform(0.05, 0.95))
        R = 0.0
        desc = f"buyers {_fmt_side(dist, w)}, Q={Q:.4g}"
        res = one_sided.optimal_buyer_price(Side(dist, w), Q, R, grid_size=grid_size)
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
        rep._record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_buyer_price(grid_size)
    return rep


def _cx_buyer_price(grid_size):
    """lam_B increasing (the richest buyers have the largest weight): a lower price is better."""
    dist = Uniform(0.0, 1.0)
    w = ShapeWeight("rising", -12.0, 0.0, 1.0, 1.0)
    Q, R = 0.2, 0.0
    res = one_sided.optimal_buyer_price(Side(dist, w), Q, R, grid_size=grid_size)
    pC = float(dist.quantile(1.0 - Q))
    o_pc, o_p = _buyer_objective(dist, w, Q, R, np.array([pC, res.price]))
    fails = bool(res.price < pC - 1e-9 and o_p > o_pc + 1e-9)
    return Counterexample(
        f"buyers U[0,1] with increasing lam = {w.__name__}, Q = {Q}",
        "lam_B non-increasing", fails,
        f"objective {o_p:.5f} at p = {res.price:.4f} > {o_pc:.5f} at p^C = {pC:.4f}")


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

    Parameters
    ----------
    n_instances : int, default 20
    seed : int, default 0
    grid_size : int, default 400

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_two_prices(2, seed=1).ok
    True
    """
    n_instances, rng = _start(n_instances, seed)
    grid_size = check_int("grid_size", grid_size, minimum=2)
    rep = CheckReport("multiple buyer prices", notes=(
        f"uniform G_B, non-increasing lam_B, {grid_size} types; low: ratio <= 1.8 any Q; "
        "high: ratio >= 2.5 and Q > 1 - u_hat"))
    for i in range(n_instances):
        high = bool(i % 2)
        dist, w = _one_sided_instance(rng, "B", high, grid_size)
        uh = w.u_hat(2.0)
        Q = float(1.0 - rng.uniform(0.1, 0.9) * uh) if high else float(rng.uniform(0.05, 0.95))
        desc = f"[{'high' if high else 'low'}] buyers {_fmt_side(dist, w)}, Q={Q:.4g}"
        res = one_sided.optimal_buyer_two_prices(Side(dist, w), Q, 0.0, grid_size=grid_size)
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
        rep._record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_two_prices(grid_size)
    return rep


def _two_price_rationed(res):
    """Is the rationed low-price option actually taken by a positive mass of buyers?"""
    d = res.delta
    return bool(res.rationing and np.isfinite(d) and PROB_TOL < d < 1 - PROB_TOL and res.p_low < res.p_high)


def _cx_two_prices(grid_size):
    """High buyer inequality but small Q: the single competitive price stays optimal."""
    dist = Uniform(0.0, 1.0)
    w = ShapeWeight("power", 3.0, 0.0, 1.0, 1.0)
    Q = 0.2
    res = one_sided.optimal_buyer_two_prices(Side(dist, w), Q, 0.0, grid_size=grid_size)
    fails = not _two_price_rationed(res)
    return Counterexample(
        f"buyers U[0,1] with lam = {w.__name__} (ratio 4, high), Q = {Q}",
        "Q large enough", fails,
        f"p_high = {res.p_high:.4f}, rationed option used: {not fails}")


# ================================================================================================
# First deck: linking the two sides (optimal_mechanism + lp_market)
# ================================================================================================
def _market(sellers_dist, w_S, buyers_dist, w_B, mu):
    return market.Market(market.Side(sellers_dist, w_S), market.Side(buyers_dist, w_B), buyer_mass=mu)


def _mdesc(m, sd, wS, bd, wB, mu):
    return (f"sellers {_fmt_side(sd, wS)}; buyers {_fmt_side(bd, wB)}; mu={mu:.4g}")


def _solve(m, lump_sum, n):
    return mechanism.optimal_mechanism(m, lump_sum=lump_sum, grid_size=n)


def check_wedge(n_instances=20, seed=0, grid_size=60):
    r"""Linking the sides: price wedges (slides "Linking the Two Sides (II)").

    *When same-side inequality is low on both sides, it is optimal to set prices such that the
    market clears; any revenue is paid as a lump sum to the side with the higher average weight
    :math:`\Lambda_j`.*

    Instances: uniform distributions on random intervals, non-increasing weights with
    ``lam_j(lo_j) / Lam_j <= 1.8`` on both sides, ``|Lam_S - Lam_B| >= 0.1``, random ``mu``.
    Conclusion on :func:`redlib.optimal_mechanism`: one price per side, each traded with
    probability one (no rationing; clearing is then ``G_S(p_S) = mu (1 - G_B(p_B))``); the lump
    sum of the side with the lower ``Lam`` is zero and the other side's equals the revenue;
    ``verify()`` passes; the welfare equals the LP referee's.  Every fourth instance has constant
    weights and both sides uniform on ``[0, 1]``, where quantity, prices and lump sum must also match
    the closed form of ``MATH.md`` A5 (``Q = 1/((1 + k)/mu + 1)``, ``k = 1 - Lam_B/Lam_S``, and its
    mirror image) within two grid cells.

    Parameters
    ----------
    n_instances : int, default 20
    seed : int, default 0
    grid_size : int, default 60
        Types per side (the LP referee has ``O(n^2)`` constraints).

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_wedge(2, seed=1).ok
    True
    """
    n_instances, rng = _start(n_instances, seed)
    grid_size = check_int("grid_size", grid_size, minimum=2)
    rep = CheckReport("linking the sides: price wedge", notes=(
        f"uniform G_j, non-increasing lam_j with lam_j(lo)/Lam_j <= 1.8 on both sides, {grid_size} types per side"))
    for i in range(n_instances):
        if i % 4 == 3:
            # closed form of MATH.md A5: U[0,1] on both sides, constant weights
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
            rep._record(not why, desc, "; ".join(why))
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
        wS = _decreasing_weight(rng, *sides[0], LamS, float(rng.uniform(1.0, 1.8)))
        wB = _decreasing_weight(rng, *sides[1], LamB, float(rng.uniform(1.0, 1.8)))
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
            why.append(f"not one sure price per side: sellers {res.sellers.options}, buyers {res.buyers.options}")
        LS, LB = res.sellers.lump_sum, res.buyers.lump_sum
        tol = 1e-9 * max(1.0, res._price_scale)
        poor, rich = (LS, LB) if m.Lam_S > m.Lam_B else (LB, LS)
        if abs(rich) > tol:
            why.append(f"lump sum {rich:.3g} paid to the side with the lower Lam")
        paid = LS + m.mu * LB
        if abs(paid - res.revenue) > 1e-8 * max(1.0, res._price_scale) or res.revenue < -tol:
            why.append(f"revenue {res.revenue:.6g} not paid out as lump sums ({paid:.6g})")
        ok, msg = _lp_confirm(rep, res, m, True, grid_size, desc)
        if not ok:
            why.append(msg)
        rep._record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_wedge(grid_size)
    return rep


def _cx_wedge(grid_size):
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

    Parameters
    ----------
    n_instances : int, default 20
    seed : int, default 0
    grid_size : int, default 60

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_seller_rationing(2, seed=1).ok
    True
    """
    n_instances, rng = _start(n_instances, seed)
    grid_size = check_int("grid_size", grid_size, minimum=2)
    rep = CheckReport("linking the sides: seller rationing", notes=(
        f"uniform G_j; lam_S(0)/Lam_S in [2.5, 8]; Lam_B <= Lam_S; mu in [0.2, 0.9] u_hat_S; {grid_size} types per side"))
    for _ in range(n_instances):
        hiS = float(rng.uniform(0.5, 1.5))
        LamS = float(rng.uniform(0.5, 3.0))
        wS = _decreasing_weight(rng, 0.0, hiS, LamS, float(rng.uniform(2.5, 8.0)))
        loB = float(rng.uniform(0.0, 1.0))
        hiB = loB + float(rng.uniform(0.5, 2.0))
        LamB = LamS * float(rng.uniform(0.2, 1.0))
        wB = _decreasing_weight(rng, loB, hiB, LamB, float(rng.uniform(1.0, 6.0)))
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
        rep._record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_seller_rationing(grid_size)
    return rep


def _cx_seller_rationing(grid_size):
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

    Parameters
    ----------
    n_instances : int, default 20
    seed : int, default 0
    grid_size : int, default 60

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_buyer_rationing(2, seed=1).ok
    True
    """
    n_instances, rng = _start(n_instances, seed)
    grid_size = check_int("grid_size", grid_size, minimum=2)
    rep = CheckReport("linking the sides: buyer rationing", notes=(
        f"uniform G_j; lam_B(lo)/Lam_B in [2.5, 8]; Lam_S <= Lam_B; buyers' WTP above 2 hi_S; "
        f"mu in (1, 1/(1 - u_hat_B)); {grid_size} types per side"))
    for _ in range(n_instances):
        hiS = float(rng.uniform(0.5, 1.5))
        LamB = float(rng.uniform(0.5, 3.0))
        LamS = LamB * float(rng.uniform(0.2, 1.0))
        wS = _decreasing_weight(rng, 0.0, hiS, LamS, float(rng.uniform(1.0, 6.0)))
        width = float(rng.uniform(0.5, 1.5))
        loB = 2.0 * hiS + width + float(rng.uniform(0.0, 1.0))
        hiB = loB + width
        wB = _decreasing_weight(rng, loB, hiB, LamB, float(rng.uniform(2.5, 8.0)))
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
        rep._record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_buyer_rationing(grid_size)
    return rep


def _cx_buyer_rationing(grid_size):
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


def _random_market(rng, n_max_discrete=8):
    """Arbitrary market: discrete, uniform or truncated-normal sides, any weights."""
    def side():
        kind = rng.integers(3)
        if kind == 0:
            k = int(rng.integers(2, n_max_discrete + 1))
            vals = np.sort(rng.choice(np.arange(1, 200), size=k, replace=False)) / 100.0
            probs = rng.dirichlet(np.ones(k))
            d = Discrete(vals, probs)
            lamv = rng.uniform(0.1, 4.0, size=k)
            table = dict(zip(vals.tolist(), lamv.tolist()))

            def w(r, table=table):
                r = np.asarray(r, dtype=float)
                return np.vectorize(lambda x: table.get(float(x), 1.0), otypes=[float])(r)

            w.__name__ = "table(" + ", ".join(f"{v:.2f}:{l:.2f}" for v, l in table.items()) + ")"
            return d, w
        lo = float(rng.uniform(0.0, 1.0))
        hi = lo + float(rng.uniform(0.3, 1.5))
        if kind == 1:
            d = Uniform(lo, hi)
        else:
            d = Truncated(scipy.stats.norm(float(rng.uniform(lo, hi)), float(rng.uniform(0.1, 1.0))), lo, hi)
        shape = ["exp", "power", "logistic", "hump", "rising"][int(rng.integers(5))]
        if shape == "hump":
            w = ShapeWeight("hump", (float(rng.uniform(0.1, 1)), float(rng.uniform(0, 1)),
                                     float(rng.uniform(0.05, 0.3))), lo, hi, float(rng.uniform(0.3, 3)))
        elif shape == "rising":
            w = ShapeWeight("rising", -float(rng.uniform(0.5, 6)), lo, hi, float(rng.uniform(0.3, 3)))
        else:
            w = _decreasing_weight(rng, lo, hi, float(rng.uniform(0.3, 3)), float(rng.uniform(1, 8)),
                                   shapes=(shape,))
        return d, w

    sd, wS = side()
    bd, wB = side()
    mu = float(rng.uniform(0.2, 3.0))
    return sd, wS, bd, wB, mu


def check_four_prices(n_instances=20, seed=0, grid_size=40):
    r"""The main theorem: at most four prices, three with a non-zero lump sum.

    *There exists an optimal mechanism that uses some combination of a price wedge (with lump-sum
    transfer) and rationing; the total number of prices is at most 4, and at most 3 if a lump-sum
    transfer is paid.*

    Instances: arbitrary markets (discrete sides with arbitrary weights, uniform or truncated
    normal sides with monotone or non-monotone weights, random ``mu``), with and without lump
    sums.  Conclusion on :func:`redlib.optimal_mechanism`: ``verify()`` passes, the number of
    distinct posted prices over both sides is at most 4, at most 3 when a lump sum is non-zero,
    ``n_prices`` agrees with the menus, and the welfare equals the LP referee's (so the mechanism
    with few prices is optimal).

    Parameters
    ----------
    n_instances : int, default 20
    seed : int, default 0
    grid_size : int, default 40

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_four_prices(2, seed=1).ok
    True
    """
    n_instances, rng = _start(n_instances, seed)
    grid_size = check_int("grid_size", grid_size, minimum=2)
    rep = CheckReport("main theorem: at most 4 prices (3 with a lump sum)", notes=(
        f"arbitrary markets (discrete / uniform / truncated normal; any weights), with and without "
        f"lump sums; {grid_size} types per continuous side"))
    for i in range(n_instances):
        sd, wS, bd, wB, mu = _random_market(rng)
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
        tol = 1e-9 * max(1.0, res._price_scale)
        has_lump = abs(res.sellers.lump_sum) > tol or abs(res.buyers.lump_sum) > tol
        if n_opts > 4 or (has_lump and n_opts > 3):
            why.append(f"{n_opts} prices with lump sums {res.lump_sums}")
        ok, msg = _lp_confirm(rep, res, m, lump, grid_size, desc)
        if not ok:
            why.append(msg)
        rep._record(not why, desc, "; ".join(why))
    return rep


def _best_nfl_ce(m, n):
    """Best competitive equilibrium that satisfies No Free Lunch, on the finite market.

    On finite types the market-clearing price is any ``p`` in an interval
    ``[price_low, price_high]``; No Free Lunch additionally needs ``p <= max s`` (the highest seller
    type gains nothing) and ``p >= min b`` (the lowest buyer type gains nothing).  Welfare is linear
    in ``p`` on that range, so the best is at an end.  Returns ``None`` if no CE satisfies NFL.
    """
    fm = m.finite(n).positive()
    ce = market.competitive_equilibrium(m, grid_size=n)
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


def _nfl_market(rng):
    """Market whose two sides share one support [lo, hi] (as in the slides' NFL assumption)."""
    lo = float(rng.choice([0.0, rng.uniform(0.0, 1.0)]))
    hi = lo + float(rng.uniform(0.5, 1.5))

    def side():
        kind = rng.integers(3)
        if kind == 0:
            k = int(rng.integers(3, 9))
            inner = np.sort(rng.uniform(lo, hi, size=k - 2))
            vals = np.unique(np.round(np.concatenate(([lo], inner, [hi])), 6))
            d = Discrete(vals, rng.dirichlet(np.ones(len(vals))))
            return d, _table_weight(vals, rng.uniform(0.1, 4.0, size=len(vals)))
        d = Uniform(lo, hi) if kind == 1 else Truncated(
            scipy.stats.norm(float(rng.uniform(lo, hi)), float(rng.uniform(0.2, 1.0)) * (hi - lo)), lo, hi)
        shape = ["exp", "power", "logistic", "hump", "rising", "const"][int(rng.integers(6))]
        Lam = float(rng.uniform(0.3, 3.0))
        if shape == "hump":
            w = ShapeWeight("hump", (float(rng.uniform(0.1, 1)), float(rng.uniform(0, 1)),
                                     float(rng.uniform(0.05, 0.3))), lo, hi, Lam)
        elif shape == "rising":
            w = ShapeWeight("rising", -float(rng.uniform(0.5, 6)), lo, hi, Lam)
        elif shape == "const":
            w = ShapeWeight("const", 0.0, lo, hi, Lam)
        else:
            w = _decreasing_weight(rng, lo, hi, Lam, float(rng.uniform(1, 8)), shapes=(shape,))
        return d, w

    sd, wS = side()
    bd, wB = side()
    return sd, wS, bd, wB, float(rng.uniform(0.2, 3.0))


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
    (:func:`_best_nfl_ce`; on finite types the clearing price is an interval) -- a wedge never
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

    Parameters
    ----------
    n_instances : int, default 20
        Split evenly between the two parts.
    seed : int, default 0
    grid_size : int, default 40

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_no_free_lunch(2, seed=1).ok
    True
    """
    n_instances, rng = _start(n_instances, seed)
    grid_size = check_int("grid_size", grid_size, minimum=2)
    rep = CheckReport("No Free Lunch", notes=(
        f"(a) arbitrary markets with a common support, no lump sums; (b) constant weights, "
        f"Lam ratio in [5, 20]; {grid_size} types per continuous side"))
    n_a = max(1, n_instances // 2)
    n_b = max(1, n_instances - n_a)
    for _ in range(n_a):
        sd, wS, bd, wB, mu = _nfl_market(rng)
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
        if single and not (_side_rationed(res.sellers) or _side_rationed(res.buyers)) \
                and abs(res.welfare - ce_best) > tol:
            why.append(f"no rationing but welfare {res.welfare:.8g} != best NFL CE {ce_best:.8g} "
                       f"(a wedge helped?)")
        ok, msg = _lp_confirm(rep, res, m, False, grid_size, desc)
        if not ok:
            why.append(msg)
        rep._record(not why, desc, "; ".join(why))
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
        rep._record(not why, desc, "; ".join(why))
    return rep


# ================================================================================================
# Second deck: allocation of objects of heterogeneous quality
# ================================================================================================
def virtual_value(dist, weight, alpha, n=4001):
    r"""Continuous ``V = alpha J + Lam h`` of a group (slides' Propositions 2 and 4), on a fine grid.

    ``h = (1 - G)/g``, ``J = r - h``, ``Lam(r) = E[lam | r~ >= r]``, so ``Lam h = (1/g) int_r^hi lam g``.

    Parameters
    ----------
    dist : ContinuousDistribution
        With ``pdf``; support ``[lo, hi]``, density positive on it.
    weight : callable or float
        Pareto weight ``lam(r)`` (a vectorized callable or a non-negative constant).
    alpha : float
        Weight on revenue, ``>= 0``.
    n : int, default 4001
        Grid points, ``>= 2``.

    Returns
    -------
    dict
        ``r, V, lambda_bar, int_r_lam`` (``int r lam dG``), ``h, J, Lam``.

    Raises
    ------
    ValueError
        If ``dist`` is discrete or its density vanishes on the grid (``h`` would be infinite),
        ``weight`` is negative or not finite, ``alpha < 0`` or ``n < 2``.

    Examples
    --------
    >>> d = virtual_value(Uniform(0, 1), lambda r: 1.0 + 0 * r, alpha=1.0)
    >>> round(float(d["V"][-1]), 6), round(d["lambda_bar"], 6)   # V(hi) = alpha hi
    (1.0, 1.0)
    """
    check_distribution("dist", dist)
    if dist.is_discrete:
        raise ValueError(f"dist must be continuous (with a density), got {dist!r}")
    alpha = check_nonneg("alpha", alpha)
    n = check_int("n", n, minimum=2)
    lo, hi = dist.support
    r = np.linspace(lo, hi, n)
    g = np.asarray(dist.pdf(r), dtype=float)
    if not np.all(np.isfinite(g) & (g > 0)):
        raise ValueError(f"dist must have a finite positive density on [{lo:g}, {hi:g}] "
                         f"(h = (1 - G)/g), got min pdf {float(np.nanmin(g)):.3g}")
    lam = np.asarray(evaluate_weight(weight, r, name="weight"), dtype=float)
    lg = lam * g
    # tail integral int_r^hi lam g (trapezoid, from the top)
    seg = 0.5 * (lg[1:] + lg[:-1]) * np.diff(r)
    tail = np.concatenate((np.cumsum(seg[::-1])[::-1], [0.0]))
    tail_g = np.concatenate((np.cumsum((0.5 * (g[1:] + g[:-1]) * np.diff(r))[::-1])[::-1], [0.0]))
    h = tail_g / g  # (1 - G)/g consistent with the quadrature
    J = r - h
    with np.errstate(invalid="ignore", divide="ignore"):
        Lam = np.where(tail_g > 0, tail / np.where(tail_g > 0, tail_g, 1.0), lam)
    V = alpha * J + tail / g
    seg_r = 0.5 * ((r * lg)[1:] + (r * lg)[:-1]) * np.diff(r)
    return dict(r=r, V=V, h=h, J=J, Lam=Lam, lambda_bar=float(tail[0]), int_r_lam=float(seg_r.sum()))


def _quasi_convex(V, rtol=1e-9):
    scale = max(1.0, float(np.max(np.abs(V))))
    k = int(np.argmin(V))
    d = np.diff(V)
    return bool(np.all(d[:k] <= rtol * scale) and np.all(d[k:] >= -rtol * scale))


def _gdesc(groups, alpha):
    parts = [f"{G.label}: {G.dist!r}, lam={getattr(G.weight, '__name__', G.weight)}, mass={G.mass:.3g}"
             for G in groups]
    return f"alpha={alpha:.4g}; " + "; ".join(parts)


def _solve_alloc(rep, groups, objects, alpha, n, desc, why, lp_grid=24):
    """Solve, verify, and confirm with the LP referee; appends problems to ``why``."""
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
        if rep._gap(small.welfare, lp.welfare) > LP_RTOL:
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


def _random_group_dist(rng, lo, hi):
    if rng.random() < 0.6:
        return Uniform(lo, hi)
    return Truncated(scipy.stats.norm(float(rng.uniform(lo, hi)), float(rng.uniform(0.3, 1.0)) * (hi - lo)), lo, hi)


def _other_groups(rng, k):
    out = []
    for j in range(k):
        lo = float(rng.choice([0.0, rng.uniform(0.0, 1.0)]))
        hi = lo + float(rng.uniform(0.3, 1.5))
        w = _decreasing_weight(rng, lo, hi, float(rng.uniform(0.3, 3.0)), float(rng.uniform(1.0, 5.0)))
        out.append(Group(f"other{j + 1}", _random_group_dist(rng, lo, hi), w))
    return out


def _with_masses(rng, groups):
    m = rng.dirichlet(np.full(len(groups), 2.0))
    m = np.maximum(m, 0.05)
    m = m / m.sum()
    m[-1] = 1.0 - m[:-1].sum()
    return [Group(G.label, G.dist, G.weight, float(mi)) for G, mi in zip(groups, m)]


def _objects(rng):
    if rng.random() < 0.7:
        return Uniform(0.0, 1.0)
    k = int(rng.integers(3, 8))
    q = np.sort(rng.choice(np.arange(0, 101), size=k, replace=False)) / 100.0
    return Discrete(q, rng.dirichlet(np.ones(k)))


def check_adk_prop1(n_instances=20, seed=0, grid_size=120, lp_grid=24):
    r"""ADK Proposition 1 (affirmative action and in-kind transfers).

    *If* :math:`\bar\lambda_i > \alpha` *and the good is essential* (:math:`\underline r_i > 0`),
    *there is* :math:`r_i^* > \underline r_i` *such that the allocation is random at a price of 0 for
    all types* :math:`r \le r_i^*`.

    Instances: a target group with uniform or truncated-normal ``G`` on ``[lo, hi]``,
    ``lo`` in ``[0.2, 1]``, non-increasing weight, ``alpha = lambar / k`` with ``k`` in
    ``[1.2, 3]``; 0-2 other random groups; objects uniform or discrete.  Conclusion on
    :func:`redlib.optimal_allocation`: the target group's bottom block contains at least two grid
    types (so ``r* > r_low`` on the grid), receives objects, all its types pay exactly 0 and share
    one expected quality (region ``"free"``); ``verify()``; LP referee.

    Parameters
    ----------
    n_instances : int, default 20
    seed : int, default 0
    grid_size : int, default 120
        Types per group and quality levels (conclusion tested on this grid).
    lp_grid : int, default 24
        Grid on which the solver's welfare is compared with the LP referee's (0: skip).

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_adk_prop1(2, seed=1).ok
    True
    """
    n_instances, rng = _start(n_instances, seed)
    grid_size = check_int("grid_size", grid_size, minimum=2)
    lp_grid = check_int("lp_grid", lp_grid, minimum=0)
    rep = CheckReport("ADK Proposition 1 (free bottom tier)", notes=(
        f"lambar >= 1.2 alpha, r_low >= 0.2, {grid_size} types per group"))
    for _ in range(n_instances):
        lo = float(rng.uniform(0.2, 1.0))
        hi = lo + float(rng.uniform(0.3, 1.5))
        Lam = float(rng.uniform(0.5, 3.0))
        w = _decreasing_weight(rng, lo, hi, Lam, float(rng.uniform(1.0, 5.0)))
        d = _random_group_dist(rng, lo, hi)
        lambar = float(virtual_value(d, w, 1.0)["lambda_bar"])
        alpha = lambar / float(rng.uniform(1.2, 3.0))
        groups = [Group("target", d, w)] + _other_groups(rng, int(rng.integers(0, 3)))
        groups = _with_masses(rng, groups)
        objects = _objects(rng)
        desc = _gdesc(groups, alpha) + f"; objects {objects!r}"
        why = []
        res = _solve_alloc(rep, groups, objects, alpha, grid_size, desc, why, lp_grid)
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
        rep._record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_adk_prop1(grid_size)
    return rep


def _cx_adk_prop1(grid_size):
    d = Uniform(0.5, 1.5)
    w = ShapeWeight("power", 1.0, 0.5, 1.5, 1.0)
    res = optimal_allocation([Group("g", d, w)], Uniform(0, 1), alpha=1.5, grid_size=grid_size)
    ga = res["g"]
    fails = ga.regions[0][2] != "free"
    return Counterexample(
        f"one group, G = U[0.5, 1.5], lam = {w.__name__} (lambar = 1), alpha = 1.5",
        "lambar > alpha", bool(fails),
        f"regions {[(round(a, 3), round(b, 3), k) for a, b, k in ga.regions]}; lowest type pays {ga.T[0]:.4f}")


def check_adk_prop2(n_instances=20, seed=0, grid_size=120, lp_grid=24):
    r"""ADK Proposition 2 (a fully random allocation).

    *Necessary for full randomization in group i:*
    :math:`\alpha \bar r_i \le \int r \lambda_i(r)\, dG_i(r)` (1) (and :math:`\alpha < \bar\lambda_i`);
    *sufficient: (1) and quasi-convexity of* :math:`\alpha J_i + \Lambda_i h_i`.

    Instances (one target group plus 0-2 others): ``G`` uniform or truncated normal on
    ``[lo, hi]`` with ``lo`` in ``[0, 1]``, non-increasing weight.  "Sufficient" instances:
    ``alpha = int r lam dG / (hi (1 + m))``, ``m`` in ``[0.05, 0.5]`` (so (1) holds with a 5%
    margin) and ``V`` quasi-convex (checked on 4001 points; instances where it is not are
    replaced); conclusion: the group is fully random (one pooled block receiving objects).
    "Necessary" instances: ``alpha = int r lam dG / (hi (1 - m))`` (so (1) fails by at least 5%);
    conclusion: not fully random.  Every instance: ``verify()`` and LP referee; and whenever a
    group is fully random, ``lambar > alpha``.

    Parameters
    ----------
    n_instances : int, default 20
    seed : int, default 0
    grid_size : int, default 120
        Types per group and quality levels (conclusion tested on this grid).
    lp_grid : int, default 24
        Grid on which the solver's welfare is compared with the LP referee's (0: skip).

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_adk_prop2(2, seed=1).ok
    True
    """
    n_instances, rng = _start(n_instances, seed)
    grid_size = check_int("grid_size", grid_size, minimum=2)
    lp_grid = check_int("lp_grid", lp_grid, minimum=0)
    rep = CheckReport("ADK Proposition 2 (full randomization)", notes=(
        f"(1) holds / fails with a 5% margin; V quasi-convex on 4001 points; {grid_size} types"))
    for i in range(n_instances):
        sufficient = i % 2 == 0
        for _attempt in range(20):
            lo = float(rng.uniform(0.0, 1.0))
            hi = lo + float(rng.uniform(0.3, 1.5))
            w = _decreasing_weight(rng, lo, hi, float(rng.uniform(0.5, 3.0)), float(rng.uniform(1.0, 5.0)))
            d = _random_group_dist(rng, lo, hi)
            vv = virtual_value(d, w, 1.0)
            m = float(rng.uniform(0.05, 0.5))
            alpha = vv["int_r_lam"] / (hi * (1 + m)) if sufficient else vv["int_r_lam"] / (hi * (1 - m))
            if not sufficient or _quasi_convex(virtual_value(d, w, alpha)["V"]):
                break
        groups = [Group("target", d, w)] + _other_groups(rng, int(rng.integers(0, 3)))
        groups = _with_masses(rng, groups)
        objects = _objects(rng)
        desc = (f"[{'sufficient' if sufficient else 'necessary'}] " + _gdesc(groups, alpha)
                + f"; objects {objects!r}")
        why = []
        res = _solve_alloc(rep, groups, objects, alpha, grid_size, desc, why, lp_grid)
        for ga in res:
            if _fully_random(ga) and not ga.lambda_bar > alpha:
                why.append(f"group {ga.label} fully random with lambar {ga.lambda_bar:.4g} <= alpha")
        fr = _fully_random(res["target"])
        if sufficient and not fr:
            why.append(f"not fully random: regions {res['target'].regions}")
        if not sufficient and fr:
            why.append("fully random although (1) fails")
        rep._record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_adk_prop2(grid_size)
    return rep


def _cx_adk_prop2(grid_size):
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


def check_adk_prop3(n_instances=20, seed=0, grid_size=120, lp_grid=24):
    r"""ADK Proposition 3 (assortative matching at the top).

    *If Pareto weights are non-increasing and* :math:`\alpha \ge \bar\lambda_i`, *matching is
    assortative for all types above some* :math:`r_i^* < \bar r_i`.

    Instances: 1-3 groups; the target group has a discrete (random values, probabilities and a
    non-increasing weight table), uniform or truncated-normal ``G`` with a non-increasing weight;
    ``alpha = lambar * k``, ``k`` in ``[1, 2]``.  Conclusion: the target group's top type is not
    pooled (region ``"assortative"`` at the top) and gets an object; ``verify()``; LP referee.
    (On finite types this holds exactly: with ``alpha >= lambar`` and non-increasing weights every
    utility-step coefficient ``S_k`` is ``<= 0``, so each type's virtual value is below
    ``alpha r_n``, the top type's.)

    Parameters
    ----------
    n_instances : int, default 20
    seed : int, default 0
    grid_size : int, default 120
        Types per group and quality levels (conclusion tested on this grid).
    lp_grid : int, default 24
        Grid on which the solver's welfare is compared with the LP referee's (0: skip).

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_adk_prop3(2, seed=1).ok
    True
    """
    n_instances, rng = _start(n_instances, seed)
    grid_size = check_int("grid_size", grid_size, minimum=2)
    lp_grid = check_int("lp_grid", lp_grid, minimum=0)
    rep = CheckReport("ADK Proposition 3 (assortative at the top)", notes=(
        f"alpha in [1, 2] lambar, non-increasing weights, {grid_size} types per continuous group"))
    for _ in range(n_instances):
        if rng.random() < 0.4:
            k = int(rng.integers(2, 12))
            vals = np.sort(rng.choice(np.arange(0, 300), size=k, replace=False)) / 100.0
            d = Discrete(vals, rng.dirichlet(np.ones(k)))
            lamv = np.sort(rng.uniform(0.1, 5.0, size=k))[::-1]
            w = _table_weight(vals, lamv)
            lambar = float(np.dot(d.grid()[1], lamv))
        else:
            lo = float(rng.choice([0.0, rng.uniform(0.0, 1.0)]))
            hi = lo + float(rng.uniform(0.3, 1.5))
            w = _decreasing_weight(rng, lo, hi, float(rng.uniform(0.5, 3.0)), float(rng.uniform(1.0, 8.0)))
            d = _random_group_dist(rng, lo, hi)
            lambar = float(virtual_value(d, w, 1.0)["lambda_bar"])
        alpha = lambar * float(rng.uniform(1.0, 2.0))
        groups = [Group("target", d, w)] + _other_groups(rng, int(rng.integers(0, 3)))
        groups = _with_masses(rng, groups)
        objects = _objects(rng)
        desc = _gdesc(groups, alpha) + f"; objects {objects!r}"
        why = []
        res = _solve_alloc(rep, groups, objects, alpha, grid_size, desc, why, lp_grid)
        ga = res["target"]
        lo_b, hi_b = ga.blocks[-1]
        if hi_b > lo_b:
            why.append(f"top block pools types {lo_b}..{hi_b}")
        if ga.Q[-1] <= 1e-12:
            why.append("top type gets nothing")
        if ga.regions[-1][2] != "assortative":
            why.append(f"top region is {ga.regions[-1][2]!r}")
        rep._record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_adk_prop3(grid_size)
    return rep


def _table_weight(vals, lamv):
    table = dict(zip(np.asarray(vals, float).tolist(), np.asarray(lamv, float).tolist()))

    def w(r):
        r = np.asarray(r, dtype=float)
        return np.vectorize(lambda x: table.get(float(x), float(np.mean(lamv))), otypes=[float])(r)

    w.__name__ = "table(" + ", ".join(f"{v:.2f}:{l:.2f}" for v, l in table.items()) + ")"
    return w


def _cx_adk_prop3(grid_size):
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

    Parameters
    ----------
    n_instances : int, default 20
    seed : int, default 0
    grid_size : int, default 120
        Types per group and quality levels (conclusion tested on this grid).
    lp_grid : int, default 24
        Grid on which the solver's welfare is compared with the LP referee's (0: skip).

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_adk_prop4(2, seed=1).ok
    True
    """
    n_instances, rng = _start(n_instances, seed)
    grid_size = check_int("grid_size", grid_size, minimum=2)
    lp_grid = check_int("lp_grid", lp_grid, minimum=0)
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
                    w = _decreasing_weight(rng, 0.0, hi, Lam, min(1.8 * alpha / Lam, float(rng.uniform(1.0, 6.0))))
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
        groups = [Group("target", d, w)] + _other_groups(rng, int(rng.integers(0, 2)))
        groups = _with_masses(rng, groups)
        objects = Uniform(0.0, 1.0)
        desc = f"[{'if' if if_part else 'only if'}] " + _gdesc(groups, alpha)
        why = []
        res = _solve_alloc(rep, groups, objects, alpha, grid_size, desc, why, lp_grid)
        fa = _fully_assortative(res["target"])
        if if_part and not fa:
            why.append(f"pooled blocks receiving objects: {_pooled_served_blocks(res['target'])}")
        if not if_part and fa:
            why.append("fully assortative although V decreases where it is positive")
        rep._record(not why, desc, "; ".join(why))
    rep.counterexample = _cx_adk_prop4(grid_size)
    return rep


def _cx_adk_prop4(grid_size):
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


def _random_group_for_full_random(rng, label, n_try=30):
    """Uniform [lo, hi] group with lo > 0, non-increasing lam, lambar > alpha-to-be-chosen later."""
    lo = float(rng.uniform(0.3, 1.0))
    hi = lo + float(rng.uniform(0.2, 0.8))
    w = _decreasing_weight(rng, lo, hi, float(rng.uniform(1.0, 4.0)), float(rng.uniform(1.0, 3.0)))
    return Group(label, Uniform(lo, hi), w)


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

    Parameters
    ----------
    n_instances : int, default 20
    seed : int, default 0
    grid_size : int, default 120
        Types per group and quality levels (conclusion tested on this grid).
    lp_grid : int, default 24
        Grid on which the solver's welfare is compared with the LP referee's (0: skip).

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_adk_prop5(2, seed=1).ok
    True
    """
    n_instances, rng = _start(n_instances, seed)
    grid_size = check_int("grid_size", grid_size, minimum=2)
    lp_grid = check_int("lp_grid", lp_grid, minimum=0)
    rep = CheckReport("ADK Proposition 5 (intermediate quality to the random group)", notes=(
        f"group 1 uniform [0, hi] constant lam <= alpha; group 2 satisfies Prop. 2's sufficient "
        f"condition with margin; {grid_size} types and quality levels"))
    for _ in range(n_instances):
        g2 = _random_group_for_full_random(rng, "random")
        vv = virtual_value(g2.dist, g2.weight, 1.0)
        alpha = vv["int_r_lam"] / (g2.dist.hi * float(rng.uniform(1.05, 1.5)))
        hi1 = float(rng.uniform(0.8, 3.0)) * g2.dist.hi
        g1 = Group("assortative", Uniform(0.0, hi1), alpha * float(rng.uniform(0.2, 1.0)))
        groups = _with_masses(rng, [g1, g2])
        objects = Uniform(0.0, 1.0)
        desc = _gdesc(groups, alpha)
        why = []
        res = _solve_alloc(rep, groups, objects, alpha, grid_size, desc, why, lp_grid)
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
        rep._record(not why, desc + f"; group 2 range [{qlo:.4f}, {qhi:.4f}]", "; ".join(why))
    return rep


def randomization_share(skews, lo=1.0, hi=2.0, alpha=1.0, lambda_bar=1.0, grid_size=300):
    r"""Data of the Proposition 6 figure: share of randomized types as weights get more skewed.

    One group, ``G`` uniform on ``[lo, hi]`` (``J' = 2 > 0``), objects uniform on ``[0, 1]``, Pareto
    weights ``lam^s(r) = lambda_bar s e^{-s u} / (1 - e^{-s})`` with ``u = (r - lo)/(hi - lo)``:
    non-increasing, average ``lambda_bar <= alpha`` for every skew ``s``; ``s -> 0`` gives constant
    weights, ``s -> infinity`` weights vanishing above ``lo`` (Proposition 6's two limits).

    Parameters
    ----------
    skews : array_like
        Values of ``s`` (> 0).
    lo, hi : float, default 1, 2
        Support of ``G``.
    alpha : float, default 1
        Weight on revenue.
    lambda_bar : float, default 1
        Average Pareto weight (``<= alpha``).
    grid_size : int, default 300
        Types and quality levels.

    Returns
    -------
    dict
        ``skew``, ``share`` (mass of types in pooled blocks that receive objects), ``lam_low``
        (``lam(lo)``), ``welfare``, and the inputs ``lo, hi, alpha, lambda_bar``.

    Examples
    --------
    >>> d = randomization_share([0.01, 20.0, 2000.0], grid_size=100)
    >>> bool(d["share"][0] == 0.0 and d["share"][1] > d["share"][2])
    True
    """
    lambda_bar = check_nonneg("lambda_bar", lambda_bar)
    alpha = check_nonneg("alpha", alpha)
    if lambda_bar > alpha:
        raise ValueError(f"lambda_bar must be <= alpha (Proposition 6), got {lambda_bar} > {alpha}")
    skews = check_finite_array("skews", skews)
    if np.any(skews <= 0):
        raise ValueError("skews must be > 0")
    share, lam_low, welfare = [], [], []
    for s in skews:
        w = ShapeWeight("exp", float(s), lo, hi, lambda_bar)
        res = optimal_allocation([Group("g", Uniform(lo, hi), w)], Uniform(0.0, 1.0), alpha,
                                 grid_size=grid_size)
        ga = res["g"]
        share.append(float(sum(ga.probs[a:b + 1].sum() for a, b in _pooled_served_blocks(ga))))
        lam_low.append(float(w(lo)))
        welfare.append(res.welfare)
    return dict(skew=skews, share=np.array(share), lam_low=np.array(lam_low), welfare=np.array(welfare),
                lo=float(lo), hi=float(hi), alpha=float(alpha), lambda_bar=float(lambda_bar))


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

    Parameters
    ----------
    n_instances : int, default 6
    seed : int, default 0
    grid_size : int, default 200

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_adk_prop6(1, seed=1).ok
    True
    """
    n_instances, rng = _start(n_instances, seed)
    grid_size = check_int("grid_size", grid_size, minimum=2)
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
        rep._record(not why, desc + f"; shares {np.round(sh, 3).tolist()}", "; ".join(why))
    return rep


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

    Parameters
    ----------
    n_instances : int, default 20
    seed : int, default 0
    grid_size : int, default 120
        Types per group and quality levels (conclusion tested on this grid).
    lp_grid : int, default 24
        Grid on which the solver's welfare is compared with the LP referee's (0: skip).

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_adk_prop7(2, seed=1).ok
    True
    """
    n_instances, rng = _start(n_instances, seed)
    grid_size = check_int("grid_size", grid_size, minimum=2)
    lp_grid = check_int("lp_grid", lp_grid, minimum=0)
    rep = CheckReport("ADK Proposition 7 (all random: disjoint ordered intervals)", notes=(
        f"2-4 groups satisfying Prop. 2's sufficient condition with margin; {grid_size} types"))
    for _ in range(n_instances):
        k = int(rng.integers(2, 5))
        for _attempt in range(50):
            gs = [_random_group_for_full_random(rng, f"g{j + 1}") for j in range(k)]
            vals = [virtual_value(G.dist, G.weight, 1.0) for G in gs]
            irl = np.array([v["int_r_lam"] for v in vals])
            srt = np.sort(irl)
            if np.all(srt[1:] >= 1.05 * srt[:-1]):
                break
        alpha = float(min(v["int_r_lam"] / G.dist.hi for v, G in zip(vals, gs))) / float(rng.uniform(1.05, 1.5))
        groups = _with_masses(rng, gs)
        objects = Uniform(0.0, 1.0)
        desc = _gdesc(groups, alpha)
        why = []
        res = _solve_alloc(rep, groups, objects, alpha, grid_size, desc, why, lp_grid)
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
        rep._record(not why, desc, "; ".join(why))
    return rep


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

    Parameters
    ----------
    n_instances : int, default 20
    seed : int, default 0
    grid_size : int, default 120
        Types per group and quality levels (conclusion tested on this grid).
    lp_grid : int, default 24
        Grid on which the solver's welfare is compared with the LP referee's (0: skip).

    Returns
    -------
    CheckReport

    Examples
    --------
    >>> check_adk_prop8(2, seed=1).ok
    True
    """
    n_instances, rng = _start(n_instances, seed)
    grid_size = check_int("grid_size", grid_size, minimum=2)
    lp_grid = check_int("lp_grid", lp_grid, minimum=0)
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
            w = _decreasing_weight(rng, lo, hi, Lam, min(1.8 * alpha / Lam, float(rng.uniform(1.0, 5.0))))
            gs.append(Group(f"g{j + 1}", Uniform(lo, float(hi)), w))
        groups = _with_masses(rng, gs)
        objects = Uniform(0.0, 1.0)
        desc = ("[r_low = 0] " if zero_lo else "") + _gdesc(groups, alpha)
        why = []
        res = _solve_alloc(rep, groups, objects, alpha, grid_size, desc, why, lp_grid)
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
        rep._record(not why, desc, "; ".join(why))
    return rep


#: every check, in the book's order: (name, function)
ALL_CHECKS = [
    ("optimal seller price", check_seller_price),
    ("optimal buyer price", check_buyer_price),
    ("multiple buyer prices", check_two_prices),
    ("price wedge", check_wedge),
    ("seller rationing", check_seller_rationing),
    ("buyer rationing", check_buyer_rationing),
    ("at most four prices", check_four_prices),
    ("No Free Lunch", check_no_free_lunch),
    ("ADK Proposition 1", check_adk_prop1),
    ("ADK Proposition 2", check_adk_prop2),
    ("ADK Proposition 3", check_adk_prop3),
    ("ADK Proposition 4", check_adk_prop4),
    ("ADK Proposition 5", check_adk_prop5),
    ("ADK Proposition 6", check_adk_prop6),
    ("ADK Proposition 7", check_adk_prop7),
    ("ADK Proposition 8", check_adk_prop8),
]


def run_all(n_instances=5, seed=0):
    """Run every check.

    Parameters
    ----------
    n_instances : int, default 5
        Instances per check.
    seed : int, default 0

    Returns
    -------
    list of CheckReport

    Examples
    --------
    >>> reps = run_all(1)                           # doctest: +SKIP
    >>> all(r.ok for r in reps)                     # doctest: +SKIP
    True
    """
    return [fn(n_instances, seed) for _, fn in ALL_CHECKS]
