"""Figures for the chapter "Propositions" (numerical checks of every result).

Every function draws on a **new** matplotlib figure and returns it; nothing is computed here beyond
evaluating the objects handed in (the data come from :func:`redlib.randomization_share` and :mod:`redlib.propositions`).

* :func:`plot_randomization_share` -- ADK Proposition 6: the share of randomized types as the Pareto
  weights get more skewed (rises, then falls back to zero), with the weights themselves;
* :func:`plot_check_summary` -- instances tried and passed for every check.

Examples
--------
>>> from redlib import randomization_share
>>> from redlib.plotting.propositions import plot_randomization_share
>>> fig = plot_randomization_share(randomization_share([0.1, 10.0, 1000.0], grid_size=60))
>>> len(fig.axes)
2
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import style

__all__ = ["plot_randomization_share", "plot_check_summary"]


def plot_randomization_share(data, highlight=(0.3, 10.0, 1000.0)):
    """ADK Proposition 6: share of randomized types against the skew of the Pareto weights.

    Parameters
    ----------
    data : dict
        Output of :func:`redlib.randomization_share` (keys ``skew``, ``share``,
        ``lam_low``; it also records ``lo``, ``hi``, ``alpha``, ``lambda_bar`` if present).
    highlight : sequence of float, default (0.3, 10, 1000)
        Skews whose weight functions are drawn in the left panel (and marked on the right).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from redlib import randomization_share
    >>> fig = plot_randomization_share(randomization_share([0.1, 10.0], grid_size=40), highlight=(0.1,))
    >>> fig.axes[1].get_xscale()
    'log'
    """
    from ..weights import ShapeWeight

    skew = np.asarray(data["skew"], dtype=float)
    share = np.asarray(data["share"], dtype=float)
    if skew.shape != share.shape or skew.ndim != 1 or skew.size == 0:
        raise ValueError("data['skew'] and data['share'] must be 1-d arrays of the same length")
    lo, hi = float(data.get("lo", 1.0)), float(data.get("hi", 2.0))
    alpha = float(data.get("alpha", 1.0))
    lam_bar = float(data.get("lambda_bar", 1.0))

    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4.3))
    r = np.linspace(lo, hi, 400)
    for i, s in enumerate(highlight):
        w = ShapeWeight("exp", float(s), lo, hi, lam_bar)
        ax0.plot(r, w(r), color=style.color(i), lw=2, label=f"skew $s = {s:g}$")
    ax0.axhline(2 * alpha, color="0.4", ls="--", lw=1)
    ax0.text(hi, 2 * alpha, r"$2\alpha$", va="bottom", ha="right", color="0.3")
    ax0.set_ylim(0, max(4 * alpha, 3 * lam_bar))
    ax0.set_xlabel("willingness to pay $r$")
    ax0.set_ylabel(r"Pareto weight $\lambda^s(r)$")
    ax0.set_title(rf"weights, all with average $\bar\lambda = {lam_bar:g} \leq \alpha = {alpha:g}$")
    ax0.legend(loc="upper right")

    ax1.plot(skew, share, color=style.COLOR["blue"], lw=2, marker="o", ms=4)
    for i, s in enumerate(highlight):
        k = int(np.argmin(np.abs(np.log(skew) - np.log(s))))
        ax1.plot(skew[k], share[k], "o", ms=10, mfc="none", mew=2, color=style.color(i))
    ax1.set_xscale("log")
    ax1.set_ylim(bottom=0)
    ax1.set_xlabel(r"skew $s$ of the weights (log scale)")
    ax1.set_ylabel("share of types allocated at random")
    ax1.set_title("randomization rises, then falls")
    return fig


def plot_check_summary(reports):
    """Instances tried and passed for every check (one horizontal bar per result).

    Parameters
    ----------
    reports : sequence of CheckReport
        Output of the ``check_*`` functions of :mod:`redlib.propositions`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from redlib.propositions import CheckReport
    >>> fig = plot_check_summary([CheckReport("a", 3, 3), CheckReport("b", 2, 1)])
    >>> len(fig.axes[0].patches)
    4
    """
    reports = list(reports)
    if not reports:
        raise ValueError("reports must contain at least one CheckReport")
    names = [r.name for r in reports]
    tried = np.array([r.tried for r in reports], dtype=float)
    passed = np.array([r.passed for r in reports], dtype=float)
    y = np.arange(len(reports))[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(reports) + 1.2))
    ax.barh(y, tried, color="0.85", label="instances tried")
    ax.barh(y, passed, height=0.5, color=style.COLOR["bluish_green"], label="instances passed")
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.set_xlabel("random instances")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    return fig
