"""Publishing: the last good folder survives everything; one run at a time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.errors import EnvironmentProblem, LockHeld
from pipeline.publish import publish, published_dir, rollback, run_lock, sha256_file, staging_dir

ROOT = Path(__file__).resolve().parents[2]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _release(outputs: Path, rid: str, text: str) -> Path:
    staged = staging_dir(outputs, rid)
    (staged / "en").mkdir()
    (staged / "en" / "index.html").write_text(text)
    manifest = {"outputs": {"en/index.html": sha256_file(staged / "en" / "index.html")}}
    (staged / "manifest.json").write_text(json.dumps(manifest))
    return publish(staged, outputs, 2024, rid)


def test_publish_swaps_the_link_and_keeps_the_previous_release(tmp_path):
    _release(tmp_path, "r1", "first")
    _release(tmp_path, "r2", "second")
    assert (tmp_path / "2024" / "en" / "index.html").read_text() == "second"
    assert (tmp_path / "2024").is_symlink()
    assert (tmp_path / ".releases" / "2024" / "r1" / "en" / "index.html").read_text() == "first"
    assert not any((tmp_path / ".staging").iterdir())


def test_rollback_restores_the_previous_release(tmp_path):
    _release(tmp_path, "r1", "first")
    _release(tmp_path, "r2", "second")
    rollback(tmp_path, 2024)
    assert (tmp_path / "2024" / "en" / "index.html").read_text() == "first"
    assert published_dir(tmp_path, 2024).name == "r1"


def test_rollback_to_a_release_whose_files_are_damaged_is_refused_and_changes_nothing(tmp_path):
    first = _release(tmp_path, "r1", "first")
    _release(tmp_path, "r2", "second")
    (first / "en" / "index.html").unlink()  # a hand or a full disk lost the English page
    with pytest.raises(EnvironmentProblem, match="files missing or changed"):
        rollback(tmp_path, 2024)
    assert published_dir(tmp_path, 2024).name == "r2"
    assert (tmp_path / "2024" / "en" / "index.html").read_text() == "second"


def test_rollback_with_no_earlier_release_is_refused(tmp_path):
    _release(tmp_path, "r1", "first")
    with pytest.raises(EnvironmentProblem, match="no earlier release"):
        rollback(tmp_path, 2024)


def test_only_the_last_three_releases_are_kept(tmp_path):
    for i in range(5):
        _release(tmp_path, f"r{i}", str(i))
    kept = sorted(p.name for p in (tmp_path / ".releases" / "2024").iterdir() if p.is_dir())
    assert kept == ["r2", "r3", "r4"]


HOLDER = """
import sys, time
from pathlib import Path
from pipeline.publish import run_lock
with run_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(30)
"""


def test_a_second_run_waits_then_gets_lock_held(tmp_path):
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        t0 = time.monotonic()
        with pytest.raises(LockHeld), run_lock(tmp_path, wait_seconds=0.6):
            pass
        assert time.monotonic() - t0 >= 0.5
    finally:
        proc.kill()
        proc.wait()
    with run_lock(tmp_path):  # the kernel released the dead holder's lock
        pass


def test_deleting_the_lock_file_does_not_let_a_second_run_in(tmp_path):
    # "rm outputs/.lock" is the usual clean-up of a stale lock: with a run in progress it let a second
    # run take a new .lock and clear the first run's work from under it
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        (tmp_path / ".lock").unlink()
        with pytest.raises(LockHeld), run_lock(tmp_path):
            pass
    finally:
        proc.kill()
        proc.wait()
    with run_lock(tmp_path):
        pass


@pytest.mark.parametrize("kind", ["dangling link", "file"])
def test_an_outputs_path_that_is_not_a_folder_is_the_machine_s_refusal_not_a_bug(tmp_path, kind):
    from pipeline.errors import EnvironmentProblem

    outputs = tmp_path / "outputs"
    if kind == "file":
        outputs.write_text("not a folder")
    else:
        outputs.symlink_to(tmp_path / "share-not-mounted" / "cydradd")
    with pytest.raises(EnvironmentProblem, match="is not a folder"), run_lock(outputs):
        pass


KILLED_WRITER = """
import sys
from pathlib import Path
from pipeline.publish import publish, run_lock, staging_dir
out = Path(sys.argv[1])
with run_lock(out):
    staged = staging_dir(out, "doomed")
    (staged / "en").mkdir()
    print("staging", flush=True)
    with open(staged / "en" / "index.html", "w") as fh:
        while True:
            fh.write("half a report " * 1000)
"""


def test_a_run_killed_mid_write_leaves_the_published_folder_byte_identical(tmp_path):
    _release(tmp_path, "good", "the last good report")
    before = _snapshot(tmp_path / "2024")
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().strip() == "staging"
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _snapshot(tmp_path / "2024") == before
    _release(tmp_path, "next", "a later good report")  # the dead run's lock and staging don't block the next
    assert (tmp_path / "2024" / "en" / "index.html").read_text() == "a later good report"


def test_outputs_never_widen_the_inputs_permissions(tmp_path):
    """An extract readable by owner and group only (0640) gives outputs 0640 and folders 0750, whatever
    the umask; a world-readable input set (0644) keeps 0644."""
    from pipeline.publish import apply_mode, mode_of_inputs

    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("x")
    b.write_text("y")
    a.chmod(0o644)
    b.chmod(0o640)
    assert mode_of_inputs([a]) == 0o644
    assert mode_of_inputs([a, b]) == 0o640
    b.chmod(0o400)
    assert mode_of_inputs([a, b]) == 0o600  # the owner can always read and replace its own outputs

    staged = tmp_path / "staged"
    (staged / "cy" / "charts").mkdir(parents=True)
    (staged / "cy" / "index.html").write_text("<html></html>")
    (staged / "cy" / "charts" / "c.svg").write_text("<svg/>")
    (staged / "cy" / "index.html").chmod(0o666)
    apply_mode(staged, 0o640)
    modes = {p.relative_to(staged).as_posix(): p.stat().st_mode & 0o777 for p in [staged, *staged.rglob("*")]}
    assert modes == {".": 0o750, "cy": 0o750, "cy/charts": 0o750, "cy/index.html": 0o640, "cy/charts/c.svg": 0o640}


def test_the_same_release_again_never_deletes_the_folder_being_read(tmp_path, monkeypatch):
    # --force or a second approval gives the same release id: the live folder was deleted first and
    # the new one moved in after, so a kill in between left the report half-deleted
    import pipeline.publish as P

    first = _release(tmp_path, "r1", "first")
    seen_during: list[str] = []
    real_replace = os.replace

    def watch(src, dst):  # noqa: ANN001, ANN202
        if str(dst).endswith(".releases/2024/r1.2"):  # the new copy moves in: the live one is still whole
            seen_during.append((tmp_path / "2024" / "en" / "index.html").read_text())
        return real_replace(src, dst)

    monkeypatch.setattr(P.os, "replace", watch)
    again = _release(tmp_path, "r1", "again")
    assert seen_during == ["first"]
    assert again.name == "r1.2" and not first.exists()  # the earlier copy goes once nothing points at it
    assert (tmp_path / "2024" / "en" / "index.html").read_text() == "again"
    assert P.release_of(again) == "r1" and P._history(tmp_path / ".releases" / "2024") == ["r1.2"]


def test_a_release_missing_a_file_of_its_manifest_is_not_intact(tmp_path):
    import json

    from pipeline.publish import intact, sha256_file

    folder = _release(tmp_path, "r1", "first")
    (folder / "manifest.json").write_text(json.dumps({"outputs": {"en/index.html": sha256_file(folder / "en" / "index.html")}}))
    assert intact(folder)
    (folder / "en" / "index.html").write_text("edited")
    assert not intact(folder)
    (folder / "en" / "index.html").unlink()
    assert not intact(folder)


def test_a_run_clears_what_killed_runs_left_in_staging_which_nobody_else_may_enter(tmp_path):
    from pipeline.publish import clear_staging

    left = staging_dir(tmp_path, "2024-other-inputs")
    (left / "data").mkdir()
    (left / "data" / "figures.json").write_text("{}")
    assert (tmp_path / ".staging").stat().st_mode & 0o777 == 0o700
    clear_staging(tmp_path)
    assert list((tmp_path / ".staging").iterdir()) == []
