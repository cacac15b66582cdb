"""Explore how a figure changes with one parameter, with or without a running kernel.

:func:`explore` shows each figure once, in the form that works where the notebook runs:

* in a live Jupyter kernel, an :mod:`ipywidgets` slider that redraws the figure for any of the
  values (it opens on the default value);
* on the static website, a *frame player*: every value's figure pre-rendered to PNG and embedded
  in the page with a slider and a play button. It is pure HTML + a few lines of JavaScript, needs
  no server and no network, and opens on the default value. The site build sets the environment
  variable ``REDLIB_STATIC_SITE=1``, because live widgets would need a kernel and JavaScript from
  a CDN.
"""
from __future__ import annotations

import base64
import html
import io
import json
import numbers
import os
import uuid
from dataclasses import dataclass, field

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

__all__ = ["explore", "render_png", "frame_player_html", "static_site", "Exploration"]

STATIC_SITE_ENV = "REDLIB_STATIC_SITE"


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


def _format_value(v) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        return f"{float(v):.4g}"
    return str(v)


def render_png(fig: Figure, dpi: float | None = None) -> bytes:
    """Render a matplotlib figure to PNG bytes (white background) and close it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to render.
    dpi : float, optional
        Resolution; defaults to ``rcParams["savefig.dpi"]``.

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
    kwargs = {"format": "png", "facecolor": "white"}
    if dpi is not None:
        kwargs["dpi"] = dpi
    fig.savefig(buf, **kwargs)
    plt.close(fig)
    return buf.getvalue()


def _draw_png(draw, value, dpi=None) -> bytes:
    fig = draw(value)
    if not isinstance(fig, Figure):
        raise ValueError(
            f"draw({_format_value(value)!s}) must return a matplotlib Figure, "
            f"got {type(fig).__name__}"
        )
    return render_png(fig, dpi=dpi)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


_PLAYER_CSS = """
<style>
/* own light colours: legible whatever the page theme (the figures are white too) */
.redlib-explore { margin: 0.5em 0 1em 0; max-width: 100%; padding: 0.5em;
  border: 1px solid #b0b0b0; border-radius: 6px; background: #ffffff; color: #1a1a1a;
  color-scheme: light; accent-color: #0072B2; }
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
  var labels = %(labels)s;
  var img = root.querySelector("img.redlib-frame");
  var slider = root.querySelector("input.redlib-slider");
  var out = root.querySelector("output.redlib-value");
  var button = root.querySelector("button.redlib-play");
  var timer = null;
  function show(k) {
    k = ((k %% frames.length) + frames.length) %% frames.length;
    img.src = frames[k];
    slider.value = k;
    out.textContent = labels[k];
    slider.setAttribute("aria-valuetext", labels[k]);
  }
  function stop() { if (timer) { clearInterval(timer); timer = null; } button.textContent = "\\u25B6 Play"; }
  slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
  button.addEventListener("click", function () {
    if (timer) { stop(); return; }
    button.textContent = "\\u23F8 Pause";
    timer = setInterval(function () { show(parseInt(slider.value, 10) + 1); }, %(interval)d);
  });
})();
</script>
"""


def frame_player_html(
    frames: list[bytes],
    labels: list[str],
    *,
    param: str,
    start: int = 0,
    caption: str | None = None,
    alt: str | None = None,
    interval_ms: int = 600,
) -> str:
    """Self-contained HTML frame player over pre-rendered PNG frames.

    No network access and no kernel are needed: the frames are embedded as base64 data URIs and a
    few lines of inline JavaScript wire up a range slider and a play/pause button.

    Parameters
    ----------
    frames : list of bytes
        PNG images, one per value of the parameter.
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
    interval_ms : int, default 600
        Delay between frames when playing.

    Returns
    -------
    str
        An HTML fragment (``<figure>`` with ``<img>``, slider, button and ``<figcaption>``).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from redlib.plotting.explore import frame_player_html, render_png
    >>> pngs = []
    >>> for s in (1, 2):
    ...     fig, ax = plt.subplots(); _ = ax.plot([0, 1], [0, s]); pngs.append(render_png(fig))
    >>> html = frame_player_html(pngs, ["1", "2"], param="slope s")
    >>> 'type="range"' in html and "slope s" in html
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
    uid = "redlib-explore-" + uuid.uuid4().hex[:12]
    uris = [_data_uri(p) for p in frames]
    shown = [f"{param} = {lab}" for lab in labels]
    if alt is None:
        alt = f"Figure at {shown[start]}; use the slider to vary {param}."
    cap = (
        f"Frame player: drag the slider or press Play to vary <strong>{html.escape(param)}</strong> "
        f"from {html.escape(labels[0])} to {html.escape(labels[-1])} ({len(frames)} frames)."
    )
    if caption:
        cap = html.escape(caption) + " " + cap
    parts = [
        _PLAYER_CSS,
        f'<figure class="redlib-explore" id="{uid}">',
        f'<img class="redlib-frame dark-light" src="{uris[start]}" alt="{html.escape(alt, quote=True)}">',
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
            "frames": json.dumps(uris),
            "labels": json.dumps(shown).replace("</", "<\\/"),
            "interval": int(interval_ms),
        },
    ]
    return "\n".join(parts)


@dataclass
class Exploration:
    """What :func:`explore` produced (also returned when not in a notebook).

    Attributes
    ----------
    param : str
        Name of the varied parameter.
    values : list
        The values the frame player steps through.
    default : object
        Value of the static figure.
    static_png : bytes
        PNG of the figure at ``default``.
    player_html : str
        Self-contained HTML of the frame player.
    widget : object or None
        The live ipywidgets control, or None on the static site / without ipywidgets.
    """

    param: str
    values: list
    default: object
    static_png: bytes = field(repr=False)
    player_html: str = field(repr=False)
    widget: object = field(default=None, repr=False)

    def __repr__(self) -> str:
        return (
            f"Exploration(param={self.param!r}, {len(self.values)} frames from "
            f"{_format_value(self.values[0])} to {_format_value(self.values[-1])}, "
            f"default={_format_value(self.default)}, live widget={'yes' if self.widget else 'no'})"
        )


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    ip = get_ipython()
    return ip is not None and getattr(ip, "kernel", None) is not None


def _live_widget(draw, values, default, param, alt):
    try:
        import ipywidgets as widgets
        from IPython.display import display
    except ImportError:  # pragma: no cover - ipywidgets is a hard requirement of the book
        return None
    options = [(_format_value(v), v) for v in values]
    if all(v is not default and v != default for v in values):
        options.append((_format_value(default), default))
        if all(isinstance(v, numbers.Real) for _, v in options):
            options.sort(key=lambda o: o[1])
    slider = widgets.SelectionSlider(
        options=options,
        value=default,
        description=param,
        continuous_update=False,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="95%"),
    )
    out = widgets.Output()

    def redraw(value):
        png = _draw_png(draw, value)
        with out:
            out.clear_output(wait=True)
            display(_image_bundle(png, alt, value, param), raw=True)

    slider.observe(lambda change: redraw(change["new"]), names="value")
    redraw(default)
    return widgets.VBox([widgets.HTML(f"<b>Live:</b> vary {html.escape(param)} (needs a running kernel)"),
                         slider, out])


def _image_bundle(png: bytes, alt: str | None, value, param: str) -> dict:
    b64 = base64.b64encode(png).decode("ascii")
    bundle = {
        "image/png": b64,
        "text/plain": f"<Figure at {param} = {_format_value(value)}>",
    }
    if alt:
        bundle["text/html"] = (
            f'<img class="dark-light" src="data:image/png;base64,{b64}" alt="{html.escape(alt, quote=True)}" '
            f'style="max-width:100%;height:auto;background:white">'
        )
    return bundle


def explore(draw, values, *, param, default=None, caption=None, alt=None):
    """Show a figure and how it changes as one parameter varies.

    Each figure is shown once, in the form that works where the notebook runs:

    * in a live Jupyter kernel, an :mod:`ipywidgets` slider over ``values`` that redraws the
      figure; it opens on ``draw(default)``;
    * on the static website (environment variable ``REDLIB_STATIC_SITE=1``, set by the site build),
      a serverless frame player: pre-rendered PNG frames with a slider and a play button, captioned
      with the name of the varied parameter, opening on the default frame. If ``default`` is not
      one of ``values``, the figure ``draw(default)`` is shown above the player.

    Parameters
    ----------
    draw : callable
        ``draw(value)`` returns a *new* :class:`matplotlib.figure.Figure` for one value of the
        parameter. It must not call ``plt.show``; the figures are closed after rendering.
    values : sequence
        The parameter values the frame player steps through (at least one, at most 60).
    param : str
        Human-readable name of the parameter, e.g. ``"buyer mass mu"``.
    default : object, optional
        Value for the static figure and the players' starting point; defaults to ``values[0]``.
    caption : str, optional
        Extra caption for the frame player.
    alt : str, optional
        Alternative text for the static figure and the frames (screen readers). If omitted, the
        static figure is a plain image so the cell's ``mystnb.image.alt`` metadata applies.

    Returns
    -------
    Exploration or None
        None inside a Jupyter kernel (everything has been displayed); otherwise an
        :class:`Exploration` holding the static PNG and the player's HTML.

    Examples
    --------
    >>> import numpy as np, matplotlib.pyplot as plt
    >>> from redlib.plotting import explore
    >>> def draw(slope):
    ...     fig, ax = plt.subplots()
    ...     x = np.linspace(0, 1, 20)
    ...     ax.plot(x, slope * x)
    ...     ax.set_title(f"slope = {slope}")
    ...     return fig
    >>> res = explore(draw, [0.5, 1.0, 2.0], param="slope", default=1.0)
    >>> res.param, len(res.values)
    ('slope', 3)
    """
    if not callable(draw):
        raise ValueError(f"draw must be callable (value -> Figure), got {type(draw).__name__}")
    if not isinstance(param, str) or not param.strip():
        raise ValueError(f"param must be a non-empty string naming the varied parameter, got {param!r}")
    try:
        values = list(values)
    except TypeError:
        raise ValueError(f"values must be a sequence of parameter values, got {type(values).__name__}") from None
    if len(values) == 0:
        raise ValueError("values must contain at least one value, got an empty sequence")
    if len(values) > 60:
        raise ValueError(f"values must have at most 60 entries (each is an embedded image), got {len(values)}")
    for v in values:
        if isinstance(v, numbers.Real) and not isinstance(v, bool) and v != v:
            raise ValueError("values must not contain NaN")
    if default is None:
        default = values[0]

    in_kernel = _in_kernel()
    # Each figure is shown once: a live kernel gets the slider (whose first drawing is the
    # default figure) and needs no pre-rendered frames; the static site gets the frame player,
    # which opens on the default frame.
    if in_kernel and not static_site():
        widget = _live_widget(draw, values, default, param, alt)
        if widget is not None:
            from IPython.display import display

            display(widget)
            return None

    frames = [_draw_png(draw, v) for v in values]
    labels = [_format_value(v) for v in values]
    match = [k for k, v in enumerate(values) if v is default or v == default]
    if match:
        start = match[0]
        static_png = frames[start]
    else:
        # start the player at the closest value when default is numeric
        if isinstance(default, numbers.Real) and all(isinstance(v, numbers.Real) for v in values):
            start = min(range(len(values)), key=lambda k: abs(values[k] - default))
        else:
            start = 0
        static_png = _draw_png(draw, default)
    frame_alt = None
    if alt:
        frame_alt = f"{alt} (frame player over {param})"
    player = frame_player_html(frames, labels, param=param, start=start, caption=caption, alt=frame_alt)

    if not in_kernel:
        return Exploration(param, values, default, static_png, player, None)

    from IPython.display import display

    if not match:  # the player does not open on the default figure: show that figure first
        display(_image_bundle(static_png, alt, default, param), raw=True)
    # one output, two forms: the player for the site, and its opening frame as a plain image for
    # outputs that cannot run HTML (the PDF edition picks image/png, the site text/html)
    display({"text/html": player,
             "image/png": base64.b64encode(frames[start]).decode("ascii"),
             "text/plain": f"<Frame player over {param}, {len(frames)} frames>"}, raw=True)
    return None
