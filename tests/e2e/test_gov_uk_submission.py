"""A statutory gap the GOV.UK service would refuse: the run publishes the figures the regulations
give, and says plainly which of the row's values a person must decide (spec §1.7, G12)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from pipeline.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_no_woman_on_full_pay_publishes_and_warns_that_the_service_wants_both_hourly_gaps(tmp_path, capsys):
    inputs = tmp_path / "inputs"
    shutil.copytree(ROOT / "inputs", inputs, ignore=shutil.ignore_patterns("2023"))
    with (inputs / "2024" / "employees.csv").open(encoding="utf-8", newline="") as fh:
        women = {r["employee_id"] for r in csv.DictReader(fh) if r["sex"] == "female"}
    pay = inputs / "2024" / "pay.csv"
    with pay.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns, rows = reader.fieldnames, list(reader)
    for r in rows:  # every woman on reduced pay (leave): no woman is a full-pay relevant employee
        if r["employee_id"] in women:
            r["full_pay"] = "false"
    with pay.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)

    code = main(["figures", "--year", "2024", "--inputs", str(inputs), "--outputs", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 0, err
    published = tmp_path / "out" / "2024-figures"  # a figures run's own folder
    row = next(csv.DictReader((published / "data" / "gender-pay-gap.csv").read_text(encoding="utf-8").splitlines()))
    assert row["DiffMeanHourlyPercent"] == row["DiffMedianHourlyPercent"] == ""
    assert row["MaleLowerQuartile"] == "100.0" and row["FemaleLowerQuartile"] == "0.0"
    for column in ("DiffMeanHourlyPercent", "DiffMedianHourlyPercent"):
        assert (f"warning: gender-pay-gap.csv, column {column}: the GOV.UK Gender Pay Gap service would not accept "
                "this as it stands: decide what to enter before submitting; allowed: required") in err
    assert not any(person in err for person in women)
