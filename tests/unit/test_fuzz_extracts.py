"""Fuzzing: random corruptions of valid extracts end in success or in a user error naming a file —
never in an internal error, and never with anything written to the outputs on failure.

CI runs a small, seeded number of examples; `make fuzz` runs many (HYPOTHESIS_PROFILE=fuzz).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contract_fixtures import write_inputs
from pipeline.cli import main

settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

FILES = ("employees", "pay", "applications", "training", "grievances", "disciplinary")
NASTY = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "NULL", "N/A", "=1+1", "1e309", "-0", "0x10", "2024-02-30", "31/03/2024", "£1,000",
                     "1,5", "yes", "TRUE", "\u00a0", "\ufeff", '"', "a,b", "line\nbreak", "9" * 40, "ŵŷ", "E1"]),
)


@st.composite
def corruption(draw):
    name = draw(st.sampled_from(FILES))
    kind = draw(st.sampled_from(["cell", "cell", "cell", "drop_row", "dup_row", "truncate", "encoding", "header",
                                 "blank_lines"]))
    return name, kind, draw(st.integers(0, 50)), draw(st.integers(0, 30)), draw(NASTY)


def _corrupt(path: Path, kind: str, r: int, c: int, value: str) -> None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return  # already re-encoded by an earlier corruption
    lines = text.splitlines()
    if not lines:
        return  # already truncated to nothing
    header, rows = lines[0], lines[1:]
    if kind == "cell" and rows:
        i = r % len(rows)
        cells = rows[i].split(",")
        j = c % len(cells)
        cells[j] = '"' + value.replace('"', '""') + '"' if any(ch in value for ch in ',"\n') else value
        rows[i] = ",".join(cells)
    elif kind == "drop_row" and rows:
        rows.pop(r % len(rows))
    elif kind == "dup_row" and rows:
        rows.append(rows[r % len(rows)])
    elif kind == "truncate":
        path.write_bytes(path.read_bytes()[: max(0, len(text.encode()) * (r % 10) // 10)])
        return
    elif kind == "encoding":
        path.write_bytes(text.encode("utf-16") if r % 2 else text.encode("latin-1", "replace"))
        return
    elif kind == "header":
        names = header.split(",")
        names[c % len(names)] = value.replace(",", "").replace("\n", "") or "x"
        header = ",".join(names)
    elif kind == "blank_lines":
        rows.insert(r % (len(rows) + 1), ",,,")
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


@settings(settings.get_profile(PROFILE))
@given(corruptions=st.lists(corruption(), min_size=1, max_size=3))
def test_random_corruption_ends_in_success_or_a_user_error(tmp_path_factory, corruptions):
    root = tmp_path_factory.mktemp("fuzz")
    inputs = write_inputs(root / "inputs")
    for name, kind, r, c, value in corruptions:
        _corrupt(inputs / "2024" / f"{name}.csv", kind, r, c, value)
    outputs = root / "outputs"
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["figures", "--year", "2024", "--inputs", str(inputs), "--outputs", str(outputs)])
    log = err.getvalue()
    assert code in (0, 3), log
    assert "Traceback" not in log
    if code == 3:
        assert not (outputs / "2024-figures").exists()
        problem_lines = [ln for ln in log.splitlines() if ln.startswith("  error:")]
        assert problem_lines and all(".csv" in ln or "organisation.toml" in ln or ln.count(":") >= 2
                                     for ln in problem_lines), log
    else:
        assert (outputs / "2024-figures" / "data" / "figures.json").exists()
    shutil.rmtree(root, ignore_errors=True)
