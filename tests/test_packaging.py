"""redlib as others install it: the wheel built by PyPI ``build``, installed into a fresh virtual
environment outside the repository (dependencies from the project's environment, nothing
downloaded), imported and used from a directory outside the repository."""
import json
import subprocess
import sys

import pytest
from _fresh_venv import ROOT, build_wheel, make_venv, pip_install, run_python

import redlib


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(python, venv dir, wheel, a working directory outside the repository)."""
    base = tmp_path_factory.mktemp("packaging")
    assert ROOT not in base.parents, "the test environment must live outside the repository"
    wheel = build_wheel(base / "wheel")
    env = base / "venv"
    python = make_venv(env)
    pip_install(python, wheel)
    cwd = base / "elsewhere"
    cwd.mkdir()
    return python, env, wheel, cwd


def _run(installed, code):
    python, _, _, cwd = installed
    proc = run_python(python, code, cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def test_wheel_holds_the_package_only(installed):
    import zipfile

    _, _, wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    assert "redlib/__init__.py" in names
    assert "redlib/referee/__init__.py" in names and "redlib/plotting/__init__.py" in names
    tops = {n.split("/")[0] for n in names}
    assert tops == {"redlib", f"redlib-{redlib.__version__}.dist-info"}, tops


def test_version_and_location(installed):
    _, env, _, _ = installed
    out = json.loads(_run(installed, (
        "import json, importlib.metadata as m, redlib\n"
        "d = m.distribution('redlib')\n"
        "print(json.dumps({'version': redlib.__version__, 'meta': m.version('redlib'),\n"
        "  'file': redlib.__file__, 'requires': d.requires}))\n")))
    assert out["version"] == out["meta"] == redlib.__version__
    assert out["file"].startswith(str(env)), out["file"]
    assert not out["file"].startswith(str(ROOT)), out["file"]
    reqs = " ".join(out["requires"])
    for dep in ("numpy", "scipy", "matplotlib"):
        assert dep in reqs
    assert 'extra == "widgets"' in reqs


def test_the_repository_is_not_importable_there(installed):
    # no .pth with the repository root: the checkout's other top-level folders are not packages there
    out = _run(installed, (
        "import importlib.util, sys\n"
        "print(importlib.util.find_spec('tests') is None, importlib.util.find_spec('benchmarks') is None)\n"
        "import pathlib\n"
        f"root = pathlib.Path({str(ROOT)!r})\n"
        "inside = [p for p in sys.path if pathlib.Path(p or '.').resolve() == root\n"
        "          or root in pathlib.Path(p or '.').resolve().parents and '.venv' not in p]\n"
        "print(inside == [])\n"))
    assert out.split() == ["True", "True", "True"]


def test_a_solve_agrees_with_the_checkout(installed):
    code = (
        "from redlib import Market, Side, Uniform, optimal_mechanism, power_weight\n"
        "m = Market(Side(Uniform(), power_weight(2.0, 3.0)), Side(Uniform(), power_weight(1.0, 2.0)),"
        " buyer_mass=0.8)\n"
        "r = optimal_mechanism(m, grid_size=200)\n"
        "print(repr(r.welfare), r.n_prices)\n")
    there = _run(installed, code).split()
    here = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert there == here
    assert float(there[0]) > 0


def test_docstring_examples_of_the_installed_package(installed):
    out = json.loads(_run(installed, (
        "import doctest, importlib, json, pkgutil, redlib\n"
        "failed = attempted = 0\n"
        "files = []\n"
        "for mod in pkgutil.walk_packages(redlib.__path__, 'redlib.'):\n"
        "    m = importlib.import_module(mod.name)\n"
        "    files.append(m.__file__)\n"
        "    res = doctest.testmod(m, verbose=False, report=True)\n"
        "    failed += res.failed; attempted += res.attempted\n"
        "print(json.dumps({'failed': failed, 'attempted': attempted, 'files': files}))\n")))
    assert out["failed"] == 0
    assert out["attempted"] >= 50, out["attempted"]  # the package's examples ran, not an empty set
    _, env, _, _ = installed
    assert all(f.startswith(str(env)) for f in out["files"])
