"""The year's flows by protected characteristic: applications, moves, training, grievances, discipline, leavers,
maternity."""

from __future__ import annotations

import datetime as dt

import pytest
from measures_fixtures import WB, extracts, organisation, people, stub_paygap

from pipeline.config import Settings
from pipeline.figures import Cell
from pipeline.measures import compute_figures

NO_SUPPRESSION = organisation(Settings(suppression_threshold=1))


@pytest.fixture(autouse=True)
def _paygap(monkeypatch: pytest.MonkeyPatch) -> None:
    stub_paygap(monkeypatch)


def test_recruitment_stages_are_cumulative_and_give_the_funnel() -> None:
    apps = (
        [{"stage_reached": "applied", "ethnicity": WB}] * 60
        + [{"stage_reached": "shortlisted", "ethnicity": WB}] * 20
        + [{"stage_reached": "appointed", "ethnicity": WB}] * 20
        + [{"stage_reached": "applied", "ethnicity": "black_african"}] * 16
        + [{"stage_reached": "interviewed", "ethnicity": "black_african"}] * 3
        + [{"stage_reached": "appointed", "ethnicity": "black_african"}] * 1
        + [{"stage_reached": "appointed", "applicant_type": "internal", "employee_id": "E0"}] * 7  # not external
    )
    f = compute_figures(extracts(emp=people(10), apps=apps, org=NO_SUPPRESSION))
    t = f.table("recruitment.ethnic_minority")
    assert t.dims == ("stage", "ethnic_minority") and t.population == "external_applications"
    assert [r.keys[0] for r in t.rows][::4] == ["applied", "shortlisted", "interviewed", "offered", "appointed"]
    assert t.cell("count", "applied", "white_british") == Cell(100)
    assert t.cell("count", "shortlisted", "white_british") == Cell(40)  # 20 stopped there + 20 went on
    assert t.cell("count", "appointed", "ethnic_minority") == Cell(1)
    assert t.cell("count", "shortlisted", "ethnic_minority") == Cell(4)
    assert t.cell("pct_of_previous_stage", "shortlisted", "ethnic_minority").value == pytest.approx(4 / 20 * 100)
    assert t.cell("pct_of_first_stage", "appointed", "white_british").value == pytest.approx(20 / 100 * 100)
    assert t.cell("pct_of_previous_stage", "applied", "total").not_calculable == "not_applicable"
    assert t.cell("pct_all", "applied", "ethnic_minority").value == pytest.approx(20 / 120 * 100)
    assert not any(r.keys[0] == "total" for r in t.rows)  # stages overlap: no stage total


def test_internal_moves_success_and_characteristics_from_the_hr_record() -> None:
    emp = people(10, ethnicity="asian_pakistani") + people(10, ethnicity=WB)
    apps = (
        [{"applicant_type": "internal", "employee_id": "E0", "stage_reached": "appointed"}] * 6  # application blank
        + [{"applicant_type": "internal", "employee_id": "E10", "stage_reached": "interviewed", "ethnicity": WB}] * 9
    )
    t = compute_figures(extracts(emp=emp, apps=apps, org=NO_SUPPRESSION)).table("internal_moves.ethnic_minority")
    assert t.dims == ("outcome", "ethnic_minority") and t.population == "internal_applications"
    assert t.cell("count", "successful", "ethnic_minority") == Cell(6)
    assert t.cell("count", "unsuccessful", "white_british") == Cell(9)
    assert t.cell("count", "total", "total") == Cell(15)
    assert t.cell("pct_of_column", "successful", "ethnic_minority").value == pytest.approx(100.0)  # success rate


def test_training_requested_approved_completed() -> None:
    emp = people(10, disability="yes") + people(10, disability="no")
    training = (
        [{"employee_id": "E0", "outcome": "approved", "completed": True}] * 5
        + [{"employee_id": "E1", "outcome": "declined"}] * 5
        + [{"employee_id": "E10", "outcome": "approved", "completed": False}] * 8
    )
    t = compute_figures(extracts(emp=emp, training=training, org=NO_SUPPRESSION)).table("training.disability")
    assert t.dims == ("status", "disability") and t.population == "training_requests"
    assert t.cell("count", "requested", "yes") == Cell(10)
    assert t.cell("count", "approved", "yes") == Cell(5)
    assert t.cell("count", "completed", "yes") == Cell(5)
    assert t.cell("pct_of_first_stage", "approved", "yes").value == pytest.approx(50.0)
    assert t.cell("count", "completed", "no") == Cell(0)


def test_grievances_count_each_party_by_role() -> None:
    emp = people(10, sex="male") + people(10, sex="female")
    griev = [{"employee_id": f"E{i}", "case_id": f"G{i}", "role": "respondent"} for i in range(6)] + [
        {"employee_id": f"E{i}", "case_id": f"G{i - 10}", "role": "complainant"} for i in range(10, 16)
    ]
    t = compute_figures(extracts(emp=emp, grievances=griev, org=NO_SUPPRESSION)).table("grievances.sex")
    assert t.dims == ("role", "sex") and t.population == "grievance_parties"
    assert t.cell("count", "respondent", "male") == Cell(6)
    assert t.cell("count", "complainant", "female") == Cell(6)
    assert t.cell("count", "total", "total") == Cell(12)


def test_disciplinary_cases_by_outcome() -> None:
    emp = people(20, religion="muslim") + people(20, religion="christian")
    disc = [{"employee_id": f"E{i}", "case_id": f"D{i}", "outcome": "written_warning"} for i in range(6)]
    t = compute_figures(extracts(emp=emp, disciplinary=disc, org=NO_SUPPRESSION)).table("disciplinary.religion")
    assert t.dims == ("outcome", "religion") and t.population == "disciplinary_cases"
    assert t.cell("count", "written_warning", "muslim") == Cell(6)
    assert t.cell("pct_all", "written_warning", "muslim").value == pytest.approx(100.0)


def test_leavers_by_reason_and_characteristic() -> None:
    left = dt.date(2023, 9, 30)
    emp = (
        people(30)
        + people(6, leave_date=left, leave_reason="retirement", date_of_birth=dt.date(1965, 1, 1))
        + people(7, leave_date=left, leave_reason="resignation", sexual_orientation="bisexual")
        + people(5, leave_date=dt.date(2022, 12, 1), leave_reason="resignation")
    )  # left before the period
    f = compute_figures(extracts(emp=emp, org=NO_SUPPRESSION))
    t = f.table("leavers.sexual_orientation")
    assert t.dims == ("leave_reason", "sexual_orientation") and t.population == "leavers"
    assert t.cell("count", "resignation", "bisexual") == Cell(7)
    assert t.cell("count", "total", "total") == Cell(13)
    assert t.cell("pct_of_column", "retirement", "heterosexual").value == pytest.approx(100.0)
    assert f.table("leavers.workforce_group").cell("count", "total", "officer") == Cell(13)


def test_maternity_returned_did_not_return_still_on_leave() -> None:
    d = dt.date
    emp = (
        people(6, maternity_leave_start=d(2023, 1, 10), maternity_leave_end=d(2023, 10, 9))  # returned
        + people(5, maternity_leave_start=d(2023, 5, 1), maternity_leave_end=None)  # still on leave
        + people(
            7,
            maternity_leave_start=d(2023, 5, 1),
            maternity_leave_end=d(2024, 1, 31),
            leave_date=d(2024, 1, 31),
            leave_reason="resignation",
        )  # left at the end of leave
        + people(4, maternity_leave_start=d(2022, 1, 1), maternity_leave_end=d(2022, 9, 1))  # before the period
        + people(20)
    )
    t = compute_figures(extracts(emp=emp, org=NO_SUPPRESSION)).table("maternity.sex")
    assert t.dims == ("status", "sex") and t.population == "maternity"
    assert t.cell("count", "returned", "female") == Cell(6)
    assert t.cell("count", "still_on_leave", "female") == Cell(5)
    assert t.cell("count", "did_not_return", "female") == Cell(7)
    assert t.cell("count", "total", "total") == Cell(18)
    assert t.cell("pct_of_column", "returned", "female").value == pytest.approx(6 / 18 * 100)


def test_flow_margins_shared_between_characteristics_are_protected_together() -> None:
    # 3 disabled leavers; the leavers-by-sex and leavers-by-disability tables share their totals
    left = dt.date(2023, 9, 30)
    emp = (
        people(30)
        + people(3, leave_date=left, leave_reason="resignation", disability="yes")
        + people(20, leave_date=left, leave_reason="resignation")
    )
    f = compute_figures(extracts(emp=emp))
    dis = f.table("leavers.disability")
    assert dis.cell("count", "resignation", "yes") == Cell(None, suppressed="withheld")
    assert dis.cell("count", "total", "yes").suppressed == "withheld"
    for t in (dis, f.table("leavers.sex")):
        for r in t.rows:
            line = [x for x in t.rows if x.keys[0] == r.keys[0]]
            assert sum(1 for x in line if x.cells["count"].suppressed) != 1
