"""A chapter notebook brings what it needs: copied alone into an empty folder, it runs.

The reader's situation (a downloaded ``.ipynb`` on a laptop, a course JupyterHub, Colab): a Python
with Jupyter and the scientific stack, but no redlib and no repository. The test builds the redlib
wheel, copies ONE chapter and the wheel into an empty folder, makes a fresh virtual environment in
which redlib is not importable (it sees only the installed third-party packages: Jupyter, numpy,
scipy, matplotlib, ipywidgets; see tests/_fresh_venv.py), and executes the notebook there with
nbclient, with pip forbidden to use any index (``PIP_NO_INDEX=1``): the notebook's first cell must
install redlib from the wheel beside it, and every cell must then run.
"""
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

from _fresh_venv import ROOT, build_wheel, make_venv

CHAPTER = "02_one_sided_prices.ipynb"

RUN = textwrap.dedent("""
    import sys, nbformat
    from nbclient import NotebookClient
    nb = nbformat.read(sys.argv[1], as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": "."}}).execute()
    nbformat.write(nb, "executed.ipynb")
""")


def _env():
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "MPLBACKEND", "REDLIB_STATIC_SITE")}
    # no network and no user site: the wheel next to the notebook is the only install source
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONNOUSERSITE="1")
    return env


def test_chapter_runs_alone_in_an_empty_folder(tmp_path):
    import nbformat

    wheel = build_wheel(tmp_path / "wheel")
    reader = tmp_path / "reader"
    reader.mkdir()
    shutil.copy2(ROOT / "book" / CHAPTER, reader / CHAPTER)
    shutil.copy2(wheel, reader / wheel.name)
    python = make_venv(tmp_path / "venv")
    env = _env()

    before = subprocess.run([str(python), "-c", "import redlib"], cwd=reader, env=env,
                            capture_output=True, text=True)
    assert before.returncode != 0, "redlib importable before the notebook installed it: the test proves nothing"

    proc = subprocess.run([str(python), "-c", RUN, CHAPTER], cwd=reader, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"the chapter failed to run alone:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"

    # the first cell installed redlib from the wheel, into the fresh environment
    where = subprocess.run([str(python), "-c", "import redlib; print(redlib.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(tmp_path / "venv"), where.stdout
    nb = nbformat.read(reader / "executed.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].get("id") == "redlib-install"
    assert all(c.get("execution_count") for c in code), "some cells were not executed"
    errors = [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, errors
    assert any("image/png" in o.get("data", {}) for c in code for o in c.get("outputs", [])), \
        "no figure was produced"


def test_install_cell_does_nothing_where_redlib_is_importable():
    """Inside the book's own environment the first cell is a no-op (no pip call)."""
    import json

    cell = json.loads((ROOT / "book" / CHAPTER).read_text())["cells"][0]
    src = "".join(cell["source"])
    assert cell["metadata"]["tags"] == ["remove-cell"]
    ns = {}
    calls = []
    import subprocess as sp
    real = sp.check_call
    sp.check_call = lambda *a, **k: calls.append(a)
    try:
        exec(compile(src, "install-cell", "exec"), ns)
    finally:
        sp.check_call = real
    assert calls == []
