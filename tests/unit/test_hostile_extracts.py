"""Hostile inputs beyond CSV shape (issue 7, item 1): currency signs in pay, Excel dates and bare
serial numbers, merged cells, a 200 MB extract, and every Excel CSV quirk at once. Each is either
accepted as a reasonable user expects or gives the exact documented problem — never a traceback."""

from __future__ import annotations

import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from polars.testing import assert_frame_equal

from contract_fixtures import key_of, valid_tables, write_inputs
from test_contract_rules import broken, errors_of, load, only
from pipeline.config import ReportingYear, load_organisation
from pipeline.extracts import load_extracts
from pipeline.extracts.contract import EXTRACTS, extract

FRAMES = tuple(e.name for e in EXTRACTS)


def _frames(root: Path):
    org, problems = load_organisation(root / "organisation.toml")
    assert not problems
    ex, warnings = load_extracts(root, ReportingYear(2024), org)
    assert warnings == []
    return ex


def _assert_same_frames(a, b) -> None:
    for name in FRAMES:
        assert_frame_equal(getattr(a, name), getattr(b, name), check_dtypes=True)


# ---------------------------------------------------------------- 1. a pound sign in pay
@pytest.mark.parametrize("typed", ["£2,345.67", "£2345.67", " £2345.67 ", "£ 2345.67"])
def test_pay_with_a_pound_sign_is_a_number_error_that_does_not_echo_the_pay(tmp_path, typed):
    p = only(errors_of(broken(tmp_path, "pay", 2, ordinary_pay=typed)))
    assert (p.code, p.file, p.row, p.column, p.found) == ("bad_number", "pay.csv", 4, "ordinary_pay", None)
    assert p.allowed == extract("pay").column("ordinary_pay").allowed_text()
    assert "no currency sign" in p.allowed
    text = p.render() + repr(p.as_dict())
    for leak in ("2345", "2,345", "345.67", "£"):
        assert leak not in text


# ---------------------------------------------------------------- XLSX helpers
def _write_xlsx(path: Path, name: str, rows: list[dict[str, str]], *,
                serial: dict[tuple[int, str], float] | None = None,
                merge: dict[str, tuple[int, int]] | None = None) -> None:
    """Write rows as a spreadsheet user has them: dates as real Excel dates (number + date format),
    numbers as numbers, blanks as empty cells. ``serial`` puts a bare number (format General) in a
    cell, keyed by (row index, column); ``merge`` merges a column over data rows [first, last]."""
    ex = extract(name)
    serial, merge = serial or {}, merge or {}
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ex.column_names)
    for r, row in enumerate(rows, start=1):
        for c, col in enumerate(ex.columns):
            value = row.get(col.name, "")
            if col.name in merge and merge[col.name][0] <= r - 1 <= merge[col.name][1]:
                continue  # written by merge_range below: the value in the first cell, the rest empty
            if (r - 1, col.name) in serial:
                ws.write_number(r, c, serial[(r - 1, col.name)])
            elif value == "":
                continue
            elif col.kind == "date":
                ws.write_datetime(r, c, dt.datetime.fromisoformat(value), date_fmt)
            elif col.kind in ("decimal", "money", "integer"):
                ws.write_number(r, c, float(value))
            else:
                ws.write_string(r, c, value)
    for col_name, (first, last) in merge.items():
        c = ex.column_names.index(col_name)
        ws.merge_range(first + 1, c, last + 1, c, rows[first][col_name])
    wb.close()


def _as_xlsx(root: Path, name: str, **kw) -> Path:
    """Replace one extract's CSV by a workbook of the same (or given) rows."""
    rows = kw.pop("rows", None) or valid_tables()[name]
    (root / "2024" / f"{name}.csv").unlink()
    path = root / "2024" / f"{name}.xlsx"
    _write_xlsx(path, name, rows, **kw)
    return path


# ---------------------------------------------------------------- 2. Excel dates
def test_real_excel_dates_read_as_the_same_dates_as_the_csv(tmp_path):
    csv_root = write_inputs(tmp_path / "csv")
    xlsx_root = write_inputs(tmp_path / "xlsx")
    for name in FRAMES:  # every date column of every extract, blanks included
        _as_xlsx(xlsx_root, name)
    assert load(xlsx_root) == []
    _assert_same_frames(_frames(csv_root), _frames(xlsx_root))


def test_a_date_stored_as_a_bare_excel_serial_number_reads_as_that_date(tmp_path):
    """Documented in ``readers._read_xlsx``: in a contract date column a whole number is a day of
    Excel's 1900 date system (45382 = 2024-03-31, 45301 = 2024-01-10), as the user meant it."""
    csv_root = write_inputs(tmp_path / "csv")
    xlsx_root = write_inputs(tmp_path / "xlsx")
    _as_xlsx(xlsx_root, "pay", serial={(0, "period_end"): 45382, (1, "period_end"): 45382})
    _as_xlsx(xlsx_root, "training", serial={(1, "requested_date"): 45301})
    _as_xlsx(xlsx_root, "employees", serial={(0, "date_of_birth"): 33010})  # 1990-05-17, a personal date
    assert load(xlsx_root) == []
    _assert_same_frames(_frames(csv_root), _frames(xlsx_root))
    assert _frames(xlsx_root).pay["period_end"].to_list() == [dt.date(2024, 3, 31)] * 3


@pytest.mark.parametrize(("serial", "found"), [(45382.5, "99999.9"), (60, "99"), (3_000_000, "9999999")])
def test_a_serial_with_a_time_or_outside_excels_dates_is_a_bad_date_on_its_row(tmp_path, serial, found):
    root = write_inputs(tmp_path)
    _as_xlsx(root, "pay", serial={(1, "period_end"): serial})
    p = only(errors_of(root))
    assert (p.code, p.file, p.row, p.column, p.found) == ("bad_date", "pay.xlsx", 3, "period_end", None)
    assert p.message.endswith(f"(it looks like {found})")
    assert p.allowed == "a date as YYYY-MM-DD"


def test_an_excel_date_with_a_time_of_day_is_a_bad_date(tmp_path):
    root = write_inputs(tmp_path)
    path = _as_xlsx(root, "disciplinary")
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, extract("disciplinary").column_names)
    ws.write_row(1, 0, ["E2", "D1"])
    ws.write_datetime(1, 2, dt.datetime(2023, 11, 20, 9, 30), wb.add_format({"num_format": "dd/mm/yyyy hh:mm"}))
    ws.write_string(1, 3, "written_warning")
    wb.close()
    p = only(errors_of(root))
    assert (p.code, p.file, p.row, p.column) == ("bad_date", "disciplinary.xlsx", 2, "date_started")


# ---------------------------------------------------------------- 3. merged cells
def test_merged_cell_leaves_the_second_row_blank_so_a_required_code_is_missing(tmp_path):
    """A merge keeps its value in the top-left cell only (as Excel and every reader see it), so the
    second row of a merged workforce_group is blank: the contract's missing_value, on that row."""
    root = write_inputs(tmp_path)
    _as_xlsx(root, "employees", merge={"workforce_group": (0, 1)})  # E1 and E2, both "officer"
    p = only(errors_of(root))
    assert (p.code, p.file, p.row, p.column) == ("missing_value", "employees.xlsx", 3, "workforce_group")
    assert p.allowed == "a code listed under [workforce_groups] in organisation.toml"


def test_merged_monitoring_cell_means_not_stated_on_the_second_row(tmp_path):
    """Monitoring columns may be blank (blank means not_stated), so a merge there is accepted and the
    second person is counted as not stated — not given the first person's answer."""
    root = write_inputs(tmp_path)
    _as_xlsx(root, "employees", merge={"ethnicity": (0, 1), "religion": (2, 3)})
    assert load(root) == []
    emp = _frames(root).employees
    got = dict(zip(emp["employee_id"], zip(emp["ethnicity"], emp["religion"], strict=True), strict=True))
    got = {e: got[key_of(e)] for e in ("E1", "E2", "E3", "E4")}
    assert got["E1"] == ("white_welsh_english_scottish_ni_british", "no_religion")
    assert got["E2"] == ("not_stated", "no_religion")
    assert got["E3"] == ("white_welsh_english_scottish_ni_british", "no_religion")
    assert got["E4"] == ("white_welsh_english_scottish_ni_british", "not_stated")


# ---------------------------------------------------------------- 4. a 200 MB extract
BIG_BYTES = 200_000_000


def _write_big_employees(path: Path, bad_index: int, rows: int) -> None:
    """The five valid employees, then ``rows`` more with unique ids (leavers in the period and special
    constables, so no pay row is needed), one with an unknown ethnicity code at ``bad_index``."""
    base = pl.DataFrame(valid_tables()["employees"])
    i = pl.int_range(0, rows, eager=True)
    leaver = (i % 2) == 0
    bulk = pl.DataFrame({"_i": i}).select(
        ("B" + pl.col("_i").cast(pl.String)).alias("employee_id"),
        *[
            pl.lit(v).alias(c) for c, v in base.row(0, named=True).items()
            if c not in ("employee_id", "workforce_group", "grade", "leave_date", "leave_reason", "ethnicity", "sex")
        ],
        pl.when(leaver).then(pl.lit("officer")).otherwise(pl.lit("special")).alias("workforce_group"),
        pl.when(leaver).then(pl.lit("constable")).otherwise(pl.lit("special_constable")).alias("grade"),
        pl.when(leaver).then(pl.lit("2023-10-31")).otherwise(pl.lit("")).alias("leave_date"),
        pl.when(leaver).then(pl.lit("resignation")).otherwise(pl.lit("")).alias("leave_reason"),
        pl.when((pl.col("_i") % 3) == 0).then(pl.lit("male")).otherwise(pl.lit("female")).alias("sex"),
        pl.when(pl.col("_i") == bad_index - base.height).then(pl.lit("WBRI"))
        .otherwise(pl.lit("white_welsh_english_scottish_ni_british")).alias("ethnicity"),
    )
    pl.concat([base, bulk.select(base.columns)]).write_csv(path)


def test_a_200_mb_extract_is_validated_and_the_one_bad_row_near_the_end_is_named(tmp_path):
    """``python -m pipeline validate`` on a 200 MB employees.csv (about 1M rows), run as a user would, in its
    own process so its time and peak memory are its own: exit 3, the one planted problem, no traceback."""
    free = shutil.disk_usage(tmp_path).free
    if free < 2 * 1024**3:
        pytest.skip(f"needs 2 GB free for a 200 MB extract; {free / 1024**3:.1f} GB free in {tmp_path}")
    root = write_inputs(tmp_path)
    path = root / "2024" / "employees.csv"
    rows = 1_010_000
    bad_index = 5 + rows - 7  # a data row near the end (0-based over all data rows)
    _write_big_employees(path, bad_index, rows)
    size = path.stat().st_size
    assert size >= BIG_BYTES, size

    t0 = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pipeline", "validate", "--year", "2024", "--inputs", str(root),
                          "--log-format", "json"], capture_output=True, text=True, timeout=240)
    elapsed = time.perf_counter() - t0
    path.unlink()  # pytest keeps the last few tmp folders; don't keep 200 MB in them
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    print(f"\n{size / 1e6:.0f} MB employees.csv, {rows + 5} rows: validate took {elapsed:.1f} s"
          f" (interpreter start included), peak RSS {peak / 1e6:.0f} MB")

    assert "Traceback" not in run.stderr and "MemoryError" not in run.stderr, run.stderr[-2000:]
    assert run.returncode == 3, run.stderr[-2000:]
    found = [json.loads(line) for line in run.stderr.splitlines() if line.startswith("{")]
    problems = [f for f in found if f.get("level") == "error" and "code" in f]
    assert problems == [{"level": "error", "code": "unknown_code", "file": "employees.csv", "row": bad_index + 2,
                         "column": "ethnicity", "message": "not an allowed code; the value is not repeated, as it may "
                         "be personal (it looks like AAAA)",
                         "allowed": extract("employees").column("ethnicity").allowed_text(),
                         "severity": "error"}], problems


# ---------------------------------------------------------------- 5. every Excel CSV quirk at once
@pytest.mark.parametrize("blank_rows", [b",,,\r\n,,,\r\n", b"\r\n\r\n", b",,,\r\n\r\n  ,  , ,\r\n"])
def test_bom_and_windows_line_endings_and_trailing_blank_rows_together_are_accepted(tmp_path, blank_rows):
    clean = write_inputs(tmp_path / "clean")
    hostile = write_inputs(tmp_path / "hostile")
    for name in FRAMES:
        path = hostile / "2024" / f"{name}.csv"
        width = len(extract(name).column_names)
        blanks = blank_rows.replace(b",,,", b"," * (width - 1))
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n") + blanks)
        assert path.read_bytes().startswith(b"\xef\xbb\xbfemployee_id,") or name == "applications"
    assert load(hostile) == []
    _assert_same_frames(_frames(clean), _frames(hostile))


# ---------------------------------------------------------------- 6. a file that is not what its name says
@pytest.mark.parametrize(("name", "body"), [
    ("training.xlsx", b"employee_id,course\nE1,x\n"),  # a CSV renamed .xlsx
    ("training.xlsx", b"PK\x03\x04" + b"\x00" * 64),  # a workbook cut short
    ("training.parquet", b"PAR1 not really"),
])
def test_a_file_its_reader_cannot_open_is_one_unreadable_problem_naming_it(tmp_path, name, body):
    root = write_inputs(tmp_path)
    (root / "2024" / "training.csv").unlink()
    (root / "2024" / name).write_bytes(body)
    p = only(errors_of(root))
    assert (p.code, p.file, p.row, p.column) == ("unreadable", name, None, None)
    assert "cannot be read" in p.message


def test_a_workbook_whose_first_sheet_is_empty_is_an_empty_file(tmp_path):
    root = write_inputs(tmp_path)
    (root / "2024" / "training.csv").unlink()
    wb = xlsxwriter.Workbook(root / "2024" / "training.xlsx")
    wb.add_worksheet("Sheet1")
    wb.add_worksheet("Data").write_row(0, 0, list(extract("training").column_names))  # not the first sheet
    wb.close()
    p = only(errors_of(root))
    assert (p.code, p.file, p.message) == ("empty_file", "training.xlsx", "the first sheet is empty")


def test_a_column_given_twice_in_the_header_is_named_once(tmp_path):
    root = write_inputs(tmp_path)
    path = root / "2024" / "training.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",Outcome "] + [line + ",x" for line in lines[1:]]  # case and spaces do not matter
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    p = only(errors_of(root))
    assert (p.code, p.file, p.row, p.column) == ("duplicate_column", "training.csv", 1, "outcome")
