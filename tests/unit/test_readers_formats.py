"""CSV, XLSX (first sheet) and Parquet copies of the same extracts give identical typed frames."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from contract_fixtures import write_inputs
from pipeline.config import ReportingYear, load_organisation
from pipeline.extracts import load_extracts

SAMPLE = Path(__file__).resolve().parents[2] / "inputs"
NAMES = ("employees", "pay", "applications", "training", "grievances", "disciplinary")


def _load(root: Path, year: int):
    org, problems = load_organisation(root / "organisation.toml")
    assert not problems
    extracts, _ = load_extracts(root, ReportingYear(year), org)
    return extracts


def _convert(src: Path, dst: Path, year: int, fmt: str) -> None:
    (dst / str(year)).mkdir(parents=True)
    shutil.copy(src / "organisation.toml", dst / "organisation.toml")
    for name in NAMES:
        csv_path = src / str(year) / f"{name}.csv"
        if not csv_path.exists():
            continue
        # typed as a spreadsheet user would have it: dates as dates, numbers as numbers
        frame = pl.read_csv(csv_path, infer_schema_length=10000, try_parse_dates=True)
        if fmt == "xlsx":
            frame.write_excel(dst / str(year) / f"{name}.xlsx")
        else:
            frame.write_parquet(dst / str(year) / f"{name}.parquet")


def _assert_same(a, b) -> None:
    for name in NAMES:
        assert_frame_equal(getattr(a, name), getattr(b, name), check_dtypes=True)


@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_small_extracts_read_identically_from_every_format(tmp_path, fmt):
    src = write_inputs(tmp_path / "csv")
    _convert(src, tmp_path / fmt, 2024, fmt)
    _assert_same(_load(src, 2024), _load(tmp_path / fmt, 2024))


@pytest.mark.skipif(not (SAMPLE / "2024" / "employees.csv").exists(), reason="sample inputs not generated")
@pytest.mark.parametrize("fmt", ["xlsx", "parquet"])
def test_sample_extracts_read_identically_from_every_format(tmp_path, fmt):
    _convert(SAMPLE, tmp_path, 2024, fmt)
    _assert_same(_load(SAMPLE, 2024), _load(tmp_path, 2024))


def test_a_parquet_column_of_lists_or_bytes_is_a_problem_or_an_ignored_column_never_a_traceback(tmp_path):
    from pipeline.errors import InvalidInput

    src = write_inputs(tmp_path / "csv")
    _convert(src, tmp_path / "pq", 2024, "parquet")
    path = tmp_path / "pq" / "2024" / "employees.parquet"
    frame = pl.read_parquet(path)
    # an extra column of lists, and one of raw bytes that are not UTF-8: ignored, with a warning each
    frame.with_columns(pl.lit(["a", "b"]).alias("tags"), pl.lit(b"\xff\xfe", dtype=pl.Binary).alias("raw"),
                       pl.duration(days=365).alias("service")).write_parquet(path)
    org, _ = load_organisation(tmp_path / "pq" / "organisation.toml")
    _, warnings = load_extracts(tmp_path / "pq", ReportingYear(2024), org)
    assert {(w.code, w.column) for w in warnings if w.file == "employees.parquet"} >= {
        ("extra_column", "tags"), ("extra_column", "raw"), ("extra_column", "service")}
    # the contract's own column as a list: a problem of the file, named, with what is allowed
    frame.with_columns(pl.col("sex").map_elements(lambda v: [v], return_dtype=pl.List(pl.String))).write_parquet(path)
    with pytest.raises(InvalidInput) as bad:
        load_extracts(tmp_path / "pq", ReportingYear(2024), org)
    assert [(p.code, p.file, p.column) for p in bad.value.problems] == [("bad_type", "employees.parquet", "sex")]
