"""Welsh employment information, SI 2011/1064 reg 9 (statutory-methodology.md §3.1, §5, G14).

reg 9(1)(a) number employed at the relevant date (31 March) and 9(1)(c) the year's flows: by each
protected characteristic. reg 9(1)(b) job, grade, pay, contract type, working pattern: by men and women.
"""

from __future__ import annotations

import datetime as dt

import pytest
from measures_fixtures import WB, extracts, organisation, people, stub_paygap

from pipeline.config import Settings
from pipeline.figures import Cell
from pipeline.measures import compute_figures

CHARACTERISTICS = (
    "sex",
    "age_band",
    "ethnic_group",
    "ethnic_minority",
    "ethnic_minority_excl_white",
    "disability",
    "religion",
    "sexual_orientation",
    "gender_identity",
    "marital_status",
    "welsh_speaking",
)


@pytest.fixture(autouse=True)
def _paygap(monkeypatch: pytest.MonkeyPatch) -> None:
    stub_paygap(monkeypatch)


def test_reg_9_every_breakdown_is_published() -> None:
    f = compute_figures(extracts(emp=people(12)))
    ids = {t.id for t in f.tables}
    # 9(1)(a): headcount at 31 March by each protected characteristic (and detailed ethnicity)
    assert {f"profile.{c}" for c in CHARACTERISTICS} | {"profile.ethnicity"} <= ids
    # 9(1)(b): job, grade, pay, contract type, working pattern by men and women
    for x in ("workforce_group", "grade", "pay_band", "contract_type", "working_pattern"):
        assert f.table(f"men_women.{x}").dims == (x, "sex")
    # 9(1)(c)(i)-(vii) by each protected characteristic
    for section in ("recruitment", "internal_moves", "training", "grievances", "disciplinary", "leavers"):
        for c in CHARACTERISTICS:
            assert f.table(f"{section}.{c}").dims[-1] == c
    assert {t.section for t in f.tables} <= {
        "profile",
        "men_women",
        "recruitment",
        "internal_moves",
        "training",
        "grievances",
        "disciplinary",
        "leavers",
        "maternity",
        "representation",
        "change",
        "welsh_language",
    }


def test_relevant_date_is_31_march() -> None:
    emp = (
        people(10)
        + people(6, leave_date=dt.date(2024, 3, 31), leave_reason="retirement")  # still employed that day
        + people(5, leave_date=dt.date(2024, 3, 30), leave_reason="retirement")
        + people(7, start_date=dt.date(2024, 4, 1))
    )  # starts after the snapshot
    f = compute_figures(extracts(emp=emp))
    assert f.table("profile.sex").cell("count", "total") == Cell(16)
    assert f.snapshot_date == "2024-03-31" and f.period_start == "2023-04-01" and f.period_end == "2024-03-31"


def test_g14_shares_of_those_who_stated_their_ethnicity() -> None:
    # Home Office: "7,915 of the 8,117 (98%) officers who left ... stated their ethnicity. Of these, 620, or 7.8%,
    # identified as ethnic minorities (excluding White minorities)".
    left = dt.date(2023, 12, 31)
    leaver = {"leave_date": left, "leave_reason": "resignation"}
    emp = (
        people(620, ethnicity="asian_pakistani", **leaver)
        + people(7915 - 620 - 100, ethnicity=WB, **leaver)
        + people(100, ethnicity="white_other", **leaver)  # White minorities count as White here
        + people(8117 - 7915, ethnicity="not_stated", **leaver)
        + people(50)
    )
    f = compute_figures(extracts(emp=emp))
    t = f.table("leavers.ethnic_minority_excl_white")
    assert t.cell("count", "total", "ethnic_minority_excl_white") == Cell(620)
    assert t.cell("count", "total", "total") == Cell(8117)
    assert t.cell("pct_stated", "total", "ethnic_minority_excl_white").value == pytest.approx(620 / 7915 * 100)
    assert round(620 / 7915 * 100, 2) == 7.83
    assert t.cell("pct_all", "total", "ethnic_minority_excl_white").value == pytest.approx(620 / 8117 * 100)  # 7.64
    # the RDU's "ethnic minorities" include White minorities: 720 of 7,915
    em = f.table("leavers.ethnic_minority")
    assert em.cell("pct_stated", "total", "ethnic_minority").value == pytest.approx(720 / 7915 * 100)


def test_disclosure_rate_is_given_for_every_characteristic() -> None:
    emp = people(30) + people(10, disability="prefer_not_to_say") + people(10, disability="not_stated")
    f = compute_figures(extracts(emp=emp))
    assert f.quality["disclosure_rate"]["disability"]["value"] == pytest.approx(30 / 50 * 100)
    assert set(f.quality["disclosure_rate"]) == set(CHARACTERISTICS) - {
        "sex",
        "ethnic_group",
        "ethnic_minority",
        "ethnic_minority_excl_white",
    } | {"ethnicity"}


def test_volunteers_are_in_the_profile_but_not_in_pay_figures() -> None:
    emp = people(20) + people(9, workforce_group="special", grade="special_constable")
    pay = [{"employee_id": f"E{i}"} for i in range(20)]
    f = compute_figures(extracts(emp=emp, pay_rows=pay, org=organisation(Settings(suppression_threshold=1))))
    assert f.table("profile.sex").cell("count", "total") == Cell(29)
    assert f.table("men_women.workforce_group").cell("count", "special", "total") == Cell(9)
    assert f.table("men_women.pay_band").cell("count", "total", "total") == Cell(20)
