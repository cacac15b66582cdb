"""redlib: exact solvers for redistributive market design.

Two models, following Dworczak, Kominers and Akbarpour (2021) and Akbarpour, Dworczak and
Kominers (2024):

* a two-sided market for an indivisible good in which agents differ in their value for money
  (:func:`optimal_mechanism`, :func:`competitive_equilibrium`, the one-sided problems);
* the allocation of objects of heterogeneous quality to labelled agents
  (:func:`optimal_allocation`).

Every solver is exact on finite types and is checked against a brute-force linear program that
knows nothing of concave envelopes or virtual values (:mod:`redlib.referee`).
"""
from .distributions import *  # noqa: F401,F403
from .weights import *  # noqa: F401,F403
from .envelope import *  # noqa: F401,F403
from .market import *  # noqa: F401,F403
from .one_sided import *  # noqa: F401,F403
from .mechanism import *  # noqa: F401,F403
from .allocation import *  # noqa: F401,F403
from .referee import *  # noqa: F401,F403

__version__ = "0.1.0"
