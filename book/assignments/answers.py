"""Reference answers and hidden-test checks of the problem sets (autograder only: never shipped).

Every reference answer is recomputed with ``redlib`` for the student's own numbers
(:func:`variants.parameters`), so each student is graded against her own variant.

Tolerances and why (the solvers work on a finite grid of types)
-----------------------------------------------------------------
* Prices and quantities of a market or one-sided problem on ``[0, c]``: the solver replaces the
  distribution by ``n`` equal-mass cells, so it pins a price down to one cell, of width ``c / n``;
  the continuum answer (a closed form) and the solver's answer at its default ``n = 1000`` differ by at
  most one cell (``<= 1.6e-3`` here). The tolerance is **3e-3**: both pass, while different variants'
  answers differ by more (tested in ``tests/test_assignments.py``).
* Probabilities derived from a price (``x = Q / p``): the price tolerance propagated,
  ``Q / p^2 * 3e-3 < 0.01``: tolerance **0.01**.
* The two-price menu: its prices are pinned to a cell, its lottery probability moves by about
  ``1e-2`` between 1000 and 4000 cells: tolerances **5e-3** (prices), **0.02** (probability, cutoff).
* Welfare and lump sums are integrals of the prices: relative tolerance **5e-3** (welfare),
  absolute **2e-3** (lump sum, gain over competitive equilibrium).
* Allocation problems (chapter 4) are solved on 300 types per group, so regions end within a type
  of the continuum cutoff (``1/300`` of the range): tolerance **0.01** on quantiles, quality
  bounds and cutoffs, **3e-3** on revenue.
* Finite markets (problem set 5, question 2) are solved exactly: relative tolerance **1e-6**.
* A yes/no answer whose instance lies within 3 % of the boundary of its condition accepts both
  answers (the grid cannot decide it).
"""
from __future__ import annotations

import functools
import importlib.util
import math
import os
from pathlib import Path

import numpy as np

__all__ = ["QUESTIONS", "reference", "check", "student_id"]

_HERE = Path(__file__).resolve().parent

#: set -> question -> list of (variable, kind, tolerance); kind: "num", "rel", "bool", "int", "exact", "func"
QUESTIONS = {
    "ps1": {
        "q1": [("p_CE", "num", 3e-3)],
        "q2": [("Q_CE", "num", 3e-3)],
        "q3": [("W_CE", "rel", 5e-3)],
        "q4": [("ratio_A", "rel", 1e-3), ("ratio_B", "rel", 1e-3)],
        "q5": [("high_A", "bool", None), ("high_B", "bool", None)],
    },
    "ps2": {
        "q1": [("p_S", "num", 3e-3)],
        "q2": [("x_S", "num", 0.01)],
        "q3": [("p_B", "num", 3e-3)],
        "q4": [("p_high", "num", 5e-3), ("p_low", "num", 5e-3), ("delta", "num", 0.02),
               ("r_hat", "num", 0.02)],
    },
    "ps3": {
        "q1": [("Q", "num", 3e-3)],
        "q2": [("p_S", "num", 3e-3), ("p_B", "num", 3e-3)],
        "q3": [("lump_sum", "num", 2e-3)],
        "q4": [("instruments", "exact", None)],
        "q5": [("gain", "num", 2e-3)],
    },
    "ps4": {
        "q1": [("t_free", "num", 0.01)],
        "q2": [("r_free", "num", 0.01)],
        "q3": [("r_excl", "num", 0.01), ("revenue", "num", 3e-3)],
        "q4": [("q_low", "num", 0.01), ("q_high", "num", 0.01)],
    },
    "ps5": {
        "q1": [("is_high", "func", None)],
        "q2": [("n_prices", "int", None), ("welfare", "rel", 1e-6)],
        "q3": [("p_B", "num", 3e-3), ("x_B", "num", 0.01)],
        "q4": [("fully_random", "bool", None)],
    },
}


def _variants():
    """variants.py from this folder, loaded afresh (a notebook cannot swap it for another)."""
    spec = importlib.util.spec_from_file_location("_grader_variants", _HERE / "variants.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _ps1(p):
    from redlib import Market, Side, Uniform, competitive_equilibrium
    ce = competitive_equilibrium(Market(Side(Uniform(0.0, p["c"]), p["Lam_S"]),
                                        Side(Uniform(0.0, 1.0), 1.0), buyer_mass=p["mu"]),
                                 grid_size=4000)
    ratio_A, ratio_B = math.exp(p["sigma_A"] ** 2), math.exp(p["sigma_B"] ** 2)
    return {"p_CE": ce.price, "Q_CE": ce.quantity, "W_CE": ce.welfare,
            "ratio_A": ratio_A, "ratio_B": ratio_B, "high_A": ratio_A > 2, "high_B": ratio_B > 2}


def _ps2(p):
    from redlib import (Side, Uniform, optimal_buyer_price, optimal_buyer_two_prices,
                        optimal_seller_price, power_weight)
    sel = optimal_seller_price(Side(Uniform(), power_weight(p["Lam_S"], p["theta_S"])), p["Q"], 1.0)
    one = optimal_buyer_price(Side(Uniform(), power_weight(1.0, p["theta_B"])), p["Q_B"], 0.0)
    two = optimal_buyer_two_prices(Side(Uniform(), power_weight(1.0, p["theta_2"])), p["Q_2"], 0.0)
    r_hat = (two.p_high - two.delta * two.p_low) / (1 - two.delta)
    return {"p_S": sel.price, "x_S": sel.rationing, "p_B": one.price, "p_high": two.p_high,
            "p_low": two.p_low, "delta": two.delta, "r_hat": r_hat}


def ps3_markets(p):
    """The three markets of question 4 of ps3, by label."""
    from redlib import Market, Side, Uniform, power_weight
    return {
        "equal": Market(Side(Uniform(), p["Lam_eq"]), Side(Uniform(), p["Lam_eq"]),
                        buyer_mass=p["mu_eq"]),
        "poor sellers": Market(Side(Uniform(), p["Lam_rich"]), Side(Uniform(), 1.0),
                               buyer_mass=p["mu_rich"]),
        "unequal sellers": Market(Side(Uniform(), power_weight(1.0, p["theta_r"])),
                                  Side(Uniform(), 1.0), buyer_mass=p["mu_r"]),
    }


def _ps3(p):
    from redlib import Market, Side, Uniform, optimal_mechanism
    res = optimal_mechanism(Market(Side(Uniform(), p["Lam_S"]), Side(Uniform(), 1.0),
                                   buyer_mass=p["mu"]))
    markets = ps3_markets(p)
    return {"Q": res.quantity, "p_S": res.sellers.options[0][0], "p_B": res.buyers.options[0][0],
            "lump_sum": res.sellers.lump_sum, "gain": res.gain_over_ce,
            "instruments": [optimal_mechanism(markets[label]).instruments for label in p["order"]]}


def _ps4(p):
    from redlib import Group, Uniform, optimal_allocation
    from redlib.plotting.allocation import region_blocks
    grp = [Group("g", Uniform(p["r_lo"], p["r_lo"] + 1.0), weight=p["L"], mass=1.0)]
    free = optimal_allocation(grp, Uniform(0, 1), alpha=1.0, grid_size=300)["g"]
    (t0, t_free, kind), = [b for b in region_blocks(free) if b[2] == "free"]
    mono = optimal_allocation([Group("all", Uniform(0.0, p["b"]), weight=0.0, mass=1.0)],
                              Uniform(0, 1), alpha=1.0, grid_size=300)
    (_, ex_hi, _), (as_lo, _, _) = mono["all"].regions[:2]
    food = optimal_allocation([Group("eligible", Uniform(0.5, 1.0), weight=p["lam_e"], mass=p["m_e"]),
                               Group("general", Uniform(0.0, 2.0), weight=0.5, mass=1 - p["m_e"])],
                              Uniform(0, 1), alpha=1.0, grid_size=300)
    q_low, q_high = food["eligible"].quality_range
    return {"t_free": t_free, "r_free": p["r_lo"] + t_free, "r_excl": (ex_hi + as_lo) / 2,
            "revenue": mono.revenue, "q_low": q_low, "q_high": q_high}


def _ps5(p):
    from redlib import Group, Side, Uniform, optimal_allocation, optimal_buyer_price, optimal_mechanism
    res = optimal_mechanism(_variants().finite_market(p["market_seed"]))
    k = p["k"]
    one = optimal_buyer_price(Side(Uniform(), lambda r: (k + 1) * np.asarray(r, float) ** k), p["Q"], 0.0)
    lo, w, lam = p["r_lo_g"], p["w_g"], p["lam_g"]
    grp = [Group("g", Uniform(lo, lo + w), weight=lam, mass=1.0)]
    fully = optimal_allocation(grp, Uniform(0, 1), alpha=1.0, grid_size=200)["g"].is_fully_random
    margin = lam * (lo + lo + w) / 2 / (lo + w) - 1      # Proposition: alpha r_bar <= int r lam dG
    return {"is_high": None, "n_prices": int(res.n_prices), "welfare": res.welfare,
            "p_B": one.price, "x_B": one.rationing, "fully_random": None if abs(margin) < 0.03 else bool(fully)}


@functools.lru_cache(maxsize=64)
def _reference(set_name, sid):
    p = _variants().parameters(set_name, sid)
    return {"ps1": _ps1, "ps2": _ps2, "ps3": _ps3, "ps4": _ps4, "ps5": _ps5}[set_name](p)


def reference(set_name: str, sid: str) -> dict:
    """Reference answers (variable -> value) of one student's variant.

    Parameters
    ----------
    set_name : str
        ``"ps1"`` ... ``"ps5"``.
    sid : str
        The student ID.

    Returns
    -------
    dict
        A copy; ``None`` marks an answer that is not a single value (a function, or a yes/no
        question too close to its boundary, for which both answers are accepted).
    """
    if set_name not in QUESTIONS:
        raise ValueError(f"set_name must be one of {sorted(QUESTIONS)}, got {set_name!r}")
    return dict(_reference(set_name, _variants().normalise_id(sid)))


def student_id(env) -> str:
    """The ID to grade: the one the grading command read from the submission (environment variable
    ``REDLIB_ASSIGNMENT_ID``), else the notebook's ``STUDENT_ID``."""
    sid = os.environ.get("REDLIB_ASSIGNMENT_ID") or env.get("STUDENT_ID")
    if not isinstance(sid, str) or not sid.strip():
        raise AssertionError("no student ID: STUDENT_ID must be set to your ID (a string)")
    return sid


def _sides_for_is_high():
    from redlib import Discrete, Side, Uniform, power_weight
    cases = []
    for theta in (0.0, 0.5, 0.9, 1.1, 2.0, 4.0):
        cases.append((Side(Uniform(), power_weight(1.0, theta)), theta > 1))
        cases.append((Side(Uniform(0.5, 2.0), power_weight(2.0, theta, lo=0.5, hi=2.0)), theta > 1))
    cases.append((Side(Uniform(), 3.0), False))
    cases.append((Side(Discrete([0.1, 0.5, 0.9], [0.2, 0.3, 0.5]),
                       lambda r: np.interp(r, [0.1, 0.5, 0.9], [5.0, 1.0, 0.5])), True))
    cases.append((Side(Discrete([0.1, 0.5, 0.9], [0.2, 0.3, 0.5]),
                       lambda r: np.interp(r, [0.1, 0.5, 0.9], [1.5, 1.0, 0.5])), False))
    return cases


def _is_number(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, (bool, np.bool_))


def check(set_name: str, question: str, env: dict) -> None:
    """Hidden test: compare the answers of ``question`` in ``env`` with the reference.

    Raises
    ------
    AssertionError
        With a message that names the variable but not the right value.
    """
    sid = student_id(env)
    ref = reference(set_name, sid)
    for name, kind, tol in QUESTIONS[set_name][question]:
        if name not in env:
            raise AssertionError(f"{name} is not defined")
        got = env[name]
        want = ref[name]
        if kind == "func":
            if not callable(got):
                raise AssertionError(f"{name} must be a function")
            for side, expected in _sides_for_is_high():
                try:
                    answer = got(side)
                except Exception as exc:  # noqa: BLE001 - a student's function may raise anything
                    raise AssertionError(f"{name} raised {type(exc).__name__} on a hidden test side")
                if bool(answer) != expected or not isinstance(answer, (bool, np.bool_)):
                    raise AssertionError(f"{name} gives a wrong answer on a hidden test side")
            continue
        if want is None:
            continue                       # too close to call on the grid: both answers accepted
        if kind in ("num", "rel"):
            if not _is_number(got) or not math.isfinite(float(got)):
                raise AssertionError(f"{name} must be a finite number")
            err = abs(float(got) - float(want))
            if kind == "rel":
                err /= abs(float(want))
            if not err <= tol:
                raise AssertionError(f"{name} is not the right value for your parameters")
        elif kind == "int":
            if not _is_number(got) or float(got) != int(want):
                raise AssertionError(f"{name} is not the right value for your parameters")
        elif kind == "bool":
            if not isinstance(got, (bool, np.bool_)) or bool(got) != want:
                raise AssertionError(f"{name} is not the right answer for your parameters")
        elif kind == "exact":
            if not isinstance(got, (list, tuple)) or list(got) != list(want):
                raise AssertionError(f"{name} is not the right answer for your parameters")
