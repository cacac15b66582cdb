"""The student edition removes solutions and keeps exercises (.ci/student_edition.py)."""
import importlib.util
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
