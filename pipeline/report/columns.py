"""Column widths of the printed tables, measured with the shipped font.

The PDF's tables have a fixed layout: WeasyPrint sizes the columns up front instead of measuring every
cell, which saves a third of its layout time on this report. With equal columns beside a fixed 26%
stub, a long single word — "Ymddiswyddo", "Interviewed", "Cwnstabliaid" — was drawn across the
next column. Here each table's columns are sized from the widest word each must hold (a word cannot
be broken: there is no Welsh hyphenation dictionary, and both languages are set alike). The words
are measured with the glyph advances of the shipped DejaVu fonts, so nothing is guessed from
character counts, and each language gets the width its own words need.

The print sizes of data tables (font size and cell padding) are declared once, here, and written into
the print stylesheet by ``css()``, so the widths are computed with the sizes the PDF is set in.
``pipeline.report.pdf.overflowing_cells`` checks the result on the laid-out pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

PT_PER_MM = 72 / 25.4
TEXT_WIDTH_PT = (210 - 2 * 18) * PT_PER_MM  # A4 less the @page side margins of report.css (18 mm)
STUB_SHARE = 0.26  # the row headers' share of the width when every column has room to spare
STUB_MAX_SHARE = 0.45  # ... and at most, when their headers need more to stand on one line
WIDE_COLUMNS = 6  # a table with more columns than this is set smaller
GROUP_RULE_GAP = 0.5  # em: the white side borders that part the rules under neighbouring column groups


@dataclass(frozen=True)
class Size:
    font_pt: float
    padding_mm: tuple[float, float]  # (top and bottom, left and right)

    @property
    def side_pt(self) -> float:
        return 2 * self.padding_mm[1] * PT_PER_MM


NORMAL = Size(9, (1.2, 1.6))
WIDE = Size(8, (1.0, 1.0))


def size_of(columns: int) -> Size:
    return WIDE if columns > WIDE_COLUMNS else NORMAL


def css() -> str:
    """The print rules for data tables' text size and padding (the one place these sizes live)."""
    return "\n".join(
        f"table.data{sel} {{ font-size: {s.font_pt}pt; }} "
        f"table.data{sel} th, table.data{sel} td {{ padding: {s.padding_mm[0]}mm {s.padding_mm[1]}mm; }}"
        for sel, s in (("", NORMAL), (".wide", WIDE))
    )


class Table(Protocol):  # what is read of a report.document.TableView
    corner: str
    columns: list[str]
    header_lines: list[tuple[str, str]]
    header_groups: list[tuple[str, int]]

    @property
    def rows(self) -> Sequence[Row]: ...


class Row(Protocol):
    header: str
    total: bool

    @property
    def cells(self) -> Sequence[Cell]: ...


class Cell(Protocol):
    text: str


@dataclass(frozen=True)
class Font:
    advances: dict[int, int]  # code point -> advance width in font units
    units_per_em: int

    def width(self, word: str, size_pt: float) -> float:
        """Width in points of ``word`` set at ``size_pt``."""
        fallback = self.advances.get(ord("M"), self.units_per_em)
        return sum(self.advances.get(ord(ch), fallback) for ch in word) * size_pt / self.units_per_em

    def widest_word(self, text: str, size_pt: float) -> float:
        """Width in points of the widest space-separated word of ``text`` (a line may break only at a
        space: every word must fit its column whole)."""
        return max((self.width(word, size_pt) for word in text.split()), default=0.0)


@cache
def load_font(path: Path) -> Font:
    from fontTools.ttLib import TTFont  # a WeasyPrint dependency; only the print rendering needs it

    with TTFont(path, lazy=True) as f:
        metrics = f["hmtx"].metrics
        advances = {cp: metrics[glyph][0] for cp, glyph in f.getBestCmap().items()}
        return Font(advances, f["head"].unitsPerEm)


def widths(t: Table, regular: Font, bold: Font) -> list[float]:
    """Percentages of the table width: the row headers' column, then each column.

    Each column needs the width of its widest word plus padding; a column group's name spans its
    columns, which between them must hold its widest word. The row headers get what is left, up to
    ``STUB_SHARE``; beyond that the columns share the rest equally. When even the columns' needs do
    not fit, the row headers keep the width of their own widest word and every column gives up an
    equal share: WeasyPrint then draws a word over its neighbour, and ``overflowing_cells`` reports
    it. Row headers too long for one line in ``STUB_SHARE`` take more of the columns' spare room, up
    to ``STUB_MAX_SHARE``."""
    n = len(t.columns)
    if n == 0:
        return [100.0]
    size = size_of(n)
    pt, pad = size.font_pt, size.side_pt
    stub = pad + max(bold.widest_word(t.corner, pt),
                     max((_font(r, regular, bold).widest_word(r.header, pt) for r in t.rows), default=0.0))
    need = []
    for i, (group, measure) in enumerate(t.header_lines):
        words = [regular.widest_word(measure, pt)] + ([] if t.header_groups else [bold.widest_word(group, pt)])
        words += [_font(r, regular, bold).widest_word(r.cells[i].text, pt) for r in t.rows if i < len(r.cells)]
        need.append(pad + max(words))
    first = 0
    for group, span in t.header_groups:
        short = pad + GROUP_RULE_GAP * pt + bold.widest_word(group, pt) - sum(need[first:first + span])
        for k in range(first, first + span):
            need[k] += max(short, 0.0) / span
        first += span
    stub_pt = min(STUB_SHARE * TEXT_WIDTH_PT, max(stub, TEXT_WIDTH_PT - sum(need)))
    # row headers that would wrap in 26% take more of the room the columns do not need (each column's
    # own headings set on one line), up to 45%: "Hunaniaeth o ran rhywedd" wrapped beside one column
    # of figures three quarters of the page wide. Where the columns' headings wrap anyway, the room
    # stays theirs (taken from them, "Heb ei nodi neu wedi dewis peidio â dweud" took seven lines)
    whole = pad + max(bold.width(t.corner, pt),
                      max((_font(r, regular, bold).width(r.header, pt) for r in t.rows), default=0.0))
    if whole > stub_pt:
        headings = [pad + max(regular.width(measure, pt), 0.0 if t.header_groups else bold.width(group, pt))
                    for group, measure in t.header_lines]
        # the columns share what the row headers leave equally, so each must still get its heading
        short = max(0.0, max(h - nd for nd, h in zip(need, headings, strict=True)))
        room = TEXT_WIDTH_PT - sum(need) - n * short
        stub_pt = max(stub_pt, min(whole, room, STUB_MAX_SHARE * TEXT_WIDTH_PT))
    extra = (TEXT_WIDTH_PT - stub_pt - sum(need)) / n
    return [round(100 * w / TEXT_WIDTH_PT, 2) for w in (stub_pt, *(x + extra for x in need))]


KEEP_LINES = 20  # a printed table of at most this many lines of rows is kept whole on one page


def body_lines(t: Table, regular: Font, bold: Font) -> int:
    """How many lines the table's rows take when printed: each row as many as its most wrapped cell
    needs in the widths of ``widths``. A table is kept whole on a page only up to ``KEEP_LINES``: the
    rule was 15 rows, and the relative likelihood tables' 15 rows of two or three lines each were
    pushed whole onto the next page, leaving their section's first page two-thirds empty."""
    size = size_of(len(t.columns))
    room = [w * TEXT_WIDTH_PT / 100 - size.side_pt for w in widths(t, regular, bold)]
    total = 0
    for r in t.rows:
        font = _font(r, regular, bold)
        total += max(_wrapped(text, width, font, size.font_pt)
                     for text, width in zip([r.header, *(c.text for c in r.cells)], room, strict=False))
    return total


def _wrapped(text: str, room: float, font: Font, pt: float) -> int:
    """Lines ``text`` takes in ``room`` points, broken at spaces as a browser breaks it."""
    space = font.width(" ", pt)
    lines, used = 1, 0.0
    for word in text.split():
        w = font.width(word, pt)
        if used and used + space + w > room:
            lines, used = lines + 1, w
        else:
            used += (space if used else 0.0) + w
    return lines


def _font(row: Row, regular: Font, bold: Font) -> Font:
    return bold if row.total else regular
