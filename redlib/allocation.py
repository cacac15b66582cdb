"""Optimal allocation of objects of heterogeneous quality to labelled agents.

Akbarpour, Dworczak and Kominers, *Redistributive Allocation Mechanisms* (JPE 2024), solved exactly
on finite types and finite quality levels (the book's chapter 4, *Labels and quality*).

Model
-----
A unit mass of objects with quality ``q ~ F`` on ``[0, 1]`` is allocated to a unit mass of agents.
An agent has an observed label ``i`` (group mass ``mu_i``, masses summing to one), a private
willingness to pay for quality ``r ~ G_i`` and an unobserved welfare weight whose conditional
mean is the Pareto weight ``lam_i(r)``.  Utility is ``q r - t``.  The designer maximises
``E[alpha T + lam U]`` subject to incentive compatibility (within each group; the label is
observed), individual rationality, non-negative transfers ``T >= 0`` and feasibility: the
distribution of qualities handed out is dominated by the supply, i.e. for every ``q`` the mass of
agents receiving quality above ``q`` is at most the supply's mass above ``q`` (receiving nothing
counts as quality 0).  Feasibility in this dominance sense and the stricter "at most the supply of
every quality level, unused objects discarded" give the same optimum, because only expected
quality enters payoffs and both allow exactly the expected-quality profiles that are weakly
submajorised by the supply (see :func:`redlib.referee.lp_allocation`, which can solve either
version).

Algorithm (finite types; chapter 4, "How redlib computes it")
----------------------------------------
Within group ``i`` with types ``r_1 < ... < r_n`` (probabilities ``g_k``, weights ``lam_k``),
incentive compatibility brackets the utility steps ``dr_k Q_k <= U_{k+1} - U_k <= dr_k Q_{k+1}``
and the objective is linear in each step with coefficient ``S_k = sum_{j>k} g_j (lam_j - alpha)``;
the bottom utility is ``U_1 = r_1 Q_1`` (price 0 for the lowest type) when
``lambar_i > alpha`` and ``0`` otherwise.  The objective becomes ``sum_k c_k Q_k``.  The points
``(t_k, Psi_k)`` with ``t_k = G_i(r_k)`` and ``Psi_k = sum_{j > k} c_j`` are the finite analogue
of the slides' ``Psi_i(t)`` (including the essential-good atom at ``t = 0``); the slopes of their
upper concave envelope are minus the ironed virtual values ``vbar``.  All blocks (hull segments)
of all groups are ranked by ``vbar`` and handed the best remaining qualities from the top; the
members of a block share, by lottery, the qualities of the slice of supply it takes.  Blocks with
``vbar <= 0`` get nothing.  Payments follow from the envelope formula.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Sequence, Tuple, Union

import numpy as np

from ._validation import check_finite_array, check_int, check_nonneg, check_positive
from .distributions import Distribution, Uniform, check_distribution
from .envelope import Envelope, concave_envelope
from .weights import ShapeWeight, evaluate_weight

__all__ = ["Group", "GroupAllocation", "AllocationResult", "optimal_allocation", "FiniteAllocation",
           "finite_allocation", "REGION_KINDS", "virtual_value", "randomization_share"]

#: region labels used in ``GroupAllocation.regions``
REGION_KINDS = ("assortative", "random", "free", "excluded")

_MASS_TOL = 1e-9


# ----------------------------------------------------------------------------------------------
# input
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Group:
    """A labelled group of agents.

    Parameters
    ----------
    label : str
        The observed label ``i`` (must be unique among the groups of a problem).
    dist : Distribution
        Distribution ``G_i`` of willingness to pay for quality ``r`` (support in ``[0, inf)``).
    weight : callable or float, default 1.0
        Pareto weight ``lam_i(r) = E[lam | i, r]``: a vectorized callable or a non-negative
        constant.
    mass : float, default 1.0
        Mass ``mu_i`` of the group.  The masses of all groups of a problem must sum to 1.

    Examples
    --------
    >>> from redlib import Group, Uniform
    >>> poor = Group("poor", Uniform(0.2, 0.6), weight=2.0, mass=0.4)
    >>> poor.label, poor.mass
    ('poor', 0.4)
    """

    label: str
    dist: Distribution
    weight: Union[Callable, float] = 1.0
    mass: float = 1.0

    def __repr__(self) -> str:
        w = self.weight if np.isscalar(self.weight) else getattr(self.weight, "__name__", "callable")
        return f"Group(label={self.label!r}, dist={self.dist!r}, weight={w!r}, mass={self.mass:g})"


# ----------------------------------------------------------------------------------------------
# numerical core on arrays (no Distribution objects below this line until the wrapper)
# ----------------------------------------------------------------------------------------------
def _step_coefficients(r, g, lam, alpha):
    """Per-type objective coefficients of one group (per unit of group mass).

    Returns ``(c, S)`` where ``S[k] = sum_{j > k} g_j (lam_j - alpha)`` (0-indexed, so ``S[k]`` is
    the coefficient of the utility step between types ``k`` and ``k + 1``) and ``total`` =
    ``lambar - alpha`` is the coefficient of the bottom utility.
    """
    a = g * (lam - alpha)
    total = float(a.sum())
    S = total - np.cumsum(a)  # S[k] = sum_{j>k} a_j
    c = alpha * g * r
    c[0] += max(0.0, total) * r[0]
    if len(r) > 1:
        dr = np.diff(r)
        Sk = S[:-1]
        up = Sk > 0
        c[1:] += np.where(up, Sk * dr, 0.0)
        c[:-1] += np.where(up, 0.0, Sk * dr)
    return c, S, total


def _payments(r, Q, S, total):
    """Utilities and payments of one group from expected qualities (envelope formula, B2/B4)."""
    U = np.empty_like(Q)
    U[0] = r[0] * Q[0] if total > 0 else 0.0
    if len(r) > 1:
        dr = np.diff(r)
        D = dr * np.where(S[:-1] > 0, Q[1:], Q[:-1])
        U[1:] = U[0] + np.cumsum(D)
    T = r * Q - U
    return U, T


def _ironing(t, Psi):
    """Blocks of the upper concave envelope of ``(t, Psi)``.

    Returns the envelope, the block boundaries (indices into ``t``; block ``b`` contains the
    types ``bounds[b] .. bounds[b+1] - 1``) and each block's ironed virtual value
    ``vbar = -slope``.
    """
    env = concave_envelope(t, Psi)
    bounds = np.asarray(env.vertices, dtype=int)
    if bounds[0] != 0 or bounds[-1] != len(t) - 1:  # pragma: no cover - envelope contract
        raise RuntimeError("concave envelope does not touch both end points")
    dt = t[bounds[1:]] - t[bounds[:-1]]
    vbar = -(Psi[bounds[1:]] - Psi[bounds[:-1]]) / dt
    return env, bounds, vbar


def _solve_arrays(groups, q, f, alpha):
    """Exact solver on arrays.

    Parameters
    ----------
    groups : list of (r, g, lam, mu)
        Per group: increasing types, probabilities (positive, summing to 1), Pareto weights at the
        types, group mass.
    q, f : ndarray
        Quality levels (increasing, in [0, 1]) and their masses (positive, summing to 1).
    alpha : float

    Returns
    -------
    dict with per-group lists and the across-group assignment (see :func:`optimal_allocation`).
    """
    out = {"groups": []}
    blk_group, blk_index, blk_vbar, blk_mass = [], [], [], []
    for gi, (r, g, lam, mu) in enumerate(groups):
        c, S, total = _step_coefficients(r, g, lam, alpha)
        t = np.concatenate(([0.0], np.cumsum(g)))
        t[-1] = 1.0
        Psi = np.concatenate((np.cumsum(c[::-1])[::-1], [0.0]))
        env, bounds, vbar = _ironing(t, Psi)
        out["groups"].append(dict(r=r, g=g, lam=lam, mu=mu, c=c, S=S, total=total, t=t,
                                  Psi=Psi, env=env, bounds=bounds, vbar=vbar))
        nb = len(vbar)
        blk_group.append(np.full(nb, gi))
        # position inside the group (0 = bottom block); the ranking serves the top block first on ties
        blk_index.append(np.arange(nb))
        blk_vbar.append(vbar)
        blk_mass.append(mu * np.diff(t[bounds]))
    blk_group = np.concatenate(blk_group)
    blk_index = np.concatenate(blk_index)
    blk_vbar = np.concatenate(blk_vbar)
    blk_mass = np.concatenate(blk_mass)

    # rank blocks: highest vbar first; ties broken by group, then from the top of the group
    order = np.lexsort((-blk_index, blk_group, -blk_vbar))
    scale = max(1.0, float(np.max(np.abs(blk_vbar))))
    served = blk_vbar[order] > 1e-13 * scale
    # supply from the top: levels in decreasing quality; ranked block b takes the slice
    # [start_b, stop_b] of the supply counted from the best object down
    m = len(q)
    qd = q[::-1]
    edges = np.concatenate(([0.0], np.cumsum(f[::-1])))
    edges[-1] = max(edges[-1], 1.0)
    stop = np.minimum(np.cumsum(blk_mass[order]), 1.0)
    # elementary intervals between all slice and level boundaries: each lies in one block and
    # one level (O((blocks + levels) log) instead of a blocks x levels matrix)
    pts = np.unique(np.concatenate(([0.0], stop, edges)))
    pts = pts[pts <= 1.0]
    length = np.diff(pts)
    mid = 0.5 * (pts[:-1] + pts[1:])
    b_of = np.minimum(np.searchsorted(stop, mid, side="right"), len(stop) - 1)
    l_of = np.minimum(np.searchsorted(edges, mid, side="right") - 1, m - 1)
    keep = served[b_of] & (length >= 1e-14)  # drop unserved blocks and rounding slivers
    b_of, l_of, length = b_of[keep], l_of[keep], length[keep]
    nb_all = len(order)
    got = np.bincount(b_of, weights=length, minlength=nb_all)
    qsum = np.bincount(b_of, weights=length * qd[l_of], minlength=nb_all)
    # a block's expected quality is the average quality of its slice (dividing by the slice's
    # own mass keeps a slice inside one level exactly at that level)
    Qb_ranked = np.where(got > 0, qsum / np.where(got > 0, got, 1.0), 0.0)
    Qb = np.empty_like(Qb_ranked)
    Qb[order] = Qb_ranked
    srv = np.empty_like(served)
    srv[order] = served
    grp_of = blk_group[order][b_of]
    lev_of = m - 1 - l_of  # index into increasing q
    qmass = np.bincount(grp_of * m + lev_of, weights=length,
                        minlength=len(groups) * m).reshape(len(groups), m)

    pos = 0
    for gi, G in enumerate(out["groups"]):
        nb = len(G["vbar"])
        sl = slice(pos, pos + nb)
        pos += nb
        bounds = G["bounds"]
        Qg = np.repeat(Qb[sl], np.diff(bounds))
        U, T = _payments(G["r"], Qg, G["S"], G["total"])
        # remove rounding noise: payments are exactly constant on a pooled block, and a payment
        # that is zero up to rounding is zero (the free tier)
        T = np.repeat(T[bounds[:-1]], np.diff(bounds))
        T[np.abs(T) <= 1e-13 * max(1.0, float(G["r"][-1]))] = 0.0
        U = G["r"] * Qg - T
        G.update(Q=Qg, U=U, T=T, block_Q=Qb[sl], block_served=srv[sl], quality_mass=qmass[gi])
    out["rank"] = order
    return out


# ----------------------------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------------------------
def _fmt_range(x):
    return f"({x[0]:.4g}, {x[1]:.4g})"


@dataclass(repr=False)
class GroupAllocation:
    """Optimal mechanism inside one group (part of an :class:`AllocationResult`).

    Attributes
    ----------
    label : str
    mass : float
        Group mass ``mu_i``.
    alpha : float
        Weight on revenue.
    types, probs, lam : ndarray
        The finite types ``r_k`` (positive probability only), their probabilities ``g_k`` and the
        Pareto weights ``lam_i(r_k)``.
    lambda_bar : float
        Average Pareto weight ``lambar_i``.
    Q, T, U : ndarray
        Expected quality, payment and utility of every type.
    c : ndarray
        Objective coefficients: the group's payoff per unit mass is ``sum_k c_k Q_k`` (B4).
    V : ndarray
        Un-ironed virtual value of every type, ``c_k / g_k``.
    vbar : ndarray
        Ironed virtual value of every type (slope of the envelope, sign flipped).
    t, Psi : ndarray
        The points ``(t_k, Psi_k)``, ``t_0 = 0 < ... < t_n = 1`` (``t_k = G_i(r_k)``), whose
        upper concave envelope irons the group (the slides' ``Psi_i`` panel; ``Psi_0`` includes
        the essential-good atom ``max(0, lambar - alpha) r_1``).
    envelope : Envelope
        Upper concave envelope of ``(t, Psi)``.
    blocks : list of (int, int)
        Index ranges ``[first, last]`` of the types pooled by each envelope segment (top block
        last).
    regions : list of (float, float, str)
        Type intervals ``(r_lo, r_hi, kind)`` with kind ``"assortative"`` (each type its own
        expected quality), ``"random"`` (pooled: one lottery over a range of qualities),
        ``"free"`` (pooled bottom tier with ``T = 0``) or ``"excluded"`` (nothing, or only
        quality-0 objects).  Classification follows the envelope's blocks: a block of several
        types is pooled even if, with a discrete supply, its slice lies inside one quality level.
    menu : list of (float, float)
        The options offered: ``(expected quality, price)`` pairs, increasing.
    quality_range : (float, float)
        Lowest and highest quality of the objects the group receives (``(0, 0)`` if none).
    qualities, quality_mass : ndarray
        All quality levels and the mass of each level allocated to this group (absolute mass).
    support : (float, float)
        Support of the group's distribution (the domain of :meth:`expected_quality`).

    Examples
    --------
    >>> from redlib import Group, Uniform, Discrete, optimal_allocation
    >>> res = optimal_allocation([Group("all", Discrete([1.0, 2.0]), weight=1.0)],
    ...                          Discrete([0.5, 1.0]), alpha=2.0)
    >>> ga = res["all"]
    >>> ga.menu
    [(0.5, 0.5), (1.0, 1.5)]
    """

    label: str
    mass: float
    alpha: float
    types: np.ndarray
    probs: np.ndarray
    lam: np.ndarray
    lambda_bar: float
    Q: np.ndarray
    T: np.ndarray
    U: np.ndarray
    c: np.ndarray
    V: np.ndarray
    vbar: np.ndarray
    t: np.ndarray
    Psi: np.ndarray
    envelope: Envelope
    blocks: List[Tuple[int, int]]
    regions: List[Tuple[float, float, str]]
    menu: List[Tuple[float, float]]
    quality_range: Tuple[float, float]
    qualities: np.ndarray
    quality_mass: np.ndarray
    support: Tuple[float, float] = (0.0, np.inf)

    # -- evaluation ------------------------------------------------------------------------
    def _lookup(self, r):
        r = np.asarray(r, dtype=float)
        if not np.all(np.isfinite(r)):
            raise ValueError(f"r must be finite, got {r}")
        lo, hi = self.support
        tol = 1e-12 * max(1.0, abs(hi) if np.isfinite(hi) else 1.0)
        if np.any(r < lo - tol) or np.any(r > hi + tol):
            raise ValueError(f"r must lie in the support [{lo:g}, {hi:g}] of group {self.label!r}")
        flat = np.atleast_1d(r).ravel()
        # menu choice (including the outside option), ties broken toward more quality
        mQ = np.concatenate(([0.0], self.Q))
        mT = np.concatenate(([0.0], self.T))
        util = flat[:, None] * mQ[None, :] - mT[None, :]
        best = util.max(axis=1, keepdims=True)
        cand = util >= best - 1e-12 * np.maximum(1.0, np.abs(best))
        idx = np.argmax(np.where(cand, mQ[None, :], -np.inf), axis=1)
        # grid types get their own assignment
        k = np.searchsorted(self.types, flat)
        k = np.clip(k, 0, len(self.types) - 1)
        k2 = np.clip(k - 1, 0, len(self.types) - 1)
        near = np.where(np.abs(self.types[k] - flat) <= np.abs(self.types[k2] - flat), k, k2)
        exact = np.abs(self.types[near] - flat) <= 1e-12 * np.maximum(1.0, np.abs(flat))
        idx = np.where(exact, near + 1, idx)
        return idx.reshape(np.shape(r)), mQ, mT

    def _menu_value(self, r, column):
        """Expected quality (``column=0``) or payment (``column=1``) of the option type ``r`` takes."""
        idx, mQ, mT = self._lookup(r)
        out = (mQ, mT)[column][idx]
        return float(out) if np.ndim(out) == 0 else out

    def expected_quality(self, r):
        """Expected quality ``Q_i(r)`` of a type (vectorized).

        Grid types get their own assignment; any other ``r`` in the support gets its best
        option on the menu (the finite-type mechanism extended incentive-compatibly).

        Parameters
        ----------
        r : float or array_like
            Willingness to pay, in the group's support.

        Returns
        -------
        float or ndarray
            Expected quality of the object received (0 if none); a float for scalar ``r``.

        Examples
        --------
        >>> from redlib import Group, Discrete, optimal_allocation
        >>> res = optimal_allocation([Group("all", Discrete([1.0, 2.0]))], Discrete([0.5, 1.0]), alpha=2.0)
        >>> res["all"].expected_quality([1.0, 2.0])
        array([0.5, 1. ])
        """
        return self._menu_value(r, 0)

    def payment(self, r):
        """Payment ``T_i(r)`` of a type (vectorized; see :meth:`expected_quality`).

        Parameters
        ----------
        r : float or array_like
            Willingness to pay, in the group's support.

        Returns
        -------
        float or ndarray
            Payment for the option the type takes; a float for scalar ``r``.

        Examples
        --------
        >>> from redlib import Group, Discrete, optimal_allocation
        >>> res = optimal_allocation([Group("all", Discrete([1.0, 2.0]))], Discrete([0.5, 1.0]), alpha=2.0)
        >>> res["all"].payment(2.0)
        1.5
        """
        return self._menu_value(r, 1)

    @property
    def welfare(self) -> float:
        """Group contribution to the objective, ``mu_i E[alpha T + lam U | i]``."""
        return float(self.mass * np.sum(self.probs * (self.alpha * self.T + self.lam * self.U)))

    @property
    def revenue(self) -> float:
        """Group contribution to revenue, ``mu_i E[T | i]``."""
        return float(self.mass * np.sum(self.probs * self.T))

    @property
    def is_fully_random(self) -> bool:
        """True if all types are pooled in one block that receives objects."""
        return len(self.blocks) == 1 and len(self.types) > 1 and self.Q[0] > 0

    def quality_distribution(self):
        """Qualities allocated to the group.

        Returns
        -------
        qualities : ndarray
            Quality levels with positive allocated mass.
        mass : ndarray
            Absolute mass of each (sums to the mass of served agents of the group).

        Examples
        --------
        >>> from redlib import Group, Discrete, optimal_allocation
        >>> res = optimal_allocation([Group("all", Discrete([1.0, 2.0]))], Discrete([0.5, 1.0]), alpha=2.0)
        >>> res["all"].quality_distribution()
        (array([0.5, 1. ]), array([0.5, 0.5]))
        """
        keep = self.quality_mass > 0
        return self.qualities[keep], self.quality_mass[keep]

    def verify(self, tol: float = 1e-9) -> bool:
        """Check pairwise IC, IR and ``T >= 0`` inside the group.

        Parameters
        ----------
        tol : float
            Absolute tolerance (scaled by the largest type).

        Returns
        -------
        bool
            True; raises AssertionError naming the violated constraint otherwise.

        Examples
        --------
        >>> from redlib import Group, Discrete, optimal_allocation
        >>> res = optimal_allocation([Group("all", Discrete([1.0, 2.0]))], Discrete([0.5, 1.0]), alpha=2.0)
        >>> res["all"].verify()
        True
        """
        r, Q, T = self.types, self.Q, self.T
        s = tol * max(1.0, float(np.max(np.abs(r))))
        U = r * Q - T
        if not np.allclose(U, self.U, atol=s, rtol=0):
            raise AssertionError(f"group {self.label!r}: stored utilities disagree with r Q - T")
        if np.any(Q < -s) or np.any(Q > 1 + s):
            raise AssertionError(f"group {self.label!r}: expected quality outside [0, 1]")
        # all pairs (brute force over the distinct options, in chunks to bound memory)
        opt = np.unique(np.column_stack((Q, T)), axis=0)
        step = max(1, 2 ** 22 // max(1, len(opt)))
        for a in range(0, len(r), step):
            dev = r[a:a + step, None] * opt[None, :, 0] - opt[None, :, 1] - U[a:a + step, None]
            k, j = np.unravel_index(np.argmax(dev), dev.shape)
            if dev[k, j] > s:
                jj = int(np.flatnonzero((Q == opt[j, 0]) & (T == opt[j, 1]))[0])
                raise AssertionError(
                    f"group {self.label!r}: IC violated, type r={r[a + k]:g} gains "
                    f"{dev[k, j]:.3g} by reporting r={r[jj]:g}")
        if np.min(U) < -s:
            k = int(np.argmin(U))
            raise AssertionError(f"group {self.label!r}: IR violated at r={r[k]:g} (U={U[k]:.3g})")
        if np.min(T) < -s:
            k = int(np.argmin(T))
            raise AssertionError(f"group {self.label!r}: negative transfer at r={r[k]:g} (T={T[k]:.3g})")
        return True

    def __repr__(self) -> str:
        regs = ", ".join(f"{k} [{a:.4g}, {b:.4g}]" for a, b, k in self.regions)
        return (f"GroupAllocation(label={self.label!r}, mass={self.mass:g}, n_types={len(self.types)}, "
                f"lambda_bar={self.lambda_bar:.4g}, regions=[{regs}], "
                f"quality_range={_fmt_range(self.quality_range)}, menu_size={len(self.menu)})")


@dataclass(repr=False)
class AllocationResult:
    """Optimal redistributive allocation mechanism (output of :func:`optimal_allocation`).

    Attributes
    ----------
    alpha : float
        Weight on revenue.
    welfare : float
        Optimal objective ``E[alpha T + lam U]``.
    revenue : float
        ``E[T]``.
    groups : dict
        ``label -> GroupAllocation``; also available as ``result[label]``.
    qualities, supply : ndarray
        Quality levels of the objects and their masses.
    quality_shares : dict
        ``label -> mass of each quality level allocated to the group``; key ``None`` holds the
        unallocated mass (objects discarded).  For a "split of qualities across groups" figure.
    unallocated : ndarray
        Mass of each quality level that is not allocated (the same array as
        ``quality_shares[None]``).

    Examples
    --------
    >>> from redlib import Group, Discrete, Uniform, optimal_allocation
    >>> groups = [Group("poor", Uniform(0.1, 0.5), weight=2.0, mass=0.5),
    ...           Group("rich", Uniform(0.5, 1.0), weight=0.5, mass=0.5)]
    >>> res = optimal_allocation(groups, Discrete([0.2, 0.6, 1.0]), alpha=1.0, grid_size=200)
    >>> res.verify()
    True
    >>> [kind for _, _, kind in res["poor"].regions]
    ['free']
    """

    alpha: float
    welfare: float
    revenue: float
    groups: Dict[str, GroupAllocation]
    qualities: np.ndarray
    supply: np.ndarray
    quality_shares: Dict[object, np.ndarray]
    unallocated: np.ndarray

    def __getitem__(self, label) -> GroupAllocation:
        try:
            return self.groups[label]
        except KeyError:
            raise KeyError(f"no group labelled {label!r}; labels are {list(self.groups)}") from None

    def __iter__(self):
        return iter(self.groups.values())

    def __len__(self) -> int:
        return len(self.groups)

    @property
    def labels(self) -> List[str]:
        """Group labels in input order."""
        return list(self.groups)

    def allocated_distribution(self):
        """Distribution of qualities handed out (all groups together).

        Returns
        -------
        qualities : ndarray
            Quality levels.
        mass : ndarray
            Mass of agents receiving each level (the rest of the agents receive nothing).

        Examples
        --------
        >>> from redlib import Group, Discrete, optimal_allocation
        >>> res = optimal_allocation([Group("all", Discrete([1.0, 2.0]))], Discrete([0.5, 1.0]), alpha=2.0)
        >>> res.allocated_distribution()[1]
        array([0.5, 0.5])
        """
        tot = np.zeros_like(self.supply)
        for ga in self.groups.values():
            tot = tot + ga.quality_mass
        return self.qualities, tot

    def verify(self, tol: float = 1e-9) -> bool:
        """Check IC, IR, ``T >= 0`` in every group and feasibility across groups.

        Feasibility: for every ``q`` the mass of agents receiving quality above ``q`` is at most
        the supply's mass above ``q``; also the lotteries must be consistent with the expected
        qualities and the reported welfare and revenue must match the mechanism.

        Parameters
        ----------
        tol : float
            Absolute tolerance.

        Returns
        -------
        bool
            True; raises AssertionError with a message naming the violated constraint.

        Examples
        --------
        >>> from redlib import Group, Discrete, optimal_allocation
        >>> optimal_allocation([Group("all", Discrete([1.0, 2.0]))], Discrete([0.5, 1.0]), 2.0).verify()
        True
        """
        for ga in self.groups.values():
            ga.verify(tol)
        q, given = self.allocated_distribution()
        above_given = np.cumsum(given[::-1])[::-1]
        above_supply = np.cumsum(self.supply[::-1])[::-1]
        bad = above_given > above_supply + tol
        if np.any(bad):
            j = int(np.argmax(bad))
            raise AssertionError(
                f"feasibility violated: mass {above_given[j]:.6g} of agents gets quality >= {q[j]:g} "
                f"but the supply has only {above_supply[j]:.6g}")
        served = 0.0
        for ga in self.groups.values():
            tq = float(np.sum(ga.quality_mass * q))
            eq = float(ga.mass * np.sum(ga.probs * ga.Q))
            if abs(tq - eq) > tol:
                raise AssertionError(
                    f"group {ga.label!r}: objects handed out (total quality {tq:.6g}) do not match "
                    f"expected qualities ({eq:.6g})")
            served += float(ga.quality_mass.sum())
        if served > 1 + tol:
            raise AssertionError(f"feasibility violated: {served:.6g} > 1 unit of objects handed out")
        w = sum(ga.welfare for ga in self.groups.values())
        rev = sum(ga.revenue for ga in self.groups.values())
        if abs(w - self.welfare) > tol * max(1.0, abs(w)) or abs(rev - self.revenue) > tol * max(1.0, abs(rev)):
            raise AssertionError("reported welfare/revenue do not match the mechanism")
        return True

    def __repr__(self) -> str:
        lines = [f"AllocationResult(alpha={self.alpha:g}, welfare={self.welfare:.6g}, "
                 f"revenue={self.revenue:.6g}, groups=["]
        lines += [f"  {ga!r}," for ga in self.groups.values()]
        lines.append("])")
        return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# wrapper
# ----------------------------------------------------------------------------------------------
def _finite_grid(dist, grid_size, name):
    check_distribution(name, dist)
    x, p = dist.grid(grid_size)
    x = np.asarray(x, dtype=float)
    p = np.asarray(p, dtype=float)
    if x.ndim != 1 or x.shape != p.shape or len(x) == 0:
        raise ValueError(f"{name}.grid() returned malformed arrays")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(p))):
        raise ValueError(f"{name}.grid() returned non-finite values")
    if np.any(np.diff(x) <= 0):
        raise ValueError(f"{name}.grid() values must be strictly increasing")
    if np.any(p < 0) or abs(p.sum() - 1) > 1e-9:
        raise ValueError(f"{name}.grid() probabilities must be >= 0 and sum to 1")
    keep = p > 0
    x, p = x[keep], p[keep]
    return x, p / p.sum()


@dataclass(frozen=True)
class FiniteAllocation:
    """Validated finite-type allocation problem (what :func:`optimal_allocation` and the LP referee
    :func:`redlib.referee.lp_allocation` solve).

    Attributes
    ----------
    groups : list of Group
        The groups, in the order given.
    arrays : list of (r, g, lam, mass)
        Per group: finite types (positive probability), their probabilities, Pareto weights, and
        the group's mass.
    q, f : numpy.ndarray
        Finite quality levels of the objects and their probabilities.
    alpha : float
        Value of a unit of revenue.

    Examples
    --------
    >>> from redlib import Discrete, Group
    >>> from redlib.allocation import finite_allocation
    >>> fa = finite_allocation(Group("all", Discrete([1.0, 2.0])), Discrete([0.5]), 1.0)
    >>> fa.q.tolist(), fa.arrays[0][0].tolist()
    ([0.5], [1.0, 2.0])
    """

    groups: list
    arrays: list
    q: np.ndarray
    f: np.ndarray
    alpha: float


def finite_allocation(groups, objects, alpha, grid_size=None):
    """Validate the inputs of an allocation problem and turn them into finite arrays.

    Parameters
    ----------
    groups : Group or sequence of Group
        Labelled groups (masses summing to one, distinct labels).
    objects : Distribution
        Distribution of object quality on ``[0, 1]``.
    alpha : float
        Value of a unit of revenue (``>= 0``).
    grid_size : int, optional
        Cells per continuous distribution.

    Returns
    -------
    FiniteAllocation

    Raises
    ------
    TypeError
        If a group is not a :class:`Group` or a distribution is not a redlib distribution.
    ValueError
        If a value is out of range (masses, labels, supports, ``alpha``, ``grid_size``).

    Examples
    --------
    >>> from redlib import Discrete, Group
    >>> finite_allocation([Group("x", Discrete([1.0]))], Discrete([0.2, 1.0]), 0.5).f.tolist()
    [0.5, 0.5]
    """
    alpha = check_nonneg("alpha", alpha)
    if grid_size is not None:
        grid_size = check_int("grid_size", grid_size, minimum=2)
    if isinstance(groups, Group):
        groups = [groups]
    groups = list(groups)
    if len(groups) == 0:
        raise ValueError("groups must contain at least one Group, got an empty list")
    labels = []
    for k, G in enumerate(groups):
        if not isinstance(G, Group):
            raise TypeError(f"groups[{k}] must be a Group, got {type(G).__name__}")
        if G.label is None:  # None keys the unallocated supply in AllocationResult.quality_shares
            raise ValueError(f"groups[{k}]: label must not be None")
        if G.label in labels:
            raise ValueError(f"groups: duplicate label {G.label!r}")
        labels.append(G.label)
    masses = [check_positive(f"mass of group {G.label!r}", G.mass) for G in groups]
    if abs(sum(masses) - 1.0) > _MASS_TOL:
        raise ValueError(f"group masses (mass) must sum to 1, got {sum(masses):.12g}")
    arrays = []
    for G, m in zip(groups, masses):
        name = f"dist of group {G.label!r}"
        check_distribution(name, G.dist)
        if G.dist.support[0] < 0:
            raise ValueError(f"{name}: willingness to pay must be >= 0, got support starting at "
                             f"{G.dist.support[0]:g}")
        r, g = _finite_grid(G.dist, grid_size, name)
        lam = np.asarray(evaluate_weight(G.weight, r, name=f"weight of group {G.label!r}"), dtype=float)
        arrays.append((r, g, lam, m))
    check_distribution("objects", objects)
    qlo, qhi = objects.support
    if qlo < 0 or qhi > 1:
        raise ValueError(f"objects: qualities must lie in [0, 1], got support [{qlo:g}, {qhi:g}]")
    q, f = _finite_grid(objects, grid_size, "objects")
    return FiniteAllocation(groups, arrays, q, f, alpha)


def _regions(r, Q, T, bounds, served, block_Q):
    """Classify the type blocks into labelled intervals (vectorized over blocks)."""
    scale = max(1.0, float(np.max(np.abs(r))))
    lo, hi = bounds[:-1], bounds[1:] - 1
    pooled = hi > lo
    excluded = ~served | (block_Q <= 1e-14)
    free = pooled & (lo == 0) & (np.abs(T[lo]) <= 1e-12 * scale)
    kind = np.where(excluded, 3, np.where(free, 2, np.where(pooled, 1, 0)))
    # merge runs of consecutive assortative (0) or excluded (3) blocks; pooled blocks stay apart
    mergeable = (kind == 0) | (kind == 3)
    starts = np.ones(len(kind), dtype=bool)
    starts[1:] = ~(mergeable[1:] & (kind[1:] == kind[:-1]))
    first = np.flatnonzero(starts)
    last = np.concatenate((first[1:], [len(kind)])) - 1
    names = np.array(REGION_KINDS)  # kind codes 0..3 index this tuple
    return [(float(r[lo[a]]), float(r[hi[b]]), str(names[kind[a]])) for a, b in zip(first, last)]


def optimal_allocation(groups: Sequence[Group], objects: Distribution, alpha: float,
                       grid_size: int = None) -> AllocationResult:
    """Optimal redistributive allocation of objects of heterogeneous quality (ADK 2024).

    Exact on finite types and quality levels (chapter 4, "How redlib computes it"): within-group ironing of the
    ``Psi_i`` points (essential-good atom included) by their upper concave envelope, then all
    pooled blocks of all groups ranked by ironed virtual value and served from the top quality
    down; payments from the envelope formula.  Continuous distributions are replaced by their
    ``grid(grid_size)``.  Runs in ``O(N log N + N m)`` for ``N`` types and ``m`` quality levels.

    Parameters
    ----------
    groups : sequence of Group
        The labelled groups (unique labels, masses summing to 1).
    objects : Distribution
        Distribution ``F`` of object quality on ``[0, 1]`` (unit mass of objects), e.g.
        ``Discrete(qualities, probs)``.
    alpha : float
        Weight on revenue, ``alpha >= 0``.
    grid_size : int, optional
        Number of grid cells for continuous distributions (default of ``Distribution.grid``).

    Returns
    -------
    AllocationResult

    Raises
    ------
    ValueError
        If ``alpha < 0``, the masses do not sum to 1, qualities leave ``[0, 1]``, labels repeat,
        ``groups`` is empty, or a distribution or weight is invalid.

    See Also
    --------
    redlib.referee.lp_allocation : brute-force LP on the same finite types (the referee).

    Examples
    --------
    One group whose average weight equals ``alpha`` (as if lump sums were free): market
    allocation, the best object to the highest type; the lowest type gets the quality-0 object.

    >>> from redlib import Group, Discrete, Uniform, optimal_allocation
    >>> res = optimal_allocation([Group("all", Discrete([1.0, 2.0, 3.0]), weight=1.0)],
    ...                          Discrete([0.0, 0.5, 1.0]), alpha=1.0)
    >>> res["all"].regions
    [(1.0, 1.0, 'excluded'), (2.0, 3.0, 'assortative')]
    >>> res["all"].menu
    [(0.0, 0.0), (0.5, 1.0), (1.0, 2.5)]
    >>> round(res.welfare, 6), round(res.revenue, 6)
    (1.333333, 1.166667)

    A poor group with an essential good and ``lambar > alpha`` gets a free random tier:

    >>> groups = [Group("poor", Uniform(0.2, 0.6), weight=3.0, mass=0.5),
    ...           Group("rich", Uniform(0.2, 1.0), weight=0.5, mass=0.5)]
    >>> res = optimal_allocation(groups, Uniform(0, 1), alpha=1.0, grid_size=100)
    >>> res["poor"].regions[0][2]
    'free'
    """
    P = finite_allocation(groups, objects, alpha, grid_size)
    groups, arrays, q, f, alpha = P.groups, P.arrays, P.q, P.f, P.alpha
    sol = _solve_arrays(arrays, q, f, alpha)
    out = {}
    welfare = revenue = 0.0
    shares = {}
    unalloc = f.copy()
    for G, D in zip(groups, sol["groups"]):
        r, g, lam, mu = D["r"], D["g"], D["lam"], D["mu"]
        bounds, Q, T = D["bounds"], D["Q"], D["T"]
        blocks = [(int(bounds[b]), int(bounds[b + 1] - 1)) for b in range(len(bounds) - 1)]
        regions = _regions(r, Q, T, bounds, D["block_served"], D["block_Q"])
        # Q and T are non-decreasing: the menu is the list of distinct consecutive pairs
        new_item = np.concatenate(([True], (np.abs(np.diff(Q)) > 1e-12)
                                   | (np.abs(np.diff(T)) > 1e-12 * max(1.0, r[-1]))))
        menu = [(float(a), float(b)) for a, b in zip(Q[new_item], T[new_item])]
        qmass = D["quality_mass"]
        unalloc = unalloc - qmass
        pos = qmass > 1e-15
        qrange = (float(q[pos].min()), float(q[pos].max())) if np.any(pos) else (0.0, 0.0)
        vbar_types = np.repeat(D["vbar"], np.diff(bounds))
        lo, hi = G.dist.support
        ga = GroupAllocation(
            label=G.label, mass=mu, alpha=alpha, types=r, probs=g, lam=lam,
            lambda_bar=float(np.sum(g * lam)), Q=Q, T=T, U=D["U"], c=D["c"], V=D["c"] / g,
            vbar=vbar_types, t=D["t"], Psi=D["Psi"], envelope=D["env"], blocks=blocks,
            regions=regions, menu=menu, quality_range=qrange, qualities=q, quality_mass=qmass,
            support=(float(lo), float(hi)))
        out[G.label] = ga
        shares[G.label] = qmass
        welfare += ga.welfare
        revenue += ga.revenue
    shares[None] = np.clip(unalloc, 0.0, None)
    return AllocationResult(alpha=alpha, welfare=float(welfare), revenue=float(revenue), groups=out,
                            qualities=q, supply=f, quality_shares=shares, unallocated=shares[None])


# ----------------------------------------------------------------------------------------------
# continuous virtual values and the data of the Proposition 6 figure
# ----------------------------------------------------------------------------------------------
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


def _pooled_served_blocks(ga):
    """Blocks of >= 2 types that receive objects."""
    return [(lo, hi) for lo, hi in ga.blocks if hi > lo and ga.Q[lo] > 1e-12]


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
