"""The site built by the plain command is the site: every interactive figure is a frame player.

Run after a build (``.ci/test`` runs it right after ``jupyter-book build . -W -n --keep-going``,
with no environment switch): ``REDLIB_SITE_BUILT=1 python -m pytest tests/site_build``. Without
``REDLIB_SITE_BUILT=1`` the module is skipped, so that the unit-test step never judges a stale or
missing ``_build/``; with it, a missing build is a failure.
"""
import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXECUTED = ROOT / "_build" / "jupyter_execute" / "book"
HTML = ROOT / "_build" / "html" / "book"
CHAPTERS = sorted(p.stem for p in (ROOT / "book").glob("*.ipynb"))
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"

pytestmark = pytest.mark.skipif(
    os.environ.get("REDLIB_SITE_BUILT") != "1",
    reason="inspects a finished site build: set REDLIB_SITE_BUILT=1 after `jupyter-book build .`",
)


def _cells(stem):
    path = EXECUTED / f"{stem}.ipynb"
    assert path.is_file(), f"{path} missing: build the site first (jupyter-book build .)"
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _html(out):
    text = out.get("data", {}).get("text/html", "")
    return "".join(text) if isinstance(text, list) else text


def _calls(source):
    # explore(...) calls, not mentions in comments
    code = "\n".join(line.split("#", 1)[0] for line in source.splitlines())
    return len(re.findall(r"\bexplore\(", code))


@pytest.mark.parametrize("stem", CHAPTERS)
def test_every_interactive_figure_is_a_frame_player(stem):
    cells = [c for c in _cells(stem) if c["cell_type"] == "code"]
    for c in cells:
        src = "".join(c["source"])
        outs = c.get("outputs", [])
        assert not any(WIDGET_MIME in o.get("data", {}) for o in outs), (
            f"{stem}: a live widget output was left on the site (empty without a kernel): {src[:80]!r}")
        n = _calls(src)
        if n:
            players = sum(_html(o).count('class="redlib-explore"') for o in outs)
            assert players >= n, f"{stem}: {n} explore() call(s) but {players} frame player(s): {src[:80]!r}"


@pytest.mark.parametrize("stem", CHAPTERS)
def test_no_widget_left_in_the_page(stem):
    page = HTML / f"{stem}.html"
    assert page.is_file(), f"{page} missing: build the site first"
    text = page.read_text(encoding="utf-8")
    assert WIDGET_MIME not in text, f"{page.name}: an (empty) ipywidgets view is in the page"
    assert "jupyter-widgets" not in text, f"{page.name}: ipywidgets markup in the page"
    calls = sum(_calls("".join(c["source"])) for c in _cells(stem) if c["cell_type"] == "code")
    assert text.count('<figure class="redlib-explore"') >= calls, (
        f"{page.name}: {calls} explore() calls but fewer frame players")


def test_some_chapter_has_players():
    total = sum(_calls("".join(c["source"])) for s in CHAPTERS for c in _cells(s) if c["cell_type"] == "code")
    assert total > 0, "no explore() call found in any chapter: the check above checked nothing"


def test_site_links_the_pdf_edition_when_it_was_built():
    """With _build/pdf/<name>.pdf present at site-build time (bash .ci/pdf first) the site holds a
    copy and every page's footer links it; without it the footer names the command."""
    name = "redistributive-market-design.pdf"
    page = (HTML / "intro.html").read_text(encoding="utf-8")
    if (ROOT / "_build" / "pdf" / name).is_file():
        assert (ROOT / "_build" / "html" / name).is_file(), "the PDF was built but not copied into the site"
        assert f'href="../{name}"' in page, "the footer does not link the PDF"
    else:
        assert "bash .ci/pdf" in page and f'href="../{name}"' not in page
