"""``compute_figures`` as a whole: pay gaps asked of the engine, codes only, same figures every run."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
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


def _as_if_250_or_more(monkeypatch: pytest.MonkeyPatch) -> None:
    """Treat a small fixture as a body with the legal duty (250 or more employees), so that its own
    gender pay gap is statutory."""
    import pipeline.measures

    monkeypatch.setattr(pipeline.measures, "STATUTORY_MIN_EMPLOYEES", 1)


def test_pay_gaps_asked_of_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    _as_if_250_or_more(monkeypatch)
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
    assert by_id["ethnicity.minority"] | {"n": 0, "sides": (0, 0)} == {
        "fn": "compare",
        "id": "ethnicity.minority",
        "col": "ethnic_minority",
        "ref": "white_british",
        "cmp": "ethnic_minority",
        "population": "all",
        "n": 0,
        "sides": (0, 0),
    }
    assert (by_id["disability"]["ref"], by_id["disability"]["cmp"]) == ("no", "yes")
    # groups below min_group_size (10) are not compared at all: no Black, Mixed or Other gap
    assert "ethnicity.black" not in ids
    # sex x ethnicity: the gender gap inside each group (here 14 men and 11 women are White British)
    assert (by_id["gender.white_british"]["n"], by_id["gender.ethnic_minority"]["n"]) == (25, 22)
    g = f.pay_gap("ethnicity.asian")
    assert (g.reference, g.comparison, by_id["ethnicity.asian"]["sides"]) == ("white_british", "asian", (25, 12))
    # only the organisation's own gender gap is statutory; every other comparison publishes no sizes
    assert [x["id"] for x in calls if x["fn"] == "gender" and not x["gated"]] == ["gender"]
    assert g.n_reference == g.n_comparison == Cell(None, suppressed="withheld") and g.quartile_sizes == {}
    assert f.pay_gap("gender").n_reference == Cell(by_id["gender"]["sides"][0])


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
    # one reason for a small count and for a count withheld to shield one: told apart, they pinned values
    assert {c.suppressed for c in cells} <= {None, "withheld", "rests_on_suppressed"}
    assert f.quality["suppressed_counts"]["withheld"] > 0


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


def _small_group_workforce(women_officers: int, staff_each: int) -> dict[str, Any]:
    emp = (people(20, sex="male") + people(women_officers, sex="female")
           + people(staff_each, sex="male", workforce_group="staff", grade="scale_1")
           + people(staff_each, sex="female", workforce_group="staff", grade="scale_1"))
    # everyone on a different rate: a median of a few women would be one woman's pay
    pay = [{"employee_id": f"E{i}", "ordinary_pay": 2000 + 37 * i} for i in range(len(emp))]
    return {"emp": emp, "pay_rows": pay}


def test_the_gender_gap_within_a_group_is_gated_at_the_minimum_group_size(monkeypatch: pytest.MonkeyPatch) -> None:
    # 4 women officers: their gap is not published (their medians are their pay); the staff's 12
    # and 12 reach min_group_size (10) and are; the organisation's own gap is a legal duty
    _as_if_250_or_more(monkeypatch)
    f = compute_figures(extracts(**_small_group_workforce(women_officers=4, staff_each=12)))
    officers, staff, whole = f.pay_gap("gender.officer"), f.pay_gap("gender.staff"), f.pay_gap("gender")
    assert (officers.published, officers.gate_reason) == (False, "below_min_group")
    assert officers.mean_hourly_gap == officers.median_hourly_gap == Cell(None, suppressed="below_min_group")
    assert all(cell == Cell(None, suppressed="below_min_group") for pair in officers.quartiles.values() for cell in pair)
    assert staff.published and staff.mean_hourly_gap.shown
    assert whole.published and whole.mean_hourly_gap.shown and (whole.n_reference, whole.n_comparison) == (Cell(32), Cell(16))


def test_the_organisations_gap_with_few_women_is_published_without_saying_how_many(monkeypatch: pytest.MonkeyPatch) -> None:
    # statutory (for a body of 250 or more) however few women are on full pay; the 4 women are
    # withheld, and so are the 20 men and the quarter sizes, which add up to 24 and would give the 4 back
    from pipeline.audit import audit_figures

    _as_if_250_or_more(monkeypatch)

    f = compute_figures(extracts(**_small_group_workforce(women_officers=4, staff_each=0)))
    g = f.pay_gap("gender")
    assert g.published and g.mean_hourly_gap.shown and g.median_hourly_gap.shown
    assert all(a.shown and b.shown for a, b in g.quartiles.values())
    assert g.n_comparison == g.n_relevant_comparison == Cell(None, suppressed="withheld")
    assert g.n_reference == g.n_relevant_reference == Cell(None, suppressed="withheld")
    assert g.quartile_sizes == {}
    assert audit_figures(json.loads(f.to_json())) == []


def test_a_workforce_group_is_counted_as_its_grades_so_no_grade_count_is_given_away_by_the_groups() -> None:
    # 3 women sergeants: withheld in the grade table. Women officers (23) in the group table less
    # women constables (20) in the grade table would give the 3 back, unless disclosure control knows
    # that officers are constables and sergeants (groups.nesting) and withholds one more cell
    from pipeline.audit import audit_figures
    from pipeline.measures.groups import nesting

    emp = (people(20, sex="female") + people(3, sex="female", grade="sergeant") + people(25, sex="male")
           + people(10, sex="male", grade="sergeant")
           + people(15, sex="female", workforce_group="staff", grade="scale_1")
           + people(12, sex="male", workforce_group="staff", grade="scale_1")
           + people(8, sex="male", workforce_group="pcso", grade="pcso")
           + people(7, sex="female", workforce_group="pcso", grade="pcso"))
    pay = [{"employee_id": f"E{i}"} for i in range(len(emp))]
    f = compute_figures(extracts(emp=emp, pay_rows=pay))
    assert nesting(extracts(emp=emp).organisation)["workforce_group"][1]["officer"] == {"constable", "sergeant"}
    assert f.settings["grades_by_workforce_group"]["officer"] == ["constable", "sergeant"]
    grade, group = f.table("men_women.grade"), f.table("men_women.workforce_group")
    assert grade.cell("count", "sergeant", "female").suppressed == "withheld"
    officers_f, constables_f = group.cell("count", "officer", "female"), grade.cell("count", "constable", "female")
    assert not (officers_f.shown and constables_f.shown)
    # PCSOs are one grade: the two tables withhold or show that count together
    assert group.cell("count", "pcso", "female").shown == grade.cell("count", "pcso", "female").shown
    assert audit_figures(json.loads(f.to_json())) == []


def test_the_outlier_check_counts_weekly_pay_over_7_days_under_the_30_44_convention() -> None:
    """The plausibility check spread every period over 30.44 days under that convention, so two
    people paid £500 a week at 37 hours (£13.51 an hour) read as £3.11 and were flagged low."""
    import datetime as dt

    import polars as pl

    from pipeline.measures import hourly_pay_outliers

    march = [(dt.date(2024, 3, 1), dt.date(2024, 3, 31), 2000 + 20 * i) for i in range(18)]
    weeks = [(dt.date(2024, 3, 25), dt.date(2024, 3, 31), 500)] * 2
    pay = pl.DataFrame([{"period_start": s, "period_end": e, "ordinary_pay": float(p), "weekly_hours": 37.0,
                         "full_pay": True} for s, e, p in march + weeks])
    assert hourly_pay_outliers(pay, "30.44") == (0, 0)
    assert hourly_pay_outliers(pay, "actual") == (0, 0)


def _workforce_of(employees: int) -> dict[str, Any]:
    """``employees`` officers in post, alternately men and women, each with a pay row, and five special
    constables (volunteers, who are not employees); women are paid 10% less."""
    emp = [{"sex": ("male", "female")[i % 2]} for i in range(employees)]
    emp += people(5, sex="female", workforce_group="special", grade="special_constable")
    pay = [{"employee_id": f"E{i}", "ordinary_pay": Decimal("3000.00") if i % 2 == 0 else Decimal("2700.00")}
           for i in range(employees)]
    return {"emp": emp, "pay_rows": pay}


def test_the_gender_pay_gap_is_a_legal_duty_from_250_employees_on_the_snapshot_date() -> None:
    # SI 2017/353 Sch. 2: "250 or more employees on the snapshot date"; the specials do not count
    from pipeline.measures import pay_frame, pay_gaps

    for n, statutory in ((250, True), (249, False)):
        ex = extracts(**_workforce_of(n))
        gender = next(g for g in pay_gaps(pay_frame(ex), ex) if g.id == "gender")
        assert gender.statutory is statutory
        assert gender.mean_hourly_gap.value == pytest.approx(10.0)  # measured alike either way
    # below the duty the organisation's gap is protected like any voluntary comparison: no sizes
    figures = compute_figures(extracts(**_workforce_of(249)))
    gap = figures.pay_gap("gender")
    assert not gap.statutory and gap.quartile_sizes == {}
    assert gap.n_reference.suppressed and gap.n_relevant_comparison.suppressed
    assert compute_figures(extracts(**_workforce_of(250))).pay_gap("gender").n_reference == Cell(125)


def test_a_small_bodys_gender_pay_gap_is_gated_at_the_minimum_group_size() -> None:
    # nine women: the medians of a handful of women are their pay, and no law requires them here
    gap = compute_figures(extracts(**_workforce_of(18))).pay_gap("gender")
    assert not gap.published and gap.gate_reason == "below_min_group"
    assert gap.mean_hourly_gap.value is None


def test_a_month_s_pay_is_a_twelfth_of_a_year_whichever_day_the_month_starts() -> None:
    """The pay band tables annualise ordinary pay: £2,000 for 1 to 31 March or for 16 March to 15
    April is £24,000 a year (only 1st-to-last-day months were months: the second was 2,000 x 365 /
    31 = £23,548.39); 2 to 31 March is no month, so 2,000 x 365 / 30 = £24,333.33; not on full pay,
    none."""
    import polars as pl

    from pipeline.measures.profile import annual_pay

    pay = pl.LazyFrame({
        "employee_id": [1, 2, 3, 4],
        "period_start": [dt.date(2024, 3, 1), dt.date(2024, 3, 16), dt.date(2024, 3, 2), dt.date(2024, 3, 1)],
        "period_end": [dt.date(2024, 3, 31), dt.date(2024, 4, 15), dt.date(2024, 3, 31), dt.date(2024, 3, 31)],
        "ordinary_pay": [Decimal("2000.00")] * 4,
        "full_pay": [True, True, True, False],
    }, schema_overrides={"ordinary_pay": pl.Decimal(18, 2)})
    yearly = annual_pay(pay).collect()["annual_pay"].to_list()
    assert [None if y is None else round(y, 2) for y in yearly] == [24_000.0, 24_000.0, 24_333.33, None]
