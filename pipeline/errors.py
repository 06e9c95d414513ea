"""Two kinds of failure: a user's mistake (shown plainly, no traceback) and our bug (traceback kept).

Each failure class has its own exit code so a scheduler knows why a run failed without reading the
log (idea from opensafely-core/ehrql ``get_exit_code_for_exception``). The codes are documented in
the README; never renumber them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INTERNAL_ERROR = 1  # a bug in the pipeline: traceback in the log
    USAGE = 2  # bad command-line arguments (argparse's own code)
    INVALID_INPUT = 3  # an extract or organisation.toml breaks the data contract
    MISSING_TRANSLATION = 4  # a label is missing or empty in one language
    RENDER_FAILED = 5  # charts, HTML or PDF could not be produced
    LOCK_HELD = 6  # another run holds the lock on these outputs
    UNSAFE_CONTENT = 7  # commentary refers to a remote or outside-the-tree resource
    PARTIAL = 8  # several organisations: at least one failed, the others were published
    ENVIRONMENT = 9  # the machine refused: outputs read-only or full, no permission, no earlier release
    TERMINATED = 10  # stopped by SIGTERM or Ctrl-C before publishing; the published report stands


@dataclass(frozen=True)
class Problem:
    """One problem found in the inputs. Never holds personal data: ``found`` is set only for codes
    and malformed dates, never for ids, names, free text or pay."""

    code: str  # catalogue code, e.g. "unknown_code", "missing_column"
    file: str
    row: int | None = None  # the line number a person sees in a spreadsheet (header = 1)
    column: str | None = None
    found: str | None = None
    message: str = ""
    allowed: str | None = None
    severity: str = "error"  # or "warning"
    count: int | None = None  # how many, for a problem that stands for others (e.g. last year's problems)

    def render(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        text = f"{where}: {self.message}"
        if self.found is not None:
            text += f" (found {self.found!r})"
        if self.allowed:
            text += f"; allowed: {self.allowed}"
        return text

    def as_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class UserError(Exception):
    """A failure the user can fix; printed without a traceback."""

    exit_code = ExitCode.INVALID_INPUT

    def summary(self) -> str:
        return str(self)


class InvalidInput(UserError):
    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, problems: list[Problem]):
        self.problems = [p for p in problems if p.severity == "error"]
        self.warnings = [p for p in problems if p.severity != "error"]
        super().__init__(f"{len(self.problems)} problem(s) in the inputs")

    def __reduce__(self):  # crosses process boundaries (parallel workers) intact
        return (type(self), (self.problems + self.warnings,))

    def summary(self) -> str:
        files = sorted({p.file for p in self.problems})
        return f"invalid input: {len(self.problems)} problem(s) in {', '.join(files)}"


class MissingTranslation(UserError):
    exit_code = ExitCode.MISSING_TRANSLATION

    def __init__(self, missing: list[str]):
        self.missing = missing
        # a template label, or a commentary file without its twin in the other language
        super().__init__(f"{len(missing)} translation(s) missing or empty: " + "; ".join(missing[:20]))

    def __reduce__(self):  # crosses process boundaries (parallel workers) intact
        return (type(self), (self.missing,))


class RenderFailed(UserError):
    exit_code = ExitCode.RENDER_FAILED


class LockHeld(UserError):
    exit_code = ExitCode.LOCK_HELD


class UnsafeContent(UserError):
    exit_code = ExitCode.UNSAFE_CONTENT


class EnvironmentProblem(UserError):
    """The machine refused what the run needs (a read-only or full outputs disk, a permission): not
    a bug, and nothing of the published report was touched."""

    exit_code = ExitCode.ENVIRONMENT


class Terminated(BaseException):
    """SIGTERM (a scheduler's timeout, a shutdown) or Ctrl-C: the run stops before publishing.

    A ``BaseException``, like ``KeyboardInterrupt``: raised from the signal handler wherever the run
    happens to be, it must pass through the ``except Exception`` of a renderer (it came out as "render
    failed", exit 5) rather than be reported as that code's failure. ``stopping`` records the signal
    too, for the one place where an exception can be lost (an object's ``__del__``): the run checks it
    before it publishes."""

    exit_code = ExitCode.TERMINATED

    def summary(self) -> str:
        return str(self)


_STOPPING: list[str] = []


def request_stop(why: str) -> None:
    _STOPPING.append(why)


def raise_if_stopping() -> None:
    if _STOPPING:
        raise Terminated(_STOPPING[0])


def stop_requested() -> str | None:
    """Why the run was asked to stop, or None. A stop that lands inside a C extension's import comes
    out as that import's ``ImportError`` ("initialization failed", highspy's, in a test run), not as
    ``Terminated``: the command line reads this before calling an exception a bug."""
    return _STOPPING[0] if _STOPPING else None


class NotReviewed(UserError):
    """``approve`` of a report that is not the published draft of the current inputs."""

    exit_code = ExitCode.INVALID_INPUT


def tool_failed(tool: str, returncode: int, stderr: bytes | str, folder: object) -> Exception:
    """What a helper program's failure (poppler's ``pdftoppm``, writing images into ``folder``) is:
    the machine's refusal when the disk it writes to is full (exit 9, as when the run itself meets a
    full disk), else a render failure that quotes the program's own words. It once surfaced as a
    ``CalledProcessError`` traceback, "a bug", with the cause thrown away."""
    import errno
    import os
    import shutil

    said = (stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr or "").strip()
    try:
        full = shutil.disk_usage(str(folder)).free < (1 << 20)
    except OSError:
        full = False
    if full or "No space left" in said:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder))
    return RenderFailed(f"{tool} failed (exit {returncode}): {said[:300] or 'it said nothing'}")
