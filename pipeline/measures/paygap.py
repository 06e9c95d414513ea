"""The statutory pay gap engine: the six gender pay gap measures, and the same engine for other comparisons.

Law and guidance (``shared/spec/statutory-methodology.md`` §1, §6, §7):

- SI 2017/353 Sch. 1 (the public-sector twin of SI 2017/172, paragraph n = regulation n): relevant
  employees (REs) are everyone employed on the snapshot date; full-pay relevant employees (FPREs)
  are REs not paid at a reduced rate or nil because of leave in the relevant pay period (para 1).
  Hourly measures and quartiles are over FPREs (paras 8, 9, 13); bonus measures are over REs and
  the 12 months ending with the snapshot date (paras 10-12).
- Every gap is ``(A - B) / A x 100``, A = the reference group (men), B = the comparison group
  (women): positive means B is paid less (GOV.UK "Making your calculations").
- Percentages stay unrounded in ``PayGap``; they are rounded once, at output, to 1 d.p.
  (``round_pct``), because the GOV.UK service accepts at most one decimal place.

Exactness. A tie decides a quartile and a median, so no float may decide one. Each FPRE's hourly
rate is carried as an exact rational ``hourly_num / hourly_den`` (Int128, pounds per hour) and
ranked by an exact integer key (``hourly_key``, see ``hourly_rates`` for the proof that distinct
rates never share a key). Means and medians are exact ``fractions.Fraction``; a float appears only
for the final percentage.

Reason codes written into ``Cell.not_calculable`` / ``Cell.suppressed`` (label keys
``not_calculable.<code>`` / ``suppressed.<code>``): see the constants below.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

import polars as pl

from pipeline.config import Settings
from pipeline.errors import Problem
from pipeline.figures import Cell, PayGap

__all__ = [
    "GOV_UK_COLUMNS",
    "QUARTILES",
    "STATUTORY_MIN_EMPLOYEES",
    "compare",
    "Comparison",
    "compute_pay_gaps",
    "gender_comparison",
    "gender_pay_gap",
    "group_comparison",
    "gov_uk_row",
    "hourly_rates",
    "quartile_bands",
    "quartile_sizes",
    "round_pct",
    "round_quartile_pair",
    "validate_gov_uk_row",
    "gov_uk_problems",
]

QUARTILES = ("lower", "lower_middle", "upper_middle", "upper")
# SI 2017/353 reg 1 and Sch. 2: the duty falls on a listed authority "which has 250 or more employees
# on the snapshot date" (a headcount: part-timers and job-sharers count one each, people on leave
# count). Below it, the organisation's gender pay gap is as voluntary as any other comparison.
STATUTORY_MIN_EMPLOYEES = 250

# Reason codes (not_calculable)
NO_REFERENCE = "no_reference"  # no full-pay relevant employee in group A: (A - B) / A is undefined
NO_COMPARISON = "no_comparison"  # no one in group B: there is no B to compare
ZERO_REFERENCE = "zero_reference"  # A = 0: division by zero
NO_REFERENCE_BONUS = "no_reference_bonus"  # no one in A received a bonus: the GOV.UK service wants the gap blank
ZERO_DENOMINATOR = "zero_denominator"  # a proportion of nobody (empty group or empty quarter)
NOT_APPLICABLE = "not_applicable"  # e.g. disclosure rate of the statutory gap (sex is always recorded)
# Reason codes (suppressed / gate)
BELOW_MIN_GROUP = "below_min_group"

UNSTATED = frozenset({"not_stated", "prefer_not_to_say"})

# The exact hourly rate is (ordinary + bonus) pence x 7 x 10^4 / (days x hours x 10^4 x 100): the
# 10^4 is the Decimal(18, 4) scale of weekly_hours, the 100 turns pence into pounds.
_PENCE = 100
_HOURS_SCALE = 10_000
_KEY_DIGITS = 25  # hourly_key = floor(N * 10^25 / M); see hourly_rates
_INT128_MAX = 2**127 - 1
# 30.44 = 761 / 25 days: the payroll-vendor length of a calendar month (365.28 / 12)
_MONTH_NUM, _MONTH_DEN = 761, 25


def calendar_month() -> pl.Expr:
    """True where a pay period is one calendar month long: as many days as the month it starts in
    (1 to 31 March, 16 March to 15 April, 31 March to 30 April, 1 to 30 April), the periods the
    30.44-day convention is for. Any other period keeps its exact length, as the vendor's table does
    (four-weekly 28, monthly 30.44). A test of length alone was wrong both ways: with 28 days counted
    as a month a four-weekly period became 30.44 days (a gap of -1.8% was published as -10.7%), and
    with 29 and 30 days counted as a month, a period from 2 to 31 March was counted as 30.44 days
    where it has 30, as if it were a month (a calendar month holding 31 March has 31 days). (Adding
    one month to the start date instead clamps at a month's end: 31 March to 29 April was a month,
    31 March to 30 April was not.)"""
    start = pl.col("period_start")
    return pl.col("period_end") == start + pl.duration(days=start.dt.month_end().dt.day().cast(pl.Int64) - 1)


GOV_UK_COLUMNS = (
    "DiffMeanHourlyPercent",
    "DiffMedianHourlyPercent",
    "DiffMeanBonusPercent",
    "DiffMedianBonusPercent",
    "MaleBonusPercent",
    "FemaleBonusPercent",
    "MaleLowerQuartile",
    "FemaleLowerQuartile",
    "MaleLowerMiddleQuartile",
    "FemaleLowerMiddleQuartile",
    "MaleUpperMiddleQuartile",
    "FemaleUpperMiddleQuartile",
    "MaleTopQuartile",
    "FemaleTopQuartile",
)
_GOV_UK_QUARTILE_COLUMNS = {
    "lower": ("MaleLowerQuartile", "FemaleLowerQuartile"),
    "lower_middle": ("MaleLowerMiddleQuartile", "FemaleLowerMiddleQuartile"),
    "upper_middle": ("MaleUpperMiddleQuartile", "FemaleUpperMiddleQuartile"),
    "upper": ("MaleTopQuartile", "FemaleTopQuartile"),
}
_ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
_ONE_DP = Decimal("0.1")
_HUNDRED = Decimal("100.0")


# --------------------------------------------------------------------------- hourly rate (para 6)
RATE_COLUMNS = ("hourly_key", "hourly_num", "hourly_den")  # what ``hourly_rates`` adds that ranking reads


def hourly_rates(frame: pl.DataFrame, settings: Settings) -> pl.DataFrame:
    """Add each person's hourly rate of pay (SI 2017/353 Sch. 1 para 6) to ``frame``.

    Columns added: ``hourly_num`` and ``hourly_den`` (Int128; the exact rate is their quotient, in
    pounds per hour), ``hourly_key`` (Int128; an exact order-preserving integer, floor(hourly x 10^25
    / 700) - not money, for ranking only) and ``hourly_rate`` (Float64, pounds; for display and
    plausibility checks only, never for ranking). Rows without positive weekly hours get nulls.

    The rate (para 6, via Practical Law [S15]): pay in the relevant pay period (ordinary pay plus
    bonus pay, para 6(1)(a)), x 7 / days in the period, / weekly working hours. A bonus paid in the
    period that relates to a longer period (``bonus_period_days > days_in_period``) is pro-rated to
    the period (GOV.UK / Acas guidance [S16]): bonus x days / bonus_period_days.

    Days. ``settings.pay_period_days == "actual"`` (default) uses the actual days in the period, as
    the regulation reads ("the number of days in the relevant pay period"). ``"30.44"`` is the
    payroll-vendor convention for *monthly* pay (365.28 / 12 [S41]); it is applied only to a period of
    one calendar month (``calendar_month``), because a weekly or four-weekly period has an exact
    length that needs no convention. Under either convention the same day count is used to pro-rate the bonus and
    to turn period pay into weekly pay, so a pro-rated bonus adds exactly bonus x 7 /
    bonus_period_days to weekly pay. Under "30.44" a 12-month bonus then counts 30.44/365 of it per
    month - within 0.1% of the vendor's 1/12 (G9) - where pro-rating by the actual 31 days would
    count 31/365 and then spread it over 30.44 days, inflating the bonus by 1.8%.

    Exact arithmetic. With o, b the ordinary and in-period bonus pay in pence, h the weekly hours in
    units of 10^-4 hours, D = Dn / Dd the days (Dn / Dd = 761 / 25 for 30.44) and d the bonus days:

        not pro-rated: hourly = 700 x N / M with N = (o + b) x Dd,          M = Dn x h
        pro-rated:     hourly = 700 x N / M with N = o x Dd x d + b x Dn,  M = Dn x d x h

    ``hourly_key = floor(N x 10^25 / M)``. Proof that the key orders rates exactly: if N1/M1 = N2/M2
    the keys are equal. Otherwise |N1/M1 - N2/M2| = |N1 M2 - N2 M1| / (M1 M2) >= 1 / (M1 M2), a
    non-zero integer over M1 M2. If every M <= 10^12.5, then 10^25 x |N1/M1 - N2/M2| >= 1, and two
    reals at least 1 apart have different floors, in the same order. The data contract bounds M:
    days <= 367 (or Dn = 761), bonus days <= 3,660, weekly hours <= 100 (h <= 10^6), so
    M <= 761 x 3,660 x 10^6 = 2.8 x 10^12 < 10^12.5 = 3.16 x 10^12. Int128 holds N x 10^25 while
    N < 1.7 x 10^13, i.e. pay under about GBP 1.8m in one pay period. Both bounds are checked on the
    actual data before computing (Int128 overflow in polars wraps silently), and a frame outside
    them is refused rather than ranked wrongly.
    """
    _check_types(frame, ("ordinary_pay", "bonus_pay_in_period", "weekly_hours"))
    if settings.pay_period_days not in ("actual", "30.44"):
        raise ValueError(f"unknown pay_period_days convention {settings.pay_period_days!r}")
    o = (pl.col("ordinary_pay") * _PENCE).cast(pl.Int128)
    b = (pl.col("bonus_pay_in_period").fill_null(0) * _PENCE).cast(pl.Int128)
    h = (pl.col("weekly_hours") * _HOURS_SCALE).cast(pl.Int128)
    d = pl.col("bonus_period_days").cast(pl.Int128)
    days = pl.col("days_in_period").cast(pl.Int128)
    monthly = calendar_month() if settings.pay_period_days == "30.44" else pl.lit(False)
    dn = pl.when(monthly).then(pl.lit(_MONTH_NUM, pl.Int128)).otherwise(days)
    dd = pl.when(monthly).then(pl.lit(_MONTH_DEN, pl.Int128)).otherwise(pl.lit(1, pl.Int128))
    prorate = d.is_not_null() & (d > days)

    parts = frame.with_columns(_o=o, _b=b, _h=h, _d=d.fill_null(1), _dn=dn, _dd=dd, _prorate=prorate)
    _check_bounds(parts)
    n = pl.when(pl.col("_prorate")).then(
        pl.col("_o") * pl.col("_dd") * pl.col("_d") + pl.col("_b") * pl.col("_dn")
    ).otherwise((pl.col("_o") + pl.col("_b")) * pl.col("_dd"))
    m = pl.when(pl.col("_prorate")).then(pl.col("_dn") * pl.col("_d") * pl.col("_h")).otherwise(
        pl.col("_dn") * pl.col("_h")
    )
    usable = pl.col("_h") > 0
    return (
        parts.with_columns(_n=pl.when(usable).then(n), _m=pl.when(usable).then(m))
        .with_columns(
            hourly_num=pl.col("_n") * pl.lit(700, pl.Int128),
            hourly_den=pl.col("_m"),
            hourly_key=(pl.col("_n") * pl.lit(10**_KEY_DIGITS, pl.Int128)) // pl.col("_m"),
            hourly_rate=pl.col("_n").cast(pl.Float64) * 700 / pl.col("_m").cast(pl.Float64),
        )
        .drop("_o", "_b", "_h", "_d", "_dn", "_dd", "_prorate", "_n", "_m")
    )


def _check_types(frame: pl.DataFrame, columns: Collection[str]) -> None:
    """Money and hours must arrive as exact decimals (``pipeline.extracts.frames``): a float would make
    the conversion to whole pence and 1/10,000 hours silently inexact."""
    for col in columns:
        scale = 4 if col == "weekly_hours" else 2
        dtype = frame.schema.get(col)
        if dtype is None or not isinstance(dtype, pl.Decimal) or (dtype.scale or 0) > scale:
            raise TypeError(f"pay gap engine: {col} must be Decimal with at most {scale} decimal places, not {dtype}")


def _check_bounds(parts: pl.DataFrame) -> None:
    """Refuse data for which ``hourly_key`` would not be exact (see the proof in ``hourly_rates``)."""
    if parts.height == 0:
        return
    mx = parts.filter(pl.col("_h") > 0).select(
        pl.col("_o", "_b", "_h", "_dn", "_dd").max(), pl.col("_d").max().alias("_d")
    )
    if mx.height == 0 or mx.row(0)[0] is None:
        return
    o, b, h, dn, dd, d = (max(int(v or 0), 0) for v in mx.row(0))
    d = max(d, 1)
    m_bound = dn * d * h  # >= every M
    n_bound = (o + b) * max(dd * d, dn)  # >= every N, pro-rated or not
    if m_bound * m_bound > 10**_KEY_DIGITS or n_bound * 10**_KEY_DIGITS > _INT128_MAX:
        raise ValueError(
            "pay gap engine: pay, hours or bonus days are outside the bounds of exact ranking "
            "(weekly hours <= 100, bonus days <= 3,660, pay < GBP 1.8m per period); the data contract should "
            "have refused this extract"
        )


# --------------------------------------------------------------------------- quartiles (para 13)
def quartile_sizes(n: int) -> tuple[int, int, int, int]:
    """Sizes of the lower, lower middle, upper middle and upper quarters of ``n`` people.

    GOV.UK "Making your calculations" (verbatim remainder rule): one left over -> lower; two -> lower
    and upper middle; three -> lower, lower middle and upper middle. "Do not create your pay groups in
    any other way." So 4,445 -> (1112, 1111, 1111, 1111).
    """
    if n < 0:
        raise ValueError("a negative number of people")
    q, r = divmod(n, 4)
    return (q + (r >= 1), q + (r >= 3), q + (r >= 2), q)


def quartile_bands(ranked: pl.DataFrame, *, key: str = "hourly_key", reference: str = "is_reference") -> pl.DataFrame:
    """How many people, and how many of group A, fall in each pay quarter (reg/para 13).

    ``ranked`` holds one row per FPRE of the comparison, with the exact ranking ``key`` and a Boolean
    ``reference`` column (in group A). Returns columns ``quartile``, ``size``, ``n_reference``,
    ``n_comparison`` in quarter order.

    People are ranked from lowest to highest paid (para 13(1)) and cut by ``quartile_sizes``. People
    on the same rate whose block straddles a boundary are shared out so that "(so far as possible)
    the relative proportion of male and female employees receiving that rate of pay is the same in
    each of those pay bands" (para 13(2)): each band gets group A members in proportion to its share
    of the block's places (``_share_block``) and group B fills the remaining places. A block that sits
    inside one band needs no sharing, so the result never depends on row order.
    """
    n = ranked.height
    plan = ranked.lazy().select(pl.col(key).alias(_KEY), pl.col(reference).fill_null(False).cast(pl.Int64).alias(_A)).sort(_KEY)
    probes = _at_positions(plan.with_columns(_running(_A)), _rank_probes(n)).collect().row(0, named=True) if n else {}
    men = _quarter_members(probes, n)
    sizes = quartile_sizes(n)
    return pl.DataFrame(
        {
            "quartile": list(QUARTILES),
            "size": list(sizes),
            "n_reference": men,
            "n_comparison": [s - m for s, m in zip(sizes, men, strict=True)],
        },
        schema={"quartile": pl.String, "size": pl.Int64, "n_reference": pl.Int64, "n_comparison": pl.Int64},
    )


# Column names inside a ranked comparison: the ranking key, 1 for group A (0 for B), and the running
# counts of A and of B down the ranking.
_KEY, _A, _RUN_A, _RUN_B = "_key", "_a", "_run_a", "_run_b"


def _running(a: str) -> list[pl.Expr]:
    """Running counts of group A and group B down a ranking, with which a position is looked up
    rather than a group's rows copied out (``_rank_probes``)."""
    return [pl.col(a).cum_sum().alias(_RUN_A), (1 - pl.col(a)).cum_sum().alias(_RUN_B)]


def _at_positions(plan: pl.LazyFrame, exprs: list[pl.Expr]) -> pl.LazyFrame:
    """``plan.select(exprs)`` for expressions that each read a position or two of a ranking, run on
    the ranking once collected: polars' lazy engine worked the whole ranking out again for each of
    them (0.25 s a comparison of a million people, against 1 ms on the collected frame)."""
    return plan.map_batches(lambda frame: frame.select(exprs), schema=plan.select(exprs).collect_schema())


def _quarter_starts(n: int) -> list[int]:
    """The first position of each quarter above the lowest, in a ranking of ``n`` people."""
    sizes = quartile_sizes(n)
    return [sum(sizes[:i]) for i in range(1, 4)]


def _rank_probes(n: int) -> list[pl.Expr]:
    """The few numbers of a ranking of ``n`` people (``_KEY`` ascending, ``_A`` and its running count)
    that its quarters need, each one row: how many of group A rank before each quarter boundary, and
    at a boundary inside a block of people on one rate, where that block starts and ends and how many
    of group A rank before and through it. (Looked up by position and binary search: no pass over the
    people but the running count.)"""
    run, a, k = pl.col(_RUN_A), pl.col(_A), pl.col(_KEY)
    exprs = [run.get(n - 1).alias("a_through_end")]
    for j, s in enumerate(_quarter_starts(n)):
        if 0 < s < n:
            at = k.get(s)
            first = k.search_sorted(at, side="left").cast(pl.Int64)
            last = k.search_sorted(at, side="right").cast(pl.Int64) - 1
            exprs += [
                (run.get(s) - a.get(s)).alias(f"a_before_{j}"),
                (k.get(s - 1) == at).alias(f"tied_{j}"),
                first.alias(f"first_{j}"),
                last.alias(f"last_{j}"),
                (run.gather(first) - a.gather(first)).alias(f"a_before_first_{j}"),
                run.gather(last).alias(f"a_through_last_{j}"),
            ]
    return exprs


def _quarter_members(probes: Mapping[str, object], n: int) -> list[int]:
    """Group A's members in each quarter, from ``_rank_probes``: everyone first counts in the quarter
    of their position. A block of people on the same rate that sits inside one quarter is then already
    right, whatever order the sort left it in; only a block straddling a boundary (at most three) is
    taken out again and shared out by para 13(2)."""
    starts = _quarter_starts(n)
    bounds = [0, *starts, n]
    before: dict[int, int] = {0: 0}  # position -> members of A ranked before it
    if n:
        before[n] = int(probes["a_through_end"])
    straddling: dict[int, int] = {}  # first -> last position of each block across a boundary
    for j, s in enumerate(starts):
        if 0 < s < n:
            before[s] = int(probes[f"a_before_{j}"])
            if probes[f"tied_{j}"]:
                first, last = int(probes[f"first_{j}"]), int(probes[f"last_{j}"])
                straddling[first] = last
                before[first] = int(probes[f"a_before_first_{j}"])
                before[last + 1] = int(probes[f"a_through_last_{j}"])
    men = [before[hi] - before[lo] for lo, hi in zip(bounds, bounds[1:])]
    for first, last in straddling.items():
        places = [max(0, min(last + 1, bounds[i + 1]) - max(first, bounds[i])) for i in range(4)]
        for i, p in enumerate(places):
            if p:
                men[i] -= before[min(last + 1, bounds[i + 1])] - before[max(first, bounds[i])]
        for i, m in enumerate(_share_block(before[last + 1] - before[first], places)):
            men[i] += m
    return men


def _share_block(members: int, places: list[int]) -> list[int]:
    """Share ``members`` of group A over bands with ``places`` places of one tied block (para 13(2)).

    Largest-remainder (Hamilton) rounding of the exact quotas members x places / total, so each band
    is within one person of its exact proportional share and the shares add up. Equal remainders go
    to the lower band first - a deterministic choice; the regulation says only "so far as possible".
    GOV.UK's example (G2): 4 men of 40, places 10 and 30 -> 1 and 3.
    """
    total = sum(places)
    floors = [members * p // total for p in places]
    remainders = [members * p % total for p in places]
    order = sorted(range(len(places)), key=lambda i: (-remainders[i], i))
    for i in order[: members - sum(floors)]:
        floors[i] += 1
    return floors


# --------------------------------------------------------------------------- exact statistics
def _mean(sums: Collection[tuple[int, int]], count: int) -> Fraction | None:
    """Exact mean of ``count`` rationals given as (denominator, sum of the numerators over that
    denominator): the rows sharing a denominator were summed in Int128 by polars, so the Python
    arithmetic runs over distinct denominators, never over people."""
    if count == 0:
        return None
    return sum((Fraction(int(s), int(m)) for m, s in sums), Fraction(0)) / count


def _middle_ranks(n: int) -> tuple[int, ...]:
    """The 0-based ranks whose values make the median of ``n``: one, or the two middle ones of an
    even count (GOV.UK Calc 3: "if you have 80 women employees, numbers 40 and 41")."""
    return tuple(sorted({(n - 1) // 2, n // 2})) if n else ()


def _median(values: Collection[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


class Exact(float):
    """A percentage as a float that keeps the exact fraction it was made from.

    Disclosure control compares and adds the engine's percentages as floats; rounding at output
    (``round_pct``) rounds the fraction. Rounding the float instead rounded twice: a gap of exactly
    12.25 - 2.4e-16 became the float 12.25 and was published as 12.3, not 12.2."""

    exact: Fraction

    def __new__(cls, value: Fraction) -> Exact:
        out = super().__new__(cls, float(value))
        out.exact = value
        return out


def _gap(a: Fraction | None, b: Fraction | None, no_reference: str = NO_REFERENCE) -> Cell:
    """(A - B) / A x 100 (paras 8-11), exact (``Exact``) until it is rounded for publication."""
    if a is None:
        return Cell(None, not_calculable=no_reference)
    if b is None:
        return Cell(None, not_calculable=NO_COMPARISON)
    if a == 0:
        return Cell(None, not_calculable=ZERO_REFERENCE)
    return Cell(Exact((a - b) / a * 100))


def count_where(frame: pl.DataFrame, mask: pl.Expr) -> int:
    """How many rows ``mask`` holds for (null counts as no): summed where it lies, without the copy of
    every kept row that ``frame.filter(mask).height`` makes."""
    return int(frame.select(mask.fill_null(False).sum()).item())


def _pct(part: int, whole: int) -> Cell:
    if whole == 0:
        return Cell(None, not_calculable=ZERO_DENOMINATOR)
    return Cell(Exact(Fraction(100 * part, whole)))


# --------------------------------------------------------------------------- comparisons
# When a comparison is made at all (``Comparison.made_for``): always; when its population has anyone
# in it; when group B has at least ``min_group_size`` FPREs; when both groups have.
MADE_WHEN = ("always", "anyone", "comparison_reaches_min", "both_reach_min")


@dataclass(frozen=True)
class SideCounts:
    """Who a comparison holds, counted before any measure: its population, the relevant employees of
    each group (``ref``, ``cmp``), the full-pay ones (``fp_ref``, ``fp_cmp``), bonus recipients, the
    population's members who stated the characteristic, and FPREs without an hourly rate."""

    people: int
    ref: int
    cmp: int
    fp_ref: int
    fp_cmp: int
    bonus_ref: int
    bonus_cmp: int
    disclosed: int
    unrated: int


@dataclass(frozen=True)
class Comparison:
    """One pay gap to work out: group A (``group_col == reference``) against group B (``group_col`` in
    ``codes``, reported as ``comparison``) among the rows ``where`` holds (all when None).

    ``gated``: the minimum group size applies (not to the statutory gender gap). ``disclosure``: the
    rate at which the population stated the characteristic (``disclosure_col``, by default
    ``group_col``) is reported (not for sex, which the contract requires of everyone). ``made_when`` (one of ``MADE_WHEN``): whether the comparison is
    made at all, decided from its ``SideCounts``.
    """

    gap_id: str
    group_col: str
    reference: str
    comparison: str
    codes: frozenset[str]
    population: str = "all"
    where: pl.Expr | None = None
    gated: bool = True
    disclosure: bool = True
    disclosure_col: str | None = None
    made_when: str = "always"

    def __post_init__(self) -> None:
        if self.reference in self.codes:
            raise ValueError(f"{self.gap_id}: the reference group {self.reference!r} is also in the comparison group")
        if self.made_when not in MADE_WHEN:
            raise ValueError(f"{self.gap_id}: made_when must be one of {', '.join(MADE_WHEN)}")

    def side(self) -> pl.Expr:
        """1 on a row of group A, 0 of group B, null on anyone else (left out of every measure)."""
        col = pl.col(self.group_col)
        return pl.when(col == self.reference).then(pl.lit(1, pl.Int64)).when(col.is_in(sorted(self.codes))).then(
            pl.lit(0, pl.Int64))

    def made_for(self, n: SideCounts, min_group_size: int) -> bool:
        return {
            "always": True,
            "anyone": n.people > 0,
            "comparison_reaches_min": n.fp_cmp >= min_group_size,
            "both_reach_min": min(n.fp_ref, n.fp_cmp) >= min_group_size,
        }[self.made_when]


def gender_comparison(gap_id: str = "gender", population: str = "all", where: pl.Expr | None = None,
                      made_when: str = "always", gated: bool = False) -> Comparison:
    """The statutory gender pay gap (SI 2017/353 Sch. 1): A = men, B = women, by biological sex.

    The organisation's own gap is not gated: publication is a legal duty (reg 2), so the minimum
    group size does not apply. The same gap within part of it (a workforce group, an ethnic group)
    is no one's duty, so its caller gates it (``gated``) like any other comparison: the medians of a
    handful of women are their pay (the Upper Tribunal in [2023] UKUT 221 (AAC) held that a small
    office's pay gap statistics could be unravelled to reveal salaries). The disclosure rate is not
    applicable: sex is a required field of the data contract (the 21 May 2026 guidance requires
    biological sex for everyone).
    """
    return Comparison(gap_id, "sex", "male", "female", frozenset({"female"}), population, where, gated=gated,
                      disclosure=False, made_when=made_when)


def group_comparison(gap_id: str, group_col: str, reference: str, comparison: str | Mapping[str, Collection[str]],
                     population: str = "all", where: pl.Expr | None = None, made_when: str = "always",
                     disclosure_col: str | None = None) -> Comparison:
    """The six measures for any two groups of ``group_col`` (e.g. White British vs ethnic minorities).

    Group B is ``group_col == comparison``, or, when ``comparison`` is ``{label: codes}`` (one entry),
    every code in ``codes``, reported as ``label``. Everyone else (not stated, other groups) is left
    out of both the measures and the quartiles.

    Follows the GPG method, as the 2023 ethnicity pay guidance and the 2026 government response on
    ethnicity and disability pay gaps propose [S37][S38]: the same six calculations; the disclosure
    rate (share of relevant employees whose ``disclosure_col`` - default ``group_col`` - is stated, i.e. neither ``not_stated`` nor
    ``prefer_not_to_say``); and only where each compared group has at least
    ``settings.min_group_size`` full-pay relevant employees (the 2026 response's "at least ten
    employees in each group"). Below it the comparison is kept but unpublished and every measure is
    blanked, so no figure about a small group leaves the engine.
    """
    label, codes = _comparison_codes(comparison)
    return Comparison(gap_id, group_col, reference, label, codes, population, where, disclosure_col=disclosure_col,
                      made_when=made_when)


def gender_pay_gap(frame: pl.DataFrame, settings: Settings, gap_id: str = "gender", population: str = "all") -> PayGap:
    """The statutory gender pay gap of everyone in ``frame`` (see ``gender_comparison``)."""
    return compute_pay_gaps(frame, [gender_comparison(gap_id, population)], settings)[0]


def compare(
    frame: pl.DataFrame,
    *,
    gap_id: str,
    group_col: str,
    reference: str,
    comparison: str | Mapping[str, Collection[str]],
    population: str,
    settings: Settings,
    disclosure_col: str | None = None,
) -> PayGap:
    """The pay gap between two groups of ``group_col`` among everyone in ``frame`` (see ``group_comparison``)."""
    made = group_comparison(gap_id, group_col, reference, comparison, population, disclosure_col=disclosure_col)
    return compute_pay_gaps(frame, [made], settings)[0]


def _comparison_codes(comparison: str | Mapping[str, Collection[str]]) -> tuple[str, frozenset[str]]:
    if isinstance(comparison, str):
        return comparison, frozenset({comparison})
    if len(comparison) != 1:
        raise ValueError("comparison must be a code or a one-entry mapping {label: codes}")
    ((label, codes),) = comparison.items()
    if isinstance(codes, str) or not codes:
        raise ValueError("comparison codes must be a non-empty collection of codes")
    return label, frozenset(codes)


def compute_pay_gaps(frame: pl.DataFrame, comparisons: Sequence[Comparison], settings: Settings) -> list[PayGap]:
    """Every comparison of ``frame`` (one row per relevant employee) that is made, in order.

    All comparisons run as one shared plan in two passes, each a single ``collect_all`` (polars runs
    the comparisons side by side and reads the ranked frame once for all): first each comparison's
    ``SideCounts``, which decide whether it is made, gated and where its middle ranks lie; then the
    measures of those that are calculated. Everyone is rated (``hourly_rates``) and ranked by the
    exact key once; a comparison only filters that ranking, which keeps it in order, and reads its
    medians and quarter boundaries by position from running counts of each group (``_rank_probes``)
    rather than copying each group out. Order never changes a figure: the engine is tested against
    shuffled rows.
    """
    if "hourly_key" not in frame.columns:
        frame = hourly_rates(frame, settings)
    _check_types(frame, ("bonus_pay_12m",))
    used = {c.group_col for c in comparisons} | {c.disclosure_col for c in comparisons if c.disclosure_col}
    used |= {name for c in comparisons if c.where is not None for name in c.where.meta.root_names()}
    ranked = (
        frame.select(*RATE_COLUMNS, pl.col("full_pay").fill_null(False),
                     (pl.col("bonus_pay_12m").fill_null(0) * _PENCE).cast(pl.Int128).alias("_bonus"), *sorted(used))
        .sort("hourly_key", nulls_last=True)
        .lazy()
    )
    populations = [ranked.filter(c.where) if c.where is not None else ranked for c in comparisons]
    counted = [SideCounts(**f.row(0, named=True)) for f in pl.collect_all(
        [_count_plan(pop, c) for pop, c in zip(populations, comparisons, strict=True)])]

    made = [i for i, (c, n) in enumerate(zip(comparisons, counted, strict=True))
            if c.made_for(n, settings.min_group_size)]
    calculated = [i for i in made if not (comparisons[i].gated
                                          and min(counted[i].fp_ref, counted[i].fp_cmp) < settings.min_group_size)]
    if any(counted[i].unrated for i in calculated):
        raise ValueError("a full-pay relevant employee has no positive weekly hours; the data contract requires them")
    plans = [_measure_plans(populations[i], comparisons[i], counted[i]) for i in calculated]
    results = iter(pl.collect_all([p for trio in plans for p in trio]))
    measured = {i: _measures(counted[i], *(next(results) for _ in range(3))) for i in calculated}
    return [_pay_gap(comparisons[i], counted[i], measured.get(i)) for i in made]


def _count_plan(pop: pl.LazyFrame, c: Comparison) -> pl.LazyFrame:
    side, fp, bonus = c.side(), pl.col("full_pay"), pl.col("_bonus") > 0
    told = pl.col(c.disclosure_col or c.group_col)
    disclosed = (told.is_not_null() & ~told.is_in(sorted(UNSTATED))).sum() if c.disclosure else pl.lit(0)
    return pop.select(
        people=pl.len(),
        ref=(side == 1).sum(),
        cmp=(side == 0).sum(),
        fp_ref=((side == 1) & fp).sum(),
        fp_cmp=((side == 0) & fp).sum(),
        bonus_ref=((side == 1) & bonus).sum(),
        bonus_cmp=((side == 0) & bonus).sum(),
        disclosed=disclosed,
        unrated=(side.is_not_null() & fp & pl.col("hourly_key").is_null()).sum(),
    )


def _measure_plans(pop: pl.LazyFrame, c: Comparison, n: SideCounts) -> tuple[pl.LazyFrame, ...]:
    """Three one-pass plans of one comparison: the ranking's probes (medians and quarters), the hourly
    numerators summed by denominator and group (means), and the bonus recipients' figures."""
    fpre = pop.filter(pl.col("full_pay")).select(
        c.side().alias(_A), pl.col("hourly_key").alias(_KEY), "hourly_num", "hourly_den").filter(
        pl.col(_A).is_not_null())
    total = n.fp_ref + n.fp_cmp
    probes: list[pl.Expr] = [pl.len().alias("fpre")]
    if total:
        probes += _rank_probes(total)
        for group, run, count in (("a", _RUN_A, n.fp_ref), ("b", _RUN_B, n.fp_cmp)):
            for r in _middle_ranks(count):
                at = pl.col(run).search_sorted(r + 1, side="left")  # the row of the group's (r+1)-th member
                probes += [pl.col("hourly_num").gather(at).alias(f"{group}_num_{r}"),
                           pl.col("hourly_den").gather(at).alias(f"{group}_den_{r}")]
    sums = fpre.group_by(_A, "hourly_den").agg(pl.col("hourly_num").sum())
    recipients = pop.select(c.side().alias(_A), "_bonus").filter(pl.col(_A).is_not_null() & (pl.col("_bonus") > 0))
    bonus: list[pl.Expr] = [pl.len().alias("recipients")]
    for group, value, count in (("a", 1, n.bonus_ref), ("b", 0, n.bonus_cmp)):
        mine = pl.col("_bonus").filter(pl.col(_A) == value)
        bonus.append(mine.sum().alias(f"{group}_sum"))
        bonus += [mine.sort().get(r).alias(f"{group}_bonus_{r}") for r in _middle_ranks(count)]
    return _at_positions(fpre.with_columns(_running(_A)), probes), sums, recipients.select(bonus)


def _measures(n: SideCounts, probes: pl.DataFrame, sums: pl.DataFrame, bonus: pl.DataFrame) -> dict[str, object]:
    """The six measures of one comparison (paras 8-13) from its three plans' results."""
    p = probes.row(0, named=True)
    total = n.fp_ref + n.fp_cmp
    means = {g: _mean(sums.filter(pl.col(_A) == v).select("hourly_den", "hourly_num").rows(), count)
             for g, v, count in (("a", 1, n.fp_ref), ("b", 0, n.fp_cmp))}
    medians = {g: _median([Fraction(int(p[f"{g}_num_{r}"]), int(p[f"{g}_den_{r}"])) for r in _middle_ranks(count)])
               for g, count in (("a", n.fp_ref), ("b", n.fp_cmp))}
    sizes = quartile_sizes(total)
    men = _quarter_members(p, total)
    b = bonus.row(0, named=True)
    if p["fpre"] != total or b["recipients"] != n.bonus_ref + n.bonus_cmp:
        raise AssertionError("pay gap engine: a plan lost or gained people")  # a polars defect, not the data's
    # Bonus gaps over recipients (REs with bonus pay in the 12 months, > 0), proportions over all REs
    # (paras 10-12). When no one in A received a bonus, both gaps are left blank (GOV.UK service: "Do
    # not enter a bonus difference if 0% of men received a bonus"). When A did but no one in B did, B's
    # bonus is taken as nothing and both gaps are 100: the service's integrity check expects exactly
    # that [S18].
    if n.bonus_ref == 0:
        mean_bonus = median_bonus = Cell(None, not_calculable=NO_REFERENCE_BONUS)
    elif n.cmp == 0:
        mean_bonus = median_bonus = Cell(None, not_calculable=NO_COMPARISON)
    elif n.bonus_cmp == 0:
        mean_bonus = median_bonus = Cell(100.0)
    else:
        mean_bonus = _gap(Fraction(int(b["a_sum"]), n.bonus_ref), Fraction(int(b["b_sum"]), n.bonus_cmp))
        median_bonus = _gap(*(_median([Fraction(int(b[f"{g}_bonus_{r}"])) for r in _middle_ranks(count)])
                              for g, count in (("a", n.bonus_ref), ("b", n.bonus_cmp))))
    return {
        "mean_hourly_gap": _gap(means["a"], means["b"]),
        "median_hourly_gap": _gap(medians["a"], medians["b"]),
        "quartiles": {q: (_pct(m, size), _pct(size - m, size)) for q, size, m in zip(QUARTILES, sizes, men, strict=True)},
        "quartile_sizes": dict(zip(QUARTILES, sizes, strict=True)),
        "mean_bonus_gap": mean_bonus,
        "median_bonus_gap": median_bonus,
        "bonus_pct_reference": _pct(n.bonus_ref, n.ref),
        "bonus_pct_comparison": _pct(n.bonus_cmp, n.cmp),
    }


def _pay_gap(c: Comparison, n: SideCounts, measures: dict[str, object] | None) -> PayGap:
    """One comparison's ``PayGap``: its measures, or (gated below the minimum group size) blanks."""
    base = dict(
        id=c.gap_id,
        reference=c.reference,
        comparison=c.comparison,
        population=c.population,
        n_reference=Cell(n.fp_ref),
        n_comparison=Cell(n.fp_cmp),
        n_relevant_reference=Cell(n.ref),
        n_relevant_comparison=Cell(n.cmp),
        disclosure_rate=_pct(n.disclosed, n.people) if c.disclosure else Cell(None, not_calculable=NOT_APPLICABLE),
        statutory=not c.gated,
    )
    if measures is not None:
        return PayGap(**base, **measures)
    blank = Cell(None, suppressed=BELOW_MIN_GROUP)
    return PayGap(
        **base,
        mean_hourly_gap=blank,
        median_hourly_gap=blank,
        mean_bonus_gap=blank,
        median_bonus_gap=blank,
        bonus_pct_reference=blank,
        bonus_pct_comparison=blank,
        quartiles={q: (blank, blank) for q in QUARTILES},
        quartile_sizes={},  # sizes would give away the small group's count by difference
        published=False,
        gate_reason=BELOW_MIN_GROUP,
    )


# --------------------------------------------------------------------------- rounding and GOV.UK output
def round_pct(x: float | int | Fraction | Decimal, rule: str = "half_up") -> Decimal:
    """Round a percentage once, at output, to 1 d.p. ("whole percentages or rounded to one decimal
    place" - GOV.UK; the service refuses more than one decimal place).

    Rounding is decimal, never ``round()`` on a binary float: a float is read through its shortest
    round-tripping decimal (``repr``), so a value computed as exactly 13.25 rounds half-up to 13.3,
    not to 13.2 as its binary expansion 13.2499... would. A ``Fraction`` (or the engine's ``Exact``)
    is rounded exactly. Halves go away from zero under "half_up" (-12.25 becomes -12.3). Minus zero
    is printed as 0.0.
    """
    if rule not in _ROUNDING:
        raise ValueError(f"unknown rounding rule {rule!r}; allowed: {', '.join(_ROUNDING)}")
    if isinstance(x, Exact):
        x = x.exact
    if isinstance(x, Fraction):
        d = _round_fraction(x * 10, rule) / 10
    else:
        if isinstance(x, float) and not math.isfinite(x):
            raise ValueError("cannot round a non-finite percentage")
        exact = Decimal(repr(x)) if isinstance(x, float) else Decimal(x)
        d = exact.quantize(_ONE_DP, rounding=_ROUNDING[rule])
    d = d.quantize(_ONE_DP)
    return d if d else Decimal("0.0")


def _round_fraction(s: Fraction, rule: str) -> Decimal:
    """Round an exact rational to a whole number: half away from zero, or half to even."""
    low = math.floor(s)
    rest = s - low  # in [0, 1)
    if rest != Fraction(1, 2):
        return Decimal(low + (rest > Fraction(1, 2)))
    if rule == "half_up":
        return Decimal(low + 1 if s > 0 else low)
    return Decimal(low + low % 2)


def round_quartile_pair(reference_pct: float, rule: str = "half_up") -> tuple[Decimal, Decimal]:
    """Rounded (reference %, comparison %) of one quarter, summing to exactly 100.0.

    The GOV.UK service refuses a quarter whose two figures do not add up to 100 ("Figures for each
    quarter must add up to 100%"); rounding each share on its own can give 100.1 (12.25 / 87.75
    half-up). So the reference share is rounded and the comparison share is 100.0 minus it.
    """
    ref = round_pct(reference_pct, rule)
    return ref, _HUNDRED - ref


def _text(d: Decimal) -> str:
    return format(d, "f")


def gov_uk_row(gap: PayGap, rounding: str) -> dict[str, str]:
    """The statutory gap as one row of the GOV.UK Gender Pay Gap service's figures, as it accepts them.

    Strings with one decimal place; a figure that is not shown (not calculable or withheld) is blank
    - in particular both bonus differences when no man received a bonus, as the service requires.
    Each quarter's pair sums to exactly 100.0 (``round_quartile_pair``).
    """
    if (gap.reference, gap.comparison) != ("male", "female"):
        raise ValueError(f"{gap.id}: the GOV.UK service takes the gender pay gap (male vs female) only")

    def one(cell: Cell) -> str:
        return _text(round_pct(cell.value, rounding)) if cell.shown and cell.value is not None else ""

    row = {
        "DiffMeanHourlyPercent": one(gap.mean_hourly_gap),
        "DiffMedianHourlyPercent": one(gap.median_hourly_gap),
        "DiffMeanBonusPercent": one(gap.mean_bonus_gap),
        "DiffMedianBonusPercent": one(gap.median_bonus_gap),
        "MaleBonusPercent": one(gap.bonus_pct_reference),
        "FemaleBonusPercent": one(gap.bonus_pct_comparison),
    }
    for q, (male_col, female_col) in _GOV_UK_QUARTILE_COLUMNS.items():
        male, female = gap.quartiles.get(q, (Cell(None), Cell(None)))
        if male.shown and female.shown and male.value is not None:
            m, f = round_quartile_pair(male.value, rounding)
            row[male_col], row[female_col] = _text(m), _text(f)
        else:
            row[male_col] = row[female_col] = ""
    return {k: row[k] for k in GOV_UK_COLUMNS}


GOV_UK_FILE = "gender-pay-gap.csv"


def gov_uk_problems(gap: PayGap, rounding: str) -> list[Problem]:
    """Each check of the GOV.UK service (``validate_gov_uk_row``) that the statutory gap's row would
    fail, as a warning naming the row's column.

    The figures are right by the regulations, yet the service may refuse them: it wants a number the
    method cannot give (no woman on full pay: spec 1.7, "flag for human decision"), or a combination
    it rejects (one man in 2,000 with a bonus rounds to 0.0% beside a bonus difference: G12). What to
    enter is a person's decision, so the run says so (the log, the review pack) and still publishes.
    """
    if not gap.statutory:
        return []
    out = []
    for message in validate_gov_uk_row(gov_uk_row(gap, rounding)):
        column, _, rule = message.partition(": ")
        out.append(Problem("gov_uk_refused", GOV_UK_FILE, column=column, severity="warning", allowed=rule,
                           message="the GOV.UK Gender Pay Gap service would not accept this as it stands: decide "
                                   "what to enter before submitting"))
    return out


_SERVICE_NUMBER = re.compile(r"^[-]?\d+(\.?\d)?$")  # ReportFiguresViewModel.cs: at most 1 decimal place


def validate_gov_uk_row(row: Mapping[str, str]) -> list[str]:
    """The GOV.UK Gender Pay Gap service's checks on a row of figures (service source code [S18], G12).

    Returns one message per problem (empty when the service would accept the row). Messages quote
    the service where it has a message of its own.
    """
    errors: list[str] = []
    values: dict[str, Decimal | None] = {}
    for col in GOV_UK_COLUMNS:
        text = row.get(col)
        if text is None:
            errors.append(f"{col}: missing column")
            values[col] = None
            continue
        text = text.strip()
        if text == "":
            values[col] = None
            continue
        if not _SERVICE_NUMBER.match(text):
            errors.append(f"{col}: Value can't have more than 1 decimal place")
            values[col] = None
            continue
        try:
            values[col] = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            errors.append(f"{col}: not a number")
            values[col] = None
    extra = sorted(set(row) - set(GOV_UK_COLUMNS))
    if extra:
        errors.append(f"unexpected columns: {', '.join(extra)}")

    for col in ("DiffMeanHourlyPercent", "DiffMedianHourlyPercent"):
        v = values[col]
        if v is None and row.get(col, "").strip() == "":
            errors.append(f"{col}: required")
        elif v is not None and not Decimal("-499.99") <= v <= 100:
            errors.append(f"{col}: must be between -499.99 and 100")

    male_pct, female_pct = values["MaleBonusPercent"], values["FemaleBonusPercent"]
    for col in ("MaleBonusPercent", "FemaleBonusPercent"):
        v = values[col]
        if v is None and row.get(col, "").strip() == "":
            errors.append(f"{col}: required")
        elif v is not None and not 0 <= v <= 100:
            errors.append(f"{col}: must be between 0 and 100")

    diffs = {col: values[col] for col in ("DiffMeanBonusPercent", "DiffMedianBonusPercent")}
    for col, v in diffs.items():
        entered = row.get(col, "").strip() != ""
        if male_pct == 0 and entered:
            errors.append(f"{col}: Do not enter a bonus difference if 0% of men received a bonus")
        elif male_pct is not None and male_pct > 0 and not entered:
            errors.append(f"{col}: required when men received a bonus")
        elif v is not None and v > 100:
            errors.append(f"{col}: the mean or median bonus difference must be less than 100%")
    if (
        female_pct == 0
        and male_pct is not None
        and male_pct > 0
        and any(v is not None and v != 100 for v in diffs.values())
    ):
        errors.append(
            "DiffMeanBonusPercent/DiffMedianBonusPercent: flagged by the admin integrity check - no woman received "
            "a bonus, so both differences are expected to be 100"
        )

    for q, (male_col, female_col) in _GOV_UK_QUARTILE_COLUMNS.items():
        m, f = values[male_col], values[female_col]
        if m is None and row.get(male_col, "").strip() == "" or f is None and row.get(female_col, "").strip() == "":
            errors.append(f"{male_col}/{female_col}: required")
        elif m is not None and f is not None:
            if not (0 <= m <= 100 and 0 <= f <= 100):
                errors.append(f"{male_col}/{female_col}: must be between 0 and 100")
            if m + f != 100:
                errors.append(f"{male_col}/{female_col}: Figures for each quarter must add up to 100%")
    return errors
