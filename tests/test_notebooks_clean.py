"""The chapter notebooks are committed without outputs, and the table of contents is complete."""
import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))


def _toc_files():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for entry in toc.get("chapters", []):
        files.append(entry["file"])
    for part in toc.get("parts", []):
        files.extend(e["file"] for e in part.get("chapters", []))
    return files


def test_toc_entries_exist():
    missing = [f for f in _toc_files()
               if not (ROOT / f"{f}.md").exists() and not (ROOT / f"{f}.ipynb").exists()]
    assert not missing, f"files listed in _toc.yml do not exist: {missing}"


def test_every_notebook_is_in_the_toc():
    listed = set(_toc_files())
    stray = [p.name for p in NOTEBOOKS if f"book/{p.stem}" not in listed]
    assert not stray, f"notebooks in book/ missing from _toc.yml: {stray}"


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 5, f"expected the five chapter notebooks, found {[p.name for p in NOTEBOOKS]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_has_no_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        if cell.get("outputs"):
            dirty.append(f"cell {i}: {len(cell['outputs'])} output(s)")
        if cell.get("execution_count") is not None:
            dirty.append(f"cell {i}: execution_count={cell['execution_count']}")
    assert not dirty, f"{path.name} must be committed without outputs: " + "; ".join(dirty)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_starts_with_title_and_has_kernel(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    first_md = next((c for c in nb["cells"] if c["cell_type"] == "markdown"), None)
    assert first_md is not None, f"{path.name} has no markdown cell"
    text = "".join(first_md["source"]).lstrip()
    assert text.startswith("# "), f"{path.name}: first markdown cell must start with '# <title>'"
    assert nb.get("metadata", {}).get("kernelspec", {}).get("name") == "python3", (
        f"{path.name}: kernelspec must be python3 (the kernel the build and nbval use)")
