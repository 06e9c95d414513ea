"""One report run, start to finish: extracts -> figures -> documents -> published folder.

This module only orchestrates; every rule lives in the room that owns it (``extracts`` validates,
``measures`` computes, ``report`` words, ``publish`` swaps folders). A run reads only what it
declares (the organisation profile, the year's extracts, last year's extracts when present, the
community figures and the commentary) and writes only its staging folder until the final swap.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import hashlib
import io
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from pipeline import __version__, stop_workers, usable_cores
from pipeline.config import Organisation, ReportingYear, code_map_column, load_organisation, read_organisation
from pipeline.errors import InvalidInput, Problem, UnsafeContent, raise_if_stopping
from pipeline.extracts import Extracts, load_extracts
from pipeline.extracts.contract import CONTRACT_VERSION
from pipeline.extracts.readers import cannot_open
from pipeline.figures import Figures
from pipeline.measures import PREVIOUS_YEAR_EXTRACTS
from pipeline.measures.paygap import GOV_UK_FILE, gov_uk_problems, gov_uk_row
from pipeline.publish import (
    apply_mode,
    clear_staging,
    intact,
    mode_of_inputs,
    publish,
    published_dir,
    release_of,
    run_lock,
    sha256_files,
    staging_dir,
)

log = logging.getLogger("pipeline")

APPROVAL_FILE = "approval.json"


def approval_digest(input_hashes: dict[str, str], templates: str) -> str:
    """What an approval signs: the inputs, the templates (the report's words and layout) and the
    pipeline's version. An approval of the inputs alone survived an edited label, so wording nobody
    had reviewed went out without the watermark."""
    return hashlib.sha256(json.dumps({"inputs": input_hashes, "templates": templates, "version": __version__},
                                     sort_keys=True).encode()).hexdigest()


def read_approval(inputs: Path, year: int, digest: str) -> dict[str, Any] | None:
    """The sign-off recorded by ``approve``, if it is for exactly these inputs.

    Approval is kept beside the inputs (not only in the outputs) so that a scheduled re-run of the
    same inputs keeps the approved, watermark-free report; any change to an input makes the report a
    draft again until someone approves it anew.
    """
    path = inputs / str(year) / APPROVAL_FILE
    if not path.exists():
        return None
    try:
        approval = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return approval if approval.get("approved_sha256") == digest else None


def approve(opts: RunOptions, by: str, on: str) -> RunResult:
    """Record sign-off of the published draft and publish it without the watermark, under the lock.

    Only the draft that was reviewed may be approved: the release the current inputs and templates
    make as a draft must be the one published. ``approve`` once signed off whatever the inputs were
    at that moment: a commentary edited after the review went out as approved. And the approval file
    is written only under the run lock (it was written first, so a refused ``approve`` still left a
    file that made the next scheduled run publish without the watermark)."""
    from pipeline.errors import NotReviewed
    from pipeline.report.labels import TEMPLATES

    with run_lock(opts.outputs, wait_seconds=opts.lock_wait):
        org, problems = load_organisation(opts.inputs / "organisation.toml")
        if org is None:
            raise InvalidInput(problems)
        hashes = _hashes(input_files(opts), opts.inputs)
        draft = dataclasses.replace(opts, draft=True, force=False)
        reviewed = release_id(hashes, draft, org.settings.as_dict(), templates_digest(TEMPLATES))
        current = opts.outputs / str(opts.year)
        if not (current.is_symlink() and release_of(current.resolve()) == reviewed):
            raise NotReviewed(f"{opts.year}: the published report is not the draft of the current inputs and "
                              "templates (changed since the review, or never published): run the report, review "
                              "it, then approve")
        write_approval(opts.inputs, opts.year, approval_digest(hashes, templates_digest(TEMPLATES)), by, on)
        return execute(dataclasses.replace(opts, locked=True, force=True))


def write_approval(inputs: Path, year: int, digest: str, by: str, on: str) -> dict[str, Any]:
    approval = {"approved_sha256": digest, "approved_by": by, "approved_on": on}
    (inputs / str(year) / APPROVAL_FILE).write_text(json.dumps(approval, indent=2, sort_keys=True) + "\n",
                                                    encoding="utf-8")
    return approval


@dataclass
class RunOptions:
    year: int
    inputs: Path
    outputs: Path
    render: bool = True  # False for the `figures` command
    draft: bool = True
    force: bool = False
    lock_wait: float = 0.0
    languages: tuple[str, ...] = ("cy", "en")
    progress: Callable[[str], None] | None = None  # called with each stage name (a terminal's progress line)
    render_cores: int | None = None  # processes drawing the languages at once (None: one per core, up to one per language)
    locked: bool = False  # the caller holds the run lock already (``approve``)

    @property
    def published_name(self) -> str:
        """The ``outputs/`` link this run publishes: ``2024`` for the report, ``2024-figures`` for a
        figures-only run, so that a figures run never replaces (unpublishes) the rendered report."""
        return str(self.year) if self.render else f"{self.year}-figures"


@dataclass
class RunResult:
    year: int
    published: Path | None
    unchanged: bool = False
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    figures: Figures | None = None


class _Timer:
    def __init__(self, progress: Callable[[str], None] | None):
        self.timings: dict[str, float] = {}
        self._progress = progress or (lambda _stage: None)
        self.started = time.perf_counter()

    def total(self) -> dict[str, float]:
        """The stages' timings and ``total``, the run's wall time (stages overlap: the data files are
        written while the languages are drawn)."""
        return {**self.timings, "total": round(time.perf_counter() - self.started, 3)}

    def stage(self, name: str) -> _Stage:
        return _Stage(self, name)


class _Stage:
    def __init__(self, timer: _Timer, name: str):
        self.timer, self.name = timer, name

    def __enter__(self) -> None:
        self.timer._progress(self.name)
        self.t0 = time.perf_counter()
        log.info("stage %s", self.name)

    def __exit__(self, *exc: object) -> None:
        self.timer.timings[self.name] = round(time.perf_counter() - self.t0, 3)


def load_inputs(opts: RunOptions, org: Organisation, timer: _Timer) -> tuple[Extracts, Extracts | None, list[Problem]]:
    """This year's extracts, and last year's that the change tables count, read at the same time (in
    two threads: polars leaves the interpreter free while it parses, and neither year alone keeps
    both cores busy)."""
    from concurrent.futures import ThreadPoolExecutor

    with timer.stage("read_validate"):
        prev_dir = opts.inputs / str(opts.year - 1)
        with ThreadPoolExecutor(max_workers=2) as both:
            # only what the year-on-year change tables count (the review pack reads the rest)
            last = (both.submit(load_extracts, opts.inputs, ReportingYear(opts.year - 1), org,
                                only=PREVIOUS_YEAR_EXTRACTS) if prev_dir.is_dir() else None)
            extracts, warnings = load_extracts(opts.inputs, ReportingYear(opts.year), org)
            previous = None
            if last is not None:
                try:
                    previous, _ = last.result()
                except InvalidInput as exc:
                    warnings.append(Problem(
                        "previous_year_invalid", f"{opts.year - 1}/", severity="warning", count=len(exc.problems),
                        message=f"last year's {' and '.join(PREVIOUS_YEAR_EXTRACTS)} extracts have "
                                f"{len(exc.problems)} problem(s); year-on-year change is left out"))
    return extracts, previous, warnings


def last_year_figures(opts: RunOptions, org: Organisation) -> Figures | None:
    """All of last year's figures, for the review pack's "since last year" (None when any of last
    year's extracts has a problem: the review then says there is nothing to compare with)."""
    from pipeline.measures import compute_figures

    try:
        extracts, _ = load_extracts(opts.inputs, ReportingYear(opts.year - 1), org)
    except InvalidInput:
        return None
    return compute_figures(extracts)


def read_commentary(inputs: Path, year: int, languages: tuple[str, ...]) -> tuple[dict[str, dict[str, str]], list[Problem]]:
    """The people-written commentary of each language, and a problem for each file that is not UTF-8
    text or cannot be opened (a Welsh file saved by an older editor as Windows-1252 is the usual one)."""
    base = inputs / str(year) / "commentary"
    out: dict[str, dict[str, str]] = {}
    problems: list[Problem] = []
    for lang in languages:
        d = base / lang
        out[lang] = {}
        for p in sorted(p for p in d.iterdir() if p.suffix.lower() == ".md") if d.is_dir() else ():  # .MD too
            shown = f"{year}/commentary/{lang}/{p.name}"
            try:
                data = p.read_bytes()
                out[lang][p.name] = data.decode("utf-8")
            except OSError as exc:
                problems += cannot_open(p, exc, shown)
            except UnicodeDecodeError as bad:
                line = data[: bad.start].count(b"\n") + 1
                problems.append(Problem("encoding", shown, row=line, message="the file is not UTF-8 text (saved as "
                                        "ANSI/Windows-1252?)", allowed="UTF-8, which keeps ŵ, ŷ and every accent"))
    return out, problems


def other_inputs(opts: RunOptions, org: Organisation) -> tuple[pl.DataFrame | None, dict[str, dict[str, str]], list[Problem]]:
    """The community benchmark and (for a rendering run) the commentary, with every problem found in
    them: they are checked before the extracts are read, and reported with the extracts' problems."""
    from pipeline.extracts.community import load_community
    from pipeline.measures.groups import community_categories

    community, problems = load_community(opts.inputs, org, community_categories())
    commentary: dict[str, dict[str, str]] = {}
    if opts.render:
        from pipeline.report.document import ensure_commentary_pairs

        commentary, found = read_commentary(opts.inputs, opts.year, opts.languages)
        problems += found
        # a file in one language without its twin in the other (03-Actions.md beside 03-actions.md) is
        # a missing translation, found before the extracts are read, and by validate too
        if not found:  # a file that could not be read is reported as such, not as a missing twin
            ensure_commentary_pairs(commentary, opts.languages)
            # and what the report would refuse (a remote image, an image without alternative text),
            # by validate as much as by a report run, before the extracts are read
            from pipeline.report.commentary import to_html

            for lang, files in commentary.items():
                for name, text in files.items():
                    to_html(text, source=f"{opts.year}/commentary/{lang}/{name}")
    return community, commentary, problems


def usable_profile(opts: RunOptions) -> Organisation:
    """The organisation's profile (``organisation.toml``), or, when it has any problem, every
    problem of the run raised at once (``despite_profile``): what a report run and ``validate``
    both start from."""
    org, problems = read_organisation(opts.inputs / "organisation.toml")
    if org is None or problems:
        raise despite_profile(opts, org, problems)
    return org


def despite_profile(opts: RunOptions, org: Organisation | None, problems: list[Problem]) -> InvalidInput:
    """Every problem of a run whose ``organisation.toml`` has ``problems``: the profile's, and those
    the extracts, community.csv and the commentary show checked against ``org``, what of the profile
    could be read (``config.read_organisation``). Fixing the profile used to reveal the extracts'
    problems only in a second round.

    A check that rests on a broken part of the profile is left out, not reported falsely: codes of
    ``workforce_group`` and ``grade`` and the pay-row checks when a group or grade is broken, a
    column's codes when its code map is; a warning says which checks wait."""
    if org is None:  # not TOML at all: nothing of it to check the extracts with, and a warning says so
        if any(p.code == "missing_folder" for p in problems):
            return InvalidInput(problems)
        return InvalidInput([*problems, Problem(
            "not_checked", "organisation.toml", severity="warning",
            message="the extracts are checked once organisation.toml can be read (their codes, groups "
                    "and grades depend on it)")])
    broken = {(p.column or "").split(".")[0] for p in problems}
    waiting: set[str] = set()
    if broken & {"workforce_groups", "grades"}:
        waiting |= {"workforce_group", "grade"}
    if "code_maps" in broken:  # the columns of the broken maps (a misspelt one's, the column it meant)
        waiting |= {col for p in problems if (p.column or "").startswith("code_maps.")
                    if (col := code_map_column(p.column.split(".", 1)[1]))}
    _, _, found = other_inputs(opts, org)
    try:
        _, warnings = load_extracts(opts.inputs, ReportingYear(opts.year), org)
        found += warnings
    except InvalidInput as exc:
        found += exc.problems + exc.warnings
    groups_wait = {"workforce_group", "grade"} <= waiting
    kept = [p for p in found if p.column not in waiting
            and not (groups_wait and p.code in ("pay_row_missing", "pay_row_extra", "grade_not_in_group"))]
    if waiting:
        kept.append(Problem("not_checked", "organisation.toml", severity="warning",
                            message="these checks of the extracts wait until organisation.toml is fixed: "
                                    + ", ".join(sorted(waiting)) + ("; the pay rows" if groups_wait else "")))
    return InvalidInput(problems + kept)


def input_files(opts: RunOptions) -> list[Path]:
    """Every file a run reads, for the manifest and the unchanged-run check.

    Of last year's folder a figures-only run reads just the extracts the change tables count
    (``PREVIOUS_YEAR_EXTRACTS``); the review pack, which reads the rest, belongs to a rendering run.
    So a figures run neither hashes last year's other files (a fifth of a 1M-employee run's 1 GB of
    inputs) nor lists them in its manifest as read, and a change to them is no new release of it."""
    from pipeline.extracts.contract import EXTRACTS
    from pipeline.extracts.readers import FORMATS

    files = [opts.inputs / "organisation.toml", opts.inputs / "community.csv"]
    for y in (opts.year, opts.year - 1):
        d = opts.inputs / str(y)
        if not d.is_dir():
            continue
        # only what a run reads: the extracts (by their names, in any case) and the commentary. Any
        # other file there (Excel's ~$employees.xlsx lock file, a note) is no input: it once made an
        # approved report a draft again, or stopped a run that could not open it
        wanted = {e.name for e in EXTRACTS if opts.render or y == opts.year or e.name in PREVIOUS_YEAR_EXTRACTS}
        found = [p for p in d.iterdir() if p.is_file() and p.suffix.lower() in FORMATS and p.stem.lower() in wanted]
        if opts.render and y == opts.year:
            found += [p for p in (d / "commentary").glob("*/*") if p.is_file() and p.suffix.lower() == ".md"]
        files += sorted(found)
    return [f for f in files if f.exists()]


def write_data(figures: Figures, data_dir: Path, org: Organisation) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    gender = figures.pay_gap("gender")
    if gender.statutory:  # the GOV.UK service's row: a body below 250 employees has nothing to submit
        row = gov_uk_row(gender, org.settings.rounding)
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(row), lineterminator="\n")
        w.writeheader()
        w.writerow(row)
        (data_dir / GOV_UK_FILE).write_text(buf.getvalue(), encoding="utf-8")
    (data_dir / "figures.json").write_text(figures.to_json(), encoding="utf-8")
    (data_dir / "figures.csv").write_text(figures.to_csv(), encoding="utf-8")


def release_id(input_hashes: dict[str, str], opts: RunOptions, settings: dict[str, Any], templates: str = "") -> str:
    """Content address of a run: same inputs, settings, templates and pipeline version -> same id."""
    h = hashlib.sha256()
    h.update(json.dumps({"inputs": input_hashes, "settings": settings, "version": __version__,
                         "contract": CONTRACT_VERSION, "render": opts.render, "draft": opts.draft,
                         "languages": opts.languages, "templates": templates}, sort_keys=True).encode())
    return h.hexdigest()[:16]


def templates_digest(root: Path) -> str:
    """One SHA-256 over every file under ``root`` (``templates/``), by relative path.

    The report's words, layout, styles and fonts make the documents as much as the extracts do: a
    Welsh editor's corrected label must give a new release, not "inputs unchanged; the published
    report stands". The folder is small (fonts included, ~2 MB), so this costs milliseconds."""
    h = hashlib.sha256()
    for rel, digest in sorted(_hashes([p for p in root.rglob("*") if p.is_file()], root).items()):
        h.update(f"{rel}\0{digest}\n".encode())
    return h.hexdigest()


def execute(opts: RunOptions) -> RunResult:
    """Run the pipeline for one organisation and one year, publishing atomically."""
    timer = _Timer(opts.progress)
    with contextlib.nullcontext() if opts.locked else run_lock(opts.outputs, wait_seconds=opts.lock_wait):
        clear_staging(opts.outputs)  # what a killed or failed run left there (no other run is at work: we hold the lock)
        org = usable_profile(opts)
        # Unchanged inputs are known from their hashes alone, before any extract is read: a scheduled
        # run over many organisations, most of them unchanged, costs a checksum each.
        files = input_files(opts)
        if closed := [q for f in files for q in _cannot_open(f, opts.inputs)]:
            raise InvalidInput(closed)
        stamps = _stamps(files)  # before hashing: a file rewritten while it is hashed is caught too
        input_hashes = _hashes(files, opts.inputs)
        from pipeline.report.labels import TEMPLATES

        wording = templates_digest(TEMPLATES)
        approval = read_approval(opts.inputs, opts.year, approval_digest(input_hashes, wording))
        if approval is not None:
            opts.draft = False
        templates = wording if opts.render else ""
        rid = release_id(input_hashes, opts, org.settings.as_dict(), templates)
        staged_name = f"{opts.year}-{rid}"  # this run's folder in .staging/
        current = opts.outputs / opts.published_name
        if not opts.force and current.is_symlink() and release_of(current.resolve()) == rid and intact(current.resolve()):
            log.info("inputs unchanged since the published run %s; nothing to do (use --force to rebuild)", rid)
            return RunResult(opts.year, current.resolve(), unchanged=True, timings=timer.timings)
        community, commentary, other_problems = other_inputs(opts, org)
        try:
            extracts, previous, warnings = load_inputs(opts, org, timer)
        except InvalidInput as exc:
            raise InvalidInput(other_problems + exc.problems + exc.warnings) from None
        if other_problems:
            raise InvalidInput(other_problems + warnings)

        # the language workers start now, so that they import the renderer while this process computes
        pool = None
        if opts.render:
            from pipeline.report import start_render_pool

            pool = start_render_pool(opts.languages, opts.render_cores)
        try:
            with timer.stage("measure"):
                from pipeline.measures import compute_figures

                figures = compute_figures(extracts, previous=previous, community=community)
            # what the GOV.UK service would refuse in the statutory row: for a person to decide
            warnings = warnings + gov_uk_problems(figures.pay_gap("gender"), org.settings.rounding)

            staged = staging_dir(opts.outputs, staged_name)

            def data() -> None:
                with timer.stage("data"):
                    write_data(figures, staged / "data", org)
                    from pipeline.audit import audit_figures  # an outsider's attack on what is about to be published

                    figures_json = (staged / "data" / "figures.json").read_text(encoding="utf-8")
                    if leaks := audit_figures(json.loads(figures_json)):
                        raise UnsafeContent("withheld counts can be recovered from the figures in: "
                                            + ", ".join(sorted({r.table for r in leaks})))

            if not opts.render:
                data()
            else:
                from concurrent.futures import ThreadPoolExecutor

                from pipeline.report import render_report

                # last year's figures for the review pack, worked out in this process while the language
                # workers draw (this process only waits for them meanwhile)
                background = ThreadPoolExecutor(max_workers=1)
                last_year = background.submit(last_year_figures, opts, org) if previous is not None else None
                background.shutdown(wait=False)
                pdf_warnings: list[str] = []
                with timer.stage("render"):  # the data files are written and audited here meanwhile
                    render_report(figures, org, commentary=commentary, out_dir=staged, draft=opts.draft,
                                  languages=opts.languages, timings=timer.timings, pool=pool, meanwhile=data,
                                  pdf_warnings=pdf_warnings, cores=opts.render_cores)
                with timer.stage("review"):
                    from pipeline.review import build_review

                    build_review(staged, figures, last_run=published_dir(opts.outputs, opts.year),
                                 last_year=last_year.result() if last_year is not None else None,
                                 threshold=org.settings.change_threshold_points,
                                 warnings=warnings, pdf_warnings=pdf_warnings,
                                 organisation=org, inputs=input_hashes)
            with timer.stage("manifest"):
                write_manifest(staged, input_hashes, org, opts, timer.timings, rid, approval)
            with timer.stage("publish"):
                raise_if_stopping()  # a stop whose exception was lost (in a __del__) still stops here
                if changed := _changed_since(stamps, opts.inputs):
                    raise InvalidInput(changed)
                apply_mode(staged, mode_of_inputs(files))
                final = publish(staged, opts.outputs, opts.published_name, rid)
        except BaseException:
            if pool is not None:  # a failure or SIGTERM: the languages being drawn are stopped, not waited for
                stop_workers(pool)
            # the failed run's work goes now, not at the next run: on a full disk it kept it full
            shutil.rmtree(opts.outputs / ".staging" / staged_name, ignore_errors=True)
            raise
        else:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
    return RunResult(opts.year, final, warnings=warnings, timings=timer.total(), figures=figures)


def _stamps(files: list[Path]) -> dict[Path, tuple[int, int, int, int]]:
    """Each input's size, modification time, inode and device, as the run found it."""
    return {f: _stamp(f) for f in files}


def _stamp(f: Path) -> tuple[int, int, int, int]:
    st = f.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev


def _changed_since(stamps: dict[Path, tuple[int, int, int, int]], base: Path) -> list[Problem]:
    """A problem for each input that changed (or went) after the run hashed it: the figures may come
    from other bytes than the manifest's checksums, which approval also trusts. An HR upload landing
    mid-run was published under the old file's checksum."""
    problems = []
    for f, before in stamps.items():
        try:
            same = _stamp(f) == before
        except OSError:
            same = False
        if not same:
            problems.append(Problem("changed_during_run", os.path.relpath(f, base),
                                    message="the file changed while the run was reading it (an upload still in "
                                            "progress?); nothing was published",
                                    allowed="run again once the file is complete"))
    return problems


def _cannot_open(path: Path, base: Path) -> list[Problem]:
    """A problem when the run's user may not read an input (before it is hashed: not a traceback)."""
    try:
        os.close(os.open(path, os.O_RDONLY))
    except OSError as exc:
        return cannot_open(path, exc, os.path.relpath(path, base))
    return []


def _hashes(files: list[Path], base: Path) -> dict[str, str]:
    """SHA-256 of each file, by its path relative to ``base`` (inputs and outputs alike)."""
    return {os.path.relpath(f, base): h for f, h in zip(files, sha256_files(files), strict=True)}


def write_manifest(staged: Path, input_hashes: dict[str, str], org: Organisation, opts: RunOptions,
                   timings: dict[str, float], rid: str, approval: dict[str, Any] | None = None) -> None:
    outputs = _hashes([p for p in sorted(staged.rglob("*")) if p.is_file() and p.name != "manifest.json"], staged)
    manifest = {
        "release": rid,
        "year": opts.year,
        "organisation": org.code,
        "pipeline_version": __version__,
        "contract_version": CONTRACT_VERSION,
        "settings": org.settings.as_dict(),
        "draft": opts.draft,
        "approval": approval,
        "inputs": dict(sorted(input_hashes.items())),
        "outputs": outputs,
        "timings_seconds": timings,
    }
    (staged / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- many organisations
def organisation_dirs(inputs: Path) -> list[Path]:
    """A shared service's inputs: one sub-folder per organisation, each with its own profile."""
    if (inputs / "organisation.toml").exists() or not inputs.is_dir():
        return []
    folders = sorted(d for d in inputs.iterdir() if d.is_dir() and not d.name.startswith("."))
    # every folder, once any has a profile: one without is reported as failed, not passed over
    return folders if any((d / "organisation.toml").exists() for d in folders) else []


@dataclass(frozen=True)
class OrgOutcome:
    organisation: str
    exit_code: int
    summary: str
    problems: tuple[Problem, ...] = ()  # every problem and warning of its inputs, as a single run lists them


def _execute_one(opts: RunOptions, log_format: str = "text", log_level: int = logging.WARNING) -> OrgOutcome:
    """Run one organisation in a worker process; never raise, so one failure can't stop the others.
    Its log lines name it, in the run's log format."""
    from pipeline.errors import ExitCode, UserError
    from pipeline.logs import for_organisation

    name = opts.inputs.name
    with for_organisation(name, log_format, log_level):
        try:
            result = execute(opts)
            what = "unchanged" if result.unchanged else f"published {opts.outputs / opts.published_name}"
            return OrgOutcome(name, int(ExitCode.OK), what, tuple(result.warnings))
        except InvalidInput as exc:
            return OrgOutcome(name, int(exc.exit_code), exc.summary(), tuple(exc.problems + exc.warnings))
        except UserError as exc:
            return OrgOutcome(name, int(exc.exit_code), exc.summary())
        except Exception as exc:  # a bug in one organisation's run: report it, keep going
            log.exception("internal error")
            return OrgOutcome(name, int(ExitCode.INTERNAL_ERROR), f"internal error ({type(exc).__name__})")


def organisation_jobs(opts: RunOptions, dirs: list[Path], cores: int) -> tuple[list[RunOptions], int]:
    """Each organisation's run, and how many run at once: one per core, up to one per organisation.

    The organisations share the cores: with as many running as there are cores, each draws its two
    languages one after the other in its own process, rather than each starting a pool of its own
    (twice the processes the machine has, each importing the renderer again): four copies of the
    sample on two cores took 55 s instead of 59-66 s, with 13% less CPU."""
    workers = max(1, min(cores, len(dirs)))
    jobs = [
        RunOptions(year=opts.year, inputs=d, outputs=opts.outputs / d.name, render=opts.render, draft=opts.draft,
                   force=opts.force, lock_wait=opts.lock_wait, languages=opts.languages,
                   render_cores=max(1, cores // workers))
        for d in dirs
    ]
    return jobs, workers


def execute_many(opts: RunOptions, workers: int | None = None, log_format: str = "text",
                 log_level: int = logging.WARNING) -> list[OrgOutcome]:
    """Render every organisation under ``opts.inputs``, in parallel up to the cores available; each
    is published atomically into ``outputs/<organisation folder>/YEAR``. Log lines name their
    organisation, in ``log_format``."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    jobs, workers = organisation_jobs(opts, organisation_dirs(opts.inputs), workers or usable_cores())
    if workers == 1:
        return [_execute_one(j, log_format, log_level) for j in jobs]
    # "spawn", never "fork": polars (and WeasyPrint's Pango) hold thread pools whose locks a forked
    # child inherits mid-use, which deadlocks the worker — the hang that timed out an earlier CI run.
    from pipeline import exit_with_parent

    from concurrent.futures.process import BrokenProcessPool

    def pool(n: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=exit_with_parent)

    outcomes: dict[int, OrgOutcome] = {}
    together = pool(workers)
    try:
        futures = [together.submit(_execute_one, j, log_format, log_level) for j in jobs]
        for i, f in enumerate(futures):
            try:
                outcomes[i] = f.result()
            except BrokenProcessPool:
                pass
    except BaseException:
        # stopped (SIGTERM, Ctrl-C): the organisations not started are not started, and those being
        # drawn are stopped, unpublished (the pool's exit would have waited for every one of them)
        stop_workers(together)
        raise
    together.shutdown(wait=True)
    # A worker killed (the OOM killer, a kill) breaks the pool for every organisation in it. Each of
    # those runs again in a pool of its own, so only the one that dies again is lost.
    for i in [i for i in range(len(jobs)) if i not in outcomes]:
        try:
            with pool(1) as alone:
                outcomes[i] = alone.submit(_execute_one, jobs[i], log_format, log_level).result()
        except BrokenProcessPool:
            outcomes[i] = OrgOutcome(jobs[i].inputs.name, 1, "its worker process died (killed, or out of memory); "
                                                             "nothing of it was published")
    return [outcomes[i] for i in range(len(jobs))]
