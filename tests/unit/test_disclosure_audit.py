"""The independent disclosure audit (pipeline.audit) on tiny hand-built figures.json dicts."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

from pipeline.audit import additive_inconsistencies, audit_figures


def c(value=None, suppressed=None, not_calculable=None):
    return {"value": None if suppressed else value, "suppressed": suppressed, "not_calculable": not_calculable}


S = c(None, "small_count")
X = c(None, "secondary")


def table(tid, rows, dims=("sex",), population="workforce", measures=("count",)):
    return {"id": tid, "population": population, "dims": list(dims), "measures": list(measures),
            "rows": [{"keys": list(k), "cells": {m: cell for m, cell in cells.items()}} for k, cells in rows]}


def figs(*tables, threshold=5):
    return {"settings": {"suppression_threshold": threshold}, "tables": list(tables)}


def one_dim(tid, counts, dim="cat", population="workforce"):
    return table(tid, [((k,), {"count": v if isinstance(v, dict) else c(v)}) for k, v in counts.items()],
                 dims=(dim,), population=population)


def recovered(f):
    return {(r.table, r.keys, r.how, r.value) for r in audit_figures(f)}


def test_one_withheld_cell_beside_a_shown_total_is_recovered():
    f = figs(one_dim("t", {"a": 20, "b": S, "c": 30, "total": 53}))
    assert recovered(f) == {("t", ("b",), "linear", 3)}


def test_two_withheld_cells_in_a_line_are_safe():
    f = figs(one_dim("t", {"a": 20, "b": S, "c": X, "total": 59}))
    assert audit_figures(f) == []


def test_a_count_shown_in_another_table_of_the_population_is_known_everywhere():
    # t1 withholds b and c; t2 (same population, another dimension crossed with it) shows b's margin
    t1 = one_dim("t1", {"a": 20, "b": S, "c": X, "total": 59})
    t2 = table("t2", [(("b", "x"), {"count": c(1)}), (("b", "y"), {"count": c(2)}), (("b", "total"), {"count": c(3)})],
               dims=("cat", "other"))
    rec = recovered(figs(t1, t2))
    assert ("t1", ("b",), "visible_elsewhere", 3) in rec
    assert ("t1", ("c",), "linear", 36) in rec


def test_a_different_population_is_a_different_quantity():
    t1 = one_dim("t1", {"a": 20, "b": S, "c": X, "total": 59})
    t2 = one_dim("t2", {"a": 1, "b": 3, "c": 0, "total": 4}, population="leavers")
    assert audit_figures(figs(t1, t2)) == []


def grid(tid, values, hidden, reason="secondary", population="workforce"):
    """A two-way table with margins from a dict {(row, col): value}; ``hidden`` cells are withheld."""
    rows_, cols_ = sorted({r for r, _ in values}), sorted({c_ for _, c_ in values})
    full = dict(values)
    for r in rows_:
        full[(r, "total")] = sum(values[(r, k)] for k in cols_)
    for k in [*cols_, "total"]:
        full[("total", k)] = sum(full[(r, k)] for r in rows_)
    rows = [((r, k), {"count": c(None, reason) if (r, k) in hidden else c(v)}) for (r, k), v in full.items()]
    return table(tid, rows, dims=("d", "e"), population=population)


def test_a_differencing_chain_is_found_by_the_rank_test():
    """Two cycles of withheld cells joined by one bridge cell. Every line has at least two withheld
    cells, so no single line gives anything away (and a 2-way table cannot hold the odd cycle
    x+y=a, y+z=b, x+z=c), but the rows of one cycle minus its columns leave the bridge alone."""
    values = {(f"r{i}", f"c{j}"): 10 + i * 4 + j for i in range(1, 5) for j in range(1, 5)}
    cycle1 = {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2")}
    cycle2 = {("r3", "c3"), ("r3", "c4"), ("r4", "c3"), ("r4", "c4")}
    bridge = ("r2", "c3")
    f = figs(grid("t", values, cycle1 | cycle2 | {bridge}))
    # no line has exactly one withheld cell
    hidden = cycle1 | cycle2 | {bridge}
    for i in range(1, 5):
        assert sum((f"r{i}", f"c{j}") in hidden for j in range(1, 5)) != 1
        assert sum((f"r{j}", f"c{i}") in hidden for j in range(1, 5)) != 1
    assert recovered(f) == {("t", bridge, "linear", values[bridge])}


def test_a_cycle_of_withheld_cells_is_safe():
    values = {(f"r{i}", f"c{j}"): 10 + i * 4 + j for i in range(1, 4) for j in range(1, 4)}
    f = figs(grid("t", values, {("r1", "c1"), ("r1", "c2"), ("r2", "c1"), ("r2", "c2")}))
    assert audit_figures(f) == []


def test_two_small_counts_summing_to_two_are_both_ones():
    f = figs(one_dim("t", {"a": 20, "b": S, "c": S, "d": 7, "total": 29}))
    assert recovered(f) == {("t", ("b",), "interval", 1), ("t", ("c",), "interval", 1)}


def test_small_counts_summing_to_more_than_two_are_safe():
    f = figs(one_dim("t", {"a": 20, "b": S, "c": S, "d": 7, "total": 32}))
    assert audit_figures(f) == []


def test_bounds_travel_across_lines():
    """Three small counts in a column whose withheld total is itself at most 4 (threshold 5): the
    column total is 3 or 4; the row it sits in pins it to 3, so each of the three is 1."""
    t = table("t", [
        (("a", "u"), {"count": S}), (("b", "u"), {"count": S}), (("c", "u"), {"count": S}),
        (("total", "u"), {"count": S}),
        (("a", "v"), {"count": c(10)}), (("b", "v"), {"count": c(12)}), (("c", "v"), {"count": c(20)}),
        (("total", "v"), {"count": c(42)}),
        (("a", "w"), {"count": S}), (("b", "w"), {"count": S}), (("c", "w"), {"count": c(0)}),
        (("total", "w"), {"count": S}),
        (("a", "total"), {"count": X}), (("b", "total"), {"count": X}), (("c", "total"), {"count": X}),
        (("total", "total"), {"count": c(47)}),
    ], dims=("d", "e"))
    rec = recovered(figs(t))
    # u + w = 5 with u >= 3 and w >= 2: u = 3, w = 2, so every small count is 1
    assert ("t", ("total", "u"), "interval", 3) in rec
    assert ("t", ("a", "u"), "interval", 1) in rec
    assert ("t", ("total", "w"), "interval", 2) in rec


def test_a_percentage_beside_a_withheld_count_gives_it_back():
    t = table("t", [
        (("a",), {"count": c(20), "pct_all": c(20 / 53 * 100)}),
        (("b",), {"count": S, "pct_all": c(3 / 53 * 100)}),
        (("c",), {"count": X, "pct_all": c(None, "rests_on_suppressed")}),
        (("total",), {"count": c(53), "pct_all": c(100.0)}),
    ], dims=("cat",), measures=("count", "pct_all"))
    assert ("t", ("b",), "ratio", 3) in recovered(figs(t))


def test_withheld_percentages_beside_withheld_counts_are_safe():
    t = table("t", [
        (("a",), {"count": c(20), "pct_all": c(20 / 53 * 100)}),
        (("b",), {"count": S, "pct_all": c(None, "rests_on_suppressed")}),
        (("c",), {"count": X, "pct_all": c(None, "rests_on_suppressed")}),
        (("total",), {"count": c(53), "pct_all": c(100.0)}),
    ], dims=("cat",), measures=("count", "pct_all"))
    assert audit_figures(figs(t)) == []


def test_a_shown_pct_stated_reveals_the_withheld_not_stated_count():
    # stated = a + b = 50 + X; pct_stated of a = 50 / stated: the reader learns stated, so the not-stated
    # count (and then b) follows from the total
    t = table("t", [
        (("a",), {"count": c(50), "pct_stated": c(50 / 57 * 100)}),
        (("b",), {"count": X, "pct_stated": c(None, "rests_on_suppressed")}),
        (("not_stated",), {"count": S, "pct_stated": c(None, not_calculable="not_applicable")}),
        (("prefer_not_to_say",), {"count": c(0), "pct_stated": c(None, not_calculable="not_applicable")}),
        (("total",), {"count": c(60), "pct_stated": c(None, not_calculable="not_applicable")}),
    ], dims=("cat",), measures=("count", "pct_stated"))
    rec = recovered(figs(t))
    assert ("t", ("not_stated",), "linear", 3) in rec
    assert ("t", ("b",), "linear", 7) in rec


def test_a_shown_percentage_reveals_a_withheld_denominator():
    t = table("t", [
        (("r", "a"), {"count": c(6), "pct_all": c(60.0)}),
        (("r", "b"), {"count": X, "pct_all": c(None, "rests_on_suppressed")}),
        (("r", "total"), {"count": X, "pct_all": c(None, "rests_on_suppressed")}),
        (("s", "a"), {"count": c(6), "pct_all": c(None, "rests_on_suppressed")}),
        (("s", "b"), {"count": X, "pct_all": c(None, "rests_on_suppressed")}),
        (("s", "total"), {"count": X, "pct_all": c(None, "rests_on_suppressed")}),
    ], dims=("d", "e"), measures=("count", "pct_all"))
    rec = recovered(figs(t))
    assert ("t", ("r", "total"), "ratio_denominator", 10) in rec
    assert ("t", ("r", "b"), "linear", 4) in rec


def test_cumulative_stages_make_no_equation():
    t = table("t", [
        (("applied", "a"), {"count": c(30)}), (("applied", "b"), {"count": c(20)}),
        (("applied", "total"), {"count": c(50)}),
        (("shortlisted", "a"), {"count": S}), (("shortlisted", "b"), {"count": X}),
        (("shortlisted", "total"), {"count": c(12)}),
    ], dims=("stage", "cat"))
    assert audit_figures(figs(t)) == []


def test_lines_that_do_not_add_up_are_not_trusted():
    f = figs(table("t", [
        (("x", "a"), {"count": c(1)}), (("x", "b"), {"count": c(1)}), (("x", "total"), {"count": c(3)}),
        (("y", "a"), {"count": S}), (("y", "b"), {"count": c(9)}), (("y", "total"), {"count": c(11)}),
    ], dims=("d", "e")))
    assert additive_inconsistencies(f) == [("t", "e")]
    assert audit_figures(f) == []


def test_recoveries_describe_themselves_without_values():
    f = figs(one_dim("t", {"a": 20, "b": S, "c": 30, "total": 53}))
    (r,) = audit_figures(f)
    assert "3" not in r.describe() and "t" in r.describe() and "linear" in r.describe()


def _imports(module: str) -> set[str]:
    tree = ast.parse((Path(__file__).resolve().parents[2] / "pipeline" / f"{module}.py").read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    return imported | {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}


def test_the_audit_does_not_import_the_suppression_code():
    # only the solver, which models nothing: each side builds its own system of the figures
    imported = _imports("audit")
    assert not any(m and m.startswith("pipeline") and m != "pipeline.lp" for m in imported), imported
    assert not any(m and m.startswith("pipeline") for m in _imports("lp"))


def gap(n_reference, n_comparison, sizes, shares=None, statutory=True):
    """A pay gap as figures.json holds it: men (reference) and women, their full-pay counts, the
    quarter sizes, and each quarter's [men, women] shares."""
    shares = shares or {q: (50.0, 50.0) for q in sizes}
    return {"id": "gender.officer", "reference": "male", "comparison": "female", "statutory": statutory,
            "n_reference": n_reference, "n_comparison": n_comparison, "quartile_sizes": sizes,
            "quartiles": {q: [c(a), c(b)] for q, (a, b) in shares.items()}}


def test_a_withheld_pay_gap_group_size_is_the_quarter_sizes_less_the_other_group():
    # the quarters hold 3 + 2 + 2 + 2 = 9 people and 5 are men: the withheld women are 4
    f = {**figs(), "pay_gaps": [gap(c(5), S, {"lower": 3, "lower_middle": 2, "upper_middle": 2, "upper": 2})]}
    assert recovered(f) == {("pay_gap:gender.officer", (), "paygap_sizes", 4)}


def test_a_withheld_pay_gap_group_size_is_its_shares_of_the_quarters():
    # both sizes withheld, but women are 1 of 3, 2 of 2, 1 of 2 and 0 of 2 quarters: 4 women
    shares = {"lower": (200 / 3, 100 / 3), "lower_middle": (0.0, 100.0), "upper_middle": (50.0, 50.0),
              "upper": (100.0, 0.0)}
    f = {**figs(), "pay_gaps": [gap(X, S, {"lower": 3, "lower_middle": 2, "upper_middle": 2, "upper": 2}, shares)]}
    assert recovered(f) == {("pay_gap:gender.officer", (), "paygap_quarters", 4),
                            ("pay_gap:gender.officer", (), "paygap_quarters", 5)}


def test_a_pay_gap_without_quarter_sizes_gives_no_group_size_away():
    f = {**figs(), "pay_gaps": [gap(X, S, {})]}
    assert audit_figures(f) == []


def test_a_voluntary_quarter_share_times_its_size_that_counts_a_few_people_is_a_small_count():
    # 2 of 40 in the top quarter of a disability comparison: "two disabled employees are top paid"
    sizes = {"lower": 40, "lower_middle": 40, "upper_middle": 40, "upper": 40}
    shares = {"lower": (80.0, 20.0), "lower_middle": (85.0, 15.0), "upper_middle": (87.5, 12.5), "upper": (95.0, 5.0)}
    voluntary = {**gap(X, X, sizes, shares, statutory=False), "id": "disability"}
    found = recovered({**figs(), "pay_gaps": [voluntary]})
    assert {r for r in found if r[2] == "paygap_quarter_count"} == {("pay_gap:disability", ("upper",), "paygap_quarter_count", 2)}
    # the statutory gap's quarters are published by law, however few they hold
    statutory = {**gap(c(139), c(21), sizes, shares), "id": "gender"}  # 139 men and 21 women in all
    assert audit_figures({**figs(), "pay_gaps": [statutory]}) == []


def training(rows, notes=("reporting_period", "status_cumulative")):
    """training.sex as figures.json holds it: status (cumulative, no total) x sex."""
    t = table("training.sex", rows, dims=("status", "sex"), population="training_requests")
    return {**t, "note_codes": list(notes)}


def test_a_later_stage_bounds_the_stage_before_it():
    # 21 requests approved: the men's withheld (1-4) and the women's beside them (17-20). 20 women's
    # requests were completed, and a completed request was approved: so 20 women's and 1 man's
    rows = [(("requested", "female"), {"count": c(25)}), (("requested", "male"), {"count": c(30)}),
            (("requested", "total"), {"count": c(55)}),
            (("approved", "female"), {"count": X}), (("approved", "male"), {"count": S}),
            (("approved", "total"), {"count": c(21)}),
            (("completed", "female"), {"count": c(20)}), (("completed", "male"), {"count": c(0)}),
            (("completed", "total"), {"count": c(20)})]
    assert recovered(figs(training(rows))) == {("training.sex", ("approved", "female"), "interval", 20),
                                               ("training.sex", ("approved", "male"), "interval", 1)}
    # a table that does not say its stages are cumulative gives no such bound
    assert audit_figures(figs(training(rows, notes=("reporting_period",)))) == []


def test_the_audit_finds_what_disclosure_control_would_leave_without_its_stages_inside_stages(tmp_path, monkeypatch):
    # a 200-person organisation (sample seed 7): with the nesting of stages switched off in
    # disclosure control, the audit recovers withheld training counts from the stage after them;
    # with it on, nothing. The audit attacks here as a reader who knew which withheld counts are the
    # small ones (the published figures give every withheld count one reason, so no reader does):
    # disclosure control protects against that stronger reader
    import json

    from pipeline.measures import compute_figures
    from pipeline.measures import disclosure as dc

    monkeypatch.setattr(dc, "as_published", lambda figures: figures)  # the reasons as disclosure control knows them
    ex = _synthetic_extracts(tmp_path, 200, 7)
    assert audit_figures(json.loads(compute_figures(ex).to_json())) == []
    monkeypatch.setattr(dc, "find_nested", lambda *_a, **_k: [])
    found = audit_figures(json.loads(compute_figures(ex).to_json()))
    assert found and {r.table.split(".")[0] for r in found} == {"training"}
    assert "interval" in {r.how for r in found} <= {"interval", "linear_programme"}


def test_sums_across_lines_pin_what_no_one_line_does():
    # approved a + b + c = 8; completed a + c = 8 - 1 = 7; and each completed count is at most the
    # approved one of its row. So approved a + c >= 7, approved b <= 8 - 7 = 1, and approved b >= its
    # 1 completed: exactly 1. No one line narrows it (approved b could be 1 to 8 by the first alone),
    # only their sum: the linear programme (step 9) finds it, as a reader's LP solver would
    rows = [(("requested", "a"), {"count": c(7)}), (("requested", "b"), {"count": c(9)}),
            (("requested", "c"), {"count": c(9)}), (("requested", "total"), {"count": c(25)}),
            (("approved", "a"), {"count": X}), (("approved", "b"), {"count": X}),
            (("approved", "c"), {"count": X}), (("approved", "total"), {"count": c(8)}),
            (("completed", "a"), {"count": X}), (("completed", "b"), {"count": c(1)}),
            (("completed", "c"), {"count": X}), (("completed", "total"), {"count": c(8)})]
    assert recovered(figs(training(rows))) == {("training.sex", ("approved", "b"), "linear_programme", 1)}
    # with the completed total withheld too, a + c completed are not known: approved b is 1 to 8
    rows[-1] = (("completed", "total"), {"count": X})
    assert audit_figures(figs(training(rows))) == []


def test_the_audit_finds_what_disclosure_control_would_leave_without_linear_programming(tmp_path, monkeypatch):
    # a 60-person organisation (sample seed 4, 2024): without its own linear programming check,
    # disclosure control left the training requests approved (total, 52 here) pinned between sums
    # over the religions of the stages before and after it, which no line narrowed alone
    def untie(mp, measures):
        mp.setattr(measures.dc, "_programmed", lambda *_a, **_k: [])

    tied, untied = _untied_figures(tmp_path, monkeypatch, 60, 4, untie)
    assert tied == []
    assert untied and {(r.how, r.table.split(".")[0], r.keys[0]) for r in untied} == {
        ("linear_programme", "training", "approved")}


def quality(**facts):
    return {name: c(v) if not isinstance(v, dict) else v for name, v in facts.items()}


def pay_bands(rows, population="employees"):
    """men_women.pay_band as figures.json holds it: (band, sex) -> cell."""
    return table("men_women.pay_band", [(k, {"count": v if isinstance(v, dict) else c(v)}) for k, v in rows.items()],
                 dims=("pay_band", "sex"), population=population)


BANDS = {("low", "female"): 30, ("low", "male"): 20, ("low", "total"): 50,
         ("not_known", "female"): 3, ("not_known", "male"): 2, ("not_known", "total"): 5,
         ("total", "female"): 33, ("total", "male"): 22, ("total", "total"): 55}


def test_a_data_quality_fact_is_the_count_of_its_population():
    # the pay band table withholds its total (and a part of each line through it); the quality facts
    # print the employees in post: the same 55 people
    bands = {**BANDS, ("total", "total"): X, ("low", "total"): X}
    f = {**figs(pay_bands(bands)), "quality": quality(employees_in_post=55)}
    assert ("men_women.pay_band", ("total", "total"), "visible_elsewhere", 55) in recovered(f)
    assert ("men_women.pay_band", ("low", "total"), "linear", 50) in recovered(f)


def test_the_employees_are_those_with_a_pay_row_and_those_without():
    # 55 employees, 53 with a pay row: the 2 without are given back, as the fact withheld says
    f = {**figs(pay_bands(BANDS)), "quality": quality(employees_in_post=55, employees_in_post_with_pay_row=53,
                                                        employees_in_post_without_pay_row=S)}
    assert recovered(f) == {("quality", (), "linear", 2)}


def test_no_known_pay_band_is_those_off_full_pay_and_those_without_a_pay_row():
    # 5 employees have no known pay band: 3 of them have no pay row, so 2 are not on full pay
    f = {**figs(pay_bands(BANDS)), "quality": quality(employees_in_post_without_pay_row=3, pay_rows_not_full_pay=S)}
    assert recovered(f) == {("quality", (), "linear", 2)}


def test_the_statutory_gap_counts_the_employees_of_each_sex_on_full_pay():
    # the gap's full-pay men are the 22 men employees less the men of no known pay band. The table
    # withholds a block of four (each line keeps two unknowns), but the gap's 20 men say 22 - 20 = 2
    # men have no known band, and the block follows
    bands = {**BANDS, ("low", "female"): X, ("low", "male"): X, ("not_known", "female"): X, ("not_known", "male"): S}
    gender = {**gap(c(20), c(31), {"lower": 13, "lower_middle": 13, "upper_middle": 13, "upper": 12}), "id": "gender"}
    assert audit_figures(figs(pay_bands(bands))) == []
    f = {**figs(pay_bands(bands)), "pay_gaps": [gender]}
    assert recovered(f) == {("men_women.pay_band", ("not_known", "male"), "linear", 2),
                            ("men_women.pay_band", ("not_known", "female"), "linear", 3),
                            ("men_women.pay_band", ("low", "male"), "linear", 20),
                            ("men_women.pay_band", ("low", "female"), "linear", 30)}
    # the same counts for a workforce group's voluntary gap say nothing of the organisation's employees
    assert audit_figures({**figs(pay_bands(bands)), "pay_gaps": [{**gender, "id": "gender.officer"}]}) == []


def test_the_employees_are_the_workforce_of_the_employee_groups():
    # 25 women in the workforce, 2 of them special constables (volunteers): the specials and the
    # staff withheld beside them, but with the women employees printed, 25 - 23 = 2 specials
    groups = table("men_women.workforce_group",
                   [(("officer", "female"), {"count": c(15)}), (("special", "female"), {"count": S}),
                    (("staff", "female"), {"count": X}), (("total", "female"), {"count": c(25)})],
                   dims=("workforce_group", "sex"))
    bands = pay_bands({("low", "female"): 23, ("total", "female"): 23})
    f = {**figs(groups, bands)}
    f["settings"]["employee_groups"] = ["officer", "staff"]
    assert recovered(f) == {("men_women.workforce_group", ("special", "female"), "linear", 2),
                            ("men_women.workforce_group", ("staff", "female"), "linear", 8)}
    # without the list, the audit does not know which groups are paid
    del f["settings"]["employee_groups"]
    assert audit_figures(f) == []


def test_a_relation_the_figures_contradict_is_not_trusted():
    # with and without a pay row printed as 50 + 3, but 55 employees: that relation is dropped
    f = {**figs(pay_bands(BANDS)), "quality": quality(employees_in_post=55, employees_in_post_with_pay_row=50,
                                                        employees_in_post_without_pay_row=3, pay_rows_not_full_pay=S)}
    assert ("figures", "quality/pay_row") in additive_inconsistencies(f)
    assert recovered(f) == {("quality", (), "linear", 2)}  # no known band: 5 = 3 + 2, still trusted


def _synthetic_extracts(tmp_path, employees: int, seed: int, year: int = 2024, prepare=None):
    """A synthetic body's validated extracts of ``year`` (the sample generator); ``prepare`` edits
    that year's files first."""
    from pipeline.config import ReportingYear, load_organisation
    from pipeline.extracts import load_extracts
    from pipeline.sample import main as make_sample

    make_sample(["--out", str(tmp_path), "--years", "2023", "2024", "--seed", str(seed), "--employees", str(employees)])
    if prepare is not None:
        prepare(tmp_path / str(year))
    org, _ = load_organisation(tmp_path / "organisation.toml")
    return load_extracts(tmp_path, ReportingYear(year), org)[0]


def _untied_figures(tmp_path, monkeypatch, employees: int, seed: int, untie, year: int = 2024, prepare=None,
                    keep: dict | None = None):
    """The audit's findings on a synthetic body's figures, as disclosure control makes them and with
    ``untie`` (monkeypatch, pipeline.measures) undoing one of its rules; ``prepare`` edits the
    extracts first, and ``keep`` receives the untied figures (``"untied"``)."""
    import json

    import pipeline.measures as measures

    ex = _synthetic_extracts(tmp_path, employees, seed, year, prepare)
    tied = audit_figures(json.loads(measures.compute_figures(ex).to_json()))
    untie(monkeypatch, measures)
    untied = json.loads(measures.compute_figures(ex).to_json())
    if keep is not None:
        keep["untied"] = untied
    return tied, audit_figures(untied)


def test_the_audit_finds_what_quality_facts_printed_beside_withheld_totals_give_back(tmp_path, monkeypatch):
    # a 60-person organisation (sample seed 1): quality facts printed whatever the tables withhold
    # give back the special constables, the workforce less the employees in post
    from pipeline.measures.crosstab import Protected

    def untie(mp, measures):
        shown = measures.data_quality
        mp.setattr(measures, "data_quality", lambda ex, pay, d, p: shown(ex, pay, d, Protected(p.values, {})))

    tied, untied = _untied_figures(tmp_path, monkeypatch, 60, 1, untie)
    assert tied == []
    assert {r.table for r in untied} >= {"men_women.pay_band", "men_women.workforce_group"}
    assert any(r.value is not None and 1 <= r.value <= 4 for r in untied)


def test_the_audit_finds_what_the_pay_band_table_gives_beside_the_statutory_gap_without_the_law_s_rule(
        tmp_path, monkeypatch):
    # a 400-person organisation (sample seed 2, 2024): the gap's full-pay men and women are the
    # employees of each sex less those of no known pay band. Without that line in disclosure control
    # (nor the counts the law publishes outright), the 4 women and 4 men of no known band come back
    def untie(mp, measures):
        mp.setattr(measures, "published_by_law", lambda ex, pay: ([], []))

    tied, untied = _untied_figures(tmp_path, monkeypatch, 400, 2, untie)
    assert tied == []
    assert {(r.table, r.keys, r.value) for r in untied} >= {("men_women.pay_band", ("not_known", "female"), 4),
                                                          ("men_women.pay_band", ("not_known", "male"), 4)}


def test_a_full_pay_count_that_the_pay_band_table_gives_is_printed(tmp_path, monkeypatch):
    # a 300-person body with the duty (sample seed 8, 2023): 1 to 4 men on reduced pay withhold the
    # statutory gap's relevant counts, but the pay band table shows the 119 women employees and the
    # women of no known band (none): the relevant women lie between the full-pay ones and the
    # employees, all 119, no secret; withheld, they were recovered and refused the run
    def untie(mp, measures):
        tie = measures.tie_gap_counts
        mp.setattr(measures, "tie_gap_counts", lambda gaps, drafts, p, computed=None: tie(gaps, drafts, p))

    tied, untied = _untied_figures(tmp_path, monkeypatch, 300, 8, untie, year=2023)
    assert tied == []
    assert {(r.table, r.measure, r.how) for r in untied} >= {("pay_gap:gender", "n_relevant_comparison", "interval")}


def test_people_with_a_case_are_at_most_the_cases():
    # 10 cases, by sex withheld; the likelihood of entering disciplinary prints 7 women and 3 men
    # with a case. Each has one at least: the women's cases are at least 7 and the men's at least 3,
    # and they make 10, so 7 and 3
    cases = table("disciplinary.sex", [(("total", "female"), {"count": X}), (("total", "male"), {"count": X}),
                                       (("total", "total"), {"count": c(10)})],
                  dims=("outcome", "sex"), population="disciplinary_cases")
    assert audit_figures(figs(cases)) == []
    people = {"id": "entering_disciplinary.sex", "characteristic": "sex", "numerator_group": "female",
              "denominator_group": "male", "outcome_x": c(7), "outcome_y": c(3)}
    assert recovered({**figs(cases), "likelihoods": [people]}) == {
        ("disciplinary.sex", ("total", "female"), "interval", 7), ("disciplinary.sex", ("total", "male"), "interval", 3)}
    # 8 women and 3 men with a case among 12: one of either has two cases, which the figures do not say
    cases["rows"][2]["cells"]["count"] = c(12)
    people.update(outcome_x=c(8))
    assert audit_figures({**figs(cases), "likelihoods": [people]}) == []


def _counts_recovered(f: dict) -> list:
    """What the audit recovers, without ``group_attribute``: ``_few_men`` prints its 0 men of no known
    band beside the withheld number of men, as disclosure control did before it withheld such zeros
    (tested on its own); here it is a link in the quarter shares' chain."""
    return [r for r in audit_figures(f) if r.how != "group_attribute"]


def _few_men(total: int, unbanded_women: int) -> dict:
    """The pay band table of a body whose men are all in one band with its women: by sex, only the
    women of no known band (and no men) are shown."""
    return pay_bands({("30k_35k", "male"): X, ("30k_35k", "female"): X, ("30k_35k", "total"): total - unbanded_women,
                      ("not_known", "male"): 0, ("not_known", "female"): unbanded_women,
                      ("not_known", "total"): unbanded_women,
                      ("total", "male"): X, ("total", "female"): X, ("total", "total"): total})


def _law_s_gap(men: tuple[float, float, float, float]) -> dict:
    """The statutory gender gap as the law prints it beside few men: both group sizes withheld, no
    quarter sizes, each quarter's share of men (the women's 100 less it)."""
    quarters = ("lower", "lower_middle", "upper_middle", "upper")
    return {**gap(X, X, {}, {q: (m, round(100 - m, 1)) for q, m in zip(quarters, men, strict=True)}), "id": "gender"}


def test_the_law_s_quarter_shares_count_the_few_men_on_full_pay_and_the_tables_give_the_rest():
    # 400 employees, 2 women of no known band and no men: 398 on full pay, in quarters of 100, 99,
    # 100 and 99. 1.0 per cent men of a quarter of 100 or 99 is 1 man (0 and 2 print 0.0 and 2.0), so
    # 2 men on full pay; with no man of no known band they are the men employees, and the band the
    # men and women share gives its 396 women
    bands = _few_men(400, 2)
    assert _counts_recovered(figs(bands)) == []
    f = {**figs(bands), "pay_gaps": [_law_s_gap((0.0, 0.0, 1.0, 1.0))]}
    assert {(r.table, r.keys, r.value) for r in _counts_recovered(f)} == {
        ("men_women.pay_band", ("total", "male"), 2), ("men_women.pay_band", ("30k_35k", "male"), 2),
        ("men_women.pay_band", ("total", "female"), 398), ("men_women.pay_band", ("30k_35k", "female"), 396)}
    # the gap's own withheld sizes are not among them: the law prints the shares that give them


def test_quarter_shares_pin_nothing_when_many_full_pay_totals_fit():
    # with no table to bound the full-pay total, 1.0 per cent of quarters near 100 is 1 man each, but
    # of quarters near 200 it is 2: no one number of men fits every total
    assert audit_figures({**figs(), "pay_gaps": [_law_s_gap((0.0, 0.0, 1.0, 1.0))]}) == []


def test_quarter_shares_are_read_with_the_report_s_rounding_rule():
    # quarters of 400: 1 man of 400 is 0.25 per cent, printed 0.2 when halves go to even and 0.3 when
    # they go up. Under the first rule 0.2 is that 1 man; under the second no number of men prints
    # 0.2, so the figures do not come from this model and nothing is claimed from them
    f = {**figs(_few_men(1602, 2)), "pay_gaps": [_law_s_gap((0.0, 0.0, 0.0, 0.2))]}
    f["settings"]["rounding"] = "half_even"
    assert ("men_women.pay_band", ("total", "male"), 1) in {(r.table, r.keys, r.value) for r in _counts_recovered(f)}
    f["settings"]["rounding"] = "half_up"
    assert _counts_recovered(f) == []


def test_the_audit_reads_the_full_pay_sizes_a_gap_withholds_from_its_quarter_shares(tmp_path, monkeypatch):
    # a 400-person organisation (sample seed 2, 2024) under an earlier rule: 1 to 4 on reduced pay
    # withheld the statutory gap's full-pay sizes and quarter sizes, and the pay band table knew
    # nothing of them. The quarters' shares fit one full-pay total, and so give the full-pay men and
    # women, who leave the 4 women and 4 men of no known band
    import pipeline.audit as audit
    from pipeline.figures import Cell

    def untie(mp, measures):
        mp.setattr(measures, "published_by_law", lambda ex, pay: ([], []))
        protect = measures.dc.protect_pay_gap

        def earlier_rule(gap, threshold=5, min_group_size=10):
            out = protect(gap, threshold, min_group_size)
            if not gap.statutory or out.n_relevant_reference.shown or not out.n_reference.shown:
                return out
            withheld = Cell(None, suppressed="secondary")
            return replace(out, n_reference=withheld, n_comparison=withheld, quartile_sizes={},
                           n_relevant_reference=gap.n_relevant_reference, n_relevant_comparison=gap.n_relevant_comparison)

        mp.setattr(measures.dc, "protect_pay_gap", earlier_rule)

    kept: dict = {}
    tied, untied = _untied_figures(tmp_path, monkeypatch, 400, 2, untie, keep=kept)
    assert tied == []
    assert {(r.table, r.keys, r.value) for r in untied} >= {("men_women.pay_band", ("not_known", "female"), 4),
                                                          ("men_women.pay_band", ("not_known", "male"), 4)}
    monkeypatch.setattr(audit._Audit, "_quarter_shares", lambda self, lo, hi: [])
    assert audit_figures(kept["untied"]) == []  # the shares are what give them


def _keep_few(kept: int, sex: str = "male"):
    """Make everyone of ``sex`` in a year's employees the other sex but the first ``kept``."""
    import polars as pl

    other = "female" if sex == "male" else "male"

    def prepare(year_dir):
        path = year_dir / "employees.csv"
        people = pl.read_csv(path, infer_schema=False).with_row_index("_i")
        few = people.filter(pl.col("sex") == sex)["_i"].head(kept)
        people.with_columns(pl.when((pl.col("sex") == sex) & ~pl.col("_i").is_in(few.to_list())).then(pl.lit(other))
                            .otherwise(pl.col("sex")).alias("sex")).drop("_i").write_csv(path)

    return prepare


def test_a_body_with_two_men_on_full_pay_withholds_what_the_law_s_shares_would_pin(tmp_path, monkeypatch):
    # 400 people (sample seed 1, 2024) of whom 6 men, 2 of them employees, both on full pay. The
    # statutory quarters print 1.1 per cent men in the two upper quarters: 2 men on full pay, whom
    # the pay band table's men of no known band (0) made the men employees, and then the men of the
    # workforce and of every table by sex. The law's 2 is a line of the pay band table like any
    # full-pay count, and known to the reader however small
    def untie(mp, measures):
        by_law = measures.published_by_law

        def above_the_threshold(ex, pay):
            cells, differences = by_law(ex, pay)
            return cells, [d for d in differences if d[2] >= 5]

        mp.setattr(measures, "published_by_law", above_the_threshold)
        # (the zeros beside withheld totals, withheld since, hide the 0 men of no known band too)
        mp.setattr(measures.dc, "_zeros_beside", lambda *a: False)

    tied, untied = _untied_figures(tmp_path, monkeypatch, 400, 1, untie, prepare=_keep_few(6))
    assert tied == []
    assert ("profile.sex", ("male",), 2) in {(r.table, r.keys, r.value) for r in untied}


def test_a_body_whose_few_women_employees_are_all_on_full_pay_publishes(tmp_path):
    # 400 people (sample seed 3, 2024) of whom 9 women, 8 of them employees, all on full pay: the
    # law's quarters give the 8, so the pay band table prints them. Each grade's women are 0 to 2,
    # withheld; bounds that know which of those are small pinned them, and disclosure control, with
    # nothing else left to withhold, withheld the 8 as well, which the audit read back as the gap's
    # 8 women on full pay and the 0 of no known band: the run was refused. Such pins are given up on
    # (a reader is not told which withheld counts are small), and the 8 stays printed
    import json

    from pipeline.measures import compute_figures

    ex = _synthetic_extracts(tmp_path, 400, 3, prepare=_keep_few(9, "female"))
    figures = json.loads(compute_figures(ex).to_json())
    bands = next(t for t in figures["tables"] if t["id"] == "men_women.pay_band")
    assert next(r for r in bands["rows"] if r["keys"] == ["total", "female"])["cells"]["count"]["value"] == 8
    assert audit_figures(figures) == []


def test_a_zero_beside_a_withheld_total_says_what_a_small_group_has_in_common():
    # deaths in service by sex: women 0, men withheld, the total withheld: the one who died was a man
    deaths = figs(one_dim("leavers.death", {"female": 0, "male": S, "total": S}, dim="sex"))
    assert recovered(deaths) == {("leavers.death", ("female",), "group_attribute", 0)}
    hidden = figs(one_dim("leavers.death", {"female": X, "male": S, "total": S}, dim="sex"))
    assert audit_figures(hidden) == []
    # beside a shown total a zero is no one's attribute (and a withheld zero recovered as 0 describes nobody)
    assert audit_figures(figs(one_dim("t", {"female": 0, "male": 12, "total": 12}, dim="sex"))) == []


def test_a_zero_a_shown_empty_line_gives_anyway_is_not_a_group_attribute():
    # leaver reason x ethnic group: nobody of the group "other" left at all, so none of them died in service
    rows = [(("death", "white"), {"count": S}), (("death", "other"), {"count": c(0)}),
            (("death", "total"), {"count": S}),
            (("resigned", "white"), {"count": c(40)}), (("resigned", "other"), {"count": c(0)}),
            (("resigned", "total"), {"count": c(40)}),
            (("total", "white"), {"count": X}), (("total", "other"), {"count": c(0)}),
            (("total", "total"), {"count": X})]

    def attributes(rows: list) -> set:
        return {r.keys for r in audit_figures(figs(table("leavers", rows, dims=("reason", "ethnic_group"))))
                if r.how == "group_attribute"}

    # (the number of leavers withheld: their "other" 0 is withheld as well, as it would say they were all White)
    assert attributes(rows) == {("total", "other")}
    rows[8] = (("total", "total"), {"count": c(44)})
    assert attributes(rows) == set()
    rows[7] = (("total", "other"), {"count": X})  # the empty column withheld: the zero is the group's alone
    assert attributes(rows) == {("death", "other"), ("resigned", "other")}
