"""The report room: ``Figures`` -> the bilingual equality report (HTML and tagged PDF per language).

``render_report`` is the one entry point. It computes nothing: numbers come from ``Figures``, words
from ``templates/<lang>/labels.toml``, names of groups and grades from ``organisation.toml``,
commentary from people (sanitised Markdown). Both languages are built from the same Figures in one
call, and every label either language lacks is reported at once (``MissingTranslation``) before a
single file is written.

Output, one self-contained folder per language::

    out_dir/cy/index.html                      Welsh page (links to ../en/index.html#<section>)
    out_dir/cy/adroddiad-cydraddoldeb-YEAR.pdf   Welsh tagged PDF (PDF/UA-1)
    out_dir/cy/css/report.css, css/draft.svg     stylesheet (+ watermark when draft)
    out_dir/cy/fonts/DejaVuSans*.ttf, LICENSE    the shipped font (covers ŵ ŷ â ê î ô û)
    out_dir/cy/charts/*.svg                      charts (Altair -> vl-convert)
    out_dir/en/...                               the same in English (equality-report-YEAR.pdf)

The same inputs give byte-identical files (no timestamps: the PDF's dates are the snapshot date).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from pipeline.config import Organisation
from pipeline.errors import MissingTranslation
from pipeline.figures import Figures
from pipeline.report import charts
from pipeline.report.document import Builder, Document, ensure_commentary_pairs, label_context, load_layout
from pipeline.report.html import render_page
from pipeline.report.labels import TEMPLATES, Labels, check_catalogues, load_catalogue, raise_if_missing
from pipeline.report.pdf import write_pdf

__all__ = ["render_report", "load_catalogue", "check_catalogues"]

log = logging.getLogger("pipeline.report")
BASE_LANGUAGES = ("cy", "en")


def _other(lang: str) -> str:
    return "en" if lang == "cy" else "cy"


def _watermark(labels: Labels, other: Labels) -> str:
    from xml.sax.saxutils import escape

    text = escape(f"{labels('draft.word')} / {other('draft.word')}")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="800" viewBox="0 0 600 800">'
        '<text x="300" y="400" text-anchor="middle" dominant-baseline="middle" transform="rotate(-45 300 400)" '
        f'font-family="DejaVu Sans, Verdana, sans-serif" font-size="72" font-weight="bold" fill="#000000" '
        f'fill-opacity="0.08">{text}</text></svg>\n'
    )


def render_report(
    figures: Figures,
    organisation: Organisation,
    *,
    commentary: Mapping[str, Mapping[str, str]],
    out_dir: Path,
    draft: bool = True,
    languages: Sequence[str] = ("cy", "en"),
    templates: Path | None = None,
) -> dict[str, list[Path]]:
    """Write the report in each language under ``out_dir/<lang>/``; return the files per language.

    ``templates`` replaces the ``templates/`` folder (label catalogues, layout, CSS, fonts): tests use it
    to render with a deliberately broken catalogue."""
    languages = tuple(languages)
    out_dir = Path(out_dir)
    templates = Path(templates) if templates is not None else TEMPLATES
    fonts, css_dir = templates / "shared" / "fonts", templates / "shared" / "css"
    layout = load_layout(templates)

    # 1. Catalogues: same keys, none empty, same placeholders, in every language (Welsh always).
    all_langs = tuple(dict.fromkeys(BASE_LANGUAGES + languages))
    problems = check_catalogues(all_langs, templates)
    if problems:
        raise MissingTranslation(problems)
    catalogues = {lang: load_catalogue(lang, templates) for lang in all_langs}
    ensure_commentary_pairs(commentary, languages)

    # 2. Every label these Figures need, in every language, checked at once (a quick pass that draws
    #    no chart), then every language built in memory: nothing is written until both are complete.
    charts.register_fonts(fonts)
    labels: dict[str, Labels] = {}
    for lang in all_langs:
        lb = Labels(lang, catalogues[lang], label_context(figures, organisation, lang))
        lb.context["period"] = lb.text("period")
        labels[lang] = lb

    def build(lang: str, draw: bool) -> Document:
        return Builder(figures, organisation, labels[lang], labels[_other(lang)], commentary=commentary.get(lang, {}),
                       draft=draft, layout=layout, draw_charts=draw).build()

    titles = {lang: {s.id: s.title for s in build(lang, False).sections} for lang in all_langs}
    raise_if_missing(labels.values())
    docs = {lang: build(lang, True) for lang in languages}
    raise_if_missing(labels.values())

    created = figures.snapshot_date
    pages: dict[str, tuple[str, str]] = {}
    for lang, doc in docs.items():
        other_titles = titles[_other(lang)]
        web = render_page(doc, labels[lang], labels[_other(lang)], medium="web", created=created,
                          other_titles=other_titles, templates=templates)
        printed = render_page(doc, labels[lang], labels[_other(lang)], medium="print", created=created,
                              other_titles=other_titles, templates=templates)
        pages[lang] = (web, printed)
    raise_if_missing(labels.values())

    # 3. Write each language folder, then its PDF from the written assets.
    written: dict[str, list[Path]] = {}
    for lang, doc in docs.items():
        folder = out_dir / lang
        files: list[Path] = []
        (folder / "css").mkdir(parents=True, exist_ok=True)
        (folder / "fonts").mkdir(parents=True, exist_ok=True)
        (folder / "charts").mkdir(parents=True, exist_ok=True)
        for src in sorted(fonts.iterdir()):
            if src.is_file():
                shutil.copyfile(src, folder / "fonts" / src.name)
                files.append(folder / "fonts" / src.name)
        for css in ("report.css", "screen.css"):
            shutil.copyfile(css_dir / css, folder / "css" / css)
            files.append(folder / "css" / css)
        if draft:
            (folder / "css" / "draft.svg").write_text(_watermark(labels[lang], labels[_other(lang)]),
                                                      encoding="utf-8")
            files.append(folder / "css" / "draft.svg")
        for c in doc.charts:
            path = folder / c.src
            path.write_text(c.svg, encoding="utf-8")
            files.append(path)
        web, printed = pages[lang]
        html_path = folder / "index.html"
        html_path.write_text(web, encoding="utf-8")
        pdf_path = folder / doc.pdf_name
        write_pdf(printed, base_dir=folder, target=pdf_path, roots=[templates, folder])
        written[lang] = [html_path, pdf_path, *files]
        log.info("report %s: %s, %s (%d charts)", lang, html_path.name, pdf_path.name, len(doc.charts))
    return written
