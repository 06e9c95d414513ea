"""Validation that collects every problem, then types the frames.

Each check is a polars expression over the whole column (no Python loop over rows), and each
failing row becomes a ``Problem`` naming file, spreadsheet row, column and what is allowed. What was
found is shown only for codes and malformed dates in non-personal columns: an HR row is personal data
and never appears in an error message (frictionless-py's error catalogue, minus the row echo).

A problem repeated on many rows is listed row by row up to ``MAX_ROWS_LISTED`` and then summarised,
so a wholly wrong column in a 1M-row file gives a readable report rather than a million lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import re

import polars as pl

from pipeline.config import Organisation
from pipeline.errors import Problem
from pipeline.extracts.contract import FALSE_WORDS, TRUE_WORDS, Column, Extract
from pipeline.extracts.frames import HOURS, MONEY
from pipeline.extracts.readers import ROW, RawExtract

MAX_ROWS_LISTED = 20
_CODE_LIKE = re.compile(r"^[\w\-+/.]{1,30}$")
_DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
_NUMBER_RE = r"^-?(\d+(\.\d*)?|\.\d+)$"
_INT_RE = r"^-?\d+$"


def allowed_codes(col: Column, org: Organisation) -> tuple[str, ...]:
    if col.codes:
        return col.codes + ((col.blank_means,) if col.blank_means and col.blank_means not in col.codes else ())
    if col.codes_from == "workforce_groups":
        return tuple(org.groups)
    if col.codes_from == "grades":
        return tuple(dict.fromkeys(g for grp in org.groups.values() for g in grp.grades))
    return ()


def validate_extract(raw: RawExtract, org: Organisation) -> tuple[pl.DataFrame, list[Problem]]:
    """Check every cell of one extract; return the typed frame (invalid cells null) and all problems."""
    ex = raw.extract
    name = raw.path.name
    frame = _apply_code_maps(raw.frame, ex, org)
    problems: list[Problem] = []
    typed: list[pl.Expr] = [pl.col(ROW)]
    for col in ex.columns:
        c = pl.col(col.name)
        if not col.blank_ok:
            problems += _rows(frame, c.is_null(), name, col, "missing_value", "a value is required here",
                              col.allowed_text())
        if col.kind == "code":
            allowed = allowed_codes(col, org)
            bad = c.is_not_null() & ~c.is_in(list(allowed))
            problems += _rows(frame, bad, name, col, "unknown_code", "not an allowed code", ", ".join(allowed),
                              show=True)
            expr = c if col.blank_means is None else c.fill_null(col.blank_means)
            # an invalid code becomes null so the cross-file checks don't report it a second time
            typed.append(pl.when(bad).then(None).otherwise(expr).alias(col.name))
        elif col.kind == "date":
            parsed = c.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
            bad = c.is_not_null() & (~c.str.contains(_DATE_RE) | parsed.is_null())
            problems += _rows(frame, bad, name, col, "bad_date", "not a real date in the form YYYY-MM-DD",
                              col.allowed_text(), show=not col.personal)
            typed.append(pl.when(bad).then(None).otherwise(parsed).alias(col.name))
        elif col.kind in ("decimal", "money", "integer"):
            problems_num, expr = _number(frame, col, name)
            problems += problems_num
            typed.append(expr.alias(col.name))
        elif col.kind == "boolean":
            low = c.str.to_lowercase()
            bad = c.is_not_null() & ~low.is_in(list(TRUE_WORDS + FALSE_WORDS))
            problems += _rows(frame, bad, name, col, "bad_boolean", "not a yes/no value", col.allowed_text(), show=True)
            typed.append(
                pl.when(low.is_in(list(TRUE_WORDS))).then(True)
                .when(low.is_in(list(FALSE_WORDS))).then(False)
                .otherwise(None).cast(pl.Boolean).alias(col.name)
            )
        else:  # id, text
            typed.append(c)
    if ex.key:
        problems += _duplicates(frame, ex.key, name)
    return frame.select(typed), _resolve(frame, problems)


def _apply_code_maps(frame: pl.DataFrame, ex: Extract, org: Organisation) -> pl.DataFrame:
    """Translate an HR system's own codes (``[code_maps.<column>]``) before checking them."""
    exprs = []
    for col in ex.columns:
        mapping = org.code_maps.get(col.name)
        if mapping and col.kind == "code":
            exprs.append(pl.col(col.name).replace(mapping).alias(col.name))
    return frame.with_columns(exprs) if exprs else frame


def _number(frame: pl.DataFrame, col: Column, name: str) -> tuple[list[Problem], pl.Expr]:
    c = pl.col(col.name)
    problems: list[Problem] = []
    pattern = _INT_RE if col.kind == "integer" else _NUMBER_RE
    malformed = c.is_not_null() & ~c.str.contains(pattern)
    hint = "a plain number"
    if col.kind == "money":
        hint = "pounds with at most 2 decimals and no currency sign or thousands separator"
    problems += _rows(frame, malformed, name, col, "bad_number", f"not {hint}", col.allowed_text(),
                      show=not col.personal)
    clean = pl.when(malformed).then(None).otherwise(c)
    if col.max_decimals is not None:
        too_many = clean.is_not_null() & clean.str.contains(r"\.\d{" + str(col.max_decimals + 1) + ",}$")
        problems += _rows(frame, too_many, name, col, "too_many_decimals",
                          f"more than {col.max_decimals} decimal places", col.allowed_text())
        clean = pl.when(too_many).then(None).otherwise(clean)
    as_float = clean.cast(pl.Float64, strict=False)
    out_of_range = pl.lit(False)
    if col.minimum is not None:
        out_of_range = out_of_range | ((as_float <= col.minimum) if col.minimum_exclusive else (as_float < col.minimum))
    if col.maximum is not None:
        out_of_range = out_of_range | (as_float > col.maximum)
    out_of_range = as_float.is_not_null() & out_of_range
    problems += _rows(frame, out_of_range, name, col, "out_of_range", "the value is out of range", col.allowed_text())
    clean = pl.when(out_of_range).then(None).otherwise(clean)
    if col.kind == "integer":
        expr = clean.cast(pl.Int64, strict=False)
    elif col.kind == "money":
        expr = clean.cast(MONEY, strict=False)
    elif col.name == "weekly_hours":
        expr = clean.cast(HOURS, strict=False)
    else:
        expr = clean.cast(pl.Float64, strict=False)
    # a number too long for its type must not turn silently into a blank
    unrepresentable = clean.is_not_null() & expr.is_null()
    problems += _rows(frame, unrepresentable, name, col, "out_of_range", "the number is too large",
                      col.allowed_text())
    return problems, expr


def _duplicates(frame: pl.DataFrame, key: str, name: str) -> list[Problem]:
    dup = frame.filter(pl.col(key).is_not_null() & pl.col(key).is_duplicated())
    if dup.height == 0:
        return []
    first = dup.group_by(key).agg(pl.col(ROW).min().alias("_first"))
    later = dup.join(first, on=key).filter(pl.col(ROW) != pl.col("_first")).sort(ROW)
    out = [
        Problem("duplicate_id", name, row=int(r), column=key,
                message=f"the same {key} appears again (first on row {int(f)})", allowed=f"each {key} once")
        for r, f in later.select(ROW, "_first").head(MAX_ROWS_LISTED).iter_rows()
    ]
    if later.height > MAX_ROWS_LISTED:
        out.append(Problem("duplicate_id", name, column=key,
                           message=f"... and {later.height - MAX_ROWS_LISTED} more repeated {key} rows",
                           allowed=f"each {key} once"))
    return out


@dataclass(frozen=True)
class _Pending:
    """A check not yet run: every check of an extract is first evaluated together, in one pass over the
    frame (``_resolve``), and only the checks that fail are turned into rows — a clean 1M-row extract
    costs one scan, not one per rule."""

    mask: pl.Expr
    args: tuple


def _resolve(frame: pl.DataFrame, found: list) -> list[Problem]:
    pending = [p for p in found if isinstance(p, _Pending)]
    if not pending:
        return found
    flags = frame.select([p.mask.any().alias(f"c{i}") for i, p in enumerate(pending)]).row(0)
    failed = {id(p) for p, flag in zip(pending, flags, strict=True) if flag}
    out: list[Problem] = []
    for p in found:
        if not isinstance(p, _Pending):
            out.append(p)
        elif id(p) in failed:
            file, col, code, message, allowed, show = p.args
            out += _failing_rows(frame, p.mask, file, col, code, message, allowed, show=show)
    return out


def _rows(frame: pl.DataFrame, mask: pl.Expr, file: str, col: Column, code: str, message: str,
          allowed: str | None, *, show: bool = False) -> list[_Pending]:
    """A check of ``mask`` (True = a problem) to be run with the extract's others (``_resolve``)."""
    return [_Pending(mask, (file, col, code, message, allowed, show))]


def _failing_rows(frame: pl.DataFrame, mask: pl.Expr, file: str, col: Column, code: str, message: str,
                  allowed: str | None, *, show: bool = False) -> list[Problem]:
    """Turn a boolean mask into problems, one per failing row (bounded), echoing only safe values."""
    hits = frame.select(pl.col(ROW), pl.col(col.name).alias("_v"), mask.alias("_bad")).filter(pl.col("_bad"))
    if hits.height == 0:
        return []
    out = []
    for row, value in hits.head(MAX_ROWS_LISTED).select(ROW, "_v").iter_rows():
        found = value if (show and value is not None and _CODE_LIKE.match(str(value))) else None
        out.append(Problem(code, file, row=int(row), column=col.name, found=found, message=message, allowed=allowed))
    if hits.height > MAX_ROWS_LISTED:
        out.append(Problem(code, file, column=col.name, message=f"... and {hits.height - MAX_ROWS_LISTED} more rows: {message}",
                           allowed=allowed))
    return out
