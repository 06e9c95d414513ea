"""Validation that collects every problem, then types the frames.

Each check is a polars expression over the whole column (no Python loop over rows), and each
failing row becomes a ``Problem`` naming file, spreadsheet row, column and what is allowed. What was
found is shown only when it is a code of some column (``_failing_rows``); anything else is described by
its shape: an HR row is personal data and never appears in an error message (frictionless-py's error
catalogue, minus the row echo).

A problem repeated on many rows is listed row by row up to ``MAX_ROWS_LISTED`` and then summarised,
so a wholly wrong column in a 1M-row file gives a readable report rather than a million lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import get_close_matches

import polars as pl

from pipeline.config import Organisation
from pipeline.errors import Problem
from pipeline.extracts.contract import FALSE_WORDS, TRUE_WORDS, Column, Extract
from pipeline.extracts.frames import EMPLOYEE_ID, HOURS, MONEY, employee_key
from pipeline.extracts.readers import (
    HEADER,
    ROW,
    RawExtract,
    field_counts,
    ragged_problems,
    repeated_header_problems,
    unreadable,
)

MAX_ROWS_LISTED = 20
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


# a typed frame's flag column ``INVALID + column``: True where that cell failed its own check (or its
# id is repeated); there only when some cell of the file did
INVALID = "_invalid:"


def validate_extract(raw: RawExtract, org: Organisation) -> tuple[pl.DataFrame | None, list[Problem]]:
    """Check every cell of one extract; return the typed frame (invalid cells null) and all problems
    (or no frame, when polars cannot read the file at all).

    The reading plan gains three layers, each one polars ``with_columns``/``select`` over all columns:
    the costly per-cell work (regular expressions, date parsing, casts) once as hidden columns; then
    every rule, a cheap boolean combination of those; then the typed columns. (Rules built by nesting
    one inside the next made polars evaluate the inner regular expressions again at every level: the
    1M-row pay extract took 5 s to validate.) The plan runs once, streaming, and keeps only the typed
    columns and one flag per rule: the file is read, trimmed, checked and typed batch by batch. Only a
    rule that fails somewhere is turned into rows, from a second read of just the rows that fail (the
    cells a problem shows were not kept).

    A CSV is first checked through its ``quick`` plan (most cells untrimmed: see ``RawExtract``);
    only when something fails there, or a header row repeats, is the careful plan run for the problems.
    """
    if raw.quick is not None:
        clean = _validate(raw.quick, raw, org, quick=True)
        if clean is not None:
            return clean
    result = _validate(raw.frame, raw, org)
    assert result is not None  # only a quick plan gives up
    return result


def _validate(frame: pl.LazyFrame, raw: RawExtract, org: Organisation,
              quick: bool = False) -> tuple[pl.DataFrame | None, list[Problem]] | None:
    """Run one plan (see ``validate_extract``). A ``quick`` plan gives up (None) as soon as a check
    fails or a header row repeats: its untrimmed cells may be what failed."""
    ex = raw.extract
    name = raw.path.name
    frame = _apply_code_maps(frame, ex, org)
    plan = _Plan()
    typed: list[pl.Expr] = [pl.col(ROW)]
    for col in ex.columns:
        c = pl.col(col.name)
        if not col.blank_ok:
            plan.rule(col, c.is_null(), "missing_value", "a value is required here", col.allowed_text())
        if col.kind == "code":
            allowed = allowed_codes(col, org)
            # a code becomes a category (a small integer) first: the allowed codes are then looked up
            # as integers, and the measures filter, join and group by integers rather than text
            category = plan.base(c.cast(pl.Categorical))
            unknown = c.is_not_null() & ~category.is_in(list(allowed))
            code: pl.Expr = category
            if not quick:
                # an HR export that writes codes with capitals ("Female", "Approved") is read as the
                # codes they are, with a warning; no two codes differ only in case. (The quick plan
                # gives such a file up at its first capital, so a clean file pays nothing for this.)
                lower = plan.base(c.str.to_lowercase())
                lower_known = lower.is_in(list(allowed))  # (a base cannot read another base)
                cased = plan.rule(col, unknown & lower_known, "code_case",
                                  "a code written with capitals, read as the same code in lower case",
                                  ", ".join(allowed), show=True, severity="warning")
                unknown = unknown & ~lower_known
                code = pl.when(cased).then(lower.cast(pl.Categorical)).otherwise(category)
            bad = plan.rule(col, unknown, "unknown_code", "not an allowed code", ", ".join(allowed), show=True)
            expr = code if col.blank_means is None else code.fill_null(col.blank_means)
            # an invalid code becomes null so the cross-file checks don't report it a second time
            typed.append(pl.when(bad).then(None).otherwise(expr).alias(col.name))
        elif col.kind == "date":
            parsed = plan.base(c.str.strptime(pl.Date, "%Y-%m-%d", strict=False))
            shaped = plan.base(c.str.contains(_DATE_RE))
            bad = plan.rule(col, c.is_not_null() & (~shaped | parsed.is_null()), "bad_date",
                            "not a real date in the form YYYY-MM-DD", col.allowed_text(), show=True)
            typed.append(pl.when(bad).then(None).otherwise(parsed).alias(col.name))
        elif col.kind in ("decimal", "money", "integer"):
            typed.append(_number(col, plan).alias(col.name))
        elif col.kind == "boolean":
            low = plan.base(c.str.to_lowercase())
            plan.rule(col, c.is_not_null() & ~low.is_in(list(TRUE_WORDS + FALSE_WORDS)), "bad_boolean",
                      "not a yes/no value", col.allowed_text(), show=True)
            typed.append(
                pl.when(low.is_in(list(TRUE_WORDS))).then(True)
                .when(low.is_in(list(FALSE_WORDS))).then(False)
                .otherwise(None).cast(pl.Boolean).alias(col.name)
            )
        elif col.name == EMPLOYEE_ID:
            # the key every other extract joins to employees by: each join (cross-file checks,
            # populations, pay) then matches integers; the text of an id is hashed once, here
            typed.append(employee_key(c).alias(col.name))
        else:  # id, text
            typed.append(c)
    # a required column the file lacks is one problem, reported with the header, not one per row
    plan.rules = [r for r in plan.rules if r.column.name not in raw.absent]
    checked = frame.with_columns(plan.bases).with_columns(r.mask.alias(r.flag) for r in plan.rules)
    try:
        out = checked.select(*typed, pl.col(HEADER), *(pl.col(r.flag) for r in plan.rules)).collect(engine="streaming")
    except pl.exceptions.PolarsError:
        problems = unreadable(raw.path)
        if not problems:
            raise  # the file reads: the failure is ours, not the user's
        return None, problems
    problems: list[Problem] = []
    hits = out.select(pl.col(r.flag).any() for r in plan.rules).row(0) if plan.rules else ()
    # (a warning's check reads only cells that passed their own checks, so untrimmed cells give it
    # the same answer when no error was found)
    if quick and (any(hit and r.severity == "error" for r, hit in zip(plan.rules, hits, strict=True))
                  or out[HEADER].any()):
        return None
    # a repeated header row is reported once as such, not as a bad cell in every column
    repeated = out.filter(pl.col(HEADER))
    if repeated.height:
        problems += repeated_header_problems(repeated[ROW].to_list(), name)
        out = out.filter(~pl.col(HEADER))
        hits = out.select(pl.col(r.flag).any() for r in plan.rules).row(0) if plan.rules else ()
    elif out.height == 0 and not ex.may_be_empty:
        problems.append(Problem("empty_file", name, message="the file has a header but no data rows",
                                allowed="one row per record"))
    failed = [r for r, hit in zip(plan.rules, hits, strict=True) if hit]
    ragged: list[int] = []
    if any(r.severity == "error" for r in failed) and raw.path.suffix.lower() == ".csv":
        # a record with a value too few has the values after it in the wrong columns: it is reported
        # as such, and its cells are not (they would repeat, say, a date of birth found in ``sex``)
        width, odd = field_counts(raw.path)
        problems += ragged_problems(width, odd, name)
        ragged = sorted(odd)
    if failed:
        rows = checked.filter(~pl.col(HEADER) & pl.any_horizontal(pl.col(r.flag) for r in failed)
                              & ~pl.col(ROW).is_in(ragged)).select(
            ROW, *dict.fromkeys(r.column.name for r in failed), *(pl.col(r.flag) for r in failed)).collect()
        words = _vocabulary(org)
        for r in failed:
            problems += _failing_rows(rows, pl.col(r.flag), name, r.column, r.code, r.message, r.allowed, show=r.show,
                                      vocabulary=words, severity=r.severity)
    # which cells failed their own check (``INVALID``), for the cross-file checks to pass over: a null
    # there is not a blank (a leave date in DD/MM/YYYY is not "no leave date", so "a leave reason but
    # no leave date" and "in post but no pay row" would be errors that only follow from it)
    invalid = {c: [pl.col(r.flag) for r in failed if r.severity == "error" and r.column.name == c]
               for c in dict.fromkeys(r.column.name for r in failed)}
    flags = [pl.any_horizontal(f).alias(INVALID + c) for c, f in invalid.items() if f]
    if ex.key and (repeated_ids := _duplicates(out, ex.key, name)):
        problems += repeated_ids
        flags.append((pl.col(ex.key).is_not_null() & pl.col(ex.key).is_duplicated()).alias(INVALID + ex.key))
    return out.select(pl.col(ROW), *(pl.col(c.name) for c in ex.columns), *flags), problems


@dataclass(frozen=True)
class _Rule:
    """One check of one column: ``mask`` is True on a row with the problem."""

    flag: str
    mask: pl.Expr
    column: Column
    code: str
    message: str
    allowed: str | None
    show: bool
    severity: str = "error"  # a "warning" is reported, and the cell is still used


@dataclass
class _Plan:
    """What one extract's validation computes: ``bases`` (per-cell work, each done once) and ``rules``
    (boolean combinations of the bases, each kept as a hidden flag column)."""

    bases: list[pl.Expr] = field(default_factory=list)
    rules: list[_Rule] = field(default_factory=list)

    def base(self, expr: pl.Expr) -> pl.Expr:
        name = f"_base{len(self.bases)}"
        self.bases.append(expr.alias(name))
        return pl.col(name)

    def rule(self, col: Column, mask: pl.Expr, code: str, message: str, allowed: str | None,
             show: bool = False, severity: str = "error") -> pl.Expr:
        """Add a rule; returns its mask (cheap: it reads only base columns), for the typed columns and later rules."""
        self.rules.append(_Rule(f"_bad{len(self.rules)}", mask.fill_null(False), col, code, message, allowed, show,
                                severity))
        return self.rules[-1].mask


def _apply_code_maps(frame: pl.DataFrame, ex: Extract, org: Organisation) -> pl.DataFrame:
    """Translate an HR system's own codes (``[code_maps.<column>]``) before checking them."""
    exprs = []
    for col in ex.columns:
        mapping = org.code_maps.get(col.name)
        if mapping and col.kind == "code":
            # (a quick plan reads codes as categories: the HR system's codes are mapped as text)
            exprs.append(pl.col(col.name).cast(pl.String).replace(mapping).alias(col.name))
    return frame.with_columns(exprs) if exprs else frame


def _number(col: Column, plan: _Plan) -> pl.Expr:
    """The number rules of a column. Each excludes the cells an earlier one reported (one bad cell is
    one problem); returns the typed value, null where any rule fails."""
    c = pl.col(col.name)
    pattern = _INT_RE if col.kind == "integer" else _NUMBER_RE
    hint = "a plain number"
    if col.kind == "money":
        hint = "pounds with at most 2 decimals and no currency sign or thousands separator"
    well_formed = plan.base(c.str.contains(pattern))
    plan.rule(col, c.is_not_null() & ~well_formed, "bad_number", f"not {hint}", col.allowed_text(),
              show=not col.personal)
    ok = c.is_not_null() & well_formed  # a well-formed number, so far
    if col.max_decimals is not None:
        too_many = plan.base(c.str.contains(r"\.\d{" + str(col.max_decimals + 1) + ",}$"))
        plan.rule(col, ok & too_many, "too_many_decimals", f"more than {col.max_decimals} decimal places",
                  col.allowed_text())
        ok = ok & ~too_many
    as_float = plan.base(c.cast(pl.Float64, strict=False))
    outside = pl.lit(False)
    if col.minimum is not None:
        outside = outside | ((as_float <= col.minimum) if col.minimum_exclusive else (as_float < col.minimum))
    if col.maximum is not None:
        outside = outside | (as_float > col.maximum)
    plan.rule(col, ok & outside, "out_of_range", "the value is out of range", col.allowed_text())
    ok = ok & ~outside
    if col.kind == "integer":
        value = plan.base(c.cast(pl.Int64, strict=False))
    elif col.kind == "money":
        value = plan.base(c.cast(MONEY, strict=False))
    elif col.name == "weekly_hours":
        assert col.rounds_to == HOURS.scale, "the contract's rounding of weekly hours is the pay gap engine's scale"
        value = plan.base(c.cast(HOURS, strict=False))  # rounds to 4 places, halves to even
    else:
        value = as_float
    # a number too long for its type must not turn silently into a blank
    plan.rule(col, ok & value.is_null(), "out_of_range", "the number is too large", col.allowed_text())
    if col.rounds_to is not None:
        if col.minimum_exclusive and col.minimum is not None:
            # 0.00004 hours is more than 0, but 0 once rounded: the pay gap would leave the person out
            small = value <= col.minimum
            plan.rule(col, ok & small, "out_of_range", f"the value is {col.minimum:g} when rounded to "
                      f"{col.rounds_to} decimal places", col.allowed_text())
            ok = ok & ~small
        # said, not done silently: two people 0.00003 hours apart become equal, and may share a quarter
        # (a digit other than 0 past the places kept: 37.000000 loses nothing)
        finer = plan.base(c.str.contains(r"\.\d{" + str(col.rounds_to) + r"}\d*[1-9]"))
        plan.rule(col, ok & finer, "rounded", f"more than {col.rounds_to} decimal places: hourly pay is worked "
                  f"out with the value rounded to {col.rounds_to} (halves to even)", col.allowed_text(),
                  severity="warning")
    return pl.when(ok.fill_null(False)).then(value).otherwise(None)


def _duplicates(frame: pl.DataFrame, key: str, name: str) -> list[Problem]:
    # counting distinct ids is a quarter of the cost of marking each repeated one: do that only when needed
    if frame.select(pl.col(key).drop_nulls().n_unique() == pl.col(key).count()).item():
        return []
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


def _vocabulary(org: Organisation) -> frozenset[str]:
    """Every word a code or yes/no column may hold anywhere (the contract's codes, the yes/no words,
    the profile's groups, grades and local codes), as written: a value found among them is no one's
    personal data, whichever column it turns up in ("female" in ``ethnicity``: the columns are
    swapped). The letter case counts: "Constable" may be a surname."""
    from pipeline.extracts.contract import EXTRACTS

    words = {w for e in EXTRACTS for c in e.columns for w in (*c.codes, c.blank_means or "")}
    words |= set(TRUE_WORDS + FALSE_WORDS) | set(org.groups) | {g for grp in org.groups.values() for g in grp.grades}
    words |= {k for m in org.code_maps.values() for k in m}
    return frozenset(w for w in words if w)


def _shape(value: str) -> str:
    """What a value looks like without what it says: 9 for a digit, A and a for letters ("Jones" is
    Aaaaa, 04/09/62 is 99/99/99), so the user sees the kind of thing found but not the thing."""
    return "".join("9" if ch.isdigit() else ("A" if ch.isupper() else "a") if ch.isalpha() else ch
                   for ch in value[:20]) + ("..." if len(value) > 20 else "")


def _failing_rows(frame: pl.DataFrame, mask: pl.Expr, file: str, col: Column, code: str, message: str,
                  allowed: str | None, *, show: bool = False, vocabulary: frozenset[str] = frozenset(),
                  severity: str = "error") -> list[Problem]:
    """Turn a boolean mask into problems, one per failing row (bounded), echoing only safe values.

    In a column whose values may be shown, a value is shown only when it is a word of the
    ``vocabulary`` (a code of some column: the columns are swapped, or a code map is missing). Any
    other value - a mistyped code as much as a name - is described by its shape, with the allowed
    code it is nearest to: every looser rule let personal data through when a cell shifted into a
    code or date column (a surname near a code, "Hale" for male; a surname five rows share, Jones; a
    user name in lower case; a date of birth or a pay in a pay period's date column)."""
    hits = frame.select(pl.col(ROW), pl.col(col.name).alias("_v"), mask.alias("_bad")).filter(pl.col("_bad"))
    if hits.height == 0:
        return []
    near_to = [a.strip() for a in (allowed or "").split(",")] if code == "unknown_code" else []
    out = []
    for row, value in hits.head(MAX_ROWS_LISTED).select(ROW, "_v").iter_rows():
        text = None if value is None else str(value)
        found = text if show and text is not None and text.strip() in vocabulary else None
        said = message
        if show and text is not None and found is None:
            near = get_close_matches(text.lower(), near_to, n=1, cutoff=0.75)
            said = (f"{message}; the value is not repeated, as it may be personal (it looks like {_shape(text)}"
                    + (f"; did you mean {near[0]}?)" if near else ")"))
        out.append(Problem(code, file, row=int(row), column=col.name, found=found, message=said, allowed=allowed,
                           severity=severity))
    if hits.height > MAX_ROWS_LISTED:
        more = hits.height - MAX_ROWS_LISTED
        out.append(Problem(code, file, column=col.name, message=f"... and {more} more rows: {message}",
                           allowed=allowed, severity=severity, count=more))
    return out
