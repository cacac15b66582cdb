"""The PDF edition (``bash .ci/pdf``) is complete: checked on its text with poppler's tools.

* every chapter's title (the first heading of every file in ``_toc.yml``) is in the text;
* no unresolved reference (``??``) and no raw TeX or MyST left in the text;
* every figure of the chapters is present: the PDF holds at least as many images as the chapters
  have figure cells (each frame player contributes its opening frame);
* the page count is recorded in ``_build/pdf/pages.txt``; sample pages are rendered to PNG in
  ``_build/screenshots/pdf/`` to be looked at.

Collected only with ``REDLIB_PDF=1`` (see tests/conftest.py), after ``bash .ci/pdf``.
"""
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PDF = ROOT / "_build" / "pdf" / "redistributive-market-design.pdf"
SHOTS = ROOT / "_build" / "screenshots" / "pdf"


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    return files


def _title(stem):
    nb, md = ROOT / f"{stem}.ipynb", ROOT / f"{stem}.md"
    if nb.exists():
        text = "\n".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"]
                         if c["cell_type"] == "markdown")
    else:
        text = md.read_text()
    m = re.search(r"^# (.+)$", text, re.MULTILINE)
    assert m, f"{stem}: no title"
    return m.group(1).strip()


@pytest.fixture(scope="module")
def text():
    assert PDF.is_file(), f"{PDF} missing: run bash .ci/pdf"
    out = subprocess.run(["pdftotext", "-layout", str(PDF), "-"], capture_output=True, text=True, check=True)
    return out.stdout


def _normal(s):
    return re.sub(r"\s+", " ", s)


def test_every_chapter_title_is_present(text):
    flat = _normal(text)
    missing = [t for t in map(_title, _toc_files()) if _normal(t) not in flat]
    assert not missing, f"chapter titles missing from the PDF: {missing}"


def _chapters(caption):
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    part = next(p for p in toc["parts"] if p["caption"] == caption)
    return [c["file"] for c in part["chapters"]]


def test_chapter_numbers_match_the_site(text):
    """The site numbers the chapters 1-6 in table-of-contents order and the appendix apart: the PDF's
    table of contents must do the same (the introduction is an unnumbered preface, not chapters
    1-3, and the appendix is lettered)."""
    contents = _normal(text[: text.index("An executable textbook")])  # up to the preface's first line
    for k, stem in enumerate(_chapters("Chapters"), start=1):
        assert f" {k} {_normal(_title(stem))} " in contents, (k, stem)
    first_appendix = _title(_chapters("Appendix")[0])
    assert f" A {_normal(first_appendix)} " in contents, first_appendix
    assert "1 Who this book is for" not in contents


def test_no_unresolved_references(text):
    hits = [m.group(0) for m in re.finditer(r".{0,40}\?\?.{0,40}", text)]
    assert not hits, f"unresolved references in the PDF: {hits[:10]}"


def test_no_raw_tex_or_myst(text):
    """No math left untypeset ($ with a TeX command, $$, environments) and no MyST markup.

    Code listings legitimately hold TeX inside Python strings (figure titles such as
    ``r"$\\alpha$"``) and docstrings name formulas as code literals; lines with a Python string
    prefix or a ``$`` inside quotes are skipped, and only TeX after a ``$`` counts as untypeset math."""
    patterns = [r"\$[^$\n]{0,80}\\[A-Za-z]+", r"\$\$", r"\\begin\{", r"\\end\{", r"\\frac\{",
                r"\{prf:", r"\{cite\}", r"\{solution", r"\{exercise\}", r":label:", r"\{ref\}"]
    code = re.compile(r"""\b[rf]{1,2}["']|["'][^"'\n]*\$[^"'\n]*["']""")  # r"..", f"..", or $ in quotes
    prose = [line for line in text.splitlines() if not code.search(line)]
    hits = {p: [line.strip()[:100] for line in prose if re.search(p, line)][:3] for p in patterns}
    hits = {p: h for p, h in hits.items() if h}
    assert not hits, f"raw TeX/MyST in the PDF text: {hits}"


def test_every_figure_is_present():
    figures = 0
    for stem in _toc_files():
        nb = ROOT / f"{stem}.ipynb"
        if nb.exists():
            figures += sum(1 for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "code"
                           and c.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt"))
    out = subprocess.run(["pdfimages", "-list", str(PDF)], capture_output=True, text=True, check=True)
    images = [line for line in out.stdout.splitlines()[2:] if line.split()[2:3] == ["image"]]
    assert figures > 0
    assert len(images) >= figures, f"{len(images)} images in the PDF for {figures} figure cells"


def test_page_count_recorded_and_pages_rendered():
    info = subprocess.run(["pdfinfo", str(PDF)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    assert pages >= 20, pages
    (PDF.parent / "pages.txt").write_text(f"{pages}\n")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for p in sorted({1, 3, pages // 4, pages // 2, (3 * pages) // 4, pages}):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(p), "-l", str(p), str(PDF),
                        str(SHOTS / f"page-{p:03d}")], check=True)
    assert list(SHOTS.glob("page-*.png"))
    print(f"PDF: {pages} pages")
