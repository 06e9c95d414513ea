"""Table headers in the tagged PDF: every data cell names every header over it.

PDF/UA (ISO 14289-1, 7.5) wants each ``TD`` of a table whose headers are not obvious from the
structure to list its headers by ID (``/Headers``), as HTML's ``headers`` attribute does. WeasyPrint
writes that list, but it files a header cell under the first column it spans only: a group header
``<th scope="colgroup" colspan="2">Interviewed</th>`` reaches the cells of "Number" below it and not
those of "% of stage" beside it, so a screen reader in the PDF announced "% of stage, 12.5" without
the stage it belongs to. (The HTML is read correctly: browsers map ``scope="colgroup"`` themselves.)

``install`` wraps WeasyPrint's tag-tree builder so that, once it has tagged a table (on each page a
table is split across, as WeasyPrint does), the ``/Headers`` of its data cells are worked out again
with the table grid of HTML: a cell spanning rows or columns takes up every slot it covers, a column
header (``scope`` not ``row``) heads every column it covers and a row header every row it covers.
The IDs are those WeasyPrint gave its header cells, so nothing else in the tree changes.

It is written against WeasyPrint 70.0 (pinned in ``pyproject.toml``). On another version the builder
is left alone, and the test of the tagged PDF's headers says whether this mend is still needed.

The same wrapper mends five more things WeasyPrint 70 leaves short of PDF/UA-1:

- **Language of parts** (PDF/UA 7.2, WCAG 3.1.2): an element with a ``lang`` attribute gives its
  structure element ``/Lang``. The bilingual summary's English half, and each report's line in the
  other language, are then read in their own language's voice, not the document's.
- **Running heads and page numbers are artifacts** (PDF/UA 7.1, 7.8): WeasyPrint marks the text of
  the page-margin boxes as content and builds structure elements for it that the tree never links
  to. Here that text is marked ``/Artifact /Pagination`` while it is drawn (``_draw_page``,
  ``_marked``) and gets no structure element.
- **A symbol is read by its meaning**: a withheld or not-calculable cell (``[c]``, ``[x]``) gets
  ``/ActualText`` with the explanation the web page gives it in hidden text (``data-say`` on the print
  page's cell).
- **Links say where they go**: a link annotation's ``/Contents`` is its text ("Pay gaps"), not the
  anchor it points at (``#men_women``).
- **Figure bounding boxes in PDF units**: WeasyPrint gives CSS pixels measured from the top of the
  page; ``/BBox`` wants points from the bottom.

``open_with_bookmarks`` (a ``write_pdf`` finisher) opens the document with its bookmarks showing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pydyf
import weasyprint
import weasyprint.document
from weasyprint.formatting_structure import boxes
from weasyprint.pdf import stream as _stream
from weasyprint.pdf import tags as _tags

MENDED_VERSION = "70.0"
PT_PER_PX = 0.75
# ids of the boxes in the page-margin boxes (running heads, page numbers) of the page being drawn
_IN_MARGINS: set[int] = set()
# the height in CSS pixels of the page whose structure is being built (for figure bounding boxes)
_PAGE: dict[str, float] = {}


def install() -> bool:
    """Wrap WeasyPrint's ``_build_box_tree`` once; True when the mend is in place."""
    if weasyprint.__version__ != MENDED_VERSION:
        return False
    if not getattr(_tags._build_box_tree, "_cydradd_headers", False):
        _tags._build_box_tree = _with_cell_headers(_tags._build_box_tree)
        weasyprint.document.draw_page = _draw_page(weasyprint.document.draw_page)
        _stream.Stream.marked = _marked(_stream.Stream.marked)
    return True


def open_with_bookmarks(_document: Any, pdf: pydyf.PDF) -> None:
    """``write_pdf`` finisher: a reader opens the PDF with its bookmarks (the headings) showing, and
    the structure tree has one element per HTML element (``join_page_parts``)."""
    if "Outlines" in pdf.catalog:
        pdf.catalog["PageMode"] = "/UseOutlines"
    join_page_parts(pdf)


# elements whose page parts stay apart: each part of a table split across pages has its own header
# row (repeated by the print style), which one table would hold twice
KEPT_APART = frozenset({"/Table", "/THead", "/TBody", "/TFoot", "/TR", "/TH", "/TD"})


def join_page_parts(pdf: pydyf.PDF) -> None:
    """One structure element for each HTML element, not one per page it reaches.

    WeasyPrint 70 builds the tree page by page, so an element that runs over a page break becomes
    two elements: the report's ``main`` was a ``/Part`` per page (54 of them), a section one
    ``/Sect`` per page, a paragraph split at the foot of a page two ``/P``. A screen reader's
    navigation by section or paragraph then stops at every page break. Here neighbouring elements
    made from the same HTML element (``_cydradd_source``, set as the tree is built) are joined, from
    the top down: the later one's children move to the first; its marked content, whose numbers are
    relative to its own page, is kept as marked-content references naming that page; the parent
    tree (marked content and link annotations to their element) is pointed at the first; and the
    later object is emptied. Tables are left in their page parts (``KEPT_APART``).
    """
    root = _resolve(pdf, pdf.catalog.get("StructTreeRoot"))
    if root is None:
        return
    moved: dict[bytes, bytes] = {}
    for top in root["K"]:
        _join_children(pdf, _resolve(pdf, top), moved)
    if not moved:
        return

    def final(ref: bytes) -> bytes:
        while ref in moved:
            ref = moved[ref]
        return ref

    nums = _resolve(pdf, root["ParentTree"])["Nums"]
    for i in range(1, len(nums), 2):
        entry = nums[i]
        if isinstance(entry, list):
            entry[:] = [final(r) if isinstance(r, bytes) else r for r in entry]
        elif isinstance(entry, bytes):
            nums[i] = final(entry)


def _resolve(pdf: pydyf.PDF, ref: Any) -> Any:
    if isinstance(ref, bytes) and ref.endswith(b" R"):
        return pdf.objects[int(ref.split()[0])]
    return ref


def _join_children(pdf: pydyf.PDF, element: Any, moved: dict[bytes, bytes]) -> None:
    """Join the parts of one HTML element among ``element``'s children: neighbours, and a child
    that is a part of ``element`` itself (a contents entry's page number, its link's ``::after``,
    was a link inside the link), then do the same inside each child."""
    kids: list[Any] = []
    for ref in element.get("K", ()):
        kid = _resolve(pdf, ref)
        last = _resolve(pdf, kids[-1]) if kids else None
        if _same_element(kid, element):
            kids += _emptied(pdf, kid, element)
            moved[kid.reference] = element.reference
        elif _same_element(kid, last):
            last["K"] = pydyf.Array([*last["K"], *_emptied(pdf, kid, last)])
            moved[kid.reference] = last.reference
        else:
            kids.append(ref)
    if "K" in element:
        element["K"] = pydyf.Array(kids)
    for ref in kids:
        kid = _resolve(pdf, ref)
        if isinstance(kid, pydyf.Dictionary) and kid.get("Type") == "/StructElem":
            _join_children(pdf, kid, moved)


def _same_element(kid: Any, other: Any) -> bool:
    """Two structure elements of one type made from one HTML element (not a table's parts)."""
    source = getattr(kid, "_cydradd_source", None)
    return (isinstance(kid, pydyf.Dictionary) and isinstance(other, pydyf.Dictionary) and source is not None
            and kid.get("Type") == other.get("Type") == "/StructElem" and kid.get("S") == other.get("S")
            and kid.get("S") not in KEPT_APART and source is getattr(other, "_cydradd_source", None))


def _emptied(pdf: pydyf.PDF, part: Any, into: Any) -> list[Any]:
    """``part``'s children, to be held by ``into`` (both parts of one HTML element): marked content
    of another page is referred to with its page; ``part`` is emptied."""
    out: list[Any] = []
    for ref in part["K"]:
        kid = _resolve(pdf, ref)
        if isinstance(kid, int):
            out.append(kid if part["Pg"] == into["Pg"] else pydyf.Dictionary({"Type": "/MCR", "Pg": part["Pg"], "MCID": kid}))
            continue
        if isinstance(kid, pydyf.Dictionary) and kid.get("Type") == "/StructElem":
            kid["P"] = into.reference
        out.append(ref)
    # emptied, not freed: pydyf 0.11 would still list a freed object in its compressed cross-reference
    # stream, shifting every object after it; an empty dictionary nothing points to is inert
    part.clear()
    return out


def _draw_page(draw: Callable[..., None]) -> Callable[..., None]:
    def draw_page(page: Any, stream: Any) -> None:
        _IN_MARGINS.clear()
        for child in page.children:
            if isinstance(child, boxes.MarginBox):
                _IN_MARGINS.update(id(b) for b in child.descendants())
        try:
            draw(page, stream)
        finally:
            _IN_MARGINS.clear()

    return draw_page


def _marked(marked: Callable[..., Any]) -> Callable[..., Any]:
    @contextmanager
    def marked_or_artifact(self: Any, box: Any, tag: str) -> Iterator[None]:
        if self._tags is None or id(box) not in _IN_MARGINS:
            with marked(self, box, tag):
                yield
            return
        pydyf.Stream.begin_marked_content(self, "Artifact", pydyf.Dictionary({"Type": "/Pagination"}))
        try:
            yield
        finally:
            pydyf.Stream.end_marked_content(self)

    return marked_or_artifact


def _with_cell_headers(build: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    def build_box_tree(box: Any, *args: Any) -> Iterator[Any]:
        if isinstance(box, boxes.MarginBox):
            return  # drawn as artifacts (``_marked``): nothing of it belongs in the tree
        passed_through = isinstance(box, boxes.PageBox) or box.element_tag in ("html", "body")
        if isinstance(box, boxes.PageBox):
            _PAGE["height"] = box.margin_height()
        for element in build(box, *args):
            if element.get("S") == "/Table" and getattr(box, "is_table_wrapper", False):
                table = box.get_wrapped_table()
                if table is not None:
                    link_headers(list(_rows(table)))
            if not passed_through:
                _mend(element, box)
                element._cydradd_source = box.element  # what ``join_page_parts`` matches fragments by
            yield element

    build_box_tree._cydradd_headers = True  # type: ignore[attr-defined]
    return build_box_tree


def _mend(element: Any, box: Any) -> None:
    """Language, link description and figure bounding box of the structure element made for ``box``."""
    lang = box.element.get("lang") if box.element is not None else None
    if lang and "Lang" not in element:
        element["Lang"] = pydyf.String(lang)
    said = box.element.get("data-say") if box.element is not None and element.get("S") == "/TD" else None
    if said:  # a withheld cell: read by what it means, as the web page's hidden text does, not as "[c]"
        element["ActualText"] = pydyf.String(said)
    annotation = getattr(box, "link_annotation", None)
    if annotation is not None and element.get("S") == "/Link" and box.element is not None:
        text = " ".join("".join(box.element.itertext()).split())
        if text:
            annotation["Contents"] = pydyf.String(text)
    if element.get("S") == "/Figure" and "A" in element and "height" in _PAGE:
        x1, y1, x2, y2 = element["A"]["BBox"]
        top = _PAGE["height"]
        element["A"]["BBox"] = pydyf.Array([round(v * PT_PER_PX, 2) for v in (x1, top - y2, x2, top - y1)])


def _rows(box: Any) -> Iterator[Any]:
    for child in box.children:
        if isinstance(child, boxes.TableRowBox):
            yield child
        elif isinstance(child, boxes.TableRowGroupBox):
            yield from _rows(child)


def link_headers(rows: list[Any]) -> None:
    """Set ``/Headers`` on every tagged data cell of ``rows`` (cell boxes carrying WeasyPrint's
    ``mark``, the cell's structure element; header cells carry their ``ID`` there)."""
    taken: set[tuple[int, int]] = set()
    placed: list[tuple[Any, range, range]] = []  # cell, rows it covers, columns it covers
    for i, row in enumerate(rows):
        j = 0
        for cell in row.children:
            while (i, j) in taken:
                j += 1
            down, across = range(i, i + max(cell.rowspan, 1)), range(j, j + max(cell.colspan, 1))
            taken.update((r, c) for r in down for c in across)
            placed.append((cell, down, across))
            j = across.stop
    by_row: dict[int, list[Any]] = {}
    by_column: dict[int, list[Any]] = {}
    for cell, down, across in placed:
        mark = getattr(cell, "mark", None)
        if mark is None or cell.element_tag != "th" or "ID" not in mark:
            continue
        if cell.element.attrib.get("scope") == "row":
            for r in down:
                by_row.setdefault(r, []).append(mark["ID"])
        else:
            for c in across:
                by_column.setdefault(c, []).append(mark["ID"])
    for cell, down, across in placed:
        mark = getattr(cell, "mark", None)
        if mark is None or cell.element_tag != "td":
            continue
        headers = [key for r in down for key in by_row.get(r, [])]
        headers += [key for c in across for key in by_column.get(c, [])]
        mark["A"]["Headers"] = pydyf.Array(headers)
