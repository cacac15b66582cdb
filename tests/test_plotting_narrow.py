"""The one-column (phone) variant of multi-panel figures: redlib.plotting.layout.stacked_png and
the static-site kernel hook (redlib.plotting.explore.install_narrow_figures); the site's
``<picture>`` elements are tested in tests/test_site_extension.py."""
import importlib
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from redlib.plotting import layout, style  # noqa: E402

explore = importlib.import_module("redlib.plotting.explore")


@pytest.fixture(autouse=True)
def _close():
    style.use()
    yield
    plt.close("all")


def _grid(nrows=2, ncols=2, **kw):
    fig, axes = plt.subplots(nrows, ncols, figsize=(10, 6.5), layout="constrained", squeeze=False, **kw)
    for k, ax in enumerate(axes.flat):
        ax.plot([0, 1], [0, k], label=f"line {k}")
        ax.set_title(f"panel {k}")
    return fig, axes


def _png(data):
    return Image.open(io.BytesIO(data))


def test_stacks_the_panels_in_one_column_and_restores_the_figure():
    fig, axes = _grid(sharex="col")
    layout.legend_outside(fig, axes[0, 0])
    fig.suptitle("A long suptitle that has to wrap on a phone-width figure")
    fig.draw_without_rendering()
    before = [ax.get_position().bounds for ax in fig.axes]
    specs = [ax.get_subplotspec() for ax in fig.axes]
    labels = [ax.xaxis.get_tick_params().get("labelbottom") for ax in fig.axes]
    png = layout.stacked_png(fig)
    im = _png(png)
    w, h = im.size
    assert h > 2.5 * w  # four panels above each other
    assert float(im.text["redlib:min_text_px"]) >= layout.MIN_TEXT_PX
    assert float(im.text["redlib:shown_px"]) == layout.NARROW_COLUMN_PX
    # the figure is as it was
    assert fig.get_size_inches().tolist() == [10.0, 6.5]
    assert [ax.get_subplotspec() for ax in fig.axes] == specs
    assert [ax.xaxis.get_tick_params().get("labelbottom") for ax in fig.axes] == labels
    assert len(fig.legends) == 1 and fig.legends[0].get_visible()
    assert not fig._suptitle.get_wrap()
    assert type(fig.get_layout_engine()).__name__ == "ConstrainedLayoutEngine"
    fig.draw_without_rendering()
    np.testing.assert_allclose([ax.get_position().bounds for ax in fig.axes], before, atol=1e-9)


def test_a_frozen_layout_keeps_its_positions():
    fig, _ = _grid(1, 3)
    layout.freeze_layout(fig)
    before = [ax.get_position().bounds for ax in fig.axes]
    assert layout.stacked_png(fig) is not None
    assert [ax.get_position().bounds for ax in fig.axes] == before
    assert type(fig.get_layout_engine()).__name__ == "PlaceHolderLayoutEngine"


def test_shared_columns_are_read_down_the_columns():
    fig, axes = _grid(sharex="col")
    _, slots = layout._stack_slots(fig)
    assert [s[0] for s in slots] == [axes[0, 0], axes[1, 0], axes[0, 1], axes[1, 1]]
    fig, axes = _grid()
    _, slots = layout._stack_slots(fig)
    assert [s[0] for s in slots] == list(axes.flat)


def test_twins_share_a_row_and_hidden_axes_are_left_out():
    fig, axes = _grid(1, 3)
    axes[0, 0].twinx().plot([0, 1], [1, 0])
    axes[0, 2].set_visible(False)
    _, slots = layout._stack_slots(fig)
    assert [len(s) for s in slots] == [2, 1]
    assert layout.stacked_png(fig) is not None
    assert not axes[0, 2].get_visible() and axes[0, 2].get_in_layout()


def test_figures_that_cannot_be_stacked_get_none():
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    assert layout.stacked_png(fig) is None                     # one panel
    fig, axes = _grid(1, 2)
    fig.colorbar(axes[0, 0].scatter([0, 1], [0, 1], c=[0, 1]), ax=axes[0, 0])
    assert layout.stacked_png(fig) is None                     # a colorbar
    fig = plt.figure()
    top, bottom = fig.subfigures(2, 1)
    top.subplots(1, 2), bottom.subplots(1, 2)
    assert layout.stacked_png(fig) is None                     # subfigures
    fig = plt.figure()
    fig.add_axes([0.1, 0.1, 0.3, 0.3]), fig.add_axes([0.5, 0.5, 0.3, 0.3])
    assert layout.stacked_png(fig) is None                     # axes placed by hand
    fig, axes = _grid(1, 2)
    assert layout.stacked_png(fig, min_text_px=40) is None     # too small to read


def test_rejects_bad_input():
    fig, _ = _grid(1, 2)
    with pytest.raises(TypeError, match="fig"):
        layout.stacked_png("figure")
    with pytest.raises(TypeError, match="width_in"):
        layout.stacked_png(fig, width_in="5")
    with pytest.raises(ValueError, match="shown_px"):
        layout.stacked_png(fig, shown_px=0)
    with pytest.raises(ValueError, match="dpi"):
        layout.stacked_png(fig, dpi=float("nan"))
    with pytest.raises(TypeError, match="min_text_px"):
        layout.stacked_png(fig, min_text_px=True)
    with pytest.raises(TypeError, match="png"):
        explore.narrow_path("abc")


def test_the_kernel_hook_writes_the_variant_under_the_digest_of_the_png(tmp_path, monkeypatch):
    import base64

    monkeypatch.setenv(explore.CACHE_ENV, str(tmp_path))
    fig, _ = _grid(1, 2)
    wide = b"\x89PNG not really"
    wrapped = explore._narrow_wrap(lambda f: base64.b64encode(wide).decode())
    assert explore._narrow_wrap(wrapped) is wrapped
    assert wrapped(fig) == base64.b64encode(wide).decode()   # the notebook output is unchanged
    path = explore.narrow_path(wide)
    assert path.parent == tmp_path / explore.NARROW_DIR and path.is_file()
    assert _png(path.read_bytes()).size[1] > _png(path.read_bytes()).size[0]
    fig, ax = plt.subplots()
    wrapped(fig)  # one panel: nothing written (the same digest is there already)
    assert len(list(path.parent.iterdir())) == 1
    # outside a static-site kernel nothing is installed
    monkeypatch.delenv(explore.STATIC_SITE_ENV, raising=False)
    assert explore.install_narrow_figures() is False
    monkeypatch.setenv(explore.STATIC_SITE_ENV, "1")
    assert explore.install_narrow_figures() is False  # not in a kernel


def test_the_kernel_hook_checks_every_static_figure(tmp_path, monkeypatch):
    # static figures get the players' frame checks: a legend on the data, or text below
    # MIN_TEXT_PX at the site's width, is a warning (fatal in the site build, -W)
    import base64
    import warnings

    monkeypatch.setenv(explore.CACHE_ENV, str(tmp_path))
    wrapped = explore._narrow_wrap(lambda f: base64.b64encode(b"png").decode())
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.plot([0, 1], [0, 1], label="diagonal")
    ax.set_title("clean")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wrapped(fig)  # nothing to say
    ax.legend(loc="center")
    with pytest.warns(UserWarning, match="'clean'.*legend covers data"):
        wrapped(fig)
    ax.get_legend().remove()
    ax.tick_params(labelsize=4)
    with pytest.warns(UserWarning, match="px at the site's figure width"):
        wrapped(fig)
    plt.close(fig)


def test_player_frames_get_the_same_checks():
    # the frame player's check and the static figures' check are one function
    def draw(v, fig=None):
        if fig is None:
            fig, ax = plt.subplots(figsize=(5, 3))
        else:
            ax = fig.axes[0]
            ax.lines[0].remove()
        ax.plot([0, 1], [0, v], label="line")
        ax.legend(loc="center")
        ax.tick_params(labelsize=4)
        return fig

    drawer = explore._Drawer(draw, dpi=110, check=True)
    drawer.prepare([1.0], 1.0)
    drawer.png(1.0)
    assert any("legend covers data" in p for p in drawer.problems), drawer.problems
    assert any("px at the site's figure width" in p for p in drawer.problems), drawer.problems
    plt.close("all")


def test_a_legend_beside_the_panels_leaves_no_room_beside_them_when_stacked():
    # the constrained layout keeps room for a hidden "outside" legend: the stacked panels must
    # fill the width all the same, and the figure gets its legend back afterwards
    fig, axes = _grid(1, 2)
    layout.legend_outside(fig, where="right upper")
    restore = layout.stack_panels(fig)
    fig.draw_without_rendering()
    spans = [ax.get_position().x1 for ax in fig.axes]
    assert min(spans) > 0.9, spans
    below = [leg for leg in fig.legends if leg.get_visible()]
    assert len(below) == 1 and below[0].get_window_extent().y1 < min(
        ax.get_window_extent().y0 for ax in fig.axes)
    restore()
    assert len(fig.legends) == 1 and fig.legends[0].get_visible() and fig.legends[0]._outside_loc == "right"
    fig.draw_without_rendering()
    assert max(ax.get_position().x1 for ax in fig.axes) < 0.9  # room for the legend again


def test_player_one_column_frames_redraw_their_legends_below_and_keep_the_ranges():
    def draw(v, fig=None):
        fig, axes = layout.subplots(fig, 1, 2, figsize=(10, 3.5))
        axes[0, 0].plot([0, 1], [0, v], label="supply")
        axes[0, 1].plot([0, 1], [v, 0], label="demand")
        layout.legend_outside(fig, where="right upper")
        return fig

    res = explore.explore(draw, np.linspace(0.5, 3, 21), param="v", default=1.0)
    assert len(res.narrow_frames) == len(res.frames) == 21
    sizes = {_png(p).size for p in res.narrow_frames}
    assert len(sizes) == 1  # one layout for every frame
    drawer = explore._Drawer(draw, dpi=100.0, check=True)
    drawer.prepare([0.5, 3.0], 1.0)
    narrow = explore._narrow_drawer(drawer, 1.0)
    narrow.png(2.0)
    fig = narrow.fig
    assert [ax.get_ylim() for ax in fig.axes] == [ax.get_ylim() for ax in drawer.fig.axes]
    shown = [leg for leg in fig.legends if leg.get_visible()]
    assert len(shown) == 1 and shown[0]._loc == 8  # below the panels ("lower center")
    assert not narrow.problems, narrow.problems
    assert "<picture" in res.player_html and res.player_html.count("data:image/png") == 2 * 21 + 2


def _spy_on_savefig(fig, monkeypatch):
    """Record, while stacked_png saves the stacked figure, where its legends and panels are."""
    seen = {}
    save = fig.savefig

    def spy(*args, **kwargs):
        save(*args, **kwargs)
        fig.draw_without_rendering()  # the stacked layout, at the figure's dpi
        r = fig.canvas.get_renderer()
        seen["axes"] = [ax.get_window_extent(r).frozen() for ax in fig.axes]
        seen["xaxis"] = [ax.xaxis.get_tightbbox(r) for ax in fig.axes]
        seen["legends"] = [ax.get_legend() and ax.get_legend().get_window_extent(r)
                           for ax in fig.axes]
        seen["ncols"] = [ax.get_legend() and ax.get_legend()._ncols for ax in fig.axes]
        seen["figure_legends"] = [leg.get_window_extent(r) for leg in fig.legends
                                  if leg.get_visible()]
        seen["width"] = fig.bbox.width

    monkeypatch.setattr(fig, "savefig", spy)
    return seen


def test_legends_beside_a_panel_go_below_it_and_come_back(monkeypatch):
    # e.g. allocation.plot_schedules: an axes legend right of its panel; plot_allocation: a
    # figure legend "outside right upper". In a 5-in column both would squeeze the panels.
    fig, axes = _grid(2, 2)
    for ax in axes.flat:
        ax.set_xlabel("willingness to pay $r$")
    ax0 = axes[0, 0]
    ax0.plot([0, 1], [1, 0], label="group two")
    leg = ax0.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    inside = axes[1, 1].legend(loc="upper left")               # inside: stays where it is
    fig_leg = fig.legend(handles=axes[0, 1].lines, loc="outside right upper")
    fig.draw_without_rendering()
    fig.draw_without_rendering()  # the constrained layout moves ~1e-6 in its second run, then not
    before = (leg.get_window_extent().bounds, inside.get_window_extent().bounds,
              fig_leg.get_window_extent().bounds, [ax.get_position().bounds for ax in fig.axes])
    seen = _spy_on_savefig(fig, monkeypatch)
    png = layout.stacked_png(fig)
    assert png is not None
    assert float(_png(png).text["redlib:min_text_px"]) >= layout.MIN_TEXT_PX
    k = fig.axes.index(ax0)
    box, below, lg = seen["axes"][k], seen["xaxis"][k], seen["legends"][k]
    # below its panel, under the tick labels and the axis label, centred on it, not beside it
    assert lg.y1 <= below.y0 + 1e-6 < box.y0
    assert lg.x0 >= 0 and lg.x1 <= seen["width"]
    assert abs((lg.x0 + lg.x1) / 2 - (box.x0 + box.x1) / 2) < 1.0
    assert lg.x1 <= box.x1
    assert seen["ncols"][k] == 2
    # ... and above the next panel
    nxt = seen["axes"][fig.axes.index(axes[0, 1])]
    assert lg.y0 > nxt.y1
    # the panel is as wide as the others (nothing beside it)
    assert abs(box.width - seen["axes"][fig.axes.index(axes[1, 1])].width) < 1.0
    # the axes legend inside its panel stays there
    ins = seen["legends"][fig.axes.index(axes[1, 1])]
    box11 = seen["axes"][fig.axes.index(axes[1, 1])]
    assert box11.x0 <= ins.x0 and ins.x1 <= box11.x1 and box11.y0 <= ins.y0 and ins.y1 <= box11.y1
    # the figure legend "outside right" is below all panels
    (figlg,) = seen["figure_legends"]
    assert figlg.y1 <= min(b.y0 for b in seen["xaxis"] if b is not None)
    # the figure is as it was: the same legend objects, where they were
    assert ax0.get_legend() is leg and leg.get_visible() and leg._ncols == 1
    assert axes[1, 1].get_legend() is inside
    assert fig.legends == [fig_leg] and fig_leg.get_visible()
    assert [ax.get_legend() for ax in axes.flat].count(None) == 2
    fig.draw_without_rendering()
    after = (leg.get_window_extent().bounds, inside.get_window_extent().bounds,
             fig_leg.get_window_extent().bounds, [ax.get_position().bounds for ax in fig.axes])
    np.testing.assert_allclose(np.concatenate([np.ravel(a) for a in after]),
                               np.concatenate([np.ravel(b) for b in before]), atol=1e-9)


def test_a_long_legend_below_a_panel_takes_one_column(monkeypatch):
    fig, axes = _grid(1, 2)
    ax = axes[0, 0]
    ax.plot([0, 1], [0, 1], label="a rather long legend entry that fills a row")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    seen = _spy_on_savefig(fig, monkeypatch)
    assert layout.stacked_png(fig) is not None
    assert seen["ncols"][0] == 1
    assert seen["legends"][0].y1 < seen["axes"][0].y0
    assert ax.get_legend()._ncols == 1 and ax.get_legend().get_visible()


def test_a_forked_frame_renderer_opens_its_own_fonts():
    # a child sharing its parent's open font files corrupts glyphs in both (chapter 4, 3 runs of
    # 4): after the fork it must hold none of the parent's font objects
    from matplotlib import font_manager, mathtext

    fig, ax = plt.subplots()
    ax.set_title(r"$\Psi_i$ and $\alpha = 1$")
    fig.canvas.draw()
    assert mathtext.MathTextParser._parse_cached.cache_info().currsize > 0
    assert font_manager._get_font.cache_info().currsize > 0
    explore._fonts_after_fork()
    assert mathtext.MathTextParser._parse_cached.cache_info().currsize == 0
    assert font_manager._get_font.cache_info().currsize == 0
    fig.canvas.draw()  # and draws again with fonts of its own


def test_one_column_frames_keep_the_suptitle_above_the_panel_titles():
    # a redraw calls fig.suptitle() again, which puts it at y = 0.98: in a tall one-column
    # figure that is over the first panel's title, unless each frame puts it where the layout did
    def draw(v, fig=None):
        fig, axes = layout.subplots(fig, 2, 2, figsize=(10, 6.5))
        for k, ax in enumerate(axes.flat):
            ax.plot([0, 1], [0, v * k])
            ax.set_title(f"panel {k}")
        fig.suptitle(f"a suptitle at v = {v:g}")
        return fig

    drawer = explore._Drawer(draw, dpi=100.0, check=True)
    drawer.prepare([0.5, 2.0], 1.0)
    narrow = explore._narrow_drawer(drawer, 1.0)
    for v in (0.5, 2.0):
        narrow.png(v)
        r = narrow.fig.canvas.get_renderer()
        sup = narrow.fig._suptitle.get_window_extent(r)
        title = narrow.fig.axes[0].title.get_window_extent(r)
        assert sup.y0 >= title.y1 - 1e-6, (sup, title)
