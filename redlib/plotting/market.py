"""Figures for the two-sided market of Dworczak, Kominers and Akbarpour (2021).

Every function takes solver output from :mod:`redlib` (it computes nothing of its own beyond
evaluating the objects it is given), draws on a **new** matplotlib figure and returns it, so the
functions can be handed to :func:`redlib.plotting.explore`.

* :func:`plot_weights` -- Pareto weights ``lambda(r) / Lambda`` against the 2x "high inequality" line;
* :func:`plot_one_sided_prices` -- optimal one-sided price and probability of trade against ``Q``;
* :func:`plot_price_objective` -- the one-sided objective against the posted price;
* :func:`plot_two_prices` -- the buyers' two-price menu (trade probability against ``r``);
* :func:`plot_phi` -- ``phi_S^alpha``, ``phi_B^alpha``, their concave closures and the chosen quantities;
* :func:`plot_mechanism` -- who trades and who is paid what, optimum against competitive equilibrium;
* :func:`plot_welfare_comparison` -- welfare of the optimum and of competitive equilibrium;
* :func:`plot_inequality_map` -- which instruments the optimum uses, over same-side x cross-side inequality.

Examples
--------
>>> import redlib
>>> from redlib.plotting.market import plot_phi
>>> market = redlib.Market(redlib.Side(redlib.Uniform(), 2.0), redlib.Side(redlib.Uniform(), 1.0))
>>> result = redlib.optimal_mechanism(market, grid_size=200)
>>> fig = plot_phi(result, market)
>>> len(fig.axes)
2
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from .._validation import check_finite_array, check_in, check_instance, check_int, check_one_per
from ..market import Market
from ..mechanism import MechanismResult
from ..one_sided import TwoPriceResult
from . import layout, style

__all__ = [
    "plot_weights",
    "plot_one_sided_prices",
    "plot_two_prices",
    "plot_price_objective",
    "plot_phi",
    "plot_mechanism",
    "plot_welfare_comparison",
    "plot_inequality_map",
    "INSTRUMENT_LABELS",
]

C = style.COLOR

#: Plain-language names of the values of ``MechanismResult.instruments``.
INSTRUMENT_LABELS = {
    "competitive": "competitive price",
    "wedge": "price wedge + lump sum",
    "rationing": "rationing",
    "wedge+rationing": "wedge + rationing",
}
_INSTRUMENT_COLORS = {
    "competitive": "#FFFFFF",
    "wedge": C["sky_blue"],
    "rationing": C["orange"],
    "wedge+rationing": C["reddish_purple"],
}


# ----------------------------------------------------------------------------------- helpers
def _new_axes(ncols=1, nrows=1, figsize=None, fig=None, **kw):
    """A new figure with ``nrows x ncols`` axes, or ``fig`` cleared for redrawing in place."""
    return layout.subplots(fig, nrows, ncols, figsize=figsize, **kw)


def _support(dist):
    lo, hi = (float(v) for v in dist.support)
    return lo, hi


def _type_grid(dist, n=801):
    """A dense grid of rates of substitution on the support (the types themselves if discrete)."""
    lo, hi = _support(dist)
    r = np.linspace(lo, hi, n)
    if getattr(dist, "is_discrete", False):
        r = np.union1d(r, np.asarray(dist.values, dtype=float))
    return r


def _check_result(result):
    check_instance("result", result, MechanismResult, "a MechanismResult from redlib.optimal_mechanism")


def _check_market(market):
    check_instance("market", market, Market, "a redlib.Market")


# ----------------------------------------------------------------------------------- weights
def plot_weights(sides, *, n=401, ax=None, title=None):
    """Plot normalised Pareto weights ``lambda(r) / Lambda`` of one or more sides.

    The dashed line at 2 is the slides' threshold between **low** and **high** same-side
    inequality: with weights decreasing in ``r``, inequality is high when the weight of the
    lowest type exceeds twice the side's average weight.

    Parameters
    ----------
    sides : dict
        Mapping ``label -> Side``.
    n : int, default 401
        Number of points of the grid of ``r`` on each side's support.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure is created if omitted.
    title : str, optional
        Axes title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import redlib
    >>> fig = plot_weights({"flat": redlib.Side(redlib.Uniform(), 1.0)})
    >>> fig.axes[0].get_ylabel().startswith('$')
    True
    """
    if not isinstance(sides, dict) or not sides:
        raise ValueError("sides must be a non-empty dict label -> Side")
    n = check_int("n", n, minimum=2)
    if ax is None:
        fig, axes = _new_axes(figsize=(6.5, 4.0))
        ax = axes[0, 0]
    else:
        fig = ax.figure
    for i, (label, side) in enumerate(sides.items()):
        lo, hi = _support(side.dist)
        r = np.linspace(lo, hi, n)
        Lam = side.Lam
        if Lam <= 0:
            raise ValueError(f"side {label!r} must have a positive average weight, got {Lam}")
        ax.plot(r, np.asarray(side.lam(r), dtype=float) / Lam, color=style.color(i), label=str(label))
    ax.axhline(2.0, color=C["black"], lw=1.2, ls="--")
    ax.axhline(1.0, color=C["black"], lw=0.8, ls=":")
    ax.annotate("high same-side inequality", xy=(0.98, 2.0), xycoords=("axes fraction", "data"),
                xytext=(0, 4), textcoords="offset points", ha="right", va="bottom")
    ax.set_xlabel("rate of substitution r")
    ax.set_ylabel(r"$\lambda(r)\,/\,\Lambda$")
    ax.set_ylim(bottom=0)
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right")  # above the annotation of the line at 2
    return fig


# ----------------------------------------------------------------------------------- one side
def plot_one_sided_prices(quantities, results, *, side="seller", title=None, fig=None):
    """Optimal one-sided price and probability of trade against the quantity ``Q``.

    Parameters
    ----------
    quantities : array_like
        The quantities ``Q`` at which the one-sided problem was solved (increasing).
    results : sequence of OneSidedResult
        Output of :func:`redlib.optimal_seller_price` or :func:`redlib.optimal_buyer_price`
        at each quantity (fields ``price``, ``rationing``, ``competitive_price``).
    side : {"seller", "buyer"}
        Which side the results belong to (labels only).
    title : str, optional
        Figure title.

    fig : matplotlib.figure.Figure, optional
        A figure this function made before: redrawn in place, keeping its axes and layout
        (see :mod:`redlib.plotting.layout`).

    Returns
    -------
    matplotlib.figure.Figure
        Two panels: the optimal and the competitive price (left) and the probability that a
        willing agent trades (right; 1 means no rationing).

    Examples
    --------
    >>> import redlib
    >>> s = redlib.Side(redlib.Uniform(), 1.0)
    >>> Qs = [0.2, 0.5]
    >>> fig = plot_one_sided_prices(Qs, [redlib.optimal_seller_price(s, Q, 0.0) for Q in Qs])
    >>> len(fig.axes)
    2
    """
    side = check_in("side", side, ("seller", "buyer"))
    Q = check_finite_array("quantities", quantities)
    results = check_one_per("results", results, Q.size, "quantity")
    price = np.array([float(res.price) for res in results])
    comp = np.array([float(res.competitive_price) for res in results])
    ration = np.array([float(res.rationing) for res in results])
    fig, axes = _new_axes(2, figsize=(10.0, 4.0), fig=fig)
    ax = axes[0, 0]
    ax.plot(Q, comp, color=C["black"], ls="--", lw=1.5, label="competitive price")
    ax.plot(Q, price, color=C["vermillion"], label=f"optimal {side} price")
    rationed = ration < 1 - 1e-9
    if rationed.any():
        ax.fill_between(Q, comp, price, where=rationed, color=C["orange"], alpha=0.25, lw=0,
                        label="rationing")
    ax.set_xlabel("quantity Q")
    ax.set_ylabel("price")
    layout.legend_outside(fig, axes[0, 0])
    ax = axes[0, 1]
    ax.plot(Q, ration, color=C["blue"])
    ax.set_ylim(-0.03, 1.05)
    ax.set_xlabel("quantity Q")
    ax.set_ylabel(f"prob. a willing {side} trades")
    if title:
        fig.suptitle(title)
    return fig


def plot_price_objective(results, *, labels=None, title=None, fig=None):
    """The one-sided objective as a function of the posted price.

    For the seller problem the objective is drawn over every feasible price ``p >= G_S^{-1}(Q)``
    (buyers: ``p <= G_B^{-1}(1 - Q)``), relative to its value at the competitive price, so curves for
    different weights can share one axis. A curve that falls away from the competitive price says
    "do not distort"; a hump says "raise the price and ration".

    Parameters
    ----------
    results : OneSidedResult or sequence of OneSidedResult
        Output of :func:`redlib.optimal_seller_price` / :func:`redlib.optimal_buyer_price`
        (fields ``prices``, ``objectives``, ``price``, ``objective``, ``competitive_price``,
        ``competitive_objective``).
    labels : sequence of str, optional
        One legend label per result.
    title : str, optional
        Axes title.

    fig : matplotlib.figure.Figure, optional
        A figure this function made before: redrawn in place, keeping its axes and layout
        (see :mod:`redlib.plotting.layout`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import redlib
    >>> res = redlib.optimal_seller_price(redlib.Side(redlib.Uniform(), redlib.power_weight(1, 3)), 0.1, 1.0)
    >>> fig = plot_price_objective(res)
    >>> fig.axes[0].get_xlabel()
    'posted price p'
    """
    if not isinstance(results, (list, tuple)):
        results = [results]
    if not results:
        raise ValueError("results must contain at least one OneSidedResult")
    if labels is None:
        labels = [None] * len(results)
    labels = check_one_per("labels", labels, len(results), "result")
    fig, axes = _new_axes(figsize=(6.5, 4.0), fig=fig)
    ax = axes[0, 0]
    for i, (res, lab) in enumerate(zip(results, labels)):
        if getattr(res, "prices", None) is None or getattr(res, "objectives", None) is None:
            raise ValueError("results must carry the candidate prices and objectives "
                             "(OneSidedResult.prices / .objectives)")
        p = np.asarray(res.prices, dtype=float)
        v = np.asarray(res.objectives, dtype=float) - float(res.competitive_objective)
        order = np.argsort(p)
        col = style.color(i)
        ax.plot(p[order], v[order], color=col, label=lab)
        ax.plot([float(res.price)], [float(res.objective) - float(res.competitive_objective)], "o",
                color=col, ms=7)
    ax.axhline(0.0, color=C["black"], lw=0.8)
    ax.axvline(float(results[0].competitive_price), color=C["black"], lw=1.0, ls="--")
    # label the dashed line at the bottom of the axes, clear of the curves that start at (p^C, 0)
    ax.annotate("competitive price", xy=(float(results[0].competitive_price), 0.03),
                xycoords=("data", "axes fraction"), xytext=(4, 0), textcoords="offset points", va="bottom")
    ax.set_xlabel("posted price p")
    ax.set_ylabel("gain over the competitive price")
    if any(lab is not None for lab in labels):
        ax.legend(loc="best")
    if title:
        ax.set_title(title)
    return fig


def plot_two_prices(result, *, single=None, r_range=None, title=None, fig=None):
    """The buyers' two-price menu: probability of buying against ``r``.

    Types below ``p_low`` do not buy; types between ``p_low`` and the indifferent type
    ``r_hat = (p_high - delta p_low) / (1 - delta)`` take the rationed option (buy with
    probability ``delta`` at ``p_low``); types above ``r_hat`` buy for sure at ``p_high``.

    Parameters
    ----------
    result : TwoPriceResult
        Output of :func:`redlib.optimal_buyer_two_prices` (fields ``p_high``, ``p_low``, ``delta``).
    single : OneSidedResult, optional
        The best single price at the same ``(Q, R)``, drawn dashed for comparison.
    r_range : (float, float), optional
        Range of ``r`` on the horizontal axis; default ``(0, 1)``.
    title : str, optional
        Axes title.

    fig : matplotlib.figure.Figure, optional
        A figure this function made before: redrawn in place, keeping its axes and layout
        (see :mod:`redlib.plotting.layout`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import redlib
    >>> b = redlib.Side(redlib.Uniform(), lambda r: 4 * (1 - r) ** 3)
    >>> fig = plot_two_prices(redlib.optimal_buyer_two_prices(b, 0.9, 0.0))
    >>> fig.axes[0].get_xlabel()
    'rate of substitution r'
    """
    check_instance("result", result, TwoPriceResult, "a TwoPriceResult from redlib.optimal_buyer_two_prices")
    p_high, p_low, delta = float(result.p_high), float(result.p_low), float(result.delta)
    top = float(result.high_prob)
    lo, hi = (0.0, 1.0) if r_range is None else (float(r_range[0]), float(r_range[1]))
    if not hi > lo:
        raise ValueError(f"r_range must be increasing, got {r_range!r}")
    r = np.linspace(lo, hi, 1201)
    two = p_low < p_high and 0.0 < delta < top
    if two:
        r_hat = (top * p_high - delta * p_low) / (top - delta)
        x = np.where(r >= r_hat, top, np.where(r >= p_low, delta, 0.0))
    else:
        r_hat = p_high
        x = np.where(r >= p_high, top, 0.0)
    fig, axes = _new_axes(figsize=(6.5, 4.0), fig=fig)
    ax = axes[0, 0]
    if single is not None:
        ps = float(single.price)
        ax.step(r, np.where(r >= ps, 1.0, 0.0), where="post", color=C["black"], ls="--", lw=1.5,
                label=f"best single price {ps:.3f}")
    # what the menu offers goes into the legend (outside the axes): no text over the data
    sure = "for sure" if top > 1 - 1e-9 else f"w.p. {top:.2f}"
    offer = (f"two-price menu: buy w.p. $\\delta$ = {delta:.2f} at $p_B^L$ = {p_low:.3f},\n"
             f"or {sure} at $p_B^H$ = {p_high:.3f}") if two else \
        f"two-price menu: one price, $p_B^H$ = {p_high:.3f}"
    ax.step(r, x, where="post", color=C["vermillion"], label=offer)
    ax.set_ylim(-0.03, 1.08)
    ax.set_xlabel("rate of substitution r")
    ax.set_ylabel("probability of buying")
    layout.legend_outside(fig, ax, ncols=1)
    if title:
        ax.set_title(title)
    return fig


# ----------------------------------------------------------------------------------- market
def _phi_panel(ax, side_mech, q0, color, name, qlabel, tilt=0.0, window=None, suffix=""):
    q = np.asarray(side_mech.q, dtype=float)
    lin = tilt * q
    phi = np.asarray(side_mech.phi, dtype=float) + lin
    env = side_mech.envelope
    hull = np.asarray(env.values, dtype=float) + lin  # the envelope of (q, phi): one value per q
    sym = rf"\varphi_{name}^\alpha"
    ax.plot(q, phi, color=color, lw=1.6, label=rf"${sym}{suffix}$")
    ax.plot(q, hull, color=C["black"], lw=1.4, ls="--", label=rf"$\mathrm{{co}}({sym}){suffix}$")
    q0 = float(np.clip(q0, q[0], q[-1]))
    y0 = float(np.asarray(env(q0))) + tilt * q0
    ax.axvline(q0, color=C["black"], lw=0.8, ls=":")
    xl, xr, wl = (float(v) for v in env.split(q0))
    if xr - xl > 1e-9 and 1e-9 < wl < 1 - 1e-9:
        pts = np.array([xl, xr])
        ax.plot(pts, np.asarray(env(pts), dtype=float) + tilt * pts, "o", color=color, ms=7,
                mfc="white", label="lottery over thresholds")
    ax.plot([q0], [y0], "o", color=color, ms=8, label=f"chosen {qlabel} = {q0:.3f}")
    if window is not None:
        lo, hi = (float(v) for v in window)
        if not (0.0 <= lo < hi <= 1.0):
            raise ValueError(f"zoom windows must satisfy 0 <= lo < hi <= 1, got {window!r}")
        inside = (q >= lo) & (q <= hi)
        ys = np.concatenate([phi[inside], hull[inside], [y0]])
        pad = 0.08 * max(float(ys.max() - ys.min()), 1e-12)
        ax.set_xlim(lo, hi)
        ax.set_ylim(float(ys.min()) - pad, float(ys.max()) + pad)
    ax.set_xlabel("quantile q (threshold rule)")


def plot_phi(result, market, *, tilt=False, zoom=None, title=None, fig=None):
    """Plot ``phi_S^alpha`` and ``phi_B^alpha``, their concave closures and the chosen quantities.

    The seller panel marks ``Q`` and the buyer panel ``Q / mu`` (the buyers' lotteries have mean
    ``Q / mu`` because there are ``mu`` buyers). Where the chosen point lies on a linear piece of
    the closure, the two end points of the piece -- the threshold rules the optimum mixes -- are
    drawn as open circles: this is rationing.

    With ``tilt=True`` both curves are tilted by the shadow value ``eta`` of one more unit traded
    (``phi_S + eta q`` and ``phi_B - eta q``; ``-eta`` is a slope of ``co(phi_S)`` at ``Q`` and
    ``eta`` a slope of ``co(phi_B)`` at ``Q / mu``). Adding a linear function does not change which
    points the closure touches, and after the tilt each chosen quantity is a **peak** of its
    tilted closure; a rationing lottery shows up as a flat top.

    Parameters
    ----------
    result : MechanismResult
        Output of :func:`redlib.optimal_mechanism`.
    market : Market
        The market it was computed for (for the buyer mass ``mu``).
    tilt : bool, default False
        Tilt both curves by the shadow value of the good (see above).
    zoom : dict, optional
        ``{"sellers": (lo, hi), "buyers": (lo, hi)}``: quantile windows to show (the vertical
        range follows the curves inside the window).
    title : str, optional
        Figure title.

    fig : matplotlib.figure.Figure, optional
        A figure this function made before: redrawn in place, keeping its axes and layout
        (see :mod:`redlib.plotting.layout`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import redlib
    >>> m = redlib.Market(redlib.Side(redlib.Uniform(), 2.0), redlib.Side(redlib.Uniform(), 1.0))
    >>> fig = plot_phi(redlib.optimal_mechanism(m, grid_size=200), m, tilt=True)
    >>> [ax.get_title() for ax in fig.axes]
    ['sellers', 'buyers']
    """
    _check_result(result)
    _check_market(market)
    zoom = {} if zoom is None else dict(zoom)
    bad = set(zoom) - {"sellers", "buyers"}
    if bad:
        raise ValueError(f"zoom keys must be 'sellers' and/or 'buyers', got {sorted(bad)}")
    mu = float(market.buyer_mass)
    Q = float(result.quantity)
    eta = float(result.eta) if tilt else 0.0
    fig, axes = _new_axes(2, figsize=(10.0, 4.2), fig=fig)
    _phi_panel(axes[0, 0], result.sellers, Q, C["vermillion"], "S", r"$Q$", tilt=eta,
               window=zoom.get("sellers"), suffix=r" + \eta q" if tilt else "")
    axes[0, 0].set_title("sellers")
    _phi_panel(axes[0, 1], result.buyers, Q / mu, C["blue"], "B", r"$Q/\mu$", tilt=-eta,
               window=zoom.get("buyers"), suffix=r" - \eta q" if tilt else "")
    axes[0, 1].set_title("buyers")
    layout.legend_outside(fig, axes[0], ncols=3)
    head = rf"$\alpha$ = {float(result.alpha):.3f}" + (rf", $\eta$ = {eta:.3f}" if tilt else "")
    fig.suptitle(f"{title}   ({head})" if title else head)
    return fig


def plot_mechanism(result, market, *, competitive=True, title=None, fig=None):
    """Who trades, and for how much: the optimal mechanism against competitive equilibrium.

    Parameters
    ----------
    result : MechanismResult
        Output of :func:`redlib.optimal_mechanism`.
    market : Market
        The market it was computed for.
    competitive : bool, default True
        Also draw the competitive-equilibrium allocation and transfers (dashed).
    title : str, optional
        Figure title.

    fig : matplotlib.figure.Figure, optional
        A figure this function made before: redrawn in place, keeping its axes and layout
        (see :mod:`redlib.plotting.layout`).

    Returns
    -------
    matplotlib.figure.Figure
        Four panels: probability of trade (top) and transfers (bottom; money received by
        sellers, money paid by buyers, lump sums included) for sellers (left) and buyers (right).

    Examples
    --------
    >>> import redlib
    >>> m = redlib.Market(redlib.Side(redlib.Uniform(), 2.0), redlib.Side(redlib.Uniform(), 1.0))
    >>> fig = plot_mechanism(redlib.optimal_mechanism(m, grid_size=200), m)
    >>> len(fig.axes)
    4
    """
    _check_result(result)
    _check_market(market)
    fig, axes = _new_axes(2, 2, figsize=(10.0, 7.0), fig=fig, sharex="col")
    p_ce = float(result.competitive.price) if competitive else None
    for j, (name, mech, side, color) in enumerate(
        (("sellers", result.sellers, market.sellers, C["vermillion"]),
         ("buyers", result.buyers, market.buyers, C["blue"]))
    ):
        r = _type_grid(side.dist)
        x = np.asarray(mech.trade_probability(r), dtype=float)
        t = np.asarray(mech.transfer(r), dtype=float)
        ax_x, ax_t = axes[0, j], axes[1, j]
        ax_x.step(r, x, where="post", color=color, label=f"optimal mechanism, {name}")
        ax_t.step(r, t, where="post", color=color, label="optimal mechanism")
        if competitive:
            if j == 0:
                x_ce = np.where(r <= p_ce, 1.0, 0.0)
            else:
                x_ce = np.where(r >= p_ce, 1.0, 0.0)
            ax_x.step(r, x_ce, where="post", color=C["black"], ls="--", lw=1.4,
                      label=f"competitive (p = {p_ce:.3f})")
            ax_t.step(r, p_ce * x_ce, where="post", color=C["black"], ls="--", lw=1.4,
                      label="competitive")
        ax_x.set_ylim(-0.03, 1.08)
        ax_x.set_title(name)
        ax_x.set_ylabel("probability of selling" if j == 0 else "probability of buying")
        ax_t.set_ylabel("money received" if j == 0 else "money paid")
        ax_t.set_xlabel(f"{name[:-1]}'s rate of substitution r")

    layout.legend_outside(fig, axes[0], ncols=3)  # below the panels: never over a step
    if title:
        fig.suptitle(title)
    return fig


def plot_welfare_comparison(x, results, *, xlabel, title=None, fig=None):
    """Welfare of the optimal mechanism and of competitive equilibrium along a parameter.

    Parameters
    ----------
    x : array_like
        Values of the varied parameter (increasing).
    results : sequence of MechanismResult
        Output of :func:`redlib.optimal_mechanism` at each value (``.welfare``,
        ``.competitive.welfare``, ``.instruments``).
    xlabel : str
        Name of the parameter.
    title : str, optional
        Figure title.

    fig : matplotlib.figure.Figure, optional
        A figure this function made before: redrawn in place, keeping its axes and layout
        (see :mod:`redlib.plotting.layout`).

    Returns
    -------
    matplotlib.figure.Figure
        Left: both welfare levels. Right: the gain over competitive equilibrium, with markers
        coloured by the instruments the optimum uses.

    Examples
    --------
    >>> import redlib
    >>> mk = lambda L: redlib.Market(redlib.Side(redlib.Uniform(), L), redlib.Side(redlib.Uniform(), 1.0))
    >>> xs = [1.0, 2.0]
    >>> fig = plot_welfare_comparison(xs, [redlib.optimal_mechanism(mk(L), grid_size=100) for L in xs],
    ...                               xlabel="seller weight")
    >>> len(fig.axes)
    2
    """
    xs = check_finite_array("x", x)
    results = check_one_per("results", results, xs.size, "x")
    w = np.array([float(res.welfare) for res in results])
    w_ce = np.array([float(res.competitive.welfare) for res in results])
    inst = [str(res.instruments) for res in results]
    fig, axes = _new_axes(2, figsize=(10.0, 4.0), fig=fig)
    ax = axes[0, 0]
    ax.plot(xs, w_ce, color=C["black"], ls="--", lw=1.5, label="competitive equilibrium")
    ax.plot(xs, w, color=C["vermillion"], label="optimal mechanism")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("weighted welfare")
    ax.legend(loc="best")
    ax = axes[0, 1]
    ax.plot(xs, w - w_ce, color=C["black"], lw=1.0)
    seen = set()
    for key in INSTRUMENT_LABELS:
        mask = np.array([s == key for s in inst])
        if mask.any():
            seen.add(key)
            ax.scatter(xs[mask], (w - w_ce)[mask], s=36, zorder=3, edgecolor=C["black"], linewidth=0.6,
                       color=_INSTRUMENT_COLORS[key], label=INSTRUMENT_LABELS[key])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("gain over competitive equilibrium")
    if seen:
        ax.legend(loc="best")
    if title:
        fig.suptitle(title)
    return fig


_MAP_FIELDS = ("same_side", "cross_side", "instruments")


def _map_fields(data):
    """(same-side values, cross-side values, instruments of shape (n_s, n_c)) of a map.

    Every field is required (a dict's keys or an object's attributes): a missing one raises a
    ``ValueError`` naming it; there are no defaults.
    """
    if isinstance(data, dict):
        missing = [k for k in _MAP_FIELDS if k not in data]
        values = [data.get(k) for k in _MAP_FIELDS]
    else:
        missing = [k for k in _MAP_FIELDS if not hasattr(data, k)]
        values = [getattr(data, k, None) for k in _MAP_FIELDS]
    if missing:
        raise ValueError(f"data must be an InequalityMap from redlib.inequality_map (or a dict with "
                         f"its fields {list(_MAP_FIELDS)}); missing {missing}")
    empty = [k for k, v in zip(_MAP_FIELDS, values) if v is None]
    if empty:
        raise ValueError(f"data fields {empty} are None")
    xs, ys, z = values
    return np.asarray(xs, dtype=float), np.asarray(ys, dtype=float), np.asarray(z).astype(str)


def plot_inequality_map(data, *, title="Optimal market design under wealth inequality",
                        threshold=1.0, xlabel=None, ylabel=None, fig=None):
    """Which instruments the optimal mechanism uses, over same-side x cross-side inequality.

    Parameters
    ----------
    data : InequalityMap or dict
        Output of :func:`redlib.inequality_map`: fields ``same_side`` (``n_s`` values of the
        same-side inequality ``s``), ``cross_side`` (``n_c`` values of ``Lam_S / Lam_B``) and
        ``instruments`` (shape ``(n_s, n_c)``, entries ``"competitive"``, ``"wedge"``,
        ``"rationing"``, ``"wedge+rationing"``); a missing field raises ``ValueError``.
    title : str, optional
        Axes title.
    threshold : float or None, default 1.0
        Draw a vertical line at this same-side value (``s = 1``: inequality becomes "high").
    xlabel, ylabel : str, optional
        Axis labels (defaults describe the :func:`redlib.power_weight` family).

    fig : matplotlib.figure.Figure, optional
        A figure this function made before: redrawn in place, keeping its axes and layout
        (see :mod:`redlib.plotting.layout`).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> data = {"same_side": [0, 3], "cross_side": [1, 3],
    ...         "instruments": [["competitive", "wedge"], ["rationing", "wedge+rationing"]]}
    >>> fig = plot_inequality_map(data)
    >>> fig.axes[0].get_xlabel().startswith('same-side inequality')
    True
    """
    xs, ys, z = _map_fields(data)
    if z.shape != (xs.size, ys.size):
        raise ValueError(f"instruments must have shape (len(same_side), len(cross_side)) = "
                         f"{(xs.size, ys.size)}, got {z.shape}")
    keys = list(INSTRUMENT_LABELS)
    unknown = set(z.ravel().tolist()) - set(keys)
    if unknown:
        raise ValueError(f"instruments has unknown entries {sorted(unknown)}; expected {keys}")
    codes = np.vectorize(keys.index)(z).astype(float).T  # rows: cross-side (y), columns: same-side (x)
    cmap = ListedColormap([_INSTRUMENT_COLORS[k] for k in keys])

    def edges(v):
        if v.size == 1:
            return np.array([v[0] - 0.5, v[0] + 0.5])
        mid = 0.5 * (v[1:] + v[:-1])
        return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])

    fig, axes = _new_axes(figsize=(8.5, 5.2), fig=fig)
    ax = axes[0, 0]
    ax.pcolormesh(edges(xs), edges(ys), codes, cmap=cmap, vmin=-0.5, vmax=len(keys) - 0.5,
                  edgecolors="face", linewidth=0.0)
    ax.grid(False)
    if threshold is not None:
        ax.axvline(float(threshold), color=C["black"], lw=1.2, ls="--")
        ax.annotate("high same-side\ninequality →", xy=(float(threshold), ys.max()), xytext=(4, -4),
                    textcoords="offset points", ha="left", va="top")
    if ys.min() < 1.0 < ys.max():
        ax.axhline(1.0, color=C["black"], lw=0.8, ls=":")
    present = [k for k in keys if (z == k).any()]
    handles = [Patch(facecolor=_INSTRUMENT_COLORS[k], edgecolor=C["black"], linewidth=0.6,
                     label=INSTRUMENT_LABELS[k]) for k in present]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_xlabel(xlabel or r"same-side inequality $\theta$   ($\lambda(0) = (1+\theta)\Lambda$)")
    ax.set_ylabel(ylabel or r"cross-side inequality $\Lambda_S\,/\,\Lambda_B$")
    if title:
        ax.set_title(title)
    return fig
