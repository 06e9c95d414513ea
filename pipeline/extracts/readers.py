"""Readers for CSV, XLSX (first sheet) and Parquet: every format becomes the same all-text frame.

Reading is deliberately dumb: every cell becomes a string (or null when blank) so that validation
sees exactly what the user typed and can say where it is wrong. Each frame carries ``_row``, the row
number a person sees in a spreadsheet (the header is row 1), so error messages point at the right
line even after blank rows are dropped.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path

import polars as pl

from pipeline.errors import Problem
from pipeline.extracts.contract import Column, Extract

ROW = "_row"
HEADER = "_header"  # True on a header row pasted again inside the data
FORMATS = (".csv", ".xlsx", ".parquet")


@dataclass(frozen=True)
class RawExtract:
    """A plan to read one extract, not yet run: ``frame`` yields ``_row``, the contract's columns
    (lower-cased names, trimmed text, blank -> null) and ``_header`` (True on a header row pasted
    again inside the data). Blank rows are already left out.

    Validation adds its checks to this plan and runs it once, in polars' streaming engine, so a large
    file is read, trimmed, checked and typed batch by batch instead of column by column over the
    whole file (which made the 1M-row files allocate and touch every column several times).

    ``quick`` (CSV only) is the same plan trimming only the id and text columns. A code, date,
    number or yes/no cell with a space around it fails its own check untrimmed, so when no check
    fails on ``quick`` its result is exactly ``frame``'s, without trimming most of the cells of a
    clean file; when any check fails, validation runs ``frame`` instead. ``quick`` also has the CSV
    parser make each code column a category as it reads it (a quoted empty cell stays ``""`` there,
    an unknown code, so the careful plan decides it) instead of making a text column and converting
    it: a fifth of reading the 1M-row employees file.
    """

    extract: Extract
    path: Path
    frame: pl.LazyFrame
    quick: pl.LazyFrame | None = None
    # required columns the file lacks (reported with the header): read as blank, their cells not
    # checked, so that every other cell's problems are reported in the same run
    absent: frozenset[str] = frozenset()


# the kinds of column whose own check accepts no surrounding space: left untrimmed by ``quick``
SELF_TRIMMED = frozenset({"code", "date", "decimal", "money", "integer", "boolean"})


def locate(year_dir: Path, extract: Extract) -> tuple[Path | None, list[Problem]]:
    """Find the one file for an extract, whatever the case of its name (``Employees.CSV`` is the
    employees extract); two formats of the same file is an error (which one wins?)."""
    wanted = {f"{extract.name}{ext}" for ext in FORMATS}
    found = sorted(p for p in year_dir.iterdir() if p.name.lower() in wanted and p.is_file()) if year_dir.is_dir() else []
    if len(found) > 1:
        return None, [Problem("duplicate_format", extract.name, message="the same extract is given in more than one file",
                              found=", ".join(p.name for p in found),
                              allowed=f"one file: {extract.name}.csv, .xlsx or .parquet (the letter case of a name "
                                      "does not count)")]
    if not found:
        if extract.required:
            return None, [Problem("missing_file", f"{extract.name}.csv", message="required extract is missing",
                                  allowed=f"{extract.name}.csv, .xlsx or .parquet in {year_dir.name}/")]
        return None, []
    return found[0], []


def read_extract(path: Path, extract: Extract) -> tuple[RawExtract | None, list[Problem]]:
    """Plan the reading of one extract, checking what can be checked before reading the rows: the
    file is there and not empty, the delimiter, and the header against the contract."""
    suffix = path.suffix.lower()
    quick = None
    if suffix == ".csv":
        try:
            with path.open("rb") as f:
                problems = _head_problems(f.read(65536), path.name)
        except OSError as exc:
            return None, cannot_open(path, exc)
        frame = None if problems else _scan_csv(path)
    elif suffix == ".xlsx":
        eager, problems = _read_xlsx(path, frozenset(c.name for c in extract.columns if c.kind == "date"))
        frame = None if eager is None else eager.lazy()
    else:
        eager, problems = _read_parquet(path, extract)
        frame = None if eager is None else eager.lazy()
    if frame is None:
        return None, problems
    header, header_problems = _match_header(frame.collect_schema().names(), path.name, extract)
    problems += header_problems
    if header is None:
        return None, problems
    frame = _contract_columns(frame, extract, header)
    if suffix == ".csv":
        codes = {header[c.name]: pl.Categorical() for c in extract.columns if c.kind == "code" and c.name in header}
        quick = _contract_columns(_scan_csv(path, blank_is_null=True, types=codes), extract, header,
                                  trim=lambda c: c.kind not in SELF_TRIMMED)
    absent = frozenset(c.name for c in extract.columns if c.required and c.name not in header)
    return RawExtract(extract, path, frame, quick, absent), problems


def cannot_open(path: Path, exc: OSError, shown_as: str | None = None) -> list[Problem]:
    """A file the run's user may not read (or that vanished): the user's to fix, not a crash."""
    why = "permission denied" if isinstance(exc, PermissionError) else (exc.strerror or type(exc).__name__)
    return [Problem("cannot_open", shown_as or path.name, message=f"the file cannot be opened ({why})",
                    allowed="a file the user running cydradd can read")]


def field_counts(path: Path) -> tuple[int, dict[int, tuple[int, bool]]]:
    """The number of values in a CSV's header, and each record with another number of values, by
    spreadsheet row (a blank line, which holds none, is not one of them), with whether a value runs
    over a line break (a double quote left open swallows the rest of the file into one value).

    polars reads a record with too few values by leaving the last columns blank, so the values after
    a lost comma sit in the wrong columns: a date of birth in ``sex``, a bonus in ``full_pay``, and
    the cell checks would echo it. A record with too many stops polars without saying where. Python's
    ``csv`` module counts both, quotes and quoted line breaks included; it is slow (seconds for a
    million rows), so it runs only once something has already failed."""
    import csv

    odd: dict[int, tuple[int, bool]] = {}
    csv.field_size_limit(1 << 30)  # an open quote makes one huge value: it must be counted, not refused
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            records = csv.reader(f)
            width = len(next(records, []))
            for row, record in enumerate(records, start=2):
                if record and len(record) != width:
                    odd[row] = (len(record), any("\n" in value for value in record))
    except (OSError, UnicodeDecodeError, csv.Error):
        return 0, {}
    return width, odd


def ragged_problems(width: int, odd: dict[int, tuple[int, bool]], name: str, limit: int = 20) -> list[Problem]:
    """One problem per record whose number of values is not the header's (``field_counts``)."""
    out = []
    for row, (n, runs_on) in list(odd.items())[:limit]:
        if n < width and runs_on:
            out.append(Problem("unclosed_quote", name, row=row,
                               message="a double quote opened on this row is not closed, so the rest of the file "
                                       "reads as one value",
                               allowed="a closing double quote after the value"))
        elif n < width:
            out.append(Problem("short_row", name, row=row,
                               message=f"the row has {n} values where the header has {width}: a value or its comma "
                                       "is missing, so the values after it are in the wrong columns",
                               allowed="one value per column (an empty value still needs its comma)"))
        else:
            out.append(Problem("long_row", name, row=row,
                               message=f"the row has {n} values where the header has {width}",
                               allowed="one value per column; a value with a comma in it inside double quotes"))
    if len(odd) > limit:
        out.append(Problem("short_row", name, message=f"... and {len(odd) - limit} more rows with a number of values "
                                                      "other than the header's",
                           allowed="one value per column"))
    return out


def unreadable(path: Path) -> list[Problem]:
    """Why polars could not read a file whose plan failed: the problem to show the user, or none when
    the file reads (the failure was then not the file's fault, and the caller re-raises it)."""
    if path.suffix.lower() != ".csv":
        return []
    frame, problems = read_csv_text(path)
    return problems if frame is None else []


def repeated_header_problems(rows: list[int], name: str) -> list[Problem]:
    """A header row pasted again mid-file (two exports glued together) is one clear problem per row,
    not a cascade of 'bad code' errors on every column of that row."""
    return [Problem("repeated_header", name, row=int(r), message="the header row appears again inside the data",
                    allowed="one header row, at the top") for r in rows[:20]]


# --------------------------------------------------------------------------- formats
def _scan_csv(path: Path, blank_is_null: bool = False, types: dict[str, pl.DataType] | None = None) -> pl.LazyFrame:
    """The CSV as a lazy scan of text cells (or of ``types``, by the file's column names), numbered by
    record. A file polars cannot parse (not UTF-8, ragged rows) fails when the plan runs;
    ``unreadable`` then says why."""
    frame = pl.scan_csv(path, infer_schema=False, empty_string_is_null=blank_is_null, truncate_ragged_lines=False,
                        raise_if_empty=True, schema_overrides=types or None)
    return frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))


def _head_problems(head: bytes, name: str) -> list[Problem]:
    """What the first 64 KiB of a CSV show: an empty file, or a delimiter other than the comma."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [Problem("encoding", name, row=1, message="the file is UTF-16 text (Excel's 'Unicode Text')",
                        allowed="UTF-8; in Excel use 'Save as: CSV UTF-8'")]
    if head.startswith(b"PK\x03\x04"):
        return [Problem("wrong_format", name, message="the file is an Excel workbook with a .csv name",
                        allowed="the workbook named .xlsx, or saved from Excel as 'CSV UTF-8'")]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]  # a UTF-8 byte-order mark, as Excel writes it: harmless
    if b"\r" in head and b"\n" not in head:
        return [Problem("line_endings", name, message="the lines end with a carriage return only (Excel for Mac's "
                        "'Macintosh CSV'), so the file reads as one long row",
                        allowed="'CSV UTF-8 (Comma delimited)' from Excel; lines ending in LF or CRLF")]
    if not head or head.isspace():
        return [Problem("empty_file", name, message="the file is empty", allowed="a header row and data rows")]
    head = head.lstrip(b"\r\n")
    first_line = head.split(b"\n", 1)[0].decode("utf-8", errors="replace").rstrip("\r")
    if "," not in first_line and any(sep in first_line for sep in (";", "\t", "|")):
        sep = next(s for s in (";", "\t", "|") if s in first_line)
        return [Problem("wrong_delimiter", name, row=1, message="the columns are not separated by commas",
                        found={"\t": "tab"}.get(sep, sep), allowed="comma-separated values")]
    return []


def read_csv_text(path: Path) -> tuple[pl.DataFrame | None, list[Problem]]:
    """The whole CSV read at once, every cell as text (blank as ""), numbered by record (``_row``); or
    why it cannot be read (its head, its encoding, a row with the wrong number of values). It explains
    an extract the scan could not read, and reads small files such as community.csv."""
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, cannot_open(path, exc)
    problems = _head_problems(data[:65536], name)
    if problems:
        return None, problems
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        frame = pl.read_csv(
            io.BytesIO(data),
            infer_schema=False,
            empty_string_is_null=False,
            truncate_ragged_lines=False,
            raise_if_empty=True,
        )
    except pl.exceptions.PolarsError as exc:
        try:  # polars refuses bytes that are not UTF-8; find the line for the person who saved it
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            line = data[: bad.start].count(b"\n") + 1
            return None, [Problem("encoding", name, row=line,
                                  message="the file is not UTF-8 text (saved as ANSI/Windows-1252?)",
                                  allowed="UTF-8; in Excel use 'Save as: CSV UTF-8'")]
        width, odd = field_counts(path)
        if odd:
            return None, ragged_problems(width, odd, name)
        return None, [Problem("unreadable", name, message=f"the CSV cannot be read ({type(exc).__name__})",
                              allowed="one header row and the same number of columns on every row")]
    # A record with a quoted line break is still one row in a spreadsheet, so numbering records
    # (not physical lines) gives the row a person sees.
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    return frame, []


# Excel's 1900 date system: serial 61 is 1900-03-01; below that Excel counts a 29 February 1900
# that never was, and no HR date is that old anyway. 2958465 is 9999-12-31, Excel's last date.
_EXCEL_EPOCH = (1899, 12, 30)
_EXCEL_SERIALS = (61, 2_958_465)


def _read_xlsx(path: Path, date_columns: frozenset[str] = frozenset()) -> tuple[pl.DataFrame | None, list[Problem]]:
    """The first sheet as text. A real Excel date (a number with a date format) arrives as
    ``YYYY-MM-DD 00:00:00`` and is cut to the date; a date with a time of day is left for validation
    to reject.

    A date that lost its format shows in Excel as a bare serial number (``45382``, format General).
    In a column the contract declares a date (``date_columns``), a cell that is a whole number in
    Excel's range (61 = 1900-03-01 to 2958465 = 9999-12-31) is read as that day of the 1900 date
    system, ``date(1899, 12, 30) + serial`` — what the person who typed or pasted it meant (45382 is
    2024-03-31). The workbook does not say whether such a cell was a number or text, so the digits
    typed as text are read the same way. A fractional serial (a time of day) or a number outside that
    range is left as it is and reported as ``bad_date``. CSV is not affected: there, ``45382`` is a
    ``bad_date``.
    """
    name = path.name
    try:
        frame = pl.read_excel(path, sheet_id=1, infer_schema_length=0, drop_empty_rows=False,
                              drop_empty_cols=False, raise_if_empty=False)
    except Exception as exc:  # calamine raises several types for a corrupt workbook
        return None, [Problem("unreadable", name, message=f"the workbook cannot be read ({type(exc).__name__})",
                              allowed="an .xlsx workbook whose first sheet has a header row")]
    if frame.width == 0 or (frame.height == 0 and not frame.columns):
        return None, [Problem("empty_file", name, message="the first sheet is empty", allowed="a header row and data rows")]
    frame = frame.select(
        pl.col(c).cast(pl.String).str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", "${1}") for c in frame.columns
    )
    serial_columns = [c for c in frame.columns if header_name(c) in date_columns]
    if serial_columns:
        frame = frame.with_columns(_from_excel_serial(pl.col(c)).alias(c) for c in serial_columns)
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    return frame, []


def _from_excel_serial(cell: pl.Expr) -> pl.Expr:
    serial = pl.when(cell.str.contains(r"^\d{1,7}$")).then(cell).cast(pl.Int64, strict=False)
    in_range = serial.is_between(*_EXCEL_SERIALS)
    day = (pl.date(*_EXCEL_EPOCH) + pl.duration(days=serial)).dt.strftime("%Y-%m-%d")
    return pl.when(in_range).then(day).otherwise(cell)


def _read_parquet(path: Path, extract: Extract) -> tuple[pl.DataFrame | None, list[Problem]]:
    """The Parquet file as text. A column of lists, structures, raw bytes or durations has no one value
    per cell to check: in the contract, it is a problem of the file; any other such column is read as blank,
    to be reported as a column the contract does not have (casting it stopped the run with a
    traceback)."""
    name = path.name
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:
        return None, [Problem("unreadable", name, message=f"the Parquet file cannot be read ({type(exc).__name__})",
                              allowed="a Parquet file with the contract's columns")]
    unreadable = [c for c, dtype in frame.schema.items()
                  if dtype.is_nested() or isinstance(dtype, pl.Binary | pl.Object | pl.Duration)]
    wanted = [c for c in unreadable if header_name(c) in extract.column_names]
    if wanted:
        return None, [Problem("bad_type", name, row=1, column=header_name(c),
                              message="the column holds lists, structures, raw bytes or lengths of time, not one "
                                      "value per cell",
                              allowed="one text, number, date or yes/no value per cell") for c in wanted]
    exprs = []
    for c, dtype in frame.schema.items():
        if c in unreadable:
            exprs.append(pl.lit(None, dtype=pl.String).alias(c))
        elif dtype == pl.Date:
            exprs.append(pl.col(c).dt.strftime("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime):  # what pandas writes for a date: midnight is the day itself
            exprs.append(pl.when(pl.col(c).dt.time() == pl.time(0)).then(pl.col(c).dt.strftime("%Y-%m-%d"))
                         .otherwise(pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%S")))
        elif dtype == pl.Boolean:
            exprs.append(pl.col(c).cast(pl.String))
        else:
            exprs.append(pl.col(c).cast(pl.String))
    try:
        frame = frame.select(exprs)
    except pl.exceptions.PolarsError as exc:  # a type not foreseen above: the file's problem, named
        return None, [Problem("unreadable", name, message=f"a column of the Parquet file cannot be read as text "
                                                          f"({type(exc).__name__})",
                              allowed="one text, number, date or yes/no value per cell")]
    frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    return frame, []


# --------------------------------------------------------------------------- shape
_SEPARATORS = re.compile(r"[\s\-]+")


def header_name(column: str) -> str:
    """A file's column name as the contract names it: case, surrounding space and Excel's byte-order
    mark do not matter, and a space or hyphen inside stands for the underscore (an HR system's
    "Working Pattern" or "date-of-birth" header had been a missing column and an ignored one)."""
    return _SEPARATORS.sub("_", column.strip().lstrip("\ufeff").strip().lower())


def _match_header(columns: list[str], name: str, extract: Extract) -> tuple[dict[str, str] | None, list[Problem]]:
    """Match the header to the contract (case and spaces do not matter): contract name -> the file's
    own column name, or None when a required column is missing or one appears twice."""
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for col in columns:
        if col == ROW:
            continue
        norm = header_name(col)
        if norm in seen:
            problems.append(Problem("duplicate_column", name, row=1, column=norm, message="the column appears twice",
                                    allowed="each column once"))
            continue
        seen[norm] = col
    required = [c.name for c in extract.columns if c.required]
    found = [c for c in required if c in seen]
    if len(found) * 2 < len(required):
        # most of the contract's names are not there: row 1 is data (the header row was lost) or
        # another system's header. Its cells are not echoed: they may be a person's id, name or
        # date of birth.
        return None, [Problem("no_header", name, row=1,
                              message=f"row 1 does not hold the contract's column names ({len(found)} of the "
                                      f"{len(required)} required columns found): the header row is missing, or the "
                                      "columns are named differently",
                              allowed="a header row naming the columns: " + ", ".join(required))]
    for col in extract.columns:
        if col.name not in seen and col.required:
            problems.append(Problem("missing_column", name, row=1, column=col.name, message="a required column is missing",
                                    allowed=", ".join(required)))
    extra = [n for n in seen if n not in extract.column_names and n]
    absent = [c for c in extract.column_names if c not in seen]
    for n in extra:
        own = seen[n].strip().lstrip("\ufeff").strip()  # as the file spells it
        near = get_close_matches(n, absent, n=1, cutoff=0.8) if _looks_like_name(own) else []
        problems.append(Problem("extra_column", name, row=1, column=own if _looks_like_name(own) else None,
                                message="this column is not in the contract and is ignored"
                                + (f": did you mean {near[0]}?" if near else ""), severity="warning"))
    if any(p.code == "duplicate_column" for p in problems):
        return None, problems  # which of the two is meant? nothing of the file can be read safely
    return seen, problems


def _contract_columns(frame: pl.LazyFrame, extract: Extract, header: dict[str, str],
                      trim: Callable[[Column], bool] | None = None) -> pl.LazyFrame:
    """Plan the contract's columns from a matched ``header``: trimmed text (every column, or those
    ``trim`` picks), a blank cell null, a missing optional column all null; blank rows left out and
    repeated header rows flagged."""
    present = [c.name for c in extract.columns if c.name in header]
    frame = frame.select([ROW, *(header[c] for c in present)]).rename({header[c]: c for c in present})
    missing_optional = [c.name for c in extract.columns if c.name not in header]
    if missing_optional:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing_optional)
    frame = frame.select([ROW, *extract.column_names])
    # trim the cells; blank -> null
    frame = frame.with_columns(
        pl.col(c.name).str.strip_chars().replace("", None) for c in extract.columns if trim is None or trim(c)
    )
    return _drop_blank_rows(frame).with_columns(_repeated_header(extract, header, exact=trim is None).alias(HEADER))


def _looks_like_name(text: str) -> bool:
    """A column name safe to repeat: short words, not a value (an id, a date or an amount has digits)."""
    return (len(text) <= 40 and any(ch.isalpha() for ch in text) and not any(ch.isdigit() for ch in text)
            and all(ch.isalnum() or ch in "_- " for ch in text))


def _repeated_header(extract: Extract, header: dict[str, str], exact: bool = True) -> pl.Expr:
    """True on a row that repeats the header (two exports glued together): every required column
    holds its own name, in any case.

    Comparing every cell of every row is dear, so a plan that trims only some cells (``exact`` False,
    the quick plan) flags a row whose *first* required column holds that column's name in the file's
    own spelling, lower case or upper case: every repeated header row, and perhaps a few more. That is
    enough: a quick plan only gives up on a flagged row (the careful plan then decides exactly), and a
    header row in another case fails the checks of its code and date columns, so the careful plan,
    which looks in any case, sees it too. (The quick test of all required columns cost a sixth of
    reading the 1M-row employees file.)
    """
    present = [c.name for c in extract.columns if c.required and c.name in header]
    if not present:
        return pl.lit(False)
    if exact:
        return pl.all_horizontal(pl.col(c).str.to_lowercase() == c for c in present).fill_null(False)
    first = present[0]
    return pl.col(first).is_in(sorted({header[first].strip().lstrip("\ufeff"), first, first.upper()})).fill_null(False)


def _drop_blank_rows(frame: pl.LazyFrame) -> pl.LazyFrame:
    cols = [c for c in frame.collect_schema().names() if c != ROW]
    if not cols:
        return frame
    return frame.filter(~pl.all_horizontal(pl.col(c).is_null() for c in cols))
