"""The gender pay gap, as the law and GOV.UK's worked examples state it (methodology §1, §6, §7: G1-G13).

Each test builds person-level payroll rows and writes the expectation as the arithmetic of the
source, so a reviewer can check the law rather than the code. Hourly pay is made exact by choosing
a 28-day pay period: hourly = pay x 7 / 28 / hours, so pay = hourly x hours x 4.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl
import pytest

from paygap_fixtures import PAY_SCHEMA
from pipeline.config import Settings
from pipeline.figures import Cell
from pipeline.measures.paygap import (
    GOV_UK_COLUMNS,
    gender_pay_gap,
    gov_uk_row,
    hourly_rates,
    quartile_bands,
    quartile_sizes,
    round_pct,
    validate_gov_uk_row,
)

SETTINGS = Settings()
SCHEMA = PAY_SCHEMA
SNAPSHOT = dt.date(2024, 3, 31)


def person(
    sex: str,
    *,
    hourly: str | None = None,
    pay: str = "2000",
    hours: str = "37",
    days: int = 31,
    bonus_12m: str = "0",
    bonus_in_period: str = "0",
    bonus_period_days: int | None = None,
    full_pay: bool = True,
) -> dict[str, Any]:
    """One relevant employee; ``hourly`` sets pay so that the hourly rate is exactly that (28-day period)."""
    if hourly is not None:
        days = 28
        pay = str(Decimal(hourly) * Decimal(hours) * 4)
    return {
        "sex": sex,
        "period_start": SNAPSHOT - dt.timedelta(days=days - 1),
        "period_end": SNAPSHOT,
        "days_in_period": days,
        "ordinary_pay": Decimal(pay),
        "bonus_pay_in_period": Decimal(bonus_in_period),
        "bonus_pay_12m": Decimal(bonus_12m),
        "bonus_period_days": bonus_period_days,
        "weekly_hours": Decimal(hours),
        "full_pay": full_pay,
    }


def many(n: int, sex: str, **kw: Any) -> list[dict[str, Any]]:
    return [person(sex, **kw) for _ in range(n)]


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame([{"employee_id": f"E{i:05d}", **r} for i, r in enumerate(rows)], schema=SCHEMA)


def value(cell: Cell) -> float:
    assert cell.shown, cell
    assert cell.value is not None
    return float(cell.value)


# --------------------------------------------------------------------------- G1: quartiles
def test_g1_acme_quartiles_4445_full_pay_employees() -> None:
    """GOV.UK Calc 1: 4,445 FPREs in quarters of 1,112 / 1,111 / 1,111 / 1,111 (one left over -> lower)."""
    composition = {  # quarter: (men, women) - GOV.UK's Acme table
        "lower": (187, 925),
        "lower_middle": (110, 1_001),
        "upper_middle": (298, 813),
        "upper": (750, 361),
    }
    rows: list[dict[str, Any]] = []
    for rate, (men, women) in zip(("10", "12", "15", "20"), composition.values(), strict=True):
        rows += many(men, "male", hourly=rate) + many(women, "female", hourly=rate)
    gap = gender_pay_gap(frame(rows), SETTINGS)

    assert gap.quartile_sizes == {"lower": 1_112, "lower_middle": 1_111, "upper_middle": 1_111, "upper": 1_111}
    assert (value(gap.n_reference), value(gap.n_comparison)) == (1_345, 3_100)
    assert value(gap.quartiles["lower"][0]) == pytest.approx(187 / 1_112 * 100)  # 16.8165 unrounded
    assert value(gap.quartiles["upper"][1]) == pytest.approx(361 / 1_111 * 100)  # 32.4932 unrounded
    row = gov_uk_row(gap, "half_up")
    assert (row["MaleLowerQuartile"], row["FemaleLowerQuartile"]) == ("16.8", "83.2")
    assert (row["MaleLowerMiddleQuartile"], row["FemaleLowerMiddleQuartile"]) == ("9.9", "90.1")
    assert (row["MaleUpperMiddleQuartile"], row["FemaleUpperMiddleQuartile"]) == ("26.8", "73.2")
    assert (row["MaleTopQuartile"], row["FemaleTopQuartile"]) == ("67.5", "32.5")


# --------------------------------------------------------------------------- G2: ties over a boundary
def test_g2_forty_tied_employees_straddling_lower_and_lower_middle() -> None:
    """Reg 13(2): 40 on the same rate (36 women, 4 men), 10 places in the lower quarter and 30 in the
    lower middle -> lower 9 women + 1 man, lower middle 27 women + 3 men (GOV.UK example)."""
    below = many(10, "male", hourly="9") + many(10, "female", hourly="9")  # positions 1-20
    tied = many(4, "male", hourly="10") + many(36, "female", hourly="10")  # positions 21-60
    above = [person("male" if i % 2 else "female", hourly=str(20 + i)) for i in range(60)]  # all distinct
    rated = hourly_rates(frame(below + tied + above), SETTINGS).with_columns(
        is_reference=pl.col("sex") == "male"
    )
    bands = {r["quartile"]: r for r in quartile_bands(rated).iter_rows(named=True)}

    assert quartile_sizes(120) == (30, 30, 30, 30)
    # lower quarter = the 20 below the tie (10 men) + 10 places of the tied block: 1 man, 9 women
    assert (bands["lower"]["n_reference"], bands["lower"]["n_comparison"]) == (10 + 1, 10 + 9)
    # lower middle = the other 30 places of the block: 3 men, 27 women
    assert (bands["lower_middle"]["n_reference"], bands["lower_middle"]["n_comparison"]) == (3, 27)

    gap = gender_pay_gap(frame(below + tied + above), SETTINGS)
    assert value(gap.quartiles["lower"][0]) == pytest.approx((10 + 1) / 30 * 100)
    assert value(gap.quartiles["lower_middle"][0]) == pytest.approx(3 / 30 * 100)


def test_ties_are_exact_not_float_equal() -> None:
    """£1,000.01 for 18.5 hours and £3,000.03 for 55.5 hours are the same hourly rate exactly, though
    float arithmetic (pay x 7 / 31 / hours) makes the second one 2e-15 larger. The law ranks them as
    equal, so they form one tied block (reg 13(2)) and share every key."""
    a = person("male", pay="1000.01", hours="18.5")
    b = person("female", pay="3000.03", hours="55.5")
    assert 1000.01 * 7 / 31 / 18.5 != 3000.03 * 7 / 31 / 55.5  # the float drift this test guards against
    rated = hourly_rates(frame([a, b]), SETTINGS)
    assert rated["hourly_key"][0] == rated["hourly_key"][1]
    c, d = person("male", pay="1000", hours="18.5"), person("female", pay="2000", hours="37")
    assert hourly_rates(frame([c, d]), SETTINGS)["hourly_key"].n_unique() == 1


def test_tie_over_three_quarters_shares_men_by_largest_remainder() -> None:
    """One rate for 8 people (3 men) spread over all four quarters (para 13(2) "so far as possible"):
    each band gets men in proportion to its places in the block, rounded by largest remainder."""
    rows = many(2, "female", hourly="5") + many(3, "male", hourly="8") + many(5, "female", hourly="8")
    rows += many(2, "female", hourly="9")  # n = 12 -> quarters of 3; the block sits at positions 3-10
    rated = hourly_rates(frame(rows), SETTINGS).with_columns(is_reference=pl.col("sex") == "male")
    men = dict(quartile_bands(rated).select("quartile", "n_reference").iter_rows())
    # places: lower 1 (position 3), lower middle 3, upper middle 3, upper 1
    # quotas 3 x 1/8, 3 x 3/8, 3 x 3/8, 3 x 1/8 = 0.375, 1.125, 1.125, 0.375 -> floors 0, 1, 1, 0; one man
    # left; largest remainders 0.375 (lower, upper) -> the lower band first
    assert men == {"lower": 1, "lower_middle": 1, "upper_middle": 1, "upper": 0}


# --------------------------------------------------------------------------- G3, G4: hourly gaps
def test_g3_mean_hourly_gap() -> None:
    """GOV.UK Calc 2: men £23,550 / 1,345 = £17.51; women £46,900 / 3,100 = £15.13; gap 13.59%."""
    men = many(675, "male", hourly="20") + many(670, "male", hourly="15")  # 675 x 20 + 670 x 15 = 23,550
    women = many(400, "female", hourly="16") + many(2_700, "female", hourly="15")  # 6,400 + 40,500 = 46,900
    gap = gender_pay_gap(frame(men + women), SETTINGS)

    expected = (23_550 / 1_345 - 46_900 / 3_100) / (23_550 / 1_345) * 100
    assert value(gap.mean_hourly_gap) == pytest.approx(expected, rel=1e-12)
    assert gov_uk_row(gap, "half_up")["DiffMeanHourlyPercent"] == "13.6"
    assert round_pct((17.51 - 15.13) / 17.51 * 100) == Decimal("13.6")  # GOV.UK's rounded means agree


def test_g4_median_hourly_gap() -> None:
    """GOV.UK Calc 3: man #673 of 1,345 earns £15; women #1,550 and #1,551 of 3,100 earn £13 and £15 ->
    median £14 (even count: the mean of the two middle values); (15 - 14) / 15 = 6.67%."""
    men = many(672, "male", hourly="11") + many(1, "male", hourly="15") + many(672, "male", hourly="30")
    women = many(1_550, "female", hourly="13") + many(1_550, "female", hourly="15")
    gap = gender_pay_gap(frame(men + women), SETTINGS)

    expected = (15 - (13 + 15) / 2) / 15 * 100
    assert value(gap.median_hourly_gap) == pytest.approx(expected)
    assert gov_uk_row(gap, "half_up")["DiffMedianHourlyPercent"] == "6.7"


def test_even_count_median_is_the_mean_of_numbers_40_and_41() -> None:
    """GOV.UK: "if you have 80 women employees, numbers 40 and 41"."""
    women = many(39, "female", hourly="10") + many(1, "female", hourly="12") + many(1, "female", hourly="13")
    women += many(39, "female", hourly="20")
    men = many(10, "male", hourly="20")
    gap = gender_pay_gap(frame(men + women), SETTINGS)
    assert value(gap.median_hourly_gap) == pytest.approx((20 - (12 + 13) / 2) / 20 * 100)


# --------------------------------------------------------------------------- G5-G7: bonus
def acme_bonus_rows() -> list[dict[str, Any]]:
    """Acme's 4,500 REs: 1,375 men (1,300 with a bonus), 3,125 women (2,000 with a bonus); 55 not on
    full pay (they count for bonus, not for hourly pay). Men's bonuses: 500 x £610 + 800 x £2,300
    (mean £1,650, median £2,300); women's: 800 x £387.50 + 1,200 x £2,225 (mean £1,490, median £2,225)."""
    rows = many(500, "male", bonus_12m="610") + many(800, "male", bonus_12m="2300")
    rows += many(45, "male") + many(30, "male", full_pay=False)
    rows += many(800, "female", bonus_12m="387.50") + many(1_200, "female", bonus_12m="2225")
    rows += many(1_100, "female") + many(25, "female", full_pay=False)
    return rows


def test_g5_proportion_receiving_bonus_is_over_all_relevant_employees() -> None:
    gap = gender_pay_gap(frame(acme_bonus_rows()), SETTINGS)
    assert (value(gap.n_relevant_reference), value(gap.n_relevant_comparison)) == (1_375, 3_125)
    assert (value(gap.n_reference), value(gap.n_comparison)) == (1_345, 3_100)
    assert value(gap.bonus_pct_reference) == pytest.approx(1_300 / 1_375 * 100)
    assert value(gap.bonus_pct_comparison) == pytest.approx(2_000 / 3_125 * 100)
    row = gov_uk_row(gap, "half_up")
    assert (row["MaleBonusPercent"], row["FemaleBonusPercent"]) == ("94.5", "64.0")


def test_g6_mean_bonus_gap() -> None:
    gap = gender_pay_gap(frame(acme_bonus_rows()), SETTINGS)
    men_mean = (500 * 610 + 800 * 2_300) / 1_300
    women_mean = (800 * 387.50 + 1_200 * 2_225) / 2_000
    assert (men_mean, women_mean) == (1_650, 1_490)
    assert value(gap.mean_bonus_gap) == pytest.approx((1_650 - 1_490) / 1_650 * 100)
    assert gov_uk_row(gap, "half_up")["DiffMeanBonusPercent"] == "9.7"


def test_g7_median_bonus_gap() -> None:
    gap = gender_pay_gap(frame(acme_bonus_rows()), SETTINGS)
    assert value(gap.median_bonus_gap) == pytest.approx((2_300 - 2_225) / 2_300 * 100)
    assert gov_uk_row(gap, "half_up")["DiffMedianBonusPercent"] == "3.3"


# --------------------------------------------------------------------------- G8: quartile sizes
@pytest.mark.parametrize(
    ("n", "sizes"),
    [
        (4_445, (1_112, 1_111, 1_111, 1_111)),  # official
        (8, (2, 2, 2, 2)),
        (9, (3, 2, 2, 2)),  # 1 left over -> lower
        (10, (3, 2, 3, 2)),  # 2 -> lower and upper middle
        (11, (3, 3, 3, 2)),  # 3 -> lower, lower middle and upper middle
        (250, (63, 62, 63, 62)),
        (251, (63, 63, 63, 62)),
        (2_501, (626, 625, 625, 625)),
        (2_502, (626, 625, 626, 625)),
        (2_503, (626, 626, 626, 625)),
    ],
)
def test_g8_quartile_sizes_follow_the_gov_uk_remainder_rule(n: int, sizes: tuple[int, int, int, int]) -> None:
    assert quartile_sizes(n) == sizes


# --------------------------------------------------------------------------- G9, G10: the hourly rate
def test_g9_weekly_bonus_is_pro_rated_to_the_pay_period() -> None:
    """Vendor example: a £4,000 bonus covering 8 weekly periods counts £500 in a weekly pay period."""
    p = person("male", pay="370", hours="37", days=7, bonus_in_period="4000", bonus_period_days=56)
    rated = hourly_rates(frame([p]), SETTINGS)
    assert 4_000 * 7 / 56 == 500
    assert rated["hourly_rate"][0] == pytest.approx((370 + 4_000 * 7 / 56) * 7 / 7 / 37)


def test_g9_monthly_bonus_is_pro_rated_by_days() -> None:
    """Vendor example: £12,000 relating to 12 months counts £1,000 in a monthly period. Pro-rating is by
    days (days in the period / days the bonus relates to): with a 30-day period and a 360-day bonus
    year that is exactly £1,000; over a calendar year and March it is 12,000 x 31 / 365 = £1,019.18."""
    april = person("male", pay="2000", hours="37", days=30, bonus_in_period="12000", bonus_period_days=360)
    march = person("male", pay="2000", hours="37", days=31, bonus_in_period="12000", bonus_period_days=365)
    rated = hourly_rates(frame([april, march]), SETTINGS)
    assert 12_000 * 30 / 360 == 1_000
    assert rated["hourly_rate"][0] == pytest.approx((2_000 + 12_000 * 30 / 360) * 7 / 30 / 37)
    assert rated["hourly_rate"][1] == pytest.approx((2_000 + 12_000 * 31 / 365) * 7 / 31 / 37)


def test_bonus_for_no_longer_than_the_period_is_not_pro_rated() -> None:
    same = person("male", pay="2000", days=31, bonus_in_period="310", bonus_period_days=31)
    unknown = person("male", pay="2000", days=31, bonus_in_period="310", bonus_period_days=None)
    rated = hourly_rates(frame([same, unknown]), SETTINGS)
    assert rated["hourly_rate"].to_list() == pytest.approx([(2_000 + 310) * 7 / 31 / 37] * 2)


def test_g10_days_convention() -> None:
    """£2,000 in March, 37 hours: actual days 2,000 x 7 / 31 / 37 = £12.2058; the 30.44 monthly
    convention 2,000 x 7 / 30.44 / 37 = £12.4303. A weekly period stays 7 days under either."""
    monthly = person("female", pay="2000", hours="37", days=31)
    weekly = person("female", pay="500", hours="37", days=7)
    actual = hourly_rates(frame([monthly, weekly]), Settings(pay_period_days="actual"))["hourly_rate"]
    vendor = hourly_rates(frame([monthly, weekly]), Settings(pay_period_days="30.44"))["hourly_rate"]
    assert actual[0] == pytest.approx(2_000 * 7 / 31 / 37)
    assert vendor[0] == pytest.approx(2_000 * 7 / 30.44 / 37)
    assert (f"{actual[0]:.4f}", f"{vendor[0]:.4f}") == ("12.2058", "12.4303")
    assert actual[1] == vendor[1] == pytest.approx(500 * 7 / 7 / 37)


def test_30_44_convention_keeps_a_four_weekly_periods_28_days_and_makes_april_30_days_monthly() -> None:
    """The vendor's table: four-weekly 28, monthly 30.44. £1,806.45 over 28 days at 37 hours is
    1,806.45 x 7 / 28 / 37 = £12.2057 (counted as 30.44 days it was £11.2274, and a gap of -1.8% was
    published as -10.7%); April, 1 to 30 April, is a calendar month of 30 days: monthly."""
    four_weekly = person("male", pay="1806.45", hours="37", days=28)
    april = {**person("female", pay="2000", hours="37", days=30),
             "period_start": dt.date(2024, 4, 1), "period_end": dt.date(2024, 4, 30)}
    rate = hourly_rates(frame([four_weekly, april]), Settings(pay_period_days="30.44"))["hourly_rate"]
    assert f"{rate[0]:.4f}" == "12.2057"
    assert rate[1] == pytest.approx(2_000 * 7 / 30.44 / 37)


def test_30_44_convention_is_for_calendar_months_only_whatever_their_length() -> None:
    """A calendar month holding 31 March has 31 days (1 to 31 March, 16 March to 15 April, 31 March
    to 30 April; not 31 March to 29 April, which a month added to the start date gives); a
    period from 2 to 31 March has 30 days and is not a month, so it keeps them: £2,000 x 7 / 30 / 37
    = £12.6126 (29 days: £13.0475), not 2,000 x 7 / 30.44 / 37 = £12.4303 (counted by its length,
    a 29- or 30-day period was a month, and two people paid the same for different spans had no gap
    between them)."""
    march = person("male", pay="2000", hours="37", days=31)
    mid_month = {**person("male", pay="2000", hours="37", days=31),
                 "period_start": dt.date(2024, 3, 16), "period_end": dt.date(2024, 4, 15)}
    from_the_31st = {**person("male", pay="2000", hours="37", days=31),
                     "period_start": dt.date(2024, 3, 31), "period_end": dt.date(2024, 4, 30)}
    thirty = person("female", pay="2000", hours="37", days=30)
    twenty_nine = person("female", pay="2000", hours="37", days=29)
    to_the_29th = {**person("female", pay="2000", hours="37", days=30),
                   "period_start": dt.date(2024, 3, 31), "period_end": dt.date(2024, 4, 29)}
    rate = hourly_rates(frame([march, mid_month, from_the_31st, thirty, twenty_nine, to_the_29th]),
                        Settings(pay_period_days="30.44"))
    assert [f"{r:.4f}" for r in rate["hourly_rate"]] == [
        "12.4303", "12.4303", "12.4303", "12.6126", "13.0475", "12.6126"]


def test_30_44_convention_counts_a_year_bonus_as_a_twelfth_of_a_year_per_week_share() -> None:
    """Under 30.44 the same day count pro-rates the bonus and makes weekly pay, so a bonus adds
    bonus x 7 / bonus days a week: 12,000 x 7 / 365, close to the vendor's 1,000 x 7 / 30.44."""
    p = person("male", pay="2000", hours="37", days=31, bonus_in_period="12000", bonus_period_days=365)
    rate = hourly_rates(frame([p]), Settings(pay_period_days="30.44"))["hourly_rate"][0]
    assert rate == pytest.approx((2_000 * 7 / 30.44 + 12_000 * 7 / 365) / 37)


# --------------------------------------------------------------------------- sign and edge cases
def test_negative_gap_when_women_are_paid_more_g13() -> None:
    """North Wales Police 2020/21 median bonus gap "-112.50%": women's median bonus 2.125 x men's.
    Men's median bonus £400, women's £850: (400 - 850) / 400 = -112.5%."""
    rows = many(10, "male", bonus_12m="400") + many(10, "female", bonus_12m="850")
    gap = gender_pay_gap(frame(rows), SETTINGS)
    assert value(gap.median_bonus_gap) == pytest.approx((400 - 850) / 400 * 100)
    assert gov_uk_row(gap, "half_up")["DiffMedianBonusPercent"] == "-112.5"
    hourly = gender_pay_gap(frame(many(5, "male", hourly="10") + many(5, "female", hourly="12")), SETTINGS)
    assert value(hourly.mean_hourly_gap) == pytest.approx((10 - 12) / 10 * 100)  # -20: men paid less


def test_no_man_received_a_bonus_leaves_both_bonus_gaps_blank() -> None:
    """GOV.UK service: "Do not enter a bonus difference if 0% of men received a bonus"."""
    rows = many(10, "male") + many(10, "female", bonus_12m="100")
    gap = gender_pay_gap(frame(rows), SETTINGS)
    assert gap.mean_bonus_gap == Cell(value=None, not_calculable="no_reference_bonus")
    assert gap.median_bonus_gap == Cell(value=None, not_calculable="no_reference_bonus")
    row = gov_uk_row(gap, "half_up")
    assert (row["DiffMeanBonusPercent"], row["DiffMedianBonusPercent"], row["MaleBonusPercent"]) == ("", "", "0.0")
    assert validate_gov_uk_row(row) == []


def test_no_woman_received_a_bonus_gives_gaps_of_100() -> None:
    """The service's integrity check expects 100% when men received bonuses and no woman did."""
    rows = many(10, "male", bonus_12m="500") + many(10, "female")
    gap = gender_pay_gap(frame(rows), SETTINGS)
    assert (value(gap.mean_bonus_gap), value(gap.median_bonus_gap)) == (100.0, 100.0)
    row = gov_uk_row(gap, "half_up")
    assert (row["DiffMeanBonusPercent"], row["FemaleBonusPercent"]) == ("100.0", "0.0")
    assert validate_gov_uk_row(row) == []


def test_no_men_at_all_makes_the_gaps_not_calculable() -> None:
    """(A - B) / A with no A is undefined: reported as not calculable, with its reason."""
    gap = gender_pay_gap(frame(many(12, "female", hourly="10", bonus_12m="50")), SETTINGS)
    assert gap.mean_hourly_gap == Cell(None, not_calculable="no_reference")
    assert gap.median_hourly_gap == Cell(None, not_calculable="no_reference")
    assert gap.mean_bonus_gap.not_calculable == "no_reference_bonus"
    assert gap.bonus_pct_reference == Cell(None, not_calculable="zero_denominator")
    assert value(gap.quartiles["lower"][0]) == 0.0  # quartiles are still counts of who is there
    row = gov_uk_row(gap, "half_up")
    assert row["DiffMeanHourlyPercent"] == ""
    assert "DiffMeanHourlyPercent: required" in validate_gov_uk_row(row)  # the service still wants a number


def test_zero_reference_pay_is_not_calculable() -> None:
    gap = gender_pay_gap(frame(many(3, "male", hourly="0") + many(3, "female", hourly="10")), SETTINGS)
    assert gap.mean_hourly_gap == Cell(None, not_calculable="zero_reference")


def test_statutory_gap_is_computed_for_small_groups_and_records_their_sizes() -> None:
    """The gender pay gap is a legal duty: no minimum group size gate (unlike ``compare``)."""
    gap = gender_pay_gap(frame(many(2, "male", hourly="12") + many(3, "female", hourly="10")), Settings())
    assert gap.published and gap.gate_reason is None
    assert value(gap.mean_hourly_gap) == pytest.approx((12 - 10) / 12 * 100)
    assert (value(gap.n_reference), value(gap.n_comparison)) == (2, 3)


def test_not_full_pay_employees_are_left_out_of_hourly_measures() -> None:
    rows = many(5, "male", hourly="20") + many(5, "female", hourly="10")
    rows += many(5, "female", hourly="1", full_pay=False)  # on reduced pay because of leave
    gap = gender_pay_gap(frame(rows), SETTINGS)
    assert value(gap.mean_hourly_gap) == pytest.approx((20 - 10) / 20 * 100)
    assert sum(gap.quartile_sizes.values()) == 10


# --------------------------------------------------------------------------- rounding and the GOV.UK row
def test_gov_uk_row_has_the_service_columns_in_order() -> None:
    gap = gender_pay_gap(frame(many(8, "male", hourly="15") + many(8, "female", hourly="14")), SETTINGS)
    row = gov_uk_row(gap, "half_up")
    assert tuple(row) == GOV_UK_COLUMNS == (
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
    assert row["DiffMeanHourlyPercent"] == "6.7"  # (15 - 14) / 15 = 6.67
    assert validate_gov_uk_row(row) == []


@pytest.mark.parametrize(
    ("x", "half_up", "half_even"),
    [
        (13.25, "13.3", "13.2"),  # exactly half: the rule decides
        (13.35, "13.4", "13.4"),
        (0.15, "0.2", "0.2"),  # the float 0.1499999... is read as the decimal 0.15
        (6.666666666666667, "6.7", "6.7"),
        (-112.5, "-112.5", "-112.5"),
        (-0.25, "-0.3", "-0.2"),  # half-up is half away from zero
        (-0.04, "0.0", "0.0"),  # no "-0.0"
        (100.0, "100.0", "100.0"),
    ],
)
def test_round_pct_rounds_once_in_decimal(x: float, half_up: str, half_even: str) -> None:
    assert str(round_pct(x, "half_up")) == half_up
    assert str(round_pct(x, "half_even")) == half_even


def test_quartile_pairs_sum_to_exactly_100_even_when_both_halves_round_up() -> None:
    """12.25% men / 87.75% women: rounding each half-up gives 12.3 + 87.8 = 100.1, which the service
    refuses; the women's figure is 100.0 minus the men's."""
    rows = many(49, "male", hourly="10") + many(351, "female", hourly="10")  # the lower quarter of 400
    for rate in ("11", "12", "13"):
        rows += many(200, "male", hourly=rate) + many(200, "female", hourly=rate)
    gap = gender_pay_gap(frame(rows), SETTINGS)
    assert value(gap.quartiles["lower"][0]) == pytest.approx(49 / 400 * 100)  # 12.25
    row = gov_uk_row(gap, "half_up")
    assert (row["MaleLowerQuartile"], row["FemaleLowerQuartile"]) == ("12.3", "87.7")
    assert validate_gov_uk_row(row) == []


# --------------------------------------------------------------------------- G12: service validation
VALID = {
    "DiffMeanHourlyPercent": "13.6",
    "DiffMedianHourlyPercent": "6.7",
    "DiffMeanBonusPercent": "9.7",
    "DiffMedianBonusPercent": "3.3",
    "MaleBonusPercent": "94.5",
    "FemaleBonusPercent": "64.0",
    "MaleLowerQuartile": "16.8",
    "FemaleLowerQuartile": "83.2",
    "MaleLowerMiddleQuartile": "9.9",
    "FemaleLowerMiddleQuartile": "90.1",
    "MaleUpperMiddleQuartile": "26.8",
    "FemaleUpperMiddleQuartile": "73.2",
    "MaleTopQuartile": "67.5",
    "FemaleTopQuartile": "32.5",
}


def test_g12_acme_row_is_accepted() -> None:
    assert validate_gov_uk_row(VALID) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"MaleBonusPercent": "0.0"}, "Do not enter a bonus difference if 0% of men received a bonus"),
        ({"DiffMeanBonusPercent": ""}, "required when men received a bonus"),
        ({"DiffMedianBonusPercent": "100.1"}, "must be less than 100%"),
        ({"FemaleBonusPercent": "0.0"}, "admin integrity check"),
        ({"FemaleTopQuartile": "32.4"}, "Figures for each quarter must add up to 100%"),
        ({"DiffMeanHourlyPercent": "13.59"}, "Value can't have more than 1 decimal place"),
        ({"DiffMeanHourlyPercent": "-500.0"}, "must be between -499.99 and 100"),
        ({"DiffMedianHourlyPercent": "100.1"}, "must be between -499.99 and 100"),
        ({"MaleBonusPercent": "100.5"}, "must be between 0 and 100"),
        ({"DiffMeanHourlyPercent": ""}, "required"),
        ({"MaleLowerQuartile": ""}, "MaleLowerQuartile/FemaleLowerQuartile: required"),
        ({"MaleTopQuartile": "101.0", "FemaleTopQuartile": "-1.0"}, "must be between 0 and 100"),
    ],
)
def test_g12_service_refuses(change: dict[str, str], message: str) -> None:
    errors = validate_gov_uk_row({**VALID, **change})
    assert any(message in e for e in errors), errors


def test_g12_no_bonus_for_anyone_is_complete_without_differences() -> None:
    row = {**VALID, "MaleBonusPercent": "0.0", "FemaleBonusPercent": "0.0"}
    row |= {"DiffMeanBonusPercent": "", "DiffMedianBonusPercent": ""}
    assert validate_gov_uk_row(row) == []


def test_g12_limits_themselves_are_accepted() -> None:
    row = {**VALID, "DiffMeanHourlyPercent": "-499.9", "DiffMedianHourlyPercent": "100.0"}
    row |= {"DiffMeanBonusPercent": "-112.5", "DiffMedianBonusPercent": "100"}
    assert validate_gov_uk_row(row) == []


@pytest.mark.parametrize(
    ("x", "half_up", "half_even"),
    [
        (Fraction(53, 4), "13.3", "13.2"),  # 13.25 exactly: the rule decides
        (Fraction(200, 3), "66.7", "66.7"),  # 66.666...
        (Fraction(1, 3), "0.3", "0.3"),
        (Fraction(-1, 4), "-0.3", "-0.2"),  # half-up is half away from zero, as for floats
        (Fraction(-1, 25), "0.0", "0.0"),  # -0.04: no "-0.0"
        (Fraction(2251, 20), "112.6", "112.6"),  # 112.55: half, and 5 is odd
        (Fraction(100), "100.0", "100.0"),
    ],
)
def test_round_pct_rounds_an_exact_fraction_without_passing_through_a_float(x: Fraction, half_up: str,
                                                                            half_even: str) -> None:
    assert str(round_pct(x, "half_up")) == half_up
    assert str(round_pct(x, "half_even")) == half_even


def test_g12_a_row_without_a_service_column_or_with_one_of_its_own_is_refused() -> None:
    short = {k: v for k, v in VALID.items() if k != "MaleTopQuartile"}
    assert "MaleTopQuartile: missing column" in validate_gov_uk_row(short)
    assert "unexpected columns: EmployerName" in validate_gov_uk_row({**VALID, "EmployerName": "x"})


# --------------------------------------------------------------------------- rounding as published
def test_a_quarter_of_one_man_and_79_women_reads_1_3_and_98_7_in_the_report_as_in_the_gov_uk_file() -> None:
    """Rounded one by one, 1.25% / 98.75% gave 1.3 / 98.8 (100.1) in the figures and the report,
    beside 1.3 / 98.7 in the GOV.UK file: the quarter's pair is rounded together everywhere."""
    from pipeline.measures.disclosure import at_published_precision

    people = many(79, "female", hourly="10") + many(1, "male", hourly="10.5") + many(240, "male", hourly="20")
    gap = at_published_precision(gender_pay_gap(frame(people), SETTINGS), "half_up")
    men, women = gap.quartiles["lower"]
    assert (men.value, women.value) == (1.3, 98.7)
    row = gov_uk_row(gap, "half_up")
    assert (row["MaleLowerQuartile"], row["FemaleLowerQuartile"]) == ("1.3", "98.7")
    assert all(a.value + b.value == pytest.approx(100.0) for a, b in gap.quartiles.values())


def test_a_gap_just_below_a_half_rounds_down_though_its_nearest_float_is_the_half() -> None:
    """(A - B) / A x 100 = 12.25 - 10^-17 exactly: its nearest float is 12.25, which rounded to 12.3
    (half-up); the engine keeps the fraction (``Exact``) and rounds that, to 12.2. Just above a half
    goes up under half-even for the same reason."""
    from pipeline.measures.paygap import Exact

    below = Exact(Fraction(1225, 100) - Fraction(1, 10**17))
    above = Exact(Fraction(1225, 100) + Fraction(1, 10**17))
    assert float(below) == float(above) == 12.25
    assert str(round_pct(below, "half_up")) == "12.2"
    assert str(round_pct(above, "half_even")) == "12.3"
    assert str(round_pct(Exact(Fraction(-1225, 100)), "half_up")) == "-12.3"  # halves go away from zero
    men = many(3, "male", hourly="17.51") + many(2, "male", hourly="17.50")
    assert isinstance(gender_pay_gap(frame(men + many(5, "female", hourly="15.13")), SETTINGS).mean_hourly_gap.value,
                      Exact)


# --------------------------------------------------------------------------- what the service would refuse
def test_a_gap_the_method_cannot_give_is_put_to_a_person_not_left_blank_silently() -> None:
    """§1.7: no woman on full pay leaves (A - B) / A without a B; the service still demands both hourly
    gaps, so each is a warning naming its column and the service's rule (a person decides)."""
    from pipeline.measures.paygap import gov_uk_problems

    gap = gender_pay_gap(frame(many(300, "male", hourly="15") + many(5, "female", hourly="14", full_pay=False)),
                         SETTINGS)
    assert gap.statutory and gov_uk_row(gap, "half_up")["DiffMeanHourlyPercent"] == ""
    problems = gov_uk_problems(gap, "half_up")
    assert [(p.code, p.file, p.column, p.allowed, p.severity) for p in problems] == [
        ("gov_uk_refused", "gender-pay-gap.csv", "DiffMeanHourlyPercent", "required", "warning"),
        ("gov_uk_refused", "gender-pay-gap.csv", "DiffMedianHourlyPercent", "required", "warning"),
    ]


def test_one_man_in_two_thousand_with_a_bonus_rounds_to_none_beside_a_bonus_difference() -> None:
    """G12: 1 of 2,001 men had a bonus (0.04998% -> "0.0"), and the bonus difference (1,000 - 800) / 1,000
    = 20.0 is entered: the service says "Do not enter a bonus difference if 0% of men received a bonus"
    for each difference, so the run says so too."""
    from pipeline.measures.paygap import gov_uk_problems

    rows = (many(2_000, "male", hourly="15") + [person("male", hourly="15", bonus_12m="1000")]
            + many(1_990, "female", hourly="14") + many(10, "female", hourly="14", bonus_12m="800"))
    gap = gender_pay_gap(frame(rows), SETTINGS)
    row = gov_uk_row(gap, "half_up")
    assert (row["MaleBonusPercent"], row["DiffMeanBonusPercent"], row["DiffMedianBonusPercent"]) == ("0.0", "20.0", "20.0")
    assert [(p.column, p.allowed) for p in gov_uk_problems(gap, "half_up")] == [
        (col, "Do not enter a bonus difference if 0% of men received a bonus")
        for col in ("DiffMeanBonusPercent", "DiffMedianBonusPercent")]


def test_a_row_the_service_accepts_gives_no_warning() -> None:
    from pipeline.measures.paygap import gov_uk_problems

    gap = gender_pay_gap(frame(many(20, "male", hourly="15", bonus_12m="100") + many(20, "female", hourly="14")),
                         SETTINGS)
    assert validate_gov_uk_row(gov_uk_row(gap, "half_up")) == [] and gov_uk_problems(gap, "half_up") == []
