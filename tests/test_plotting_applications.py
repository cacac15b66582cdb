import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import redlib  # noqa: E402
from redlib.plotting import layout  # noqa: E402
from redlib.plotting.applications import plot_case, plot_instrument_paths  # noqa: E402


def test_panels_lines_and_marker():
    x = [0.0, 0.5, 1.0]
    fig = plot_instrument_paths(
        x, [("prices", {"sellers": [0.5, 0.4, 0.3], "buyers": [0.5, np.nan, 0.7]}),
            ("rationed", {"buyers": [0, 0.1, 0.2]})],
        xlabel="gamma", current=0.5, title="t", logy=(0,))
    a0, a1 = fig.axes
    assert [ln.get_label() for ln in a0.get_lines()[:2]] == ["sellers", "buyers"]
    np.testing.assert_array_equal(a0.get_lines()[0].get_ydata(), [0.5, 0.4, 0.3])
    assert a0.get_yscale() == "log" and a1.get_yscale() == "linear"
    assert a1.get_lines()[-1].get_xdata()[0] == 0.5          # the marked value
    assert a1.get_title() == "rationed" and fig._suptitle.get_text() == "t"
    plt.close(fig)


def test_given_axes():
    fig, axes = plt.subplots(1, 2)
    out = plot_instrument_paths([1, 2], [("a", {"s": [1, 2]}), ("b", {"s": [3, 4]})],
                                xlabel="alpha", ax=axes)
    assert out is fig
    plt.close(fig)


@pytest.mark.parametrize("args, match", [
    (([1, 0], [("a", {"s": [1, 2]})]), "increasing"),
    (([0, 1], []), "at least one"),
    (([0, 1], [("a", {})]), "no series"),
    (([0, 1], [("a", {"s": [1, 2, 3]})]), "one value per x"),
    (([0, 1], [1, 2]), "panels must be"),
])
def test_validation(args, match):
    with pytest.raises(ValueError, match=match):
        plot_instrument_paths(*args, xlabel="x")


def test_redraw_in_place_and_outside_legend():
    panels = lambda k: [("share", {"a": [0.0, k], "b": [1.0, 0.5]})]  # noqa: E731
    fig = plot_instrument_paths([0, 1], panels(1.0), xlabel="alpha", legend="outside", title="t1")
    again = plot_instrument_paths([0, 1], panels(2.0), xlabel="alpha", legend="outside", title="t2",
                                  fig=fig)
    assert again is fig and len(fig.axes) == 1
    assert len(fig.axes[0].lines) == 2 and fig.axes[0].get_legend() is None
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), [0.0, 2.0])
    assert len(fig.legends) == 1 and [t.get_text() for t in fig.legends[0].get_texts()] == ["a", "b"]
    assert fig._suptitle.get_text() == "t2" and layout.overlaps(fig) == []
    plt.close(fig)


def test_plot_case_reuses_figure():
    side = redlib.Side(redlib.Uniform(), 1.0)
    p = [("prices", {"s": [0.5, 0.4], "b": [0.6, 0.7]}), ("lump sum", {"s": [0.0, 0.1]}),
         ("rationed", {"s": [0.0, 0.2]})]
    fig = plot_case({"sellers": side}, [0, 1], p, current=0, xlabel="CRRA gamma", logy=(0,))
    assert len(fig.axes) == 4 and fig.axes[0].get_xscale() == "symlog"
    assert fig.axes[1].get_yscale() == "log" and fig.axes[2].get_yscale() == "linear"
    again = plot_case({"sellers": side}, [0, 1], p, current=1, xlabel="CRRA gamma", fig=fig)
    assert again is fig and len(fig.axes) == 4
    assert fig.axes[0].get_title() == "weights at gamma = 1"
    assert fig.axes[1].get_yscale() == "linear"              # logy is set again on every redraw
    assert fig.axes[3].lines[-1].get_xdata()[0] == 1          # the marked value moved
    assert [len(a.lines) for a in fig.axes[1:]] == [3, 2, 2]  # no line left from the first draw
    assert len(fig.legends) == 1 and {t.get_text() for t in fig.legends[0].get_texts()} == {"s", "b"}
    plt.close(fig)


def test_plot_case_and_legend_validation():
    side = redlib.Side(redlib.Uniform(), 1.0)
    with pytest.raises(ValueError, match="exactly 3 panels"):
        plot_case({"s": side}, [0, 1], [("a", {"s": [1, 2]})], current=0, xlabel="g")
    with pytest.raises(ValueError, match="legend"):
        plot_instrument_paths([0, 1], [("a", {"s": [1, 2]})], xlabel="g", legend="below")
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="either ax or fig"):
        plot_instrument_paths([0, 1], [("a", {"s": [1, 2]})], xlabel="g", ax=[ax], fig=fig)
    plt.close(fig)
