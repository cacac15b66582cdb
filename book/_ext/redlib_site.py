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
    app.connect("html-page-context", _strip_thebe, priority=900)
    app.connect("builder-inited", _pdf_into_site)
    app.connect("html-page-context", _pdf_link)
    app.connect("doctree-resolved", _fold_hidden_inputs_on_paper)
    app.connect("missing-reference", _resolve_reexport)
    app.connect("missing-reference", _resolve_suffix)
    app.connect("missing-reference", _private_target)
    app.connect("autodoc-process-docstring", _module_sections_to_rubrics)
    app.connect("build-finished", _check_offline, priority=900)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
