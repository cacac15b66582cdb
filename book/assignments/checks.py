"""Public checks of the problem sets: immediate feedback in words, never the answer.

Shipped with the student notebooks; ``grader.check("q1")`` runs :func:`public` for that question.
Each check looks at what can be judged without knowing the answer: the type of the value, its
sign, the feasible range, and whether the student's answers agree with each other (market
clearing, budget balance, incentive compatibility of a menu). The values themselves are checked
by hidden tests when the notebook is graded.

Examples
--------
>>> public("ps1", "q1", {"STUDENT_ID": "s1", "p_CE": "0.5"})
Traceback (most recent call last):
...
AssertionError: p_CE must be a number (int or float), not str: write p_CE = 0.5, without quotes
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["public", "INSTRUMENTS"]

#: the names of the instruments, as ``redlib.MechanismResult.instruments`` spells them
INSTRUMENTS = ("competitive", "wedge", "rationing", "wedge+rationing")


def _params(set_name, env):
    import variants
    return variants.parameters(set_name, env.get("STUDENT_ID"))


def _value(env, name):
    if name not in env:
        raise AssertionError(f"{name} is not defined: run the cell in which you assign it")
    v = env[name]
    if v is Ellipsis:
        raise AssertionError(f"{name} is still `...`: replace the ... by your answer")
    return v


def _number(env, name, lo=None, hi=None, why_lo="", why_hi=""):
    v = _value(env, name)
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
        hint = f": write {name} = 0.5, without quotes" if isinstance(v, str) else ""
        raise AssertionError(f"{name} must be a number (int or float), not {type(v).__name__}{hint}")
    v = float(v)
    if not math.isfinite(v):
        raise AssertionError(f"{name} = {v} is not a finite number")
    if lo is not None and v < lo:
        raise AssertionError(f"{name} = {v:.4g} is below {lo:.4g}, outside the feasible range"
                             + (f": {why_lo}" if why_lo else ""))
    if hi is not None and v > hi:
        raise AssertionError(f"{name} = {v:.4g} is above {hi:.4g}, outside the feasible range"
                             + (f": {why_hi}" if why_hi else ""))
    return v


def _boolean(env, name):
    v = _value(env, name)
    if not isinstance(v, (bool, np.bool_)):
        raise AssertionError(f"{name} must be True or False (a bool), not {type(v).__name__}")
    return bool(v)


def _defined(env, *names):
    return all(n in env and env[n] is not Ellipsis for n in names)


# --- problem set 1 ---------------------------------------------------------------------------
def _ps1(q, p, env):
    c, mu, Lam_S = p["c"], p["mu"], p["Lam_S"]
    if q == "q1":
        _number(env, "p_CE", 0.0, min(c, 1.0), "a negative price sells nothing",
                "at such a price every seller wants to sell or no buyer wants to buy")
    elif q == "q2":
        Q = _number(env, "Q_CE", 0.0, min(1.0, mu), "a quantity cannot be negative",
                    "no more than the unit mass of sellers, or the mass mu of buyers, can trade")
        if _defined(env, "p_CE") and isinstance(env["p_CE"], (int, float)):
            supply = min(max(float(env["p_CE"]) / c, 0.0), 1.0)
            if abs(Q - supply) > 5e-3:
                raise AssertionError(f"Q_CE = {Q:.4g} is not the supply at your price p_CE: in a "
                                     "competitive equilibrium the quantity is G_S(p_CE)")
    elif q == "q3":
        _number(env, "W_CE", 0.0, Lam_S * c / 2 + mu / 2,
                "every agent who trades gains, so welfare cannot be negative",
                "that is more than all the gains from trade there are, weighted")
    elif q == "q4":
        for name in ("ratio_A", "ratio_B"):
            _number(env, name, 1.0, None,
                    "lam(0) / Lam = E[(v^M)^2] / E[v^M]^2 is at least 1 (Jensen's inequality)")
    elif q == "q5":
        for x in "AB":
            high = _boolean(env, f"high_{x}")
            if _defined(env, f"ratio_{x}") and isinstance(env[f"ratio_{x}"], (int, float)):
                if high != (float(env[f"ratio_{x}"]) > 2):
                    raise AssertionError(f"high_{x} disagrees with your ratio_{x}: same-side "
                                         "inequality is high exactly when lam(0) > 2 Lam")


# --- problem set 2 ---------------------------------------------------------------------------
def _ps2(q, p, env):
    if q == "q1":
        Q = p["Q"]
        _number(env, "p_S", Q, 1.0,
                f"at a price below the competitive price only G_S(p) = p < Q = {Q} sellers are "
                "willing to sell, so the designer cannot buy Q units",
                "every seller is willing at price 1 already; a higher price only costs money")
    elif q == "q2":
        x = _number(env, "x_S", 0.0, 1.0, "a probability", "a probability")
        if x == 0:
            raise AssertionError("x_S = 0: then nobody sells, but the designer buys Q > 0 units")
        if _defined(env, "p_S") and isinstance(env["p_S"], (int, float)) and env["p_S"] > 0:
            implied = p["Q"] / min(float(env["p_S"]), 1.0)
            if abs(x - implied) > 0.01:
                raise AssertionError(
                    f"x_S = {x:.4g} does not match your price: at p_S = {float(env['p_S']):.4g}, "
                    f"G_S(p_S) sellers are willing and Q = {p['Q']} are bought, so each willing "
                    "seller sells with probability Q / G_S(p_S)")
    elif q == "q3":
        pB = _number(env, "p_B", 0.0, 1.0, "a negative price gives money away with the good",
                     "no buyer values the good above 1")
        if 1 - pB < p["Q_B"] - 1e-9:
            raise AssertionError(f"at your price only 1 - G_B(p_B) = {1 - pB:.4g} buyers want to "
                                 f"buy, fewer than Q_B = {p['Q_B']}")
    elif q == "q4":
        pH = _number(env, "p_high", 0.0, 1.0)
        pL = _number(env, "p_low", 0.0, 1.0)
        d = _number(env, "delta", 0.0, 1.0, "a probability", "a probability")
        r = _number(env, "r_hat", 0.0, 1.0, "a type", "a type")
        if pL > pH:
            raise AssertionError("p_low must not exceed p_high: otherwise every buyer prefers the "
                                 "sure option and the lottery sells nothing")
        if d >= 1:
            raise AssertionError("delta must be below 1: with delta = 1 the cheap option dominates "
                                 "the sure one and nobody pays p_high")
        sure, lottery = r - pH, d * (r - pL)
        if abs(sure - lottery) > 0.01:
            prefers = "the sure option" if sure > lottery else "the lottery"
            raise AssertionError(
                f"your menu is not incentive compatible for type r = {r:.3f}: as the cutoff type it "
                f"must be indifferent, but it gets {sure:.4f} from the sure option and {lottery:.4f} "
                f"from the lottery, so it strictly prefers {prefers}")
        sold = (1 - r) + d * (r - pL)
        if abs(sold - p["Q_2"]) > 0.02:
            raise AssertionError(f"your menu sells (1 - r_hat) + delta (r_hat - p_low) = {sold:.4f} "
                                 f"units, not Q_2 = {p['Q_2']}")


# --- problem set 3 ---------------------------------------------------------------------------
def _ps3(q, p, env):
    mu = p["mu"]
    if q == "q1":
        _number(env, "Q", 0.0, min(1.0, mu), "a quantity cannot be negative",
                "no more than the unit mass of sellers or the mass mu of buyers can trade")
    elif q == "q2":
        pS = _number(env, "p_S", 0.0, 1.0)
        pB = _number(env, "p_B", 0.0, 1.0)
        if pB < pS:
            raise AssertionError("p_B < p_S: buyers would pay less than sellers receive, a deficit")
        supply, demand = pS, mu * (1 - pB)
        if abs(supply - demand) > 0.01:
            raise AssertionError(f"the market does not clear at your prices: G_S(p_S) = {supply:.4f} "
                                 f"sellers want to sell but mu (1 - G_B(p_B)) = {demand:.4f} units "
                                 "are demanded")
    elif q == "q3":
        ls = _number(env, "lump_sum", 0.0, None, "a lump sum is a payment to the agents")
        if _defined(env, "Q", "p_S", "p_B") and all(
                isinstance(env[n], (int, float)) for n in ("Q", "p_S", "p_B")):
            revenue = float(env["Q"]) * (float(env["p_B"]) - float(env["p_S"]))
            if abs(ls - revenue) > 2e-3:
                raise AssertionError("budget balance: your lump_sum is not the revenue of your "
                                     "prices, Q (p_B - p_S), which is all paid out to the sellers")
    elif q == "q4":
        v = _value(env, "instruments")
        if not isinstance(v, (list, tuple)) or len(v) != 3:
            raise AssertionError("instruments must be a list of three strings, one per market, "
                                 "in the order of the table")
        for s in v:
            if s not in INSTRUMENTS:
                raise AssertionError(f"{s!r} is not one of {list(INSTRUMENTS)}")
    elif q == "q5":
        _number(env, "gain", 0.0, None, "the competitive equilibrium is a feasible mechanism, so "
                "the optimum is at least as good")


# --- problem set 4 ---------------------------------------------------------------------------
def _ps4(q, p, env):
    if q == "q1":
        _number(env, "t_free", 0.0, 1.0, "a quantile", "a quantile")
        if env["t_free"] == 0:
            raise AssertionError("t_free = 0 means no free tier, but the atom of Psi at t = 0 is "
                                 "positive here (lambda_bar > alpha and the good is essential)")
    elif q == "q2":
        r = _number(env, "r_free", p["r_lo"], p["r_lo"] + 1.0, "below the lowest type",
                    "above the highest type")
        if _defined(env, "t_free") and isinstance(env["t_free"], (int, float)):
            if abs(r - (p["r_lo"] + float(env["t_free"]))) > 0.01:
                raise AssertionError("r_free disagrees with your t_free: with G uniform on "
                                     "[r_lo, r_lo + 1] the type at quantile t is r_lo + t")
    elif q == "q3":
        b = p["b"]
        _number(env, "r_excl", 0.0, b, "below the lowest type", "above the highest type")
        _number(env, "revenue", 0.0, b, "payments are non-negative",
                "no type pays more than its value for the best quality, b")
    elif q == "q4":
        lo = _number(env, "q_low", 0.0, 1.0, "qualities are in [0, 1]", "qualities are in [0, 1]")
        hi = _number(env, "q_high", 0.0, 1.0, "qualities are in [0, 1]", "qualities are in [0, 1]")
        if hi < lo:
            raise AssertionError("q_high < q_low: give the interval as (lower end, upper end)")
        if abs((hi - lo) - p["m_e"]) > 0.01:
            raise AssertionError(f"the interval [q_low, q_high] has length {hi - lo:.4f}, but the "
                                 f"eligible group has mass m_e = {p['m_e']} and gets every quality "
                                 "in it (qualities are uniform)")


# --- problem set 5 ---------------------------------------------------------------------------
def _ps5(q, p, env):
    if q == "q1":
        f = _value(env, "is_high")
        if not callable(f):
            raise AssertionError("is_high must be a function of a redlib Side")
        from redlib import Side, Uniform, power_weight
        try:
            out = f(Side(Uniform(), power_weight(1.0, 0.5)))
        except Exception as exc:  # noqa: BLE001 - show the student's error in words
            raise AssertionError(f"is_high(side) raised {type(exc).__name__}: {exc}")
        if not isinstance(out, (bool, np.bool_)):
            raise AssertionError(f"is_high must return True or False (a bool), not "
                                 f"{type(out).__name__}")
    elif q == "q2":
        n = _value(env, "n_prices")
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
            raise AssertionError(f"n_prices must be an integer, not {type(n).__name__}")
        if not 1 <= n <= 4:
            raise AssertionError(f"n_prices = {n}: an optimal mechanism with at most four prices "
                                 "exists, and this market trades, so it posts at least one")
        w = _number(env, "welfare")
        import variants
        from redlib import competitive_equilibrium
        ce = competitive_equilibrium(variants.finite_market(p["market_seed"])).welfare
        if w < ce - 1e-9:
            raise AssertionError(f"welfare = {w:.6f} is below the competitive equilibrium's "
                                 f"{ce:.6f}, which is a feasible mechanism")
    elif q == "q3":
        pB = _number(env, "p_B", 0.0, 1.0)
        if 1 - pB < p["Q"] - 1e-9:
            raise AssertionError(f"at your price only 1 - G_B(p_B) = {1 - pB:.4g} buyers are "
                                 f"willing, fewer than Q = {p['Q']}")
        x = _number(env, "x_B", 0.0, 1.0, "a probability", "a probability")
        implied = p["Q"] / (1 - pB) if pB < 1 else 1.0
        if abs(x - implied) > 0.01:
            raise AssertionError(f"x_B does not match your price: 1 - G_B(p_B) buyers are willing "
                                 f"and Q = {p['Q']} buy, each with the same probability")
    elif q == "q4":
        _boolean(env, "fully_random")


_SETS = {"ps1": _ps1, "ps2": _ps2, "ps3": _ps3, "ps4": _ps4, "ps5": _ps5}


def public(set_name: str, question: str, env: dict) -> None:
    """Run the public check of one question against a notebook's variables.

    Parameters
    ----------
    set_name : str
        ``"ps1"`` ... ``"ps5"``.
    question : str
        ``"q1"``, ``"q2"``, ...
    env : dict
        The notebook's global variables.

    Raises
    ------
    AssertionError
        Saying, in words, what is wrong.
    """
    if set_name not in _SETS:
        raise ValueError(f"set_name must be one of {sorted(_SETS)}, got {set_name!r}")
    try:
        p = _params(set_name, env)
    except (TypeError, ValueError) as exc:
        raise AssertionError(str(exc)) from None
    _SETS[set_name](question, p, env)
