"""Tests for redlib.plotting.allocation (Chapter 4 figures).

The figures must show the numbers of the mechanism they are given: the tests read the drawn data back
from the artists and compare them with the solver's arrays and with closed forms (the essential-good
atom, the free tier of a constant-weight group, Mussa-Rosen quality pricing, the supply of
qualities), and check that bad inputs raise ValueError naming the parameter.
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from _plot_helpers import close_figures  # noqa: E402,F401  (autouse)
from _plot_helpers import line_labelled as _line  # noqa: E402
from redlib import Discrete, Group, Uniform, optimal_allocation  # noqa: E402
from redlib.plotting.allocation import (  # noqa: E402
    essential_atom,
    plot_allocation,
    plot_psi,
    plot_quality_split,
    plot_schedules,
    region_blocks,
)

N = 120


@pytest.fixture(scope="module")
def four():
    groups = [
        Group("1", Uniform(0.0, 1.0), weight=0.5, mass=0.25),
        Group("2", Uniform(0.2, 1.2), weight=lambda r: 4 * (1.2 - r) ** 3, mass=0.25),
        Group("3", Uniform(0.5, 1.5), weight=1.25, mass=0.25),
        Group("4", Uniform(0.5, 1.5), weight=2.0, mass=0.25),
    ]
    return optimal_allocation(groups, Uniform(0, 1), alpha=1.0, grid_size=N)


def test_essential_atom_closed_form(four):
    # (lambar - alpha) * lowest grid type
    assert essential_atom(four["3"]) == pytest.approx(0.25 * four["3"].types[0], abs=1e-12)
    assert essential_atom(four["4"]) == pytest.approx(1.0 * four["4"].types[0], abs=1e-12)
    assert essential_atom(four["1"]) == 0.0  # lambar < alpha


def test_region_blocks_free_tier_closed_form(four):
    # constant weight L on U[r, r + 1]: the free tier ends at t* = sqrt(2 (L - alpha) r / (2 alpha - L))
    t_star = np.sqrt(2 * 0.25 * 0.5 / 0.75)
    blocks = region_blocks(four["3"])
    assert blocks[0][0] == 0.0 and blocks[0][2] == "free"
    assert abs(blocks[0][1] - t_star) <= 1.0 / N
    assert blocks[-1] == (blocks[0][1], 1.0, "assortative")
    assert region_blocks(four["4"]) == [(0.0, 1.0, "free")]
    kinds = [k for _, _, k in region_blocks(four["2"])]
    assert kinds[0] == "random"
    # blocks tile [0, 1]
    for lab in four.labels:
        b = region_blocks(four[lab])
        assert b[0][0] == 0.0 and b[-1][1] == 1.0
        assert all(abs(b[j][1] - b[j + 1][0]) < 1e-15 for j in range(len(b) - 1))


def test_plot_psi_draws_psi_atom_and_closure(four):
    fig = plot_psi(four, ncols=2)
    axes = [a for a in fig.axes if a.get_visible()]
    assert len(axes) == 4
    for ax, lab in zip(axes, four.labels):
        ga = four[lab]
        assert ax.get_title() == f"Group {lab}"
        x, y = _line(ax, "concave closure").get_data()
        np.testing.assert_allclose(x, ga.t, atol=0)
        np.testing.assert_allclose(y, ga.envelope.values, atol=1e-12)
        x, y = _line(ax, r"$\Psi_i(t)$").get_data()
        expect = np.array(ga.Psi, dtype=float)
        expect[0] -= essential_atom(ga)
        np.testing.assert_allclose(y, expect, atol=1e-12)
        # the closure lies above Psi and touches it at both ends
        assert np.all(np.asarray(ga.envelope.values) >= np.asarray(ga.Psi) - 1e-12)
    # the fully random group: closure is the straight line from (0, Psi(0)) to (1, 0), slope -2
    x, y = _line(axes[3], "concave closure").get_data()
    np.testing.assert_allclose(y, y[0] * (1 - np.asarray(x)), atol=1e-9)
    assert y[0] == pytest.approx(2.0, abs=1e-9)
    atom = [l for l in axes[3].get_lines() if str(l.get_label()).startswith("atom")]
    assert len(atom) == 1 and atom[0].get_ydata()[0] == pytest.approx(four["4"].Psi[0])
    assert not [l for l in axes[0].get_lines() if str(l.get_label()).startswith("atom")]


def test_plot_psi_on_given_axes_and_titles(four):
    fig, axes = plt.subplots(1, 2)
    out = plot_psi(four, ["3", "4"], ax=axes, titles=["A", "B"])
    assert out is fig
    assert [a.get_title() for a in axes] == ["A", "B"]


def test_plot_quality_split_bars_add_up_to_supply():
    groups = [Group("poor", Uniform(0.5, 1.5), weight=1.5, mass=0.5),
              Group("rich", Uniform(0.0, 1.0), weight=0.5, mass=0.5)]
    supply = Discrete([0.2, 0.6, 1.0], [0.5, 0.3, 0.2])
    res = optimal_allocation(groups, supply, alpha=1.0, grid_size=60)
    fig = plot_quality_split(res)
    ax = fig.axes[0]
    tops = {}
    for p in ax.patches:
        x = round(p.get_x() + p.get_width() / 2, 9)
        tops[x] = max(tops.get(x, 0.0), p.get_y() + p.get_height())
    np.testing.assert_allclose([tops[round(q, 9)] for q in (0.2, 0.6, 1.0)], [0.5, 0.3, 0.2], atol=1e-9)
    # the group shares are the solver's (first container: group "poor")
    assert ax.containers[0].get_label() == "group poor"
    np.testing.assert_allclose([p.get_height() for p in ax.containers[0].patches],
                               res.quality_shares["poor"], atol=1e-12)


def test_plot_quality_split_histogram_integrates_to_supply(four):
    fig = plot_quality_split(four, max_bins=20)
    ax = fig.axes[0]
    assert len(ax.containers) == 5  # four groups + unallocated
    total = 0.0
    unalloc = 0.0
    for c in ax.containers:
        mass = sum(p.get_height() * p.get_width() for p in c.patches)
        total += mass
        if c.get_label() == "unallocated":
            unalloc = mass
    assert total == pytest.approx(1.0, abs=1e-9)  # unit mass of objects
    assert unalloc == pytest.approx(float(four.quality_shares[None].sum()), abs=1e-9)
    with pytest.raises(ValueError, match="max_bins"):
        plot_quality_split(four, max_bins=0)


def test_plot_schedules_mussa_rosen():
    # alpha = 1, lambda = 0: Q(r) = r above r = 1/2, nothing below; T(r) = r^2 / 2 + 1/8
    n = 200
    res = optimal_allocation([Group("all", Uniform(0, 1), weight=0.0, mass=1.0)], Uniform(0, 1),
                             alpha=1.0, grid_size=n)
    fig = plot_schedules(res)
    aQ, aT = fig.axes
    r, Q = _line(aQ, "group all").get_data()
    _, T = _line(aT, "group all").get_data()
    r, Q, T = map(np.asarray, (r, Q, T))
    hi = r > 0.5 + 2.0 / n
    lo = r < 0.5 - 2.0 / n
    np.testing.assert_allclose(Q[hi], r[hi], atol=2.0 / n)
    np.testing.assert_allclose(T[hi], r[hi] ** 2 / 2 + 1 / 8, atol=2.0 / n)
    assert np.all(Q[lo] == 0.0) and np.all(T[lo] == 0.0)


def test_plot_schedules_marks_free_tier(four):
    fig = plot_schedules(four, ["3", "4"])
    aQ, _ = fig.axes
    bands = [l for l in aQ.get_lines() if l.get_linewidth() > 5]
    assert len(bands) == 2  # one free tier per group
    # group 4's band spans the whole group at one expected quality
    r4, q4 = bands[1].get_data()
    np.testing.assert_allclose(q4, four["4"].Q[0], atol=0)
    assert len(r4) == len(four["4"].types)


def test_plot_allocation_layout(four):
    fig = plot_allocation(four)
    assert len(fig.axes) == 4 + 2
    assert "alpha = 1" in fig._suptitle.get_text()


@pytest.mark.parametrize("call, match", [
    (lambda r: plot_psi("not a result"), (TypeError, "result")),
    (lambda r: plot_psi(r, ["nope"]), "labels"),
    (lambda r: plot_psi(r, []), "labels"),
    (lambda r: plot_psi(r, ["1", "2"], titles=["only one"]), "titles"),
    (lambda r: plot_psi(r, ["1", "2"], ax=plt.subplots(1, 3)[1]), "ax"),
    (lambda r: plot_schedules(r, ax=plt.subplots(1, 1)[1]), "ax"),
    (lambda r: plot_quality_split(None), (TypeError, "result")),
    (lambda r: plot_allocation(r, ["x"]), "labels"),
    (lambda r: plot_allocation(r, regions=["pooled"]), "regions"),
    (lambda r: plot_allocation(r, regions=[]), "regions"),
    (lambda r: plot_allocation(r, regions=["free", "free", "random", "excluded"]), "regions"),
    (lambda r: plot_allocation(r, regions="free"), (TypeError, "regions")),
])
def test_bad_inputs_raise(four, call, match):
    exc, match = match if isinstance(match, tuple) else (ValueError, match)
    with pytest.raises(exc, match=match):
        call(four)


def test_plot_allocation_in_place_keeps_one_legend_entry_per_series():
    # redrawn in place (a slider step), the bars' legend must not gain a set of entries per step
    groups = [Group("poor", Uniform(0.5, 1.5), weight=1.5, mass=0.5),
              Group("rich", Uniform(0.0, 1.0), weight=0.5, mass=0.5)]
    supply = Discrete([0.2, 0.6, 1.0], [0.5, 0.3, 0.2])
    fig = plot_allocation(optimal_allocation(groups, supply, 1.0, grid_size=60))
    for alpha in (1.3, 1.6):
        plot_allocation(optimal_allocation(groups, supply, alpha, grid_size=60), fig=fig)
    aS = fig.axes[-1]
    names = [t.get_text() for t in aS.get_legend().get_texts()]
    assert names == ["group poor", "group rich", "unallocated"]
    assert len(aS.containers) == 3 and len(aS.patches) == 3 * 3


def test_plot_allocation_keys_are_the_same_in_every_frame():
    # chapter 4's housing market: the free tier and the atom of the low bracket are there at
    # alpha = 1 and gone at alpha = 2.5; the keys list every mark anyway, and are drawn once
    from matplotlib.legend import Legend

    from redlib.plotting import layout

    groups = [Group("low", Uniform(0.4, 1.0), weight=2.0, mass=0.3),
              Group("middle", Uniform(0.4, 1.6), weight=1.0, mass=0.4),
              Group("high", Uniform(0.8, 2.4), weight=0.5, mass=0.3)]
    tiers = Discrete([0.2, 0.4, 0.6, 0.8, 1.0])
    lo, hi = (optimal_allocation(groups, tiers, a, grid_size=60) for a in (1.0, 2.5))
    assert any(k == "free" for *_, k in region_blocks(lo["low"])) and essential_atom(lo["low"]) > 0
    assert all(k != "free" for *_, k in region_blocks(hi["low"])) and essential_atom(hi["low"]) == 0
    fig = plot_allocation(lo, regions=["free", "excluded"])
    keys = []
    for res in (lo, hi):
        plot_allocation(res, regions=["free", "excluded"], fig=fig)
        assert not [a for a in layout.data_artists(fig) if isinstance(a, Legend)]  # all fixed
        legends = [lg for sub in fig.subfigs for lg in sub.legends] + \
                  [a.get_legend() for a in fig.axes if a.get_legend() is not None]
        keys.append([[t.get_text() for t in lg.get_texts()] for lg in legends])
    assert keys[0] == keys[1] and len(keys[0]) == 3
    top, q, split = keys[0]
    assert top[:2] == ["free tier (T = 0)", "excluded (nothing)"] and "random (pooled)" not in top
    # by default the key lists every kind of pooled interval
    assert [t.get_text() for t in plot_allocation(lo).subfigs[0].legends[0].get_texts()][:3] == \
        ["random (pooled)", "free tier (T = 0)", "excluded (nothing)"]
    # a kind the result shows must be in the key
    with pytest.raises(ValueError, match="regions must list every kind"):
        plot_allocation(lo, regions=["excluded"])
    assert q == ["group low", "group middle", "group high", "free tier (T = 0)"]
    assert split == ["group low", "group middle", "group high", "unallocated"]
