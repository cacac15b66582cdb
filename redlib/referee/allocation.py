"""Brute-force LP referee for :func:`redlib.optimal_allocation` (ADK 2024; the book's chapter 4).

Variables: for every type ``k`` of every group, the probability ``x[k, j]`` of receiving an object
of quality level ``q_j`` (the rest of the probability is "nothing", i.e. quality 0) and the payment
``T_k``.  Constraints: unit demand ``sum_j x[k, j] <= 1``; all pairwise IC constraints within each
group (``r_k Q_k - T_k >= r_k Q_l - T_l``); IR ``r_k Q_k - T_k >= 0``; ``T_k >= 0``; feasibility.
Objective ``E[alpha T + lam U]``.  Solved with HiGHS.  The LP knows nothing of envelopes, ironing or
virtual values.

Feasibility
-----------
The slides state feasibility as ``E[Gamma(q | i, r)] >= F(q)`` for all ``q``, with ``Gamma`` the
cdf of the quality an agent receives (nothing = quality 0).  That is first-order dominance: for
every level ``q_j``, the mass of agents receiving quality ``>= q_j`` is at most the supply's mass
at ``>= q_j`` -- one cumulative constraint per level (``feasibility="dominance"``, the default).
The stricter reading "each agent receives an actual object; at most ``f_j`` of level ``j`` is
handed out, the rest is discarded" (``feasibility="per_level"``) has a smaller feasible set of
lotteries but the SAME optimum: payoffs depend on lotteries only through expected quality, and
both readings allow exactly the expected-quality profiles weakly submajorised by the supply (a
dominated distribution can be realised from the true supply by handing out each level with the
right probability and discarding the rest).  The tests check that the two LPs agree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from ..allocation import finite_allocation
from ._lp import ic_rows, ir_rows

__all__ = ["lp_allocation", "LPAllocationResult"]


@dataclass(repr=False)
class LPAllocationResult:
    """Solution of the brute-force allocation LP.

    Attributes
    ----------
    welfare : float
        Optimal objective ``E[alpha T + lam U]``.
    revenue : float
        ``E[T]`` at the LP solution (one optimal solution; revenue need not be unique).
    types, probs, lam : dict
        ``label -> ndarray`` of the finite types, probabilities and Pareto weights used.
    mass : dict
        ``label -> group mass``.
    Q, T : dict
        ``label -> ndarray`` expected quality and payment of each type.
    X : dict
        ``label -> ndarray (n_types, n_levels)``: probability of receiving each quality level.
    qualities, supply : ndarray
        Quality levels and their masses.
    feasibility : str
        ``"dominance"`` or ``"per_level"``.
    n_variables, n_constraints : int
        Size of the LP.

    Examples
    --------
    >>> from redlib import Group, Discrete
    >>> from redlib.referee import lp_allocation
    >>> lp = lp_allocation([Group("all", Discrete([1.0, 2.0]))], Discrete([0.5, 1.0]), alpha=2.0)
    >>> round(lp.welfare, 9)
    2.25
    """

    welfare: float
    revenue: float
    types: Dict[str, np.ndarray]
    probs: Dict[str, np.ndarray]
    lam: Dict[str, np.ndarray]
    mass: Dict[str, float]
    Q: Dict[str, np.ndarray]
    T: Dict[str, np.ndarray]
    X: Dict[str, np.ndarray]
    qualities: np.ndarray
    supply: np.ndarray
    feasibility: str
    n_variables: int
    n_constraints: int

    def __repr__(self) -> str:
        return (f"LPAllocationResult(welfare={self.welfare:.10g}, revenue={self.revenue:.6g}, "
                f"groups={list(self.Q)}, feasibility={self.feasibility!r}, "
                f"n_variables={self.n_variables}, n_constraints={self.n_constraints})")


def lp_allocation(groups, objects, alpha, grid_size=None, feasibility="dominance"):
    """Solve the allocation problem as one brute-force linear program.

    Parameters
    ----------
    groups : sequence of Group
        As in :func:`redlib.optimal_allocation`.
    objects : Distribution
        Quality distribution on ``[0, 1]``.
    alpha : float
        Weight on revenue, ``>= 0``.
    grid_size : int, optional
        Grid for continuous distributions (``Distribution.grid``).
    feasibility : {"dominance", "per_level"}
        ``"dominance"`` (the slides' ``E[Gamma(q)] >= F(q)``) or ``"per_level"`` (at most the supply
        of each level).  Both give the same optimal welfare (see module docstring).

    Returns
    -------
    LPAllocationResult

    Raises
    ------
    ValueError
        On invalid input (same checks as :func:`redlib.optimal_allocation`).
    RuntimeError
        If HiGHS does not report an optimal solution.

    Examples
    --------
    >>> from redlib import Group, Discrete, optimal_allocation
    >>> from redlib.referee import lp_allocation
    >>> groups = [Group("a", Discrete([0.0, 1.0, 2.0]), weight=2.0, mass=0.5),
    ...           Group("b", Discrete([1.0, 3.0]), weight=0.5, mass=0.5)]
    >>> objects = Discrete([0.2, 1.0], [0.6, 0.4])
    >>> lp = lp_allocation(groups, objects, alpha=1.0)
    >>> abs(lp.welfare - optimal_allocation(groups, objects, 1.0).welfare) < 1e-9
    True
    """
    if feasibility not in ("dominance", "per_level"):
        raise ValueError(f"feasibility must be 'dominance' or 'per_level', got {feasibility!r}")
    P = finite_allocation(groups, objects, alpha, grid_size)  # validation shared with the solver
    groups, arrays, q, f, alpha = P.groups, P.arrays, P.q, P.f, P.alpha
    m = len(q)
    # variable layout per group: n*m allocation probabilities x[k, j], n expected qualities Q_k
    # (auxiliary, Q_k = sum_j q_j x[k, j], which keeps every IC row at four entries), n transfers
    offsets = []
    nv = 0
    for (r, g, lam, mu) in arrays:
        n = len(r)
        offsets.append((nv, nv + n * m, nv + n * m + n))
        nv += n * m + 2 * n
    cost = np.zeros(nv)
    rows, cols, vals, rhs = [], [], [], []
    erows, ecols, evals = [], [], []
    nrow = neq = 0

    def add(rr, cc, vv, eq=False):
        (erows if eq else rows).append(np.asarray(rr, dtype=np.int64).ravel())
        (ecols if eq else cols).append(np.asarray(cc, dtype=np.int64).ravel())
        (evals if eq else vals).append(np.asarray(vv, dtype=float).ravel())

    for (r, g, lam, mu), (ox, oq, ot) in zip(arrays, offsets):
        n = len(r)
        w = mu * g
        xi = ox + np.arange(n * m).reshape(n, m)  # x[k, j]
        qi = oq + np.arange(n)
        ti = ot + np.arange(n)
        # objective (minimise the negative): sum w [alpha T + lam (r Q - T)]
        cost[qi] -= w * lam * r
        cost[ti] -= w * (alpha - lam)
        # definition of Q: sum_j q_j x[k, j] - Q_k = 0
        add(neq + np.repeat(np.arange(n), m), xi, np.tile(q, n), eq=True)
        add(neq + np.arange(n), qi, -np.ones(n), eq=True)
        neq += n
        # unit demand: sum_j x[k, j] <= 1
        add(nrow + np.repeat(np.arange(n), m), xi, np.ones(n * m))
        rhs.append(np.ones(n))
        nrow += n
        # IR: -(r_k Q_k - T_k) <= 0 ; pairwise IC: r_k Q_l - T_l - r_k Q_k + T_k <= 0 for all
        # k != l  (the Q and T blocks are adjacent, ot == oq + n: buyer-type utility r Q - T)
        for block in (ir_rows, ic_rows):
            rr, cc, vv, k = block(r, -1.0, oq)
            add(nrow + rr, cc, vv)
            rhs.append(np.zeros(k))
            nrow += k
    # feasibility
    if feasibility == "dominance":
        # for each level j: sum_k w_k sum_{l >= j} x[k, l] <= sum_{l >= j} f_l
        jj, ll = np.nonzero(np.triu(np.ones((m, m), dtype=bool)))  # l >= j
        for (r, g, lam, mu), (ox, oq, ot) in zip(arrays, offsets):
            n = len(r)
            xi = ox + np.arange(n * m).reshape(n, m)
            add(nrow + np.repeat(jj[None, :], n, 0), xi[:, ll], np.repeat((mu * g)[:, None], len(jj), 1))
        rhs.append(np.cumsum(f[::-1])[::-1])
    else:
        for (r, g, lam, mu), (ox, oq, ot) in zip(arrays, offsets):
            n = len(r)
            xi = ox + np.arange(n * m).reshape(n, m)
            add(nrow + np.repeat(np.arange(m)[None, :], n, 0), xi, np.repeat((mu * g)[:, None], m, 1))
        rhs.append(f.copy())
    nrow += m
    A = sparse.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(nrow, nv))
    Aeq = sparse.csr_matrix((np.concatenate(evals), (np.concatenate(erows), np.concatenate(ecols))),
                            shape=(neq, nv))
    b = np.concatenate(rhs)
    bounds = np.zeros((nv, 2))
    bounds[:, 1] = np.inf  # x >= 0 (x <= 1 implied by unit demand), Q >= 0, T >= 0
    res = linprog(cost, A_ub=A, b_ub=b, A_eq=Aeq, b_eq=np.zeros(neq), bounds=bounds,
                  method="highs", options={"primal_feasibility_tolerance": 1e-10,
                                           "dual_feasibility_tolerance": 1e-10})
    if res.status != 0:
        raise RuntimeError(f"lp_allocation: HiGHS did not find an optimum ({res.message})")
    z = res.x
    types, probs, lams, masses, Qd, Td, Xd = {}, {}, {}, {}, {}, {}, {}
    revenue = 0.0
    for G, (r, g, lam, mu), (ox, oq, ot) in zip(groups, arrays, offsets):
        n = len(r)
        X = z[ox:ox + n * m].reshape(n, m)
        T = z[ot:ot + n]
        types[G.label], probs[G.label], lams[G.label], masses[G.label] = r, g, lam, mu
        Xd[G.label], Td[G.label], Qd[G.label] = X, T, X @ q
        revenue += float(mu * np.sum(g * T))
    return LPAllocationResult(welfare=float(-res.fun), revenue=revenue, types=types, probs=probs,
                              lam=lams, mass=masses, Q=Qd, T=Td, X=Xd, qualities=q, supply=f,
                              feasibility=feasibility, n_variables=nv, n_constraints=nrow + neq)
