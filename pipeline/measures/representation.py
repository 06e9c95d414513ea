"""How the workforce compares with the community it serves, and with last year.

Representation (``representation.<characteristic>``, population ``workforce``): for each category
the community frame lists, the workforce share *of those who stated* the characteristic (Home Office
convention) beside the community share (Census 2021), and their ratio (1.0 = as in the community).

The community frame (``inputs/community.csv``) has one row per published Census share:

``characteristic``
  a profile dimension code: ``sex``, ``ethnic_group``, ``ethnic_minority``,
  ``ethnic_minority_excl_white``, ``religion``, ``welsh_speaking``, ``disability``, ``age_band`` ...
``category``
  a category code of that dimension (``asian``, ``ethnic_minority_excl_white``, ``christian`` ...),
  or ``speaks_welsh`` under ``welsh_speaking`` (workforce: Welsh level
  ``groups.WELSH_SPEAKER_MIN_LEVEL`` or above, set beside the Census "can speak Welsh").
``pct``
  the community share, 0-100.
``geography`` (optional)
  a Census geography code; when present, only rows for the organisation's ``census_geography``
  (``Organisation.community``) are used.

Rows naming an unknown characteristic or category are left out and counted in
``Figures.quality["community_rows_unused"]``. Note Census "All groups other than White" matches
``ethnic_minority_excl_white``, not ``ethnic_minority`` (which includes White minorities).

Change (``change.<characteristic>``, population ``workforce``, when the previous year's extracts are
given): ``count`` and ``count_previous``, ``pct_stated`` and ``pct_stated_previous`` (each year's
counts protected as that year's report protects them) and ``change_points`` (percentage points).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from pipeline.figures import Cell, Row, Table
from pipeline.measures import disclosure as dc
from pipeline.measures import groups as g
from pipeline.measures.crosstab import Draft, Keys, Protected

REPRESENTATION_MEASURES = ("workforce_pct", "community_pct", "ratio")
REPRESENTATION_NOTES = ("headcount_31_march", "workforce_pct_of_stated", "community_census_2021")
CHANGE_MEASURES = ("count", "count_previous", "pct_stated", "pct_stated_previous", "change_points")


def _stated_share(d: Draft, p: Protected, keys: Sequence[str]) -> tuple[float | None, Cell]:
    """Share of the stated population in the categories ``keys`` (unrounded %), and its cell."""
    dim = d.dims[0]
    num = [d.nodes[(k,)] for k in keys]
    unstated = [d.nodes[(k,)] for k in dim.unstated]
    total = d.nodes[(g.TOTAL,)]
    rests = (*num, total, *unstated)
    n = sum(p.values[x] for x in num)
    den = p.values[total] - sum(p.values[x] for x in unstated)
    cell = dc.derived_cell(n, den, rests, p.suppressed)
    return (cell.value if cell.shown else None), cell


def representation(
    profile: Mapping[str, Draft], p: Protected, community: pl.DataFrame | None, geography: str | None = None
) -> tuple[list[Table], int]:
    """Representation tables, and the number of community rows that matched nothing."""
    if community is None or community.height == 0:
        return [], 0
    if geography is not None and "geography" in community.columns:
        community = community.filter(pl.col("geography").cast(pl.String) == geography)
    rows = community.select(
        pl.col("characteristic").cast(pl.String), pl.col("category").cast(pl.String), pl.col("pct").cast(pl.Float64)
    ).rows()
    wanted: dict[str, dict[str, float]] = {}
    unused = 0
    comparable = g.community_categories()  # what the community file is checked against, too
    for dim_code, category, pct in rows:
        known = f"profile.{dim_code}" in profile and category in comparable.get(dim_code, ())
        if not known or pct is None:
            unused += 1
            continue
        wanted.setdefault(dim_code, {})[category] = pct
    tables = []
    for dim_code, cats in wanted.items():
        d = profile[f"profile.{dim_code}"]
        dim = d.dims[0]
        order = [k for k in dim.keys if k in cats] + [k for k in cats if k not in dim.keys]
        out_rows = []
        for cat in order:
            members = sorted(g.WELSH_SPEAKER_CODES) if cat == g.SPEAKS_WELSH else [cat]
            value, cell = _stated_share(d, p, members)
            community_pct = cats[cat]
            if cell.suppressed:
                ratio = Cell(None, suppressed=dc.RESTS_ON_SUPPRESSED)
            elif value is None:
                ratio = Cell(None, not_calculable=cell.not_calculable)
            elif community_pct == 0:
                ratio = Cell(None, not_calculable=dc.ZERO_DENOMINATOR)
            else:
                ratio = Cell(value / community_pct)
            out_rows.append(Row((cat,), {"workforce_pct": cell, "community_pct": Cell(community_pct), "ratio": ratio}))
        tables.append(
            Table(
                f"representation.{dim_code}",
                "representation",
                "workforce",
                (dim_code,),
                REPRESENTATION_MEASURES,
                tuple(out_rows),
                REPRESENTATION_NOTES,
            )
        )
    return tables, unused


def change(current: Mapping[str, Draft], p: Protected, previous: Mapping[str, Draft], pp: Protected) -> list[Table]:
    """Year-on-year change of every workforce profile table (``previous`` ids without their prefix)."""
    tables = []
    for tid, d in current.items():
        prev = previous.get(tid)
        if prev is None:
            continue
        dim = d.dims[0]
        rows = []
        for keys in d.row_keys():
            rows.append(Row(keys, _change_cells(d, p, prev, pp, keys)))
        tables.append(
            Table(f"change.{dim.code}", "change", "workforce", (dim.code,), CHANGE_MEASURES, tuple(rows), d.notes)
        )
    return tables


def _change_cells(d: Draft, p: Protected, prev: Draft, pp: Protected, keys: Keys) -> dict[str, Cell]:
    k = keys[0]
    cells = {"count": p.count(d.nodes[keys]), "count_previous": pp.count(prev.nodes[keys])}
    if k in d.dims[0].unstated or k == g.TOTAL:
        na = Cell(None, not_calculable=dc.NOT_APPLICABLE)
        cells.update(pct_stated=na, pct_stated_previous=na, change_points=na)
        return cells
    now, now_cell = _stated_share(d, p, [k])
    before, before_cell = _stated_share(prev, pp, [k])
    cells.update(pct_stated=now_cell, pct_stated_previous=before_cell)
    if now_cell.suppressed or before_cell.suppressed:
        cells["change_points"] = Cell(None, suppressed=dc.RESTS_ON_SUPPRESSED)
    elif now is None or before is None:
        cells["change_points"] = Cell(None, not_calculable=dc.ZERO_DENOMINATOR)
    else:
        cells["change_points"] = Cell(now - before)
    return cells
