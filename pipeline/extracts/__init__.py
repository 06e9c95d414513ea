"""Extracts -> validated, typed frames. Every problem is collected before anything stops.

``load_extracts`` reads each file the contract declares, validates every cell, runs the cross-file
checks, and either returns an ``Extracts`` or raises ``InvalidInput`` carrying every problem found.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

import polars as pl

from pipeline.config import Organisation, ReportingYear
from pipeline.errors import InvalidInput, Problem
from pipeline.extracts import crossfile
from pipeline.extracts.contract import EVENT_EXTRACTS, EXTRACTS, Extract
from pipeline.extracts.frames import EMPLOYEE_ID, EMPLOYEE_KEY, HOURS, MONEY, Extracts
from pipeline.extracts.readers import FORMATS, ROW, locate, read_extract
from pipeline.extracts.validate import validate_extract

__all__ = ["load_extracts", "Extracts", "empty_frame", "AGE_BANDS"]

AGE_BANDS = ((16, 24, "16-24"), (25, 34, "25-34"), (35, 44, "35-44"), (45, 54, "45-54"), (55, 64, "55-64"))


def empty_frame(ex: Extract) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {ROW: pl.Int64()}
    for c in ex.columns:
        schema[c.name] = {
            "date": pl.Date(),
            "boolean": pl.Boolean(),
            "code": pl.Categorical(),
            "integer": pl.Int64(),
            "money": MONEY,
            "decimal": HOURS if c.name == "weekly_hours" else pl.Float64(),
        }.get(c.kind, EMPLOYEE_KEY if c.name == EMPLOYEE_ID else pl.String())
    return pl.DataFrame(schema=schema)


YEAR_FOLDER = re.compile(r"[0-9]{4}")


def _folders(inputs: Path) -> list[Path]:
    try:
        return [d for d in inputs.iterdir() if d.is_dir() and not d.name.startswith(".")]
    except OSError:
        return []


def misnamed_year_folders(inputs: Path) -> list[Problem]:
    """A warning for each folder of extracts that no year will read: a year's extracts go in a folder
    named for its snapshot year. A "2024-25" folder was passed over without a word, and ``make
    report`` (which picks the latest year folder) published 2023."""
    names = {f"{ex.name}{suffix}" for ex in EXTRACTS for suffix in FORMATS}
    return [Problem("ignored_folder", f"{d.name}/", message="this folder holds extracts but is not read",
                    allowed="a folder named for the snapshot year, 31 March YEAR (such as 2024)", severity="warning")
            for d in sorted(_folders(inputs)) if not YEAR_FOLDER.fullmatch(d.name)
            and any(f.name.lower() in names for f in d.iterdir() if f.is_file())]


def load_extracts(inputs: Path, year: ReportingYear, org: Organisation,
                  only: Collection[str] | None = None) -> tuple[Extracts, list[Problem]]:
    """Read and validate one year's extracts; raise ``InvalidInput`` with every problem, or return
    the typed frames and any warnings.

    ``only`` names the extracts wanted (the rest are neither read nor checked, and are left empty and
    not ``supplied``): last year's figures need only some of last year's files.
    """
    year_dir = inputs / str(year.year)
    problems: list[Problem] = [] if only is not None else misnamed_year_folders(inputs)
    if not year_dir.is_dir():
        years = sorted(d.name for d in _folders(inputs) if YEAR_FOLDER.fullmatch(d.name))
        here = f" (year folders in {inputs}: {', '.join(years)})" if years else ""
        raise InvalidInput([Problem("missing_folder", f"{year.year}/", message="no folder of extracts for this year",
                                    allowed=f"a folder {year_dir} holding employees.csv, pay.csv ...{here}"),
                            *problems])
    frames: dict[str, pl.DataFrame] = {}
    files: dict[str, str] = {}
    read: set[str] = set()  # extracts read into a frame (their cells checked, whatever they held)
    for ex in EXTRACTS:
        if only is not None and ex.name not in only:
            frames[ex.name] = empty_frame(ex)
            continue
        path, found = locate(year_dir, ex)
        problems += found
        if path is None:
            frames[ex.name] = empty_frame(ex)
            continue
        files[ex.name] = path.name
        raw, read_problems = read_extract(path, ex)
        problems += read_problems
        if raw is None:
            frames[ex.name] = empty_frame(ex)
            continue
        typed, cell_problems = validate_extract(raw, org)
        problems += cell_problems
        frames[ex.name] = empty_frame(ex) if typed is None else typed
        # a lost column, or no rows at all, would make every cross-file check fail
        if typed is not None and not raw.absent and (typed.height or ex.may_be_empty):
            read.add(ex.name)

    # The cross-file checks compare two extracts that were both read: against a file that could not be
    # read (another delimiter, a lost column), every id of the other would be "not in employees.csv",
    # a cascade that blames the files that are fine.
    emp = frames["employees"]
    emp_file = files.get("employees", "employees.csv")
    if "employees" in read:
        problems += crossfile.check_employees(emp, emp_file, year, org)
        if "pay" in read:
            problems += crossfile.check_pay(frames["pay"], emp, files["pay"], emp_file, year, org)
        if "applications" in read:
            problems += crossfile.check_applications(frames["applications"], emp, files["applications"], emp_file)
        for ex in EVENT_EXTRACTS:
            if ex.name in read:
                problems += crossfile.check_events(frames[ex.name], emp, files[ex.name], emp_file,
                                                   ex.date_columns_in_period, year)
    if any(p.severity == "error" for p in problems):
        raise InvalidInput(problems)

    employees = _derive_employees(emp, year, org)
    pay = frames["pay"].with_columns(
        ((pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1).cast(pl.Int64).alias("days_in_period")
    )
    result = Extracts(
        year=year,
        organisation=org,
        employees=employees.drop(ROW),
        pay=pay.drop(ROW),
        applications=frames["applications"].drop(ROW),
        training=frames["training"].drop(ROW),
        grievances=frames["grievances"].drop(ROW),
        disciplinary=frames["disciplinary"].drop(ROW),
        supplied=tuple(files),
        source_files=files,
    )
    return result, [p for p in problems if p.severity != "error"]


def _derive_employees(emp: pl.DataFrame, year: ReportingYear, org: Organisation) -> pl.DataFrame:
    snap = year.snapshot
    born = pl.col("date_of_birth")
    age = (  # whole years at the snapshot date, worked out once (each band below reads it)
        pl.lit(snap.year) - born.dt.year()
        - ((born.dt.month() > snap.month) | ((born.dt.month() == snap.month) & (born.dt.day() > snap.day))).cast(pl.Int32)
    )
    band = pl.when(pl.col("_age").is_null()).then(pl.lit("not_stated"))
    for lo, hi, code in AGE_BANDS:
        band = band.when(pl.col("_age").is_between(lo, hi)).then(pl.lit(code))
    band = band.when(pl.col("_age") >= 65).then(pl.lit("65+")).otherwise(pl.lit("16-24"))
    employee_groups = list(org.employee_groups)
    return emp.with_columns(age.alias("_age")).with_columns(
        band.alias("age_band"),
        crossfile.in_post(emp, year).alias("in_post"),
        pl.col("workforce_group").is_in(employee_groups).alias("is_employee"),
        pl.col("leave_date").is_not_null().alias("leaver"),
    ).drop("_age")
