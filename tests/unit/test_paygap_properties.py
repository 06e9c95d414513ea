"""Properties of the pay gap engine that must hold for every workforce, not just the worked examples."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from paygap_fixtures import PAY_SCHEMA
from pipeline.config import Settings
from pipeline.measures.paygap import (
    QUARTILES,
    gender_pay_gap,
    gov_uk_row,
    hourly_rates,
    quartile_bands,
    quartile_sizes,
    round_quartile_pair,
    validate_gov_uk_row,
)

PROPERTY = settings(max_examples=100, deadline=None, derandomize=True)
SCHEMA = PAY_SCHEMA

# Few distinct values, so that ties (and ties across quarter boundaries) are common.
employees = st.lists(
    st.fixed_dictionaries(
        {
            "sex": st.sampled_from(["male", "female"]),
            "pence": st.sampled_from([150_000, 200_000, 200_001, 250_000, 370_000]),
            "hours": st.sampled_from(["18.5", "37", "37.5", "20.25"]),
            "days": st.sampled_from([28, 31]),
            "bonus_in_period": st.sampled_from([0, 0, 50_000]),
            "bonus_period_days": st.sampled_from([None, 365, 20]),
            "bonus_12m": st.sampled_from([0, 0, 10_000, 25_050]),
            "full_pay": st.sampled_from([True, True, True, False]),
        }
    ),
    min_size=1,
    max_size=60,
)


def frame(people: list[dict[str, Any]]) -> pl.DataFrame:
    end = dt.date(2024, 3, 31)
    rows = [
        {
            "employee_id": f"E{i:03d}",
            "sex": p["sex"],
            "period_start": end - dt.timedelta(days=p["days"] - 1),
            "period_end": end,
            "days_in_period": p["days"],
            "ordinary_pay": Decimal(p["pence"]) / 100,
            "bonus_pay_in_period": Decimal(p["bonus_in_period"]) / 100,
            "bonus_pay_12m": Decimal(p["bonus_12m"]) / 100,
            "bonus_period_days": p["bonus_period_days"],
            "weekly_hours": Decimal(p["hours"]),
            "full_pay": p["full_pay"],
        }
        for i, p in enumerate(people)
    ]
    return pl.DataFrame(rows, schema=SCHEMA)


@PROPERTY
@given(employees, st.integers(min_value=0, max_value=2**32 - 1))
def test_row_order_does_not_change_any_figure(people: list[dict[str, Any]], seed: int) -> None:
    f = frame(people)
    shuffled = f.sample(fraction=1.0, shuffle=True, seed=seed)
    assert gender_pay_gap(shuffled, Settings()) == gender_pay_gap(f, Settings())


def test_quartile_sizes_follow_the_remainder_rule_for_every_n() -> None:
    for n in range(0, 2_001):
        lower, lower_middle, upper_middle, upper = quartile_sizes(n)
        q, r = divmod(n, 4)
        assert (lower, lower_middle, upper_middle, upper) == (
            q + (1 if r >= 1 else 0),
            q + (1 if r >= 3 else 0),
            q + (1 if r >= 2 else 0),
            q,
        ), n
        assert lower + lower_middle + upper_middle + upper == n
        assert max(lower, lower_middle, upper_middle, upper) - min(lower, lower_middle, upper_middle, upper) <= 1


@PROPERTY
@given(st.integers(min_value=1, max_value=5_000).flatmap(lambda size: st.tuples(st.integers(0, size), st.just(size))),
       st.sampled_from(["half_up", "half_even"]))
def test_each_rounded_quartile_pair_sums_to_exactly_100(men_size: tuple[int, int], rule: str) -> None:
    men, size = men_size
    male, female = round_quartile_pair(men / size * 100, rule)
    assert male + female == Decimal("100.0")
    assert male.as_tuple().exponent == female.as_tuple().exponent == -1


@PROPERTY
@given(employees, st.sampled_from(["half_up", "half_even"]))
def test_every_gov_uk_row_passes_the_service_checks(people: list[dict[str, Any]], rule: str) -> None:
    """With men and women on full pay and every quarter filled, the service accepts our row - unless a
    gap is genuinely outside its range (below -499.99%), which needs a person's decision."""
    full_pay = [p for p in people if p["full_pay"]]
    assume({p["sex"] for p in full_pay} == {"male", "female"} and len(full_pay) >= 4)
    row = gov_uk_row(gender_pay_gap(frame(people), Settings()), rule)
    errors = validate_gov_uk_row(row)
    assert all("must be between -499.99 and 100" in e for e in errors), errors
    for male_col, female_col in zip(list(row)[6::2], list(row)[7::2], strict=True):
        assert Decimal(row[male_col]) + Decimal(row[female_col]) == 100


def _exact_mean_hourly(people: list[dict[str, Any]], sex: str) -> Fraction:
    """An independent exact mean of (pay + pro-rated bonus) x 7 / days / hours, for the sex-swap relation."""
    rates = []
    for p in people:
        if p["sex"] != sex or not p["full_pay"]:
            continue
        d, bd = p["days"], p["bonus_period_days"]
        bonus = Fraction(p["bonus_in_period"], 100)
        if bd is not None and bd > d:
            bonus = bonus * d / bd
        rates.append((Fraction(p["pence"], 100) + bonus) * 7 / d / Fraction(Decimal(p["hours"])))
    return sum(rates, Fraction(0)) / len(rates)


@PROPERTY
@given(employees)
def test_swapping_sex_labels_inverts_the_mean_gap(people: list[dict[str, Any]]) -> None:
    """With g = (A - B) / A x 100 and g' = (B - A) / B x 100 after swapping who is A, the ratio B / A
    becomes A / B: (1 - g/100) x (1 - g'/100) = (B / A) x (A / B) = 1. It is not simply g' = -g."""
    assume({p["sex"] for p in people if p["full_pay"]} == {"male", "female"})
    swapped = [{**p, "sex": "female" if p["sex"] == "male" else "male"} for p in people]
    g = gender_pay_gap(frame(people), Settings()).mean_hourly_gap.value
    g2 = gender_pay_gap(frame(swapped), Settings()).mean_hourly_gap.value
    assert g is not None and g2 is not None
    a, b = _exact_mean_hourly(people, "male"), _exact_mean_hourly(people, "female")
    assert g == pytest.approx(float((a - b) / a * 100), rel=1e-12, abs=1e-12)
    assert g2 == pytest.approx(float((b - a) / b * 100), rel=1e-12, abs=1e-12)
    assert (1 - g / 100) * (1 - g2 / 100) == pytest.approx(1.0, rel=1e-12)


@PROPERTY
@given(
    st.integers(min_value=1, max_value=10**7),  # pay in pence (up to £100,000 in the period)
    st.integers(min_value=1, max_value=250_000),  # weekly hours in 1/10,000 hours (up to 25 hours)
    st.integers(min_value=2, max_value=4),  # scale: k x pay for k x hours (hours stay <= 100)
    st.sampled_from([7, 14, 28, 30, 31]),
    st.sampled_from(["actual", "30.44"]),
)
def test_scaled_pay_and_hours_tie_exactly(pence: int, hours4: int, k: int, days: int, convention: str) -> None:
    """k x the pay for k x the hours is the same hourly rate: the ranking key must tie, whatever the floats do."""
    base = {"sex": "male", "days": days, "bonus_in_period": 0, "bonus_period_days": None, "bonus_12m": 0,
            "full_pay": True}
    one = {**base, "pence": pence, "hours": str(Decimal(hours4) / 10_000)}
    scaled = {**base, "pence": k * pence, "hours": str(Decimal(k * hours4) / 10_000)}
    keys = hourly_rates(frame([one, scaled]), Settings(pay_period_days=convention))["hourly_key"]
    assert keys[0] == keys[1]


@PROPERTY
@given(st.integers(1, 10**6), st.integers(1, 10**6), st.integers(1, 10**6), st.integers(1, 10**6))
def test_the_key_orders_distinct_rates_exactly(p1: int, h1: int, p2: int, h2: int) -> None:
    """Keys compare exactly as the rational rates do: (p1 / h1) vs (p2 / h2) by cross-multiplication."""
    base = {"sex": "male", "days": 31, "bonus_in_period": 0, "bonus_period_days": None, "bonus_12m": 0,
            "full_pay": True}
    rows = [{**base, "pence": p, "hours": str(Decimal(h) / 10_000)} for p, h in ((p1, h1), (p2, h2))]
    k1, k2 = hourly_rates(frame(rows), Settings())["hourly_key"]
    exact = (p1 * h2 > p2 * h1) - (p1 * h2 < p2 * h1)
    assert (k1 > k2) - (k1 < k2) == exact


@PROPERTY
@given(employees)
def test_tied_blocks_are_shared_in_proportion(people: list[dict[str, Any]]) -> None:
    """Reg 13(2): quarters hold their sizes, everyone is placed once, and within each tied block a
    quarter's men differ from their exact proportional share by less than one."""
    rated = hourly_rates(frame(people).filter(pl.col("full_pay")), Settings()).with_columns(
        is_reference=pl.col("sex") == "male"
    )
    bands = quartile_bands(rated)
    assert bands["quartile"].to_list() == list(QUARTILES)
    assert tuple(bands["size"]) == quartile_sizes(rated.height)
    assert bands["n_reference"].sum() == rated["is_reference"].sum()
    assert (bands["n_comparison"] >= 0).all() and (bands["n_reference"] >= 0).all()
    # when the whole workforce is one tied block, each quarter's men are within one of men x size / n
    if rated.height and rated["hourly_key"].n_unique() == 1:
        men = int(rated["is_reference"].sum())
        for size, m in bands.select("size", "n_reference").iter_rows():
            assert abs(Fraction(m) - Fraction(men * size, rated.height)) < 1


def test_money_must_arrive_as_exact_decimals() -> None:
    f = frame([{"sex": "male", "pence": 100, "hours": "37", "days": 7, "bonus_in_period": 0,
                "bonus_period_days": None, "bonus_12m": 0, "full_pay": True}])
    with pytest.raises(TypeError, match="ordinary_pay must be Decimal"):
        hourly_rates(f.with_columns(pl.col("ordinary_pay").cast(pl.Float64)), Settings())


def test_data_beyond_the_exactness_bounds_is_refused_not_misranked() -> None:
    """The key is exact only while every denominator M <= 10^12.5 (see ``hourly_rates``): hours of
    10^6 a week with a 3,660-day bonus period breaks it, and polars' Int128 would wrap silently."""
    f = frame([{"sex": "male", "pence": 100, "hours": "1000000", "days": 31, "bonus_in_period": 100,
                "bonus_period_days": 3_660, "bonus_12m": 0, "full_pay": True}])
    with pytest.raises(ValueError, match="outside the bounds of exact ranking"):
        hourly_rates(f, Settings())
    at_the_limit = f.with_columns(pl.lit(Decimal(100)).cast(pl.Decimal(18, 4)).alias("weekly_hours"))
    assert hourly_rates(at_the_limit, Settings(pay_period_days="30.44"))["hourly_key"][0] is not None


def _bands_by_blocks(keys: list[int], in_a: list[bool]) -> list[int]:
    """An independent oracle for para 13: walk the ranked blocks of equal rates one by one and share
    each out over the bands its places fall in (a block inside one band goes wholly to it)."""
    from itertools import groupby

    from pipeline.measures.paygap import _share_block

    n = len(keys)
    sizes = quartile_sizes(n)
    bounds = [0, sizes[0], sizes[0] + sizes[1], sizes[0] + sizes[1] + sizes[2], n]
    men, pos = [0, 0, 0, 0], 0
    for _, block in groupby(sorted(range(n), key=lambda i: keys[i]), key=lambda i: keys[i]):
        members = list(block)
        first, last = pos, pos + len(members) - 1
        pos += len(members)
        places = [max(0, min(last + 1, bounds[i + 1]) - max(first, bounds[i])) for i in range(4)]
        for i, m in enumerate(_share_block(sum(in_a[j] for j in members), places)):
            men[i] += m
    return men


@PROPERTY
@given(st.lists(st.tuples(st.integers(0, 6), st.booleans()), min_size=0, max_size=60))
def test_quartile_bands_agree_with_a_block_by_block_oracle_in_any_row_order(people: list[tuple[int, bool]]) -> None:
    keys = [k * 10**24 for k, _ in people]  # Int128-sized keys, few distinct: ties across boundaries are common
    in_a = [a for _, a in people]
    frame = pl.DataFrame({"hourly_key": keys, "is_reference": in_a}, schema={"hourly_key": pl.Int128,
                                                                             "is_reference": pl.Boolean})
    expected = _bands_by_blocks(keys, in_a)
    for shuffled in (frame, frame.reverse(), frame.sort("hourly_key")):
        assert quartile_bands(shuffled)["n_reference"].to_list() == expected
