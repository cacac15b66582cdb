"""Brute-force linear programs on finite types: the referees every solver is checked against.

They know nothing of concave envelopes, virtual values or ironing: variables are allocations and
transfers per type, constraints are all pairwise incentive compatibility, individual rationality,
feasibility and the budget, solved with HiGHS through :func:`scipy.optimize.linprog`.
"""
from . import allocation as _allocation
from . import market as _market
from .allocation import *  # noqa: F401,F403
from .market import *  # noqa: F401,F403

__all__ = list(_market.__all__) + list(_allocation.__all__)
