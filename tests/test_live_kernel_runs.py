"""Every chapter executes to the end in a live kernel, again and again (no hang).

``jupyter nbconvert --execute`` of a chapter *without* the static-site switch (so every
:func:`redlib.plotting.explore` figure is a live ipywidgets slider) once hung, now and then, with no
timeout. This test runs each chapter ``REDLIB_LIVE_RUNS_EACH`` times (default 5) exactly that way,
two at a time, each run under a wall-clock limit (``REDLIB_LIVE_RUN_TIMEOUT`` seconds, default 240;
nbconvert's own per-cell timeout is set too), and fails if any run does not finish in time or
fails. The durations are printed.

It costs several minutes on two cores, so it runs only when ``REDLIB_LIVE_RUNS=1`` (``bash .ci/test``
sets it for its "live-kernel runs" step).
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
RUNS = int(os.environ.get("REDLIB_LIVE_RUNS_EACH", "5"))
LIMIT = float(os.environ.get("REDLIB_LIVE_RUN_TIMEOUT", "240"))
PARALLEL = int(os.environ.get("REDLIB_LIVE_RUNS_PARALLEL", "2"))

pytestmark = pytest.mark.skipif(os.environ.get("REDLIB_LIVE_RUNS") != "1",
                                reason="live-kernel runs: set REDLIB_LIVE_RUNS=1 (slow)")


def _run(notebook: Path, k: int, out: Path):
    env = dict(os.environ)
    env.pop("REDLIB_STATIC_SITE", None)  # live kernel: the sliders are real widgets
    env.pop("MPLBACKEND", None)
    env["PYTHONFAULTHANDLER"] = "1"
    jupyter = Path(sys.executable).with_name("jupyter")
    cmd = [str(jupyter), "nbconvert", "--to", "notebook", "--execute",
           f"--ExecutePreprocessor.timeout={int(LIMIT)}",
           "--output-dir", str(out), "--output", f"{notebook.stem}_{k}", str(notebook)]
    t0 = time.monotonic()
    # own process group: on a hang, SIGABRT makes nbconvert *and* its kernel print the stacks of
    # all their threads (PYTHONFAULTHANDLER), then the whole group is killed -- no orphan kernel
    proc = subprocess.Popen(cmd, cwd=notebook.parent, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGABRT)
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            err = ""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        return notebook.name, k, time.monotonic() - t0, "hung", (err or "")[-6000:]
    status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}"
    return notebook.name, k, time.monotonic() - t0, status, err[-2000:]


def test_every_chapter_runs_in_a_live_kernel_repeatedly():
    assert CHAPTERS, "no chapters in book/"
    out = Path(tempfile.mkdtemp(prefix="redlib-live-"))
    try:
        jobs = [(nb, k) for k in range(RUNS) for nb in CHAPTERS]
        with ThreadPoolExecutor(PARALLEL) as pool:
            results = list(pool.map(lambda job: _run(job[0], job[1], out), jobs))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    for name in sorted({r[0] for r in results}):
        times = sorted(r[2] for r in results if r[0] == name)
        print(f"{name}: {len(times)} runs, {min(times):.0f}-{max(times):.0f} s")
    bad = [r for r in results if r[3] != "ok"]
    assert len(results) == RUNS * len(CHAPTERS)
    assert not bad, "\n".join(f"{n} run {k}: {status} after {dt:.0f} s\n{err}"
                              for n, k, dt, status, err in bad)


_MOVE_EVERY_SLIDER = '''
import numpy as _np
from redlib.plotting.explore import LIVE as _LIVE
_report = []
for _live in _LIVE:
    _s = _live.slider
    if hasattr(_s, "options"):          # a SelectionSlider: every value it offers
        _targets = [v for _, v in _s.options]
    elif hasattr(_s, "base"):           # FloatLogSlider: exponents
        _targets = [_s.base ** e for e in _np.linspace(_s.min, _s.max, 7)]
    else:                               # FloatSlider: the ends and values between grid points
        _targets = list(_np.linspace(_s.min, _s.max, 7)) + [_s.min + 0.37 * (_s.max - _s.min)]
    for _v in _targets:
        _s.value = _v
        assert _live.wait(120), (_s.description, _v, "no image within 120 s")
    _report.append((_s.description, type(_s).__name__, len(_targets), len(_live.errors),
                    repr(_live.errors[:1])))
print(_report)
_bad = [r for r in _report if r[3]]
assert not _bad, _bad
'''


@pytest.mark.parametrize("notebook", [nb for nb in CHAPTERS if "explore(" in nb.read_text()],
                         ids=lambda p: p.name)
def test_every_live_slider_draws_over_its_whole_range(notebook, monkeypatch):
    """In a live kernel, every slider of the chapter is moved over its range (a selection
    slider through every value it offers) and every step must give a new image without error."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.delenv("REDLIB_STATIC_SITE", raising=False)
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nb = nbformat.read(notebook, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_MOVE_EVERY_SLIDER))
    NotebookClient(nb, timeout=int(LIMIT), kernel_name="python3",
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    print(notebook.name, out.strip())
    assert "Slider" in out, out
