"""Build the student edition of the book: exercises kept, solutions removed.

Usage (from the repository root; ``bash .ci/student-edition`` wraps it)::

    .venv/bin/python .ci/student_edition.py --out _build/student

The book sources (``_config.yml``, ``_toc.yml``, ``book/``) are copied to a temporary directory, every
solution is removed from the copies of the notebooks and Markdown pages, and the copy is built with
Jupyter Book; the HTML ends up in ``<out>/html``. The repository itself is never modified.

Besides the solutions, the student copies lose every **hidden checking cell** (code cells tagged
``remove-input`` or ``remove-cell``): they assert the numbers the text and the exercises state, so
a downloaded notebook would give the answers away. The stripped sources are what the site serves
for download (``_sources/``) and are also written to ``<out>/sources/``. The problem-set sources
(``book/assignments/``, with their reference solutions) are not copied at all.

Launch buttons: by default the student edition has **no** Binder/Colab buttons and no repository
button, because those open the full notebooks of the book's repository. To offer them, publish
``<out>/sources/`` (with ``redlib/`` and the environment files) as a repository or branch of its own and
pass ``--launch-repo URL --launch-branch BRANCH``; the buttons then open that copy.

``--only book/04_labels_and_quality`` (repeatable) builds the intro and the named chapters only
(used by the test, to keep it cheap).

What counts as a solution (sphinx-exercise syntax, backtick or colon fences)::

    ```{solution} ex-label          ```{solution-start} ex-label
    ...                              :class: dropdown
    ```                              ```
                                     ... any cells, code included ...
                                     ```{solution-end}
                                     ```
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: tags of the hidden checking cells, removed from the student edition
HIDDEN_TAGS = ("remove-input", "remove-cell")

_OPEN = re.compile(r"^\s*(?P<fence>`{3,}|:{3,})\s*\{(?P<name>[a-zA-Z0-9_:-]+)\}")


def _closes(line: str, fence: str) -> bool:
    s = line.strip()
    return len(s) >= len(fence) and set(s) == {fence[0]}


class _Stripper:
    """Line-oriented state machine shared across the cells of one notebook (a gated
    ``solution-start`` ... ``solution-end`` block may span several cells)."""

    def __init__(self):
        self.in_gated = False  # between solution-start and solution-end
        self.removed = 0

    def strip_lines(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        n = len(lines)
        while i < n:
            line = lines[i]
            m = _OPEN.match(line)
            name = m.group("name") if m else None
            if self.in_gated:
                if name == "solution-end":
                    i = self._skip_block(lines, i, m.group("fence"))
                    self.in_gated = False
                    continue
                i += 1
                continue
            if name == "solution":
                i = self._skip_block(lines, i, m.group("fence"))
                self.removed += 1
                continue
            if name == "solution-start":
                i = self._skip_block(lines, i, m.group("fence"))
                self.in_gated = True
                self.removed += 1
                continue
            out.append(line)
            i += 1
        return out

    @staticmethod
    def _skip_block(lines, i, fence):
        """Index of the line after the fenced block opened at line i."""
        j = i + 1
        while j < len(lines):
            if _closes(lines[j], fence):
                return j + 1
            j += 1
        return j  # unclosed fence: runs to the end of the text, as in CommonMark


def strip_solutions_text(text: str) -> str:
    """Remove every solution from a MyST Markdown text.

    Parameters
    ----------
    text : str
        Markdown source.

    Returns
    -------
    str
        The text without ``{solution}`` blocks and ``{solution-start}``...``{solution-end}`` regions.

    Raises
    ------
    ValueError
        If a ``{solution-start}`` has no matching ``{solution-end}``.
    """
    st = _Stripper()
    out = st.strip_lines(text.splitlines(keepends=True))
    if st.in_gated:
        raise ValueError("solution-start without a matching solution-end")
    return "".join(out)


def strip_hidden_cells(nb: dict) -> tuple[dict, int]:
    """Return a copy of a notebook without its hidden checking cells, and how many were removed.

    Parameters
    ----------
    nb : dict
        The notebook, as loaded by :func:`json.load`.

    Returns
    -------
    (dict, int)
        The copy without the code cells tagged with one of :data:`HIDDEN_TAGS`, and their number.
    """
    nb = copy.deepcopy(nb)
    keep = [c for c in nb["cells"]
            if not (c["cell_type"] == "code" and set(c.get("metadata", {}).get("tags", [])) & set(HIDDEN_TAGS))]
    removed = len(nb["cells"]) - len(keep)
    nb["cells"] = keep
    return nb, removed


def strip_solutions(nb: dict) -> tuple[dict, int]:
    """Return a copy of a notebook (nbformat JSON as a dict) without solutions, and their number.

    Markdown cells lose ``{solution}`` blocks and everything between ``{solution-start}`` and
    ``{solution-end}``; code cells inside such a region are dropped; cells left empty are removed.
    Exercises and all other content are kept unchanged.

    Parameters
    ----------
    nb : dict
        The notebook, as loaded by :func:`json.load` (or ``nbformat.read``).

    Returns
    -------
    (dict, int)
        The stripped copy and the number of solutions removed.

    Raises
    ------
    ValueError
        If a ``{solution-start}`` has no matching ``{solution-end}``.
    """
    nb = copy.deepcopy(nb)
    st = _Stripper()
    cells = []
    for cell in nb["cells"]:
        src = cell["source"]
        text = "".join(src) if isinstance(src, list) else src
        if cell["cell_type"] == "markdown":
            was_gated = st.in_gated
            new = "".join(st.strip_lines(text.splitlines(keepends=True)))
            if new.strip() == "" and (text.strip() != "" or was_gated):
                continue
            if new != text:
                cell["source"] = new
        elif st.in_gated:
            continue  # code (or raw) cell inside a solution
        cells.append(cell)
    if st.in_gated:
        raise ValueError("solution-start without a matching solution-end")
    nb["cells"] = cells
    return nb, st.removed


def _copy_sources(dest: Path) -> None:
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(ROOT / name, dest / name)
    shutil.copytree(
        ROOT / "book", dest / "book",
        ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints", "__pycache__", "assignments"),
    )
    # redlib itself is imported from the repository (.ci/install puts its root on the venv's path)


def _student_config(cfg: str, launch_repo=None, launch_branch=None) -> str:
    """The student edition's _config.yml: a title banner, and launch/repository buttons only when
    they open the student copy."""
    import yaml
    cfg = cfg.replace("title: Redistributive Market Design",
                      "title: Redistributive Market Design (student edition)", 1)
    data = yaml.safe_load(cfg)
    if launch_repo:
        data.setdefault("repository", {})["url"] = launch_repo
        data["repository"]["branch"] = launch_branch or "main"
    else:
        data["launch_buttons"] = {"notebook_interface": "jupyterlab", "binderhub_url": "",
                                  "colab_url": "", "jupyterhub_url": "", "thebe": False}
        data.setdefault("html", {})["use_repository_button"] = False
        data["html"]["use_issues_button"] = False
        data["html"]["use_edit_page_button"] = False
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def make_student_sources(dest: Path, only=None, launch_repo=None, launch_branch=None) -> int:
    """Copy the book sources to ``dest``, strip the solutions and the hidden checking cells.
    Returns the number of solutions removed.

    Parameters
    ----------
    dest : Path
        An empty folder.
    only : list of str, optional
        Chapters to keep (``book/NN_name``); the table of contents is cut to the root and these.
    launch_repo, launch_branch : str, optional
        Where the launch buttons point (a published copy of the student sources); without them the
        student edition has no launch or repository buttons.
    """
    _copy_sources(dest)
    total = 0
    for path in sorted((dest / "book").glob("*.ipynb")):
        if only and f"book/{path.stem}" not in only:
            path.unlink()
            continue
        nb = json.loads(path.read_text(encoding="utf-8"))
        stripped, k = strip_solutions(nb)
        stripped, h = strip_hidden_cells(stripped)
        path.write_text(json.dumps(stripped, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"  {path.name}: {k} solution(s) and {h} hidden checking cell(s) removed")
        total += k
    if only:
        import yaml
        toc = yaml.safe_load((dest / "_toc.yml").read_text(encoding="utf-8"))
        for part in toc.get("parts", []):   # Markdown pages (API, references) stay
            part["chapters"] = [c for c in part["chapters"]
                                if c["file"] in only or not (dest / f"{c['file']}.ipynb").exists()
                                and (dest / f"{c['file']}.md").exists()]
        toc["parts"] = [p for p in toc.get("parts", []) if p["chapters"]]
        (dest / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    for path in sorted((dest / "book").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        new = strip_solutions_text(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
    cfg = (dest / "_config.yml").read_text(encoding="utf-8")
    (dest / "_config.yml").write_text(_student_config(cfg, launch_repo, launch_branch), encoding="utf-8")
    return total


def answer_texts(nb: dict) -> dict:
    """What a student copy must not contain, from a full notebook: ``"solution"`` -> lines of every
    solution (Markdown and code), ``"hidden"`` -> code lines of every hidden checking cell (they
    state the answers)."""
    sol, hid = [], []
    stripped, _ = strip_solutions(nb)
    kept = {"".join(c["source"]) for c in stripped["cells"]}
    kept_lines = set()
    for t in kept:
        kept_lines.update(l.strip() for l in t.splitlines())
    for c in nb["cells"]:
        text = "".join(c["source"])
        tags = set(c.get("metadata", {}).get("tags", []))
        lines = [l.strip() for l in text.splitlines()]
        if c["cell_type"] == "code" and tags & set(HIDDEN_TAGS):
            hid += [l for l in lines if len(l) >= 20 and not l.startswith(("#", "import ", "from "))]
        elif text not in kept:
            sol += [l for l in lines if len(l) >= 25 and l not in kept_lines and not l.startswith(("```", ":::"))]
    return {"solution": sol, "hidden": hid}


def drop_public(texts: dict, folders) -> dict:
    """``texts`` without the lines that also occur in public material (the student sources, the
    library's docstrings rendered on the API page): such a line is not a leak."""
    corpus = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                       for f in folders for p in sorted(Path(f).rglob("*"))
                       if p.is_file() and p.suffix in (".py", ".md", ".ipynb", ".yml"))
    return {k: [l for l in v if l not in corpus] for k, v in texts.items()}


def _words(text: str) -> str:
    return " ".join(re.findall(r"[A-Za-z]{3,}", text)).lower()


def _file_texts(path: Path) -> list:
    import html as _html
    raw = path.read_text(encoding="utf-8", errors="replace")
    out = [raw, _html.unescape(re.sub(r"<[^>]+>", "", raw))]
    if path.suffix == ".ipynb":
        try:
            nb = json.loads(raw)
            out.append("\n".join("".join(c.get("source", "")) for c in nb.get("cells", [])))
        except ValueError:
            pass
    return out


def scan(folder: Path, texts: dict, run: int = 8) -> list:
    """Every (file, kind, text) of ``texts`` found in a file under ``folder``: every line verbatim
    (also in tag-stripped HTML and in a notebook's cell sources), and solution prose also by any run
    of ``run`` consecutive words (so that rendered Markdown is caught too)."""
    found = []
    probes = []
    for kind, lines in texts.items():
        for line in lines:
            words = _words(line).split()
            # code (hidden checking cells) verbatim only: its words (function names) are public
            prose = kind == "solution" and len(words) >= run
            probes.append((kind, line, [" ".join(words[i:i + run])
                                        for i in range(0, len(words) - run + 1, run)] if prose else []))
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix in (".png", ".jpg", ".svg", ".woff", ".woff2", ".ttf", ".eot", ".ico", ".gif", ".pdf"):
            continue
        variants = _file_texts(path)
        wordy = _words(" ".join(variants[1:]))
        for kind, line, chunks in probes:
            if any(line in v for v in variants) or any(ch and ch in wordy for ch in chunks):
                found.append((str(path.relative_to(folder)), kind, line))
    return found


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="_build/student", help="output folder (html/ is created inside)")
    ap.add_argument("--strict", action="store_true", help="treat build warnings as errors (-W)")
    ap.add_argument("--keep-temp", action="store_true", help="keep the temporary source copy")
    ap.add_argument("--only", action="append", help="build only this chapter (book/NN_name); repeatable")
    ap.add_argument("--launch-repo", help="repository URL of a published copy of the student sources")
    ap.add_argument("--launch-branch", help="its branch (default main)")
    args = ap.parse_args(argv)
    out = (ROOT / args.out).resolve() if not Path(args.out).is_absolute() else Path(args.out)

    tmp = Path(tempfile.mkdtemp(prefix="redlib-student-"))
    try:
        print(f"== student sources in {tmp}")
        n = make_student_sources(tmp, args.only, args.launch_repo, args.launch_branch)
        print(f"== {n} solution(s) removed in total")
        env = dict(os.environ, REDLIB_STATIC_SITE="1")
        jb = Path(sys.executable).with_name("jupyter-book")
        cmd = [str(jb), "build", str(tmp), "-n", "--keep-going"] + (["-W"] if args.strict else [])
        print("== " + " ".join(cmd))
        rc = subprocess.call(cmd, env=env)
        if rc != 0:
            print(f"error: jupyter-book exited with {rc}", file=sys.stderr)
            return rc
        html = out / "html"
        if html.exists():
            shutil.rmtree(html)
        out.mkdir(parents=True, exist_ok=True)
        shutil.copytree(tmp / "_build" / "html", html)
        sources = out / "sources"
        if sources.exists():
            shutil.rmtree(sources)
        sources.mkdir()
        for name in ("_config.yml", "_toc.yml"):
            shutil.copy2(tmp / name, sources / name)
        shutil.copytree(tmp / "book", sources / "book",
                        ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints", "__pycache__"))
        leaked = [p.name for p in html.rglob("*.html") if 'class="solution' in p.read_text(errors="replace")]
        if leaked:
            print(f"error: solutions still present in {leaked}", file=sys.stderr)
            return 1
        texts = {"solution": [], "hidden": []}
        for path in sorted((tmp / "book").glob("*.ipynb")):
            t = answer_texts(json.loads((ROOT / "book" / path.name).read_text(encoding="utf-8")))
            for k in texts:
                texts[k] += t[k]
        texts = drop_public(texts, [tmp / "book", ROOT / "redlib"])
        found = scan(out, texts)
        for f in found[:20]:
            print(f"error: {f[1]} text in the student edition, {f[0]}: {f[2][:80]!r}", file=sys.stderr)
        if found:
            return 1
        print(f"== no solution and no hidden checking cell in {out} "
              f"({len(texts['solution'])} solution and {len(texts['hidden'])} hidden lines searched)")
        print(f"== student edition: {html / 'index.html'}")
        return 0
    finally:
        if args.keep_temp:
            print(f"== kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
