"""Helpers for tests that use redlib as an outsider would: from a built wheel, in a fresh virtual
environment outside the repository.

* :func:`build_wheel` builds the wheel with PyPI ``build`` (``python -m build --wheel
  --no-isolation``: the build backend comes from the project's environment, nothing is downloaded)
  from a copy of the package sources, so that the checkout gets no ``build/`` or ``*.egg-info``.
* :func:`make_venv` creates a virtual environment (without pip) whose only view of the project's
  environment is its ``site-packages`` directory appended to ``sys.path`` by a ``.pth`` file: the
  runtime dependencies (numpy, scipy, matplotlib, ...) are importable without any download, but
  neither the repository nor the project's editable install of redlib is (``.pth`` files of an
  appended directory are not executed, so the editable finder is not installed).
* :func:`pip_install` installs wheels into such an environment with ``--no-deps --no-index``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

__all__ = ["ROOT", "build_wheel", "make_venv", "pip_install", "run_python"]

ROOT = Path(__file__).resolve().parents[1]

# what the wheel is built from: the package and the files pyproject.toml refers to
_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "redlib")


def build_wheel(outdir) -> Path:
    """Build the redlib wheel into ``outdir`` and return its path.

    The sources are copied to ``outdir/src`` first (without ``__pycache__``), so the repository is
    left untouched and concurrent builds do not share a ``build/`` directory.
    """
    outdir = Path(outdir)
    src = outdir / "src"
    src.mkdir(parents=True, exist_ok=True)
    for name in _SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif path.exists():
            shutil.copy2(path, src / name)
    dist = outdir / "dist"
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(src)],
        cwd=outdir, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"python -m build failed:\n{proc.stdout}\n{proc.stderr}")
    wheels = sorted(dist.glob("redlib-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel in {dist}, found {wheels}")
    return wheels[0]


def make_venv(path) -> Path:
    """Create a fresh virtual environment at ``path`` that sees the project's installed packages.

    Returns the path of its Python interpreter. The project's ``site-packages`` (of the interpreter
    running this code) is appended to the new environment's ``sys.path`` by a ``.pth`` file; redlib
    itself is not importable there until a wheel is installed (:func:`pip_install`).
    """
    path = Path(path)
    venv.EnvBuilder(with_pip=False, clear=True).create(path)
    python = path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    deps = sysconfig.get_paths()["purelib"]
    Path(site, "_project_site_packages.pth").write_text(deps + "\n")
    return python


def pip_install(python, *wheels) -> None:
    """Install ``wheels`` into the environment of ``python`` (no dependencies, no index)."""
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", str(python),
         "install", "--no-deps", "--no-index", *map(str, wheels)],
        cwd=Path(python).parent, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"pip install failed:\n{proc.stdout}\n{proc.stderr}")


def run_python(python, code, cwd, **env):
    """Run ``code`` with ``python`` in ``cwd`` (with a clean PYTHONPATH); return the completed process."""
    environ = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    environ.update(MPLBACKEND="Agg", PYTHONNOUSERSITE="1", **env)
    return subprocess.run([str(python), "-c", code], cwd=cwd, env=environ, capture_output=True, text=True)
