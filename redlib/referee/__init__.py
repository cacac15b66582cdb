"""Brute-force linear programs on finite types: the referees every solver is checked against.

They know nothing of concave envelopes, virtual values or ironing: variables are allocations and
transfers per type, constraints are all pairwise incentive compatibility, individual rationality,
feasibility and the budget, solved with HiGHS through :func:`scipy.optimize.linprog`.
"""
from .allocation import LPAllocationResult, lp_allocation
from .market import LPMarketResult, lp_market

__all__ = ["lp_market", "LPMarketResult", "lp_allocation", "LPAllocationResult"]
