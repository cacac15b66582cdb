"""Reports of the numerical checks: :class:`CheckReport` and :class:`Counterexample`.

Examples
--------
>>> from redlib.propositions.reports import CheckReport
>>> CheckReport("demo", tried=2, passed=2).summary()
'demo: 2/2 instances passed'
"""
from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass, field
from typing import List, Optional

import numpy as np

__all__ = ["CheckReport", "Counterexample", "LP_RTOL", "PROB_TOL", "SHARED_PARAMETERS", "check_count",
           "numerical_check"]

LP_RTOL = 1e-7
#: probabilities closer than this to 0 or 1 count as 0 or 1
PROB_TOL = 1e-7


# ----------------------------------------------------------------------------------------------
# reports
# ----------------------------------------------------------------------------------------------
@dataclass(repr=False)
class Counterexample:
    """An instance violating one hypothesis of a result, in which the conclusion fails.

    Attributes
    ----------
    description : str
        The instance.
    violated : str
        Which hypothesis it violates.
    conclusion_fails : bool
        True if the conclusion indeed fails (checked numerically).
    evidence : str
        The numbers showing it.

    Examples
    --------
    >>> Counterexample("U[0,1]", "lam non-increasing", True, "p=0.4 beats p^C=0.2")
    Counterexample(violates 'lam non-increasing'; conclusion fails: True; p=0.4 beats p^C=0.2)
    """

    description: str
    violated: str
    conclusion_fails: bool
    evidence: str

    def __repr__(self) -> str:
        return (f"Counterexample(violates {self.violated!r}; conclusion fails: "
                f"{self.conclusion_fails}; {self.evidence})")


@dataclass(repr=False)
class CheckReport:
    """Outcome of one numerical check.

    Attributes
    ----------
    name : str
        The result's name (as on the slides).
    tried : int
        Instances that satisfied the hypotheses and were solved.
    passed : int
        Instances in which the conclusion held (and the LP referee confirmed the optimum).
    failures : list of str
        A description of every failing instance.
    counterexample : Counterexample or None
        An instance violating a hypothesis in which the conclusion fails.
    skipped : int
        Generated instances not counted because a hypothesis that concerns the *optimal
        mechanism* itself (Propositions 5, 7, 8) was not met.
    lp_gap : float
        Largest relative gap between solver and LP referee welfare over the instances (NaN if
        the check has no LP referee).
    notes : str
        What exactly was tested (grids, margins).

    Examples
    --------
    >>> rep = CheckReport("demo", tried=2, passed=2)
    >>> rep.ok
    True
    """

    name: str
    tried: int = 0
    passed: int = 0
    failures: List[str] = field(default_factory=list)
    counterexample: Optional[Counterexample] = None
    skipped: int = 0
    lp_gap: float = float("nan")
    notes: str = ""

    @property
    def ok(self) -> bool:
        """True if at least one instance was tried and all passed."""
        return self.tried > 0 and self.passed == self.tried and not self.failures

    def summary(self) -> str:
        """One line: name, tried/passed, LP gap.

        Returns
        -------
        str

        Examples
        --------
        >>> CheckReport("demo", tried=2, passed=2).summary()
        'demo: 2/2 instances passed'
        """
        s = f"{self.name}: {self.passed}/{self.tried} instances passed"
        if self.skipped:
            s += f" ({self.skipped} generated instances did not meet the hypotheses and were skipped)"
        if np.isfinite(self.lp_gap):
            s += f"; largest relative gap to the LP referee {self.lp_gap:.1e}"
        return s

    def __repr__(self) -> str:
        lines = [f"CheckReport({self.summary()}"]
        for f in self.failures[:5]:
            lines.append(f"  FAIL: {f}")
        if len(self.failures) > 5:
            lines.append(f"  ... {len(self.failures) - 5} more failures")
        if self.counterexample is not None:
            lines.append(f"  {self.counterexample!r}")
        return "\n".join(lines) + ")"

    def record(self, ok: bool, desc: str, why: str = "") -> None:
        """Count one instance: passed if ``ok``, else add ``desc: why`` to the failures.

        Parameters
        ----------
        ok : bool
        desc : str
            The instance.
        why : str, default ""
            What failed.

        Examples
        --------
        >>> rep = CheckReport("demo")
        >>> rep.record(False, "U[0,1]", "no rationing")
        >>> rep.tried, rep.failures
        (1, ['U[0,1]: no rationing'])
        """
        self.tried += 1
        if ok:
            self.passed += 1
        else:
            self.failures.append(f"{desc}: {why}")

    def add_gap(self, a: float, b: float) -> float:
        """Record the relative gap ``|a - b| / max(1, |b|)`` between a solver and the LP referee.

        Parameters
        ----------
        a, b : float
            Solver's and referee's optimal values.

        Returns
        -------
        float
            The gap (``inf`` if it is not finite, so a NaN can never pass).

        Examples
        --------
        >>> CheckReport("demo").add_gap(1.0, 1.0)
        0.0
        """
        g = abs(a - b) / max(1.0, abs(b))
        if not np.isfinite(g):  # a NaN welfare must fail "gap > LP_RTOL", not slip through it
            g = np.inf
        self.lp_gap = g if np.isnan(self.lp_gap) else max(self.lp_gap, g)
        return g


def check_count(name, value, minimum=0):
    """Validate an integer argument of a check (``n_instances``, ``seed``, grid sizes).

    Parameters
    ----------
    name : str
        Parameter name, used in the error message.
    value : int
        The value.
    minimum : int, default 0
        Smallest allowed value.

    Returns
    -------
    int

    Raises
    ------
    TypeError
        If ``value`` is not an integer (``bool`` is rejected).
    ValueError
        If ``value < minimum``.

    Examples
    --------
    >>> check_count("grid_size", 40, minimum=2)
    40
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


#: the parameters that checks and counterexamples share: name -> (type, smallest value, description)
SHARED_PARAMETERS = {
    "n_instances": ("int", 1, "Random instances to draw."),
    "seed": ("int or None", 0, "Seed of :func:`numpy.random.default_rng`: the same seed draws the same instances."),
    "grid_size": ("int", 2, "Types per continuous side or group (and quality levels of an allocation); "
                            "the conclusion is tested on this grid."),
    "lp_grid": ("int", 0, "Types per group of the comparison with the LP referee (0: skip it)."),
    "n_mechanisms": ("int", 1, "Random IC mechanisms per instance."),
}


def numerical_check(returns="CheckReport"):
    """Decorator of the checks and counterexamples: validate the shared parameters, document them.

    Every parameter named in :data:`SHARED_PARAMETERS` is validated with :func:`check_count`
    before the call (``seed=None`` is allowed).  The docstring's line ``{parameters}`` is replaced by
    its Parameters section (types, defaults from the signature and the shared descriptions) and
    a Returns section naming ``returns``: one text for what every check has in common.

    Parameters
    ----------
    returns : str, default "CheckReport"
        The type named in the Returns section.

    Returns
    -------
    callable
        The decorator.

    Examples
    --------
    >>> @numerical_check()
    ... def check_demo(n_instances=2, seed=0):
    ...     '''Demo.
    ...
    ...     {parameters}
    ...     '''
    ...     return CheckReport("demo", tried=n_instances, passed=n_instances)
    >>> check_demo(3).summary()
    'demo: 3/3 instances passed'
    >>> "n_instances : int, default 2" in check_demo.__doc__
    True
    >>> check_demo(0)
    Traceback (most recent call last):
    ...
    ValueError: n_instances must be >= 1, got 0
    """
    def decorate(fn):
        sig = inspect.signature(fn)
        shared = [name for name in sig.parameters if name in SHARED_PARAMETERS]
        unknown = [name for name in sig.parameters if name not in SHARED_PARAMETERS]
        if unknown:
            raise TypeError(f"{fn.__name__}: parameters {unknown} have no shared description")

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            bound = sig.bind(*args, **kwargs)
            for name in shared:
                value = bound.arguments.get(name)
                if name in bound.arguments and not (name == "seed" and value is None):
                    bound.arguments[name] = check_count(name, value, SHARED_PARAMETERS[name][1])
            return fn(*bound.args, **bound.kwargs)

        wrapper.__doc__ = _document(fn, sig, returns)
        return wrapper

    return decorate


def _document(fn, sig, returns):
    doc = fn.__doc__ or ""
    lines = doc.split("\n")
    marks = [i for i, line in enumerate(lines) if line.strip() == "{parameters}"]
    if len(marks) != 1:
        raise ValueError(f"{fn.__name__}: the docstring needs one line '{{parameters}}'")
    i = marks[0]
    pad = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
    out = []
    if sig.parameters:
        out += ["Parameters", "----------"]
        for name, par in sig.parameters.items():
            typ, minimum, text = SHARED_PARAMETERS[name]
            lo = "" if name == "seed" else f" (``>= {minimum}``)"
            out += [f"{name} : {typ}, default {par.default!r}", f"    {text}{lo}"]
        out.append("")
    out += ["Returns", "-------", returns]
    return "\n".join(lines[:i] + [pad + line if line else "" for line in out] + lines[i + 1:])
