"""Explore how a figure changes with one parameter, with or without a running kernel.

:func:`explore` shows each figure once, in the form that works where the notebook runs:

* in a live Jupyter kernel, a continuous :mod:`ipywidgets` slider over the parameter's range. The
  figure is drawn once; every slider step draws the new data *into the same figure* (its axes,
  ranges and layout stay; see :mod:`redlib.plotting.layout`) and sends one PNG to an
  :class:`ipywidgets.Image`. The redraw runs in a background thread that always takes the newest
  slider value, so events that arrive during a redraw are coalesced, not queued;
* on the static website, a *frame player*: the figure pre-rendered at every value (at least 21,
  the default among them), stored as image files next to the page and fetched on demand -- the
  first frame with the page, the others when the reader moves the slider or presses Play. It is
  plain HTML and a few lines of JavaScript, needs no server and no network, and opens on the
  default value. A multi-panel figure also gets its frames with the panels in one column
  (:func:`~redlib.plotting.layout.stack_panels`), which phones show and fetch instead. The
  site build sets ``REDLIB_STATIC_SITE=1``.

All frames of a player share their axis ranges (the union over the whole parameter range) and
their layout, so Play does not jump. Frames are cached on disk under a key made of everything
they depend on (the code the kernel has run, redlib's source, the values), so an unchanged
figure is not rendered again by the next build, and they are rendered by two processes in
parallel when the machine has two cores.

A drawing function takes the value and, optionally, the figure it made before::

    def draw(mu, fig=None):
        market = ...
        return plot_mechanism(optimal_mechanism(market), market, fig=fig)

With ``fig`` it redraws in place (the chapter plotting functions accept ``fig=``); a function
without a ``fig`` parameter still works, but makes a new figure per step (slower).
"""
from __future__ import annotations

import base64
import functools
import hashlib
import html
import inspect
import io
import json
import math
import numbers
import os
import sys
import threading
import time
import uuid
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import layout

__all__ = ["explore", "render_png", "frame_player_html", "static_site", "frame_cache_dir",
           "Exploration", "LiveFigure", "MIN_FRAMES", "FRAMES_DIR",
           "NARROW_DIR", "narrow_path", "install_narrow_figures"]

STATIC_SITE_ENV = "REDLIB_STATIC_SITE"
#: Environment variable naming the frame cache folder (set by the site build).
CACHE_ENV = "REDLIB_FRAME_CACHE"
#: A player offers at least this many frames.
MIN_FRAMES = 21
#: Folder, next to the page, that holds a player's frames on the site (``_frames/<key>/NN.png``).
FRAMES_DIR = "_frames"
_MAX_FRAMES = 200
_RENDER_VERSION = "4"  # bump when the rendering of frames changes


def static_site() -> bool:
    """Whether we are building the static website (env ``REDLIB_STATIC_SITE=1``).

    Returns
    -------
    bool
        True when live widgets must not be emitted.

    Examples
    --------
    >>> import os
    >>> from redlib.plotting.explore import static_site
    >>> os.environ["REDLIB_STATIC_SITE"] = "1"; static_site()
    True
    >>> del os.environ["REDLIB_STATIC_SITE"]; static_site()
    False
    """
    return os.environ.get(STATIC_SITE_ENV, "").strip().lower() in {"1", "true", "yes"}


def frame_cache_dir() -> Path:
    """Folder of the frame cache: ``$REDLIB_FRAME_CACHE``, else ``~/.cache/redlib/frames``.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import os
    >>> from redlib.plotting.explore import frame_cache_dir
    >>> os.environ["REDLIB_FRAME_CACHE"] = "/tmp/frames"; str(frame_cache_dir())
    '/tmp/frames'
    >>> del os.environ["REDLIB_FRAME_CACHE"]
    """
    env = os.environ.get(CACHE_ENV, "").strip()
    if env:
        return Path(env)
    return Path.home() / ".cache" / "redlib" / "frames"


def _format_value(v) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        return f"{float(v):.4g}"
    return str(v)


def _is_number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def render_png(fig: Figure, dpi: float | None = None, *, close: bool = True, fast: bool = False) -> bytes:
    """Render a matplotlib figure to PNG bytes (white background), by default closing it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to render.
    dpi : float, optional
        Resolution; defaults to ``rcParams["savefig.dpi"]``.
    close : bool, default True
        Close the figure afterwards (pass False for a figure that is redrawn in place).
    fast : bool, default False
        Light PNG compression (for a live slider: faster, larger).

    Returns
    -------
    bytes
        The PNG file contents.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from redlib.plotting.explore import render_png
    >>> fig, ax = plt.subplots(); _ = ax.plot([0, 1], [0, 1])
    >>> render_png(fig)[:4] == b"\\x89PNG"
    True
    """
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    buf = io.BytesIO()
    kwargs = {"format": "png", "facecolor": "white",
              "pil_kwargs": {"compress_level": 1 if fast else 9}}
    if dpi is not None:
        kwargs["dpi"] = dpi
    fig.savefig(buf, **kwargs)
    if close:
        plt.close(fig)
    return buf.getvalue()


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# ------------------------------------------------------------------------------ drawing frames
def _figure_problems(fig, dpi, renderer=None, width_px=None):
    """What the site does not accept in a figure rendered at ``dpi``: labels or legends on the
    data (:func:`~redlib.plotting.layout.overlaps`), text below ``layout.MIN_TEXT_PX`` at the
    site's figure width, or shown ``width_px`` wide (the one-column frames of phones)
    (:func:`~redlib.plotting.layout.smallest_text`).  One string each."""
    problems = layout.overlaps(fig, renderer=renderer)
    size, text = layout.smallest_text(fig, width_px, dpi=dpi)
    if size < layout.MIN_TEXT_PX - 1e-9:
        where = (f"the site's figure width (at most {layout.SITE_WIDTH_PX} px)" if width_px is None
                 else f"the phone column's width ({layout.NARROW_COLUMN_PX} px)")
        problems.append(f"text {text!r} is {size:.1f} px at {where}; the least is "
                        f"{layout.MIN_TEXT_PX:g} px")
    return problems


class _Drawer:
    """Calls a drawing function, in place when it accepts ``fig``, with fixed axis ranges."""

    def __init__(self, draw, dpi=None, check=False):
        self.draw = draw
        self.dpi = dpi
        self.check = check
        self.problems = []
        self.background = None
        try:
            self.reuse = "fig" in inspect.signature(draw).parameters
        except (TypeError, ValueError):  # pragma: no cover - builtins
            self.reuse = False
        self.fig = None
        self.limits = None
        # the one-column drawer of phones (see _narrow_drawer): its crop box (pixels), the
        # width at which the whole figure is shown and the PNG text chunks
        self.stacked = False
        self.suptitle_at = None  # where the layout put the suptitle (a redraw resets it)
        self.crop = None
        self.shown_px = None
        self.text_px = None

    def _call(self, value):
        if self.reuse and self.fig is not None:
            fig = self.draw(value, fig=self.fig)
        else:
            fig = self.draw(value)
        if not isinstance(fig, Figure):
            raise ValueError(f"draw({_format_value(value)!s}) must return a matplotlib Figure, "
                             f"got {type(fig).__name__}")
        if self.reuse:
            if self.fig is not None and fig is not self.fig:
                raise ValueError("draw(value, fig=fig) must return the figure it was given")
            self.fig = fig
        return fig

    def prepare(self, sample, default):
        """Fix the axis ranges (union over ``sample``) and the layout, on ``draw(default)``."""
        lims = []
        for v in sample:
            fig = self._call(v)
            lims.append(layout.axis_limits(fig))
            if not self.reuse:
                plt.close(fig)
        try:
            self.limits = layout.union_limits(lims)
        except ValueError:  # figures with different axes: no common ranges
            self.limits = None
        if self.reuse:  # lay out a fresh figure (no state left by the sample drawings)
            plt.close(self.fig)
            self.fig = None
        fig = self.frame(default)
        if self.reuse:
            self.freeze(fig)
        return fig

    def freeze(self, fig):
        """Lay ``fig`` out once and keep it for redrawing at ``self.dpi``: its layout frozen, the
        suptitle's place recorded (every frame puts it there), its own Agg canvas."""
        layout.freeze_layout(fig)
        title = getattr(fig, "_suptitle", None)
        if title is not None and title.get_text():
            self.suptitle_at = title.get_position()
        plt.close(fig)  # kept for redrawing, never shown by the inline backend
        FigureCanvasAgg(fig)  # its own Agg canvas: the renderer is kept between frames
        if self.dpi is not None:  # (after closing, which resets the dpi)
            fig.set_dpi(self.dpi)
        self.dpi = fig.dpi

    def frame(self, value):
        """Draw ``value`` with the fixed ranges; return the figure (autoscaled ranges recorded)."""
        fig = self._call(value)
        if self.stacked:  # legends made anew by the redraw go below the panels again
            layout.stack_legends(fig)
        if self.suptitle_at is not None and getattr(fig, "_suptitle", None) is not None:
            # fig.suptitle() puts it back at y = 0.98, the layout at 1 - its padding: in a tall
            # one-column figure the difference is a line, over the first panel's title
            fig._suptitle.set_position(self.suptitle_at)
        self.last_limits = layout.axis_limits(fig)
        if self.limits is not None and len(self.limits) == len(fig.axes):
            layout.set_axis_limits(fig, self.limits)
        return fig

    def outside(self):
        """Whether the last frame's own ranges exceed the fixed ones (then widen and redraw)."""
        if self.limits is None or len(self.last_limits) != len(self.limits):
            return False
        for (fx, fy), (ox, oy) in zip(self.limits, self.last_limits):
            for fixed, own in ((fx, ox), (fy, oy)):
                tol = 0.01 * abs(fixed[1] - fixed[0])
                if min(own) < min(fixed) - tol or max(own) > max(fixed) + tol:
                    return True
        return False

    def png(self, value, fast=False):
        """PNG of the frame at ``value`` (JPEG with ``fast``, for the live slider).

        A figure redrawn in place is *blitted*: its frame (axes, ticks, labels, grid), the same
        in every frame, is rendered once and kept; each frame restores it and draws only
        :func:`~redlib.plotting.layout.data_artists` on top.
        """
        t0 = time.perf_counter()
        fig = self.frame(value)
        t1 = time.perf_counter()
        if not self.reuse:
            png = render_png(fig, dpi=self.dpi, fast=fast)
            self.last_times = (t1 - t0, time.perf_counter() - t1)
            return png
        canvas = fig.canvas
        artists = layout.data_artists(fig)
        if self.background is None:
            # the background: everything but the data artists. Titles are emptied rather than
            # hidden, so that the axes place them as usual (a hidden title is placed wrongly)
            titles = [t for ax in fig.axes for t in (ax.title, ax._left_title, ax._right_title)]
            texts = [t.get_text() for t in titles]
            for t in titles:
                t.set_text("")
            hidden = [a for a in artists if a not in titles]
            shown = [a.get_visible() for a in hidden]
            for a in hidden:
                a.set_visible(False)
            canvas.draw()
            self.background = canvas.copy_from_bbox(fig.bbox)
            for a, vis in zip(hidden, shown):
                a.set_visible(vis)
            for t, text in zip(titles, texts):
                t.set_text(text)
        canvas.restore_region(self.background)
        renderer = canvas.get_renderer()
        for a in artists:
            if a.get_visible():
                a.draw(renderer)
        if self.check:
            label = _format_value(value) + (" (one-column frame)" if self.stacked else "")
            self.problems += [f"at {label}: {p}"
                              for p in _figure_problems(fig, self.dpi, renderer, self.shown_px)]
        from PIL import Image

        w, h = canvas.get_width_height(physical=True)
        im = Image.frombuffer("RGBA", (w, h), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).convert("RGB")
        if self.crop is not None:
            im = im.crop(self.crop)
        buf = io.BytesIO()
        if fast:  # the live slider: JPEG encodes ~10x faster than PNG (sharp at this quality)
            im.save(buf, format="jpeg", quality=92, subsampling=0)
        else:  # a one-column frame carries its smallest text as shown on a phone
            info = (None if self.text_px is None
                    else layout.narrow_png_info(self.text_px, layout.NARROW_COLUMN_PX))
            im.save(buf, format="png", compress_level=6, dpi=(self.dpi, self.dpi), pnginfo=info)
        self.last_times = (t1 - t0, time.perf_counter() - t1)
        return buf.getvalue()


def _sample(values, start, n=7):
    """Up to ``n`` values spread over ``values`` (the ends and ``values[start]`` included)."""
    m = len(values)
    idx = {0, m - 1, start} | {round(k * (m - 1) / (n - 1)) for k in range(n)}
    return [values[k] for k in sorted(idx)]


def _narrow_drawer(drawer, default):
    """A second drawer of ``drawer``'s figure with its panels in one column: the frames phones
    show (:func:`~redlib.plotting.layout.stack_panels`, laid out once on ``draw(default)``, then
    frozen and blitted like the wide frames, cropped to the tight box of the default frame).

    None when the figure is not redrawn in place, cannot be stacked, or its text shown
    :data:`~redlib.plotting.layout.NARROW_COLUMN_PX` wide would be below
    :data:`~redlib.plotting.layout.MIN_TEXT_PX`."""
    if not drawer.reuse:
        return None
    narrow = _Drawer(drawer.draw, drawer.dpi, check=drawer.check)
    narrow.limits = drawer.limits
    fig = narrow.frame(default)
    if layout.stack_panels(fig) is None:
        plt.close(fig)
        return None
    narrow.stacked = True
    narrow.freeze(fig)
    renderer = fig.canvas.get_renderer()
    box = fig.get_tightbbox(renderer).padded(matplotlib.rcParams["savefig.pad_inches"])
    w, h = fig.canvas.get_width_height(physical=True)
    x0, x1 = max(0, math.floor(box.x0 * drawer.dpi)), min(w, math.ceil(box.x1 * drawer.dpi))
    y0, y1 = max(0, math.floor(h - box.y1 * drawer.dpi)), min(h, math.ceil(h - box.y0 * drawer.dpi))
    narrow.crop = (x0, y0, x1, y1)
    narrow.shown_px = layout.NARROW_COLUMN_PX * w / (x1 - x0)  # the whole figure, crop at column
    size, _ = layout.smallest_text(fig, narrow.shown_px)
    if size < layout.MIN_TEXT_PX:
        plt.close(fig)
        return None
    narrow.text_px = size
    return narrow


def _render_all(drawer, values, start, paths, workers, narrow_paths=None):
    """Render every frame to ``paths`` (PNG files), with common ranges; in parallel when possible.

    With ``narrow_paths``, also the one-column frames of phones (:func:`_narrow_drawer`), when
    the figure has them; returns whether it has."""
    fig = drawer.prepare(_sample(values, start), values[start])
    if not drawer.reuse:
        plt.close(fig)
    narrow = _narrow_drawer(drawer, values[start]) if narrow_paths is not None else None
    jobs = [(drawer, paths)] + ([(narrow, narrow_paths)] if narrow is not None else [])
    for attempt in range(2):
        todo = list(range(len(values)))
        widened = _render_indices(jobs, values, todo, workers)
        if not widened:
            break
        limits = layout.union_limits([drawer.limits] + widened)  # seen only now: redraw all
        for d, _ in jobs:
            d.limits = limits
            d.background = None
    if narrow is not None:
        drawer.problems += [p for p in narrow.problems if p not in drawer.problems]
    return narrow is not None


def _fonts_after_fork():
    """In a forked child: drop every font object inherited from the parent.

    A FreeType face reads its font file through an open file that a forked child shares with its
    parent (one file offset for both): when both render text at once, each reads the other's
    bytes and glyphs come out corrupt (``FT_Load_Glyph ... failed with error 0x14: invalid
    outline`` or ``0x16: too many hints``, in 3 of 4 executions of chapter 4 here, in either
    process). matplotlib empties its own font cache at a fork; the mathtext parser's cache of
    parsed strings keeps their fonts, so it is emptied too and the child opens its own files.
    """
    from matplotlib import font_manager, mathtext

    for cached in (getattr(font_manager, "_get_font", None),
                   getattr(mathtext.MathTextParser, "_parse_cached", None)):
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()


def _render_indices(jobs, values, todo, workers):
    """Render frames ``todo`` of every ``(drawer, paths)`` of ``jobs`` (fork a child for part of
    them on Linux); return any wider ranges seen (by the first drawer)."""
    drawer = jobs[0][0]
    widened = []
    children = []

    def render(k, wide):
        for d, paths in jobs:
            png = d.png(values[k])
            if d is drawer and drawer.outside():
                wide.append(drawer.last_limits)
            _write(paths[k], png)
    if workers > 1 and hasattr(os, "fork") and len(todo) > 3:
        shares = [todo[w::workers] for w in range(workers)]
        todo = shares[0]
        for share in shares[1:]:
            rfd, wfd = os.pipe()
            pid = os.fork()
            if pid == 0:  # child: render the share, report wider ranges, never return
                code = 1
                try:
                    os.close(rfd)
                    _fonts_after_fork()
                    devnull = open(os.devnull, "w")
                    sys.stdout = sys.stderr = devnull
                    wide = []
                    for k in share:
                        render(k, wide)
                    problems = [p for d, _ in jobs for p in d.problems]
                    os.write(wfd, json.dumps([wide, problems]).encode())
                    code = 0
                finally:
                    os._exit(code)
            os.close(wfd)
            children.append((pid, rfd, share))
    for k in todo:
        render(k, widened)
    deadline = time.monotonic() + 600
    for pid, rfd, share in children:
        data = b""
        while True:
            chunk = os.read(rfd, 65536)
            if not chunk:
                break
            data += chunk
        os.close(rfd)
        status = None
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:  # pragma: no cover - a stuck child: stop it and render its share here
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        if status != 0 or not data:
            for k in share:  # the child failed: render its frames here (errors surface normally)
                render(k, widened)
        else:
            wide, problems = json.loads(data)
            widened += [[tuple(map(tuple, a)) for a in lim] for lim in wide]
            drawer.problems += [p for p in problems if p not in drawer.problems]
    return widened


def _summarize(problems):
    """``"at <value>: <problem>"`` lines grouped by problem, with the values where it occurs."""
    by = {}
    for p in problems:
        at, _, what = p.partition(": ")
        by.setdefault(what, []).append(at[3:])
    return "; ".join(f"{what} (at {', '.join(vals[:4])}{', ...' if len(vals) > 4 else ''}: "
                     f"{len(vals)} frame(s))" for what, vals in by.items())


def _write(path, data):
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@functools.lru_cache(maxsize=1)
def _redlib_digest() -> str:
    """Digest of redlib's source as first seen by this process (the code it has loaded)."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.py")):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _kernel_history():
    """The code the running IPython session has executed, or None outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    ip = get_ipython()
    if ip is None:
        return None
    return list(ip.user_ns.get("In", []))


def _frame_key(history, param, values, dpi) -> str:
    h = hashlib.sha256()
    for part in (_RENDER_VERSION, matplotlib.__version__, _redlib_digest(), json.dumps(history),
                 param, json.dumps([_format_value(v) for v in values]), repr([repr(v) for v in values]),
                 str(dpi), json.dumps({k: str(v) for k, v in sorted(matplotlib.rcParams.items())})):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:20]


# ------------------------------------------------------------------------------ frame player
_PLAYER_CSS = """
<style>
.redlib-explore { margin: 0.5em 0 1em 0; max-width: 100%; padding: 0.5em;
  border: 1px solid #b0b0b0; border-radius: 6px; background: #ffffff; color: #1a1a1a;
  color-scheme: light; accent-color: #0072B2; }
.redlib-explore .redlib-scroll { overflow-x: auto; }
.redlib-explore img { max-width: 100%; height: auto; background: white; display: block; }
.redlib-explore .redlib-controls { display: flex; align-items: center; gap: 0.6em; flex-wrap: wrap;
  margin-top: 0.3em; font-size: 0.95em; }
.redlib-explore .redlib-controls input[type=range] { flex: 1 1 14em; min-width: 10em; }
.redlib-explore .redlib-controls button { min-width: 5.5em; padding: 0.15em 0.6em; cursor: pointer;
  border: 1px solid #666; border-radius: 4px; background: #f2f2f2; color: #1a1a1a; }
.redlib-explore .redlib-controls button:focus-visible, .redlib-explore input:focus-visible {
  outline: 2px solid #0072B2; outline-offset: 2px; }
figure.redlib-explore > figcaption { font-size: 0.95em; margin-top: 0.3em; color: #1a1a1a; }
</style>
"""

_PLAYER_JS = """
<script>
(function () {
  var root = document.getElementById("%(uid)s");
  if (!root || root.dataset.ready) { return; }
  root.dataset.ready = "1";
  var frames = %(frames)s;
  var narrow = %(narrow)s;  /* the one-column frames (phones), or none */
  var labels = %(labels)s;
  var img = root.querySelector("img.redlib-frame");
  var source = root.querySelector("source.redlib-narrow-frame");
  var phone = (narrow.length && window.matchMedia) ? window.matchMedia(%(media)s) : null;
  var slider = root.querySelector("input.redlib-slider");
  var out = root.querySelector("output.redlib-value");
  var button = root.querySelector("button.redlib-play");
  var timer = null, cache = null;
  function preload() {  /* the other frames are fetched once the reader moves or plays: */
    if (cache) { return; }  /* those the screen shows (wide, or one column on a phone) */
    cache = ((phone && phone.matches) ? narrow : frames).map(function (src) {
      var im = new Image(); im.src = src; return im; });
  }
  if (phone && phone.addEventListener) {  /* turned or resized past 600 px: the other set */
    phone.addEventListener("change", function () { cache = null; });
  }
  function show(k) {
    k = ((k %% frames.length) + frames.length) %% frames.length;
    if (source) { source.srcset = narrow[k]; }
    img.src = frames[k];
    slider.value = k;
    out.textContent = labels[k];
    slider.setAttribute("aria-valuetext", labels[k]);
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; } button.textContent = "\\u25B6 Play"; }
  slider.addEventListener("pointerdown", preload);
  slider.addEventListener("keydown", preload);
  slider.addEventListener("focus", preload);
  slider.addEventListener("input", function () { preload(); stop(); show(parseInt(slider.value, 10)); });
  button.addEventListener("click", function () {
    preload();
    if (timer) { stop(); return; }
    button.textContent = "\\u23F8 Pause";
    var every = parseInt(root.dataset.interval || "%(interval)d", 10);
    timer = setInterval(function () { show(parseInt(slider.value, 10) + 1); }, every);
  });
})();
</script>
"""


def frame_player_html(
    frames: list,
    labels: list[str],
    *,
    param: str,
    start: int = 0,
    caption: str | None = None,
    alt: str | None = None,
    interval_ms: int = 400,
    narrow: list | None = None,
) -> str:
    """HTML frame player over pre-rendered frames (no kernel, no network).

    Parameters
    ----------
    frames : list of bytes or list of str
        The frames, one per value of the parameter: PNG bytes (embedded as data URIs: a
        self-contained player) or image URLs relative to the page (fetched on demand: only
        ``frames[start]`` loads with the page, the others when the reader moves or plays).
    labels : list of str
        The parameter value of each frame as text (e.g. ``"1.5"``); shown next to the slider as
        ``"<param> = <label>"``.
    param : str
        Name of the varied parameter (used in the caption and as the slider's accessible name).
    start : int, default 0
        Index of the frame shown first.
    caption : str, optional
        Extra caption text.
    alt : str, optional
        Alternative text for the image; defaults to a description naming ``param``.
    interval_ms : int, default 400
        Delay between frames when playing.
    narrow : list of bytes or list of str, optional
        One-column variants of the frames (same kinds and length as ``frames``), shown instead
        on screens matching :data:`~redlib.plotting.layout.NARROW_MEDIA` (a ``<picture>``
        source): phones fetch only these, other screens only ``frames``.

    Returns
    -------
    str
        An HTML fragment (``<figure>`` with ``<img>``, slider, button and ``<figcaption>``).

    Examples
    --------
    >>> from redlib.plotting.explore import frame_player_html
    >>> html = frame_player_html(["f0.png", "f1.png"], ["1", "2"], param="slope s")
    >>> 'type="range"' in html and "slope s" in html and 'src="f0.png"' in html
    True
    >>> html = frame_player_html(["f0.png", "f1.png"], ["1", "2"], param="s", narrow=["n0.png", "n1.png"])
    >>> '<source class="redlib-narrow-frame" media="(max-width: 600px)" srcset="n0.png"' in html
    True
    """
    if len(frames) == 0:
        raise ValueError("frames must contain at least one image, got 0")
    if len(labels) != len(frames):
        raise ValueError(f"labels must have one entry per frame ({len(frames)}), got {len(labels)}")
    if not isinstance(param, str) or not param.strip():
        raise ValueError(f"param must be a non-empty string naming the varied parameter, got {param!r}")
    if not 0 <= start < len(frames):
        raise ValueError(f"start must be in [0, {len(frames) - 1}], got {start}")
    if narrow is not None and len(narrow) != len(frames):
        raise ValueError(f"narrow must have one entry per frame ({len(frames)}), got {len(narrow)}")
    uid = "redlib-explore-" + uuid.uuid4().hex[:12]
    srcs = [f if isinstance(f, str) else _data_uri(f) for f in frames]
    narrow_srcs = [f if isinstance(f, str) else _data_uri(f) for f in (narrow or [])]
    shown = [f"{param} = {lab}" for lab in labels]
    if alt is None:
        alt = f"Figure at {shown[start]}; use the slider to vary {param}."
    cap = (
        f"Frame player: drag the slider (or use the arrow keys) or press Play to vary "
        f"<strong>{html.escape(param)}</strong> from {html.escape(labels[0])} to "
        f"{html.escape(labels[-1])} ({len(frames)} frames)."
    )
    if caption:
        cap = html.escape(caption) + " " + cap
    parts = [
        _PLAYER_CSS,
        f'<figure class="redlib-explore" id="{uid}" data-frames="{len(frames)}">',
        '<div class="redlib-scroll">',
        *(['<picture class="redlib-narrow">',
           f'<source class="redlib-narrow-frame" media="{html.escape(layout.NARROW_MEDIA)}" '
           f'srcset="{html.escape(narrow_srcs[start], quote=True)}" type="image/png">']
          if narrow_srcs else []),
        f'<img class="redlib-frame" src="{html.escape(srcs[start], quote=True)}" '
        f'alt="{html.escape(alt, quote=True)}">',
        *(["</picture>"] if narrow_srcs else []),
        "</div>",
        '<div class="redlib-controls">',
        '<button type="button" class="redlib-play">&#9654; Play</button>',
        f'<input type="range" class="redlib-slider" min="0" max="{len(frames) - 1}" step="1" '
        f'value="{start}" aria-label="{html.escape(param, quote=True)}">',
        f'<output class="redlib-value">{html.escape(shown[start])}</output>',
        "</div>",
        f"<figcaption>{cap}</figcaption>",
        "</figure>",
        _PLAYER_JS
        % {
            "uid": uid,
            # json + escaping "</" keeps the script block intact whatever the labels contain
            "frames": json.dumps(srcs).replace("</", "<\\/"),
            "labels": json.dumps(shown).replace("</", "<\\/"),
            "narrow": json.dumps(narrow_srcs).replace("</", "<\\/"),
            "media": json.dumps(layout.NARROW_MEDIA),
            "interval": int(interval_ms),
        },
    ]
    return "\n".join(parts)


@dataclass
class Exploration:
    """What :func:`explore` produced (returned when not in a notebook).

    Attributes
    ----------
    param : str
        Name of the varied parameter.
    values : list
        The values the frame player steps through (the default among them).
    default : object
        Value of the frame the player opens on.
    static_png : bytes
        PNG of the figure at ``default``.
    player_html : str
        Self-contained HTML of the frame player (frames embedded).
    frames : list of bytes
        PNG of every frame.
    narrow_frames : list of bytes
        PNG of every frame with the panels in one column (what the player shows on screens
        narrower than :data:`~redlib.plotting.layout.NARROW_MEDIA`'s 600 px); empty for a
        figure of one panel, or one that cannot be stacked.
    """

    param: str
    values: list
    default: object
    static_png: bytes = field(repr=False)
    player_html: str = field(repr=False)
    frames: list = field(default_factory=list, repr=False)
    narrow_frames: list = field(default_factory=list, repr=False)

    def __repr__(self) -> str:
        return (
            f"Exploration(param={self.param!r}, {len(self.values)} frames from "
            f"{_format_value(self.values[0])} to {_format_value(self.values[-1])}, "
            f"default={_format_value(self.default)})"
        )


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


#: Sub-folder of the frame cache holding the one-column variants of the static figures of the
#: site (see :func:`narrow_path`).
NARROW_DIR = "narrow"
_NARROW_VERSION = b"redlib-narrow-3\n"  # bump when the stacked layout changes


def narrow_path(png: bytes) -> Path:
    """Where the frame cache keeps the one-column variant of the figure whose PNG is ``png``.

    Parameters
    ----------
    png : bytes
        The figure's PNG as the notebook shows it.

    Returns
    -------
    pathlib.Path
        ``frame_cache_dir() / NARROW_DIR / "<sha256>.png"`` (the file may not exist).

    Examples
    --------
    >>> from redlib.plotting.explore import narrow_path
    >>> narrow_path(b"...").parent.name
    'narrow'
    """
    if not isinstance(png, (bytes, bytearray)):
        raise TypeError(f"png must be bytes, got {type(png).__name__}")
    key = hashlib.sha256(_NARROW_VERSION + bytes(png)).hexdigest()
    return frame_cache_dir() / NARROW_DIR / f"{key}.png"


def _narrow_wrap(png_formatter):
    """Wrap the kernel's ``image/png`` formatter of figures: same output, and the stacked variant
    of the figure (:func:`redlib.plotting.layout.stacked_png`) written to the frame cache under
    a digest of that output (:func:`narrow_path`), where the site build finds it
    (``book/_ext/redlib_site.py``).  Each figure is checked like a player's frames (no label or
    legend on the data, text of at least ``layout.MIN_TEXT_PX`` at the site's width): a problem
    is a warning."""
    if getattr(png_formatter, "_redlib_narrow", False):
        return png_formatter

    @functools.wraps(png_formatter)
    def formatter(fig):
        out = png_formatter(fig)
        data = out[0] if isinstance(out, tuple) else out
        # the checks of the players' frames, on every static figure too: a warning, fatal in
        # the site build (-W)
        problems = _figure_problems(fig, matplotlib.rcParams["savefig.dpi"])
        if problems:
            title = next((a.get_title() for a in fig.axes if a.get_title()), "untitled")
            warnings.warn(f"figure {title!r}: " + "; ".join(problems), stacklevel=2)
        if data:
            raw = base64.b64decode(data) if isinstance(data, str) else bytes(data)
            path = narrow_path(raw)
            if not path.is_file():
                narrow = layout.stacked_png(fig)
                if narrow is not None:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    _write(path, narrow)
        return out

    formatter._redlib_narrow = True
    return formatter


def install_narrow_figures() -> bool:
    """In a static-site kernel, also render every displayed multi-panel figure in one column.

    Called by :func:`redlib.plotting.style.use`. Only when :func:`static_site` is true and the
    code runs in an IPython kernel (the site build's); elsewhere (JupyterLab, scripts, the PDF's
    LaTeX) nothing changes. The notebook's output is unchanged too: the variant goes to the
    frame cache, and the site build shows it on phones through a ``<picture>`` element.  Every
    displayed figure is also checked as the players' frames are (:func:`_narrow_wrap`).

    Returns
    -------
    bool
        Whether the hook is installed.

    Examples
    --------
    >>> from redlib.plotting.explore import install_narrow_figures
    >>> install_narrow_figures()   # not in a static-site kernel
    False
    """
    if not (static_site() and _in_kernel()):
        return False
    from IPython import get_ipython

    ip = get_ipython()
    plt._get_backend_mod()  # activates the inline backend now: it sets its own png formatter

    def ensure(*_args):
        fmt = ip.display_formatter.formatters["image/png"]
        try:
            current = fmt.lookup_by_type(Figure)
        except KeyError:
            return
        fmt.for_type(Figure, _narrow_wrap(current))

    ensure()
    if not getattr(ip, "_redlib_narrow_hook", False):
        ip.events.register("pre_run_cell", ensure)  # again, should the backend be reset
        ip._redlib_narrow_hook = True
    return True


# ------------------------------------------------------------------------------ live slider
#: The live figures of this kernel, newest last (the widget benchmark drives their sliders).
LIVE: list = []


class LiveFigure:
    """A figure in a running kernel, redrawn in place as its slider moves.

    Made by :func:`explore` in a live kernel; not usually constructed directly.

    Parameters
    ----------
    draw : callable
        ``draw(value, fig=None)`` (or ``draw(value)``), see :func:`explore`.
    values : list
        Values spanning the parameter's range (their union of axis ranges is used).
    default : object
        The value shown first.
    param : str
        Name of the parameter (the slider's description).
    scale : {"linear", "log"}
        Scale of a continuous slider.
    continuous : bool, default True
        False: a ``SelectionSlider`` over ``values`` even for numbers (``draw`` is defined only
        there).

    Attributes
    ----------
    slider : ipywidgets widget
        A ``FloatSlider``/``FloatLogSlider`` for numbers (with ``continuous``), a
        ``SelectionSlider`` otherwise.
    message : ipywidgets.HTML
        Empty, or the error raised by ``draw`` at the slider's current value (the previous
        image stays).
    image : ipywidgets.Image
        The figure.
    widget : ipywidgets.VBox
        What is displayed.
    timings : list of float
        Seconds from each slider event to the new image (the newest value after coalescing).
    phases : list of (float, float)
        For each image: seconds in ``draw`` (the model's solve and the new artists) and in
        rendering (blit and JPEG encoding).
    cpu : list of float
        For each image: CPU seconds of the redraw thread (the step's own work, whatever else
        the machine is doing; ``timings`` are wall-clock seconds).
    rendered : threading.Event
        Set whenever an image has been sent and no newer value is waiting.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from redlib.plotting import layout
    >>> from redlib.plotting.explore import LiveFigure
    >>> def draw(s, fig=None):
    ...     fig, axes = layout.subplots(fig, figsize=(3, 2)); _ = axes[0, 0].plot([0, 1], [0, s])
    ...     return fig
    >>> live = LiveFigure(draw, [1.0, 2.0], 1.0, "slope", "linear")
    >>> live.set(2.0); _ = live.wait(); len(live.timings)
    1
    """

    def __init__(self, draw, values, default, param, scale, continuous=True):
        import ipywidgets as widgets

        self._drawer = _Drawer(draw)
        start = values.index(default)
        fig = self._drawer.prepare(_sample(values, start), default)
        if not self._drawer.reuse:
            plt.close(fig)
        png = self._drawer.png(default, fast=True)
        numeric = all(_is_number(v) for v in values)
        if continuous and numeric and len(values) > 1:
            lo, hi = float(min(values)), float(max(values))
            if scale == "log":
                self.slider = widgets.FloatLogSlider(
                    value=float(default), base=10, min=math.log10(lo), max=math.log10(hi),
                    step=(math.log10(hi) - math.log10(lo)) / 400, readout_format=".3g")
            else:
                self.slider = widgets.FloatSlider(value=float(default), min=lo, max=hi,
                                                  step=(hi - lo) / 400, readout_format=".3g")
        else:
            self.slider = widgets.SelectionSlider(
                options=[(_format_value(v), v) for v in values], value=default)
        self.slider.description = param
        self.slider.continuous_update = True
        self.slider.style = {"description_width": "initial"}
        self.slider.layout = widgets.Layout(width="95%")
        self.image = widgets.Image(value=png, format="jpeg" if self._drawer.reuse else "png",
                                   layout=widgets.Layout(max_width="100%", height="auto"))
        self.message = widgets.HTML(value="")
        self.widget = widgets.VBox([self.slider, self.message, self.image])
        self.timings: list[float] = []
        self.phases: list[tuple] = []
        self.cpu: list[float] = []
        self.errors: list[BaseException] = []
        self.rendered = threading.Event()
        self.rendered.set()
        self._pending = None
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name=f"redlib-live-{param}", daemon=True)
        self._thread.start()
        self.slider.observe(lambda change: self.set(change["new"]), names="value")

    def set(self, value):
        """Ask for the figure at ``value`` (returns at once; the newest request wins)."""
        with self._wake:
            self.rendered.clear()
            self._pending = (value, time.perf_counter())
            self._wake.notify()

    def wait(self, timeout=60.0):
        """Wait until the newest requested value is on screen; True if it is."""
        return self.rendered.wait(timeout)

    def _loop(self):
        while True:
            with self._wake:
                while self._pending is None:
                    self._wake.wait()
                (value, t0), self._pending = self._pending, None
            try:
                c0 = time.thread_time()
                self.image.value = self._drawer.png(value, fast=True)
                self.timings.append(time.perf_counter() - t0)
                self.cpu.append(time.thread_time() - c0)
                self.phases.append(self._drawer.last_times)
                if self.message.value:
                    self.message.value = ""
            except BaseException as exc:  # noqa: BLE001 - shown under the slider, loop survives
                self.errors.append(exc)
                self.message.value = ("<span style='color:#b00020'>"
                                      f"{html.escape(f'no figure at {_format_value(value)}: {type(exc).__name__}: {exc}')}"
                                      "</span>")
            with self._wake:
                if self._pending is None:
                    self.rendered.set()


# ------------------------------------------------------------------------------ explore
def explore(draw, values, *, param, default=None, scale="linear", continuous=True, caption=None,
            alt=None):
    """Show a figure and how it changes as one parameter varies.

    Each figure is shown once, in the form that works where the notebook runs:

    * in a live Jupyter kernel, a continuous slider over ``[min(values), max(values)]`` (a
      selection slider over ``values`` for non-numeric values or ``continuous=False``) that
      redraws the figure in place;
    * on the static website (``REDLIB_STATIC_SITE=1``, set by the site build), a serverless frame
      player over ``values`` (plus ``default`` if it is not one of them), opening on ``default``,
      its frames stored next to the page and fetched on demand;
    * elsewhere (plain Python) nothing is displayed and an :class:`Exploration` is returned.

    All frames share their axis ranges (the union over the values) and their layout.

    Parameters
    ----------
    draw : callable
        ``draw(value, fig=None)`` returns the figure for one value of the parameter: a new one
        when ``fig`` is None, else ``fig`` redrawn in place (see :mod:`redlib.plotting.layout`).
        ``draw(value)`` without a ``fig`` parameter is accepted too (a new figure each time). It
        must not call ``plt.show``.
    values : sequence
        Values spanning the parameter's range, in order; the player shows each. On the site
        there must be at least :data:`MIN_FRAMES` (21) of them; at most 200.
    param : str
        Human-readable name of the parameter, e.g. ``"buyer mass mu"``.
    default : object, optional
        The value the figure opens on; defaults to ``values[0]``. Added to the frames if missing.
    scale : {"linear", "log"}, default "linear"
        Scale of the live slider for numeric values.
    continuous : bool, default True
        Whether ``draw`` accepts any value between the smallest and largest of ``values``. Pass
        False for a figure defined only at ``values`` (results computed on a grid): the live
        slider then steps through ``values``.
    caption : str, optional
        Extra caption for the frame player.
    alt : str, optional
        Alternative text for the frames (screen readers).

    Returns
    -------
    Exploration or None
        None inside a Jupyter kernel (everything has been displayed); otherwise an
        :class:`Exploration` holding the frames and a self-contained player.

    Examples
    --------
    >>> import numpy as np
    >>> from redlib.plotting import explore, layout
    >>> def draw(slope, fig=None):
    ...     fig, axes = layout.subplots(fig, figsize=(4, 3))
    ...     x = np.linspace(0, 1, 20)
    ...     axes[0, 0].plot(x, slope * x)
    ...     axes[0, 0].set_title(f"slope = {slope:g}")
    ...     return fig
    >>> res = explore(draw, [0.5, 1.0, 2.0], param="slope", default=1.2)
    >>> res.param, [float(v) for v in res.values]
    ('slope', [0.5, 1.0, 1.2, 2.0])
    """
    if not callable(draw):
        raise ValueError(f"draw must be callable (value -> Figure), got {type(draw).__name__}")
    if not isinstance(param, str) or not param.strip():
        raise ValueError(f"param must be a non-empty string naming the varied parameter, got {param!r}")
    if scale not in ("linear", "log"):
        raise ValueError(f"scale must be 'linear' or 'log', got {scale!r}")
    if not isinstance(continuous, bool):
        raise TypeError(f"continuous must be True or False, got {type(continuous).__name__}")
    if isinstance(values, (str, bytes)):
        raise ValueError("values must be a sequence of parameter values, got a string")
    try:
        values = list(values)
    except TypeError:
        raise ValueError(f"values must be a sequence of parameter values, got {type(values).__name__}") from None
    if len(values) == 0:
        raise ValueError("values must contain at least one value, got an empty sequence")
    if len(values) > _MAX_FRAMES:
        raise ValueError(f"values must have at most {_MAX_FRAMES} entries, got {len(values)}")
    for v in values:
        if _is_number(v) and v != v:
            raise ValueError("values must not contain NaN")
    numeric = all(_is_number(v) for v in values)
    if scale == "log" and not (numeric and min(values) > 0):
        raise ValueError("scale='log' needs positive numeric values")
    if default is None:
        default = values[0]

    def same(v):  # numbers equal up to rounding count as the same value
        if _is_number(v) and _is_number(default):
            return math.isclose(v, default, rel_tol=1e-9, abs_tol=1e-12)
        return v is default or v == default

    if not any(same(v) for v in values):
        if numeric and _is_number(default):
            values = sorted(values + [default])
        else:
            values = values + [default]
    start = next(k for k, v in enumerate(values) if same(v))
    default = values[start]

    in_kernel = _in_kernel()
    if in_kernel and not static_site():
        try:
            import ipywidgets  # noqa: F401
            from IPython.display import display
        except ImportError:  # pragma: no cover - ipywidgets is a requirement of the book
            pass
        else:
            live = LiveFigure(draw, values, default, param, scale, continuous)
            LIVE.append(live)
            display(live.widget)
            return None

    if in_kernel and len(values) < MIN_FRAMES:
        raise ValueError(f"values must have at least {MIN_FRAMES} entries for the site's frame "
                         f"player (the default included), got {len(values)}")
    dpi = matplotlib.rcParams["savefig.dpi"]
    dpi = None if dpi == "figure" else float(dpi)
    labels = [_format_value(v) for v in values]
    frame_alt = f"{alt} (frame player over {param})" if alt else None
    history = _kernel_history() if in_kernel else None
    if history is not None:
        key = _frame_key(history, param, values, dpi)
        folder = frame_cache_dir() / key
        paths = [folder / f"{k:03d}.png" for k in range(len(values))]
        narrow_paths = [folder / f"{k:03d}-narrow.png" for k in range(len(values))]
        manifest = folder / "frames.json"  # written last: the frames are complete
        if not (manifest.is_file() and all(p.is_file() for p in paths)):
            folder.mkdir(parents=True, exist_ok=True)
            workers = min(2, os.cpu_count() or 1)
            drawer = _Drawer(draw, dpi, check=True)
            has_narrow = _render_all(drawer, values, start, paths, workers, narrow_paths)
            if drawer.problems:  # a warning: fatal in the site build (-W)
                warnings.warn(f"figure over {param!r}: " + _summarize(drawer.problems), stacklevel=2)
            _write(manifest, json.dumps({"frames": len(values), "narrow": has_narrow}).encode())
        has_narrow = json.loads(manifest.read_text())["narrow"]
        urls = [f"{FRAMES_DIR}/{key}/{p.name}" for p in paths]
        narrow_urls = [f"{FRAMES_DIR}/{key}/{p.name}" for p in narrow_paths] if has_narrow else None
        from IPython.display import display

        player = frame_player_html(urls, labels, param=param, start=start, caption=caption,
                                   alt=frame_alt, narrow=narrow_urls)
        # one output, two forms: the player for the site (text/html), and its opening frame as a
        # plain image for outputs that cannot run HTML (the PDF edition picks image/png)
        display({"text/html": player,
                 "image/png": base64.b64encode(paths[start].read_bytes()).decode("ascii"),
                 "text/plain": f"<Frame player over {param}, {len(values)} frames>"}, raw=True)
        return None

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / f"{k:03d}.png" for k in range(len(values))]
        narrow_paths = [Path(tmp) / f"{k:03d}-narrow.png" for k in range(len(values))]
        has_narrow = _render_all(_Drawer(draw, dpi), values, start, paths, 1, narrow_paths)
        pngs = [p.read_bytes() for p in paths]
        narrow = [p.read_bytes() for p in narrow_paths] if has_narrow else []
    player = frame_player_html(pngs, labels, param=param, start=start, caption=caption,
                               alt=frame_alt, narrow=narrow or None)
    return Exploration(param, values, default, pngs[start], player, pngs, narrow)
