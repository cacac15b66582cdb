"""The chapters are portable: install cell, collapsed checking cells, one repository URL, Binder."""
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
SCRIPT = ROOT / ".ci" / "portable_notebooks.py"


def _url():
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].rstrip("/")


def test_notebooks_are_as_the_script_makes_them():
    """Re-running .ci/portable_notebooks.py would change nothing (idempotent, and already run)."""
    proc = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, (
        f"{proc.stdout}{proc.stderr}\nrun: python .ci/portable_notebooks.py")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_first_cell_installs_redlib_and_is_removed_from_the_site(path):
    cell = json.loads(path.read_text())["cells"][0]
    src = "".join(cell["source"])
    assert cell["cell_type"] == "code" and "remove-cell" in cell["metadata"]["tags"]
    assert 'find_spec("redlib") is None' in src and "pip" in src and "redlib-*.whl" in src
    assert f"git+{_url()}" in src


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_checking_cells_are_collapsed_in_jupyterlab(path):
    cells = json.loads(path.read_text())["cells"]
    hidden = [c for c in cells if c["cell_type"] == "code"
              and {"hide-input", "remove-input", "remove-cell"} & set(c["metadata"].get("tags", []))]
    assert hidden, f"{path.name}: no checking cell at all"
    assert all(c["metadata"].get("jupyter", {}).get("source_hidden") is True for c in hidden)


def test_repository_url_is_set_in_one_place():
    """Every mention of a GitHub repository is the one of _config.yml (repository.url)."""
    url = _url()
    files = [ROOT / "CITATION.cff", ROOT / "README.md", *NOTEBOOKS, *(ROOT / "binder").glob("*")]
    found = {}
    for f in files:
        for m in re.findall(r"https://github\.com/[\w.-]+/[\w.-]+", f.read_text(encoding="utf-8")):
            found.setdefault(m.rstrip("."), set()).add(f.name)
    assert url in found, f"{url} is mentioned nowhere"
    others = {u: sorted(fs) for u, fs in found.items() if u != url}
    assert not others, f"repository URLs other than _config.yml's {url}: {others}"


def test_binder_builds_the_books_environment():
    req = (ROOT / "binder" / "requirements.txt").read_text().splitlines()
    assert "-r ../requirements.txt" in req
    main = (ROOT / "requirements.txt").read_text().splitlines()
    assert "-e ." in main, "redlib itself must be installed by requirements.txt"
    assert any(re.fullmatch(r"jupyterlab-myst==[\d.]+", line) for line in main)
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
