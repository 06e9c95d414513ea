"""The typed pay frame the pay-gap engine reads (as ``pipeline.extracts`` delivers it), for tests that
build one by hand."""

import polars as pl

from pipeline.extracts.frames import HOURS, MONEY

PAY_SCHEMA = {
    "employee_id": pl.String,
    "sex": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "days_in_period": pl.Int64,
    "ordinary_pay": MONEY,
    "bonus_pay_in_period": MONEY,
    "bonus_pay_12m": MONEY,
    "bonus_period_days": pl.Int64,
    "weekly_hours": HOURS,
    "full_pay": pl.Boolean,
}
