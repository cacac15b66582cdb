"""Private input-validation helpers shared by every :mod:`redlib` module.

Every helper takes the *name* of the parameter it checks as its first argument, returns the
validated (converted) value, and raises an exception whose message names the parameter and the
problem: :class:`TypeError` for a value of the wrong type (``"grid_size must be an integer, got
float 2.5"``), :class:`ValueError` for a value of the right type that is out of range
(``"probs must sum to 1, got 0.9"``).  Solvers never return NaN silently: they
validate here first.

Examples
--------
>>> from redlib._validation import check_positive, check_probs
>>> check_positive("buyer_mass", 2)
2.0
>>> check_probs("probs", [0.5, 0.5])
array([0.5, 0.5])
>>> check_positive("buyer_mass", -1)
Traceback (most recent call last):
    ...
ValueError: buyer_mass must be > 0, got -1
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = [
    "check_real",
    "check_finite",
    "check_positive",
    "check_nonneg",
    "check_probability",
    "check_int",
    "check_bool",
    "check_interval",
    "check_finite_array",
    "check_nonneg_array",
    "check_sorted_unique",
    "check_probs",
    "check_same_shape",
    "check_one_per",
    "check_in",
    "check_callable",
    "check_instance",
    "as_weight_values",
]

PROB_ATOL = 1e-9
"""Tolerance of :func:`check_probs` on the sum of a probability vector."""


def _fmt(x):
    """Short printable form of a (possibly array) value for error messages."""
    try:
        arr = np.asarray(x)
        if arr.ndim == 0:
            return repr(x.item()) if isinstance(x, np.generic) else repr(x)
        if arr.size > 6:
            return f"array of shape {arr.shape}"
        return np.array2string(arr, separator=", ")
    except Exception:  # pragma: no cover - exotic objects
        return repr(x)


def check_real(name, x):
    """Convert a real scalar to ``float`` (NaN and infinities are allowed here).

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    x : object
        Value to check; must be a real number (``bool`` is rejected).

    Returns
    -------
    float

    Examples
    --------
    >>> check_real("x", 3)
    3.0
    """
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name} must be a real number, got a bool ({x!r})")
    if isinstance(x, np.ndarray) and x.ndim == 0:
        x = x[()]
    if not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__} {_fmt(x)}")
    return float(x)


def check_finite(name, x):
    """Check that ``x`` is a finite real scalar.

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    x : object
        Value to check.

    Returns
    -------
    float

    Examples
    --------
    >>> check_finite("price", 0.5)
    0.5
    """
    v = check_real(name, x)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v!r}")
    return v


def check_positive(name, x):
    """Check that ``x`` is a finite real number ``> 0``.

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    x : object
        Value to check.

    Returns
    -------
    float

    Examples
    --------
    >>> check_positive("buyer_mass", 1)
    1.0
    """
    v = check_finite(name, x)
    if not v > 0:
        raise ValueError(f"{name} must be > 0, got {_fmt(x)}")
    return v


def check_nonneg(name, x):
    """Check that ``x`` is a finite real number ``>= 0``.

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    x : object
        Value to check.

    Returns
    -------
    float

    Examples
    --------
    >>> check_nonneg("alpha", 0)
    0.0
    """
    v = check_finite(name, x)
    if not v >= 0:
        raise ValueError(f"{name} must be >= 0, got {_fmt(x)}")
    return v


def check_probability(name, x):
    """Check that ``x`` is a real number in ``[0, 1]``.

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    x : object
        Value to check.

    Returns
    -------
    float

    Examples
    --------
    >>> check_probability("Q", 0.25)
    0.25
    """
    v = check_finite(name, x)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {_fmt(x)}")
    return v


def check_int(name, n, minimum=1):
    """Check that ``n`` is an integer ``>= minimum``.

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    n : object
        Value to check (``bool`` and non-integral floats are rejected).
    minimum : int, default 1
        Smallest allowed value.

    Returns
    -------
    int

    Examples
    --------
    >>> check_int("grid_size", 100)
    100
    """
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(n).__name__} {_fmt(n)}")
    n = int(n)
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {n}")
    return n


def check_bool(name, x):
    """Check that ``x`` is ``True`` or ``False`` (a Python or NumPy bool).

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    x : object
        Value to check.

    Returns
    -------
    bool

    Examples
    --------
    >>> check_bool("lump_sum", True)
    True
    """
    if not isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {x!r}")
    return bool(x)


def check_interval(name, lo, hi):
    """Check that ``[lo, hi]`` is a finite, non-empty interval with ``lo < hi``.

    Parameters
    ----------
    name : str
        Name of the interval (e.g. ``"support"``) used in the error message.
    lo, hi : float
        End points.

    Returns
    -------
    (float, float)

    Examples
    --------
    >>> check_interval("support", 0, 1)
    (0.0, 1.0)
    >>> check_interval("support", 1, 0)
    Traceback (most recent call last):
        ...
    ValueError: support must satisfy lo < hi, got lo=1.0, hi=0.0
    """
    lo = check_finite(f"{name} lower end (lo)", lo)
    hi = check_finite(f"{name} upper end (hi)", hi)
    if not lo < hi:
        raise ValueError(f"{name} must satisfy lo < hi, got lo={lo!r}, hi={hi!r}")
    return lo, hi


def check_finite_array(name, a, ndim=1, min_size=1, allow_inf=False):
    """Convert ``a`` to a float ndarray and check it is finite.

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    a : array_like
        Values to check.
    ndim : int or None, default 1
        Required number of dimensions (``None``: any).
    min_size : int, default 1
        Minimal number of elements.
    allow_inf : bool, default False
        Allow ``+-inf`` (NaN is never allowed).

    Returns
    -------
    numpy.ndarray
        A float64 copy of ``a``.

    Examples
    --------
    >>> check_finite_array("values", [1, 2, 3])
    array([1., 2., 3.])
    """
    try:
        arr = np.array(a, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of real numbers, got {_fmt(a)}") from None
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    if arr.size < min_size:
        raise ValueError(f"{name} must have at least {min_size} element(s), got {arr.size}")
    if np.isnan(arr).any():
        raise ValueError(f"{name} must not contain NaN")
    if not allow_inf and np.isinf(arr).any():
        raise ValueError(f"{name} must be finite, got an infinite value")
    return arr


def check_nonneg_array(name, a, ndim=1, min_size=1):
    """Finite float array with all entries ``>= 0``.

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    a : array_like
        Values to check.
    ndim : int or None, default 1
        Required number of dimensions (``None``: any).
    min_size : int, default 1
        Minimal number of elements.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> check_nonneg_array("density", [0.0, 1.0])
    array([0., 1.])
    """
    arr = check_finite_array(name, a, ndim=ndim, min_size=min_size)
    if (arr < 0).any():
        raise ValueError(f"{name} must be >= 0, got minimum {float(arr.min())!r}")
    return arr


def check_sorted_unique(name, a, min_size=1):
    """Finite 1-D float array that is strictly increasing (sorted, no duplicates).

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    a : array_like
        Values to check.
    min_size : int, default 1
        Minimal number of elements.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> check_sorted_unique("values", [0.0, 0.5, 1.0])
    array([0. , 0.5, 1. ])
    >>> check_sorted_unique("values", [0.0, 0.0])
    Traceback (most recent call last):
        ...
    ValueError: values must be strictly increasing (sorted, no duplicates); values[1]=0.0 <= values[0]=0.0
    """
    arr = check_finite_array(name, a, ndim=1, min_size=min_size)
    d = np.diff(arr)
    bad = np.flatnonzero(d <= 0)
    if bad.size:
        k = int(bad[0])
        raise ValueError(
            f"{name} must be strictly increasing (sorted, no duplicates); "
            f"{name}[{k + 1}]={float(arr[k + 1])!r} <= {name}[{k}]={float(arr[k])!r}"
        )
    return arr


def check_probs(name, p, size=None, atol=PROB_ATOL):
    """Probability vector: finite, ``>= 0``, summing to 1 within ``atol``.

    The returned vector is renormalised to sum to 1 (up to rounding).

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    p : array_like
        Probabilities.
    size : int, optional
        Required length.
    atol : float, default 1e-9
        Tolerance on ``|sum(p) - 1|``.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> check_probs("probs", [0.25, 0.75])
    array([0.25, 0.75])
    >>> check_probs("probs", [0.5, 0.4])
    Traceback (most recent call last):
        ...
    ValueError: probs must sum to 1, got 0.9
    """
    arr = check_finite_array(name, p, ndim=1, min_size=1)
    if size is not None and arr.size != size:
        raise ValueError(f"{name} must have length {size}, got {arr.size}")
    if (arr < 0).any():
        k = int(np.flatnonzero(arr < 0)[0])
        raise ValueError(f"{name} must be >= 0, got {name}[{k}]={float(arr[k])!r}")
    s = float(arr.sum())
    if abs(s - 1.0) > atol:
        raise ValueError(f"{name} must sum to 1, got {s:.12g}")
    return arr / s


def check_same_shape(name_a, a, name_b, b):
    """Check that two arrays have the same shape.

    Parameters
    ----------
    name_a, name_b : str
        Parameter names used in the error message.
    a, b : numpy.ndarray
        Arrays to compare.

    Returns
    -------
    None

    Examples
    --------
    >>> import numpy as np
    >>> check_same_shape("x", np.zeros(2), "y", np.zeros(2))
    """
    if np.shape(a) != np.shape(b):
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, got {np.shape(a)} and {np.shape(b)}"
        )


def check_one_per(name, items, n, per):
    """Check that the sequence ``items`` has exactly ``n`` entries, one per ``per``.

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    items : iterable
        Sequence to check (consumed into a list).
    n : int
        Required number of entries.
    per : str
        What each entry corresponds to, e.g. ``"quantity"`` (used in the error message).

    Returns
    -------
    list

    Examples
    --------
    >>> check_one_per("labels", ("a", "b"), 2, "result")
    ['a', 'b']
    """
    items = list(items)
    if len(items) != n:
        raise ValueError(f"{name} must have one entry per {per} ({n}), got {len(items)}")
    return items


def check_in(name, x, options):
    """Check that ``x`` is one of ``options``.

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    x : object
        Value to check.
    options : iterable
        Allowed values.

    Returns
    -------
    object
        ``x`` itself.

    Examples
    --------
    >>> check_in("method", "binned", ("binned", "kernel"))
    'binned'
    """
    options = tuple(options)
    if x not in options:
        raise ValueError(f"{name} must be one of {options}, got {x!r}")
    return x


def check_callable(name, f):
    """Check that ``f`` is callable.

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    f : object
        Value to check.

    Returns
    -------
    callable

    Examples
    --------
    >>> check_callable("pdf", abs) is abs
    True
    """
    if not callable(f):
        raise TypeError(f"{name} must be callable, got {type(f).__name__}")
    return f


def check_instance(name, value, cls, what=None):
    """Check that ``value`` is an instance of ``cls`` (a class or a tuple of classes).

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    value : object
        Value to check.
    cls : type or tuple of type
        Accepted classes.
    what : str, optional
        How the error message names the expected type (default: the class names).

    Returns
    -------
    object
        ``value`` unchanged.

    Raises
    ------
    TypeError
        If ``value`` is not an instance of ``cls``.

    Examples
    --------
    >>> check_instance("n", 3, int)
    3
    >>> check_instance("n", "3", int, "an int")
    Traceback (most recent call last):
        ...
    TypeError: n must be an int, got str
    """
    if not isinstance(value, cls):
        if what is None:
            names = [c.__name__ for c in (cls if isinstance(cls, tuple) else (cls,))]
            what = "a " + " or ".join(names)
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")
    return value


def as_weight_values(name, values, shape):
    """Validate evaluated Pareto-weight values: finite, ``>= 0``, of the given shape.

    A 0-d result (a callable returning a constant) is broadcast to ``shape``.

    Parameters
    ----------
    name : str
        Parameter name used in the error message.
    values : array_like
        Weight values, e.g. ``lam(r)``.
    shape : tuple of int
        Required shape (that of ``r``).

    Returns
    -------
    numpy.ndarray
        Float array of shape ``shape``.

    Examples
    --------
    >>> as_weight_values("lam", [1.0, 2.0], (2,))
    array([1., 2.])
    """
    try:
        arr = np.array(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must return real numbers, got {_fmt(values)}") from None
    if arr.ndim == 0:
        arr = np.full(shape, float(arr))
    if arr.shape != tuple(shape):
        raise ValueError(
            f"{name} must return an array of the shape of its argument {tuple(shape)}, "
            f"got shape {arr.shape} (is it vectorized?)"
        )
    if np.isnan(arr).any():
        raise ValueError(f"{name} returned NaN")
    if np.isinf(arr).any():
        raise ValueError(f"{name} returned an infinite value")
    if (arr < 0).any():
        raise ValueError(f"{name} must be >= 0 (a Pareto weight), got minimum {float(arr.min())!r}")
    return arr
