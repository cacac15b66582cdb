r"""Pareto weights ``λ(r) = E[v^M | r]`` and how a joint distribution of values induces them.

In DKA every agent has a value ``v^K`` for the good and a value ``v^M`` for money; behaviour depends
only on the rate of substitution ``r = v^K / v^M``, and the planner's weight on a type ``r`` is the
**Pareto weight** ``λ(r) = E[v^M | r]`` — the average marginal value of money of the agents who
behave like ``r`` (the book's chapter 1, "Wealth and Pareto weights").  Its average ``Λ = ∫ λ dG = E[v^M]`` is the side's **average weight**.

A Pareto weight in :mod:`redlib` is any vectorized callable ``lam(r)`` or a non-negative number
(a constant weight).

Functions
---------
evaluate_weight(weight, r, name)
    Evaluate and validate a weight on an array of types.
average_weight(weight, dist)
    ``Λ = ∫ λ dG``.
power_weight(Lam, s, lo, hi)
    The decreasing family ``Λ (1 + s)(1 - x)^s`` (average ``Λ`` under a uniform ``G``).
weights_from_joint(pdf, vK_bounds, vM_bounds)
    Distribution of ``r`` and ``λ(r)`` from a joint density of ``(v^K, v^M)``.
weights_from_samples(r, vM, method)
    ``λ`` estimated from a sample of ``(r, v^M)`` (binned means or Nadaraya–Watson).

Examples
--------
>>> import numpy as np
>>> from redlib.distributions import Uniform
>>> from redlib.weights import evaluate_weight, average_weight
>>> lam = lambda r: 2.0 - r            # poorer agents (low r) value money more
>>> evaluate_weight(lam, np.array([0.0, 0.5, 1.0]))
array([2. , 1.5, 1. ])
>>> round(average_weight(lam, Uniform()), 12)
1.5
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import scipy.special
import scipy.stats
from scipy.optimize import brentq

from ._validation import (
    as_weight_values,
    check_callable,
    check_finite_array,
    check_in,
    check_int,
    check_interval,
    check_nonneg,
    check_positive,
    check_probs,
    check_sorted_unique,
)
from .distributions import Discrete, Tabulated, check_distribution

__all__ = [
    "evaluate_weight",
    "average_weight",
    "power_weight",
    "weights_from_joint",
    "weights_from_samples",
    "JointWeights",
    "SampleWeight",
    "crra_marginal_utility",
    "weights_from_wealth",
    "sample_from_table",
    "crra_population",
    "CRRAPopulation",
    "lognormal_sigma_from_shares",

    "ShapeWeight",
]


def evaluate_weight(weight, r, name="weight"):
    """Evaluate a Pareto weight on types ``r`` and validate the result.

    Parameters
    ----------
    weight : callable or float
        Vectorized ``lam(r)`` or a non-negative constant.  A callable returning a scalar is
        broadcast to the shape of ``r``.
    r : array_like
        Types at which to evaluate.
    name : str, default "weight"
        Name used in error messages.

    Returns
    -------
    numpy.ndarray
        Float array of shape ``np.shape(r)``; finite and ``>= 0``.

    Raises
    ------
    ValueError
        If the weight is neither callable nor a real number, or its values are NaN, infinite,
        negative or of the wrong shape.

    Examples
    --------
    >>> evaluate_weight(2, [0.1, 0.2])
    array([2., 2.])
    >>> evaluate_weight(lambda r: 1 + r, [0.0, 1.0], name="lam_S")
    array([1., 2.])
    >>> evaluate_weight(-1, [0.0], name="lam_S")
    Traceback (most recent call last):
        ...
    ValueError: lam_S must be >= 0 (a Pareto weight), got minimum -1.0
    """
    r = np.asarray(r, dtype=float)
    if callable(weight):
        values = weight(r.copy())
    elif isinstance(weight, (numbers.Real, np.ndarray)) and not isinstance(weight, (bool, np.bool_)):
        if np.ndim(weight) != 0:
            raise ValueError(
                f"{name} must be a callable lam(r) or a non-negative number, got an array "
                f"of shape {np.shape(weight)}"
            )
        values = np.full(r.shape, float(weight))
    else:
        raise ValueError(
            f"{name} must be a callable lam(r) or a non-negative number, got {type(weight).__name__}"
        )
    return as_weight_values(name, values, r.shape)


def average_weight(weight, dist):
    """Average weight ``Λ = ∫ λ dG`` of a side.

    Exact on :class:`~redlib.distributions.Discrete` (a finite sum) and for constant weights;
    adaptive quadrature otherwise.

    Parameters
    ----------
    weight : callable or float
        Pareto weight ``lam(r)`` (vectorized) or a non-negative constant.
    dist : Distribution
        Distribution ``G`` of the types.

    Returns
    -------
    float

    Examples
    --------
    >>> from redlib.distributions import Discrete, Uniform
    >>> average_weight(lambda r: r, Discrete([1.0, 3.0], [0.75, 0.25]))
    1.5
    >>> average_weight(2.0, Uniform())
    2.0
    """
    check_distribution("dist", dist)
    if not callable(weight):
        return float(evaluate_weight(weight, np.zeros(1))[0])
    return dist.expect(lambda r: evaluate_weight(weight, r))


# ---------------------------------------------------------------------------------------------
# From a joint density of (v^K, v^M)
# ---------------------------------------------------------------------------------------------

def power_weight(Lam, s, lo=0.0, hi=1.0):
    r"""Decreasing Pareto weight ``lam(r) = Lam (1 + s) (1 - x)^s`` with ``x = (r - lo)/(hi - lo)``.

    Under a uniform distribution on ``[lo, hi]`` its average is exactly ``Lam``; its largest value
    ``lam(lo) = (1 + s) Lam`` exceeds ``2 Lam`` iff ``s > 1``, so ``s`` measures same-side inequality
    and ``s > 1`` is the slides' "high" same-side inequality.

    Parameters
    ----------
    Lam : float
        Average weight (> 0).
    s : float
        Same-side inequality (>= 0); ``s = 0`` is a constant weight.
    lo, hi : float, default 0, 1
        Support of the uniform distribution.

    Returns
    -------
    callable
        Vectorized ``lam(r)``.

    Examples
    --------
    >>> lam = power_weight(1.0, 2.0)
    >>> lam([0.0, 0.5, 1.0])
    array([3.  , 0.75, 0.  ])
    """
    Lam = check_positive("Lam", Lam)
    s = check_nonneg("s", s)
    lo, hi = check_interval("support", lo, hi)

    def lam(r):
        x = np.clip((np.asarray(r, dtype=float) - lo) / (hi - lo), 0.0, 1.0)
        return Lam * (1.0 + s) * (1.0 - x) ** s

    lam.__name__ = f"power_weight(Lam={Lam:g}, s={s:g})"
    return lam


def _gl_panels(a, b, panels, order):
    """Composite Gauss-Legendre nodes/weights on rows of intervals [a_i, b_i].

    Returns nodes (n, panels*order) and weights of the same shape.
    """
    x, w = np.polynomial.legendre.leggauss(order)
    x = 0.5 * (x + 1.0)
    w = 0.5 * w
    edges = a[:, None] + (b - a)[:, None] * np.linspace(0.0, 1.0, panels + 1)[None, :]
    h = np.diff(edges, axis=1)  # (n, panels)
    nodes = edges[:, :-1, None] + h[:, :, None] * x[None, None, :]
    weights = h[:, :, None] * w[None, None, :]
    n = a.shape[0]
    return nodes.reshape(n, -1), weights.reshape(n, -1)


@dataclass(frozen=True, repr=False, eq=False)
class JointWeights:
    """Distribution of ``r = v^K / v^M`` and the Pareto weight induced by a joint density.

    Returned by :func:`weights_from_joint`.

    Attributes
    ----------
    dist : Tabulated
        Distribution ``G`` of ``r`` (piecewise-linear density on ``r_grid``).
    lam : callable
        Vectorized ``λ(r) = E[v^M | r]``, computed at any ``r`` by direct quadrature (not by
        interpolation).  Outside the support it is extended by its end values.
    Lam : float
        ``E[v^M]`` computed directly from the joint density (equals ``∫ λ dG``).
    r_grid, density, lam_grid : numpy.ndarray
        The tabulated density of ``r`` and ``λ`` on the grid.
    mass : float
        Integral of the joint density supplied (it is normalised to 1).
    vK_bounds, vM_bounds : tuple of float
        The rectangle supplied.

    Notes
    -----
    Unpacks as a pair: ``G, lam = weights_from_joint(...)``.

    Examples
    --------
    >>> jw = weights_from_joint(lambda k, m: np.ones_like(k), (0, 1), (1, 2))
    >>> jw.dist.support
    (0.0, 1.0)
    >>> round(jw.Lam, 10)
    1.5
    """

    dist: Tabulated
    lam: object
    Lam: float
    r_grid: np.ndarray
    density: np.ndarray
    lam_grid: np.ndarray
    mass: float
    vK_bounds: tuple
    vM_bounds: tuple

    def __iter__(self):
        """Unpack as ``G, lam = weights_from_joint(...)``."""
        return iter((self.dist, self.lam))

    def __repr__(self):
        return (
            f"JointWeights(r on [{self.dist.lo:.6g}, {self.dist.hi:.6g}], Lam={self.Lam:.6g}, "
            f"lam in [{self.lam_grid.min():.6g}, {self.lam_grid.max():.6g}], "
            f"{self.r_grid.size} grid points)"
        )


class _JointLam:
    """Vectorized λ(r) = ∫ m·f(rm, m) m dm / ∫ f(rm, m) m dm by composite Gauss-Legendre."""

    def __init__(self, pdf, vK_bounds, vM_bounds, r_lo, r_hi, panels, order):
        self._pdf = pdf
        self._k0, self._k1 = vK_bounds
        self._m0, self._m1 = vM_bounds
        self._r_lo, self._r_hi = r_lo, r_hi
        self._panels, self._order = panels, order
        self._grid = None
        self._lam_grid = None

    def integrals(self, r):
        """(∫ f(rm, m) m dm, ∫ m f(rm, m) m dm, a, b) for 1-D array r."""
        r = np.asarray(r, dtype=float)
        k0, k1, m0, m1 = self._k0, self._k1, self._m0, self._m1
        # m-range where k0 <= r m <= k1, intersected with [m0, m1]
        with np.errstate(divide="ignore", invalid="ignore"):
            lo_pos, hi_pos = k0 / r, k1 / r
        a = np.full(r.shape, m0)
        b = np.full(r.shape, m1)
        pos, neg, zero = r > 0, r < 0, r == 0
        a = np.where(pos, np.maximum(m0, lo_pos), a)
        b = np.where(pos, np.minimum(m1, hi_pos), b)
        a = np.where(neg, np.maximum(m0, hi_pos), a)
        b = np.where(neg, np.minimum(m1, lo_pos), b)
        if not (k0 <= 0.0 <= k1):
            b = np.where(zero, a, b)
        b = np.maximum(a, b)
        nodes, w = _gl_panels(a, b, self._panels, self._order)
        k = r[:, None] * nodes
        f = np.asarray(self._pdf(k, nodes), dtype=float)
        if f.shape != nodes.shape:
            if f.ndim == 0:
                f = np.full(nodes.shape, float(f))
            else:
                raise ValueError(
                    f"pdf must be vectorized: pdf(vK, vM) on arrays of shape {nodes.shape} "
                    f"returned shape {f.shape}"
                )
        if not np.isfinite(f).all():
            raise ValueError("pdf returned NaN or an infinite value inside vK_bounds x vM_bounds")
        if (f < 0).any():
            raise ValueError(f"pdf must be >= 0, got {float(f.min())!r}")
        g = np.sum(w * f * nodes, axis=1)
        gm = np.sum(w * f * nodes * nodes, axis=1)
        return g, gm, a, b

    def set_table(self, grid, lam_grid, g):
        self._grid, self._lam_grid = grid, lam_grid
        self._gscale = float(np.max(g))

    def __call__(self, r):
        r_arr = np.asarray(r, dtype=float)
        if np.isnan(r_arr).any():
            raise ValueError("r must not contain NaN")
        flat = np.clip(r_arr.ravel(), self._r_lo, self._r_hi)
        g, gm, a, b = self.integrals(flat)
        ok = g > 1e-12 * self._gscale
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(ok, gm / np.where(ok, g, 1.0), 0.0)
        degenerate = ~ok & (b - a <= 1e-12 * max(self._m1, 1.0))
        out = np.where(degenerate, 0.5 * (a + b), out)
        bad = ~ok & ~degenerate
        if bad.any():
            out[bad] = np.interp(flat[bad], self._grid, self._lam_grid)
        out = np.clip(out, self._m0, self._m1)  # a conditional mean of v^M lies in [m0, m1]
        return float(out[0]) if r_arr.ndim == 0 else out.reshape(r_arr.shape)


def weights_from_joint(pdf, vK_bounds, vM_bounds, grid_size=2001, panels=8, order=16):
    r"""Distribution of ``r = v^K / v^M`` and Pareto weight ``λ(r) = E[v^M | r]`` from a joint density.

    With ``f`` the joint density of ``(v^K, v^M)`` on ``vK_bounds x vM_bounds`` (``v^M > 0``), the change
    of variables ``(v^K, v^M) -> (r, m) = (v^K / v^M, v^M)`` has Jacobian ``m``, so

    .. math::

        g(r) = \int f(r m, m)\, m \,dm, \qquad
        \lambda(r) = \frac{\int m\, f(r m, m)\, m \,dm}{\int f(r m, m)\, m \,dm}.

    Both integrals are computed over the exact range of ``m`` where ``r m`` lies in ``vK_bounds``
    (composite Gauss–Legendre, ``panels x order`` nodes), so the kinks of the indicator do not cost
    accuracy.  The density of ``r`` is tabulated on a grid that contains the kink points
    ``k/m`` of the corners of the rectangle and returned as a
    :class:`~redlib.distributions.Tabulated` distribution; ``λ`` is evaluated by direct quadrature at
    whatever ``r`` it is called with.

    Parameters
    ----------
    pdf : callable
        Vectorized joint density ``pdf(vK, vM)`` (arrays of equal shape in, same shape out),
        ``>= 0``; it need not be normalised (it is, and the mass is reported).  Zero outside the
        rectangle is assumed.
    vK_bounds : (float, float)
        Finite bounds ``(k0, k1)`` of ``v^K``.
    vM_bounds : (float, float)
        Finite bounds ``(m0, m1)`` of ``v^M`` with ``m0 > 0``.
    grid_size : int, default 2001
        Number of (uniform) grid points for the tabulated density of ``r`` (kink points are added).
    panels, order : int, default 8, 16
        Composite Gauss–Legendre rule in ``m``.

    Returns
    -------
    JointWeights
        ``.dist`` (distribution of ``r``), ``.lam`` (callable), ``.Lam`` (``E[v^M]``), and tables.

    Examples
    --------
    ``v^K ~ U[0, 1]`` independent of ``v^M ~ U[1, 2]``: for ``r <= 1/2`` every ``m`` is possible and
    ``λ(r) = E[m^2] / E[m] = (7/3) / (3/2) = 14/9``.

    >>> import numpy as np
    >>> jw = weights_from_joint(lambda k, m: np.ones_like(k), (0, 1), (1, 2))
    >>> round(float(jw.lam(0.25)), 12), round(14 / 9, 12)
    (1.555555555556, 1.555555555556)
    >>> float(jw.lam(1.0))                 # only m = 1 can give r = 1
    1.0
    """
    check_callable("pdf", pdf)
    try:
        k0, k1 = vK_bounds
    except (TypeError, ValueError):
        raise ValueError(f"vK_bounds must be a pair (lo, hi), got {vK_bounds!r}") from None
    try:
        m0, m1 = vM_bounds
    except (TypeError, ValueError):
        raise ValueError(f"vM_bounds must be a pair (lo, hi), got {vM_bounds!r}") from None
    k0, k1 = check_interval("vK_bounds", k0, k1)
    m0, m1 = check_interval("vM_bounds", m0, m1)
    if not m0 > 0:
        raise ValueError(f"vM_bounds must be positive (v^M > 0 so that r = vK/vM is defined), got lo={m0!r}")
    grid_size = check_int("grid_size", grid_size, minimum=3)
    panels = check_int("panels", panels, minimum=1)
    order = check_int("order", order, minimum=2)

    corners = np.array([k0 / m0, k0 / m1, k1 / m0, k1 / m1])
    r_lo, r_hi = float(corners.min()), float(corners.max())
    grid = np.union1d(np.linspace(r_lo, r_hi, grid_size), corners)
    if k0 < 0 < k1:
        grid = np.union1d(grid, [0.0])
    lam_fn = _JointLam(pdf, (k0, k1), (m0, m1), r_lo, r_hi, panels, order)
    g, gm, a, b = lam_fn.integrals(grid)

    # total mass and E[v^M]: integrate g and g*lam over r (piecewise smooth between the kinks)
    kinks = np.unique(np.concatenate([corners, [0.0] if k0 < 0 < k1 else []]))
    kinks = kinks[(kinks >= r_lo) & (kinks <= r_hi)]
    mass, m_mass = 0.0, 0.0
    for lo_, hi_ in zip(kinks[:-1], kinks[1:]):
        if hi_ <= lo_:
            continue
        nodes, w = _gl_panels(np.array([lo_]), np.array([hi_]), 64, order)
        gg, ggm, _, _ = lam_fn.integrals(nodes[0])
        mass += float(np.dot(w[0], gg))
        m_mass += float(np.dot(w[0], ggm))
    if not (np.isfinite(mass) and mass > 0):
        raise ValueError(f"pdf must have positive mass on vK_bounds x vM_bounds, got {mass!r}")

    density = g / mass
    # trim zero-density cells at both ends (support of r smaller than the rectangle's image)
    cell_pos = 0.5 * (density[:-1] + density[1:]) > 0
    if not cell_pos.any():
        raise ValueError("pdf has no mass that the grid of r resolves; increase grid_size")
    first = int(np.argmax(cell_pos))
    last = int(cell_pos.size - np.argmax(cell_pos[::-1]))  # index of the last grid point kept
    grid_t, density_t = grid[first : last + 1], density[first : last + 1]
    if not (0.5 * (density_t[:-1] + density_t[1:]) > 0).all():
        raise ValueError(
            "the density of r = vK/vM has a gap inside its support; redlib distributions need a "
            "connected support"
        )
    dist = Tabulated(grid_t, density_t)

    # λ on the grid (table used only where the density vanishes away from a degenerate m-range)
    ok = g > 1e-12 * g.max()
    lam_grid = np.empty_like(g)
    lam_grid[ok] = gm[ok] / g[ok]
    deg = ~ok & (b - a <= 1e-12 * max(m1, 1.0))
    lam_grid[deg] = 0.5 * (a[deg] + b[deg])
    rest = ~ok & ~deg
    good = ~rest
    if rest.any():
        lam_grid[rest] = np.interp(grid[rest], grid[good], lam_grid[good])
    lam_grid = np.clip(lam_grid, m0, m1)
    lam_fn.set_table(grid, lam_grid, g)
    lam_fn._r_lo, lam_fn._r_hi = dist.lo, dist.hi

    return JointWeights(
        dist=dist,
        lam=lam_fn,
        Lam=m_mass / mass,
        r_grid=grid_t,
        density=np.array(dist.density),
        lam_grid=lam_grid[first : last + 1],
        mass=mass,
        vK_bounds=(k0, k1),
        vM_bounds=(m0, m1),
    )


# ---------------------------------------------------------------------------------------------
# From samples
# ---------------------------------------------------------------------------------------------

class SampleWeight:
    """Pareto weight estimated from a sample of ``(r, v^M)``; a vectorized callable.

    Returned by :func:`weights_from_samples`.

    Attributes
    ----------
    method : str
        ``"binned"`` or ``"kernel"``.
    knots, knot_values : numpy.ndarray
        Binned: mean ``r`` and mean ``v^M`` of each non-empty bin (linear interpolation between,
        constant beyond).  Kernel: the sample itself.
    bandwidth : float or None
        Kernel bandwidth.

    Examples
    --------
    >>> lam = weights_from_samples([0.1, 0.2, 0.8, 0.9], [2.0, 2.0, 1.0, 1.0], bins=2)
    >>> lam([0.15, 0.85])
    array([2., 1.])
    """

    def __init__(self, method, knots, knot_values, bandwidth=None):
        self.method = method
        self.knots = knots
        self.knot_values = knot_values
        self.bandwidth = bandwidth

    def __repr__(self):
        if self.method == "binned":
            return f"SampleWeight(method='binned', {self.knots.size} bins)"
        return f"SampleWeight(method='kernel', n={self.knots.size}, bandwidth={self.bandwidth:.4g})"

    def __call__(self, r):
        r_arr = np.asarray(r, dtype=float)
        if np.isnan(r_arr).any():
            raise ValueError("r must not contain NaN")
        flat = r_arr.ravel()
        if self.method == "binned":
            out = np.interp(flat, self.knots, self.knot_values)
        else:
            out = np.empty(flat.shape)
            h = self.bandwidth
            chunk = max(1, 2_000_000 // max(self.knots.size, 1))
            for s in range(0, flat.size, chunk):
                z = (flat[s : s + chunk, None] - self.knots[None, :]) / h
                logw = -0.5 * z * z
                logw -= logw.max(axis=1, keepdims=True)  # never all zero far from the data
                w = np.exp(logw)
                out[s : s + chunk] = (w @ self.knot_values) / w.sum(axis=1)
        return float(out[0]) if r_arr.ndim == 0 else out.reshape(r_arr.shape)


def weights_from_samples(r, vM, method="binned", bins=20, bandwidth=None):
    """Estimate the Pareto weight ``λ(r) = E[v^M | r]`` from a sample.

    Parameters
    ----------
    r : array_like
        Sample of rates of substitution ``v^K / v^M`` (finite, 1-D, at least 2).
    vM : array_like
        Matching sample of values of money (finite, ``>= 0``).
    method : {"binned", "kernel"}, default "binned"
        ``"binned"``: conditional means in bins, linearly interpolated between the bins' mean
        ``r`` (constant beyond the first and last).  ``"kernel"``: Nadaraya–Watson regression with
        a Gaussian kernel.
    bins : int or array_like, default 20
        Binned method: number of equal-count (quantile) bins, or strictly increasing bin edges.
    bandwidth : float, optional
        Kernel method: bandwidth ``> 0``; default Silverman's rule ``1.06 sd(r) n^(-1/5)``.

    Returns
    -------
    SampleWeight
        Vectorized callable ``lam(r)``, ``>= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> r = rng.uniform(0, 1, 20000)
    >>> vM = 2 - r + rng.normal(0, 0.1, r.size)      # E[v^M | r] = 2 - r
    >>> lam = weights_from_samples(r, vM, method="kernel")
    >>> bool(abs(lam(0.5) - 1.5) < 0.02)
    True
    """
    r = check_finite_array("r", r, ndim=1, min_size=2)
    vM = check_finite_array("vM", vM, ndim=1, min_size=2)
    if vM.size != r.size:
        raise ValueError(f"vM must have the length of r ({r.size}), got {vM.size}")
    if (vM < 0).any():
        raise ValueError(f"vM must be >= 0 (values of money), got minimum {float(vM.min())!r}")
    check_in("method", method, ("binned", "kernel"))
    if method == "kernel":
        if bandwidth is None:
            sd = float(np.std(r))
            if not sd > 0:
                raise ValueError("r must not be constant (cannot choose a bandwidth); pass bandwidth")
            bandwidth = 1.06 * sd * r.size ** (-0.2)
        else:
            bandwidth = check_positive("bandwidth", bandwidth)
        order = np.argsort(r, kind="stable")
        return SampleWeight("kernel", r[order], vM[order], bandwidth)

    if isinstance(bins, numbers.Integral) and not isinstance(bins, (bool, np.bool_)):
        nb = check_int("bins", bins, minimum=1)
        if nb > r.size:
            raise ValueError(f"bins must be <= the sample size {r.size}, got {nb}")
        order = np.argsort(r, kind="stable")
        groups = np.array_split(order, nb)
        knots = np.array([r[gi].mean() for gi in groups])
        vals = np.array([vM[gi].mean() for gi in groups])
    else:
        edges = check_sorted_unique("bins", bins, min_size=2)
        if r.min() < edges[0] or r.max() > edges[-1]:
            raise ValueError(
                f"bins must cover the sample: edges [{edges[0]!r}, {edges[-1]!r}] vs r in "
                f"[{float(r.min())!r}, {float(r.max())!r}]"
            )
        idx = np.clip(np.searchsorted(edges, r, side="right") - 1, 0, edges.size - 2)
        counts = np.bincount(idx, minlength=edges.size - 1)
        sums_r = np.bincount(idx, weights=r, minlength=edges.size - 1)
        sums_v = np.bincount(idx, weights=vM, minlength=edges.size - 1)
        keep = counts > 0
        knots = sums_r[keep] / counts[keep]
        vals = sums_v[keep] / counts[keep]
    # equal-count bins can share a mean r when r has ties: merge them
    uk, inv = np.unique(knots, return_inverse=True)
    if uk.size < knots.size:
        vals = np.bincount(inv, weights=vals) / np.bincount(inv)
        knots = uk
    return SampleWeight("binned", knots, vals)


# ---------------------------------------------------------------------------------------------
# From measured wealth or income with CRRA utility of money
# ---------------------------------------------------------------------------------------------

def crra_marginal_utility(w, gamma):
    r"""Marginal utility of money ``v^M = u'(w) = w^{-γ}`` of CRRA utility.

    With ``u(w) = w^{1-γ} / (1-γ)`` (``log w`` for ``γ = 1``) the value of one more dollar to an
    agent of wealth (or income) ``w`` is ``w^{-γ}``; ``γ = 0`` is the quasi-linear benchmark
    ``v^M = 1``.

    Parameters
    ----------
    w : array_like
        Wealth or income, finite and ``> 0`` (any units: rescaling ``w`` by ``c`` rescales every
        ``v^M`` by ``c^{-γ}``, which leaves optimal mechanisms unchanged).
    gamma : float
        Coefficient of relative risk aversion (curvature), finite and ``>= 0``.

    Returns
    -------
    numpy.ndarray or float
        ``w ** -gamma``, of the shape of ``w`` (a float for a scalar ``w``).

    Raises
    ------
    ValueError
        If ``w`` is not finite and positive, or ``gamma`` is negative or not finite.
    TypeError
        If ``gamma`` is not a real number.

    Examples
    --------
    >>> crra_marginal_utility([0.5, 1.0, 2.0], 1.0)
    array([2. , 1. , 0.5])
    >>> crra_marginal_utility(4.0, 0.5)
    0.5
    """
    gamma = _check_gamma(gamma)
    arr = check_finite_array("w", w, ndim=None, min_size=1)
    if (arr <= 0).any():
        raise ValueError(f"w must be > 0 (wealth or income), got minimum {float(arr.min())!r}")
    out = arr ** (-gamma)
    return float(out) if np.ndim(w) == 0 else out


def _check_gamma(gamma):
    if isinstance(gamma, (bool, np.bool_)) or not isinstance(gamma, numbers.Real):
        raise TypeError(f"gamma must be a real number, got {type(gamma).__name__}")
    gamma = float(gamma)
    if not np.isfinite(gamma) or gamma < 0:
        raise ValueError(f"gamma must be finite and >= 0, got {gamma!r}")
    return gamma


def weights_from_wealth(r, wealth, gamma, method="binned", bins=20, bandwidth=None):
    r"""Pareto weight ``λ(r) = E[w^{-γ} | r]`` from a sample of ``(r, wealth)`` and CRRA ``γ``.

    The values of money are ``v^M = w^{-γ}`` (:func:`crra_marginal_utility`); the conditional mean
    is estimated by :func:`weights_from_samples`, with the same ``method``, ``bins`` and
    ``bandwidth``.

    Parameters
    ----------
    r : array_like
        Sample of rates of substitution (finite, 1-D, at least 2).
    wealth : array_like
        Matching sample of wealth or income, ``> 0``.
    gamma : float
        CRRA coefficient ``>= 0``.
    method, bins, bandwidth
        As in :func:`weights_from_samples`.

    Returns
    -------
    SampleWeight
        Vectorized callable ``lam(r)``.

    Examples
    --------
    Two wealth levels, the poor (``w = 1/2``) with low rates of substitution; log utility:

    >>> lam = weights_from_wealth([0.1, 0.2, 0.8, 0.9], [0.5, 0.5, 2.0, 2.0], 1.0, bins=2)
    >>> lam([0.15, 0.85])
    array([2. , 0.5])
    """
    r = check_finite_array("r", r, ndim=1, min_size=2)
    wealth = check_finite_array("wealth", wealth, ndim=1, min_size=2)
    if wealth.size != r.size:
        raise ValueError(f"wealth must have the length of r ({r.size}), got {wealth.size}")
    if (wealth <= 0).any():
        raise ValueError(f"wealth must be > 0, got minimum {float(wealth.min())!r}")
    vM = crra_marginal_utility(wealth, gamma)
    return weights_from_samples(r, vM, method=method, bins=bins, bandwidth=bandwidth)


def sample_from_table(levels, probs, size):
    r"""Equal-weight sample of a grouped distribution (e.g. income quintile means).

    A table gives groups with a representative level (mean or median income of the group) and
    the group's population share.  The sample evaluates the table's quantile function, a step
    function, at the midpoints ``(i - 1/2) / size``: group ``k`` appears about ``probs[k] * size``
    times, and exactly so when every ``probs[k] * size`` is a whole number.

    Parameters
    ----------
    levels : array_like
        Level of each group (finite, ``> 0``), in increasing order.
    probs : array_like
        Population share of each group, ``>= 0``, summing to 1.
    size : int
        Sample size ``>= 1``.

    Returns
    -------
    numpy.ndarray
        Non-decreasing sample of length ``size``.

    Examples
    --------
    Five quintiles, two draws each:

    >>> sample_from_table([1.0, 2.0, 3.0, 4.0, 5.0], [0.2] * 5, 10)
    array([1., 1., 2., 2., 3., 3., 4., 4., 5., 5.])
    """
    levels = check_sorted_unique("levels", levels, min_size=1)
    if (levels <= 0).any():
        raise ValueError(f"levels must be > 0, got minimum {float(levels.min())!r}")

    probs = check_probs("probs", probs, size=levels.size)
    size = check_int("size", size, minimum=1)
    u = (np.arange(size) + 0.5) / size
    k = np.searchsorted(np.cumsum(probs), u, side="left")
    return levels[np.clip(k, 0, levels.size - 1)]


@dataclass(frozen=True, repr=False, eq=False)
class CRRAPopulation:
    r"""A population built from a wealth sample, a sample of values ``v^K`` and CRRA ``γ``.

    Returned by :func:`crra_population`.

    Attributes
    ----------
    dist : Discrete
        Distribution of ``r = v^K w^γ`` over the population (ties merged).
    lam : SampleWeight
        Pareto weight ``λ(r) = E[w^{-γ} | r]`` (binned conditional means).
    Lam : float
        ``E[w^{-γ}]``, the exact population mean of the values of money.
    gamma : float
        The CRRA coefficient.
    r, wealth : numpy.ndarray
        The population: one entry per (wealth, value) pair.

    Notes
    -----
    Unpacks as a pair: ``G, lam = crra_population(...)``.

    Examples
    --------
    >>> pop = crra_population([1.0, 4.0], [0.5, 1.0], gamma=0.5, bins=2)
    >>> pop.dist.values
    array([0.5, 1. , 2. ])
    >>> pop.Lam
    0.75
    """

    dist: object
    lam: SampleWeight
    Lam: float
    gamma: float
    r: np.ndarray
    wealth: np.ndarray

    def __iter__(self):
        """Unpack as ``G, lam = crra_population(...)``."""
        return iter((self.dist, self.lam))

    def __repr__(self):
        return (
            f"CRRAPopulation(gamma={self.gamma:g}, {self.r.size} agents, r in "
            f"[{self.dist.lo:.6g}, {self.dist.hi:.6g}], Lam={self.Lam:.6g})"
        )


def crra_population(wealth, values, gamma, bins=20):
    r"""Rates of substitution and Pareto weights of agents with measured wealth and CRRA utility.

    Every agent has wealth ``w`` (from the equal-weight sample ``wealth``, e.g. the output of
    :func:`sample_from_table`) and, independently, a value ``v^K`` for the good (from the
    equal-weight sample ``values``).  With CRRA utility of money her value of money is
    ``v^M = w^{-γ}`` and her rate of substitution ``r = v^K / v^M = v^K w^γ``: at equal taste,
    richer agents are willing to pay more.  The population is the product of the two samples
    (``len(wealth) * len(values)`` agents of equal mass); ``λ(r) = E[w^{-γ} | r]`` is estimated by
    :func:`weights_from_wealth` with ``bins`` equal-count bins.

    Parameters
    ----------
    wealth : array_like
        Equal-weight sample of wealth or income, ``> 0``.
    values : array_like
        Equal-weight sample of values for the good ``v^K``, finite and ``>= 0``.
    gamma : float
        CRRA coefficient ``>= 0`` (``γ = 1`` is log utility; ``γ = 0`` makes every ``v^M = 1``).
    bins : int, default 20
        Number of equal-count bins of the conditional mean.

    Returns
    -------
    CRRAPopulation
        ``.dist`` (a :class:`~redlib.distributions.Discrete` distribution of ``r``), ``.lam``,
        ``.Lam`` and the population itself.

    Examples
    --------
    Half the agents have wealth 1, half wealth 4; values 1/2 or 1; log utility.  The rich have
    ``r`` in ``{2, 4}``, the poor in ``{1/2, 1}``, so with 2 bins ``λ`` is ``1`` on the poor half
    and ``1/4`` on the rich half:

    >>> pop = crra_population([1.0, 4.0], [0.5, 1.0], gamma=1.0, bins=2)
    >>> pop.lam([0.5, 4.0])
    array([1.  , 0.25])
    >>> G, lam = pop
    >>> G.values
    array([0.5, 1. , 2. , 4. ])
    """
    wealth = check_finite_array("wealth", wealth, ndim=1, min_size=1)
    if (wealth <= 0).any():
        raise ValueError(f"wealth must be > 0, got minimum {float(wealth.min())!r}")
    values = check_finite_array("values", values, ndim=1, min_size=1)
    if (values < 0).any():
        raise ValueError(f"values must be >= 0 (values for the good), got minimum {float(values.min())!r}")
    gamma = _check_gamma(gamma)
    if wealth.size * values.size < 2:
        raise ValueError("wealth and values must give at least 2 agents together")
    w_all = np.repeat(wealth, values.size)
    r = np.tile(values, wealth.size) * w_all**gamma
    lam = weights_from_wealth(r, w_all, gamma, bins=bins)

    return CRRAPopulation(
        dist=Discrete.from_samples(r),
        lam=lam,
        Lam=float(np.mean(crra_marginal_utility(w_all, gamma))),
        gamma=gamma,
        r=r,
        wealth=w_all,
    )


def lognormal_sigma_from_shares(shares):
    r"""Dispersion ``σ`` of the log-normal income distribution that best fits group income shares.

    For log-normal income with log standard deviation ``σ`` the Lorenz curve is
    ``L(p) = Φ(Φ^{-1}(p) - σ)`` whatever the median.  Given the shares of aggregate income of ``K``
    equal-sized groups ordered from the poorest (e.g. the five quintile shares of a statistical
    agency), ``σ`` minimises the squared distance between ``L`` and the cumulative shares at
    ``p = 1/K, ..., (K-1)/K``.

    Parameters
    ----------
    shares : array_like
        Income shares of ``K >= 2`` equal-sized groups, poorest first, ``> 0`` and non-decreasing
        (percentages or fractions: they are normalised to sum to 1).

    Returns
    -------
    float
        The fitted ``σ > 0``.

    Examples
    --------
    Shares generated by ``σ = 0.8`` are fitted back:

    >>> import numpy as np
    >>> from scipy import stats
    >>> p = np.linspace(0, 1, 6)
    >>> L = stats.norm.cdf(stats.norm.ppf(p) - 0.8)
    >>> round(lognormal_sigma_from_shares(np.diff(L)), 6)
    0.8
    """
    from scipy import optimize, stats

    shares = check_finite_array("shares", shares, ndim=1, min_size=2)
    if (shares <= 0).any():
        raise ValueError(f"shares must be > 0, got minimum {float(shares.min())!r}")
    if (np.diff(shares) < 0).any():
        raise ValueError("shares must be non-decreasing (equal-sized groups ordered from the poorest)")
    cum = np.cumsum(shares / shares.sum())[:-1]
    p = np.arange(1, shares.size) / shares.size
    z = stats.norm.ppf(p)

    def loss(sigma):
        return float(np.sum((stats.norm.cdf(z - sigma) - cum) ** 2))

    res = optimize.minimize_scalar(loss, bounds=(1e-6, 10.0), method="bounded",
                                   options={"xatol": 1e-10})
    return float(res.x)

# ----------------------------------------------------------------------------------------------
# a family of weights with a controlled shape (used by the numerical checks of the propositions)
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

    SHAPES = ("const", "exp", "power", "logistic", "hump", "rising")

    def __init__(self, shape, param, lo, hi, scale):
        if not isinstance(shape, str):
            raise TypeError(f"shape must be a str, got {type(shape).__name__}")
        if shape not in self.SHAPES:
            raise ValueError(f"shape must be one of {self.SHAPES}, got {shape!r}")
        lo, hi, scale = float(lo), float(hi), float(scale)
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(f"lo and hi must be finite with lo < hi, got lo={lo!r}, hi={hi!r}")
        if not (np.isfinite(scale) and scale >= 0):
            raise ValueError(f"scale must be finite and >= 0, got {scale!r}")
        self.shape, self.param = shape, param
        self.lo, self.hi, self.scale = lo, hi, scale
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
