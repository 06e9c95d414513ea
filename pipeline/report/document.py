"""From ``Figures`` to a document in one language: titles, formatted cells, charts and notes.

This module only looks things up and formats them: every number comes from ``Figures`` (the report
layer never computes a statistic), every word from the label catalogue (``labels``), every number's
appearance from ``Formatter``. Tables are rendered generically from ``Table`` objects by the rules
in ``templates/shared/layout.toml``.

The same builder runs for every language over the same Figures, so the Welsh and English documents
have the same sections, tables, charts, numbers and order (Welsh Language Standards: no less
favourable treatment).
"""

from __future__ import annotations

import fnmatch
import itertools
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from pipeline.config import Contact, Organisation
from pipeline.errors import MissingTranslation, RenderFailed
from pipeline.figures import PAY_GAP_COUNTS, Cell, Figures, Likelihood, PayGap, Row, Table
from pipeline.report import chartrows, columns
from pipeline.report import commentary as cm
from pipeline.report.formatting import Formatter
from pipeline.report.labels import TEMPLATES, Labels

TOTAL = "total"
ORG_DIMS = ("workforce_group", "grade")
QUARTILES = ("lower", "lower_middle", "upper_middle", "upper")
# A table the measures left out (``quality["tables_not_published"]``: the detailed ethnic groups of
# a small body) is explained where it would have stood, before the table that counts the same people
# more broadly; one with no such table, at the end of its section.
NOTE_BEFORE = {"profile.ethnicity": "profile.ethnic_group"}
PAYGAP_MEASURES = ("mean_hourly_gap", "median_hourly_gap", "mean_bonus_gap", "median_bonus_gap")


ChartRecipe = tuple[str, Sequence[Any], dict[str, Any]]  # (name of the drawing function in charts, rows, keyword arguments)


def load_layout(templates: Path = TEMPLATES) -> dict[str, Any]:
    return tomllib.loads((templates / "shared" / "layout.toml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- view model
@dataclass
class CellView:
    text: str
    kind: str = "value"  # value | suppressed | na | nc
    explain: str = ""  # accessible explanation of a symbol
    numeric: bool = True
    value: float | int | None = None  # the published number behind ``text`` (the tables file gives both)


@dataclass
class RowView:
    header: str
    cells: list[CellView]
    total: bool = False
    lang: str | None = None


@dataclass
class TableView:
    html_id: str
    number: int
    caption: str
    corner: str
    columns: list[str]
    rows: list[RowView]
    keys: list[tuple[str, str]] = field(default_factory=list)  # (symbol, explanation)
    in_pdf: bool = True
    figure_id: str = ""
    pivot: bool = False
    pdf_detail: bool = False  # left out of the PDF as a detail table (the section says so once)
    header_lines: list[tuple[str, str]] = field(default_factory=list)  # (group, measure) per column
    # (group, span) runs of a pivot whose groups have more than one column: printed as a header row
    # above the measures, so a long group name has the width of all its columns, not of one
    header_groups: list[tuple[str, int]] = field(default_factory=list)

    @property
    def body_rows(self) -> int:
        return len(self.rows)

    @property
    def wide(self) -> bool:
        return len(self.columns) > columns.WIDE_COLUMNS

    @property
    def col_spans(self) -> list[int]:
        """Column groups: the row headers, then each group of ``header_groups`` (or all columns)."""
        return [1, *(n for _, n in self.header_groups)] if self.header_groups else [1, len(self.columns)]


@dataclass
class ChartView:
    html_id: str
    number: int
    src: str
    svg: str
    alt: str
    caption: str
    width: int = 0
    height: int = 0


@dataclass
class Block:
    kind: str  # table | chart | paragraphs | commentary | heading | paygap | symbols | contact
    table: TableView | None = None
    chart: ChartView | None = None
    paragraphs: list[str] = field(default_factory=list)
    html: Markup | None = None
    print_html: Markup | None = None
    heading: str = ""
    html_id: str = ""
    paygap: PayGapView | None = None


@dataclass
class PayGapView:
    html_id: str
    title: str
    published: bool
    reason: str
    headline: TableView | None
    sign: str
    chart: ChartView | None
    quartiles: TableView | None
    sizes: TableView | None
    pdf_detail: bool = False  # the quartile chart and table stay in the HTML, not the PDF
    lead: str = ""  # said first: why a body's own gender pay gap is voluntary (below 250 employees)


@dataclass
class SectionView:
    id: str
    title: str
    intro: list[str]
    blocks: list[Block]
    empty: str = ""
    text_only: bool = False

    @property
    def tables(self) -> list[TableView]:
        out = []
        for b in self.blocks:
            if b.table is not None:
                out.append(b.table)
            if b.paygap is not None:
                out += [t for t in (b.paygap.headline, b.paygap.quartiles, b.paygap.sizes) if t is not None]
        return out

    @property
    def pdf_details_left_out(self) -> bool:
        """Tables by the characteristics the PDF does not print (the section says so once)."""
        return any(b.table.pdf_detail for b in self.blocks if b.table is not None)

    @property
    def pdf_quartiles_left_out(self) -> bool:
        """Pay gaps whose quartiles the PDF does not print (the section says so once)."""
        return any(b.paygap.pdf_detail for b in self.blocks if b.paygap is not None and b.paygap.published)


@dataclass
class Document:
    lang: str
    other: str
    title: str
    doc_title: str
    organisation: str
    sections: list[SectionView]
    charts: list[ChartView]
    draft: bool
    pdf_name: str
    other_pdf_name: str
    tables_name: str = ""  # every table of the document as a spreadsheet, in its language
    period: str = ""
    snapshot: str = ""
    contact: Contact | None = None  # None: organisation.toml gives no way to reach it (no contact section)
    web_address: str = ""  # where this language's web page of the report is published ("": not given)


# --------------------------------------------------------------------------- builder
class Builder:
    """Builds the ``Document`` for one language."""

    def __init__(self, figures: Figures, org: Organisation, labels: Labels, other: Labels, *,
                 commentary: Mapping[str, str], draft: bool, layout: Mapping[str, Any], draw_charts: bool = True):
        self.f = figures
        self.org = org
        self.L = labels
        self.O = other
        self.lang = labels.lang
        self.commentary = commentary
        self.draft = draft
        self.layout = layout
        settings = {**org.settings.as_dict(), **figures.settings}
        self.settings = settings
        self.fmt = Formatter(self.lang, str(settings.get("rounding", "half_up")))
        self.table_no = 0
        self.chart_no = 0
        self.charts: list[ChartView] = []
        self.used_ids: set[str] = set()
        self.pdf_max_rows = int(layout.get("pdf_max_rows", 24))
        self.draw_charts = draw_charts

    # -------------------------------------------------------------- names
    def org_name(self) -> str:
        return self.org.name_cy if self.lang == "cy" else self.org.name_en

    def cat(self, dim: str, code: str) -> str:
        if code == TOTAL:
            return self.L("cat.total")
        # workforce groups and grades are named in organisation.toml, not in the catalogues
        named = {"workforce_group": ("workforce group", self.org.groups), "grade": ("grade", self.org.grades)}
        if dim in named:
            what, entries = named[dim]
            entry = entries.get(code)
            if entry is None:
                self.L.missing.append(f"organisation.toml {what} {code} (name_{self.lang})")
                return code
            return entry.name_cy if self.lang == "cy" else entry.name_en
        return self.L(f"cat.{dim}.{code}")

    def measure_label(self, table: Table, measure: str) -> str:
        return self.L.first(f"table.{table.id}.measure.{measure}", f"section.{table.section}.measure.{measure}",
                            f"measure.{measure}")

    def unique_id(self, base: str) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-") or "x"
        out, n = slug, 2
        while out in self.used_ids:
            out, n = f"{slug}-{n}", n + 1
        self.used_ids.add(out)
        return out

    # -------------------------------------------------------------- cells
    def fmt_value(self, measure: str, value: float | int) -> str:
        kind = self.layout.get("formats", {}).get(measure)
        if kind is None:
            kind = "percent" if ("pct" in measure) else "count" if measure.startswith("count") else "number"
        if kind == "count":
            return self.fmt.count(value)
        if kind == "percent":
            return self.fmt.percent(value)
        if kind == "points":
            return self.fmt.points(value)
        if kind == "ratio":
            return self.fmt.ratio(value)
        return self.fmt.number(value, 1)

    def cell(self, measure: str, c: Cell | None, keys: dict[str, str]) -> CellView:
        if c is None:
            keys[self.L("symbol.not_applicable")] = self.L("key.not_applicable")
            return CellView(self.L("symbol.not_applicable"), "na", self.L("not_calculable.not_applicable"))
        if c.suppressed:
            sym = self.L("symbol.suppressed")
            keys[sym] = self.L("key.suppressed")
            return CellView(sym, "suppressed", self.L(f"suppressed.{c.suppressed}"))
        if c.not_calculable == "not_applicable":
            sym = self.L("symbol.not_applicable")
            keys[sym] = self.L("key.not_applicable")
            return CellView(sym, "na", self.L("not_calculable.not_applicable"))
        if c.not_calculable or c.value is None:
            sym = self.L("symbol.not_calculable")
            keys[sym] = self.L("key.not_calculable")
            reason = c.not_calculable or "not_available"
            return CellView(sym, "nc", self.L(f"not_calculable.{reason}"))
        return CellView(self.fmt_value(measure, c.value), value=c.value)

    # -------------------------------------------------------------- tables
    def caption(self, title: str) -> tuple[int, str]:
        self.table_no += 1
        return self.table_no, self.L("caption.table", n=self.table_no, title=title)

    def table_view(self, t: Table) -> TableView:
        keys: dict[str, str] = {}
        title = self.L(f"table.{t.id}.title")
        number, caption = self.caption(title)
        html_id = self.unique_id(f"table-{t.id}")
        if len(t.dims) == 1:
            dim = t.dims[0]
            columns = [self.measure_label(t, m) for m in t.measures]
            rows = []
            for r in t.rows:
                code = r.keys[0]
                rows.append(RowView(self.cat(dim, code), [self.cell(m, r.cells.get(m), keys) for m in t.measures],
                                    total=code == TOTAL))
            view = TableView(html_id, number, caption, self.L(f"dim.{dim}"), columns, rows)
            view.header_lines = [("", c) for c in columns]
        elif len(t.dims) == 2:
            view = self._pivot(t, html_id, number, caption, keys)
        else:
            raise RenderFailed(f"table {t.id}: only one- and two-dimension tables can be laid out")
        view.keys = sorted(keys.items())
        view.in_pdf = view.body_rows <= self.pdf_max_rows
        if t.section in self.layout.get("pdf_detail_sections", []):
            view.pdf_detail = t.dims[-1] not in self.layout.get("pdf_characteristics", [])
        return view

    def _pivot(self, t: Table, html_id: str, number: int, caption: str, keys: dict[str, str]) -> TableView:
        rules = {**self.layout.get("pivot", {}).get("default", {}), **self.layout.get("pivot", {}).get(t.section, {})}
        across = 0 if rules.get("across", "first") == "first" else 1
        down = 1 - across
        col_cats = list(dict.fromkeys(r.keys[across] for r in t.rows))
        row_cats = list(dict.fromkeys(r.keys[down] for r in t.rows))
        by_keys = {r.keys: r for r in t.rows}
        cols: list[tuple[str, str]] = []
        for c in col_cats:
            wanted = rules.get("total_measures" if c == TOTAL else "measures", ["count"])
            cols += [(c, m) for m in wanted if m in t.measures]
        if not cols:
            cols = [(c, m) for c in col_cats for m in t.measures]

        def lookup(rc: str, cc: str, m: str) -> Cell | None:
            k = (cc, rc) if across == 0 else (rc, cc)
            row = by_keys.get(k)
            return row.cells.get(m) if row is not None else None

        def all_na(cc: str, m: str) -> bool:
            cells = [lookup(rc, cc, m) for rc in row_cats]
            return all(c is None or c.not_calculable == "not_applicable" for c in cells)

        cols = [(c, m) for c, m in cols if m == "count" or not all_na(c, m)]
        dim_across, dim_down = t.dims[across], t.dims[down]
        header_lines = [(self.cat(dim_across, c), self.measure_label(t, m)) for c, m in cols]
        rows = []
        for rc in row_cats:
            rows.append(RowView(self.cat(dim_down, rc), [self.cell(m, lookup(rc, c, m), keys) for c, m in cols],
                                total=rc == TOTAL))
        view = TableView(html_id, number, caption, self.L(f"dim.{dim_down}"),
                         [f"{g} {m}" for g, m in header_lines], rows)
        view.header_lines = header_lines
        view.pivot = True
        spans = [(c, len(list(run))) for c, run in itertools.groupby(c for c, _ in cols)]
        if any(n > 1 for _, n in spans):
            view.header_groups = [(self.cat(dim_across, c), n) for c, n in spans]
        return view

    # -------------------------------------------------------------- charts
    def chart(self, name: str, recipe: ChartRecipe, title: str) -> ChartView:
        """Number the chart and (unless this is the quick label-checking pass) draw it."""
        self.chart_no += 1
        if self.draw_charts:
            from pipeline.report import charts  # the chart grammar and renderer: only where charts are drawn

            kind, items, kwargs = recipe
            svg = charts.to_svg(getattr(charts, kind)(items, **kwargs), self.lang)
        else:
            svg = '<svg width="1" height="1"/>'
        html_id = self.unique_id(f"chart-{name}")
        size = re.search(r'<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"', svg)
        # shown on screen at 1.35 times the drawing's size, so chart text matches the page's text
        width, height = (round(1.35 * float(size.group(1))), round(1.35 * float(size.group(2)))) if size else (0, 0)
        message = self._key_message(recipe)
        alt = (self.L("chart.alt_message", title=title, message=message) if message
               else self.L("chart.alt", title=title))
        view = ChartView(html_id, self.chart_no, f"charts/{html_id}.svg", svg, alt=alt,
                         caption=self.L("caption.chart", n=self.chart_no, title=title), width=width, height=height)
        self.charts.append(view)
        return view

    def _key_message(self, recipe: ChartRecipe) -> str:
        """What a glance at the chart shows, for its alt text: the longest and shortest bar of each
        series (ONS: a text alternative says what the chart shows, then the table gives every figure).
        Only bars that are shown count (a withheld figure is no bar), and "prefer not to say" or "not
        stated" is no one's highest or lowest (the age bands' lowest was "Prefer not to say, 0.0%"); a
        series whose longest or shortest is printed the same as another is left out rather than name
        one of several. A series of two bars, both shown (women and men; White and ethnic minorities,
        the workforce against the community), is said in full, as a glance at it reads it. Picking a bar is not working out a
        figure: the words carry the printed values."""
        kind, items, kwargs = recipe
        Series = list[tuple[str, float | None, str, bool]]  # label, value, printed text, unstated

        def most_least(series: Series) -> dict[str, str] | None:
            shown = [(label, value, text) for label, value, text, unstated in series
                     if value is not None and not unstated]
            if len(shown) < 3:
                return None
            most, least = max(shown, key=lambda s: s[1]), min(shown, key=lambda s: s[1])
            if sum(t == most[2] for _, _, t in shown) > 1 or sum(t == least[2] for _, _, t in shown) > 1:
                return None
            return {"most": most[0], "most_value": most[2], "least": least[0], "least_value": least[2]}

        def said(series: Series, name: str | None = None) -> str:
            found = most_least(series)
            if found:
                return (self.L("chart.series_most_least", name=name, **found) if name
                        else self.L("chart.most_least", **found))
            shown = [f"{label} {text}" for label, value, text, _ in series if value is not None]
            if not shown or len(shown) != len(series) or len(series) > 2:
                return ""
            values = "; ".join(shown)
            return self.L("chart.series_values", name=name, values=values) if name else self.L("chart.values",
                                                                                                values=values)

        if kind == "bars":
            return said([(b.label, b.value, b.text, b.unstated) for b in items])
        if kind == "stacked_shares":
            return said([(s.label, s.left, s.left_text, False) for s in items], kwargs["left_name"])
        if kind == "paired_bars":
            parts = [said([(p.label, p.a, p.a_text, p.unstated) for p in items], kwargs["a_name"]),
                     said([(p.label, p.b, p.b_text, p.unstated) for p in items], kwargs["b_name"])]
            return " ".join(p for p in parts if p)
        return ""

    def charts_for(self, t: Table) -> list[ChartView]:
        out = []
        for rule in self.layout.get("chart", []):
            if not fnmatch.fnmatchcase(t.id, rule["table"]):
                continue
            label = rule["label"]
            dim_label = self.L(f"dim.{t.dims[-1]}")
            title = self.L(f"{label}.title", dim=dim_label)
            axis = self.L(f"{label}.axis", dim=dim_label)
            spec = self._chart_spec(t, rule, axis)
            if spec is not None:
                out.append(self.chart(t.id, spec, title))
        return out

    def _chart_spec(self, t: Table, rule: Mapping[str, Any], axis: str) -> ChartRecipe | None:
        kind = rule["kind"]
        if kind == "bars":
            m = rule["measure"]
            items = []
            for r in t.rows:
                if r.keys[0] == TOTAL and len(t.dims) == 1:
                    continue
                if len(t.dims) == 2:
                    sel = rule.get("select")
                    if r.keys[1] != sel or r.keys[0] == TOTAL:
                        continue
                c = r.cells.get(m)
                cv = self.cell(m, c, {})
                items.append(chartrows.Bar(self.cat(t.dims[0], r.keys[0]), c.value if c is not None and c.shown else None,
                                    cv.text, _unstated(r)))
            return ("bars", items, {"axis_title": axis}) if items else None
        if kind == "shares":
            m, left, right = rule["measure"], rule["left"], rule["right"]
            by = {r.keys: r for r in t.rows}
            items = []
            for code in dict.fromkeys(r.keys[0] for r in t.rows):
                lc, rc = (by.get((code, left)), by.get((code, right)))
                lcell = lc.cells.get(m) if lc else None
                rcell = rc.cells.get(m) if rc else None
                ok = lcell is not None and rcell is not None and lcell.shown and rcell.shown
                items.append(chartrows.Share(self.cat(t.dims[0], code),
                                      lcell.value if ok else None, rcell.value if ok else None,  # type: ignore[union-attr]
                                      self.cell(m, lcell, {}).text, self.cell(m, rcell, {}).text))
            dim = t.dims[1]
            return ("stacked_shares", items, {"left_name": self.cat(dim, left), "right_name": self.cat(dim, right),
                                               "axis_title": axis}) if items else None
        if kind == "pairs":
            a, b = rule["a"], rule["b"]
            items = []
            for r in t.rows:
                if r.keys[0] == TOTAL:
                    continue
                ca, cb = r.cells.get(a), r.cells.get(b)
                items.append(chartrows.Pair(self.cat(t.dims[0], r.keys[0]),
                                     ca.value if ca is not None and ca.shown else None, self.cell(a, ca, {}).text,
                                     cb.value if cb is not None and cb.shown else None, self.cell(b, cb, {}).text,
                                     _unstated(r)))
            return ("paired_bars", items, {"a_name": self.L("chart.series.workforce"),
                                            "b_name": self.L("chart.series.community"), "axis_title": axis}) if items else None
        raise RenderFailed(f"unknown chart kind {kind!r} in layout.toml")

    # -------------------------------------------------------------- pay gaps
    def group(self, code: str) -> str:
        return self.L(f"group.{code}")

    def paygap_title(self, g: PayGap) -> str:
        key = f"paygap.{g.id}.title"
        if g.id == "gender" and not g.statutory:  # a body below the 250 employees of the legal duty
            return self.L("paygap.gender.voluntary_title")
        if self.L.has(key):
            return self.L(key)
        if g.id.startswith("gender.") and g.id.split(".", 1)[1] in self.org.groups:
            return self.L("paygap.gender_group.title", group=self.cat("workforce_group", g.id.split(".", 1)[1]))
        return self.L(key)

    def duty_note(self, g: PayGap) -> str:
        """Why the organisation's gender pay gap is voluntary (empty for any other gap)."""
        return self.L("paygap.gender.below_duty") if g.id == "gender" and not g.statutory else ""

    def paygap(self, g: PayGap) -> PayGapView:
        title = self.paygap_title(g)
        html_id = self.unique_id(f"paygap-{g.id}")
        if not g.published:
            reason = self.L(f"suppressed.{g.gate_reason}") if g.gate_reason else self.L("suppressed.unpublished")
            return PayGapView(html_id, title, False, reason, None, "", None, None, None, lead=self.duty_note(g))
        cmp_name, ref_name = self.group(g.comparison), self.group(g.reference)
        keys: dict[str, str] = {}
        rows = [RowView(self.L(f"paygap.{m}"), [self.cell("pct", getattr(g, m), keys)]) for m in PAYGAP_MEASURES]
        rows += [
            RowView(self.L("paygap.bonus_pct", group=cmp_name), [self.cell("pct", g.bonus_pct_comparison, keys)]),
            RowView(self.L("paygap.bonus_pct", group=ref_name), [self.cell("pct", g.bonus_pct_reference, keys)]),
        ]
        if g.disclosure_rate.not_calculable != "not_applicable":  # shown, or withheld and keyed as such
            rows.append(RowView(self.L("paygap.disclosure_rate"), [self.cell("pct", g.disclosure_rate, keys)]))
        n, cap = self.caption(self.L("paygap.headline_caption", title=title))
        headline = TableView(self.unique_id(f"table-{g.id}-headline"), n, cap, self.L("paygap.col.measure"),
                             [self.L("paygap.col.value")], rows, sorted(keys.items()))
        headline.header_lines = [("", self.L("paygap.col.value"))]

        chart = quart = None
        cols = [self.L("paygap.col.share", group=cmp_name), self.L("paygap.col.share", group=ref_name)]
        if g.statutory:  # a voluntary comparison gives no sizes (see disclosure.protect_pay_gap)
            cols.append(self.L("paygap.col.quartile_size"))
        if g.quartiles:
            # quarter sizes are left out beside a withheld group size (they add up to both groups)
            sizes_withheld = any(getattr(g, n).suppressed for n in PAY_GAP_COUNTS)
            qkeys: dict[str, str] = {}
            shares, qrows = [], []
            for q in QUARTILES:
                if q not in g.quartiles:
                    continue
                ref_cell, cmp_cell = g.quartiles[q]
                ok = ref_cell.shown and cmp_cell.shown
                cmp_view, ref_view = self.cell("pct", cmp_cell, qkeys), self.cell("pct", ref_cell, qkeys)
                shares.append(chartrows.Share(self.L(f"quartile.{q}"), cmp_cell.value if ok else None,
                                       ref_cell.value if ok else None, cmp_view.text, ref_view.text))
                row = [cmp_view, ref_view]
                if g.statutory:
                    size = g.quartile_sizes.get(q)
                    row.append(CellView(self.fmt.count(size), value=size) if size is not None else self.cell(
                        "count", Cell(None, suppressed="withheld") if sizes_withheld else None, qkeys))
                qrows.append(RowView(self.L(f"quartile.{q}"), row))
            qtitle = self.L("paygap.quartiles_title", title=title)
            spec = ("stacked_shares", shares, {"left_name": cmp_name, "right_name": ref_name,
                                                "axis_title": self.L("paygap.quartiles_axis")})
            chart = self.chart(f"{g.id}-quartiles", spec, qtitle)
            n, cap = self.caption(qtitle)
            quart = TableView(self.unique_id(f"table-{g.id}-quartiles"), n, cap, self.L("paygap.col.quartile"), cols,
                              qrows, sorted(qkeys.items()))
            quart.header_lines = [("", c) for c in cols]
        sign = self.L(f"paygap.sign.{g.reference}.{g.comparison}")
        # The PDF prints the quartiles of the comparisons the layout names (the statutory gender pay
        # gap); for the others it keeps the headline (and the note on sizes), and the section says where the
        # quartiles are. Each quartile chart and table cost the PDF most of a page.
        detail = quart is not None and not any(fnmatch.fnmatchcase(g.id, p)
                                               for p in self.layout.get("pdf_paygap_quartiles", ["*"]))
        if quart is not None:
            quart.pdf_detail = detail
        if not g.statutory:
            return PayGapView(html_id, title, True, "", headline, sign, chart, quart, None, pdf_detail=detail,
                              lead=self.duty_note(g))
        skeys: dict[str, str] = {}
        srows = [
            RowView(cmp_name, [self.cell("count", g.n_comparison, skeys), self.cell("count", g.n_relevant_comparison, skeys)]),
            RowView(ref_name, [self.cell("count", g.n_reference, skeys), self.cell("count", g.n_relevant_reference, skeys)]),
        ]
        n, cap = self.caption(self.L("paygap.sizes_caption", title=title))
        cols = [self.L("paygap.col.full_pay"), self.L("paygap.col.relevant")]
        sizes = TableView(self.unique_id(f"table-{g.id}-sizes"), n, cap, self.L("paygap.col.group"), cols, srows,
                          sorted(skeys.items()))
        sizes.header_lines = [("", c) for c in cols]
        return PayGapView(html_id, title, True, "", headline, sign, chart, quart, sizes, pdf_detail=detail)

    # -------------------------------------------------------------- likelihoods
    def likelihood_table(self, items: Sequence[Likelihood]) -> TableView:
        keys: dict[str, str] = {}
        rows = []
        for lk in items:
            rows.append(RowView(self.L(f"likelihood.{lk.id}.title"), [
                CellView(self.group(lk.numerator_group), numeric=False),
                self.cell("count", lk.outcome_x, keys), self.cell("count", lk.base_x, keys),
                CellView(self.group(lk.denominator_group), numeric=False),
                self.cell("count", lk.outcome_y, keys), self.cell("count", lk.base_y, keys),
                self.cell("ratio", lk.ratio, keys),
            ]))
        n, cap = self.caption(self.L("likelihood.caption"))
        cols = [self.L(f"likelihood.col.{c}") for c in
                ("group_x", "outcome_x", "base_x", "group_y", "outcome_y", "base_y", "ratio")]
        view = TableView(self.unique_id("table-likelihood"), n, cap, self.L("likelihood.col.measure"), cols, rows,
                         sorted(keys.items()))
        view.header_lines = [("", c) for c in cols]
        view.in_pdf = view.body_rows <= self.pdf_max_rows
        return view

    # -------------------------------------------------------------- commentary
    def commentary_blocks(self, section: str) -> list[Block]:
        out = []
        for name in sorted(self.commentary):
            if commentary_section(name) == section:
                html = cm.to_html(self.commentary[name], heading_level=3, source=f"commentary/{self.lang}/{name}")
                out.append(Block("commentary", html=html, print_html=cm.for_print(html)))
        return out

    # -------------------------------------------------------------- whole document
    def build(self) -> Document:
        order = list(self.layout.get("sections", []))
        text_only = set(self.layout.get("text_sections", []))
        by_section: dict[str, list[Table]] = {}
        for t in self.f.tables:
            by_section.setdefault(t.section, []).append(t)
        lk_sections = self.layout.get("likelihood_sections", {})
        likelihoods: dict[str, list[Likelihood]] = {}
        for lk in self.f.likelihoods:
            likelihoods.setdefault(lk_sections.get(lk.id.split(".", 1)[0], "likelihood"), []).append(lk)
        extra = [s for s in list(by_section) + list(likelihoods) if s not in order]
        if self.f.pay_gaps and "pay_gaps" not in order:
            extra.append("pay_gaps")
        extra += [s for s in extra_commentary_sections(self.commentary, order) if s not in extra]
        if "methodology" in order:
            i = order.index("methodology")
            order = order[:i] + list(dict.fromkeys(extra)) + order[i:]
        else:
            order += list(dict.fromkeys(extra))

        contact = self.org.contact
        sections = []
        for sid in order:
            blocks: list[Block] = []
            if sid == "contact" and not contact.reachable:
                continue
            if sid in extra_commentary_sections(self.commentary, self.layout.get("sections", [])):
                sections.append(self.standalone_commentary(sid))
                continue
            intro = self.L.paragraphs(f"section.{sid}.intro") if self.L.has(f"section.{sid}.intro") else []
            blocks += self.commentary_blocks(sid)
            if sid == "information":
                blocks += self.information_blocks()
            if sid == "methodology":
                blocks += self.methodology_blocks()
            if sid == "contact":
                blocks.append(Block("contact"))
            tables = by_section.get(sid, [])
            none_took_place = bool(tables) and all(_counts_nobody(t) for t in tables)
            if sid in likelihoods and not none_took_place:
                blocks.append(Block("heading", heading=self.L("likelihood.heading"),
                                    html_id=self.unique_id(f"{sid}-likelihood")))
                blocks.append(Block("paragraphs", paragraphs=self.L.paragraphs("likelihood.explanation")))
                blocks.append(Block("table", table=self.likelihood_table(likelihoods[sid])))
            if sid == "pay_gaps":
                gaps = sorted(self.f.pay_gaps, key=lambda g: (g.id != "gender", 0))
                # what every voluntary comparison leaves out is said once, before the first of them:
                # said in each, it made each block too tall for two to share a printed page
                voluntary = next((g.id for g in gaps if not g.statutory and g.published), None)
                for g in gaps:
                    if g.id == voluntary:
                        blocks.append(Block("paragraphs", paragraphs=[self.L("paygap.voluntary_note")]))
                    blocks.append(Block("paygap", paygap=self.paygap(g)))
            omitted = [o for o in self.f.quality.get("tables_not_published", ()) if o.split(".")[0] == sid]
            for t in [] if none_took_place else tables:
                for o in [o for o in omitted if NOTE_BEFORE.get(o) == t.id]:
                    blocks.append(Block("paragraphs", paragraphs=[self.L(f"table.{o}.not_published")]))
                    omitted.remove(o)
                for c in self.charts_for(t):
                    blocks.append(Block("chart", chart=c))
                blocks.append(Block("table", table=self.table_view(t)))
            blocks += [Block("paragraphs", paragraphs=[self.L(f"table.{o}.not_published")]) for o in omitted]
            has_figures = any(b.kind in ("table", "paygap", "chart") for b in blocks)
            empty = ""
            if none_took_place:  # a year with no grievance: one sentence, not a dozen tables of zeros
                empty = self.L.first(f"section.{sid}.none", "section.none")
            elif sid not in text_only and not has_figures:
                empty = self.L.first(f"section.{sid}.empty", "section.empty")
            sections.append(SectionView(sid, self.L(f"section.{sid}.title"), intro, blocks, empty,
                                        text_only=sid in text_only and sid != "methodology"))

        return Document(
            lang=self.lang,
            other=self.O.lang,
            title=self.L("report.title"),
            doc_title=self.L("report.doc_title"),
            organisation=self.org_name(),
            sections=sections,
            charts=self.charts,
            draft=self.draft,
            pdf_name=self.L("file.pdf"),
            tables_name=self.L("file.tables"),
            other_pdf_name=self.O("file.pdf"),
            period=self.L("period"),
            snapshot=self.fmt.date(self.f.snapshot_date),
            contact=contact if contact.reachable else None,
            web_address=contact.web_address(self.lang, self.f.year) or "",
        )

    def standalone_commentary(self, sid: str) -> SectionView:
        name = next(n for n in sorted(self.commentary) if commentary_section(n) == sid)
        text = self.commentary[name]
        title = cm.first_heading(text)
        if not title:
            raise RenderFailed(f"commentary/{self.lang}/{name}: a file that is not named after a section must "
                               "start with a '# ' heading (its section title)")
        body = cm.to_html(cm.without_first_heading(text), heading_level=3, source=f"commentary/{self.lang}/{name}")
        plain = re.sub(r"[*_`]+", "", title)
        return SectionView(sid, plain, [], [Block("commentary", html=body, print_html=cm.for_print(body))])

    def information_blocks(self) -> list[Block]:
        rates = self.f.quality.get("disclosure_rate") if isinstance(self.f.quality, Mapping) else None
        if not isinstance(rates, Mapping) or not rates:
            return []
        keys: dict[str, str] = {}
        rows = []
        for dim, cell in rates.items():
            c = cell if isinstance(cell, Cell) else Cell(**cell) if isinstance(cell, Mapping) else Cell(cell)
            rows.append(RowView(self.L(f"dim.{dim}"), [self.cell("pct", c, keys)]))
        n, cap = self.caption(self.L("information.disclosure_caption"))
        col = self.L("information.disclosure_rate")
        view = TableView(self.unique_id("table-disclosure-rates"), n, cap, self.L("information.characteristic"),
                         [col], rows, sorted(keys.items()))
        view.header_lines = [("", col)]
        return [Block("table", table=view)]

    def methodology_blocks(self) -> list[Block]:
        s = self.settings
        days = str(s.get("pay_period_days", "actual")).replace(".", "_")
        rounding = str(s.get("rounding", "half_up"))
        paras = self.L.paragraphs("methodology.body")
        paras += self.L.paragraphs(f"methodology.days.{days}")
        paras += self.L.paragraphs(f"methodology.rounding.{rounding}")
        blocks = [Block("paragraphs", paragraphs=paras),
                  Block("heading", heading=self.L("methodology.symbols_heading"),
                        html_id=self.unique_id("methodology-symbols")),
                  Block("symbols", paragraphs=[]),
                  Block("paragraphs", paragraphs=self.L.paragraphs("methodology.suppression"))]
        return blocks


def _unstated(row: Row) -> bool:
    """A row of people who did not state the characteristic (or preferred not to): its share of
    those who stated is "not applicable" (``measures.crosstab.publish``)."""
    stated = row.cells.get("pct_stated")
    return stated is not None and stated.not_calculable == "not_applicable"


def _counts_nobody(t: Table) -> bool:
    """Every count of the table is shown and is 0 (an event that did not happen this year)."""
    counts = [c for row in t.rows for m, c in row.cells.items() if m == "count"]
    return bool(counts) and all(c.value == 0 and not c.suppressed for c in counts)


def commentary_section(filename: str) -> str:
    """``03-pay-gaps.md`` -> ``pay_gaps``: the section a commentary file belongs to."""
    stem = Path(filename).stem
    stem = re.sub(r"^\d+[-_ .]*", "", stem)
    return stem.replace("-", "_").lower()


def extra_commentary_sections(commentary: Mapping[str, str], known: Iterable[str]) -> list[str]:
    known = set(known)
    return [s for s in dict.fromkeys(commentary_section(n) for n in sorted(commentary)) if s not in known]


def label_context(figures: Figures, org: Organisation, lang: str) -> dict[str, Any]:
    """Values every label may use as ``{placeholder}``: dates numerals-first, years unformatted."""
    fmt = Formatter(lang)
    settings = {**org.settings.as_dict(), **figures.settings}
    return {
        "year": fmt.year(figures.year),
        "previous_year": fmt.year(figures.year - 1),
        "snapshot": fmt.date(figures.snapshot_date),
        "start": fmt.date(figures.period_start),
        "end": fmt.date(figures.period_end),
        "threshold": fmt.count(int(settings.get("suppression_threshold", 5))),
        "min_group_size": fmt.count(int(settings.get("min_group_size", 10))),
        "welsh_level": fmt.count(int(settings.get("welsh_speaker_min_level", 3))),
        "org": org.name_cy if lang == "cy" else org.name_en,
    }


def labels_for(lang: str, catalogue: Mapping[str, str], figures: Figures, org: Organisation) -> Labels:
    """One language's labels for these Figures, with ``{period}`` spelt out once for every label."""
    lb = Labels(lang, catalogue, label_context(figures, org, lang))
    lb.context["period"] = lb.text("period")
    lb.context["tables_file"] = lb.text("file.tables")
    return lb


def ensure_commentary_pairs(commentary: Mapping[str, Mapping[str, str]], languages: Sequence[str]) -> None:
    """The same commentary files, none empty, in every language (a Welsh file missing beside an
    English one is a missing translation, and the other way round)."""
    names = set().union(*(set(commentary.get(lang, {})) for lang in languages)) if languages else set()
    missing = []
    for name in sorted(names):
        for lang in languages:
            text = commentary.get(lang, {}).get(name)
            if text is None:
                missing.append(f"{lang}: commentary/{lang}/{name} is missing")
            elif not text.strip():
                missing.append(f"{lang}: commentary/{lang}/{name} is empty")
    if missing:
        raise MissingTranslation(missing)
