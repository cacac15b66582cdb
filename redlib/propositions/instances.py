r"""Instance generators of the numerical checks: distributions, Pareto weights, markets, groups.

Every generator takes a :class:`numpy.random.Generator` and returns objects of the public API of
:mod:`redlib` (:class:`~redlib.Uniform`, :class:`~redlib.Truncated`, :class:`~redlib.Tabulated`,
:class:`~redlib.Discrete`, :class:`~redlib.ShapeWeight`, :class:`~redlib.Group`, ...).  The
distribution generators cover the whole space the statements allow: uniform, truncated normal,
**non-regular** piecewise-linear densities (multi-modal, or three pieces with a deep gap: their
virtual values are not monotone, so Myerson ironing is needed) and finite types.

Examples
--------
>>> import numpy as np
>>> from redlib.propositions.instances import random_continuous_dist
>>> d = random_continuous_dist(np.random.default_rng(0), 0.0, 1.0, kinds=("three-piece",))
>>> d.support
(0.0, 1.0)
"""
from __future__ import annotations

import numpy as np
import scipy.stats
from scipy.optimize import brentq

from redlib import Discrete, Group, ShapeWeight, Tabulated, Truncated, Uniform, virtual_value

__all__ = [
    "DIST_KINDS", "decreasing_weight", "describe_side", "one_sided_instance", "random_market",
    "nfl_market", "random_group_dist", "other_groups", "with_masses", "random_objects",
    "table_weight", "random_group_for_full_random", "multimodal_dist", "three_piece_dist",
    "random_continuous_dist", "random_weight",
]

#: kinds of continuous distributions drawn by :func:`random_continuous_dist`
DIST_KINDS = ("uniform", "normal", "multimodal", "three-piece")


def multimodal_dist(rng, lo, hi):
    """Piecewise-linear density with two or three bumps on ``[lo, hi]`` (non-regular).

    Parameters
    ----------
    rng : numpy.random.Generator
    lo, hi : float
        Support.

    Returns
    -------
    Tabulated

    Examples
    --------
    >>> multimodal_dist(np.random.default_rng(1), 0.0, 2.0).support
    (0.0, 2.0)
    """
    k = int(rng.integers(2, 4))
    x = np.linspace(lo, hi, 41)
    centers = rng.uniform(lo, hi, size=k)
    widths = rng.uniform(0.04, 0.15, size=k) * (hi - lo)
    f = 0.03 + sum(np.exp(-0.5 * ((x - c) / w) ** 2) for c, w in zip(centers, widths))
    return Tabulated(x, f)


def three_piece_dist(rng, lo, hi):
    """Density high -- low (a deep gap) -- high on ``[lo, hi]``: the standard non-regular case.

    Parameters
    ----------
    rng : numpy.random.Generator
    lo, hi : float
        Support.

    Returns
    -------
    Tabulated

    Examples
    --------
    >>> float(three_piece_dist(np.random.default_rng(2), 0.0, 1.0).cdf(1.0))
    1.0
    """
    while True:
        a, b = np.sort(rng.uniform(0.1, 0.9, size=2))
        if b - a >= 0.2:
            break
    w = hi - lo
    eps = 0.01 * w
    depth = float(rng.uniform(0.01, 0.2))
    x = [lo, lo + a * w, lo + a * w + eps, lo + b * w - eps, lo + b * w, hi]
    return Tabulated(x, [1.0, 1.0, depth, depth, 1.0, 1.0])


def random_continuous_dist(rng, lo, hi, kinds=DIST_KINDS):
    """A continuous distribution on ``[lo, hi]`` of a random kind among ``kinds``.

    Parameters
    ----------
    rng : numpy.random.Generator
    lo, hi : float
        Support.
    kinds : sequence of str, default :data:`DIST_KINDS`
        Among ``"uniform"``, ``"normal"`` (truncated), ``"multimodal"``, ``"three-piece"``.

    Returns
    -------
    ContinuousDistribution

    Examples
    --------
    >>> random_continuous_dist(np.random.default_rng(0), 0.0, 1.0, kinds=("uniform",))
    Uniform(lo=0.0, hi=1.0)
    """
    kind = kinds[int(rng.integers(len(kinds)))]
    if kind not in DIST_KINDS:
        raise ValueError(f"kinds must be among {DIST_KINDS}, got {kind!r}")
    if kind == "uniform":
        return Uniform(lo, hi)
    if kind == "normal":
        return Truncated(scipy.stats.norm(float(rng.uniform(lo, hi)),
                                          float(rng.uniform(0.2, 1.0)) * (hi - lo)), lo, hi)
    if kind == "multimodal":
        return multimodal_dist(rng, lo, hi)
    return three_piece_dist(rng, lo, hi)


def random_weight(rng, lo, hi, Lam, monotone=True):
    """A Pareto weight on ``[lo, hi]``: non-increasing, or (``monotone=False``) any of six shapes.

    Parameters
    ----------
    rng : numpy.random.Generator
    lo, hi : float
        Support.
    Lam : float
        Average weight under the uniform distribution on ``[lo, hi]``.
    monotone : bool, default True
        Only non-increasing shapes; otherwise also a hump and a rising weight.

    Returns
    -------
    ShapeWeight

    Examples
    --------
    >>> w = random_weight(np.random.default_rng(0), 0.0, 1.0, 1.0)
    >>> bool(w(0.0) >= w(1.0))
    True
    """
    shapes = ["exp", "power", "logistic", "const"] + ([] if monotone else ["hump", "rising"])
    shape = shapes[int(rng.integers(len(shapes)))]
    if shape == "hump":
        return ShapeWeight("hump", (float(rng.uniform(0.1, 1)), float(rng.uniform(0, 1)),
                                    float(rng.uniform(0.05, 0.3))), lo, hi, Lam)
    if shape == "rising":
        return ShapeWeight("rising", -float(rng.uniform(0.5, 6)), lo, hi, Lam)
    if shape == "const":
        return ShapeWeight("const", 0.0, lo, hi, Lam)
    return decreasing_weight(rng, lo, hi, Lam, float(rng.uniform(1, 8)), shapes=(shape,))


def decreasing_weight(rng, lo, hi, Lam, ratio, shapes=("exp", "power", "logistic")):
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
        return ShapeWeight("logistic", (c, tau), 0.0, 1.0, 1.0).ratio() - ratio

    if g(0.01) > 0 > g(3.0):
        c = brentq(g, 0.01, 3.0)
        return ShapeWeight("logistic", (c, tau), lo, hi, Lam)
    return decreasing_weight(rng, lo, hi, Lam, ratio, shapes=("exp", "power"))


def describe_side(dist, w):
    """One-line description of a side: distribution and weight.

    Parameters
    ----------
    dist : Distribution
    w : callable or float

    Returns
    -------
    str

    Examples
    --------
    >>> describe_side(Uniform(0, 1), 2.0)
    'Uniform(lo=0.0, hi=1.0) with lam = 2.0'
    """
    return f"{dist!r} with lam = {getattr(w, '__name__', w)}"


def one_sided_instance(rng, side, high, n):
    """Uniform side on [lo, hi] with a non-increasing weight; same-side inequality low or high."""
    lo = float(rng.choice([0.0, rng.uniform(0.0, 1.0)]))
    hi = lo + float(rng.uniform(0.5, 2.0))
    Lam = float(rng.uniform(0.5, 3.0))
    ratio = float(rng.uniform(2.5, 8.0) if high else rng.uniform(1.0, 1.8))
    w = decreasing_weight(rng, lo, hi, Lam, ratio)
    return Uniform(lo, hi), w


def random_market(rng, n_max_discrete=8):
    """Arbitrary market: each side discrete, uniform, truncated normal, multi-modal or three-piece
    (non-regular), with any weight (monotone or not); random buyer mass.

    Parameters
    ----------
    rng : numpy.random.Generator
    n_max_discrete : int, default 8
        Most types of a discrete side.

    Returns
    -------
    tuple
        ``(sellers_dist, lam_S, buyers_dist, lam_B, mu)``.

    Examples
    --------
    >>> sd, wS, bd, wB, mu = random_market(np.random.default_rng(0))
    >>> mu > 0
    True
    """
    def side():
        kind = rng.integers(5)
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
        elif kind == 2:
            d = Truncated(scipy.stats.norm(float(rng.uniform(lo, hi)), float(rng.uniform(0.1, 1.0))), lo, hi)
        else:
            d = random_continuous_dist(rng, lo, hi, kinds=("multimodal", "three-piece"))
        shape = ["exp", "power", "logistic", "hump", "rising"][int(rng.integers(5))]
        if shape == "hump":
            w = ShapeWeight("hump", (float(rng.uniform(0.1, 1)), float(rng.uniform(0, 1)),
                                     float(rng.uniform(0.05, 0.3))), lo, hi, float(rng.uniform(0.3, 3)))
        elif shape == "rising":
            w = ShapeWeight("rising", -float(rng.uniform(0.5, 6)), lo, hi, float(rng.uniform(0.3, 3)))
        else:
            w = decreasing_weight(rng, lo, hi, float(rng.uniform(0.3, 3)), float(rng.uniform(1, 8)),
                                   shapes=(shape,))
        return d, w

    sd, wS = side()
    bd, wB = side()
    mu = float(rng.uniform(0.2, 3.0))
    return sd, wS, bd, wB, mu


def nfl_market(rng):
    """Market whose two sides share one support ``[lo, hi]`` (as in the slides' NFL assumption):
    discrete, uniform, truncated normal or non-regular sides, any weights.

    Parameters
    ----------
    rng : numpy.random.Generator

    Returns
    -------
    tuple
        ``(sellers_dist, lam_S, buyers_dist, lam_B, mu)``.

    Examples
    --------
    >>> sd, wS, bd, wB, mu = nfl_market(np.random.default_rng(0))
    >>> sd.support == bd.support
    True
    """
    lo = float(rng.choice([0.0, rng.uniform(0.0, 1.0)]))
    hi = lo + float(rng.uniform(0.5, 1.5))

    def side():
        kind = rng.integers(3)
        if kind == 0:
            k = int(rng.integers(3, 9))
            inner = np.sort(rng.uniform(lo, hi, size=k - 2))
            vals = np.unique(np.round(np.concatenate(([lo], inner, [hi])), 6))
            d = Discrete(vals, rng.dirichlet(np.ones(len(vals))))
            return d, table_weight(vals, rng.uniform(0.1, 4.0, size=len(vals)))
        d = Uniform(lo, hi) if kind == 1 else random_continuous_dist(
            rng, lo, hi, kinds=("normal", "multimodal", "three-piece"))
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
            w = decreasing_weight(rng, lo, hi, Lam, float(rng.uniform(1, 8)), shapes=(shape,))
        return d, w

    sd, wS = side()
    bd, wB = side()
    return sd, wS, bd, wB, float(rng.uniform(0.2, 3.0))


def random_group_dist(rng, lo, hi):
    """Distribution of a group: uniform (40%), truncated normal, multi-modal or three-piece.

    Parameters
    ----------
    rng : numpy.random.Generator
    lo, hi : float
        Support.

    Returns
    -------
    ContinuousDistribution

    Examples
    --------
    >>> random_group_dist(np.random.default_rng(0), 0.5, 1.5).support
    (0.5, 1.5)
    """
    if rng.random() < 0.4:
        return Uniform(lo, hi)
    return random_continuous_dist(rng, lo, hi, kinds=("normal", "multimodal", "three-piece"))


def other_groups(rng, k):
    out = []
    for j in range(k):
        lo = float(rng.choice([0.0, rng.uniform(0.0, 1.0)]))
        hi = lo + float(rng.uniform(0.3, 1.5))
        w = decreasing_weight(rng, lo, hi, float(rng.uniform(0.3, 3.0)), float(rng.uniform(1.0, 5.0)))
        out.append(Group(f"other{j + 1}", random_group_dist(rng, lo, hi), w))
    return out


def with_masses(rng, groups):
    m = rng.dirichlet(np.full(len(groups), 2.0))
    m = np.maximum(m, 0.05)
    m = m / m.sum()
    m[-1] = 1.0 - m[:-1].sum()
    return [Group(G.label, G.dist, G.weight, float(mi)) for G, mi in zip(groups, m)]


def random_objects(rng):
    if rng.random() < 0.7:
        return Uniform(0.0, 1.0)
    k = int(rng.integers(3, 8))
    q = np.sort(rng.choice(np.arange(0, 101), size=k, replace=False)) / 100.0
    return Discrete(q, rng.dirichlet(np.ones(k)))


def table_weight(vals, lamv):
    table = dict(zip(np.asarray(vals, float).tolist(), np.asarray(lamv, float).tolist()))

    def w(r):
        r = np.asarray(r, dtype=float)
        return np.vectorize(lambda x: table.get(float(x), float(np.mean(lamv))), otypes=[float])(r)

    w.__name__ = "table(" + ", ".join(f"{v:.2f}:{l:.2f}" for v, l in table.items()) + ")"
    return w


def random_group_for_full_random(rng, label, n_try=30):
    """Uniform [lo, hi] group with lo > 0, non-increasing lam, lambar > alpha-to-be-chosen later."""
    lo = float(rng.uniform(0.3, 1.0))
    hi = lo + float(rng.uniform(0.2, 0.8))
    w = decreasing_weight(rng, lo, hi, float(rng.uniform(1.0, 4.0)), float(rng.uniform(1.0, 3.0)))
    return Group(label, Uniform(lo, hi), w)

