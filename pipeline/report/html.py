"""Jinja2 pages: the shared layout (``templates/shared``) extended per language (``templates/<lang>``).

Autoescape is on and undefined names are errors (``StrictUndefined``): a template that refers to
something the document model lacks fails the build instead of printing an empty string. The same
template renders two media: ``web`` (``index.html``: skip link, language switch, downloads) and
``print`` (the HTML WeasyPrint lays out as the PDF: page furniture in CSS, no links to files, which
WeasyPrint would turn into absolute ``file://`` paths of the build machine).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import jinja2
from markupsafe import Markup

from pipeline.errors import RenderFailed
from pipeline.report import columns
from pipeline.report.document import Document, TableView
from pipeline.report.labels import TEMPLATES, Labels


def environment(lang: str, templates: Path = TEMPLATES) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(templates / lang), str(templates / "shared")]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )


def css_string(text: str) -> str:
    """A CSS string literal."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ").replace("<", "\\3C ")
    return f'"{out}"'


def css_content(template: str, values: Mapping[str, str]) -> str:
    """A label with ``{placeholders}`` as a CSS ``content`` value, placeholders replaced by CSS
    functions (``Tudalen {page} o {pages}`` -> ``"Tudalen " counter(page) " o " counter(pages)``)."""
    import string

    parts = []
    for literal, name, _, _ in string.Formatter().parse(template):
        if literal:
            parts.append(css_string(literal))
        if name:
            parts.append(values[name])
    return " ".join(parts) or '""'


def print_css(labels: Labels, doc: Document) -> str:
    page_of = css_content(labels.raw("page.of"), {"page": "counter(page)", "pages": "counter(pages)"})
    rules = [
        f"html {{ string-set: running-title {css_string(labels('report.running_head'))}; }}",
        # the organisation at the foot, left, and the page number right, the report and section at the
        # head: with all three at the head the longer Welsh title wrapped on 23 of 56 pages (English: 4
        # of 55); with the page number centred, a long organisation name (52 letters) wrapped it
        f"@page {{ @bottom-left {{ content: {css_string(labels('report.running_foot'))}; font-size: 8pt; "
        "color: #484949; } "
        f"@bottom-right {{ content: {page_of}; font-size: 8pt; color: #484949; padding-left: 6mm; }} }}",
        columns.css(),
    ]
    if doc.draft:
        rules.append('@page { background: url("css/draft.svg") no-repeat center center; background-size: 150mm auto; }')
    return "\n".join(rules)


def render_page(doc: Document, labels: Labels, other: Labels, *, medium: str, created: str,
                other_titles: Mapping[str, str], templates: Path = TEMPLATES) -> str:
    env = environment(doc.lang, templates)
    fonts = templates / "shared" / "fonts"
    regular, bold = columns.load_font(fonts / "DejaVuSans.ttf"), columns.load_font(fonts / "DejaVuSans-Bold.ttf")

    def print_widths(t: TableView) -> list[float]:
        return columns.widths(t, regular, bold)

    def keep_whole(t: TableView) -> bool:
        """Whether a printed data table is kept on one page (``columns.body_lines``)."""
        return columns.body_lines(t, regular, bold) <= columns.KEEP_LINES

    try:
        template = env.get_template("index.html.j2")
        return template.render(doc=doc, L=labels, O=other, medium=medium, created=created, print_widths=print_widths,
                               keep_whole=keep_whole,
                               print_css=Markup(print_css(labels, doc)) if medium == "print" else "",
                               other_titles=other_titles)
    except jinja2.TemplateError as exc:
        raise RenderFailed(f"{doc.lang} page template: {exc}") from exc
