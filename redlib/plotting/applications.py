"""Figures for the applications chapter: how the optimal instruments move with a parameter.

The chapter calibrates each policy case to public figures and then varies the curvature ``γ`` of
CRRA utility (and, where it applies, the weight ``α`` on revenue).  :func:`plot_instrument_paths`
draws the resulting paths, one panel per kind of instrument (prices, lump sums, rationing,
shares of the supply), with the value currently shown by the interactive figure marked;
:func:`plot_case` adds the Pareto weights at that value: a 2x2 figure, the weights top left and
three instrument panels.

Like the other plotting modules they compute nothing: they draw the arrays they are given and
return the figure. Given ``fig=`` (the figure they made before) they redraw it in place (see
:mod:`redlib.plotting.layout`), so that they can be handed to :func:`redlib.plotting.explore`.

Examples
--------
>>> import numpy as np
>>> from redlib.plotting.applications import plot_instrument_paths
>>> g = np.array([0.0, 1.0, 2.0])
>>> fig = plot_instrument_paths(g, [("prices", {"sellers": [0.5, 0.4, 0.3], "buyers": [0.5, 0.6, 0.7]}),
...                                 ("lump sum", {"sellers": [0.0, 0.1, 0.2]})], xlabel="gamma")
>>> len(fig.axes)
2
"""
from __future__ import annotations

import numpy as np

from .._validation import check_finite_array
from . import layout, style
from .market import plot_weights

__all__ = ["plot_instrument_paths", "plot_case"]

_STYLES = ("-", "--", ":", "-.")
_MARKERS = ("o", "s", "^", "D", "v", "P")


def _check_panels(x, panels):
    x = check_finite_array("x", x, ndim=1, min_size=2)
    if (np.diff(x) <= 0).any():
        raise ValueError("x must be strictly increasing")
    try:
        panels = [(str(t), dict(series)) for t, series in panels]
    except (TypeError, ValueError):
        raise ValueError("panels must be a sequence of (title, {label: values}) pairs") from None
    if not panels:
        raise ValueError("panels must contain at least one (title, {label: values}) pair")
    for t, series in panels:
        if not series:
            raise ValueError(f"panel {t!r} has no series")
        for label, y in series.items():
            y = np.asarray(y, dtype=float)
            if y.shape != x.shape:
                raise ValueError(f"series {label!r} of panel {t!r} must have one value per x "
                                 f"({x.size}), got shape {y.shape}")
    return x, panels


def _check_legend(legend):
    if legend not in ("inside", "outside"):
        raise ValueError(f"legend must be 'inside' or 'outside', got {legend!r}")
    return legend


def _draw_paths(axes, x, panels, xlabel, current, logy):
    for k, (a, (t, series)) in enumerate(zip(axes, panels)):
        for i, (label, y) in enumerate(series.items()):
            a.plot(x, np.asarray(y, dtype=float), linestyle=_STYLES[i % len(_STYLES)],
                   marker=_MARKERS[i % len(_MARKERS)], markersize=5,
                   color=style.COLORS[i % len(style.COLORS)], label=label)
        if current is not None:
            a.axvline(float(current), color="0.45", linewidth=1.0, linestyle=":")
        a.set_yscale("log" if k in logy else "linear")
        a.set_title(t)
        a.set_xlabel(xlabel)


def plot_instrument_paths(x, panels, *, xlabel, current=None, title=None, ax=None,
                          logy=(), legend="inside", fig=None):
    r"""Plot several instruments of an optimal mechanism against one parameter.

    Parameters
    ----------
    x : array_like
        Parameter values (finite, 1-D, at least 2, increasing), e.g. the CRRA coefficients ``γ``.
    panels : sequence of (str, dict)
        One panel per entry: a title and a mapping ``label -> values`` (one value per ``x``;
        ``NaN`` leaves a gap, e.g. for a price that is not offered).
    xlabel : str
        Label of the horizontal axis.
    current : float, optional
        Value of the parameter to mark with a vertical line (the frame of an interactive figure).
    title : str, optional
        Figure title.
    ax : sequence of matplotlib.axes.Axes, optional
        One axes per panel; a new figure with the panels side by side is created if omitted.
    logy : sequence of int, default ()
        Indices of the panels drawn with a logarithmic vertical axis.
    legend : {"inside", "outside"}, default "inside"
        One legend per panel with several series, or one legend for all panels below them (it
        never covers data and stays put from frame to frame).
    fig : matplotlib.figure.Figure, optional
        A figure made before by this function (without ``ax``): redrawn in place.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``x`` is not increasing, a panel is malformed, a series has the wrong length,
        ``legend`` is unknown or both ``ax`` and ``fig`` are given.

    Examples
    --------
    >>> import numpy as np
    >>> fig = plot_instrument_paths([0, 1], [("rationed mass", {"buyers": [0.0, 0.2]})],
    ...                             xlabel="gamma", current=1)
    >>> fig.axes[0].get_title()
    'rationed mass'
    """
    x, panels = _check_panels(x, panels)
    _check_legend(legend)
    if ax is None:
        fig, axes = layout.subplots(fig, 1, len(panels), figsize=(4.4 * len(panels) + 0.8, 3.8))
        axes = list(axes[0])
    else:
        if fig is not None:
            raise ValueError("pass either ax or fig, not both")
        axes = list(np.atleast_1d(ax))
        if len(axes) != len(panels):
            raise ValueError(f"ax must have one axes per panel ({len(panels)}), got {len(axes)}")
        fig = axes[0].figure
    _draw_paths(axes, x, panels, xlabel, current, logy)
    if legend == "outside":
        layout.legend_outside(fig, axes, ncols=min(3, sum(len(s) for _, s in panels)))
    else:
        for a, (_, series) in zip(axes, panels):
            if len(series) > 1:
                a.legend()
    if title:
        fig.suptitle(title)
    return fig


def plot_case(sides, x, panels, *, current, xlabel, title=None, logy=(), fig=None):
    r"""One policy case at one value of the parameter: the weights and three instrument paths.

    A 2x2 figure: top left the normalised Pareto weights of ``sides`` (at the current value of the
    parameter, on a symmetric-log axis of the rate of substitution), then three panels drawn by
    :func:`plot_instrument_paths` with ``current`` marked, their legend below the panels.

    Parameters
    ----------
    sides : dict
        Mapping ``label -> Side`` at the current value (see
        :func:`redlib.plotting.market.plot_weights`).
    x : array_like
        Parameter values of the paths (increasing).
    panels : sequence of (str, dict)
        Exactly three panels, as for :func:`plot_instrument_paths`.
    current : float
        The value of the parameter shown (marked in the path panels, named in the weights title).
    xlabel : str
        Name of the parameter, as axis label; the weights panel is titled
        ``"weights at <xlabel> = <current>"`` with the last word of ``xlabel``.
    title : str, optional
        Figure title.
    logy : sequence of int, default ()
        Indices (0 to 2) of the path panels with a logarithmic vertical axis.
    fig : matplotlib.figure.Figure, optional
        A figure made before by this function: redrawn in place.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If there are not three panels, or as :func:`plot_instrument_paths`.

    Examples
    --------
    >>> import redlib
    >>> side = redlib.Side(redlib.Uniform(), 1.0)
    >>> p = [("prices", {"s": [0.5, 0.4]}), ("lump sum", {"s": [0, 0.1]}), ("rationed", {"s": [0, 0]})]
    >>> fig = plot_case({"sellers": side}, [0, 1], p, current=1, xlabel=r"$\gamma$")
    >>> fig2 = plot_case({"sellers": side}, [0, 1], p, current=0, xlabel=r"$\gamma$", fig=fig)
    >>> fig2 is fig, len(fig.axes), fig.axes[0].get_title()
    (True, 4, 'weights at $\\gamma$ = 0')
    """
    x, panels = _check_panels(x, panels)
    if len(panels) != 3:
        raise ValueError(f"panels must hold exactly 3 panels, got {len(panels)}")
    current = float(current)
    fig, axes = layout.subplots(fig, 2, 2, figsize=(10, 7.8))
    axes = list(axes.ravel())
    axes[0].set_xscale("linear")  # plot_weights autoscales on a linear axis, then symlog
    name = xlabel.split()[-1] if xlabel.split() else xlabel
    plot_weights(sides, ax=axes[0], title=f"weights at {name} = {current:g}")
    axes[0].set_xscale("symlog", linthresh=0.1)
    axes[0].set_xlim(left=0.0)
    _draw_paths(axes[1:], x, panels, xlabel, current, logy)
    layout.legend_outside(fig, axes[1:], ncols=3)
    if title:
        fig.suptitle(title)
    return fig
