"""A shared service runs many bodies in one job: each published on its own; one failure stops none."""

from __future__ import annotations

from contract_fixtures import valid_tables, write_inputs
from pipeline.cli import main
from pipeline.errors import ExitCode


def test_one_failing_organisation_does_not_stop_the_others(tmp_path, capsys):
    inputs = tmp_path / "inputs"
    write_inputs(inputs / "heddlu-a")
    broken = valid_tables()
    broken["employees"][0]["sex"] = "unknown"
    write_inputs(inputs / "heddlu-b", broken)
    write_inputs(inputs / "heddlu-c")
    outputs = tmp_path / "outputs"
    code = main(["figures", "--year", "2024", "--inputs", str(inputs), "--outputs", str(outputs)])
    err = capsys.readouterr().err
    assert code == ExitCode.PARTIAL == 8
    assert (outputs / "heddlu-a" / "2024" / "data" / "figures.json").exists()
    assert (outputs / "heddlu-c" / "2024" / "data" / "figures.json").exists()
    assert not (outputs / "heddlu-b" / "2024").exists()
    assert "heddlu-b: FAILED (exit 3)" in err
    assert err.strip().splitlines()[-1] == "cydradd: FAILED (exit 8): 1 of 3 organisation(s) failed: heddlu-b"


def test_all_organisations_failing_the_same_way_keep_that_exit_code(tmp_path, capsys):
    inputs = tmp_path / "inputs"
    broken = valid_tables()
    broken["pay"][0]["weekly_hours"] = "0"
    write_inputs(inputs / "one", broken)
    write_inputs(inputs / "two", broken)
    assert main(["figures", "--year", "2024", "--inputs", str(inputs), "--outputs", str(tmp_path / "o")]) == 3
