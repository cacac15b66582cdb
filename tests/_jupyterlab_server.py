"""A real JupyterLab, headless, over a temporary copy of ``book/`` (one launcher for the JupyterLab
test and the key-press benchmark).

:func:`running_lab` copies ``book/`` into a temporary folder, writes offline settings (no news or
update checks; every cell rendered, no virtual scrolling), starts ``jupyter lab`` from this
environment with a random token, waits for its status API, yields ``(base_url, token, book_dir)``
and stops the server afterwards.
"""
from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SETTINGS = {
    # render every cell (no virtual scrolling), so the whole notebook can be inspected
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    # offline: no news or update checks
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}


@contextlib.contextmanager
def running_lab(tmp: Path, port: int, env=None, start_timeout: float = 60.0):
    """Run JupyterLab on ``port`` over a copy of ``book/`` in ``tmp``; yield ``(base, token, book)``.

    Raises RuntimeError if the server exits or does not answer within ``start_timeout`` seconds
    (with the end of its log)."""
    tmp = Path(tmp)
    book = tmp / "book"
    shutil.copytree(ROOT / "book", book, ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"))
    settings = tmp / "settings"
    for name, value in SETTINGS.items():
        f = settings / name
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(value))
    token = secrets.token_hex(16)
    log_path = tmp / "lab.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.port_retries=0", f"--ServerApp.token={token}", f"--ServerApp.root_dir={book}",
         f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={tmp / 'ws'}"],
        stdout=log, stderr=subprocess.STDOUT, cwd=tmp, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited: {log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
            if time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not start within {start_timeout:g} s")
        yield base, token, book
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
