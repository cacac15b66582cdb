"""Helpers shared by the plotting tests: read drawn lines back, close figures after each test.

Import the fixture into a test module (``from _plot_helpers import close_figures``) to make it
autouse there.
"""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    """Close every figure a test opened."""
    yield
    plt.close("all")


def line_labelled(ax, label, prefix=False):
    """The line of ``ax`` whose legend label is ``label`` (or starts with it if ``prefix``)."""
    for line in ax.get_lines():
        text = str(line.get_label())
        if (text.startswith(label) if prefix else text == label):
            return line
    raise AssertionError(f"no line labelled {label!r}; have {[l.get_label() for l in ax.get_lines()]}")
