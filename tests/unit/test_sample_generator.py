"""The synthetic sample generator (``pipeline.sample``) and the sample it committed to ``inputs/``.

Why these tests: the bundled sample is the pipeline's demonstration and its end-to-end fixture, so it
must be reproducible byte for byte, obey the data contract, hang together across files and years, and
stay close to the published Gwent Police gender pay gap figures it was calibrated against.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

import polars as pl
import pytest

from pipeline import sample
from pipeline.config import ReportingYear, load_organisation
from pipeline.extracts import load_extracts
from pipeline.extracts.contract import EXTRACTS

ROOT = Path(__file__).resolve().parents[2]
INPUTS = ROOT / "inputs"
YEARS = (2023, 2024)
FILES = tuple(e.name for e in EXTRACTS)
EVENT_KEYS = {"training": "requested_date", "grievances": "date_raised", "disciplinary": "date_started"}
SMALL = 500

committed = pytest.mark.skipif(not (INPUTS / "2024" / "employees.csv").exists(), reason="sample inputs missing")


def read(root: Path, year: int, name: str) -> pl.DataFrame:
    return pl.read_csv(root / str(year) / f"{name}.csv", infer_schema=False)


def in_post(emp: pl.DataFrame, year: int) -> pl.DataFrame:
    """Employed on 31 March YEAR (a leave date of 31 March still counts as employed that day)."""
    snap = f"{year}-03-31"
    return emp.filter((pl.col("start_date") <= snap) & (pl.col("leave_date").is_null() | (pl.col("leave_date") >= snap)))


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small")
    sample.generate(out, YEARS, seed=20240331, employees=SMALL)
    return out


# ---------------------------------------------------------------- reproducibility
def test_same_seed_gives_identical_bytes(small, tmp_path):
    sample.generate(tmp_path, YEARS, seed=20240331, employees=SMALL)
    names = ["organisation.toml", "community.csv"] + [f"{y}/{f}.csv" for y in YEARS for f in FILES]
    match, mismatch, errors = filecmp.cmpfiles(small, tmp_path, names, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_another_seed_gives_other_people(small, tmp_path):
    sample.generate(tmp_path, YEARS, seed=1, employees=SMALL)
    assert (tmp_path / "2024" / "pay.csv").read_bytes() != (small / "2024" / "pay.csv").read_bytes()


@committed
def test_committed_sample_is_what_make_sample_writes(tmp_path):
    """A stale inputs/ (generator changed, sample not regenerated) fails here: run `make sample`."""
    sample.generate(tmp_path, YEARS, seed=20240331)
    names = ["organisation.toml", "community.csv"] + [f"{y}/{f}.csv" for y in YEARS for f in FILES]
    match, mismatch, errors = filecmp.cmpfiles(INPUTS, tmp_path, names, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_the_generator_will_not_write_over_an_organisation_s_own_inputs(small, tmp_path, capsys):
    """``make sample`` and ``python -m pipeline.sample`` write to inputs/ by default: over an
    organisation's own extracts they replaced its profile and every year's files without a word."""
    own = tmp_path / "inputs"
    (own / "2024").mkdir(parents=True)
    (own / "organisation.toml").write_text("[organisation]\ncode = \"our-force\"\n", encoding="utf-8")
    (own / "2024" / "employees.csv").write_text("employee_id\nE1\n", encoding="utf-8")
    before = {f: f.read_bytes() for f in own.rglob("*") if f.is_file()}
    assert sample.main(["--out", str(own), "--years", "2024", "--employees", "50"]) == 2
    assert "nothing was written" in capsys.readouterr().err
    assert {f: f.read_bytes() for f in own.rglob("*") if f.is_file()} == before
    # extracts without a profile are an organisation's too
    (own / "organisation.toml").unlink()
    assert sample.main(["--out", str(own), "--years", "2024", "--employees", "50"]) == 2
    # a folder holding an earlier sample is written over, and --overwrite writes over anything
    assert not sample.holds_other_data(small) and sample.holds_other_data(own)
    assert sample.main(["--out", str(own), "--years", "2024", "--employees", "50", "--overwrite"]) == 0
    assert (own / "organisation.toml").read_text(encoding="utf-8").startswith(sample.SAMPLE_MARK)


def test_the_calibration_report_alone_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert sample.main(["--report", "--years", "2024", "--employees", "50"]) == 0
    assert "women % top quartile" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- size and proportions
def test_groups_and_event_files_scale_with_employees(small):
    emp = in_post(read(small, 2024, "employees"), 2024)
    counts = dict(emp.group_by("workforce_group").len().iter_rows())
    share = SMALL / sample.DEFAULT_TOTAL
    for code, group in zip(sample.GROUPS, sample.GROUPS_ORDER):
        assert counts[code] == round(sample.IN_POST_BASE[group] * share)
    assert sum(counts.values()) == pytest.approx(SMALL, abs=2)
    full = {f: read(INPUTS, 2024, f).height for f in ("training", "applications")} if (
        INPUTS / "2024" / "training.csv").exists() else None
    training = read(small, 2024, "training").height
    assert training == round(3000 * share * sample.GROWTH[sample.OFFICER] ** 0)
    if full:
        assert read(small, 2024, "applications").height == pytest.approx(full["applications"] * share, rel=0.2)


@committed
def test_committed_sizes_look_like_gwent():
    emp = in_post(read(INPUTS, 2024, "employees"), 2024)
    counts = dict(emp.group_by("workforce_group").len().iter_rows())
    assert counts == {"officer": 1450, "staff": 850, "pcso": 175, "special": 80}
    earlier = dict(in_post(read(INPUTS, 2023, "employees"), 2023).group_by("workforce_group").len().iter_rows())
    assert all(earlier[g] < counts[g] for g in counts)  # uplift: 2023 slightly smaller
    women = emp.group_by("workforce_group").agg((pl.col("sex") == "female").mean().alias("w"))
    w = dict(women.iter_rows())
    # 175 PCSOs drawn at 47-48% women: one standard deviation is ~3.8 points, so allow ~2.5 of them.
    assert 0.36 <= w["officer"] <= 0.41 and 0.57 <= w["staff"] <= 0.66 and 0.37 <= w["pcso"] <= 0.57
    officers = emp.filter(pl.col("workforce_group") == "officer")
    constables = (officers["grade"] == "constable").mean()
    assert 0.72 <= constables <= 0.78
    apps = read(INPUTS, 2024, "applications")
    assert 1500 <= apps.filter(pl.col("applicant_type") == "external").height <= 3000
    assert 150 <= apps.filter(pl.col("applicant_type") == "internal").height <= 300
    assert 20 <= read(INPUTS, 2024, "grievances")["case_id"].n_unique() <= 40
    assert 30 <= read(INPUTS, 2024, "disciplinary").height <= 60


# ---------------------------------------------------------------- consistency
@pytest.mark.parametrize("which", ["small", "committed"])
@pytest.mark.parametrize("year", YEARS)
def test_files_hang_together(which, year, small):
    root = small if which == "small" else INPUTS
    if not (root / str(year) / "employees.csv").exists():
        pytest.skip("sample inputs missing")
    emp = read(root, year, "employees")
    start, end = f"{year - 1}-04-01", f"{year}-03-31"
    assert emp["employee_id"].is_unique().all()
    assert list(emp.columns) == list(EXTRACTS[0].column_names)
    ids = set(emp["employee_id"])
    for name, col in EVENT_KEYS.items():
        ev = read(root, year, name)
        assert set(ev["employee_id"]) <= ids, name
        assert ev[col].min() >= start and ev[col].max() <= end, name
    internal = read(root, year, "applications").filter(pl.col("applicant_type") == "internal")
    assert set(internal["employee_id"]) <= ids
    # pay: exactly the employees (not volunteers) in post on the snapshot date
    pay = read(root, year, "pay")
    expected = in_post(emp, year).filter(pl.col("workforce_group") != "special")
    assert sorted(pay["employee_id"]) == sorted(expected["employee_id"])
    # leavers: a date in the period and a reason, together
    left = emp.filter(pl.col("leave_date").is_not_null())
    assert left["leave_date"].min() >= start and left["leave_date"].max() <= end
    assert emp.filter(pl.col("leave_date").is_null() != pl.col("leave_reason").is_null()).height == 0
    assert emp.filter(pl.col("leave_date") < pl.col("start_date")).height == 0
    mat = emp.filter(pl.col("maternity_leave_start").is_not_null())
    assert mat.filter(pl.col("maternity_leave_end") < pl.col("maternity_leave_start")).height == 0
    assert mat.filter(pl.col("maternity_leave_start") > end).height == 0
    assert mat.filter(pl.col("maternity_leave_end") < start).height == 0


@committed
def test_the_same_people_persist_from_one_year_to_the_next():
    before, after = read(INPUTS, 2023, "employees"), read(INPUTS, 2024, "employees")
    stayed = in_post(before, 2023).filter(pl.col("leave_date").is_null() | (pl.col("leave_date") > "2023-03-31"))
    joined = stayed.join(after, on="employee_id", how="inner", suffix="_24")
    assert joined.height == stayed.height  # everyone still employed on 1 April 2023 is in 2024's file
    for col in ("sex", "date_of_birth", "start_date", "ethnicity", "workforce_group"):
        assert joined.filter(pl.col(col).ne_missing(pl.col(f"{col}_24"))).height == 0, col
    left = before.filter(pl.col("leave_date") < "2023-03-31")
    assert left.join(after, on="employee_id", how="semi").height == 0
    promoted = joined.filter((pl.col("workforce_group") == "officer") & (pl.col("grade") != pl.col("grade_24")))
    assert promoted.height > 10


@committed
@pytest.mark.parametrize("year", YEARS)
def test_committed_sample_passes_the_data_contract(year):
    org, problems = load_organisation(INPUTS / "organisation.toml")
    assert problems == []
    extracts, warnings = load_extracts(INPUTS, ReportingYear(year), org)
    assert extracts.employees.height > 2500
    assert [w.render() for w in warnings] == []


@committed
def test_commentary_has_the_same_files_in_both_languages():
    for year in YEARS:
        en = sorted(p.name for p in (INPUTS / str(year) / "commentary" / "en").glob("*.md"))
        cy = sorted(p.name for p in (INPUTS / str(year) / "commentary" / "cy").glob("*.md"))
        assert en == cy and len(en) == 3


# ---------------------------------------------------------------- calibration
TOLERANCE_GAP, TOLERANCE_QUARTILE, TOLERANCE_BONUS = 3.0, 5.0, 0.5


@committed
@pytest.mark.parametrize("year", YEARS)
def test_gender_pay_gap_lands_near_gwent_published_figures(year):
    """Gwent Police's GOV.UK returns for the 31 March 2023 and 2024 snapshots, within a few points."""
    got = sample.gpg_figures(read(INPUTS, year, "employees"), read(INPUTS, year, "pay"))
    pub = sample.PUBLISHED[year]
    assert abs(got["mean"] - pub["mean"]) <= TOLERANCE_GAP
    assert abs(got["median"] - pub["median"]) <= TOLERANCE_GAP
    for ours, theirs in zip(got["quartiles"], pub["quartiles"]):
        assert abs(ours - theirs) <= TOLERANCE_QUARTILE
    assert abs(got["bonus_men"] - pub["bonus_men"]) <= TOLERANCE_BONUS
    assert abs(got["bonus_women"] - pub["bonus_women"]) <= TOLERANCE_BONUS


def test_gpg_check_follows_the_statutory_arithmetic():
    """Four full-pay men and four women on whole-pound hourly rates, one man on reduced pay (left out)."""
    rates = {"m1": ("male", 20), "m2": ("male", 16), "m3": ("male", 12), "m4": ("male", 12),
             "f1": ("female", 16), "f2": ("female", 12), "f3": ("female", 12), "f4": ("female", 8),
             "m5": ("male", 1)}
    emp = pl.DataFrame({"employee_id": list(rates), "sex": [s for s, _ in rates.values()]})
    pay = pl.DataFrame({
        "employee_id": list(rates),
        "period_start": ["2024-03-01"] * 9, "period_end": ["2024-03-31"] * 9,
        # 31 days, 35 hours a week: pay = rate x 35 x 31 / 7
        "ordinary_pay": [str(r * 35 * 31 / 7) for _, r in rates.values()],
        "bonus_pay_in_period": ["0"] * 9, "bonus_period_days": [None] * 9,
        "weekly_hours": ["35"] * 9,
        "full_pay": ["true"] * 8 + ["false"],
        "bonus_pay_12m": ["0"] * 7 + ["100", "0"],
    })
    got = sample.gpg_figures(emp, pay)
    assert got["mean"] == pytest.approx((15 - 12) / 15 * 100)
    assert got["median"] == pytest.approx((14 - 12) / 14 * 100)
    # ranked 8, 12x4 (2 men, 2 women), 16x2, 20: two per quarter, ties spread evenly
    assert got["quartiles"] == pytest.approx((100.0, 50.0, 50.0, 0.0))
    assert got["bonus_women"] == pytest.approx(25.0) and got["bonus_men"] == 0.0
