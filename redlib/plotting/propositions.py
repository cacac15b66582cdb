"""Figures for the chapter "Propositions" (numerical checks of every result).

Every function draws on a **new** matplotlib figure and returns it; nothing is computed here beyond
evaluating the objects handed in (the data come from :func:`redlib.randomization_share` and :mod:`redlib.propositions`).

* :func:`plot_randomization_share` -- ADK Proposition 6: the share of randomized types as the Pareto
  weights get more skewed (rises, then falls back to zero), with the weights themselves;
* :func:`plot_check_summary` -- instances tried and held, and hypotheses shown to be needed;
* :func:`plot_rationing_boundary` -- the computed seller-rationing boundary of the inequality map.

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

from ..weights import ShapeWeight
from . import style

__all__ = ["plot_randomization_share", "plot_check_summary", "plot_rationing_boundary"]


def plot_randomization_share(data, highlight=(0.3, 10.0, 1000.0)):
    """ADK Proposition 6: share of randomized types against the skew of the Pareto weights.

    Parameters
    ----------
    data : dict
        Output of :func:`redlib.randomization_share` (keys ``skew``, ``share``, ``lo``, ``hi``,
        ``alpha``, ``lambda_bar``; a missing key raises ``ValueError``).
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
    missing = [k for k in ("skew", "share", "lo", "hi", "alpha", "lambda_bar") if k not in data]
    if missing:
        raise ValueError(f"data must be the output of redlib.randomization_share; missing keys {missing}")
    skew = np.asarray(data["skew"], dtype=float)
    share = np.asarray(data["share"], dtype=float)
    if skew.shape != share.shape or skew.ndim != 1 or skew.size == 0:
        raise ValueError("data['skew'] and data['share'] must be 1-d arrays of the same length")
    lo, hi = float(data["lo"]), float(data["hi"])
    alpha = float(data["alpha"])
    lam_bar = float(data["lambda_bar"])

    fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4.3))
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


def plot_check_summary(reports, dropped=None, no_hypothesis=None):
    """What was tried and what held: instances per result, and hypotheses shown to be needed.

    Left: for every result, the instances tried, split into passed (green) and failed (red, none
    when all hold). Right: the hypotheses of the statement that were dropped, each marked with
    whether the check then found a counterexample (filled) or not (open); "none" and the reason
    if the statement carries no hypothesis beyond the model, "none dropped" otherwise.

    Parameters
    ----------
    reports : dict of label -> CheckReport, or sequence of CheckReport
    dropped : dict of label -> dict of hypothesis -> bool, optional
        Output of running ``redlib.propositions.HYPOTHESES`` (True: counterexample found).
    no_hypothesis : dict of label -> str, optional
        Results without a hypothesis beyond the model, and why
        (``redlib.propositions.NO_HYPOTHESIS``).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from redlib.propositions import CheckReport
    >>> fig = plot_check_summary({"a": CheckReport("a", 3, 3), "b": CheckReport("b", 2, 1)},
    ...                          {"a": {"h": True}, "b": {}}, {"b": "an identity"})
    >>> len(fig.axes)
    2
    >>> plt.close(fig)
    """
    if not isinstance(reports, dict):
        reports = {r.name: r for r in reports}
    if not reports:
        raise ValueError("reports must contain at least one CheckReport")
    dropped = dropped or {}
    no_hypothesis = no_hypothesis or {}
    labels = list(reports)
    tried = np.array([reports[k].tried for k in labels], dtype=float)
    passed = np.array([reports[k].passed for k in labels], dtype=float)
    y = np.arange(len(labels))[::-1]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 0.4 * len(labels) + 1.8), sharey=True,
                                  width_ratios=[1.2, 1])
    ax.barh(y, passed, color=style.COLOR["bluish_green"], label="held")
    ax.barh(y, tried - passed, left=passed, color=style.COLOR["vermillion"], label="failed")
    for yi, t, p in zip(y, tried, passed):
        ax.text(t + 0.3, yi, f"{int(p)}/{int(t)}", va="center")
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.set_xlabel("random instances\n(all hypotheses met)")
    ax.set_xlim(0, max(tried.max(), 1) * 1.25)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2)
    for yi, k in zip(y, labels):
        hyps = dropped.get(k, {})
        if not hyps:
            why = no_hypothesis.get(k)
            ax2.text(0.1, yi, f"none: {why}" if why else "none dropped", va="center",
                     color="0.35" if why else style.COLOR["vermillion"])
        for j, (h, ok) in enumerate(hyps.items()):
            ax2.plot(j + 0.3, yi, "o", ms=8, color=style.COLOR["blue"], mfc=style.COLOR["blue"] if ok else "none")
    ax2.set_xlim(0, 4)
    ax2.set_xticks([])
    ax2.set_xlabel("hypotheses dropped\n(filled: counterexample found;\nopen: not needed alone)")
    return fig


def plot_rationing_boundary(data):
    """The computed seller-rationing boundary of the inequality map, against ``lam_S(0) = 2 alpha*``.

    Parameters
    ----------
    data : dict
        Output of ``redlib.propositions.general.rationing_boundary``.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from redlib.propositions.general import rationing_boundary
    >>> fig = plot_rationing_boundary(rationing_boundary([0.0, 4.0], [1.0, 2.0], grid_size=40))
    >>> len(fig.axes)
    1
    >>> plt.close(fig)
    """
    th, cs = np.asarray(data["theta"]), np.asarray(data["ratio"])
    rat, alpha = np.asarray(data["rationed"]), np.asarray(data["alpha"])
    if rat.shape != (th.size, cs.size):
        raise ValueError("data['rationed'] must have shape (len(theta), len(ratio))")
    fig, ax = plt.subplots(figsize=(8, 4.6))
    T, C = np.meshgrid(th, cs, indexing="ij")
    ax.scatter(T[rat], C[rat], s=18, color=style.COLOR["vermillion"], label="sellers rationed")
    ax.scatter(T[~rat], C[~rat], s=8, color="0.75", label="not rationed")
    # where lam_S(0) = c (1 + theta) first exceeds 2 alpha* (a necessary condition)
    need = np.array([th[np.argmax(C[:, j] * (1 + th) > 2 * alpha[:, j])]
                     if (C[:, j] * (1 + th) > 2 * alpha[:, j]).any() else np.nan for j in range(cs.size)])
    ax.plot(need, cs, color=style.COLOR["blue"], lw=2, marker="s", ms=4,
            label=r"$\lambda_S(0)$ first exceeds $2\alpha^*$")
    ax.plot(data["boundary"], cs, color=style.COLOR["vermillion"], lw=2,
            label="computed rationing boundary")
    # (in the key: a label on the plot would cover the points next to the line)
    ax.axvline(1.0, color="0.4", ls="--", lw=1, label=r"$\theta = 1$: $\lambda_S(0) = 2\Lambda_S$")
    ax.set_xlabel(r"seller same-side inequality $\theta$  ($\lambda_S(0) = (1+\theta)\Lambda_S$)")
    ax.set_ylabel(r"cross-side inequality $\Lambda_S/\Lambda_B$")
    ax.set_title(rf"Where sellers are rationed ($\mu$ = {data['mu']:g})")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.08), ncol=2, fontsize="small")
    return fig
