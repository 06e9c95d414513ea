"""Where the run's log lines go, and in what form: text for a person, one JSON record per line for a
scheduler's log collector.

Kept apart from the command line because a shared service's organisations run in worker processes
of their own: a spawned worker starts with no logging set up, so its warnings (a PDF layout
problem) reached the terminal bare, in text even in a JSON log, and without the organisation they
belonged to. Each worker sets up the same form here, naming its organisation.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["JsonFormatter", "configure", "for_organisation"]

LOGGER = "pipeline"


class JsonFormatter(logging.Formatter):
    """One JSON object per record; ``organisation`` when the run is one of a shared service's."""

    def __init__(self, organisation: str | None = None):
        super().__init__()
        self.organisation = organisation

    def format(self, record: logging.LogRecord) -> str:
        out = {"level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        if self.organisation:
            out["organisation"] = self.organisation
        if record.exc_info:  # a bug's traceback, as the text form gives it, for whoever fixes it
            out["traceback"] = self.formatException(record.exc_info)
        return json.dumps(out)


def _handler(fmt: str, organisation: str | None) -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    prefix = f"{organisation}: " if organisation else ""
    handler.setFormatter(JsonFormatter(organisation) if fmt == "json"
                         else logging.Formatter(f"%(levelname)s {prefix}%(message)s"))
    return handler


def configure(fmt: str, level: int, organisation: str | None = None) -> None:
    """Send the pipeline's log records to stderr in ``fmt`` ("text" or "json") from ``level`` up."""
    root = logging.getLogger(LOGGER)
    root.handlers[:] = [_handler(fmt, organisation)]
    root.setLevel(level)
    root.propagate = False


@contextmanager
def for_organisation(organisation: str, fmt: str, level: int) -> Iterator[None]:
    """Log as one organisation of a shared service for the duration, then as before (a worker may run
    several organisations one after the other; with one worker they run in the main process)."""
    root = logging.getLogger(LOGGER)
    saved = (root.handlers[:], root.level, root.propagate)
    configure(fmt, level, organisation)
    try:
        yield
    finally:
        root.handlers[:], level_before, root.propagate = saved
        root.setLevel(level_before)
