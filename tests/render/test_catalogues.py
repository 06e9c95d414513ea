"""The label catalogues: the same keys in Welsh and English, none empty, and a missing Welsh string
stops the build before anything is written."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

import figures_fixture as F
from pipeline.errors import MissingTranslation
from pipeline.extracts import contract as c
from pipeline.figures import Cell, Row, Table
from pipeline.report import check_catalogues, load_catalogue, render_report
from pipeline.report.labels import TEMPLATES, lint_welsh, placeholders


def test_both_catalogues_have_the_same_keys_and_none_is_empty() -> None:
    cy, en = load_catalogue("cy"), load_catalogue("en")
    assert set(cy) == set(en)
    assert len(cy) > 300
    assert [k for k, v in cy.items() if not v.strip()] == []
    assert [k for k, v in en.items() if not v.strip()] == []
    assert check_catalogues() == []


def test_placeholders_match_between_languages() -> None:
    cy, en = load_catalogue("cy"), load_catalogue("en")
    assert [k for k in cy if placeholders(cy[k]) != placeholders(en[k])] == []


def test_no_welsh_label_glues_a_name_after_a_mutating_word() -> None:
    assert lint_welsh(load_catalogue("cy")) == []
    # the lint itself catches the mistake it is for
    assert lint_welsh({"x": "Mae'r adroddiad ar gyfer i {org}"}) != []
    assert lint_welsh({"x": "Tudalen {page} o {pages}"}) == []


def test_the_glossary_terms_are_used() -> None:
    cy = load_catalogue("cy")
    text = " ".join(cy.values())
    for term in ("bwlch cyflog rhwng y rhywiau", "cyfeiriadedd rhywiol", "nodweddion gwarchodedig", "Tudalen",
                 "dyddiad ciplun", "Mae'r ddogfen hon hefyd ar gael yn Saesneg", "chwartel isaf", "Cymedrig".lower(),
                 "canolrifol", "Heterorywiol/Strêt", "Cyfwerth ag amser llawn".lower()):
        assert term.lower() in text.lower(), term


CONTRACT_DIMS = {  # contract code list -> the label namespace (dimension) that names its codes
    "SEX": "sex", "AGE_BAND": "age_band", "ETHNICITY": "ethnicity", "DISABILITY": "disability",
    "RELIGION": "religion", "SEXUAL_ORIENTATION": "sexual_orientation", "GENDER_IDENTITY": "gender_identity",
    "MARITAL_STATUS": "marital_status", "WELSH_SPEAKING": "welsh_speaking", "CONTRACT_TYPE": "contract_type",
    "WORKING_PATTERN": "working_pattern", "LEAVE_REASON": "leave_reason", "APPLICANT_TYPE": "applicant_type",
    "STAGE": "stage", "TRAINING_OUTCOME": "training_outcome", "GRIEVANCE_ROLE": "role",
    "GRIEVANCE_OUTCOME": "grievance_outcome", "DISCIPLINARY_OUTCOME": "outcome",
}


def test_every_contract_code_list_is_labelled_in_both_languages() -> None:
    lists = {name: v for name, v in vars(c).items() if name.isupper() and isinstance(v, tuple)
             and v and all(isinstance(x, str) for x in v) and name not in ("TRUE_WORDS", "FALSE_WORDS",
                                                                              "MONITORING_COLUMNS")}
    assert set(lists) == set(CONTRACT_DIMS), "a new code list in the contract needs labels (and a line here)"
    for lang in ("cy", "en"):
        cat = load_catalogue(lang)
        missing = [f"cat.{CONTRACT_DIMS[n]}.{code}" for n, codes in lists.items() for code in codes
                   if f"cat.{CONTRACT_DIMS[n]}.{code}" not in cat]
        assert missing == [], lang


def _broken_templates(tmp_path: Path, key: str, line: str | None = "") -> Path:
    """A copy of templates/ whose Welsh ``key`` line is replaced by ``line`` (default: the key with an
    empty string; None deletes the line)."""
    t = tmp_path / "templates"
    shutil.copytree(TEMPLATES, t)
    path = t / "cy" / "labels.toml"
    text = path.read_text(encoding="utf-8")
    section, leaf = key.rsplit(".", 1)
    head = f"[{section}]\n"
    start = text.index(head)
    replacement = "" if line is None else (line or f'{leaf} = ""') + "\n"
    new, n = re.subn(rf"(?m)^{leaf} = \".*\"\n", lambda _: replacement, text[start:], count=1)
    assert n == 1
    path.write_text(text[:start] + new, encoding="utf-8")
    return t


@pytest.mark.parametrize(("line", "problem"), [("", "cy: cat.sex.female is empty"),
                                             (None, "cy: cat.sex.female is missing")])
def test_an_empty_or_missing_welsh_label_raises_missing_translation_before_anything_is_written(
        tmp_path: Path, line: str | None, problem: str) -> None:
    templates = _broken_templates(tmp_path, "cat.sex.female", line)
    assert check_catalogues(templates=templates) == [problem]
    out = tmp_path / "out"
    with pytest.raises(MissingTranslation) as exc:
        render_report(F.figures(), F.organisation(), commentary={}, out_dir=out, templates=templates)
    assert problem in exc.value.missing
    assert not out.exists() or not any(out.rglob("*"))


@pytest.mark.parametrize(("line", "problem"), [
    # the Welsh label names other placeholders than the English one: a figure would be left out
    ('doc_title = "{org}: adroddiad cydraddoldeb blynyddol"',
     "report.doc_title: placeholders differ between languages (cy {org}, en {org, year})"),
    ('doc_title = "{org}: adroddiad cydraddoldeb blynyddol {year"',
     "report.doc_title: placeholders differ between languages (cy {<malformed braces>}, en {org, year})"),
    ("doc_title = 2024", "cy: report.doc_title is not text"),
    ('doc_title = "{org}: adroddiad', "cy: labels.toml is not valid UTF-8 TOML"),
])
def test_a_welsh_label_the_english_one_cannot_stand_beside_fails_the_check(tmp_path: Path, line: str,
                                                                           problem: str) -> None:
    templates = _broken_templates(tmp_path, "report.doc_title", line)
    problems = check_catalogues(templates=templates)
    assert any(p.startswith(problem) for p in problems), problems
    with pytest.raises(MissingTranslation):
        render_report(F.figures(), F.organisation(), commentary={}, out_dir=tmp_path / "out", templates=templates)


def test_a_missing_welsh_catalogue_file_is_a_missing_translation(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "cy" / "labels.toml").unlink()
    problems = check_catalogues(templates=templates)
    assert problems[0] == "cy: labels.toml is missing"
    assert all(p.startswith("cy: ") and p.endswith(" is missing") for p in problems)


def test_a_table_the_catalogue_does_not_know_fails_with_every_missing_label(tmp_path: Path) -> None:
    figures = F.figures()
    new = Table("absence.sex", "absence", "workforce", ("sex",), ("count", "days_lost"),
                (Row(("female",), {"count": Cell(12), "days_lost": Cell(30)}),
                 Row(("intersex",), {"count": Cell(0), "days_lost": Cell(0)})))
    figures = replace(figures, tables=figures.tables + (new,))
    out = tmp_path / "out"
    with pytest.raises(MissingTranslation) as exc:
        render_report(figures, F.organisation(), commentary={}, out_dir=out)
    for lang in ("cy", "en"):
        for key in ("section.absence.title", "table.absence.sex.title", "measure.days_lost", "cat.sex.intersex"):
            assert f"{lang}: {key}" in exc.value.missing
    assert not out.exists()


def test_a_missing_welsh_commentary_file_is_a_missing_translation(tmp_path: Path) -> None:
    commentary = {"en": dict(F.COMMENTARY["en"]), "cy": dict(F.COMMENTARY["cy"])}
    del commentary["cy"]["02-objectives.md"]
    with pytest.raises(MissingTranslation) as exc:
        render_report(F.figures(), F.organisation(), commentary=commentary, out_dir=tmp_path / "out")
    assert exc.value.missing == ["cy: commentary/cy/02-objectives.md is missing"]
    assert not (tmp_path / "out").exists()


def test_the_real_measures_produce_nothing_the_catalogues_lack() -> None:
    """Every table, dimension, category, measure, pay gap and likelihood that compute_figures makes
    from a full synthetic year has its labels (a colleague's new table shows up here first)."""
    import synthetic

    from pipeline.report.document import Builder, label_context, load_layout
    from pipeline.report.labels import Labels

    figures = synthetic.figures()
    org = synthetic.organisation()
    labels = {lang: Labels(lang, load_catalogue(lang), label_context(figures, org, lang)) for lang in ("cy", "en")}
    for lb in labels.values():
        lb.context["period"] = lb.text("period")
    for lang, other in (("cy", "en"), ("en", "cy")):
        Builder(figures, org, labels[lang], labels[other], commentary={}, draft=True, layout=load_layout(),
                draw_charts=False).build()
    assert labels["cy"].missing == [] and labels["en"].missing == []
    assert len(figures.tables) > 50


def test_every_reason_a_figure_cannot_be_calculated_has_words_in_both_languages() -> None:
    """Each ``not_calculable=`` a measure writes, found in the source (so a reason added later is
    found too), resolved to its code: the report says why a cell is empty, and a reason without words
    stopped a real run (no woman on full pay gave ``no_comparison``, which had none)."""
    import importlib

    from pipeline.measures import paygap

    root = Path(__file__).resolve().parents[2] / "pipeline"
    codes: set[str] = set(paygap.__dict__[n] for n in ("NO_REFERENCE",))  # passed in as ``no_reference``
    for path in sorted(root.rglob("*.py")):
        refs = re.findall(r"not_calculable=([A-Za-z_.\"']+)", path.read_text(encoding="utf-8"))
        module = importlib.import_module(".".join(path.relative_to(root.parent).with_suffix("").parts)) if refs else None
        for ref in refs:
            if ref in ("cell.not_calculable", "no_reference"):  # passed on from another cell or argument
                continue
            if ref[0] in "\"'":
                codes.add(ref.strip("\"'"))
                continue
            owner, _, name = ref.rpartition(".")
            codes.add(getattr(getattr(module, owner) if owner else module, name))
    assert {"no_comparison", "no_reference", "zero_rate", "not_applicable"} <= codes
    for lang in ("cy", "en"):
        catalogue = load_catalogue(lang)
        assert [c for c in sorted(codes) if not catalogue.get(f"not_calculable.{c}")] == [], lang
