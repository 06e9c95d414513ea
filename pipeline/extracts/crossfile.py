"""Checks that need more than one column or more than one file.

They run on the typed frames. A cell that failed its own check is null there, and is not a blank: each
rule passes over the rows where a column it reads failed (``validate.INVALID``), and a person's
employment on the snapshot date is unknown where a date that decides it failed. So a bad date is
reported once, as a bad date, not again as "a leave reason but no leave date". Every rule names the
file, row and column to fix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from pipeline.config import Organisation, ReportingYear
from pipeline.errors import Problem
from pipeline.extracts.readers import ROW
from pipeline.extracts.validate import INVALID, MAX_ROWS_LISTED


@dataclass(frozen=True)
class _Rule:
    """A check not yet run, so that all the rules on one frame are answered in one pass (``_run``)."""

    frame: pl.DataFrame
    mask: pl.Expr
    args: tuple[str, str, str, str, str, str]


def _failed(frame: pl.DataFrame, columns: Iterable[str]) -> pl.Expr | None:
    """True on a row where one of ``columns`` failed its own check (``validate.INVALID``), or None when
    none of them failed anywhere in the file."""
    flags = [INVALID + c for c in columns if INVALID + c in frame.columns]
    return pl.any_horizontal(pl.col(f).fill_null(False) for f in flags) if flags else None


def _report(frame: pl.DataFrame, mask: pl.Expr, file: str, column: str, code: str, message: str,
            allowed: str, severity: str = "error") -> list[_Rule]:
    if (failed := _failed(frame, mask.meta.root_names())) is not None:
        mask = mask & ~failed  # a column the rule reads failed its own check on these rows: already reported
    return [_Rule(frame, mask.fill_null(False), (file, column, code, message, allowed, severity))]


def _run(rules: list[_Rule | Problem]) -> list[Problem]:
    """Answer every rule: first whether it fails anywhere, all the rules on one frame in one pass (a
    clean 1M-row extract costs one scan per frame, not one per rule); then the rows of those that do."""
    by_frame: dict[int, list[_Rule]] = {}
    for r in rules:
        if isinstance(r, _Rule):
            by_frame.setdefault(id(r.frame), []).append(r)
    failing: set[int] = set()
    for group in by_frame.values():
        flags = group[0].frame.select(r.mask.any().alias(f"r{i}") for i, r in enumerate(group)).row(0)
        failing |= {id(r) for r, flag in zip(group, flags, strict=True) if flag}
    out: list[Problem] = []
    for r in rules:
        if isinstance(r, Problem):
            out.append(r)
        elif id(r) in failing:
            out += _rows(r.frame, r.mask, *r.args)
    return out


def _rows(frame: pl.DataFrame, mask: pl.Expr, file: str, column: str, code: str, message: str,
          allowed: str, severity: str = "error") -> list[Problem]:
    hits = frame.filter(mask).select(ROW).sort(ROW)  # a join need not keep row order: list rows in order
    out = [Problem(code, file, row=int(r), column=column, message=message, allowed=allowed, severity=severity)
           for (r,) in hits.head(MAX_ROWS_LISTED).iter_rows()]
    if hits.height > MAX_ROWS_LISTED:
        more = hits.height - MAX_ROWS_LISTED
        out.append(Problem(code, file, column=column, message=f"... and {more} more rows: {message}",
                           allowed=allowed, severity=severity, count=more))
    return out


def _d(x: dt.date) -> str:
    return x.isoformat()


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier (28 February for 29 February): a person born on it turns
    ``years`` on ``day``."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def check_employees(emp: pl.DataFrame, file: str, year: ReportingYear, org: Organisation) -> list[Problem]:
    ps, pe = year.period_start, year.period_end
    period = f"{_d(ps)} to {_d(pe)}"
    p: list[_Rule | Problem] = []
    p += _report(emp, pl.col("start_date") > pl.lit(pe), file, "start_date",
                 "start_after_period", "starts after the reporting period ends, so is not employed in it",
                 f"a start date on or before {_d(pe)}")
    p += _report(emp, (pl.col("leave_date") < pl.lit(ps)) | (pl.col("leave_date") > pl.lit(pe)), file, "leave_date",
                 "date_outside_period", "a leaver's date must fall in the reporting period",
                 f"blank while employed, or a date from {period}")
    p += _report(emp, pl.col("leave_date") < pl.col("start_date"), file, "leave_date",
                 "leave_before_start", "the leave date is before the start date", "a leave date on or after start_date")
    p += _report(emp, pl.col("leave_date").is_not_null() & pl.col("leave_reason").is_null(), file, "leave_reason",
                 "missing_value", "a leaver needs a leave reason", "a leave_reason code when leave_date is set")
    p += _report(emp, pl.col("leave_date").is_null() & pl.col("leave_reason").is_not_null(), file, "leave_reason",
                 "reason_without_date", "a leave reason is given but no leave date", "blank unless leave_date is set")
    p += _report(emp, pl.col("maternity_leave_start") < pl.col("start_date"), file, "maternity_leave_start",
                 "leave_before_start", "maternity leave starts before employment starts",
                 "a date on or after start_date")
    p += _report(emp, pl.col("maternity_leave_end") < pl.col("maternity_leave_start"), file, "maternity_leave_end",
                 "end_before_start", "maternity leave ends before it starts", "a date on or after maternity_leave_start")
    p += _report(emp, pl.col("maternity_leave_end").is_not_null() & pl.col("maternity_leave_start").is_null(), file,
                 "maternity_leave_start", "missing_value", "maternity leave has an end but no start",
                 "a start date whenever an end date is given")
    p += _report(emp, (pl.col("maternity_leave_start") > pl.lit(pe)) | (pl.col("maternity_leave_end") < pl.lit(ps)),
                 file, "maternity_leave_start", "date_outside_period",
                 "maternity leave must overlap the reporting period", f"leave overlapping {period}")
    p += _report(emp, pl.col("date_of_birth") > pl.lit(year.snapshot), file, "date_of_birth", "out_of_range",
                 "the date of birth is in the future", "a date of birth before the snapshot date")
    # an age outside working life is kept (it may be true) but flagged: under 16 is counted in
    # 16-24, and 100 or over is most often a placeholder such as 1900-01-01, counted in 65+
    sixteen, hundred = _years_before(year.snapshot, 16), _years_before(year.snapshot, 100)
    p += _report(emp, pl.col("date_of_birth").is_between(sixteen, year.snapshot, closed="right"), file,
                 "date_of_birth", "age_under_16", "under 16 at the snapshot date, so counted in 16-24: is the date of "
                 "birth right?", f"a date of birth on or before {_d(sixteen)}", severity="warning")
    p += _report(emp, pl.col("date_of_birth") <= pl.lit(hundred), file, "date_of_birth", "age_100_or_over",
                 "100 or older at the snapshot date, so counted in 65+: a placeholder date? Leave it blank when it is "
                 "not known", f"a date of birth after {_d(hundred)}", severity="warning")
    # grade must belong to the person's workforce group (organisation.toml lists them)
    pairs = pl.DataFrame(
        [(g, gr) for g, grp in org.groups.items() for gr in grp.grades],
        schema={"workforce_group": pl.Categorical, "grade": pl.Categorical}, orient="row",
    ).with_columns(pl.lit(True).alias("_ok"))
    joined = emp.select(ROW, "workforce_group", "grade").join(pairs, on=["workforce_group", "grade"], how="left")
    for group, grp in org.groups.items():
        p += _report(joined, (pl.col("workforce_group") == group) & pl.col("grade").is_not_null() & pl.col("_ok").is_null(),
                     file, "grade", "grade_not_in_group", f"this grade is not listed for workforce group {group}",
                     ", ".join(grp.grades))
    p += _report(emp, (pl.col("working_pattern") == "full_time") & (pl.col("fte") < 1), file, "fte",
                 "pattern_mismatch", "a full-time employee should have fte 1", "fte = 1 for full_time; below 1 for part_time")
    return _run(p)


def in_post(emp: pl.DataFrame, year: ReportingYear) -> pl.Expr:
    """Employed on the snapshot date: started by it and not left before it (a leave date of 31 March
    means they were still employed that day)."""
    snap = pl.lit(year.snapshot)
    return (pl.col("start_date") <= snap) & (pl.col("leave_date").is_null() | (pl.col("leave_date") >= snap))


def _known_in_post(emp: pl.DataFrame, year: ReportingYear) -> pl.Expr:
    """Employed on the snapshot date, or null where that is not known: a start or leave date, the
    workforce group or the id itself (repeated) failed its own check."""
    failed = _failed(emp, ("start_date", "leave_date", "workforce_group", "employee_id"))
    return in_post(emp, year) if failed is None else pl.when(failed).then(None).otherwise(in_post(emp, year))


def check_pay(pay: pl.DataFrame, emp: pl.DataFrame, file: str, emp_file: str, year: ReportingYear,
              org: Organisation) -> list[Problem]:
    p: list[_Rule | Problem] = []
    snap = pl.lit(year.snapshot)
    employee_groups = list(org.employee_groups)
    status = _known_in_post(emp, year)
    expected = emp.filter(status & pl.col("workforce_group").is_in(employee_groups)).select("employee_id")
    known = emp.select("employee_id", "workforce_group", status.alias("_in_post"), pl.lit(True).alias("_known"))
    j = pay.join(known, on="employee_id", how="left")
    p += _report(j, pl.col("employee_id").is_not_null() & pl.col("_known").is_null(), file, "employee_id",
                 "unknown_employee", f"this employee_id is not in {emp_file}", f"an employee_id from {emp_file}")
    p += _report(j, (pl.col("_in_post") == False) & pl.col("employee_id").is_not_null(), file, "employee_id",  # noqa: E712
                 "pay_row_extra", "a pay row for someone not employed on the snapshot date",
                 "pay rows only for people employed on 31 March")
    p += _report(j, pl.col("_in_post") & ~pl.col("workforce_group").is_in(employee_groups), file, "employee_id",
                 "pay_row_extra", "a pay row for a volunteer group that is left out of pay figures",
                 "pay rows only for employee groups: " + ", ".join(employee_groups))
    missing = expected.join(pay.select("employee_id"), on="employee_id", how="anti")
    if missing.height:
        rows = emp.join(missing, on="employee_id", how="semi").select(ROW).sort(ROW)
        for (r,) in rows.head(MAX_ROWS_LISTED).iter_rows():
            p.append(Problem("pay_row_missing", emp_file, row=int(r), column="employee_id",
                             message=f"employed on the snapshot date but has no row in {file}",
                             allowed=f"one {file} row for every employee in post on {year.snapshot.isoformat()}"))
        if rows.height > MAX_ROWS_LISTED:
            p.append(Problem("pay_row_missing", emp_file, column="employee_id",
                             message=f"... and {rows.height - MAX_ROWS_LISTED} more employees without a pay row",
                             allowed=f"one {file} row for every employee in post"))
    p += _report(pay, pl.col("period_end") < pl.col("period_start"), file, "period_end", "end_before_start",
                 "the pay period ends before it starts", "period_end on or after period_start")
    p += _report(pay, (pl.col("period_start") > snap) | (pl.col("period_end") < snap), file, "period_start",
                 "period_misses_snapshot", "the relevant pay period must contain the snapshot date",
                 f"a pay period that includes {year.snapshot.isoformat()}")
    p += _report(pay, (pl.col("period_end") - pl.col("period_start")).dt.total_days() > 366, file, "period_end",
                 "out_of_range", "a pay period longer than a year", "a pay period of at most one year")
    # a pay period ending on the snapshot date lies inside the 12 months the bonus measures count, so
    # a bonus paid in it is part of bonus_pay_12m: a March bonus with no 12-month bonus raised the
    # person's hourly pay while the bonus figures said they had none (a later period may hold a
    # bonus paid after the snapshot, which the 12 months do not)
    p += _report(pay, (pl.col("period_end") == snap)
                 & (pl.col("bonus_pay_in_period").fill_null(0) > pl.col("bonus_pay_12m").fill_null(0)), file,
                 "bonus_pay_12m", "bonus_outside_12_months", "less than the bonus paid in a pay period ending on the "
                 "snapshot date, which is part of these 12 months",
                 "at least bonus_pay_in_period when the pay period ends on the snapshot date")
    return _run(p)


def check_applications(app: pl.DataFrame, emp: pl.DataFrame, file: str, emp_file: str) -> list[Problem]:
    p: list[_Rule | Problem] = []
    p += _report(app, (pl.col("applicant_type") == "internal") & pl.col("employee_id").is_null(), file, "employee_id",
                 "missing_value", "an internal application needs the applicant's employee_id",
                 f"an employee_id from {emp_file}")
    known = emp.select("employee_id", pl.lit(True).alias("_known"))
    j = app.join(known, on="employee_id", how="left")
    p += _report(j, (pl.col("applicant_type") == "internal") & pl.col("employee_id").is_not_null() & pl.col("_known").is_null(),
                 file, "employee_id", "unknown_employee", f"this employee_id is not in {emp_file}",
                 f"an employee_id from {emp_file}")
    p += _report(app, (pl.col("applicant_type") == "external") & pl.col("employee_id").is_not_null(), file, "employee_id",
                 "unexpected_value", "an external applicant should not carry an employee_id",
                 "blank for external applicants")
    return _run(p)


def check_events(ev: pl.DataFrame, emp: pl.DataFrame, file: str, emp_file: str, date_cols: tuple[str, ...],
                 year: ReportingYear) -> list[Problem]:
    p: list[_Rule | Problem] = []
    known = emp.select("employee_id", pl.lit(True).alias("_known"))
    j = ev.join(known, on="employee_id", how="left")
    p += _report(j, pl.col("employee_id").is_not_null() & pl.col("_known").is_null(), file, "employee_id",
                 "unknown_employee", f"this employee_id is not in {emp_file}", f"an employee_id from {emp_file}")
    ps, pe = year.period_start, year.period_end
    for col in date_cols:
        p += _report(ev, (pl.col(col) < pl.lit(ps)) | (pl.col(col) > pl.lit(pe)), file, col, "date_outside_period",
                     "the date is outside the reporting period", f"a date from {_d(ps)} to {_d(pe)}")
    if "completed" in ev.columns and "outcome" in ev.columns:
        p += _report(ev, pl.col("completed") & (pl.col("outcome") != "approved"), file, "completed",
                     "completed_not_approved", "training marked completed but the request was not approved",
                     "completed = true only when outcome = approved")
    return _run(p)
