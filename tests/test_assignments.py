"""The problem sets (book/assignments) and their grading command (.ci/assignments.py).

One session fixture builds all five sets with the instructor command (otter assign, the reference
solution graded with the grading command, the integrity scan); one batch of submissions goes
through the full grading pipeline (otter run, no Docker, two at a time). Everything else runs the
autograder's own test files in this process on the variables of the executed reference solution,
which is fast enough to try every question and several student IDs.
"""
import importlib.util
import json
import math
import re
import shutil
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "book" / "assignments"
_spec = importlib.util.spec_from_file_location("assignments_cli", ROOT / ".ci" / "assignments.py")
A = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(A)
sys.path.insert(0, str(SRC))
import answers  # noqa: E402
import variants  # noqa: E402

SETS = list(A.SETS)
IDS = ["s1000001", "s1000002", "s1000003"]


# ------------------------------------------------------------------------------ variants (fast)
def test_same_id_same_numbers_and_documented_normalisation():
    for s in SETS:
        assert variants.parameters(s, "S1000001") == variants.parameters(s, "  s1000001 ")


def test_variants_are_stable_across_releases():
    # the documented rule (sha256 -> PCG64 -> uniform draws, 2 decimals) pins these numbers: a
    # change of the rule or of the ranges would silently give students new numbers
    assert variants.seed("ps1", "s1000001") == int.from_bytes(
        __import__("hashlib").sha256(b"redlib-assignments/v1/ps1/s1000001").digest()[:8], "big")
    assert variants.parameters("ps1", "s1000001") == PINNED_PS1


PINNED_PS1 = {'c': 0.69, 'mu': 1.91, 'Lam_S': 1.32, 'sigma_A': 0.32, 'sigma_B': 0.95}


def test_three_ids_get_different_numbers_within_the_ranges():
    for s in SETS:
        ps = [variants.parameters(s, i) for i in IDS]
        for name, lo, hi, _ in variants.RANGES[s]:
            assert all(lo <= p[name] <= hi for p in ps), (s, name)
        for i in range(3):
            for j in range(i):
                same = [n for n, *_ in variants.RANGES[s] if ps[i][n] == ps[j][n]]
                assert len(same) <= len(variants.RANGES[s]) // 2, (s, IDS[i], IDS[j], same)


def test_bad_ids_are_rejected_in_words():
    with pytest.raises(TypeError, match="STUDENT_ID is still `...`"):
        variants.parameters("ps1", ...)
    with pytest.raises(TypeError, match="must be a string"):
        variants.parameters("ps1", 1234567)
    with pytest.raises(ValueError, match="empty"):
        variants.parameters("ps1", "  ")
    with pytest.raises(ValueError, match="set_name"):
        variants.parameters("ps9", "s1")


# ------------------------------------------------------- reference answers against closed forms
@pytest.mark.parametrize("sid", IDS)
def test_references_agree_with_closed_forms_within_the_tolerances(sid):
    tol = {s: {n: t for q in answers.QUESTIONS[s].values() for n, _, t in q} for s in SETS}
    p = variants.parameters("ps1", sid)
    r = answers.reference("ps1", sid)
    c, mu, L = p["c"], p["mu"], p["Lam_S"]
    pce = c * mu / (1 + c * mu)
    assert abs(r["p_CE"] - pce) < tol["ps1"]["p_CE"] / 3 and abs(r["Q_CE"] - pce / c) < tol["ps1"]["Q_CE"] / 3
    W = L * pce ** 2 / (2 * c) + mu * (1 - pce) ** 2 / 2
    assert abs(r["W_CE"] / W - 1) < tol["ps1"]["W_CE"] / 3

    p, r = variants.parameters("ps2", sid), answers.reference("ps2", sid)
    from scipy import integrate, optimize
    th = p["theta_S"]
    m = lambda x: integrate.quad(lambda u: u * (1 + th) * (1 - x * u) ** th, 0, 1)[0] - 1
    r_star = optimize.brentq(m, 1e-6, 1 - 1e-9)
    assert p["Q"] < r_star                                       # the question's meaning: rationing
    assert abs(r["p_S"] - r_star) < tol["ps2"]["p_S"] / 2 and abs(r["x_S"] - p["Q"] / r_star) < tol["ps2"]["x_S"] / 2
    assert abs(r["p_B"] - (1 - p["Q_B"])) < tol["ps2"]["p_B"] / 2   # buyer price: competitive
    assert 0 < r["delta"] < 1 and r["p_low"] < r["p_high"]          # the menu rations

    p, r = variants.parameters("ps3", sid), answers.reference("ps3", sid)
    k = 1 - 1 / p["Lam_S"]
    Q = 1 / ((1 + k) / p["mu"] + 1)
    assert abs(r["Q"] - Q) < tol["ps3"]["Q"] / 2
    assert abs(r["p_S"] - Q) < tol["ps3"]["p_S"] / 2 and abs(r["p_B"] - (1 - Q / p["mu"])) < tol["ps3"]["p_B"] / 2
    assert abs(r["lump_sum"] - Q * (1 - Q / p["mu"] - Q)) < tol["ps3"]["lump_sum"] / 2
    expected = {"equal": "competitive", "poor sellers": "wedge", "unequal sellers": "rationing"}
    assert r["instruments"] == [expected[label] for label in p["order"]]

    p, r = variants.parameters("ps4", sid), answers.reference("ps4", sid)
    t_star = math.sqrt(2 * (p["L"] - 1) * p["r_lo"] / (2 - p["L"]))
    assert abs(r["t_free"] - t_star) < tol["ps4"]["t_free"] / 2
    assert abs(r["r_excl"] - p["b"] / 2) < tol["ps4"]["r_excl"] / 2
    assert abs(r["revenue"] - 5 * p["b"] / 24) < tol["ps4"]["revenue"] / 2
    r_hi = (1 + 0.75 * p["lam_e"]) / 1.5                      # chapter 4's food-assistance algebra
    q_high = 1 - (1 - p["m_e"]) * (2 - r_hi) / 2
    assert abs(r["q_high"] - q_high) < tol["ps4"]["q_high"] / 2
    assert abs(r["q_low"] - (q_high - p["m_e"])) < tol["ps4"]["q_low"] / 2

    p, r = variants.parameters("ps5", sid), answers.reference("ps5", sid)
    from redlib.referee import lp_market
    lp = lp_market(variants.finite_market(p["market_seed"]))
    assert abs(r["welfare"] / lp.welfare - 1) < 1e-7 and 1 <= r["n_prices"] <= 4
    assert r["p_B"] < 1 - p["Q"] - 0.01                        # the counterexample: below competitive
    lo, w, lam = p["r_lo_g"], p["w_g"], p["lam_g"]
    cond = (lo + w) <= lam * (2 * lo + w) / 2
    assert r["fully_random"] in (None, cond)


def test_two_price_menu_tolerance_covers_the_grid():
    from redlib import Side, Uniform, optimal_buyer_two_prices, power_weight
    for sid in IDS:
        p = variants.parameters("ps2", sid)
        side = Side(Uniform(), power_weight(1.0, p["theta_2"]))
        coarse = optimal_buyer_two_prices(side, p["Q_2"], 0.0)
        fine = optimal_buyer_two_prices(side, p["Q_2"], 0.0, grid_size=4000)
        tol = dict((n, t) for n, _, t in answers.QUESTIONS["ps2"]["q4"])
        assert abs(coarse.p_high - fine.p_high) < tol["p_high"] / 2
        assert abs(coarse.delta - fine.delta) < tol["delta"] / 2


# ------------------------------------------------------------------------- built problem sets
@pytest.fixture(scope="session")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("assignments")
    rc = A.build(out, SETS, jobs=2)   # fails unless every reference solution scores full marks
    assert rc == 0, "bash .ci/assignments build failed (see the output above)"
    return out


def test_student_files_hold_no_solution_and_no_hidden_test(built):
    for s in SETS:
        src = A.read_source(s)
        assert len(src["solutions"]) >= 4 and len(src["hidden"]) >= 4, (s, src)
        student = built / s / "student"
        assert sorted(p.name for p in student.iterdir()) == sorted(
            [f"{A.SETS[s]}.ipynb", "checks.py", "variants.py"])
        assert A.leaks(student, src) == [], s
        nb = json.loads((student / f"{A.SETS[s]}.ipynb").read_text())
        tests = nb["metadata"]["otter"]["tests"]
        assert all("hidden=True" not in t and "answers" not in t for t in tests.values()), s
        with zipfile.ZipFile(built / s / "autograder" / "autograder.zip") as z:
            assert "files/answers.py" in z.namelist()


def test_leak_scan_finds_a_planted_solution(built, tmp_path):
    s = "ps3"
    student = tmp_path / "student"
    shutil.copytree(built / s / "student", student)
    nb_path = student / f"{A.SETS[s]}.ipynb"
    nb = json.loads(nb_path.read_text())
    nb["cells"][-1]["source"] = "lump_sum = res.sellers.lump_sum"
    nb_path.write_text(json.dumps(nb))
    assert any(kind == "solution" for _, kind, _ in A.leaks(student, A.read_source(s)))


def test_source_notebooks_are_committed_without_outputs():
    for s in SETS:
        nb = json.loads((SRC / f"{A.SETS[s]}.ipynb").read_text())
        assert all(not c.get("outputs") and c.get("execution_count") is None
                   for c in nb["cells"] if c["cell_type"] == "code"), s
        n_auto = sum(not q["manual"] for q in A.read_source(s)["questions"])
        n_manual = sum(q["manual"] for q in A.read_source(s)["questions"])
        assert 4 <= n_auto + n_manual <= 6 and n_manual >= 1, s


# --------------------------------------------------- in-process: the autograder's test files
def _support(built, s, tmp):
    with zipfile.ZipFile(built / s / "autograder" / "autograder.zip") as z:
        z.extractall(tmp)
    for f in (tmp / "files").iterdir():
        shutil.copy(f, tmp / f.name)
    return tmp


def _reference_env(built, s, sid, cwd):
    """Execute the reference (autograder) notebook's code in this process, for student sid."""
    nb = A.submission(s, sid, "reference", built)
    env = {"__name__": "__main__"}
    for cell in nb["cells"]:
        src = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
        if not src or "otter" in src or "grader.check" in src:
            continue
        exec(compile(src, f"<{s} reference>", "exec"), env)
    return env


def _scores(tmp, env):
    from otter.test_files import ExceptionTestFile
    out = {}
    for path in sorted((tmp / "tests").glob("q*.py")):
        tf = ExceptionTestFile.from_file(str(path))
        tf.run(env)
        out[path.stem] = (tf.score, tf.possible)
    return out


def _wrong(value, name):
    if callable(value):
        return lambda side: bool(side.lam(side.dist.lo) > 1.5 * side.Lam)   # a plausible slip
    if isinstance(value, (bool, np.bool_)):
        return not value
    if isinstance(value, (int, np.integer)):
        return int(value) % 4 + 1
    if isinstance(value, list):
        return value[1:] + value[:1]
    return float(value) * 1.2 + 0.05


@pytest.fixture(scope="module")
def envs(built, tmp_path_factory):
    out = {}
    for s in SETS:
        tmp = _support(built, s, tmp_path_factory.mktemp(s))
        with pytest.MonkeyPatch.context() as mp:
            mp.chdir(tmp)
            mp.syspath_prepend(str(tmp))
            mp.delenv("REDLIB_ASSIGNMENT_ID", raising=False)
            out[s] = (tmp, {sid: _reference_env(built, s, sid, tmp) for sid in IDS})
    return out


@pytest.mark.parametrize("s", SETS)
def test_each_wrong_answer_loses_exactly_its_question(envs, s, monkeypatch):
    tmp, by_id = envs[s]
    monkeypatch.chdir(tmp)
    monkeypatch.delenv("REDLIB_ASSIGNMENT_ID", raising=False)
    env = by_id[IDS[0]]
    full = _scores(tmp, env)
    assert all(sc == pos > 0 for sc, pos in full.values()), full
    for q, specs in answers.QUESTIONS[s].items():
        name = specs[0][0]
        bad = dict(env, **{name: _wrong(env[name], name)})
        got = _scores(tmp, bad)
        assert got[q][0] == 0, (s, q, name)
        assert all(got[o] == full[o] for o in got if o != q), (s, q, got)


@pytest.mark.parametrize("s", SETS)
def test_reference_passes_its_own_variant_and_fails_the_others(envs, s, monkeypatch):
    tmp, by_id = envs[s]
    monkeypatch.chdir(tmp)
    monkeypatch.delenv("REDLIB_ASSIGNMENT_ID", raising=False)
    for a in IDS:
        own = _scores(tmp, by_id[a])
        assert all(sc == pos for sc, pos in own.values()), (s, a, own)
        for b in IDS:
            if b == a:
                continue
            crossed = _scores(tmp, dict(by_id[a], STUDENT_ID=b))
            lost = [q for q in crossed if crossed[q][0] < crossed[q][1]]
            # a's answers fail b's variant: most questions are lost. Not necessarily all: a yes/no
            # answer, or a number that depends on one or two of the drawn parameters, can agree
            # within its tolerance for two students by chance (measured in benchmarks/RESULTS.md)
            assert len(lost) >= (len(crossed) + 1) // 2, (s, a, b, crossed)


# ------------------------------------------------------------- the full grading pipeline
@pytest.fixture(scope="session")
def graded(built, tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    sid = IDS[0]
    for s in SETS:                                   # a blank notebook per set
        A.write_notebook(A.submission(s, sid, "blank", built), folder / f"{s}-blank.ipynb")
    # one wrong answer, through the whole pipeline (every question is tried in process above)
    A.write_notebook(A.submission("ps3", sid, "reference", built, [(None, "p_S = p_S * 1.2 + 0.05")]),
                     folder / "ps3-wrong-q2.ipynb")
    samples = A.samples(folder / "robust", "ps1", [sid], built)
    for p in samples:
        if p.name != f"{sid}.ipynb":                 # the reference is graded by the build already
            shutil.move(str(p), folder / p.name)
    shutil.rmtree(folder / "robust")
    before = {p.name: A._sha256(p) for p in folder.iterdir() if p.is_file()}
    rows = A.grade(folder, folder / "graded", set_name=None, build_dir=built, jobs=2,
                   cell_timeout=30, timeout=600)
    after = {p.name: A._sha256(p) for p in folder.iterdir() if p.is_file()}
    return folder, {r["file"]: r for r in rows}, before, after


def test_blank_notebook_scores_zero_on_every_question(graded):
    _, rows, _, _ = graded
    for s in SETS:
        r = rows[f"{s}-blank.ipynb"]
        assert r["status"] == "graded" and r["possible"] > 0
        assert all(v in (0.0, None) for v in r["scores"].values()), r


def test_one_wrong_answer_loses_exactly_that_question_when_graded(graded):
    _, rows, _, _ = graded
    r = rows["ps3-wrong-q2.ipynb"]
    auto = {q: v for q, v in r["scores"].items() if v is not None}
    assert auto["q2"] == 0 and all(v > 0 for q, v in auto.items() if q != "q2"), r
    assert any("q2 (hidden test): AssertionError: p_S is not the right value" in f for f in r["feedback"])


def test_broken_submissions_get_a_score_and_a_message(graded):
    folder, rows, before, after = graded
    assert before == after                       # no submission was modified, none lost
    assert set(before) <= set(rows) | {"graded"}
    sid = IDS[0]
    r = rows[f"raises-{sid}.ipynb"]              # q3's cell raised: q3 lost, the rest counts
    assert r["scores"]["q3"] == 0 and r["total"] == r["possible"] - 1
    assert any("RuntimeError" in f for f in r["feedback"])
    r = rows[f"loops-{sid}.ipynb"]               # endless loop interrupted, the rest still graded
    assert r["scores"]["q3"] == 0 and r["total"] == r["possible"] - 1
    assert any("was stopped" in f for f in r["feedback"])
    r = rows[f"clobbers-{sid}.ipynb"]            # deleting/overwriting names does not fool grading
    assert r["total"] == r["possible"] and r["student_id"] == sid
    for name, words in [("crashes", "could not be graded"), ("empty", "empty"),
                        ("notanotebook", "not a Jupyter notebook"), ("chapter", "not a notebook of"),
                        ("otherset", None)]:
        f = next(k for k in rows if k.startswith(f"{name}-"))
        r = rows[f]
        if name == "otherset":                   # graded as what it is: ps2 (no --set given)
            assert r["set"] == "ps2" and r["status"] == "graded"
            continue
        assert r["total"] == 0 and r["status"].startswith("not graded") and words in r["message"], r
    text = (folder / "graded" / "gradebook.csv").read_text()
    assert text.count("\n") == len(rows) + 1
    assert (folder / "graded" / "feedback" / f"loops-{sid}.ipynb.txt").exists()


def test_other_problem_set_is_refused_when_a_set_is_given(built, tmp_path):
    A.write_notebook(A.submission("ps2", IDS[0], "reference", built), tmp_path / "x.ipynb")
    (r,) = A.grade(tmp_path, tmp_path / "graded", set_name="ps1", build_dir=built, quiet=True)
    assert r["total"] == 0 and "problem set ps2, not ps1" in r["message"]


# ------------------------------------------- the student's view: nbclient runs grader.check
def test_student_notebook_gives_feedback_in_words_without_the_answer(built, tmp_path):
    import nbclient
    import nbformat
    s, sid = "ps2", IDS[1]
    shutil.copytree(built / s / "student", tmp_path / "student")
    ref = answers.reference(s, sid)
    nb = A.submission(s, sid, "blank", built)
    p = variants.parameters(s, sid)
    fill = {"q1": f"p_S = {ref['p_S']!r}",                                   # right
            "q2": "x_S = 0.99",                                              # inconsistent with p_S
            "q3": "p_B = 'about a half'",                                    # wrong type
            "q4": f"p_high, p_low, delta, r_hat = 0.2, 0.0, 0.5, 0.3"}      # not IC for r_hat
    for q, src in fill.items():
        i = A.question_cell_index(nb, q)
        nb["cells"][i - 1]["source"] = "".join(nb["cells"][i - 1]["source"]).split("\n")[0] + "\n" + src \
            if q in ("q1", "q3", "q4") else src
    path = tmp_path / "student" / f"{A.SETS[s]}.ipynb"
    A.write_notebook(nb, path)
    node = nbformat.read(path, as_version=4)
    nbclient.NotebookClient(node, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}}).execute()
    out = {}
    for cell in node.cells:
        m = re.search(r'grader\.check\("(q\d)"\)', cell.source) if cell.cell_type == "code" else None
        if m:
            out[m.group(1)] = "\n".join(o.get("data", {}).get("text/plain", "") + o.get("text", "")
                                        for o in cell.outputs)
    assert "passed" in out["q1"] and "form of your answer is right" in out["q1"], out["q1"]
    assert "does not match your price" in out["q2"] and "Q / G_S(p_S)" in out["q2"], out["q2"]
    assert "must be a number" in out["q3"] and "not str" in out["q3"], out["q3"]
    assert "not incentive compatible for type r = 0.300" in out["q4"], out["q4"]
    for q in ("q2", "q3", "q4"):                  # the right values are never shown
        for name, _, _ in answers.QUESTIONS[s][q]:
            assert f"{ref[name]:.4g}" not in out[q] and f"{ref[name]:.3f}" not in out[q], (q, name)
    (tmp_path / "feedback.txt").write_text("\n\n".join(f"{q}:\n{t}" for q, t in out.items()))
    print("\n\n".join(f"{q}:\n{t}" for q, t in out.items()))
