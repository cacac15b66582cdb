r"""Upper concave envelope (concave closure) of points on a sorted grid.

The concave closure ``co(φ)`` is the smallest concave function above ``φ``.  Both papers reduce the
design problem to it: in DKA the optimal quantity solves ``max μ co(φ_B)(Q/μ) + co(φ_S)(Q)`` and a
linear piece of a closure is a lottery between two prices (the book's chapter 3); in ADK a linear piece of
``co(Ψ_i)`` is a block of pooled (randomly matched) types (chapter 4, "Within a group").

On points ``(x_k, y_k)`` with ``x`` strictly increasing, the envelope is the piecewise-linear
function through the vertices of the upper convex hull, computed in linear time by Andrew's
monotone chain :cite:`andrew1979another`.

Examples
--------
>>> import numpy as np
>>> from redlib.envelope import concave_envelope
>>> x = np.array([0.0, 1.0, 2.0, 3.0])
>>> env = concave_envelope(x, np.array([0.0, -1.0, 1.0, 1.0]))
>>> env.vertices
array([0, 2, 3])
>>> env.values
array([0. , 0.5, 1. , 1. ])
>>> env.split(1.0)            # hull(1) = 1/2 * y(0) + 1/2 * y(2)
(0.0, 2.0, 0.5)
"""
from __future__ import annotations

import numpy as np

from ._validation import check_finite, check_finite_array, check_sorted_unique

__all__ = ["Envelope", "concave_envelope"]

COLLINEAR_RTOL = 1e-12
"""Default relative tolerance below which three points count as collinear."""


class Envelope:
    """Upper concave envelope of points ``(x_k, y_k)``; returned by :func:`concave_envelope`.

    Attributes
    ----------
    x, y : numpy.ndarray
        The input points (read-only copies).
    vertices : numpy.ndarray of int
        Indices of the hull's corner points (extreme points), increasing; always contains ``0``
        and ``len(x) - 1``.  Points lying on a linear piece of the hull (collinear with its ends)
        are not vertices; :attr:`touches` lists every point where the hull meets ``y``.
    values : numpy.ndarray
        The hull at every ``x_k`` (``>= y_k``; equal at vertices).
    slopes : numpy.ndarray
        Slope of the hull on each interval ``[x_k, x_{k+1}]`` (length ``len(x) - 1``),
        non-increasing.
    touches : numpy.ndarray of bool
        ``values <= y`` up to the collinearity tolerance: the hull touches the points.
    pieces : list of (int, int, float)
        ``(i, j, slope)`` for each linear piece of the hull between consecutive vertices
        ``x_i`` and ``x_j``.

    Examples
    --------
    >>> env = concave_envelope([0.0, 1.0, 2.0], [0.0, 0.0, 1.0])     # convex: hull = chord
    >>> env.vertices, env.values, env.slopes
    (array([0, 2]), array([0. , 0.5, 1. ]), array([0.5, 0.5]))
    >>> float(env(1.5))
    0.75
    """

    def __init__(self, x, y, vertices, rtol=COLLINEAR_RTOL):
        self.x = x
        self.y = y
        self.vertices = np.asarray(vertices, dtype=int)
        self.rtol = rtol
        for a in (self.x, self.y, self.vertices):
            a.setflags(write=False)
        vx, vy = x[self.vertices], y[self.vertices]
        if self.vertices.size > 1:
            seg_slopes = np.diff(vy) / np.diff(vx)
            # piece index for each interval [x_k, x_{k+1}]
            piece = np.searchsorted(self.vertices, np.arange(x.size - 1), side="right") - 1
            self.slopes = seg_slopes[piece]
            vals = np.empty_like(y)
            # evaluate each point on its own piece (exact at vertices)
            k = np.arange(x.size)
            pk = np.clip(np.searchsorted(self.vertices, k, side="right") - 1, 0, self.vertices.size - 2)
            i0, i1 = self.vertices[pk], self.vertices[pk + 1]
            t = (x - x[i0]) / (x[i1] - x[i0])
            vals = y[i0] + t * (y[i1] - y[i0])
            vals[self.vertices] = vy
            self.pieces = [
                (int(i), int(j), float(s))
                for i, j, s in zip(self.vertices[:-1], self.vertices[1:], seg_slopes)
            ]
        else:
            self.slopes = np.zeros(0)
            vals = y.copy()
            self.pieces = []
        self.values = vals
        scale = np.maximum(np.abs(vals), np.abs(y)) + (np.max(np.abs(y)) if y.size else 0.0)
        self.touches = vals - y <= 8 * rtol * scale
        self.touches[self.vertices] = True
        for a in (self.slopes, self.values, self.touches):
            a.setflags(write=False)

    def __repr__(self):
        return (
            f"Envelope({self.x.size} points on [{self.x[0]:.6g}, {self.x[-1]:.6g}], "
            f"{self.vertices.size} vertices, {len(self.pieces)} pieces)"
        )

    def _check_x0(self, x0, name="x0"):
        arr = np.asarray(x0, dtype=float)
        if np.isnan(arr).any():
            raise ValueError(f"{name} must not contain NaN")
        lo, hi = self.x[0], self.x[-1]
        span = hi - lo
        tol = 1e-12 * max(span, abs(lo), abs(hi), 1e-300)
        if (arr < lo - tol).any() or (arr > hi + tol).any():
            raise ValueError(
                f"{name} must lie in the envelope's domain [{float(lo)!r}, {float(hi)!r}], got "
                f"values in [{float(arr.min())!r}, {float(arr.max())!r}]"
            )
        return np.clip(arr, lo, hi)

    def __call__(self, x0):
        """Evaluate the envelope (piecewise-linear through the vertices) at ``x0``.

        Parameters
        ----------
        x0 : float or array_like
            Points in ``[x[0], x[-1]]``.

        Returns
        -------
        float or numpy.ndarray

        Examples
        --------
        >>> env = concave_envelope([0.0, 1.0], [1.0, 3.0])
        >>> env([0.0, 0.25, 1.0])
        array([1. , 1.5, 3. ])
        """
        scalar = np.ndim(x0) == 0
        arr = self._check_x0(x0)
        out = np.interp(arr, self.x[self.vertices], self.y[self.vertices])
        return float(out) if scalar else out

    def split_indices(self, x0):
        """Two-point Carathéodory split of ``x0`` as indices into ``x``.

        Parameters
        ----------
        x0 : float
            Point in ``[x[0], x[-1]]``.

        Returns
        -------
        i_left, i_right : int
            Consecutive hull vertices with ``x[i_left] <= x0 <= x[i_right]`` (equal if ``x0`` is
            a vertex).
        w_left : float
            Weight on the left vertex: ``w x[i_left] + (1 - w) x[i_right] = x0`` and
            ``w y[i_left] + (1 - w) y[i_right] = envelope(x0)``.

        Examples
        --------
        >>> env = concave_envelope([0.0, 1.0, 2.0], [0.0, -1.0, 0.0])
        >>> env.split_indices(0.5)
        (0, 2, 0.75)
        """
        x0 = float(self._check_x0(check_finite("x0", x0)))
        vx = self.x[self.vertices]
        j = int(np.searchsorted(vx, x0, side="left"))
        if j < vx.size and vx[j] == x0:
            i = int(self.vertices[j])
            return i, i, 1.0
        il, ir = int(self.vertices[j - 1]), int(self.vertices[j])
        w = (self.x[ir] - x0) / (self.x[ir] - self.x[il])
        return il, ir, float(min(max(w, 0.0), 1.0))

    def split(self, x0):
        """Two-point Carathéodory split of ``x0`` on the hull (:meth:`split_indices` as points).

        Parameters
        ----------
        x0 : float
            Point in ``[x[0], x[-1]]`` (as in :meth:`split_indices`).

        Returns
        -------
        x_left, x_right : float
            Consecutive hull vertices around ``x0`` (both ``x0`` if it is a vertex).
        w_left : float
            ``w_left * x_left + (1 - w_left) * x_right = x0`` and
            ``w_left * y_left + (1 - w_left) * y_right = envelope(x0)``.

        Examples
        --------
        >>> env = concave_envelope([0.0, 1.0, 2.0], [0.0, -1.0, 0.0])
        >>> env.split(0.5)
        (0.0, 2.0, 0.75)
        >>> env.split(2.0)
        (2.0, 2.0, 1.0)
        """
        il, ir, w = self.split_indices(x0)
        return float(self.x[il]), float(self.x[ir]), w


def concave_envelope(x, y, rtol=COLLINEAR_RTOL):
    r"""Upper concave envelope of the points ``(x_k, y_k)`` (linear time).

    Andrew's monotone chain :cite:`andrew1979another` on the already sorted ``x``: scan left to
    right keeping a stack of hull vertices, and pop the last vertex ``b`` while it lies on or
    below the segment from its predecessor ``a`` to the new point ``c``, i.e. while the cross
    product

    .. math:: (x_b - x_a)(y_c - y_a) - (y_b - y_a)(x_c - x_a) \ge -\,\mathrm{rtol}\cdot s,

    where ``s = |x_b - x_a||y_c - y_a| + |y_b - y_a||x_c - x_a|`` is the size of the two terms.
    The sign test is exact in the sense that any strictly positive product pops; the tolerance only
    decides *collinearity*: a point within ``rtol`` (relative) of a chord is dropped as a vertex
    (so rounding noise on a linear stretch does not produce spurious vertices), and the hull is then
    below that point by at most ``rtol * s / (x_c - x_a)``.

    Parameters
    ----------
    x : array_like
        Strictly increasing, finite, 1-D, at least one point.
    y : array_like
        Finite values, same shape as ``x``.  An atom (a jump at an end point, e.g. ``Ψ(0)`` with
        an essential good) is just a larger ``y[0]``.
    rtol : float, default 1e-12
        Relative collinearity tolerance (``0`` for the exact test).

    Returns
    -------
    Envelope

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(0, 1, 5)
    >>> env = concave_envelope(x, np.sqrt(x))        # concave: the envelope is the function itself
    >>> bool(np.allclose(env.values, np.sqrt(x))), env.vertices.size
    (True, 5)
    >>> env = concave_envelope(x, x ** 2)            # convex: the chord
    >>> env.vertices, env.values
    (array([0, 4]), array([0.  , 0.25, 0.5 , 0.75, 1.  ]))
    """
    x = check_sorted_unique("x", x, min_size=1)
    y = check_finite_array("y", y, ndim=None, min_size=1)
    if y.shape != x.shape:
        raise ValueError(f"y must have the shape of x {x.shape}, got {y.shape}")
    rtol = float(rtol)
    if not (np.isfinite(rtol) and rtol >= 0):
        raise ValueError(f"rtol must be a finite number >= 0, got {rtol!r}")
    xs, ys = x.tolist(), y.tolist()  # Python floats: fast scalar arithmetic in the loop
    hull = []
    for k in range(len(xs)):
        xc, yc = xs[k], ys[k]
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            dxb, dyb = xs[b] - xs[a], ys[b] - ys[a]
            dxc, dyc = xc - xs[a], yc - ys[a]
            t1, t2 = dxb * dyc, dyb * dxc
            if t1 - t2 >= -rtol * (abs(t1) + abs(t2)):
                hull.pop()
            else:
                break
        hull.append(k)
    return Envelope(x, y, np.array(hull, dtype=int), rtol=rtol)
