"""Last year's extracts: the figures read only what the year-on-year change counts, so a problem in
another of last year's files neither slows the run nor drops the change tables; the review pack,
which compares all of last year's figures, reads them all."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.run import RunOptions, execute
from pipeline.sample import main as make_sample


@pytest.fixture(scope="module")
def small_inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("prev") / "inputs"
    make_sample(["--out", str(out), "--years", "2023", "2024", "--seed", "7", "--employees", "400"])
    return out


def _figures(inputs: Path, outputs: Path) -> tuple[dict, list[str]]:
    result = execute(RunOptions(year=2024, inputs=inputs, outputs=outputs, render=False, force=True))
    data = json.loads((result.published / "data" / "figures.json").read_text(encoding="utf-8"))
    return data, [w.code for w in result.warnings]


def _change_tables(figures: dict) -> list[str]:
    return [t["id"] for t in figures["tables"] if t["id"].startswith("change.")]


def test_a_broken_file_last_year_that_the_change_does_not_read_changes_nothing(small_inputs: Path,
                                                                                tmp_path: Path) -> None:
    clean, clean_warnings = _figures(small_inputs, tmp_path / "a")
    assert _change_tables(clean), "the sample has last year's workforce, so change tables are expected"
    (small_inputs / "2023" / "training.csv").write_text("employee_id,course\nnot,a valid file\n", encoding="utf-8")
    broken, warnings = _figures(small_inputs, tmp_path / "b")
    assert "previous_year_invalid" not in warnings
    assert broken["tables"] == clean["tables"]


def test_a_broken_pay_file_last_year_leaves_the_change_out_with_a_warning(small_inputs: Path,
                                                                         tmp_path: Path) -> None:
    pay = small_inputs / "2023" / "pay.csv"
    pay.write_text(pay.read_text(encoding="utf-8").replace("true", "perhaps", 1), encoding="utf-8")
    figures, warnings = _figures(small_inputs, tmp_path / "c")
    assert "previous_year_invalid" in warnings
    assert _change_tables(figures) == []
