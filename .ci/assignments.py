"""Problem sets of the book: build the student notebooks and autograders, grade submissions.

Usage (from the repository root; ``bash .ci/assignments`` wraps it)::

    .venv/bin/python .ci/assignments.py build [--out _build/assignments] [--sets ps1,ps2]
    .venv/bin/python .ci/assignments.py grade SUBMISSIONS_DIR [--set ps3] [--out DIR]
                                             [--jobs 2] [--cell-timeout 60] [--timeout 600]

``build`` runs ``otter assign`` on every source notebook of ``book/assignments/`` (otter runs the
tests on the reference solution), then grades the reference solution with the same command as
``grade`` and fails unless it scores full marks, then checks that no student file contains any
solution or hidden-test text (:func:`leaks`). Output per set ``psN``:
``<out>/psN/student/`` (hand these out) and ``<out>/psN/autograder/autograder.zip``.

``grade`` grades every file of a folder (``*.ipynb`` and anything else that is there) with
``otter run`` (no Docker), each in its own process, and writes ``gradebook.csv`` (one row per file:
student ID, problem set, points per question, total, status) and ``feedback/<file>.txt`` into the
output folder (default: ``<SUBMISSIONS_DIR>/graded``). A file that cannot be graded (empty, not a
notebook, from another problem set, a notebook that crashes its kernel) gets zero points and a
message; a cell that runs longer than ``--cell-timeout`` seconds is interrupted and the rest of the
notebook is still graded; a submission whose grading takes longer than ``--timeout`` seconds in all
is stopped and gets zero. Submissions are never modified: each is copied before grading, and its
sha256 is compared before and after.

The student ID graded is the one written in the submission's ``STUDENT_ID = "..."`` cell, read from
the file (not from the running notebook, so a notebook that changes ``STUDENT_ID`` later is still
graded against its own variant); it is recorded in the gradebook, with a flag when two files claim
the same ID.
"""
from __future__ import annotations

import argparse
import ast
import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "book" / "assignments"
SETS = {"ps1": "ps1_model", "ps2": "ps2_one_sided", "ps3": "ps3_linking", "ps4": "ps4_labels",
        "ps5": "ps5_propositions"}
SUPPORT_SHIPPED = ("variants.py", "checks.py")
SUPPORT_AUTOGRADER = ("answers.py",)


# ------------------------------------------------------------------------------------ sources
def read_source(set_name: str) -> dict:
    """Parse a source notebook: its questions (name, points, manual), the solution text and the
    hidden-test text (for the integrity check)."""
    nb = json.loads((SRC / f"{SETS[set_name]}.ipynb").read_text(encoding="utf-8"))
    questions, solutions, hidden = [], [], []
    in_solution_block = in_tests = False
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        head = src.strip().splitlines()[0].strip() if src.strip() else ""
        if cell["cell_type"] == "raw":
            if head == "# BEGIN QUESTION":
                import yaml
                cfg = yaml.safe_load("\n".join(src.strip().splitlines()[1:]))
                questions.append({"name": cfg["name"], "points": cfg.get("points", 1),
                                  "manual": bool(cfg.get("manual", False))})
            in_solution_block = {"# BEGIN SOLUTION": True, "# END SOLUTION": False}.get(head, in_solution_block)
            in_tests = {"# BEGIN TESTS": True, "# END TESTS": False}.get(head, in_tests)
            continue
        if in_solution_block:
            solutions.extend(p.strip() for p in re.split(r"\n\s*\n", src) if p.strip())
            continue
        if cell["cell_type"] == "code" and in_tests:
            if re.search(r"^\s*hidden:\s*true", src, flags=re.M):
                body = src.split("# END TEST CONFIG", 1)[-1]
                hidden.extend(l.strip() for l in body.splitlines() if l.strip())
            continue
        if cell["cell_type"] == "code":
            solutions.extend(_solution_lines(src))
    return {"questions": questions, "solutions": solutions, "hidden": hidden}


def _solution_lines(src: str) -> list:
    """Solution text of a code cell: lines between BEGIN/END SOLUTION, and the right-hand side of
    every ``x = ...  # SOLUTION`` line."""
    out, inside = [], False
    for line in src.splitlines():
        s = line.strip()
        if s.startswith("# BEGIN SOLUTION"):
            inside = True
            continue
        if s.startswith("# END SOLUTION"):
            inside = False
            continue
        if inside and s and not s.startswith("#"):
            out.append(s)
        elif re.search(r"#\s*SOLUTION\s*$", s):
            code = re.sub(r"#\s*SOLUTION\s*$", "", s).strip()
            out.append(code.split("=", 1)[1].strip() if "=" in code else code)
    return [x for x in out if len(x) >= 4]


def leaks(student_dir: Path, source: dict) -> list:
    """Every (file, text) such that a solution or hidden-test text occurs in a student file."""
    found = []
    texts = [("solution", t) for t in source["solutions"]] + [("hidden test", t) for t in source["hidden"]]
    answers = (SRC / "answers.py").read_text(encoding="utf-8")
    texts += [("answers.py", l.strip()) for l in answers.splitlines()
              if len(l.strip()) > 30 and not l.strip().startswith(("#", '"', "import", "from"))
              and re.search(r"[A-Za-z_]\w*\s*[(=\[]", l)]
    for path in sorted(student_dir.rglob("*")):
        if not path.is_file():
            continue
        body = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix == ".ipynb":  # compare with the JSON-decoded text too
            nb = json.loads(body)
            body += "\n".join("".join(c["source"]) for c in nb["cells"])
            body += json.dumps(nb.get("metadata", {}))
            body += "\n".join(str(v) for v in nb.get("metadata", {}).get("otter", {}).get("tests", {}).values())
        for kind, t in texts:
            if t in body:
                found.append((path.name, kind, t))
    return found


# ------------------------------------------------------------------------------------ build
def build(out: Path, sets: list, jobs: int = 2) -> int:
    """Build every set (``jobs`` at a time); 0 if all reference solutions score full marks and
    nothing leaks."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        codes = list(ex.map(lambda s: _build_one(out, s), sets))
    return max(codes) if codes else 0


def _build_one(out: Path, s: str) -> int:
    otter = Path(sys.executable).with_name("otter")
    ok = True
    if True:
        dest = out / s
        if dest.exists():
            shutil.rmtree(dest)
        t0 = time.time()
        print(f"== {s}: otter assign {SETS[s]}.ipynb -> {dest}")
        rc = subprocess.call([str(otter), "assign", f"{SETS[s]}.ipynb", str(dest)], cwd=SRC,
                             stdout=subprocess.DEVNULL)
        if rc != 0:
            print(f"error: otter assign failed for {s} (exit {rc})", file=sys.stderr)
            return rc
        zips = list((dest / "autograder").glob("*-autograder_*.zip"))
        if len(zips) != 1:
            print(f"error: expected one autograder zip in {dest / 'autograder'}, found {zips}", file=sys.stderr)
            return 1
        zips[0].rename(dest / "autograder" / "autograder.zip")
        # the reference solution must score full marks with the grading command itself
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(dest / "autograder" / f"{SETS[s]}.ipynb", Path(tmp) / f"{SETS[s]}.ipynb")
            rows = grade(Path(tmp), Path(tmp) / "graded", set_name=s, build_dir=out, quiet=True)
        row = rows[0]
        if row["status"] != "graded" or row["total"] != row["possible"]:
            print(f"error: the reference solution of {s} scores {row['total']}/{row['possible']} "
                  f"({row['status']}): {row['message']}", file=sys.stderr)
            ok = False
        found = leaks(dest / "student", read_source(s))
        for f in found:
            print(f"error: {s}: {f[1]} text in student file {f[0]}: {f[2]!r}", file=sys.stderr)
        ok = ok and not found
        print(f"== {s}: reference solution {row['total']:g}/{row['possible']:g} autograded points; "
              f"{len(found)} solution or hidden-test text(s) in {dest / 'student'} "
              f"({time.time() - t0:.0f} s)")
    return 0 if ok else 1


# ------------------------------------------------------------------------------------ samples
WRONG_CELL = "# a deliberately wrong answer\n{assign}"


def _code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _set_id(nb, sid):
    for c in _code_cells(nb):
        src = "".join(c["source"])
        if re.search(r"^STUDENT_ID\s*=", src, flags=re.M):
            c["source"] = re.sub(r"^STUDENT_ID\s*=.*$", f"STUDENT_ID = {sid!r}", src, count=1, flags=re.M)
            return nb
    raise ValueError("no STUDENT_ID cell")


def submission(set_name: str, sid: str, kind: str = "reference", build_dir=None, extra=None) -> dict:
    """A sample submission of ``set_name`` for student ``sid``, built from the generated notebooks.

    kind: ``"reference"`` (the student notebook with the reference solution filled in and a written
    answer), ``"blank"`` (the student notebook with only the ID filled in). ``extra`` is a list of
    (position, source) code cells to insert (position ``None`` = at the end), e.g. a wrong answer,
    an error or an endless loop.
    """
    import copy
    build_dir = Path(build_dir or ROOT / "_build" / "assignments")
    name = SETS[set_name]
    student = json.loads((build_dir / set_name / "student" / f"{name}.ipynb").read_text())
    nb = copy.deepcopy(student)
    if kind == "reference":
        ref = json.loads((build_dir / set_name / "autograder" / f"{name}.ipynb").read_text())
        for mine, theirs in zip(_code_cells(nb), _code_cells(ref), strict=True):
            mine["source"] = theirs["source"]
        for c in nb["cells"]:
            if "otter_answer_cell" in c.get("metadata", {}).get("tags", []) and c["cell_type"] == "markdown":
                c["source"] = "My derivation: see the chapter (written answer, graded by hand)."
    elif kind != "blank":
        raise ValueError(f"kind must be 'reference' or 'blank', got {kind!r}")
    _set_id(nb, sid)
    for pos, src in extra or []:
        import nbformat
        cell = nbformat.v4.new_code_cell(src)
        nb["cells"].insert(len(nb["cells"]) if pos is None else pos, dict(cell))
    return nb


def write_notebook(nb: dict, path: Path) -> Path:
    path.write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")
    return path


def question_cell_index(nb: dict, question: str) -> int:
    """Index of the cell that runs ``grader.check("<question>")``."""
    for i, c in enumerate(nb["cells"]):
        if c["cell_type"] == "code" and f'grader.check("{question}")' in "".join(c["source"]):
            return i
    raise ValueError(f"no check cell for {question}")


def _first_answer(set_name, question):
    """Name of the first variable a question asks for (from answers.py, without importing redlib)."""
    text = (SRC / "answers.py").read_text(encoding="utf-8")
    block = text.split(f'"{set_name}": {{', 1)[1]
    return re.search(rf'"{question}": \[\("(\w+)"', block).group(1)


def samples(folder: Path, set_name: str, ids: list, build_dir=None) -> list:
    """Write sample submissions (one reference per ID, a blank one, and every kind of broken file)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for sid in ids:
        written.append(write_notebook(submission(set_name, sid, "reference", build_dir), folder / f"{sid}.ipynb"))
    first = ids[0]
    nb = submission(set_name, first, "blank", build_dir)
    written.append(write_notebook(nb, folder / f"blank-{first}.ipynb"))
    q3 = question_cell_index(submission(set_name, first, "reference", build_dir), "q3")
    broken = {
        # q3's answer is lost (deleted, then the cell fails / never ends); the rest must still count
        "raises": [(q3, f"del {_first_answer(set_name, 'q3')}\nraise RuntimeError('my code has a bug')")],
        "loops": [(q3, f"del {_first_answer(set_name, 'q3')}\nwhile True:\n    pass")],
        "clobbers": [(None, "del variants, redlib, np\ngrader = None\nP = None\nSTUDENT_ID = 'someone-else'")],
        "crashes": [(None, "import os\nos._exit(1)")],
    }
    for kind, extra in broken.items():
        written.append(write_notebook(submission(set_name, first, "reference", build_dir, extra),
                                      folder / f"{kind}-{first}.ipynb"))
    other = "ps2" if set_name != "ps2" else "ps1"
    written.append(write_notebook(submission(other, first, "reference", build_dir), folder / f"otherset-{first}.ipynb"))
    (folder / f"empty-{first}.ipynb").write_bytes(b"")
    (folder / f"notanotebook-{first}.pdf").write_bytes(b"%PDF-1.4 not a notebook\n")
    (folder / f"chapter-{first}.ipynb").write_text((ROOT / "book" / "01_model.ipynb").read_text())
    written += [folder / f"empty-{first}.ipynb", folder / f"notanotebook-{first}.pdf", folder / f"chapter-{first}.ipynb"]
    return written


# ------------------------------------------------------------------------------------ grading
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def student_id_of(nb: dict):
    """The string assigned to STUDENT_ID in the first code cell that assigns it, else None."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        src = "".join(cell["source"]) if isinstance(cell.get("source"), list) else cell.get("source", "")
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in tree.body:
            if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "STUDENT_ID"
                                                      for t in node.targets)):
                v = node.value
                return v.value.strip() if isinstance(v, ast.Constant) and isinstance(v.value, str) else None
    return None


def _inspect(path: Path, set_name):
    """(set, student_id, error message or None) of a submission, without running it."""
    if path.stat().st_size == 0:
        return set_name, None, "the file is empty"
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        import nbformat
        nbformat.validate(nbformat.from_dict(nb))
    except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, never raised
        return set_name, None, f"not a Jupyter notebook ({type(exc).__name__})"
    name = nb.get("metadata", {}).get("otter", {}).get("assignment_name")
    if name not in SETS:
        return set_name, None, "not a notebook of one of the problem sets (no otter assignment name)"
    if set_name is not None and name != set_name:
        return set_name, None, f"this notebook is problem set {name}, not {set_name}"
    sid = student_id_of(nb)
    return name, sid, None


def _run_one(path: Path, set_name, build_dir: Path, cell_timeout: int, timeout: int) -> dict:
    row = {"file": path.name, "student_id": "", "set": set_name or "", "status": "", "message": "",
           "scores": {}, "total": 0.0, "possible": 0.0, "feedback": []}
    before = _sha256(path)
    s, sid, err = _inspect(path, set_name)
    row["set"], row["student_id"] = s or "", sid or ""
    if s is not None:
        qs = read_source(s)["questions"]
        row["scores"] = {q["name"]: (None if q["manual"] else 0.0) for q in qs}
        row["possible"] = float(sum(q["points"] for q in qs if not q["manual"]))
    if err is None:
        zip_path = build_dir / s / "autograder" / "autograder.zip"
        if not zip_path.exists():
            err = f"no autograder for {s}: run `bash .ci/assignments build` first"
    if err is None:
        if not sid:
            row["feedback"].append("no student ID found (STUDENT_ID = \"...\" in the notebook): "
                                   "the values cannot be checked against a variant")
        with tempfile.TemporaryDirectory(prefix="redlib-grade-") as tmp:
            copy = Path(tmp) / path.name
            shutil.copy(path, copy)
            os.chmod(copy, 0o444)
            out_json = Path(tmp) / "result.json"
            env = dict(os.environ, REDLIB_ASSIGNMENT_ID=sid or "", PYTHONDONTWRITEBYTECODE="1")
            cmd = [sys.executable, str(Path(__file__).resolve()), "worker", str(copy), str(zip_path),
                   str(out_json), str(cell_timeout)]
            for attempt in (1, 2):   # a grading error (e.g. a kernel slow to start on a loaded
                                     # machine) is retried once; a second error gives zero
                err = None
                out_json.unlink(missing_ok=True)
                proc = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, start_new_session=True)
                try:
                    log, _ = proc.communicate(timeout=timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, 9)
                    proc.communicate()
                    err = f"grading stopped after {timeout} s in all: the notebook did not finish"
                    break
                res = json.loads(out_json.read_text()) if out_json.exists() else None
                if res is not None and not res.get("error"):
                    break
                err = res["error"] if res is not None else "worker failed"
            if err is None or err == "worker failed":
                err = None
                if res is not None:
                    if res.get("error"):
                        err = res["error"]
                    else:
                        for q, sc in res["scores"].items():
                            if q in row["scores"]:
                                row["scores"][q] = sc
                        row["feedback"] += res["feedback"]
                else:
                    tail = log.decode(errors="replace").strip().splitlines()[-3:]
                    err = "the grader could not run this notebook: " + " | ".join(tail)
    if err is not None:
        row["status"], row["message"] = "not graded (0 points)", err
    else:
        row["status"] = "graded"
    row["total"] = float(sum(v for v in row["scores"].values() if v is not None))
    after = _sha256(path)
    if after != before:  # never expected: we only read the file
        row["message"] += " | WARNING: the submission file changed during grading"
    row["sha256"] = after
    return row


def _worker(submission: str, zip_path: str, out_json: str, cell_timeout: str) -> int:
    """Grade one notebook with otter (in this process), interrupting any cell after cell_timeout s."""
    import nbconvert.preprocessors as pp

    class _Execute(pp.ExecutePreprocessor):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.timeout = int(cell_timeout)
            self.interrupt_on_timeout = True
            self.error_on_timeout = {"ename": "CellTimeout",
                                     "evalue": f"cell stopped after {cell_timeout} s"}

    pp.ExecutePreprocessor = _Execute
    out = {"scores": {}, "feedback": []}
    try:
        import otter.run
        with open(os.devnull, "w") as devnull:
            stdout, sys.stdout = sys.stdout, devnull
            try:
                results = otter.run.main(submission, autograder=zip_path, output_dir=None, no_logo=True)
            finally:
                sys.stdout = stdout
        for q, r in results.results.items():
            out["scores"][q] = float(r.score)
            for tcr in r.test_case_results:
                if not tcr.passed:
                    last = tcr.message.strip().splitlines()[-1] if tcr.message.strip() else ""
                    kind = "hidden" if tcr.test_case.hidden else "public"
                    out["feedback"].append(f"{q} ({kind} test): {last}")
        nb = getattr(results, "notebook", None)
        for cell in (nb.cells if nb is not None else []):
            for o in cell.get("outputs", []):
                if o.get("output_type") != "error":
                    continue
                src = cell.get("source", "").strip().splitlines()
                where = f"the cell starting `{src[0][:60]}`" if src else "a cell"
                if o.get("ename") in ("CellTimeout", "KeyboardInterrupt"):
                    out["feedback"].append(f"{where} ran longer than {cell_timeout} s and was stopped "
                                           "(an endless loop?); the other cells were graded")
                elif "grader.check" not in "".join(src) and "otter.Notebook(" not in "".join(src):
                    out["feedback"].append(f"{where} raised {o.get('ename')}: {o.get('evalue', '')[:200]}")
    except Exception as exc:  # noqa: BLE001 - reported as a message with zero points
        msg = str(exc).strip().splitlines()
        out = {"error": f"the notebook could not be graded: {type(exc).__name__}"
                        + (f": {msg[-1][:200]}" if msg else "")}
    Path(out_json).write_text(json.dumps(out))
    return 0


def grade(folder: Path, out: Path, set_name=None, build_dir=None, jobs=2, cell_timeout=60,
          timeout=600, quiet=False) -> list:
    """Grade every file of ``folder``; write ``gradebook.csv`` and ``feedback/`` into ``out``."""
    build_dir = build_dir or ROOT / "_build" / "assignments"
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    t0 = time.time()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        rows = list(ex.map(lambda p: _run_one(p, set_name, build_dir, cell_timeout, timeout), files))
    ids = [r["student_id"] for r in rows if r["student_id"]]
    for r in rows:
        if r["student_id"] and ids.count(r["student_id"]) > 1:
            r["message"] = (r["message"] + " | " if r["message"] else "") + "ID claimed by several files"
    out.mkdir(parents=True, exist_ok=True)
    (out / "feedback").mkdir(exist_ok=True)
    qnames = []
    for r in rows:
        qnames += [q for q in r["scores"] if q not in qnames]
    with open(out / "gradebook.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["file", "student_id", "set", *qnames, "total", "possible", "percent", "status",
                    "message", "sha256"])
        for r in rows:
            pct = 100 * r["total"] / r["possible"] if r["possible"] else 0.0
            w.writerow([r["file"], r["student_id"], r["set"],
                        *[("manual" if r["scores"].get(q, "") is None else r["scores"].get(q, ""))
                          for q in qnames],
                        r["total"], r["possible"], f"{pct:.1f}", r["status"], r["message"], r["sha256"]])
    for r in rows:
        lines = [f"Feedback on {r['file']} (problem set {r['set'] or '?'}, student {r['student_id'] or '?'})",
                 f"Autograded points: {r['total']:g} of {r['possible']:g} ({r['status']})"]
        if r["message"]:
            lines.append(f"Note: {r['message']}")
        for q, sc in r["scores"].items():
            lines.append(f"  {q}: " + ("graded by hand" if sc is None else f"{sc:g}"))
        lines += ["", *r["feedback"]] if r["feedback"] else []
        (out / "feedback" / f"{r['file']}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if not quiet:
        print(f"== graded {len(rows)} file(s) in {time.time() - t0:.1f} s -> {out / 'gradebook.csv'}")
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="student notebooks + autograders for every set")
    b.add_argument("--out", default=str(ROOT / "_build" / "assignments"))
    b.add_argument("--sets", default=",".join(SETS))
    b.add_argument("--jobs", type=int, default=2)
    g = sub.add_parser("grade", help="grade a folder of submissions")
    g.add_argument("folder")
    g.add_argument("--set", dest="set_name", choices=sorted(SETS))
    g.add_argument("--out")
    g.add_argument("--build-dir", default=str(ROOT / "_build" / "assignments"))
    g.add_argument("--jobs", type=int, default=2)
    g.add_argument("--cell-timeout", type=int, default=60)
    g.add_argument("--timeout", type=int, default=600)
    sm = sub.add_parser("samples", help="write sample submissions (reference, blank, broken) to try grading")
    sm.add_argument("folder")
    sm.add_argument("--set", dest="set_name", choices=sorted(SETS), default="ps1")
    sm.add_argument("--ids", default="s1000001,s1000002,s1000003")
    sm.add_argument("--build-dir", default=str(ROOT / "_build" / "assignments"))
    w = sub.add_parser("worker")
    w.add_argument("args", nargs=4)
    a = ap.parse_args(argv)
    if a.cmd == "build":
        sets = [s for s in a.sets.split(",") if s]
        bad = [s for s in sets if s not in SETS]
        if bad:
            ap.error(f"unknown set(s) {bad}; choose from {sorted(SETS)}")
        return build(Path(a.out).resolve(), sets, a.jobs)
    if a.cmd == "grade":
        folder = Path(a.folder).resolve()
        if not folder.is_dir():
            ap.error(f"{folder} is not a folder")
        out = Path(a.out).resolve() if a.out else folder / "graded"
        grade(folder, out, a.set_name, Path(a.build_dir).resolve(), a.jobs, a.cell_timeout, a.timeout)
        return 0
    if a.cmd == "samples":
        files = samples(Path(a.folder).resolve(), a.set_name, a.ids.split(","), Path(a.build_dir))
        print(f"== {len(files)} sample submission(s) of {a.set_name} in {Path(a.folder).resolve()}")
        return 0
    return _worker(*a.args)


if __name__ == "__main__":
    sys.exit(main())
