"""Seeded random finite markets shared by the market test modules (not a test file)."""
import numpy as np

from redlib import Discrete, Market, Side


def random_market(seed):
    """A random finite market: 2-40 types per side, constant / decreasing / arbitrary weights.

    Types are distinct multiples of 1/1000 in (0, 1.5); weights cycle through the three kinds by
    ``seed % 3``; the buyer mass is drawn from a few values.
    """
    rng = np.random.default_rng(seed)
    n, m = (int(v) for v in rng.integers(2, 41, size=2))
    s = np.sort(rng.choice(np.arange(1, 1500), n, replace=False)) / 1000.0
    b = np.sort(rng.choice(np.arange(1, 1500), m, replace=False)) / 1000.0
    g = rng.dirichlet(np.ones(n))
    h = rng.dirichlet(np.ones(m))
    kind = seed % 3
    if kind == 0:  # constant weights
        wS, wB = float(rng.uniform(0.2, 3.0)), float(rng.uniform(0.2, 3.0))
    elif kind == 1:  # decreasing weights (poorer agents value money more)
        a1, a2, c1, c2 = rng.uniform(0.0, 6.0, 4)
        wS = lambda r, a=a1, c=c1: c * 0.3 + 0.1 + a * np.exp(-3 * r)  # noqa: E731
        wB = lambda r, a=a2, c=c2: c * 0.3 + 0.1 + a * np.exp(-3 * r)  # noqa: E731
    else:  # arbitrary non-negative weights, one value per type (some zeros)
        vs = rng.uniform(0, 4, n) * (rng.uniform(size=n) > 0.15)
        vb = rng.uniform(0, 4, m) * (rng.uniform(size=m) > 0.15)
        wS = lambda r, v=vs, t=s: v[np.searchsorted(t, r)]  # noqa: E731
        wB = lambda r, v=vb, t=b: v[np.searchsorted(t, r)]  # noqa: E731
    mu = float(rng.choice([0.25, 0.7, 1.0, 1.6, 3.0]))
    return Market(Side(Discrete(s, g), wS), Side(Discrete(b, h), wB), buyer_mass=mu)
