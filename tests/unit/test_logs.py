"""Log lines of a shared service's organisations name the organisation, in the run's log form."""

from __future__ import annotations

import json
import logging

from pipeline.logs import configure, for_organisation


def test_an_organisations_log_lines_name_it_and_the_run_logs_as_before_afterwards(capsys):
    # a spawned worker had no logging set up: its PDF warnings came out bare, in text even in a JSON log
    configure("json", logging.WARNING)
    log = logging.getLogger("pipeline.report")
    with for_organisation("heddlu-b", "json", logging.WARNING):
        log.warning("a table overflows page 3")
        log.info("not shown at WARNING")
    log.warning("the run's own line")
    first, second = (json.loads(x) for x in capsys.readouterr().err.splitlines())
    assert first == {"level": "warning", "logger": "pipeline.report", "message": "a table overflows page 3",
                     "organisation": "heddlu-b"}
    assert "organisation" not in second
    with for_organisation("heddlu-c", "text", logging.INFO):
        log.info("drawing cy")
    assert capsys.readouterr().err == "INFO heddlu-c: drawing cy\n"
    configure("text", logging.WARNING)
