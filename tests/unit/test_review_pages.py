"""The review pack's page counts: this run's from its page thumbnails, the last run's from that run's
own review (its PDFs are not opened again)."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))

import figures_fixture as F  # noqa: E402
from pipeline.review import build_review  # noqa: E402


def _pages_row(page: str, lang: str) -> list[str]:
    # each language named in the pack's own language: "Saesneg" in the Welsh pack, not "English"
    names = {"cy": "Cymraeg", "en": "Saesneg"} if 'lang="cy"' in page[:200] else {"cy": "Welsh", "en": "English"}
    name = names[lang]
    row = re.search(rf"<tr><td>{name}</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
    assert row, page[:2000]
    return [row.group(1), row.group(2)]


def test_the_last_runs_page_counts_come_from_its_own_review(tmp_path: Path) -> None:
    last = tmp_path / "last"
    (last / "review").mkdir(parents=True)
    (last / "review" / "summary.json").write_text(json.dumps({"pages": {"cy": 57, "en": 53}}), encoding="utf-8")
    staged = tmp_path / "staged"
    staged.mkdir()
    figures = dataclasses.replace(F.figures(), quality={})  # the fixture's quality facts are not JSON
    index = build_review(staged, figures, last_run=last, last_year=None, threshold=2.0, warnings=[])
    page = index.read_text(encoding="utf-8")
    assert _pages_row(page, "cy") == ["57", "—"]  # before; no PDF was made this time
    assert _pages_row(page, "en") == ["53", "—"]


def test_a_last_run_without_a_readable_review_has_no_page_count(tmp_path: Path) -> None:
    last = tmp_path / "last"
    (last / "review").mkdir(parents=True)
    (last / "review" / "summary.json").write_text("[not the summary]", encoding="utf-8")
    staged = tmp_path / "staged"
    staged.mkdir()
    figures = dataclasses.replace(F.figures(), quality={})
    page = build_review(staged, figures, last_run=last, last_year=None, threshold=2.0, warnings=[]).read_text(
        encoding="utf-8")
    assert _pages_row(page, "cy") == ["—", "—"]


def test_the_review_names_each_code_as_the_report_does() -> None:
    """A code means different things under different dimensions ("no" under disability and under gender
    identity); groups and grades are named in organisation.toml; a withheld cell's reason is in words."""
    from pipeline.review import Names

    names = Names(F.organisation(), {
        ("table", "profile.gender_identity", "no"): "gender_identity",
        ("table", "profile.disability", "no"): "disability",
        ("table", "profile.grade", "sergeant"): "grade",
        ("pay_gap", "ethnicity.white_minority", "white_british|white_minority"): "group",
        ("pay_gap", "gender", "upper|female"): "quartile|group",
    })
    assert names.categories("table", "profile.gender_identity", "no") == "Different from sex registered at birth"
    assert names.categories("table", "profile.disability", "no") == "Not disabled"
    assert names.categories("table", "profile.grade", "sergeant") == "Sergeant"
    assert names.categories("pay_gap", "ethnicity.white_minority",
                            "white_british|white_minority") == "White British × White minorities"
    assert names.categories("pay_gap", "gender", "upper|female") == "Upper quartile (highest paid) × Women"
    assert names.figure("pay_gap", "gender.staff") == "Gender pay gap: Police staff"
    assert names.value("[suppressed: rests_on_suppressed]") == "Withheld because it is based on a withheld number"
    assert names.value("[not calculable: zero_reference]") == "Cannot be calculated: the reference group's figure is zero"
    assert names.value("[suppressed: withheld]") == "withheld"  # its label needs {threshold}
    filled = Names(F.organisation(), {}, {"suppression_threshold": 5, "min_group_size": 10})
    assert filled.value("[suppressed: withheld]") == ("Withheld to protect privacy: a small number (fewer than 5), "
                                                      "or a figure from which one could be worked out")
    assert names.value("12.5") == "12.5"


def test_data_quality_facts_are_shown_in_words_not_json() -> None:
    from pipeline.review import Names, _fact

    names = Names(F.organisation())
    rates = {"disability": {"value": 85.2054794520548, "suppressed": None, "not_calculable": None},
             "religion": {"value": None, "suppressed": "withheld", "not_calculable": None}}
    assert _fact(rates, names) == "Disability 85.2%, Religion or belief withheld"
    assert _fact({"rests_on_suppressed": 440, "withheld": 994}, names) == (
        "Withheld because it is based on a withheld number 440, withheld 994")
    assert _fact(["employees", "pay"], names) == "employees, pay"
    assert _fact(2475, names) == "2,475"  # grouped in thousands, as the report prints counts
    # one reason only: the count, which the fact's name already calls withheld ("withheld 947" was said twice)
    assert _fact({"withheld": 947}, names) == "947"
    # a count of people is a Cell: its number, or withheld in words
    assert _fact({"value": 2475, "suppressed": None, "not_calculable": None}, names) == "2,475"
    assert _fact({"value": None, "suppressed": "withheld", "not_calculable": None}, names) == "withheld"
    cy = Names(F.organisation(), lang="cy")
    assert _fact({"value": None, "suppressed": "withheld", "not_calculable": None}, cy) == "wedi'i atal"


def test_the_review_pack_is_written_in_welsh_too_with_the_same_tables(tmp_path: Path) -> None:
    """The same page in each language (review/index.html and review/index.cy.html), each linking to the
    other; every word from the catalogues, so the Welsh page has the English page's tables row for row."""
    last = tmp_path / "last"
    (last / "review").mkdir(parents=True)
    (last / "review" / "summary.json").write_text(json.dumps({"pages": {"cy": 57, "en": 53}}), encoding="utf-8")
    staged = tmp_path / "staged"
    staged.mkdir()
    figures = dataclasses.replace(F.figures(), quality={"pay_rows": 12, "suppressed_counts": {"withheld": 3}})
    build_review(staged, figures, last_run=last, last_year=F.figures(), threshold=2.0, warnings=[],
                 organisation=F.organisation())
    en = (staged / "review" / "index.html").read_text(encoding="utf-8")
    cy = (staged / "review" / "index.cy.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in en and '<html lang="cy">' in cy
    assert '<a href="index.cy.html" lang="cy" hreflang="cy">Cymraeg</a>' in en
    assert '<a href="index.html" lang="en" hreflang="en">English</a>' in cy
    assert "Pecyn adolygu: adroddiad cydraddoldeb 2024" in cy and "Beth sydd angen eich sylw" in cy
    assert "<td>Rhesi cyflog</td><td>12</td>" in cy and "<td>Cyfrifon a ataliwyd (niferoedd o bobl)</td><td>3</td>" in cy
    assert _pages_row(cy, "cy") == ["57", "—"]
    for tag in ("<table>", "<tr>", "<td>", "<h2>", "<h3>", "<details>"):
        assert cy.count(tag) == en.count(tag), tag
    for english in ("What needs your attention", "Since last year", "withheld", "none."):
        assert english not in cy, english


def test_validation_warnings_read_in_each_packs_own_language(tmp_path: Path) -> None:
    """The run's warnings (an extra column; last year's extracts with problems) are worded by each
    pack's catalogue: the Welsh pack quotes no English message."""
    from pipeline.errors import Problem

    warnings = [
        Problem("extra_column", "employees.csv", row=1, column="payroll_ref", severity="warning",
                message="this column is not in the contract and is ignored"),
        Problem("extra_column", "pay.csv", row=1, severity="warning",
                message="this column is not in the contract and is ignored"),
        Problem("previous_year_invalid", "2023/", severity="warning", count=3,
                message="last year's employees and pay extracts have 3 problem(s); year-on-year change is left out"),
        # one line per kind of warning, counting its rows: 2 listed and 21 more stand for 23
        Problem("age_under_16", "employees.csv", row=4, column="date_of_birth", severity="warning"),
        Problem("age_under_16", "employees.csv", row=9, column="date_of_birth", severity="warning"),
        Problem("age_under_16", "employees.csv", column="date_of_birth", severity="warning", count=21),
        Problem("ignored_folder", "2024-25/", severity="warning", message="this folder holds extracts but is not read"),
    ]
    staged = tmp_path / "staged"
    staged.mkdir()
    figures = dataclasses.replace(F.figures(), quality={})
    build_review(staged, figures, last_run=None, last_year=None, threshold=2.0, warnings=warnings)
    en = (staged / "review" / "index.html").read_text(encoding="utf-8")
    cy = (staged / "review" / "index.cy.html").read_text(encoding="utf-8")
    assert "employees.csv: the column “payroll_ref” is not in the data contract and is ignored" in en
    assert "pay.csv: a column that is not in the data contract is ignored" in en
    assert "2023/: last year&#x27;s employees and pay extracts have problems (3)" in en
    assert "employees.csv: nid yw&#x27;r golofn “payroll_ref” yn y contract data, ac fe&#x27;i hanwybyddir" in cy
    assert "pay.csv: anwybyddir colofn nad yw yn y contract data" in cy
    assert "2023/: mae problemau (3) yn netholiadau gweithwyr a chyflog y llynedd" in cy
    assert en.count("under 16") == 1 and "an age under 16 on the snapshot date (23), counted in the 16-24 band" in en
    assert cy.count("o dan 16") == 1 and "oedran o dan 16 ar y dyddiad ciplun (23)" in cy
    assert "2024-25/: mae detholiadau yn y ffolder hon ond nid yw&#x27;n cael ei darllen" in cy
    for english in ("is ignored", "not in the contract", "year-on-year", "problem(s)", "is not read"):
        assert english not in cy
    # and the attention list, which a reviewer reads first, says there are some (it did not)
    assert "5 warnings from validation: see “Data quality” below." in en
    assert "5 rhybudd gan y dilysu: gweler “Ansawdd y data” isod." in cy


def test_a_reworded_section_is_named_by_its_title_in_the_packs_language() -> None:
    # the Welsh pack listed "cy: actions", "en: introduction": codes and English file stems
    from pipeline.review import Names

    names = Names(lang="cy")
    names.section_titles = {"actions": "Camau gweithredu a'r camau nesaf"}
    assert names.reworded("en: actions") == "Saesneg: Camau gweithredu a'r camau nesaf"
    assert names.reworded("cy: introduction") == "Cymraeg: Cyflwyniad"  # a catalogue title when the page has none


def test_english_quoted_in_the_welsh_pack_is_marked_english() -> None:
    # a PDF layout problem is quoted as the run logs it, in English: read in a Welsh voice it was noise
    from pipeline.review import English, _table

    page = _table(["problem"], [[English("page 3: the running heads meet")], ["tudalen 4"]], "Problemau")
    assert '<td lang="en">page 3: the running heads meet</td>' in page and "<td>tudalen 4</td>" in page


def test_each_welsh_page_is_beside_the_english_page_with_the_same_content() -> None:
    """The longer Welsh text takes a page more in section 2 (Welsh pages 2-3, English 2): from there
    pairing by number put every Welsh page beside the English page after its own. Matched by the
    places both PDFs name, Welsh 3 stands alone and the rest pair up again; a place out of order in
    one language ("stray", at the end of the English) is not followed; a page with no place of its
    own (Welsh 5, English 4: a table running on) pairs in turn."""
    from pipeline.review import pair_pages

    cy = {"intro": 1, "stray": 1, "sec2": 2, "sec2-table": 3, "sec3": 4, "sec4": 6}
    en = {"intro": 1, "stray": 5, "sec2": 2, "sec2-table": 2, "sec3": 3, "sec4": 5}
    assert pair_pages(6, 5, cy, en) == [(1, 1), (2, 2), (3, None), (4, 3), (5, 4), (6, 5)]
    # the English longer: its page 2 runs on from page 1, and the Welsh has no page for it
    assert pair_pages(3, 4, {"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 3, "c": 4}) == [
        (1, 1), (None, 2), (2, 3), (3, 4)]
    # nothing named in both: the pages pair by number, the longer PDF's last alone
    assert pair_pages(3, 2, {}, {}) == [(1, 1), (2, 2), (3, None)]


def test_a_warning_s_count_is_grouped_in_thousands_in_both_languages() -> None:
    """The weekly-hours warning may stand for every row of a big payroll: "(12,365)", as the report
    prints counts, not "(12365)"."""
    from pipeline.errors import Problem
    from pipeline.review import Names

    many = Problem("rounded", "pay.csv", column="weekly_hours", severity="warning", count=12_365)
    for lang in ("en", "cy"):
        said = Names(F.organisation(), lang=lang).warning(many)
        assert "(12,365)" in said and "weekly_hours" in said, said


def test_what_the_gov_uk_service_would_refuse_comes_first_in_each_pack_with_the_services_words(tmp_path: Path) -> None:
    """No woman on full pay: the statutory row has no hourly gaps, which the service requires. The
    reviewer reads it first, in the pack's language, with the service's checks quoted in English (and
    marked so); ``summary.json`` lists them for a scheduler."""
    from pipeline.errors import Problem

    refused = [Problem("gov_uk_refused", "gender-pay-gap.csv", column=col, allowed="required", severity="warning",
                       message="the GOV.UK Gender Pay Gap service would not accept this as it stands")
               for col in ("DiffMeanHourlyPercent", "DiffMedianHourlyPercent")]
    staged = tmp_path / "staged"
    staged.mkdir()
    build_review(staged, F.figures(), last_run=None, last_year=None, threshold=2.0, warnings=refused)
    for name, words in (("index.html", "The GOV.UK Gender Pay Gap service would not accept 2 of the figures"),
                        ("index.cy.html", "Ni fyddai gwasanaeth Bwlch Cyflog rhwng y Rhywiau GOV.UK yn derbyn 2 o")):
        page = (staged / "review" / name).read_text(encoding="utf-8")
        attention = page[page.index("<h2>"):page.index("</ul>", page.index("<h2>"))]
        assert words in attention, name
        assert '<li lang="en"><code>DiffMeanHourlyPercent</code>: required</li>' in attention
        assert '<li lang="en"><code>DiffMedianHourlyPercent</code>: required</li>' in attention
        assert "gender-pay-gap.csv, DiffMeanHourlyPercent: " in page  # and in the warnings, in the pack's words
    summary = json.loads((staged / "review" / "summary.json").read_text(encoding="utf-8"))
    assert summary["gov_uk_refused"] == ["DiffMeanHourlyPercent: required", "DiffMedianHourlyPercent: required"]


def test_a_damaged_last_release_is_less_to_compare_with_not_a_stop(tmp_path: Path) -> None:
    # a published page saved again by hand in another encoding, and a figures file cut short: every
    # later run stopped with a traceback in the review pack (UnicodeDecodeError)
    last = tmp_path / "last"
    (last / "en").mkdir(parents=True)
    (last / "data").mkdir()
    (last / "en" / "index.html").write_bytes(b"\xff\xfe<section id=\"pay\">caf\xe9</section>")
    (last / "data" / "figures.csv").write_bytes(b"kind,id\n\xff\xfe\x00garbage")
    staged = tmp_path / "staged"
    staged.mkdir()
    index = build_review(staged, F.figures(), last_run=last, last_year=None, threshold=2.0, warnings=[])
    assert "No earlier run to compare with." in index.read_text(encoding="utf-8")


def test_a_helper_program_that_fails_is_a_render_failure_quoting_it_or_a_full_disk(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import errno
    import shutil as sh

    import pytest

    from pipeline.errors import RenderFailed
    from pipeline.review import thumbnails

    if sh.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    bad = tmp_path / "en.pdf"
    bad.write_bytes(b"%PDF-1.7 this is not a PDF")
    with pytest.raises(RenderFailed, match=r"pdftoppm \(the review pack's page thumbnails\) failed \(exit \d+\): \S"):
        thumbnails({"en": bad, "cy": None}, tmp_path / "thumbs")
    monkeypatch.setattr(sh, "disk_usage", lambda _p: sh._ntuple_diskusage(10 << 30, 10 << 30, 0))
    with pytest.raises(OSError) as full:  # the machine's refusal (exit 9), as a full disk is anywhere else
        thumbnails({"en": bad, "cy": None}, tmp_path / "thumbs")
    assert full.value.errno == errno.ENOSPC


def _row(measure: str, value: str, fid: str = "gender", kind: str = "pay_gap", not_calculable: str = "") -> dict:
    return {"kind": kind, "id": fid, "categories": "male|female", "measure": measure, "value": value,
            "suppressed": "", "not_calculable": not_calculable}


def test_since_the_last_run_every_changed_figure_is_listed_and_since_last_year_those_past_the_threshold() -> None:
    """A sign-off team was told "headline figures: none" since the last run while the statutory mean
    gap had gone from 7.9 to 7.8 and the women paid a bonus from 0.0% to 0.4%: the year-on-year
    threshold (2 points) was applied to a rerun of the same year."""
    from pipeline.review import _headline, compare

    before = [_row("mean_hourly_gap", "7.9"), _row("bonus_pct_comparison", "0.0"), _row("median_hourly_gap", "6.5")]
    after = [_row("mean_hourly_gap", "7.8"), _row("bonus_pct_comparison", "0.4"), _row("median_hourly_gap", "6.5")]
    since_run = compare(before, after, None)
    assert [(c.key[3], c.before, c.after) for c in since_run] == [("bonus_pct_comparison", "0.0", "0.4"),
                                                                 ("mean_hourly_gap", "7.9", "7.8")]
    assert all(_headline(c) for c in since_run)  # every statutory measure is a headline figure
    # changes.csv keeps the figures file's own values beside those shown (a count shown as 1,219)
    count = compare([_row("count", "1217", fid="profile.sex", kind="table")],
                    [_row("count", "1219", fid="profile.sex", kind="table")], None)[0]
    assert (count.before, count.after, count.value_before, count.value_after) == ("1,217", "1,219", "1217", "1219")
    assert compare(before, after, 2.0) == []


def test_a_ratio_is_listed_when_it_moves_by_a_fifth_or_crosses_one() -> None:
    from pipeline.review import compare

    def ratio(value: str) -> list[dict]:
        return [_row("ratio", value, fid="recruitment.interviewed.offered", kind="likelihood")]

    assert [c.after for c in compare(ratio("0.74"), ratio("1.26"), 2.0)] == ["1.26"]  # crossed 1.00, never listed before
    assert [c.after for c in compare(ratio("0.95"), ratio("1.02"), 2.0)] == ["1.02"]  # crossed 1.00
    assert [c.after for c in compare(ratio("0.50"), ratio("0.75"), 2.0)] == ["0.75"]
    assert compare(ratio("0.50"), ratio("0.65"), 2.0) == []


def test_a_figure_that_became_not_calculable_is_listed() -> None:
    # 2023's bonus gaps (-46.2%) were blank in 2024, as no man was paid a bonus, and nothing said so
    from pipeline.review import compare

    before = [_row("mean_bonus_gap", "-46.2")]
    after = [_row("mean_bonus_gap", "", not_calculable="no_reference_bonus")]
    assert [c.what for c in compare(before, after, 2.0)] == ["not_calculable"]
    assert [c.what for c in compare(after, before, 2.0)] == ["calculable"]


def test_a_section_whose_figures_alone_changed_is_not_called_reworded() -> None:
    from pipeline.review import _words

    assert _words("Women were 47.6% (1,217) of the workforce; the gap is -3.3") == \
        _words("Women were 47.7% (1,219) of the workforce; the gap is −3.1")
    assert _words("Women were 47.6% of the workforce") != _words("Women made up 47.6% of the workforce")


def test_the_pack_links_the_report_s_files_and_shows_the_summary_image(tmp_path: Path) -> None:
    # the pack had no link at all: not to the PDFs it asks people to sign off, nor to the summary image
    from weasyprint import HTML

    staged = tmp_path / "staged"
    for lang, pdf in (("cy", "adroddiad-cydraddoldeb-2024.pdf"), ("en", "equality-report-2024.pdf")):
        (staged / lang).mkdir(parents=True)
        (staged / lang / "index.html").write_text("<html></html>", encoding="utf-8")
        HTML(string=f"<p>{lang}</p>").write_pdf(staged / lang / pdf)
    (staged / "summary").mkdir()
    (staged / "summary" / "crynodeb-summary-2024.png").write_bytes(b"png")
    (staged / "summary" / "crynodeb-summary-2024.alt.txt").write_text("Crynodeb. Summary.", encoding="utf-8")
    build_review(staged, dataclasses.replace(F.figures(), quality={}), last_run=None, last_year=None, threshold=2.0,
                 warnings=[])
    en = (staged / "review" / "index.html").read_text(encoding="utf-8")
    for href, words in (("../cy/index.html", "Welsh report: web page"), ("../en/equality-report-2024.pdf", "English report: PDF"),
                        ("changes.csv", "The changes listed here (changes.csv)")):
        assert f'<a href="{href}">{words}</a>' in en
    assert '<img src="../summary/crynodeb-summary-2024.png" alt="The one-page summary image, as it will be shared" width="360">' in en
    assert '<a href="../summary/crynodeb-summary-2024.alt.txt">The summary image&#x27;s alt text, Welsh then English</a>' in en


def test_a_pdf_page_holding_next_to_nothing_is_found(tmp_path: Path) -> None:
    """The Welsh sample's objectives put one two-line bullet on a page of its own, and the pack said
    "layout problems: none"."""
    from weasyprint import HTML

    from pipeline.review import nearly_empty_pages

    words = " ".join(f"word{i}" for i in range(200))
    page = ("<p>Running head</p><p>{}</p><p>Page foot</p>")
    body = (page.format(words) + '<div style="break-before: page"></div>' + page.format("Two words")
            + '<div style="break-before: page"></div>' + page.format(words)
            + '<div style="break-before: page"></div>' + page.format("The last page may be short"))
    pdf = tmp_path / "x.pdf"
    HTML(string=f"<html><body>{body}</body></html>").write_pdf(pdf)
    assert nearly_empty_pages(pdf) == [2]


def test_the_pack_names_the_input_files_that_changed_since_the_last_run(tmp_path: Path) -> None:
    # a reviewer saw figures move with no word of what their colleagues had changed
    last = tmp_path / "last"
    last.mkdir()
    (last / "manifest.json").write_text(json.dumps({"inputs": {"2024/employees.csv": "a", "2024/pay.csv": "b",
                                                               "2023/pay.csv": "c"}}), encoding="utf-8")
    staged = tmp_path / "staged"
    staged.mkdir()
    build_review(staged, dataclasses.replace(F.figures(), quality={}), last_run=last, last_year=None, threshold=2.0,
                 warnings=[], inputs={"2024/employees.csv": "a", "2024/pay.csv": "B",
                                      "2024/commentary/en/01-intro.md": "d"})
    en = (staged / "review" / "index.html").read_text(encoding="utf-8")
    assert ("Input files changed since the last run: 2023/pay.csv, 2024/commentary/en/01-intro.md, "
            "2024/pay.csv.") in en
    assert json.loads((staged / "review" / "summary.json").read_text())["inputs_changed_since_last_run"] == [
        "2023/pay.csv", "2024/commentary/en/01-intro.md", "2024/pay.csv"]


def test_a_pay_gap_s_bonus_share_is_named_by_its_group_as_the_report_names_it() -> None:
    from pipeline.report.labels import load_catalogue
    from pipeline.review import Names

    catalogues = {lang: load_catalogue(lang) for lang in ("cy", "en")}
    dims = {("pay_gap", "gender", "male|female"): "group"}
    en = Names(None, dims, {"year": 2024}, "en", catalogues)
    cy = Names(None, dims, {"year": 2024}, "cy", catalogues)
    # "Share who received bonus pay, first group" left the reviewer to work out which group was first
    assert en.measure("pay_gap", "bonus_pct_comparison", "gender", "male|female") == "Women: share who received bonus pay"
    assert cy.measure("pay_gap", "bonus_pct_reference", "gender", "male|female") == "Dynion: cyfran a gafodd dâl bonws"


def test_a_table_last_year_did_not_have_is_one_change_not_one_per_cell() -> None:
    from pipeline.review import compare

    def cell(fid: str, cats: str, value: str) -> dict:
        return {"kind": "table", "id": fid, "categories": cats, "measure": "count", "value": value,
                "suppressed": "", "not_calculable": ""}

    before = [cell("profile.sex", "female", "100"), cell("profile.sex", "male", "100")]
    after = [cell("profile.sex", "female", "130"), cell("profile.sex", "male", "100"),
             *(cell("change.sex", c, "1") for c in ("female", "male", "total"))]
    changes = compare(before, after, 2.0)
    assert [(c.key, c.what, c.before, c.after) for c in changes] == [
        (("table", "change.sex", "", ""), "new_table", "—", "3"),
        (("table", "profile.sex", "female", "count"), "changed", "100", "130")]
    assert [c.what for c in compare(after, before, 2.0)] == ["gone_table", "changed"]


def test_a_year_in_which_nobody_was_paid_a_bonus_after_one_in_which_some_were_is_flagged(tmp_path: Path) -> None:
    """The sample's 2024 pays no bonus where 2023 paid 1.5% of men and 1.0% of women: as often an
    extract whose bonus columns came out empty, and the pack said nothing (the bonus gaps go blank)."""
    from pipeline.figures import Cell
    from pipeline.review import bonus_vanished

    last_year = F.figures()
    gaps = [dataclasses.replace(g, bonus_pct_reference=Cell(0.0), bonus_pct_comparison=Cell(0.0)) if g.id == "gender"
            else g for g in last_year.pay_gaps]
    now = dataclasses.replace(last_year, pay_gaps=gaps, quality={})
    assert bonus_vanished(now, last_year) == (1.52, 1.03)
    assert bonus_vanished(last_year, last_year) is None and bonus_vanished(now, None) is None
    staged = tmp_path / "staged"
    staged.mkdir()
    build_review(staged, now, last_run=None, last_year=last_year, threshold=2.0, warnings=[])
    en = (staged / "review" / "index.html").read_text(encoding="utf-8")
    cy = (staged / "review" / "index.cy.html").read_text(encoding="utf-8")
    assert "Nobody received bonus pay in the 12 months to the snapshot date, where last year 1.5% of men and 1.0%" in en
    assert "Ni chafodd neb dâl bonws yn y 12 mis hyd at y dyddiad ciplun, er i ddynion (1.5%) a menywod (1.0%) ei gael y llynedd" in cy


def test_a_figure_s_page_is_found_from_the_ids_the_report_gives_its_tables() -> None:
    # the pack had no way to say which pages to look at again
    from pipeline.review import page_of

    anchors = {"table-profile-sex": 7, "paygap-gender-officer": 36, "recruitment-likelihood": 18, "table-change-sex": 47}
    assert page_of("table", "profile.sex", anchors) == 7
    assert page_of("pay_gap", "gender.officer", anchors) == 36
    assert page_of("likelihood", "recruitment.interviewed.offered", anchors) == 18
    assert page_of("table", "change.sex", anchors) == 47
    assert page_of("table", "leavers.reason", anchors) is None


def test_a_page_whose_figures_changed_since_the_last_run_is_marked_and_every_page_links_into_its_pdf(
        tmp_path: Path) -> None:
    import csv

    from weasyprint import HTML

    figures = dataclasses.replace(F.figures(), quality={})
    rows = figures.tidy_rows()
    last = tmp_path / "last"
    (last / "data").mkdir(parents=True)
    with (last / "data" / "figures.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows([dict(r, value="1200") if (r["id"], r["categories"], r["measure"]) == ("profile.sex", "female", "count")
                     else r for r in rows])
    staged = tmp_path / "staged"
    for lang in ("cy", "en"):
        (staged / lang).mkdir(parents=True)
        HTML(string='<p>one</p><h2 id="table-profile-sex" style="break-before: page">sex</h2>').write_pdf(
            staged / lang / f"report-{lang}.pdf")
    build_review(staged, figures, last_run=last, last_year=None, threshold=2.0, warnings=[])
    en = (staged / "review" / "index.html").read_text(encoding="utf-8")
    assert '<figure><a href="../en/report-en.pdf#page=1">' in en
    assert ('<figure class="changed"><a href="../en/report-en.pdf#page=2"><img src="pages/en-2.jpg" '
            'alt="English, page 2"></a><figcaption>English 2 <strong>figures changed since the last run</strong>') in en


def test_the_withheld_figures_are_counted_table_by_table_most_first(tmp_path: Path) -> None:
    from collections import Counter

    from pipeline.review import Names

    figures = dataclasses.replace(F.figures(), quality={})
    per = Counter((r["kind"], r["id"]) for r in figures.tidy_rows() if r["suppressed"])
    assert per, "the fixture withholds something"
    (kind, fid), n = per.most_common(1)[0]
    staged = tmp_path / "staged"
    staged.mkdir()
    build_review(staged, figures, last_run=None, last_year=None, threshold=2.0, warnings=[])
    en = (staged / "review" / "index.html").read_text(encoding="utf-8")
    from pipeline.report.labels import load_catalogue

    name = Names(None, {}, {"year": figures.year}, "en", {lang: load_catalogue(lang) for lang in ("cy", "en")}).figure(kind, fid)
    table = en[en.index("Withheld figures in each table, most first"):]
    assert table.index(f"<td>{name}</td><td>{n:,}</td>") < table.index("</table>")
    first_row = re.search(r"<tbody><tr><td>([^<]*)</td><td>([\d,]+)</td>", table)
    assert first_row is not None and int(first_row.group(2).replace(",", "")) == n
