"""Time the chapters' live sliders in a real kernel: one slider step, from event to new image.

For each chapter notebook with interactive figures, a Jupyter kernel (live mode: no
``REDLIB_STATIC_SITE``) executes the chapter's cells up to its last :func:`redlib.plotting.explore`
call; after each explore cell the benchmark moves that figure's slider through ``--steps`` values
spread over the slider's range (in random order, so that every step changes the figure) and waits
for each new image. The time of a step runs from the slider's value change in the kernel (the
event a reader's drag produces) to the new image (JPEG) handed to the ``ipywidgets.Image`` (which
sends it to the browser): the re-solve, the redraw in place and the JPEG encoding.

Run from the repository root::

    .venv/bin/python benchmarks/bench_widgets.py            # print the table
    .venv/bin/python benchmarks/bench_widgets.py --write    # and record it in benchmarks/RESULTS.md
    .venv/bin/python benchmarks/bench_widgets.py --figure draw_map book/03_linking_the_sides.ipynb
    .venv/bin/python benchmarks/bench_widgets.py --skip draw_map   # all figures but one
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
SECTION = "## Live sliders"

_STEP_CELL = """
import json as _json, math as _math, random as _random
from redlib.plotting.explore import LIVE as _LIVE
_live = _LIVE[-1]
_s = _live.slider
if type(_s).__name__ == "FloatLogSlider":
    _lo, _hi = _s.base ** _s.min, _s.base ** _s.max
    _vals = [_lo * (_hi / _lo) ** (k / ({n} - 1)) for k in range({n})]
elif hasattr(_s, "min"):
    _vals = [_s.min + (_s.max - _s.min) * k / ({n} - 1) for k in range({n})]
else:
    _vals = [v for _, v in _s.options]
_random.Random(13).shuffle(_vals)
_n0, _e0 = len(_live.timings), len(_live.errors)
for _v in _vals:
    if _v == _s.value:
        continue
    _s.value = _v
    assert _live.wait(300), "no image within 300 s"
print("BENCH " + _json.dumps({{"param": _s.description, "times": _live.timings[_n0:],
                              "phases": _live.phases[_n0:], "cpu": _live.cpu[_n0:],
                              "errors": [repr(e) for e in _live.errors[_e0:]]}}))
"""


def _figure_name(source: str) -> str:
    m = re.search(r"explore\(\s*(\w+)", source)
    return m.group(1) if m else "?"


def _explore_cells(cells, figure=None, skip=()):
    """Indices of the code cells that call explore (only those drawing ``figure`` if given, none
    drawing a figure in ``skip``)."""
    return [k for k, c in enumerate(cells) if c.cell_type == "code" and "explore(" in c.source
            and not c.source.lstrip().startswith(("import", "from"))
            and (figure is None or _figure_name(c.source) == figure)
            and _figure_name(c.source) not in skip]


def bench_chapter(path: Path, steps: int, timeout: int = 600, figure=None, skip=()):
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    probed = _explore_cells(cells, figure, skip)
    last = max(probed, default=None)
    if last is None:
        return []
    env_static = os.environ.pop("REDLIB_STATIC_SITE", None)
    rows = []
    try:
        work = nbformat.v4.new_notebook(metadata=nb.metadata)
        work.cells = [c for c in cells[: last + 1]]
        client = NotebookClient(work, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(BOOK)}})
        with client.setup_kernel():
            for idx, cell in enumerate(work.cells):
                if cell.cell_type != "code":
                    continue
                client.execute_cell(cell, idx)
                if idx in probed:
                    probe = nbformat.v4.new_code_cell(_STEP_CELL.format(n=steps))
                    client.execute_cell(probe, idx)
                    text = "".join(o.get("text", "") for o in probe.outputs if o.output_type == "stream")
                    m = re.search(r"BENCH (.*)", text)
                    if not m:
                        raise RuntimeError(f"{path.name}: no timing from {_figure_name(cell.source)}: "
                                           f"{probe.outputs}")
                    data = json.loads(m.group(1))
                    if data["errors"]:  # the figure failed at some slider values: say so, go on
                        rows.append((path.name, _figure_name(cell.source), data["param"],
                                     data["errors"], None, None))
                        print(f"  {path.name} {rows[-1][1]}: {len(data['errors'])} steps failed: "
                              f"{data['errors'][0]}", flush=True)
                        continue
                    rows.append((path.name, _figure_name(cell.source), data["param"], data["times"],
                                 data["phases"], data["cpu"]))
                    print(f"  {path.name} {rows[-1][1]}: median {1e3 * _median(data['times']):.0f} ms "
                          f"(CPU {1e3 * _median(data['cpu']):.0f} ms)", flush=True)
    finally:
        if env_static is not None:
            os.environ["REDLIB_STATIC_SITE"] = env_static
    return rows


def _median(xs):
    xs = sorted(xs)
    n = len(xs)
    return 0.5 * (xs[(n - 1) // 2] + xs[n // 2])


def table(rows):
    out = ["| chapter | figure | parameter | steps | median (ms) | max (ms) | of which draw: solve + "
           "artists (median ms) | render: blit + JPEG (median ms) | CPU time of the step (median ms) |",
           "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for nb, fig, param, times, phases, cpu in rows:
        if phases is None:  # steps failed (times holds the errors)
            out.append(f"| {nb} | `{fig}` | {param} | - | failed at {len(times)} of the values: "
                       f"`{times[0]}` | | | | |")
            continue
        out.append(f"| {nb} | `{fig}` | {param} | {len(times)} | {1e3 * _median(times):.0f} | "
                   f"{1e3 * max(times):.0f} | {1e3 * _median([p[0] for p in phases]):.0f} | "
                   f"{1e3 * _median([p[1] for p in phases]):.0f} | {1e3 * _median(cpu):.0f} |")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=12, help="slider values per figure (>= 10)")
    ap.add_argument("--write", action="store_true", help="record the table in benchmarks/RESULTS.md")
    ap.add_argument("--figure", help="time only this figure's slider (its draw function's name, "
                    "e.g. draw_map); the chapter's cells before it still run")
    ap.add_argument("--skip", action="append", default=[], metavar="FIGURE",
                    help="a figure's draw function not to time, e.g. draw_map (repeatable)")
    ap.add_argument("chapters", nargs="*", help="notebooks (default: book/0[1-9]_*.ipynb)")
    args = ap.parse_args(argv)
    if args.steps < 10:
        ap.error("--steps must be at least 10")
    if args.write and args.figure:
        ap.error("--write records the whole table: not with --figure")
    chapters = [Path(c) for c in args.chapters] or sorted(BOOK.glob("0[1-9]_*.ipynb"))
    load0 = os.getloadavg()
    t0 = time.time()
    rows = []
    for ch in chapters:
        rows += bench_chapter(ch, args.steps, figure=args.figure, skip=set(args.skip))
    load1 = os.getloadavg()
    head = (f"Generated by `benchmarks/bench_widgets.py`. Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} "
            f"on {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            f"load average {load0[0]:.1f} at the start and {load1[0]:.1f} at the end "
            f"(a shared machine: other jobs were running, so times are inflated), "
            f"{time.time() - t0:.0f} s in all."
            + (f" Not timed in this run: {', '.join(f'`{s}`' for s in args.skip)}." if args.skip else "")
            + "\n\n"
            "One step = the slider's value changes in a live kernel -> the figure is re-solved and "
            "redrawn in place (fixed axes and layout, only the data artists re-rendered over a cached "
            "background) -> the image (a JPEG) is handed to the `ipywidgets.Image`. Values spread over the "
            "slider's whole range, visited in random order. The times are wall-clock; the last "
            "column is the CPU time of the redraw thread, the step's own work (less sensitive to "
            "the other jobs of a shared machine).\n")
    text = head + "\n" + table(rows) + "\n"
    print(text)
    if args.write:
        old = RESULTS.read_text() if RESULTS.exists() else "# Benchmarks\n"
        block = f"{SECTION}\n\n{text}"
        if SECTION in old:
            pre, _, rest = old.partition(SECTION)
            nxt = rest.find("\n## ")
            end = nxt if nxt >= 0 else len(rest)
            sub = rest.find("\n### ", 0, end)  # subsections (e.g. JupyterLab timings) stay
            new = pre + block + (rest[sub:] if sub >= 0 else rest[end:])
        else:
            new = old.rstrip() + "\n\n" + block
        RESULTS.write_text(new)
        print(f"written to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
