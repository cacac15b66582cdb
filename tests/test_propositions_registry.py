"""Every proposition/theorem of the book has a numerical check, every hypothesis is shown to be needed.

* the registry test lists every ``prf:proposition`` / ``prf:theorem`` label in the book's notebooks
  and ``.md`` files and asserts that :data:`redlib.propositions.REGISTRY` has a check for it and that
  chapter 5 runs every check of the registry;
* the hypothesis test drops, one at a time, every hypothesis listed in
  :data:`redlib.propositions.HYPOTHESES` and asserts that the conclusion then fails;
* the package uses only the public API of :mod:`redlib`.
"""
import ast
import pathlib
import re

import nbformat
import pytest

from redlib import propositions as props

ROOT = pathlib.Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
LABEL = re.compile(r"```\{prf:(proposition|theorem)\}[^\n]*\n:label: ([\w-]+)")


def _book_labels():
    labels = []
    for path in sorted(BOOK.rglob("*.ipynb")) + sorted(BOOK.rglob("*.md")):
        if "_build" in path.parts or ".ipynb_checkpoints" in path.parts:
            continue
        if path.suffix == ".ipynb":
            text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
        else:
            text = path.read_text()
        labels += [m.group(2) for m in LABEL.finditer(text)]
    return labels


def test_every_proposition_and_theorem_has_a_check():
    labels = _book_labels()
    assert len(labels) >= 20
    assert len(labels) == len(set(labels)), "a label is defined twice (one number per result)"
    missing = [lab for lab in labels if lab not in props.REGISTRY]
    assert not missing, f"no numerical check for {missing}"
    stale = [lab for lab in props.REGISTRY if lab not in labels]
    assert not stale, f"registry has checks for labels the book does not define: {stale}"
    assert set(props.HYPOTHESES) == set(props.REGISTRY)


def test_chapter_5_runs_every_check_of_the_registry():
    nb = nbformat.read(BOOK / "05_propositions.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "for label, fn in REGISTRY.items():" in code
    assert "assert set(reports) == set(REGISTRY)" in code
    assert "N = 20" in code


def test_no_result_is_restated_in_chapter_5():
    nb = nbformat.read(BOOK / "05_propositions.ipynb", as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert not LABEL.search(text)


CASES = [(lab, hyp) for lab, hs in props.HYPOTHESES.items() for hyp in hs]


@pytest.mark.parametrize("label,hypothesis", CASES, ids=[f"{a}: {b}" for a, b in CASES])
def test_dropping_a_hypothesis_gives_a_counterexample(label, hypothesis):
    cx = props.HYPOTHESES[label][hypothesis]()
    assert cx.conclusion_fails, cx
    assert cx.violated and cx.description and cx.evidence


def test_every_dka_result_with_hypotheses_lists_them():
    for lab in ("prop-seller-price", "prop-wedge", "prop-seller-rationing", "prop-buyer-rationing",
                "prop-nfl", "ch4-prop-free-tier", "ch4-prop-top"):
        assert len(props.HYPOTHESES[lab]) >= 1, lab
    assert set(props.HYPOTHESES["prop-wedge"]) >= {"G_j uniform", "same-side inequality low on both sides"}
    assert "Lam_B >= Lam_S" in props.HYPOTHESES["prop-buyer-rationing"]


def test_package_uses_only_the_public_api():
    pkg = ROOT / "redlib" / "propositions"
    for path in pkg.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                if mod == "__future__":
                    continue
                assert not any(part.startswith("_") for part in mod.split(".")), (path.name, mod)
                for alias in node.names:
                    assert not alias.name.startswith("_") or alias.name == "__future__", (path.name, alias.name)
                if node.level == 0:
                    assert mod in ("redlib", "redlib.referee") or not mod.startswith("redlib"), (path.name, mod)
                if node.level >= 2:
                    raise AssertionError(f"{path.name} imports from outside the package: {mod}")


def test_checks_draw_non_regular_distributions():
    import numpy as np
    from redlib import Tabulated
    rng = np.random.default_rng(0)
    kinds = set()
    for _ in range(60):
        sd, _, bd, _, _ = props.instances.random_market(rng)
        kinds |= {type(sd).__name__, type(bd).__name__}
    assert {"Tabulated", "Discrete", "Uniform", "Truncated"} <= kinds
    assert isinstance(props.instances.three_piece_dist(rng, 0.0, 1.0), Tabulated)


def test_refinement_filter_keeps_genuine_rationing():
    """The wedge check's artifact filter must not excuse real rationing (it can still fail)."""
    from redlib import Market, Side, Tabulated, Uniform
    m = Market(Side(Uniform(), 2.0), Side(Tabulated(*props.dka.WEDGE_CX_BUYERS), 1.0), buyer_mass=props.dka.WEDGE_CX_MU)
    assert not props.dka._pooling_vanishes(m, 60)
