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
    out_dir/summary/crynodeb-summary-YEAR.pdf, .png  one-page bilingual summary, Welsh first (key "summary";
                                                 only when both Welsh and English are rendered)

The same inputs give byte-identical files (no timestamps: the PDF's dates are the snapshot date).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from pathlib import Path

from pipeline import stop_workers, usable_cores
from pipeline.config import Organisation
from pipeline.errors import MissingTranslation, Terminated
from pipeline.figures import Figures
from pipeline.report.document import Builder, Document, ensure_commentary_pairs, labels_for, load_layout
from pipeline.report.html import render_page
from pipeline.report.labels import TEMPLATES, Labels, check_catalogues, load_catalogue, raise_if_missing

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
    timings: dict[str, float] | None = None,
    pool: Any = None,
    meanwhile: Callable[[], None] | None = None,
    pdf_warnings: list[str] | None = None,
    cores: int | None = None,
) -> dict[str, list[Path]]:
    """Write the report in each language under ``out_dir/<lang>/``; return the files per language.

    ``templates`` replaces the ``templates/`` folder (label catalogues, layout, CSS, fonts): tests use it
    to render with a deliberately broken catalogue. ``timings``, when given, receives seconds per
    language and step (``render.cy.charts``, ``render.cy.html``, ``render.cy.pdf``, ...). ``pool``
    is a pool from ``start_render_pool`` started earlier by the caller (its workers then import while
    the caller computes); without one, a pool of up to ``cores`` processes (default: the cores this
    process may use) is started here and shut down afterwards; with one core, the languages are drawn
    here, one after the other. ``meanwhile``
    is the caller's own work, done in this process while the workers draw (before the summary); what
    it raises is raised once the languages have finished."""
    languages = tuple(languages)
    own = pool is None
    if own:
        pool = start_render_pool(languages, cores)  # its processes import while we check labels
    try:
        written = _render_report(figures, organisation, commentary=commentary, out_dir=out_dir, draft=draft,
                                 languages=languages, templates=templates, timings=timings, pool=pool,
                                 meanwhile=meanwhile or (lambda: None), pdf_warnings=pdf_warnings)
    except BaseException:
        if own and pool is not None:  # a failure or a stop: the other language is not waited for
            stop_workers(pool)
        raise
    if own and pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
    return written


def start_render_pool(languages: Sequence[str], cores: int | None = None) -> Any:
    """A pool of spawned worker processes, one per language up to ``cores`` (default: the cores this
    process may use), already importing the renderer; None on one core (the languages are then drawn
    in this process)."""
    workers = min(len(tuple(languages)), cores or usable_cores())
    return _start_pool(workers) if workers > 1 else None


def _render_report(figures: Figures, organisation: Organisation, *, commentary: Mapping[str, Mapping[str, str]],
                   out_dir: Path, draft: bool, languages: tuple[str, ...], templates: Path | None,
                   timings: dict[str, float] | None, pool: Any,
                   meanwhile: Callable[[], None], pdf_warnings: list[str] | None) -> dict[str, list[Path]]:
    out_dir = Path(out_dir)
    templates = Path(templates) if templates is not None else TEMPLATES
    layout = load_layout(templates)

    # 1. Catalogues: same keys, none empty, same placeholders, in every language (Welsh always).
    all_langs = tuple(dict.fromkeys(BASE_LANGUAGES + languages))
    problems = check_catalogues(all_langs, templates)
    if problems:
        raise MissingTranslation(problems)
    catalogues = {lang: load_catalogue(lang, templates) for lang in all_langs}
    ensure_commentary_pairs(commentary, languages)

    # 2. Every label these Figures need, in every language, checked at once (a quick pass that draws
    #    no chart), before any language is drawn or written.
    labels = {lang: labels_for(lang, catalogues[lang], figures, organisation) for lang in all_langs}

    def build(lang: str, draw: bool) -> Document:
        return Builder(figures, organisation, labels[lang], labels[_other(lang)], commentary=commentary.get(lang, {}),
                       draft=draft, layout=layout, draw_charts=draw).build()

    titles = {lang: {s.id: s.title for s in build(lang, False).sections} for lang in all_langs}
    raise_if_missing(labels.values())

    # 3. Each language drawn, laid out and written in its own process (WeasyPrint and the chart
    #    renderer are single-threaded, so two languages on two cores take the time of one). A
    #    failure in either is raised here; the caller's staging folder is discarded, so a half
    #    written language never reaches the published folder.
    jobs = [_Job(lang, figures, organisation, catalogues, dict(commentary.get(lang, {})), draft, layout,
                 titles[_other(lang)], out_dir, templates) for lang in languages]
    summary: dict[str, list[Path]] = {}

    def render_the_summary() -> None:
        """The bilingual one-page summary (needs both languages' labels, none of their files)."""
        if not set(BASE_LANGUAGES) <= set(languages):
            return
        import time

        from pipeline.report.summary import render_summary

        t0 = time.perf_counter()
        summary["summary"] = render_summary(figures, organisation, out_dir, draft=draft, templates=templates)
        if timings is not None:
            timings["render.summary"] = round(time.perf_counter() - t0, 3)

    def here() -> None:
        meanwhile()
        render_the_summary()

    if pool is None:
        meanwhile()
        results = [_render_language(j) for j in jobs]
        render_the_summary()
    else:  # the caller's work and the summary done here while the workers draw the languages
        results = _in_parallel(pool, jobs, meanwhile=here)
    for r in results:  # logged here, in the parent: a spawned worker has no log handlers
        for w in r.warnings:
            log.warning("PDF %s: %s", r.lang, w)
            if pdf_warnings is not None:  # for the review pack
                pdf_warnings.append(f"{r.lang}: {w}")
        log.info("report %s: %s (%d charts)", r.lang, ", ".join(p.name for p in r.files[:2]), r.charts)
        if timings is not None:
            timings.update({f"render.{r.lang}.{step}": round(sec, 3) for step, sec in r.timings.items()})
    written = {r.lang: r.files for r in results}
    return {**{lang: written[lang] for lang in languages}, **summary}


def _start_pool(workers: int) -> Any:
    """Spawned processes (never forked: polars and Pango hold thread pools), each importing the
    renderer at once (``_worker_start``), so the import overlaps the figures' computing here."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_worker_start)
    for _ in range(workers):
        pool.submit(int)  # a pool spawns its processes when work arrives: this starts them now
    return pool


def _worker_start() -> None:
    """Each worker, as it starts: import WeasyPrint and the charts (the parent needs neither, bar the
    summary's WeasyPrint) and draw one tiny chart to start the chart renderer's JavaScript engine
    (~0.7 s on its first chart). A failure here is left for the worker's first real chart to report.

    Once the pool is shut down, the worker leaves without the interpreter's clean-up: its results are
    sent and its files closed, and tearing down WeasyPrint's and the chart engine's objects took ~1 s
    that the run waited for."""
    import atexit

    from pipeline import exit_with_parent

    exit_with_parent()

    def leave() -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)

    atexit.register(leave)
    try:
        from pipeline.report import charts, pdf  # noqa: F401

        charts.warm_up()
    except Exception:  # noqa: BLE001 - reported by the render itself, with its context
        pass


def _in_parallel(pool: Any, jobs: list["_Job"], meanwhile: Callable[[], None]) -> list["_Rendered"]:
    """Run the language jobs on the pool, and ``meanwhile`` here; collect every language's missing
    labels before raising, so one run reports them all."""
    results: list[_Rendered] = []
    missing: list[str] = []
    first_error: BaseException | None = None
    futures = [pool.submit(_render_language, j) for j in jobs]
    try:
        meanwhile()
    except (Terminated, KeyboardInterrupt):
        raise  # stopped: the languages being drawn are not waited for
    except BaseException as exc:  # noqa: BLE001 - raised below, once the languages have finished
        first_error = exc
    for fut in futures:
        try:
            results.append(fut.result())
        except MissingTranslation as exc:
            missing.extend(exc.missing)
        except (Terminated, KeyboardInterrupt):
            raise
        except BaseException as exc:  # noqa: BLE001 - re-raised below, after the others finish
            first_error = first_error or exc
    if missing:
        raise MissingTranslation(sorted(dict.fromkeys(missing)))
    if first_error is not None:
        raise first_error
    return results


@dataclass(frozen=True)
class _Job:
    lang: str
    figures: Figures
    organisation: Organisation
    catalogues: dict[str, Mapping[str, str]]
    commentary: dict[str, str]
    draft: bool
    layout: Any
    other_titles: dict[str, str]
    out_dir: Path
    templates: Path


def _render_language(job: _Job) -> "_Rendered":
    """Draw the charts, render the web and print pages, write ``out_dir/<lang>/`` and its tagged PDF."""
    import time

    clock = time.perf_counter()
    steps: dict[str, float] = {}

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        steps[step] = now - clock
        clock = now

    lang, other = job.lang, _other(job.lang)
    fonts, css_dir = job.templates / "shared" / "fonts", job.templates / "shared" / "css"
    from pipeline.report import charts
    from pipeline.report.pdf import write_pdf

    charts.register_fonts(fonts)
    labels = {code: labels_for(code, job.catalogues[code], job.figures, job.organisation) for code in (lang, other)}
    doc = Builder(job.figures, job.organisation, labels[lang], labels[other], commentary=job.commentary,
                  draft=job.draft, layout=job.layout, draw_charts=True).build()
    lap("charts")
    created = job.figures.snapshot_date
    web = render_page(doc, labels[lang], labels[other], medium="web", created=created,
                      other_titles=job.other_titles, templates=job.templates)
    printed = render_page(doc, labels[lang], labels[other], medium="print", created=created,
                          other_titles=job.other_titles, templates=job.templates)
    raise_if_missing(labels.values())
    lap("html")

    folder = job.out_dir / lang
    files: list[Path] = []
    for sub in ("css", "fonts", "charts"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for src in sorted(fonts.iterdir()):
        if src.is_file():
            shutil.copyfile(src, folder / "fonts" / src.name)
            files.append(folder / "fonts" / src.name)
    for css in ("report.css", "screen.css"):
        shutil.copyfile(css_dir / css, folder / "css" / css)
        files.append(folder / "css" / css)
    if job.draft:
        (folder / "css" / "draft.svg").write_text(_watermark(labels[lang], labels[other]), encoding="utf-8")
        files.append(folder / "css" / "draft.svg")
    for c in doc.charts:
        path = folder / c.src
        path.write_text(c.svg, encoding="utf-8")
        files.append(path)
    html_path = folder / "index.html"
    html_path.write_text(web, encoding="utf-8")
    from pipeline.report.tablefile import tables_csv

    tables_path = folder / doc.tables_name
    tables_path.write_text(tables_csv(doc, labels[lang]), encoding="utf-8-sig")  # Excel reads ŵ only with the mark
    files.append(tables_path)
    pdf_path = folder / doc.pdf_name
    warnings = write_pdf(printed, base_dir=folder, target=pdf_path, roots=[job.templates, folder], quiet=True)
    lap("pdf")
    return _Rendered(lang, [html_path, pdf_path, *files], len(doc.charts), warnings, steps)


@dataclass(frozen=True)
class _Rendered:
    lang: str
    files: list[Path]
    charts: int
    warnings: list[str]
    timings: dict[str, float]
