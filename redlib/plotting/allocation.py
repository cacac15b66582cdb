"""Figures for Chapter 4, *Labels and quality* (Akbarpour, Dworczak and Kominers, 2024).

Every function here only draws: it takes an :class:`redlib.allocation.AllocationResult` computed
by :func:`redlib.optimal_allocation` and returns a new :class:`matplotlib.figure.Figure` (or draws
on the axes it is given).  Nothing here solves an optimisation problem.

Functions
---------
plot_psi
    One panel per group: the function ``Psi_i(t)`` on the quantile axis ``t = G_i(r)``, the
    essential-good atom at ``t = 0`` and the upper concave closure; pooled quantile intervals are
    shaded by kind (random, free, excluded).  The slides' "Group 1--4" panels.
plot_quality_split
    How the supply of qualities ``F`` is split across the groups (the ``F_i^*``), and what is
    left unallocated.
plot_schedules
    Expected quality ``Q_i(r)`` and payment ``T_i(r)`` of every type, one curve per group.
plot_allocation
    All of the above in one figure (the ``draw`` of an ``alpha`` slider).
region_blocks
    The pooled/assortative blocks of a group on the quantile axis (used by :func:`plot_psi`).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .._validation import check_in, check_instance, check_one_per
from ..allocation import AllocationResult
from . import layout, style

__all__ = ["plot_psi", "plot_quality_split", "plot_schedules", "plot_allocation", "region_blocks",
           "essential_atom", "REGION_STYLE"]

#: Fill colour and label of each region kind (Okabe--Ito).
REGION_STYLE = {
    "random": (style.COLOR["orange"], "random (pooled)"),
    "free": (style.COLOR["bluish_green"], "free tier (T = 0)"),
    "excluded": ("0.75", "excluded (nothing)"),
}


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------
def _check_result(result, name="result"):
    return check_instance(name, result, AllocationResult,
                          "an AllocationResult (from redlib.optimal_allocation)")


def _labels(result, labels):
    """Check ``result`` and return the labels of the groups to draw (default all)."""
    _check_result(result)
    if labels is None:
        return list(result.labels)
    if isinstance(labels, str):
        labels = [labels]
    labels = list(labels)
    if len(labels) == 0:
        raise ValueError("labels must name at least one group, got an empty list")
    for lab in labels:
        check_in("labels", lab, list(result.labels))
    return labels


def _group_colors(result):
    """One palette colour per group, in input order (stable across figures)."""
    return {lab: style.color(k) for k, lab in enumerate(result.labels)}


def _axes(ax, n, ncols=None, panel_size=(3.4, 3.0), sharey=False, fig=None):
    """``n`` axes: the given ones (validated), those of ``fig`` (cleared) or a new figure laid
    out in ``ncols`` columns."""
    if ax is None and fig is not None:
        layout.clear_data(fig)
        return fig, [a for a in fig.axes if a.get_visible()][:n]
    if ax is not None:
        axes = np.atleast_1d(ax).ravel()
        if axes.size != n:
            raise ValueError(f"ax must hold {n} axes, got {axes.size}")
        return axes[0].figure, list(axes)
    ncols = n if ncols is None else max(1, min(int(ncols), n))
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows),
                             squeeze=False, sharey=sharey, constrained_layout=True)
    axes = axes.ravel()
    for extra in axes[n:]:
        extra.set_visible(False)
    return fig, list(axes[:n])


def essential_atom(ga):
    """The essential-good atom ``max(0, lambar_i - alpha) * r_lo_i`` of a group.

    Parameters
    ----------
    ga : GroupAllocation
        One group of an :class:`~redlib.allocation.AllocationResult`.

    Returns
    -------
    float
        Height of the jump of ``Psi_i`` at ``t = 0`` (0 unless the good is essential for the
        group and ``lambar_i > alpha``).

    Examples
    --------
    >>> from redlib import Group, Uniform, Discrete, optimal_allocation
    >>> res = optimal_allocation([Group("g", Uniform(1, 2), weight=2.0)], Discrete([1.0]), 1.0,
    ...                          grid_size=10)
    >>> round(essential_atom(res["g"]), 3)
    1.05
    """
    return float(max(0.0, ga.lambda_bar - ga.alpha) * ga.types[0])


def region_blocks(ga):
    """Blocks of a group's types on the quantile axis, with the kind of each.

    A block is a segment of the concave closure of ``Psi_i``: a single type (assortative) or a
    pooled interval of types sharing one lottery.

    Parameters
    ----------
    ga : GroupAllocation
        One group of an :class:`~redlib.allocation.AllocationResult`.

    Returns
    -------
    list of (float, float, str)
        ``(t_lo, t_hi, kind)`` with ``t`` the quantile ``G_i(r)`` and kind one of
        ``"assortative"``, ``"random"``, ``"free"``, ``"excluded"``; consecutive assortative or
        excluded blocks are merged.

    Examples
    --------
    >>> from redlib import Group, Uniform, optimal_allocation
    >>> res = optimal_allocation([Group("g", Uniform(1, 2), weight=3.0)], Uniform(0, 1), 1.0,
    ...                          grid_size=20)
    >>> region_blocks(res["g"])
    [(0.0, 1.0, 'free')]
    """
    # the solver already classifies the blocks (``ga.regions``, on the r axis): map them to t
    t = np.asarray(ga.t, dtype=float)
    first = np.searchsorted(ga.types, [lo for lo, _, _ in ga.regions])
    last = np.searchsorted(ga.types, [hi for _, hi, _ in ga.regions])
    return [(float(t[a]), float(t[b + 1]), kind) for a, b, (_, _, kind) in zip(first, last, ga.regions)]


# ----------------------------------------------------------------------------------------------
# Psi panels
# ----------------------------------------------------------------------------------------------
def plot_psi(result, labels=None, *, ax=None, ncols=None, titles=None, legend=True, fig=None):
    """``Psi_i`` and its concave closure, one panel per group (the slides' "Group 1--4").

    On the quantile axis ``t = G_i(r)``, the solid curve is
    ``Psi_i(t) = int_t^1 V_i(G_i^{-1}(x)) dx`` and the dot at ``t = 0`` adds the essential-good atom
    ``max(0, lambar_i - alpha) r_lo_i``.  The dashed line is the upper concave closure; minus its
    slope is the ironed virtual value.  Where the closure lies above ``Psi_i`` the types are pooled:
    shaded orange (random matching at one expected quality), green (the free bottom tier) or grey
    (excluded: the pool's ironed value is not positive, or the objects ran out).

    Parameters
    ----------
    result : AllocationResult
        Output of :func:`redlib.optimal_allocation`.
    labels : sequence of str, optional
        Groups to draw (default: all, in input order).
    ax : Axes or array of Axes, optional
        One axes per group; a new figure is created when omitted.
    ncols : int, optional
        Columns of the new figure (default: one row).
    titles : sequence of str, optional
        Panel titles (default ``"Group <label>"``).
    legend : bool, default True
        One legend for all panels, below them.

    fig : matplotlib.figure.Figure, optional
        A figure this function made before: redrawn in place, keeping its axes and layout
        (see :mod:`redlib.plotting.layout`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from redlib import Group, Uniform, optimal_allocation
    >>> groups = [Group("poor", Uniform(0.5, 1.5), weight=1.5, mass=0.5),
    ...           Group("rich", Uniform(0, 1), weight=0.5, mass=0.5)]
    >>> fig = plot_psi(optimal_allocation(groups, Uniform(0, 1), 1.0, grid_size=100))
    >>> len(fig.axes)
    2
    """
    labels = _labels(result, labels)
    if titles is not None:
        titles = check_one_per("titles", (str(s) for s in titles), len(labels), "panel")
    fig, axes = _axes(ax, len(labels), ncols=ncols, fig=fig)
    created = ax is None
    col = _group_colors(result)
    for k, (lab, a) in enumerate(zip(labels, axes)):
        ga = result[lab]
        t = np.asarray(ga.t, dtype=float)
        Psi = np.asarray(ga.Psi, dtype=float)
        atom = essential_atom(ga)
        smooth = Psi.copy()
        smooth[0] -= atom
        env = np.asarray(ga.envelope.values, dtype=float)
        for lo, hi, kind in region_blocks(ga):
            if kind in REGION_STYLE:
                a.axvspan(lo, hi, color=REGION_STYLE[kind][0], alpha=0.22, lw=0,
                          label=REGION_STYLE[kind][1])
        a.plot(t, smooth, color=col[lab], lw=2.2, label=r"$\Psi_i(t)$")
        if atom > 0:
            a.plot([0.0, 0.0], [smooth[0], Psi[0]], color=col[lab], lw=1.2, ls=":")
            a.plot([0.0], [Psi[0]], "o", color=col[lab], ms=7, clip_on=False,
                   label=r"atom $(\bar\lambda_i-\alpha)\,\underline{r}_i$")
        a.plot(t, env, color="k", lw=1.5, ls="--", label="concave closure")
        a.axhline(0.0, color="0.4", lw=0.8)
        a.set_xlim(0.0, 1.0)
        a.set_xlabel(r"quantile $t = G_i(r)$")
        if k == 0:
            a.set_ylabel(r"$\Psi_i(t)$")
        a.set_title(titles[k] if titles is not None else f"Group {lab}")
    if legend:
        seen = {}
        for a in axes:
            for h, n in zip(*a.get_legend_handles_labels()):
                if n == r"$\Psi_i(t)$":
                    n = r"$\Psi_i(t)$ (colour of the group)"
                seen.setdefault(n, h)
        if created:
            fig.legend(list(seen.values()), list(seen.keys()), loc="outside lower center",
                       ncols=min(len(seen), 2))
        else:
            # right of the panel, clear of the curves
            axes[0].legend(list(seen.values()), list(seen.keys()), loc="upper left",
                           bbox_to_anchor=(1.02, 1.0))
    return fig


# ----------------------------------------------------------------------------------------------
# split of qualities
# ----------------------------------------------------------------------------------------------
def _split_series(result, max_bins):
    """Masses per quality level (or per bin of levels) for each group and the unallocated rest."""
    q = np.asarray(result.qualities, dtype=float)
    series = [(lab, np.asarray(result.quality_shares[lab], dtype=float)) for lab in result.labels]
    rest = np.asarray(result.unallocated, dtype=float)
    series.append((None, np.clip(rest, 0.0, None)))
    if len(q) <= max_bins:
        if len(q) > 1:
            edges = np.concatenate(([q[0] - (q[1] - q[0]) / 2], (q[1:] + q[:-1]) / 2,
                                    [q[-1] + (q[-1] - q[-2]) / 2]))
        else:
            edges = np.array([q[0] - 0.05, q[0] + 0.05])
        return q, edges, series
    lo = q[0] - (q[1] - q[0]) / 2
    hi = q[-1] + (q[-1] - q[-2]) / 2
    edges = np.linspace(lo, hi, max_bins + 1)
    binned = [(lab, np.histogram(q, bins=edges, weights=m)[0]) for lab, m in series]
    return (edges[1:] + edges[:-1]) / 2, edges, binned


def plot_quality_split(result, *, ax=None, title=None, bars=None, max_bins=50):
    """How the supply of qualities is split across the groups.

    For every quality level the supplied mass is divided into the mass handed to each group (the
    groups' ``F_i^*``) and the mass left unallocated (hatched).  With a few levels the figure is a
    stacked bar chart of masses; with many levels (a discretised continuous ``F``) the levels are
    collected into at most ``max_bins`` bins and drawn as a stacked histogram of densities (mass
    per unit of quality), so that the heights add up to the density of the supply.

    Parameters
    ----------
    result : AllocationResult
        Output of :func:`redlib.optimal_allocation`.
    ax : Axes, optional
        Axes to draw on; a new figure is created when omitted.
    title : str, optional
        Axes title.
    bars : bool, optional
        Force bars of masses (True) or a histogram of densities (False); default: bars when there
        are at most 12 levels.
    max_bins : int, default 50
        Largest number of bins of the density histogram.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from redlib import Group, Uniform, Discrete, optimal_allocation
    >>> groups = [Group("poor", Uniform(0.5, 1.5), weight=1.5, mass=0.5),
    ...           Group("rich", Uniform(0, 1), weight=0.5, mass=0.5)]
    >>> res = optimal_allocation(groups, Discrete([0.2, 0.6, 1.0]), 1.0, grid_size=100)
    >>> fig = plot_quality_split(res)
    >>> len(fig.axes[0].patches) >= 3
    True
    """
    _check_result(result)
    if isinstance(max_bins, bool) or not isinstance(max_bins, (int, np.integer)) or max_bins < 1:
        raise ValueError(f"max_bins must be an integer >= 1, got {max_bins!r}")
    q = np.asarray(result.qualities, dtype=float)
    if bars is None:
        bars = len(q) <= 12
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.0, 3.8), constrained_layout=True)
    else:
        fig = ax.figure
    col = _group_colors(result)
    centers, edges, series = _split_series(result, len(q) if bars else max_bins)
    bottom = np.zeros(len(centers))
    for lab, m in series:
        c, hatch, name = (col[lab], None, f"group {lab}") if lab is not None else \
            ("white", "//", "unallocated")
        if bars:
            width = 0.8 * (float(np.min(np.diff(q))) if len(q) > 1 else 0.2)
            ax.bar(centers, m, width=width, bottom=bottom, color=c, edgecolor="0.3", lw=0.6,
                   hatch=hatch, label=name)
            bottom = bottom + m
        else:
            dens = m / np.diff(edges)
            ax.bar(edges[:-1], dens, width=np.diff(edges), bottom=bottom, align="edge", color=c,
                   edgecolor="0.3" if hatch else c, lw=0.4 if hatch else 0.0, hatch=hatch,
                   label=name)
            bottom = bottom + dens
    if bars:
        ax.set_ylabel("mass of objects")
        ax.set_xticks(q)
    else:
        ax.set_ylabel("density of objects")
        ax.set_xlim(max(0.0, edges[0]), min(1.0, edges[-1]))
    ax.set_ylim(0, None)
    ax.set_xlabel("quality $q$")
    ax.set_title(title if title is not None else "Who gets which quality")
    # one entry per group and one for the rest, whatever the data: drawn once in a live figure
    layout.fixed(ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0)))
    ax.grid(axis="x", visible=False)
    return fig


# ----------------------------------------------------------------------------------------------
# Q_i(r), T_i(r)
# ----------------------------------------------------------------------------------------------
def plot_schedules(result, labels=None, *, ax=None, payments=True, legend=True):
    """Expected quality ``Q_i(r)`` and payment ``T_i(r)`` of every type, per group.

    Left panel: expected quality against willingness to pay; a flat stretch is a pooled (random)
    tier, a rising stretch is assortative matching.  Right panel: the payment ``T_i(r)``.  The free
    bottom tier of a group (pooled, ``T = 0``) is drawn with a wide translucent band.

    Parameters
    ----------
    result : AllocationResult
        Output of :func:`redlib.optimal_allocation`.
    labels : sequence of str, optional
        Groups to draw (default all).
    ax : Axes or array of Axes, optional
        Two axes (one if ``payments`` is false); a new figure is created when omitted.
    payments : bool, default True
        Also draw the payment panel.
    legend : bool, default True
        A legend right of the first panel.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from redlib import Group, Uniform, optimal_allocation
    >>> groups = [Group("poor", Uniform(0.5, 1.5), weight=1.5, mass=0.5),
    ...           Group("rich", Uniform(0, 1), weight=0.5, mass=0.5)]
    >>> fig = plot_schedules(optimal_allocation(groups, Uniform(0, 1), 1.0, grid_size=100))
    >>> len(fig.axes)
    2
    """
    labels = _labels(result, labels)
    fig, axes = _axes(ax, 2 if payments else 1, panel_size=(4.6, 3.6))
    col = _group_colors(result)
    panels = [("Q", r"expected quality $Q_i(r)$", "Allocation")]
    if payments:
        panels.append(("T", r"payment $T_i(r)$", "Payments"))
    free_drawn = False
    for lab in labels:
        ga = result[lab]
        r = np.asarray(ga.types, dtype=float)
        free = [(lo, hi) for lo, hi, kind in ga.regions if kind == "free"]
        for a, (attr, _, _) in zip(axes, panels):
            y = np.asarray(getattr(ga, attr), dtype=float)
            a.plot(r, y, color=col[lab], drawstyle="steps-mid", label=f"group {lab}")
            for lo, hi in free:
                sel = (r >= lo) & (r <= hi)
                a.plot(r[sel], y[sel], color=col[lab], lw=9, alpha=0.25, solid_capstyle="butt",
                       label=None if free_drawn else "free tier (T = 0)")
                free_drawn = True
    for a, (_, ylabel, title) in zip(axes, panels):
        a.set_xlabel("willingness to pay $r$")
        a.set_ylabel(ylabel)
        a.set_ylim(0, None)
        a.set_title(title)
    if legend:
        axes[0].legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))  # right of the panel, off the data
    return fig


def plot_allocation(result, labels=None, *, suptitle=None, regions=None, fig=None):
    """Overview of an optimal allocation: the ``Psi_i`` panels, ``Q_i(r)`` and the quality split.

    Top row: :func:`plot_psi` (one panel per group).  Bottom row: expected quality ``Q_i(r)``
    (:func:`plot_schedules` without payments) and the split of qualities
    (:func:`plot_quality_split`).  Meant as the ``draw`` function of an
    :func:`~redlib.plotting.explore` slider over ``alpha``: its keys list every mark the panels can
    show (each kind of pooled interval in ``regions``, the atom, the closure, the free tier),
    whether or not this ``alpha`` shows it, so that they are the same in every frame and are drawn
    once (:func:`~redlib.plotting.layout.fixed`).

    Parameters
    ----------
    result : AllocationResult
        Output of :func:`redlib.optimal_allocation`.
    labels : sequence of str, optional
        Groups whose ``Psi_i`` and ``Q_i`` are drawn (default all).
    suptitle : str, optional
        Figure title (default names ``alpha``).
    regions : sequence of str, optional
        The kinds of pooled interval (keys of :data:`REGION_STYLE`) the key lists, in that order;
        default all. A slider passes the kinds some frame shows, so that the key lists nothing no
        frame has; a ``ValueError`` is raised if ``result`` shows a kind not listed.
    fig : matplotlib.figure.Figure, optional
        A figure this function made before: redrawn in place, keeping its axes and layout
        (see :mod:`redlib.plotting.layout`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from redlib import Group, Uniform, optimal_allocation
    >>> groups = [Group("poor", Uniform(0.5, 1.5), weight=1.5, mass=0.5),
    ...           Group("rich", Uniform(0, 1), weight=0.5, mass=0.5)]
    >>> fig = plot_allocation(optimal_allocation(groups, Uniform(0, 1), 1.0, grid_size=100))
    >>> len(fig.axes)
    4
    """
    labels = _labels(result, labels)
    if regions is None:
        regions = list(REGION_STYLE)
    else:
        if isinstance(regions, str):
            raise TypeError(f"regions must be a sequence of region kinds, got the string {regions!r}")
        regions = [check_in("regions", k, REGION_STYLE) for k in regions]
        if not regions or len(set(regions)) < len(regions):
            raise ValueError(f"regions must list at least one kind, each once, got {regions}")
        shown = [k for lab in labels for *_, k in result[lab].regions if k in REGION_STYLE]
        if set(shown) - set(regions):
            raise ValueError(f"regions must list every kind the panels show: this result shows "
                             f"{sorted(set(shown) - set(regions))}, not in {regions}")
    n = len(labels)
    if fig is None:
        fig = layout.figure(figsize=(max(9.0, 3.1 * n), 7.4))
        top, bottom = fig.subfigures(2, 1, height_ratios=[1.0, 1.05])
        axes_top = top.subplots(1, n, squeeze=False)[0]
        aQ, aS = bottom.subplots(1, 2, width_ratios=[1.0, 1.25])
    else:
        layout.clear_data(fig)
        top, bottom = fig.subfigs
        axes_top, (aQ, aS) = top.axes, bottom.axes
    plot_psi(result, labels, ax=axes_top, legend=False)
    # the keys list every mark the panels can show, whether or not this alpha shows it: the same
    # in every frame of a slider over alpha (nothing comes and goes), so drawn once (fixed)
    key = [Patch(facecolor=REGION_STYLE[k][0], alpha=0.22, lw=0, label=REGION_STYLE[k][1]) for k in regions]
    key += [Line2D([], [], color="0.3", marker="o", ls="", ms=7,
                   label=r"atom $(\bar\lambda_i-\alpha)\,\underline{r}_i$, group's colour"),
            Line2D([], [], color="k", lw=1.5, ls="--", label="concave closure")]
    layout.fixed(top.legend(handles=key, loc="outside right upper"))
    plot_schedules(result, labels, ax=[aQ], payments=False, legend=False)
    col = _group_colors(result)
    key = [Line2D([], [], color=col[lab], label=f"group {lab}") for lab in labels]
    key.append(Line2D([], [], color="0.5", lw=9, alpha=0.25, solid_capstyle="butt",
                      label="free tier (T = 0)"))
    layout.fixed(aQ.legend(handles=key, loc="upper left", bbox_to_anchor=(1.02, 1.0)))
    plot_quality_split(result, ax=aS)
    fig.suptitle(suptitle if suptitle is not None else rf"$\alpha = {result.alpha:.3g}$")
    return fig
