"""Workforce profile on 31 March and men and women by job, grade, pay band, contract and pattern."""

from __future__ import annotations

import datetime as dt

import pytest
from measures_fixtures import WB, extracts, organisation, people, stub_paygap

from pipeline.config import Settings
from pipeline.figures import Cell
from pipeline.measures import compute_figures

NO_SUPPRESSION = Settings(suppression_threshold=1)


@pytest.fixture(autouse=True)
def _paygap(monkeypatch: pytest.MonkeyPatch) -> None:
    stub_paygap(monkeypatch)


def test_percentages_of_all_and_of_those_who_stated() -> None:
    # 50 in post: 37 White British, 3 Asian Indian, 10 not stated -> 40 stated
    emp = people(37, ethnicity=WB) + people(3, ethnicity="asian_indian") + people(10, ethnicity="not_stated")
    f = compute_figures(extracts(emp=emp, org=organisation(NO_SUPPRESSION)))
    t = f.table("profile.ethnic_minority")
    assert t.dims == ("ethnic_minority",) and t.population == "workforce" and t.section == "profile"
    assert t.measures == ("count", "pct_all", "pct_stated")
    assert [r.keys for r in t.rows] == [("white_british",), ("ethnic_minority",), ("not_stated",), ("total",)]
    assert t.cell("count", "ethnic_minority") == Cell(3)
    assert t.cell("pct_all", "ethnic_minority").value == pytest.approx(3 / 50 * 100)  # 6.0
    assert t.cell("pct_stated", "ethnic_minority").value == pytest.approx(3 / 40 * 100)  # 7.5
    assert t.cell("pct_stated", "white_british").value == pytest.approx(37 / 40 * 100)
    assert t.cell("pct_stated", "not_stated") == Cell(None, not_calculable="not_applicable")
    assert t.cell("count", "total") == Cell(50)
    # detailed and broad tables agree
    assert f.table("profile.ethnicity").cell("count", "asian_indian") == Cell(3)
    assert f.table("profile.ethnic_group").cell("count", "asian") == Cell(3)
    assert f.table("profile.ethnic_minority_excl_white").cell("count", "white") == Cell(37)
    # disclosure rate: 40 of 50 stated their ethnicity
    assert f.quality["disclosure_rate"]["ethnicity"]["value"] == pytest.approx(40 / 50 * 100)


def test_prefer_not_to_say_is_outside_the_stated_denominator() -> None:
    emp = (
        people(30, religion="christian") + people(10, religion="no_religion") + people(5, religion="prefer_not_to_say")
    )
    t = compute_figures(extracts(emp=emp, org=organisation(NO_SUPPRESSION))).table("profile.religion")
    assert t.cell("pct_stated", "christian").value == pytest.approx(30 / 40 * 100)
    assert t.cell("pct_all", "christian").value == pytest.approx(30 / 45 * 100)
    assert t.cell("pct_stated", "prefer_not_to_say").not_calculable == "not_applicable"


def test_small_counts_and_the_percentages_on_them_are_withheld() -> None:
    emp = people(37, ethnicity=WB) + people(3, ethnicity="asian_indian") + people(10, ethnicity="not_stated")
    t = compute_figures(extracts(emp=emp)).table("profile.ethnic_minority")
    assert t.cell("count", "ethnic_minority") == Cell(None, suppressed="withheld")
    assert t.cell("pct_all", "ethnic_minority").suppressed == "rests_on_suppressed"
    assert t.cell("pct_stated", "ethnic_minority").suppressed == "rests_on_suppressed"
    # 50 - 10 - 37 would give the 3 back: one more cell of the line is withheld
    hidden = [r.keys for r in t.rows if r.cells["count"].suppressed]
    assert len(hidden) >= 2
    assert t.cell("count", "total") == Cell(50)


def test_zero_is_shown() -> None:
    t = compute_figures(extracts(emp=people(20, ethnicity=WB))).table("profile.ethnic_group")
    assert t.cell("count", "black") == Cell(0)
    assert t.cell("pct_all", "black") == Cell(0.0)


def test_men_and_women_by_grade_job_contract_and_pattern() -> None:
    emp = (
        people(30, sex="male", grade="constable")
        + people(20, sex="female", grade="constable")
        + people(6, sex="male", grade="sergeant")
        + people(6, sex="female", grade="sergeant")
        + people(10, sex="female", workforce_group="staff", grade="scale_1", working_pattern="part_time", fte=0.5)
        + people(8, sex="male", workforce_group="special", grade="special_constable")
    )
    f = compute_figures(extracts(emp=emp, org=organisation(NO_SUPPRESSION)))
    t = f.table("men_women.grade")
    assert t.dims == ("grade", "sex") and t.population == "workforce"
    assert t.cell("count", "constable", "female") == Cell(20)
    assert t.cell("pct_all", "constable", "female").value == pytest.approx(20 / 50 * 100)  # women's share of PCs
    assert t.cell("pct_of_column", "constable", "female").value == pytest.approx(20 / 36 * 100)  # of all women
    assert t.cell("count", "total", "total") == Cell(80)
    job = f.table("men_women.workforce_group")
    assert job.cell("count", "special", "male") == Cell(8)  # volunteers are in the profile
    wp = f.table("men_women.working_pattern")
    assert wp.cell("count", "part_time", "female") == Cell(10)
    assert f.table("profile.sex").cell("count", "total") == Cell(80)


def test_pay_bands_cover_employees_only_on_full_time_equivalent_pay() -> None:
    emp = (
        people(6, sex="female")  # E0-E5 officers, 3,000 a month
        + people(
            6, sex="male", workforce_group="staff", grade="scale_1", working_pattern="part_time", fte=0.5
        )  # E6-E11
        + people(5, sex="male", workforce_group="special", grade="special_constable")  # volunteers: no pay
    )
    pay_rows = (
        [{"employee_id": f"E{i}", "ordinary_pay": "3000.00"} for i in range(5)]
        + [{"employee_id": "E5", "ordinary_pay": "1200.00", "full_pay": False}]  # on reduced pay: rate not known
        + [{"employee_id": f"E{i}", "ordinary_pay": "1100.00", "weekly_hours": "18.5"} for i in range(6, 12)]
    )
    f = compute_figures(extracts(emp=emp, pay_rows=pay_rows, org=organisation(NO_SUPPRESSION)))
    t = f.table("men_women.pay_band")
    assert t.population == "employees" and t.dims == ("pay_band", "sex")
    # 3,000 x 12 = 36,000 a year
    assert t.cell("count", "35k_40k", "female") == Cell(5)
    assert t.cell("count", "not_known", "female") == Cell(1)
    # part-time 1,100 x 12 / 0.5 FTE = 26,400 full-time equivalent
    assert t.cell("count", "25k_30k", "male") == Cell(6)
    assert t.cell("count", "total", "total") == Cell(12)  # the 5 specials are not in pay figures
    shown = lambda v: {"value": v, "suppressed": None, "not_calculable": None}  # noqa: E731
    assert f.quality["employees_in_post"] == shown(12) and f.quality["workforce_in_post"] == shown(17)
    assert f.quality["pay_rows_not_full_pay"] == shown(1)


def test_data_quality_counts_are_withheld_with_the_tables_and_when_small() -> None:
    # the same workforce with the default threshold (5): 1 pay row not on full pay is a small count;
    # the workforce count is the tables' total, shown or withheld with it
    emp = people(12, sex="female") + people(6, sex="male", workforce_group="special", grade="special_constable")
    pay_rows = [{"employee_id": f"E{i}"} for i in range(11)] + [{"employee_id": "E11", "full_pay": False}]
    f = compute_figures(extracts(emp=emp, pay_rows=pay_rows))
    assert f.quality["pay_rows_not_full_pay"] == {"value": None, "suppressed": "withheld", "not_calculable": None}
    total = f.table("men_women.workforce_group").cell("count", "total", "total")
    assert f.quality["workforce_in_post"] == {"value": total.value, "suppressed": total.suppressed,
                                              "not_calculable": None}


def test_leavers_before_the_snapshot_are_not_in_post() -> None:
    emp = people(20) + people(7, leave_date=dt.date(2023, 10, 31), leave_reason="resignation")
    f = compute_figures(extracts(emp=emp))
    assert f.table("profile.sex").cell("count", "total") == Cell(20)
    assert f.table("leavers.sex").cell("count", "resignation", "total") == Cell(7)


def test_welsh_language_by_workforce_group() -> None:
    emp = (
        people(12, welsh_speaking="0")
        + people(8, welsh_speaking="3")
        + people(10, workforce_group="staff", grade="scale_1", welsh_speaking="5")
    )
    f = compute_figures(extracts(emp=emp, org=organisation(NO_SUPPRESSION)))
    t = f.table("welsh_language.workforce_group")
    assert t.section == "welsh_language" and t.dims == ("workforce_group", "welsh_speaking")
    assert t.cell("count", "officer", "3") == Cell(8)
    assert t.cell("pct_all", "officer", "3").value == pytest.approx(8 / 20 * 100)
    assert t.cell("pct_of_column", "staff", "5").value == pytest.approx(100.0)


def test_every_profile_characteristic_has_a_table() -> None:
    f = compute_figures(extracts(emp=people(10)))
    for dim in (
        "sex",
        "age_band",
        "ethnicity",
        "ethnic_group",
        "ethnic_minority",
        "ethnic_minority_excl_white",
        "disability",
        "religion",
        "sexual_orientation",
        "gender_identity",
        "marital_status",
        "welsh_speaking",
    ):
        t = f.table(f"profile.{dim}")
        assert t.dims == (dim,) and t.rows[-1].keys == ("total",)
