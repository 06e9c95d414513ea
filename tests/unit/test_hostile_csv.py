"""CSV shapes that arrive from real HR systems and hand-edited spreadsheets: accepted where a
reasonable user would expect, otherwise one clear problem — never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from contract_fixtures import write_inputs
from test_contract_rules import errors_of, load, only
from pipeline.config import ReportingYear, load_organisation
from pipeline.extracts import load_extracts


def _training(root: Path) -> Path:
    return root / "2024" / "training.csv"


def test_windows_line_endings_are_accepted(tmp_path):
    root = write_inputs(tmp_path)
    p = _training(root)
    p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n"))
    assert load(root) == []


def test_quoted_line_break_inside_a_cell_is_accepted_and_rows_keep_spreadsheet_numbers(tmp_path):
    root = write_inputs(tmp_path)
    p = _training(root)
    p.write_text(p.read_text().replace("Public order", '"Public\norder"').replace("2024-01-10", "2024-13-10"))
    problem = only(errors_of(root))
    assert (problem.code, problem.row) == ("bad_date", 3)  # the second record, though the third physical line


def test_header_repeated_mid_file_is_one_problem(tmp_path):
    root = write_inputs(tmp_path)
    p = _training(root)
    lines = p.read_text().splitlines()
    p.write_text("\n".join([lines[0], lines[1], lines[0], lines[2]]) + "\n")
    problem = only(errors_of(root))
    assert (problem.code, problem.file, problem.row) == ("repeated_header", "training.csv", 3)


def test_thousands_separator_in_pay_is_a_number_error(tmp_path):
    root = write_inputs(tmp_path)
    p = root / "2024" / "pay.csv"
    p.write_text(p.read_text().replace("3500.50", '"3,500.50"'))
    problem = only(errors_of(root))
    assert (problem.code, problem.column, problem.found) == ("bad_number", "ordinary_pay", None)


def test_mixed_date_formats_are_reported_row_by_row(tmp_path):
    root = write_inputs(tmp_path)
    p = root / "2024" / "grievances.csv"
    p.write_text(p.read_text().replace("2023-07-01,not_upheld\n", "01/07/2023,not_upheld\n", 1))
    problem = only(errors_of(root))
    assert (problem.code, problem.row, problem.found) == ("bad_date", 2, None)
    assert problem.message.endswith("(it looks like 99/99/9999)")


def test_unterminated_quote_is_an_unreadable_file_not_a_crash(tmp_path):
    root = write_inputs(tmp_path)
    p = _training(root)
    p.write_text(p.read_text() + 'E1,"unterminated,2023-06-01,approved,true\n')
    problem = only(errors_of(root))
    assert (problem.code, problem.file, problem.row) == ("unclosed_quote", "training.csv", 4)


def test_cells_are_trimmed(tmp_path):
    root = write_inputs(tmp_path)
    p = _training(root)
    p.write_text(p.read_text().replace(",approved,", ",  approved ,"))
    org, _ = load_organisation(root / "organisation.toml")
    ex, _ = load_extracts(root, ReportingYear(2024), org)
    assert ex.training["outcome"].to_list() == ["approved", "pending"]


def _pad(rows: list[dict[str, str]], pad: str = " ") -> list[dict[str, str]]:
    return [{k: (f"{pad}{v}{pad}" if v else pad * 2) for k, v in r.items()} for r in rows]


def test_padded_cells_of_every_kind_read_exactly_as_the_clean_file(tmp_path):
    # Spaces around every cell (and a blank cell of spaces) in every extract: codes, dates, numbers,
    # yes/no, ids and text. A clean file is checked without trimming most cells; a padded one must
    # still give the same typed frames and no problem, never an "unknown code" for " female ".
    from contract_fixtures import valid_tables

    clean_root = write_inputs(tmp_path / "clean")
    padded = {name: _pad(rows, " \t") for name, rows in valid_tables().items()}
    padded_root = write_inputs(tmp_path / "padded", padded)
    org, _ = load_organisation(clean_root / "organisation.toml")
    clean, _ = load_extracts(clean_root, ReportingYear(2024), org)
    spaced, warnings = load_extracts(padded_root, ReportingYear(2024), org)
    assert warnings == []
    for name in ("employees", "pay", "applications", "training", "grievances", "disciplinary"):
        assert getattr(spaced, name).equals(getattr(clean, name)), name


def test_a_padded_bad_code_is_reported_once_with_its_row(tmp_path):
    # the quick check gives up on the padded cells; the careful one trims them, then finds the bad code
    from contract_fixtures import valid_tables

    tables = valid_tables()
    tables["employees"] = _pad(tables["employees"])
    tables["employees"][3]["ethnicity"] = "martian"
    root = write_inputs(tmp_path, tables)
    problem = only(errors_of(root))
    assert (problem.code, problem.row, problem.column, problem.found) == ("unknown_code", 5, "ethnicity", None)
    assert problem.message.endswith("(it looks like aaaaaaa)")


@pytest.mark.parametrize("spell", [str.upper, str.title], ids=["upper", "title"])
def test_a_header_repeated_in_another_case_is_still_one_problem(tmp_path, spell):
    # "EMPLOYEE_ID,..." is caught by the quick check; "Employee_Id,..." is not the file's spelling nor
    # all lower or upper case, so the quick check gives up on its bad date and code, and the careful
    # one recognises the header in any case
    root = write_inputs(tmp_path)
    p = _training(root)
    lines = p.read_text().splitlines()
    p.write_text("\n".join([lines[0], lines[1], spell(lines[0]), lines[2]]) + "\n")
    problem = only(errors_of(root))
    assert (problem.code, problem.file, problem.row) == ("repeated_header", "training.csv", 3)
