"""Figures that are drawn once and then updated in place.

A chapter figure is one drawing function with a ``fig=None`` keyword. Called without ``fig`` it
creates a new figure; called with the figure it made before it *reuses* it: the axes, their
positions, tick settings and labels stay, the data artists (lines, fills, markers, annotations,
legends) are removed and drawn again. The same code therefore serves the first drawing and every
slider step of :func:`redlib.plotting.explore` -- no second "update" function per figure -- and a
step costs only the new artists and one render, not a new figure and a new layout.

:func:`axis_limits`, :func:`union_limits` and :func:`set_axis_limits` give every frame of a
player the same axis ranges (taken over the whole parameter range); :func:`freeze_layout` fixes
the positions of the axes once, so nothing moves between frames; :func:`overlaps` lists legends
and annotations that sit on top of the data.

Examples
--------
>>> import numpy as np
>>> from redlib.plotting import layout
>>> def draw(s, fig=None):
...     fig, axes = layout.subplots(fig, 1, 1, figsize=(4, 3))
...     axes[0, 0].plot([0, 1], [0, s])
...     return fig
>>> fig = draw(1.0)
>>> draw(2.0, fig=fig) is fig, len(fig.axes[0].lines)
(True, 1)
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.cbook import STEP_LOOKUP_MAP
from matplotlib.figure import Figure, SubFigure

from .._validation import check_positive

__all__ = ["figure", "subplots", "clear_data", "data_artists", "fixed", "axis_limits", "union_limits", "set_axis_limits",
           "freeze_layout", "overlaps", "smallest_text", "legend_outside", "SITE_WIDTH_PX", "NARROW_WIDTH_PX",
           "NARROW_FIGURE_PX", "MIN_TEXT_PX", "NARROW_MEDIA", "NARROW_COLUMN_PX", "NARROW_FIGURE_IN",
           "stack_panels", "stack_legends", "stacked_png", "narrow_png_info"]

#: Width (CSS pixels) at which the site shows a figure in a chapter at normal zoom: the narrowest
#: a figure is drawn in a 1200-px-wide browser window (a frame player's image; a static figure
#: gets the whole 624-px column). Wider windows show figures wider (739+ px at 1366 px).
SITE_WIDTH_PX = 606
#: Screen width below which the site fits figures to the column (phones), but never narrower than
#: :data:`NARROW_FIGURE_PX`; a figure wider than the column scrolls inside its own box.
NARROW_WIDTH_PX = 760
#: Narrowest width at which the site shows a figure: text of :data:`MIN_TEXT_PX` at
#: :data:`SITE_WIDTH_PX` is still 8 px there (``book/_ext/static/redlib_site.css``).
NARROW_FIGURE_PX = 490
#: Smallest legible text on screen, in CSS pixels (tick labels, legends, annotations).
MIN_TEXT_PX = 10.0
#: Media query under which the site shows the one-column variant of a multi-panel static figure
#: (:func:`stacked_png`) instead of the figure itself (a ``<picture>`` source).
NARROW_MEDIA = "(max-width: 600px)"
#: Width (CSS pixels) of the text column in a 400-px-wide browser window: the width at which the
#: site shows a stacked figure on a phone (measured in Chromium: 368 px; wider on wider
#: phones, which only enlarges the text).
NARROW_COLUMN_PX = 368
#: Width (inches) of a stacked figure: shown :data:`NARROW_COLUMN_PX` wide, one point is about
#: 1 px, so the book's text (12.5 pt and larger) is >= 12 px on a phone.
NARROW_FIGURE_IN = 5.0


def _check_fig(fig):
    if fig is not None and not isinstance(fig, (Figure, SubFigure)):
        raise TypeError(f"fig must be a matplotlib Figure or None, got {type(fig).__name__}")
    return fig


def _all_figures(fig):
    out = [fig]
    for sub in getattr(fig, "subfigs", []):
        out += _all_figures(sub)
    return out


def _axes_data(ax):
    return [*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images, *ax.artists]


_FIXED = "_redlib_fixed"  # attribute set by fixed(): the legend's signature when it was marked


def _legend_signature(leg):
    """What a legend shows: its texts and the look of its handles (for :func:`fixed`)."""
    def look(h):
        props = []
        for name in ("facecolor", "edgecolor", "color", "hatch", "linestyle", "linewidth",
                     "marker", "alpha"):
            get = getattr(h, f"get_{name}", None)
            if get is not None:
                v = get()
                props.append(np.round(np.asarray(v, dtype=float), 6).tolist()
                             if isinstance(v, (tuple, list, np.ndarray)) else v)
        return (type(h).__name__, *map(repr, props))

    return (tuple(t.get_text() for t in leg.get_texts()),
            tuple(look(h) for h in leg.legend_handles), leg.get_visible())


def fixed(legend):
    """Mark a legend as the same in every frame of a figure redrawn in place.

    A fixed legend is drawn once, with the frame of the figure (axes, ticks, labels), instead of
    again at every slider step: legends are text, and text is the slowest thing to render. Mark a
    legend only when its entries cannot change from frame to frame (e.g. one entry per group);
    :func:`data_artists` checks this at every redraw and raises ``ValueError`` if a fixed legend
    differs from the first one drawn in the figure.

    Parameters
    ----------
    legend : matplotlib.legend.Legend or None
        The legend (None is passed through, e.g. from :func:`legend_outside`).

    Returns
    -------
    matplotlib.legend.Legend or None
        The same legend.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from redlib.plotting.layout import data_artists, fixed
    >>> fig, ax = plt.subplots(); _ = ax.plot([0, 1], label="a")
    >>> _ = fixed(ax.legend())
    >>> [type(a).__name__ for a in data_artists(fig)]
    ['Line2D']
    """
    from matplotlib.legend import Legend

    if legend is None:
        return None
    if not isinstance(legend, Legend):
        raise TypeError(f"legend must be a matplotlib Legend, got {type(legend).__name__}")
    setattr(legend, _FIXED, _legend_signature(legend))
    return legend


def _check_fixed(fig, legends):
    """Drop the fixed legends from ``legends`` after checking they show what the first did."""
    root = fig.figure if isinstance(fig, SubFigure) else fig
    seen = root.__dict__.setdefault("_redlib_fixed_legends", {})
    out = []
    for k, leg in enumerate(legends):
        sig = getattr(leg, _FIXED, None)
        if sig is None:
            out.append(leg)
            continue
        key = (id(leg.parent), k)
        if seen.setdefault(key, sig) != sig:
            raise ValueError(f"a legend marked fixed() changed between frames: "
                             f"{list(seen[key][0])} then {list(sig[0])}; do not mark it fixed")
    return out


def data_artists(fig):
    """The artists of ``fig`` that a redraw replaces, in drawing order.

    Per axes the data artists (by ``zorder``), its legend and its titles; then the figure's and
    subfigures' legends and texts (suptitles). Everything else -- axes frames, ticks, tick labels,
    axis labels, grids, and legends marked :func:`fixed` -- is the same in every frame of a player
    and can be drawn once.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    list of matplotlib.artist.Artist

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from redlib.plotting.layout import data_artists
    >>> fig, ax = plt.subplots(); _ = ax.plot([0, 1]); _ = ax.set_title("t")
    >>> [type(a).__name__ for a in data_artists(fig)]
    ['Line2D', 'Text']
    """
    out = []
    for ax in fig.axes:
        out += sorted(_axes_data(ax), key=lambda a: a.get_zorder())
        if ax.get_legend() is not None:
            out += _check_fixed(fig, [ax.get_legend()])
        out += [t for t in (ax.title, ax._left_title, ax._right_title) if t.get_text()]
    for f in _all_figures(fig):
        out += _check_fixed(fig, list(f.legends)) + list(f.texts)
    return out


def clear_data(fig):
    """Remove every data artist (and legend) from a figure, keeping its axes and layout.

    Lines, collections (fills, scatter, meshes), patches, texts, images and containers (bars,
    error bars) are removed from every axes; figure and subfigure legends are removed; the colour cycle and the data limits are
    reset and autoscaling is switched back on, so that drawing again gives what a new figure gives.
    Titles, axis labels and tick settings stay (a drawing function sets them again).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to clear.

    Returns
    -------
    matplotlib.figure.Figure
        The same figure.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from redlib.plotting.layout import clear_data
    >>> fig, ax = plt.subplots(); _ = ax.plot([0, 1]); _ = ax.legend(["x"])
    >>> len(clear_data(fig).axes[0].lines), fig.axes[0].get_legend() is None
    (0, True)
    """
    if not isinstance(_check_fig(fig), (Figure, SubFigure)):
        raise TypeError("fig must be a matplotlib Figure")
    for ax in fig.axes:
        for cont in list(ax.containers):  # bars, error bars, stems: else their legend entries
            cont.remove()                 # stay and pile up, one more set per redraw
        for art in _axes_data(ax):
            art.remove()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        ax.set_prop_cycle(None)
        ax.relim()
        ax.ignore_existing_data_limits = True
        ax.set_autoscale_on(True)
    for f in _all_figures(fig):
        for leg in list(f.legends):
            leg.remove()
        keep = {id(getattr(f, name, None)) for name in ("_suptitle", "_supxlabel", "_supylabel")}
        for txt in list(f.texts):
            if id(txt) not in keep:  # suptitles are set again (and reused) by ``suptitle``
                txt.remove()
    return fig


def figure(fig=None, *, figsize=None, **kwargs):
    """A new figure, or ``fig`` cleared of its data (see :func:`clear_data`).

    Parameters
    ----------
    fig : matplotlib.figure.Figure, optional
        A figure made before by the same drawing function.
    figsize : (float, float), optional
        Size of a new figure in inches.
    **kwargs
        Passed to :func:`matplotlib.pyplot.figure` for a new figure (e.g. ``layout``).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from redlib.plotting.layout import figure
    >>> fig = figure(figsize=(3, 2)); figure(fig) is fig
    True
    """
    if _check_fig(fig) is not None:
        return clear_data(fig)
    kwargs.setdefault("layout", "constrained")
    return plt.figure(figsize=figsize, **kwargs)


def subplots(fig=None, nrows=1, ncols=1, *, figsize=None, **kwargs):
    """``(fig, axes)`` with ``axes`` of shape ``(nrows, ncols)``: new, or those of ``fig`` reused.

    Parameters
    ----------
    fig : matplotlib.figure.Figure, optional
        A figure made before by the same call; its axes are cleared of data and returned.
    nrows, ncols : int, default 1
        Grid of axes.
    figsize : (float, float), optional
        Size of a new figure in inches.
    **kwargs
        Passed to :func:`matplotlib.pyplot.subplots` for a new figure (e.g. ``sharex``).

    Returns
    -------
    (matplotlib.figure.Figure, numpy.ndarray of Axes)

    Examples
    --------
    >>> from redlib.plotting.layout import subplots
    >>> fig, axes = subplots(None, 1, 2, figsize=(6, 3))
    >>> subplots(fig, 1, 2)[1].shape
    (1, 2)
    """
    if _check_fig(fig) is not None:
        if len(fig.axes) < nrows * ncols:
            raise ValueError(f"fig must hold {nrows * ncols} axes to be reused, got {len(fig.axes)}")
        clear_data(fig)
        return fig, np.array(fig.axes[: nrows * ncols], dtype=object).reshape(nrows, ncols)
    kwargs.setdefault("constrained_layout", True)
    kwargs["squeeze"] = False
    return plt.subplots(nrows, ncols, figsize=figsize, **kwargs)


def axis_limits(fig):
    """The current ``(xlim, ylim)`` of every axes of ``fig`` (autoscaled where not set).

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    list of ((float, float), (float, float))

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from redlib.plotting.layout import axis_limits
    >>> fig, ax = plt.subplots(); _ = ax.set_xlim(0, 2); _ = ax.set_ylim(1, 3)
    >>> axis_limits(fig)
    [((0.0, 2.0), (1.0, 3.0))]
    """
    return [(tuple(float(v) for v in ax.get_xlim()), tuple(float(v) for v in ax.get_ylim()))
            for ax in fig.axes]


def union_limits(limits):
    """The smallest ranges containing all of several :func:`axis_limits` results.

    Parameters
    ----------
    limits : sequence of lists
        :func:`axis_limits` of figures with the same axes.

    Returns
    -------
    list of ((float, float), (float, float))

    Examples
    --------
    >>> from redlib.plotting.layout import union_limits
    >>> union_limits([[((0, 1), (0, 2))], [((-1, 0.5), (1, 3))]])
    [((-1.0, 1.0), (0.0, 3.0))]
    """
    limits = list(limits)
    if not limits:
        raise ValueError("limits must contain at least one axis_limits() result")
    n = len(limits[0])
    if any(len(lim) != n for lim in limits):
        raise ValueError("limits must all describe the same number of axes")

    def span(pairs):
        inverted = pairs[0][0] > pairs[0][1]
        lo = min(min(p) for p in pairs)
        hi = max(max(p) for p in pairs)
        return (float(hi), float(lo)) if inverted else (float(lo), float(hi))

    return [(span([lim[k][0] for lim in limits]), span([lim[k][1] for lim in limits]))
            for k in range(n)]


def set_axis_limits(fig, limits):
    """Set the axis ranges of every axes of ``fig`` (the output of :func:`union_limits`).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    limits : list of ((float, float), (float, float))
        One ``(xlim, ylim)`` per axes, in the order of ``fig.axes``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from redlib.plotting.layout import set_axis_limits
    >>> fig, ax = plt.subplots()
    >>> set_axis_limits(fig, [((0, 5), (0, 1))]).axes[0].get_xlim()
    (np.float64(0.0), np.float64(5.0))
    """
    if len(limits) != len(fig.axes):
        raise ValueError(f"limits must have one entry per axes ({len(fig.axes)}), got {len(limits)}")
    for ax, (xl, yl) in zip(fig.axes, limits):
        ax.set_xlim(xl, auto=None)
        ax.set_ylim(yl, auto=None)
    return fig


def freeze_layout(fig):
    """Run the figure's layout engine once and keep the axes where it put them.

    After this, drawing new data (or a longer title) does not move the axes: the frames of a
    player line up and a slider step skips the layout computation.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from redlib.plotting.layout import freeze_layout
    >>> fig, ax = plt.subplots(layout="constrained")
    >>> type(freeze_layout(fig).get_layout_engine()).__name__
    'PlaceHolderLayoutEngine'
    """
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    return fig


def _densify(p, step=3.0):
    """Points every ``step`` pixels along a polyline (NaN gaps stay gaps)."""
    p = p[np.all(np.isfinite(p), axis=1)] if len(p) < 2 else p
    if len(p) < 2:
        return p
    d = np.hypot(*np.diff(p, axis=0).T)
    ok = np.isfinite(d)
    n = np.where(ok, np.clip(np.ceil(np.nan_to_num(d) / step), 1, 5000), 0).astype(int)
    idx = np.repeat(np.arange(len(d)), n)
    start = np.repeat(np.cumsum(n) - n, n)
    frac = (np.arange(n.sum()) - start) / np.repeat(np.maximum(n, 1), n)
    return np.vstack([p[idx] + (p[idx + 1] - p[idx]) * frac[:, None], p[-1:]])


def overlaps(fig, *, pad=1.0, renderer=None):
    """Legends and annotations that cover data points of their axes.

    Points every 3 pixels along the drawn lines (steps as drawn) and the markers and scatter points
    (on screen, inside the axes) are tested against the window extent of each legend and each text of the axes
    (titles and axis labels excluded). Filled areas (spans, fills) are not "data" here: a legend
    may sit on a shaded region, not on a curve or a point.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    pad : float, default 1.0
        Pixels added around each box.
    renderer : optional
        The renderer of a figure that has just been drawn (skips drawing it again).

    Returns
    -------
    list of str
        One description per box that covers data; empty when nothing is covered.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from redlib.plotting.layout import overlaps
    >>> fig, ax = plt.subplots(); _ = ax.plot([0, 1], [0, 1], label="diagonal")
    >>> _ = ax.legend(loc="center")
    >>> overlaps(fig)
    ['axes 0: legend covers data']
    """
    if renderer is None:
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
    found = []
    for k, ax in enumerate(fig.axes):
        if not ax.get_visible():
            continue
        box = ax.get_window_extent(renderer)
        pts = []
        for line in ax.lines:
            # reference lines spanning the axes (axhline, axvline) are not data
            if not line.get_visible() or line.get_transform() != ax.transData:
                continue
            xy = np.asarray(line.get_xydata(), dtype=float)
            if xy.size and line.get_linestyle() not in ("None", "", " "):
                xy = np.column_stack(STEP_LOOKUP_MAP[line.get_drawstyle()](*xy.T))
                pts.append(_densify(line.get_transform().transform(xy)))
            elif xy.size:
                pts.append(line.get_transform().transform(xy))
        for coll in ax.collections:
            offs = np.asarray(coll.get_offsets(), dtype=float)
            if offs.size and coll.get_offset_transform() is not None and len(coll.get_paths()) and \
                    type(coll).__name__ in ("PathCollection",):
                pts.append(coll.get_offset_transform().transform(offs))
        if not pts:
            continue
        pts = np.concatenate(pts)
        pts = pts[np.all(np.isfinite(pts), axis=1)]
        inside = (pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1) & (pts[:, 1] >= box.y0) & \
                 (pts[:, 1] <= box.y1)
        pts = pts[inside]
        boxes = []
        if ax.get_legend() is not None and ax.get_legend().get_visible():
            boxes.append(("legend", ax.get_legend().get_window_extent(renderer)))
        for txt in ax.texts:
            if txt.get_visible() and txt.get_text().strip():
                boxes.append((f"text {txt.get_text()[:30]!r}", txt.get_window_extent(renderer)))
        for name, b in boxes:
            hit = (pts[:, 0] >= b.x0 - pad) & (pts[:, 0] <= b.x1 + pad) & \
                  (pts[:, 1] >= b.y0 - pad) & (pts[:, 1] <= b.y1 + pad)
            if hit.any():
                found.append(f"axes {k}: {name} covers data")
    return found


def smallest_text(fig, width_px=None, *, dpi=None):
    """The smallest visible text of ``fig`` in screen pixels when it is shown ``width_px`` wide.

    Tick labels, legends, annotations, titles and axis labels all count.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    width_px : float, optional
        Displayed width of the whole figure. By default the width the site shows it at: its
        natural width (``figwidth * dpi`` pixels) where that is narrower than
        :data:`SITE_WIDTH_PX`, otherwise :data:`SITE_WIDTH_PX` (an image is never enlarged).
    dpi : float, optional
        Resolution the figure is rendered at, for the default width; defaults to
        ``rcParams["savefig.dpi"]``.

    Returns
    -------
    (float, str)
        Size in pixels and the text it belongs to.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from redlib.plotting.layout import smallest_text
    >>> fig, ax = plt.subplots(figsize=(7, 4)); ax.tick_params(labelsize=9); fig.canvas.draw()
    >>> size, text = smallest_text(fig, width_px=700)  # 9 pt of a 7 in figure shown 700 px wide
    >>> bool(round(size, 6) == round(9 * 700 / (7 * 72), 6))
    True
    """
    from matplotlib.text import Text

    for name, v in (("width_px", width_px), ("dpi", dpi)):
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} must be a number, got {type(v).__name__}")
        if not np.isfinite(v) or v <= 0:
            raise ValueError(f"{name} must be a positive finite number, got {v!r}")
    if width_px is None:
        if dpi is None:
            dpi = plt.rcParams["savefig.dpi"]
            dpi = fig.dpi if dpi == "figure" else dpi
        width_px = min(float(SITE_WIDTH_PX), fig.get_figwidth() * float(dpi))
    scale = float(width_px) / (72.0 * fig.get_figwidth())  # px per point
    best = (float("inf"), "")
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip():
            continue
        ax = t.axes
        if ax is not None and not ax.get_visible():
            continue
        if isinstance(t.get_text(), str):
            size = t.get_fontsize() * scale
            if size < best[0]:
                best = (size, t.get_text()[:40])
    return best


def legend_outside(fig, axes=None, *, where="lower center", ncols=None):
    """One legend for several axes, outside them (below by default): it never covers data and
    stays put from frame to frame.

    The entries of ``axes`` (default: all axes of ``fig``) are collected, one per label in order
    of appearance; their own legends are removed.

    Parameters
    ----------
    fig : matplotlib.figure.Figure or SubFigure
    axes : sequence of Axes, optional
    where : str, default "lower center"
        Position outside the axes, as for ``fig.legend(loc="outside <where>")``.
    ncols : int, optional
        Columns; default all entries in one row, at most 4.

    Returns
    -------
    matplotlib.legend.Legend or None
        None when there is nothing to show.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from redlib.plotting.layout import legend_outside
    >>> fig, axes = plt.subplots(1, 2, layout="constrained")
    >>> _ = axes[0].plot([0, 1], label="a"); _ = axes[1].plot([1, 0], label="b")
    >>> [t.get_text() for t in legend_outside(fig).get_texts()]
    ['a', 'b']
    """
    axes = list(fig.axes if axes is None else np.atleast_1d(axes).ravel())
    seen = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    if not seen:
        return None
    n = ncols or min(len(seen), 4)
    return fig.legend(list(seen.values()), list(seen.keys()), loc=f"outside {where}", ncols=n)


def _stack_slots(fig):
    """The panels of ``fig`` in reading order (axes sharing a grid cell, e.g. twins, together),
    or None when the figure cannot be re-laid out in one column. Panels whose columns share their
    x axis (``sharex="col"``) are read down the columns, so that shared panels stay adjacent."""
    from matplotlib.gridspec import GridSpec

    if getattr(fig, "subfigs", None):
        return None
    grid, slots = None, {}
    for ax in fig.axes:
        ss = ax.get_subplotspec()
        if ss is None:          # colorbars, axes placed by hand
            return None
        gs = ss.get_gridspec()
        if type(gs) is not GridSpec:  # nested grids (subgridspec)
            return None
        if grid is None:
            grid = gs
        elif gs is not grid:
            return None
        if not ax.get_visible():
            continue
        slots.setdefault((ss.rowspan.start, ss.colspan.start, ss.rowspan.stop, ss.colspan.stop), []).append(ax)
    if grid is None or len(slots) < 2:
        return None
    keys = sorted(slots)
    by_col = sorted(keys, key=lambda k: (k[1], k[0]))
    down = any(a[1] == b[1] and slots[a][0].get_shared_x_axes().joined(slots[a][0], slots[b][0])
               for a, b in zip(by_col, by_col[1:]))
    return grid, [slots[k] for k in (by_col if down else keys)]


def _anchored_right(ax):
    """The visible legend of ``ax`` if it is anchored outside the axes on the right
    (``bbox_to_anchor`` at x >= 1 in axes coordinates, e.g. ``loc="upper left",
    bbox_to_anchor=(1.02, 1)``), else None."""
    leg = ax.get_legend()
    if leg is None or not leg.get_visible() or leg._bbox_to_anchor is None:
        return None
    box = ax.bbox
    if box.width <= 0:
        return None
    x = (leg.get_bbox_to_anchor().x0 - box.x0) / box.width
    return leg if x >= 1.0 - 1e-9 else None


def _legend_below(ax, leg, renderer, max_width_px):
    """Draw a copy of ``leg`` (an axes legend) centred just below ``ax``: under its tick labels
    and axis label, in two columns where they fit in ``max_width_px`` (else one). The copy
    becomes the axes' legend; ``leg`` itself is not modified (see :func:`stack_panels`, which
    puts it back)."""
    from matplotlib.transforms import offset_copy

    pairs = [(h, t.get_text()) for h, t in zip(leg.legend_handles, leg.get_texts()) if h is not None]
    # depth of what hangs below the axes (tick labels, axis label) of this axes and its twins,
    # in points: independent of where the layout puts the axes
    depth = 0.0
    for a in ax.figure.axes:
        if a.get_subplotspec() is not None and a.get_subplotspec() == ax.get_subplotspec():
            tight = a.xaxis.get_tightbbox(renderer)
            if tight is not None and a.get_visible():
                depth = max(depth, a.bbox.y0 - tight.y0)
    depth_pt = depth * 72.0 / ax.figure.dpi + 2.0
    frame = leg.get_frame()
    title = leg.get_title()
    kw = dict(loc="upper center", bbox_to_anchor=(0.5, 0.0),
              bbox_transform=offset_copy(ax.transAxes, fig=ax.figure, y=-depth_pt, units="points"),
              fontsize=leg._fontsize, frameon=leg.get_frame_on(), title=title.get_text() or None,
              title_fontsize=title.get_fontsize(), markerscale=1.0,  # handles are scaled already
              numpoints=leg.numpoints, scatterpoints=leg.scatterpoints,
              borderpad=leg.borderpad, labelspacing=leg.labelspacing,
              handlelength=leg.handlelength, handleheight=leg.handleheight,
              handletextpad=leg.handletextpad, borderaxespad=leg.borderaxespad,
              columnspacing=leg.columnspacing, facecolor=frame.get_facecolor(),
              edgecolor=frame.get_edgecolor(), framealpha=frame.get_alpha(),
              fancybox=type(frame.get_boxstyle()).__name__ == "Round", shadow=leg.shadow)
    handles, labels = [h for h, _ in pairs], [t for _, t in pairs]
    new = None
    for ncols in sorted({min(2, max(1, len(pairs))), 1}, reverse=True):
        if new is not None:
            new.remove()
        new = ax.legend(handles, labels, ncols=ncols, **kw)
        if new.get_window_extent(renderer).width <= max_width_px:
            break
    for t_new, t_old in zip(new.get_texts(), [t for h, t in zip(leg.legend_handles, leg.get_texts())
                                              if h is not None]):
        t_new.set_color(t_old.get_color())
    return new


def stack_panels(fig, *, width_in=NARROW_FIGURE_IN):
    """Re-lay out a multi-panel figure in one column, in place (the layout of :func:`stacked_png`).

    Every panel (an axes placed on the figure's grid; twin axes stay together) gets a row of its
    own, in reading order, with its own aspect ratio; the figure becomes ``width_in`` inches
    wide, with the constrained layout engine; legends beside the panels go below them
    (:func:`stack_legends`: figure legends below all panels, an axes legend anchored right of its
    panel below that panel); long titles wrap; tick labels hidden by shared axes are shown.
    Nothing is drawn.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    width_in : float, default :data:`NARROW_FIGURE_IN`
        Width of the stacked figure in inches.

    Returns
    -------
    callable or None
        A function of no arguments that puts the figure back as it was (grid positions, size,
        layout engine, axes positions, tick labels and legends), or None when the figure has a
        single panel or cannot be stacked (colorbars, axes placed by hand, subfigures, nested
        grids); then the figure is unchanged.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from redlib.plotting.layout import stack_panels
    >>> fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
    >>> restore = stack_panels(fig)
    >>> [round(float(w), 1) for w in fig.get_size_inches()], axes[1].get_subplotspec().rowspan.start
    ([5.0, 7.8], 1)
    >>> restore(); fig.get_size_inches().tolist(), axes[1].get_subplotspec().rowspan.start
    ([9.0, 3.5], 0)
    """
    from matplotlib.gridspec import GridSpec

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    width_in = check_positive("width_in", width_in)
    found = _stack_slots(fig)
    if found is None:
        return None
    grid, slots = found
    nrows, ncols = grid.get_geometry()
    w0, h0 = fig.get_size_inches()
    # each panel keeps the aspect it has in the figure (within limits)
    aspect = float(np.clip((h0 / nrows) / (w0 / ncols), 0.5, 1.2))
    titles = [t for t in [getattr(fig, "_suptitle", None), *(ax.title for ax in fig.axes)]
              if t is not None and t.get_text()]
    saved = dict(size=(w0, h0), engine=fig.get_layout_engine(),
                 axes=[(ax, ax.get_subplotspec(), ax.get_position(original=True),
                        ax.get_position(original=False), ax.get_in_layout(),
                        {k: v for k, v in ax.xaxis.get_tick_params().items() if k == "labelbottom"},
                        {k: v for k, v in ax.yaxis.get_tick_params().items() if k == "labelleft"})
                       for ax in fig.axes],
                 wrap=[(t, t.get_wrap()) for t in titles], moved=[])
    extra = 0.55 * bool(getattr(fig, "_suptitle", None) and fig._suptitle.get_text())

    def restore():
        fig.set_size_inches(*saved["size"])
        if saved["engine"] is None:
            fig.set_layout_engine("none")
        else:
            fig.set_layout_engine(saved["engine"])
        for ax, ss, orig, active, in_layout, xt, yt in saved["axes"]:
            ax.set_subplotspec(ss)
            ax._set_position(orig, which="original")
            ax._set_position(active, which="active")
            ax.set_in_layout(in_layout)
            ax.xaxis.set_tick_params(**xt)
            ax.yaxis.set_tick_params(**yt)
        for leg, added in reversed(saved["moved"]):
            ax = added.axes
            if ax is not None:  # an axes legend: the copy below the panel goes
                if ax.get_legend() is added:
                    added.remove()
                ax.legend_ = leg   # and the axes' own legend, untouched, comes back
                continue
            added.remove()
            leg.set_visible(True)
            leg.set_in_layout(True)
            leg._outside_loc = leg._redlib_outside_loc
        for t, wrap in saved["wrap"]:
            t.set_wrap(wrap)
        fig.stale = True

    try:
        for t in titles:
            t.set_wrap(True)
        for group in slots:
            for ax in group:
                if ax.xaxis.get_tick_params().get("labelbottom", True) is False:
                    ax.xaxis.set_tick_params(labelbottom=True)
                if ax.yaxis.get_tick_params().get("labelleft", True) is False and ax is group[0]:
                    ax.yaxis.set_tick_params(labelleft=True)
        column = GridSpec(len(slots), 1, figure=fig)
        for ax, *_ in saved["axes"]:
            if not ax.get_visible():
                ax.set_in_layout(False)
                ax.set_subplotspec(column[0, 0])
        for i, group in enumerate(slots):
            for ax in group:
                ax.set_subplotspec(column[i, 0])
        fig.set_layout_engine("constrained")
        fig.set_size_inches(width_in, len(slots) * width_in * aspect + extra)
        # legends beside the panels go below them: in one column they would squeeze the panels
        saved["moved"] = stack_legends(fig)
        if saved["moved"]:
            renderer = fig._get_renderer()
            for _, leg in saved["moved"]:
                if leg.axes is None:  # below all panels
                    extra += 0.32 * np.ceil(len(leg.get_texts()) / leg._ncols) + 0.15
                else:                 # below its panel
                    extra += leg.get_window_extent(renderer).height / fig.dpi + 0.1
            fig.set_size_inches(width_in, len(slots) * width_in * aspect + extra)
    except BaseException:
        restore()
        raise
    return restore


def stack_legends(fig):
    """Move the legends that stand beside the panels of a stacked figure below them.

    :func:`stack_panels` does this once; a figure redrawn in place (whose drawing function makes
    its legends again at every frame) calls it again after each redraw. A figure legend placed
    outside the panels (``loc="outside ..."``, e.g. :func:`legend_outside`) is hidden and drawn
    again below the panels (``"outside lower center"``), in at most 2 columns. An axes legend
    anchored right of its panel (``bbox_to_anchor`` at x >= 1, e.g. ``loc="upper left",
    bbox_to_anchor=(1.02, 1)``) is replaced by a copy centred just below that panel, under its
    tick labels and axis label, in 2 columns where they fit in the figure's width (else 1).

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    list of (matplotlib.legend.Legend, matplotlib.legend.Legend)
        Each moved legend (a hidden figure legend, or an axes legend no longer its axes'
        legend) with the one drawn in its place (:func:`stack_panels` undoes this).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from redlib.plotting.layout import legend_outside, stack_legends
    >>> fig, axes = plt.subplots(1, 2, layout="constrained")
    >>> _ = axes[0].plot([0, 1], label="a"); _ = legend_outside(fig, where="right upper")
    >>> [(old.get_visible(), new._loc) for old, new in stack_legends(fig)]
    [(False, 8)]
    >>> stack_legends(fig)   # already moved
    []
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    moved = []
    for leg in list(fig.legends):
        if getattr(leg, "_redlib_stacked", False) or not leg.get_visible() or not leg._outside_loc:
            continue
        labels = [t.get_text() for t in leg.get_texts()]
        ncols = 2 if max(map(len, labels), default=0) <= 18 else 1
        leg.set_visible(False)
        leg.set_in_layout(False)
        # the constrained layout keeps room for every "outside" legend, even a hidden one
        leg._redlib_outside_loc, leg._outside_loc = leg._outside_loc, None
        moved.append(_replaced(leg, fig.legend(leg.legend_handles, labels, ncols=ncols,
                                               loc="outside lower center")))
    renderer = None
    for ax in fig.axes:
        leg = _anchored_right(ax)
        if leg is None or getattr(leg, "_redlib_stacked", False):
            continue
        renderer = renderer or fig._get_renderer()
        moved.append(_replaced(leg, _legend_below(ax, leg, renderer,
                                                  0.9 * fig.get_figwidth() * fig.dpi)))
    return moved


def _replaced(leg, new):
    """``(leg, new)``: ``new`` marked as a stacked copy, and fixed if ``leg`` is (the same in
    every frame, so is its copy)."""
    new._redlib_stacked = True
    if getattr(leg, _FIXED, None) is not None:
        fixed(new)
    return leg, new


def stacked_png(fig, *, width_in=NARROW_FIGURE_IN, shown_px=NARROW_COLUMN_PX, dpi=None,
                min_text_px=MIN_TEXT_PX):
    """A PNG of a multi-panel figure re-laid out in one column (the site's phone variant).

    The layout is :func:`stack_panels`'s; the PNG is cropped to its tight bounding box. The
    figure itself is left as it was (everything :func:`stack_panels` changes is restored).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (not modified).
    width_in : float, default :data:`NARROW_FIGURE_IN`
        Width of the stacked figure in inches.
    shown_px : float, default :data:`NARROW_COLUMN_PX`
        Width (CSS pixels) at which the PNG is shown; its smallest text there must be at least
        ``min_text_px``.
    dpi : float, optional
        Resolution; defaults to ``rcParams["savefig.dpi"]``.
    min_text_px : float, default :data:`MIN_TEXT_PX`

    Returns
    -------
    bytes or None
        The PNG (its ``redlib:min_text_px`` text chunk gives the smallest text at ``shown_px``),
        or None when the figure has a single panel, cannot be stacked (colorbars, axes placed
        by hand, subfigures, nested grids) or its smallest text would be below ``min_text_px``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from redlib.plotting.layout import stacked_png
    >>> fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
    >>> png = stacked_png(fig)
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", fig.get_size_inches().tolist()
    (True, [9.0, 3.5])
    >>> stacked_png(plt.figure()) is None
    True
    """
    import io

    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    width_in, shown_px, min_text_px = (check_positive(name, v) for name, v in (
        ("width_in", width_in), ("shown_px", shown_px), ("min_text_px", min_text_px)))
    if dpi is not None:
        dpi = check_positive("dpi", dpi)
    if dpi is None:
        dpi = plt.rcParams["savefig.dpi"]
        dpi = fig.dpi if dpi == "figure" else float(dpi)
    restore = stack_panels(fig, width_in=width_in)
    if restore is None:
        return None
    try:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
        from PIL import Image

        buf.seek(0)
        png_w = Image.open(buf).size[0]
        # shown ``shown_px`` wide, the PNG (``png_w`` px, tight box) scales the figure by this
        text, _ = smallest_text(fig, width_px=float(shown_px) * width_in * dpi / png_w)
        if text < min_text_px:
            return None
        buf.seek(0)
        img = Image.open(buf)
        out = io.BytesIO()
        img.save(out, format="png", pnginfo=narrow_png_info(text, shown_px), optimize=True)
        return out.getvalue()
    finally:
        restore()


def narrow_png_info(text_px, shown_px):
    """The text chunks of a one-column PNG: its smallest text (px) when shown ``shown_px`` wide.

    The site's browser test reads them (``redlib:min_text_px``, ``redlib:shown_px``) to check
    the text as the page shows it.

    Parameters
    ----------
    text_px : float
        Smallest text, in CSS pixels, at ``shown_px``.
    shown_px : float
        Width (CSS pixels) the PNG is meant to be shown at.

    Returns
    -------
    PIL.PngImagePlugin.PngInfo
        Pass as ``pnginfo=`` to ``PIL.Image.Image.save``.

    Examples
    --------
    >>> from redlib.plotting.layout import narrow_png_info
    >>> import io
    >>> from PIL import Image
    >>> buf = io.BytesIO()
    >>> Image.new("RGB", (2, 2)).save(buf, "png", pnginfo=narrow_png_info(12.345, 368))
    >>> Image.open(buf).text
    {'redlib:min_text_px': '12.35', 'redlib:shown_px': '368'}
    """
    from PIL.PngImagePlugin import PngInfo

    text_px, shown_px = check_positive("text_px", text_px), check_positive("shown_px", shown_px)
    info = PngInfo()
    info.add_text("redlib:min_text_px", f"{text_px:.2f}")
    info.add_text("redlib:shown_px", f"{shown_px:g}")
    return info
