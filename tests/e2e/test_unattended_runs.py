"""Issue 5 on whole report runs (not just the publish step): the lock, a run killed mid-render, a run
that fails on bad input, reproducibility, and approval.

One small organisation is published once for the module (run A); the other runs compare against it.
Every check of "the published folder is untouched" compares bytes, file by file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from contract_fixtures import valid_tables, write_inputs
from pipeline.errors import ExitCode

ROOT = Path(__file__).resolve().parents[2]
YEAR = "2024"


def run_cli(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=ROOT, env=env or _env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _env() -> dict[str, str]:
    return {**os.environ, "SOURCE_DATE_EPOCH": "1711843200"}  # 31 March 2024


def report(inputs: Path, outputs: Path, *extra: str) -> subprocess.CompletedProcess:
    proc = run_cli("report", "--year", YEAR, "--inputs", str(inputs), "--outputs", str(outputs), *extra)
    out, err = proc.communicate(timeout=600)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under the published folder (following the year link) with its bytes."""
    root = folder.resolve()
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def without_timings(files: dict[str, bytes]) -> dict[str, bytes]:
    """manifest.json records how long each stage took; that, and only that, differs between runs."""
    out = dict(files)
    manifest = json.loads(out["manifest.json"])
    manifest.pop("timings_seconds")
    out["manifest.json"] = json.dumps(manifest, sort_keys=True).encode()
    return out


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("unattended")
    inputs, outputs = base / "inputs", base / "outputs"
    write_inputs(inputs)
    done = report(inputs, outputs)
    assert done.returncode == 0, done.stderr
    return inputs, outputs


def test_two_runs_of_the_same_inputs_give_byte_identical_outputs(published, tmp_path):
    inputs, outputs = published
    again = report(inputs, tmp_path / "outputs")
    assert again.returncode == 0, again.stderr
    first, second = snapshot(outputs / YEAR), snapshot(tmp_path / "outputs" / YEAR)
    assert sorted(first) == sorted(second)
    assert any(name.endswith(".pdf") for name in first) and any(name.endswith(".html") for name in first)
    assert without_timings(first) == without_timings(second)


def test_an_unchanged_run_says_so_and_renders_nothing(published):
    inputs, outputs = published
    before = snapshot(outputs / YEAR)
    again = report(inputs, outputs)
    assert again.returncode == 0
    assert "unchanged" in again.stderr
    assert snapshot(outputs / YEAR) == before


def test_a_run_on_bad_input_exits_3_and_leaves_the_published_folder_byte_identical(published, tmp_path):
    inputs, outputs = published
    before = snapshot(outputs / YEAR)
    broken_inputs = tmp_path / "inputs"
    shutil.copytree(inputs, broken_inputs)
    tables = valid_tables()
    tables["employees"][1]["sex"] = "unknown"
    write_inputs(broken_inputs, tables)
    failed = report(broken_inputs, outputs)
    assert failed.returncode == ExitCode.INVALID_INPUT == 3
    assert "employees.csv" in failed.stderr and "Traceback" not in failed.stderr
    assert snapshot(outputs / YEAR) == before


def test_a_second_run_gets_the_lock_code_and_a_run_killed_mid_render_changes_nothing(published):
    """Run C (forced) holds the lock and is rendering; run D is refused with exit 6 at once; C is then
    killed with SIGKILL (with its language workers) while writing a PDF; the published folder is as
    it was, byte for byte, and the next run publishes normally."""
    inputs, outputs = published
    before = snapshot(outputs / YEAR)
    runner = run_cli("report", "--year", YEAR, "--inputs", str(inputs), "--outputs", str(outputs), "--force",
                     start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        staged_html: list[Path] = []
        while time.monotonic() < deadline and runner.poll() is None:
            staged_html = list((outputs / ".staging").glob("*/*/index.html"))
            if staged_html:
                break
            time.sleep(0.05)
        assert staged_html, "the forced run never reached rendering"
        assert not list((outputs / ".staging").glob("*/manifest.json"))  # still mid-render

        second = run_cli("report", "--year", YEAR, "--inputs", str(inputs), "--outputs", str(outputs), "--force")
        _, err = second.communicate(timeout=120)
        assert second.returncode == ExitCode.LOCK_HELD == 6
        assert "lock" in err.lower()
    finally:
        os.killpg(runner.pid, signal.SIGKILL)
        runner.communicate(timeout=60)
    assert runner.returncode == -signal.SIGKILL
    assert snapshot(outputs / YEAR) == before

    after = report(inputs, outputs, "--force")
    assert after.returncode == 0, after.stderr
    report_files = lambda files: {n: b for n, b in files.items() if not n.startswith("review/") and n != "manifest.json"}  # noqa: E731
    # The report itself is the same; the review pack now has a last run to compare with.
    assert report_files(snapshot(outputs / YEAR)) == report_files(before)


def _drop_draft_marks(html: str) -> str:
    html = re.sub(r'\n\s*<p class="draft-(?:banner|notice)[^"]*">.*?</p>', "", html, flags=re.S)
    return html.replace(' class="web draft"', ' class="web"').replace(' class="print draft"', ' class="print"')


def _pdf_text(pdf: Path, lang: str) -> list[Counter[str]]:
    """The PDF's words page by page (as counts: the rotated watermark's letters come out interleaved
    with the page's text), less the watermark and the cover's draft notice."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    from pipeline.report.labels import load_catalogue

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    notice = " ".join(load_catalogue(lang)["draft.notice"].split())
    pages = []
    for page in text.split("\f"):
        flat = " ".join(page.split())
        flat = flat.replace(notice, "")
        pages.append(Counter(w for w in re.sub(r"[/:]", " ", flat).split() if not re.fullmatch(r"[DRAFT]+", w)))
    return pages


def test_approving_removes_the_watermark_and_nothing_else(published, tmp_path):
    inputs, outputs = published
    draft = snapshot(outputs / YEAR)
    ok_inputs, ok_outputs = tmp_path / "inputs", tmp_path / "outputs"
    shutil.copytree(inputs, ok_inputs)
    shutil.copytree(outputs, ok_outputs, symlinks=True)
    proc = run_cli("approve", "--year", YEAR, "--inputs", str(ok_inputs), "--outputs", str(ok_outputs),
                   "--by", "Head of Communications")
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    approved = snapshot(ok_outputs / YEAR)

    # The same files, less the watermark image; data and charts untouched.
    assert sorted(approved) == sorted(n for n in draft if not n.endswith("draft.svg"))
    assert any(n.endswith("draft.svg") for n in draft)
    for name in approved:
        if name.startswith(("data/", "cy/charts/", "en/charts/", "cy/fonts/", "en/fonts/")) or name.endswith(".css"):
            assert approved[name] == draft[name], name

    for lang in ("cy", "en"):
        before, after = draft[f"{lang}/index.html"].decode(), approved[f"{lang}/index.html"].decode()
        assert "DRAFFT" in before and "DRAFFT" not in after
        assert _drop_draft_marks(before) == after
        pdf_name = next(n for n in approved if n.startswith(f"{lang}/") and n.endswith(".pdf"))
        (tmp_path / "d.pdf").write_bytes(draft[pdf_name])
        assert _pdf_text(tmp_path / "d.pdf", lang) == _pdf_text(ok_outputs / YEAR / pdf_name, lang)

    manifest = json.loads(approved["manifest.json"])
    assert manifest["draft"] is False
    assert manifest["approval"]["approved_by"] == "Head of Communications"
    assert manifest["approval"]["approved_on"] == "2024-03-31"  # from SOURCE_DATE_EPOCH


def test_approving_inputs_changed_since_the_review_is_refused_and_records_nothing(published, tmp_path):
    # a commentary edited after the draft was reviewed went out as approved
    inputs, outputs = published
    ok_inputs, ok_outputs = tmp_path / "inputs", tmp_path / "outputs"
    shutil.copytree(inputs, ok_inputs)
    shutil.copytree(outputs, ok_outputs, symlinks=True)
    before = snapshot(ok_outputs / YEAR)
    late = next((ok_inputs / YEAR).glob("*.csv"))
    late.write_text(late.read_text(encoding="utf-8"), encoding="utf-8")  # same bytes: still the reviewed draft
    (ok_inputs / "organisation.toml").write_text((ok_inputs / "organisation.toml").read_text(encoding="utf-8")
                                                 + "\n# an unreviewed late edit\n", encoding="utf-8")
    proc = run_cli("approve", "--year", YEAR, "--inputs", str(ok_inputs), "--outputs", str(ok_outputs),
                   "--by", "Head of Communications")
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 3, err
    assert "not the draft of the current inputs" in err.splitlines()[-1]
    assert not (ok_inputs / YEAR / "approval.json").exists()
    assert snapshot(ok_outputs / YEAR) == before


def _processes_with(marker: str) -> list[int]:
    """Live processes whose environment carries ``marker`` (a run's workers inherit it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "environ").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_stopped_run_says_so_and_leaves_no_worker_behind(published, tmp_path, sig):
    # a scheduler's timeout: SIGTERM gets exit 10 and a summary line; after SIGKILL (no summary
    # possible) the render workers, re-parented, once waited for work forever with their memory
    inputs, outputs = published
    copy = tmp_path / "outputs"
    shutil.copytree(outputs, copy, symlinks=True)
    before = snapshot(copy / YEAR)
    marker = f"CYDRADD_TEST_RUN={os.getpid()}-{sig.name}"
    proc = run_cli("report", "--year", YEAR, "--inputs", str(inputs), "--outputs", str(copy), "--force",
                   env={**_env(), marker.split("=")[0]: marker.split("=")[1]})
    deadline = time.time() + 60
    while time.time() < deadline and len(_processes_with(marker)) < 3:  # the run and its two language workers
        time.sleep(0.1)
    time.sleep(1.0)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    if sig == signal.SIGTERM:
        assert proc.returncode == 10, err
        assert err.strip().splitlines()[-1].startswith("cydradd: FAILED (exit 10): stopped by SIGTERM")
        # by the time it says so (and lets go of the lock) its workers are gone and its work cleared:
        # a language went on writing a PDF into staging for seconds after, beside a next run
        assert _processes_with(marker) == []
        assert not any((copy / ".staging").iterdir())
    for _ in range(50):
        if not _processes_with(marker):
            break
        time.sleep(0.1)
    assert _processes_with(marker) == []
    assert snapshot(copy / YEAR) == before


def test_a_stopped_shared_service_run_starts_no_more_organisations_and_publishes_none_in_progress(tmp_path):
    # SIGTERM to the run of four organisations: it went on for 44 s and published all four, then said
    # nothing was published
    sample = ROOT / "inputs"
    multi = tmp_path / "multi"
    for name in ("a", "b", "c", "d"):
        shutil.copytree(sample, multi / name, ignore=shutil.ignore_patterns("2023"))
    outputs = tmp_path / "out"
    marker = f"CYDRADD_TEST_RUN={os.getpid()}-multi"
    proc = run_cli("report", "--year", YEAR, "--inputs", str(multi), "--outputs", str(outputs),
                   env={**_env(), marker.split("=")[0]: marker.split("=")[1]})
    deadline = time.time() + 60
    while time.time() < deadline and len(_processes_with(marker)) < 3:  # the run and two organisation workers
        time.sleep(0.1)
    time.sleep(2.0)
    started = time.time()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert time.time() - started < 10, err
    assert proc.returncode == 10, err
    assert not any((outputs / name / YEAR).exists() for name in ("a", "b", "c", "d"))
    for _ in range(50):
        if not _processes_with(marker):
            break
        time.sleep(0.1)
    assert _processes_with(marker) == []
