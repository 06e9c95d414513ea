"""A tiny, valid set of extracts that tests break one rule at a time.

Rows are dicts of strings exactly as a user would type them into a CSV, so a test reads as
"take the valid files, change this cell, expect that error".
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from pipeline.extracts.contract import EXTRACTS
from pipeline.extracts.frames import employee_key

ORG_TOML = """
[organisation]
code = "tiny"
name_en = "Tiny Police"
name_cy = "Heddlu Bach"

[workforce_groups.officer]
name_en = "Police officers"
name_cy = "Swyddogion heddlu"
officer = true
grades = ["constable", "sergeant"]

[workforce_groups.staff]
name_en = "Police staff"
name_cy = "Staff yr heddlu"
grades = ["scale_1", "scale_2"]

[workforce_groups.special]
name_en = "Special constables"
name_cy = "Cwnstabliaid gwirfoddol"
employee = false
grades = ["special_constable"]

[grades.constable]
name_en = "Constable"
name_cy = "Cwnstabl"
[grades.sergeant]
name_en = "Sergeant"
name_cy = "Rhingyll"
[grades.scale_1]
name_en = "Scale 1"
name_cy = "Graddfa 1"
[grades.scale_2]
name_en = "Scale 2"
name_cy = "Graddfa 2"
[grades.special_constable]
name_en = "Special constable"
name_cy = "Cwnstabl gwirfoddol"

[code_maps.contract_type]
PERM = "permanent"
"""


def employee(eid: str, **over: str) -> dict[str, str]:
    row = {
        "employee_id": eid, "workforce_group": "officer", "job_title": "Response officer", "grade": "constable",
        "contract_type": "permanent", "working_pattern": "full_time", "fte": "1", "start_date": "2015-09-01",
        "leave_date": "", "leave_reason": "", "maternity_leave_start": "", "maternity_leave_end": "",
        "sex": "female", "date_of_birth": "1990-05-17", "ethnicity": "white_welsh_english_scottish_ni_british",
        "disability": "no", "religion": "no_religion", "sexual_orientation": "heterosexual",
        "gender_identity_same_as_sex_at_birth": "yes", "marital_status": "married", "welsh_speaking": "1",
    }
    row.update(over)
    return row


def pay(eid: str, **over: str) -> dict[str, str]:
    row = {
        "employee_id": eid, "period_start": "2024-03-01", "period_end": "2024-03-31", "ordinary_pay": "3000.00",
        "bonus_pay_in_period": "0", "bonus_period_days": "", "weekly_hours": "40", "full_pay": "true",
        "bonus_pay_12m": "0",
    }
    row.update(over)
    return row


def valid_tables() -> dict[str, list[dict[str, str]]]:
    employees = [
        employee("E1"),
        employee("E2", sex="male", grade="sergeant"),
        employee("E3", workforce_group="staff", grade="scale_1", working_pattern="part_time", fte="0.5",
                 contract_type="PERM"),
        employee("E4", workforce_group="special", grade="special_constable", sex="male"),
        employee("E5", sex="male", leave_date="2023-10-31", leave_reason="resignation"),
    ]
    return {
        "employees": employees,
        "pay": [pay("E1"), pay("E2", ordinary_pay="3500.50"), pay("E3", weekly_hours="18.5", ordinary_pay="1100")],
        "applications": [
            {"application_id": "A1", "vacancy_id": "V1", "applicant_type": "external", "employee_id": "",
             "workforce_group": "officer", "stage_reached": "appointed", "withdrawn": "false", "sex": "female",
             "age_band": "25-34", "ethnicity": "", "disability": "no", "religion": "", "sexual_orientation": "",
             "gender_identity_same_as_sex_at_birth": "", "marital_status": "", "welsh_speaking": ""},
            {"application_id": "A2", "vacancy_id": "V2", "applicant_type": "internal", "employee_id": "E1",
             "workforce_group": "officer", "stage_reached": "interviewed", "withdrawn": "", "sex": "female",
             "age_band": "", "ethnicity": "white_irish", "disability": "", "religion": "", "sexual_orientation": "",
             "gender_identity_same_as_sex_at_birth": "", "marital_status": "", "welsh_speaking": "2"},
        ],
        "training": [
            {"employee_id": "E1", "course": "Public order", "requested_date": "2023-06-01", "outcome": "approved",
             "completed": "true"},
            {"employee_id": "E3", "course": "Excel", "requested_date": "2024-01-10", "outcome": "pending",
             "completed": "false"},
        ],
        "grievances": [
            {"employee_id": "E1", "case_id": "G1", "role": "complainant", "date_raised": "2023-07-01",
             "outcome": "not_upheld"},
            {"employee_id": "E2", "case_id": "G1", "role": "respondent", "date_raised": "2023-07-01",
             "outcome": "not_upheld"},
        ],
        "disciplinary": [
            {"employee_id": "E2", "case_id": "D1", "date_started": "2023-11-20", "outcome": "written_warning"},
        ],
    }


def write_inputs(root: Path, tables: dict[str, list[dict[str, str]]] | None = None, year: int = 2024,
                 org_toml: str = ORG_TOML) -> Path:
    tables = tables if tables is not None else valid_tables()
    (root / str(year)).mkdir(parents=True, exist_ok=True)
    (root / "organisation.toml").write_text(org_toml, encoding="utf-8")
    columns = {e.name: list(e.column_names) for e in EXTRACTS}
    for name, rows in tables.items():
        write_csv(root / str(year) / f"{name}.csv", columns[name], rows)
    return root


def write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)


def key_of(employee_id: str) -> int:
    """The key a validated frame holds for an employee id (frames keep the id's key, not its text)."""
    return pl.select(employee_key(pl.lit(employee_id))).item()
