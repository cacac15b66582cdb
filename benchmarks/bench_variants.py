"""How often would a copied answer pass? (not a test: run it by hand)

    .venv/bin/python benchmarks/bench_variants.py [--n 30]

For ``n`` student IDs and every ordered pair (a, b), grades a's reference answers against b's
variant with the hidden checks of ``book/assignments/answers.py`` and prints, per question, the
share of pairs in which a's answer passes for b (the chance that copying a classmate's answer
scores), and per set the share of pairs in which all autograded questions pass.
"""
import argparse
import itertools
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "assignments"))
import answers  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=30)
    a = ap.parse_args()
    ids = [f"s{3000000 + i}" for i in range(a.n)]
    t0 = time.perf_counter()
    os.environ.pop("REDLIB_ASSIGNMENT_ID", None)
    for s, questions in answers.QUESTIONS.items():
        refs = {i: answers.reference(s, i) for i in ids}
        passes = {q: 0 for q in questions}
        whole = 0
        pairs = list(itertools.permutations(ids, 2))
        for x, y in pairs:
            env = dict(refs[x], STUDENT_ID=y)
            if s == "ps5":
                env["is_high"] = lambda side: bool(side.lam(side.dist.lo) > 2 * side.Lam)
            ok_all = True
            for q in questions:
                try:
                    answers.check(s, q, env)
                    passes[q] += 1
                except AssertionError:
                    ok_all = False
            whole += ok_all
        shares = ", ".join(f"{q} {100 * passes[q] / len(pairs):.0f}%" for q in questions)
        print(f"{s}: a copied answer passes in {shares}; whole set {100 * whole / len(pairs):.1f}% "
              f"of {len(pairs)} pairs")
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
