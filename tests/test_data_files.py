"""Schema of the data files under book/data/: every number has a source or is a labelled assumption."""
import csv
import math
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "book" / "data"
FILES = sorted(DATA.glob("*.csv"))
REQUIRED = ["quantity", "value", "unit", "year", "source_title", "source_url", "assumption", "note"]
ASSUMPTION_TITLE = "Illustrative assumption (this book)"


def rows(path):
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return reader.fieldnames, list(reader)


def test_there_are_data_files():
    assert len(FILES) >= 5, FILES


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_schema(path):
    header, body = rows(path)
    assert header == REQUIRED, f"{path.name}: columns {header}"
    assert body, f"{path.name} has no rows"
    for k, row in enumerate(body, start=2):
        where = f"{path.name} line {k}"
        assert None not in row and all(v is not None for v in row.values()), f"{where}: wrong field count"
        assert row["quantity"].strip(), f"{where}: empty quantity"
        assert math.isfinite(float(row["value"])), f"{where}: value not finite"
        assert row["unit"].strip(), f"{where}: empty unit"
        assert 1990 <= int(row["year"]) <= 2026, f"{where}: year {row['year']}"
        assert row["source_title"].strip(), f"{where}: empty source"
        assert row["assumption"] in ("yes", "no"), f"{where}: assumption must be yes or no"
        if row["assumption"] == "no":
            assert row["source_url"].startswith(("http://", "https://")), f"{where}: measured without address"
            assert row["source_title"] != ASSUMPTION_TITLE, f"{where}: measured row titled as assumption"
        else:
            assert row["source_title"] == ASSUMPTION_TITLE, f"{where}: assumption not labelled"
            assert row["source_url"] == "", f"{where}: an assumption has no source address"
            assert row["note"].strip(), f"{where}: an assumption must say what it assumes"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_quantity_year_pairs_are_unique(path):
    _, body = rows(path)
    keys = [(r["quantity"], r["year"]) for r in body]
    assert len(keys) == len(set(keys)), f"{path.name}: repeated quantity/year"


def test_quintile_shares_sum_to_100():
    _, body = rows(DATA / "us_income_quintiles.csv")
    groups = {}
    for r in body:
        stem = r["quantity"].rsplit("_", 1)[0]
        if r["quantity"].rsplit("_", 1)[1].startswith("q") and "limit" not in stem:
            groups.setdefault((stem, r["year"]), []).append(float(r["value"]))
    assert len(groups) == 4
    for key, shares in groups.items():
        assert len(shares) == 5 and abs(sum(shares) - 100) <= 0.15, (key, sum(shares))
