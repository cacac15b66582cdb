"""Tests of redlib.propositions: every check on a few seeded instances, plus its building blocks.

Each check solves random instances with the library's solvers, tests the result's conclusion and
confirms the optimal value with the brute-force LP referee; a wrong solver or a wrong translation
of a statement makes it fail.  The chapter book/05_propositions.ipynb runs the same checks on more
instances.
"""
import numpy as np
import pytest
import scipy.stats

from redlib import (Discrete, Market, ShapeWeight, Side, Truncated, Uniform, optimal_mechanism,
                    randomization_share, virtual_value)
from redlib import propositions as props
from redlib.propositions import CheckReport, adk, dka, instances

FAST = 3


@pytest.mark.parametrize("name,fn", props.ALL_CHECKS, ids=[n for n, _ in props.ALL_CHECKS])
def test_every_check_passes_on_a_few_instances(name, fn):
    n = 1 if fn is props.check_adk_prop6 else FAST
    rep = fn(n, seed=11)
    assert isinstance(rep, CheckReport)
    assert rep.tried == n and rep.passed == n, rep
    assert rep.ok and not rep.failures
    if fn not in (props.check_seller_price, props.check_buyer_price, props.check_two_prices,
                  props.check_adk_prop6, props.check_extreme_weight, props.check_within_objective):
        assert rep.lp_gap <= props.LP_RTOL  # the LP referee was consulted and agreed


@pytest.mark.parametrize("fn", [props.check_seller_price, props.check_buyer_price, props.check_two_prices,
                                props.check_wedge, props.check_seller_rationing, props.check_buyer_rationing,
                                props.check_adk_prop1, props.check_adk_prop2, props.check_adk_prop3,
                                props.check_adk_prop4])
def test_counterexamples_violate_a_hypothesis_and_the_conclusion_fails(fn):
    rep = fn(1, seed=3)
    cx = rep.counterexample
    assert cx is not None and cx.conclusion_fails, cx
    assert cx.violated and cx.description and cx.evidence


def test_checks_are_reproducible():
    a = props.check_adk_prop1(2, seed=5)
    b = props.check_adk_prop1(2, seed=5)
    assert (a.tried, a.passed, a.lp_gap) == (b.tried, b.passed, b.lp_gap)


def test_check_detects_a_false_conclusion(monkeypatch):
    """A check must be able to fail: feed it a solver that ignores rationing."""
    real = dka.optimal_seller_price

    def never_ration(side, Q, R=0.0, grid_size=None):
        res = real(side, Q, R, grid_size=grid_size)
        res.price, res.rationing = res.competitive_price, 1.0
        return res

    monkeypatch.setattr(dka, "optimal_seller_price", never_ration)
    rep = props.check_seller_price(4, seed=0)
    assert not rep.ok and len(rep.failures) == 2  # the two high-inequality instances


def test_input_validation():
    with pytest.raises(ValueError, match="n_instances"):
        props.check_four_prices(0)
    with pytest.raises(ValueError, match="seed"):
        props.check_four_prices(1, seed=-1)
    with pytest.raises(ValueError, match="grid_size"):
        props.check_wedge(1, grid_size=1)
    with pytest.raises(ValueError, match="lp_grid"):
        props.check_adk_prop3(1, lp_grid=-1)
    with pytest.raises(ValueError, match="lambda_bar"):
        randomization_share([1.0], alpha=1.0, lambda_bar=2.0)
    with pytest.raises(ValueError, match="skews"):
        randomization_share([0.0])
    with pytest.raises(ValueError, match="skews"):
        randomization_share([np.nan])
    with pytest.raises(ValueError, match="lambda_bar"):
        randomization_share([1.0], lambda_bar=float("nan"))
    with pytest.raises(ValueError, match="alpha"):
        virtual_value(Uniform(0.0, 1.0), 1.0, alpha=-1.0)
    with pytest.raises(ValueError, match="weight"):
        virtual_value(Uniform(0.0, 1.0), lambda r: r - 0.5, alpha=1.0)
    with pytest.raises(ValueError, match="n must"):
        virtual_value(Uniform(0.0, 1.0), 1.0, alpha=1.0, n=1)
    with pytest.raises(ValueError, match="continuous"):
        virtual_value(Discrete([0.0, 1.0]), 1.0, alpha=1.0)
    with pytest.raises(ValueError, match="positive density"):  # pdf 0 at the ends: h infinite, not NaN
        virtual_value(Truncated(scipy.stats.beta(2, 2), 0.0, 1.0), 1.0, alpha=1.0)


@pytest.mark.parametrize("shape,param", [("const", 0.0), ("exp", 3.0), ("power", 2.5),
                                         ("logistic", (0.3, 0.1)), ("hump", (0.2, 0.5, 0.1)),
                                         ("rising", -4.0)])
def test_shape_weights_have_the_stated_average(shape, param):
    w = ShapeWeight(shape, param, 1.0, 3.0, 1.7)
    r = np.linspace(1.0, 3.0, 200001)
    assert abs(np.trapezoid(w(r), r) / 2.0 - 1.7) < 1e-6
    assert np.all(w(r) >= 0)


def test_shape_weight_ratio_and_threshold():
    w = ShapeWeight("power", 3.0, 0.0, 1.0, 1.0)  # lam = 4 (1 - u)^3
    assert w.ratio() == pytest.approx(4.0)
    assert w.u_hat(2.0) == pytest.approx(1 - 0.5 ** (1 / 3), abs=1e-12)
    assert ShapeWeight("power", 0.5, 0.0, 1.0, 1.0).u_hat(2.0) == 0.0
    rng = np.random.default_rng(0)
    for ratio in (1.3, 2.5, 6.0):
        w = instances.decreasing_weight(rng, 0.0, 2.0, 1.5, ratio)
        assert w.ratio() == pytest.approx(ratio, rel=1e-9)
        u = np.linspace(0, 1, 1001)
        assert np.all(np.diff(w.f(u)) <= 1e-12)


def test_virtual_value_closed_form_uniform():
    # uniform [0, 1], lam(r) = 2 (1 - r): V = alpha (2r - 1) + int_r^1 lam = alpha (2r - 1) + (1 - r)^2
    alpha = 0.8
    d = virtual_value(Uniform(0.0, 1.0), lambda r: 2.0 * (1.0 - r), alpha, n=20001)
    r = d["r"]
    assert np.max(np.abs(d["V"] - (alpha * (2 * r - 1) + (1 - r) ** 2))) < 1e-7
    assert d["lambda_bar"] == pytest.approx(1.0, abs=1e-8)
    assert d["int_r_lam"] == pytest.approx(1.0 / 3.0, abs=1e-8)


def test_seller_rstar_closed_form():
    # lam = 4 (1 - r)^3 on U[0,1]: r* solves int_0^r* 4 r (1 - r)^3 dr = r*^2
    w = ShapeWeight("power", 3.0, 0.0, 1.0, 1.0)
    rstar = dka._seller_rstar(Uniform(0.0, 1.0), w)
    grid = np.linspace(0, rstar, 100001)
    lhs = np.trapezoid(4 * grid * (1 - grid) ** 3, grid)
    assert lhs == pytest.approx(rstar ** 2, rel=1e-6)
    assert dka._seller_rstar(Uniform(0.0, 1.0), ShapeWeight("power", 0.5, 0.0, 1.0, 1.0)) == 0.0


def test_effective_options_ignore_indifferent_marginal_buyers_with_lump_sum():
    # buyers receive a lump sum; the buyer type 0.4 buys w.p. 1/3 at its own value (gain 0)
    m = Market(Side(Discrete([0.1, 0.2]), 1.0), Side(Discrete([0.4, 0.5]), 3.0), buyer_mass=1.5)
    res = optimal_mechanism(m)
    assert res.buyers.lump_sum > 0
    opts = dka._effective_options(res.buyers)
    assert [x for _, x, _ in opts] == [1.0]
    assert not props.is_rationed(res.buyers)


def test_best_nfl_ce_matches_symmetric_market():
    # U[0,1] both sides, constant weights, mu = 1: CE price 1/2, welfare (Lam_S + Lam_B)/8
    m = Market(Side(Uniform(), 2.0), Side(Uniform(), 1.0), buyer_mass=1.0)
    w = dka._best_nfl_ce(m, 400)
    assert w == pytest.approx(3.0 / 8.0, abs=5e-3)
    assert w >= optimal_mechanism(m, lump_sum=False, grid_size=400).competitive.welfare - 1e-12


def test_randomization_share_rises_then_falls():
    d = randomization_share([0.01, 10.0, 1e4], grid_size=120)
    s = d["share"]
    assert s[0] == 0.0 and s[1] > 0.1 and s[2] < 0.05 * s[1]


def test_lp_gap_of_a_nan_welfare_fails():
    rep = CheckReport("x")
    assert rep.add_gap(1.0, 1.0) == 0.0
    assert rep.add_gap(float("nan"), 1.0) > props.LP_RTOL
    rep.add_gap(1.0, 1.0)
    assert rep.lp_gap > props.LP_RTOL  # the bad gap is not forgotten


def test_report_summary_and_repr():
    rep = CheckReport("x", tried=2, passed=1, failures=["inst: why"], skipped=1)
    assert not rep.ok
    assert "1/2" in rep.summary() and "skipped" in rep.summary()
    assert "FAIL: inst: why" in repr(rep)


def test_plot_randomization_share_needs_the_full_output():
    # no silent defaults: a dict without the inputs of the computation is refused
    import matplotlib
    matplotlib.use("Agg")
    from redlib.plotting.propositions import plot_randomization_share

    with pytest.raises(ValueError, match="missing keys"):
        plot_randomization_share({"skew": [1.0], "share": [0.5]})


_DOCUMENTED = sorted({f"{fn.__module__}.{fn.__name__}" for _, fn in props.ALL_CHECKS}
                     | {f"{fn.__module__}.{fn.__name__}" for hs in props.HYPOTHESES.values() for fn in hs.values()
                        if not fn.__name__.startswith("_")})


@pytest.mark.parametrize("path", _DOCUMENTED)
def test_shared_parameters_are_documented_by_numpydoc_rules(path):
    """numerical_check writes each check's Parameters/Returns sections; numpydoc accepts them."""
    import numpydoc.validate as nv
    errors = [(c, m) for c, m in nv.validate(path)["errors"] if c in {"PR01", "PR02", "RT01", "EX01", "GL08"}]
    assert errors == [], errors
