"""Shared pytest configuration for the whole test suite (kept in tests/: the project's top level
holds no pytest.ini).

* ``redlib`` is imported as installed (``pip install -e .``, done by ``bash .ci/install``); nothing
  is put on ``sys.path`` here.
* ``tests/browser`` needs a built site and a browser: it is collected only when the environment
  variable ``REDLIB_BROWSER=1`` is set (``bash .ci/test`` does so after building the site).
* ``tests/jupyterlab`` starts a JupyterLab server and a browser: collected only with
  ``REDLIB_JUPYTERLAB=1`` (``bash .ci/test`` sets it).
* ``tests/pdf`` checks the PDF built by ``bash .ci/pdf``: collected only with ``REDLIB_PDF=1``.
"""
import os
from pathlib import Path


def pytest_ignore_collect(collection_path, config):
    if collection_path.name == "browser" and collection_path.parent == Path(__file__).parent:
        return os.environ.get("REDLIB_BROWSER") != "1" or None
    if collection_path.name == "jupyterlab" and collection_path.parent == Path(__file__).parent:
        return os.environ.get("REDLIB_JUPYTERLAB") != "1" or None
    if collection_path.name == "pdf" and collection_path.parent == Path(__file__).parent:
        return os.environ.get("REDLIB_PDF") != "1" or None
    return None


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: needs the built site and chromium (REDLIB_BROWSER=1)")
