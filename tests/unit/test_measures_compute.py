"""``compute_figures`` as a whole: pay gaps asked of the engine, codes only, same figures every run."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from measures_fixtures import WB, extracts, people, stub_paygap

from pipeline.figures import Cell
from pipeline.measures import compute_figures

CODE = re.compile(r"^[a-z0-9_.+|:\-]*$")


def workforce() -> dict[str, Any]:
    emp = (
        people(14, sex="male")
        + people(12, sex="female", ethnicity="asian_indian")
        + people(11, sex="female", workforce_group="staff", grade="scale_1", disability="yes")
        + people(10, sex="male", workforce_group="pcso", grade="pcso", ethnicity="white_other")
        + people(6, sex="male", workforce_group="special", grade="special_constable")
        + people(3, sex="female", leave_date=dt.date(2023, 8, 1), leave_reason="resignation")
    )
    pay = [{"employee_id": f"E{i}"} for i in range(47)]
    apps = [{"stage_reached": "appointed", "ethnicity": WB}] * 9 + [{"stage_reached": "applied"}] * 30
    return {
        "emp": emp,
        "pay_rows": pay,
        "apps": apps,
        "training": [{"employee_id": "E1"}] * 7,
        "grievances": [{"employee_id": "E2"}],
        "disciplinary": [{"employee_id": "E3", "outcome": "dismissal"}],
    }


def test_pay_gaps_asked_of_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = stub_paygap(monkeypatch)
    f = compute_figures(extracts(**workforce()))
    ids = [g.id for g in f.pay_gaps]
    assert ids == [
        "gender",
        "gender.officer",
        "gender.staff",
        "gender.pcso",
        "gender.police_staff",
        "ethnicity.minority",
        "ethnicity.white_minority",
        "ethnicity.asian",
        "disability",
        "gender.white_british",
        "gender.ethnic_minority",
    ]
    by_id = {c["id"]: c for c in calls}
    assert by_id["gender"]["n"] == 47  # employees in post with a pay row; the 6 specials are volunteers
    assert by_id["gender.police_staff"]["n"] == 21 and by_id["gender.police_staff"]["population"] == "police_staff"
    assert by_id["ethnicity.minority"] | {"n": 0} == {
        "fn": "compare",
        "id": "ethnicity.minority",
        "col": "ethnic_minority",
        "ref": "white_british",
        "cmp": "ethnic_minority",
        "population": "all",
        "n": 0,
    }
    assert (by_id["disability"]["ref"], by_id["disability"]["cmp"]) == ("no", "yes")
    # groups below min_group_size (10) are not compared at all: no Black, Mixed or Other gap
    assert "ethnicity.black" not in ids
    # sex x ethnicity: the gender gap inside each group (here 14 men and 11 women are White British)
    assert (by_id["gender.white_british"]["n"], by_id["gender.ethnic_minority"]["n"]) == (25, 22)
    g = f.pay_gap("ethnicity.asian")
    assert (g.reference, g.comparison, g.n_reference, g.n_comparison) == ("white_british", "asian", Cell(25), Cell(12))


def test_figures_hold_codes_and_numbers_only(monkeypatch: pytest.MonkeyPatch) -> None:
    stub_paygap(monkeypatch)
    f = compute_figures(extracts(**workforce()))
    strings: list[str] = []

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            for k, v in x.items():
                strings.append(str(k))
                walk(v)
        elif isinstance(x, list | tuple):
            for v in x:
                walk(v)
        elif isinstance(x, str):
            strings.append(x)

    walk(f.to_dict())
    words = sorted({s for s in strings if not CODE.match(s)})
    assert words == []
    assert "E1" not in json.dumps(f.to_dict())  # no employee id anywhere
    json.dumps(f.quality)  # plain JSON values: the review pack prints them as they are


def test_suppressed_cells_carry_no_value(monkeypatch: pytest.MonkeyPatch) -> None:
    stub_paygap(monkeypatch)
    f = compute_figures(extracts(**workforce()))
    cells = [c for t in f.tables for r in t.rows for c in r.cells.values()]
    assert any(c.suppressed for c in cells)
    assert all(c.value is None for c in cells if c.suppressed or c.not_calculable)
    assert {c.suppressed for c in cells} <= {None, "small_count", "secondary", "rests_on_suppressed"}
    assert f.quality["suppressed_counts"]["small_count"] > 0


def test_same_figures_whatever_the_hash_seed(tmp_path: Path) -> None:
    """Suppression choices must not depend on set ordering: the same inputs give the same bytes."""
    script = tmp_path / "run.py"
    script.write_text(
        "import sys\n"
        f"sys.path[:0] = [{str(Path(__file__).parents[1])!r}, {str(Path(__file__).parents[2])!r}]\n"
        "import measures_fixtures as mf\n"
        "from test_measures_compute import workforce\n"
        "class MP:\n    def setitem(self, d, k, v): d[k] = v\n"
        "mf.stub_paygap(MP())\n"
        "from pipeline.measures import compute_figures\n"
        "print(compute_figures(mf.extracts(**workforce())).to_json())\n",
        encoding="utf-8",
    )
    sys.path.insert(0, str(Path(__file__).parent))
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(Path(__file__).parent)}
        outs.append(
            subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, check=True).stdout
        )
    assert outs[0] == outs[1] and len(outs[0]) > 1000
