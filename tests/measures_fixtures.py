"""Typed ``Extracts`` built directly in tests (no files, no validation): the frames the measures receive.

Rows are dicts of Python values; every column not given takes a plain default, so a test states only
what it is about. Types follow ``pipeline.extracts.frames``; the derived columns (``in_post``,
``is_employee``, ``leaver``, ``age_band``) are filled here the way the frames docstring defines them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl

from pipeline.config import Grade, Organisation, ReportingYear, Settings, WorkforceGroup
from pipeline.extracts.contract import EXTRACTS, WHITE_BRITISH
from pipeline.extracts.frames import HOURS, MONEY, Extracts

YEAR = ReportingYear(2024)
WB = WHITE_BRITISH


def organisation(settings: Settings | None = None) -> Organisation:
    grades = {g: Grade(g, g, g) for g in ("constable", "sergeant", "scale_1", "scale_2", "pcso", "special_constable")}
    groups = {
        "officer": WorkforceGroup("officer", "o", "o", ("constable", "sergeant"), officer_like=True),
        "staff": WorkforceGroup("staff", "s", "s", ("scale_1", "scale_2")),
        "pcso": WorkforceGroup("pcso", "p", "p", ("pcso",)),
        "special": WorkforceGroup("special", "x", "x", ("special_constable",), employee=False),
    }
    return Organisation("tiny", "Tiny", "Bach", groups, grades, settings=settings or Settings())


def _dtype(kind: str, name: str) -> pl.DataType:
    if kind in ("id", "text", "code"):
        return pl.String()
    if kind == "date":
        return pl.Date()
    if kind == "boolean":
        return pl.Boolean()
    if kind == "integer":
        return pl.Int64()
    if kind == "money":
        return MONEY
    if name == "weekly_hours":
        return HOURS
    return pl.Float64()


def schema(extract: str) -> dict[str, pl.DataType]:
    ex = next(e for e in EXTRACTS if e.name == extract)
    return {c.name: _dtype(c.kind, c.name) for c in ex.columns}


EMPLOYEE_DEFAULTS: dict[str, Any] = {
    "workforce_group": "officer",
    "job_title": "x",
    "grade": "constable",
    "contract_type": "permanent",
    "working_pattern": "full_time",
    "fte": 1.0,
    "start_date": dt.date(2015, 9, 1),
    "leave_date": None,
    "leave_reason": None,
    "maternity_leave_start": None,
    "maternity_leave_end": None,
    "sex": "female",
    "date_of_birth": dt.date(1990, 5, 17),
    "ethnicity": WB,
    "disability": "no",
    "religion": "no_religion",
    "sexual_orientation": "heterosexual",
    "gender_identity_same_as_sex_at_birth": "yes",
    "marital_status": "married",
    "welsh_speaking": "1",
}
MONITORING_DEFAULTS = {
    k: "not_stated"
    for k in (
        "ethnicity",
        "disability",
        "religion",
        "sexual_orientation",
        "gender_identity_same_as_sex_at_birth",
        "marital_status",
        "welsh_speaking",
        "age_band",
    )
}


def _frame(extract: str, rows: list[dict[str, Any]], defaults: dict[str, Any]) -> pl.DataFrame:
    sch = schema(extract)
    data = [{c: r.get(c, defaults.get(c)) for c in sch} for r in rows]
    return pl.DataFrame(data, schema=sch, orient="row") if data else pl.DataFrame(schema=sch)


def employees(rows: list[dict[str, Any]], org: Organisation | None = None, year: ReportingYear = YEAR) -> pl.DataFrame:
    org = org or organisation()
    rows = [{"employee_id": f"E{i}", **r} for i, r in enumerate(rows)]
    f = _frame("employees", rows, EMPLOYEE_DEFAULTS)
    snap = year.snapshot
    age = (pl.lit(snap).dt.year() - pl.col("date_of_birth").dt.year()) - (
        (pl.lit(snap).dt.month() * 100 + pl.lit(snap).dt.day())
        < (pl.col("date_of_birth").dt.month() * 100 + pl.col("date_of_birth").dt.day())
    ).cast(pl.Int32)
    band = (
        pl.when(pl.col("date_of_birth").is_null())
        .then(pl.lit("not_stated"))
        .when(age < 25)
        .then(pl.lit("16-24"))
        .when(age < 35)
        .then(pl.lit("25-34"))
        .when(age < 45)
        .then(pl.lit("35-44"))
        .when(age < 55)
        .then(pl.lit("45-54"))
        .when(age < 65)
        .then(pl.lit("55-64"))
        .otherwise(pl.lit("65+"))
    )
    return f.with_columns(
        band.alias("age_band"),
        ((pl.col("start_date") <= snap) & (pl.col("leave_date").is_null() | (pl.col("leave_date") >= snap))).alias(
            "in_post"
        ),
        pl.col("workforce_group").is_in(list(org.employee_groups)).alias("is_employee"),
        (
            pl.col("leave_date").is_not_null()
            & (pl.col("leave_date") >= year.period_start)
            & (pl.col("leave_date") <= year.period_end)
        ).alias("leaver"),
    )


def pay(rows: list[dict[str, Any]]) -> pl.DataFrame:
    defaults = {
        "period_start": dt.date(2024, 3, 1),
        "period_end": dt.date(2024, 3, 31),
        "ordinary_pay": Decimal("3000.00"),
        "bonus_pay_in_period": Decimal(0),
        "bonus_period_days": None,
        "weekly_hours": Decimal(40),
        "full_pay": True,
        "bonus_pay_12m": Decimal(0),
    }
    rows = [
        {
            **r,
            **{
                k: Decimal(str(v))
                for k, v in r.items()
                if k in ("ordinary_pay", "weekly_hours", "bonus_pay_in_period", "bonus_pay_12m")
            },
        }
        for r in rows
    ]
    f = _frame("pay", rows, defaults)
    return f.with_columns(
        ((pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1).cast(pl.Int64).alias("days_in_period")
    )


def applications(rows: list[dict[str, Any]]) -> pl.DataFrame:
    rows = [{"application_id": f"A{i}", "vacancy_id": "V1", **r} for i, r in enumerate(rows)]
    defaults = {
        "applicant_type": "external",
        "employee_id": None,
        "workforce_group": "officer",
        "stage_reached": "applied",
        "withdrawn": False,
        "sex": "female",
        **MONITORING_DEFAULTS,
    }
    return _frame("applications", rows, defaults)


def events(extract: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    defaults = {
        "training": {"course": "c", "requested_date": dt.date(2023, 6, 1), "outcome": "approved", "completed": False},
        "grievances": {"case_id": "G", "role": "complainant", "date_raised": dt.date(2023, 6, 1), "outcome": "open"},
        "disciplinary": {"case_id": "D", "date_started": dt.date(2023, 6, 1), "outcome": "open"},
    }[extract]
    return _frame(extract, rows, defaults)


def extracts(
    emp: list[dict[str, Any]] | None = None,
    pay_rows: list[dict[str, Any]] | None = None,
    apps: list[dict[str, Any]] | None = None,
    training: list[dict[str, Any]] | None = None,
    grievances: list[dict[str, Any]] | None = None,
    disciplinary: list[dict[str, Any]] | None = None,
    org: Organisation | None = None,
    year: ReportingYear = YEAR,
) -> Extracts:
    org = org or organisation()
    return Extracts(
        year=year,
        organisation=org,
        employees=employees(emp or [], org, year),
        pay=pay(pay_rows or []),
        applications=applications(apps or []),
        training=events("training", training or []),
        grievances=events("grievances", grievances or []),
        disciplinary=events("disciplinary", disciplinary or []),
        supplied=("employees", "pay", "applications", "training", "grievances", "disciplinary"),
    )


def people(n: int, **attrs: Any) -> list[dict[str, Any]]:
    """``n`` identical employee rows."""
    return [dict(attrs) for _ in range(n)]


def stub_paygap(monkeypatch: Any) -> list[dict[str, Any]]:
    """Stand in for ``pipeline.measures.paygap`` (owned and tested elsewhere): record each call.

    The stub answers with the sizes of the two groups it was given, so tests can check which people
    each pay gap was computed over.
    """
    import sys
    import types

    from pipeline.figures import Cell, PayGap

    calls: list[dict[str, Any]] = []

    def _gap(gap_id: str, ref: str, comp: str, population: str, a: pl.DataFrame, b: pl.DataFrame,
             statutory: bool) -> PayGap:
        na = Cell(None, not_calculable="stub")
        return PayGap(
            gap_id,
            ref,
            comp,
            population,
            Cell(a.height),
            Cell(b.height),
            Cell(a.height),
            Cell(b.height),
            na,
            na,
            na,
            na,
            na,
            na,
            na,
            statutory=statutory,
        )

    from pipeline.measures import paygap as real  # the engine's interface, before it is stood in for

    def compute_pay_gaps(frame: pl.DataFrame, comparisons: Any, settings: Any) -> list[PayGap]:
        out = []
        for c in comparisons:
            sub = frame if c.where is None else frame.filter(c.where)
            col = pl.col(c.group_col)
            a, b = sub.filter(col == c.reference), sub.filter(col.is_in(sorted(c.codes)))
            full = [x.filter(pl.col("full_pay")).height for x in (a, b)]
            counts = real.SideCounts(sub.height, a.height, b.height, *full, 0, 0, 0, 0)
            if not c.made_for(counts, settings.min_group_size):
                continue
            if c.group_col != "sex":
                calls.append({"fn": "compare", "id": c.gap_id, "col": c.group_col, "ref": c.reference,
                              "cmp": c.comparison, "population": c.population, "n": sub.height})
            else:
                calls.append({"fn": "gender", "id": c.gap_id, "population": c.population, "n": sub.height,
                              "gated": c.gated})
            calls[-1]["sides"] = (a.height, b.height)
            out.append(_gap(c.gap_id, c.reference, c.comparison, c.population, a, b, statutory=not c.gated))
        return out

    mod = types.ModuleType("pipeline.measures.paygap")
    for name in ("Comparison", "SideCounts", "gender_comparison", "group_comparison"):
        setattr(mod, name, getattr(real, name))
    mod.compute_pay_gaps = compute_pay_gaps  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pipeline.measures.paygap", mod)
    return calls
