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
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pydyf
import weasyprint
from weasyprint.formatting_structure import boxes
from weasyprint.pdf import tags as _tags

MENDED_VERSION = "70.0"


def install() -> bool:
    """Wrap WeasyPrint's ``_build_box_tree`` once; True when the mend is in place."""
    if weasyprint.__version__ != MENDED_VERSION:
        return False
    if not getattr(_tags._build_box_tree, "_cydradd_headers", False):
        _tags._build_box_tree = _with_cell_headers(_tags._build_box_tree)
    return True


def _with_cell_headers(build: Callable[..., Iterator[Any]]) -> Callable[..., Iterator[Any]]:
    def build_box_tree(box: Any, *args: Any) -> Iterator[Any]:
        for element in build(box, *args):
            if element.get("S") == "/Table" and getattr(box, "is_table_wrapper", False):
                table = box.get_wrapped_table()
                if table is not None:
                    link_headers(list(_rows(table)))
            yield element

    build_box_tree._cydradd_headers = True  # type: ignore[attr-defined]
    return build_box_tree


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
