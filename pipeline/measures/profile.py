"""The workforce on the snapshot date (SI 2011/1064 reg 9(1)(a) and (b)).

reg 9(1)(a): the number of persons employed at the relevant date (31 March), broken down by each
protected characteristic (and the Welsh language, for the Welsh Language Standards);
reg 9(1)(b): the same persons by job, grade, pay, contract type and working pattern, broken down by
men and women (``shared/spec/statutory-methodology.md`` §3.1).

Populations:

``workforce`` (universe ``in_post``)
  everyone in post on 31 March, every workforce group, volunteers included (special constables are
  part of the force's people and of its equality profile).
``employees`` (universe ``in_post``, employee groups only)
  used for pay bands: volunteers are not paid.

Tables (dims; measures ``count``, ``pct_all``, ``pct_stated`` unless said):

- ``profile.<characteristic>`` (characteristic,) for sex, age_band, ethnicity, ethnic_group,
  ethnic_minority, ethnic_minority_excl_white, disability, religion, sexual_orientation,
  gender_identity, marital_status, welsh_speaking;
- ``men_women.<x>`` (x, sex) for workforce_group ("job"), grade, contract_type, working_pattern
  (``workforce``) and pay_band (``employees``); measures ``count``, ``pct_all`` (share of the x
  category, e.g. women's share of sergeants), ``pct_of_column`` (share of all women or all men);
- ``welsh_language.workforce_group`` (workforce_group, welsh_speaking), with ``pct_of_column``.

Pay band: full-time-equivalent annual ordinary pay from the pay extract - ordinary pay in the
relevant pay period times 12 for a calendar-month period (else times 365 / days in the period),
divided by FTE. An employee not on full pay in the period (their pay is reduced by leave) or without
a pay row is ``not_known``: their period pay does not show their rate.
"""

from __future__ import annotations

import polars as pl

from pipeline.extracts.frames import Extracts
from pipeline.measures import groups as g
from pipeline.measures.crosstab import Draft, Population
from pipeline.measures.paygap import calendar_month

COUNT_MEASURES = ("count", "pct_all", "pct_stated")
WORKFORCE_NOTES = ("headcount_31_march", "includes_volunteers")
PAY_BAND_NOTES = ("headcount_31_march", "employees_only", "pay_band_fte_annual_ordinary_pay")
MEN_WOMEN_MEASURES = ("count", "pct_all", "pct_of_column")


def workforce(extracts: Extracts, universe: str = "in_post") -> Population:
    frame = extracts.employees.lazy().filter(pl.col("in_post"))
    return Population("workforce", universe, frame)


def employees(extracts: Extracts, universe: str = "in_post") -> Population:
    org = extracts.organisation
    emp = extracts.employees.lazy().filter(pl.col("in_post") & pl.col("is_employee"))
    frame = emp.join(annual_pay(extracts.pay.lazy()), on="employee_id", how="left").with_columns(
        g.pay_band_expr(pl.col("annual_pay") / pl.col("fte")).alias("pay_band")
    )
    return Population("employees", universe, frame, {"workforce_group": frozenset(org.employee_groups)})


def annual_pay(pay: pl.LazyFrame) -> pl.LazyFrame:
    """employee_id -> annualised ordinary pay (Float64), null when not on full pay.

    A month's pay is a twelfth of a year's, whichever day the payroll's month starts on (the pay gap
    engine's ``calendar_month``: 16 March to 15 April too); any other period is scaled by its days.
    Only 1st-to-last-day months counted as months here, so a salary paid 16 March to 15 April was
    made a year by 365 / 31 days, 1.9% short of twelve months."""
    days = (pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1
    factor = pl.when(calendar_month()).then(pl.lit(12.0)).otherwise(365.0 / days)
    return pay.select(
        "employee_id",
        pl.when(pl.col("full_pay"))
        .then(pl.col("ordinary_pay").cast(pl.Float64) * factor)
        .otherwise(None)
        .alias("annual_pay"),
    )


def drafts(extracts: Extracts, universe: str = "in_post", id_prefix: str = "") -> list[Draft]:
    """Every workforce table of the year.

    For last year's figures (``id_prefix``, another ``universe``) the same tables are drafted, so that
    last year's counts are protected exactly as last year's report protected them.
    """
    org = extracts.organisation
    wf = workforce(extracts, universe)
    out = [
        Draft(f"{id_prefix}profile.{dim.code}", "profile", wf, (dim,), COUNT_MEASURES, WORKFORCE_NOTES)
        for dim in g.characteristics(g.SEX_EMPLOYEES, detailed_ethnicity=True)
    ]
    sex = g.SEX_EMPLOYEES
    for dim in (g.workforce_group(org), g.grade(org), g.CONTRACT_TYPE, g.WORKING_PATTERN):
        out.append(
            Draft(f"{id_prefix}men_women.{dim.code}", "men_women", wf, (dim, sex), MEN_WOMEN_MEASURES, WORKFORCE_NOTES)
        )
    out.append(
        Draft(
            f"{id_prefix}men_women.pay_band",
            "men_women",
            employees(extracts, universe),
            (g.PAY_BAND, sex),
            MEN_WOMEN_MEASURES,
            PAY_BAND_NOTES,
        )
    )
    out.append(
        Draft(
            f"{id_prefix}welsh_language.workforce_group",
            "welsh_language",
            wf,
            (g.workforce_group(org), g.WELSH_SPEAKING),
            COUNT_MEASURES + ("pct_of_column",),
            WORKFORCE_NOTES,
        )
    )
    return out


def domains(extracts: Extracts, universe: str = "in_post") -> dict[tuple[str, str], frozenset[str]]:
    """Code lists of base columns that a population predicate restricts."""
    return {(universe, "workforce_group"): frozenset(extracts.organisation.groups)}
