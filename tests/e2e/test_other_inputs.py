"""community.csv, the commentary and unreadable inputs: checked like the extracts, reported with
them (file, row, column, what is allowed), exit 3 and no traceback, by `validate` and `report` alike."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from contract_fixtures import write_inputs
from pipeline.cli import main
from pipeline.errors import ExitCode

ROOT = Path(__file__).resolve().parents[2]
COMMUNITY = """geography,characteristic,category,pct,source
GWENT5,sex,female,51.1,Census 2021
GWENT5,sex,male,48.9,Census 2021
W92000004,sex,female,51.0,Census 2021
W92000004,sex,male,49.0,Census 2021
"""


def _inputs(tmp_path: Path, community: str | None = COMMUNITY, geography: str | None = "GWENT5") -> Path:
    root = write_inputs(tmp_path / "inputs")
    if geography:
        toml = (root / "organisation.toml").read_text(encoding="utf-8")
        (root / "organisation.toml").write_text(
            toml.replace("[organisation]\n", f'[organisation]\ncensus_geography = "{geography}"\n', 1), encoding="utf-8")
    if community is not None:
        (root / "community.csv").write_text(community, encoding="utf-8")
    return root


def _validate(root: Path, capsys) -> tuple[int, str]:  # noqa: ANN001
    code = main(["validate", "--year", "2024", "--inputs", str(root)])
    return code, capsys.readouterr().err


def test_the_fixture_with_its_geography_is_valid(tmp_path, capsys):
    code, err = _validate(_inputs(tmp_path), capsys)
    assert code == 0, err


def test_a_share_written_with_a_decimal_comma_is_named_by_row_not_a_traceback(tmp_path, capsys):
    code, err = _validate(_inputs(tmp_path, COMMUNITY.replace("51.1", '"51,1"').replace("48.9", "n/a")), capsys)
    assert code == ExitCode.INVALID_INPUT
    assert "community.csv, row 2, column pct: not a percentage from 0 to 100 (found '51,1')" in err
    assert "community.csv, row 3, column pct" in err and "Traceback" not in err


def test_a_community_row_no_table_has_is_named_with_its_nearest_code_not_dropped(tmp_path, capsys):
    # "welsh_language" for "welsh_speaking" had left the Welsh-speaking comparison out of the report,
    # counted only as an unused row; the Wales row of the same mistake is of another geography
    bad = COMMUNITY + ("GWENT5,welsh_language,speaks_welsh,24.0,Census 2021\n"
                       "GWENT5,religion,christain,40.0,Census 2021\n"
                       "W92000004,welsh_language,speaks_welsh,17.8,Census 2021\n")
    code, err = _validate(_inputs(tmp_path, bad), capsys)
    assert code == ExitCode.INVALID_INPUT
    assert ("community.csv, row 6, column characteristic: no table has this characteristic "
            "(did you mean 'welsh_speaking'?) (found 'welsh_language'); allowed: age_band, disability,") in err
    assert ("community.csv, row 7, column category: not a category of religion (did you mean 'christian'?) "
            "(found 'christain'); allowed: no_religion, christian,") in err
    assert "row 8" not in err and "Traceback" not in err


@pytest.mark.parametrize(("geography", "code"), [("Gwent5", "unknown_geography"), (None, "geography_not_chosen")])
def test_a_geography_that_matches_no_row_or_none_named_among_several_is_an_error(tmp_path, capsys, geography, code):
    # a wrongly cased code gave no representation tables at all; no code at all let the Wales rows
    # win over Gwent's; both without a word
    exit_code, err = _validate(_inputs(tmp_path, geography=geography), capsys)
    assert exit_code == ExitCode.INVALID_INPUT
    assert "organisation.toml, column organisation.census_geography" in err and "GWENT5, W92000004" in err


def test_welsh_commentary_saved_as_windows_1252_is_a_problem_of_that_file(tmp_path, capsys):
    root = _inputs(tmp_path)
    shutil.copytree(ROOT / "inputs" / "2024" / "commentary", root / "2024" / "commentary")
    page = root / "2024" / "commentary" / "cy" / "01-introduction.md"
    page.write_bytes(page.read_bytes() + "\nDiolch – Ô\n".encode("cp1252"))
    code, err = _validate(root, capsys)
    assert code == ExitCode.INVALID_INPUT and "Traceback" not in err
    assert "2024/commentary/cy/01-introduction.md, row" in err and "not UTF-8" in err
    outputs = tmp_path / "outputs"
    assert main(["report", "--year", "2024", "--inputs", str(root), "--outputs", str(outputs)]) == ExitCode.INVALID_INPUT
    assert "01-introduction.md" in capsys.readouterr().err and not (outputs / "2024").exists()


def test_an_input_the_run_may_not_open_is_a_problem_not_a_traceback(tmp_path, capsys, monkeypatch):
    import os

    root = _inputs(tmp_path)
    real = os.open

    def refuse(path, flags, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN202 (chmod 000 does not stop root)
        if str(path).endswith("pay.csv"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, flags, *a, **k)

    monkeypatch.setattr(os, "open", refuse)
    code = main(["report", "--year", "2024", "--inputs", str(root), "--outputs", str(tmp_path / "outputs")])
    err = capsys.readouterr().err
    assert code == ExitCode.INVALID_INPUT and "Traceback" not in err
    assert "2024/pay.csv: the file cannot be opened (permission denied)" in err


def test_a_read_only_or_full_outputs_disk_is_exit_9_with_its_cause_not_a_bug(tmp_path, capsys, monkeypatch):
    import errno

    import pipeline.run as run

    root = _inputs(tmp_path)

    def full(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "outputs" / ".staging"))

    monkeypatch.setattr(run, "staging_dir", full)
    code = main(["figures", "--year", "2024", "--inputs", str(root), "--outputs", str(tmp_path / "outputs")])
    err = capsys.readouterr().err
    assert code == ExitCode.ENVIRONMENT == 9 and "Traceback" not in err
    assert "the machine refused: No space left on device" in err.splitlines()[-1]


def test_rolling_back_with_nothing_to_roll_back_to_says_so(tmp_path, capsys):
    code = main(["rollback", "--year", "2024", "--outputs", str(tmp_path), "--log-format", "json"])
    err = capsys.readouterr().err
    assert code == ExitCode.ENVIRONMENT and "no earlier release of 2024" in err and "Traceback" not in err


def test_commentary_named_in_capitals_is_read_and_an_unpaired_file_is_caught_by_validate(tmp_path, capsys):
    # *.MD files were silently left out of the report; a twin named 03-Actions.md passed validate and
    # then failed the report
    root = _inputs(tmp_path)
    shutil.copytree(ROOT / "inputs" / "2024" / "commentary", root / "2024" / "commentary")
    for lang in ("cy", "en"):
        page = root / "2024" / "commentary" / lang / "01-introduction.md"
        page.rename(page.with_name("01-INTRODUCTION.MD"))
    from pipeline.run import read_commentary

    commentary, problems = read_commentary(root, 2024, ("cy", "en"))
    assert problems == [] and "01-INTRODUCTION.MD" in commentary["cy"]
    actions = root / "2024" / "commentary" / "en" / "03-actions.md"
    actions.rename(actions.with_name("03-Actions.md"))
    code, err = _validate(root, capsys)
    assert code == ExitCode.MISSING_TRANSLATION and "03-actions.md" in err and "Traceback" not in err


def test_a_run_that_fails_takes_its_work_in_progress_with_it(tmp_path, capsys, monkeypatch):
    # a run that failed for a full disk left 12 MB in .staging, and the disk stayed full
    import errno

    import pipeline.run as run

    root = _inputs(tmp_path)

    def full(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(run, "write_manifest", full)
    outputs = tmp_path / "outputs"
    assert main(["figures", "--year", "2024", "--inputs", str(root), "--outputs", str(outputs)]) == ExitCode.ENVIRONMENT
    assert list((outputs / ".staging").iterdir()) == []
