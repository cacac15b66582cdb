"""Unit tests of the site's local Sphinx extension (book/_ext/redlib_site.py)."""
import importlib
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("redlib_site", ROOT / "book" / "_ext" / "redlib_site.py")
ext = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ext)


def test_remote_resources_are_detected_but_links_are_not():
    bad = [
        '<script src="https://cdn.jsdelivr.net/npm/x.js"></script>',
        '<script async src="//unpkg.com/thebe/lib/index.js"></script>',
        '<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Roboto">',
        '<img alt="x" src="http://example.org/a.png">',
        '<iframe src="https://www.youtube.com/embed/1"></iframe>',
        '<div style="background: url(https://example.org/bg.png)"></div>',
    ]
    good = [
        '<a href="https://mybinder.org/v2/gh/x/y/main">Binder</a>',
        '<a class="reference external" href="https://doi.org/10.3982/ECTA16671">doi</a>',
        '<script src="../_static/mathjax/tex-chtml.js"></script>',
        '<img alt="figure" src="../_images/abc.png">',
        '<img alt="frame" src="data:image/png;base64,iVBORw0KGgo=">',
        '<link rel="stylesheet" href="../_static/styles/theme.css">',
    ]
    for html in bad:
        assert ext._REMOTE.search(html), html
    for html in good:
        assert not ext._REMOTE.search(html), html


def test_module_docstring_headings_become_rubrics():
    lines = [
        "Summary line.",
        "",
        "First deck (a long title)",
        "-------------------",
        "text",
        "",
        "Examples",
        "--------",
        ">>> 1 + 1",
        "2",
        "",
        "    indented",
        "    --------",
    ]
    ext._module_sections_to_rubrics(None, "module", "m", None, None, lines)
    assert ".. rubric:: First deck (a long title)" in lines
    assert ".. rubric:: Examples" in lines
    assert "--------" not in lines and "-------------------" not in lines
    assert "    --------" in lines  # indented text (e.g. inside a literal block) is left alone
    # functions and classes are numpydoc's business
    fn = ["Examples", "--------"]
    ext._module_sections_to_rubrics(None, "function", "f", None, None, fn)
    assert fn == ["Examples", "--------"]


def test_loading_the_extension_makes_kernels_static_site(monkeypatch):
    """`jupyter-book build .` loads the extension before executing notebooks; the kernels it then
    starts inherit the switch, so explore() emits frame players without any env var set by hand."""
    from redlib.plotting.explore import STATIC_SITE_ENV, static_site

    monkeypatch.delenv(STATIC_SITE_ENV, raising=False)
    assert not static_site()

    class App:
        connected = []

        def connect(self, event, fn, priority=500):
            self.connected.append(event)

        def add_css_file(self, name):
            pass

    app = App()
    ext.setup(app)
    assert static_site()
    assert "config-inited" in app.connected


def test_footer_links_the_pdf_only_when_it_was_built(tmp_path):
    class App:
        srcdir = str(tmp_path)

    footer = f"Licence. {ext.PDF_MARKER}."
    ctx = {"theme_extra_footer": footer, "pathto": lambda name, resource: f"../{name}"}
    ext._pdf_link(App(), "book/intro", "page.html", ctx, None)
    assert "bash .ci/pdf" in ctx["theme_extra_footer"] and "<a" not in ctx["theme_extra_footer"]
    pdf = tmp_path / "_build" / "pdf" / ext.PDF_NAME
    pdf.parent.mkdir(parents=True)
    pdf.write_bytes(b"%PDF-1.5")
    ctx = {"theme_extra_footer": footer, "pathto": lambda name, resource: f"../{name}"}
    ext._pdf_link(App(), "book/intro", "page.html", ctx, None)
    assert f'href="../{ext.PDF_NAME}"' in ctx["theme_extra_footer"]
    assert ext.PDF_MARKER not in ctx["theme_extra_footer"]


def test_pdf_leaves_out_hidden_inputs_but_the_site_keeps_them():
    from docutils import nodes

    def doc():
        d = nodes.document(None, None)
        cell = nodes.container(classes=["cell", "tag_hide-input"])
        cell += nodes.container(classes=["cell_input"])
        cell += nodes.container(classes=["cell_output"])
        d += cell
        return d, cell

    class App:
        class builder:
            format = "latex"

    d, cell = doc()
    ext._fold_hidden_inputs_on_paper(App(), d, "x")
    assert [c["classes"] for c in cell.children] == [["cell_output"]]
    App.builder.format = "html"
    d, cell = doc()
    ext._fold_hidden_inputs_on_paper(App(), d, "x")
    assert len(cell.children) == 2


def test_docstring_math_has_no_unicode_greek():
    # the PDF's math fonts have no Unicode Greek (XeLaTeX: "Missing character: There is no γ")
    tex = ext.literal_to_math("λ(r) = E[w^{-γ} | r]")
    assert tex == r"\lambda (r) = \mathbb{E}[w^{-\gamma } \mid r]"
    assert tex.isascii()


def test_the_site_wraps_figures_with_a_variant_in_a_picture(tmp_path, monkeypatch):
    explore = importlib.import_module("redlib.plotting.explore")
    monkeypatch.setenv(explore.CACHE_ENV, str(tmp_path / "cache"))
    out = tmp_path / "html"
    (out / "_images").mkdir(parents=True)
    (out / "book").mkdir()
    (out / "_images" / "a.png").write_bytes(b"wide a")
    (out / "_images" / "b.png").write_bytes(b"wide b")
    explore.narrow_path(b"wide a").parent.mkdir(parents=True)
    explore.narrow_path(b"wide a").write_bytes(b"narrow a")
    page = out / "book" / "ch.html"
    page.write_text('<div class="cell_output"><img alt="Two panels" src="../_images/a.png" />'
                    '<img alt="One panel" src="../_images/b.png" /></div>', encoding="utf-8")

    class App:
        outdir = str(out)

        class builder:
            format = "html"

    for _ in range(2):  # a second pass (an incremental build) changes nothing
        ext._narrow_pictures(App(), None)
        text = page.read_text(encoding="utf-8")
        assert text.count("<picture") == 1
        assert ('<picture class="redlib-narrow"><source media="(max-width: 600px)" '
                'srcset="../_images/a-narrow.png" type="image/png"><img alt="Two panels" '
                'src="../_images/a.png" /></picture>') in text
        assert '<img alt="One panel" src="../_images/b.png" /></div>' in text
    assert (out / "_images" / "a-narrow.png").read_bytes() == b"narrow a"
    App.builder.format = "latex"
    page.write_text("unchanged", encoding="utf-8")
    ext._narrow_pictures(App(), None)
    assert page.read_text(encoding="utf-8") == "unchanged"
