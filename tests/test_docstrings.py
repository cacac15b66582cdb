"""numpydoc sections of the public API, checked with ``numpydoc.validate``.

Public API = every name of ``redlib.__all__`` and ``redlib.referee.__all__`` and the public methods
and properties of those classes.  Checked error codes:

* ``GL08`` the object has a docstring;  ``SS01`` it has a summary line;
* ``PR01`` every parameter is documented;  ``PR02`` no documented parameter is unknown;
* ``RT01`` a function or method that returns something has a Returns section;
* ``EX01`` an Examples section (run by the doctests).

Two conventions, stated here and checked instead of being ignored:

* result and data classes (made by the solvers, not by users) document their fields under
  *Attributes* instead of *Parameters*: for them ``PR01``/``PR02`` are replaced by a check that
  every public field is named in the Attributes section;
* properties are attributes: they need a docstring and a summary but no Examples section.

Finally no file of the project mentions the private derivations note (its name is built below so
that this file does not mention it either).
"""
import dataclasses
import inspect
import subprocess
from pathlib import Path

import numpydoc.validate as nv
import pytest

import redlib
import redlib.referee

CODES = {"GL08", "SS01", "PR01", "PR02", "RT01", "EX01"}

# made by the solvers (or by concave_envelope / weights_from_*), read by users
RESULT_TYPES = {
    "CompetitiveEquilibrium", "OneSidedResult", "TwoPriceResult", "MechanismResult", "SideMechanism",
    "InequalityMap", "GroupAllocation", "AllocationResult", "Envelope",
    "JointWeights", "SampleWeight", "CRRAPopulation", "LPMarketResult", "LPAllocationResult",
}


def _public_objects():
    for mod in (redlib, redlib.referee):
        for name in mod.__all__:
            obj = getattr(mod, name)
            path = f"{obj.__module__}.{name}"
            yield path, name, obj, "object"
            if inspect.isclass(obj) and not issubclass(obj, BaseException):
                for meth, value in vars(obj).items():
                    if meth.startswith("_"):
                        continue
                    if isinstance(value, property):
                        yield f"{path}.{meth}", name, value, "property"
                    elif callable(value) or isinstance(value, (classmethod, staticmethod)):
                        yield f"{path}.{meth}", name, value, "method"


OBJECTS = list(_public_objects())


@pytest.mark.parametrize("path, owner, obj, kind", OBJECTS, ids=[o[0] for o in OBJECTS])
def test_numpydoc_sections(path, owner, obj, kind):
    codes = set(CODES)
    if kind == "property":
        codes -= {"EX01", "RT01", "PR01", "PR02"}
    if kind == "object" and owner in RESULT_TYPES:
        codes -= {"PR01", "PR02"}
    errors = [(c, m) for c, m in nv.validate(path)["errors"] if c in codes]
    assert errors == [], f"{path}: {errors}"


@pytest.mark.parametrize("name", sorted(RESULT_TYPES & set(redlib.__all__) | {"LPMarketResult",
                                                                                "LPAllocationResult"}))
def test_result_types_document_their_fields(name):
    cls = getattr(redlib, name, None) or getattr(redlib.referee, name)
    doc = inspect.getdoc(cls)
    assert "Attributes\n----------" in doc, name
    attrs = doc.split("Attributes\n----------", 1)[1]
    fields = [f.name for f in dataclasses.fields(cls)] if dataclasses.is_dataclass(cls) else []
    missing = [f for f in fields if not f.startswith("_") and f not in attrs]
    assert missing == [], f"{name}: fields not under Attributes: {missing}"


def test_the_public_api_is_covered():
    # sanity: the parametrization above really walks the API (all top-level names, methods too)
    paths = {p for p, *_ in OBJECTS}
    assert {f"redlib.mechanism.{n}" for n in ("optimal_mechanism", "MechanismResult")} <= paths
    assert "redlib.mechanism.MechanismResult.verify" in paths
    assert "redlib.referee.market.lp_market" in paths
    assert len(OBJECTS) > 100


def test_no_file_mentions_the_private_note():
    note = "MATH" + ".md"
    root = Path(redlib.__file__).resolve().parents[1]
    proc = subprocess.run(["git", "grep", "-l", note], cwd=root, capture_output=True, text=True)
    if proc.returncode not in (0, 1):  # not a git checkout: scan the files instead
        hits = [str(p) for p in root.rglob("*") if p.is_file() and ".venv" not in p.parts
                and "_build" not in p.parts and ".git" not in p.parts
                and p.suffix in {".py", ".md", ".ipynb", ".toml", ".txt", ".yml", ".cfg"}
                and note in p.read_text(errors="ignore")]
    else:
        hits = proc.stdout.split()
    assert hits == [], hits
