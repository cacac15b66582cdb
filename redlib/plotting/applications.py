"""Figures for the applications chapter: how the optimal instruments move with a parameter.

The chapter calibrates each policy case to public figures and then varies the curvature ``γ`` of
CRRA utility (and, where it applies, the weight ``α`` on revenue).  :func:`plot_instrument_paths`
draws the resulting paths, one panel per kind of instrument (prices, lump sums, rationing,
shares of the supply), with the value currently shown by the interactive figure marked.

Like the other plotting modules it computes nothing: it draws the arrays it is given on a **new**
figure (or given axes) and returns the figure, so that it can be handed to
:func:`redlib.plotting.explore`.

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
import matplotlib.pyplot as plt

from .._validation import check_finite_array
from . import style

__all__ = ["plot_instrument_paths"]

_STYLES = ("-", "--", ":", "-.")
_MARKERS = ("o", "s", "^", "D", "v", "P")


def plot_instrument_paths(x, panels, *, xlabel, current=None, title=None, ax=None,
                          logy=()):
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

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``x`` is not increasing, a panel is malformed or a series has the wrong length.

    Examples
    --------
    >>> import numpy as np
    >>> fig = plot_instrument_paths([0, 1], [("rationed mass", {"buyers": [0.0, 0.2]})],
    ...                             xlabel="gamma", current=1)
    >>> fig.axes[0].get_title()
    'rationed mass'
    """
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
    if ax is None:
        fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels) + 0.6, 3.8),
                                 squeeze=False)
        axes = list(axes[0])
    else:
        axes = list(np.atleast_1d(ax))
        if len(axes) != len(panels):
            raise ValueError(f"ax must have one axes per panel ({len(panels)}), got {len(axes)}")
        fig = axes[0].figure
    for k, (a, (t, series)) in enumerate(zip(axes, panels)):
        for i, (label, y) in enumerate(series.items()):
            a.plot(x, np.asarray(y, dtype=float), linestyle=_STYLES[i % len(_STYLES)],
                   marker=_MARKERS[i % len(_MARKERS)], markersize=5,
                   color=style.COLORS[i % len(style.COLORS)], label=label)
        if current is not None:
            a.axvline(float(current), color="0.45", linewidth=1.0, linestyle=":")
        if k in logy:
            a.set_yscale("log")
        a.set_title(t)
        a.set_xlabel(xlabel)
        if len(series) > 1:
            a.legend(fontsize=9)
    if title:
        fig.suptitle(title)
    return fig
