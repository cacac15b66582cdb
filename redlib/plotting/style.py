"""One house style for every figure in the book.

The palette is the Okabe--Ito palette, which stays distinguishable under the common forms of
colour-vision deficiency. Figures get a white background (also when saved), so they remain
legible when the book's theme is switched to dark mode. Use it as::

    from redlib.plotting import style
    style.use()                   # once per notebook
    style.COLORS[0]               # '#0072B2', the first colour of the cycle
    style.COLOR["vermillion"]     # a colour by name
"""
from __future__ import annotations

import matplotlib as mpl
from cycler import cycler

from .explore import install_narrow_figures

__all__ = ["COLOR", "COLORS", "RC", "use", "color"]

#: The eight Okabe--Ito colours by name.
COLOR = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "bluish_green": "#009E73",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
    "yellow": "#F0E442",
}

#: The Okabe--Ito palette in the order used for the colour cycle: strong, mutually distinct
#: colours first; yellow (low contrast on white) last.
COLORS = list(COLOR.values())

#: The rcParams installed by :func:`use`.
RC = {
    "axes.prop_cycle": cycler(color=COLORS),
    # white backgrounds everywhere: legible on the theme's dark mode too
    "figure.facecolor": "white",
    "figure.edgecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.edgecolor": "white",
    "savefig.transparent": False,
    # readable sizes on a laptop screen and a projector: a 10-inch-wide figure shown at the
    # site's figure width (redlib.plotting.layout.SITE_WIDTH_PX, 606 px) has text >= 10 px
    "figure.figsize": (7.0, 4.5),
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "figure.constrained_layout.use": True,
    "font.size": 13.5,
    "axes.titlesize": 15.5,
    "axes.labelsize": 14.5,
    "xtick.labelsize": 12.5,
    "ytick.labelsize": 12.5,
    "legend.fontsize": 12.5,
    "legend.frameon": False,
    "figure.titlesize": 17,
    # clean axes
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "grid.linewidth": 0.6,
    "lines.linewidth": 2.2,
    "lines.markersize": 7,
    "text.color": "black",
    "axes.labelcolor": "black",
    "axes.edgecolor": "#333333",
    "xtick.color": "#333333",
    "ytick.color": "#333333",
}


def use() -> None:
    """Install the book's matplotlib style (palette, font sizes, white backgrounds).

    Call once at the top of a notebook; it updates :data:`matplotlib.rcParams` in place. In the
    site build's kernels it also installs
    :func:`redlib.plotting.explore.install_narrow_figures` (elsewhere nothing else changes).

    Returns
    -------
    None

    Examples
    --------
    >>> import matplotlib as mpl
    >>> from redlib.plotting import style
    >>> style.use()
    >>> mpl.rcParams["figure.facecolor"]
    'white'
    """
    mpl.rcParams.update(RC)
    install_narrow_figures()  # site build only: phones get multi-panel figures in one column


def color(i: int) -> str:
    """Return the ``i``-th colour of the palette (cycling).

    Parameters
    ----------
    i : int
        Index into :data:`COLORS`; wraps around.

    Returns
    -------
    str
        A hex colour string.

    Examples
    --------
    >>> from redlib.plotting import style
    >>> style.color(0) == style.color(len(style.COLORS))
    True
    """
    if isinstance(i, bool) or not isinstance(i, int):
        raise ValueError(f"i must be an integer, got {i!r}")
    return COLORS[i % len(COLORS)]
