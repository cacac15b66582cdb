"""Benchmark of :func:`redlib.optimal_allocation` against the brute-force LP referee.

Not a test: run ``.venv/bin/python benchmarks/bench_allocation.py [--write]``.  Reports

* solve time of the exact solver as the total grid grows (4 groups, ``n`` types each, 50 quality
  levels, and a large-quality-grid row), one run per size (best of 3 for the small ones);
* the head-to-head at 4 groups x 200 types x 50 qualities: solver vs
  :func:`redlib.referee.lp_allocation` (HiGHS), one run each, with the welfare gap.

With ``--write`` the figures are written to ``benchmarks/RESULTS.md`` under the section
"Labels and quality" (replacing only that section; other sections are kept).
"""
import argparse
import os
import platform
import re
import time

import numpy as np

from redlib import Discrete, Group, Truncated, Uniform, optimal_allocation
from redlib.referee import lp_allocation

HERE = os.path.dirname(os.path.abspath(__file__))
SECTION = "## Labels and quality"


def instance(n_types, n_levels):
    """Four groups with different supports and weights (two essential), Beta-like qualities."""
    from scipy import stats

    groups = [
        Group("poor", Uniform(0.1, 0.6), weight=lambda r: 3.0 * (1.0 - r), mass=0.3),
        Group("young", Truncated(stats.norm(0.5, 0.2), 0.0, 1.0),
              weight=lambda r: 1.5 * (1.0 - r) ** 2 + 0.2, mass=0.25),
        Group("middle", Uniform(0.0, 1.0), weight=1.0, mass=0.25),
        Group("rich", Uniform(0.4, 1.5), weight=lambda r: 0.6 / (1.0 + r), mass=0.2),
    ]
    # finite types per group (grid) and a discrete quality distribution with n_levels levels
    groups = [Group(G.label, Discrete(*G.dist.grid(n_types)), weight=G.weight, mass=G.mass)
              for G in groups]
    q, f = Truncated(stats.beta(2, 3), 0.0, 1.0).grid(n_levels)
    return groups, Discrete(q, f)


def timed(fn, repeat=1):
    best = np.inf
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(write=False):
    alpha = 0.9
    lines = []
    lines.append(f"{SECTION}\n")
    lines.append("`benchmarks/bench_allocation.py` (one run per row; solver rows best of 3 below "
                 f"10^5 types). Machine: {platform.machine()}, {os.cpu_count()} cores, "
                 f"Python {platform.python_version()}, numpy {np.__version__}. "
                 f"Instance: 4 groups (two essential, decreasing weights), Beta(2, 3) qualities, "
                 f"alpha = {alpha}.\n")
    lines.append("Exact solver (`optimal_allocation`) vs total grid size:\n")
    lines.append("| types per group | total types | quality levels | solve time (s) |")
    lines.append("|---:|---:|---:|---:|")
    for n, m in [(50, 50), (200, 50), (1000, 50), (5000, 50), (25000, 50), (1000, 1000), (5000, 1000)]:
        groups, objects = instance(n, m)
        t, res = timed(lambda: optimal_allocation(groups, objects, alpha), repeat=3 if 4 * n < 1e5 else 1)
        res.verify()
        lines.append(f"| {n} | {4 * n} | {m} | {t:.4f} |")
        print(lines[-1], flush=True)

    groups, objects = instance(200, 50)
    t_s, res = timed(lambda: optimal_allocation(groups, objects, alpha))
    t_lp, lp = timed(lambda: lp_allocation(groups, objects, alpha))
    gap = abs(res.welfare - lp.welfare) / abs(lp.welfare)
    lines.append("")
    lines.append("Head-to-head at 4 groups x 200 types x 50 qualities (one run each):\n")
    lines.append("| method | time (s) | welfare |")
    lines.append("|---|---:|---:|")
    lines.append(f"| `optimal_allocation` (exact, envelope + ranking) | {t_s:.4f} | {res.welfare:.12f} |")
    lines.append(f"| `lp_allocation` (HiGHS, {lp.n_variables} variables, {lp.n_constraints} "
                 f"constraints) | {t_lp:.2f} | {lp.welfare:.12f} |")
    lines.append("")
    lines.append(f"Speed-up {t_lp / t_s:.0f}x; relative welfare gap {gap:.1e}.\n")
    text = "\n".join(lines) + "\n"
    print(text)
    if write:
        path = os.path.join(HERE, "RESULTS.md")
        old = open(path).read() if os.path.exists(path) else "# Benchmarks\n\n"
        # replace our section only (up to the next "## " heading), or append it
        pat = re.compile(re.escape(SECTION) + r"\n.*?(?=^## |\Z)", re.S | re.M)
        new = pat.sub(lambda _: text + "\n", old) if pat.search(old) else old.rstrip("\n") + "\n\n" + text
        with open(path, "w") as fh:
            fh.write(new)
        print(f"wrote {path}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    main(**vars(ap.parse_args()))
