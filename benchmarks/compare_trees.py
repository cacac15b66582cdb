"""Old versus new redlib in one run (a script, not a test).

Run:  .venv/bin/python benchmarks/compare_trees.py OLD_TREE [NEW_TREE] [--repeat K] [--write]
      [--items NAME,...]

e.g. after ``git worktree add --detach /tmp/oldmain main``:

    .venv/bin/python benchmarks/compare_trees.py /tmp/oldmain

Each tree is imported in its own subprocess (``PYTHONPATH=<tree>``, which comes before the
environment's editable install, so ``import redlib`` is that tree's package; the script checks
``redlib.__file__``).  The workload uses only names both versions export at the top level.  Old and
new alternate (A B A B ...) ``--repeat`` times so that the load of a shared machine hits both alike;
each workload item reports the best time of each tree and the ratio new / old (< 1: new is
faster).  ``--write`` replaces the section "Old versus new" of benchmarks/RESULTS.md.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WORKLOAD = r"""
import json, sys, time
import redlib
from redlib import (Discrete, Group, Market, Side, Truncated, Uniform, competitive_equilibrium,
                    inequality_map, optimal_allocation, optimal_buyer_two_prices, optimal_mechanism,
                    power_weight)
import scipy.stats

def best(f, k):
    t = []
    for _ in range(k):
        t0 = time.perf_counter(); out = f(); t.append(time.perf_counter() - t0)
    return min(t), out

U = Uniform()
m = Market(Side(U, power_weight(2.0, 3.0)), Side(U, power_weight(1.0, 2.0)), buyer_mass=0.8)
groups = [Group(str(k), Truncated(scipy.stats.norm(0.3 + 0.2 * k, 0.3), 0.0, 2.0),
                weight=lambda r, k=k: 2.0 - 0.3 * k + 0.1 * r, mass=0.25) for k in range(4)]
objects = Discrete((0.5 + __import__("numpy").arange(50)) / 50)
items = {
    "optimal_mechanism 10^3": lambda: optimal_mechanism(m, grid_size=1000).welfare,
    "optimal_mechanism 10^4": lambda: optimal_mechanism(m, grid_size=10000).welfare,
    "optimal_mechanism 10^5": lambda: optimal_mechanism(m, grid_size=100000).welfare,
    "optimal_mechanism 10^6": lambda: optimal_mechanism(m, grid_size=1000000).welfare,
    "competitive_equilibrium 10^5": lambda: competitive_equilibrium(m, grid_size=100000).welfare,
    "optimal_buyer_two_prices 10^4": lambda: optimal_buyer_two_prices(
        Side(U, power_weight(1.0, 3.0)), 0.9, grid_size=10000).objective,
    "inequality_map 3x3 (200 cells)": lambda: float(inequality_map(
        [0.0, 1.5, 3.0], [0.5, 1.0, 3.0], buyer_mass=0.3, grid_size=200).welfare.sum()),
    "optimal_allocation 4x200x50": lambda: optimal_allocation(groups, objects, 1.0,
                                                              grid_size=200).welfare,
    "inequality_map 16x11 (ch. 3 map, 120 types)": lambda: float(inequality_map(
        __import__("numpy").linspace(0.0, 6.0, 16), __import__("numpy").linspace(0.5, 3.0, 11),
        buyer_mass=0.2, sides="sellers", grid_size=120).welfare.sum()),
}
reps = int(sys.argv[1])
if len(sys.argv) > 2:  # --items: only the workload items whose name contains one of these
    items = {k: f for k, f in items.items() if any(w in k for w in sys.argv[2].split(","))}
out = {"file": redlib.__file__, "times": {}, "values": {}}
for name, f in items.items():
    f()  # warm-up (imports, caches)
    t, v = best(f, reps)
    out["times"][name] = t
    out["values"][name] = float(v)
print(json.dumps(out))
"""


def run(tree, reps, items=""):
    env = dict(os.environ, PYTHONPATH=str(tree), MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-c", WORKLOAD, str(reps)] + ([items] if items else []),
                          cwd="/", env=env, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"workload failed in {tree}:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    expected = Path(tree).resolve() / "redlib" / "__init__.py"
    if Path(out["file"]).resolve() != expected:
        raise RuntimeError(f"imported {out['file']}, expected {expected}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new", nargs="?", default=str(ROOT))
    ap.add_argument("--repeat", type=int, default=4, help="alternating rounds (A B A B ...)")
    ap.add_argument("--reps", type=int, default=3, help="timed calls per item and round")
    ap.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    ap.add_argument("--items", default="", help="comma-separated name fragments: run only the "
                    "workload items whose name contains one (not with --write)")
    args = ap.parse_args()
    if args.write and args.items:
        ap.error("--write records the whole workload: not with --items")
    load0 = os.getloadavg()
    best = {"old": {}, "new": {}}
    values = {}
    for _ in range(args.repeat):
        for key, tree in (("old", args.old), ("new", args.new)):
            out = run(tree, args.reps, args.items)
            values[key] = out["values"]
            for name, t in out["times"].items():
                best[key][name] = min(t, best[key].get(name, float("inf")))
    lines = ["## Old versus new", "",
             "Generated by `benchmarks/compare_trees.py` (old = `main`, new = this branch, each in its own "
             "process, alternating).", "",
             f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on "
             f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; load "
             f"average at start {load0[0]:.1f}, {load0[1]:.1f}, {load0[2]:.1f} (shared machine); best of "
             f"{args.repeat} x {args.reps} calls per tree.", "",
             "| workload | old (s) | new (s) | new / old | same value |", "|---|---:|---:|---:|---|"]
    ratios = []
    for name in best["old"]:
        o, n = best["old"][name], best["new"][name]
        ratios.append(n / o)
        same = abs(values["old"][name] - values["new"][name]) <= 1e-12 * max(1.0, abs(values["old"][name]))
        lines.append(f"| {name} | {o:.4f} | {n:.4f} | {n / o:.2f} | {'yes' if same else 'NO'} |")
    geo = float(__import__("math").exp(sum(__import__("math").log(r) for r in ratios) / len(ratios)))
    lines += ["", f"Geometric mean of the ratios: {geo:.2f} (1.00 = no change; below 1 the new tree is "
              "faster).", ""]
    text = "\n".join(lines)
    print(text)
    if args.write:
        path = ROOT / "benchmarks" / "RESULTS.md"
        old = path.read_text()
        if "## Old versus new" in old:
            old = re.sub(r"## Old versus new\n.*?(?=\n## |\Z)", text.rstrip() + "\n", old, flags=re.S)
        else:
            old = old.rstrip() + "\n\n" + text
        path.write_text(old)


if __name__ == "__main__":
    main()
