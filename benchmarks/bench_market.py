"""Benchmark of the two-sided market solver (a script, not a test).

Run:  .venv/bin/python benchmarks/bench_market.py [--quick] [--no-write]

Prints, and writes to benchmarks/RESULTS.md (section "Two-sided market"):

* solve time of :func:`redlib.optimal_mechanism` at 10^3 ... 10^6 types per side (end to end:
  discretization, solve, competitive equilibrium, result), plus the solver alone on the
  already-discretized market;
* the speed ratio against the brute-force LP :func:`redlib.referee.lp_market` at 300 types per side
  (same instance, one run each) and the agreement of the two welfare values;
* a "widget update": re-solve at the default grid (1000 types per side) and redraw a simple
  matplotlib figure (Agg canvas), as an interactive slider would.

Instance: uniform types on [0, 1] on both sides, buyer mass 0.8, decreasing Pareto weights
``power_weight(2, 3)`` (sellers: high same-side inequality, poorer side) and ``power_weight(1, 2)``
(buyers); both with and without lump sums where noted.
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np

from redlib import Market, Side, Uniform, optimal_mechanism, power_weight
from redlib.referee import lp_market

ROOT = Path(__file__).resolve().parents[1]


def instance(mu=0.8):
    U = Uniform()
    return Market(Side(U, power_weight(2.0, 3.0)), Side(U, power_weight(1.0, 2.0)), buyer_mass=mu)


def best_of(f, repeat):
    times = []
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return min(times), out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="sizes up to 10^5 only, no LP ratio")
    ap.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = ap.parse_args()
    m = instance()
    lines = []

    def out(s=""):
        print(s, flush=True)
        lines.append(s)

    out(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}; load average at start "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} (shared machine: times are noisy; "
        f"best of several runs).")
    out()
    out("Instance: uniform r on [0, 1] both sides, mu = 0.8, lam_S = power_weight(2, 3), "
        "lam_B = power_weight(1, 2), lump sums allowed.")
    out()
    out("| types per side | end to end (s) | solver only (s) | method | n_prices | instruments |")
    out("|---:|---:|---:|---|---:|---|")
    sizes = [10 ** 3, 10 ** 4, 10 ** 5] + ([] if args.quick else [10 ** 6])
    solve_t = []
    for n in sizes:
        rep = 7 if n <= 10 ** 4 else (5 if n <= 10 ** 5 else 4)
        t_all, res = best_of(lambda: optimal_mechanism(m, grid_size=n), rep)
        fm = m.finite(n).positive()
        t_solve, _ = best_of(lambda: optimal_mechanism(fm), rep)
        solve_t.append(t_solve)
        out(f"| {n:,} | {t_all:.3f} | {t_solve:.3f} | {res.method} | {res.n_prices} | "
            f"{res.instruments} |")
    out()
    out("End to end = `optimal_mechanism(market, grid_size=n)`: discretization (`dist.grid`, "
        "weights), solve, competitive equilibrium and result object.  Solver only = the same on "
        "an already discretized market.")
    out()
    ratios = ", ".join(f"{solve_t[i + 1] / solve_t[i]:.1f}x" for i in range(len(sizes) - 1))
    out(f"Scaling of the solver per tenfold increase in types ({sizes[0]:,} -> {sizes[-1]:,}): "
        f"{ratios} (10x = linear; below 10x the fixed cost of the small master LPs, ~4 HiGHS "
        f"calls of a few ms, still dominates).")
    out()
    if not args.quick:
        n = 300
        fm = m.finite(n).positive()
        t_fast, res = best_of(lambda: optimal_mechanism(fm), 1)
        t_lp, ref = best_of(lambda: lp_market(m, grid_size=n), 1)
        rel = abs(res.welfare - ref.welfare) / max(1.0, abs(ref.welfare))
        out(f"LP referee at {n} types per side (same instance, one run each): "
            f"lp_market {t_lp:.2f} s, optimal_mechanism solver {t_fast * 1e3:.1f} ms, "
            f"ratio {t_lp / t_fast:.0f}x; welfare {res.welfare:.12f} vs {ref.welfare:.12f} "
            f"(relative difference {rel:.1e}).")
        out()
    # widget update: solve at the default grid + redraw
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    grid = np.linspace(0, 1, 400)
    (ls,) = ax.plot([], [], label="sellers: trade probability")
    (lb,) = ax.plot([], [], label="buyers: trade probability")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.05, 1.05)
    ax.legend(loc="center right")
    fig.canvas.draw()

    def update(mu):
        res = optimal_mechanism(instance(mu))
        ls.set_data(grid, res.sellers.trade_probability(grid))
        lb.set_data(grid, res.buyers.trade_probability(grid))
        ax.set_title(f"mu = {mu:.2f}: {res.instruments}, {res.n_prices} prices")
        fig.canvas.draw()

    times, solve_only, draw_only = [], [], []
    for mu in np.linspace(0.3, 1.5, 13):
        t = time.perf_counter()
        update(mu)
        times.append(time.perf_counter() - t)
        t = time.perf_counter()
        optimal_mechanism(instance(mu))
        solve_only.append(time.perf_counter() - t)
        t = time.perf_counter()
        fig.canvas.draw()
        draw_only.append(time.perf_counter() - t)
    plt.close(fig)
    out(f"Widget update (re-solve at the default 1000 types per side + Agg redraw of a 2-line "
        f"figure), 13 slider positions of mu: median {np.median(times) * 1e3:.0f} ms "
        f"(max {max(times) * 1e3:.0f} ms), of which solve {np.median(solve_only) * 1e3:.0f} ms "
        f"and redraw {np.median(draw_only) * 1e3:.0f} ms (medians).")
    out()
    # a new 4-panel figure per step, rendered to PNG: the path of a slider that does not redraw
    # in place (the chapters' sliders redraw in place: benchmarks/bench_widgets.py times those)
    from redlib.plotting import style
    from redlib.plotting.explore import render_png
    from redlib.plotting.market import plot_mechanism

    style.use()
    fresh = []
    for mu in np.linspace(0.3, 1.5, 7):
        t = time.perf_counter()
        market = instance(mu)
        render_png(plot_mechanism(optimal_mechanism(market), market, title=f"mu = {mu:.2f}"))
        fresh.append(time.perf_counter() - t)
    out(f"A new 4-panel `plot_mechanism` figure per step (re-solve, draw from scratch, render "
        f"to PNG with `redlib.plotting.explore.render_png`), 7 positions of mu: median "
        f"{np.median(fresh) * 1e3:.0f} ms (max {max(fresh) * 1e3:.0f} ms). Drawing from scratch "
        f"dominates; the chapters' live sliders redraw in place instead (`bench_widgets.py`, "
        f"section \"Live sliders\").")
    if not args.no_write:
        write_section("\n".join(lines))


def write_section(body):
    path = ROOT / "benchmarks" / "RESULTS.md"
    head = "## Two-sided market"
    section = f"{head}\n\nGenerated by `benchmarks/bench_market.py`.\n\n{body}\n"
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(r"^## Two-sided market\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
    print(f"updated {path}")


if __name__ == "__main__":
    main()
