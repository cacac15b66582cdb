r"""The two-sided market of Dworczak, Kominers and Akbarpour (2021): sides, markets, competitive equilibrium.

A unit mass of sellers (each owns one unit of an indivisible good) faces a mass ``mu`` of buyers
(unit demand).  On side ``j`` the rate of substitution ``r = v^K / v^M`` has distribution ``G_j`` and
the Pareto weight of type ``r`` is ``lam_j(r) = E[v^M | r]``; the average weight is ``Lam_j``.

Every solver works on *finite types*: a :class:`~redlib.distributions.Discrete` distribution is used
as it is, a continuous one is replaced by ``dist.grid(grid_size)`` (equal-mass cells).

Contents
--------
Side(dist, weight=1.0)
    One side of the market: a distribution of ``r`` and a Pareto weight ``lam(r)``.
Market(sellers, buyers, buyer_mass=1.0)
    Unit mass of sellers, mass ``mu = buyer_mass`` of buyers.
competitive_equilibrium(market, grid_size=None)
    The market-clearing single price (no lump sums) and its weighted welfare.
FiniteMarket
    The finite-type market every solver works on (``Market.finite``).

Which instruments an optimal mechanism uses (:func:`redlib.classify_instruments`,
:func:`redlib.inequality_map`) lives with the mechanism, in :mod:`redlib.mechanism`; the Pareto
weight family :func:`redlib.power_weight` in :mod:`redlib.weights`.

Examples
--------
>>> from redlib import Uniform, Side, Market, competitive_equilibrium
>>> m = Market(Side(Uniform(), 2.0), Side(Uniform(), 1.0), buyer_mass=1.0)
>>> ce = competitive_equilibrium(m, grid_size=1000)
>>> round(ce.price, 6), round(ce.quantity, 6)
(0.5, 0.5)
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field, replace

import numpy as np

from ._validation import check_finite_array, check_instance, check_int, check_nonneg, check_positive
from .distributions import check_distribution
from .weights import average_weight, evaluate_weight

__all__ = ["Side", "Market", "FiniteMarket", "CompetitiveEquilibrium", "competitive_equilibrium"]


# ----------------------------------------------------------------------------------------------
# Sides and markets
# ----------------------------------------------------------------------------------------------
class Side:
    r"""One side of the market: distribution of ``r`` and Pareto weight ``lam(r)``.

    Parameters
    ----------
    dist : Distribution
        Distribution ``G`` of the rate of substitution ``r`` (e.g. ``Uniform()``, ``Discrete(...)``).
    weight : float or callable, default 1.0
        Pareto weight ``lam(r) = E[v^M | r]``: a non-negative number (constant weight) or a vectorized
        callable returning non-negative finite values of the shape of its argument.

    Attributes
    ----------
    dist, weight
        As given.
    Lam : float
        Average weight ``Lam = \int lam dG``.

    Examples
    --------
    >>> from redlib import Uniform, Side
    >>> S = Side(Uniform(), lambda r: 2.0 * (1.0 - r))
    >>> round(S.Lam, 6)
    1.0
    >>> types, probs, lam = S.finite(4)
    >>> lam
    array([1.75, 1.25, 0.75, 0.25])
    """

    def __init__(self, dist, weight=1.0):
        self.dist = check_distribution("dist", dist)
        if isinstance(weight, bool):
            raise TypeError(f"weight must be a non-negative number or a callable, got {weight!r}")
        if isinstance(weight, numbers.Real):
            weight = check_nonneg("weight", weight)
        elif not callable(weight):
            raise TypeError(
                f"weight must be a non-negative number or a vectorized callable lam(r), "
                f"got {type(weight).__name__}"
            )
        self.weight = weight
        # validate once on a probe grid so bad weights fail at construction time
        probe = self.dist.grid(None if self.dist.is_discrete else 64)[0]
        self._lam_values(probe)

    def _lam_values(self, r):
        return evaluate_weight(self.weight, np.asarray(r, dtype=float), name="weight")

    def lam(self, r):
        """Pareto weight ``lam(r)`` (vectorized, validated).

        Parameters
        ----------
        r : array_like
            Rates of substitution at which to evaluate the weight.

        Returns
        -------
        numpy.ndarray
            Non-negative weights, of the shape of ``r``.

        Examples
        --------
        >>> from redlib import Uniform, Side
        >>> Side(Uniform(), 3.0).lam([0.1, 0.9])
        array([3., 3.])
        """
        return self._lam_values(r)

    @property
    def Lam(self):
        """Average Pareto weight ``\\int lam dG`` (exact for continuous distributions)."""
        return float(average_weight(self.weight, self.dist))

    def finite(self, grid_size=None):
        """Finite types of this side: ``(types, probs, lam)``.

        Parameters
        ----------
        grid_size : int, optional
            Number of equal-mass cells for a continuous distribution (ignored for ``Discrete``).

        Returns
        -------
        types, probs, lam : numpy.ndarray
            Strictly increasing types, their probabilities and their Pareto weights.

        Examples
        --------
        >>> from redlib import Discrete, Side
        >>> Side(Discrete([1, 2]), 1.0).finite()
        (array([1., 2.]), array([0.5, 0.5]), array([1., 1.]))
        """
        if grid_size is not None:  # checked here so the error names the solvers' parameter
            grid_size = check_int("grid_size", grid_size)
        types, probs = self.dist.grid(grid_size)
        types = np.asarray(types, dtype=float)
        probs = np.asarray(probs, dtype=float)
        return types, probs, self._lam_values(types)

    def __repr__(self):
        w = self.weight if not callable(self.weight) else getattr(self.weight, "__name__", "lam")
        return f"Side(dist={self.dist!r}, weight={w})"


class Market:
    r"""A two-sided market: a unit mass of sellers and a mass ``mu`` of buyers.

    Parameters
    ----------
    sellers : Side
        Sellers (each owns one unit).
    buyers : Side
        Buyers (unit demand).
    buyer_mass : float, default 1.0
        Mass ``mu > 0`` of buyers.

    Attributes
    ----------
    sellers, buyers : Side
    mu : float
        Buyer mass (alias ``buyer_mass``).
    Lam_S, Lam_B : float
        Average Pareto weights of sellers and buyers.

    Examples
    --------
    >>> from redlib import Uniform, Side, Market
    >>> m = Market(Side(Uniform(), 2.0), Side(Uniform(), 1.0), buyer_mass=1.5)
    >>> m.Lam_S, m.Lam_B, m.mu
    (2.0, 1.0, 1.5)
    """

    def __init__(self, sellers, buyers, buyer_mass=1.0):
        self.sellers = check_instance("sellers", sellers, Side)
        self.buyers = check_instance("buyers", buyers, Side)
        self.mu = check_positive("buyer_mass", buyer_mass)

    @property
    def buyer_mass(self):
        """Mass of buyers ``mu``."""
        return self.mu

    @property
    def Lam_S(self):
        """Average Pareto weight of sellers."""
        return self.sellers.Lam

    @property
    def Lam_B(self):
        """Average Pareto weight of buyers."""
        return self.buyers.Lam

    def finite(self, grid_size=None):
        """Finite version of the market used by all solvers.

        Parameters
        ----------
        grid_size : int, optional
            Cells per continuous side (see :meth:`Side.finite`).

        Returns
        -------
        FiniteMarket
            Arrays ``s, g, lam`` (sellers), ``b, h, nu`` (buyers) and ``mu``.

        Examples
        --------
        >>> from redlib import Discrete, Side, Market
        >>> fm = Market(Side(Discrete([0, 1])), Side(Discrete([0.5]))).finite()
        >>> fm.s, fm.b
        (array([0., 1.]), array([0.5]))
        """
        s, g, lam = self.sellers.finite(grid_size)
        b, h, nu = self.buyers.finite(grid_size)
        return FiniteMarket(s, g, lam, b, h, nu, self.mu)

    def __repr__(self):
        return f"Market(sellers={self.sellers!r}, buyers={self.buyers!r}, buyer_mass={self.mu!r})"


@dataclass
class FiniteMarket:
    """Finite-type market: arrays of types, probabilities and Pareto weights per side.

    Parameters
    ----------
    s, g, lam : numpy.ndarray
        Seller types (strictly increasing), probabilities, weights.
    b, h, nu : numpy.ndarray
        Buyer types (strictly increasing), probabilities, weights.
    mu : float
        Buyer mass.

    Examples
    --------
    >>> import numpy as np
    >>> fm = FiniteMarket(np.array([0.0]), np.array([1.0]), np.array([1.0]),
    ...                   np.array([1.0]), np.array([1.0]), np.array([1.0]), 1.0)
    >>> fm.Lam_S
    1.0
    """

    s: np.ndarray
    g: np.ndarray
    lam: np.ndarray
    b: np.ndarray
    h: np.ndarray
    nu: np.ndarray
    mu: float

    @property
    def Lam_S(self):
        """Average seller weight on the finite types."""
        return float(np.dot(self.g, self.lam))

    @property
    def Lam_B(self):
        """Average buyer weight on the finite types."""
        return float(np.dot(self.h, self.nu))

    def positive(self):
        """Copy without zero-probability types (they do not affect any optimum).

        Returns
        -------
        FiniteMarket
            ``self`` when every type has positive probability, else a copy without the others.

        Examples
        --------
        >>> from redlib import Discrete, Side, Market
        >>> fm = Market(Side(Discrete([0.1, 0.5], [1.0, 0.0])), Side(Discrete([0.4]))).finite()
        >>> fm.positive().s
        array([0.1])
        """
        ks = self.g > 0
        kb = self.h > 0
        if ks.all() and kb.all():
            return self
        return FiniteMarket(self.s[ks], self.g[ks], self.lam[ks], self.b[kb], self.h[kb],
                            self.nu[kb], self.mu)


# ----------------------------------------------------------------------------------------------
# Competitive equilibrium
# ----------------------------------------------------------------------------------------------
@dataclass(repr=False)
class CompetitiveEquilibrium:
    """Competitive equilibrium of a (finite-type) market.

    Attributes
    ----------
    price : float
        The CE price: the midpoint of the clearing interval ``[price_low, price_high]``.
    quantity : float
        Quantity traded (per unit mass of sellers).
    welfare : float
        ``sum g lam_S U_S + mu sum h lam_B U_B`` at ``price`` (no lump sums).
    price_low, price_high : float
        Every price in this closed interval clears the market on the finite types.
    seller_surplus, buyer_surplus : float
        Weighted surplus of each side (``welfare`` is their sum, buyers already times ``mu``).
    seller_trade, buyer_trade : numpy.ndarray
        Trade probability of each finite type (indifferent marginal types may trade partially).
    types_S, types_B : numpy.ndarray
        The finite types used.
    probs_S, probs_B : numpy.ndarray
        Their probabilities.
    mu : float
        The buyer mass.

    Examples
    --------
    >>> from redlib import Discrete, Side, Market, competitive_equilibrium
    >>> ce = competitive_equilibrium(Market(Side(Discrete([0.2, 0.6])), Side(Discrete([0.4, 0.8]))))
    >>> ce.price, ce.quantity, ce.seller_trade.tolist()
    (0.5, 0.5, [1.0, 0.0])
    """

    price: float
    quantity: float
    welfare: float
    price_low: float
    price_high: float
    seller_surplus: float
    buyer_surplus: float
    seller_trade: np.ndarray = field(default=None)
    buyer_trade: np.ndarray = field(default=None)
    types_S: np.ndarray = field(default=None)
    types_B: np.ndarray = field(default=None)
    probs_S: np.ndarray = field(default=None, repr=False)
    probs_B: np.ndarray = field(default=None, repr=False)
    mu: float = field(default=None, repr=False)

    def with_weights(self, lam_S, lam_B):
        """The same equilibrium valued with other Pareto weights on its types.

        The clearing prices and who trades depend on the types and probabilities alone, so a
        market that differs only in its weights has this equilibrium: only ``welfare`` and the
        two surpluses change.

        Parameters
        ----------
        lam_S, lam_B : array_like
            One weight per seller type (``types_S``) and per buyer type (``types_B``).

        Returns
        -------
        CompetitiveEquilibrium
            A copy with the welfare and surpluses at the new weights.

        Examples
        --------
        >>> from redlib import Discrete, Side, Market, competitive_equilibrium
        >>> ce = competitive_equilibrium(Market(Side(Discrete([0.2, 0.6])), Side(Discrete([0.4, 0.8]))))
        >>> round(ce.welfare, 12), round(ce.with_weights([2.0, 2.0], [1.0, 1.0]).welfare, 12)
        (0.3, 0.45)
        """
        if self.probs_S is None:
            raise ValueError("this equilibrium does not record its types' probabilities; "
                             "compute it with competitive_equilibrium")
        lam_S = check_finite_array("lam_S", lam_S)
        lam_B = check_finite_array("lam_B", lam_B)
        for name, lam, types in (("lam_S", lam_S, self.types_S), ("lam_B", lam_B, self.types_B)):
            if lam.shape != types.shape:
                raise ValueError(f"{name} must have one weight per type ({types.size}), got {lam.size}")
        sw, bw = _ce_surpluses(self, lam_S, lam_B)
        return replace(self, welfare=sw + bw, seller_surplus=sw, buyer_surplus=bw)

    def __repr__(self):
        return (
            f"CompetitiveEquilibrium(price={self.price:.6g}, quantity={self.quantity:.6g}, "
            f"welfare={self.welfare:.6g}, clearing interval=[{self.price_low:.6g}, "
            f"{self.price_high:.6g}])"
        )


def _ce_finite(fm):
    """Competitive equilibrium on finite types (see :func:`competitive_equilibrium`).

    With ``S-(p) = G_S(p-)``, ``S+(p) = G_S(p)``, ``D-(p) = mu (1 - G_B(p))`` and
    ``D+(p) = mu (1 - G_B(p-))``, a price clears iff ``S-(p) <= D+(p)`` and ``D-(p) <= S+(p)``.
    The first difference is non-decreasing and the second non-increasing in ``p``, and both only
    change at types, so the clearing set is a closed interval ``[P2, P1]`` whose ends are types;
    each end is found by bisection over the (sorted) types in O(log n) evaluations.
    """
    import bisect

    s, g, lam, b, h, nu, mu = fm.s, fm.g, fm.lam, fm.b, fm.h, fm.nu, fm.mu
    n, m = s.size, b.size
    Gs = np.concatenate([[0.0], np.cumsum(g)])
    Hs = np.concatenate([[0.0], np.cumsum(h)])
    eps = 1e-12 * max(1.0, mu)

    def f1_s(i):  # S-(s_i) - D+(s_i)
        return Gs[i] - mu * (1.0 - Hs[np.searchsorted(b, s[i], side="left")])

    def f1_b(j):  # S-(b_j) - D+(b_j)
        return Gs[np.searchsorted(s, b[j], side="left")] - mu * (1.0 - Hs[j])

    def f2_s(i):  # D-(s_i) - S+(s_i)
        return mu * (1.0 - Hs[np.searchsorted(b, s[i], side="right")]) - Gs[i + 1]

    def f2_b(j):  # D-(b_j) - S+(b_j)
        return mu * (1.0 - Hs[j + 1]) - Gs[np.searchsorted(s, b[j], side="right")]

    i1 = bisect.bisect_right(range(n), eps, key=f1_s)  # number of seller types with f1 <= 0
    j1 = bisect.bisect_right(range(m), eps, key=f1_b)
    i2 = bisect.bisect_left(range(n), -eps, key=lambda i: -f2_s(i))  # first with f2 <= 0
    j2 = bisect.bisect_left(range(m), -eps, key=lambda j: -f2_b(j))
    p_hi = max(([s[i1 - 1]] if i1 else []) + ([b[j1 - 1]] if j1 else []))
    p_lo = min(([s[i2]] if i2 < n else []) + ([b[j2]] if j2 < m else []))
    if p_lo > p_hi:  # pragma: no cover - impossible for a valid market
        raise RuntimeError(f"no market-clearing price found ({p_lo} > {p_hi})")
    price = 0.5 * (p_lo + p_hi)
    iS_lt = int(np.searchsorted(s, price, side="left"))
    iS_le = int(np.searchsorted(s, price, side="right"))
    jB_lt = int(np.searchsorted(b, price, side="left"))
    jB_le = int(np.searchsorted(b, price, side="right"))
    sm, sp = Gs[iS_lt], Gs[iS_le]
    dm, dp = mu * (1.0 - Hs[jB_le]), mu * (1.0 - Hs[jB_lt])
    Q = float(min(sp, dp))  # largest clearing quantity; indifferent types get zero surplus anyway
    xs = np.zeros(n)
    xs[:iS_lt] = 1.0
    if iS_le > iS_lt:
        xs[iS_lt:iS_le] = np.clip((Q - sm) / g[iS_lt:iS_le].sum(), 0.0, 1.0)
    xb = np.zeros(m)
    xb[jB_le:] = 1.0
    if jB_le > jB_lt:
        xb[jB_lt:jB_le] = np.clip((Q - dm) / (mu * h[jB_lt:jB_le].sum()), 0.0, 1.0)
    ce = CompetitiveEquilibrium(
        price=float(price), quantity=Q, welfare=0.0, price_low=float(p_lo),
        price_high=float(p_hi), seller_surplus=0.0, buyer_surplus=0.0, seller_trade=xs,
        buyer_trade=xb, types_S=s, types_B=b, probs_S=g, probs_B=h, mu=mu,
    )
    sw, bw = _ce_surpluses(ce, lam, nu)
    ce.welfare, ce.seller_surplus, ce.buyer_surplus = sw + bw, sw, bw
    return ce


def _ce_surpluses(ce, lam, nu):
    """Weighted surplus of each side at ``ce``'s price (types exactly at the price gain nothing,
    whatever they trade)."""
    s, b, price = ce.types_S, ce.types_B, ce.price
    i = int(np.searchsorted(s, price, side="left"))  # sellers below the price
    j = int(np.searchsorted(b, price, side="right"))  # buyers above it
    sw = float(np.dot(ce.probs_S[:i] * lam[:i], price - s[:i]))
    bw = float(ce.mu * np.dot(ce.probs_B[j:] * nu[j:], b[j:] - price))
    return sw, bw


def competitive_equilibrium(market, grid_size=None):
    r"""Competitive equilibrium: one price, no lump sums, ``G_S(p) = mu (1 - G_B(p))``.

    On finite types the set of clearing prices is a closed interval ``[price_low, price_high]``
    (types exactly at the price are indifferent and may trade partially).  The reported ``price``
    is its **midpoint**; the quantity is the largest quantity that clears at that price (this does
    not affect welfare, since the indifferent types get zero surplus).  For a continuous
    distribution the market is discretized with ``dist.grid(grid_size)``, so the price is exact
    up to the cell width, O(1/grid_size).

    Parameters
    ----------
    market : Market or FiniteMarket
        The market (a :class:`FiniteMarket` is used as it is).
    grid_size : int, optional
        Cells per continuous side (default of :meth:`Distribution.grid`).

    Returns
    -------
    CompetitiveEquilibrium
        Fields ``price, quantity, welfare, price_low, price_high, seller_surplus, buyer_surplus,
        seller_trade, buyer_trade, types_S, types_B``.

    Examples
    --------
    >>> from redlib import Discrete, Uniform, Side, Market, competitive_equilibrium
    >>> m = Market(Side(Discrete([0.1, 0.5, 0.9])), Side(Discrete([0.2, 0.6, 0.8])))
    >>> ce = competitive_equilibrium(m)
    >>> ce.price_low, ce.price_high, ce.price, round(ce.quantity, 6)
    (0.5, 0.6, 0.55, 0.666667)
    >>> m2 = Market(Side(Uniform()), Side(Uniform()), buyer_mass=2.0)
    >>> round(competitive_equilibrium(m2, grid_size=3000).price, 3)   # G(p) = 2(1 - p)
    0.667
    """
    check_instance("market", market, (Market, FiniteMarket), "a Market or a FiniteMarket")
    fm = market if isinstance(market, FiniteMarket) else market.finite(grid_size)
    return _ce_finite(fm.positive())
