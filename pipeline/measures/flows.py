"""The year's flows (SI 2011/1064 reg 9(1)(c)), each broken down by protected characteristic.

Reporting period 1 April YEAR-1 to 31 March YEAR. Every table has dims (first, characteristic) with
the characteristics of ``groups.characteristics`` (broad ethnic groupings, not the 19 detailed
categories: nearly every detailed cell of a flow would be a small number). Characteristics of
employees come from the HR record (``employees``); of applicants, from the application.

=========================  ======================  =====================================================
table id                   population              first dimension (unit counted)
=========================  ======================  =====================================================
``recruitment.<c>``        external_applications   stage, cumulative: an application counts at every stage
                                                   up to the furthest it reached (reg 9(1)(c)(i)). Unit:
                                                   applications (external applicants carry no person id).
``internal_moves.<c>``     internal_applications   outcome: successful (appointed) / unsuccessful, total
                                                   (reg 9(1)(c)(ii)). Unit: applications. Characteristics
                                                   from the application, or from the HR record where the
                                                   application does not state them.
``training.<c>``           training_requests       status, cumulative-style: requested (all), approved,
                                                   completed (reg 9(1)(c)(iii)-(iv)). Unit: requests.
``grievances.<c>``         grievance_parties       role: complainant / respondent, total (reg 9(1)(c)(v)).
                                                   Unit: a person's involvement in one case.
``disciplinary.<c>``       disciplinary_cases      outcome (contract codes), total (reg 9(1)(c)(vi)).
                                                   Unit: a person's formal case started in the period.
``leavers.<c>``            leavers                 leave_reason, total (reg 9(1)(c)(vii)). Unit: people.
``leavers.workforce_group`` leavers                leave_reason x workforce_group.
``maternity.<c>``          maternity               status: returned / did_not_return / still_on_leave,
                                                   total. Unit: people whose maternity or adoption leave
                                                   overlapped the period.
=========================  ======================  =====================================================

Measures: ``count``, ``pct_all``, ``pct_stated`` and, for a partition first dimension,
``pct_of_column`` (e.g. the success rate of a group); for recruitment ``pct_of_previous_stage`` and
``pct_of_first_stage`` (the funnel), for training ``pct_of_first_stage``.

Maternity status: ``did_not_return`` when the person left employment on or before the end of the
leave (or while it had no end date); ``still_on_leave`` when the leave had not ended by 31 March;
otherwise ``returned``.
"""

from __future__ import annotations

import polars as pl

from pipeline.extracts import contract as c
from pipeline.extracts.frames import Extracts
from pipeline.measures import groups as g
from pipeline.measures.crosstab import Draft, Population

FLOW_MEASURES = ("count", "pct_all", "pct_stated", "pct_of_column")
FUNNEL_MEASURES = ("count", "pct_all", "pct_stated", "pct_of_previous_stage", "pct_of_first_stage")
TRAINING_MEASURES = ("count", "pct_all", "pct_stated", "pct_of_first_stage")

NOTES = {
    "recruitment": ("reporting_period", "unit_applications", "stages_cumulative"),
    "internal_moves": ("reporting_period", "unit_applications"),
    "training": ("reporting_period", "unit_requests", "status_cumulative"),
    "grievances": ("reporting_period", "unit_case_involvements"),
    "disciplinary": ("reporting_period", "unit_cases"),
    "leavers": ("reporting_period", "includes_volunteers"),
    "maternity": ("reporting_period", "maternity_includes_adoption"),
}

CHARACTERISTIC_COLUMNS = tuple(x for x in c.MONITORING_COLUMNS if x != "date_of_birth") + ("age_band",)


def _characteristics(emp: pl.LazyFrame) -> pl.LazyFrame:
    return emp.select("employee_id", *CHARACTERISTIC_COLUMNS)


def applications(extracts: Extracts, kind: str) -> Population:
    app = extracts.applications.lazy().filter(pl.col("applicant_type") == kind)
    if kind == "internal":
        hr = _characteristics(extracts.employees.lazy()).rename({x: f"hr_{x}" for x in CHARACTERISTIC_COLUMNS})
        app = app.join(hr, on="employee_id", how="left").with_columns(
            pl.when(pl.col(x).is_in([c.NOT_STATED]) & pl.col(f"hr_{x}").is_not_null())
            .then(pl.col(f"hr_{x}"))
            .otherwise(pl.col(x))
            .alias(x)
            for x in CHARACTERISTIC_COLUMNS
        )
    name = "external_applications" if kind == "external" else "internal_applications"
    return Population(name, "applications", app, {"applicant_type": frozenset({kind})})


def _events(extracts: Extracts, frame: pl.DataFrame) -> pl.LazyFrame:
    return frame.lazy().join(_characteristics(extracts.employees.lazy()), on="employee_id", how="inner")


def training(extracts: Extracts) -> Population:
    f = _events(extracts, extracts.training).with_columns(
        pl.col("outcome").alias("training_outcome"),
        pl.when(pl.col("completed")).then(pl.lit("true")).otherwise(pl.lit("false")).alias("training_completed"),
    )
    return Population("training_requests", "training_requests", f)


def grievances(extracts: Extracts) -> Population:
    return Population("grievance_parties", "grievance_parties", _events(extracts, extracts.grievances))


def disciplinary(extracts: Extracts) -> Population:
    f = _events(extracts, extracts.disciplinary).with_columns(pl.col("outcome").alias("disciplinary_outcome"))
    return Population("disciplinary_cases", "disciplinary_cases", f)


def leavers(extracts: Extracts) -> Population:
    f = extracts.employees.lazy().filter(pl.col("leaver")).with_columns(pl.col("leave_reason").fill_null("other"))
    return Population("leavers", "leavers", f)


def maternity(extracts: Extracts) -> Population:
    y = extracts.year
    start, end, left = pl.col("maternity_leave_start"), pl.col("maternity_leave_end"), pl.col("leave_date")
    overlaps = start.is_not_null() & (start <= y.period_end) & (end.is_null() | (end >= y.period_start))
    did_not_return = left.is_not_null() & (left <= y.snapshot) & (end.is_null() | (left <= end))
    status = (
        pl.when(did_not_return)
        .then(pl.lit("did_not_return"))
        .when(end.is_null() | (end > y.snapshot))
        .then(pl.lit("still_on_leave"))
        .otherwise(pl.lit("returned"))
    )
    f = extracts.employees.lazy().filter(overlaps).with_columns(status.alias("maternity_status"))
    return Population("maternity", "maternity", f)


def drafts(extracts: Extracts) -> list[Draft]:
    org = extracts.organisation
    out: list[Draft] = []
    ext, internal = applications(extracts, "external"), applications(extracts, "internal")
    for dim in g.characteristics(g.SEX_APPLICANTS, detailed_ethnicity=False):
        out.append(
            Draft(f"recruitment.{dim.code}", "recruitment", ext, (g.STAGE, dim), FUNNEL_MEASURES, NOTES["recruitment"])
        )
        out.append(
            Draft(
                f"internal_moves.{dim.code}",
                "internal_moves",
                internal,
                (g.INTERNAL_OUTCOME, dim),
                FLOW_MEASURES,
                NOTES["internal_moves"],
            )
        )
    sections = (
        ("training", training(extracts), g.TRAINING_STATUS, TRAINING_MEASURES),
        ("grievances", grievances(extracts), g.GRIEVANCE_ROLE, FLOW_MEASURES),
        ("disciplinary", disciplinary(extracts), g.DISCIPLINARY_OUTCOME, FLOW_MEASURES),
        ("leavers", leavers(extracts), g.LEAVE_REASON, FLOW_MEASURES),
        ("maternity", maternity(extracts), g.MATERNITY_STATUS, FLOW_MEASURES),
    )
    for section, pop, first, measures in sections:
        for dim in g.characteristics(g.SEX_EMPLOYEES, detailed_ethnicity=False):
            out.append(Draft(f"{section}.{dim.code}", section, pop, (first, dim), measures, NOTES[section]))
    lv = sections[3][1]
    out.append(
        Draft(
            "leavers.workforce_group",
            "leavers",
            lv,
            (g.LEAVE_REASON, g.workforce_group(org)),
            FLOW_MEASURES,
            NOTES["leavers"],
        )
    )
    return out


def domains() -> dict[tuple[str, str], frozenset[str]]:
    return {("applications", "applicant_type"): frozenset(c.APPLICANT_TYPE)}
