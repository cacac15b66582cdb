import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from redlib.plotting.applications import plot_instrument_paths  # noqa: E402


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
