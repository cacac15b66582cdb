"""redlib: exact solvers for redistributive market design.

Two models, following Dworczak, Kominers and Akbarpour (2021) and Akbarpour, Dworczak and
Kominers (2024):

* a two-sided market for an indivisible good in which agents differ in their value for money
  (:func:`optimal_mechanism`, :func:`competitive_equilibrium`, the one-sided problems);
* the allocation of objects of heterogeneous quality to labelled agents
  (:func:`optimal_allocation`).

Every solver is exact on finite types and is checked against a brute-force linear program that
knows nothing of concave envelopes or virtual values (:mod:`redlib.referee`).

The top level (``dir(redlib)``) holds exactly these names:

Distributions
    Distribution, ContinuousDistribution, Uniform, Discrete, Truncated, Tabulated
Weights
    evaluate_weight, average_weight, power_weight, weights_from_joint, weights_from_samples,
    JointWeights, SampleWeight, crra_marginal_utility, weights_from_wealth, sample_from_table,
    crra_population, lognormal_sigma_from_shares, CRRAPopulation, ShapeWeight
Envelope
    Envelope, concave_envelope
Models
    Side, Market, FiniteMarket, Group
Solvers
    competitive_equilibrium, optimal_seller_price, optimal_buyer_price, optimal_buyer_two_prices,
    optimal_mechanism, classify_instruments, inequality_map, optimal_allocation, virtual_value,
    randomization_share
Closed forms
    rationing_cutoff, seller_rationing_threshold, buyer_rationing_interval
Result types
    CompetitiveEquilibrium, OneSidedResult, TwoPriceResult, MechanismResult, SideMechanism,
    MechanismVerificationError, InequalityMap, GroupAllocation, AllocationResult

and ``__version__``.  Everything else lives in a submodule: the LP referees in
:mod:`redlib.referee` (``from redlib.referee import lp_market, lp_allocation``), the figures in
:mod:`redlib.plotting`, constants such as :data:`redlib.thresholds.RATIONING_TOL` with their
module (one concept per module: :mod:`~redlib.distributions`, :mod:`~redlib.weights`,
:mod:`~redlib.envelope`, :mod:`~redlib.market`, :mod:`~redlib.thresholds`,
:mod:`~redlib.one_sided`, :mod:`~redlib.mechanism`, :mod:`~redlib.allocation`).

Examples
--------
>>> import redlib
>>> m = redlib.Market(redlib.Side(redlib.Uniform(), 2.0), redlib.Side(redlib.Uniform(), 1.0))
>>> redlib.optimal_mechanism(m, grid_size=200).instruments
'wedge'
>>> "lp_market" in dir(redlib), "market" in dir(redlib)
(False, False)
"""
from .allocation import (
    AllocationResult,
    Group,
    GroupAllocation,
    optimal_allocation,
    randomization_share,
    virtual_value,
)
from .distributions import ContinuousDistribution, Discrete, Distribution, Tabulated, Truncated, Uniform
from .envelope import Envelope, concave_envelope
from .market import CompetitiveEquilibrium, FiniteMarket, Market, Side, competitive_equilibrium
from .mechanism import (
    InequalityMap,
    MechanismResult,
    MechanismVerificationError,
    SideMechanism,
    classify_instruments,
    inequality_map,
    optimal_mechanism,
)
from .one_sided import (
    OneSidedResult,
    TwoPriceResult,
    optimal_buyer_price,
    optimal_buyer_two_prices,
    optimal_seller_price,
)
from .thresholds import buyer_rationing_interval, rationing_cutoff, seller_rationing_threshold
from .weights import (
    CRRAPopulation,
    JointWeights,
    SampleWeight,
    ShapeWeight,
    average_weight,
    crra_marginal_utility,
    crra_population,
    evaluate_weight,
    lognormal_sigma_from_shares,
    power_weight,
    sample_from_table,
    weights_from_joint,
    weights_from_samples,
    weights_from_wealth,
)

__version__ = "0.1.0"

__all__ = [
    # distributions
    "Distribution", "ContinuousDistribution", "Uniform", "Discrete", "Truncated", "Tabulated",
    # weights
    "evaluate_weight", "average_weight", "power_weight", "weights_from_joint", "weights_from_samples",
    "JointWeights", "SampleWeight", "crra_marginal_utility", "weights_from_wealth", "sample_from_table",
    "crra_population", "lognormal_sigma_from_shares", "CRRAPopulation", "ShapeWeight",
    # envelope
    "Envelope", "concave_envelope",
    # models
    "Side", "Market", "FiniteMarket", "Group",
    # solvers
    "competitive_equilibrium", "optimal_seller_price", "optimal_buyer_price",
    "optimal_buyer_two_prices", "optimal_mechanism", "classify_instruments", "inequality_map",
    "optimal_allocation", "virtual_value", "randomization_share",
    # closed forms
    "rationing_cutoff", "seller_rationing_threshold", "buyer_rationing_interval",
    # result types
    "CompetitiveEquilibrium", "OneSidedResult", "TwoPriceResult", "MechanismResult", "SideMechanism",
    "MechanismVerificationError", "InequalityMap", "GroupAllocation", "AllocationResult",
]


def __dir__():
    # the submodules are attributes of the package once imported; dir() shows the public API only
    return sorted(__all__ + ["__version__"])
