"""The review pack for the people who sign the report off (not for publication).

``outputs/YEAR/review/index.html`` (and ``index.cy.html``, the same page in Welsh: every word from the
catalogues' ``[review]``) answers, on one page, what a communications reviewer needs before
approving: what changed since the last run and since last year (figures beyond a threshold, new
suppressions, sections whose wording changed, page counts), data-quality warnings, every suppressed
cell and why, and thumbnails of both PDFs side by side (Welsh left, English right).

It compares published figures (``Figures.tidy_rows``) row by row; it computes no new statistic.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.config import Organisation
from pipeline.errors import Problem, tool_failed
from pipeline.figures import Figures

Key = tuple[str, str, str, str]  # kind, id, categories, measure
# A count is listed as changed when it moved by at least this percentage of last value (or the
# organisation's threshold, if larger): headcounts drift a few percent every year, which is not news.
COUNT_PERCENT = 10.0
# A ratio (relative likelihood, workforce against community) is listed when it moved by at least this
# much, or crossed 1.00 (equally likely): the points threshold for percentages never caught a ratio,
# and one that went from 0.74 to 1.26 went unlisted.
RATIO_STEP = 0.2
COUNT_MEASURES = ("count", "n_reference", "n_comparison", "n_relevant_reference", "n_relevant_comparison",
                  "outcome_x", "base_x", "outcome_y", "base_y")


@dataclass(frozen=True)
class Change:
    key: Key
    before: str  # as the pack shows it (1,219; 0.98; a reason in words)
    after: str
    what: str  # "changed", "newly_suppressed", "no_longer_suppressed", "not_calculable", "calculable", "new",
    # "gone", or "new_table" / "gone_table" (every figure of a table: before or after is how many)
    value_before: str = ""  # the figures file's own value, for a spreadsheet ("" when withheld or none)
    value_after: str = ""


def _index(rows: list[dict[str, Any]]) -> dict[Key, dict[str, Any]]:
    return {(r["kind"], r["id"], r["categories"], r["measure"]): r for r in rows}


def compare(old_rows: list[dict[str, Any]], new_rows: list[dict[str, Any]], threshold: float | None) -> list[Change]:
    """Figures that moved by at least ``threshold`` (points for percentages and gaps, percent of the
    old value for counts, ``RATIO_STEP`` or across 1.00 for ratios), or by anything at all when
    ``threshold`` is None (since the last run: the same year's figures, where every change is news);
    cells newly suppressed or released; figures that became, or stopped being, not calculable (a
    bonus gap that no man's bonus leaves blank); and figures that appeared or vanished."""
    old, new = _index(old_rows), _index(new_rows)
    out: list[Change] = []
    # a table (or pay gap, or likelihood) that one side has no figure of at all is one change, not one
    # per cell: last year's figures have no "change since last year" tables of their own, and their
    # 521 cells, each "new", buried the year's real changes
    tables_old, tables_new = Counter(k[:2] for k in old), Counter(k[:2] for k in new)
    whole = {t: ("new", n) for t, n in tables_new.items() if t not in tables_old}
    whole |= {t: ("gone", n) for t, n in tables_old.items() if t not in tables_new}
    for (kind, fid), (what, n) in sorted(whole.items()):
        out.append(Change((kind, fid, "", ""), "—" if what == "new" else str(n), str(n) if what == "new" else "—",
                          f"{what}_table"))
    for key in sorted(set(old) | set(new)):
        if key[:2] in whole:
            continue
        a, b = old.get(key), new.get(key)
        if a is None or b is None:
            out.append(_change(key, a, b, "new" if a is None else "gone"))
            continue
        if not a["suppressed"] and b["suppressed"]:
            out.append(_change(key, a, b, "newly_suppressed"))
        elif a["suppressed"] and not b["suppressed"]:
            out.append(_change(key, a, b, "no_longer_suppressed"))
        elif bool(a["not_calculable"]) != bool(b["not_calculable"]):
            out.append(_change(key, a, b, "not_calculable" if b["not_calculable"] else "calculable"))
        elif a["value"] != "" and b["value"] != "":
            va, vb = float(a["value"]), float(b["value"])
            if va != vb and (threshold is None or _moved(key[3], va, vb, threshold)):
                out.append(_change(key, a, b, "changed"))
    return out


def _change(key: Key, a: dict[str, Any] | None, b: dict[str, Any] | None, what: str) -> Change:
    def raw(row: dict[str, Any] | None) -> str:
        return "" if row is None or row["suppressed"] else str(row["value"])

    return Change(key, _shown(a), _shown(b), what, raw(a), raw(b))


def _moved(measure: str, va: float, vb: float, threshold: float) -> bool:
    if measure in COUNT_MEASURES:
        return abs(vb - va) >= abs(va) * max(threshold, COUNT_PERCENT) / 100
    if measure == "ratio":
        return abs(vb - va) >= RATIO_STEP or (va - 1) * (vb - 1) < 0
    return abs(vb - va) >= threshold


def _shown(row: dict[str, Any] | None) -> str:
    if row is None:
        return "—"
    if row["suppressed"]:
        return f"[suppressed: {row['suppressed']}]"
    if row["not_calculable"]:
        return f"[not calculable: {row['not_calculable']}]"
    v = row["value"]
    try:
        if row.get("measure") == "ratio":  # as the report prints a ratio (1.0 hid 0.98 against 1.02)
            return f"{float(v):,.2f}"
        return f"{float(v):,.1f}" if "." in str(v) else f"{int(v):,}"
    except ValueError:
        return str(v)


def _poppler(tool: str, pdf: Path | None, *options: str, after: tuple[str, ...] = (), timeout: float = 60) -> str:
    """What one of poppler's tools (``pdfinfo``, ``pdftotext``) prints for a PDF; empty without the
    PDF or the tool, or when it fails or hangs (the review pack then goes without what it would have
    read: not worth failing a run)."""
    if pdf is None or not pdf.exists() or shutil.which(tool) is None:
        return ""
    try:
        return subprocess.run([tool, *options, str(pdf), *after], capture_output=True, text=True,
                              timeout=timeout).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def _pdfinfo(pdf: Path | None, *options: str) -> str:
    return _poppler("pdfinfo", pdf, *options)


# a page with fewer words than this besides its running head and page number is nearly empty: the
# Welsh sample's objectives put one two-line bullet on a page of its own (20 words), before a section
# that starts a new page; the shortest full page of either sample PDF holds over a hundred
NEARLY_EMPTY_WORDS = 30
_WATERMARK = re.compile(r"^[DRAFT/]+$")  # the draft watermark's letters come out of pdftotext one by one


def nearly_empty_pages(pdf: Path | None) -> list[int]:
    """Pages (from 1) other than the last that hold next to nothing: a comms reviewer can move the break
    by a little less (or more) text before it. Empty without the PDF or pdftotext."""
    pages = _poppler("pdftotext", pdf, "-layout", after=("-",), timeout=120).split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    out = []
    for n, page in enumerate(pages[:-1], start=1):
        lines = [ln for ln in page.splitlines() if ln.strip()][1:-1]  # less the running head and the foot
        words = [w for ln in lines for w in ln.split() if not _WATERMARK.fullmatch(w)]
        if len(words) < NEARLY_EMPTY_WORDS:
            out.append(n)
    return out


def _page_count(pdf: Path) -> int | None:
    """Pages of a PDF (poppler's pdfinfo; WeasyPrint compresses the page tree, so no regex will do)."""
    m = re.search(r"^Pages:\s+(\d+)", _pdfinfo(pdf), re.M)
    return int(m.group(1)) if m else None


def page_anchors(pdf: Path | None) -> dict[str, int]:
    """The page of every named place in a PDF (poppler's ``pdfinfo -dests``): WeasyPrint names one
    for each element with an id, and both languages give their sections, tables and charts the same
    ids. Empty without pdfinfo (the pages are then paired in turn)."""
    found: dict[str, int] = {}
    for m in re.finditer(r'^\s*(\d+)\s+\[[^\]]*\]\s+"(.*)"$', _pdfinfo(pdf, "-dests"), re.M):
        found.setdefault(m.group(2), int(m.group(1)))
    return found


def page_of(kind: str, fid: str, anchors: Mapping[str, int]) -> int | None:
    """The PDF page where a figure's table (pay gap, likelihood table) starts, from the ids the report
    gives them (``table-profile-sex``, ``paygap-gender-officer``, ``recruitment-likelihood``)."""
    slug = re.sub(r"[^a-z0-9]+", "-", fid.lower()).strip("-")
    name = {"table": f"table-{slug}", "pay_gap": f"paygap-{slug}"}.get(kind, f"{fid.split('.')[0]}-likelihood")
    return anchors.get(name)


def pair_pages(cy: int, en: int, anchors_cy: Mapping[str, int], anchors_en: Mapping[str, int]
               ) -> list[tuple[int | None, int | None]]:
    """The two PDFs' pages side by side, each Welsh page beside the English page that holds the same
    content: (Welsh page, English page), either None where the other language has no page there.

    Pairing by page number put Welsh page 8 (the workforce profile) beside English page 8 (its
    second page) for the rest of the report once the longer Welsh text took one more page. Here the
    places both PDFs name (``page_anchors``: sections, tables, charts) are matched: the largest set
    of them in the same order in both, so that a stray one cannot pull the pages out of step. A page
    whose first matched place starts on a later page of the other language stands alone, as does one
    the other language has no room for; pages with no place of their own (a long table running on)
    are paired in turn."""
    marks = sorted((anchors_cy[k], anchors_en[k]) for k in anchors_cy.keys() & anchors_en.keys()
                   if 1 <= anchors_cy[k] <= cy and 1 <= anchors_en[k] <= en)
    # the longest chain of marks in the same order in both (no English page goes back): O(n^2) for the
    # few hundred places of a report
    best = [1] * len(marks)
    before = [-1] * len(marks)
    for i, (_, e) in enumerate(marks):
        for j in range(i):
            if marks[j][1] <= e and best[j] + 1 > best[i]:
                best[i], before[i] = best[j] + 1, j
    chain: list[tuple[int, int]] = []
    i = max(range(len(marks)), key=best.__getitem__) if marks else -1
    while i >= 0:
        chain.append(marks[i])
        i = before[i]
    starts_cy: dict[int, int] = {}  # a Welsh page -> the English page its first matched place is on
    starts_en: dict[int, int] = {}
    for c, e in sorted(chain):
        starts_cy.setdefault(c, e)
    for c, e in sorted(chain, key=lambda m: (m[1], m[0])):
        starts_en.setdefault(e, c)
    pairs: list[tuple[int | None, int | None]] = []
    c = e = 1
    while c <= cy or e <= en:
        if e > en or (c <= cy and starts_en.get(e, c) > c and starts_cy.get(c, e) <= e):
            pairs.append((c, None))  # the English page's content begins on a later Welsh page
            c += 1
        elif c > cy or starts_cy.get(c, e) > e:
            pairs.append((None, e))
            e += 1
        else:
            pairs.append((c, e))
            c, e = c + 1, e + 1
    return pairs


def _pages_counted(release: Path) -> dict[str, int]:
    """The page counts a release's own review recorded (``review/summary.json``), so that the last
    run's PDFs need not be opened again; empty when it has none."""
    try:
        summary = json.loads((release / "review" / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    pages = summary.get("pages") if isinstance(summary, dict) else None
    return {lang: n for lang, n in pages.items() if isinstance(n, int) and n > 0} if isinstance(pages, dict) else {}


def _published_text(path: Path) -> str:
    """A page of the last published release, or "" when it is gone or unreadable: a release damaged
    by hand (a page saved again as Windows-1252) stopped every later run with a traceback, when it
    only means there is less to compare with."""
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _section_texts(html_path: Path) -> dict[str, str]:
    """Visible text of each <section id=...> of a rendered page, to spot wording changes."""
    text = _published_text(html_path)
    out = {}
    for m in re.finditer(r'<section[^>]*\bid="([^"]+)"[^>]*>(.*?)</section>', text, re.S):
        out[m.group(1)] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(2))).strip()
    return out


_NUMBER = re.compile(r"[+\-\u2212]?\d[\d.,]*%?")


def _words(text: str | None) -> str | None:
    """A section's text with each number (and its sign and per cent) as one placeholder."""
    return None if text is None else _NUMBER.sub("#", text)


def _section_titles(html_path: Path) -> dict[str, str]:
    """The title (``<h2 id="<section>-title">``) of each section of a rendered page: a commentary
    section's title is its own first heading, which no catalogue holds."""
    text = _published_text(html_path)
    return {m.group(1): html.unescape(re.sub(r"<[^>]+>", "", m.group(2))).strip()
            for m in re.finditer(r'<h2[^>]*\bid="([^"]+)-title"[^>]*>(.*?)</h2>', text, re.S)}


def thumbnails(pdfs: dict[str, Path | None], out_dir: Path) -> dict[str, list[Path]]:
    """Page images at thumbnail resolution (poppler's pdftoppm), ``<lang>-NN.jpg``; the languages are
    drawn at the same time (one process each). Empty lists when pdftoppm is not installed.

    JPEG, not PNG: at 30 dpi a page is a picture to recognise, not text to read, and PNG's compression
    was two thirds of pdftoppm's time (1.3 s against 0.4 s for a 54-page report)."""
    todo = {lang: p for lang, p in pdfs.items() if p is not None and p.exists()}
    if not todo or shutil.which("pdftoppm") is None:
        return {lang: [] for lang in pdfs}
    out_dir.mkdir(parents=True, exist_ok=True)
    procs = {lang: subprocess.Popen(["pdftoppm", "-jpeg", "-jpegopt", "quality=85", "-r", "30",
                                     str(p), str(out_dir / lang)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for lang, p in todo.items()}
    for lang, proc in procs.items():
        _, err = proc.communicate(timeout=300)
        if proc.returncode != 0:
            raise tool_failed("pdftoppm (the review pack's page thumbnails)", proc.returncode, err, out_dir)
    return {lang: sorted(out_dir.glob(f"{lang}*.jpg")) if lang in todo else [] for lang in pdfs}


def build_review(staged: Path, figures: Figures, *, last_run: Path | None, last_year: Figures | None,
                 threshold: float, warnings: Sequence[Problem], pdf_warnings: Sequence[str] = (),
                 organisation: Organisation | None = None, inputs: Mapping[str, str] | None = None) -> Path:
    """Write ``review/`` into the staged release and return its index page. ``organisation`` names
    the workforce groups and grades (without it their codes are shown); ``inputs`` are the run's
    input files and their checksums, to name those that changed since the last run."""
    review = staged / "review"
    review.mkdir(parents=True, exist_ok=True)
    rows = figures.tidy_rows()
    since_run: list[Change] | None = None
    run_rows: list[dict[str, Any]] = []
    if last_run is not None and (last_run / "data" / "figures.csv").exists():
        try:  # a damaged last release is nothing to compare with, not a reason to stop
            with (last_run / "data" / "figures.csv").open(encoding="utf-8") as fh:
                run_rows = list(csv.DictReader(fh))
            since_run = compare(run_rows, rows, None)  # the same year: every change
        except (OSError, UnicodeDecodeError, csv.Error, KeyError, ValueError, TypeError):
            run_rows, since_run = [], None
    year_rows = last_year.tidy_rows() if last_year is not None else []
    since_year = compare(year_rows, rows, threshold) if last_year is not None else None
    # what each row's categories are categories of (``sex|ethnicity``), so each code is named as a
    # category of its own dimension ("no" is "Not disabled" only under disability)
    dims = {(r["kind"], r["id"], r["categories"]): r.get("dimensions") or "" for r in (*run_rows, *year_rows, *rows)}
    suppressed = [r for r in rows if r["suppressed"]]

    changed_inputs = _inputs_changed(last_run, inputs)
    pdfs = {lang: next(iter(sorted((staged / lang).glob("*.pdf"))), None) for lang in ("cy", "en")}
    # the text of each PDF is read (pdftotext) while its thumbnails are drawn: each is a process of its own
    with ThreadPoolExecutor(max_workers=len(pdfs)) as pool:
        reading = {lang: pool.submit(nearly_empty_pages, pdf) for lang, pdf in pdfs.items()}
        thumbs = thumbnails(pdfs, review / "pages")
        sparse = {lang: job.result() for lang, job in reading.items()}
    anchors = {lang: page_anchors(pdfs[lang]) for lang in ("cy", "en")}
    side_by_side = pair_pages(len(thumbs["cy"]), len(thumbs["en"]), anchors["cy"], anchors["en"])
    # the pages whose figures changed since the last run: what the sign-off team should look at again
    changed_pages = {lang: {n for c in since_run or () if (n := page_of(c.key[0], c.key[1], anchors[lang]))}
                     for lang in ("cy", "en")}
    # pdftoppm draws one image per page, so the thumbnails count the pages; pdfinfo only without them
    pages_now = {lang: len(thumbs[lang]) if thumbs[lang] else (_page_count(p) if p else None)
                 for lang, p in pdfs.items()}
    pages_before: dict[str, int | None] = {}
    wording: list[str] = []
    if last_run is not None:
        counted = _pages_counted(last_run)
        for lang in ("cy", "en"):
            old_pdf = next(iter(sorted((last_run / lang).glob("*.pdf"))), None) if (last_run / lang).exists() else None
            pages_before[lang] = counted.get(lang) or (_page_count(old_pdf) if old_pdf else None)
            old_s, new_s = _section_texts(last_run / lang / "index.html"), _section_texts(staged / lang / "index.html")
            # the words, not the figures (those are listed as figures): with every number in them,
            # every section whose figures moved was listed as reworded too
            wording += [f"{lang}: {sid}" for sid in sorted(set(old_s) | set(new_s))
                        if _words(old_s.get(sid)) != _words(new_s.get(sid))]

    with (review / "changes.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["compared_with", "what", "kind", "id", "categories", "measure", "before", "after",
                    "value_before", "value_after"])
        for label, changes in (("last_run", since_run or []), ("last_year", since_year or [])):
            for c in changes:
                w.writerow([label, c.what, *c.key, c.before, c.after, c.value_before, c.value_after])

    from pipeline.report.labels import load_catalogue

    catalogues = {lang: load_catalogue(lang) for lang in ("cy", "en")}
    files, no_bonus = _files(staged, pdfs), bonus_vanished(figures, last_year)  # the same in both packs
    pdf_names = {lang: pdf.name for lang, pdf in pdfs.items() if pdf is not None}
    for lang, name in (("en", "index.html"), ("cy", "index.cy.html")):  # the same page in each language
        names = Names(organisation, dims, {**figures.settings, "year": figures.year}, lang, catalogues)
        names.section_titles = _section_titles(staged / lang / "index.html")
        page = _render(figures, since_run, since_year, suppressed, pages_now, pages_before, wording, thumbs,
                       side_by_side, review,
                       threshold, list(warnings), list(pdf_warnings), names, files=files,
                       sparse=sparse, changed_inputs=changed_inputs, no_bonus=no_bonus,
                       pdf_names=pdf_names, changed_pages=changed_pages)
        (review / name).write_text(page, encoding="utf-8")
    (review / "summary.json").write_text(json.dumps({
        "changes_since_last_run": None if since_run is None else len(since_run),
        "changes_since_last_year": None if since_year is None else len(since_year),
        "suppressed_cells": len(suppressed),
        "pages": pages_now,
        "pdf_layout_problems": list(pdf_warnings),
        "nearly_empty_pages": sparse,
        "inputs_changed_since_last_run": changed_inputs,
        "gov_uk_refused": [f"{w.column}: {w.allowed}" for w in warnings if w.code == "gov_uk_refused"],
        "sections_reworded": wording,
    }, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return review / "index.html"


def _inputs_changed(last_run: Path | None, inputs: Mapping[str, str] | None) -> list[str] | None:
    """The input files (by name: never a value) added, removed or changed since the last run, from its
    manifest's checksums; None when there is nothing to compare with."""
    if last_run is None or inputs is None:
        return None
    try:
        before = json.loads((last_run / "manifest.json").read_text(encoding="utf-8"))["inputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return sorted(name for name in set(before) | set(inputs) if before.get(name) != inputs.get(name))


def bonus_vanished(figures: Figures, last_year: Figures | None) -> tuple[float, float] | None:
    """Last year's shares of men and women paid a bonus (the statutory gender pay gap's), when some
    were paid one then and nobody is now: as often a pay extract whose bonus columns came out empty
    as a year without bonuses, and nothing else in the pack would say so (the gaps just go blank)."""
    def shares(f: Figures | None) -> tuple[float, float] | None:
        g = next((g for g in (f.pay_gaps if f is not None else ()) if g.id == "gender"), None)
        if g is None or not (g.bonus_pct_reference.shown and g.bonus_pct_comparison.shown):
            return None
        return float(g.bonus_pct_reference.value or 0), float(g.bonus_pct_comparison.value or 0)

    before, now = shares(last_year), shares(figures)
    return before if before and now == (0.0, 0.0) and any(before) else None


def _files(staged: Path, pdfs: Mapping[str, Path | None]) -> list[tuple[str, str, dict[str, Any]]]:
    """What the pack links to, as (catalogue key, link from review/, placeholders): each language's web
    page and PDF, the data, this pack's changes, and the one-page summary (its image and alt text)."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    for lang in ("cy", "en"):
        if (staged / lang / "index.html").exists():
            out.append(("file_web", f"../{lang}/index.html", {"lang": lang}))
        if pdfs.get(lang) is not None:
            out.append(("file_pdf", f"../{lang}/{pdfs[lang].name}", {"lang": lang}))
    if (staged / "data" / "figures.csv").exists():
        out.append(("file_figures", "../data/figures.csv", {}))
    out.append(("file_changes", "changes.csv", {}))
    for png in sorted((staged / "summary").glob("*.png")):
        out.append(("file_summary", f"../summary/{png.name}", {}))
        if (alt := png.with_suffix(".alt.txt")).exists():  # Welsh then English: linked, not quoted as an alt
            out.append(("file_summary_alt", f"../summary/{alt.name}", {}))
    return out


class Names:
    """The review pack's words in one language: its own (``review.*``) and the names of ids and codes,
    from the report's catalogue (the reviewer reads words, not ``accessing_training.disability``); a
    code without a label is shown as it is.

    A category is named as the report names it: under its own dimension (``dims``: what the
    categories of each row are, by kind, id and categories), workforce groups and grades from
    ``organisation.toml``."""

    # dimensions whose categories are labelled ``<dimension>.<code>`` rather than ``cat.<dimension>.<code>``
    OWN_NAMESPACES = frozenset({"group", "quartile"})

    def __init__(self, organisation: Organisation | None = None,
                 dims: dict[tuple[str, str, str], str] | None = None, settings: dict[str, Any] | None = None,
                 lang: str = "en", catalogues: Mapping[str, Mapping[str, str]] | None = None) -> None:
        from pipeline.report.labels import load_catalogue

        # both languages' catalogues (given once for the two packs, else read here)
        catalogues = catalogues or {code: load_catalogue(code) for code in ("cy", "en")}
        self.lang = lang
        self.org = organisation
        self.dims = dims or {}
        # what a reason's words may name ("fewer than {threshold}"), as the report fills them in
        settings = settings or {}
        self.values = {"threshold": settings.get("suppression_threshold"), "min_group_size": settings.get("min_group_size")}
        self.section_titles: dict[str, str] = {}  # each section's title on the rendered page of this language
        self.c = catalogues[lang]
        # each language by its name in this pack's language ("Saesneg" in the Welsh pack, not "English")
        self.languages = {code: self.c[f"review.language.{code}"] for code in catalogues}
        # what the report's labels may name ("Number {previous_year}", "level {welsh_level} or above")
        year = settings.get("year")
        self.context = {"previous_year": year - 1 if isinstance(year, int) else "",
                        "welsh_level": settings.get("welsh_speaker_min_level", "")}
        # the category labels of each code (``cat.<dimension>.<code>``), in catalogue order: looked up
        # for every changed and withheld cell, so indexed once rather than searched each time
        self.cats: dict[str, list[str]] = {}
        for k in self.c:
            if k.startswith("cat."):
                self.cats.setdefault(k.rsplit(".", 1)[1], []).append(k)

    def _get(self, *keys: str) -> str | None:
        """The first of ``keys`` the catalogue has words for, its placeholders filled in from the
        report's context (a label with a placeholder the pack cannot fill is passed over)."""
        for k in keys:
            words = self.c.get(k, "")
            if not words.strip():
                continue
            try:
                return words.format(**self.context)
            except (KeyError, IndexError, ValueError):
                continue
        return None

    def text(self, key: str, **values: Any) -> str:
        """The review pack's own words (``review.<key>``); the catalogue check makes sure both languages
        have every one, so a key missing here is a bug, raised. Counts are grouped in thousands, as
        the report prints them (3,421, not 3421)."""
        return self.c[f"review.{key}"].format(**{k: v if k in ("year", "row") else _count(v) for k, v in values.items()})

    def section(self, kind: str, fid: str) -> str:
        if kind != "table":
            return self._get({"pay_gap": "section.pay_gaps.title", "likelihood": "likelihood.heading"}.get(kind, "")) or kind
        sec = fid.split(".")[0]
        return self._get(f"section.{sec}.title") or sec

    def figure(self, kind: str, fid: str) -> str:
        if kind == "pay_gap":
            title = self._get(f"paygap.{fid}.title")
            if title is None and fid.startswith("gender."):  # one workforce group's, titled as the report does
                title = self.c["paygap.gender_group.title"].format(
                    group=self.category("workforce_group", fid.split(".", 1)[1]))
            return title or fid
        if kind == "table" and "." in fid:
            by = fid.split(".", 1)[1]
            # the report's own title of the table, else "<section>: by <dimension>" (the dimension as
            # the report writes it: lower-casing "Welsh language level" wrote "welsh")
            return self._get(f"table.{fid}.title") or self.text("by_dimension", section=self.section(kind, fid),
                                                                 dimension=self.dimension(by))
        return self._get(f"likelihood.{fid}.title", f"likelihood.{fid.split('.')[0]}.title") or fid

    def category(self, dim: str, code: str) -> str:
        if self.org is not None and dim in ("workforce_group", "grade"):
            entry = (self.org.groups if dim == "workforce_group" else self.org.grades).get(code)
            if entry is not None:
                return entry.name_cy if self.lang == "cy" else entry.name_en
        own = f"{dim}.{code}" if dim in self.OWN_NAMESPACES else f"cat.{dim}.{code}"
        return self._get(own, *self.cats.get(code, ())) or code

    def categories(self, kind: str, fid: str, cats: str) -> str:
        dims = self.dims.get((kind, fid, cats), "").split("|")  # a pay gap's two groups share "group"
        return " × ".join(self.category(dims[min(i, len(dims) - 1)], code)
                          for i, code in enumerate(cats.split("|")) if code)

    def value(self, shown: str) -> str:
        """A value as ``compare`` shows it, with a withheld or not-calculable cell's reason in words."""
        m = re.fullmatch(r"\[(suppressed|not calculable): (\w+)\]", shown)
        if m is None:
            return shown
        kind, code = m.groups()
        words = self.c.get(f"{kind.replace(' ', '_')}.{code}", "")
        try:
            words = words.format(**{k: v for k, v in self.values.items() if v is not None})
        except (KeyError, IndexError, ValueError):  # a placeholder the review cannot fill
            words = ""
        reason, said = self.reason(code), self.text("withheld" if kind == "suppressed" else "not_calculable")
        return words.strip() or (said if reason == said else f"{said}: {reason}")

    def fact(self, key: str) -> str:
        """A data-quality fact's name (a fact the catalogue does not name yet reads as its key)."""
        return self._get(f"review.fact.{key}") or key.replace("_", " ").capitalize()

    def warning(self, problem: Problem) -> str:
        """A validation warning in this language (``review.warning.<code>``, filled in with the problem's
        file, column, row and count; ``<code>_unnamed`` when the problem names no column); one the
        catalogue has no words for yet reads as the run logged it."""
        key = f"review.warning.{problem.code}"
        words = (problem.column is None and self.c.get(f"{key}_unnamed")) or self.c.get(key)
        if not words:
            return English(problem.render())
        return words.format(file=problem.file, column=problem.column, row=problem.row, count=_count(problem.count))

    def reworded(self, entry: str) -> str:
        """"cy: actions" (a language and a section id, as summary.json keeps it) in words: the
        language and the section's title in this pack's language."""
        lang, _, sid = entry.partition(": ")
        title = self.section_titles.get(sid) or self._get(f"section.{sid}.title") or sid
        return f"{self.languages.get(lang, lang)}: {title}"

    def reason(self, code: str) -> str:
        return (self._get(f"review.reason.{code}", f"suppressed.{code}", f"not_calculable.{code}")
                or code.replace("_", " "))

    def table(self, columns: list[str], rows: list[list[str]], caption: str) -> str:
        """``_table`` with the columns named (``review.col.<column>``) and "none" in this language."""
        return _table([self.text(f"col.{c}") for c in columns], rows, caption, self.text("none"))

    def dimension(self, dim: str) -> str:
        return self._get(f"dim.{dim}") or dim.replace("_", " ")

    def measure(self, kind: str, m: str, fid: str = "", cats: str = "") -> str:
        """A measure as the report names it; a pay gap's bonus share by its group ("Women: share who
        received bonus pay", as the report's table says it; "first group" left the reader to guess)."""
        if kind == "pay_gap" and m in ("bonus_pct_reference", "bonus_pct_comparison") and "|" in cats:
            code = cats.split("|")[0 if m.endswith("reference") else 1]
            group = self.category(self.dims.get((kind, fid, cats), "").split("|")[0], code)
            return self.c["paygap.bonus_pct"].format(group=group)
        own = f"likelihood.col.{m}" if kind == "likelihood" else f"paygap.{m}" if kind == "pay_gap" else f"measure.{m}"
        return self._get(own, f"review.measure.{m}") or m.replace("_", " ")


def _merged(warnings: Sequence[Problem]) -> list[Problem]:
    """One line per kind of warning in a file and column, counting the rows it stands for: the
    reviewer needs "dates of birth giving an age under 16 (23)", not 23 lines naming rows the log
    already lists."""
    groups: dict[tuple[str, str, str | None], list[Problem]] = {}
    for w in warnings:
        groups.setdefault((w.code, w.file, w.column), []).append(w)
    return [replace(ws[0], row=None, count=sum(w.count or 1 for w in ws)) for ws in groups.values()]


class English(str):
    """Text quoted as the run logged it, in English (a PDF layout problem, a warning the catalogue has
    no words for yet): a table cell marks it ``lang="en"``, so the Welsh pack's reader hears it in
    English (WCAG 3.1.2)."""


def _quality_fact(key: str, value: Any, names: Names) -> str | English:
    """One data-quality fact's value: the extracts are named as their files are (employees, pay ...),
    English names said in English; a table left out (``tables_not_published``) by its title."""
    if key == "extracts_supplied":
        return English(_fact(value, names))
    if key == "tables_not_published":
        return ", ".join(names.figure("table", fid) for fid in value) or names.text("none")
    return _fact(value, names)


def _fact(value: Any, names: Names) -> str:
    """A data-quality fact as a reviewer reads it: a disclosure rate per characteristic as a
    percentage ("Disability 85.2%"), counts by reason in words, lists joined; never raw JSON."""
    if isinstance(value, dict) and set(value) == {"value", "suppressed", "not_calculable"}:  # one Cell
        return names.text("withheld") if value.get("value") is None else _fact(value["value"], names)
    if isinstance(value, dict) and len(value) == 1 and all(isinstance(v, int) for v in value.values()):
        return _count(next(iter(value.values())))  # one reason: the fact's own name says it ("withheld 947")
    if isinstance(value, dict):
        parts = []
        for key, v in value.items():
            name = names.dimension(key) if isinstance(v, dict) else names.reason(key)
            if isinstance(v, dict):  # a Cell: a percentage, or withheld
                v = f"{v['value']:.1f}%" if v.get("value") is not None else names.text("withheld")
            parts.append(f"{name} {_count(v)}")
        return ", ".join(parts) or names.text("none")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or names.text("none")
    return f"{value:,.1f}" if isinstance(value, float) else _count(value)


def _count(value: Any) -> Any:
    """A count as the report prints it, grouped in thousands (both languages use the comma)."""
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else value


def _table(headers: list[str], rows: list[list[str]], caption: str, none: str = "none") -> str:
    if not rows:
        return f"<p>{html.escape(caption)}: {html.escape(none)}.</p>"
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f'<td lang="en">{html.escape(c)}</td>' if isinstance(c, English)
                                    else f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _changes_table(changes: list[Change] | None, caption: str, absent: str, names: Names) -> str:
    if changes is None:
        return f"<p>{html.escape(absent)}</p>"
    rows = [[names.text(f"what.{c.what}"), names.figure(c.key[0], c.key[1]), names.categories(*c.key[:3]),
             names.measure(c.key[0], c.key[3], c.key[1], c.key[2]), names.value(c.before), names.value(c.after)]
            for c in changes]
    return names.table(["what", "figure", "categories", "measure", "before", "after"], rows, caption)


HEADLINE_MEASURES = {"mean_hourly_gap", "median_hourly_gap", "pct_all", "pct_stated", "ratio"}


def _headline(c: Change) -> bool:
    """The figures a reader of the report sees first: pay gaps (every statutory measure of the
    gender pay gap, which is filed with GOV.UK), the workforce profile, likelihood ratios."""
    kind, fid, _, measure = c.key
    if kind == "pay_gap":
        return fid == "gender" or measure in ("mean_hourly_gap", "median_hourly_gap")
    if kind == "likelihood":
        return measure == "ratio"
    return fid.startswith("profile.") and measure in HEADLINE_MEASURES


def _changes_block(changes: list[Change] | None, caption: str, absent: str, names: Names) -> str:
    """Headline changes in full, then every change behind a disclosure widget."""
    if not changes:
        return _changes_table(changes, caption, absent, names)
    head = [c for c in changes if _headline(c)]
    return (_changes_table(head, names.text("headline", caption=caption), absent, names)
            + f"<details><summary>{html.escape(names.text('all_changes', n=len(changes)))}</summary>"
            + _changes_table(changes, caption, absent, names) + "</details>")


def _attention(since_run: list[Change] | None, since_year: list[Change] | None, names: Names,
               pdf_warnings: list[str], warnings: Sequence[Problem] = (),
               sparse: Mapping[str, list[int]] | None = None, changed_inputs: list[str] | None = None,
               no_bonus: tuple[float, float] | None = None) -> str:
    """The first thing a reviewer reads: what the GOV.UK service would refuse, what the PDFs got
    wrong (and pages left nearly empty), validation's warnings, how many figures moved, per
    section, and what became hidden."""
    items = []
    if refused := [w for w in warnings if w.code == "gov_uk_refused"]:
        # the service's own words, in English as it says them (a Welsh reader hears them in English)
        checks = "".join(f'<li lang="en"><code>{html.escape(w.column or "")}</code>: {html.escape(w.allowed or "")}</li>'
                         for w in refused)
        items.append(f"<li><strong>{html.escape(names.text('gov_uk_refused', n=len(refused)))}</strong>"
                     f"<ul>{checks}</ul></li>")
    if pdf_warnings:
        items.append(f"<li><strong>{html.escape(names.text('layout_problems', n=len(pdf_warnings)))}</strong> "
                     f"{html.escape(names.text('layout_problems_more'))}</li>")
    if where := [f"{names.languages[lang]} {', '.join(map(str, pages))}" for lang, pages in (sparse or {}).items() if pages]:
        items.append(f"<li>{html.escape(names.text('nearly_empty', pages='; '.join(where)))}</li>")
    if no_bonus is not None:
        said = names.text("bonus_vanished", men_pct=f"{no_bonus[0]:.1f}", women_pct=f"{no_bonus[1]:.1f}")
        items.append(f"<li>{html.escape(said)}</li>")
    if changed_inputs is not None:  # what the reviewer's colleagues changed, which the figures below follow from
        files = ", ".join(changed_inputs) if changed_inputs else names.text("none")
        items.append(f"<li>{html.escape(names.text('inputs_changed', files=files))}</li>")
    if told := [w for w in warnings if w.code != "gov_uk_refused"]:
        items.append(f"<li>{html.escape(names.text('warnings_attention', n=len(_merged(told))))}</li>")
    # what organisation.toml leaves out, which no figure shows: a reader who needs large print with
    # no way to ask for it, a PDF sending readers to a web version it cannot name
    contact = names.org.contact if names.org is not None else None
    if contact is not None and not contact.reachable:
        items.append(f"<li>{html.escape(names.text('no_contact'))}</li>")
    if contact is not None and not contact.web:
        items.append(f"<li>{html.escape(names.text('no_web_address'))}</li>")
    for label, changes in (("changed_since_run", since_run), ("changed_since_year", since_year)):
        if not changes:
            continue
        per: dict[str, int] = {}
        for c in changes:
            per[names.section(c.key[0], c.key[1])] = per.get(names.section(c.key[0], c.key[1]), 0) + 1
        hidden = sum(c.what == "newly_suppressed" for c in changes)
        shown = sum(c.what == "no_longer_suppressed" for c in changes)
        parts = ", ".join(f"{sec} ({n})" for sec, n in sorted(per.items(), key=lambda kv: -kv[1]))
        items.append(f"<li><strong>{html.escape(names.text(label, n=len(changes)))}</strong>: {html.escape(parts)}. "
                     f"{html.escape(names.text('hidden_shown', hidden=hidden, shown=shown))}</li>")
    nothing = "" if since_run or since_year else f"<p>{html.escape(names.text('nothing_to_compare'))}</p>"
    return ("<ul>" + "".join(items) + "</ul>" if items else "") + nothing


# the data-quality facts from the whole to its parts, then what they are about (they were in the order
# of their codes, which read as no order at all)
_FACT_ORDER = {k: i for i, k in enumerate((
    "extracts_supplied", "workforce_in_post", "employees_in_post", "employees_in_post_with_pay_row",
    "employees_in_post_without_pay_row", "pay_rows", "pay_rows_not_full_pay", "hourly_pay_outliers_low",
    "hourly_pay_outliers_high", "disclosure_rate", "community_rows_unused", "suppressed_counts",
    "tables_not_published"))}


def _render(figures: Figures, since_run: list[Change] | None, since_year: list[Change] | None,
            suppressed: list[dict[str, Any]], pages_now: dict[str, int | None], pages_before: dict[str, int | None],
            wording: list[str], thumbs: dict[str, list[Path]], side_by_side: list[tuple[int | None, int | None]],
            review: Path, threshold: float,
            warnings: list[Problem], pdf_warnings: list[str], names: Names,
            files: Sequence[tuple[str, str, dict[str, Any]]] = (), sparse: Mapping[str, list[int]] | None = None,
            changed_inputs: list[str] | None = None, no_bonus: tuple[float, float] | None = None,
            pdf_names: Mapping[str, str] | None = None, changed_pages: Mapping[str, set[int]] | None = None) -> str:
    t = names.text
    e = html.escape
    links, images = [], []
    for key, href, extra in files:
        words = t(key, language=names.languages.get(extra.get("lang", ""), ""))
        links.append(f'<li><a href="{e(href, quote=True)}">{e(words)}</a></li>')
        if key == "file_summary":  # the graphic itself, which the report's readers share
            images.append(f'<img src="{e(href, quote=True)}" alt="{e(t("summary_alt"), quote=True)}" width="360">')
    files_block = (f"<h2>{e(t('files'))}</h2><ul class=\"files\">{''.join(links)}</ul>{''.join(images)}") if links else ""
    # the extracts are named as their files are (employees, pay, ...): English names, said in English
    quality = [[names.fact(k), _quality_fact(k, v, names)]
               for k, v in sorted(figures.quality.items(), key=lambda kv: (_FACT_ORDER.get(kv[0], len(_FACT_ORDER)), kv[0]))]
    pages = [[names.languages[lang], str(pages_before.get(lang) or "—"), str(pages_now.get(lang) or "—")]
             for lang in ("cy", "en")]
    sup = [[names.figure(r["kind"], r["id"]), names.categories(r["kind"], r["id"], r["categories"]),
            names.measure(r["kind"], r["measure"], r["id"], r["categories"]),
            names.value(f"[suppressed: {r['suppressed']}]")] for r in suppressed]
    # how many are withheld in each table, most first: where the privacy rules bit, at a glance (the
    # list of every withheld cell runs to thousands of rows)
    per_table = Counter((r["kind"], r["id"]) for r in suppressed)
    by_table = [[names.figure(*k), f"{n:,}"] for k, n in sorted(per_table.items(), key=lambda kv: (-kv[1], kv[0]))]
    pairs = []
    for both in side_by_side:
        cells = []
        for lang, n in zip(("cy", "en"), both, strict=True):
            name = names.languages[lang]
            if n is not None and n <= len(thumbs[lang]):
                rel = thumbs[lang][n - 1].relative_to(review)
                alt = html.escape(t("page_alt", language=name, n=n), quote=True)
                img = f'<img src="{rel}" alt="{alt}">'
                if (pdf_name := (pdf_names or {}).get(lang)) is not None:  # the page itself, in the PDF
                    img = f'<a href="../{lang}/{html.escape(pdf_name, quote=True)}#page={n}">{img}</a>'
                changed = n in (changed_pages or {}).get(lang, ())
                mark = f' <strong>{html.escape(t("page_changed"))}</strong>' if changed else ""
                opening = '<figure class="changed">' if changed else "<figure>"
                cells.append(f"{opening}{img}<figcaption>{html.escape(name)} {n}{mark}</figcaption></figure>")
            else:  # this language has no page here, or (a run of one language) no PDF at all
                words = t("no_page", language=name) if thumbs[lang] else t("no_pdf", language=name)
                cells.append(f"<figure><figcaption>{html.escape(words)}</figcaption></figure>")
        pairs.append(f'<div class="pair">{"".join(cells)}</div>')
    other = "cy" if names.lang == "en" else "en"
    buf = io.StringIO()
    buf.write(f"""<!doctype html>
<html lang="{names.lang}"><head><meta charset="utf-8"><title>{e(t("head_title", year=figures.year))}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font-family:DejaVu Sans,Arial,sans-serif;max-width:70rem;margin:1rem auto;padding:0 1rem;color:#0b0c0c}}
table{{border-collapse:collapse;margin:1rem 0;font-size:.9rem}} th,td{{border:1px solid #b1b4b6;padding:.25rem .5rem;text-align:left;overflow-wrap:anywhere}}
caption{{text-align:left;font-weight:bold;padding:.25rem 0}} .pair{{display:flex;flex-wrap:wrap;gap:1rem;margin:.5rem 0}}
figure.changed{{border:3px solid #d4351c}} ul.files li{{margin:.4rem 0}} ul.files a{{display:inline-block;min-height:24px;line-height:24px}}
figure{{margin:0;border:1px solid #b1b4b6;padding:.25rem}} img{{max-width:100%;height:auto}} code{{overflow-wrap:anywhere}} .banner{{background:#d4351c;color:#fff;padding:.5rem 1rem}}
</style></head><body>
<p><a href="{e(t("other_language_file"), quote=True)}" lang="{other}" hreflang="{other}">{e(t("other_language"))}</a></p>
<p class="banner">{e(t("banner"))}
<code>python -m pipeline approve --year {figures.year} --by "{e(t("approve_by"))}"</code>.</p>
<main>
<h1>{e(t("title", year=figures.year))}</h1>
<p>{e(t("intro", points=f"{threshold:g}", percent=f"{max(threshold, COUNT_PERCENT):g}", ratio=f"{RATIO_STEP:g}"))}</p>
<h2>{e(t("attention"))}</h2>
{_attention(since_run, since_year, names, pdf_warnings, warnings, sparse or {}, changed_inputs, no_bonus)}
{files_block}
<h2>{e(t("since_run"))}</h2>
{_changes_block(since_run, t("caption_since_run"), t("absent_run"), names)}
<h3>{e(t("wording"))}</h3>
{names.table(["section"], [[names.reworded(w)] for w in wording], t("wording_caption"))}
{names.table(["language", "pages_before", "pages_now"], pages, t("pages_caption"))}
<h3>{e(t("layout"))}</h3>
{names.table(["problem"], [[English(w)] for w in pdf_warnings], t("layout_caption"))}
<h2>{e(t("since_year"))}</h2>
{_changes_block(since_year, t("caption_since_year", year=figures.year - 1), t("absent_year"), names)}
<h2>{e(t("quality"))}</h2>
{names.table(["warning"], [[names.warning(w)] for w in _merged(warnings)], t("warnings_caption"))}
{names.table(["fact", "value"], quality, t("facts_caption"))}
<h2>{e(t("suppressed"))}</h2>
<p>{e(t("withheld_count", n=len(sup)))}</p>
{names.table(["figure", "withheld"], by_table, t("withheld_by_table_caption"))}
<details><summary>{e(t("every_withheld"))}</summary>
{names.table(["figure", "categories", "measure", "reason"], sup, t("every_withheld_caption", n=len(sup)))}
</details>
<h2>{e(t("pages_side"))}</h2>
{"".join(pairs) or f"<p>{e(t('no_thumbnails'))}</p>"}
</main></body></html>
""")
    return buf.getvalue()
