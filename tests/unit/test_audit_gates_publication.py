"""The data files are written and attacked by the audit while the languages are drawn (so that the
audit is not on the report's critical path); a withheld count the audit recovers must still stop the
run before anything is published, and only once every language has finished (no worker is left
writing into a folder that is being discarded)."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

import pipeline.audit as audit
import pipeline.report as report
from pipeline.errors import UnsafeContent
from pipeline.run import RunOptions, execute
from pipeline.sample import main as make_sample


def test_a_recoverable_count_found_while_drawing_publishes_nothing(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    inputs, outputs = tmp_path / "inputs", tmp_path / "outputs"
    make_sample(["--out", str(inputs), "--years", "2024", "--seed", "5", "--employees", "200"])
    leak = audit.Recovery("profile.sex", ("F",), "count", "linear", 3)
    monkeypatch.setattr(audit, "audit_figures", lambda _figures: [leak])
    seen: dict[str, Any] = {}

    def draw(figures: object, organisation: object, *, out_dir: Path, meanwhile: Any, **_kw: Any) -> dict:
        # what the real renderer does: the caller's work runs here while the languages are drawn
        seen["data_before"] = (out_dir / "data").exists()
        meanwhile()
        seen["drawn"] = True
        return {}

    monkeypatch.setattr(report, "start_render_pool", lambda *_args: None)
    monkeypatch.setattr(report, "render_report", draw)
    with pytest.raises(UnsafeContent, match="profile.sex"):
        execute(RunOptions(year=2024, inputs=inputs, outputs=outputs))
    assert seen == {"data_before": False}  # the audit ran inside the drawing, and stopped it
    assert not (outputs / "2024").exists() and not (outputs / ".releases").exists()


class _Finished(Future):
    """A language job that has finished; records when the caller collects it."""

    def __init__(self, log: list[str], lang: str):
        super().__init__()
        self.log, self.lang = log, lang
        self.set_result(lang)

    def result(self, timeout: float | None = None) -> Any:
        self.log.append(f"collected {self.lang}")
        return super().result(timeout)


def test_the_callers_error_is_raised_after_every_language_is_collected() -> None:
    log: list[str] = []

    class Pool:
        def submit(self, _fn: object, job: str) -> Future:
            log.append(f"submitted {job}")
            return _Finished(log, job)

    def meanwhile() -> None:
        log.append("meanwhile")
        raise UnsafeContent("a withheld count can be recovered")

    with pytest.raises(UnsafeContent):
        report._in_parallel(Pool(), ["cy", "en"], meanwhile=meanwhile)  # type: ignore[list-item]
    assert log == ["submitted cy", "submitted en", "meanwhile", "collected cy", "collected en"]


def test_withheld_zeros_the_audit_can_pin_do_not_stop_publication(tmp_path: Path) -> None:
    # a 600-person organisation (sample seed 1, three years): secondary suppression withholds some
    # zeros beside small counts (leavers' or disciplinary outcomes, as its choices go), which bounds
    # pin back to 0; a zero describes nobody, so the release goes out (the audit refused it, exit 7,
    # while disclosure control held it safe)
    import json

    from pipeline.audit import _Audit

    inputs, outputs = tmp_path / "inputs", tmp_path / "outputs"
    make_sample(["--out", str(inputs), "--years", "2022", "2023", "2024", "--seed", "1", "--employees", "600"])
    result = execute(RunOptions(year=2024, inputs=inputs, outputs=outputs, render=False))
    figures = json.loads((result.published / "data" / "figures.json").read_text(encoding="utf-8"))
    assert audit.audit_figures(figures) == []
    audit_run = _Audit(figures, None)
    audit_run.run()
    pinned_zeros = [q for q in audit_run.hidden if audit_run.known.get(q) == 0]
    assert pinned_zeros, "the case this test pins down: withheld zeros that bounds recover"
