"""Figures for Chapter 1, *The model*.

Every function here only draws: it takes distributions, weights and solver results that were
computed elsewhere (with :mod:`redlib.weights` and :mod:`redlib.market`) and returns a new
:class:`matplotlib.figure.Figure`. Nothing here solves an optimisation problem.

Functions
---------
plot_market
    Supply and demand in rate-of-substitution units, the competitive price and the two
    surplus regions.
plot_induced_weights
    How a joint distribution of ``(v^K, v^M)`` induces the distribution ``G_j`` of the rate of
    substitution ``r = v^K / v^M`` and the Pareto weight ``lam_j(r) = E[v^M | r]``.
plot_same_side
    The normalised weight ``lam_j(r) / Lam_j`` against the threshold 2 that separates low from
    high same-side inequality.
plot_thought_experiment
    As sellers get poorer the competitive price falls while their average weight rises.
"""
from __future__ import annotations


import matplotlib.pyplot as plt
import numpy as np

__all__ = [
    "plot_market",
    "plot_induced_weights",
    "plot_same_side",
    "plot_thought_experiment",
]

from matplotlib.colors import LinearSegmentedColormap
from matplotlib.ticker import FixedLocator, NullLocator

from ..distributions import check_distribution
from ..weights import average_weight, evaluate_weight
from .._validation import (check_finite, check_finite_array, check_in,
                           check_int, check_positive, check_same_shape)
from . import layout, style


def _side_colors():
    """Sellers vermillion, buyers blue (Okabe-Ito, from :mod:`redlib.plotting.style`)."""
    return {"S": style.COLOR["vermillion"], "B": style.COLOR["blue"]}


def _check_array(values, name, min_len=2):
    return check_finite_array(name, values, ndim=1, min_size=min_len)


def _support(dist, name):
    """(lo, hi) of a redlib distribution, validated to be finite."""
    check_distribution(name, dist)
    lo, hi = float(dist.lo), float(dist.hi)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"{name} must have a finite support lo < hi, got ({lo}, {hi})")
    return lo, hi


def _weight_values(weight, r, name):
    """Evaluate a Pareto weight (callable or constant) on the grid ``r``, validated."""
    return np.asarray(evaluate_weight(weight, r, name=name), dtype=float)


def _new_axes(ax, ncols=1, figsize=(6.0, 4.0)):
    if ax is None:
        fig, axes = plt.subplots(1, ncols, figsize=figsize, constrained_layout=True)
        return fig, np.atleast_1d(axes)
    axes = np.atleast_1d(ax)
    if axes.size != ncols:
        raise ValueError(f"ax must hold {ncols} axes, got {axes.size}")
    return axes[0].figure, axes


def plot_market(sellers, buyers, buyer_mass=1.0, price=None, *, r_max=None, ax=None,
                title=None, shade=True, legend="auto"):
    """Supply and demand of the good, with the competitive price and the gains from trade.

    Quantities are on the horizontal axis and prices (in units of the rate of substitution
    ``r``) on the vertical axis. At price ``p`` the sellers with ``r <= p`` sell, a mass
    ``G_S(p)``, and the buyers with ``r >= p`` buy, a mass ``mu (1 - G_B(p))``.

    Parameters
    ----------
    sellers, buyers : Distribution
        Distributions ``G_S`` and ``G_B`` of the rate of substitution on each side (any redlib
        distribution, e.g. the ``.dist`` of :func:`redlib.weights_from_joint`).
    buyer_mass : float, default 1.0
        Mass ``mu`` of buyers (sellers have unit mass).
    price : float, optional
        A price to mark, typically the competitive price. When given and ``shade`` is true the
        sellers' and buyers' gains from trade at that price are shaded.
    r_max : float, optional
        Upper limit of the price axis. Default: the larger of the two 97th percentiles, so that
        long right tails do not squash the picture.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is created when omitted.
    title : str, optional
        Axes title.
    shade : bool, default True
        Shade the surplus regions at ``price``.
    legend : {"auto", "outside", "below", "inside", "none"}, default "auto"
        Where to put the legend: "outside" is right of the axes, "below" under them (two
        columns; for a narrow panel); "auto" is "outside" for a new figure and "inside" when
        drawing on a given ``ax``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from redlib import Uniform
    >>> fig = plot_market(Uniform(0, 1), Uniform(0, 1), buyer_mass=1.0, price=0.5)
    >>> len(fig.axes)
    1
    """
    mu = check_positive("buyer_mass", buyer_mass)
    loS, hiS = _support(sellers, "sellers")
    loB, hiB = _support(buyers, "buyers")
    if r_max is None:
        r_max = max(float(sellers.quantile(0.97)), float(buyers.quantile(0.97)))
    r_max = check_positive("r_max", r_max)
    if price is not None:
        price = check_finite("price", price)
    check_in("legend", legend, ("auto", "outside", "below", "inside", "none"))
    if legend == "auto":
        legend = "outside" if ax is None else "inside"
    col = _side_colors()
    fig, (ax,) = _new_axes(ax, figsize=(8.0, 4.5) if legend == "outside" else (6.0, 4.5))
    lo = min(loS, loB, 0.0)
    y = np.linspace(lo, r_max, 600)
    supply = np.asarray(sellers.cdf(y), dtype=float)
    demand = mu * (1.0 - np.asarray(buyers.cdf(y), dtype=float))
    ax.plot(supply, y, color=col["S"], lw=2, label=r"supply $G_S(p)$")
    ax.plot(demand, y, color=col["B"], lw=2, label=r"demand $\mu\,(1-G_B(p))$")
    if price is not None:
        Q = float(sellers.cdf(price))
        ax.axhline(price, color="0.3", lw=1, ls="--")
        ax.plot([Q], [price], "o", color="k", zorder=5, label=rf"$p={price:.3g}$, $Q={Q:.3g}$")
        if shade:
            ys = np.linspace(lo, price, 300)
            ax.fill_betweenx(ys, np.asarray(sellers.cdf(ys), float), Q, color=col["S"], alpha=0.25,
                             lw=0, label="sellers' gains")
            yb = np.linspace(price, max(r_max, price), 300)
            ax.fill_betweenx(yb, 0.0, mu * (1.0 - np.asarray(buyers.cdf(yb), float)), color=col["B"],
                             alpha=0.25, lw=0, label="buyers' gains")
    ax.set_xlim(0, max(1.0, mu) * 1.02)
    ax.set_ylim(lo, r_max)
    ax.set_xlabel("quantity")
    ax.set_ylabel(r"price $p$ (units of $r = v^K/v^M$)")
    if title:
        ax.set_title(title)
    if legend == "outside":
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    elif legend == "below":
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, frameon=False)
    elif legend == "inside":
        ax.legend(loc="upper center", frameon=True, framealpha=0.9, edgecolor="none")
    return fig


def plot_induced_weights(joints, induced, *, labels=("sellers", "buyers"), rays=(0.5, 1.0, 2.0),
                         r_max=None, n=200):
    """How a joint density of ``(v^K, v^M)`` induces ``G_j`` and ``lam_j``.

    One panel per side shows the joint density (``v^M`` on a log axis, shaded by the mass per
    unit of ``log v^M``) and a few rays ``v^K = r v^M``: the agents on a ray all have the same
    rate of substitution ``r``, and ``lam(r)`` is the average of ``v^M`` along the ray weighted
    by the density times ``v^M``. Two further panels show the cdfs ``G_j`` of ``r`` and the weights
    ``lam_j(r)`` with the average weight ``Lam_j`` (dashed) and the threshold ``2 Lam_j`` (dotted).
    With two sides the four panels are laid out on a 2 x 2 grid.

    Parameters
    ----------
    joints : sequence of (pdf, vK_bounds, vM_bounds)
        For each side, the joint density ``pdf(vK, vM)`` (vectorized) and its rectangle, as
        passed to :func:`redlib.weights_from_joint`.
    induced : sequence
        For each side, the result of :func:`redlib.weights_from_joint` (``.dist``, ``.lam`` and,
        if present, ``.Lam``).
    labels : sequence of str, default ("sellers", "buyers")
        Side names; a name starting with "s" (resp. "b") gets the seller (buyer) colour and the
        subscript S (B).
    rays : sequence of float, default (0.5, 1.0, 2.0)
        Rates of substitution drawn as rays on the density panels.
    r_max : float, optional
        Upper end of the ``r`` axis; default the largest 97th percentile of the ``G_j``.
    n : int, default 200
        Grid size per axis for the density images.

    Returns
    -------
    matplotlib.figure.Figure
        Axes in order: one density panel per side, then the cdf panel, then the weight panel.

    Examples
    --------
    >>> import numpy as np, redlib
    >>> pdf = lambda vK, vM: np.ones(np.broadcast(vK, vM).shape)
    >>> w = redlib.weights_from_joint(pdf, (0, 1), (1, 2))
    >>> fig = plot_induced_weights([(pdf, (0, 1), (1, 2))], [w], labels=["sellers"])
    >>> len(fig.axes)
    3
    """
    joints, induced, labels = list(joints), list(induced), list(labels)
    if not joints or len(joints) != len(induced):
        raise ValueError(f"joints and induced must be non-empty and of equal length, got "
                         f"{len(joints)} and {len(induced)}")
    if len(labels) < len(joints):
        raise ValueError(f"labels must name every side: {len(labels)} labels for {len(joints)} sides")
    check_int("n", n, minimum=10)
    for k, w in enumerate(induced):
        if not (hasattr(w, "dist") and hasattr(w, "lam")):
            raise ValueError(f"induced[{k}] must have .dist and .lam (a weights_from_joint result)")
    sc = _side_colors()
    palette = style.COLORS
    nside = len(joints)

    def color(k):
        lab = str(labels[k]).lower()
        if lab.startswith("s"):
            return sc["S"]
        if lab.startswith("b"):
            return sc["B"]
        return palette[k % len(palette)]

    def sub(k):
        return str(labels[k])[:1].upper() or str(k)

    if r_max is None:
        r_max = max(float(w.dist.quantile(0.97)) for w in induced)
    r_max = check_positive("r_max", r_max)
    if nside == 2:
        fig, grid = plt.subplots(2, 2, figsize=(10.0, 7.6), constrained_layout=True)
        ax_joint, ax_G, ax_lam = list(grid[0]), grid[1, 0], grid[1, 1]
    else:
        fig, grid = plt.subplots(1, nside + 2, figsize=(4.2 * (nside + 2), 4.0),
                                 constrained_layout=True)
        grid = list(np.atleast_1d(grid))
        ax_joint, ax_G, ax_lam = grid[:nside], grid[nside], grid[nside + 1]
    letters = "abcdefgh"

    for k, (pdf, (k_lo, k_hi), (m_lo, m_hi)) in enumerate(joints):
        if not (m_lo > 0 and m_hi > m_lo and k_hi > k_lo):
            raise ValueError(f"joints[{k}] bounds must satisfy vK_lo < vK_hi and 0 < vM_lo < vM_hi, "
                             f"got ({k_lo}, {k_hi}), ({m_lo}, {m_hi})")
        vm = np.geomspace(m_lo, m_hi, n)
        vk = np.linspace(k_lo, k_hi, n)
        VK, VM = np.meshgrid(vk, vm, indexing="xy")
        dens = np.asarray(pdf(VK, VM), dtype=float) * VM  # mass per unit of log v^M
        ax = ax_joint[k]
        cmap = LinearSegmentedColormap.from_list(f"side{k}", ["#FFFFFF", color(k)])
        ax.pcolormesh(VM, VK, dens, shading="auto", cmap=cmap, rasterized=True)
        for j, r in enumerate(rays):
            m = np.geomspace(m_lo, m_hi, 400)
            ok = (r * m >= k_lo) & (r * m <= k_hi)
            ax.plot(m[ok], r * m[ok], color="k", lw=1.2, ls=["-", "--", ":"][j % 3])
            if ok.any():  # labelled where it leaves the panel (a legend would cover the rays)
                top = r * m_hi > k_hi  # through the top edge, else through the right edge
                x, y = (k_hi / r, k_hi) if top else (m_hi, r * m_hi)
                ax.annotate(f"$r={r:g}$", (x, y), xytext=(4, -2) if top else (-3, 3),
                            textcoords="offset points", ha="left" if top else "right",
                            va="top" if top else "bottom")
        ax.set_xscale("log")
        ticks = [t for e in range(-6, 7) for t in (10.0 ** e, 3 * 10.0 ** e) if m_lo <= t <= m_hi]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xticklabels([f"{t:g}" for t in ticks])
        ax.set_xlim(m_lo, m_hi)
        ax.set_ylim(k_lo, k_hi)
        ax.set_xlabel(r"value for money $v^M$ (log scale)")
        ax.set_ylabel(r"value for the good $v^K$")
        ax.set_title(f"({letters[k]}) joint density, {labels[k]}")
        ax.grid(False)

    r = np.linspace(0.0, r_max, 400)
    for k, w in enumerate(induced):
        lo, hi = _support(w.dist, f"induced[{k}].dist")
        rr = r[(r >= lo) & (r <= hi)]
        j = sub(k)
        ax_G.plot(rr, w.dist.cdf(rr), color=color(k), lw=2, label=rf"$G_{j}$ ({labels[k]})")
        lam = _weight_values(w.lam, rr, f"induced[{k}].lam")
        Lam = float(w.Lam) if hasattr(w, "Lam") else float(average_weight(w.lam, w.dist))
        ax_lam.plot(rr, lam, color=color(k), lw=2, label=rf"$\lambda_{j}(r)$")
        ax_lam.axhline(Lam, color=color(k), ls="--", lw=1.2, label=rf"$\Lambda_{j}={Lam:.2f}$")
        ax_lam.axhline(2 * Lam, color=color(k), ls=":", lw=1.2, label=rf"$2\Lambda_{j}$")
    ax_G.set_xlim(0, r_max)
    ax_G.set_ylim(0, 1.02)
    ax_G.set_xlabel(r"rate of substitution $r$")
    ax_G.set_ylabel("cdf")
    ax_G.set_title(rf"({letters[nside]}) induced distributions $G_j$")
    ax_G.legend(frameon=False, loc="lower right")
    ax_lam.set_xlim(0, r_max)
    ax_lam.set_ylim(bottom=0)
    ax_lam.set_xlabel(r"rate of substitution $r$")
    ax_lam.set_ylabel(r"$\lambda_j(r) = E[v^M \mid r]$")
    ax_lam.set_title(rf"({letters[nside + 1]}) induced Pareto weights $\lambda_j$")
    ax_lam.legend(frameon=False, ncol=2, loc="upper right")
    return fig


def plot_same_side(r, lam_over_Lam, sigmas, ratios, sigma, *, threshold=2.0, label="sellers", fig=None):
    """Same-side inequality: ``lam_j(r)/Lam_j`` and the extreme ratio against dispersion.

    Parameters
    ----------
    r : array_like
        Grid of rates of substitution (increasing).
    lam_over_Lam : array_like
        ``lam_j(r) / Lam_j`` on ``r`` for the current dispersion ``sigma``.
    sigmas : array_like
        Grid of dispersions (e.g. the standard deviation of log wealth), increasing.
    ratios : array_like
        ``lam_j(r_j) / Lam_j`` (weight of the extreme type over the average) for each ``sigmas``.
    sigma : float
        Current dispersion, marked on the right panel.
    threshold : float, default 2.0
        The low/high boundary: same-side inequality is high when the ratio exceeds it.
    label : str, default "sellers"
        Side name used in the titles.

    fig : matplotlib.figure.Figure, optional
        A figure this function made before: redrawn in place, keeping its axes and layout
        (see :mod:`redlib.plotting.layout`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> fig = plot_same_side(np.linspace(0, 1, 5), np.linspace(1.5, 0.5, 5), [0.5, 1.0],
    ...                      [1.3, 2.4], 0.5)
    >>> len(fig.axes)
    2
    """
    r = _check_array(r, "r")
    y = _check_array(lam_over_Lam, "lam_over_Lam")
    check_same_shape("r", r, "lam_over_Lam", y)
    if np.any(np.diff(r) <= 0):
        raise ValueError("r must be strictly increasing")
    s = _check_array(sigmas, "sigmas")
    q = _check_array(ratios, "ratios")
    check_same_shape("sigmas", s, "ratios", q)
    sigma = check_positive("sigma", sigma)
    threshold = check_positive("threshold", threshold)
    col = _side_colors()["S" if str(label).lower().startswith("s") else "B"]
    fig, axes = layout.subplots(fig, 1, 2, figsize=(10.0, 4.2))
    axes = axes[0]
    ax = axes[0]
    ax.plot(r, y, color=col, lw=2, label=rf"$\lambda(r)/\Lambda$, $\sigma={sigma:.2f}$")
    ax.axhline(1.0, color="0.4", ls="--", lw=1, label=r"$\Lambda/\Lambda=1$")
    ax.axhline(threshold, color="k", ls=":", lw=1.2, label=f"threshold {threshold:g}")
    high = y[0] > threshold
    ax.plot([r[0]], [y[0]], "o", color=col, ms=7)
    ax.set_ylim(0, max(threshold, float(y.max())) * 1.15)
    ax.set_xlim(r[0], r[-1])
    ax.set_xlabel(r"rate of substitution $r$")
    ax.set_ylabel(r"$\lambda(r)\,/\,\Lambda$")
    ax.set_title(f"(a) {label}: same-side inequality is {'HIGH' if high else 'low'}")
    ax.legend(frameon=False, loc="upper right")
    ax = axes[1]
    ax.plot(s, q, color=col, lw=2, label=r"$\lambda(r_j)/\Lambda$")
    ax.axhline(threshold, color="k", ls=":", lw=1.2)
    ax.fill_between(s, threshold, np.maximum(q, threshold), color=col, alpha=0.15, lw=0,
                    label="high same-side inequality")
    ax.plot([sigma], [np.interp(sigma, s, q)], "o", color="k", zorder=5)
    ax.axvline(sigma, color="0.5", lw=0.8)
    ax.set_xlabel(r"dispersion of log wealth $\sigma$")
    ax.set_ylabel(r"$\lambda(r_j)\,/\,\Lambda$")
    ax.set_title(f"(b) {label}: weight of the extreme type")
    ax.legend(frameon=False, loc="upper left")
    return fig


def plot_thought_experiment(wealth, prices, Lam_ratios, current, *, sellers=None, buyers=None,
                            buyer_mass=1.0, r_max=None, xlabel=r"sellers' median wealth $m_S$",
                            name=r"$m_S$", fig=None):
    """As sellers get poorer, the competitive price falls while their weight rises.

    Parameters
    ----------
    wealth : array_like
        Increasing, positive grid of the sellers' wealth parameter (e.g. their median wealth).
    prices : array_like
        Competitive price at each point of ``wealth``.
    Lam_ratios : array_like
        ``Lam_S / Lam_B`` at each point of ``wealth``.
    current : float
        Current value of the wealth parameter, marked on the price and weight panels.
    sellers, buyers : Distribution, optional
        ``G_S`` and ``G_B`` at ``current``; when both are given, a first panel draws the market
        (:func:`plot_market`) at the price interpolated from ``prices``.
    buyer_mass : float, default 1.0
        Mass ``mu`` of buyers, used for the market panel.
    r_max : float, optional
        Price-axis limit of the market panel.
    xlabel : str, optional
        Label of the wealth axis.
    name : str, default "$m_S$"
        Short name of the wealth parameter, used in the market panel's title.

    fig : matplotlib.figure.Figure, optional
        A figure this function made before: redrawn in place, keeping its axes and layout
        (see :mod:`redlib.plotting.layout`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_thought_experiment([0.5, 1, 2], [0.3, 0.45, 0.6], [2.0, 1.0, 0.5], 1.0)
    >>> len(fig.axes)
    2
    """
    c = _check_array(wealth, "wealth")
    p = _check_array(prices, "prices")
    L = _check_array(Lam_ratios, "Lam_ratios")
    check_same_shape("wealth", c, "prices", p)
    check_same_shape("wealth", c, "Lam_ratios", L)
    if np.any(c <= 0) or np.any(np.diff(c) <= 0):
        raise ValueError("wealth must be positive and strictly increasing")
    if np.any(L <= 0):
        raise ValueError("Lam_ratios must be > 0")
    current = check_positive("current", current)
    col = _side_colors()
    with_market = sellers is not None and buyers is not None
    p_now = float(np.interp(np.log(current), np.log(c), p))
    L_now = float(np.interp(np.log(current), np.log(c), L))
    if with_market:
        if fig is None:
            fig = layout.figure(figsize=(10.0, 6.4))
            gs = fig.add_gridspec(2, 2, width_ratios=(1.0, 1.0))
            fig.add_subplot(gs[:, 0]), fig.add_subplot(gs[0, 1]), fig.add_subplot(gs[1, 1])
        else:
            layout.clear_data(fig)
        ax_m, ax_p, ax_L = fig.axes[:3]
        plot_market(sellers, buyers, buyer_mass, p_now, ax=ax_m, r_max=r_max,
                    title=f"(a) the market at {name} = {current:.3g}", legend="below")
        names = "bc"
    else:
        fig, axes = layout.subplots(fig, 1, 2, figsize=(10.0, 4.0))
        ax_p, ax_L = axes[0]
        names = "ab"

    def wealth_axis(ax):
        ax.set_xscale("log")
        _log_ticks(ax.xaxis, c, _fraction_label)
        ax.set_xlim(c[0] / 1.08, c[-1] * 1.08)

    ax_p.plot(c, p, color="k", lw=2)
    ax_p.plot([current], [p_now], "o", color=col["S"], ms=9, zorder=5)
    ax_p.axvline(current, color="0.6", lw=0.8)
    wealth_axis(ax_p)
    ax_p.set_xlabel(xlabel + " (log scale)")
    ax_p.set_ylabel(r"$p^{CE}$")
    ax_p.set_title(f"({names[0]}) poorer sellers, lower price")
    ax_L.plot(c, L, color=col["S"], lw=2)
    ax_L.axhline(1.0, color="0.5", ls="--", lw=1)
    ax_L.plot([current], [L_now], "o", color=col["S"], ms=9, zorder=5)
    ax_L.axvline(current, color="0.6", lw=0.8)
    wealth_axis(ax_L)
    ax_L.set_yscale("log")
    _log_ticks(ax_L.yaxis, L, lambda t: f"{t:g}")
    ax_L.set_xlabel(xlabel + " (log scale)")
    ax_L.set_ylabel(r"$\Lambda_S / \Lambda_B$ (log scale)")
    ax_L.set_title(f"({names[1]}) …but their dollars count more")
    return fig


def _nice_log_ticks(values):
    """Powers of 2 (as 1/8, 1/4, ..., 1, 2, 4, ...) covering the range of ``values``."""
    lo, hi = float(np.min(values)), float(np.max(values))
    k_lo, k_hi = int(np.ceil(np.log2(lo) - 1e-9)), int(np.floor(np.log2(hi) + 1e-9))
    ticks = [2.0 ** k for k in range(k_lo, k_hi + 1)]
    return ticks if len(ticks) >= 2 else [lo, hi]


def _log_ticks(axis, values, label):
    """Put fixed :func:`_nice_log_ticks` ticks, labelled ``label(t)``, on a log-scale ``axis``."""
    ticks = _nice_log_ticks(values)
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_minor_locator(NullLocator())
    axis.set_ticklabels([label(t) for t in ticks])
    return ticks


def _fraction_label(t):
    """1/8 for 0.125, 2 for 2.0, else a short decimal."""
    if t < 1 and abs(1 / t - round(1 / t)) < 1e-9:
        return f"1/{int(round(1 / t))}"
    return f"{t:g}"
