"""Time the grading command on a class of 30 submissions (not a test: run it by hand).

    .venv/bin/python benchmarks/bench_grading.py [--set ps3] [--n 30] [--jobs 2]

Needs the built problem sets (``bash .ci/assignments build``). The class: ``n`` students with
distinct IDs, each submitting the reference solution of their own variant, except that every third
student gets one answer wrong and every fifth leaves the notebook blank. Prints the wall time of
``grade`` (otter run, no Docker, ``jobs`` at a time), the time per submission and the score counts.
"""
import argparse
import importlib.util
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("assignments_cli", ROOT / ".ci" / "assignments.py")
A = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(A)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", dest="set_name", default="ps3", choices=sorted(A.SETS))
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--build-dir", default=str(ROOT / "_build" / "assignments"))
    a = ap.parse_args()
    build = Path(a.build_dir)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        wrong = A._first_answer(a.set_name, "q1")
        for i in range(a.n):
            sid = f"s{2000000 + i}"
            if i % 5 == 4:
                nb = A.submission(a.set_name, sid, "blank", build)
            elif i % 3 == 2:
                nb = A.submission(a.set_name, sid, "reference", build, [(None, f"{wrong} = 0.123")])
            else:
                nb = A.submission(a.set_name, sid, "reference", build)
            A.write_notebook(nb, folder / f"{sid}.ipynb")
        t0 = time.perf_counter()
        rows = A.grade(folder, folder / "graded", set_name=a.set_name, build_dir=build, jobs=a.jobs,
                       quiet=True)
        dt = time.perf_counter() - t0
    full = sum(r["total"] == r["possible"] for r in rows)
    zero = sum(r["total"] == 0 for r in rows)
    print(f"{a.set_name}: graded {len(rows)} submissions in {dt:.1f} s with {a.jobs} worker(s) "
          f"({dt / len(rows):.2f} s per submission; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}); "
          f"{full} full marks, {zero} zero, {len(rows) - full - zero} partial")
    for r in rows:
        if r["status"] != "graded":
            print(f"  {r['file']}: {r['status']}: {r['message']}")


if __name__ == "__main__":
    main()
