"""Other pay comparisons with the gender pay gap engine (methodology §2, §6 step 9).

The 2026 government response on ethnicity and disability pay gaps: the same six calculations, the
workforce's disclosure rate alongside, and figures only where each compared group has at least ten
employees. White British vs all ethnic minorities combined is the minimum comparison.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from paygap_fixtures import PAY_SCHEMA
from pipeline.config import Settings
from pipeline.figures import Cell
from pipeline.measures.paygap import compare

SCHEMA = {
    **PAY_SCHEMA,
    "ethnicity": pl.String,
    "ethnic_minority": pl.String,
    "disability": pl.String,
}
MINORITY = {"asian_indian": "ethnic_minority", "black_african": "ethnic_minority", "white_british": "white_british"}


def people(n: int, ethnicity: str, hourly: str, *, bonus: str = "0", full_pay: bool = True,
           disability: str = "no") -> list[dict[str, Any]]:
    """``n`` employees on exactly ``hourly`` an hour (28-day period, 37 hours: pay = hourly x 37 x 4)."""
    row = {
        "sex": "female",
        "ethnicity": ethnicity,
        "ethnic_minority": MINORITY.get(ethnicity, "not_stated"),
        "disability": disability,
        "period_start": dt.date(2024, 3, 4),
        "period_end": dt.date(2024, 3, 31),
        "days_in_period": 28,
        "ordinary_pay": Decimal(hourly) * 37 * 4,
        "bonus_pay_in_period": Decimal(0),
        "bonus_pay_12m": Decimal(bonus),
        "bonus_period_days": None,
        "weekly_hours": Decimal(37),
        "full_pay": full_pay,
    }
    return [dict(row) for _ in range(n)]


def frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame([{"employee_id": f"E{i:04d}", **r} for i, r in enumerate(rows)], schema=SCHEMA)


def ethnicity_gap(f: pl.DataFrame, settings: Settings | None = None) -> Any:
    return compare(f, gap_id="ethnicity.minority", group_col="ethnic_minority", reference="white_british",
                   comparison="ethnic_minority", population="all", settings=settings or Settings())


def value(cell: Cell) -> float:
    assert cell.shown and cell.value is not None, cell
    return float(cell.value)


def test_white_british_vs_ethnic_minorities_leaves_not_stated_out() -> None:
    """Not-stated people belong to neither group: they are in no measure and no quartile, but they
    lower the disclosure rate (% of relevant employees who stated their ethnicity)."""
    rows = people(20, "white_british", "20", bonus="100") + people(10, "asian_indian", "15")
    rows += people(10, "black_african", "15", bonus="80") + people(10, "not_stated", "1")
    rows += people(5, "prefer_not_to_say", "1")
    gap = ethnicity_gap(frame(rows))

    assert gap.published and (gap.reference, gap.comparison) == ("white_british", "ethnic_minority")
    assert (value(gap.n_reference), value(gap.n_comparison)) == (20, 20)
    assert value(gap.mean_hourly_gap) == pytest.approx((20 - 15) / 20 * 100)
    assert value(gap.mean_bonus_gap) == pytest.approx((100 - 80) / 100 * 100)
    assert value(gap.bonus_pct_comparison) == pytest.approx(10 / 20 * 100)
    assert sum(gap.quartile_sizes.values()) == 40
    assert value(gap.disclosure_rate) == pytest.approx((20 + 10 + 10) / 55 * 100)


def test_a_set_of_codes_forms_the_comparison_group_under_a_label() -> None:
    rows = people(12, "white_british", "20") + people(6, "asian_indian", "10") + people(6, "black_african", "14")
    gap = compare(frame(rows), gap_id="ethnicity.minority", group_col="ethnicity", reference="white_british",
                  comparison={"ethnic_minority": {"asian_indian", "black_african"}}, population="all",
                  settings=Settings())
    assert gap.comparison == "ethnic_minority"
    assert value(gap.n_comparison) == 12
    assert value(gap.mean_hourly_gap) == pytest.approx((20 - (6 * 10 + 6 * 14) / 12) / 20 * 100)


def test_minimum_group_size_gate_blanks_every_measure() -> None:
    """Fewer than ``min_group_size`` (10) full-pay relevant employees in a group: not published."""
    rows = people(30, "white_british", "20") + people(9, "asian_indian", "15")
    gap = ethnicity_gap(frame(rows))

    assert not gap.published and gap.gate_reason == "below_min_group"
    blank = Cell(None, suppressed="below_min_group")
    for measure in ("mean_hourly_gap", "median_hourly_gap", "mean_bonus_gap", "median_bonus_gap",
                    "bonus_pct_reference", "bonus_pct_comparison"):
        assert getattr(gap, measure) == blank, measure
    assert all(pair == (blank, blank) for pair in gap.quartiles.values())
    assert gap.quartile_sizes == {}  # total - n_reference would give the small group away
    assert (value(gap.n_reference), value(gap.n_comparison)) == (30, 9)  # disclosure control handles counts


def test_gate_counts_full_pay_relevant_employees() -> None:
    """Ten relevant employees, one on reduced pay because of leave: nine FPREs, so below the gate."""
    rows = people(30, "white_british", "20") + people(9, "asian_indian", "15")
    rows += people(1, "asian_indian", "15", full_pay=False)
    gap = ethnicity_gap(frame(rows))
    assert value(gap.n_relevant_comparison) == 10
    assert not gap.published


def test_gate_threshold_comes_from_settings() -> None:
    rows = people(5, "white_british", "20") + people(5, "asian_indian", "15")
    assert not ethnicity_gap(frame(rows)).published
    gap = ethnicity_gap(frame(rows), Settings(min_group_size=5))
    assert gap.published and value(gap.mean_hourly_gap) == pytest.approx((20 - 15) / 20 * 100)


def test_disability_pay_gap_non_disabled_vs_disabled() -> None:
    rows = people(15, "white_british", "18", disability="no") + people(10, "white_british", "16", disability="yes")
    rows += people(5, "white_british", "16", disability="not_stated")
    gap = compare(frame(rows), gap_id="disability", group_col="disability", reference="no", comparison="yes",
                  population="all", settings=Settings())
    assert value(gap.median_hourly_gap) == pytest.approx((18 - 16) / 18 * 100)
    assert value(gap.disclosure_rate) == pytest.approx(25 / 30 * 100)


def test_disclosure_rate_can_be_measured_on_the_underlying_column() -> None:
    rows = people(10, "white_british", "20") + people(10, "asian_indian", "15") + people(5, "not_stated", "9")
    f = frame(rows)
    by_group = ethnicity_gap(f)
    by_raw = compare(f, gap_id="ethnicity.minority", group_col="ethnic_minority", reference="white_british",
                     comparison="ethnic_minority", population="all", settings=Settings(), disclosure_col="ethnicity")
    assert value(by_group.disclosure_rate) == value(by_raw.disclosure_rate) == pytest.approx(20 / 25 * 100)


def test_reference_inside_the_comparison_group_is_refused() -> None:
    with pytest.raises(ValueError, match="also in the comparison"):
        compare(frame(people(1, "white_british", "1")), gap_id="x", group_col="ethnicity", reference="white_british",
                comparison={"all": {"white_british", "asian_indian"}}, population="all", settings=Settings())


# --------------------------------------------------------------------------- many comparisons in one batch
def _mixed_workforce() -> pl.DataFrame:
    """Men and women, White British and ethnic minority, on rates that tie across quarter boundaries."""
    rows = []
    for sex, ethnicity, n, hourly, bonus in (
        ("male", "white_british", 14, "20", "500"), ("female", "white_british", 11, "18", "0"),
        ("male", "asian_indian", 6, "18", "250"), ("female", "black_african", 12, "15", "100"),
        ("female", "asian_indian", 3, "20", "0"), ("male", "not_stated", 4, "16", "0"),
    ):
        rows += [r | {"sex": sex} for r in people(n, ethnicity, hourly, bonus=bonus)]
    rows += [r | {"sex": "male"} for r in people(2, "white_british", "22", full_pay=False)]
    return frame(rows)


def test_a_batch_gives_each_comparison_exactly_what_it_gives_alone() -> None:
    from pipeline.measures.paygap import compute_pay_gaps, gender_comparison, gender_pay_gap, group_comparison

    f, s = _mixed_workforce(), Settings(min_group_size=5)
    within = pl.col("ethnic_minority") == "white_british"
    batch = compute_pay_gaps(f, [gender_comparison(), group_comparison("ethnicity.minority", "ethnic_minority",
                                                                       "white_british", "ethnic_minority"),
                                 gender_comparison("gender.white_british", "white_british", where=within)], s)
    alone = [gender_pay_gap(f, s), ethnicity_gap(f, s),
             gender_pay_gap(f.filter(within), s, gap_id="gender.white_british", population="white_british")]
    assert batch == alone
    # and the gaps are the hand-worked ones: full-pay men 20 x 14, 18 x 6, 16 x 4 (mean 452 / 24) against
    # women 18 x 11, 15 x 12, 20 x 3 (mean 438 / 26); White British men and women, 20 against 18
    men, women = 452 / 24, 438 / 26
    assert value(batch[0].mean_hourly_gap) == pytest.approx((men - women) / men * 100)
    assert value(batch[2].median_hourly_gap) == pytest.approx((20 - 18) / 20 * 100)
    assert (batch[2].n_reference, batch[2].n_relevant_reference) == (Cell(14), Cell(16))


def test_a_comparison_is_made_only_when_its_rule_holds_and_a_small_one_is_kept_blank() -> None:
    from pipeline.measures.paygap import compute_pay_gaps, group_comparison

    f, s = _mixed_workforce(), Settings(min_group_size=10)
    made = compute_pay_gaps(f, [
        group_comparison("ethnicity.black", "ethnicity", "white_british", "black_african",
                         made_when="comparison_reaches_min"),  # 12 Black African: made
        group_comparison("ethnicity.asian", "ethnicity", "white_british", "asian_indian",
                         made_when="comparison_reaches_min"),  # 9 Asian Indian: not made at all
        group_comparison("ethnicity.asian_kept", "ethnicity", "white_british", "asian_indian"),  # made, gated
    ], s)
    assert [g.id for g in made] == ["ethnicity.black", "ethnicity.asian_kept"]
    assert made[0].published and value(made[0].median_hourly_gap) == pytest.approx((20 - 15) / 20 * 100)
    kept = made[1]
    assert not kept.published and kept.gate_reason == "below_min_group" and kept.quartile_sizes == {}
    assert kept.mean_hourly_gap == Cell(None, suppressed="below_min_group")


def test_an_unknown_rule_for_making_a_comparison_is_refused() -> None:
    from pipeline.measures.paygap import group_comparison

    with pytest.raises(ValueError, match="made_when"):
        group_comparison("x", "ethnicity", "white_british", "asian_indian", made_when="sometimes")


def test_all_comparisons_are_measured_in_two_passes_however_many_there_are(monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's "one collect per measure family": the counts of every comparison in one
    ``collect_all``, the measures of every comparison in a second; none is collected alone."""
    from pipeline.measures.paygap import compute_pay_gaps, gender_comparison, group_comparison

    batches: list[int] = []
    real = pl.collect_all
    monkeypatch.setattr(pl, "collect_all", lambda plans, **kw: batches.append(len(plans)) or real(plans, **kw))
    many = [gender_comparison(f"gender.{i}", where=pl.lit(True)) for i in range(6)]
    many += [group_comparison(f"ethnicity.{i}", "ethnic_minority", "white_british", "ethnic_minority")
             for i in range(6)]
    gaps = compute_pay_gaps(_mixed_workforce(), many, Settings(min_group_size=5))
    assert len(gaps) == 12 and len(set(map(str, (g.mean_hourly_gap for g in gaps)))) == 2
    assert batches == [12, 36]  # counts of all 12; then three plans (ranking, means, bonuses) of each
