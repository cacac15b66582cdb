"""Make the chapter notebooks read and run outside the book's site build (deterministic, idempotent).

    python .ci/portable_notebooks.py            rewrite book/*.ipynb in place (only what differs)
    python .ci/portable_notebooks.py --check    exit 1 and list the notebooks that would change

Two edits, each a no-op when already done, so it can be re-run after any merge:

1. **Install cell.** Each notebook starts with a code cell (id ``redlib-install``, tag
   ``remove-cell``: not on the site or in the PDF) that installs ``redlib`` when it is not
   importable -- in Colab, Binder, a course JupyterHub or a downloaded ``.ipynb`` -- and does
   nothing inside the book's environment. It installs a ``redlib-*.whl`` lying next to the notebook
   if there is one (offline, e.g. handed out with the notebook), else the book's repository with pip.
   The repository URL is read from ``_config.yml`` (``repository.url``), its one place.
2. **Checking cells collapsed in JupyterLab.** Code cells tagged ``hide-input``, ``remove-input``
   or ``remove-cell`` get ``metadata.jupyter.source_hidden = true`` (JupyterLab shows them
   collapsed); ``hide-output``/``remove-output`` cells get ``outputs_hidden``. Code cells inside a
   solution that spans several cells (between the ``{solution-start}`` cell and its
   ``{solution-end}`` cell) get both: jupyterlab-myst renders each markdown cell on its own, so the
   solution's text is a collapsed "Start of Solution" dropdown and its code must be collapsed too.

The same URL is written into ``CITATION.cff`` (``repository-code``, ``url``), so changing
``repository.url`` and re-running this script updates every copy (tests/test_portable.py checks).

Solutions need no edit: jupyterlab-myst renders the ``{solution-start}``/``{solution-end}`` pairs
with ``:class: dropdown`` collapsed, as the site does (checked by tests/jupyterlab/).
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
INSTALL_ID = "redlib-install"

INSTALL_SOURCE = '''\
# Setup (not shown on the site): install redlib when this notebook runs outside the book's
# environment (Colab, Binder, a JupyterHub, a downloaded .ipynb); does nothing otherwise.
# Source: a redlib-*.whl next to the notebook if there is one, else the book's repository.
import glob, importlib, importlib.util, subprocess, sys
if importlib.util.find_spec("redlib") is None:
    _wheels = sorted(glob.glob("redlib-*.whl"))
    _source = (f"{_wheels[-1]}[widgets]" if _wheels
               else "redlib[widgets] @ git+{url}")
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", _source])
    importlib.invalidate_caches()'''

HIDE_SOURCE = {"hide-input", "remove-input", "remove-cell"}
HIDE_OUTPUT = {"hide-output", "remove-output"}

def repository_url() -> str:
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    url = (cfg.get("repository") or {}).get("url", "").rstrip("/")
    if not url.startswith("https://"):
        raise SystemExit(f"_config.yml repository.url must be an https URL, got {url!r}")
    return url


def install_cell(url: str) -> dict:
    return {
        "cell_type": "code",
        "execution_count": None,
        "id": INSTALL_ID,
        "metadata": {"jupyter": {"source_hidden": True}, "tags": ["remove-cell"]},
        "outputs": [],
        "source": _lines(INSTALL_SOURCE.replace("{url}", url)),
    }


def _lines(text: str) -> list:
    parts = text.split("\n")
    return [p + "\n" for p in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def portable(nb: dict, url: str) -> dict:
    cells = [c for c in nb["cells"] if c.get("id") != INSTALL_ID]
    cells.insert(0, install_cell(url))
    in_solution = False
    for c in cells:
        if c["cell_type"] == "markdown":
            src = "".join(c["source"])
            starts, ends = src.rfind("{solution-start}"), src.rfind("{solution-end}")
            if starts > ends:
                in_solution = True
            elif ends > starts:
                in_solution = False
        if c["cell_type"] == "code":
            tags = set(c.get("metadata", {}).get("tags", []))
            jup = c.setdefault("metadata", {}).get("jupyter", {})
            if tags & HIDE_SOURCE or in_solution:
                jup["source_hidden"] = True
            if tags & HIDE_OUTPUT or in_solution:
                jup["outputs_hidden"] = True
            if jup:
                c["metadata"]["jupyter"] = jup
    return dict(nb, cells=cells)


def sync_citation(url: str, check: bool) -> bool:
    """Point CITATION.cff's ``repository-code``/``url`` lines at ``url``; True if it changed."""
    path = ROOT / "CITATION.cff"
    if not path.exists():
        return False
    raw = path.read_text(encoding="utf-8")
    out = re.sub(r'^(\s*(?:repository-code|url): )"https://github\.com/[^"]*"', rf'\1"{url}"',
                 raw, flags=re.MULTILINE)
    if out != raw and not check:
        path.write_text(out, encoding="utf-8")
    return out != raw


def chapter_notebooks():
    return sorted(BOOK.glob("*.ipynb"))


def main(argv):
    check = "--check" in argv
    url = repository_url()
    changed = []
    for path in chapter_notebooks():
        raw = path.read_text(encoding="utf-8")
        nb = portable(json.loads(raw), url)
        out = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        if out != raw:
            changed.append(path.name)
            if not check:
                path.write_text(out, encoding="utf-8")
    if sync_citation(url, check):
        changed.append("CITATION.cff")
    verb = "would change" if check else "updated"
    print(f"{verb}: {', '.join(changed) if changed else 'nothing'}")
    return 1 if (check and changed) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
