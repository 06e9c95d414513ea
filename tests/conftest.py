"""Shared test set-up: make the fixture builders in tests/ importable from every test folder, and run
the whole pipeline on the bundled sample once per session for every test that reads its outputs."""

import contextlib
import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_INPUTS = ROOT / "inputs"


@pytest.fixture(scope="session")
def sample_report(tmp_path_factory) -> tuple[int, Path, str]:
    """``make report YEAR=2024`` on the sample: (exit code, the published folder, the log)."""
    if not (SAMPLE_INPUTS / "2024" / "employees.csv").exists():
        pytest.skip("sample inputs missing (make sample)")
    from pipeline.cli import main

    outputs = tmp_path_factory.mktemp("sample-outputs")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["report", "--year", "2024", "--inputs", str(SAMPLE_INPUTS), "--outputs", str(outputs), "-v"])
    return code, outputs / "2024", err.getvalue()
