"""The community benchmark (``inputs/community.csv``): the Census shares the workforce is compared with.

Checked like an extract, because a wrong file gives wrong published figures: every problem is
reported at once, with row and column. The file is optional; when present it needs
``characteristic``, ``category`` and ``pct`` (a percentage, 0-100), and may have ``geography`` and
``source``. A file with several geographies must be narrowed by ``[organisation] census_geography``,
and that geography must be in the file: a misspelt or differently cased code once gave no
representation tables at all, and a file of Gwent and Wales rows with no geography named let the
Wales rows win, both without a word.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from difflib import get_close_matches
from pathlib import Path

import polars as pl

from pipeline.config import Organisation
from pipeline.errors import Problem
from pipeline.extracts.readers import read_csv_text

__all__ = ["COMMUNITY_FILE", "load_community"]

COMMUNITY_FILE = "community.csv"
REQUIRED = ("characteristic", "category", "pct")
OPTIONAL = ("geography", "source")
_MAX_LISTED = 20


def load_community(inputs: Path, org: Organisation, known: Mapping[str, Collection[str]] | None = None
                   ) -> tuple[pl.DataFrame | None, list[Problem]]:
    """The rows to compare with (of the organisation's geography), or None when there is no file;
    and every problem found.

    ``known`` maps each characteristic a community share can stand beside to its category codes
    (the measures' profile dimensions; given by the caller, so the extracts never import the
    measures). A row naming anything else is an error: ``welsh_language`` for ``welsh_speaking`` once
    left the Welsh-speaking comparison out of the report, counted only as an unused row."""
    path = inputs / COMMUNITY_FILE
    if not path.exists():
        return None, []
    frame, problems = read_csv_text(path)
    if frame is None:
        return None, problems
    frame = frame.rename({c: c.strip().lower() for c in frame.columns})
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        return None, [Problem("missing_column", COMMUNITY_FILE, row=1, column=c, message="a required column is missing",
                              allowed=", ".join(REQUIRED) + " (and optionally " + ", ".join(OPTIONAL) + ")")
                      for c in missing]
    frame = frame.with_columns(pl.col(c).str.strip_chars().replace("", None)
                               for c in (*REQUIRED, *(c for c in OPTIONAL if c in frame.columns)))
    problems = _bad_shares(frame)
    frame, geography_problems = _of_geography(frame, org.community)
    problems += geography_problems
    if known is not None:
        problems += _unknown_codes(frame, known)
    if problems:
        return None, problems
    return frame.with_columns(pl.col("pct").cast(pl.Float64)), []


def _bad_shares(frame: pl.DataFrame) -> list[Problem]:
    """Each row whose share is not a percentage from 0 to 100 (the Census figures are not personal:
    what was found is shown)."""
    pct = pl.col("pct").cast(pl.Float64, strict=False)
    bad = frame.filter(pct.is_null() | ~pct.is_between(0, 100)
                       | pl.col("characteristic").is_null() | pl.col("category").is_null())
    out = []
    for row in bad.head(_MAX_LISTED).iter_rows(named=True):
        for column in ("characteristic", "category"):
            if row[column] is None:
                out.append(Problem("missing_value", COMMUNITY_FILE, row=row["_row"], column=column,
                                   message="a value is required here", allowed="a code of the report's tables"))
        value = row["pct"]
        number = None
        try:
            number = float(value) if value is not None else None
        except ValueError:
            pass
        if number is None or not 0 <= number <= 100:
            out.append(Problem("bad_number", COMMUNITY_FILE, row=row["_row"], column="pct", found=value,
                               message="not a percentage from 0 to 100",
                               allowed="a number such as 51.1 (a point for decimals, no % sign)"))
    if bad.height > _MAX_LISTED:
        out.append(Problem("bad_number", COMMUNITY_FILE, column="pct",
                           message=f"... and {bad.height - _MAX_LISTED} more rows", allowed="a number from 0 to 100"))
    return out


def _unknown_codes(frame: pl.DataFrame, known: Mapping[str, Collection[str]]) -> list[Problem]:
    """Each row (of the chosen geography) whose characteristic, or whose category of a known
    characteristic, no table has. Census codes are not personal: what was found is shown."""
    out: list[Problem] = []
    rows = frame.filter(pl.col("characteristic").is_not_null() & pl.col("category").is_not_null())
    for row, characteristic, category in rows.select("_row", "characteristic", "category").iter_rows():
        if len(out) == _MAX_LISTED:
            out.append(Problem("unknown_code", COMMUNITY_FILE, message="... and more rows with codes no table has",
                               allowed="the codes listed above"))
            break
        if characteristic not in known:
            out.append(_unknown(row, "characteristic", characteristic, sorted(known)))
        elif category not in known[characteristic]:
            out.append(_unknown(row, "category", category, list(known[characteristic]),
                                f"not a category of {characteristic}"))
    return out


def _unknown(row: int, column: str, found: str, allowed: list[str], message: str = "") -> Problem:
    near = get_close_matches(found.lower(), allowed, n=1)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return Problem("unknown_code", COMMUNITY_FILE, row=row, column=column, found=found,
                   message=(message or f"no table has this {column}") + hint, allowed=", ".join(allowed))


def _of_geography(frame: pl.DataFrame, wanted: str | None) -> tuple[pl.DataFrame, list[Problem]]:
    if "geography" not in frame.columns:
        return frame, []
    found = sorted(g for g in frame.get_column("geography").unique().to_list() if g is not None)
    if wanted is None:
        if len(found) > 1:
            return frame, [Problem("geography_not_chosen", "organisation.toml", column="organisation.census_geography",
                                   message=f"community.csv holds {len(found)} geographies and the profile does not "
                                           "say which to compare with",
                                   allowed="census_geography = one of: " + ", ".join(found))]
        return frame, []
    if wanted not in found:
        return frame, [Problem("unknown_geography", "organisation.toml", column="organisation.census_geography",
                               found=wanted, message="no row of community.csv has this geography (letter case counts)",
                               allowed=", ".join(found))]
    return frame.filter(pl.col("geography") == wanted), []
