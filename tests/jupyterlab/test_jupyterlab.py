"""The chapters read in JupyterLab as on the site (jupyterlab-myst renders their MyST).

Starts a real JupyterLab (this environment's, with jupyterlab-myst from requirements.txt) headless
on port 8911 over a temporary copy of ``book/``, drives it with Playwright on the system Chromium
(all non-local requests blocked) and, for every chapter notebook:

* waits until every markdown cell is rendered by jupyterlab-myst;
* asserts no raw MyST is visible (``{prf:``, ``:label:``, ``{cite}``, ``{solution-start}``, ...),
  that math is typeset (KaTeX, no errors), and that directives became elements (exercises,
  propositions);
* asserts that every solution is a collapsed ``<details>`` (one per solution in the source);
* asserts that the checking cells (tags hide-input/remove-input/remove-cell) and the code cells of
  solutions spanning several cells show collapsed inputs;
* saves screenshots (top of the chapter, and its exercises) to ``_build/screenshots/jupyterlab/``.

Collected only with ``REDLIB_JUPYTERLAB=1`` (``bash .ci/test`` sets it; see tests/conftest.py).
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from _jupyterlab_server import running_lab

ROOT = Path(__file__).resolve().parents[2]
PORT = int(os.environ.get("REDLIB_JUPYTERLAB_PORT", "8911"))
SHOTS = ROOT / "_build" / "screenshots" / "jupyterlab"
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
RAW = ["{prf:", ":label:", "{cite}", "{cite:", "{solution-start}", "{solution-end}", "{solution}",
       "{exercise}", "{ref}", "{numref}", "{eq}", ":class: dropdown", "```", "{raw}", "\\appendix"]
NB = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"  # the notebook in the active tab
HIDDEN_TAGS = {"hide-input", "remove-input", "remove-cell"}

@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    try:
        with running_lab(tmp_path_factory.mktemp("jupyterlab"), PORT) as (base, token, _):
            yield base, token
    except RuntimeError as exc:  # the server exited or did not start
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.fail("no system chromium (bash .ci/install --browser installs it)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium,
                               args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()


def _expected(path):
    cells = json.loads(path.read_text())["cells"]
    md = [c for c in cells if c["cell_type"] == "markdown"]
    text = "".join("".join(c["source"]) for c in md)
    hidden, in_solution = [], False
    for c in cells:
        src = "".join(c["source"])
        if c["cell_type"] == "markdown" and ("{solution-start}" in src or "{solution-end}" in src):
            in_solution = src.rfind("{solution-start}") > src.rfind("{solution-end}")
        elif c["cell_type"] == "code" and (in_solution or HIDDEN_TAGS & set(c["metadata"].get("tags", []))):
            hidden.append(c)
    return {
        "markdown": len(md),
        "solutions": text.count("{solution-start}") + text.count("{solution}"),
        "exercises": text.count("{exercise}"),
        "math": "$" in text,
        "hidden": len(hidden),
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_chapter_renders_in_jupyterlab(lab, browser, path):
    base, token = lab
    want = _expected(path)
    host = base.split("//", 1)[1]
    context = browser.new_context(viewport={"width": 1300, "height": 1600})
    blocked = []

    def route(r):
        if host in r.request.url.split("/", 3)[2] or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        # ?reset: a fresh workspace, so that only this notebook is open
        page.goto(f"{base}/lab/tree/{path.name}?reset&token={token}")
        page.wait_for_selector(f"{NB} .jp-Cell", state="attached", timeout=60000)
        # every markdown cell rendered by jupyterlab-myst
        page.wait_for_function(
            """([sel, n]) => document.querySelectorAll(sel + ' .jp-MarkdownCell').length === n
                   && document.querySelectorAll(sel + ' .jp-MarkdownCell .myst').length === n""",
            arg=[NB, want["markdown"]], timeout=60000)
        page.wait_for_timeout(1500)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{path.stem}_top.png"))
        facts = page.evaluate("""(sel) => {
            const nb = document.querySelector(sel);
            const md = Array.from(nb.querySelectorAll('.jp-MarkdownCell .myst'));
            const details = Array.from(nb.querySelectorAll('.jp-MarkdownCell details'));
            const sol = details.filter(d => (d.querySelector('summary')?.innerText || '').includes('Solution'));
            return {
              text: md.map(e => e.innerText).join('\\n'),
              solutions: sol.length, open: sol.filter(d => d.open).map(d => d.innerText.slice(0, 80)),
              exercises: nb.querySelectorAll('.jp-MarkdownCell .myst-exercise').length,
              katex: nb.querySelectorAll('.jp-MarkdownCell .katex').length,
              katexErrors: nb.querySelectorAll('.jp-MarkdownCell .katex-error').length,
              collapsed: nb.querySelectorAll('.jp-CodeCell .jp-InputPlaceholder').length,
            }; }""", NB)
        raw = {s: facts["text"].count(s) for s in RAW if s in facts["text"]}
        assert not raw, f"{path.name}: raw MyST visible in JupyterLab: {raw}"
        assert facts["solutions"] == want["solutions"], (
            f"{path.name}: {want['solutions']} solutions in the source, {facts['solutions']} collapsible")
        assert not facts["open"], f"{path.name}: solutions open on load: {facts['open']}"
        assert facts["exercises"] >= want["exercises"] + want["solutions"]
        if want["math"]:
            assert facts["katex"] > 0, f"{path.name}: no typeset math"
        assert facts["katexErrors"] == 0, f"{path.name}: {facts['katexErrors']} math errors"
        assert facts["collapsed"] == want["hidden"], (
            f"{path.name}: {want['hidden']} checking cells, {facts['collapsed']} shown collapsed")
        if want["solutions"]:
            page.locator(".jp-MarkdownCell .myst-exercise").first.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            page.screenshot(path=str(SHOTS / f"{path.stem}_exercises.png"))
        assert not errors, errors
    finally:
        context.close()
