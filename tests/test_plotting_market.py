"""Tests for redlib.plotting.market: the figures must show the solver's numbers, not just draw."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import redlib  # noqa: E402
from _plot_helpers import close_figures  # noqa: E402,F401  (autouse)
from _plot_helpers import line_labelled as _line  # noqa: E402
from redlib import Market, Side, Uniform, power_weight  # noqa: E402
from redlib.plotting.market import (  # noqa: E402
    INSTRUMENT_LABELS,
    plot_inequality_map,
    plot_mechanism,
    plot_one_sided_prices,
    plot_phi,
    plot_price_objective,
    plot_two_prices,
    plot_weights,
    plot_welfare_comparison,
)


@pytest.fixture(scope="module")
def wedge():
    market = Market(Side(Uniform(), 2.0), Side(Uniform(), 1.0), buyer_mass=1.0)
    return market, redlib.optimal_mechanism(market, grid_size=400)


@pytest.fixture(scope="module")
def rationing():
    market = Market(Side(Uniform(), power_weight(1.0, 3.0)), Side(Uniform(), 1.0), buyer_mass=0.1)
    return market, redlib.optimal_mechanism(market, grid_size=400)


def test_plot_weights_normalises_by_average_weight():
    fig = plot_weights({"a": Side(Uniform(), power_weight(2.0, 2.0)), "b": Side(Uniform(), 5.0)})
    ax = fig.axes[0]
    a = _line(ax, "a")
    # lambda(0) / Lambda = 1 + theta = 3 whatever the level Lambda = 2
    assert a.get_ydata()[0] == pytest.approx(3.0, rel=1e-3)
    assert np.allclose(_line(ax, "b").get_ydata(), 1.0)


def test_plot_weights_validates():
    with pytest.raises(ValueError, match="sides"):
        plot_weights([])


def test_one_sided_prices_shows_solver_prices_and_rationing():
    side = Side(Uniform(), power_weight(1.0, 2.0))
    Qs = np.array([0.1, 0.2, 0.5, 0.8])
    res = [redlib.optimal_seller_price(side, Q, 1.0, grid_size=500) for Q in Qs]
    fig = plot_one_sided_prices(Qs, res)
    ax_p, ax_x = fig.axes
    assert np.allclose(_line(ax_p, "optimal seller price").get_ydata(), [r.price for r in res])
    # theta = 2: rationing below r* ~ 0.279, so the first two quantities are rationed
    x = ax_x.get_lines()[0].get_ydata()
    assert x[0] < 1 and x[1] < 1 and x[2] == 1 and x[3] == 1
    assert x[0] == pytest.approx(0.1 / ((4 - np.sqrt(10)) / 3), abs=0.01)
    assert len(ax_p.collections) == 1  # the shaded rationing band
    with pytest.raises(ValueError, match="results"):
        plot_one_sided_prices(Qs, res[:2])


def test_price_objective_marks_the_maximum():
    res = redlib.optimal_seller_price(Side(Uniform(), power_weight(1.0, 4.0)), 0.1, 1.0, grid_size=500)
    fig = plot_price_objective([res], labels=["θ = 4"])
    ax = fig.axes[0]
    curve = _line(ax, "θ = 4")
    dot = [l for l in ax.get_lines() if l.get_marker() == "o"][0]
    assert dot.get_ydata()[0] == pytest.approx(curve.get_ydata().max())
    assert dot.get_xdata()[0] == pytest.approx(res.price)
    assert dot.get_ydata()[0] > 0  # rationing beats the competitive price here
    with pytest.raises(ValueError, match="labels"):
        plot_price_objective([res], labels=["a", "b"])


def test_two_prices_step_matches_menu():
    side = Side(Uniform(), power_weight(1.0, 3.0))
    two = redlib.optimal_buyer_two_prices(side, 0.9, 0.0, grid_size=500)
    assert two.p_low < two.p_high and 0 < two.delta < 1
    fig = plot_two_prices(two)
    line = _line(fig.axes[0], "two-price menu", prefix=True)
    r, x = line.get_xdata(), line.get_ydata()
    r_hat = (two.p_high - two.delta * two.p_low) / (1 - two.delta)
    assert np.all(x[r < two.p_low] == 0)
    assert np.allclose(x[(r > two.p_low + 1e-3) & (r < r_hat - 1e-3)], two.delta)
    assert np.all(x[r > r_hat + 1e-3] == 1)
    # market clearing of the menu: (1 - r_hat) + delta (r_hat - p_low) = Q on the uniform
    assert (1 - r_hat) + two.delta * (r_hat - two.p_low) == pytest.approx(0.9, abs=3e-3)


def test_plot_phi_marks_the_chosen_quantities(wedge, rationing):
    market, res = wedge
    fig = plot_phi(res, market)
    ax_s, ax_b = fig.axes
    chosen_s = [l for l in ax_s.get_lines() if str(l.get_label()).startswith("chosen")][0]
    assert chosen_s.get_xdata()[0] == pytest.approx(res.quantity)
    assert chosen_s.get_ydata()[0] == pytest.approx(float(res.sellers.envelope(res.quantity)))
    # no rationing in the wedge example: no lottery points
    assert not any(l.get_label() == "lottery over thresholds" for l in ax_s.get_lines())
    market, res = rationing
    fig = plot_phi(res, market)
    ax_s, ax_b = fig.axes
    pts = _line(ax_s, "lottery over thresholds").get_xdata()
    assert pts[0] == pytest.approx(0.0) and 0.15 < pts[1] < 0.21
    chosen_b = [l for l in ax_b.get_lines() if str(l.get_label()).startswith("chosen")][0]
    assert chosen_b.get_xdata()[0] == pytest.approx(res.quantity / market.buyer_mass)


def test_plot_mechanism_draws_solver_outcomes(wedge):
    market, res = wedge
    fig = plot_mechanism(res, market)
    assert len(fig.axes) == 4
    line = _line(fig.axes[0], "optimal mechanism", prefix=True)
    r, x = line.get_xdata(), line.get_ydata()
    assert np.allclose(x, res.sellers.trade_probability(r))
    # sellers who do not trade still receive the lump sum 0.08
    t = _line(fig.axes[2], "optimal mechanism").get_ydata()
    assert t[-1] == pytest.approx(res.sellers.lump_sum) and t[-1] == pytest.approx(0.08, abs=3e-3)
    ce = [l for l in fig.axes[1].get_lines() if str(l.get_label()).startswith("competitive")][0]
    rb, xb = ce.get_xdata(), ce.get_ydata()
    assert np.all(xb[rb > res.competitive.price + 1e-9] == 1) and np.all(xb[rb < res.competitive.price] == 0)
    with pytest.raises(TypeError, match="market"):
        plot_mechanism(res, "not a market")
    with pytest.raises(TypeError, match="result"):
        plot_mechanism(object(), market)


def test_welfare_comparison_gain_is_difference():
    mk = lambda L: Market(Side(Uniform(), L), Side(Uniform(), 1.0))  # noqa: E731
    xs = [1.0, 2.0, 3.0]
    res = [redlib.optimal_mechanism(mk(L), grid_size=200) for L in xs]
    fig = plot_welfare_comparison(xs, res, xlabel="Λ_S")
    gain = fig.axes[1].get_lines()[0].get_ydata()
    assert np.allclose(gain, [r.welfare - r.competitive.welfare for r in res])
    assert gain[0] == pytest.approx(0.0, abs=1e-9) and gain[1] > 0.02
    with pytest.raises(ValueError, match="results"):
        plot_welfare_comparison(xs, res[:1], xlabel="x")


def test_inequality_map_layout_and_validation():
    data = {"same_side": [0.0, 3.0, 6.0], "cross_side": [1.0, 2.0],
            "instruments": [["competitive", "wedge"], ["rationing", "wedge+rationing"],
                            ["rationing", "rationing"]]}
    fig = plot_inequality_map(data)
    mesh = fig.axes[0].collections[0]
    codes = np.asarray(mesh.get_array()).reshape(2, 3)  # rows: cross-side, columns: same-side
    keys = list(INSTRUMENT_LABELS)
    assert codes[0, 0] == keys.index("competitive") and codes[1, 0] == keys.index("wedge")
    assert codes[1, 1] == keys.index("wedge+rationing") and codes[0, 2] == keys.index("rationing")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == [INSTRUMENT_LABELS[k] for k in keys]
    bad = dict(data, instruments=[["competitive", "wedge"]])
    with pytest.raises(ValueError, match="instruments"):
        plot_inequality_map(bad)
    with pytest.raises(ValueError, match="unknown"):
        plot_inequality_map(dict(data, instruments=[["x", "wedge"]] * 3))


@pytest.mark.parametrize("field", ["same_side", "cross_side", "instruments"])
def test_inequality_map_requires_every_field(field):
    data = {"same_side": [0.0, 3.0], "cross_side": [1.0],
            "instruments": [["competitive"], ["rationing"]]}
    with pytest.raises(ValueError, match=rf"missing \['{field}'\]"):
        plot_inequality_map({k: v for k, v in data.items() if k != field})

    class Partial:  # an object with attributes, one of them absent
        pass

    obj = Partial()
    for k, v in data.items():
        if k != field:
            setattr(obj, k, v)
    with pytest.raises(ValueError, match=rf"missing \['{field}'\]"):
        plot_inequality_map(obj)
    with pytest.raises(ValueError, match=rf"\['{field}'\] are None"):
        plot_inequality_map(dict(data, **{field: None}))


def test_inequality_map_from_market_helper():
    im = redlib.inequality_map([0.0, 4.0], [1.0, 2.0], buyer_mass=0.2, sides="sellers", grid_size=100)
    fig = plot_inequality_map(im)
    codes = np.asarray(fig.axes[0].collections[0].get_array()).reshape(2, 2)
    keys = list(INSTRUMENT_LABELS)
    assert codes[0, 0] == keys.index(im.instruments[0, 0])  # (theta=0, ratio=1)
    assert codes[1, 0] == keys.index(im.instruments[0, 1])  # (theta=0, ratio=2)
    assert codes[0, 1] == keys.index(im.instruments[1, 0])  # (theta=4, ratio=1)


def test_plot_phi_tilt_makes_chosen_quantities_peaks(rationing, wedge):
    for market, res in (rationing, wedge):
        fig = plot_phi(res, market, tilt=True)
        for ax in fig.axes:
            hull = [l for l in ax.get_lines() if "mathrm{co}" in str(l.get_label())][0]
            chosen = [l for l in ax.get_lines() if str(l.get_label()).startswith("chosen")][0]
            # after tilting by the market-clearing multiplier the chosen point is a peak
            assert chosen.get_ydata()[0] == pytest.approx(hull.get_ydata().max(), abs=1e-9)
    market, res = rationing
    fig = plot_phi(res, market, tilt=True, zoom={"sellers": (0.0, 0.4)})
    assert fig.axes[0].get_xlim() == (0.0, 0.4)
    with pytest.raises(ValueError, match="zoom"):
        plot_phi(res, market, zoom={"sides": (0, 1)})
    with pytest.raises(ValueError, match="zoom"):
        plot_phi(res, market, zoom={"sellers": (0.5, 0.2)})
