"""The tagged PDF (PDF/UA-1) from the print rendering of the page, with WeasyPrint.

WeasyPrint writes a PDF even when it logs an error (an image without alt text, a missing ``lang``,
a font or image it could not load); a published document must not silently lose a chart or its
tags, so every ERROR record of the ``weasyprint`` logger during the render fails the build
(``RenderFailed``). Warnings (e.g. an ignored CSS declaration) are passed on to the pipeline log.
Resources come only through ``RestrictedFetcher``; a refusal raises ``UnsafeContent``.

Metadata dates come from the HTML (``dcterms.created`` = the snapshot date), so the same Figures give
byte-identical PDFs.
"""

from __future__ import annotations

import logging
from pathlib import Path

import weasyprint
from weasyprint.document import DEFAULT_OPTIONS, Document
from weasyprint.formatting_structure import boxes
from weasyprint.urls import FatalURLFetchingError

from pipeline.errors import RenderFailed, UnsafeContent
from pipeline.report import pdftags
from pipeline.report.fetcher import RestrictedFetcher

log = logging.getLogger("pipeline.report")
pdftags.install()  # table headers, language of parts, artifacts, links, figure boxes (see pdftags)
PDF_VARIANT = "pdf/ua-1"
PT_PER_PX = 0.75
MM_PER_PX = 25.4 / 96
# the least space between two parts of a running head (the report's title, the section's) for a
# reader to see two things and not one line: report.css pads the right part by 6 mm
RUNNING_HEAD_GAP_MM = 4.0


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        (self.errors if record.levelno >= logging.ERROR else self.warnings).append(msg)


def write_pdf(html: str, *, base_dir: Path, target: Path, roots: list[Path], quiet: bool = False) -> list[str]:
    """Render ``html`` (resolving relative URLs against ``base_dir``) to ``target``; return warnings
    (also logged here unless ``quiet``: the caller logs them itself)."""
    fetcher = RestrictedFetcher(roots)
    wlog = logging.getLogger("weasyprint")
    handler = _Collect()
    old_level = wlog.level
    wlog.addHandler(handler)
    if wlog.level == logging.NOTSET or wlog.level > logging.WARNING:
        wlog.setLevel(logging.WARNING)
    try:
        html_doc = weasyprint.HTML(string=html, base_url=base_dir.resolve().as_uri() + "/", url_fetcher=fetcher)
        options = {**DEFAULT_OPTIONS, "pdf_variant": PDF_VARIANT}
        document = html_doc.render(**options)
        overflows = overflowing_cells(document) + crowded_running_heads(document)
        data = document.write_pdf(finisher=pdftags.open_with_bookmarks, **options)
    except FatalURLFetchingError as exc:
        raise UnsafeContent(f"PDF: {exc.__cause__ or exc}") from exc
    except UnsafeContent:
        raise
    except Exception as exc:  # WeasyPrint has no error hierarchy of its own
        raise RenderFailed(f"PDF could not be produced: {type(exc).__name__}: {exc}") from exc
    finally:
        wlog.removeHandler(handler)
        wlog.setLevel(old_level)
    if fetcher.refused:
        raise UnsafeContent(f"PDF: refused to fetch {fetcher.refused[0]!r}")
    if handler.errors:
        raise RenderFailed(f"PDF {target.name}: WeasyPrint reported {len(handler.errors)} error(s): "
                           + "; ".join(handler.errors[:5]))
    if not data:
        raise RenderFailed(f"PDF {target.name}: empty output")
    target.write_bytes(data)
    warnings = handler.warnings + overflows
    for w in [] if quiet else warnings:
        log.warning("PDF %s: %s", target.name, w)
    return warnings


def overflowing_cells(document: Document) -> list[str]:
    """One line per table cell, page by page, whose text runs past the cell's edge into its neighbour.

    The print tables have fixed column widths (``pipeline.report.columns``), and a word that cannot be
    broken is drawn across the next column ("Ymddiswyddo" over "Ymddeol"). WeasyPrint lays the page
    out without a word of complaint, so the laid-out boxes are measured here: each text run's right
    edge against its cell's content edge, with half a pixel's grace. The words are table labels and
    published figures, never a person's data."""
    found: dict[tuple[int, str], float] = {}
    for number, page in enumerate(document.pages, 1):
        stack: list[boxes.Box] = [page._page_box]  # WeasyPrint keeps the laid-out tree on the page
        while stack:
            box = stack.pop()
            if isinstance(box, boxes.TableCellBox):
                edge = box.content_box_x() + box.width + 0.5  # CSS px, as WeasyPrint lays out
                for text in box.descendants():
                    if isinstance(text, boxes.TextBox) and text.position_x + text.width > edge:
                        key = (number, text.text.strip())
                        found[key] = max(found.get(key, 0.0), text.position_x + text.width - edge + 0.5)
            elif isinstance(box, boxes.ParentBox):
                stack.extend(box.children)
    return [f"page {page}: table text \"{text}\" is {over * PT_PER_PX:.0f} pt wider than its column"
            for (page, text), over in sorted(found.items())]


def crowded_running_heads(document: Document) -> list[str]:
    """One line per page whose running heads in a page margin (the report's title top left, the
    section's top right) come closer than ``RUNNING_HEAD_GAP_MM``: two long titles that both fit on
    one line were drawn as one run of text ("... report 2024 Men and women by job ..."). Measured on
    the laid-out margin boxes, as ``overflowing_cells`` measures the tables."""
    found = []
    for number, page in enumerate(document.pages, 1):
        bands: dict[str, list[tuple[float, float]]] = {}
        for margin in page._page_box.children:
            if not isinstance(margin, boxes.MarginBox):
                continue
            runs = [(t.position_x, t.position_x + t.width) for t in margin.descendants() if isinstance(t, boxes.TextBox)]
            if runs:
                band = margin.at_keyword.removeprefix("@").split("-")[0]  # top, bottom, left, right
                bands.setdefault(band, []).append((min(a for a, _ in runs), max(b for _, b in runs)))
        for extents in bands.values():
            extents.sort()
            gaps = [right[0] - left[1] for left, right in zip(extents, extents[1:])]
            if gaps and min(gaps) * MM_PER_PX < RUNNING_HEAD_GAP_MM:
                found.append(f"page {number}: the running heads are {max(min(gaps), 0) * MM_PER_PX:.1f} mm apart "
                             f"(at least {RUNNING_HEAD_GAP_MM:.0f} mm keeps them apart)")
    return found
