"""Build the student edition of the book: exercises kept, solutions removed.

Usage (from the repository root; ``bash .ci/student-edition`` wraps it)::

    .venv/bin/python .ci/student_edition.py --out _build/student

The book sources (``_config.yml``, ``_toc.yml``, ``book/``) are copied to a temporary directory, every
solution is removed from the copies of the notebooks and Markdown pages, and the copy is built with
Jupyter Book; the HTML ends up in ``<out>/html``. The repository itself is never modified.

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
        ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints", "__pycache__"),
    )
    # redlib itself is imported from the repository (.ci/install puts its root on the venv's path)


def make_student_sources(dest: Path) -> int:
    """Copy the book sources to ``dest`` and strip the solutions. Returns the number removed."""
    _copy_sources(dest)
    total = 0
    for path in sorted((dest / "book").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        stripped, k = strip_solutions(nb)
        path.write_text(json.dumps(stripped, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"  {path.name}: {k} solution(s) removed")
        total += k
    for path in sorted((dest / "book").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        new = strip_solutions_text(text)
        if new != text:
            path.write_text(new, encoding="utf-8")
    # a banner on every page
    cfg = (dest / "_config.yml").read_text(encoding="utf-8")
    cfg = cfg.replace("title: Redistributive Market Design",
                      "title: Redistributive Market Design (student edition)", 1)
    (dest / "_config.yml").write_text(cfg, encoding="utf-8")
    return total


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="_build/student", help="output folder (html/ is created inside)")
    ap.add_argument("--strict", action="store_true", help="treat build warnings as errors (-W)")
    ap.add_argument("--keep-temp", action="store_true", help="keep the temporary source copy")
    args = ap.parse_args(argv)
    out = (ROOT / args.out).resolve() if not Path(args.out).is_absolute() else Path(args.out)

    tmp = Path(tempfile.mkdtemp(prefix="redlib-student-"))
    try:
        print(f"== student sources in {tmp}")
        n = make_student_sources(tmp)
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
        leaked = [p.name for p in html.rglob("*.html") if 'class="solution' in p.read_text(errors="replace")]
        if leaked:
            print(f"error: solutions still present in {leaked}", file=sys.stderr)
            return 1
        print(f"== student edition: {html / 'index.html'}")
        return 0
    finally:
        if args.keep_temp:
            print(f"== kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
