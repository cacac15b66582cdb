r"""Numerical checks of every proposition and theorem of the book.

Each ``check_<name>(n_instances, seed)`` draws seeded random instances from the whole space the
statement allows (uniform, truncated-normal, **non-regular** multi-modal or three-piece densities,
finite types; monotone or non-monotone weights wherever the statement does not exclude them; with
and without lump sums), solves them with the library's solvers, tests the conclusion on the
solver's output and, for the two-sided market and the allocation problem, confirms the optimal
value with the brute-force LP referee (:func:`redlib.referee.lp_market`,
:func:`redlib.referee.lp_allocation`).  It returns a :class:`CheckReport`, which may carry a
:class:`Counterexample`: an instance violating one hypothesis in which the conclusion fails.

:data:`REGISTRY` maps every ``prf:proposition`` / ``prf:theorem`` label of the book to its check,
and :data:`HYPOTHESES` maps every label to its hypotheses, each with a function that drops that
hypothesis and returns a :class:`Counterexample` (so each hypothesis is shown to be needed and each
check able to fail).  :data:`NO_HYPOTHESIS` lists the results with no hypothesis beyond the model
(their checks are shown able to fail by tests that feed them a wrong input), and
:data:`NOT_SHOWN_NEEDED` the hypotheses that were not shown to be needed on their own, and why.

The package has five small modules: ``reports`` (reports), ``instances`` (instance generators),
``dka`` (first deck), ``adk`` (second deck) and ``general`` (the general characterization of the linked market and the
remaining results of chapters 1 and 4).  It uses only the public API of :mod:`redlib`.

Discretization, stated honestly
-------------------------------
The statements are about continuous type distributions.  The solvers are exact on finite types: a
continuous distribution is replaced by ``dist.grid(n)`` (``n`` equal-mass cells, types at the cell
medians).  Hypotheses are evaluated on the continuous instance; conclusions are tested on the exact
solution of the ``n``-type problem.  The generators keep every hypothesis a fixed margin away from
its boundary, stated in each check.

Examples
--------
>>> from redlib.propositions import REGISTRY
>>> rep = REGISTRY["thm-four-prices"](3, seed=0)
>>> rep.ok, rep.tried
(True, 3)
"""
from __future__ import annotations

from .adk import (check_adk_prop1, check_adk_prop2, check_adk_prop3, check_adk_prop4,
                  check_adk_prop5, check_adk_prop6, check_adk_prop7, check_adk_prop8)
from .dka import (check_buyer_price, check_buyer_rationing, check_four_prices, check_no_free_lunch,
                  check_seller_price, check_seller_rationing, check_two_prices, check_wedge,
                  is_rationed)
from .adk import HYPOTHESES as _ADK_HYPOTHESES
from .dka import HYPOTHESES as _DKA_HYPOTHESES
from .dka import cx_wedge_nonuniform
from .general import (check_extreme_weight, check_first_welfare, check_general_dka,
                      check_within_allocation, check_within_objective, cx_extreme_dependent,
                      cx_extreme_unbounded_density, cx_extreme_zero_density,
                      cx_first_welfare_unequal_weights)
from . import adk, dka, general, instances, reports
from .reports import LP_RTOL, PROB_TOL, CheckReport, Counterexample

__all__ = [
    "CheckReport", "Counterexample", "LP_RTOL", "PROB_TOL", "ALL_CHECKS", "REGISTRY", "run_all",
    "NO_HYPOTHESIS", "NOT_SHOWN_NEEDED",
    "is_rationed",
    "check_seller_price", "check_buyer_price", "check_two_prices", "check_wedge",
    "check_seller_rationing", "check_buyer_rationing", "check_four_prices", "check_no_free_lunch",
    "check_adk_prop1", "check_adk_prop2", "check_adk_prop3", "check_adk_prop4", "check_adk_prop5",
    "check_adk_prop6", "check_adk_prop7", "check_adk_prop8", "HYPOTHESES", "check_general_dka",
    "check_first_welfare", "check_extreme_weight", "check_within_objective", "check_within_allocation",
]

#: every ``prf:proposition`` / ``prf:theorem`` label of the book -> its check (book order)
REGISTRY = {
    "ch1-prop-first-welfare": check_first_welfare,
    "ch1-prop-extreme": check_extreme_weight,
    "prop-seller-price": check_seller_price,
    "prop-buyer-price": check_buyer_price,
    "prop-two-prices": check_two_prices,
    "prop-wedge": check_wedge,
    "prop-seller-rationing": check_seller_rationing,
    "prop-buyer-rationing": check_buyer_rationing,
    "thm-four-prices": check_four_prices,
    "prop-nfl": check_no_free_lunch,
    "thm-dka-general": check_general_dka,
    "ch4-prop-objective": check_within_objective,
    "ch4-prop-within": check_within_allocation,
    "ch4-prop-free-tier": check_adk_prop1,
    "ch4-prop-fully-random": check_adk_prop2,
    "ch4-prop-top": check_adk_prop3,
    "ch4-prop-fully-assortative": check_adk_prop4,
    "ch4-prop-intermediate": check_adk_prop5,
    "ch4-prop-nonmonotone": check_adk_prop6,
    "ch4-prop-all-random": check_adk_prop7,
    "ch4-prop-all-assortative": check_adk_prop8,
}

#: label -> {hypothesis: function returning a Counterexample that drops it}; ``{}`` only for the
#: results with no hypothesis beyond the model (:data:`NO_HYPOTHESIS`)
HYPOTHESES = {label: {} for label in REGISTRY}
HYPOTHESES.update(_DKA_HYPOTHESES)
HYPOTHESES.update(_ADK_HYPOTHESES)
HYPOTHESES["thm-dka-general"] = {"G_j uniform (for the threshold 2 alpha*)": cx_wedge_nonuniform}
HYPOTHESES["ch1-prop-first-welfare"] = {"v^M = 1 on both sides": cx_first_welfare_unequal_weights}
HYPOTHESES["ch1-prop-extreme"] = {"v^K independent of v^M": cx_extreme_dependent,
                                  "density of v^K positive at 0": cx_extreme_zero_density,
                                  "density of v^K continuous at 0": cx_extreme_unbounded_density}
HYPOTHESES["ch4-prop-within"] = {
    "lambar > alpha (part 3)": _ADK_HYPOTHESES["ch4-prop-free-tier"]["lambar > alpha"],
    "r_low > 0 (part 3)": _ADK_HYPOTHESES["ch4-prop-free-tier"]["essential good"]}

#: results with no hypothesis beyond the model -> why (each check is shown able to fail by a test
#: that feeds it a wrong input: ``tests/test_propositions_registry.py``)
NO_HYPOTHESIS = {
    "thm-four-prices": "holds for any G_j, lam_j, mu",
    "ch4-prop-objective": "an identity of the model",
}
#: hypotheses a statement carries that were *not* shown to be needed on their own -> why
#: (``tests/test_propositions_registry.py`` runs the instances behind each reason)
NOT_SHOWN_NEEDED = {
    "ch4-prop-fully-assortative": {
        "alpha >= lambar (alone)": "with r_low = 0 the conclusion holds without it",
        "r_low = 0 (alone)": "with alpha >= lambar the conclusion holds without it"},
    "ch4-prop-nonmonotone": {
        "lam^n non-increasing": "a hump sliding into r_low still converges to assortative"},
}
assert all(not HYPOTHESES[k] for k in NO_HYPOTHESIS) and all(HYPOTHESES[k] for k in HYPOTHESES
                                                             if k not in NO_HYPOTHESIS)

#: every check, in the book's order: (label, function)
ALL_CHECKS = list(REGISTRY.items())


def run_all(n_instances=5, seed=0):
    """Run every check of :data:`REGISTRY`.

    Parameters
    ----------
    n_instances : int, default 5
        Instances per check.
    seed : int, default 0

    Returns
    -------
    dict
        Label -> :class:`CheckReport`.

    Examples
    --------
    >>> reps = run_all(1)                           # doctest: +SKIP
    >>> all(r.ok for r in reps.values())            # doctest: +SKIP
    True
    """
    return {label: fn(n_instances, seed) for label, fn in REGISTRY.items()}
