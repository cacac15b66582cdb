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


def test_only_identities_carry_no_hypothesis():
    """``{}`` in HYPOTHESES only for the results registered as identities of the model."""
    empty = {lab for lab, hs in props.HYPOTHESES.items() if not hs}
    assert empty == set(props.NO_HYPOTHESIS)


def test_objective_check_fails_with_a_wrong_virtual_value(monkeypatch):
    """ch4-prop-objective has no hypothesis: show its check can fail (revenue-only virtual value)."""
    from redlib.propositions import general
    real = general.virtual_value

    def revenue_only(dist, weight, alpha, n=4001):
        d = real(dist, weight, alpha, n)
        return dict(d, V=alpha * d["J"])

    monkeypatch.setattr(general, "virtual_value", revenue_only)
    rep = props.check_within_objective(4, seed=0)
    assert rep.tried == 4 and not rep.ok and len(rep.failures) >= 3, rep


def test_objective_gap_sees_a_wrong_lowest_utility():
    """Away from the proposition's U0 the payoff is strictly below the bound (lambar != alpha)."""
    import numpy as np
    from redlib import Uniform
    from redlib.propositions.general import within_objective_gap
    Q = np.linspace(0.2, 1.0, 4001)
    gap, _ = within_objective_gap(Uniform(0.5, 1.5), 1.5, 1.0, Q, 0.0)   # lambar > alpha: U0 should be 0.1
    assert gap == pytest.approx(-(1.5 - 1.0) * 0.5 * 0.2, rel=1e-6)
    with pytest.raises(ValueError, match="Q must be non-decreasing"):
        within_objective_gap(Uniform(0.5, 1.5), 1.5, 1.0, Q[::-1], 0.0)


def test_within_violations_detect_a_mutated_solution():
    """ch4-prop-within's predicate fails on a solution whose pool is split or whose free tier pays."""
    import copy
    from redlib import Group, Uniform, optimal_allocation
    from redlib.propositions.general import within_violations
    gs = [Group("g", Uniform(0.5, 1.5), 1.5)]
    res = optimal_allocation(gs, Uniform(0, 1), 1.0, grid_size=30)
    assert within_violations(res, gs, 1.0) == []
    ga = copy.deepcopy(res["g"])
    ga.T = ga.T.copy()
    ga.T[:] += 0.01                                   # the free tier pays
    assert any("free tier pays" in w for w in within_violations([ga], gs, 1.0))
    ga = copy.deepcopy(res["g"])
    (a, b), = ga.blocks
    ga.blocks = [(a, a + 3), (a + 4, b)]              # split the pool across the closure's piece
    assert any("not pooled" in w or "linear piece" in w for w in within_violations([ga], gs, 1.0))


def test_prop4_hypotheses_are_needed_only_together():
    """Finding: ch4-prop-fully-assortative needs ``alpha >= lambar`` OR ``r_low = 0`` (the atom vanishes).

    Each alone keeps the conclusion (here: V increasing, matching assortative); dropping both is
    the registered counterexample.
    """
    import numpy as np
    from redlib import Group, Uniform, optimal_allocation, virtual_value
    from redlib.propositions.adk import _fully_assortative
    for dist, lam, alpha in ((Uniform(0.0, 1.0), 1.5, 1.0),      # r_low = 0, alpha < lambar
                             (Uniform(0.5, 1.5), 1.0, 1.2)):     # r_low > 0, alpha >= lambar
        assert np.all(np.diff(virtual_value(dist, lam, alpha)["V"]) > 0)
        res = optimal_allocation([Group("g", dist, lam)], Uniform(0, 1), alpha, grid_size=60)
        assert _fully_assortative(res["g"]), res["g"].regions
    cx = props.HYPOTHESES["ch4-prop-fully-assortative"]["alpha >= lambar or r_low = 0"](60)
    assert cx.conclusion_fails


def test_four_prices_check_fails_on_a_wrong_solution(monkeypatch):
    """thm-four-prices has no hypothesis: show its check can fail (a solution of the wrong market)."""
    from redlib import Market
    from redlib.propositions import dka
    real = dka._solve

    def wrong_market(m, lump_sum, n):
        return real(Market(m.sellers, m.buyers, buyer_mass=1.25 * m.buyer_mass), lump_sum, n)

    monkeypatch.setattr(dka, "_solve", wrong_market)
    rep = props.check_four_prices(3, seed=0)
    assert rep.tried == 3 and not rep.ok and any("LP" in f for f in rep.failures), rep


def test_prop6_monotonicity_was_not_shown_needed():
    """No counterexample for ch4-prop-nonmonotone without monotone weights: a hump of weight sliding
    into r_low (lam^n -> 0 above r_low, not monotone) pools a share of types that shrinks to 0."""
    import numpy as np
    from redlib import Group, ShapeWeight, Uniform, optimal_allocation
    from redlib.propositions.adk import _pooled_served_blocks
    assert "lam^n non-increasing" in props.NOT_SHOWN_NEEDED["ch4-prop-nonmonotone"]
    shares = []
    for d in (0.1, 0.02, 0.005):
        w = ShapeWeight("hump", (0.1 * d, 2 * d, d / 2), 1.0, 2.0, 0.9)
        ga = optimal_allocation([Group("g", Uniform(1.0, 2.0), w)], Uniform(0, 1), 1.0, grid_size=400)["g"]
        assert np.any(np.diff(w(np.linspace(1.0, 2.0, 201))) > 0)      # not monotone
        shares.append(sum(ga.probs[a:b + 1].sum() for a, b in _pooled_served_blocks(ga)))
    assert shares[0] > shares[1] > shares[2] and shares[2] < 0.1, shares
