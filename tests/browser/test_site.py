"""Browser test of the built website (run by ``bash .ci/test`` after the site build).

Headless Chromium from the system (``/usr/bin/chromium``; Playwright never downloads a browser)
loads every page of ``_build/html`` from a local HTTP server with all non-local requests blocked:

* no console errors, no uncaught exceptions, no failed or remote requests;
* every formula is typeset by MathJax (``mjx-container``, no raw TeX left, no MathJax errors);
* every image loads, and content images carry real alt text;
* every internal link resolves (HTTP 200);
* the serverless frame player of :func:`redlib.plotting.explore` changes frame with the keyboard
  and with its play button;
* at phone width (400 px) the page does not scroll sideways and figures stay legible;
* a screenshot of every chapter (and one in dark mode) is saved to ``_build/screenshots/``.

Collected only with ``REDLIB_BROWSER=1`` (see tests/conftest.py). ``REDLIB_SITE_DIR`` overrides
the site folder (default ``_build/html``).
"""
from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("REDLIB_SITE_DIR", ROOT / "_build" / "html")).resolve()
SHOTS = Path(os.environ.get("REDLIB_SCREENSHOT_DIR", ROOT / "_build" / "screenshots")).resolve()
PAGES = sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html") if "_static" not in p.parts) \
    if SITE.is_dir() else []
CHAPTERS = [p for p in PAGES if re.match(r"book/\d\d_.*\.html$", p)]

# raw TeX that MathJax should have consumed (outside code blocks)
RAW_TEX = re.compile(
    r"\\\(|\\\)|\\\[|\\\]|\$\$|\\begin\{"           # \( \) \[ \] $$ \begin{
    r"|\$[^$\n]{0,80}\\[A-Za-z]+[^$\n]{0,80}\$"               # $ ... \command ... $
    r"|(?<![\w$])\$[^$\s][^$\n]{0,60}?[^$\s\\]\$(?![\w$])"  # $x^2$ (no space inside the delimiters)
    r"|(?<![\w$])\$[A-Za-z]\$(?![\w$])"                        # $x$
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site like a static host does: text (HTML, scripts, styles, SVG, JSON) gzipped
    when the browser accepts it, so that transfer sizes are those a reader downloads."""

    _TEXT = (".html", ".js", ".css", ".svg", ".json", ".txt", ".map")

    def log_message(self, *args):  # keep pytest output readable
        pass

    def send_head(self):
        path = self.translate_path(self.path)
        if (os.path.isfile(path) and path.endswith(self._TEXT)
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            import gzip
            import io

            with open(path, "rb") as fh:
                body = gzip.compress(fh.read(), compresslevel=6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(path))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()


@pytest.fixture(scope="module")
def server():
    assert (SITE / "index.html").is_file(), f"no built site at {SITE}: run the site build first"
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def _chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("no system chromium found (bash .ci/install --browser installs it with apt)")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=_chromium(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


class _Visit:
    """A page loaded with all problems recorded."""

    def __init__(self, browser, base, path, *, dark=False, width=1280, height=900):
        self.context = browser.new_context(viewport={"width": width, "height": height},
                                           color_scheme="dark" if dark else "light")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.remote: list[str] = []
        host = urllib.parse.urlparse(base).netloc

        def route(r):
            if urllib.parse.urlparse(r.request.url).netloc == host or r.request.url.startswith("data:"):
                r.continue_()
            else:
                self.remote.append(r.request.url)
                r.abort()

        self.context.route("**/*", route)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        self.page.on("requestfailed",
                     lambda r: r.url not in self.remote and self.errors.append(f"request failed: {r.url}"))
        self.page.on("response",
                     lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status}: {r.url}"))
        if dark:
            self.page.add_init_script(
                "localStorage.setItem('theme', 'dark'); localStorage.setItem('mode', 'dark');")
        self.page.goto(base + path, wait_until="load")
        refresh = re.search(r'http-equiv="?refresh"?[^>]*url=([^"\'>]+)',
                            (SITE / path).read_text(encoding="utf-8", errors="replace"), re.I)
        if refresh:  # index.html redirects to the intro page
            target = urllib.parse.urljoin(base + path, refresh.group(1))
            self.page.wait_for_url(target, timeout=10000)
            self.page.wait_for_load_state("load")
        for attempt in range(3):  # index.html redirects (meta refresh) to the intro page
            try:
                self.wait_for_mathjax()
                break
            except Exception as exc:  # noqa: BLE001
                if "context was destroyed" not in str(exc) or attempt == 2:
                    raise
                self.page.wait_for_load_state("load")
        if dark:
            self.page.evaluate("() => { document.documentElement.dataset.theme = 'dark';"
                               " document.documentElement.dataset.mode = 'dark'; }")
            self.page.wait_for_timeout(200)

    def wait_for_mathjax(self):
        has_mathjax = self.page.evaluate(
            "() => !!document.querySelector('script[src*=\"mathjax\"]')")
        if not has_mathjax:
            return False
        self.page.wait_for_function(
            "() => window.MathJax && window.MathJax.startup && window.MathJax.startup.promise",
            timeout=30000)
        self.page.evaluate("() => window.MathJax.startup.promise.then(() => true)")
        return True

    def close(self):
        self.context.close()


def _visit(browser, server, path, **kw):
    return _Visit(browser, server, path, **kw)


@pytest.mark.parametrize("path", PAGES)
def test_page(browser, server, path):
    v = _visit(browser, server, path)
    try:
        page = v.page
        problems = []

        # --- math: every math element typeset, no raw TeX left, no MathJax errors -----------------
        math = page.evaluate("""() => {
            const els = [...document.querySelectorAll('.math, span.math, div.math')];
            const untyped = els.filter(e => !e.querySelector('mjx-container'))
                               .map(e => e.textContent.slice(0, 80));
            const errors = [...document.querySelectorAll('mjx-merror')]
                               .map(e => (e.getAttribute('data-mjx-error') || e.textContent).slice(0, 120));
            const walker = document.createTreeWalker(document.querySelector('main') || document.body,
                                                     NodeFilter.SHOW_TEXT);
            const texts = [];
            let n;
            while ((n = walker.nextNode())) {
                if (n.parentElement.closest('pre, code, script, style, mjx-container, .highlight, textarea, mjx-assistive-mml, .sig, .pre, .classifier'))
                    continue;
                if (n.textContent.trim()) texts.push(n.textContent);
            }
            return {count: els.length, containers: document.querySelectorAll('mjx-container').length,
                    untyped, errors, text: texts.join('\\n')};
        }""")
        if math["untyped"]:
            problems.append(f"{len(math['untyped'])} math element(s) not typeset, e.g. {math['untyped'][:3]}")
        if math["errors"]:
            problems.append(f"MathJax errors: {math['errors'][:5]}")
        if math["count"] and not math["containers"]:
            problems.append("page has math but no mjx-container")
        raw = [m.group(0) for m in RAW_TEX.finditer(math["text"])]
        if raw:
            problems.append(f"raw TeX left in the text: {raw[:5]}")

        # --- images: loaded, and real alt text on content images -----------------------------------
        imgs = page.evaluate("""() => [...document.querySelectorAll('img')].map(i => ({
            src: i.currentSrc.slice(0, 100), ok: i.complete && i.naturalWidth > 0,
            alt: i.getAttribute('alt'), content: !!i.closest('main, article')}))""")
        for im in imgs:
            if not im["ok"]:
                problems.append(f"image did not load: {im['src']}")
            if im["content"]:
                alt = (im["alt"] or "").strip()
                if not alt or re.search(r"\.(png|svg|jpe?g|gif)$", alt, re.I) or alt.startswith("_images/"):
                    problems.append(f"image without real alt text (alt={im['alt']!r}): {im['src']}")

        problems += v.errors
        if v.remote:
            problems.append(f"remote requests (blocked): {sorted(set(v.remote))[:5]}")
        assert not problems, f"{path}:\n  " + "\n  ".join(problems)

        if path in CHAPTERS:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / (Path(path).stem + ".png")), full_page=True)
            page.screenshot(path=str(SHOTS / (Path(path).stem + "_top.png")), full_page=False)
    finally:
        v.close()


def test_internal_links_resolve(browser, server):
    targets: dict[str, str] = {}
    for path in PAGES:
        v = _visit(browser, server, path)
        try:
            hrefs = v.page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
        finally:
            v.close()
        for href in hrefs:
            if href.startswith(server):
                targets.setdefault(href.split("#")[0], path)
    broken = []
    for url, where in sorted(targets.items()):
        try:
            with urllib.request.urlopen(url, timeout=10) as r:
                status = r.status
        except urllib.error.HTTPError as e:
            status = e.code
        if status != 200:
            broken.append(f"{url} (HTTP {status}, linked from {where})")
    assert len(targets) > len(PAGES), "suspiciously few internal links"
    assert not broken, "broken internal links:\n  " + "\n  ".join(broken)


def test_toc_reaches_every_chapter_api_and_references(browser, server):
    v = _visit(browser, server, "index.html")
    try:
        assert v.page.url.endswith("book/intro.html"), f"index.html should open the intro, got {v.page.url}"
        links = v.page.evaluate(
            "() => [...document.querySelectorAll('nav a[href], .bd-sidebar a[href]')].map(a => a.href)")
    finally:
        v.close()
    names = {urllib.parse.urlparse(h).path.rsplit("/", 1)[-1] for h in links}
    expected = {Path(p).name for p in CHAPTERS} | {"api.html", "references.html"}
    assert len(CHAPTERS) >= 5
    assert expected <= names, f"not reachable from the navigation: {sorted(expected - names)}"


def _pages_with_player():
    return [p for p in PAGES
            if 'class="redlib-explore"' in (SITE / p).read_text(encoding="utf-8", errors="replace")
            or "anim-slider" in (SITE / p).read_text(encoding="utf-8", errors="replace")]


#: Largest initial download of a chapter page (HTML, scripts, styles, fonts, images), bytes.
MAX_INITIAL_BYTES = 1.5e6
#: A frame player reacts to its slider within this many milliseconds once its frames are loaded.
MAX_STEP_MS = 100.0
MIN_FRAMES = 21
TRANSFERS = SHOTS / "initial_transfer.json"

_TRANSFER_JS = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource');
    const size = e => e.transferSize || e.encodedBodySize || 0;
    const raw = e => e.decodedBodySize || 0;
    return {total: size(nav) + res.reduce((a, e) => a + size(e), 0),
            decoded: raw(nav) + res.reduce((a, e) => a + raw(e), 0),
            frames: res.filter(e => e.name.includes('/_frames/')).map(e => e.name)};
}"""

# one slider step measured in the page: from the input event to the new image decoded
_STEP_JS = """async ([fig, k]) => {
    const img = fig.querySelector('img.redlib-frame');
    const slider = fig.querySelector('input.redlib-slider');
    const t0 = performance.now();
    slider.value = k;
    slider.dispatchEvent(new Event('input', {bubbles: true}));
    await img.decode();
    return performance.now() - t0;
}"""


def _wait_frames_cached(page, fig, n):
    """Focus the slider (which starts loading the frames) and wait until all n are loaded."""
    fig.locator("input.redlib-slider").focus()
    key = re.search(r"_frames/([0-9a-f]+)/", fig.locator("img.redlib-frame").get_attribute("src")).group(1)
    page.wait_for_function(
        """([key, n]) => performance.getEntriesByType('resource')
               .filter(e => e.name.includes('/_frames/' + key + '/')).length >= n""",
        arg=[key, n], timeout=60000)


def test_frame_players(browser, server):
    """Every player: >= 21 frames, caption with the parameter and its range, only the first
    frame loaded with the page, keyboard and slider steps within 100 ms once the frames are
    cached, Play through every frame; every chapter's initial download <= 1.5 MB."""
    import json
    import statistics

    pages = _pages_with_player()
    assert pages, "no page of the site has a frame player (redlib.plotting.explore)"
    transfers, decoded, steps, problems = {}, {}, {}, []
    for path in CHAPTERS:
        v = _visit(browser, server, path)
        try:
            page = v.page
            page.wait_for_load_state("networkidle")
            info = page.evaluate(_TRANSFER_JS)
            transfers[path] = info["total"]
            decoded[path] = info["decoded"]
            players = page.locator("figure.redlib-explore")
            n_players = players.count()
            if info["total"] > MAX_INITIAL_BYTES:
                problems.append(f"{path}: initial download {info['total'] / 1e6:.2f} MB > 1.5 MB")
            if len(info["frames"]) > n_players:
                problems.append(f"{path}: {len(info['frames'])} frames loaded with the page for "
                                f"{n_players} players (only each player's first frame should be)")
            for k in range(n_players):
                fig = players.nth(k)
                img = fig.locator("img.redlib-frame")
                slider = fig.locator("input.redlib-slider")
                label = fig.locator("output.redlib-value")
                n = int(slider.get_attribute("max")) + 1
                where = f"{path} player {k + 1}"
                caption = fig.locator("figcaption").inner_text()
                param = slider.get_attribute("aria-label")
                if n < MIN_FRAMES:
                    problems.append(f"{where}: {n} frames < {MIN_FRAMES}")
                if param not in caption or not re.search(r"from \S+ to \S+", caption):
                    problems.append(f"{where}: caption does not name {param!r} and its range: {caption!r}")
                fig.scroll_into_view_if_needed()
                _wait_frames_cached(page, fig, n)
                # keyboard: an arrow key moves one frame and updates the shown value
                src0, label0 = img.get_attribute("src"), label.inner_text()
                key = "ArrowLeft" if int(slider.input_value()) == n - 1 else "ArrowRight"
                page.keyboard.press(key)
                page.wait_for_timeout(30)
                if img.get_attribute("src") == src0 or label.inner_text() == label0:
                    problems.append(f"{where}: arrow key did not change the frame and its value")
                # slider steps over the whole range, timed in the page
                start = int(slider.input_value())
                targets = [(start + j * max(1, n // 7)) % n for j in range(1, 8)]
                times = [page.evaluate(_STEP_JS, [fig.element_handle(), t]) for t in targets]
                steps[where] = times
                if statistics.median(times) > MAX_STEP_MS:
                    problems.append(f"{where}: slider step median {statistics.median(times):.0f} ms > "
                                    f"{MAX_STEP_MS:.0f} ms (max {max(times):.0f} ms)")
                # Play (sped up for the test) goes through every frame
                page.evaluate("""(fig) => {
                    fig.dataset.interval = '25';
                    const img = fig.querySelector('img.redlib-frame');
                    window.__seen = new Set([img.getAttribute('src')]);
                    new MutationObserver(() => window.__seen.add(img.getAttribute('src')))
                        .observe(img, {attributes: true, attributeFilter: ['src']});
                }""", fig.element_handle())
                fig.locator("button.redlib-play").click()
                try:
                    page.wait_for_function("(n) => window.__seen.size >= n", arg=n, timeout=20000)
                except Exception:  # noqa: BLE001 - reported below
                    problems.append(f"{where}: Play showed {page.evaluate('window.__seen.size')} of {n} frames")
                fig.locator("button.redlib-play").click()
                if k == 0:  # a slider sequence to look at
                    SHOTS.mkdir(parents=True, exist_ok=True)
                    for j, t in enumerate((0, n // 3, 2 * n // 3, n - 1)):
                        page.evaluate(_STEP_JS, [fig.element_handle(), t])
                        fig.screenshot(path=str(SHOTS / f"player_{Path(path).stem}_{j}.png"))
            problems += [f"{path}: {e}" for e in v.errors]
        finally:
            v.close()
    SHOTS.mkdir(parents=True, exist_ok=True)
    TRANSFERS.write_text(json.dumps({"initial_transfer_bytes": transfers,
                                     "initial_decoded_bytes": decoded, "slider_step_ms": steps},
                                    indent=1))
    print("initial transfer per chapter (MB):",
          {p: round(b / 1e6, 3) for p, b in transfers.items()})
    assert transfers and all(b > 0 for b in transfers.values()), transfers
    assert not problems, "\n  ".join(problems)


def test_one_search_field_in_the_header(browser, server):
    v = _visit(browser, server, CHAPTERS[0])
    try:
        visible = v.page.evaluate("""() => [...document.querySelectorAll(
            'button.search-button-field, button.search-button, #searchbox input')]
            .filter(e => e.offsetParent !== null).length""")
    finally:
        v.close()
    assert visible == 1, f"{visible} visible search fields"


def test_output_lines_do_not_run_off_the_page(browser, server):
    wide = []
    for path in CHAPTERS:
        v = _visit(browser, server, path, width=1000)
        try:
            wide += [f"{path}: {t}" for t in v.page.evaluate("""() =>
                [...document.querySelectorAll('.cell_output pre')]
                .filter(e => e.scrollWidth > e.clientWidth + 2).map(e => e.textContent.slice(0, 60))""")]
            # nor does a display equation push the page wider than its column
            wide += [f"{path}: page {w}" for w in v.page.evaluate("""() => {
                const a = document.querySelector('main') || document.body;
                return a.scrollWidth > a.clientWidth + 2 ? [a.scrollWidth + ' > ' + a.clientWidth] : []; }""")]
        finally:
            v.close()
    assert not wide, wide


_FIGURES_JS = """(least) => {
    const vw = document.documentElement.clientWidth;
    const clipper = (e) => { for (let a = e.parentElement; a; a = a.parentElement) {
        if (['auto', 'scroll'].includes(getComputedStyle(a).overflowX)) return a; }
      return null; };
    const imgs = [...document.querySelectorAll('.bd-content .cell_output img')]
      .filter(i => i.naturalWidth >= least && i.offsetParent !== null);
    const column = document.querySelector('.bd-content .cell_output');
    return {page: document.documentElement.scrollWidth, vw,
      column: column ? column.getBoundingClientRect().width : null,
      figs: imgs.map(i => { const r = i.getBoundingClientRect(), c = clipper(i);
        const b = c ? c.getBoundingClientRect() : r;
        return {src: i.currentSrc, name: i.currentSrc.slice(-50), width: r.width,
                natural: i.naturalWidth, left: b.left, right: b.right,
                stacked: !!i.closest('picture.redlib-narrow'),
                scrolls: !!c && c.scrollWidth > c.clientWidth}; })}; }"""


def _png_text(src):
    """The ``redlib:*`` text chunks of a site image (written by layout.stacked_png)."""
    from PIL import Image

    rel = urllib.parse.urlsplit(src).path.lstrip("/")
    with Image.open(SITE / urllib.parse.unquote(rel)) as im:
        return dict(im.text)


def test_narrow_screen_layout(browser, server):
    """At phone width (400 px) the page never scrolls sideways. A multi-panel static figure shows
    its one-column variant (``<picture>``, layout.stacked_png): at most the column wide, no scroll
    box, its smallest text >= ``MIN_TEXT_PX`` as shown. Any other figure fills the column but is
    shown at least ``NARROW_FIGURE_PX`` (490 px) wide, where its smallest text (>= 10 px at the
    site's figure width, 606 px) stays >= 8 px; one wider than the column scrolls inside its own
    box. At 1200 px every figure is the wide one."""
    from redlib.plotting.layout import MIN_TEXT_PX, NARROW_COLUMN_PX, NARROW_FIGURE_PX, SITE_WIDTH_PX

    problems, figures, stacked, wide_checked = [], 0, 0, 0
    for path in CHAPTERS:
        v = _visit(browser, server, path, width=400, height=900)
        try:
            facts = v.page.evaluate(_FIGURES_JS, NARROW_FIGURE_PX)
        finally:
            v.close()
        if facts["page"] > facts["vw"] + 1:
            problems.append(f"{path}: the page scrolls sideways ({facts['page']} px > {facts['vw']} px)")
        if facts["column"] is not None and abs(facts["column"] - NARROW_COLUMN_PX) > 8:
            problems.append(f"{path}: the column is {facts['column']:.0f} px wide at 400 px, "
                            f"not layout.NARROW_COLUMN_PX = {NARROW_COLUMN_PX}")
        for f in facts["figs"]:
            figures += 1
            if f["left"] < -1 or f["right"] > facts["vw"] + 1:
                problems.append(f"{path}: {f['name']} (or its scroll box) spans {f['left']:.0f}.."
                                f"{f['right']:.0f} px, wider than the {facts['vw']} px screen")
            if f["stacked"]:
                stacked += 1
                if not f["src"].endswith("-narrow.png"):
                    problems.append(f"{path}: {f['name']}: the one-column variant is not shown at 400 px")
                    continue
                meta = _png_text(f["src"])
                # the text scales with the shown width (min_text_px is at shown_px)
                text = float(meta["redlib:min_text_px"]) * f["width"] / float(meta["redlib:shown_px"])
                if text < MIN_TEXT_PX - 1e-6:
                    problems.append(f"{path}: {f['name']} shown {f['width']:.0f} px wide: text {text:.1f} px")
                if f["width"] > facts["column"] + 1 or f["scrolls"]:
                    problems.append(f"{path}: {f['name']} is wider than the column or scrolls "
                                    f"({f['width']:.0f} px, column {facts['column']:.0f} px)")
                continue
            text = MIN_TEXT_PX * f["width"] / SITE_WIDTH_PX
            if text < 8.0 - 1e-6:
                problems.append(f"{path}: {f['name']} shown {f['width']:.0f} px wide: text {text:.1f} px")
            if f["width"] > facts["vw"] and not f["scrolls"]:
                problems.append(f"{path}: {f['name']} is wider than the screen and not in a scroll box")
        v = _visit(browser, server, path, width=1200, height=900)
        try:
            wide = v.page.evaluate(_FIGURES_JS, NARROW_FIGURE_PX)
        finally:
            v.close()
        for f in wide["figs"]:
            wide_checked += 1
            if f["src"].endswith("-narrow.png"):
                problems.append(f"{path}: {f['name']}: the one-column variant is shown at 1200 px")
    assert figures > 0, "no figures found on the chapters"
    assert stacked > 0, "no multi-panel figure has a one-column variant"
    assert wide_checked >= figures
    assert not problems, "\n  ".join(problems)


def test_frame_players_on_a_phone(browser, server):
    """At 400 px a player of a multi-panel figure shows its one-column frames (``NNN-narrow.png``,
    a ``<picture>`` source): it fetches only those, every slider step shows the step's
    one-column frame, within the column and without a scroll box. A slider sequence is saved
    to look at."""
    problems, players = [], 0
    for path in CHAPTERS:
        v = _visit(browser, server, path, width=400, height=900)
        try:
            page = v.page
            page.wait_for_load_state("networkidle")
            figs = page.locator("figure.redlib-explore:has(picture.redlib-narrow)")
            for k in range(figs.count()):
                players += 1
                fig = figs.nth(k)
                where = f"{path} player {k + 1} at 400 px"
                slider = fig.locator("input.redlib-slider")
                n = int(slider.get_attribute("max")) + 1
                fig.scroll_into_view_if_needed()
                _wait_frames_cached(page, fig, n)
                key = re.search(r"_frames/([0-9a-f]+)/", fig.locator("img.redlib-frame")
                                .get_attribute("src")).group(1)
                fetched = page.evaluate("""(key) => performance.getEntriesByType('resource')
                    .map(e => e.name).filter(n => n.includes('/_frames/' + key + '/'))""", key)
                wide = [u for u in fetched if not u.endswith("-narrow.png")]
                if wide:
                    problems.append(f"{where}: fetched {len(wide)} wide frame(s), e.g. {wide[0]}")
                for j in (0, n // 3, 2 * n // 3, n - 1):
                    page.evaluate(_STEP_JS, [fig.element_handle(), j])
                    f = fig.evaluate("""(fig) => { const i = fig.querySelector('img.redlib-frame');
                        const c = fig.querySelector('.redlib-scroll'); const r = i.getBoundingClientRect();
                        return {src: i.currentSrc, width: r.width, right: r.right,
                                vw: document.documentElement.clientWidth,
                                scrolls: c.scrollWidth > c.clientWidth}; }""")
                    if not f["src"].endswith(f"/{key}/{j:03d}-narrow.png"):
                        problems.append(f"{where}: step to frame {j} shows {f['src'][-40:]}")
                    if f["scrolls"] or f["right"] > f["vw"] + 1:
                        problems.append(f"{where}: frame {j} is {f['width']:.0f} px wide and scrolls "
                                        f"or runs off the {f['vw']} px screen")
                    if k == 0:
                        SHOTS.mkdir(parents=True, exist_ok=True)
                        fig.screenshot(path=str(SHOTS / f"phone_player_{Path(path).stem}_{j:03d}.png"))
            problems += [f"{path}: {e}" for e in v.errors]
        finally:
            v.close()
    assert players > 0, "no player has one-column frames"
    assert not problems, "\n  ".join(problems)


def test_dark_mode_screenshots(browser, server):
    shots = []
    for path in sorted(set([p for p in CHAPTERS if p in _pages_with_player()][:1] + CHAPTERS[:1])):
        v = _visit(browser, server, path, dark=True)
        try:
            theme = v.page.evaluate("() => document.documentElement.dataset.theme")
            assert theme == "dark"
            # figures keep their white background (legible on the dark page)
            bg = v.page.evaluate("""() => {
                const img = document.querySelector('main img');
                return img ? getComputedStyle(document.body).backgroundColor : null; }""")
            SHOTS.mkdir(parents=True, exist_ok=True)
            out = SHOTS / f"dark_{Path(path).stem}.png"
            v.page.screenshot(path=str(out), full_page=False)
            # and one centred on the first figure (white figure on the dark page)
            found = v.page.evaluate("""() => {
                const el = document.querySelector('figure.redlib-explore')
                           || document.querySelector('.cell_output img');
                if (!el) return false;
                el.scrollIntoView({block: 'center'});
                return true; }""")
            if found:
                v.page.wait_for_timeout(200)
                v.page.screenshot(path=str(SHOTS / f"dark_{Path(path).stem}_figure.png"), full_page=False)
            shots.append(out)
            # static figures and players alike: white, not dimmed by the theme's dark-mode filter
            filters = v.page.evaluate("""() => [...document.querySelectorAll(
                '.cell_output img, figure.redlib-explore img')].map(i => getComputedStyle(i).filter)""")
            assert filters and all(f == "none" for f in filters), set(filters)
            assert bg is None or bg != "rgb(255, 255, 255)", "dark mode did not change the page background"
            assert not v.errors, v.errors
        finally:
            v.close()
    assert shots


EXECUTED = ROOT / "_build" / "jupyter_execute" / "book"


@pytest.mark.parametrize("notebook", sorted(p.name for p in (ROOT / "book").glob("*.ipynb")))
def test_every_figure_cell_shows_a_figure(notebook):
    """Each cell that declares figure alt text produced an image in the executed chapter.

    Guards against figures that silently vanish from the site (e.g. a kernel that inherits a
    non-inline matplotlib backend shows nothing on ``plt.show()``).
    """
    import json

    path = EXECUTED / notebook
    assert path.is_file(), f"{path} missing: the site build executes every chapter into {EXECUTED}"
    cells = json.loads(path.read_text())["cells"]
    figure_cells = [c for c in cells if c["cell_type"] == "code"
                    and c.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt")]
    assert figure_cells, f"{notebook}: no cell declares figure alt text"
    missing = []
    for c in figure_cells:
        shown = any("image/png" in o.get("data", {}) or "<img" in str(o.get("data", {}).get("text/html", ""))
                    for o in c.get("outputs", []))
        if not shown:
            missing.append("".join(c["source"]).strip().splitlines()[-1][:80])
    assert not missing, f"{notebook}: figure cells with no image output: {missing}"
