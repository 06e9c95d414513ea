"""Measures: the year's extracts in, the language-neutral ``Figures`` out.

``compute_figures(extracts, previous=None, community=None)`` is the one entry point. It counts
every table of the year (each population collected once), protects all counts together
(``pipeline.measures.disclosure``), and adds relative likelihoods, representation against the
community, year-on-year change and the pay gaps (``pipeline.measures.paygap``).

Pay gaps computed (ids; reference vs comparison):

- ``gender`` - the statutory gender pay gap: employees in post with a pay row, men vs women;
- ``gender.<group>`` for each employee workforce group (officers and staff separately), and
  ``gender.officers`` / ``gender.police_staff`` over all officer-like / other employee groups when
  a side has more than one group (e.g. staff and PCSOs);
- ``ethnicity.minority`` - White British vs all ethnic minorities combined (the minimum the
  2026 government response names), and ``ethnicity.<g>`` - White British vs each of
  ``white_minority``, ``asian``, ``black``, ``mixed``, ``other`` where that group has at least
  ``min_group_size`` full-pay relevant employees;
- ``disability`` - not disabled (``no``) vs disabled (``yes``);
- ``gender.white_british`` and ``gender.ethnic_minority`` - the gender pay gap within each of the
  two ethnicity groups (sex x ethnicity), where both sexes in the group reach ``min_group_size``.
  The gap *within* a group keeps the statutory men-vs-women reading of each number.

Only ``gender`` is statutory, and only for an organisation of ``STATUTORY_MIN_EMPLOYEES`` (250) or
more employees in post; every other comparison (and a smaller body's ``gender``) is voluntary, gated
at ``min_group_size`` and protected more strictly (``disclosure.protect_pay_gap``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, replace
from typing import Any

import polars as pl

from pipeline.config import Organisation
from pipeline.extracts.frames import Extracts
from pipeline.figures import PAY_GAP_COUNTS, Cell, Figures, PayGap
from pipeline.measures import disclosure as dc
from pipeline.measures import flows, groups, likelihood, profile, representation
from pipeline.measures.crosstab import (
    CellRef,
    Difference,
    Domains,
    Draft,
    Protected,
    assign_nodes,
    count_all,
    protect_drafts,
    publish,
    register_domains,
)
from pipeline.measures.paygap import STATUTORY_MIN_EMPLOYEES, calendar_month, count_where

__all__ = ["compute_figures", "PREVIOUS_YEAR_EXTRACTS"]

PREVIOUS = "previous."  # id prefix of the previous year's (unpublished) profile drafts
# The extracts of last year that ``compute_figures(previous=...)`` reads: the workforce profile,
# whose pay bands come from the pay extract.
PREVIOUS_YEAR_EXTRACTS = ("employees", "pay")


def compute_figures(
    extracts: Extracts, previous: Extracts | None = None, community: pl.DataFrame | None = None
) -> Figures:
    org = extracts.organisation
    settings = org.settings
    year = extracts.year

    # Three independent pieces of work: this year's tables, the pay gaps, and last year's profile.
    # Each alternates between polars (which frees the interpreter while it runs) and Python (the
    # disclosure control, the pay gap arithmetic), so run side by side they keep both cores busy
    # where one after another left one idle half the time. Each is deterministic: the figures do not
    # depend on which finishes first.
    with ThreadPoolExecutor(max_workers=2) as pool:
        previous_done = pool.submit(_previous_profile, previous) if previous is not None else None
        pay = pay_frame(extracts)  # the pay gaps' people, and the full-pay counts the law publishes
        gaps_done = pool.submit(_protected_pay_gaps, extracts, pay)

        drafts = profile.drafts(extracts) + flows.drafts(extracts) + likelihood.drafts(extracts)
        protected, drafts = _protect(drafts, {**profile.domains(extracts), **flows.domains()},
                                     settings.suppression_threshold, org, *published_by_law(extracts, pay))
        omitted = [tid for tid in DETAIL_TABLES if tid not in {d.id for d in drafts}]
        by_id = {d.id: d for d in drafts}
        tables = [publish(d, protected) for d in drafts if d.published]

        likelihoods = likelihood.likelihoods({d.id: d.nodes for d in drafts}, protected)

        current_profile = {d.id: d for d in drafts if d.section == "profile"}
        rep_tables, unused = representation.representation(current_profile, protected, community, org.community)
        tables += rep_tables
        if previous_done is not None:
            tables += representation.change(current_profile, protected, *previous_done.result())
        gaps, raw = gaps_done.result()
    gaps = tie_gap_counts(gaps, by_id, protected, raw)

    quality = data_quality(extracts, pay, by_id, protected)
    quality["community_rows_unused"] = unused
    quality["tables_not_published"] = omitted
    return dc.as_published(Figures(
        year=year.year,
        snapshot_date=year.snapshot.isoformat(),
        period_start=year.period_start.isoformat(),
        period_end=year.period_end.isoformat(),
        organisation=org.code,
        tables=tuple(tables),
        pay_gaps=tuple(gaps),
        likelihoods=tuple(likelihoods),
        settings={**settings.as_dict(), "welsh_speaker_min_level": groups.WELSH_SPEAKER_MIN_LEVEL,
                  # the workforce groups whose people are the employees (pay band table, quality facts):
                  # a reader knows which groups are paid; so does the audit
                  "employee_groups": sorted(org.employee_groups),
                  # a reader knows which grades make each group; so does the audit (pipeline.audit)
                  **{f"grades_by_{outer}": {code: sorted(fine) for code, fine in parts.items()}
                     for outer, (_, parts) in groups.nesting(org).items()}},
        quality=quality,
    ))


def _previous_profile(previous: Extracts) -> tuple[dict[str, Draft], Protected]:
    """Last year's profile tables, counted and protected as last year's own (unpublished: only the
    change tables read them), keyed by this year's table ids."""
    universe = "in_post_previous"
    drafts = profile.drafts(previous, universe=universe, id_prefix=PREVIOUS)
    protected, drafts = _protect(drafts, profile.domains(previous, universe),
                                 previous.organisation.settings.suppression_threshold, previous.organisation)
    return {d.id.removeprefix(PREVIOUS): d for d in drafts if d.section == "profile"}, protected


def _protected_pay_gaps(extracts: Extracts, pay: pl.DataFrame) -> tuple[list[PayGap], dict[str, PayGap]]:
    """Every pay gap of the relevant employees' ``pay`` frame protected, and each as computed (by id)."""
    settings = extracts.organisation.settings
    raw = pay_gaps(pay, extracts)
    protected = [dc.protect_pay_gap(gp, settings.suppression_threshold, settings.min_group_size) for gp in raw]
    protected = dc.protect_bonus_shares(protected, {g.id: g for g in raw}, bonus_families(extracts.organisation))
    return [dc.at_published_precision(g, settings.rounding) for g in protected], {g.id: g for g in raw}


def tie_gap_counts(gaps: list[PayGap], drafts: Mapping[str, Draft], p: Protected,
                   computed: Mapping[str, PayGap] | None = None) -> list[PayGap]:
    """Withhold a gender pay gap's counts of men or women where the tables withhold the same
    employees by sex: with every employee paid, a gap's relevant women are the women employees, and
    the workforce's women less them are the women special constables (4 of them, given back in 5 of
    8 synthetic org-years of 400 people). The gaps are protected on their own, beside the tables,
    so this ties them after both.

    The other way too: the statutory gap's full-pay women are the women employees less those of no
    known pay band, so where the pay band table shows both, the count is printed (as ``computed``)
    even if the gap's own rules withheld it. Withholding it there hid nothing, and the audit, which
    works it out, refused the run (a 300-person body: 1 to 4 men on reduced pay withheld both full-pay
    counts; the table showed 119 women employees, none of no known band)."""
    out = []
    for gap in gaps:
        # the organisation's employees are the pay band table's; a group's, its row of the groups'
        table, row = (("men_women.pay_band", groups.TOTAL) if gap.id == "gender"
                      else ("men_women.workforce_group", gap.population))
        d = drafts.get(table)
        if d is None or not gap.id.startswith("gender"):
            out.append(gap)
            continue
        # both sides: the quarters' sizes add up to the two, so one shown gives the other back. The
        # statutory gap's full-pay counts stay: its quarters give them anyway (``published_by_law``)
        names = ["n_relevant_reference", "n_relevant_comparison"] if gap.statutory else list(PAY_GAP_COUNTS)
        raw = computed.get(gap.id) if computed and gap.statutory else None
        for side, sex in (("reference", gap.reference), ("comparison", gap.comparison)) if gap.statutory else ():
            full, relevant = f"n_{side}", f"n_relevant_{side}"
            employees, unbanded = d.nodes.get((row, sex)), d.nodes.get((groups.NOT_KNOWN, sex))
            if (raw is not None and employees is not None and unbanded is not None and not getattr(gap, full).shown
                    and employees not in p.suppressed and unbanded not in p.suppressed
                    and getattr(raw, full).value == p.values[employees] - p.values[unbanded]):
                gap = replace(gap, **{full: Cell(getattr(raw, full).value)})
            # a side whose every employee is on full pay (the table's count of them shown by law): its
            # relevant ones lie between the full-pay ones and the employees, the same number, so
            # withholding them hides nothing and a reader pins them anyway (printed again if the
            # gap's own rules withheld it beside 1 to 4 of the other sex on reduced pay)
            if employees is not None and p.values.get(employees) == getattr(gap, full).value:
                names.remove(relevant)
                if raw is not None and getattr(raw, relevant).value == p.values[employees]:
                    gap = replace(gap, **{relevant: Cell(getattr(raw, relevant).value)})
        if any(d.nodes.get((row, sex)) in p.suppressed for sex in (gap.reference, gap.comparison)):
            gap = replace(gap, **{name: Cell(None, suppressed=dc.SECONDARY) for name in names
                                  if getattr(gap, name).value is not None})
        out.append(gap)
    return out


def bonus_families(org: Organisation) -> list[tuple[tuple[str, str], tuple[tuple[str, str], ...]]]:
    """The bonus shares that add up (``disclosure.protect_bonus_shares``), each a (pay gap id, side):
    each sex of the organisation is the same sex of its employee groups, and of the officer-like and
    the other groups in ``gender.officers`` and ``gender.police_staff``; the White British (the
    reference of every ethnicity gap) are the White British men and women, and the ethnic minorities
    the ethnic minority men and women."""
    ref, cmp = "bonus_pct_reference", "bonus_pct_comparison"
    employee = [org.groups[x] for x in org.employee_groups]
    families = []
    for side in (ref, cmp):  # men, women
        families.append((("gender", side), tuple((f"gender.{g.code}", side) for g in employee)))
        for name, officer_like in (("officers", True), ("police_staff", False)):
            families.append(((f"gender.{name}", side),
                             tuple((f"gender.{g.code}", side) for g in employee if g.officer_like == officer_like)))
    ethnic_groups = [f"ethnicity.{key}" for key in groups.ETHNIC_PAY_GROUP.stated_keys if key != "white_british"]
    for gap_id in ethnic_groups:
        families.append(((gap_id, ref), (("ethnicity.minority", ref),)))  # the same White British
    # the ethnic minorities are the people of the ethnic groups (used only when every group's gap is made)
    families.append((("ethnicity.minority", cmp), tuple((gap_id, cmp) for gap_id in ethnic_groups)))
    families.append((("ethnicity.minority", ref), (("gender.white_british", ref), ("gender.white_british", cmp))))
    families.append((("ethnicity.minority", cmp), (("gender.ethnic_minority", ref), ("gender.ethnic_minority", cmp))))
    return families


# Tables published only when they cost no other table its total: the detailed ethnic groups. In a
# small body they hold ones and twos that every other table meets (a lone Bangladeshi and a lone
# Indian employee are the Asian employees, who are among the ethnic minorities), and withholding
# beside them reached the workforce total and every profile table's total in 5 of 6 synthetic
# organisation-years of 60 to 120 people that lost them. The broad ethnic groups say the same at a
# size that can be shown.
DETAIL_TABLES = ("profile.ethnicity",)


def _protect(drafts: list[Draft], extra: Domains, threshold: int, org: Organisation,
             published: Sequence[CellRef] = (), differences: Sequence[Difference] = ()) -> tuple[Protected, list[Draft]]:
    """Count and protect ``drafts`` together; returns the protection and the drafts it covers.

    When a profile table's total is withheld, the drafts are protected again without the
    ``DETAIL_TABLES``, and that is kept if it withholds fewer of the other profile tables' totals
    (the workforce on 31 March is the first figure a reader looks for). Last year's profile goes
    through the same rule, so that its counts are protected as last year's report protected them."""
    count_all(drafts)
    protected = _protect_counted(drafts, extra, threshold, org, published, differences)
    detail = [d for d in drafts if d.id.removeprefix(PREVIOUS) in DETAIL_TABLES]
    lost = _totals_withheld(drafts, protected)
    if not detail or not lost:
        return protected, drafts
    kept = [d for d in drafts if d not in detail]
    fewer = _protect_counted(kept, extra, threshold, org, published, differences)
    if _totals_withheld(kept, fewer) < lost:
        return fewer, kept
    assign_nodes(drafts, _domains(drafts, extra), groups.nesting(org))  # the nodes of the protection kept
    return protected, drafts


def _protect_counted(drafts: list[Draft], extra: Domains, threshold: int, org: Organisation,
                     published: Sequence[CellRef] = (), differences: Sequence[Difference] = ()) -> Protected:
    domains = _domains(drafts, extra)
    assign_nodes(drafts, domains, groups.nesting(org))
    return protect_drafts(drafts, domains, threshold, published, differences, likelihood.people_among_events(drafts))


def has_duty(extracts: Extracts) -> bool:
    """Whether the gender pay gap is a legal duty: 250 employees or more in post on the snapshot
    date (volunteers left out)."""
    return extracts.employees.filter(pl.col("in_post") & pl.col("is_employee")).height >= STATUTORY_MIN_EMPLOYEES


def published_by_law(extracts: Extracts, pay: pl.DataFrame) -> tuple[list[CellRef], list[Difference]]:
    """The pay band table's counts of employees that the statutory gender pay gap gives away.

    The law publishes the share of women and men in each pay quarter and the quarters are a
    quarter each of the full-pay relevant employees, so the quarters count the men and the women on
    full pay (``pipeline.audit`` recovers them so). Those are the employees of a sex less those of
    no known pay band (not on full pay, or without a pay row): a published difference of two of the
    table's counts. Withholding the sample's 17 men of no known band in 2023 (beside 4 men paid
    70-80k) left it shown as 1,265 men less the gap's 1,248. (Leaving it out where 1 to 4 of a sex
    are on reduced pay saved bodies of 400 to 600 people up to 49 counts, but the quarter shares
    alone give the full-pay counts: a red team then read 53 small counts of the pay band table.)
    So too where only 1 to 4 of a sex are on full pay: the quarters' sizes are not printed then, but
    1.1 per cent men of two quarters near 95 is one man each, whatever total fits, and the 2 men on
    full pay of a 400-person body made its 0 men of no known band the men employees, and the men of
    every table by sex. Where it is every employee of a sex (each in post has a pay row on full
    pay) and the gap prints both full-pay counts, the pay band table's count of them is itself
    published, whatever the tables withhold: withholding it beside the women special constables let
    the women in the workforce less those on full pay give the specials back. (Where the gap
    withholds them, beside 1 to 4 of a sex on full pay, it stays a line, withheld with the 0 beside
    it: the shares may or may not pin it, and the table should not print what they leave open.)
    Empty below the duty. ``pay``: the relevant
    employees (``pay_frame``), whom the pay gaps read too."""
    sex = pl.col("sex").cast(pl.String)
    by_sex = (extracts.employees.lazy().filter(pl.col("in_post") & pl.col("is_employee"))
              .group_by(sex).agg(pl.len().alias("employees"))
              .join(pay.lazy().filter(pl.col("full_pay")).group_by(sex).agg(pl.len().alias("full_pay")),
                    on="sex", how="left", nulls_equal=True).collect())
    if by_sex.get_column("employees").sum() < STATUTORY_MIN_EMPLOYEES:
        return [], []  # no duty (``has_duty``: every employee in post, whatever the sex recorded)
    by_sex = by_sex.filter(pl.col("sex").is_in(["female", "male"])).sort("sex")  # (groups come in any order)
    if by_sex.height < 2:
        return [], []  # no quarters of men and women
    by_sex = by_sex.with_columns(pl.col("full_pay").fill_null(0))
    # the gap prints both full-pay counts only when each is 5 or more (``disclosure.protect_pay_gap``)
    printed = by_sex.get_column("full_pay").min() >= extracts.organisation.settings.suppression_threshold
    everyone = by_sex.filter(pl.col("employees") == pl.col("full_pay")).get_column("sex").to_list() if printed else []
    table = "men_women.pay_band"
    out: list[CellRef] = [(table, (groups.TOTAL, str(sex))) for sex in everyone]
    if len(everyone) == by_sex.height:
        out.append((table, (groups.TOTAL, groups.TOTAL)))
    paid = [((table, (groups.TOTAL, str(sex))), (table, (groups.NOT_KNOWN, str(sex))), int(n))
            for sex, n in by_sex.select("sex", "full_pay").iter_rows() if sex not in everyone]
    return out, paid


def _domains(drafts: list[Draft], extra: Domains) -> Domains:
    domains: Domains = {}
    register_domains(drafts, domains, extra)
    return domains


def _totals_withheld(drafts: list[Draft], p: Protected) -> int:
    """How many profile tables, other than the ``DETAIL_TABLES``, have their total withheld."""
    return sum(1 for d in drafts if d.section == "profile" and d.id.removeprefix(PREVIOUS) not in DETAIL_TABLES
               and d.nodes[tuple(groups.TOTAL for _ in d.dims)] in p.suppressed)


# --------------------------------------------------------------------------- pay gaps
# What the pay gaps compare people by: only these ride along with the pay rows (the engine then keeps
# only those its comparisons read).
PAY_GAP_CHARACTERISTICS = ("sex", "workforce_group", "ethnicity", "disability")


def pay_frame(extracts: Extracts) -> pl.DataFrame:
    """Relevant employees: pay rows of employees in post, with their sex, group and characteristics."""
    emp = (
        extracts.employees.lazy()
        .filter(pl.col("in_post") & pl.col("is_employee"))
        .select("employee_id", *PAY_GAP_CHARACTERISTICS)
    )
    joined = extracts.pay.lazy().join(emp, on="employee_id", how="inner")
    return groups.with_groupings(joined).collect()


def pay_gaps(frame: pl.DataFrame, extracts: Extracts) -> list[PayGap]:
    """Every pay gap of the relevant employees' ``frame``, asked of the engine as one batch: it counts
    who each comparison holds, drops the comparisons not made, and measures the rest, all in two
    passes over the people (``paygap.compute_pay_gaps``)."""
    from pipeline.measures.paygap import compute_pay_gaps, gender_comparison, group_comparison

    org = extracts.organisation
    group = pl.col("workforce_group")
    # below the duty, published voluntarily and gated and protected like every other comparison
    # (the medians of a few women are their pay)
    wanted = [gender_comparison("gender", "all", gated=not has_duty(extracts))]
    emp_groups = [org.groups[x] for x in org.employee_groups]
    # the gender gap within part of the organisation is voluntary: gated at the minimum group size
    wanted += [gender_comparison(f"gender.{g.code}", g.code, where=group == g.code, made_when="anyone", gated=True)
               for g in emp_groups]
    sides = {
        "officers": [x.code for x in emp_groups if x.officer_like],
        "police_staff": [x.code for x in emp_groups if not x.officer_like],
    }
    wanted += [gender_comparison(f"gender.{name}", name, where=group.is_in(codes), gated=True)
               for name, codes in sides.items() if len(codes) > 1]
    minority, pay_group = groups.ETHNIC_MINORITY.code, groups.ETHNIC_PAY_GROUP.code
    wanted.append(group_comparison("ethnicity.minority", minority, "white_british", "ethnic_minority"))
    # each ethnic group is compared only where it has min_group_size full-pay relevant employees
    wanted += [group_comparison(f"ethnicity.{key}", pay_group, "white_british", key, made_when="comparison_reaches_min")
               for key in groups.ETHNIC_PAY_GROUP.stated_keys if key != "white_british"]
    wanted.append(group_comparison("disability", "disability", "no", "yes"))
    # the gender gap within each ethnicity group, where both sexes reach min_group_size
    wanted += [gender_comparison(f"gender.{key}", key, where=pl.col(minority) == key, made_when="both_reach_min",
                                 gated=True) for key in ("white_british", "ethnic_minority")]
    return compute_pay_gaps(frame, wanted, org.settings)


# --------------------------------------------------------------------------- data quality
def data_quality(extracts: Extracts, pay: pl.DataFrame, drafts: Mapping[str, Draft], p: Protected) -> dict[str, Any]:
    """Facts for the reviewer and the methodology note: codes and counts, never ids."""
    # counted, not filtered: a million-row frame copied twice for its height cost a tenth of a second
    in_post, employees_in_post = extracts.employees.select(
        pl.col("in_post").sum(), (pl.col("in_post") & pl.col("is_employee")).sum().alias("employees")).row(0)
    with_pay = pay.get_column("employee_id").n_unique()  # pay rows of employees in post (``pay_frame``)
    rate: dict[str, dict[str, Any]] = {}  # % of the workforce who stated each characteristic, as a plain Cell dict
    seen: set[tuple[str, ...]] = set()
    for d in drafts.values():
        dim = d.dims[0]
        if d.section == "profile" and dim.unstated and dim.bases not in seen:
            seen.add(dim.bases)
            total = d.nodes[(groups.TOTAL,)]
            unstated = [d.nodes[(k,)] for k in dim.unstated]
            stated = p.values[total] - sum(p.values[n] for n in unstated)
            rate[dim.code] = asdict(dc.derived_cell(stated, p.values[total], (total, *unstated), p.suppressed))
    reasons: dict[str, int] = {}
    for reason in p.suppressed.values():
        reason = dc.PUBLIC_REASON.get(reason, reason)
        reasons[reason] = reasons.get(reason, 0) + 1
    low, high = hourly_pay_outliers(pay, extracts.organisation.settings.pay_period_days)
    threshold = extracts.organisation.settings.suppression_threshold
    totals: dict[str, dc.Node] = {}
    for d in sorted(drafts.values(), key=lambda d: d.section != "profile"):
        if (key := tuple(groups.TOTAL for _ in d.dims)) in d.nodes:
            totals.setdefault(d.population.name, d.nodes[key])

    band = drafts.get("men_women.pay_band")
    # the employees of no known pay band are those not on full pay and those without a pay row
    if band is not None and (unbanded := band.nodes.get((groups.NOT_KNOWN, groups.TOTAL))) is not None:
        totals["unbanded"] = unbanded

    def fact(value: int, population: str | None = None) -> dict[str, Any]:
        """A count of people: withheld with the tables' count of the same people, or of the people
        it is part of (a secondary suppression there must not be undone here: the employees in post
        are the workforce less the special constables, so printed beside a withheld pay band table
        total they gave 2 to 4 specials back in every synthetic body of 60 to 120 people), else when
        it is a small count."""
        node = totals.get(population) if population else None
        if node is not None and p.values.get(node) == value:
            return asdict(p.count(node))
        if node is not None and node in p.suppressed:
            return asdict(Cell(None, suppressed=dc.SECONDARY))
        return asdict(Cell(None, suppressed=dc.SMALL_COUNT) if 0 < value < threshold else Cell(value))

    return {
        "workforce_in_post": fact(in_post, "workforce"),
        "employees_in_post": fact(employees_in_post, "employees"),
        "pay_rows": fact(extracts.pay.height, "employees"),  # one per employee in post, once validated
        "employees_in_post_with_pay_row": fact(with_pay, "employees"),
        "employees_in_post_without_pay_row": fact(employees_in_post - with_pay, "unbanded"),
        "pay_rows_not_full_pay": fact(count_where(extracts.pay, ~pl.col("full_pay")), "unbanded"),
        "hourly_pay_outliers_low": fact(low),
        "hourly_pay_outliers_high": fact(high),
        "disclosure_rate": rate,
        "suppressed_counts": dict(sorted(reasons.items())),
        "extracts_supplied": list(extracts.supplied),
    }


def hourly_pay_outliers(pay: pl.DataFrame, days_convention: str) -> tuple[int, int]:
    """Full-pay relevant employees whose ordinary hourly pay lies beyond 1.5 IQR of the quartiles.

    A plausibility check only (ordinary pay, bonus left out); the statutory hourly rate is the pay
    gap engine's.
    """
    days: pl.Expr = (pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1
    if days_convention == "30.44":  # as the pay gap engine counts them: only a monthly period is 30.44 days
        days = pl.when(calendar_month()).then(pl.lit(30.44)).otherwise(days)
    hourly = (
        pay.filter(pl.col("full_pay"))
        .select(
            (pl.col("ordinary_pay").cast(pl.Float64) * 7 / days / pl.col("weekly_hours").cast(pl.Float64)).alias("h")
        )
        .get_column("h")
    )
    if hourly.len() < 4:
        return 0, 0
    q1, q3 = hourly.quantile(0.25, "linear"), hourly.quantile(0.75, "linear")
    assert q1 is not None and q3 is not None
    iqr = q3 - q1
    return int((hourly < q1 - 1.5 * iqr).sum()), int((hourly > q3 + 1.5 * iqr).sum())
