"""The site extension's parts for figures and pages (book/_ext/redlib_site.py): frames copied next
to their pages, docstring math, author-year references."""
import importlib.util
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("redlib_site_player", ROOT / "book" / "_ext" / "redlib_site.py")
ext = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ext)


def test_frames_are_copied_next_to_the_page_that_uses_them(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    (cache / "abcdef0123").mkdir(parents=True)
    for k in range(3):
        (cache / "abcdef0123" / f"{k:03d}.png").write_bytes(b"png%d" % k)
    (cache / "0000000000").mkdir()
    (cache / "0000000000" / "000.png").write_bytes(b"unused")
    out = tmp_path / "html"
    (out / "book").mkdir(parents=True)
    (out / "book" / "ch.html").write_text(
        '<img src="_frames/abcdef0123/001.png"><script>var f = ["_frames/abcdef0123/000.png",'
        '"_frames/abcdef0123/001.png", "_frames/abcdef0123/002.png"];</script>')
    monkeypatch.setenv("REDLIB_FRAME_CACHE", str(cache))
    app = SimpleNamespace(outdir=str(out), builder=SimpleNamespace(format="html"))
    ext._copy_frames(app, None)
    copied = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.png"))
    assert copied == [f"book/_frames/abcdef0123/{k:03d}.png" for k in range(3)]
    assert (out / "book/_frames/abcdef0123/002.png").read_bytes() == b"png2"


def test_docstring_literals_in_the_papers_notation_become_math():
    tex = ext.literal_to_math
    assert tex("lam_S(r) >= 2 Lam_S") == r"\lambda_{S}(r) \ge 2 \Lambda_{S}"
    assert tex("E[alpha T + lam U]") == r"\mathbb{E}[\alpha T + \lambda U]"
    assert tex("max(0, lambar_i - alpha) r_1") == r"\max(0, \bar\lambda_{i} - \alpha) r_{1}"
    assert tex("int r lam_i dG_i") == r"\int r \lambda_{i} \,\mathrm{d}G_{i}"
    assert tex("lam(r_i_k)") == r"\lambda(r_{i,k})"  # no double subscripts
    # code stays code
    for code in ("r, V, lambda_bar, int_r_lam", "lump_sum=False", "dist.grid(grid_size)", "r", "[lo, hi]", '"lp"', "None", "verify()"):
        assert tex(code) is None, code
    lines = ["Weight ``lam_i(r)`` of a type, see ``res.lam``.", ">>> f(``alpha``)"]
    ext._docstring_math(None, "function", "f", None, {}, lines)
    assert lines == [r"Weight :math:`\lambda_{i}(r)` of a type, see ``res.lam``.", ">>> f(``alpha``)"]


def test_reference_labels_are_author_year():
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin

    ext._register_bib_style()
    style = find_plugin("pybtex.style.formatting", "redlib_authoryear")()
    bib = parse_string("""
    @article{dka, author = {Dworczak, Piotr and Kominers, Scott Duke and Akbarpour, Mohammad},
              title = {Redistribution through Markets}, journal = {Econometrica}, year = {2021}}
    @article{two, author = {Smith, A. and Jones, B.}, title = {T}, journal = {J}, year = {1999}}
    """, "bibtex")
    labels = [e.label for e in style.format_entries(bib.entries.values())]
    assert labels == ["Dworczak et al., 2021", "Smith and Jones, 1999"]
