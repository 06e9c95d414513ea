"""Command line: argument parsing, exit codes, logging and progress. Nothing is computed or rendered here.

``main(argv, environ)`` is the testable entry point (ehrql's pattern); ``python -m pipeline`` wraps it.
A user's mistake prints a clear message and no traceback; a bug keeps its traceback. The last line on
stderr is always a one-line summary a cron mail or a log scraper can read.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import math
import signal
import sys
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NoReturn

from pipeline import __version__
from pipeline.errors import (EnvironmentProblem, ExitCode, InvalidInput, Problem, Terminated, UserError, request_stop,
                             stop_requested)

log = logging.getLogger("pipeline")

EPILOG = """exit codes: 0 ok; 1 internal error (a bug: please report it with the log);
2 bad command line; 3 invalid input (fix the files named); 4 missing translation;
5 render failed; 6 another run holds the lock; 7 unsafe content (commentary, or the
disclosure audit could recover a withheld number); 8 several organisations, at least one
failed; 9 the machine refused (outputs read-only or full, no permission, nothing sound
to roll back to); 10 stopped by SIGTERM or Ctrl-C.
On every failure the published report stands as it was."""


class _UsageError(Exception):
    """A bad command line, raised by the parser instead of printing and exiting (``main`` says it in
    the run's log format, with its summary line)."""

    def __init__(self, parser: argparse.ArgumentParser, message: str):
        super().__init__(message)
        self.parser = parser


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        raise _UsageError(self, message)


def _asked_format(argv: Sequence[str]) -> str:
    """The log format a command line asks for, read without the parser (which has just refused it):
    ``--log-format json``, ``--log-format=json``, or any abbreviation argparse accepts (``--log-f``)."""
    def names_it(arg: str) -> bool:
        return len(arg) > len("--l") and "--log-format".startswith(arg)

    for i, arg in enumerate(argv):
        flag, eq, value = arg.partition("=")
        if names_it(flag) and (value if eq else (argv[i + 1] if i + 1 < len(argv) else "")) == "json":
            return "json"
    return "text"


def _year(text: str) -> int:
    """A snapshot year the dates can hold (31 March of it, and the year before for last year's figures)."""
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year: {text!r}") from None
    if not 1900 <= year <= 9998:
        raise argparse.ArgumentTypeError(f"{year} is not a year from 1900 to 9998")
    return year


def _approver(text: str) -> str:
    """Who signed the report off: recorded in the manifest and the log, so not blank."""
    name = " ".join(text.split())
    if not name:
        raise argparse.ArgumentTypeError("say who approved the report (a role or a name)")
    return name


def _seconds(text: str) -> float:
    """A number of seconds to wait: finite and not negative ("nan" waited for ever)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"not a number of seconds from 0 up: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python -m pipeline",
        description="cydradd: turn HR and payroll extracts into the statutory annual equality report, "
        "in Welsh and English, as HTML and PDF.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"cydradd {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def log_format(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--log-format", choices=("text", "json"), default="text",
                        help="log lines as text, or one JSON object per line for log collectors")

    def lock_wait(sp: argparse.ArgumentParser) -> None:  # every command that publishes takes the lock
        sp.add_argument("--lock-wait", type=_seconds, default=0.0, metavar="SECONDS",
                        help="wait this long for another run's lock before giving up (default 0)")

    def common(sp: argparse.ArgumentParser, outputs: bool = True) -> None:
        sp.add_argument("--year", type=_year, required=True, help="snapshot year: 31 March YEAR")
        sp.add_argument("--inputs", type=Path, default=Path("inputs"),
                        help="folder holding organisation.toml and YEAR/ extracts (default: inputs)")
        if outputs:
            sp.add_argument("--outputs", type=Path, default=Path("outputs"),
                            help="folder to publish into (default: outputs)")
        log_format(sp)
        sp.add_argument("-v", "--verbose", action="store_true", help="log each stage")

    r = sub.add_parser("report", help="validate, compute and publish the bilingual report (HTML and PDF) and data",
                       description="Validate the extracts, compute every figure, render the Welsh and English "
                       "report as HTML and tagged PDF, and publish outputs/YEAR/ atomically.")
    common(r)
    r.add_argument("--force", action="store_true", help="rebuild even when the inputs have not changed")
    lock_wait(r)

    f = sub.add_parser("figures", help="validate and compute; publish outputs/YEAR-figures/ without rendering",
                       description="Compute every figure and publish outputs/YEAR-figures/data/ (gender-pay-gap.csv, "
                       "figures.json, figures.csv) and manifest.json, without rendering documents. A release "
                       "of its own: the published report in outputs/YEAR/ is never replaced by it.")
    common(f)
    f.add_argument("--force", action="store_true", help="rebuild even when the inputs have not changed")
    lock_wait(f)

    v = sub.add_parser("validate", help="check the extracts against the data contract and list every problem",
                       description="Check organisation.toml and the year's extracts against the data contract; "
                       "list every problem with file, row, column and what is allowed. Writes nothing.")
    common(v, outputs=False)

    ap = sub.add_parser("approve", help="record sign-off of the current inputs and publish without the watermark",
                        description="Record that the communications team approved the report for the current "
                        "inputs (in inputs/YEAR/approval.json and the manifest) and re-publish it without the "
                        "DRAFFT / DRAFT watermark. Any later change to an input makes the report a draft again.")
    common(ap)
    ap.add_argument("--by", required=True, type=_approver,
                    help="who approved (a role or name; recorded in the manifest)")
    lock_wait(ap)

    d = sub.add_parser("contract-docs", help="write docs/data-contract.md from the contract declaration",
                       description="Write the input data contract (every extract, column, type and allowed "
                       "code) as Markdown, from the declaration the validation itself uses.")
    d.add_argument("--out", type=Path, default=Path("docs/data-contract.md"),
                   help="file to write (default: docs/data-contract.md)")

    rb = sub.add_parser("rollback", help="point outputs/YEAR back at the previously published release",
                        description="Point OUTPUTS/YEAR back at the release published before the current one "
                        "(the last few are kept in OUTPUTS/.releases/YEAR/), if its files are all there as "
                        "published. The next run with changed inputs publishes anew.")
    rb.add_argument("--year", type=_year, required=True, help="snapshot year: 31 March YEAR")
    rb.add_argument("--outputs", type=Path, default=Path("outputs"), help="the published folder (default: outputs)")
    log_format(rb)
    lock_wait(rb)
    return p


def _setup_logging(fmt: str, verbose: bool) -> None:
    from pipeline.logs import configure

    configure(fmt, logging.INFO if verbose else logging.WARNING)


def _print_problems(problems: Sequence[Problem], fmt: str, organisation: str | None = None) -> None:
    """Each problem on a line of its own: a JSON record, or indented text (further under an
    organisation's line in a shared service's run)."""
    for p in problems:
        if fmt == "json":
            print(json.dumps({"level": p.severity, **({"organisation": organisation} if organisation else {}),
                              **p.as_dict()}), file=sys.stderr)
        else:
            print(f"{'    ' if organisation else '  '}{'warning' if p.severity != 'error' else 'error'}: {p.render()}",
                  file=sys.stderr)


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    environ = environ or {}
    parser = build_parser()
    argv = list(argv) if argv is not None else sys.argv[1:]
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 0 for --help and --version
        return int(exc.code or 0)
    except _UsageError as exc:  # said in the log format asked for, ending with the summary line
        fmt = _asked_format(argv)
        if fmt == "text":
            exc.parser.print_usage(sys.stderr)
        _summary(fmt, ExitCode.USAGE, f"bad command line: {exc} (python -m pipeline --help)")
        return int(ExitCode.USAGE)
    fmt = getattr(args, "log_format", "text")
    _setup_logging(fmt, getattr(args, "verbose", False))
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        try:
            return _dispatch(args, environ)
        except KeyboardInterrupt:
            raise Terminated("stopped by Ctrl-C; nothing more is published, and every published report stands") from None
        except OSError as exc:
            if exc.errno not in _REFUSALS:
                raise
            where = f" ({exc.filename})" if exc.filename else ""
            raise EnvironmentProblem(f"the machine refused: {exc.strerror}{where}; "
                                     "the published report stands") from exc
    except Terminated as exc:
        _summary(fmt, exc.exit_code, exc.summary())
        return int(exc.exit_code)
    except InvalidInput as exc:
        _say(fmt, "error", f"the inputs break the data contract ({len(exc.problems)} problem(s)); "
                           "nothing was published.")
        _print_problems(exc.problems + exc.warnings, fmt)
        _summary(fmt, exc.exit_code, exc.summary())
        return int(exc.exit_code)
    except UserError as exc:
        _summary(fmt, exc.exit_code, exc.summary())
        return int(exc.exit_code)
    except Exception:  # a bug: keep the traceback for whoever fixes it
        if (why := stop_requested()) is not None:  # not a bug: the stop, disguised by where it landed
            _summary(fmt, ExitCode.TERMINATED, why)
            return int(ExitCode.TERMINATED)
        if fmt == "json":  # one record, so that every line of a JSON log parses
            print(json.dumps({"level": "error", "message": "internal error", "traceback": traceback.format_exc()}),
                  file=sys.stderr)
        else:
            traceback.print_exc(file=sys.stderr)
        _summary(fmt, ExitCode.INTERNAL_ERROR, "internal error (a bug in cydradd; the traceback is above)")
        return int(ExitCode.INTERNAL_ERROR)
    finally:
        signal.signal(signal.SIGTERM, previous)


# what the machine may refuse a run (a read-only or full outputs disk, no permission, outputs and its
# releases on different filesystems): the user's or administrator's to fix, exit 9, no traceback
_REFUSALS = {errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EXDEV}


def _terminated(signum: int, _frame: object) -> None:
    why = f"stopped by {signal.Signals(signum).name}; nothing more is published, and every published report stands"
    request_stop(why)
    raise Terminated(why)


def _say(fmt: str, level: str, text: str) -> None:
    """A line of the run's own to stderr: a JSON record in a JSON log, else prefixed ``cydradd:``."""
    print(json.dumps({"level": level, "message": text}) if fmt == "json" else f"cydradd: {text}", file=sys.stderr)


def _summary(fmt: str, code: ExitCode, text: str) -> None:
    if fmt == "json":
        print(json.dumps({"level": "error" if code else "info", "summary": text, "exit_code": int(code)}),
              file=sys.stderr)
    else:
        print(f"cydradd: {'FAILED' if code else 'OK'} (exit {int(code)}): {text}", file=sys.stderr)


def _dispatch(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    if args.command == "contract-docs":
        from pipeline.extracts.docs import write_contract_docs

        write_contract_docs(args.out)
        print(f"wrote {args.out}")
        return 0
    if args.command == "rollback":
        from pipeline.publish import rollback, run_lock

        with run_lock(args.outputs, wait_seconds=args.lock_wait):
            target = rollback(args.outputs, args.year)
        _summary(args.log_format, ExitCode.OK, f"{args.outputs / str(args.year)} now points at release "
                 f"{target.name} (the next run with changed inputs publishes anew)")
        return 0
    if args.command == "approve":
        return _approve(args, environ)
    if args.command == "validate":
        from pipeline.config import ReportingYear
        from pipeline.extracts import load_extracts

        from pipeline.run import RunOptions, other_inputs, usable_profile

        opts = RunOptions(year=args.year, inputs=args.inputs, outputs=Path())
        org = usable_profile(opts)
        # community.csv and the commentary too: a report run reads them, so a check that passed them
        # by would say "OK" to inputs that then fail
        _, _, other = other_inputs(opts, org)
        try:
            _, warnings = load_extracts(args.inputs, ReportingYear(args.year), org)
        except InvalidInput as exc:
            raise InvalidInput(other + exc.problems + exc.warnings) from None
        if other:
            raise InvalidInput(other + warnings)
        _print_problems(warnings, args.log_format)
        _summary(args.log_format, ExitCode.OK, f"the {args.year} extracts meet the data contract")
        return 0

    from pipeline.run import RunOptions, execute, organisation_dirs

    show_progress = sys.stderr.isatty() and args.log_format == "text"
    opts = RunOptions(
        year=args.year,
        inputs=args.inputs,
        outputs=args.outputs,
        render=args.command == "report",
        draft=True,  # only a recorded approval (python -m pipeline approve) removes the watermark
        force=args.force,
        lock_wait=args.lock_wait,
        progress=(lambda stage: print(f"  ... {stage}", file=sys.stderr)) if show_progress else (lambda _s: None),
    )
    if organisation_dirs(args.inputs):
        return _report_many(opts, args.log_format)
    result = execute(opts)
    _print_problems(result.warnings, args.log_format)
    if result.unchanged:
        _summary(args.log_format, ExitCode.OK, f"{args.year}: inputs unchanged; the published report stands "
                 "(use --force to rebuild)")
    else:
        total = result.timings["total"]
        _summary(args.log_format, ExitCode.OK,
                 f"{args.year}: published {args.outputs / opts.published_name} in {total:.1f} s")
    return 0


def _report_many(opts: "RunOptions", fmt: str) -> int:  # noqa: F821
    from pipeline.run import execute_many

    outcomes = execute_many(opts, log_format=fmt, log_level=log.getEffectiveLevel())
    for o in outcomes:
        line = f"{o.organisation}: {'ok' if o.exit_code == 0 else f'FAILED (exit {o.exit_code})'}: {o.summary}"
        print(json.dumps({"organisation": o.organisation, "exit_code": o.exit_code, "summary": o.summary})
              if fmt == "json" else f"  {line}", file=sys.stderr)
        _print_problems(o.problems, fmt, o.organisation)  # every problem of each, as a single run lists them
    failed = [o for o in outcomes if o.exit_code]
    if not failed:
        unchanged = sum(1 for o in outcomes if o.summary == "unchanged")
        said = f"{len(outcomes) - unchanged} organisation(s) published"
        _summary(fmt, ExitCode.OK, said + (f", {unchanged} unchanged (their published reports stand)" if unchanged else ""))
        return 0
    codes = {o.exit_code for o in failed}
    code = ExitCode(codes.pop()) if len(failed) == len(outcomes) and len(codes) == 1 else ExitCode.PARTIAL
    _summary(fmt, code, f"{len(failed)} of {len(outcomes)} organisation(s) failed: "
             + ", ".join(o.organisation for o in failed))
    return int(code)


def _approve(args: argparse.Namespace, environ: Mapping[str, str]) -> int:
    import datetime as dt

    from pipeline.run import RunOptions, approve

    opts = RunOptions(year=args.year, inputs=args.inputs, outputs=args.outputs, lock_wait=args.lock_wait)
    epoch = environ.get("SOURCE_DATE_EPOCH")
    on = (dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)).date().isoformat()
    approve(opts, args.by, on)
    _summary(args.log_format, ExitCode.OK, f"{args.year}: approved by {args.by} on {on}; published without watermark")
    return 0
