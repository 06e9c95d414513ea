"""Relative likelihoods, WRES/WDES style (statutory-methodology.md §4 and golden example G11).

relative likelihood = (outcome_X / base_X) / (outcome_Y / base_Y); 1.00 = parity; 2 d.p. at output.
"""

from __future__ import annotations

import pytest
from measures_fixtures import WB, extracts, organisation, people, stub_paygap

from pipeline.config import Settings
from pipeline.figures import Cell
from pipeline.measures import compute_figures
from pipeline.measures.likelihood import ratio


@pytest.fixture(autouse=True)
def _paygap(monkeypatch: pytest.MonkeyPatch) -> None:
    stub_paygap(monkeypatch)


def test_g11_appointment_from_shortlisting_the_christie() -> None:
    # White candidates: 46.99% appointed from shortlisting; BAME: 14.65% -> "3.2 times more likely".
    # Written as counts of 10,000 shortlisted in each group.
    apps = (
        [{"stage_reached": "appointed", "ethnicity": WB}] * 4699
        + [{"stage_reached": "shortlisted", "ethnicity": WB}] * (10_000 - 4699)
        + [{"stage_reached": "appointed", "ethnicity": "asian_indian"}] * 1465
        + [{"stage_reached": "interviewed", "ethnicity": "asian_indian"}] * (10_000 - 1465)
    )
    f = compute_figures(extracts(emp=people(10), apps=apps))
    lk = next(x for x in f.likelihoods if x.id == "appointment_from_shortlisting.ethnicity")
    assert (lk.numerator_group, lk.denominator_group) == ("white_british", "ethnic_minority")
    assert lk.characteristic == "ethnic_minority"
    assert (lk.outcome_x, lk.base_x, lk.outcome_y, lk.base_y) == (Cell(4699), Cell(10_000), Cell(1465), Cell(10_000))
    assert lk.ratio.value == pytest.approx(46.99 / 14.65)  # = 3.20751 (the spec's "3.2076" is a rounding slip)
    assert round(lk.ratio.value, 2) == 3.21
    # the funnel shows where candidates stop: here White British candidates stop after shortlisting
    step = next(x for x in f.likelihoods if x.id == "interviewed_from_shortlisted.ethnicity")
    assert step.ratio.value == pytest.approx((4699 / 10_000) / (10_000 / 10_000))


def test_g11_entering_disciplinary_kmpt() -> None:
    # KMPT: 9 BAME of 750 staff (1.2%), 17 White of 2,429 (0.70%) -> "1.7 times more likely" (1.2 / 0.7 = 1.714)
    emp = people(750, ethnicity="black_caribbean") + people(2429, ethnicity=WB)
    disc = [{"employee_id": f"E{i}", "case_id": f"D{i}"} for i in range(9)] + [
        {"employee_id": f"E{750 + i}", "case_id": f"W{i}"} for i in range(17)
    ]
    f = compute_figures(extracts(emp=emp, disciplinary=disc))
    lk = next(x for x in f.likelihoods if x.id == "entering_disciplinary.ethnicity")
    # an adverse outcome: the comparison group is the numerator (WRES indicator 3)
    assert (lk.numerator_group, lk.denominator_group) == ("ethnic_minority", "white_british")
    assert lk.ratio.value == pytest.approx((9 / 750) / (17 / 2429))
    assert round(lk.ratio.value, 2) == 1.71
    assert round(1.2 / 0.7, 3) == 1.714  # the published rates give the same answer to 2 d.p.


def test_ratio_arithmetic_and_its_reasons() -> None:
    assert ratio(38, 1000, 7, 1000, (), {}).value == pytest.approx(0.038 / 0.007)  # BalanceWorks 5.43
    assert ratio(0, 10, 5, 10, (), {}) == Cell(None, not_calculable="zero_rate")
    assert ratio(5, 10, 0, 10, (), {}) == Cell(None, not_calculable="zero_rate")
    assert ratio(5, 0, 5, 10, (), {}) == Cell(None, not_calculable="zero_denominator")


def test_likelihood_on_a_withheld_count_is_withheld() -> None:
    # 3 disabled people left: the count is withheld, and so is every figure built on it
    import datetime as dt

    left = dt.date(2023, 6, 30)
    emp = (
        people(40, disability="yes")
        + people(200, disability="no")
        + people(3, disability="yes", leave_date=left, leave_reason="resignation")
        + people(20, disability="no", leave_date=left, leave_reason="resignation")
    )
    f = compute_figures(extracts(emp=emp))
    lk = next(x for x in f.likelihoods if x.id == "leaving.disability")
    assert (lk.numerator_group, lk.base_x) == ("yes", Cell(40))
    assert lk.outcome_x == Cell(None, suppressed="withheld")
    assert lk.ratio == Cell(None, suppressed="rests_on_suppressed")


def test_every_outcome_for_every_comparison() -> None:
    f = compute_figures(extracts(emp=people(20), org=organisation(Settings(suppression_threshold=1))))
    ids = {x.id for x in f.likelihoods}
    outcomes = (
        "appointment_from_shortlisting",
        "entering_disciplinary",
        "accessing_training",
        "leaving",
        "shortlisted_from_applied",
        "interviewed_from_shortlisted",
        "offered_from_interviewed",
        "appointed_from_offered",
    )
    assert ids == {f"{o}.{c}" for o in outcomes for c in ("ethnicity", "disability", "sex")}
    sex = next(x for x in f.likelihoods if x.id == "accessing_training.sex")
    assert (sex.numerator_group, sex.denominator_group) == ("male", "female")
    assert sex.ratio.not_calculable == "zero_denominator"  # no men at all in this workforce
