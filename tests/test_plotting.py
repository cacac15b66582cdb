"""Tests for redlib.plotting: style, frame player, explore() in and out of a kernel."""
import base64
import json
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from PIL import Image  # noqa: E402

from redlib.plotting import explore, frame_player_html, layout, render_png, style  # noqa: E402
from redlib.plotting.explore import static_site  # noqa: E402

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


def _draw(slope):
    fig, ax = plt.subplots()
    x = np.linspace(0, 1, 10)
    ax.plot(x, slope * x)
    ax.set_title(f"slope {slope}")
    return fig


def test_palette_is_okabe_ito():
    assert set(c.upper() for c in style.COLORS) == OKABE_ITO
    assert len(style.COLORS) == 8
    assert style.COLORS[-1].upper() == "#F0E442"  # yellow (weak on white) last in the cycle
    assert style.color(8) == style.color(0)
    with pytest.raises(ValueError, match="i must be an integer"):
        style.color(1.5)


def test_use_sets_white_background_and_cycle():
    with mpl.rc_context():
        style.use()
        assert mpl.rcParams["figure.facecolor"] == "white"
        assert mpl.rcParams["savefig.facecolor"] == "white"
        assert mpl.rcParams["font.size"] >= 11
        cycle = [c.upper() for c in mpl.rcParams["axes.prop_cycle"].by_key()["color"]]
        assert cycle == [c.upper() for c in style.COLORS]


def test_render_png_is_white_and_closes_figure():
    with mpl.rc_context():
        style.use()
        fig = _draw(1.0)
        n_before = len(plt.get_fignums())
        png = render_png(fig)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(plt.get_fignums()) == n_before - 1
        img = plt.imread(__import__("io").BytesIO(png))
        # corner pixel is opaque white (legible on the dark theme)
        assert np.allclose(img[0, 0, :3], 1.0)
        if img.shape[2] == 4:
            assert img[0, 0, 3] == 1.0
    with pytest.raises(ValueError, match="fig must be a matplotlib Figure"):
        render_png("not a figure")


def test_frame_player_embeds_every_frame_and_names_param():
    pngs = [render_png(_draw(s)) for s in (1, 2, 3)]
    html = frame_player_html(pngs, ["1", "2", "3"], param="slope s", start=1, alt="A line")
    assert 'type="range"' in html and 'max="2"' in html and 'value="1"' in html
    assert "slope s = 2" in html  # the value shown next to the slider at the start frame
    assert '"slope s = 3"' in html  # labels of the other frames, used by the script
    assert "from 1 to 3 (3 frames)" in html
    assert 'alt="A line"' in html
    for p in pngs:
        assert base64.b64encode(p).decode() in html
    assert "http://" not in html and "https://" not in html  # self-contained
    with pytest.raises(ValueError, match="labels must have one entry per frame"):
        frame_player_html(pngs, ["a"], param="s")
    with pytest.raises(ValueError, match="frames must contain at least one image"):
        frame_player_html([], [], param="s")
    with pytest.raises(ValueError, match="param must be a non-empty string"):
        frame_player_html(pngs, ["a", "b", "c"], param=" ")
    with pytest.raises(ValueError, match="start must be in"):
        frame_player_html(pngs, ["a", "b", "c"], param="s", start=3)


def test_explore_outside_kernel_returns_exploration_and_closes_figures():
    n_before = len(plt.get_fignums())
    res = explore(_draw, [0.5, 1.0, 2.0], param="slope", default=1.0, caption="Lines.")
    assert len(plt.get_fignums()) == n_before
    assert res.param == "slope" and res.values == [0.5, 1.0, 2.0] and res.default == 1.0
    assert res.static_png[:4] == b"\x89PNG"
    # default is one of the values: the static figure is that frame, player starts there
    assert base64.b64encode(res.static_png).decode() in res.player_html
    assert 'value="1"' in res.player_html
    assert "Lines." in res.player_html
    assert '"slope = 0.5"' in res.player_html and '"slope = 2"' in res.player_html
    assert "from 0.5 to 2 (3 frames)" in res.player_html
    assert "3 frames" in repr(res)


def test_explore_adds_the_default_to_the_frames():
    res = explore(_draw, [0.0, 1.0, 2.0], param="slope", default=1.9)
    assert res.values == [0.0, 1.0, 1.9, 2.0] and res.default == 1.9
    assert 'value="2"' in res.player_html  # opens on the default frame
    assert res.static_png == res.frames[2]
    res = explore(_draw, [0.0, 1.0], param="slope")
    assert res.default == 0.0
    # equal up to rounding counts as one of the values
    res = explore(_draw, [0.1 * 3, 1.0], param="slope", default=0.3)
    assert len(res.values) == 2


def _draw_in_place(slope, fig=None):
    from redlib.plotting import layout

    fig, axes = layout.subplots(fig, figsize=(4, 3))
    x = np.linspace(0, 1, 10)
    axes[0, 0].plot(x, slope * x, label="line")
    axes[0, 0].legend(loc="upper left")
    axes[0, 0].set_title(f"slope {slope:g}")
    return fig


def test_explore_frames_share_axis_ranges_and_differ():
    import io

    from redlib.plotting.explore import _Drawer, _sample

    values = list(np.linspace(0.5, 3.0, 11))
    d = _Drawer(_draw_in_place, 100)
    d.prepare(_sample(values, 0), values[0])
    ranges, pngs = [], []
    for v in values:
        pngs.append(d.png(v))
        ranges.append(d.fig.axes[0].get_ylim())
    assert len(set(ranges)) == 1  # one y range for every frame: the union over the values
    lo, hi = ranges[0]
    assert lo <= 0.0 and hi >= 3.0
    assert len(set(pngs)) == len(values)  # every frame is drawn anew
    img = plt.imread(io.BytesIO(pngs[0]))
    assert img.shape[:2] == (300, 400)  # 4 x 3 inches at 100 dpi
    assert len(d.fig.axes[0].lines) == 1  # redrawn in place: no artists pile up


def test_explore_in_place_and_new_figures_give_the_same_frames():
    a = explore(_draw_in_place, [1.0, 2.0, 3.0], param="s")
    n_before = len(plt.get_fignums())
    b = explore(lambda s: _draw_in_place(s), [1.0, 2.0, 3.0], param="s")
    assert len(plt.get_fignums()) == n_before
    assert len(a.frames) == len(b.frames) == 3
    ia, ib = (plt.imread(__import__("io").BytesIO(x.frames[1])) for x in (a, b))
    assert ia.shape[:2] == ib.shape[:2]
    # same picture up to antialiasing (blitting draws the data over the grid)
    assert np.mean(np.abs(ia[..., :3] - ib[..., :3])) < 0.02


def test_explore_validates_inputs():
    with pytest.raises(ValueError, match="draw must be callable"):
        explore(3, [1], param="p")
    with pytest.raises(ValueError, match="values must contain at least one"):
        explore(_draw, [], param="p")
    with pytest.raises(ValueError, match="param must be a non-empty string"):
        explore(_draw, [1], param="")
    with pytest.raises(ValueError, match="values must not contain NaN"):
        explore(_draw, [1.0, float("nan")], param="p")
    with pytest.raises(ValueError, match="at most 200"):
        explore(_draw, list(range(201)), param="p")
    with pytest.raises(ValueError, match="scale must be"):
        explore(_draw, [1, 2], param="p", scale="cubic")
    with pytest.raises(ValueError, match="scale='log' needs positive"):
        explore(_draw, [0, 2], param="p", scale="log")
    with pytest.raises(ValueError, match=r"draw\(1\) must return a matplotlib Figure"):
        explore(lambda v: None, [1], param="p")


def test_static_site_flag(monkeypatch):
    monkeypatch.setenv("REDLIB_STATIC_SITE", "1")
    assert static_site()
    monkeypatch.setenv("REDLIB_STATIC_SITE", "0")
    assert not static_site()
    monkeypatch.delenv("REDLIB_STATIC_SITE")
    assert not static_site()


_CELL = """
import matplotlib.pyplot as plt, numpy as np
from redlib.plotting import explore, style
style.use()
def draw(mu, fig=None):
    from redlib.plotting import layout
    fig, axes = layout.subplots(fig)
    axes[0, 0].plot([0, 1], [0, mu])
    return fig
explore(draw, np.linspace(0.5, 1.5, 21), param="buyer mass mu", default=1.0, alt="A line of slope mu")
"""


@pytest.mark.parametrize("static", [True, False])
def test_explore_in_kernel_outputs(static, monkeypatch):
    if static:
        monkeypatch.setenv("REDLIB_STATIC_SITE", "1")
    else:
        monkeypatch.delenv("REDLIB_STATIC_SITE", raising=False)
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(_CELL))
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    kinds = [o.output_type for o in outputs]
    assert "error" not in kinds and "stream" not in kinds, outputs
    # each figure once: the default is one of the values, so no separate static image and no
    # duplicate inline-backend figure; the site gets the player, a live kernel the slider
    players = [o for o in outputs if "redlib-explore" in o.get("data", {}).get("text/html", "")]
    images = [o for o in outputs if "image/png" in o.get("data", {}) and o not in players]
    assert images == []
    assert len(players) == (1 if static else 0)
    if static:
        html_out = players[0]["data"]["text/html"]
        # the same output carries the opening frame as a plain image (for the PDF edition)
        assert base64.b64decode(players[0]["data"]["image/png"])[:4] == b"\x89PNG"
        assert re.search(r"buyer mass mu", html_out)
        assert 'alt="A line of slope mu' in html_out
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == (0 if static else 1)


def test_explore_site_player_loads_frames_from_files(monkeypatch, tmp_path):
    monkeypatch.setenv("REDLIB_STATIC_SITE", "1")
    monkeypatch.setenv("REDLIB_FRAME_CACHE", str(tmp_path))
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(_CELL))
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    html_out = nb.cells[0].outputs[0]["data"]["text/html"]
    keys = set(re.findall(r"_frames/([0-9a-f]+)/\d{3}\.png", html_out))
    assert len(keys) == 1
    folder = tmp_path / keys.pop()
    # one panel: no one-column frames for phones; the manifest says so
    assert sorted(p.name for p in folder.iterdir()) == [f"{k:03d}.png" for k in range(21)] + ["frames.json"]
    assert json.loads((folder / "frames.json").read_text()) == {"frames": 21, "narrow": False}
    assert "<picture" not in html_out
    assert "data:image/png" not in html_out  # frames are files, not inlined
    assert 'value="10"' in html_out  # opens on the default, 1.0
    # the same output carries the opening frame as a plain image (the PDF edition shows it)
    png = base64.b64decode(nb.cells[0].outputs[0]["data"]["image/png"])
    assert png == (folder / "010.png").read_bytes()
    # run again: the frames come from the cache, unchanged
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    nb2 = nbformat.v4.new_notebook()
    nb2.cells.append(nbformat.v4.new_code_cell(_CELL))
    NotebookClient(nb2, timeout=120, kernel_name="python3").execute()
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


_TWO_PANELS = """
import matplotlib.pyplot as plt, numpy as np
from redlib.plotting import explore, layout, style
style.use()
def draw(mu, fig=None):
    fig, axes = layout.subplots(fig, 1, 2, figsize=(10, 3.5))
    axes[0, 0].plot([0, 1], [0, mu], label="supply")
    axes[0, 1].plot([0, 1], [mu, 0], label="demand")
    layout.legend_outside(fig, where="right upper")
    return fig
explore(draw, np.linspace(0.5, 1.5, 21), param="buyer mass mu", default=1.0)
"""


def test_explore_site_player_has_one_column_frames_for_phones(monkeypatch, tmp_path):
    monkeypatch.setenv("REDLIB_STATIC_SITE", "1")
    monkeypatch.setenv("REDLIB_FRAME_CACHE", str(tmp_path))
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(_TWO_PANELS))
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    html_out = nb.cells[0].outputs[0]["data"]["text/html"]
    (key,) = set(re.findall(r"_frames/([0-9a-f]+)/\d{3}\.png", html_out))
    folder = tmp_path / key
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted([f"{k:03d}.png" for k in range(21)] + [f"{k:03d}-narrow.png" for k in range(21)]
                           + ["frames.json"])
    # the page opens on the default's one-column frame on phones (a <picture> source), the
    # wide one elsewhere; the script knows every one-column frame
    assert (f'<source class="redlib-narrow-frame" media="{layout.NARROW_MEDIA}" '
            f'srcset="_frames/{key}/010-narrow.png"') in html_out
    assert f'src="_frames/{key}/010.png"' in html_out
    assert all(f"_frames/{key}/{k:03d}-narrow.png" in html_out for k in range(21))
    wide = Image.open(folder / "010.png")
    for k in (0, 10, 20):
        im = Image.open(folder / f"{k:03d}-narrow.png")
        assert im.size == Image.open(folder / "000-narrow.png").size  # every frame alike
        assert im.size[1] > 1.25 * im.size[0] and im.size[0] < wide.size[0]  # two panels of aspect 0.7
        assert float(im.text["redlib:min_text_px"]) >= layout.MIN_TEXT_PX
        assert float(im.text["redlib:shown_px"]) == layout.NARROW_COLUMN_PX
    assert Image.open(folder / "000-narrow.png").tobytes() != Image.open(folder / "020-narrow.png").tobytes()


def test_explore_site_player_needs_21_frames(monkeypatch, tmp_path):
    monkeypatch.setenv("REDLIB_STATIC_SITE", "1")
    monkeypatch.setenv("REDLIB_FRAME_CACHE", str(tmp_path))
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(_CELL.replace("np.linspace(0.5, 1.5, 21)", "[0.5, 1.5]")))
    with pytest.raises(Exception, match="at least 21"):
        NotebookClient(nb, timeout=120, kernel_name="python3").execute()


_LIVE_STEPS = """
from redlib.plotting.explore import LIVE
live = LIVE[-1]
first = live.image.value
for v in np.linspace(0.5, 1.5, 10):
    live.slider.value = float(v)
    assert live.wait(30)
assert len(live.timings) == 10 and not live.errors
assert live.image.value != first
n = len(live.timings)
for v in np.linspace(0.5, 1.5, 40):   # a burst of events arriving during redraws: coalesced
    live.slider.value = float(v)
assert live.wait(30)
assert len(live.timings) - n < 40, live.timings
print("ok", type(live.slider).__name__)
"""


def test_live_slider_redraws_in_place_and_coalesces(monkeypatch):
    monkeypatch.delenv("REDLIB_STATIC_SITE", raising=False)
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(_CELL))
    nb.cells.append(nbformat.v4.new_code_cell(_LIVE_STEPS))
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    out = nb.cells[1].outputs
    assert out and out[0]["text"].strip() == "ok FloatSlider", out


def test_chapter_plotting_modules_are_reexported_without_collisions():
    import importlib

    import redlib.plotting as plotting

    seen = {}
    for name in ("model", "market", "allocation", "propositions"):
        try:
            mod = importlib.import_module(f"redlib.plotting.{name}")
        except ModuleNotFoundError:
            continue
        for attr in getattr(mod, "__all__", []):
            assert attr not in seen, f"{attr} is exported by both plotting.{seen[attr]} and plotting.{name}"
            seen[attr] = name
            assert getattr(plotting, attr) is getattr(mod, attr)
            assert attr in plotting.__all__
    assert len(plotting.__all__) == len(set(plotting.__all__))


def test_clear_data_removes_bar_containers_so_legends_do_not_pile_up():
    from redlib.plotting import layout

    def draw(h, fig=None):
        fig, axes = layout.subplots(fig, figsize=(4, 3))
        axes[0, 0].bar([0, 1], [h, 1.0], label="bars")
        axes[0, 0].legend(loc="upper left")
        return fig

    fig = draw(1.0)
    for h in (2.0, 3.0):
        draw(h, fig=fig)
    ax = fig.axes[0]
    assert len(ax.containers) == 1 and len(ax.patches) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["bars"]


def _draw_fixed_legend(n, fig=None, names=("a", "b")):
    from redlib.plotting import layout

    fig, axes = layout.subplots(fig, figsize=(4, 3))
    for k, name in enumerate(names):
        axes[0, 0].plot([0, 1], [k, k + n], label=name)
    layout.fixed(axes[0, 0].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0)))
    return fig


def test_fixed_legend_is_drawn_once_and_checked():
    import io

    from redlib.plotting import layout
    from redlib.plotting.explore import _Drawer, _sample, render_png

    fig = _draw_fixed_legend(1.0)
    assert [type(a).__name__ for a in layout.data_artists(fig)] == ["Line2D", "Line2D"]
    _draw_fixed_legend(2.0, fig=fig)
    assert len(layout.data_artists(fig)) == 2  # same entries: still not redrawn
    _draw_fixed_legend(2.0, fig=fig, names=("a", "c"))
    with pytest.raises(ValueError, match="fixed"):
        layout.data_artists(fig)
    with pytest.raises(TypeError, match="legend"):
        layout.fixed("not a legend")
    assert layout.fixed(None) is None
    # the legend is in every frame (drawn with the background), as in a figure drawn anew
    values = [1.0, 2.0, 3.0]
    d = _Drawer(_draw_fixed_legend, 100)
    d.prepare(_sample(values, 0), values[0])
    for v in values:
        live = plt.imread(io.BytesIO(d.png(v)))[..., :3]
        fresh = plt.imread(io.BytesIO(render_png(_draw_fixed_legend(v), dpi=100)))[..., :3]
        assert live.shape == fresh.shape
        right = (slice(None), slice(int(0.8 * live.shape[1]), None))  # the legend, right of the axes
        assert np.mean(np.abs(live[right] - fresh[right])) < 0.01 and live[right].min() < 0.5


def test_live_figure_on_a_grid_steps_through_values_and_shows_errors():
    from redlib.plotting import layout
    from redlib.plotting.explore import LiveFigure

    grid = [0.5, 1.0, 1.5]

    def draw(s, fig=None):  # defined only on the grid, like figures of precomputed results
        k = grid.index(s)
        fig, axes = layout.subplots(fig, figsize=(3, 2))
        axes[0, 0].plot([0, 1], [0, k])
        return fig

    live = LiveFigure(draw, grid, 1.0, "slope", "linear", continuous=False)
    assert type(live.slider).__name__ == "SelectionSlider"
    assert [v for _, v in live.slider.options] == grid
    for v in grid:
        live.slider.value = v
        assert live.wait(30)
    assert not live.errors and live.message.value == ""
    # the same figure on a continuous slider fails off the grid: the reader sees why
    live = LiveFigure(draw, grid, 1.0, "slope", "linear")
    assert type(live.slider).__name__ == "FloatSlider"
    live.slider.value = 0.7
    assert live.wait(30)
    assert live.errors and "no figure at 0.7" in live.message.value
    live.slider.value = 1.5
    assert live.wait(30)
    assert live.message.value == ""


def test_explore_continuous_must_be_a_bool():
    with pytest.raises(TypeError, match="continuous"):
        explore(lambda v: None, [1.0, 2.0], param="x", continuous="no")


def test_smallest_text_uses_the_width_the_site_shows_the_figure_at():
    """A figure narrower than the site's figure width is shown at its natural width (an image is
    never enlarged): its text is measured there, not at ``SITE_WIDTH_PX``."""
    from redlib.plotting.layout import SITE_WIDTH_PX, smallest_text

    for width_in, dpi in ((5.0, 110.0), (10.0, 110.0), (4.0, 100.0)):
        fig, ax = plt.subplots(figsize=(width_in, 3.0))
        ax.set_xticks([0, 1])
        for t in ax.get_xticklabels() + ax.get_yticklabels():
            t.set_fontsize(11.0)
        ax.set_xlabel("x", fontsize=13.0)
        size, text = smallest_text(fig, dpi=dpi)
        shown = min(SITE_WIDTH_PX, width_in * dpi)
        assert size == pytest.approx(11.0 * shown / (72.0 * width_in))
        # an explicit width still wins
        assert smallest_text(fig, width_px=350.0)[0] == pytest.approx(11.0 * 350.0 / (72.0 * width_in))
        plt.close(fig)
    # a 5-in figure at 110 dpi is shown 550 px wide, narrower than the site's figure width
    assert 550 < SITE_WIDTH_PX
    fig = plt.figure(figsize=(5.0, 3.0))
    fig.text(0.5, 0.5, "label", fontsize=10.0)
    assert smallest_text(fig, dpi=110.0)[0] == pytest.approx(10.0 * 550.0 / 360.0)
    assert smallest_text(fig, dpi=110.0)[0] < smallest_text(fig, width_px=SITE_WIDTH_PX)[0]
    plt.close(fig)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(width_px=0.0), ValueError, "width_px"), (dict(dpi=-110.0), ValueError, "dpi"),
    (dict(dpi=float("nan")), ValueError, "dpi"), (dict(width_px="700"), TypeError, "width_px")])
def test_smallest_text_rejects_bad_widths(kwargs, error, match):
    from redlib.plotting.layout import smallest_text

    fig = plt.figure(figsize=(6.0, 3.0))
    try:
        with pytest.raises(error, match=match):
            smallest_text(fig, **kwargs)
    finally:
        plt.close(fig)


def test_rationing_boundary_figure_keeps_its_labels_off_the_points():
    # the theta = 1 reference line is named in the key: a label next to it covered the points
    from redlib.plotting.layout import overlaps
    from redlib.plotting.propositions import plot_rationing_boundary
    from redlib.propositions.general import rationing_boundary

    fig = plot_rationing_boundary(rationing_boundary([0.0, 1.0, 2.0, 4.0], [1.0, 2.0, 3.0],
                                                     buyer_mass=0.2, grid_size=40))
    (ax,) = fig.axes
    assert len(ax.texts) == 0 and overlaps(fig) == []
    assert any("theta = 1" in t.get_text() for t in ax.get_legend().get_texts())
    plt.close(fig)
