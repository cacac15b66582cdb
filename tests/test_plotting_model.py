"""Tests for redlib.plotting.model (Chapter 1 figures).

The figures must show the numbers they are given: the tests read the drawn data back from the
artists and compare them with closed forms (uniform supply and demand, the induced weight of a
product density), and check that bad inputs raise ValueError naming the parameter.
"""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from _plot_helpers import close_figures  # noqa: E402,F401  (autouse)
from _plot_helpers import line_labelled  # noqa: E402
from redlib.distributions import Uniform  # noqa: E402
from redlib.plotting.model import (  # noqa: E402
    plot_induced_weights,
    plot_market,
    plot_same_side,
    plot_thought_experiment,
)


def _line(ax, label_start):
    return line_labelled(ax, label_start, prefix=True)


def test_plot_market_uniform_curves_and_point():
    mu = 2.0
    fig = plot_market(Uniform(0, 1), Uniform(0, 1), buyer_mass=mu, price=mu / (1 + mu), r_max=1.0)
    (ax,) = fig.axes
    x, y = _line(ax, "supply").get_data()
    np.testing.assert_allclose(x, y, atol=1e-12)  # G_S(p) = p
    x, y = _line(ax, "demand").get_data()
    np.testing.assert_allclose(x, mu * (1 - y), atol=1e-12)  # mu (1 - G_B(p))
    pt = _line(ax, "$p=")
    # competitive point of the uniform market: p = Q = mu / (1 + mu)
    np.testing.assert_allclose(pt.get_xdata(), [2 / 3], atol=1e-12)
    np.testing.assert_allclose(pt.get_ydata(), [2 / 3], atol=1e-12)
    # two shaded regions (sellers' and buyers' gains)
    assert len(ax.collections) == 2


def test_plot_market_surplus_areas_match_closed_form():
    # uniform, mu = 1, p = 1/2: each side's gains from trade are 1/8
    fig = plot_market(Uniform(0, 1), Uniform(0, 1), 1.0, 0.5, r_max=1.0)
    (ax,) = fig.axes
    areas = []
    for coll in ax.collections:
        verts = coll.get_paths()[0].vertices
        x, y = verts[:, 0], verts[:, 1]
        areas.append(0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))
    np.testing.assert_allclose(areas, [1 / 8, 1 / 8], rtol=1e-3)


def test_plot_market_without_price_has_no_shading():
    fig = plot_market(Uniform(0, 1), Uniform(0, 2), buyer_mass=0.5)
    assert len(fig.axes[0].collections) == 0


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(buyer_mass=-1), "buyer_mass"),
        (dict(buyer_mass=0.0), "buyer_mass"),
        (dict(price=float("nan")), "price"),
        (dict(r_max=-1.0), "r_max"),
        (dict(legend="under"), "legend"),
    ],
)
def test_plot_market_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_market(Uniform(0, 1), Uniform(0, 1), **kwargs)


def test_plot_market_legend_below_sits_under_the_axes():
    fig = plot_market(Uniform(0, 1), Uniform(0, 1), buyer_mass=1.0, price=0.5, legend="below")
    ax = fig.axes[0]
    fig.canvas.draw()
    leg = ax.get_legend().get_window_extent()
    assert leg.y1 < ax.get_window_extent().y0 and leg.x0 >= 0 and leg.x1 <= fig.bbox.x1


def test_plot_market_rejects_non_distribution():
    with pytest.raises(TypeError, match="sellers"):
        plot_market([0, 1], Uniform(0, 1))


def test_plot_induced_weights_shows_lam_of_product_density():
    redlib = pytest.importorskip("redlib")
    if not hasattr(redlib, "weights_from_joint"):
        pytest.skip("weights_from_joint not available yet")
    # vK ~ U[0, 1] independent of vM ~ U[1, 2]: for r <= 1/2 every vM is reachable and
    # lam(r) = E[vM^2] / E[vM] = (7/3) / (3/2) = 14/9; the mean of vM is Lam = 3/2.
    def pdf(vK, vM):
        return np.ones(np.broadcast(vK, vM).shape)

    w = redlib.weights_from_joint(pdf, (0.0, 1.0), (1.0, 2.0))
    fig = plot_induced_weights([(pdf, (0.0, 1.0), (1.0, 2.0))], [w], labels=["sellers"], r_max=0.9)
    ax_c = fig.axes[2]
    x, y = _line(ax_c, r"$\lambda_S").get_data()
    small = x <= 0.45
    np.testing.assert_allclose(y[small], 14 / 9, rtol=2e-3)
    Lam_line = _line(ax_c, r"$\Lambda_S")
    np.testing.assert_allclose(Lam_line.get_ydata(), 1.5, rtol=2e-3)
    np.testing.assert_allclose(_line(ax_c, r"$2\Lambda_S").get_ydata(), 3.0, rtol=2e-3)


def test_plot_induced_weights_labels_each_ray_where_it_leaves_the_panel():
    # the rays are labelled at their exit (top edge, or right edge for a flat ray), not by a
    # legend, which covered them; no label covers a ray
    from redlib import weights_from_joint
    from redlib.plotting.layout import overlaps

    def pdf(vK, vM):
        return np.ones(np.broadcast(vK, vM).shape)

    joint = (pdf, (0.0, 1.0), (1.0, 2.0))
    fig = plot_induced_weights([joint], [weights_from_joint(*joint)], labels=["sellers"],
                               rays=(0.25, 0.75, 0.9), r_max=0.9)
    ax = fig.axes[0]
    assert ax.get_legend() is None
    exits = {t.get_text(): t.xy for t in ax.texts}
    assert exits == {"$r=0.25$": (2.0, 0.5), "$r=0.75$": (1 / 0.75, 1.0), "$r=0.9$": (1 / 0.9, 1.0)}
    assert overlaps(fig) == []


def test_plot_induced_weights_rejects_mismatch():
    with pytest.raises(ValueError, match="joints and induced"):
        plot_induced_weights([], [])
    with pytest.raises(ValueError, match="induced"):
        plot_induced_weights([(None, (0, 1), (1, 2))], [object()])


def test_plot_same_side_marks_threshold_and_label():
    r = np.linspace(0, 2, 11)
    y = np.linspace(2.5, 0.5, 11)
    fig = plot_same_side(r, y, [0.5, 1.0, 1.5], [1.3, 2.4, 4.0], 1.0)
    ax_a, ax_b = fig.axes
    assert "HIGH" in ax_a.get_title()
    thresholds = [l for l in ax_a.get_lines() if str(l.get_label()).startswith("threshold")]
    np.testing.assert_allclose(thresholds[0].get_ydata(), 2.0)
    fig = plot_same_side(r, y / 2, [0.5, 1.0], [1.3, 2.4], 0.5)
    assert "low" in fig.axes[0].get_title()


def test_plot_same_side_rejects_bad_input():
    with pytest.raises(ValueError, match="lam_over_Lam"):
        plot_same_side([0, 1, 2], [1, 2], [0.5, 1], [1, 2], 0.5)
    with pytest.raises(ValueError, match="r must be strictly increasing"):
        plot_same_side([0, 2, 1], [1, 2, 3], [0.5, 1], [1, 2], 0.5)
    with pytest.raises(ValueError, match="sigma"):
        plot_same_side([0, 1], [1, 2], [0.5, 1], [1, 2], -0.5)
    with pytest.raises(ValueError, match="ratios"):
        plot_same_side([0, 1], [1, 2], [0.5, 1], [1, 2, 3], 0.5)


def test_plot_thought_experiment_marks_current_point():
    c = np.array([0.25, 0.5, 1.0, 2.0])
    p = c / (1 + c)  # uniform: buyers U[0,1], sellers U[0,c], mu = 1
    L = 1 / c
    fig = plot_thought_experiment(c, p, L, 0.5, sellers=Uniform(0, 0.5), buyers=Uniform(0, 1))
    assert len(fig.axes) == 3
    ax_a, ax_b, ax_c = fig.axes
    pt = _line(ax_a, "$p=")
    np.testing.assert_allclose(pt.get_ydata(), [1 / 3], atol=1e-12)
    np.testing.assert_allclose(pt.get_xdata(), [2 / 3], atol=1e-12)  # Q = G_S(p) = (1/3)/(1/2)
    marker = [l for l in ax_b.get_lines() if len(l.get_xdata()) == 1][0]
    np.testing.assert_allclose(marker.get_ydata(), [1 / 3])
    marker = [l for l in ax_c.get_lines() if len(l.get_xdata()) == 1][0]
    np.testing.assert_allclose(marker.get_ydata(), [2.0])


def test_plot_thought_experiment_rejects_bad_input():
    with pytest.raises(ValueError, match="wealth"):
        plot_thought_experiment([1.0, 0.5], [0.3, 0.2], [1, 2], 1.0)
    with pytest.raises(ValueError, match="prices"):
        plot_thought_experiment([0.5, 1.0], [0.3], [1, 2], 1.0)
    with pytest.raises(ValueError, match="current"):
        plot_thought_experiment([0.5, 1.0], [0.3, 0.4], [2, 1], 0.0)
    with pytest.raises(ValueError, match="Lam_ratios"):
        plot_thought_experiment([0.5, 1.0], [0.3, 0.4], [2, -1], 1.0)
