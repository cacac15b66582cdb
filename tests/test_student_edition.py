"""The student edition removes solutions and keeps exercises (.ci/student_edition.py)."""
import importlib.util
import json
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("student_edition", ROOT / ".ci" / "student_edition.py")
se = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(se)


def _sample_notebook():
    md = nbformat.v4.new_markdown_cell
    code = nbformat.v4.new_code_cell
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        md("# Chapter\n\nSome text with $x^2$."),
        code("x = 1"),
        md("```{exercise}\n:label: ex-one\n\nCompute $1+1$.\n```\n\n"
           "```{solution-start} ex-one\n:class: dropdown\n```\n\nSECRET-ONE is two.\n\n"
           "```{solution-end}\n```\n\nText after the first solution."),
        md("````{exercise}\n:label: ex-two\n\nProve it.\n````\n\n"
           "````{solution} ex-two\n:class: dropdown\n\nSECRET-TWO with a nested block:\n\n"
           "```python\nprint('SECRET-CODE-IN-FENCE')\n```\n````\n\nKept paragraph."),
        md(":::{exercise}\n:label: ex-three\nColon fences too.\n:::\n\n"
           ":::{solution-start} ex-three\n:::\n\nSECRET-THREE starts here."),
        code("print('SECRET-FOUR: code inside a gated solution')"),
        md("SECRET-FIVE ends here.\n\n:::{solution-end}\n:::\n\n## Next section"),
        md("```{exercise}\n:label: ex-four\n\nNo solution for this one.\n```"),
    ]
    return nb


def _text(nb):
    return "\n".join(c.source if isinstance(c.source, str) else "".join(c.source) for c in nb.cells)


def test_strip_removes_every_solution_and_keeps_exercises():
    nb = _sample_notebook()
    stripped, n = se.strip_solutions(nb)
    text = _text(nbformat.from_dict(stripped))
    assert n == 3
    assert "SECRET" not in text
    assert "{solution" not in text
    for label in ("ex-one", "ex-two", "ex-three", "ex-four"):
        assert f":label: {label}" in text
    for kept in ("Text after the first solution.", "Kept paragraph.", "## Next section", "x = 1",
                 "Some text with $x^2$."):
        assert kept in text
    # the code cell inside the gated solution is gone, the other one stays
    assert [c.cell_type for c in stripped["cells"]].count("code") == 1
    # the input notebook is untouched
    assert "SECRET-ONE" in _text(nb)
    nbformat.validate(nbformat.from_dict(stripped))


def test_strip_is_identity_without_solutions():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# T\n\n```{exercise}\n:label: e\n\nQ\n```")]
    stripped, n = se.strip_solutions(nb)
    assert n == 0 and stripped["cells"] == nb["cells"]


def test_unterminated_gated_solution_is_an_error():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("```{solution-start} e\n```\n\nno end")]
    with pytest.raises(ValueError, match="solution-start without a matching solution-end"):
        se.strip_solutions(nb)
    with pytest.raises(ValueError, match="solution-start without a matching solution-end"):
        se.strip_solutions_text("```{solution-start} e\n```\n")


def test_strip_text_markdown_page():
    text = "# P\n\n```{solution} e\nSECRET\n```\nafter\n"
    assert se.strip_solutions_text(text) == "# P\n\nafter\n"


@pytest.mark.parametrize("path", sorted((ROOT / "book").glob("*.ipynb")), ids=lambda p: p.name)
def test_book_notebooks_strip_cleanly(path):
    nb = nbformat.read(path, as_version=4)
    stripped, _ = se.strip_solutions(nb)
    text = _text(nbformat.from_dict(stripped))
    assert "{solution" not in text
    assert text.count("{exercise}") == _text(nb).count("{exercise}")


# --- hidden checking cells, downloads and launch buttons --------------------------------------
def test_hidden_checking_cells_are_removed_and_visible_cells_kept():
    nb = _sample_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("assert answer == 0.577  # SECRET-HIDDEN",
                                              metadata={"tags": ["remove-input"]}))
    nb.cells.append(nbformat.v4.new_code_cell("report(check())", metadata={"tags": ["hide-input"]}))
    stripped, n = se.strip_hidden_cells(nb)
    text = _text(nbformat.from_dict(stripped))
    assert n == 1 and "SECRET-HIDDEN" not in text and "report(check())" in text and "x = 1" in text


def test_scan_catches_rendered_solutions_and_hidden_code(tmp_path):
    texts = {"solution": ["$\\lambda(0)$ is the mean of the **size-biased** distribution of $v^M$: an agent"],
             "hidden": ["stated(s1[2], 0.28, 2)"]}
    (tmp_path / "page.html").write_text(
        "<p><span class='math'>\\(\\lambda(0)\\)</span> is the mean of the <strong>size-biased</strong> "
        "distribution of <span>\\(v^M\\)</span>: an agent</p>")
    (tmp_path / "nb.ipynb").write_text(json.dumps({"cells": [{"source": ["stated(s1[2], 0.28, 2)\n"]}]}))
    (tmp_path / "clean.html").write_text("<p>Exercise 4.2: compute the share.</p>")
    found = se.scan(tmp_path, texts)
    assert {(f, k) for f, k, _ in found} == {("page.html", "solution"), ("nb.ipynb", "hidden")}


def test_student_config_has_no_launch_buttons_unless_a_student_copy_is_given():
    import yaml
    cfg = (ROOT / "_config.yml").read_text()
    assert yaml.safe_load(cfg)["launch_buttons"]["binderhub_url"]      # the full book has them
    off = yaml.safe_load(se._student_config(cfg))
    assert off["launch_buttons"]["binderhub_url"] == "" and off["launch_buttons"]["colab_url"] == ""
    assert off["html"]["use_repository_button"] is False
    assert off["title"].endswith("(student edition)")
    on = yaml.safe_load(se._student_config(cfg, "https://github.com/course/student-copy", "student"))
    assert on["repository"] == {**on["repository"], "url": "https://github.com/course/student-copy",
                                "branch": "student"}
    assert on["launch_buttons"]["binderhub_url"]


@pytest.fixture(scope="module")
def chapter4_student_build(tmp_path_factory):
    # chapter 4 (its downloads used to state the answers of Exercises 4.2-4.4) plus the intro and
    # the Markdown pages: a cheap but real student build; main() itself scans it for leaks
    out = tmp_path_factory.mktemp("student")
    rc = se.main(["--out", str(out), "--only", "book/04_labels_and_quality"])
    assert rc == 0
    return out


def test_student_build_holds_no_solution_and_no_stated_answer(chapter4_student_build):
    out = chapter4_student_build
    original = json.loads((ROOT / "book" / "04_labels_and_quality.ipynb").read_text())
    texts = se.answer_texts(original)
    assert len(texts["solution"]) > 20 and len(texts["hidden"]) > 50
    public = se.drop_public(texts, [out / "sources" / "book", ROOT / "redlib"])
    assert len(public["hidden"]) > 0.8 * len(texts["hidden"])   # few lines are public elsewhere
    assert se.scan(out, public) == []
    download = out / "html" / "_sources" / "book" / "04_labels_and_quality.ipynb"
    nb = json.loads(download.read_text())
    assert not any(set(c.get("metadata", {}).get("tags", [])) & set(se.HIDDEN_TAGS) for c in nb["cells"])
    assert _text(nbformat.from_dict(nb)).count("{exercise}") == _text(nbformat.from_dict(original)).count("{exercise}")
    # the same scan finds the answers in the full notebook: it is not blind
    assert len(se.scan(ROOT / "book", {"hidden": texts["hidden"][:5]})) >= 5


def test_student_build_launches_nothing_of_the_full_book(chapter4_student_build):
    for page in (chapter4_student_build / "html").rglob("*.html"):
        body = page.read_text(errors="replace")
        for target in ("mybinder.org", "colab.research.google.com", "github.com/redlib-book"):
            assert target not in body, (page.name, target)
    assert (chapter4_student_build / "sources" / "book" / "04_labels_and_quality.ipynb").exists()
