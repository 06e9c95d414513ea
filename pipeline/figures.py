"""The language-neutral result of one reporting year: the seam between numbers and words.

Everything left of this module is arithmetic; everything right of it (``pipeline.report``) is words.
A ``Figures`` object holds numbers, counts, category *codes* and suppression flags only - never a
word of English or Welsh - so that both language versions are rendered from exactly the same figures
(Welsh Language Standards: the Welsh version may not be treated less favourably).

Shapes
------
- ``Table``: a cross-tabulation of one population (e.g. the workforce on 31 March) by one or more
  dimensions (``sex``, ``ethnicity`` ...). Each ``Row`` holds the category codes and named ``Cell``
  values (``count``, ``pct_all``, ``pct_stated`` ...). Disclosure control works on tables, so every
  published count lives in one.
- ``PayGap``: the six statutory gender pay gap measures (or the same engine applied to another
  comparison, e.g. White British vs ethnic minorities), with the group sizes behind them.
- ``Likelihood``: a WRES/WDES-style relative likelihood with the counts behind it.

A ``Cell`` whose ``suppressed`` is not ``None`` must never be printed: its ``value`` is ``None`` in
every export, and ``suppressed`` holds a reason code (see ``pipeline.measures.disclosure``).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

# 2: pay gaps say whether they are ``statutory``; data quality counts are Cells (withheld like the
# tables' counts); ``settings.grades_by_workforce_group``, ``settings.employee_groups``
FIGURES_SCHEMA_VERSION = "2"


@dataclass(frozen=True)
class Cell:
    """One published number. ``value`` is ``None`` when suppressed or not calculable."""

    value: float | int | None
    suppressed: str | None = None  # reason code: "withheld" (published), "rests_on_suppressed"; inside disclosure control "small_count", "secondary"
    not_calculable: str | None = None  # reason code, e.g. "no_men", "zero_denominator"

    @property
    def shown(self) -> bool:
        return self.suppressed is None and self.not_calculable is None and self.value is not None


@dataclass(frozen=True)
class Row:
    keys: tuple[str, ...]  # one category code per dimension of the table; "total" for margins
    cells: dict[str, Cell]


@dataclass(frozen=True)
class Table:
    """A published cross-tabulation of one population.

    ``population`` names the set of people counted (``workforce``, ``applications``, ``leavers``...):
    tables that share a population are audited together for secondary suppression, because a reader
    can difference one against another.
    """

    id: str
    section: str
    population: str
    dims: tuple[str, ...]
    measures: tuple[str, ...]
    rows: tuple[Row, ...]
    note_codes: tuple[str, ...] = ()

    def row(self, *keys: str) -> Row:
        for r in self.rows:
            if r.keys == tuple(keys):
                return r
        raise KeyError(f"{self.id}: no row {keys!r}")

    def cell(self, measure: str, *keys: str) -> Cell:
        return self.row(*keys).cells[measure]


# a pay gap's group sizes: full-pay relevant employees (A, B), then relevant employees (A, B)
PAY_GAP_COUNTS = ("n_reference", "n_comparison", "n_relevant_reference", "n_relevant_comparison")


@dataclass(frozen=True)
class PayGap:
    """The six statutory measures for one comparison (reference group A vs comparison group B).

    The engine's percentages are unrounded; once disclosure control has worked on them they are
    rounded once to 1 d.p. by the organisation's rule (``disclosure.at_published_precision``), the
    GOV.UK service's precision, so the figures file holds what is published.
    For the gender pay gap, A = men and B = women (SI 2017/353 Sch. 1): positive means B is paid less.
    """

    id: str  # "gender", "gender.officer", "ethnicity.minority", "disability" ...
    reference: str  # category code of group A ("male", "white_british", "not_disabled")
    comparison: str  # category code of group B
    population: str  # "all", "officer", "staff" ...
    n_reference: Cell  # full-pay relevant employees in A
    n_comparison: Cell
    n_relevant_reference: Cell  # relevant employees in A (bonus population)
    n_relevant_comparison: Cell
    disclosure_rate: Cell  # share of relevant employees whose category for this comparison is known, %
    mean_hourly_gap: Cell
    median_hourly_gap: Cell
    mean_bonus_gap: Cell
    median_bonus_gap: Cell
    bonus_pct_reference: Cell
    bonus_pct_comparison: Cell
    # quartile -> (pct reference, pct comparison); quartiles "lower", "lower_middle", "upper_middle", "upper"
    quartiles: dict[str, tuple[Cell, Cell]] = field(default_factory=dict)
    quartile_sizes: dict[str, int] = field(default_factory=dict)
    published: bool = True  # False when a group is below the minimum group size gate
    gate_reason: str | None = None
    # the organisation's own gender pay gap, a legal duty (reg 2); every other comparison is voluntary
    # and protected more strictly (``pipeline.measures.disclosure.protect_pay_gap``)
    statutory: bool = False


@dataclass(frozen=True)
class Likelihood:
    """Relative likelihood (WRES/WDES style) of an outcome for group X relative to group Y."""

    id: str  # "appointment_from_shortlisting.ethnicity"
    characteristic: str
    numerator_group: str
    denominator_group: str
    outcome_x: Cell
    base_x: Cell
    outcome_y: Cell
    base_y: Cell
    ratio: Cell  # 2 d.p. at output
    rate_x: Cell = Cell(None, not_calculable="not_applicable")  # outcome_x / base_x, as a percentage
    rate_y: Cell = Cell(None, not_calculable="not_applicable")


@dataclass(frozen=True)
class Figures:
    """Everything published for one organisation and one snapshot year."""

    year: int
    snapshot_date: str  # ISO date, 31 March YEAR
    period_start: str
    period_end: str
    organisation: str  # organisation code (slug), not a display name
    tables: tuple[Table, ...] = ()
    pay_gaps: tuple[PayGap, ...] = ()
    likelihoods: tuple[Likelihood, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)  # thresholds, days convention ...
    quality: dict[str, Any] = field(default_factory=dict)  # data-quality facts (codes and numbers only)

    def table(self, table_id: str) -> Table:
        for t in self.tables:
            if t.id == table_id:
                return t
        raise KeyError(table_id)

    def pay_gap(self, gap_id: str) -> PayGap:
        for g in self.pay_gaps:
            if g.id == gap_id:
                return g
        raise KeyError(gap_id)

    # ------------------------------------------------------------------ export
    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": FIGURES_SCHEMA_VERSION, **_exported(self)}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    def tidy_rows(self) -> list[dict[str, Any]]:
        """One row per published figure: the tidy CSV annex."""
        out: list[dict[str, Any]] = []

        def emit(kind: str, fid: str, dims: str, keys: str, measure: str, cell: Cell) -> None:
            out.append(
                {
                    "kind": kind,
                    "id": fid,
                    "dimensions": dims,
                    "categories": keys,
                    "measure": measure,
                    "value": "" if not cell.shown else _plain(cell.value),
                    "suppressed": cell.suppressed or "",
                    "not_calculable": cell.not_calculable or "",
                }
            )

        for t in self.tables:
            for r in t.rows:
                for m in t.measures:
                    if m in r.cells:
                        emit("table", t.id, "|".join(t.dims), "|".join(r.keys), m, r.cells[m])
        for g in self.pay_gaps:
            for name in (
                "n_reference",
                "n_comparison",
                "n_relevant_reference",
                "n_relevant_comparison",
                "disclosure_rate",
                "mean_hourly_gap",
                "median_hourly_gap",
                "mean_bonus_gap",
                "median_bonus_gap",
                "bonus_pct_reference",
                "bonus_pct_comparison",
            ):
                emit("pay_gap", g.id, "group", f"{g.reference}|{g.comparison}", name, getattr(g, name))
            for q, (a, b) in g.quartiles.items():
                emit("pay_gap", g.id, "quartile|group", f"{q}|{g.reference}", "pct", a)
                emit("pay_gap", g.id, "quartile|group", f"{q}|{g.comparison}", "pct", b)
        for lk in self.likelihoods:
            for name in ("outcome_x", "base_x", "outcome_y", "base_y", "rate_x", "rate_y", "ratio"):
                emit(
                    "likelihood",
                    lk.id,
                    "group",
                    f"{lk.numerator_group}|{lk.denominator_group}",
                    name,
                    getattr(lk, name),
                )
        return out

    def to_csv(self) -> str:
        rows = self.tidy_rows()
        buf = io.StringIO()
        fields = ["kind", "id", "dimensions", "categories", "measure", "value", "suppressed", "not_calculable"]
        w = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: neutralise_formula(str(v)) for k, v in r.items()})
        return buf.getvalue()


def neutralise_formula(text: str) -> str:
    """Stop a spreadsheet from executing a text cell as a formula (OWASP CSV injection).

    Numbers (including negative ones such as "-3.2") are left alone: only text beginning with
    = + - @ (or a tab/CR) that is not a plain number gets a leading apostrophe.
    """
    if text and text[0] in "=+-@\t\r":
        try:
            float(text)
            return text
        except ValueError:
            return "'" + text
    return text


def _plain(v: float | int | None) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(round(v, 10))
    return str(v)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _exported(obj: Any) -> Any:
    """Plain dicts and lists for JSON (what ``dataclasses.asdict`` gives, without its deep copies: a
    third of the time to write the figures), in which suppressed cells never carry their value."""
    cls = type(obj)
    names = _FIELDS.get(cls)
    if names is None and is_dataclass(obj) and not isinstance(obj, type):
        names = _FIELDS[cls] = tuple(f.name for f in fields(obj))
    if names is not None:
        obj = {n: getattr(obj, n) for n in names}
    if isinstance(obj, dict):
        out = {k: _exported(v) for k, v in obj.items()}
        if "suppressed" in out and "value" in out and out["suppressed"]:
            out["value"] = None
        return out
    if isinstance(obj, (list, tuple)):
        return [_exported(v) for v in obj]
    return obj
