"""Seeded, synthetic HR and payroll extracts for a Gwent-sized Welsh police force.

Why this exists: the pipeline needs realistic inputs that anyone may read, commit and publish. Real
HR rows are personal data, so the bundled sample is simulated instead, and calibrated against what
Gwent Police has actually published (gender pay gap returns, workforce sizes, Census 2021 for the
five Gwent local authorities; ``shared/reference``). It is a *simulation of a workforce over time*,
not independent random tables, because the report compares years: the same people persist from one
snapshot to the next, are promoted, take maternity leave, leave, and are replaced by joiners, so
year-on-year tables, flows and the pay gap all move for the reasons they move in a real force.

    python -m pipeline.sample --out inputs --years 2023 2024 --seed 20240331 [--employees N] [--report]

Everything is vectorised (numpy arrays per person, polars for the files): the only Python loops run
over years, workforce groups and ranks, never over people, so ``--employees 1000000`` takes seconds.
The same seed and arguments give byte-identical files.

What is simulated (numbers are for the default size, 31 March 2024):

- **Sizes**: about 1,450 officers, 850 staff, 175 PCSOs, 80 special constables in post, growing by
  ``GROWTH`` a year (police uplift); ``--employees N`` scales every group (N = everyone in post at the
  last snapshot) and every event file in proportion.
- **Careers**: an initial workforce in post on 1 April of the first period, with a service profile
  shaped by uplift recruitment (many officers with under four years' service); each year leavers are
  drawn (retirement for long service, resignation for the rest...), vacancies in the rank pyramid are
  filled by promotion from the rank below, and joiners fill the rest (officers join as constables).
- **Pay**: police pay scales in force on each snapshot date (officer values approximate the 2023/24
  Annex F scales; ``police_pay.csv`` gives 2024/25 as these x 1.0475), police staff on a local grading
  of four-point bands, PCSOs on their own band; pay points advance with years in rank or grade;
  allowances for some; pro rata by FTE; maternity pay and sick pay at reduced rates set
  ``full_pay = false``.
- **Monitoring**: characteristics drawn per person once (so they persist), with realistic
  non-disclosure (blank cells and ``prefer_not_to_say``).
- **Events**: recruitment funnels whose appointed external applicants *are* the year's joiners and
  whose appointed internal applicants *are* the year's promotions; training requests, grievances and
  disciplinary cases for people employed in the period.

The calibration check (``gpg_figures``) computes the statutory gender pay gap figures straight from
the files with polars, so the sample can be tuned without the pipeline (and tested against it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from pipeline.extracts.contract import (
    APPLICATIONS,
    DISABILITY,
    DISCIPLINARY,
    EMPLOYEES,
    ETHNICITY,
    GENDER_IDENTITY,
    GRIEVANCES,
    LEAVE_REASON,
    MARITAL_STATUS,
    PAY,
    RELIGION,
    SEXUAL_ORIENTATION,
    TRAINING,
    WELSH_SPEAKING,
)

# =========================================================================== the organisation
GROUPS = ("officer", "staff", "pcso", "special")
OFFICER, STAFF, PCSO, SPECIAL = range(4)
BASE_YEAR = 2024
# In post on 31 March 2024 (Gwent: ~1,450-1,500 officers, ~850 staff, ~175 PCSOs, ~80 specials).
IN_POST_BASE = {OFFICER: 1450, STAFF: 850, PCSO: 175, SPECIAL: 80}
# Yearly growth in headcount (the officer uplift, staff following); earlier years are smaller.
GROWTH = {OFFICER: 1.025, STAFF: 1.02, PCSO: 1.015, SPECIAL: 1.04}
# Share of those in post at the start of a period who leave during it.
LEAVE_RATE = {OFFICER: 0.062, STAFF: 0.085, PCSO: 0.11, SPECIAL: 0.17}
# Joiners who also leave before the snapshot (recruits resigning in training), as a share of joiners.
EARLY_LEAVE = {OFFICER: 0.04, STAFF: 0.05, PCSO: 0.06, SPECIAL: 0.10}
DEFAULT_TOTAL = sum(IN_POST_BASE.values())

RANKS = ("constable", "sergeant", "inspector", "chief_inspector", "superintendent", "chief_superintendent",
         "chief_officer")
# Share of officers in each rank (a realistic pyramid: constables ~75%).
RANK_SHARE = (0.7545, 0.140, 0.060, 0.026, 0.012, 0.0045, 0.003)
# Relative number of officers in post per year of service: 0-2 years (uplift), 3-5, 6-12 (few
# recruited in the austerity years), 13-25, 26-29, 30+ (most retire on a full pension at 30 years).
OFFICER_SERVICE_WEIGHTS = (12.5, 4.2, 1.6, 2.6, 1.4, 0.15)
# Share of women among officers by years of service (<4, 4-9, 10-19, 20+) in the initial workforce,
# and among officer joiners.
OFFICER_FEMALE_BY_SERVICE = ((4, 10, 20), (0.45, 0.43, 0.30, 0.21))
OFFICER_JOINER_FEMALE = 0.41
# Relative chance of promotion for a woman against an equally eligible man, in the simulated years
# (positive action on promotion boards; historically below 1, see _initial_workforce).
PROMOTION_FEMALE_FACTOR = 1.0
# Years added to a woman's seniority score when the initial workforce's ranks are filled (0 = none).
RANK_SCORE_FEMALE = 0.6
# ... and for superintendent and above (Gwent's chief officer team has had several women, including
# the chief constable 2021-2024).
RANK_SCORE_FEMALE_SENIOR = 2.5
# Years of service a rank normally needs (promotion eligibility and the initial workforce).
RANK_MIN_SERVICE = (0, 4, 7, 10, 14, 17, 20)
STAFF_GRADES = ("scale_1", "scale_2", "scale_3", "scale_4", "scale_5", "scale_6", "so1", "so2", "po1", "po2", "po3",
                "po4", "senior_manager")
STAFF_SHARE = (0.045, 0.093, 0.16, 0.186, 0.165, 0.121, 0.085, 0.054, 0.039, 0.026, 0.015, 0.008, 0.003)
# Share of women in each staff grade: admin-heavy middle grades, fewer women at the top.
STAFF_FEMALE = (0.58, 0.69, 0.72, 0.68, 0.62, 0.60, 0.57, 0.55, 0.54, 0.53, 0.52, 0.51, 0.49)
GRADES = RANKS + STAFF_GRADES + ("pcso", "special_constable")
GRADE_INDEX = {g: i for i, g in enumerate(GRADES)}
GRADE_GROUP = np.array([OFFICER] * len(RANKS) + [STAFF] * len(STAFF_GRADES) + [PCSO, SPECIAL], dtype=np.int8)
CONSTABLE, CHIEF_OFFICER = GRADE_INDEX["constable"], GRADE_INDEX["chief_officer"]
FIRST_STAFF, LAST_STAFF = GRADE_INDEX["scale_1"], GRADE_INDEX["senior_manager"]

GRADE_NAMES: dict[str, tuple[str, str]] = {
    "constable": ("Constable", "Cwnstabl"),
    "sergeant": ("Sergeant", "Rhingyll"),
    "inspector": ("Inspector", "Arolygydd"),
    "chief_inspector": ("Chief Inspector", "Prif Arolygydd"),
    "superintendent": ("Superintendent", "Uwcharolygydd"),
    "chief_superintendent": ("Chief Superintendent", "Prif Uwcharolygydd"),
    "chief_officer": ("Chief officer", "Prif Swyddog"),
    **{f"scale_{i}": (f"Scale {i}", f"Graddfa {i}") for i in range(1, 7)},
    "so1": ("Scale SO1", "Graddfa SO1"),
    "so2": ("Scale SO2", "Graddfa SO2"),
    "po1": ("Scale PO1", "Graddfa PO1"),
    "po2": ("Scale PO2", "Graddfa PO2"),
    "po3": ("Scale PO3", "Graddfa PO3"),
    "po4": ("Scale PO4", "Graddfa PO4"),
    "senior_manager": ("Senior manager", "Uwch-reolwr"),
    "pcso": ("Police community support officer", "Swyddog Cymorth Cymunedol yr Heddlu"),
    "special_constable": ("Special constable", "Cwnstabl Gwirfoddol"),
}

# Annual basic pay, pounds, in force on 31 March 2024 (officers: approximately the 2023/24 Annex F
# scales, i.e. the 2024/25 values in shared/reference/police_pay.csv divided by 1.0475; constable
# pay point 1 £28,551 and top £46,044). Staff: a local four-point band per grade; values divisible
# by three as PSC spine points are. The chief officer "points" are ACC, DCC and chief constable.
PAY_2024: dict[str, tuple[int, ...]] = {
    "constable": (28551, 29751, 30951, 32193, 34794, 38568, 46044),
    "sergeant": (49497, 50865, 51882, 53151),
    "inspector": (61185, 62526, 63876, 65862),
    "chief_inspector": (68253, 69948, 71613),
    "superintendent": (84150, 88035, 91920, 95805),
    "chief_superintendent": (100638, 103644, 106683),
    "chief_officer": (128004, 146004, 165003),
    "scale_1": (23214, 23499, 23781, 24063),
    "scale_2": (24063, 24606, 25152, 25692),
    "scale_3": (25692, 26454, 27210, 27972),
    "scale_4": (27972, 29031, 30087, 31146),
    "scale_5": (31146, 32229, 33318, 34404),
    "scale_6": (34404, 35562, 36714, 37872),
    "so1": (37872, 39090, 40308, 41529),
    "so2": (41529, 42798, 44067, 45336),
    "po1": (45336, 46908, 48483, 50052),
    "po2": (50052, 52062, 54069, 56079),
    "po3": (56079, 58692, 61311, 63927),
    "po4": (63927, 67059, 70185, 73314),
    "senior_manager": (82371, 92931, 103491, 114051),
    "pcso": (24603, 25533, 26466, 27396),
    "special_constable": (0,),
}
# Pay on a snapshot date relative to 31 March 2024: the 2023 award (7%, September 2023) is not yet
# in the 31 March 2023 figures; the 2024 award (4.75%, September 2024) is in 31 March 2025's.
PAY_INDEX = {2021: 1 / (1.07 * 1.04 * 1.025), 2022: 1 / (1.07 * 1.04), 2023: 1 / 1.07, 2024: 1.0, 2025: 1.0475}
FULL_TIME_HOURS = {OFFICER: 40.0, STAFF: 37.0, PCSO: 37.0, SPECIAL: 40.0}
PART_TIME_FTE = np.array([0.4, 0.5, 0.6, 0.6, 0.7, 0.75, 0.8, 0.8, 0.9])
SPECIAL_FTE = 0.1  # volunteers: about 16 hours a month
# Statutory maternity pay, weekly (2022/23 and 2023/24 rates), for those past full-pay weeks.
SMP_WEEKLY = {2023: 156.66, 2024: 172.48}
FULL_PAY_WEEKS = 18  # occupational maternity pay at full rate (police officers' regulations: 18 weeks)
# Share of men and women receiving a bonus in the 12 months to 31 March (Gwent: 1.52% / 1.03% in
# 2023, no bonuses in 2024). Amounts are recognition awards.
BONUS_RATES = {2022: (0.0048, 0.0027), 2023: (0.0152, 0.0103)}

TITLES: dict[str, tuple[str, ...]] = {
    "constable": ("Police Constable", "Police Constable (Response)", "Police Constable (Response)",
                  "Police Constable (Neighbourhood)", "Detective Constable", "Detective Constable",
                  "Police Constable (Roads Policing)", "Police Constable (Public Protection)"),
    "sergeant": ("Sergeant", "Response Sergeant", "Detective Sergeant", "Custody Sergeant"),
    "inspector": ("Inspector", "Detective Inspector", "Duty Inspector"),
    "chief_inspector": ("Chief Inspector", "Detective Chief Inspector"),
    "superintendent": ("Superintendent", "Detective Superintendent"),
    "chief_superintendent": ("Chief Superintendent",),
    "chief_officer": ("Assistant Chief Constable", "Deputy Chief Constable", "Chief Constable"),
    "scale_1": ("Cleaner", "Administrative Assistant", "Driver"),
    "scale_2": ("Administrative Assistant", "Data Entry Clerk", "Stores Assistant"),
    "scale_3": ("Administrator", "Call Handler", "Finance Assistant", "Front Counter Officer"),
    "scale_4": ("Call Handler", "Detention Officer", "Property Officer", "Resolution Centre Officer"),
    "scale_5": ("Force Control Room Dispatcher", "Investigative Officer", "Intelligence Researcher", "HR Adviser"),
    "scale_6": ("Crime Scene Investigator", "Digital Forensic Technician", "Case Builder", "Payroll Officer"),
    "so1": ("Intelligence Analyst", "Senior HR Adviser", "ICT Engineer", "Training Officer"),
    "so2": ("Project Officer", "Senior Crime Scene Investigator", "Accountant"),
    "po1": ("Team Leader", "Senior Analyst", "HR Business Partner"),
    "po2": ("Principal Analyst", "Solicitor", "Estates Manager"),
    "po3": ("Head of Service", "Principal Solicitor"),
    "po4": ("Head of Finance", "Head of People Services", "Head of ICT"),
    "senior_manager": ("Director of Corporate Services", "Chief Finance Officer", "Director of People"),
    "pcso": ("Police Community Support Officer",),
    "special_constable": ("Special Constable",),
}

# =========================================================================== monitoring
# Shares *of those who state* each characteristic; non-disclosure is applied afterwards.
ETH_WHITE_MAJORITY = {
    "white_welsh_english_scottish_ni_british": 93.2, "white_irish": 0.7, "white_gypsy_irish_traveller": 0.1,
    "white_roma": 0.05, "white_other": 2.1,
    "mixed_white_black_caribbean": 0.5, "mixed_white_black_african": 0.2, "mixed_white_asian": 0.4, "mixed_other": 0.2,
    "asian_indian": 0.35, "asian_pakistani": 0.3, "asian_bangladeshi": 0.2, "asian_chinese": 0.15, "asian_other": 0.15,
    "black_african": 0.3, "black_caribbean": 0.15, "black_other": 0.05, "other_arab": 0.1, "other_any": 0.15,
}
# Ethnic minority (excluding White minorities) categories are weighted by group and for people
# recruited in the last four years (recruitment has become more diverse).
ETH_MINORITY_BOOST = {OFFICER: 0.95, STAFF: 1.1, PCSO: 1.35, SPECIAL: 1.6}
ETH_MINORITY_RECENT = 1.7
RELIGION_SHARE = {"no_religion": 52.0, "christian": 42.5, "buddhist": 0.5, "hindu": 0.3, "jewish": 0.1,
                  "muslim": 1.2, "sikh": 0.2, "other": 2.0}
RELIGION_MINORITY = {"no_religion": 30.0, "christian": 30.0, "buddhist": 3.0, "hindu": 8.0, "jewish": 0.5,
                     "muslim": 24.0, "sikh": 2.5, "other": 2.0}
ORIENTATION_SHARE = {"heterosexual": 95.5, "gay_or_lesbian": 2.4, "bisexual": 1.7, "other": 0.4}
GENDER_IDENTITY_SHARE = {"yes": 99.5, "no": 0.5}
WELSH_SHARE = {"0": 50.0, "1": 29.0, "2": 10.0, "3": 5.0, "4": 2.5, "5": 3.5}
# Not stated (blank or prefer_not_to_say) per characteristic; of those, the share left blank.
NON_DISCLOSURE = {"ethnicity": 0.05, "disability": 0.15, "religion": 0.25, "sexual_orientation": 0.30,
                  "gender_identity_same_as_sex_at_birth": 0.40, "marital_status": 0.12, "welsh_speaking": 0.10}
BLANK_SHARE = 0.6

COURSES = {
    OFFICER: ("Public order level 2", "Taser (conducted energy device) initial", "Initial crime investigators "
              "development programme", "Sergeants' leadership programme", "Advanced driving", "Domestic abuse matters",
              "Safeguarding vulnerable adults", "Mental health awareness", "Cymraeg Gwaith: Welsh for work (entry)",
              "Cymraeg Gwaith: Welsh for work (foundation)", "Coaching skills", "Personal safety refresher",
              "First aid refresher", "Stop and search: fair and effective use"),
    STAFF: ("Microsoft Excel (intermediate)", "Project management foundation", "First line manager programme",
            "Cymraeg Gwaith: Welsh for work (entry)", "Cymraeg Gwaith: Welsh for work (foundation)",
            "Mental health first aid", "Data protection essentials", "Coaching skills", "Customer service in the "
            "control room", "Safeguarding vulnerable adults", "Resilience and wellbeing", "Report writing"),
    PCSO: ("Neighbourhood problem solving", "Personal safety refresher", "Cymraeg Gwaith: Welsh for work (entry)",
           "First aid refresher", "Community engagement", "Anti-social behaviour powers", "Mental health awareness"),
    SPECIAL: ("Personal safety refresher", "First aid refresher", "Response driving (basic)",
              "Cymraeg Gwaith: Welsh for work (entry)", "Safeguarding vulnerable adults"),
}

NONE = np.iinfo(np.int32).min  # "no date" in the day-number arrays (days since 1970; dates of birth are negative)
EPOCH = dt.date(1970, 1, 1)
YEAR_DAYS = 365.25


def day(d: dt.date) -> int:
    """Days since 1970-01-01: every date is an int32 so whole columns can be compared at once."""
    return (d - EPOCH).days


def period(year: int) -> tuple[int, int]:
    """The reporting period 1 April YEAR-1 .. 31 March YEAR, as day numbers."""
    return day(dt.date(year - 1, 4, 1)), day(dt.date(year, 3, 31))


def target(group: int, year: int, scale: float) -> int:
    """Headcount in post on 31 March ``year``."""
    return int(round(IN_POST_BASE[group] * scale * GROWTH[group] ** (year - BASE_YEAR)))


# =========================================================================== random helpers
def pick(rng: np.random.Generator, probs: np.ndarray, size: int | None = None) -> np.ndarray:
    """Categorical draws. ``probs`` is one distribution (1-D) or one per row (2-D, rows sum to 1)."""
    probs = np.asarray(probs, dtype=float)
    if probs.ndim == 1:
        cum = np.cumsum(probs / probs.sum())
        return np.minimum(np.searchsorted(cum, rng.random(size), side="right"), len(cum) - 1)
    cum = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(probs.shape[0])[:, None]
    return np.minimum((u >= cum).sum(axis=1), probs.shape[1] - 1)


def pick_by(rng: np.random.Generator, kind: np.ndarray, dists: dict[int, np.ndarray]) -> np.ndarray:
    """Categorical draws where each element's distribution is chosen by its ``kind`` (a few kinds)."""
    out = np.zeros(len(kind), dtype=np.int64)
    for k in sorted(dists):
        m = kind == k
        out[m] = pick(rng, dists[k], int(m.sum()))
    return out


def top_k(rng: np.random.Generator, candidates: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """Choose ``k`` of ``candidates`` without replacement, with probability growing with ``weights``
    (the Gumbel top-k trick: one vectorised pass instead of k sequential draws)."""
    k = int(min(max(k, 0), len(candidates)))
    if k == 0:
        return candidates[:0]
    keys = np.log(np.maximum(weights, 1e-12)) + rng.gumbel(size=len(candidates))
    chosen = np.argpartition(-keys, k - 1)[:k]
    return np.sort(candidates[chosen])


def uniform_days(rng: np.random.Generator, lo: np.ndarray | int, hi: np.ndarray | int, size: int) -> np.ndarray:
    """A day drawn uniformly from [lo, hi] inclusive (element-wise)."""
    lo = np.broadcast_to(np.asarray(lo, dtype=np.int64), (size,))
    hi = np.broadcast_to(np.asarray(hi, dtype=np.int64), (size,))
    return (lo + np.floor(rng.random(size) * (hi - lo + 1))).astype(np.int32)


def largest_remainder(total: int, shares: Sequence[float]) -> np.ndarray:
    """Split ``total`` into whole numbers in proportion to ``shares`` (Hamilton's method)."""
    raw = np.asarray(shares, dtype=float) / sum(shares) * total
    out = np.floor(raw).astype(int)
    out[np.argsort(-(raw - out), kind="stable")[: total - out.sum()]] += 1
    return out


# =========================================================================== people
PERSON_FIELDS = ("group", "female", "dob", "dob_blank", "start", "leave", "leave_reason", "grade", "grade_since",
                 "title_u", "contract", "fte", "allowance_u", "mat_start", "mat_end", "ethnicity", "disability",
                 "religion", "sexual_orientation", "gender_identity_same_as_sex_at_birth", "marital_status",
                 "welsh_speaking", "local_contract_code")


@dataclass
class People:
    """One array per attribute, one element per person ever employed in the simulated years."""

    cols: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.cols["group"]) if self.cols else 0

    def add(self, new: dict[str, np.ndarray]) -> np.ndarray:
        """Append people (sorted by start date, so ids rise with start date as HR numbers do)."""
        order = np.argsort(new["start"], kind="stable")
        first = self.n
        for k in PERSON_FIELDS:
            arr = new[k][order]
            self.cols[k] = arr if k not in self.cols else np.concatenate([self.cols[k], arr])
        return np.arange(first, self.n)

    def __getitem__(self, key: str) -> np.ndarray:
        return self.cols[key]


@dataclass
class YearState:
    """What the files of one reporting year need beyond the people's permanent attributes."""

    year: int
    n: int  # people known by the end of this year (later joiners are not in this year's files)
    grade: np.ndarray  # grade on the snapshot date (or on leaving)
    grade_since: np.ndarray
    promoted_from: np.ndarray  # previous grade for those promoted in the period, else -1
    joined: np.ndarray  # indices of this period's joiners


def _draw_sex_officer(rng: np.random.Generator, service_years: np.ndarray) -> np.ndarray:
    """Women are a larger share of recent officer cohorts (uplift recruiting) than of long-serving ones."""
    cut, share = OFFICER_FEMALE_BY_SERVICE
    p = np.asarray(share)[np.searchsorted(np.asarray(cut), service_years, side="right")]
    return rng.random(len(service_years)) < p


def _monitoring(rng: np.random.Generator, n: int, group: np.ndarray, age: np.ndarray, recent: np.ndarray,
                female: np.ndarray) -> dict[str, np.ndarray]:
    """Protected characteristics drawn once per person; -1 is a blank cell (not stated).

    Distributions that depend on the person (ethnicity by group and cohort, religion by ethnicity,
    marital status by age) are drawn per *kind* of person with 1-D draws: a handful of kinds, never a
    people-by-categories matrix, so a million people cost a few arrays."""
    out: dict[str, np.ndarray] = {}
    eth_codes = list(ETH_WHITE_MAJORITY)
    base = np.array([ETH_WHITE_MAJORITY[c] for c in eth_codes])
    minority = np.array([not c.startswith("white_") for c in eth_codes])
    # ethnic minority (excluding White minorities) share: ~3% of long-serving officers, more in recent
    # cohorts and among staff and PCSOs
    group_boost = np.array([ETH_MINORITY_BOOST[g] for g in GROUPS_ORDER])
    kind = group.astype(np.int64) * 2 + recent.astype(np.int64)
    dists = {}
    for g in GROUPS_ORDER:
        for r in (0, 1):
            d = base.copy()
            d[minority] *= group_boost[g] * (ETH_MINORITY_RECENT if r else 1.0)
            dists[g * 2 + r] = d
    eth = pick_by(rng, kind, dists)
    out["ethnicity"] = np.array([ETHNICITY.index(c) for c in eth_codes])[eth]
    is_minority = minority[eth]

    dis_p = 0.025 + 0.0012 * np.clip(age - 20, 0, 45) + np.where(group == STAFF, 0.035, 0.0)
    out["disability"] = np.where(rng.random(n) < dis_p, DISABILITY.index("yes"), DISABILITY.index("no"))

    rel_codes = list(RELIGION_SHARE)
    rel = pick_by(rng, is_minority.astype(np.int64), {0: np.array([RELIGION_SHARE[c] for c in rel_codes]),
                                                      1: np.array([RELIGION_MINORITY[c] for c in rel_codes])})
    out["religion"] = np.array([RELIGION.index(c) for c in rel_codes])[rel]

    so_codes = list(ORIENTATION_SHARE)
    out["sexual_orientation"] = np.array([SEXUAL_ORIENTATION.index(c) for c in so_codes])[
        pick(rng, np.array([ORIENTATION_SHARE[c] for c in so_codes]), n)]
    gi_codes = list(GENDER_IDENTITY_SHARE)
    out["gender_identity_same_as_sex_at_birth"] = np.array([GENDER_IDENTITY.index(c) for c in gi_codes])[
        pick(rng, np.array([GENDER_IDENTITY_SHARE[c] for c in gi_codes]), n)]

    # marital status by age: single, married, civil_partnership, separated, divorced, widowed
    age_kind = np.searchsorted(np.array([28, 40]), age, side="right")
    mar = pick_by(rng, age_kind, {0: np.array([0.72, 0.24, 0.015, 0.01, 0.01, 0.005]),
                                  1: np.array([0.28, 0.56, 0.02, 0.04, 0.09, 0.01]),
                                  2: np.array([0.14, 0.62, 0.015, 0.05, 0.15, 0.025])})
    out["marital_status"] = np.array([MARITAL_STATUS.index(c) for c in
                                      ("single", "married", "civil_partnership", "separated", "divorced",
                                       "widowed")])[mar]

    w_codes = list(WELSH_SHARE)
    out["welsh_speaking"] = np.array([WELSH_SPEAKING.index(c) for c in w_codes])[
        pick(rng, np.array([WELSH_SHARE[c] for c in w_codes]), n)]

    lists = {"ethnicity": ETHNICITY, "disability": DISABILITY, "religion": RELIGION,
             "sexual_orientation": SEXUAL_ORIENTATION, "gender_identity_same_as_sex_at_birth": GENDER_IDENTITY,
             "marital_status": MARITAL_STATUS, "welsh_speaking": WELSH_SPEAKING}
    for col, rate in NON_DISCLOSURE.items():
        hidden = rng.random(n) < rate
        blank = rng.random(n) < BLANK_SHARE
        codes = out[col]
        # Welsh level has no "prefer not to say": an explicit not_stated is written instead
        explicit = "prefer_not_to_say" if "prefer_not_to_say" in lists[col] else "not_stated"
        codes = np.where(hidden & ~blank, lists[col].index(explicit), codes)
        out[col] = np.where(hidden & blank, -1, codes).astype(np.int8)
    return out


def _new_people(rng: np.random.Generator, group: np.ndarray, start: np.ndarray, grade: np.ndarray,
                grade_since: np.ndarray, female: np.ndarray, age_at_start: np.ndarray, recent: np.ndarray,
                at_day: int, fixed_term: float) -> dict[str, np.ndarray]:
    """The permanent attributes of a batch of people, given their group, dates, grade and sex.
    ``fixed_term`` is the share of staff on fixed-term contracts (higher among new starters)."""
    n = len(group)
    dob = (start - np.round(age_at_start * YEAR_DAYS)).astype(np.int32)
    age_now = (at_day - dob) / YEAR_DAYS
    contract = np.zeros(n, dtype=np.int8)  # 0 permanent, 1 fixed_term, 2 casual
    staff = group == STAFF
    u = rng.random(n)
    contract[staff & (u < fixed_term)] = 1
    contract[staff & (u >= fixed_term) & (u < fixed_term + 0.01)] = 2
    contract[(group == PCSO) & (u < 0.02)] = 1
    # part-time: ~8% of officers (mostly women, never in the first two years), ~25% of staff
    pt_p = np.select(
        [group == OFFICER, group == STAFF, group == PCSO],
        [np.where(female, 0.22, 0.02) * (age_now > 24), np.where(female, 0.34, 0.10), np.where(female, 0.16, 0.04)],
        0.0,
    )
    part_time = (rng.random(n) < pt_p) | (contract == 2)
    fte = np.where(part_time, PART_TIME_FTE[rng.integers(0, len(PART_TIME_FTE), n)], 1.0)
    fte = np.where(group == SPECIAL, SPECIAL_FTE, fte)
    cols = {
        "group": group.astype(np.int8),
        "female": female.astype(bool),
        "dob": dob,
        "dob_blank": rng.random(n) < 0.004,
        "start": start.astype(np.int32),
        "leave": np.full(n, NONE, dtype=np.int32),
        "leave_reason": np.full(n, -1, dtype=np.int8),
        "grade": grade.astype(np.int16),
        "grade_since": grade_since.astype(np.int32),
        "title_u": rng.random(n),
        "contract": contract,
        "fte": fte,
        "allowance_u": rng.random(n),
        "mat_start": np.full(n, NONE, dtype=np.int32),
        "mat_end": np.full(n, NONE, dtype=np.int32),
        # a few rows carry the HR system's own code "perm", mapped by [code_maps.contract_type]
        "local_contract_code": (contract == 0) & (rng.random(n) < 0.02),
    }
    cols.update(_monitoring(rng, n, group, age_now, recent, female))
    return cols


def _initial_workforce(rng: np.random.Generator, sizes: dict[int, int], t0: int) -> dict[str, np.ndarray]:
    """Everyone in post on 1 April of the first period, with a history shaped by uplift recruitment."""
    groups = np.concatenate([np.full(sizes[g], g, dtype=np.int8) for g in GROUPS_ORDER])
    n = len(groups)
    # years of service: officers heavily recent (uplift), few recruited 2010-2016 (austerity)
    yrs = np.arange(35)
    officer_w = np.select([yrs < 3, yrs < 6, yrs < 13, yrs < 26, yrs < 30], OFFICER_SERVICE_WEIGHTS[:5],
                          OFFICER_SERVICE_WEIGHTS[5])
    service = np.empty(n)
    o = groups == OFFICER
    service[o] = pick(rng, officer_w, int(o.sum())) + rng.random(int(o.sum()))
    for g, mean, cap in ((STAFF, 9.0, 40), (PCSO, 6.0, 19), (SPECIAL, 3.0, 14)):
        m = groups == g
        service[m] = rng.exponential(mean, int(m.sum())) % cap  # wrapped, not clipped: no pile-up at the cap
    age_start = _age_at_start(rng, groups)
    max_age = np.where(groups == STAFF, 63.5, 59.5) - rng.uniform(0, 4, n)
    service = np.minimum(service, np.maximum(max_age - age_start, 0.1))
    start = (t0 - 1 - np.round(service * YEAR_DAYS)).astype(np.int32)

    female = np.zeros(n, dtype=bool)
    female[o] = _draw_sex_officer(rng, service[o])
    grade = np.zeros(n, dtype=np.int16)
    grade_since = start.copy()
    # staff: grade first, then sex from the grade's share of women
    s = groups == STAFF
    sg = pick(rng, np.array(STAFF_SHARE), int(s.sum()))
    grade[s] = FIRST_STAFF + sg
    female[s] = rng.random(int(s.sum())) < np.array(STAFF_FEMALE)[sg]
    years_in_grade = np.minimum(service, rng.exponential(4.0, n))
    grade_since[s] = (t0 - 1 - np.round(years_in_grade[s] * YEAR_DAYS)).astype(np.int32)
    p = groups == PCSO
    grade[p], female[p] = GRADE_INDEX["pcso"], rng.random(int(p.sum())) < 0.47
    sp = groups == SPECIAL
    grade[sp], female[sp] = GRADE_INDEX["special_constable"], rng.random(int(sp.sum())) < 0.36
    # officers: fill ranks from the top with the eligible of highest (service + noise) score;
    # women and part-timers were a little less likely to be promoted in the past
    officers = np.flatnonzero(o)
    # capped service: the most senior ranks are not all held by those about to retire
    score = np.minimum(service[officers], 20) + rng.normal(0, 5, len(officers)) + RANK_SCORE_FEMALE * female[officers]
    counts = largest_remainder(len(officers), RANK_SHARE)
    free = np.ones(len(officers), dtype=bool)
    for r in range(len(RANKS) - 1, 0, -1):
        ok = free & (service[officers] >= RANK_MIN_SERVICE[r])
        cand = np.flatnonzero(ok)
        score_r = score + (RANK_SCORE_FEMALE_SENIOR * female[officers] if r >= GRADE_INDEX["superintendent"] else 0)
        chosen = cand[np.argsort(-score_r[cand], kind="stable")[: counts[r]]]
        free[chosen] = False
        idx = officers[chosen]
        grade[idx] = r
        in_rank = np.minimum(rng.exponential(3.5, len(idx)), service[idx] - RANK_MIN_SERVICE[r])
        grade_since[idx] = (t0 - 1 - np.round(np.maximum(in_rank, 0) * YEAR_DAYS)).astype(np.int32)
    recent = service < 4
    return _new_people(rng, groups, start, grade, grade_since, female, age_start, recent, t0, fixed_term=0.05)


GROUPS_ORDER = (OFFICER, STAFF, PCSO, SPECIAL)


def _age_at_start(rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
    """Age on joining: officer recruits mostly in their twenties, staff across working life."""
    n = len(groups)
    age = np.select(
        [groups == OFFICER, groups == STAFF, groups == PCSO],
        [18.5 + rng.gamma(2.2, 3.6, n), 18.0 + rng.gamma(2.0, 8.5, n), 18.5 + rng.gamma(2.0, 5.5, n)],
        18.0 + rng.gamma(1.8, 4.5, n),
    )
    return np.minimum(age, np.where(groups == STAFF, 63.0, 45.0))


def _joiners(rng: np.random.Generator, counts: dict[int, int], ps: int, pe: int) -> dict[str, np.ndarray]:
    """New starters in one period: officers in intakes, PCSOs in two, staff and specials any weekday."""
    groups = np.concatenate([np.full(counts[g], g, dtype=np.int8) for g in GROUPS_ORDER])
    n = len(groups)
    start = uniform_days(rng, ps, pe, n)
    intakes = ps + np.array([35, 98, 154, 217, 280, 336])  # early May, Jul, Sep, Nov, Jan, Mar
    o = groups == OFFICER
    start[o] = intakes[rng.integers(0, len(intakes), int(o.sum()))]
    p = groups == PCSO
    start[p] = (ps + np.array([63, 245]))[rng.integers(0, 2, int(p.sum()))]
    weekday = (start + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    start = np.where(weekday >= 5, start + (7 - weekday), start).astype(np.int32)
    start = np.minimum(start, pe)
    female = np.zeros(n, dtype=bool)
    female[o] = rng.random(int(o.sum())) < OFFICER_JOINER_FEMALE
    grade = np.zeros(n, dtype=np.int16)
    s = groups == STAFF
    joiner_share = np.array(STAFF_SHARE) * np.linspace(1.5, 0.5, len(STAFF_SHARE))  # recruit lower grades more
    sg = pick(rng, joiner_share, int(s.sum()))
    grade[s] = FIRST_STAFF + sg
    female[s] = rng.random(int(s.sum())) < np.array(STAFF_FEMALE)[sg]
    grade[p], female[p] = GRADE_INDEX["pcso"], rng.random(int(p.sum())) < 0.48
    sp = groups == SPECIAL
    grade[sp], female[sp] = GRADE_INDEX["special_constable"], rng.random(int(sp.sum())) < 0.40
    age_start = _age_at_start(rng, groups)
    return _new_people(rng, groups, start, grade, start.copy(), female, age_start, np.ones(n, dtype=bool), start,
                       fixed_term=0.15)


# =========================================================================== one year of careers
LEAVE_CODES = {c: i for i, c in enumerate(LEAVE_REASON)}


def _leave_reasons(rng: np.random.Generator, people: People, idx: np.ndarray, when: np.ndarray) -> np.ndarray:
    """Why each leaver left: retirement after long service or at pension age; end of contract for
    fixed-term staff; otherwise mostly resignation, some transfers to other forces, a few dismissals."""
    n = len(idx)
    group = people["group"][idx]
    service = (when - people["start"][idx]) / YEAR_DAYS
    age = (when - people["dob"][idx]) / YEAR_DAYS
    other = np.array([LEAVE_CODES[c] for c in ("resignation", "transfer", "dismissal", "other", "death",
                                                "redundancy")])
    officer_p = np.array([0.68, 0.19, 0.05, 0.07, 0.01, 0.0])
    staff_p = np.array([0.72, 0.09, 0.04, 0.11, 0.01, 0.03])
    special_p = np.array([0.78, 0.02, 0.02, 0.18, 0.0, 0.0])
    kind = np.where(group == OFFICER, 0, np.where(group == SPECIAL, 1, 2))
    reason = other[pick_by(rng, kind, {0: officer_p, 1: special_p, 2: staff_p})]
    retire = np.where(group == OFFICER, (service >= 25) | (age >= 55), age >= 60) & (group != SPECIAL)
    reason = np.where(retire, LEAVE_CODES["retirement"], reason)
    fixed = people["contract"][idx] == 1
    reason = np.where(fixed & ~retire & (rng.random(n) < 0.8), LEAVE_CODES["end_of_contract"], reason)
    return reason.astype(np.int8)


def _choose_leavers(rng: np.random.Generator, people: People, in_post: np.ndarray, barred: np.ndarray,
                    already: np.ndarray, ps: int, pe: int) -> None:
    """Draw each group's leavers for the period and give them a date and a reason (in place)."""
    group = people["group"]
    service = (ps - people["start"]) / YEAR_DAYS
    age = (ps - people["dob"]) / YEAR_DAYS
    long_service = np.where(group == OFFICER, (service >= 29) | (age >= 57), age >= 62)
    w = 1.0 + 22.0 * long_service + 2.0 * (service < 2) + 5.0 * (people["contract"] == 1)
    for g in GROUPS_ORDER:
        pool = in_post & (group == g)
        k = int(round(LEAVE_RATE[g] * pool.sum())) - int((already & (group == g)).sum())
        cand = np.flatnonzero(pool & ~barred & ~already)
        chosen = top_k(rng, cand, w[cand], k)
        when = uniform_days(rng, ps, pe, len(chosen))
        people["leave"][chosen] = when
        people["leave_reason"][chosen] = _leave_reasons(rng, people, chosen, when)


def _promote(rng: np.random.Generator, people: People, continuing: np.ndarray, year: int, scale: float,
             ps: int, pe: int) -> np.ndarray:
    """Fill the rank pyramid from the top: each rank's vacancies are filled from the rank below.
    Returns the previous grade of everyone promoted (-1 for the rest)."""
    grade, since, start = people["grade"], people["grade_since"], people["start"]
    promoted_from = np.full(people.n, -1, dtype=np.int16)
    officers_target = target(OFFICER, year, scale)
    want = largest_remainder(officers_target, RANK_SHARE)
    service = (pe - start) / YEAR_DAYS
    in_grade = (pe - since) / YEAR_DAYS
    for r in range(len(RANKS) - 1, 0, -1):
        have = int((continuing & (grade == r)).sum())
        need = int(want[r]) - have
        if need <= 0:
            continue
        eligible = continuing & (grade == r - 1) & (service >= RANK_MIN_SERVICE[r]) & (in_grade >= 2)
        cand = np.flatnonzero(eligible)
        w = np.where(people["female"][cand], PROMOTION_FEMALE_FACTOR, 1.0) * np.where(people["fte"][cand] < 1, 0.5, 1.0) * np.minimum(
            service[cand], 20)
        chosen = top_k(rng, cand, w, need)
        promoted_from[chosen] = grade[chosen]
        grade[chosen] = r
        since[chosen] = uniform_days(rng, ps, pe, len(chosen))
    # staff: about 3% a year move up one grade (regrading, successful internal applications)
    staff = continuing & (grade >= FIRST_STAFF) & (grade < LAST_STAFF) & (in_grade >= 1)
    cand = np.flatnonzero(staff)
    chosen = cand[rng.random(len(cand)) < 0.03]
    promoted_from[chosen] = grade[chosen]
    grade[chosen] += 1
    since[chosen] = uniform_days(rng, ps, pe, len(chosen))
    return promoted_from


def _maternity(rng: np.random.Generator, people: People, continuing: np.ndarray, ps: int, pe: int,
               first: bool) -> None:
    """Start maternity episodes for some women in post (one per person in the simulation). In the
    first period some episodes began before it and are still running, as a real extract shows."""
    female, dob, start = people["female"], people["dob"], people["start"]
    age = (ps - dob) / YEAR_DAYS
    eligible = continuing & female & (age >= 21) & (age <= 43) & (people["mat_start"] == NONE) & (
        people["group"] != SPECIAL)
    windows = [(ps, pe, 0.036)] + ([(ps - 330, ps - 1, 0.03)] if first else [])
    for lo, hi, rate in windows:
        cand = np.flatnonzero(eligible & (people["mat_start"] == NONE))
        chosen = cand[rng.random(len(cand)) < rate]
        lo_c = np.maximum(lo, start[chosen] + 180)
        ok = lo_c <= hi
        chosen, lo_c = chosen[ok], lo_c[ok]
        s = uniform_days(rng, lo_c, hi, len(chosen))
        weeks = np.array([26, 39, 39, 52, 52, 52])[rng.integers(0, 6, len(chosen))]
        e = s + weeks * 7 - 1 + rng.integers(-10, 11, len(chosen))
        e = np.maximum(e, np.maximum(s, ps))  # an episode shown in this period must overlap it
        people["mat_start"][chosen] = s
        people["mat_end"][chosen] = e.astype(np.int32)


def _did_not_return(rng: np.random.Generator, people: People, in_post: np.ndarray, ps: int, pe: int) -> np.ndarray:
    """About one in ten mothers whose leave ends in the period resign at its end."""
    ends = people["mat_end"]
    ending = in_post & (people["mat_start"] != NONE) & (ends >= ps) & (ends < pe) & (people["leave"] == NONE)
    chosen = np.flatnonzero(ending)
    chosen = chosen[rng.random(len(chosen)) < 0.10]
    people["leave"][chosen] = ends[chosen]
    people["leave_reason"][chosen] = LEAVE_CODES["resignation"]
    mask = np.zeros(people.n, dtype=bool)
    mask[chosen] = True
    return mask


def simulate(seed: int, years: Sequence[int], scale: float) -> tuple[People, dict[int, YearState]]:
    """Run the workforce forward from 1 April of the first period to 31 March of the last."""
    rng = np.random.default_rng(seed)
    people = People()
    first_year, last_year = min(years), max(years)
    t0, _ = period(first_year)
    people.add(_initial_workforce(rng, {g: target(g, first_year - 1, scale) for g in GROUPS_ORDER}, t0))
    states: dict[int, YearState] = {}
    for year in range(first_year, last_year + 1):
        ps, pe = period(year)
        leave, start = people["leave"], people["start"]
        in_post = (start < ps) & ((leave == NONE) | (leave >= ps))
        on_leave = (people["mat_start"] != NONE) & (people["mat_start"] <= pe) & (
            (people["mat_end"] == NONE) | (people["mat_end"] >= ps))
        already = _did_not_return(rng, people, in_post, ps, pe)
        _choose_leavers(rng, people, in_post, on_leave, already, ps, pe)
        leaving = in_post & (people["leave"] != NONE) & (people["leave"] <= pe)
        continuing = in_post & ~leaving
        promoted_from = _promote(rng, people, continuing, year, scale, ps, pe)
        _maternity(rng, people, continuing, ps, pe, first=(year == first_year))
        counts, early = {}, {}
        for g in GROUPS_ORDER:
            need = max(target(g, year, scale) - int((continuing & (people["group"] == g)).sum()), 0)
            early[g] = int(round(EARLY_LEAVE[g] * need))
            counts[g] = need + early[g]
        joined = people.add(_joiners(rng, counts, ps, pe))
        promoted_from = np.concatenate([promoted_from, np.full(len(joined), -1, dtype=np.int16)])
        _early_leavers(rng, people, joined, early, ps, pe)
        states[year] = YearState(year, people.n, people["grade"].copy(), people["grade_since"].copy(),
                                 promoted_from, joined)
    return people, states


def _early_leavers(rng: np.random.Generator, people: People, joined: np.ndarray, early: dict[int, int],
                   ps: int, pe: int) -> None:
    """Some of the period's joiners leave before 31 March (recruits resigning in training)."""
    for g in GROUPS_ORDER:
        cand = joined[(people["group"][joined] == g) & (people["start"][joined] < pe - 20)]
        chosen = top_k(rng, cand, np.ones(len(cand)), early[g])
        when = uniform_days(rng, people["start"][chosen] + 14, pe - 1, len(chosen))
        people["leave"][chosen] = when
        people["leave_reason"][chosen] = np.where(rng.random(len(chosen)) < 0.8, LEAVE_CODES["resignation"],
                                                  LEAVE_CODES["other"]).astype(np.int8)


# =========================================================================== frames
def _dates(name: str, days: np.ndarray) -> pl.Series:
    s = pl.Series(name, days.astype(np.int32))
    return pl.select(pl.when(s == NONE).then(None).otherwise(s).cast(pl.Date).alias(name)).to_series()


def _codes(name: str, idx: np.ndarray, codes: Sequence[str]) -> pl.Series:
    i = pl.Series(name, idx.astype(np.int64))
    i = pl.select(pl.when(i < 0).then(None).otherwise(i).alias(name)).to_series()
    return pl.Series(name, list(codes)).gather(i).alias(name)


def _money(name: str, pounds: np.ndarray) -> pl.Series:
    """Pounds with exactly two decimals as text (no float formatting surprises in the CSV)."""
    pence = np.floor(np.asarray(pounds, dtype=float) * 100 + 0.5).astype(np.int64)
    s = pl.Series(name, pence)
    return pl.select(pl.format("{}.{}", s // 100, (s % 100).cast(pl.String).str.zfill(2)).alias(name)).to_series()


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pl.Series:
    s = pl.Series("n", numbers.astype(np.int64))
    return pl.select(pl.format(prefix + "{}", s.cast(pl.String).str.zfill(width)).alias("id")).to_series()


def _id_width(people: People) -> int:
    return max(6, len(str(people.n)))


def employed_in(people: People, state: YearState) -> np.ndarray:
    """Indices of everyone employed at some time in the year's period."""
    ps, pe = period(state.year)
    leave, start = people["leave"][: state.n], people["start"][: state.n]
    return np.flatnonzero((start <= pe) & ((leave == NONE) | (leave >= ps)))


def in_post_on_snapshot(people: People, idx: np.ndarray, year: int) -> np.ndarray:
    _, pe = period(year)
    leave = people["leave"][idx]
    return (people["start"][idx] <= pe) & ((leave == NONE) | (leave >= pe))


def _titles(people: People, idx: np.ndarray, grade: np.ndarray) -> pl.Series:
    """Job title from the grade; chief officers' title follows seniority (ACC, DCC, chief constable)."""
    flat = [t for g in GRADES for t in TITLES[g]]
    offset = np.cumsum([0] + [len(TITLES[g]) for g in GRADES])[:-1]
    n_titles = np.array([len(TITLES[g]) for g in GRADES])
    which = np.floor(people["title_u"][idx] * n_titles[grade]).astype(np.int64)
    co = np.flatnonzero(grade == CHIEF_OFFICER)
    if len(co):
        order = np.argsort(people["start"][idx][co], kind="stable")  # longest service first
        rank = np.empty(len(co), dtype=np.int64)
        rank[order] = np.arange(len(co))
        frac = rank / len(co)
        which[co] = np.where(frac < 0.25, 2, np.where(frac < 0.5, 1, 0))
    return _codes("job_title", offset[grade] + which, flat)


def employees_frame(people: People, state: YearState) -> pl.DataFrame:
    """employees.csv: everyone employed in the period, one row each, in the contract's column order."""
    idx = employed_in(people, state)
    ps, pe = period(state.year)
    grade = state.grade[idx].astype(np.int64)
    leave = people["leave"][idx]
    in_period = (leave != NONE) & (leave >= ps) & (leave <= pe)
    leave_out = np.where(in_period, leave, NONE)
    reason = np.where(in_period, people["leave_reason"][idx], -1)
    ms, me = people["mat_start"][idx], people["mat_end"][idx]
    mat = (ms != NONE) & (ms <= pe) & (me >= ps)
    contract = people["contract"][idx]
    contract_text = _codes("contract_type", contract, ("permanent", "fixed_term", "casual"))
    local = people["local_contract_code"][idx]
    fte = people["fte"][idx]
    cols = [
        _ids("E", idx + 1, _id_width(people)).alias("employee_id"),
        _codes("workforce_group", people["group"][idx], GROUPS),
        _titles(people, idx, grade),
        _codes("grade", grade, GRADES),
        pl.select(pl.when(pl.Series(local)).then(pl.lit("perm")).otherwise(contract_text)
                  .alias("contract_type")).to_series(),
        _codes("working_pattern", (fte < 1).astype(np.int64), ("full_time", "part_time")),
        pl.Series("fte", np.round(fte, 4)),
        _dates("start_date", people["start"][idx]),
        _dates("leave_date", leave_out),
        _codes("leave_reason", reason, LEAVE_REASON),
        _dates("maternity_leave_start", np.where(mat, ms, NONE)),
        _dates("maternity_leave_end", np.where(mat & (me < pe), me, NONE)),
        _codes("sex", people["female"][idx].astype(np.int64), ("male", "female")),
        _dates("date_of_birth", np.where(people["dob_blank"][idx], NONE, people["dob"][idx])),
    ]
    for col in ("ethnicity", "disability", "religion", "sexual_orientation", "gender_identity_same_as_sex_at_birth",
                "marital_status", "welsh_speaking"):
        codes = EMPLOYEES.column(col).codes
        cols.append(_codes(col, people[col][idx], codes))
    frame = pl.DataFrame(cols)
    return frame.select(EMPLOYEES.column_names)


def _annual_pay(grade: np.ndarray, point: np.ndarray, year: int) -> np.ndarray:
    n_points = np.array([len(PAY_2024[g]) for g in GRADES])
    table = np.zeros((len(GRADES), n_points.max()))
    for i, g in enumerate(GRADES):
        table[i, : n_points[i]] = PAY_2024[g]
        table[i, n_points[i]:] = PAY_2024[g][-1]
    point = np.clip(point, 0, n_points[grade] - 1)
    return table[grade, point] * PAY_INDEX.get(year, 1.03 ** (year - BASE_YEAR))


def pay_frame(rng: np.random.Generator, people: People, state: YearState) -> pl.DataFrame:
    """pay.csv: the March pay period of everyone in post on 31 March who is an employee (not specials)."""
    year = state.year
    ps, pe = period(year)
    idx = employed_in(people, state)
    idx = idx[in_post_on_snapshot(people, idx, year) & (people["group"][idx] != SPECIAL)]
    n = len(idx)
    grade = state.grade[idx].astype(np.int64)
    group = people["group"][idx]
    fte = people["fte"][idx]
    years_in = np.floor((pe - np.where(grade == CONSTABLE, people["start"][idx], state.grade_since[idx])) / YEAR_DAYS)
    point = years_in.astype(np.int64)
    co = grade == CHIEF_OFFICER  # chief officers are paid by post, which follows seniority (see _titles)
    if co.any():
        order = np.argsort(people["start"][idx][co], kind="stable")
        rank = np.empty(int(co.sum()), dtype=np.int64)
        rank[order] = np.arange(int(co.sum()))
        frac = rank / co.sum()
        point[co] = np.where(frac < 0.25, 2, np.where(frac < 0.5, 1, 0))
    annual = _annual_pay(grade, point, year)
    allowance = _allowances(people["allowance_u"][idx], grade, group, annual) * PAY_INDEX.get(year, 1.0)
    monthly = annual / 12 * fte + allowance * fte
    # leave at reduced or nil pay: maternity beyond the full-pay weeks; long-term sickness
    ms, me = people["mat_start"][idx], people["mat_end"][idx]
    on_mat = (ms != NONE) & (ms <= pe) & (me >= pe)
    weeks_in = (pe - ms) / 7
    smp = SMP_WEEKLY.get(year, 172.48) * 31 / 7
    reduced_mat = on_mat & (weeks_in > FULL_PAY_WEEKS)
    ordinary = np.where(reduced_mat, np.where(weeks_in <= 39, smp, 0.0), monthly)
    sick = ~on_mat & (rng.random(n) < 0.014)
    ordinary = np.where(sick, monthly * np.where(rng.random(n) < 0.8, 0.5, 0.0), ordinary)
    full_pay = ~(reduced_mat | sick)
    bonus_12m, bonus_now, bonus_days = _bonuses(rng, people["female"][idx], year)
    hours = np.round(np.array([FULL_TIME_HOURS[g] for g in GROUPS_ORDER])[group] * fte, 2)
    days = np.where(bonus_days > 0, bonus_days, -1)
    frame = pl.DataFrame([
        _ids("E", idx + 1, _id_width(people)).alias("employee_id"),
        _dates("period_start", np.full(n, day(dt.date(year, 3, 1)), dtype=np.int32)),
        _dates("period_end", np.full(n, pe, dtype=np.int32)),
        _money("ordinary_pay", ordinary),
        _money("bonus_pay_in_period", bonus_now),
        pl.Series("bonus_period_days", days).set(pl.Series(days < 0), None),
        pl.Series("weekly_hours", hours),
        pl.Series("full_pay", full_pay),
        _money("bonus_pay_12m", bonus_12m),
    ])
    return frame.select(PAY.column_names)


def _allowances(u: np.ndarray, grade: np.ndarray, group: np.ndarray, annual: np.ndarray) -> np.ndarray:
    """Monthly allowances that count as ordinary pay (unsocial hours, shift, on-call), 2024 pounds.
    ``u`` is a per-person draw fixed for life, so the same people keep their allowance each year."""
    response = (grade <= GRADE_INDEX["sergeant"]) & (u < np.where(grade == CONSTABLE, 0.5, 0.35))
    on_call = (grade >= GRADE_INDEX["inspector"]) & (grade <= GRADE_INDEX["chief_inspector"]) & (u < 0.4)
    staff_shift = (grade >= GRADE_INDEX["scale_3"]) & (grade <= GRADE_INDEX["scale_6"]) & (u < 0.22)
    staff_standby = (grade >= GRADE_INDEX["so1"]) & (grade <= GRADE_INDEX["po2"]) & (u < 0.10)
    pcso = (group == PCSO) & (u < 0.75)
    v = u * 10 % 1  # a second uniform from the same draw, for the amount
    return (
        response * (60 + 185 * v)
        + on_call * (80 + 225 * v)
        + staff_shift * annual / 12 * (0.10 + 0.10 * v)
        + staff_standby * (50 + 150 * v)
        + pcso * (90 + 130 * v)
    )


def _bonuses(rng: np.random.Generator, female: np.ndarray, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Recognition awards in the 12 months to the snapshot: a fixed share of men and of women, with
    equal medians and larger awards for a few women (Gwent 2023: median gap 0, mean gap about -49%)."""
    n = len(female)
    rate_m, rate_f = BONUS_RATES.get(year, (0.0, 0.0))
    got = np.zeros(n, dtype=bool)
    for sex, rate in ((False, rate_m), (True, rate_f)):
        cand = np.flatnonzero(female == sex)
        got[top_k(rng, cand, np.ones(len(cand)), int(round(rate * len(cand))))] = True
    amount = np.where(female, np.array([500.0, 500, 500, 1000, 1000])[rng.integers(0, 5, n)],
                      np.array([250.0, 500, 500, 500, 750])[rng.integers(0, 5, n)])
    amount = np.where(got, amount, 0.0)
    in_march = got & (rng.random(n) < 0.15)
    now = np.where(in_march, amount, 0.0)
    days = np.where(in_march & (rng.random(n) < 0.5), 365, 0)
    return amount, now, days


# =========================================================================== events
def _age_band(age: np.ndarray) -> np.ndarray:
    """Index into AGE_BAND for an age in years."""
    return np.searchsorted(np.array([25, 35, 45, 55, 65]), age, side="right")


AGE_BAND_CODES = ("16-24", "25-34", "35-44", "45-54", "55-64", "65+", "prefer_not_to_say")
MONITORING = ("ethnicity", "disability", "religion", "sexual_orientation", "gender_identity_same_as_sex_at_birth",
              "marital_status", "welsh_speaking")


def _monitoring_columns(people: People, idx: np.ndarray, at: np.ndarray) -> dict[str, np.ndarray]:
    """Applicant monitoring copied from the person's own record (an applicant is the same person)."""
    out = {c: people[c][idx].astype(np.int64) for c in MONITORING}
    out["sex"] = people["female"][idx].astype(np.int64)
    band = _age_band((at - people["dob"][idx]) / YEAR_DAYS)
    out["age_band"] = np.where(people["dob_blank"][idx], -1, band)
    return out


def _synthetic_applicants(rng: np.random.Generator, group: np.ndarray) -> dict[str, np.ndarray]:
    """Monitoring for applicants who were not appointed (people who never appear in employees)."""
    n = len(group)
    female_p = np.select([group == OFFICER, group == STAFF, group == PCSO], [0.40, 0.62, 0.46], 0.38)
    female = rng.random(n) < female_p
    age = np.select([group == STAFF], [18 + rng.gamma(2.0, 8.5, n)], 18 + rng.gamma(2.2, 3.8, n))
    mon = _monitoring(rng, n, group, age, np.ones(n, dtype=bool), female)
    # applicant pools are more diverse than the workforce (Newport is 14.5% ethnic minority)
    minority_codes = np.array([ETHNICITY.index(c) for c in ETHNICITY if not c.startswith(("white_", "prefer", "not_"))])
    swap = (mon["ethnicity"] >= 0) & (rng.random(n) < 0.05)
    mon["ethnicity"] = np.where(swap, minority_codes[rng.integers(0, len(minority_codes), n)], mon["ethnicity"])
    out = {c: mon[c].astype(np.int64) for c in MONITORING}
    out["sex"] = np.where(rng.random(n) < 0.01, -1, female.astype(np.int64))
    band = _age_band(age)
    u = rng.random(n)
    out["age_band"] = np.where(u < 0.03, -1, np.where(u < 0.05, 6, band))
    return out


def _funnel(rng: np.random.Generator, group: np.ndarray, ethnicity: np.ndarray, disability: np.ndarray,
            internal: bool) -> np.ndarray:
    """Furthest stage reached by applicants who were not appointed (0 applied .. 3 offered). Ethnic
    minority and disabled candidates are shortlisted less often (the pattern the report should show)."""
    n = len(group)
    short = np.select([group == OFFICER, group == STAFF, group == PCSO], [0.55, 0.32, 0.5], 0.6)
    if internal:
        short = np.full(n, 0.75)
    minority = (ethnicity >= 0) & ~np.isin(ethnicity, [ETHNICITY.index(c) for c in ETHNICITY
                                                      if c.startswith("white_") or c in ("prefer_not_to_say",
                                                                                         "not_stated")])
    short = short * np.where(minority, 0.72, 1.0) * np.where(disability == DISABILITY.index("yes"), 0.8, 1.0)
    stage = np.zeros(n, dtype=np.int64)
    stage += rng.random(n) < short
    stage += (stage == 1) & (rng.random(n) < 0.7)
    stage += (stage == 2) & (rng.random(n) < 0.25)
    return stage


def applications_frame(rng: np.random.Generator, people: People, state: YearState) -> pl.DataFrame:
    """applications.csv: external campaigns whose appointed applicants are the joiners, and internal
    applications whose appointed applicants are the promotions of the period."""
    year = state.year
    ps, pe = period(year)
    joined = state.joined
    scale_total = max(len(joined), 1)
    parts = []
    # -- external appointed: the joiners themselves
    g_j = people["group"][joined]
    parts.append(dict(kind=np.zeros(len(joined), np.int8), group=g_j, stage=np.full(len(joined), 4),
                      withdrawn=np.zeros(len(joined), bool), employee=np.full(len(joined), -1),
                      vac=_vacancy_of(rng, g_j, len(joined), external=True),
                      **_monitoring_columns(people, joined, people["start"][joined] - 60)))
    # -- external not appointed
    ratio = {OFFICER: 5.6, STAFF: 9.0, PCSO: 5.0, SPECIAL: 2.5}
    g_n = np.concatenate([np.full(int(round(ratio[g] * (g_j == g).sum())), g, dtype=np.int8) for g in GROUPS_ORDER])
    mon = _synthetic_applicants(rng, g_n)
    stage = _funnel(rng, g_n, mon["ethnicity"], mon["disability"], internal=False)
    withdrawn = np.where(stage == 3, rng.random(len(g_n)) < 0.8, rng.random(len(g_n)) < 0.08)
    parts.append(dict(kind=np.zeros(len(g_n), np.int8), group=g_n, stage=stage, withdrawn=withdrawn,
                      employee=np.full(len(g_n), -1), vac=_vacancy_of(rng, g_n, scale_total, external=True), **mon))
    # -- internal: promoted (appointed) and unsuccessful candidates from the grade below
    emp = employed_in(people, state)
    promoted = emp[state.promoted_from[emp] >= 0]
    cont = emp[(people["start"][emp] < ps) & ((people["leave"][emp] == NONE) | (people["leave"][emp] > pe))
               & (people["group"][emp] <= STAFF)]
    not_promoted = cont[state.promoted_from[cont] < 0]
    unsuccessful = top_k(rng, not_promoted, np.ones(len(not_promoted)), int(round(1.0 * len(promoted))))
    for who, appointed in ((promoted, True), (unsuccessful, False)):
        mon = _monitoring_columns(people, who, np.full(len(who), (ps + pe) // 2))
        g = people["group"][who]
        stg = np.full(len(who), 4) if appointed else _funnel(rng, g, mon["ethnicity"], mon["disability"], True)
        wd = np.zeros(len(who), bool) if appointed else rng.random(len(who)) < 0.06
        parts.append(dict(kind=np.ones(len(who), np.int8), group=g, stage=stg, withdrawn=wd, employee=who,
                          vac=_vacancy_of(rng, g, len(who) + 1, external=False), **mon))
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    n = len(cat["group"])
    order = rng.permutation(n)  # application numbers carry no hint of the outcome
    cat = {k: v[order] for k, v in cat.items()}
    width = max(6, len(str(n)))
    cols = [
        _ids(f"APP-{year}-", np.arange(1, n + 1), width).alias("application_id"),
        _ids(f"VAC-{year}-", cat["vac"], 4).alias("vacancy_id"),
        _codes("applicant_type", cat["kind"], ("external", "internal")),
        pl.select(pl.when(pl.Series(cat["employee"] >= 0)).then(
            _ids("E", cat["employee"] + 1, _id_width(people))).alias("employee_id")).to_series(),
        _codes("workforce_group", cat["group"], GROUPS),
        _codes("stage_reached", cat["stage"], ("applied", "shortlisted", "interviewed", "offered", "appointed")),
        pl.Series("withdrawn", cat["withdrawn"]),
        _codes("sex", cat["sex"], ("male", "female")),
        _codes("age_band", cat["age_band"], AGE_BAND_CODES),
    ]
    for col in MONITORING:
        cols.append(_codes(col, cat[col], APPLICATIONS.column(col).codes))
    return pl.DataFrame(cols).select(APPLICATIONS.column_names)  # ids were given in row order


def _vacancy_of(rng: np.random.Generator, group: np.ndarray, spread: int, external: bool) -> np.ndarray:
    """Vacancy numbers: a few large officer, PCSO and special campaigns; one vacancy per post for staff
    and for internal moves (promotion boards share a number per group)."""
    n = len(group)
    base = 1 if external else 5001
    staff_posts = max(int(spread * 0.45), 1)
    return np.select(
        [group == OFFICER, group == PCSO, group == SPECIAL],
        [base + rng.integers(0, 3, n), base + 3 + rng.integers(0, 2, n), np.full(n, base + 5)],
        base + 6 + rng.integers(0, staff_posts, n),
    )


def _event_dates(rng: np.random.Generator, people: People, who: np.ndarray, ps: int, pe: int) -> np.ndarray:
    """A date in the period while the person was employed."""
    lo = np.maximum(ps, people["start"][who])
    leave = people["leave"][who]
    hi = np.where((leave != NONE) & (leave <= pe), leave, pe)
    return uniform_days(rng, lo, np.maximum(hi, lo), len(who))


def training_frame(rng: np.random.Generator, people: People, state: YearState, scale: float) -> pl.DataFrame:
    ps, pe = period(state.year)
    emp = employed_in(people, state)
    n = int(round(3000 * scale * GROWTH[OFFICER] ** (state.year - BASE_YEAR)))
    w = np.array([1.25, 1.0, 1.0, 0.5])[people["group"][emp]]
    who = emp[pick(rng, w, n)]
    when = _event_dates(rng, people, who, ps, pe)
    late = when > pe - 45
    u = rng.random(n)
    part_time = people["fte"][who] < 1
    declined_p = 0.11 * np.where(part_time, 1.3, 1.0)
    pending_p = np.where(late, 0.45, 0.03)
    outcome = np.where(u < pending_p, 2, np.where(u < pending_p + declined_p, 1, 0))
    completed = (outcome == 0) & (rng.random(n) < np.where(when < pe - 60, 0.92, 0.35))
    group = people["group"][who]
    flat = [c for g in GROUPS_ORDER for c in COURSES[g]]
    offset = np.cumsum([0] + [len(COURSES[g]) for g in GROUPS_ORDER])[:-1]
    sizes = np.array([len(COURSES[g]) for g in GROUPS_ORDER])
    course = offset[group] + rng.integers(0, 10**9, n) % sizes[group]
    order = np.lexsort((who, when))  # by date, then employee
    who, when, course, outcome, completed = who[order], when[order], course[order], outcome[order], completed[order]
    frame = pl.DataFrame([
        _ids("E", who + 1, _id_width(people)).alias("employee_id"),
        _codes("course", course, flat),
        _dates("requested_date", when),
        _codes("outcome", outcome, ("approved", "declined", "pending")),
        pl.Series("completed", completed),
    ])
    return frame.select(TRAINING.column_names)


def grievances_frame(rng: np.random.Generator, people: People, state: YearState, scale: float) -> pl.DataFrame:
    """Cases with one complainant and one or two respondents (more often supervisors)."""
    ps, pe = period(state.year)
    emp = employed_in(people, state)
    emp = emp[people["group"][emp] != SPECIAL]
    n_cases = max(int(round(30 * scale)), 1)
    w_c = np.where(people["female"][emp], 1.4, 1.0) * np.where(people["group"][emp] == STAFF, 1.3, 1.0)
    complainant = emp[pick(rng, w_c, n_cases)]
    grade = state.grade[emp]
    senior = ((grade >= GRADE_INDEX["sergeant"]) & (grade <= CHIEF_OFFICER)) | (grade >= GRADE_INDEX["so1"])
    w_r = np.where(senior, 4.0, 1.0)
    n_resp = 1 + (rng.random(n_cases) < 0.15)
    case_of_resp = np.repeat(np.arange(n_cases), n_resp)
    respondent = emp[pick(rng, w_r, len(case_of_resp))]
    respondent = np.where(respondent == complainant[case_of_resp], emp[(np.searchsorted(emp, respondent) + 1) % len(emp)],
                          respondent)
    lo = np.maximum(np.maximum(people["start"][complainant], ps), 0)
    both_hi = np.minimum(_last_day(people, complainant, pe), pe)
    raised = uniform_days(rng, lo, np.maximum(both_hi, lo), n_cases)
    # the respondent must have been employed on that day too: clip into their employment
    r_lo = np.maximum(people["start"][respondent], ps)
    r_hi = _last_day(people, respondent, pe)
    r_date = np.clip(raised[case_of_resp], r_lo, np.maximum(r_hi, r_lo))
    outcome = pick(rng, np.array([0.2, 0.2, 0.4, 0.1, 0.1]), n_cases)
    outcome = np.where(raised > pe - 60, np.where(rng.random(n_cases) < 0.7, 4, outcome), outcome)
    width = 4
    case_ids = np.arange(1, n_cases + 1)
    frame = pl.DataFrame([
        _ids("E", np.concatenate([complainant, respondent]) + 1, _id_width(people)).alias("employee_id"),
        _ids(f"GRV-{state.year}-", np.concatenate([case_ids, case_ids[case_of_resp]]), width).alias("case_id"),
        _codes("role", np.concatenate([np.zeros(n_cases, np.int64), np.ones(len(respondent), np.int64)]),
               ("complainant", "respondent")),
        _dates("date_raised", np.concatenate([raised, r_date])),
        _codes("outcome", np.concatenate([outcome, outcome[case_of_resp]]),
               ("upheld", "partially_upheld", "not_upheld", "withdrawn", "open")),
    ])
    return frame.select(GRIEVANCES.column_names).sort("case_id", "role", maintain_order=True)


def _last_day(people: People, who: np.ndarray, pe: int) -> np.ndarray:
    leave = people["leave"][who]
    return np.where((leave != NONE) & (leave <= pe), leave, pe)


def disciplinary_frame(rng: np.random.Generator, people: People, state: YearState, scale: float) -> pl.DataFrame:
    """Formal cases: every dismissal in the period had one; the rest fall more on officers and men."""
    ps, pe = period(state.year)
    emp = employed_in(people, state)
    leave = people["leave"][emp]
    dismissed = emp[(leave != NONE) & (leave >= ps) & (leave <= pe)
                    & (people["leave_reason"][emp] == LEAVE_CODES["dismissal"])]
    pool = emp[people["group"][emp] != SPECIAL]
    n_other = max(int(round(45 * scale)) - len(dismissed), 0)
    w = (np.where(people["group"][pool] == OFFICER, 2.0, 1.0) * np.where(people["female"][pool], 0.6, 1.0)
         * np.where((pe - people["start"][pool]) < 2 * YEAR_DAYS, 1.3, 1.0))
    others = top_k(rng, pool, w, n_other)
    others = others[~np.isin(others, dismissed)]
    who = np.concatenate([dismissed, others])
    lo = np.maximum(people["start"][who], ps)
    hi = _last_day(people, who, pe)
    hi = np.where(np.arange(len(who)) < len(dismissed), np.maximum(hi - 30, lo), hi)
    started = uniform_days(rng, lo, np.maximum(hi, lo), len(who))
    outcome = pick(rng, np.array([0.27, 0.33, 0.2, 0.1, 0.0, 0.1]), len(who))
    outcome = np.where(started > pe - 75, np.where(rng.random(len(who)) < 0.7, 5, outcome), outcome)
    outcome[: len(dismissed)] = 4
    order = np.argsort(started, kind="stable")
    frame = pl.DataFrame([
        _ids("E", who[order] + 1, _id_width(people)).alias("employee_id"),
        _ids(f"DSC-{state.year}-", np.arange(1, len(who) + 1), 4).alias("case_id"),
        _dates("date_started", started[order]),
        _codes("outcome", outcome[order], ("no_action", "management_advice", "written_warning",
                                           "final_written_warning", "dismissal", "open")),
    ])
    return frame.select(DISCIPLINARY.column_names)


# =========================================================================== organisation and community
# the profile's first line: how the generator knows a folder holds its own sample (``holds_other_data``)
SAMPLE_MARK = "# Synthetic sample organisation generated by `make sample`"


def organisation_toml() -> str:
    """inputs/organisation.toml: the profile the pipeline reads (names, groups, grades, code maps)."""
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def grade_list(codes: Sequence[str]) -> str:
        return "[" + ", ".join(q(c) for c in codes) + "]"

    lines = [
        SAMPLE_MARK + " (pipeline/sample.py). Not real data.",
        "",
        "[organisation]",
        'code = "gwent-police-sample"',
        'name_en = "Gwent Police (sample data)"',
        'name_cy = "Heddlu Gwent (data enghreifftiol)"',
        'census_geography = "GWENT5"     # rows of inputs/community.csv to compare against',
        "# how readers ask for the report in an accessible format (made up: .example is a reserved name,",
        "# and 01632 960xxx are Ofcom's numbers for drama, which ring nowhere)",
        'contact_email = "equality@gwent-police.example"',
        'contact_phone = "01632 960000"',
        "# where each language's web page of the report is published; {year} is the report's year",
        'web_address_en = "https://www.gwent-police.example/equality-report-{year}/"',
        'web_address_cy = "https://www.gwent-police.example/cy/adroddiad-cydraddoldeb-{year}/"',
        "",
        "[settings]",
        "suppression_threshold = 5",
        "min_group_size = 10",
        'pay_period_days = "actual"',
        'rounding = "half_up"',
        "",
        "[workforce_groups.officer]",
        'name_en = "Police officers"',
        'name_cy = "Swyddogion heddlu"',
        "officer = true",
        f"grades = {grade_list(RANKS)}",
        "",
        "[workforce_groups.staff]",
        'name_en = "Police staff"',
        'name_cy = "Staff yr heddlu"',
        f"grades = {grade_list(STAFF_GRADES)}",
        "",
        "[workforce_groups.pcso]",
        'name_en = "Police community support officers"',
        'name_cy = "Swyddogion Cymorth Cymunedol yr Heddlu"',
        'grades = ["pcso"]',
        "",
        "[workforce_groups.special]",
        'name_en = "Special constables"',
        'name_cy = "Cwnstabliaid Gwirfoddol"',
        "employee = false                  # volunteers: in the workforce profile, not in pay figures",
        'grades = ["special_constable"]',
        "",
    ]
    for g in GRADES:
        en, cy = GRADE_NAMES[g]
        lines += [f"[grades.{g}]", f"name_en = {q(en)}", f"name_cy = {q(cy)}", ""]
    lines += [
        "# The HR system writes some permanent contracts as \"perm\"; the pipeline maps them.",
        "[code_maps.contract_type]",
        'perm = "permanent"',
        "",
    ]
    return "\n".join(lines)


# Census 2021 for the five Gwent local authorities (ONS, via shared/reference/census_gwent_wales.csv):
# usual residents, and percentages of all residents.
GWENT_LAS = {
    "Blaenau Gwent": dict(pop=66904, female=50.9, white=97.8, asian=0.9, black=0.2, mixed=0.9, christian=36.5,
                          no_religion=56.4, muslim=0.4, hindu=0.1, sikh=0.2, buddhist=0.2, jewish=0.0, welsh=6.2),
    "Caerphilly": dict(pop=175952, female=51.1, white=97.7, asian=0.9, black=0.2, mixed=1.0, christian=36.4,
                       no_religion=56.7, muslim=0.3, hindu=0.1, sikh=0.1, buddhist=0.2, jewish=0.0, welsh=None),
    "Monmouthshire": dict(pop=92957, female=51.0, white=96.9, asian=1.3, black=0.2, mixed=1.2, christian=48.7,
                          no_religion=43.4, muslim=0.5, hindu=0.2, sikh=0.1, buddhist=0.4, jewish=0.1, welsh=None),
    "Newport": dict(pop=159587, female=50.9, white=85.5, asian=7.6, black=2.3, mixed=2.8, christian=42.8,
                    no_religion=43.0, muslim=7.1, hindu=0.5, sikh=0.3, buddhist=0.3, jewish=0.1, welsh=7.5),
    "Torfaen": dict(pop=92276, female=51.4, white=97.1, asian=1.3, black=0.2, mixed=1.1, christian=41.5,
                    no_religion=50.8, muslim=0.4, hindu=0.3, sikh=0.1, buddhist=0.3, jewish=0.0, welsh=8.2),
}
RELIGION_STATED_TOTAL = {  # "Religion not stated" per LA, to derive "other religion" = 100 - listed - not stated
    "Blaenau Gwent": 5.8, "Caerphilly": 5.7, "Monmouthshire": 6.2, "Newport": 5.6, "Torfaen": 6.1,
}
WALES = dict(female=51.1, white=93.8, asian=2.9, black=0.9, mixed=1.6, other_eth=0.8, christian=43.6, no_religion=46.5,
             muslim=2.2, hindu=0.4, sikh=0.1, buddhist=0.3, jewish=0.1, other_rel=0.5, welsh=17.8, disabled=21.1,
             heterosexual=89.4, gay_or_lesbian=1.5, bisexual=1.2, other_so=0.3, trans=0.4, minority_incl_white=9.6)
CENSUS = "ONS Census 2021"
DERIVED = "DERIVED: ONS Census 2021, 5 Gwent LAs population-weighted"


def community_frame() -> pl.DataFrame:
    """inputs/community.csv: Census 2021 shares for Gwent (population-weighted from the five local
    authorities) and for Wales where no local-authority figure is available."""
    pops = np.array([v["pop"] for v in GWENT_LAS.values()], dtype=float)

    def gwent(key: str, las: Sequence[str] | None = None) -> float:
        names = list(GWENT_LAS) if las is None else list(las)
        w = np.array([GWENT_LAS[n]["pop"] for n in names], dtype=float)
        v = np.array([GWENT_LAS[n][key] for n in names], dtype=float)
        return float(np.round((w * v).sum() / w.sum(), 1))

    for la, d in GWENT_LAS.items():  # "other" by subtraction, as the reference does
        d["other_eth"] = round(100 - d["white"] - d["asian"] - d["black"] - d["mixed"], 1)
        listed = sum(d[k] for k in ("christian", "no_religion", "muslim", "hindu", "sikh", "buddhist", "jewish"))
        d["other_rel"] = round(100 - listed - RELIGION_STATED_TOTAL[la], 1)
    assert len(pops) == 5
    rows: list[tuple[str, str, str, float, str]] = []
    g5 = "GWENT5"
    rows += [(g5, "sex", "female", gwent("female"), DERIVED), (g5, "sex", "male", round(100 - gwent("female"), 1), DERIVED)]
    for cat, key in (("white", "white"), ("mixed", "mixed"), ("asian", "asian"), ("black", "black"),
                     ("other", "other_eth")):
        rows.append((g5, "ethnic_group", cat, gwent(key), DERIVED + (" (other = 100 - listed)" if cat == "other" else "")))
    rows.append((g5, "ethnic_minority_excl_white", "ethnic_minority_excl_white", round(100 - gwent("white"), 1),
                 DERIVED + " (100 - White)"))
    for cat, key in (("no_religion", "no_religion"), ("christian", "christian"), ("muslim", "muslim"),
                     ("hindu", "hindu"), ("sikh", "sikh"), ("buddhist", "buddhist"), ("jewish", "jewish"),
                     ("other", "other_rel")):
        rows.append((g5, "religion", cat, gwent(key), DERIVED + (" (other by subtraction)" if cat == "other" else "")))
    welsh_las = [n for n, d in GWENT_LAS.items() if d["welsh"] is not None]
    rows.append((g5, "welsh_speaking", "speaks_welsh", gwent("welsh", welsh_las),
                 "DERIVED: ONS Census 2021, aged 3+, weighted over 3 of 5 LAs (no Caerphilly, Monmouthshire)"))
    w = "W92000004"
    rows += [(w, "sex", "female", WALES["female"], CENSUS), (w, "sex", "male", round(100 - WALES["female"], 1), CENSUS)]
    for cat, key in (("white", "white"), ("mixed", "mixed"), ("asian", "asian"), ("black", "black"),
                     ("other", "other_eth")):
        rows.append((w, "ethnic_group", cat, WALES[key], CENSUS if cat != "other" else "DERIVED: " + CENSUS + " (100 - listed)"))
    rows.append((w, "ethnic_minority_excl_white", "ethnic_minority_excl_white", round(100 - WALES["white"], 1),
                 "DERIVED: " + CENSUS + " (100 - White)"))
    rows.append((w, "ethnic_minority", "ethnic_minority", WALES["minority_incl_white"], CENSUS + " (incl. White minorities)"))
    for cat, key in (("no_religion", "no_religion"), ("christian", "christian"), ("muslim", "muslim"),
                     ("hindu", "hindu"), ("sikh", "sikh"), ("buddhist", "buddhist"), ("jewish", "jewish"),
                     ("other", "other_rel")):
        rows.append((w, "religion", cat, WALES[key], CENSUS if cat != "other" else "DERIVED: " + CENSUS + " (100 - listed)"))
    rows.append((w, "welsh_speaking", "speaks_welsh", WALES["welsh"], CENSUS + ", aged 3+"))
    rows.append((w, "disability", "yes", WALES["disabled"], CENSUS + ", age-standardised"))
    for cat, key in (("heterosexual", "heterosexual"), ("gay_or_lesbian", "gay_or_lesbian"), ("bisexual", "bisexual"),
                     ("other", "other_so")):
        rows.append((w, "sexual_orientation", cat, WALES[key], CENSUS + ", aged 16+"))
    rows.append((w, "gender_identity", "no", WALES["trans"], CENSUS + ", aged 16+, identity differs from sex at birth"))
    return pl.DataFrame(rows, schema={"geography": pl.String, "characteristic": pl.String, "category": pl.String,
                                      "pct": pl.Float64, "source": pl.String}, orient="row")


# =========================================================================== calibration check
PUBLISHED = {  # Gwent Police, GOV.UK gender pay gap service (shared/reference/gpg_police_forces.csv)
    2023: dict(mean=7.7, median=12.3, quartiles=(53.3, 52.8, 49.1, 33.2), bonus_men=1.52, bonus_women=1.03),
    2024: dict(mean=6.5, median=7.0, quartiles=(53.1, 52.9, 50.2, 35.2), bonus_men=0.0, bonus_women=0.0),
}


def gpg_figures(employees: pl.DataFrame, pay: pl.DataFrame) -> dict[str, float | tuple[float, ...] | None]:
    """The six statutory measures, computed directly from the two files (all-text frames as read from
    CSV, or typed ones). Hourly = (ordinary + pro-rated bonus in period) x 7 / days / weekly hours over
    full-pay relevant employees; quartiles by the GOV.UK remainder rule, ties spread so each tied rate
    has the same mix of men and women in every quarter it spans (reg 13(2))."""
    def num(c: str) -> pl.Expr:
        return pl.col(c).cast(pl.String).cast(pl.Float64, strict=False).fill_null(0.0)

    p = pay.join(employees.select("employee_id", pl.col("sex").cast(pl.String)), on="employee_id", how="left")
    def date(c: str) -> pl.Expr:
        return pl.col(c).cast(pl.String).str.to_date("%Y-%m-%d")

    days = (date("period_end") - date("period_start")).dt.total_days() + 1
    bonus_days = pl.col("bonus_period_days").cast(pl.String).cast(pl.Float64, strict=False)
    bonus = num("bonus_pay_in_period") * pl.when(bonus_days > days).then(days / bonus_days).otherwise(1.0)
    p = p.with_columns(
        ((num("ordinary_pay") + bonus) * 7 / days / num("weekly_hours")).alias("_hourly"),
        pl.col("full_pay").cast(pl.String).str.to_lowercase().is_in(["true", "yes", "1"]).alias("_full"),
        (num("bonus_pay_12m") > 0).alias("_bonus"),
    )
    fp = p.filter(pl.col("_full"))
    means = {s: fp.filter(pl.col("sex") == s)["_hourly"] for s in ("male", "female")}
    mean_gap = (means["male"].mean() - means["female"].mean()) / means["male"].mean() * 100
    median_gap = (means["male"].median() - means["female"].median()) / means["male"].median() * 100
    ranked = fp.with_columns(
        ((pl.int_range(pl.len()).over("_hourly", "sex", order_by="employee_id") + 0.5)
         / pl.len().over("_hourly", "sex")).alias("_spread")
    ).sort("_hourly", "_spread", "sex")
    n = ranked.height
    q, r = divmod(n, 4)
    sizes = [q + (r >= 1), q + (r >= 3), q + (r >= 2), q]
    edges = np.cumsum([0] + sizes)
    women = ranked["sex"].to_numpy() == "female"
    quartiles = tuple(float(women[edges[i]: edges[i + 1]].mean() * 100) for i in range(4))
    bonus = {s: p.filter(pl.col("sex") == s) for s in ("male", "female")}
    pct = {s: float(bonus[s]["_bonus"].mean() * 100) for s in bonus}
    paid = {s: bonus[s].filter(pl.col("_bonus")).select(num("bonus_pay_12m"))["bonus_pay_12m"] for s in bonus}
    mean_bonus = median_bonus = None
    if len(paid["male"]) and len(paid["female"]):
        mean_bonus = (paid["male"].mean() - paid["female"].mean()) / paid["male"].mean() * 100
        median_bonus = (paid["male"].median() - paid["female"].median()) / paid["male"].median() * 100
    return dict(mean=float(mean_gap), median=float(median_gap), quartiles=quartiles, bonus_men=pct["male"],
                bonus_women=pct["female"], mean_bonus=mean_bonus, median_bonus=median_bonus,
                full_pay_relevant=float(n), relevant=float(p.height))


def calibration_lines(year: int, figures: dict) -> list[str]:
    """Side-by-side text for --report: sample vs Gwent's published return."""
    pub = PUBLISHED.get(year)
    q = figures["quartiles"]
    out = [f"{year} (snapshot 31 March {year}): {int(figures['relevant'])} relevant employees, "
           f"{int(figures['full_pay_relevant'])} on full pay"]

    def row(label: str, ours: float, theirs: float | None) -> str:
        return f"  {label:<28}{ours:7.1f}" + (f"   published {theirs:5.1f}   diff {ours - theirs:+5.1f}" if theirs is not None else "")

    out.append(row("mean hourly gap %", figures["mean"], pub and pub["mean"]))
    out.append(row("median hourly gap %", figures["median"], pub and pub["median"]))
    for i, name in enumerate(("women % lower quartile", "women % lower-middle", "women % upper-middle",
                              "women % top quartile")):
        out.append(row(name, q[i], pub and pub["quartiles"][i]))
    out.append(row("men receiving bonus %", figures["bonus_men"], pub and pub["bonus_men"]))
    out.append(row("women receiving bonus %", figures["bonus_women"], pub and pub["bonus_women"]))
    if figures["mean_bonus"] is not None:
        out.append(f"  mean / median bonus gap %    {figures['mean_bonus']:.1f} / {figures['median_bonus']:.1f}")
    return out


# =========================================================================== writing
def _write_csv(frame: pl.DataFrame, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path, line_terminator="\n", null_value="", include_bom=False)
    return frame.height


def generate(out: Path, years: Sequence[int], seed: int, employees: int | None = None,
             report: bool = False) -> dict[str, int]:
    """Write organisation.toml, community.csv and every year's extracts; return row counts by file."""
    years = sorted(set(int(y) for y in years))
    scale = (employees / DEFAULT_TOTAL) if employees else 1.0
    people, states = simulate(seed, years, scale)
    counts: dict[str, int] = {}
    out.mkdir(parents=True, exist_ok=True)
    (out / "organisation.toml").write_text(organisation_toml(), encoding="utf-8")
    counts["community.csv"] = _write_csv(community_frame(), out / "community.csv")
    for year in years:
        state = states[year]
        # each file draws from its own stream, so changing one file's logic leaves the others as they were
        streams = np.random.default_rng([seed, year]).spawn(5)
        builders = {
            "employees": lambda: employees_frame(people, state),
            "pay": lambda: pay_frame(streams[0], people, state),
            "applications": lambda: applications_frame(streams[1], people, state),
            "training": lambda: training_frame(streams[2], people, state, scale),
            "grievances": lambda: grievances_frame(streams[3], people, state, scale),
            "disciplinary": lambda: disciplinary_frame(streams[4], people, state, scale),
        }
        kept: dict[str, pl.DataFrame] = {}
        for name, build in builders.items():  # one frame in memory at a time (bar the two --report needs)
            frame = build()
            counts[f"{year}/{name}.csv"] = _write_csv(frame, out / str(year) / f"{name}.csv")
            if report and name in ("employees", "pay"):
                kept[name] = frame
            del frame
        if report:
            print("\n".join(calibration_lines(year, gpg_figures(kept["employees"], kept["pay"]))), file=sys.stderr)
    return counts


def holds_other_data(out: Path) -> bool:
    """Whether ``out`` holds anything but an earlier sample: an organisation profile not written by
    the generator, or extracts without one. The generator replaces the profile, the community file
    and every year's extracts, so writing over an organisation's own inputs would lose them (the
    README's ``--report`` and ``make sample`` both wrote to ``inputs/`` by default)."""
    if not out.is_dir():
        return False
    profile = out / "organisation.toml"
    if profile.is_file():
        try:
            first = profile.read_text(encoding="utf-8", errors="replace").splitlines()[:1]
        except OSError:
            return True
        return not (first and first[0].startswith(SAMPLE_MARK))
    return any(out.glob("community.*")) or any(out.glob("*/employees.*"))


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m pipeline.sample",
                                description="Write seeded synthetic extracts for a Gwent-sized police force.")
    p.add_argument("--out", type=Path, default=None,
                   help="folder to write (default: inputs; with --report alone, a temporary folder)")
    p.add_argument("--years", type=int, nargs="+", default=[2023, 2024], help="snapshot years (31 March YEAR)")
    p.add_argument("--seed", type=int, default=20240331, help="random seed; the same seed gives the same bytes")
    p.add_argument("--employees", type=int, default=None,
                   help=f"everyone in post at the last snapshot (default {DEFAULT_TOTAL}); every group and "
                        "event file scales in proportion")
    p.add_argument("--report", action="store_true",
                   help="print the gender pay gap calibration against Gwent's returns (without --out, "
                        "the files go to a temporary folder and are removed)")
    p.add_argument("--overwrite", action="store_true",
                   help="write even where the folder holds an organisation's own inputs (they are replaced)")
    args = p.parse_args(argv)
    if args.employees is not None and args.employees < 50:
        p.error("--employees must be at least 50")
    if args.out is None and args.report:
        with tempfile.TemporaryDirectory(prefix="cydradd-sample-") as tmp:
            generate(Path(tmp), args.years, args.seed, args.employees, report=True)
        return 0
    out = args.out or Path("inputs")
    if holds_other_data(out) and not args.overwrite:
        print(f"python -m pipeline.sample: {out} holds inputs that are not the generated sample "
              f"(its organisation.toml was not written by the generator); nothing was written. "
              f"Give another --out, or --overwrite to replace them.", file=sys.stderr)
        return 2
    counts = generate(out, args.years, args.seed, args.employees, args.report)
    for name, rows in counts.items():
        print(f"{rows:>9}  {out / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
