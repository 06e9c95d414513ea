"""A full-size, seeded synthetic year run through the real measures (``compute_figures``), for the
render tests that must see every table id, dimension and category code the measures produce.

Pay gaps come from ``pipeline.measures.paygap`` when it exists; until then a stand-in answers with
plausible figures of the right shape (the pay gap engine is owned and tested elsewhere).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import polars as pl

from pipeline.config import Grade, Organisation, Settings, WorkforceGroup
from pipeline.extracts import contract as c
from pipeline.figures import Figures

GRADES = {
    "constable": ("Constable", "Cwnstabl"), "sergeant": ("Sergeant", "Rhingyll"), "inspector": ("Inspector", "Arolygydd"),
    "chief_inspector": ("Chief inspector", "Prif Arolygydd"), "superintendent": ("Superintendent", "Uwcharolygydd"),
    "chief_superintendent": ("Chief superintendent", "Prif Uwcharolygydd"),
    "acc": ("Assistant chief constable", "Prif Gwnstabl Cynorthwyol"),
    "dcc": ("Deputy chief constable", "Dirprwy Brif Gwnstabl"), "cc": ("Chief constable", "Prif Gwnstabl"),
    "scale_3": ("Scale 3", "Graddfa 3"), "scale_4": ("Scale 4", "Graddfa 4"), "scale_5": ("Scale 5", "Graddfa 5"),
    "scale_6": ("Scale 6", "Graddfa 6"), "so1": ("Senior officer 1", "Uwch swyddog 1"),
    "so2": ("Senior officer 2", "Uwch swyddog 2"), "po1": ("Principal officer 1", "Prif swyddog 1"),
    "pcso": ("Police community support officer", "Swyddog cymorth cymunedol yr heddlu"),
    "special": ("Special constable", "Cwnstabl gwirfoddol"),
}
GROUPS = {
    "officer": ("Police officers", "Swyddogion heddlu", ("constable", "sergeant", "inspector", "chief_inspector",
                "superintendent", "chief_superintendent", "acc", "dcc", "cc"), True, True),
    "staff": ("Police staff", "Staff yr heddlu", ("scale_3", "scale_4", "scale_5", "scale_6", "so1", "so2", "po1"), True, False),
    "pcso": ("PCSOs", "Swyddogion cymorth cymunedol yr heddlu", ("pcso",), True, False),
    "special": ("Special constables", "Cwnstabliaid gwirfoddol", ("special",), False, False),
}
SIZES = {"officer": 1450, "staff": 850, "pcso": 175, "special": 80}


def organisation() -> Organisation:
    grades = {k: Grade(k, en, cy) for k, (en, cy) in GRADES.items()}
    groups = {k: WorkforceGroup(k, en, cy, gr, employee=emp, officer_like=off) for k, (en, cy, gr, emp, off) in GROUPS.items()}
    return Organisation("heddlu-synthetig", "Synthetic Police", "Heddlu Synthetig", groups, grades, settings=Settings())


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _monitoring(rng: random.Random) -> dict[str, str]:
    eth = _pick(rng, {c.WHITE_BRITISH: 86, "white_irish": 1, "white_other": 2, "asian_indian": 0.6, "asian_pakistani": 0.5,
                      "asian_bangladeshi": 0.3, "asian_other": 0.3, "black_african": 0.4, "black_caribbean": 0.3,
                      "mixed_white_asian": 0.6, "mixed_white_black_caribbean": 0.5, "mixed_other": 0.3,
                      "other_arab": 0.2, "prefer_not_to_say": 2, "not_stated": 5})
    return {
        "ethnicity": eth,
        "disability": _pick(rng, {"no": 80, "yes": 6, "prefer_not_to_say": 3, "not_stated": 11}),
        "religion": _pick(rng, {"no_religion": 45, "christian": 35, "muslim": 1, "hindu": 0.3, "buddhist": 0.3,
                                "jewish": 0.1, "sikh": 0.1, "other": 1, "prefer_not_to_say": 5, "not_stated": 12}),
        "sexual_orientation": _pick(rng, {"heterosexual": 80, "gay_or_lesbian": 3, "bisexual": 2, "other": 0.4,
                                          "prefer_not_to_say": 5, "not_stated": 10}),
        "gender_identity_same_as_sex_at_birth": _pick(rng, {"yes": 84, "no": 0.5, "prefer_not_to_say": 4, "not_stated": 12}),
        "marital_status": _pick(rng, {"single": 30, "married": 45, "civil_partnership": 1.5, "separated": 2, "divorced": 6,
                                      "widowed": 0.8, "prefer_not_to_say": 4, "not_stated": 10}),
        "welsh_speaking": _pick(rng, {"0": 40, "1": 25, "2": 12, "3": 6, "4": 3, "5": 4, "not_stated": 10}),
    }


def extracts(seed: int = 20240331) -> Any:
    from measures_fixtures import YEAR, extracts as build  # tests/ is on sys.path (tests/conftest.py)

    rng = random.Random(seed)
    org = organisation()
    emp: list[dict[str, Any]] = []
    pay: list[dict[str, Any]] = []
    for group, n in SIZES.items():
        grades = GROUPS[group][2]
        weights = [max(1.0, 60 / (i + 1) ** 2.2) for i in range(len(grades))]
        for _ in range(n):
            grade = rng.choices(grades, weights=weights)[0]
            female = rng.random() < (0.36 if group == "officer" else 0.62 if group == "staff" else 0.45)
            left = rng.random() < 0.07
            part = rng.random() < (0.08 if group == "officer" else 0.3)
            row = {
                "workforce_group": group, "grade": grade, "sex": "female" if female else "male",
                "contract_type": _pick(rng, {"permanent": 92, "fixed_term": 7, "casual": 1}),
                "working_pattern": "part_time" if part else "full_time", "fte": 0.6 if part else 1.0,
                "date_of_birth": dt.date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28)),
                "start_date": dt.date(rng.randint(1990, 2023), rng.randint(1, 12), 1),
                **_monitoring(rng),
            }
            if left:
                row["leave_date"] = dt.date(2023, rng.randint(4, 12), rng.randint(1, 28))
                row["leave_reason"] = _pick(rng, {"resignation": 45, "retirement": 30, "dismissal": 3, "end_of_contract": 5,
                                                  "redundancy": 1, "transfer": 10, "death": 0.5, "other": 5})
            if female and rng.random() < 0.04:
                row["maternity_leave_start"] = dt.date(2023, rng.randint(1, 12), 1)
                row["maternity_leave_end"] = rng.choice([None, dt.date(2024, rng.randint(1, 9), 1)])
            emp.append(row)
            if GROUPS[group][3] and not left:
                base = 1900 + 420 * grades.index(grade) + (150 if group == "officer" else 0)
                pay.append({"employee_id": f"E{len(emp) - 1}", "ordinary_pay": round(base * (0.6 if part else 1.0)
                            * rng.uniform(0.93, 1.07) * (0.97 if female else 1.0), 2),
                            "weekly_hours": 22.2 if part else 37.0, "full_pay": rng.random() > 0.03,
                            "bonus_pay_12m": 500 if rng.random() < 0.02 else 0})
    apps = []
    for _ in range(2400):
        internal = rng.random() < 0.2
        stage = _pick(rng, {"applied": 55, "shortlisted": 20, "interviewed": 12, "offered": 3, "appointed": 10})
        m = _monitoring(rng)
        m.pop("gender_identity_same_as_sex_at_birth")
        apps.append({"applicant_type": "internal" if internal else "external",
                     "employee_id": f"E{rng.randrange(len(emp))}" if internal else None,
                     "workforce_group": _pick(rng, {"officer": 60, "staff": 35, "pcso": 5}), "stage_reached": stage,
                     "sex": _pick(rng, {"female": 40, "male": 57, "not_stated": 3}),
                     "age_band": _pick(rng, {"16-24": 35, "25-34": 35, "35-44": 15, "45-54": 8, "55-64": 3,
                                             "prefer_not_to_say": 2, "not_stated": 2}),
                     "gender_identity_same_as_sex_at_birth": _pick(rng, {"yes": 85, "no": 1, "not_stated": 14}),
                     **m})
    training = [{"employee_id": f"E{rng.randrange(len(emp))}", "requested_date": dt.date(2023, rng.randint(4, 12), 3),
                 "outcome": _pick(rng, {"approved": 80, "declined": 15, "pending": 5}), "completed": rng.random() < 0.6}
                for _ in range(1500)]
    grievances = [{"employee_id": f"E{rng.randrange(len(emp))}", "case_id": f"G{i // 2}",
                   "role": "complainant" if i % 2 == 0 else "respondent", "date_raised": dt.date(2023, 7, 1),
                   "outcome": _pick(rng, {"upheld": 2, "partially_upheld": 1, "not_upheld": 3, "withdrawn": 1, "open": 1})}
                  for i in range(90)]
    disciplinary = [{"employee_id": f"E{rng.randrange(len(emp))}", "case_id": f"D{i}", "date_started": dt.date(2023, 9, 1),
                     "outcome": _pick(rng, {"no_action": 3, "management_advice": 3, "written_warning": 2,
                                            "final_written_warning": 1, "dismissal": 1, "open": 2})}
                    for i in range(70)]
    ex = build(emp, pay, apps, training, grievances, disciplinary, org=org, year=YEAR)
    return ex


def community() -> pl.DataFrame:
    rows = [("sex", "female", 51.1), ("sex", "male", 48.9), ("ethnic_group", "asian", 2.9), ("ethnic_group", "black", 0.9),
            ("ethnic_group", "mixed", 1.6), ("ethnic_group", "white", 93.8), ("ethnic_group", "other", 0.8),
            ("ethnic_minority_excl_white", "ethnic_minority_excl_white", 6.2), ("religion", "christian", 43.6),
            ("religion", "no_religion", 46.5), ("religion", "muslim", 2.2), ("disability", "yes", 21.1),
            ("welsh_speaking", "speaks_welsh", 17.8)]
    return pl.DataFrame(rows, schema={"characteristic": pl.String, "category": pl.String, "pct": pl.Float64}, orient="row")


def figures(with_previous: bool = True) -> Figures:
    """compute_figures over the synthetic year (and a second seed as last year)."""
    from pipeline.measures import compute_figures

    previous = extracts(seed=20230331) if with_previous else None
    # last year's extracts describe the year before: only the profile is used, so the same YEAR is fine
    return compute_figures(extracts(), previous=previous, community=community())
