"""Per-student variants of the problem sets: the student ID decides every number.

Shipped with each student notebook (otter ``files``). It contains the *ranges* from which the
numbers are drawn and nothing about the answers.

The rule (stable across machines, Python and NumPy versions):

1. the ID is normalised: surrounding whitespace removed, letters lower-cased;
2. ``sha256("redlib-assignments/v1/<set>/<id>")`` is computed and its first 8 bytes, read as a
   big-endian unsigned integer, are the seed;
3. the seed starts a ``numpy.random.Generator(PCG64(seed))`` and the parameters of the set are
   drawn from it, in the fixed order of :data:`RANGES`, uniformly on each range (less the gaps of
   :data:`GAPS`), and rounded to two decimals (the rounded numbers are the ones the student sees
   and the grader uses);
4. a few sets then shuffle the order of a list (drawn with the same generator).

PCG64 and ``Generator.uniform`` / ``Generator.permutation`` are covered by NumPy's stream-stability
policy, so the same ID gives the same numbers everywhere. Each range keeps its question's meaning
(for example, seller same-side inequality stays *high* where the question needs rationing).

Examples
--------
>>> p = parameters("ps1", "s1234567")
>>> p == parameters("ps1", " S1234567 ")
True
>>> p == parameters("ps1", "s7654321")
False
"""
from __future__ import annotations

import hashlib

import numpy as np

__all__ = ["SETS", "RANGES", "GAPS", "normalise_id", "seed", "parameters", "show", "finite_market"]

#: problem sets: name -> title
SETS = {
    "ps1": "The model",
    "ps2": "One-sided prices",
    "ps3": "Linking the sides",
    "ps4": "Labels and quality",
    "ps5": "Propositions",
}

#: for every set, (name, low, high, meaning) in drawing order
RANGES = {
    "ps1": [
        ("c", 0.60, 1.60, "sellers' rates of substitution are uniform on [0, c]"),
        ("mu", 0.50, 2.00, "mass of buyers (buyers uniform on [0, 1])"),
        ("Lam_S", 1.20, 4.00, "sellers' constant Pareto weight (buyers' weight is 1)"),
        ("sigma_A", 0.30, 1.40, "log standard deviation of v^M in population A"),
        ("sigma_B", 0.30, 1.40, "log standard deviation of v^M in population B"),
    ],
    "ps2": [
        ("theta_S", 2.00, 4.00, "sellers' weight lam_theta with theta = theta_S (high inequality)"),
        ("Lam_S", 0.50, 2.00, "sellers' average weight"),
        ("Q", 0.05, 0.20, "quantity the designer buys from sellers (budget R = 1)"),
        ("theta_B", 0.50, 4.00, "buyers' weight lam_theta for the single buyer price"),
        ("Q_B", 0.20, 0.80, "quantity sold with a single buyer price (R = 0)"),
        ("theta_2", 2.50, 5.00, "buyers' weight lam_theta for the two-price menu"),
        ("Q_2", 0.85, 0.95, "quantity sold with the two-price menu (R = 0)"),
    ],
    "ps3": [
        ("Lam_S", 1.30, 4.00, "sellers' constant weight in the wedge market (buyers' weight 1)"),
        ("mu", 0.50, 2.00, "buyer mass in the wedge market"),
        ("Lam_eq", 0.50, 2.00, "common constant weight of both sides in market 'equal'"),
        ("mu_eq", 0.50, 2.00, "buyer mass in market 'equal'"),
        ("Lam_rich", 1.50, 3.00, "sellers' constant weight in market 'poor sellers'"),
        ("mu_rich", 0.50, 2.00, "buyer mass in market 'poor sellers'"),
        ("theta_r", 3.00, 5.00, "sellers' theta in market 'unequal sellers' (weights average 1)"),
        ("mu_r", 0.05, 0.15, "buyer mass in market 'unequal sellers'"),
    ],
    "ps4": [
        ("L", 1.10, 1.40, "constant Pareto weight of the essential group (alpha = 1)"),
        ("r_lo", 0.20, 0.60, "the group's willingness to pay is uniform on [r_lo, r_lo + 1]"),
        ("b", 0.60, 2.00, "monopoly: willingness to pay uniform on [0, b]"),
        ("m_e", 0.20, 0.40, "mass of the eligible group (food assistance)"),
        ("lam_e", 1.40, 1.80, "constant Pareto weight of the eligible group"),
    ],
    "ps5": [
        ("k", 2.50, 8.00, "buyers' weight (k + 1) r^k, increasing in r"),
        ("Q", 0.05, 0.25, "quantity sold to those buyers (R = 0)"),
        ("lam_g", 1.10, 1.90, "constant Pareto weight of the group in question 4"),
        ("r_lo_g", 0.20, 1.00, "its willingness to pay is uniform on [r_lo_g, r_lo_g + w_g]"),
        ("w_g", 0.30, 2.00, "width of that interval (alpha = 1)"),
        ("market_seed", 0, 10 ** 6, "seed of the random finite market of question 2 (integer)"),
    ],
}

#: values left out of a range, (set, name) -> (gap_lo, gap_hi): the draw is uniform on the rest, so
#: that a yes/no question is not decided too close to its threshold
GAPS = {("ps1", "sigma_A"): (0.70, 0.95), ("ps1", "sigma_B"): (0.70, 0.95)}

_ORDERS = {"ps3": ["equal", "poor sellers", "unequal sellers"]}


def normalise_id(student_id) -> str:
    """The student ID as used by the hash: stripped and lower-cased.

    Parameters
    ----------
    student_id : str
        The ID, as typed in the notebook.

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``student_id`` is not a string (for example the placeholder ``...``).
    ValueError
        If it is empty.

    Examples
    --------
    >>> normalise_id("  AB12 ")
    'ab12'
    """
    if student_id is Ellipsis:
        raise TypeError("STUDENT_ID is still `...`: replace it by your student ID, in quotes, "
                        'e.g. STUDENT_ID = "s1234567"')
    if not isinstance(student_id, str):
        raise TypeError(f"STUDENT_ID must be a string in quotes, not {type(student_id).__name__}")
    sid = student_id.strip().lower()
    if not sid:
        raise ValueError("STUDENT_ID is empty: type your student ID between the quotes")
    return sid


def seed(set_name: str, student_id: str) -> int:
    """The 64-bit seed of one student's variant of one set (first 8 bytes of a sha256).

    Parameters
    ----------
    set_name : str
        One of :data:`SETS`.
    student_id : str
        The student's ID.

    Returns
    -------
    int

    Examples
    --------
    >>> seed("ps1", "s1") == seed("ps1", "S1")
    True
    """
    if set_name not in SETS:
        raise ValueError(f"set_name must be one of {sorted(SETS)}, got {set_name!r}")
    digest = hashlib.sha256(f"redlib-assignments/v1/{set_name}/{normalise_id(student_id)}"
                            .encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


def parameters(set_name: str, student_id: str) -> dict:
    """The numbers of one student's variant of a problem set.

    Parameters
    ----------
    set_name : str
        One of :data:`SETS`.
    student_id : str
        The student's ID.

    Returns
    -------
    dict
        Parameter name -> value (floats rounded to two decimals; ``ps3`` also has ``order``, the
        order in which its three markets are listed).

    Examples
    --------
    >>> p = parameters("ps2", "s1")
    >>> 2.0 <= p["theta_S"] <= 4.0
    True
    """
    rng = np.random.Generator(np.random.PCG64(seed(set_name, student_id)))
    out = {}
    for name, lo, hi, _ in RANGES[set_name]:
        gap = GAPS.get((set_name, name))
        if gap is None:
            x = rng.uniform(lo, hi)
        else:
            x = rng.uniform(lo, hi - (gap[1] - gap[0]))
            x = x + (gap[1] - gap[0]) if x > gap[0] else x
        out[name] = int(x) if isinstance(lo, int) and isinstance(hi, int) else round(float(x), 2)
    if set_name in _ORDERS:
        labels = _ORDERS[set_name]
        out["order"] = [labels[i] for i in rng.permutation(len(labels))]
    return out


def show(set_name: str, student_id: str) -> None:
    """Print the student's numbers with their meaning.

    Parameters
    ----------
    set_name : str
        One of :data:`SETS`.
    student_id : str
        The student's ID.

    Examples
    --------
    >>> show("ps1", "s1")  # doctest: +ELLIPSIS
    Problem set ps1 (The model), variant of student s1
    ...
    """
    p = parameters(set_name, student_id)
    print(f"Problem set {set_name} ({SETS[set_name]}), variant of student {normalise_id(student_id)}")
    for name, _, _, meaning in RANGES[set_name]:
        print(f"  {name:>12} = {p[name]:<8g} {meaning}")
    if "order" in p:
        print(f"  {'order':>12} = {p['order']}")


def finite_market(market_seed: int):
    """The random finite market of problem set 5, question 2 (2 to 5 types per side).

    Parameters
    ----------
    market_seed : int
        ``parameters("ps5", ID)["market_seed"]``.

    Returns
    -------
    redlib.Market
        Sellers and buyers with random values on a grid of 0.05, random probabilities, random
        piecewise-linear Pareto weights, and a random buyer mass in [0.5, 2].

    Examples
    --------
    >>> m = finite_market(7)
    >>> 2 <= len(m.sellers.dist.values) <= 5
    True
    """
    from redlib import Discrete, Market, Side
    if isinstance(market_seed, bool) or not isinstance(market_seed, (int, np.integer)):
        raise TypeError(f"market_seed must be an integer, got {type(market_seed).__name__}")
    rng = np.random.Generator(np.random.PCG64(int(market_seed)))

    def side():
        n = int(rng.integers(2, 6))
        values = np.sort(rng.choice(np.arange(1, 40), size=n, replace=False)) / 20
        weights = np.round(rng.uniform(0.2, 3.0, size=n), 2)
        probs = rng.dirichlet(np.ones(n))
        return Side(Discrete(values, probs), lambda r, v=values, w=weights: np.interp(r, v, w))

    sellers, buyers = side(), side()
    return Market(sellers, buyers, buyer_mass=round(float(rng.uniform(0.5, 2.0)), 2))
