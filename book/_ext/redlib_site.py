"""Local Sphinx extension for the book's site (loaded via ``_config.yml`` ``local_extensions``).

* Offline: removes the thebe configuration script (it names a CDN URL; thebe is disabled), and after
  the build fails (a Sphinx warning, fatal with ``-W``) if any page *loads* a remote resource
  (``<script src>``, ``<link href>`` stylesheets, ``<img src>``, ``<iframe src>``...). Plain links
  (``<a href>``, e.g. the Binder/Colab launch buttons and DOIs) are allowed.
* Cross-references: ``redlib`` re-exports every public name at top level, so docstrings may write
  :func:`redlib.optimal_mechanism` although the object is documented as
  ``redlib.mechanism.optimal_mechanism``. Such references are resolved to the documented object;
  short ones (``:meth:`cdf```) through the method resolution order of the docstring's class; an
  attribute listed in a numpydoc ``Attributes`` section links to its class; a private helper
  (``_name``, deliberately undocumented) is shown as code. Anything else still warns (``-n``).
* Frame players: the frames of every :func:`redlib.plotting.explore` player are copied from the
  frame cache into the site, next to the page that shows them (``_frames/<key>/NNN.png``).
* Phones: multi-panel static figures get a one-column variant (a ``<picture>`` source), see
  :func:`_narrow_pictures`.
* Page weight: the theme's Font Awesome *script* is dropped (its web fonts draw the icons).
* Styles: ``static/redlib_site.css`` and the references in author--year form (a pybtex style).
* Math in docstrings: literals in the papers' notation (``lam_S(r) >= 2 Lam_S``) are rendered as
  math (:func:`literal_to_math`); code literals stay code.
* Module docstrings: their numpydoc headings become rubrics, so that several modules can share the
  API page without duplicate section targets.
* Any build is the site build: loading the extension sets ``REDLIB_STATIC_SITE=1`` in the build's
  environment, which the notebook kernels it starts inherit, so :func:`redlib.plotting.explore`
  emits the serverless frame player (not a live widget that would be empty on the site) whether the
  book is built with ``jupyter-book build .``, ``.ci/build`` or ``sphinx-build``.
* PDF edition: if ``bash .ci/pdf`` has built ``_build/pdf/redistributive-market-design.pdf``, the
  HTML build copies it into the site's root and the footer marker ``PDF_MARKER`` becomes a link to
  it on every page; without it the marker becomes the command that builds it. In the PDF the
  source of cells tagged ``hide-input`` is left out (the site folds it behind a toggle; paper
  cannot), so the checking cells show only their output there.
"""
from __future__ import annotations

import importlib
import os
import re
from pathlib import Path

from sphinx.util import logging
from sphinx.util.nodes import make_refnode

logger = logging.getLogger(__name__)

_REMOTE = re.compile(
    r"<(script|img|iframe|source|video|audio|embed)\b[^>]*\ssrc=[\"'](https?:)?//[^\"']+[\"']"
    r"|<link\b[^>]*\shref=[\"'](https?:)?//[^\"']+[\"'][^>]*>"
    r"|url\(\s*[\"']?(https?:)?//",
    re.IGNORECASE,
)
_LINK_OK = re.compile(r"rel=[\"'](canonical|author|license|alternate)[\"']", re.IGNORECASE)


def _strip_thebe(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    keep = []
    for js in scripts:
        body = getattr(js, "attributes", {}).get("body", "") if hasattr(js, "attributes") else ""
        name = str(getattr(js, "filename", js) or "")
        if "THEBE_JS_URL" in (body or "") or name.endswith("sphinx-thebe.js"):
            continue
        keep.append(js)
    context["script_files"] = keep


def _locate(dotted: str):
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except Exception:  # noqa: BLE001 - not a module path, try a shorter prefix
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


def _resolve_reexport(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if not target.startswith("redlib."):
        return None
    obj = _locate(target)
    if obj is None:
        return None
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if isinstance(obj, type(importlib)):
        canonical = obj.__name__
    elif module and qualname:
        canonical = f"{module}.{qualname}"
    else:
        return None
    if canonical == target:
        return None
    domain = env.get_domain("py")
    entry = domain.objects.get(canonical)
    if entry is None:
        mod = domain.modules.get(canonical) if isinstance(obj, type(importlib)) else None
        if mod is None:
            return None
        return make_refnode(app.builder, node["refdoc"], mod.docname, mod.node_id, contnode, canonical)
    return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, canonical)


def _module_sections_to_rubrics(app, what, name, obj, options, lines):
    """numpydoc leaves module docstrings alone, so their headings (``Examples``, ``Notes``, any
    ``Title`` underlined with ``---``) become real sections, which collide (duplicate targets) when
    several modules share the API page, and break on too-short underlines. Turn them into rubrics,
    as numpydoc does for functions and classes."""
    if what != "module":
        return
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        prev_blank = i == 0 or not lines[i - 1].strip()
        title = line.strip()
        under = nxt.strip()
        if (prev_blank and title and not line.startswith((" ", "\t")) and len(under) >= 3
                and len(set(under)) == 1 and under[0] in "-=~^"
                and not set(title) <= set("-=~^")):
            out.extend([f".. rubric:: {title}", ""])
            i += 2
            continue
        out.append(line)
        i += 1
    lines[:] = out


# --------------------------------------------------------------------------- math in docstrings
_GREEK = {"lam": r"\lambda", "Lam": r"\Lambda", "lambar": r"\bar\lambda", "phi": r"\varphi",
          "Phi": r"\Phi", "Psi": r"\Psi", "psi": r"\psi", "alpha": r"\alpha", "mu": r"\mu",
          "eta": r"\eta", "delta": r"\delta", "theta": r"\theta", "sigma": r"\sigma",
          "Lambda": r"\Lambda", "lambda": r"\lambda", "beta": r"\beta", "gamma": r"\gamma"}
_OPS = {"sum": r"\sum", "int": r"\int", "max": r"\max", "min": r"\min", "log": r"\log",
        "exp": r"\exp", "co": r"\operatorname{co}", "dco": r"\partial\operatorname{co}"}
_LITERAL = re.compile(r"``([^`]+)``")
_TOKEN = re.compile(r"[A-Za-z]+(?:_(?:[A-Za-z0-9]+))*|>=|<=|!=|\*|\||λ|Λ|∫|%|#|&|.", re.S)
_NOT_MATH = re.compile(r"[\"'`]|->|\.\.|\b[a-z]+_[a-z]{2,}\b|[A-Za-z_]\.[A-Za-z_]|\w=\w|\b(None|True|False|len|lambda|def|"
                       r"redlib|np|and|or|not|if|else|is|in|for)\b|MATH")
_GREEK_WORD = re.compile(r"(?<![A-Za-z])(" + "|".join(sorted(_GREEK, key=len, reverse=True))
                         + r")(?![A-Za-z])|[λΛ]")


def _tex_word(word):
    base, *subs = word.split("_")
    sub = ",".join(_GREEK.get(x, x) for x in subs)
    if len(base) == 2 and base[0] == "d" and base[1].isalpha():  # a differential: dG, dx
        tex = r"\,\mathrm{d}" + base[1]
    else:
        tex = _GREEK.get(base) or _OPS.get(base) or (base if len(base) == 1 else rf"\mathrm{{{base}}}")
    if sub:
        tex += "_{" + sub + "}"
    return tex


#: Greek letters written as Unicode in docstrings, as TeX commands (the PDF's math fonts have no
#: Unicode Greek; MathJax would not mind)
_GREEK_TEX = {ch: "\\" + name + " " for ch, name in zip(
    "αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΣΦΨΩ",
    ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
     "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega", "Gamma",
     "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega"])}


def literal_to_math(text):
    r"""TeX for a docstring literal written in the papers' plain notation (``lam_S(r) >= 2 Lam_S``
    gives ``\lambda_{S}(r) \ge 2 \Lambda_{S}``), or None when the literal is code, not math.

    A literal is math when it names a Greek quantity of the papers (``lam``, ``Lam``, ``phi``,
    ``Psi``, ``alpha``, ``mu``, ...) and contains nothing that only code has (quotes, attribute
    access, keyword arguments, Python keywords)."""
    if _NOT_MATH.search(text) or not _GREEK_WORD.search(text):
        return None
    out = []
    toks = _TOKEN.findall(text)
    for k, tok in enumerate(toks):
        nxt = toks[k + 1] if k + 1 < len(toks) else ""
        if tok == "E" and nxt == "[":
            out.append(r"\mathbb{E}")
        elif tok[0].isalpha() and tok.isascii():
            out.append(_tex_word(tok) + (" " if nxt[:1].isalnum() else ""))
        else:
            out.append({">=": r"\ge ", "<=": r"\le ", "!=": r"\ne ", "*": r"\cdot ", "|": r"\mid ",
                        "∫": r"\int ", "%": r"\%", "#": r"\#", "&": r"\&",
                        **_GREEK_TEX}.get(tok, tok))
    return re.sub(r"  +", " ", "".join(out)).strip()


def _docstring_math(app, what, name, obj, options, lines):
    """Render the math that docstrings write as literals (``lam_S(r) / Lam_S``) as math."""
    in_code = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith((">>>", "...")) or stripped.startswith(".. code"):
            in_code = stripped.startswith(".. code")
            continue
        if in_code and (not stripped or line.startswith((" ", "\t"))):
            continue
        in_code = False

        def repl(m):
            tex = literal_to_math(m.group(1))
            return f":math:`{tex}`" if tex else m.group(0)

        lines[i] = _LITERAL.sub(repl, line)


def _context_class(node):
    mod, cls = node.get("py:module"), node.get("py:class")
    if not mod or not cls:
        return None
    obj = _locate(f"{mod}.{cls}")
    return obj if isinstance(obj, type) else None


def _documented_attributes(cls) -> set:
    try:
        from numpydoc.docscrape import NumpyDocString
        doc = NumpyDocString(cls.__doc__ or "")
        return {p.name.strip() for p in doc["Attributes"]}
    except Exception:  # noqa: BLE001
        return set()


def _resolve_suffix(app, env, node, contnode):
    """Resolve a short reference made inside redlib's docstrings (``cdf``, ``Distribution.grid``,
    an attribute listed in a numpydoc ``Attributes`` section) the way Python would: through the
    method resolution order of the class the docstring belongs to, then by a unique documented
    redlib object of that name."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "").lstrip("~.")
    if not target or target.startswith("redlib."):
        return None
    domain = env.get_domain("py")

    def ref(fullname):
        entry = domain.objects[fullname]
        return make_refnode(app.builder, node["refdoc"], entry.docname, entry.node_id, contnode, fullname)

    cls = _context_class(node)
    if cls is not None:
        for base in cls.__mro__:
            name = f"{base.__module__}.{base.__qualname__}.{target}"
            if name in domain.objects:
                return ref(name)
        if node.get("reftype") in ("attr", "obj") and "." not in target:
            for base in cls.__mro__:
                if target in _documented_attributes(base):
                    name = f"{base.__module__}.{base.__qualname__}"
                    if name in domain.objects:
                        return ref(name)
    suffix = "." + target
    matches = [n for n in domain.objects if n.startswith("redlib.") and n.endswith(suffix)
               and not domain.objects[n].aliased]
    mod = node.get("py:module") or ""
    scoped = [n for n in matches if mod and n.startswith(mod + ".")]
    if len(scoped) == 1:
        matches = scoped
    if len(matches) != 1:
        return None
    return ref(matches[0])


def _private_target(app, env, node, contnode):
    """A docstring may name a private helper (``:func:`_helper```) for readers of the source; private
    names are deliberately left out of the API reference, so render the name as plain code instead
    of reporting a broken link. Only names that really exist in redlib qualify."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "").lstrip("~.")
    last = target.rsplit(".", 1)[-1]
    if not last.startswith("_") or last.startswith("__"):
        return None
    candidates = [target] if target.startswith("redlib.") else []
    mod, cls = node.get("py:module"), node.get("py:class")
    if mod:
        candidates += [f"{mod}.{cls}.{target}" if cls else None, f"{mod}.{target}"]
    for name in filter(None, candidates):
        if name.startswith("redlib.") and _locate(name) is not None:
            return contnode
    return None


def _check_offline(app, exc):
    if exc is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for page in sorted(outdir.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        for m in _REMOTE.finditer(text):
            snippet = m.group(0)
            if snippet.lower().startswith("<link") and _LINK_OK.search(snippet):
                continue
            logger.warning(
                "page %s loads a remote resource (the site must work offline): %s",
                page.relative_to(outdir), snippet[:160],
            )


_FRAME_REF = re.compile(r"(?<![\w/.])_frames/([0-9a-f]{8,64})/(\d{3}(?:-narrow)?\.png)")


def _copy_frames(app, exc):
    """Frame players (:func:`redlib.plotting.explore`) reference their frames as files next to the
    page (``_frames/<key>/NNN.png``, and ``NNN-narrow.png`` for the one-column frames of
    phones); the executing kernel wrote them to the frame cache. Copy
    the frames each page uses into the site, beside the page."""
    if exc is not None or app.builder.format != "html":
        return
    import shutil

    from redlib.plotting.explore import FRAMES_DIR, frame_cache_dir

    cache = frame_cache_dir()
    outdir = Path(app.outdir)
    copied = 0
    for page in sorted(outdir.rglob("*.html")):
        text = page.read_text(encoding="utf-8", errors="replace")
        for key, name in sorted(set(_FRAME_REF.findall(text))):
            src = cache / key / name
            dst = page.parent / FRAMES_DIR / key / name
            if not src.is_file():
                logger.warning("page %s uses frame %s/%s, missing from the frame cache %s",
                               page.relative_to(outdir), key, name, cache)
                continue
            if not dst.is_file() or dst.stat().st_size != src.stat().st_size:
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dst)
                copied += 1
    logger.info("redlib_site: %d frame file(s) copied next to their pages", copied)


_IMG_OR_PICTURE = re.compile(r'<picture class="redlib-narrow">.*?</picture>'
                             r'|<img\b[^>]*?\ssrc="([^"]*_images/[^"/]+\.png)"[^>]*>', re.DOTALL)


def _narrow_pictures(app, exc):
    """Phones get multi-panel figures in one column. A static-site kernel wrote, for every
    multi-panel figure it displayed, a stacked variant to the frame cache under a digest of the
    figure's PNG (:func:`redlib.plotting.explore.install_narrow_figures`,
    :func:`redlib.plotting.explore.narrow_path`). Each output image of the site with such a
    variant is wrapped in a ``<picture>`` whose ``<source>`` (media
    :data:`redlib.plotting.layout.NARROW_MEDIA`) is the variant, copied beside the image
    (``_images/<name>-narrow.png``); the ``<img>`` itself, with its alt text, is unchanged. The
    PDF (LaTeX builder) keeps the figures as they are."""
    if exc is not None or app.builder.format != "html":
        return
    import html as _html
    import shutil

    from redlib.plotting.explore import narrow_path
    from redlib.plotting.layout import NARROW_MEDIA

    outdir = Path(app.outdir)
    digests, wrapped = {}, 0
    for page in sorted(outdir.rglob("*.html")):
        text = page.read_text(encoding="utf-8")

        def wrap(m):
            nonlocal wrapped
            if m.group(1) is None:  # already a <picture>
                return m.group(0)
            src = _html.unescape(m.group(1))
            img = (page.parent / src).resolve()
            if not img.is_file():
                return m.group(0)
            if img not in digests:
                digests[img] = narrow_path(img.read_bytes())
            narrow = digests[img]
            if not narrow.is_file():
                return m.group(0)
            dst = img.with_name(f"{img.stem}-narrow.png")
            if not dst.is_file() or dst.stat().st_size != narrow.stat().st_size:
                shutil.copyfile(narrow, dst)
            wrapped += 1
            srcset = m.group(1).rsplit("/", 1)[0] + "/" + dst.name
            return (f'<picture class="redlib-narrow"><source media="{NARROW_MEDIA}" '
                    f'srcset="{srcset}" type="image/png">{m.group(0)}</picture>')

        new = _IMG_OR_PICTURE.sub(wrap, text)
        if new != text:
            page.write_text(new, encoding="utf-8")
    logger.info("redlib_site: %d figure(s) with a one-column variant for narrow screens", wrapped)


_ICON_SCRIPT = re.compile(r'[ \t]*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>\n?')


def _drop_icon_script(app, exc):
    """The theme loads Font Awesome twice: as web fonts from its stylesheet, which draw every icon
    of the site, and as a 1.5 MB script (0.54 MB compressed) that only serves custom icons, of
    which the book has none. Remove the script from every page: it was a third of each chapter's
    initial download."""
    if exc is not None or app.builder.format != "html":
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = _ICON_SCRIPT.sub("", text)
        if new != text:
            page.write_text(new, encoding="utf-8")


_STATIC = Path(__file__).resolve().parent / "static"


def _add_static(app, config):
    """The site's stylesheet (one search field, wrapped outputs, figures in dark mode and on
    phones): ``book/_ext/static/redlib_site.css``."""
    if str(_STATIC) not in [str(p) for p in config.html_static_path]:
        config.html_static_path.append(str(_STATIC))


def _register_bib_style():
    """The references list in the same author--year form as the citations in the text
    (``[Dworczak et al., 2021]``), sorted by author and year: a pybtex style ``redlib_authoryear``
    (set as ``bibtex_default_style`` in ``_config.yml``)."""
    from pybtex.plugin import register_plugin
    from pybtex.style.formatting.unsrt import Style as UnsrtStyle
    from pybtex.style.labels import BaseLabelStyle
    from pybtex.style.sorting.author_year_title import SortingStyle

    class AuthorYearLabels(BaseLabelStyle):
        def format_labels(self, sorted_entries):
            for entry in sorted_entries:
                people = entry.persons.get("author") or entry.persons.get("editor") or []
                last = [" ".join(p.last_names) for p in people]
                if len(last) >= 3:
                    who = f"{last[0]} et al."
                elif len(last) == 2:
                    who = f"{last[0]} and {last[1]}"
                elif last:
                    who = last[0]
                else:
                    who = entry.fields.get("key", entry.key)
                year = entry.fields.get("year", "n.d.")
                yield f"{who}, {year}".replace("{", "").replace("}", "")

    class AuthorYear(UnsrtStyle):
        default_label_style = AuthorYearLabels
        default_sorting_style = SortingStyle

    register_plugin("pybtex.style.formatting", "redlib_authoryear", AuthorYear, force=True)


def _static_site_kernels(app, config=None):
    """Make every kernel this build starts a static-site kernel (they inherit ``os.environ``)."""
    from redlib.plotting.explore import STATIC_SITE_ENV

    os.environ[STATIC_SITE_ENV] = "1"


PDF_NAME = "redistributive-market-design.pdf"
PDF_MARKER = '<span class="redlib-pdf"></span>'


def _pdf_file(app):
    return Path(app.srcdir) / "_build" / "pdf" / PDF_NAME


def _pdf_into_site(app):
    if app.builder.format == "html" and _pdf_file(app).is_file():
        app.config.html_extra_path = [*app.config.html_extra_path, str(_pdf_file(app).parent)]


def _pdf_link(app, pagename, templatename, context, doctree):
    footer = context.get("theme_extra_footer") or ""
    if PDF_MARKER not in footer:
        return
    if _pdf_file(app).is_file():
        href = context["pathto"](PDF_NAME, 1)
        link = f'<a class="redlib-pdf" href="{href}">PDF edition</a>'
    else:
        link = "PDF edition: <code>bash .ci/pdf</code>"
    context["theme_extra_footer"] = footer.replace(PDF_MARKER, link)


# PDF edition: the introduction (the root document) is an unnumbered preface, and the appendix
# is lettered, so that the chapters carry the site's numbers 1-6 (tests/pdf checks the contents)
LATEX_PREFACE = "book/intro"
LATEX_APPENDIX = "book/appendix_derivations"


def _latex_matter(app, doctree):
    """Mark the preface and the start of the appendix in the LaTeX edition (nothing on the site).

    The root document's sections would otherwise become chapters 1-3 of the PDF; a raw LaTeX
    node (ignored by every other writer) opens an unnumbered ``Preface`` chapter instead, and
    ``\\appendix`` before the derivations letters the chapters that follow (A, B, C)."""
    if app.builder.format != "latex":
        return
    from docutils import nodes

    docname = app.env.docname
    if docname == LATEX_PREFACE:
        doctree.insert(0, nodes.raw("", "\\chapter*{Preface}\\addcontentsline{toc}{chapter}{Preface}\n",
                                    format="latex"))
    elif docname == LATEX_APPENDIX:
        doctree.insert(0, nodes.raw("", "\\appendix\n", format="latex"))


def _fold_hidden_inputs_on_paper(app, doctree, docname):
    if app.builder.format != "latex":
        return
    from docutils import nodes

    for cell in list(doctree.findall(nodes.container)):
        if "tag_hide-input" in cell.get("classes", []):
            for child in list(cell.children):
                if "cell_input" in child.get("classes", []):
                    cell.remove(child)


def setup(app):
    # at load time, before myst-nb executes any notebook (it executes while reading sources)
    _static_site_kernels(app)
    app.connect("config-inited", _static_site_kernels)
    _register_bib_style()
    app.connect("config-inited", _add_static)
    app.add_css_file("redlib_site.css")
    app.connect("html-page-context", _strip_thebe, priority=900)
    app.connect("builder-inited", _pdf_into_site)
    app.connect("html-page-context", _pdf_link)
    app.connect("doctree-resolved", _fold_hidden_inputs_on_paper)
    app.connect("doctree-read", _latex_matter)
    app.connect("missing-reference", _resolve_reexport)
    app.connect("missing-reference", _resolve_suffix)
    app.connect("missing-reference", _private_target)
    app.connect("autodoc-process-docstring", _module_sections_to_rubrics)
    app.connect("autodoc-process-docstring", _docstring_math)
    app.connect("build-finished", _copy_frames, priority=800)
    app.connect("build-finished", _narrow_pictures, priority=805)
    app.connect("build-finished", _drop_icon_script, priority=810)
    app.connect("build-finished", _check_offline, priority=900)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
