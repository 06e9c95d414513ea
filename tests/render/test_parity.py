"""Welsh and English carry the same figures, the Welsh has no stray English, no glyph falls back."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from conftest import LANGS, numbers, page_text
from pipeline.report import load_catalogue
from pipeline.report.labels import TEMPLATES


def test_the_multiset_of_numbers_is_the_same_in_welsh_and_english(rendered) -> None:  # noqa: ANN001
    cy = page_text(rendered.html("cy"), "cy")
    en = page_text(rendered.html("en"), "en")
    cy_numbers = Counter(numbers("".join(cy.own) + "".join(cy.other)))
    en_numbers = Counter(numbers("".join(en.own) + "".join(en.other)))
    assert sum(cy_numbers.values()) > 300
    assert cy_numbers == en_numbers, (cy_numbers - en_numbers, en_numbers - cy_numbers)


def _words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[^\W\d_]{3,}", text)}


def test_no_english_report_vocabulary_in_the_welsh_page_outside_lang_en(rendered) -> None:  # noqa: ANN001
    en_vocab = _words(" ".join(load_catalogue("en").values()))
    cy_vocab = _words(" ".join(load_catalogue("cy").values()))
    vocabulary = en_vocab - cy_vocab  # words written the same in Welsh ("Roma", "CSV") are not evidence
    cy = page_text(rendered.html("cy"), "cy")
    welsh_text = " ".join(cy.own)
    stray = sorted(_words(welsh_text) & vocabulary)
    assert stray == []
    # and the English words the Welsh page does carry are all inside lang="en"
    assert {"english", "document", "available"} <= _words(" ".join(cy.other))


def _shipped_cmap() -> set[int]:
    cps: set[int] = set()
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"):
        font = TTFont(TEMPLATES / "shared" / "fonts" / name)
        cps |= set(font.getBestCmap())
    return cps


@pytest.mark.parametrize("lang", LANGS)
def test_every_character_of_the_page_and_charts_is_in_the_shipped_font(rendered, lang: str) -> None:  # noqa: ANN001
    cmap = _shipped_cmap()
    t = page_text(rendered.html(lang), lang)
    text = "".join(t.own + t.other + t.alts)
    for svg in (rendered.out / lang / "charts").glob("*.svg"):
        text += re.sub(r"<[^>]+>", " ", svg.read_text(encoding="utf-8"))
    text += "".join(load_catalogue(lang).values())
    missing = sorted({ch for ch in text if ord(ch) not in cmap and not ch.isspace()})
    assert missing == []
    if lang == "cy":
        assert "ŵ" in text and "â" in text


@pytest.mark.parametrize("lang", LANGS)
def test_each_language_folder_is_self_contained(rendered, lang: str) -> None:  # noqa: ANN001
    folder: Path = rendered.out / lang
    html = rendered.html(lang)
    for ref in re.findall(r'(?:src|href)="([^"#]+)"', html):
        if ref.startswith(("../", "https:", "mailto:")):
            continue
        assert (folder / ref).exists(), ref
    css = (folder / "css" / "report.css").read_text(encoding="utf-8")
    for ref in re.findall(r'url\("([^"]+)"\)', css):
        assert (folder / "css" / ref).resolve().exists(), ref


def test_the_review_packs_name_every_measure_and_language_in_their_own_language(sample_report) -> None:  # noqa: ANN001
    # the Welsh pack once showed "count previous" 102 times, "n reference", "rate x", "English, tudalen 1"
    # and "yn ôl lefel y gymraeg": codes and fallbacks where a label was missing or lower-cased
    code, out, log = sample_report
    assert code == 0, log
    raw_codes = ("count previous", "pct stated previous", "n reference", "n comparison", "n relevant", "bonus pct",
                 "rate x", "rate y", "rests on suppressed", "zero denominator")
    for lang, name, other_language in (("cy", "index.cy.html", "English"), ("en", "index.html", "Cymraeg")):
        text = " ".join(page_text((out / "review" / name).read_text(encoding="utf-8"), lang).own)
        assert not [c for c in raw_codes if re.search(rf"\b{c}\b", text.lower())], lang
        assert other_language not in text, lang
        assert "welsh language level" not in text and "lefel y gymraeg" not in text, lang


def test_each_language_publishes_its_tables_as_a_spreadsheet_in_its_own_words(rendered) -> None:  # noqa: ANN001
    # the Welsh PDF sends readers to a file for the tables it does not print: data/figures.csv is named
    # by English codes, so each language has its own file, linked from its page and named in its PDF
    import csv as csvlib

    files = {"cy": "tablau-adroddiad-cydraddoldeb-2024.csv", "en": "equality-report-tables-2024.csv"}
    read = {}
    for lang, name in files.items():
        path = rendered.out / lang / name
        assert path in rendered.files[lang]
        read[lang] = list(csvlib.reader(path.read_text(encoding="utf-8-sig").splitlines()))
        assert f'href="{name}"' in rendered.html(lang) and 'href="../data/figures.csv"' in rendered.html(lang)
    cy, en = read["cy"], read["en"]
    assert cy[0] == ["Tabl", "Rhes", "Colofn", "Gwerth", "Fel y'i dangosir", "Nodyn"]
    assert en[0] == ["Table", "Row", "Column", "Value", "As shown", "Note"]
    assert len(cy) == len(en) > 100
    assert [r[3] for r in cy][1:] == [r[3] for r in en][1:]  # the same published numbers, cell for cell
    assert all(r[0].startswith("Tabl ") for r in cy[1:]) and any(r[4] == "[c]" and r[5] for r in cy[1:])
    # every figure shown has its number beside it (the statutory quartile sizes had none)
    assert [r for r in en[1:] if r[3] == "" and re.search(r"\d", r[4])] == []
    # the printed note names the file of its own language (pdftotext, from poppler-utils, as the summary's test)
    import subprocess

    printed = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(rendered.pdf("cy")), "-"], capture_output=True,
                                                  text=True, check=True).stdout)
    assert files["cy"] in printed and "figures.csv" not in printed


def test_a_negative_figure_in_the_tables_file_is_not_turned_into_text_but_a_formula_still_is() -> None:
    # the formula guard wrote '-5.6%, which spreadsheets showed with its apostrophe
    from pipeline.report.tablefile import _safe

    assert [_safe(x) for x in ("-5.6%", "+0.1", "1,966", "[c]")] == ["-5.6%", "+0.1", "1,966", "[c]"]
    assert _safe("=HYPERLINK(1)") == "'=HYPERLINK(1)" and _safe("-1+2") == "'-1+2"
