"""The two ways one CSV is checked agree: the quick plan (most cells untrimmed) and the careful plan
(every cell trimmed) give the same typed frame on a clean file, and the quick plan gives up, rather
than guessing, whenever a check fails on it."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from contract_fixtures import write_inputs
from pipeline.config import load_organisation
from pipeline.extracts.contract import EXTRACTS
from pipeline.extracts.readers import read_extract
from pipeline.extracts.validate import _validate, validate_extract

SAMPLE = Path(__file__).resolve().parents[2] / "inputs"


@pytest.mark.parametrize("extract", [e for e in EXTRACTS], ids=lambda e: e.name)
def test_quick_and_careful_plans_type_the_sample_identically(extract):
    org, _ = load_organisation(SAMPLE / "organisation.toml")
    raw, problems = read_extract(SAMPLE / "2024" / f"{extract.name}.csv", extract)
    assert raw is not None and raw.quick is not None and not problems
    quick = _validate(raw.quick, raw, org, quick=True)
    careful = _validate(raw.frame, raw, org)
    assert quick is not None, "the sample is clean: the quick plan must not give up"
    assert quick[1] == careful[1] == []
    assert quick[0].equals(careful[0])


def test_the_quick_plan_gives_up_on_a_padded_code(tmp_path):
    root = write_inputs(tmp_path)
    p = root / "2024" / "training.csv"
    p.write_text(p.read_text().replace(",approved,", ", approved,"))
    org, _ = load_organisation(root / "organisation.toml")
    ex = next(e for e in EXTRACTS if e.name == "training")
    raw, _ = read_extract(p, ex)
    assert _validate(raw.quick, raw, org, quick=True) is None
    typed, problems = _validate(raw.frame, raw, org)
    assert problems == [] and typed["outcome"].to_list() == ["approved", "pending"]


def test_codes_are_categories_shared_across_extracts(tmp_path):
    # one global set of categories: a code column of one extract joins and compares with another's
    from pipeline.config import ReportingYear
    from pipeline.extracts import load_extracts

    root = write_inputs(tmp_path)
    org, _ = load_organisation(root / "organisation.toml")
    ex, _ = load_extracts(root, ReportingYear(2024), org)
    assert ex.employees.schema["sex"] == pl.Categorical
    assert ex.applications.schema["workforce_group"] == pl.Categorical
    joined = ex.applications.join(ex.employees.select("workforce_group").unique(), on="workforce_group")
    assert joined.height == ex.applications.height


def test_employee_ids_become_integer_keys_that_join_across_extracts(tmp_path):
    # every pay row of the sample belongs to an employee: joined by key, none is lost and none doubled
    from pipeline.config import ReportingYear
    from pipeline.extracts import load_extracts

    root = write_inputs(tmp_path)
    org, _ = load_organisation(root / "organisation.toml")
    ex, _ = load_extracts(root, ReportingYear(2024), org)
    assert ex.employees.schema["employee_id"] == pl.Int128 == ex.pay.schema["employee_id"]
    assert ex.employees["employee_id"].n_unique() == ex.employees.height
    assert ex.pay.join(ex.employees.select("employee_id"), on="employee_id").height == ex.pay.height


def test_employee_key_is_the_same_for_the_same_text_and_null_for_a_blank():
    from pipeline.extracts.frames import employee_key

    keys = pl.DataFrame({"id": ["E1", "E2", None, "E1", "E10", "1E"]}).select(employee_key(pl.col("id")))["id"]
    assert keys[0] == keys[3]
    assert keys[2] is None
    assert keys.drop_nulls().n_unique() == 4


def test_a_quoted_empty_code_is_a_blank_cell_like_an_unquoted_one(tmp_path):
    # the quick plan's parser makes codes categories, where a quoted empty cell stays "" (not blank):
    # it must give up, so that the careful plan reads the cell as the blank it is ("not_stated")
    root = write_inputs(tmp_path)
    p = root / "2024" / "employees.csv"
    lines = p.read_text().splitlines()
    lines[1] = lines[1].replace(",no_religion,", ',"",')
    p.write_text("\n".join(lines) + "\n")
    org, _ = load_organisation(root / "organisation.toml")
    ex = next(e for e in EXTRACTS if e.name == "employees")
    raw, _ = read_extract(p, ex)
    assert raw.quick.collect_schema()["religion"] == pl.Categorical
    assert _validate(raw.quick, raw, org, quick=True) is None
    typed, problems = validate_extract(raw, org)
    assert problems == []
    assert typed["religion"].to_list() == ["not_stated", "no_religion", "no_religion", "no_religion", "no_religion"]
