"""Every table of one language's report as a spreadsheet (``file.tables``: ``tablau-...csv``,
``equality-report-tables-...csv``).

``data/figures.csv`` holds every figure for machines, named by codes (``profile.sex``, ``female``,
``pct_stated``), which are English words. The Welsh PDF sends its readers to a file for the tables it
does not print, so that file must read in Welsh: this one is written from the document each language
renders - the table's caption, the row and column as the table names them, the published number, the
text as shown ("50.6%", "[c]") and, for a symbol, what it means - with no figure worked out here.
"""

from __future__ import annotations

import csv
import io
import re

from pipeline.figures import neutralise_formula
from pipeline.report.document import Document, TableView
from pipeline.report.labels import Labels

COLUMNS = ("table", "row", "column", "value", "shown", "note")


def tables_csv(doc: Document, labels: Labels) -> str:
    """One row per cell of every table of ``doc``, in the order the report shows them."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow([labels.text(f"tablefile.{c}") for c in COLUMNS])
    for section in doc.sections:
        for table in section.tables:
            for row in _rows(table):
                out.writerow([_safe(str(v)) for v in row])
    return buf.getvalue()


_SHOWN_NUMBER = re.compile(r"^[+-−]?\d[\d,.]*%?$")  # "-5.6%", "+0.1", "1,966": a figure as shown, not a formula


def _safe(text: str) -> str:
    """``neutralise_formula``, but a figure as the report shows it ("-5.6%") is left as it is: an
    apostrophe in front of it was shown by Excel and LibreOffice as part of the figure."""
    return text if _SHOWN_NUMBER.match(text) else neutralise_formula(text)


def _rows(t: TableView) -> list[list[object]]:
    names = [" – ".join(part for part in (group, measure) if part) for group, measure in t.header_lines] \
        or list(t.columns)
    rows = []
    for r in t.rows:
        for name, c in zip(names, r.cells, strict=False):
            value = "" if c.value is None else c.value
            rows.append([t.caption, r.header, name, value, c.text, c.explain])
    return rows
