"""The published folder: build aside, swap in atomically, keep the last good one, one run at a time.

Layout under ``outputs/``::

    outputs/2024            -> .releases/2024/<release-id>    (a symbolic link: the published report)
    outputs/.releases/2024/  every kept release, newest last; the previous one is the rollback target
    outputs/.staging/        a run's work in progress (never read by anyone)
    outputs/.lock            the run lock (fcntl.flock; released by the kernel if the process dies)

A run renders into ``.staging/``; only when every language and every data file succeeded is the
folder moved under ``.releases/`` and the ``outputs/YEAR`` link replaced with ``os.replace`` - a
single atomic rename on POSIX - so a reader, a crash or ``kill -9`` at any moment sees either the old
report or the new one, never half of one. Nothing here knows what a report says.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from pipeline.errors import EnvironmentProblem, LockHeld

KEEP_RELEASES = 3


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sha256_files(paths: Sequence[Path]) -> list[str]:
    """``sha256_file`` of each path, several files at once (hashlib works outside the interpreter
    lock, so two cores hash a 1M-employee year's 900 MB in half the time)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=max(1, min(len(paths), os.cpu_count() or 1))) as pool:
        return list(pool.map(sha256_file, paths))


@contextlib.contextmanager
def run_lock(outputs: Path, wait_seconds: float = 0.0, poll: float = 0.2) -> Iterator[None]:
    """Hold an exclusive lock on ``outputs`` for the duration of a run.

    A second run waits up to ``wait_seconds`` and then raises ``LockHeld`` (its own exit code).
    ``flock`` is released by the kernel when the holder exits, even on SIGKILL, so a crashed run
    never leaves a stale lock behind.

    The lock is taken on the outputs folder itself as well as on ``outputs/.lock``: deleting the
    file (the usual clean-up of a "stale lock") let a second run take a new one while the first was
    drawing, and clear the first run's work from under it. A folder cannot be deleted beneath a run
    that way. Where the filesystem cannot lock a folder (some network shares), the file alone is used.
    """
    try:
        outputs.mkdir(parents=True, exist_ok=True)
        folder = os.open(outputs, os.O_RDONLY | os.O_DIRECTORY)
    except (FileExistsError, NotADirectoryError) as exc:
        raise EnvironmentProblem(f"the outputs folder {outputs} is not a folder (a file, or a link to a folder that "
                                 "is not there, such as a share that is not mounted); the published report "
                                 "stands") from exc
    fh = None
    deadline = time.monotonic() + wait_seconds
    try:
        fh = (outputs / ".lock").open("a+")
        locks = [folder, fh.fileno()]
        held: list[int] = []
        while True:
            try:
                for fd in locks:
                    if fd not in held:
                        _flock(fd, folder_lock=fd == folder)
                        held.append(fd)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockHeld(f"another run holds the lock on {outputs} (waited {wait_seconds:g} s)") from None
                time.sleep(poll)
            except _Unlockable:
                locks.remove(folder)
        yield
    finally:
        if fh is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            fh.close()
        with contextlib.suppress(OSError):
            fcntl.flock(folder, fcntl.LOCK_UN)
        os.close(folder)


class _Unlockable(Exception):
    """The filesystem cannot lock a folder."""


def _flock(fd: int, folder_lock: bool) -> None:
    """An exclusive lock without waiting: ``BlockingIOError`` when another run holds it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            raise BlockingIOError(exc.errno, exc.strerror) from None
        if folder_lock and exc.errno in (errno.EBADF, errno.ENOLCK, errno.EINVAL, errno.EOPNOTSUPP):
            raise _Unlockable() from exc
        raise


def clear_staging(outputs: Path) -> None:
    """Remove what failed or killed runs left in ``.staging/`` (call it holding the run lock). Only a
    staging folder of the same release was cleared before, so every failed run of other inputs left
    its work behind: a full disk after a few nights, and figures readable beyond the inputs' mode."""
    base = outputs / ".staging"
    if base.is_dir():
        for left in base.iterdir():
            if left.is_dir() and not left.is_symlink():
                shutil.rmtree(left, ignore_errors=True)
            else:
                left.unlink(missing_ok=True)


def staging_dir(outputs: Path, name: str) -> Path:
    """A fresh, empty folder for one run's work, in ``.staging/``, which only the run's user may enter
    (the published modes are set when a release is published; work in progress is nobody else's)."""
    base = outputs / ".staging"
    base.mkdir(parents=True, exist_ok=True)
    base.chmod(0o700)
    target = base / name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir()
    return target


def published_dir(outputs: Path, year: int | str) -> Path | None:
    link = outputs / str(year)
    if link.is_symlink() or link.is_dir():
        return link.resolve()
    return None


def mode_of_inputs(files: list[Path]) -> int:
    """The file mode outputs may have: a permission bit only where *every* input has it (owner read and
    write always). An extract readable only by its owner and group gives a report readable only by them
    until someone deliberately publishes it; outputs never widen who can read the inputs."""
    mode = 0o666
    for f in files:
        mode &= f.stat().st_mode & 0o666
    return mode | 0o600


def apply_mode(root: Path, file_mode: int) -> None:
    """Set ``file_mode`` on every file under ``root`` and the matching directory mode (search where read)."""
    dir_mode = file_mode | ((file_mode & 0o444) >> 2)
    for path in sorted(root.rglob("*")):
        if not path.is_symlink():
            path.chmod(dir_mode if path.is_dir() else file_mode)
    root.chmod(dir_mode)


def release_of(folder: Path | str) -> str:
    """The release id a release folder holds (``<id>`` or, published again, ``<id>.<n>``)."""
    return (folder.name if isinstance(folder, Path) else folder).split(".", 1)[0]


def intact(folder: Path) -> bool:
    """Every output the release's manifest lists is there with its recorded SHA-256 (a release a
    crash or a hand left half-deleted is not "unchanged": the next run rebuilds it)."""
    try:
        listed = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["outputs"]
        paths = [folder / rel for rel in listed]
        return all(p.is_file() for p in paths) and sha256_files(paths) == list(listed.values())
    except (OSError, ValueError, KeyError, TypeError):
        return False


def publish(staged: Path, outputs: Path, year: int | str, release_id: str) -> Path:
    """Move a complete staged folder into place and atomically point ``outputs/YEAR`` at it.

    The same release published again (``--force``, a second approval) goes into a folder of its own
    (``<id>.2``): the folder being read is never deleted before the link has moved off it. It was:
    a kill in that moment left the live report half-deleted, and later runs called it unchanged."""
    releases = outputs / ".releases" / str(year)
    releases.mkdir(parents=True, exist_ok=True)
    final = releases / release_id
    n = 2
    while final.exists():
        final = releases / f"{release_id}.{n}"
        n += 1
    _fsync_tree(staged)
    os.replace(staged, final)
    link = outputs / str(year)
    if link.exists() and not link.is_symlink():
        # a plain folder from an older layout or a hand copy: keep it as a release, don't delete it
        legacy = releases / f"legacy-{int(time.time())}"
        os.replace(link, legacy)
    tmp_link = outputs / f".{year}.link-tmp"
    with contextlib.suppress(FileNotFoundError):
        tmp_link.unlink()
    os.symlink(os.path.relpath(final, outputs), tmp_link)
    os.replace(tmp_link, link)  # the atomic moment
    # earlier copies of this same release leave the history, and so the pruning deletes them
    _record_history(releases, final.name, drop=release_id)
    _prune(releases)
    return final


def rollback(outputs: Path, year: int | str) -> Path:
    """Point ``outputs/YEAR`` back at the release published before the current one, if every file its
    manifest lists is still there as published (``intact``)."""
    releases = outputs / ".releases" / str(year)
    history = _history(releases)
    current = published_dir(outputs, year)
    if current is None or len(history) < 2:
        raise EnvironmentProblem(f"no earlier release of {year} to roll back to")
    names = [h for h in history if (releases / h).exists()]
    idx = names.index(current.name) if current.name in names else len(names) - 1
    if idx == 0:
        raise EnvironmentProblem(f"no earlier release of {year} to roll back to")
    target = releases / names[idx - 1]
    if not intact(target):  # a release a hand or a full disk damaged is not put back in front of readers
        raise EnvironmentProblem(f"the earlier release of {year} ({target.name}) has files missing or changed "
                                 "since it was published; nothing was changed")
    tmp_link = outputs / f".{year}.link-tmp"
    with contextlib.suppress(FileNotFoundError):
        tmp_link.unlink()
    os.symlink(os.path.relpath(target, outputs), tmp_link)
    os.replace(tmp_link, outputs / str(year))
    return target


def _history(releases: Path) -> list[str]:
    f = releases / "history.json"
    if f.exists():
        return list(json.loads(f.read_text()))
    return []


def _record_history(releases: Path, folder: str, drop: str = "") -> None:
    """``folder`` is now the newest release; earlier copies of release ``drop`` leave the history."""
    hist = [h for h in _history(releases) if h != folder and not (drop and release_of(h) == drop)] + [folder]
    tmp = releases / "history.json.tmp"
    tmp.write_text(json.dumps(hist, indent=1))
    os.replace(tmp, releases / "history.json")


def _prune(releases: Path) -> None:
    hist = _history(releases)
    keep = set(hist[-KEEP_RELEASES:])
    for child in releases.iterdir():
        if child.is_dir() and child.name not in keep and not child.name.startswith("legacy-"):
            shutil.rmtree(child, ignore_errors=True)
    tmp = releases / "history.json.tmp"
    tmp.write_text(json.dumps([h for h in hist if h in keep], indent=1))
    os.replace(tmp, releases / "history.json")


def _fsync_tree(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            with contextlib.suppress(OSError):
                fd = os.open(os.path.join(dirpath, f), os.O_RDONLY)
                os.fsync(fd)
                os.close(fd)
