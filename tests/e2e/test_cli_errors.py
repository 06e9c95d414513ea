"""The command line on bad input: every problem listed, a documented exit code, no traceback,
and nothing written to the outputs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from contract_fixtures import valid_tables, write_inputs
from pipeline.cli import main
from pipeline.errors import ExitCode

ROOT = Path(__file__).resolve().parents[2]


def test_help_explains_each_command(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("report", "figures", "validate", "contract-docs", "rollback"):
        assert command in out
    assert "exit codes" in out


def test_invalid_input_exits_3_lists_every_problem_and_writes_nothing(tmp_path, capsys):
    tables = valid_tables()
    tables["employees"][0]["ethnicity"] = "white_scottish"
    tables["training"][0]["requested_date"] = "2024-04-02"
    inputs = write_inputs(tmp_path / "inputs", tables)
    outputs = tmp_path / "outputs"
    code = main(["report", "--year", "2024", "--inputs", str(inputs), "--outputs", str(outputs)])
    err = capsys.readouterr().err
    assert code == ExitCode.INVALID_INPUT == 3
    assert "employees.csv, row 2, column ethnicity: not an allowed code; the value is not repeated, as it may be personal (it looks like aaaaa_aaaaaaaa)" in err
    assert "training.csv, row 2, column requested_date: the date is outside the reporting period" in err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("cydradd: FAILED (exit 3): invalid input: 2 problem(s)")
    assert not (outputs / "2024").exists()


def test_invalid_input_as_json_log_lines(tmp_path, capsys):
    tables = valid_tables()
    tables["pay"][0]["weekly_hours"] = "0"
    inputs = write_inputs(tmp_path / "inputs", tables)
    code = main(["validate", "--year", "2024", "--inputs", str(inputs), "--log-format", "json"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3
    import json

    records = [json.loads(line) for line in err]  # every line a record, for a log collector
    assert records[0] == {"level": "error", "message": "the inputs break the data contract (1 problem(s)); "
                                                       "nothing was published."}
    assert records[1] == {"level": "error", "code": "out_of_range", "file": "pay.csv", "row": 2,
                          "column": "weekly_hours", "message": "the value is out of range",
                          "allowed": "a number, > 0 and <= 100 (used to 4 decimal places)", "severity": "error"}
    assert records[-1]["exit_code"] == 3


def _a_bug(*_args):  # noqa: ANN002, ANN202
    raise RuntimeError("a bug")


def test_a_bug_exits_with_the_internal_error_code_and_keeps_its_traceback(monkeypatch, capsys):
    monkeypatch.setattr("pipeline.cli._dispatch", _a_bug)
    assert main(["validate", "--year", "2024", "--inputs", "inputs"]) == ExitCode.INTERNAL_ERROR
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: a bug" in err
    assert err.strip().splitlines()[-1] == (f"cydradd: FAILED (exit {int(ExitCode.INTERNAL_ERROR)}): internal error "
                                            "(a bug in cydradd; the traceback is above)")


def test_a_stop_that_lands_inside_an_import_is_still_a_stop_not_a_bug(monkeypatch, capsys):
    """SIGTERM while highspy (a C extension) was being imported came out as its ImportError
    ("initialization failed"), and the run said exit 1, a bug, where a stop is exit 10."""
    from pipeline import errors

    monkeypatch.setattr(errors, "_STOPPING", [])  # this process's own record of a stop, put back after

    def stopped_mid_import(args, environ):  # noqa: ANN001, ANN202
        errors.request_stop("stopped by SIGTERM; nothing more is published, and every published report stands")
        raise ImportError("initialization failed")

    monkeypatch.setattr("pipeline.cli._dispatch", stopped_mid_import)
    assert main(["validate", "--year", "2024", "--inputs", "inputs"]) == ExitCode.TERMINATED == 10
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("cydradd: FAILED (exit 10): stopped by SIGTERM")


def test_a_bug_in_a_json_log_is_one_record_with_its_traceback(monkeypatch, capsys):
    import json

    monkeypatch.setattr("pipeline.cli._dispatch", _a_bug)
    assert main(["validate", "--year", "2024", "--inputs", "inputs", "--log-format", "json"]) == ExitCode.INTERNAL_ERROR
    records = [json.loads(line) for line in capsys.readouterr().err.strip().splitlines()]
    assert [r["level"] for r in records] == ["error", "error"]
    assert "RuntimeError: a bug" in records[0]["traceback"]
    assert records[1]["exit_code"] == int(ExitCode.INTERNAL_ERROR)


def test_every_command_and_option_says_what_it_does():
    """The README sends users to ``--help``: rollback and contract-docs had no description and four
    options no help text; figures said it published where it does not."""
    import argparse

    from pipeline.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for name, parser in sub.choices.items():
        assert parser.description, name
        for action in parser._actions:
            assert action.help, (name, action.dest)
    assert "YEAR-figures" in sub.choices["figures"].description


def test_valid_inputs_pass_validate(tmp_path, capsys):
    inputs = write_inputs(tmp_path / "inputs")
    assert main(["validate", "--year", "2024", "--inputs", str(inputs)]) == 0
    assert "meet the data contract" in capsys.readouterr().err


def test_missing_year_folder_is_a_user_error(tmp_path, capsys):
    inputs = write_inputs(tmp_path / "inputs")
    assert main(["validate", "--year", "2031", "--inputs", str(inputs)]) == 3
    assert "Traceback" not in capsys.readouterr().err


def test_a_folder_of_extracts_not_named_for_its_year_is_named_in_a_warning(tmp_path, capsys):
    """A "2024-25" folder was passed over in silence: validating 2024 said only that 2024/ was missing,
    and with no YEAR, make picked 2023 and said it met the contract."""
    inputs = write_inputs(tmp_path / "inputs")
    (inputs / "2024").rename(inputs / "2024-25")
    assert main(["validate", "--year", "2024", "--inputs", str(inputs)]) == 3
    err = capsys.readouterr().err
    assert "warning: 2024-25/: this folder holds extracts but is not read" in err
    assert "(year folders in" not in err  # there are none
    write_inputs(tmp_path / "inputs")  # 2024 again, beside the misnamed copy
    assert main(["validate", "--year", "2031", "--inputs", str(inputs)]) == 3
    err = capsys.readouterr().err
    assert f"(year folders in {inputs}: 2024)" in err and "2024-25/" in err


def test_an_inputs_folder_that_is_not_there_is_named_as_such(tmp_path, capsys):
    assert main(["validate", "--year", "2024", "--inputs", str(tmp_path / "inptus")]) == 3
    assert "the inputs folder does not exist" in capsys.readouterr().err


def test_a_profile_that_is_not_toml_says_the_extracts_wait_for_it(tmp_path, capsys):
    """The README promises that a broken profile does not hide the extracts' problems, bar the checks a
    warning names: an unreadable one stopped every check without a word about them."""
    inputs = write_inputs(tmp_path / "inputs")
    (inputs / "organisation.toml").write_text("[organisation\nname_en = 'x'\n", encoding="utf-8")
    assert main(["validate", "--year", "2024", "--inputs", str(inputs)]) == 3
    err = capsys.readouterr().err
    assert "not valid TOML" in err and "the extracts are checked once organisation.toml can be read" in err


def test_validate_refuses_the_commentary_a_report_would_refuse(tmp_path, capsys):
    # validate said OK to a remote image that the report then refused, without naming the file
    inputs = write_inputs(tmp_path / "inputs")
    for lang in ("cy", "en"):
        (inputs / "2024" / "commentary" / lang).mkdir(parents=True)
        (inputs / "2024" / "commentary" / lang / "01-intro.md").write_text("# Intro\n\nText.\n", encoding="utf-8")
    (inputs / "2024" / "commentary" / "en" / "01-intro.md").write_text(
        "# Intro\n\n![logo](https://tracker.example.com/p.png)\n", encoding="utf-8")
    assert main(["validate", "--year", "2024", "--inputs", str(inputs)]) == ExitCode.UNSAFE_CONTENT == 7
    assert "2024/commentary/en/01-intro.md, line 3: commentary refers to a remote" in capsys.readouterr().err


def test_python_dash_m_pipeline_runs_as_a_module(tmp_path):
    inputs = write_inputs(tmp_path / "inputs")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "validate", "--year", "2024", "--inputs", str(inputs)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_an_input_rewritten_after_it_was_hashed_publishes_nothing(tmp_path, capsys, monkeypatch):
    # an HR upload landing mid-run: the figures came from the new file, the manifest (and approval)
    # trusted the old one's checksum
    import pipeline.run as run_module

    inputs = write_inputs(tmp_path / "inputs")
    real = run_module._hashes

    def hashed_then_rewritten(files, base):
        hashes = real(files, base)
        employees = inputs / "2024" / "employees.csv"
        employees.write_text(employees.read_text(encoding="utf-8").replace(",female,", ",male,"), encoding="utf-8")
        return hashes

    monkeypatch.setattr(run_module, "_hashes", hashed_then_rewritten)
    outputs = tmp_path / "outputs"
    code = main(["figures", "--year", "2024", "--inputs", str(inputs), "--outputs", str(outputs)])
    err = capsys.readouterr().err
    assert code == ExitCode.INVALID_INPUT, err
    assert ("2024/employees.csv: the file changed while the run was reading it (an upload still in progress?); "
            "nothing was published; allowed: run again once the file is complete") in err
    assert not (outputs / "2024-figures").exists() and "Traceback" not in err


def test_a_bad_command_line_is_exit_2_with_its_summary_line_in_the_log_format_asked_for(capsys):
    import json

    # a year the dates cannot hold, and "nan" seconds of waiting (it waited for ever)
    for argv, said in ((["report", "--year", "10000"], "10000 is not a year from 1900 to 9998"),
                       (["figures", "--year", "2024", "--lock-wait", "nan"], "not a number of seconds from 0 up"),
                       # a blank sign-off was recorded as "approved by  on 2026-12-08"
                       (["approve", "--year", "2024", "--by", "  "], "say who approved the report")):
        assert main(argv) == ExitCode.USAGE == 2
        last = capsys.readouterr().err.strip().splitlines()[-1]
        assert last.startswith("cydradd: FAILED (exit 2): bad command line: ") and said in last
    # a JSON log gets JSON only, ending with the summary record
    assert main(["report", "--year", "abc", "--log-format", "json"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    records = [json.loads(line) for line in lines]
    assert records[-1]["exit_code"] == 2 and "not a year: 'abc'" in records[-1]["summary"]
    for spelling in (["--log-f", "json"], ["--log-format=json"], ["--log-form=json"]):
        assert main(["figures", "--year", "2024", "--lock-wait", "-1", *spelling]) == 2
        assert all(json.loads(line) for line in capsys.readouterr().err.strip().splitlines())
