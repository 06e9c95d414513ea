"""The one-page bilingual summary of the headline figures, Welsh first, as a tagged PDF and a PNG.

For social media and the intranet: the organisation, the year, the workforce on the snapshot date,
the statutory gender pay gap (mean, median, the sign convention, women's share of each pay quartile),
the ethnic-minority, disabled and Welsh-speaking shares, the ethnicity and disability pay gaps
(or the reason they are not published), and, when the profile gives them, the web address of each
language's full report. Welsh fills the top half of the page, English the bottom; each half carries
its own ``lang``, and the document language is ``cy``. When a long name, address or reason runs the
page onto a second, it is laid out again a little smaller and closer (``compact``); only when that
too runs over does the render fail.

Like the rest of the report room it computes nothing: each figure is a ``Cell`` of ``Figures``
formatted by the same ``Builder.cell`` the main report uses, so a suppressed or unpublished figure
shows the same symbol or words, and the summary's numbers are the report's numbers.

The page is 7.2 x 9 inches (4:5 portrait): at ``pdftoppm -r 150`` that is exactly 1080 x 1350
pixels, the portrait size social media feeds show uncropped (A4 is taller than 4:5 and gets cut),
and the PDF still prints whole on A4. Output::

    out_dir/summary/crynodeb-summary-YEAR.pdf   tagged PDF (PDF/UA-1), one page
    out_dir/summary/crynodeb-summary-YEAR.png   the same page, 1080 x 1350 pixels, with its text alternative
    out_dir/summary/crynodeb-summary-YEAR.alt.txt  that text, Welsh then English: give it to the image where it is posted

Same Figures, same bytes: no timestamps (the PDF's dates are the snapshot date).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from pipeline.config import Organisation
from pipeline.errors import MissingTranslation, RenderFailed, tool_failed
from pipeline.figures import Cell, Figures, PayGap
from pipeline.report.document import QUARTILES, Builder, CellView, labels_for, load_layout
from pipeline.report.labels import TEMPLATES, Labels, check_catalogues, load_catalogue, raise_if_missing
from pipeline.report.pdf import write_pdf

LANGS = ("cy", "en")  # Welsh first
FOLDER = "summary"
PNG_DPI = 150


@dataclass
class Item:
    label: str
    value: CellView


@dataclass
class Gap:
    heading: str
    published: bool
    reason: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Half:
    lang: str
    org: str
    title: str
    snapshot: str
    workforce: list[Item]
    gender: Gap
    quartiles: list[Item]
    sign: str
    others: list[Gap]
    keys: list[tuple[str, str]]
    web: str = ""  # this language's web page of the full report ("": the profile gives none)


def file_stem(year: int) -> str:
    return f"crynodeb-summary-{int(year)}"


def render_summary(figures: Figures, organisation: Organisation, out_dir: Path, *, draft: bool,
                   templates: Path | None = None) -> list[Path]:
    """Write ``out_dir/summary/crynodeb-summary-YEAR.pdf`` and ``.png``; return their paths."""
    templates = Path(templates) if templates is not None else TEMPLATES
    _poppler("pdftoppm")  # fail before the render, not after it
    folder = Path(out_dir) / FOLDER
    pdf = folder / f"{file_stem(figures.year)}.pdf"
    png = folder / f"{file_stem(figures.year)}.png"
    watermark = folder / "draft.svg"  # only while WeasyPrint reads it: the page background
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for compact in (False, True):  # the tighter layout only when the usual one runs onto a second page
            html, labels, halves = _page_and_labels(figures, organisation, draft=draft, templates=templates,
                                                    watermark=watermark.resolve().as_uri(), compact=compact)
            if draft and not watermark.exists():
                from pipeline.report import _watermark

                watermark.write_text(_watermark(labels["cy"], labels["en"]), encoding="utf-8")
            write_pdf(html, base_dir=templates / "shared", target=pdf, roots=[templates, folder], quiet=False)
            if _pages(pdf) == 1:
                break
    finally:
        watermark.unlink(missing_ok=True)
    _check_one_page(pdf)
    described = alt_text(halves, labels, draft)
    _png(pdf, png, described)
    alt = folder / f"{file_stem(figures.year)}.alt.txt"
    alt.write_text("\n\n".join(described[lang] for lang in LANGS) + "\n", encoding="utf-8")
    return [pdf, png, alt]


def alt_text(halves: list[Half], labels: Mapping[str, Labels], draft: bool) -> dict[str, str]:
    """What the summary image says, in words, for each language: the text to give the image wherever
    it is posted (a social feed shows a picture of text, which a screen reader cannot read). Welsh
    first, as on the page; each figure as shown, a symbol by its meaning."""
    def said(item: Item) -> str:
        v = item.value
        return f"{item.label}: {v.text if v.kind == 'value' or not v.explain else v.explain}"

    def gap(g: Gap) -> str:
        """One comparison, without a full stop of its own (the sentence adds one: a reason ending in
        "." read "individuals' pay.." before)."""
        return f"{g.heading}: " + ("; ".join(said(i) for i in g.items) if g.published else g.reason.rstrip("."))

    out = {}
    for h in halves:
        L = labels[h.lang]
        parts = [f"{L('draft.word')}. " if draft else "", f"{h.org}: {h.title}. ", f"{h.snapshot}: ",
                 "; ".join(said(i) for i in h.workforce), ". ", gap(h.gender), ". "]
        if h.sign:
            parts.append(f"{h.sign} ")
        if h.quartiles:
            parts.append(f"{L('summary.quartiles')}: " + "; ".join(said(i) for i in h.quartiles) + ". ")
        parts += [f"{L('summary.other_heading')}: ", ". ".join(gap(g) for g in h.others), ". ",
                  f"{L('summary.other_sign')} ", L("summary.full_report")]
        if h.web:
            parts.append(f" {L('summary.web')} {h.web}")
        out[h.lang] = "".join(parts)
    return out


def summary_page(figures: Figures, organisation: Organisation, *, draft: bool, templates: Path | None = None,
                 watermark: str = "", compact: bool = False) -> str:
    """The summary's HTML (what WeasyPrint lays out): both halves, every label checked."""
    return _page_and_labels(figures, organisation, draft=draft, templates=templates, watermark=watermark,
                            compact=compact)[0]


def _page_and_labels(figures: Figures, organisation: Organisation, *, draft: bool, templates: Path | None,
                     watermark: str, compact: bool = False) -> tuple[str, dict[str, Labels], list[Half]]:
    """The summary's HTML and the labels it was written with (the draft watermark needs them too)."""
    templates = Path(templates) if templates is not None else TEMPLATES
    problems = check_catalogues(LANGS, templates)
    if problems:
        raise MissingTranslation(problems)
    layout = load_layout(templates)
    labels = {lang: labels_for(lang, load_catalogue(lang, templates), figures, organisation) for lang in LANGS}
    halves = [_half(figures, organisation, labels[lang], labels[_other(lang)], layout, draft) for lang in LANGS]
    cy, en = labels["cy"], labels["en"]
    doc_title = f"{cy('summary.doc_title')} / {en('summary.doc_title')}"
    html = _page(halves, cy, en, doc_title=doc_title, draft=draft, created=figures.snapshot_date,
                 templates=templates, watermark=watermark, compact=compact)
    raise_if_missing(labels.values())
    return html, labels, halves


def _other(lang: str) -> str:
    return "en" if lang == "cy" else "cy"


# --------------------------------------------------------------------------- view model
def _table_cell(figures: Figures, table_id: str, row: str, measure: str) -> Cell | None:
    """The published cell, or ``None`` when this year's Figures have no such table or row."""
    try:
        return figures.table(table_id).cell(measure, row)
    except KeyError:
        return None


def _gap(figures: Figures, gap_id: str) -> PayGap | None:
    try:
        return figures.pay_gap(gap_id)
    except KeyError:
        return None


def _half(figures: Figures, org: Organisation, L: Labels, O: Labels, layout: Mapping[str, Any], draft: bool) -> Half:
    b = Builder(figures, org, L, O, commentary={}, draft=draft, layout=layout, draw_charts=False)
    keys: dict[str, str] = {}

    def value(measure: str, cell: Cell | None) -> CellView:
        if cell is None:  # not in this year's figures at all (e.g. no community data for Welsh)
            return CellView(L("summary.not_available"), "nc", numeric=False)
        return b.cell(measure, cell, keys)

    workforce = [
        Item(L("summary.headcount"), value("count", _table_cell(figures, "profile.sex", "total", "count"))),
        Item(L("summary.women"), value("pct_all", _table_cell(figures, "profile.sex", "female", "pct_all"))),
        Item(L("summary.ethnic_minority_all"),
             value("pct_all", _table_cell(figures, "profile.ethnic_minority", "ethnic_minority", "pct_all"))),
        Item(L("summary.ethnic_minority_stated"),
             value("pct_stated", _table_cell(figures, "profile.ethnic_minority", "ethnic_minority", "pct_stated"))),
        Item(L("summary.disabled"), value("pct_stated", _table_cell(figures, "profile.disability", "yes", "pct_stated"))),
        Item(L("summary.welsh_speakers"),
             value("workforce_pct", _table_cell(figures, "representation.welsh_speaking", "speaks_welsh",
                                                "workforce_pct"))),
    ]

    def gap(gap_id: str, heading: str) -> Gap:
        g = _gap(figures, gap_id)
        if g is None:
            return Gap(heading, False, L("summary.not_available"))
        if not g.published:
            reason = L(f"suppressed.{g.gate_reason}") if g.gate_reason else L("suppressed.unpublished")
            return Gap(heading, False, reason)
        return Gap(heading, True, "", [Item(L(f"paygap.{m}"), value("pct", getattr(g, m)))
                                       for m in ("mean_hourly_gap", "median_hourly_gap")])

    gender = gap("gender", L("summary.gender_heading"))
    quartiles: list[Item] = []
    sign = ""
    g = _gap(figures, "gender")
    if g is not None and g.published:
        sign = L(f"paygap.sign.{g.reference}.{g.comparison}")
        quartiles = [Item(L(f"quartile.{q}"), value("pct", g.quartiles[q][1])) for q in QUARTILES if q in g.quartiles]
    others = [gap("ethnicity.minority", L("summary.ethnicity_gap")), gap("disability", L("summary.disability_gap"))]
    return Half(L.lang, b.org_name(), L("summary.title"), L("summary.snapshot"), workforce, gender, quartiles, sign,
                others, sorted(keys.items()), org.contact.web_address(L.lang, figures.year) or "")


# --------------------------------------------------------------------------- page
def _page(halves: list[Half], cy: Labels, en: Labels, *, doc_title: str, draft: bool, created: str,
          templates: Path, watermark: str = "", compact: bool = False) -> str:
    """``compact`` sets the same page a little smaller and closer (a long name, web address or
    reason for not publishing a gap can run the usual layout onto a second page)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates / "shared")), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    try:
        return env.get_template("summary.html.j2").render(
            halves=halves, doc_title=doc_title, author=f"{halves[0].org} / {halves[1].org}", created=created,
            draft=draft, watermark=watermark, compact=compact, draft_word={"cy": cy("draft.word"), "en": en("draft.word")},
            notices={"cy": cy("draft.notice"), "en": en("draft.notice")},
            full_report={"cy": cy("summary.full_report"), "en": en("summary.full_report")},
            other_sign={"cy": cy("summary.other_sign"), "en": en("summary.other_sign")},
            other_heading={"cy": cy("summary.other_heading"), "en": en("summary.other_heading")},
            quartiles_heading={"cy": cy("summary.quartiles"), "en": en("summary.quartiles")},
            web_label={"cy": cy("summary.web"), "en": en("summary.web")},
        )
    except jinja2.TemplateError as exc:
        raise RenderFailed(f"summary page template: {exc}") from exc


def _poppler(tool: str) -> str:
    exe = shutil.which(tool)
    if exe is None:
        raise RenderFailed(f"the summary PNG needs poppler's {tool}, which is not installed: install the Debian "
                           "package poppler-utils (apt-get install poppler-utils)")
    return exe


def _pages(pdf: Path) -> int:
    out = subprocess.run([_poppler("pdfinfo"), str(pdf)], capture_output=True, text=True, timeout=60).stdout
    return next((int(line.split()[-1]) for line in out.splitlines() if line.startswith("Pages:")), 0)


def _check_one_page(pdf: Path) -> None:
    pages = _pages(pdf)
    if pages != 1:
        raise RenderFailed(f"{pdf.name}: the summary ran to {pages} pages; it must fit on one (shorten a label)")


def _png(pdf: Path, png: Path, described: Mapping[str, str]) -> None:
    """The page as a PNG, carrying its text alternative in each language (PNG ``iTXt`` "Description"
    chunks with their language tags), so that it travels with the image."""
    from PIL import Image, PngImagePlugin

    exe = _poppler("pdftoppm")
    stem = png.with_suffix("")
    proc = subprocess.run([exe, "-png", "-r", str(PNG_DPI), "-singlefile", str(pdf), str(stem)],
                          capture_output=True, text=True, timeout=120)
    if proc.returncode != 0 or not png.exists():
        raise tool_failed(f"pdftoppm (drawing {pdf.name})", proc.returncode, proc.stderr, png.parent)
    info = PngImagePlugin.PngInfo()
    for lang, text in described.items():
        info.add_itxt("Description", text, lang=lang)
    with Image.open(png) as image:
        image.load()
    image.save(png, pnginfo=info)
