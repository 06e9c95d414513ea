"""The input data contract, version 1, declared once.

This declaration is the single source of truth for what an organisation hands the pipeline
(``shared/spec/data-contract.md``). It drives:

- reading (which columns, which types),
- validation (``pipeline.extracts.validate``) and its error messages (allowed codes, ranges),
- the generated documentation table (``docs/data-contract.md``, via ``pipeline.extracts.docs``).

A change here is a change to the contract: compatible growth (a new optional column, a new code)
keeps ``CONTRACT_VERSION``; anything that changes meaning needs a new version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CONTRACT_VERSION = "1"

Kind = Literal["id", "text", "code", "date", "decimal", "integer", "money", "boolean"]

# --------------------------------------------------------------------------- code lists
SEX = ("female", "male")
AGE_BAND = ("16-24", "25-34", "35-44", "45-54", "55-64", "65+", "prefer_not_to_say")
ETHNICITY = (
    "white_welsh_english_scottish_ni_british",
    "white_irish",
    "white_gypsy_irish_traveller",
    "white_roma",
    "white_other",
    "mixed_white_black_caribbean",
    "mixed_white_black_african",
    "mixed_white_asian",
    "mixed_other",
    "asian_indian",
    "asian_pakistani",
    "asian_bangladeshi",
    "asian_chinese",
    "asian_other",
    "black_african",
    "black_caribbean",
    "black_other",
    "other_arab",
    "other_any",
    "prefer_not_to_say",
    "not_stated",
)
DISABILITY = ("yes", "no", "prefer_not_to_say", "not_stated")
RELIGION = (
    "no_religion",
    "christian",
    "buddhist",
    "hindu",
    "jewish",
    "muslim",
    "sikh",
    "other",
    "prefer_not_to_say",
    "not_stated",
)
SEXUAL_ORIENTATION = ("heterosexual", "gay_or_lesbian", "bisexual", "other", "prefer_not_to_say", "not_stated")
GENDER_IDENTITY = ("yes", "no", "prefer_not_to_say", "not_stated")
MARITAL_STATUS = (
    "single",
    "married",
    "civil_partnership",
    "separated",
    "divorced",
    "widowed",
    "prefer_not_to_say",
    "not_stated",
)
WELSH_SPEAKING = ("0", "1", "2", "3", "4", "5", "not_stated")
CONTRACT_TYPE = ("permanent", "fixed_term", "casual")
WORKING_PATTERN = ("full_time", "part_time")
LEAVE_REASON = (
    "resignation",
    "retirement",
    "dismissal",
    "end_of_contract",
    "redundancy",
    "transfer",
    "death",
    "other",
)
APPLICANT_TYPE = ("external", "internal")
STAGE = ("applied", "shortlisted", "interviewed", "offered", "appointed")  # ordered
TRAINING_OUTCOME = ("approved", "declined", "pending")
GRIEVANCE_ROLE = ("complainant", "respondent")
GRIEVANCE_OUTCOME = ("upheld", "partially_upheld", "not_upheld", "withdrawn", "open")
DISCIPLINARY_OUTCOME = (
    "no_action",
    "management_advice",
    "written_warning",
    "final_written_warning",
    "dismissal",
    "open",
)

NOT_STATED = "not_stated"
PREFER_NOT_TO_SAY = "prefer_not_to_say"
WHITE_BRITISH = "white_welsh_english_scottish_ni_british"

TRUE_WORDS = ("true", "yes", "1")
FALSE_WORDS = ("false", "no", "0")


@dataclass(frozen=True)
class Column:
    """One column of an extract.

    ``personal`` columns (ids, free text, dates of birth, pay) are never echoed in an error message:
    a problem in them is reported by file, row and column only.
    ``codes_from`` names a list that comes from ``organisation.toml`` rather than the contract
    (``workforce_groups``, ``grades``).
    """

    name: str
    kind: Kind
    meaning: str
    required: bool = True  # the column must be present in the file
    blank_ok: bool = False  # a blank cell is allowed (monitoring columns: blank means not_stated)
    codes: tuple[str, ...] = ()
    codes_from: str | None = None
    blank_means: str | None = None
    minimum: float | None = None
    minimum_exclusive: bool = False
    maximum: float | None = None
    personal: bool = False
    monitoring: bool = False
    max_decimals: int | None = None
    # more decimal places than this are used rounded to this many (halves to even), with a warning:
    # weekly hours, whose 12-week averages come as 33.458333, and which the pay gap engine holds to
    # 1/10,000 of an hour (``frames.HOURS``)
    rounds_to: int | None = None

    def allowed_text(self) -> str:
        """What is allowed, in words, for error messages and the documentation table."""
        if self.codes:
            return ", ".join(self.codes)
        if self.codes_from:
            return f"a code listed under [{self.codes_from}] in organisation.toml"
        if self.kind == "date":
            return "a date as YYYY-MM-DD"
        if self.kind == "boolean":
            return "true or false (also yes/no, 1/0)"
        if self.kind in ("decimal", "money", "integer"):
            lo = "" if self.minimum is None else (f"> {_n(self.minimum)}" if self.minimum_exclusive else f">= {_n(self.minimum)}")
            hi = "" if self.maximum is None else f"<= {_n(self.maximum)}"
            rng = " and ".join(x for x in (lo, hi) if x)
            what = {
                "money": "an amount in pounds with at most 2 decimals, no currency sign",
                "integer": "a whole number",
                "decimal": "a number",
            }[self.kind]
            used = f" (used to {self.rounds_to} decimal places)" if self.rounds_to is not None else ""
            return f"{what}{', ' + rng if rng else ''}{used}"
        if self.kind == "id":
            return "a non-empty identifier"
        return "text"


def _n(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class Extract:
    """One input file and its columns."""

    name: str  # file stem: employees -> employees.csv | employees.xlsx | employees.parquet
    meaning: str
    columns: tuple[Column, ...]
    required: bool = True
    # a year may have none of these events (no grievance in a small body): a header with no rows is
    # then the honest extract, not an empty file
    may_be_empty: bool = False
    key: str | None = None  # column whose values must be unique
    date_columns_in_period: tuple[str, ...] = ()  # dates that must fall inside the reporting period

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _monitoring(age: Literal["date_of_birth", "age_band"]) -> tuple[Column, ...]:
    first: Column
    if age == "date_of_birth":
        first = Column("date_of_birth", "date", "date of birth (used only to derive an age band)", blank_ok=True,
                       personal=True, monitoring=True)
    else:
        first = Column("age_band", "code", "age band", blank_ok=True, codes=AGE_BAND + (NOT_STATED,),
                       blank_means=NOT_STATED, monitoring=True)
    m = dict(blank_ok=True, blank_means=NOT_STATED, monitoring=True)
    return (
        Column("sex", "code", "biological sex (as the gender pay gap guidance requires since May 2026)", codes=SEX,
               monitoring=True, required=True, blank_ok=(age == "age_band"),
               blank_means=(NOT_STATED if age == "age_band" else None)),
        first,
        Column("ethnicity", "code", "ethnic group (ONS 2021 Census, Wales)", codes=ETHNICITY, **m),
        Column("disability", "code", "disabled under the Equality Act 2010 definition", codes=DISABILITY, **m),
        Column("religion", "code", "religion or belief", codes=RELIGION, **m),
        Column("sexual_orientation", "code", "sexual orientation", codes=SEXUAL_ORIENTATION, **m),
        Column("gender_identity_same_as_sex_at_birth", "code", "gender identity the same as sex registered at birth",
               codes=GENDER_IDENTITY, **m),
        Column("marital_status", "code", "marriage and civil partnership", codes=MARITAL_STATUS, **m),
        Column("welsh_speaking", "code", "Welsh language level, 0 none to 5 fluent", codes=WELSH_SPEAKING, **m),
    )


MONITORING_COLUMNS = tuple(c.name for c in _monitoring("date_of_birth"))

EMPLOYEES = Extract(
    name="employees",
    meaning="everyone employed at any time in the reporting period; one row per person (main assignment)",
    key="employee_id",
    columns=(
        Column("employee_id", "id", "pseudonymous id; never printed in any output", personal=True),
        Column("workforce_group", "code", "workforce group", codes_from="workforce_groups"),
        Column("job_title", "text", "job title", personal=True),
        Column("grade", "code", "rank or grade, listed for its group in organisation.toml", codes_from="grades"),
        Column("contract_type", "code", "contract type", codes=CONTRACT_TYPE),
        Column("working_pattern", "code", "working pattern", codes=WORKING_PATTERN),
        Column("fte", "decimal", "full-time equivalent", minimum=0, minimum_exclusive=True, maximum=1),
        Column("start_date", "date", "start of employment", personal=True),
        Column("leave_date", "date", "blank while employed; a leaver in the period has a date in the period",
               required=False, blank_ok=True, personal=True),
        Column("leave_reason", "code", "reason for leaving, when leave_date is set", codes=LEAVE_REASON,
               required=False, blank_ok=True),
        Column("maternity_leave_start", "date", "maternity or adoption leave overlapping the period",
               required=False, blank_ok=True, personal=True),
        Column("maternity_leave_end", "date", "end of maternity or adoption leave (blank if still on leave)",
               required=False, blank_ok=True, personal=True),
    )
    + _monitoring("date_of_birth"),
)

PAY = Extract(
    name="pay",
    meaning="payroll for the pay gap: one row per person employed on the snapshot date",
    key="employee_id",
    columns=(
        Column("employee_id", "id", "pseudonymous id", personal=True),
        Column("period_start", "date", "first day of the relevant pay period (the one containing 31 March)"),
        Column("period_end", "date", "last day of the relevant pay period; days = end - start + 1"),
        Column("ordinary_pay", "money", "gross ordinary pay paid in the period, after salary sacrifice",
               minimum=0, maximum=10_000_000, personal=True, max_decimals=2),
        Column("bonus_pay_in_period", "money", "bonus pay paid in the period", minimum=0, maximum=100_000_000,
               personal=True, max_decimals=2),
        Column("bonus_period_days", "integer", "days the bonus in the period relates to, when longer than the period",
               required=False, blank_ok=True, minimum=1, maximum=3660),
        Column("weekly_hours", "decimal", "normal contractual weekly hours", minimum=0, minimum_exclusive=True,
               maximum=100, personal=True, rounds_to=4),
        Column("full_pay", "boolean", "false when paid at a reduced rate or nil in the period because of leave"),
        Column("bonus_pay_12m", "money", "all bonus pay in the 12 months ending on the snapshot date", minimum=0,
               maximum=100_000_000, personal=True, max_decimals=2),
    ),
)

APPLICATIONS = Extract(
    name="applications",
    may_be_empty=True,
    meaning="recruitment and internal applications in the period",
    key="application_id",
    columns=(
        Column("application_id", "id", "application id", personal=True),
        Column("vacancy_id", "id", "vacancy id", personal=True),
        Column("applicant_type", "code", "external applicant, or an employee applying to change position",
               codes=APPLICANT_TYPE),
        Column("employee_id", "id", "internal applicants only", blank_ok=True, personal=True),
        Column("workforce_group", "code", "group of the post applied for", codes_from="workforce_groups"),
        Column("stage_reached", "code", "furthest stage reached (ordered)", codes=STAGE),
        Column("withdrawn", "boolean", "the applicant withdrew", required=False, blank_ok=True),
    )
    + _monitoring("age_band"),
)

TRAINING = Extract(
    name="training",
    may_be_empty=True,
    meaning="training requests made by employees in the period",
    date_columns_in_period=("requested_date",),
    columns=(
        Column("employee_id", "id", "employee", personal=True),
        Column("course", "text", "course name", personal=True),
        Column("requested_date", "date", "date the training was requested"),
        Column("outcome", "code", "outcome of the request", codes=TRAINING_OUTCOME),
        Column("completed", "boolean", "the training was completed"),
    ),
)

GRIEVANCES = Extract(
    name="grievances",
    may_be_empty=True,
    meaning="grievance cases raised in the period, one row per person involved",
    date_columns_in_period=("date_raised",),
    columns=(
        Column("employee_id", "id", "employee", personal=True),
        Column("case_id", "id", "case id", personal=True),
        Column("role", "code", "role in the case", codes=GRIEVANCE_ROLE),
        Column("date_raised", "date", "date the grievance was raised"),
        Column("outcome", "code", "outcome", codes=GRIEVANCE_OUTCOME),
    ),
)

DISCIPLINARY = Extract(
    name="disciplinary",
    may_be_empty=True,
    meaning="formal disciplinary cases started in the period",
    date_columns_in_period=("date_started",),
    columns=(
        Column("employee_id", "id", "employee", personal=True),
        Column("case_id", "id", "case id", personal=True),
        Column("date_started", "date", "date the formal process started"),
        Column("outcome", "code", "outcome", codes=DISCIPLINARY_OUTCOME),
    ),
)

EXTRACTS: tuple[Extract, ...] = (EMPLOYEES, PAY, APPLICATIONS, TRAINING, GRIEVANCES, DISCIPLINARY)
EVENT_EXTRACTS = (TRAINING, GRIEVANCES, DISCIPLINARY)


def extract(name: str) -> Extract:
    for e in EXTRACTS:
        if e.name == name:
            return e
    raise KeyError(name)
