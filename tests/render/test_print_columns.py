"""Printed tables: each column is as wide as its widest word, and a word drawn over its neighbour is
reported. Widths are checked with a font whose every glyph is half an em wide, so each expectation can
be worked out by hand: at 9 pt a character is 4.5 pt; the padding of a cell is 2 x 1.6 mm = 9.0709 pt;
the text width is 174 mm = 493.2283 pt, of which 26 % (128.2394 pt) goes to the row headers when the
columns have room to spare."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import pytest
import weasyprint

from pipeline.report import columns
from pipeline.report.columns import Font
from pipeline.report.labels import TEMPLATES
from pipeline.report.pdf import crowded_running_heads, overflowing_cells

HALF_EM = Font({cp: 500 for cp in range(32, 0x17F)}, 1000)
W = 493.2283
PAD = 9.0709


@dataclass
class Cell:
    text: str


@dataclass
class Row:
    header: str
    cells: list[Cell]
    total: bool = False


@dataclass
class Table:
    corner: str
    header_lines: list[tuple[str, str]]
    rows: list[Row]
    header_groups: list[tuple[str, int]] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return [f"{g} {m}" for g, m in self.header_lines]


def pct(points: float) -> float:
    return 100 * points / W


def test_columns_with_room_to_spare_share_what_the_26_percent_row_headers_leave() -> None:
    t = Table("Sex", [("", "Number"), ("", "Shares")], [Row("Female", [Cell("12"), Cell("50.0%")])])
    assert columns.widths(t, HALF_EM, HALF_EM) == pytest.approx([26.0, 37.0, 37.0], abs=0.01)


def test_a_column_holding_a_long_word_is_widened_by_its_need_and_the_rest_share_the_remainder() -> None:
    # six columns (9 pt): "Ymddiswyddo" needs 11 x 4.5 + PAD = 58.57 pt, "Nifer" 5 x 4.5 + PAD = 31.57 pt;
    # needs 58.57 + 5 x 31.57 = 216.43 pt; the stub takes 128.24 pt and each column 24.76 pt more.
    lines = [("Ymddiswyddo", "Nifer")] + [("Arall", "Nifer")] * 5
    t = Table("Grŵp", lines, [Row("Staff", [Cell("3")] * 6)])
    got = columns.widths(t, HALF_EM, HALF_EM)
    extra = (W - 128.2394 - (49.5 + PAD) - 5 * (22.5 + PAD)) / 6
    assert extra == pytest.approx(24.76, abs=0.01)
    assert got == pytest.approx([26.0, pct(49.5 + PAD + extra)] + [pct(22.5 + PAD + extra)] * 5, abs=0.01)
    assert got[1] - got[2] == pytest.approx(pct(27), abs=0.01)  # exactly the six extra characters


def test_a_column_group_name_is_held_by_all_its_columns_together() -> None:
    # 9 pt: "Number" needs 27 + PAD = 36.07 pt. The group name "Interviewedxxxxxxxxx" (20 characters,
    # 90 pt) needs 90 + PAD + half an em (4.5 pt) = 103.57 pt over its two columns: 51.79 pt each,
    # 15.71 pt more than the column of the one-column group beside them, which only needs "Number".
    lines = [("Interviewedxxxxxxxxx", "Number"), ("Interviewedxxxxxxxxx", "Number"), ("Total", "Number")]
    t = Table("Sex", lines, [Row("Female", [Cell("1"), Cell("2"), Cell("3")])],
              header_groups=[("Interviewedxxxxxxxxx", 2), ("Total", 1)])
    got = columns.widths(t, HALF_EM, HALF_EM)
    assert got[0] == pytest.approx(26.0, abs=0.01) and got[1] == got[2]
    assert got[1] - got[3] == pytest.approx(pct((90 + PAD + 4.5) / 2 - (27 + PAD)), abs=0.01)
    assert sum(got) == pytest.approx(100, abs=0.02)


def test_when_the_columns_cannot_all_fit_the_row_headers_keep_their_widest_word() -> None:
    # nine columns are set at 8 pt (4 pt a character) with 2 x 1.0 mm = 5.6693 pt padding. Each holds
    # a 14-character word: 56 + 5.67 = 61.67 pt, 555.0 pt in all, more than the 493.23 pt there are.
    # The row headers keep "Ymddiswyddo" (44 + 5.67 = 49.67 pt); the columns share the rest, 49.28 pt each.
    lines = [("Cwnstabliaidxx", "Nifer")] * 9
    t = Table("Rheswm", lines, [Row("Ymddiswyddo", [Cell("1")] * 9)])
    got = columns.widths(t, HALF_EM, HALF_EM)
    pad7 = 2 * 1.0 * 72 / 25.4
    stub = 44 + pad7
    each = (W - stub) / 9
    assert each == pytest.approx(49.28, abs=0.01)
    assert got == pytest.approx([pct(stub)] + [pct(each)] * 9, abs=0.01)
    assert each < 56 + pad7  # too narrow: the overflow check below is what reports it


def test_row_headers_too_long_for_a_quarter_of_the_width_take_the_room_the_columns_do_not_need() -> None:
    # "Hunaniaeth o ran rhywedd" (24 characters, 108 pt at 9 pt) beside one column of shares: it wrapped
    # in the row headers' 26% (128.24 pt less 9.07 pt padding), the column taking the other 74%
    t = Table("Nodwedd", [("", "% a nododd")], [Row("Priodas neu bartneriaeth sifil", [Cell("88.5%")]),
                                               Row("Hunaniaeth o ran rhywedd", [Cell("59.5%")])])
    got = columns.widths(t, HALF_EM, HALF_EM)
    assert got[0] == pytest.approx(pct(30 * 4.5 + PAD), abs=0.01)  # the longest header on one line
    assert columns.body_lines(t, HALF_EM, HALF_EM) == 2
    # a header no width would hold on one line takes at most 45%, and the columns keep what they need
    t = Table("Outcome", [("", "Number")] * 4, [Row("x" * 150, [Cell("1")] * 4)])
    got = columns.widths(t, HALF_EM, HALF_EM)
    assert got[0] == pytest.approx(45.0, abs=0.01) and min(got[1:]) >= pct(27 + PAD) - 0.01
    # where the columns' own headings wrap anyway, the room stays theirs: taking it set "Heb ei nodi neu
    # wedi dewis peidio â dweud" in seven lines
    t = Table("Rheswm", [("", "Heb ei nodi neu wedi dewis peidio â dweud")] * 6,
              [Row("Trosglwyddo i heddlu neu gorff arall", [Cell("1")] * 6)])
    assert columns.widths(t, HALF_EM, HALF_EM)[0] == pytest.approx(26.0, abs=0.01)
    # the columns share the rest equally: one long heading among short ones keeps its whole width
    lines = [("", "% o'r rhai a nododd")] + [("", "Nifer")] * 3
    t = Table("Nodwedd", lines, [Row("Heb ei nodi neu wedi dewis peidio â dweud", [Cell("1")] * 4)])
    got = columns.widths(t, HALF_EM, HALF_EM)
    assert got[1] >= pct(19 * 4.5 + PAD) - 0.01 and got[0] > 26.0


def test_the_print_stylesheet_sets_tables_in_the_sizes_the_widths_were_computed_for() -> None:
    css = columns.css()
    assert "table.data { font-size: 9pt; }" in css and "padding: 1.2mm 1.6mm" in css
    assert "table.data.wide { font-size: 8pt; }" in css and "padding: 1.0mm 1.0mm" in css
    assert columns.size_of(6) is columns.NORMAL and columns.size_of(7) is columns.WIDE
    # the text width the widths share is A4 less the side margins that report.css gives the page
    sheet = (TEMPLATES / "shared" / "css" / "report.css").read_text(encoding="utf-8")
    side = float(re.search(r"@page \{\s*size: A4;\s*margin: [\d.]+mm ([\d.]+)mm", sheet).group(1))
    assert columns.TEXT_WIDTH_PT == pytest.approx((210 - 2 * side) * 72 / 25.4)


def _laid_out(column_pt: int) -> weasyprint.Document:
    html = f"""<html lang="cy"><body><table style="table-layout: fixed; width: {2 * column_pt}pt; border-collapse: collapse; font-size: 12pt">
      <colgroup><col style="width: {column_pt}pt"><col style="width: {column_pt}pt"></colgroup>
      <tr><th>Rhes</th><th>Ymddiswyddo</th></tr><tr><td>Staff</td><td>3</td></tr></table></body></html>"""
    return weasyprint.HTML(string=html).render()


def test_a_word_wider_than_its_column_is_reported_with_its_page() -> None:
    found = overflowing_cells(_laid_out(40))
    assert len(found) == 1 and found[0].startswith('page 1: table text "Ymddiswyddo" is ')


def test_a_table_whose_words_fit_has_nothing_to_report() -> None:
    assert overflowing_cells(_laid_out(150)) == []


def _pages_headed(title: str, section: str, css: str) -> weasyprint.Document:
    """Two pages headed as the report heads them: the report's title top left, the section's top right."""
    html = f"""<html lang="en"><head><style>{css}</style><style>
      html {{ string-set: running-title "{title}" }}</style></head>
      <body><section class="report-section"><h2>{section}</h2><p>Text.</p></section>
      <section class="report-section"><h2>Pay</h2><p>Text.</p></section></body></html>"""
    return weasyprint.HTML(string=html, media_type="print").render()


REPORT_CSS = (TEMPLATES / "shared" / "css" / "report.css").read_text(encoding="utf-8")
# the English p14 of the sample: the two together just fit on one line, and were drawn 0.8 mm apart
LONG_TITLE = "Gwent Police (sample data): annual equality report 2024"
LONG_SECTION = "Men and women by job, grade, pay, contract and working pattern"


def test_two_long_running_heads_that_would_meet_are_reported_page_by_page() -> None:
    unpadded = REPORT_CSS.replace("padding-left: 6mm;", "")
    assert unpadded != REPORT_CSS
    found = crowded_running_heads(_pages_headed(LONG_TITLE, LONG_SECTION, unpadded))
    assert len(found) == 1 and found[0].startswith("page 1: the running heads are 0."), found


def test_the_report_css_keeps_two_long_running_heads_apart_by_wrapping_them() -> None:
    document = _pages_headed(LONG_TITLE, LONG_SECTION, REPORT_CSS)
    assert crowded_running_heads(document) == []
    assert crowded_running_heads(_pages_headed("Short title", "Pay", REPORT_CSS)) == []


def test_the_review_pack_puts_pdf_layout_problems_first_among_what_needs_attention(tmp_path) -> None:  # noqa: ANN001
    import dataclasses
    import json

    import figures_fixture as F

    from pipeline.review import build_review

    figures = dataclasses.replace(F.figures(), quality={})  # the fixture's quality facts are not JSON
    problem = 'cy: page 30: table text "Ymddiswyddo" is 32 pt wider than its column'
    index = build_review(tmp_path, figures, last_run=None, last_year=None, threshold=5.0, warnings=[],
                         pdf_warnings=[problem])
    page = index.read_text(encoding="utf-8")
    attention = page.split("<h2>What needs your attention</h2>")[1].split("<h2>")[0]
    assert "1 layout problems in the PDFs" in attention
    assert "Ymddiswyddo" in page.split("<h3>Layout of the PDFs</h3>")[1]
    assert json.loads((tmp_path / "review" / "summary.json").read_text())["pdf_layout_problems"] == [problem]
    clean = build_review(tmp_path / "clean", figures, last_run=None, last_year=None, threshold=5.0,
                         warnings=[]).read_text(encoding="utf-8")
    assert "layout problems" not in clean and "Layout problems found on the laid-out PDF pages: none." in clean


def test_a_table_is_kept_on_one_page_by_the_lines_its_rows_take_not_by_their_number() -> None:
    # the relative likelihood table's 15 rows of two or three lines were kept whole, pushed onto the
    # next page, and left their section's first page two-thirds empty. At 9 pt (4.5 pt a character)
    # the row headers may take up to 45% (221.95 pt less 9.07 pt padding = 212.88 pt): 47 characters
    # a line. "Appointed from the shortlist, of those shortlisted (by ethnic group)" is 68 characters
    # and takes two lines.
    one_line = [Row("Female", [Cell("12"), Cell("50.0%")])] * 15
    two_lines = [Row("Appointed from the shortlist, of those shortlisted (by ethnic group)",
                     [Cell("12"), Cell("50.0%")])] * 15
    assert columns.body_lines(Table("Sex", [("", "Number"), ("", "Shares")], one_line), HALF_EM, HALF_EM) == 15
    assert columns.body_lines(Table("Outcome", [("", "Number"), ("", "Shares")], two_lines), HALF_EM, HALF_EM) == 30
    assert 15 <= columns.KEEP_LINES < 30


def test_the_review_pack_asks_for_the_contact_and_web_addresses_the_profile_leaves_out(tmp_path) -> None:  # noqa: ANN001
    import dataclasses

    import figures_fixture as F

    from pipeline.config import Contact
    from pipeline.report.labels import load_catalogue
    from pipeline.review import build_review

    figures = dataclasses.replace(F.figures(), quality={})  # the fixture's quality facts are not JSON
    bare = F.organisation()  # no contact_email, contact_phone or web addresses
    build_review(tmp_path / "bare", figures, last_run=None, last_year=None, threshold=5.0, warnings=[],
                 organisation=bare)
    for lang, page in (("en", "index.html"), ("cy", "index.cy.html")):
        text = (tmp_path / "bare" / "review" / page).read_text(encoding="utf-8")
        catalogue = load_catalogue(lang)
        attention = text.split(f"<h2>{html.escape(catalogue['review.attention'])}</h2>")[1].split("<h2>")[0]
        for key in ("review.no_contact", "review.no_web_address"):
            assert html.escape(catalogue[key]) in attention, (lang, key)
        assert html.escape(catalogue["review.nothing_to_compare"]) in attention  # still said
    reachable = dataclasses.replace(bare, contact=Contact("equality@police.example", None,
                                                          {"en": "https://a.example/", "cy": "https://a.example/cy/"}))
    text = build_review(tmp_path / "reachable", figures, last_run=None, last_year=None, threshold=5.0, warnings=[],
                        organisation=reachable).read_text(encoding="utf-8")
    assert "contact_email" not in text and "web_address_en" not in text
