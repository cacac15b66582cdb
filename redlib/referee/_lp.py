"""Constraint rows shared by the brute-force referees (sparse triplets for :func:`scipy.optimize.linprog`).

Both referees lay out the variables of a set of types as two adjacent blocks starting at
``offset``: ``[X_0..X_{n-1}, T_0..T_{n-1}]`` (trade probability or expected quality, then money).
Utility is ``T - r X`` for a seller (``sign = +1``) and ``r X - T`` for a buyer (``sign = -1``).
Rows are numbered from 0; the caller shifts them.
"""
from __future__ import annotations

import numpy as np

__all__ = ["ic_rows", "ir_rows"]


def ic_rows(r, sign, offset):
    """Rows ``sign*(T_k - r_i X_k) - sign*(T_i - r_i X_i) <= 0`` for all ``i != k``.

    Returns ``(rows, cols, vals, number_of_rows)``; row ``(i, k)`` says type ``i`` does not gain
    by reporting ``k`` (pairs ordered by ``i``, then ``k``).
    """
    n = r.size
    ii, kk = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    mask = ii != kk
    ii, kk = ii[mask], kk[mask]
    nrow = ii.size
    rows = np.repeat(np.arange(nrow), 4)
    cols = np.stack([offset + kk, offset + n + kk, offset + ii, offset + n + ii], axis=1).ravel()
    vals = np.stack([-sign * r[ii], sign * np.ones(nrow), sign * r[ii], -sign * np.ones(nrow)],
                    axis=1).ravel()
    return rows, cols, vals, nrow


def ir_rows(r, sign, offset):
    """Rows ``-(utility of type i) <= 0``, one per type: ``sign * (r_i X_i - T_i) <= 0``.

    Returns ``(rows, cols, vals, number_of_rows)``.
    """
    n = r.size
    idx = np.arange(n)
    rows = np.repeat(idx, 2)
    cols = np.stack([offset + idx, offset + n + idx], axis=1).ravel()
    vals = np.stack([sign * r, -sign * np.ones(n)], axis=1).ravel()
    return rows, cols, vals, n
