"""Key press to new image: a live slider of a chapter, in a real JupyterLab, timed in the browser.

Starts this environment's JupyterLab headless over a temporary copy of ``book/`` (the kernel
imports this checkout's ``redlib``), opens a chapter in headless Chromium (Playwright on the
system browser, every non-local request blocked), runs all its cells, then for each figure asked
for: focuses the handle of its slider (the ``ipywidgets`` slider whose description is the
parameter) and presses an arrow key ``--presses`` times (after one untimed warm-up press),
alternating right and left, waiting for each new image. It starts once the whole chapter has run
(a busy kernel would queue the slider's events). A step is timed *in the page*, from the
``keydown`` event to the change of the figure's ``<img>`` source (the new JPEG displayed): the
widget's message to the kernel, the kernel's re-solve, redraw and encoding (see
``bench_widgets.py``), the message back and the decoding in the browser.

Run from the repository root::

    .venv/bin/python benchmarks/bench_jupyterlab_keypress.py
    .venv/bin/python benchmarks/bench_jupyterlab_keypress.py --write   # also record in RESULTS.md
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from _jupyterlab_server import running_lab  # noqa: E402  (tests/: the one JupyterLab launcher)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "### Key press to new image in JupyterLab"
#: (notebook, figure's draw function, text of its slider's description)
FIGURES = [
    ("01_model.ipynb", "draw_same_side", "sellers' dispersion of log wealth"),
    ("03_linking_the_sides.ipynb", "draw_map", "buyer mass μ"),  # the chapter's last μ slider
    ("04_labels_and_quality.ipynb", "draw_housing", "weight on revenue alpha"),
]
NB = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"

# in the page: the widget box holding the slider with this description, its handle and its image;
# one timed step = keydown on the handle -> the <img> src changes
_ARM_JS = """([desc, timeout]) => {
  const boxes = Array.from(document.querySelectorAll('.widget-vbox')).filter(b =>
      Array.from(b.querySelectorAll('.widget-slider .widget-label')).some(l => l.textContent.includes(desc)));
  if (boxes.length === 0) { throw new Error('no slider described ' + desc); }
  const box = boxes[boxes.length - 1];
  const img = box.querySelector('.widget-image');
  const handle = box.querySelector('.noUi-handle');
  if (!img || !handle) { throw new Error('no image or slider handle for ' + desc); }
  handle.focus();
  const before = img.getAttribute('src');
  window.__redlibStep = new Promise((resolve, reject) => {
    let t0 = null;
    const obs = new MutationObserver(() => {
      if (t0 !== null && img.getAttribute('src') !== before) {
        obs.disconnect(); resolve(performance.now() - t0);
      }
    });
    obs.observe(img, {attributes: true, attributeFilter: ['src']});
    handle.addEventListener('keydown', () => { t0 = performance.now(); }, {once: true, capture: true});
    setTimeout(() => { obs.disconnect(); reject(new Error('no new image within ' + timeout + ' ms')); },
               timeout);
  });
  return document.activeElement === handle;
}"""


def _lab_env():
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("REDLIB_STATIC_SITE", None)  # a live kernel: the sliders are widgets
    return env


def _kernel_idle(page) -> bool:
    return page.evaluate("""() => /\\|\\s*Idle/.test(document.body.innerText)
        || document.querySelector('[data-status="idle"]') !== null""")


def _wait_idle(page, quiet_s=3.0, timeout_s=240.0):
    """Wait until the kernel has been idle for ``quiet_s`` seconds in a row (Run All is done)."""
    t_end = time.monotonic() + timeout_s
    since = None
    while time.monotonic() < t_end:
        if _kernel_idle(page):
            since = since or time.monotonic()
            if time.monotonic() - since >= quiet_s:
                return
        else:
            since = None
        page.wait_for_timeout(250)
    raise RuntimeError("the kernel did not become idle: " + page.evaluate(
        "() => document.body.innerText.slice(-400)"))


def _median(xs):
    xs = sorted(xs)
    return 0.5 * (xs[(len(xs) - 1) // 2] + xs[len(xs) // 2])


def measure(presses: int, port: int, shots: Path | None = None):
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise RuntimeError("no system chromium (bash .ci/install --browser installs it)")
    rows = []
    with tempfile.TemporaryDirectory() as tmpdir:
        with running_lab(Path(tmpdir), port, env=_lab_env()) as (base, token, _):
            host = base.split("//", 1)[1]
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
                for nb_name in dict.fromkeys(nb for nb, _, _ in FIGURES):
                    context = browser.new_context(viewport={"width": 1300, "height": 1600})
                    context.route("**/*", lambda r: r.continue_() if (
                        host in r.request.url.split("/", 3)[2]
                        or r.request.url.startswith(("data:", "blob:"))) else r.abort())
                    page = context.new_page()
                    page.goto(f"{base}/lab/tree/{nb_name}?reset&token={token}")
                    page.wait_for_selector(f"{NB} .jp-Cell", state="attached", timeout=120000)
                    page.wait_for_selector(".jp-Notebook-ExecutionIndicator, .jp-KernelStatus",
                                           state="attached", timeout=120000)
                    page.wait_for_timeout(3000)  # the kernel starts
                    page.locator(f"{NB} .jp-Cell").first.click()
                    page.get_by_role("menuitem", name="Run", exact=True).click()
                    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
                    # the whole chapter has run (a busy kernel would queue the slider's events):
                    # the status bar says Idle for 3 s in a row, after the last figure's slider
                    page.locator(".widget-slider .widget-label",
                                 has_text=[d for n, _, d in FIGURES if n == nb_name][-1]).last.wait_for(
                        state="attached", timeout=600000)
                    _wait_idle(page)
                    for nb, fig, desc in FIGURES:
                        if nb != nb_name:
                            continue
                        label = page.locator(".widget-slider .widget-label", has_text=desc).last
                        label.wait_for(state="attached", timeout=600000)
                        label.scroll_into_view_if_needed()
                        page.wait_for_timeout(1500)
                        times = []
                        for k in range(presses + 1):  # the first press is a warm-up, not timed
                            key = "ArrowRight" if k % 2 == 0 else "ArrowLeft"
                            if not page.evaluate(_ARM_JS, [desc, 30000]):
                                raise RuntimeError(f"{fig}: the slider's handle did not take focus")
                            page.keyboard.press(key)  # a real (trusted) key press
                            times.append(page.evaluate("() => window.__redlibStep"))
                            page.wait_for_timeout(300)
                        times = times[1:]
                        rows.append((nb, fig, times))
                        if shots is not None:  # the figure and its slider, as the reader sees them
                            shots.mkdir(parents=True, exist_ok=True)
                            box = page.locator(".widget-vbox", has=page.locator(
                                ".widget-slider .widget-label", has_text=desc)).last
                            box.screenshot(path=str(shots / f"{fig}.png"))
                        print(f"  {nb} {fig}: median {_median(times):.0f} ms, max {max(times):.0f} ms",
                              flush=True)
                    context.close()
                browser.close()
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presses", type=int, default=12, help="arrow-key presses per figure (>= 10)")
    ap.add_argument("--port", type=int, default=8913)
    ap.add_argument("--write", action="store_true", help="record the table in benchmarks/RESULTS.md")
    ap.add_argument("--shots", type=Path, default=None,
                    help="save a screenshot of each figure and its slider in this directory")
    args = ap.parse_args(argv)
    if args.presses < 10:
        ap.error("--presses must be at least 10")
    load0 = os.getloadavg()
    rows = measure(args.presses, args.port, args.shots)
    load1 = os.getloadavg()
    lines = [f"Generated by `benchmarks/bench_jupyterlab_keypress.py`. Measured "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
             f"{os.cpu_count()} cores; load average {load0[0]:.1f} at the start and {load1[0]:.1f} at "
             f"the end (a shared machine: other jobs were running). JupyterLab and headless Chromium "
             f"on the same machine; one step = an arrow key on the slider's handle -> the figure's "
             f"`<img>` shows the new image (timed in the page), alternately right and left.",
             "", "| chapter | figure | presses | median (ms) | max (ms) |", "|---|---|---:|---:|---:|"]
    lines += [f"| {nb} | `{fig}` | {len(t)} | {_median(t):.0f} | {max(t):.0f} |" for nb, fig, t in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        old = RESULTS.read_text()
        block = f"{SECTION}\n\n{text}"
        if SECTION in old:
            pre, _, rest = old.partition(SECTION)
            nxt = rest.find("\n#")
            new = pre + block + (rest[nxt:] if nxt >= 0 else "")
        else:  # at the end of the "Live sliders" section
            pre, sec, rest = old.partition("## Live sliders")
            nxt = rest.find("\n## ")
            new = (pre + sec + rest[:nxt].rstrip() + "\n\n" + block + rest[nxt:]) if nxt >= 0 else \
                old.rstrip() + "\n\n" + block
        RESULTS.write_text(new)
        print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
